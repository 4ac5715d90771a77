"""The staff area after sign-in: the improvement loop from a failed search to a fixed answer.

Overview (honest figures and their definition, time series), failed searches grouped by meaning
(with actions and their effect), the "No" answers with their reasons and comments, the change
history (undo), content files that fail, and the article preview. The page only renders: the
work is in ``portal.analytics``, ``portal.staff_groups``, ``portal.staff_actions`` and
``portal.staff_tools``. Heavy work is cached (per database, range and index build), and the
model is asked one query at a time, so customers' searches never wait behind the staff page.
"""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import streamlit as st

from kb.content import article_files, load_content, relative
from kb.errors import KbError, StaffActionError
from kb.validation import check
from portal import analytics, resources, staff_actions, staff_groups, staff_tools
from portal.analytics import FailureRules
from portal.i18n import t


def signed_in_page(snapshot, lang: str) -> None:
    st.set_page_config(layout="wide")  # tables and charts need the width; customer pages stay centred
    st.text_input(t("st_your_name", lang), key="staff_name", max_chars=80)
    names = ("st_tab_overview", "st_tab_failed", "st_tab_no", "st_tab_changes", "st_tab_problems",
             "st_tab_preview")
    store = resources.search_log().store
    if store is not None:
        start, end, rules = _period(lang)
    overview, failed, said_no, changes, problems, preview = st.tabs([t(n, lang) for n in names])
    if store is None:
        for tab in (overview, failed, said_no):
            tab.warning(t("st_log_down", lang))
    else:
        with overview:
            overview_tab(snapshot, store, start, end, rules, lang)
        with failed:
            failed_tab(snapshot, store, start, end, rules, lang)
        with said_no:
            no_tab(snapshot, store, start, end, lang)
    # After the actions above, so a change made in this run is already listed.
    with changes:
        changes_tab(snapshot, lang)
    with problems:
        problems_tab(lang)
    with preview:
        preview_tab(snapshot, lang)


# --- shared pieces ------------------------------------------------------------------------------

def _period(lang: str) -> tuple[date, date, FailureRules]:
    today = date.today()
    left, right = st.columns([3, 2])
    picked = left.date_input(t("st_period", lang), (today - timedelta(days=29), today), key="staff_range")
    start, end = picked if isinstance(picked, (tuple, list)) and len(picked) == 2 else (today, today)
    right.radio(t("st_per", lang), ("day", "week"), key="staff_per", horizontal=True,
                format_func=lambda p: t(f"st_per_{p}", lang))
    return start, end, FailureRules.from_settings(resources.settings())


def _db_key() -> str:
    log = resources.search_log()
    return getattr(log, "url", "") or str(id(log))


def _rules_key(rules: FailureRules) -> tuple[float, float]:
    return rules.reformulation.total_seconds(), rules.contact.total_seconds()


@st.cache_data(ttl=30, show_spinner=False)
def _outcomes(db_key: str, start: date, end: date, rules_key: tuple, _store) -> list[dict]:
    rules = FailureRules(timedelta(seconds=rules_key[0]), timedelta(seconds=rules_key[1]))
    return analytics.search_outcomes(_store, start, end, rules)


def _table(rows: list[dict], name: str, lang: str, *, title: str | None = None) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    if title:
        st.subheader(title)
    if frame.empty:
        st.write(t("st_nothing", lang))
        return frame
    st.dataframe(frame, hide_index=True, width="stretch")
    st.download_button(t("st_download", lang).format(name=f"{name}.csv"), staff_tools.csv_bytes(rows),
                       file_name=f"{name}.csv", mime="text/csv", key=f"csv_{name}")
    return frame


def _category_of(snapshot):
    def category_of(article_id: str) -> str:
        article = snapshot.articles.get(article_id)
        return article.category if article else "(deleted)"
    return category_of


def _who() -> str:
    return st.session_state.get("staff_name") or ""


# --- overview -----------------------------------------------------------------------------------

