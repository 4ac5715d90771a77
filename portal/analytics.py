"""What the editors' analytics page shows: plain rows over the log, ready for a table or CSV.

Every function takes the store and an inclusive range of days, ``start`` to ``end``, counted in
``tz`` (UTC unless given). Grouping by text and by day, and all ordering, happen in Python:
SQLite's ``lower()`` knows only ASCII, date truncation differs per database and so does the
collation, and SQLite and PostgreSQL must give identical answers.
"""
from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import and_, case, exists, func, select

from portal.logstore import LogStore, article_views, contacts, feedback, searches

UTC = timezone.utc


def searches_per_day(store: LogStore, start: date, end: date, *, tz: tzinfo = UTC) -> list[dict]:
    """Searches on each day of the range, days without any included: rows ``day``, ``searches``."""
    low, high = _bounds(start, end, tz)
    rows = store.rows(select(searches.c.created_at).where(_within(searches.c.created_at, low, high)))
    counts = Counter(row.created_at.astimezone(tz).date() for row in rows)
    days = (start + timedelta(days=n) for n in range((end - start).days + 1))
    return [{"day": day, "searches": counts[day]} for day in days]


def searches_per_language(store: LogStore, start: date, end: date, *, tz: tzinfo = UTC) -> list[dict]:
    """Searches per detected query language, most first: rows ``language``, ``searches``."""
    low, high = _bounds(start, end, tz)
    rows = store.rows(select(searches.c.query_lang, func.count().label("n"))
                      .where(_within(searches.c.created_at, low, high))
                      .group_by(searches.c.query_lang))
    ranked = sorted(rows, key=lambda row: (-row.n, row.query_lang))
    return [{"language": row.query_lang, "searches": row.n} for row in ranked]


def top_queries(store: LogStore, start: date, end: date, limit: int = 20, *,
                tz: tzinfo = UTC) -> list[dict]:
    """The most frequent queries, compared lower-cased with runs of whitespace collapsed:
    rows ``query`` (that normal form), ``searches``, ``unsure_share`` (0..1)."""
    low, high = _bounds(start, end, tz)
    rows = store.rows(select(searches.c.query, searches.c.unsure)
                      .where(_within(searches.c.created_at, low, high)))
    total, unsure = Counter(), Counter()
    for row in rows:
        key = normalise_query(row.query)
        total[key] += 1
        unsure[key] += bool(row.unsure)
    ranked = sorted(total, key=lambda key: (-total[key], key))[:limit]
    return [{"query": key, "searches": total[key], "unsure_share": _share(unsure[key], total[key])}
            for key in ranked]


@dataclass(frozen=True)
class FailureRules:
    """When a search counts as failed (the staff page states these words). A search failed when
    any of these holds:

    - ``unsure``: search said it was unsure (or found nothing);
    - ``not_helpful``: someone answered "No" to "was this helpful?" about it;
    - ``reformulated``: the same session asked something else (another normalised text) within
      ``reformulation`` after it, and had not answered "Yes" to it;
    - ``contacted``: the session clicked phone, chat or branch from the moment of the answer
      until ``contact`` after it and before its next search (or the click names this search).

    Not opening the article is not a failure: the answer is shown inline. Self-service share
    and failed searches both use these rules, so the two figures always add up.
    """

    reformulation: timedelta = timedelta(seconds=120)
    contact: timedelta = timedelta(minutes=10)

    @classmethod
    def from_settings(cls, settings) -> "FailureRules":
        return cls(timedelta(seconds=settings.reformulation_seconds),
                   timedelta(minutes=settings.contact_window_minutes))


REASONS = ("unsure", "not_helpful", "reformulated", "contacted")


def search_outcomes(store: LogStore, start: date, end: date, rules: FailureRules = FailureRules(), *,
                    tz: tzinfo = UTC) -> list[dict]:
    """Every search in the range, oldest first, with what followed it: rows ``search_id``,
    ``created_at`` (in ``tz``), ``query``, ``query_lang``, ``top_article_id``, ``helpful``
    (True / False / None: "Yes", "No" or no answer; "No" wins when both were given),
    ``reasons`` (the failure reasons of ``FailureRules`` that hold, in their order; empty when
    the search did not fail). Events after ``end`` still count for searches inside it."""
    low, high = _bounds(start, end, tz)
    rows = _search_rows(store, low, high + rules.reformulation)
    by_session: dict[str, list] = defaultdict(list)
    for row in rows:
        by_session[row.session_hash].append(row)
    clicks: dict[str, list[datetime]] = defaultdict(list)
    linked_clicks: set[int] = set()
    for row in store.rows(select(contacts.c.session_hash, contacts.c.created_at, contacts.c.search_id)
                          .where(_within(contacts.c.created_at, low, high + rules.contact))):
        clicks[row.session_hash].append(row.created_at)
        if row.search_id is not None:
            linked_clicks.add(row.search_id)
    for times in clicks.values():
        times.sort()
    out = []
    for row in rows:
        if not low <= row.created_at < high:
            continue
        later = [other for other in by_session[row.session_hash]
                 if (other.created_at, other.id) > (row.created_at, row.id)]
        next_search = later[0].created_at if later else None
        reformulated = not row.said_yes and any(
            other.created_at - row.created_at <= rules.reformulation
            and normalise_query(other.query) != normalise_query(row.query) for other in later)
        times = clicks.get(row.session_hash, [])
        first = bisect.bisect_left(times, row.created_at)
        contacted = row.id in linked_clicks or (
            first < len(times) and times[first] <= row.created_at + rules.contact
            and (next_search is None or times[first] < next_search))
        hits = {"unsure": bool(row.unsure), "not_helpful": bool(row.said_no),
                "reformulated": reformulated, "contacted": contacted}
        out.append({"search_id": row.id, "created_at": row.created_at.astimezone(tz),
                    "query": row.query, "query_lang": row.query_lang,
                    "top_article_id": row.top_article_id,
                    "helpful": False if row.said_no else (True if row.said_yes else None),
                    "reasons": [name for name in REASONS if hits[name]]})
    return out


