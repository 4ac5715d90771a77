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
from typing import Callable

from sqlalchemy import and_, case, exists, func, select

from portal.logstore import LogStore, article_views, contacts, feedback, searches

CONTACT_WINDOW = timedelta(minutes=30)
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


def failed_searches(store: LogStore, start: date, end: date, *, tz: tzinfo = UTC) -> list[dict]:
    """Every search in the range that failed the customer, oldest first, with its reasons:

    - ``unsure``: the search said it was unsure (or found nothing);
    - ``not_helpful``: someone answered "not helpful" to it;
    - ``no_article_opened``: no article was opened from its results and no one answered
      "helpful" to it.

    Rows: ``search_id``, ``created_at`` (in ``tz``), ``query``, ``query_lang``,
    ``top_article_id``, ``reasons`` (comma-separated, in the order above). Views and feedback
    count whenever they happened, also after ``end``.
    """
    failed = []
    for row in _search_outcomes(store, start, end, tz):
        reasons = [name for name, hit in (("unsure", row.unsure), ("not_helpful", row.said_no),
                                          ("no_article_opened", not (row.opened or row.said_yes)))
                   if hit]
        if reasons:
            failed.append({"search_id": row.id, "created_at": row.created_at.astimezone(tz),
                           "query": row.query, "query_lang": row.query_lang,
                           "top_article_id": row.top_article_id, "reasons": ",".join(reasons)})
    return failed


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


def self_service_estimate(store: LogStore, start: date, end: date, *,
                          tz: tzinfo = UTC) -> dict:
    """How many searches in the range were answered without a person.

    A search counts as answered without a person when all three hold:

    - it was not unsure (it gave a confident answer);
    - no one answered "not helpful" to it;
    - no contact click (phone, chat, branch) happened in the same session from the moment of
      the search until 30 minutes after it, inclusive.

    It is an estimate: a customer may call later from another session, or leave unhelped
    without saying so. Returns ``searches``, ``answered_without_contact`` and ``share`` (0..1).
    """
    low, high = _bounds(start, end, tz)
    outcomes = _search_outcomes(store, start, end, tz)
    clicks: dict[str, list[datetime]] = defaultdict(list)
    for row in store.rows(select(contacts.c.session_hash, contacts.c.created_at)
                          .where(_within(contacts.c.created_at, low, high + CONTACT_WINDOW))):
        clicks[row.session_hash].append(row.created_at)
    for times in clicks.values():
        times.sort()

    def contacted(row) -> bool:
        times = clicks.get(row.session_hash, [])
        first = bisect.bisect_left(times, row.created_at)
        return first < len(times) and times[first] <= row.created_at + CONTACT_WINDOW

    answered = sum(1 for row in outcomes if not row.unsure and not row.said_no and not contacted(row))
    return {"searches": len(outcomes), "answered_without_contact": answered,
            "share": _share(answered, len(outcomes))}


def normalise_query(query: str) -> str:
    """The form queries are grouped by: lower case, whitespace runs (any script's) as one space."""
    return " ".join(query.split()).lower()


def _search_outcomes(store: LogStore, start: date, end: date, tz: tzinfo) -> list:
    """Searches in the range with what followed them: ``opened`` (an article view linked to it),
    ``said_yes`` / ``said_no`` (helpful / not-helpful feedback linked to it)."""
    low, high = _bounds(start, end, tz)

    def linked(table, *conditions):
        return exists().where(table.c.search_id == searches.c.id, *conditions)

    rows = store.rows(select(searches.c.id, searches.c.created_at, searches.c.session_hash,
                             searches.c.query, searches.c.query_lang, searches.c.top_article_id,
                             searches.c.unsure,
                             linked(article_views).label("opened"),
                             linked(feedback, feedback.c.helpful).label("said_yes"),
                             linked(feedback, ~feedback.c.helpful).label("said_no"))
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
