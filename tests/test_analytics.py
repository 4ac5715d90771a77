"""The staff figures on a seeded log whose outcomes are known: what counts as a failed search
(unsure, "No", a reformulation soon after, a contact right after the answer; never "did not
open the article"), self-service share from the same rules, time series, and the "No" comments.
Run on SQLite and on a real PostgreSQL: both must give the same rows."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from kb.settings import Settings
from portal import analytics
from portal.analytics import FailureRules
from portal.logstore import LogStore, session_hash

UTC = timezone.utc
SALT = "analytics-salt"
MON, TUE, WED = date(2025, 3, 3), date(2025, 3, 4), date(2025, 3, 5)
NEXT_MON = date(2025, 3, 10)
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.server)]


def at(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), UTC)


# name: (session, when, query, language, answer, unsure)
SEARCHES = {
    "a1": ("sA", at(MON, 9), "lost my card", "en", "card-lost.en", False),
    "a2": ("sA", at(MON, 9, 1), "how to freeze card", "en", "card-lost.en", False),  # a1 said "Yes"
    "b1": ("sB", at(MON, 10), "transfer limit", "en", "transfer-limits.en", False),
    "b2": ("sB", at(MON, 10, 2), "how much can I send a day", "en", "transfer-limits.en", False),
    "c1": ("sC", at(MON, 11), "掛失信用卡", "zh-Hant", "card-lost.zh-Hant", True),
    "d1": ("sD", at(TUE, 12), "贷款申请", "zh-Hans", "loan-apply.zh-Hans", False),
    "e1": ("sE", at(TUE, 13), "otp not received", "en", "security-otp.en", False),
    "f1": ("sF", at(TUE, 14), "atm withdrawal", "en", "atm-withdrawal.en", False),
    "g1": ("sG", at(TUE, 15), "reset password", "en", "login-forgot-password.en", False),
    "g2": ("sG", at(TUE, 15, 3), "forgot login", "en", "login-forgot-password.en", False),
    "h1": ("sH", at(WED, 16), "lost my card", "en", "card-lost.en", False),
    "h2": ("sH", at(WED, 16, 0, 30), "LOST  my Card", "en", "card-lost.en", False),
    "i1": ("sI", at(WED, 17), "card fee", "en", "card-fees.en", False),
    "j1": ("sJ", at(WED, 18), "block card", "en", "card-lost.en", False),
    "k1": ("sK", at(WED, 19), "寵物保險", "zh-Hant", None, True),
    "l1": ("sL", at(WED, 23, 59), "loan rate", "en", "loan-apply.en", False),
    "l2": ("sL", at(date(2025, 3, 6), 0, 0, 30), "loan interest", "en", "loan-apply.en", False),
    "n1": ("sN", at(NEXT_MON, 9), "open account", "en", "account-open.en", False),
}
# What each search in MON..WED must come out as, and why:
EXPECTED = {
    "a1": [],  # said "Yes", then asked something else: a new question, not a reformulation
    "a2": [],
    "b1": ["reformulated"],  # asked again in other words 120 s later (the window is inclusive)
    "b2": [],
    "c1": ["unsure"],
    "d1": ["not_helpful"],
    "e1": ["contacted"],  # phone 5 minutes after the answer
    "f1": [],  # chat 11 minutes after: not "right after"
    "g1": [],  # next question 3 minutes later: outside the window; the chat follows g2
    "g2": ["contacted"],
    "h1": [],  # the same words again is not a reformulation
    "h2": [],
    "i1": [],  # never opened the article: the answer is shown inline, that is not a failure
    "j1": ["contacted"],  # the click names this search, 30 minutes later
    "k1": ["unsure", "not_helpful", "contacted"],
    "l1": ["reformulated"],  # the reformulation falls after the range's end: still counted
}
VIEWS = [("a1", "card-lost.en", at(MON, 9, 0, 20)), ("e1", "security-otp.en", at(TUE, 13, 1))]
# (search or None, article, helpful, when, reason, comment)
FEEDBACK = [
    ("a1", "card-lost.en", True, at(MON, 9, 0, 40), None, None),
    ("d1", "loan-apply.zh-Hans", False, at(TUE, 12, 1), "wrong", "我要問的是利率"),
    ("k1", None, False, at(WED, 19, 1), "wrong", "my card 4111 1111 1111 1111 pet"),
    (None, "card-lost.en", False, at(WED, 20), "outdated", None),
    ("c1", "card-lost.zh-Hant", True, at(MON, 11, 1), None, None),
]
# (session, channel, when, linked search)
CONTACTS = [("sE", "phone", at(TUE, 13, 5), None), ("sF", "chat", at(TUE, 14, 11), None),
            ("sG", "chat", at(TUE, 15, 4), None), ("sJ", "branch", at(WED, 18, 30), "j1"),
            ("sK", "phone", at(WED, 19, 2), None)]
CATEGORY = {"card-lost": "cards", "card-fees": "cards", "transfer-limits": "transfers",
            "loan-apply": "loans", "security-otp": "security", "atm-withdrawal": "cards",
            "login-forgot-password": "security", "account-open": "accounts"}


def category_of(article_id: str) -> str:
    return CATEGORY[article_id.split(".")[0]]


@pytest.fixture(scope="module", params=BACKENDS)
def seeded(request, tmp_path_factory):
    if request.param == "sqlite":
        store = LogStore.open(f"sqlite:///{tmp_path_factory.mktemp('analytics') / 'portal.db'}")
    else:
        store = LogStore.open(request.getfixturevalue("postgres").database("analytics_outcomes"))
    ids = {}
    for name, (session, when, query, lang, top, unsure) in SEARCHES.items():
        ids[name] = store.log_search(session_hash(session, SALT), query, query_lang=lang, ui_lang="en",
                                     top_article_id=top, confidence=0.3 if unsure else 0.9, unsure=unsure,
                                     status="unsure" if unsure else "answered", now=when)
    for name, article, when in VIEWS:
        store.log_view(session_hash(SEARCHES[name][0], SALT), article, search_id=ids[name], now=when)
    for name, article, helpful, when, reason, comment in FEEDBACK:
        session = SEARCHES[name][0] if name else "sX"
        store.log_feedback(session_hash(session, SALT), helpful, search_id=ids.get(name), article_id=article,
                           reason=reason, comment=comment, now=when)
    for session, channel, when, linked in CONTACTS:
        store.log_contact(session_hash(session, SALT), channel, search_id=ids.get(linked), now=when)
    yield store, ids
    store.close()


def test_every_search_gets_exactly_its_known_outcome(seeded):
    store, ids = seeded
    names = {number: name for name, number in ids.items()}
    outcomes = analytics.search_outcomes(store, MON, WED)
    assert {names[row["search_id"]]: row["reasons"] for row in outcomes} == EXPECTED
    assert [names[row["search_id"]] for row in outcomes] == list(EXPECTED)  # oldest first


def test_helpful_answers_are_read_from_feedback_no_wins(seeded):
    store, ids = seeded
    helpful = {row["search_id"]: row["helpful"] for row in analytics.search_outcomes(store, MON, WED)}
    assert helpful[ids["a1"]] is True and helpful[ids["d1"]] is False and helpful[ids["k1"]] is False
    assert helpful[ids["c1"]] is True  # unsure, yet the closest article helped
    assert helpful[ids["b1"]] is None


def test_failed_searches_are_exactly_the_searches_with_a_reason(seeded):
    store, ids = seeded
    rows = analytics.failed_searches(store, MON, WED)
    assert [(row["search_id"], row["reasons"]) for row in rows] == [
        (ids[name], ",".join(reasons)) for name, reasons in EXPECTED.items() if reasons]
    assert rows[0]["query"] == "transfer limit" and rows[0]["query_lang"] == "en"


def test_self_service_share_uses_the_same_rules(seeded):
    store, _ = seeded
    failed = sum(bool(reasons) for reasons in EXPECTED.values())
    assert analytics.self_service_estimate(store, MON, WED) == {
        "searches": 16, "answered_without_contact": 16 - failed, "share": round((16 - failed) / 16, 4)}
    assert analytics.self_service_estimate(store, date(2025, 1, 1), date(2025, 1, 1)) == {
        "searches": 0, "answered_without_contact": 0, "share": 0.0}


def test_the_windows_come_from_the_settings(seeded):
    store, ids = seeded
    rules = FailureRules.from_settings(Settings.from_env({"KB_REFORMULATION_SECONDS": "240",
                                                          "KB_CONTACT_WINDOW_MINUTES": "12"}))
    assert rules == FailureRules(timedelta(seconds=240), timedelta(minutes=12))
    reasons = {row["search_id"]: row["reasons"] for row in analytics.search_outcomes(store, MON, WED, rules)}
    assert reasons[ids["g1"]] == ["reformulated"]  # 3 minutes is now soon enough
    assert reasons[ids["f1"]] == ["contacted"]  # 11 minutes is now right after
    strict = FailureRules(timedelta(seconds=119), timedelta(minutes=4))
    reasons = {row["search_id"]: row["reasons"] for row in analytics.search_outcomes(store, MON, WED, strict)}
    assert reasons[ids["b1"]] == [] and reasons[ids["e1"]] == []
    assert reasons[ids["j1"]] == ["contacted"]  # a click that names the search counts at any time


def test_searches_and_failures_per_day_and_week(seeded):
    store, _ = seeded
    assert analytics.searches_over_time(store, MON, WED) == [
        {"period": MON, "searches": 5, "failed": 2, "failed_share": 0.4},
        {"period": TUE, "searches": 5, "failed": 3, "failed_share": 0.6},
        {"period": WED, "searches": 6, "failed": 3, "failed_share": 0.5}]
    weeks = analytics.searches_over_time(store, MON, NEXT_MON + timedelta(days=2), period="week")
    assert weeks == [{"period": MON, "searches": 17, "failed": 8, "failed_share": round(8 / 17, 4)},
                     {"period": NEXT_MON, "searches": 1, "failed": 0, "failed_share": 0.0}]
    with pytest.raises(ValueError, match="period"):
        analytics.searches_over_time(store, MON, WED, period="month")


def test_time_series_per_language_and_category(seeded):
    store, _ = seeded
    per_lang = analytics.searches_over_time(store, MON, TUE, by="language")
    assert [(r["period"], r["key"], r["searches"], r["failed"]) for r in per_lang] == [
        (MON, "en", 4, 1), (MON, "zh-Hans", 0, 0), (MON, "zh-Hant", 1, 1),
        (TUE, "en", 4, 2), (TUE, "zh-Hans", 1, 1), (TUE, "zh-Hant", 0, 0)]
    per_category = analytics.searches_over_time(store, WED, WED, by="category", category_of=category_of)
    assert [(r["key"], r["searches"], r["failed"]) for r in per_category] == [
        ("(none)", 1, 1), ("cards", 4, 1), ("loans", 1, 1)]


def test_no_answers_newest_first_with_their_query_and_redacted_comment(seeded):
    store, _ = seeded
    rows = analytics.not_helpful_feedback(store, MON, WED)
    assert [(r["query"], r["reason"], r["article_id"], r["answer"]) for r in rows] == [
        (None, "outdated", "card-lost.en", None),
        ("寵物保險", "wrong", None, None),
        ("贷款申请", "wrong", "loan-apply.zh-Hans", "loan-apply.zh-Hans")]
    assert "4111" not in rows[1]["comment"] and "pet" in rows[1]["comment"]
    assert rows[2]["comment"] == "我要問的是利率"
    assert [r["query"] for r in analytics.not_helpful_feedback(store, MON, WED, article_id="loan-apply.zh-Hans")] \
        == ["贷款申请"]


def test_series_from_rows_read_once_equal_the_series_read_from_the_store(seeded):
    store, _ = seeded
    outcomes = analytics.search_outcomes(store, MON, WED)
    for by in (None, "language", "category"):
        assert analytics.series(outcomes, MON, WED, period="week", by=by, category_of=category_of) == \
            analytics.searches_over_time(store, MON, WED, period="week", by=by, category_of=category_of)