def failed_searches(store: LogStore, start: date, end: date, rules: FailureRules = FailureRules(), *,
                    tz: tzinfo = UTC) -> list[dict]:
    """The searches of ``search_outcomes`` that failed, oldest first; ``reasons`` joined by
    commas."""
    return [{**row, "reasons": ",".join(row["reasons"])}
            for row in search_outcomes(store, start, end, rules, tz=tz) if row["reasons"]]


def self_service_estimate(store: LogStore, start: date, end: date, rules: FailureRules = FailureRules(), *,
                          tz: tzinfo = UTC) -> dict:
    """How many searches in the range did not fail (``FailureRules``): ``searches``,
    ``answered_without_contact`` (searches that did not fail) and ``share`` (0..1).

    It is an estimate: a customer may call later from another session, or leave unhelped
    without saying so."""
    outcomes = search_outcomes(store, start, end, rules, tz=tz)
    answered = sum(1 for row in outcomes if not row["reasons"])
    return {"searches": len(outcomes), "answered_without_contact": answered,
            "share": _share(answered, len(outcomes))}


def searches_over_time(store: LogStore, start: date, end: date, rules: FailureRules = FailureRules(), *,
                       period: str = "day", by: str | None = None,
                       category_of: Callable[[str], str] | None = None, tz: tzinfo = UTC) -> list[dict]:
    """Searches and failed searches per ``period`` (``day``, or ``week`` starting on Monday),
    optionally split ``by`` ``language`` (of the query) or ``category`` (of the answer's
    article, through ``category_of``; ``(none)`` when there was no answer). Periods without a
    search are included (with every key seen), so a chart's axis never skips. Rows ``period``
    (the day, or the Monday of the week), ``key`` (omitted when ``by`` is None),
    ``searches``, ``failed``, ``failed_share``."""
    return series(search_outcomes(store, start, end, rules, tz=tz), start, end, period=period, by=by,
                  category_of=category_of)


def series(outcomes: list[dict], start: date, end: date, *, period: str = "day", by: str | None = None,
           category_of: Callable[[str], str] | None = None) -> list[dict]:
    """``searches_over_time`` over rows already read by ``search_outcomes`` (for ``start`` to
    ``end``): one read of the log serves every chart of a page."""
    if period not in ("day", "week"):
        raise ValueError(f"period must be day or week, got {period!r}")
    if by not in (None, "language", "category"):
        raise ValueError(f"by must be language, category or None, got {by!r}")
    if by == "category" and category_of is None:
        raise ValueError("splitting by category needs category_of")

    def period_of(day: date) -> date:
        return day - timedelta(days=day.weekday()) if period == "week" else day

    def key_of(row: dict) -> str:
        if by == "language":
            return row["query_lang"]
        if by == "category":
            return category_of(row["top_article_id"]) if row["top_article_id"] else "(none)"
        return ""

    total: Counter = Counter()
    failed: Counter = Counter()
    for row in outcomes:
        slot = (period_of(row["created_at"].date()), key_of(row))
        total[slot] += 1
        failed[slot] += bool(row["reasons"])
    periods = sorted({period_of(start + timedelta(days=n)) for n in range((end - start).days + 1)})
    keys = sorted({key for _, key in total}) or ([""] if by is None else [])
    rows = []
    for when in periods:
        for key in keys:
            row = {"period": when, "searches": total[(when, key)], "failed": failed[(when, key)],
                   "failed_share": _share(failed[(when, key)], total[(when, key)])}
            if by is not None:
                row = {"period": when, "key": key, **{k: v for k, v in row.items() if k != "period"}}
            rows.append(row)
    return rows