def overview_tab(snapshot, store, start: date, end: date, rules: FailureRules, lang: str) -> None:
    outcomes = _outcomes(_db_key(), start, end, _rules_key(rules), store)
    failed = sum(bool(row["reasons"]) for row in outcomes)
    total = len(outcomes)
    cells = st.columns(4)
    cells[0].metric(t("st_searches", lang), total)
    cells[1].metric(t("st_answered", lang), total - failed)
    cells[2].metric(t("st_share", lang), f"{(total - failed) / total:.0%}" if total else "–")
    cells[3].metric(t("st_failed", lang), failed)
    with st.expander(t("st_definition_title", lang), expanded=True):
        st.markdown(t("st_definition", lang).format(seconds=int(rules.reformulation.total_seconds()),
                                                     minutes=int(rules.contact.total_seconds() // 60)))
    period = st.session_state.get("staff_per", "day")
    series = analytics.series(outcomes, start, end, period=period)
    st.subheader(t(f"st_searches_per_{period}", lang))
    frame = pd.DataFrame(series)
    if not frame.empty:
        frame = frame.rename(columns={"searches": t("st_searches", lang), "failed": t("st_failed", lang)})
        st.bar_chart(frame.set_index("period")[[t("st_searches", lang), t("st_failed", lang)]],
                     stack=False)
    for by, title in (("language", "st_per_language"), ("category", "st_per_category")):
        rows = analytics.series(outcomes, start, end, period=period, by=by, category_of=_category_of(snapshot))
        st.subheader(t(title, lang))
        frame = pd.DataFrame(rows)
        if frame.empty:
            st.write(t("st_nothing", lang))
            continue
        # Stacked bars: each day's (or week's) total, split by language or category.
        st.bar_chart(frame.pivot_table(index="period", columns="key", values="searches", aggfunc="sum"))
        st.caption(t("st_failed_share_by", lang))
        st.dataframe(frame.pivot_table(index="key", values=["searches", "failed"], aggfunc="sum")
                     .assign(failed_share=lambda f: (f["failed"] / f["searches"].where(f["searches"] > 0)).round(2))
                     .reset_index(), hide_index=True, width="stretch")
    _table(analytics.top_queries(store, start, end), "top_queries", lang, title=t("st_top_queries", lang))
    _table(analytics.helpfulness_per_article(store, start, end), "helpfulness_per_article", lang,
           title=t("st_helpful_article", lang))
    _table(analytics.helpfulness_per_category(store, start, end, _category_of(snapshot)),
           "helpfulness_per_category", lang, title=t("st_helpful_category", lang))


# --- failed searches, grouped -------------------------------------------------------------------

@st.cache_resource(show_spinner=False, max_entries=2)
def _vectors(build_id: str, _snapshot) -> staff_groups.QueryVectors:
    return staff_groups.QueryVectors(_snapshot, resources.embedders(), resources.settings())


@st.cache_data(ttl=300, show_spinner=False, max_entries=20)
def _groups(db_key: str, build_id: str, start: date, end: date, rules_key: tuple, _snapshot, _failed) -> list[dict]:
    vectors = _vectors(build_id, _snapshot)([(r["query"], r["query_lang"]) for r in _failed])
    topics = {a.id: a.translation_group for a in _snapshot.articles.values()}
    groups = staff_groups.failed_groups(_failed, vectors, staff_groups.threshold()["distance"],
                                        topic_of=lambda a: topics.get(a, a))
    settings, embedders = resources.settings(), resources.embedders()
    for group in groups:
        lang = next(r["query_lang"] for r in _failed if r["search_id"] == group["group"])
        group["closest"], group["closest_confidence"] = staff_tools.closest_passage(
            group["question"], lang, _snapshot, embedders, settings)
        group["langs_of"] = {" ".join(r["query"].split()): r["query_lang"] for r in _failed
                             if r["search_id"] in group["search_ids"]}
    return groups


def failed_tab(snapshot, store, start: date, end: date, rules: FailureRules, lang: str) -> None:
    outcomes = _outcomes(_db_key(), start, end, _rules_key(rules), store)
    failed = [row for row in outcomes if row["reasons"]]
    stored = staff_groups.threshold()
    st.caption(t("st_grouping", lang).format(
        distance=stored["distance"], queries=stored.get("queries", "?"),
        precision=f"{stored.get('precision', 0):.2f}", recall=f"{stored.get('recall', 0):.2f}"))
    groups = _groups(_db_key(), snapshot.build_id, start, end, _rules_key(rules), snapshot, failed)
    rows = [{"searches": g["searches"], "question": g["question"], "examples": " | ".join(g["examples"]),
             "languages": ", ".join(g["languages"]), "answer_given": g["answer"],
             "answer_share": g["answer_share"], "helpful_share": g["helpful_share"],
             "reasons": ", ".join(f"{k} {v}" for k, v in g["reasons"].items()),
             "closest_now": g["closest"]} for g in groups]
    _table(rows, "failed_groups", lang, title=t("st_failed_groups", lang))
    if not groups:
        return
    confirmed = {item["query"]: item["answer"] for record in staff_actions.history(_root())
                 if record["action"] == "confirm" and not record["undone_by"]
                 for item in record["details"]["learned"]}
    languages = {query: code for g in groups for query, code in g["langs_of"].items()}
    st.download_button(t("st_export", lang), staff_tools.labelled_queries(groups, confirmed, languages).encode("utf-8"),
                       file_name="failed_groups.jsonl", mime="application/jsonl", key="export_groups")
    chosen = st.selectbox(t("st_pick_group", lang), range(len(groups)), key="staff_group",
                          format_func=lambda i: f"{groups[i]['searches']} × {groups[i]['question']}")
    group = groups[chosen]
    st.markdown(f"**{t('st_asked_as', lang)}** " + " · ".join(f"`{q}`" for q in group["queries"][:12]))
    queries = [(q, group["langs_of"].get(q, "")) for q in group["queries"]]
    actions_panel(snapshot, queries, group["closest"], "group", lang, note=f"failed group {group['group']}")
    last = st.session_state.get("staff_last_action")
    if last:
        effect(snapshot, last, lang, "group")


def actions_panel(snapshot, queries: list[tuple[str, str]], closest: str, key: str, lang: str,
                  note: str = "") -> None:
    """Confirm a Q/A, add a synonym, start a draft: for ``queries``, recorded with the name given."""
    st.subheader(t("st_act", lang))
    main_lang = queries[0][1] if queries and queries[0][1] else lang
    options = _qa_options(snapshot, main_lang)
    labels = list(options)
    default = labels.index(closest) if closest in options else 0
    confirm, synonym, draft = st.tabs([t("st_confirm", lang), t("st_synonym", lang), t("st_draft", lang)])
    with confirm:
        answer = st.selectbox(t("st_answer", lang), labels, index=default, key=f"{key}_answer",
                              format_func=lambda label: f"{label} · {options[label]}")
        if st.button(t("st_confirm_button", lang), key=f"{key}_confirm", type="primary"):
            _act(lambda extra: staff_actions.confirm(_root(), queries, answer, _who(), note,
                                                     articles=snapshot.articles, extra=extra),
                 snapshot, queries, lang)
    with synonym:
        words = st.text_input(t("st_synonym_words", lang), key=f"{key}_words")
        if st.button(t("st_synonym_button", lang), key=f"{key}_synonym"):
            _act(lambda extra: staff_actions.add_synonym(
                _root(), [w.strip() for w in words.replace("，", ",").split(",")], _who(), note, extra=extra),
                snapshot, queries, lang)
    with draft:
        categories = sorted({a.category for a in snapshot.articles.values()}) or ["general"]
        category = st.selectbox(t("st_category", lang), categories, key=f"{key}_category")
        if st.button(t("st_draft_button", lang), key=f"{key}_draft"):
            _act(lambda extra: staff_actions.start_draft(
                _root(), queries, category, _who(), note, content=load_content(_root()), extra=extra),
                snapshot, queries, lang)


def _qa_options(snapshot, lang: str) -> dict[str, str]:
    """``<article id>#<anchor>`` -> question, for every Q/A in ``lang`` (else in any language)."""
    def of(wanted):
        return {f"{a.id}#{u.anchor}": u.heading for a in sorted(snapshot.articles.values(), key=lambda a: a.id)
                if wanted in (None, a.lang) for u in a.units if u.kind == "question"}
    return of(lang) or of(None)


def _act(do, snapshot, queries, lang: str) -> None:
    try:
        with st.spinner(t("st_measuring", lang)):
            before = _tune(snapshot.build_id, snapshot)
        record = do({"build": snapshot.build_id, "tune_before": before, "queries": [list(q) for q in queries]})
    except StaffActionError as exc:
        st.error(exc.user_message)
        return
    except KbError as exc:
        st.error(exc.user_message)
        return
    st.session_state.staff_last_action = record["id"]
    st.success(t("st_done", lang).format(summary=record["summary"]))
    for refused in record["details"].get("refused", []):
        st.warning(f"{refused['query']}: {refused['reason']}")


@st.cache_data(ttl=24 * 3600, show_spinner=False, max_entries=8)
def _tune(build_id: str, _snapshot) -> dict:
    """The tuning set's figures on one index build (computed once per build)."""
    return staff_tools.tune_figures(resources.settings(), resources.embedders())


def effect(snapshot, action_id: str, lang: str, where: str) -> None:
    """What an action changed: its queries searched again now, and the tuning figures before and
    after."""
    try:
        record = staff_actions.find(_root(), action_id)
    except StaffActionError:
        return
    st.subheader(t("st_effect", lang).format(summary=record["summary"]))
    # A draft is left out of the index, so it makes no new build: nothing to wait for.
    if record.get("build") == snapshot.build_id and record["action"] in ("confirm", "synonym"):
        st.info(t("st_not_yet", lang))
        st.button(t("st_refresh", lang), key=f"refresh_{where}_{action_id}")
        return
    expected = record["details"].get("answer") if record["action"] == "confirm" else None
    queries = [tuple(q) for q in record.get("queries", [])]
    rows = staff_tools.requery(queries, snapshot, resources.embedders(), resources.settings(), expected)
    if expected:
        st.write(t("st_fixed", lang).format(fixed=sum(r["fixed"] for r in rows), total=len(rows)))
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    before = record.get("tune_before") or {}
    with st.spinner(t("st_measuring", lang)):
        after = _tune(snapshot.build_id, snapshot)
    figures = [{"figure": name, "before": before.get(name), "after": after.get(name),
                "change": round(after[name] - before[name], 4) if name in before and name in after else None}
               for name in after if name != "queries"]
    st.caption(t("st_tune", lang).format(queries=after.get("queries", "?")))
    st.dataframe(pd.DataFrame(figures), hide_index=True, width="stretch")


# --- "No" answers -------------------------------------------------------------------------------

def no_tab(snapshot, store, start: date, end: date, lang: str) -> None:
    rows = analytics.not_helpful_feedback(store, start, end)
    counts: dict[str, int] = {}
    for row in rows:
        for article_id in {row["article_id"], row["answer"]} - {None}:
            counts[article_id] = counts.get(article_id, 0) + 1
    choices = [""] + sorted(counts, key=lambda a: (-counts[a], a))
    picked = st.selectbox(t("st_no_article", lang), choices, key="staff_no_article",
                          format_func=lambda a: t("st_all", lang) if not a else f"{a} ({counts[a]})")
    if picked:
        rows = analytics.not_helpful_feedback(store, start, end, article_id=picked)
    shown = [{"when": r["created_at"].strftime("%Y-%m-%d %H:%M"), "query": r["query"] or "",
              "article": r["article_id"] or "", "answer": r["answer"] or "", "reason": r["reason"] or "",
              "comment": r["comment"] or ""} for r in rows]
    _table(shown, "not_helpful", lang, title=t("st_no_title", lang))
    with_query = [r for r in rows if r["query"]]
    if not with_query:
        return
    index = st.selectbox(t("st_pick_no", lang), range(len(with_query)), key="staff_no_pick",
                         format_func=lambda i: f"{with_query[i]['query']} — {with_query[i]['reason'] or ''} "
                                               f"{with_query[i]['comment'] or ''}"[:120])
    row = with_query[index]
    closest = staff_tools.closest_passage(row["query"], row["query_lang"] or lang, snapshot,
                                          resources.embedders(), resources.settings())[0]
    actions_panel(snapshot, [(row["query"], row["query_lang"] or "")], closest, "no", lang,
                  note="from a 'No' comment")


# --- history, problems, preview ------------------------------------------------------------------

def _root():
    return resources.settings().content_dir


def changes_tab(snapshot, lang: str) -> None:
    try:
        records = staff_actions.history(_root())
    except StaffActionError as exc:
        st.error(exc.user_message)
        return
    st.caption(t("st_history_where", lang))
    rows = [{"id": r["id"], "when": r["at"], "who": r["by"], "action": r["action"], "what": r["summary"],
             "undone": r["undone_by"] or ""} for r in records]
    _table(rows, "staff_actions", lang, title=t("st_history", lang))
    undoable = [r for r in records if r["action"] != "undo" and not r["undone_by"]]
    if not undoable:
        return
    index = st.selectbox(t("st_pick_action", lang), range(len(undoable)), key="staff_action_pick",
                         format_func=lambda i: " · ".join((undoable[i]["at"], undoable[i]["by"],
                                                          undoable[i]["summary"]))[:140])
    record = undoable[index]
    if st.button(t("st_undo", lang), key="staff_undo"):
        try:
            undone = staff_actions.undo(_root(), record["id"], _who())
        except StaffActionError as exc:
            st.error(exc.user_message)
        else:
            st.success(t("st_done", lang).format(summary=undone["summary"]))
    effect(snapshot, record["id"], lang, "changes")


@st.cache_data(show_spinner=False, max_entries=4)
def _content_problems(root: str, max_bytes: int, signature: tuple) -> list:
    """The check of the whole content, computed again only when a file changed (``signature``)."""
    return check(load_content(Path(root), max_bytes), date.today(), resources.settings().drift_days)


def _signature(root: Path) -> tuple:
    stamps = []
    for path in [*article_files(root), *root.glob("*.yml")]:
        try:
            info = path.stat()
        except OSError:  # deleted meanwhile: the next run sees it gone
            continue
        stamps.append((str(path), info.st_mtime_ns, info.st_size))
    return tuple(sorted(stamps))


def problems_tab(lang: str) -> None:
    settings = resources.settings()
    root = settings.content_dir
    problems = _content_problems(str(root), settings.max_article_kb * 1024, _signature(root))
    failing = staff_tools.failing_files(problems)
    st.subheader(t("st_failing", lang))
    if failing:
        st.error(t("st_failing_count", lang).format(files=len({r["file"] for r in failing})))
        st.dataframe(pd.DataFrame(failing), hide_index=True, width="stretch")
    else:
        st.success(t("st_no_failing", lang))
    drafts = sorted({p.path for p in problems if p.field == "draft"})
    if drafts:
        st.subheader(t("st_drafts", lang))
        st.write("\n".join(f"- `{d}`" for d in drafts))


def preview_tab(snapshot, lang: str) -> None:
    """Any article file, valid or not, rendered the way customers would see it."""
    settings = resources.settings()
    root = settings.content_dir
    files = [relative(p, root) for p in article_files(root)]
    if not files:
        st.write(t("st_nothing", lang))
        return
    chosen = st.selectbox(t("st_preview_file", lang), files, key="preview_file")
    rendered, problems = staff_tools.preview(root, chosen, settings.max_article_kb * 1024,
                                             {a.path: a for a in snapshot.articles.values()})
    shown, issues = st.columns([3, 2])
    with shown:
        st.html(f'<div class="kb-article">{rendered}</div>')
    with issues:
        st.subheader(t("st_problems", lang))
        if not problems:
            st.success(t("st_passes", lang))
        for problem in problems:
            (st.error if problem.severity == "error" else st.warning)(
                f"line {problem.line}, {problem.field}: {problem.message}")