def not_helpful_feedback(store: LogStore, start: date, end: date, *, article_id: str | None = None,
                         tz: tzinfo = UTC) -> list[dict]:
    """Every "No" given in the range, newest first, with its reason and comment (redacted, as
    stored) and the query it followed: rows ``created_at`` (in ``tz``), ``article_id`` (the
    article the "No" was about), ``answer`` (the article the search answered with, if the "No"
    followed a search), ``query`` and ``query_lang`` (that search's, else None), ``reason``,
    ``comment``.
    ``article_id`` keeps only the "No"s about that article or answered with it."""
    low, high = _bounds(start, end, tz)
    statement = (select(feedback.c.id, feedback.c.created_at, feedback.c.article_id, feedback.c.reason,
                        feedback.c.comment, searches.c.query, searches.c.query_lang, searches.c.top_article_id)
                 .select_from(feedback.outerjoin(searches, feedback.c.search_id == searches.c.id))
                 .where(_within(feedback.c.created_at, low, high), ~feedback.c.helpful))
    rows = sorted(store.rows(statement), key=lambda row: (row.created_at, row.id), reverse=True)
    out = []
    for row in rows:
        if article_id is not None and article_id not in (row.article_id, row.top_article_id):
            continue
        out.append({"created_at": row.created_at.astimezone(tz), "article_id": row.article_id,
                    "answer": row.top_article_id, "query": row.query, "query_lang": row.query_lang,
                    "reason": row.reason,
                    "comment": row.comment})
    return out


def helpfulness_per_article(store: LogStore, start: date, end: date, *,
                            tz: tzinfo = UTC) -> list[dict]:
    """Answers to "was this helpful?" given in the range on each article, least helpful first:
    rows ``article_id``, ``yes``, ``no``, ``helpful_share`` (yes / (yes + no)). Feedback that
    names no article is left out."""
    low, high = _bounds(start, end, tz)
    rows = store.rows(select(feedback.c.article_id,
                             func.sum(case((feedback.c.helpful, 1), else_=0)).label("yes"),
                             func.sum(case((feedback.c.helpful, 0), else_=1)).label("no"))
                      .where(_within(feedback.c.created_at, low, high),
                             feedback.c.article_id.is_not(None))
                      .group_by(feedback.c.article_id))
    return _helpfulness_rows("article_id", {row.article_id: (int(row.yes), int(row.no)) for row in rows})


def helpfulness_per_category(store: LogStore, start: date, end: date,
                             category_of: Callable[[str], str], *, tz: tzinfo = UTC) -> list[dict]:
    """``helpfulness_per_article`` summed per category, least helpful first: rows ``category``,
    ``yes``, ``no``, ``helpful_share``. ``category_of`` maps an article id to its category and
    must answer for ids of articles that no longer exist too (e.g. ``"(deleted)"``)."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in helpfulness_per_article(store, start, end, tz=tz):
        counts = totals[category_of(row["article_id"])]
        counts[0] += row["yes"]
        counts[1] += row["no"]
    return _helpfulness_rows("category", {key: tuple(counts) for key, counts in totals.items()})


def normalise_query(query: str) -> str:
    """The form queries are grouped by: lower case, whitespace runs (any script's) as one space."""
    return " ".join(query.split()).lower()


def _search_rows(store: LogStore, low: datetime, high: datetime) -> list:
    """Searches from ``low`` to before ``high``, oldest first, each with ``said_yes`` /
    ``said_no`` (helpful / not-helpful feedback linked to it)."""
    def linked(*conditions):
        return exists().where(feedback.c.search_id == searches.c.id, *conditions)

    rows = store.rows(select(searches.c.id, searches.c.created_at, searches.c.session_hash,
                             searches.c.query, searches.c.query_lang, searches.c.top_article_id,
                             searches.c.unsure,
                             linked(feedback.c.helpful).label("said_yes"),
                             linked(~feedback.c.helpful).label("said_no"))
                      .where(_within(searches.c.created_at, low, high)))
    return sorted(rows, key=lambda row: (row.created_at, row.id))


def _helpfulness_rows(key_name: str, counts: dict[str, tuple[int, int]]) -> list[dict]:
    rows = [{key_name: key, "yes": yes, "no": no, "helpful_share": _share(yes, yes + no)}
            for key, (yes, no) in counts.items()]
    return sorted(rows, key=lambda row: (row["helpful_share"], -(row["yes"] + row["no"]), row[key_name]))


def _bounds(start: date, end: date, tz: tzinfo) -> tuple[datetime, datetime]:
    if end < start:
        raise ValueError(f"the range ends ({end}) before it starts ({start})")
    return (datetime.combine(start, time(), tz).astimezone(UTC),
            datetime.combine(end + timedelta(days=1), time(), tz).astimezone(UTC))


def _within(column, low: datetime, high: datetime):
    return and_(column >= low, column < high)


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def most_viewed(store: LogStore, days: int = 30, limit: int = 6, *, now: datetime | None = None) -> list[str]:
    """Ids of the articles opened most in the last ``days`` days, most first: the home page's
    popular topics."""
    since = (now or datetime.now(UTC)) - timedelta(days=days)
    rows = store.rows(select(article_views.c.article_id, func.count().label("n"))
                      .where(article_views.c.created_at >= since)
                      .group_by(article_views.c.article_id))
    return [row.article_id for row in sorted(rows, key=lambda row: (-row.n, row.article_id))[:limit]]
