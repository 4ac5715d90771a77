"""The staff area, behind a sign-in: analytics over searches and feedback, draft labelled queries
for QA, and a preview of any article file exactly as customers will see it."""
from __future__ import annotations

import html
import json
from datetime import date, timedelta

import numpy as np
import pandas as pd
import streamlit as st

from kb.content import article_files, relative
from kb.errors import SignInError
from kb.grouping import group_similar, representative
from kb.normalize import for_models
from kb.parsing import parse_article
from kb.search import search
from portal import analytics, resources
from portal.auth import Throttle, sign_in
from portal.render import article_html, markdown_html


@st.cache_resource(show_spinner=False)
def _throttle() -> Throttle:
    return Throttle()


def page(snapshot, lang: str) -> None:
    settings = resources.settings()
    st.header("Staff area")
    if not settings.staff_password_hash:
        st.info("The staff area is switched off. Set KB_STAFF_PASSWORD_HASH "
                "(python -m portal hash-password) to turn it on.")
        return
    if not st.session_state.get("staff_signed_in"):
        _sign_in(settings.staff_password_hash)
        return
    if st.button("Sign out", key="staff_sign_out"):
        st.session_state.staff_signed_in = False
        st.rerun()
    analytics_tab, preview_tab = st.tabs(["Analytics", "Preview an article"])
    with analytics_tab:
        analytics_page(snapshot)
    with preview_tab:
        preview_page(snapshot)


def _sign_in(stored_hash: str) -> None:
    password = st.text_input("Staff password", type="password", key="staff_password")
    if st.button("Sign in", key="staff_sign_in", type="primary"):
        try:
            sign_in(password, stored_hash, _throttle())
        except SignInError as exc:
            st.error(str(exc).capitalize())
            return
        st.session_state.staff_signed_in = True
        st.rerun()


def csv_bytes(rows: list[dict]) -> bytes:
    """A table as CSV, UTF-8 with a byte-order mark so spreadsheet programs read Chinese right."""
    return pd.DataFrame(rows).to_csv(index=False).encode("utf-8-sig")


def _table(title: str, rows: list[dict], name: str) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    st.subheader(title)
    if frame.empty:
        st.write("Nothing in this period.")
        return frame
    st.dataframe(frame, hide_index=True, use_container_width=True)
    st.download_button(f"Download {name}.csv", csv_bytes(rows), file_name=f"{name}.csv", mime="text/csv",
                       key=f"csv_{name}")
    return frame


def analytics_page(snapshot) -> None:
    log = resources.search_log()
    store = log.store
    if store is None:
        st.warning("The search log cannot be read right now; see the server log.")
        return
    today = date.today()
    picked = st.date_input("Period", (today - timedelta(days=29), today), key="staff_range")
    start, end = (picked if isinstance(picked, tuple) and len(picked) == 2 else (today, today))
    estimate = analytics.self_service_estimate(store, start, end)
    left, middle, right = st.columns(3)
    left.metric("Searches", estimate["searches"])
    middle.metric("Answered without a person", estimate["answered_without_contact"])
    right.metric("Self-service share", f"{estimate['share']:.0%}")
    per_day = pd.DataFrame(analytics.searches_per_day(store, start, end))
    st.subheader("Searches per day")
    if not per_day.empty:
        st.bar_chart(per_day.set_index("day")["searches"])
    per_lang = _table("Searches per language", analytics.searches_per_language(store, start, end),
                      "searches_per_language")
    if not per_lang.empty:
        st.bar_chart(per_lang.set_index("language")["searches"])
    _table("Top queries", analytics.top_queries(store, start, end), "top_queries")
    failed = analytics.failed_searches(store, start, end)
    _failed_groups(snapshot, failed)
    _table("Failed searches", failed, "failed_searches")
    _table("Helpfulness per article", analytics.helpfulness_per_article(store, start, end),
           "helpfulness_per_article")

    def category_of(article_id: str) -> str:
        article = snapshot.articles.get(article_id)
        return article.category if article else "(deleted)"
    _table("Helpfulness per category", analytics.helpfulness_per_category(store, start, end, category_of),
           "helpfulness_per_category")


def failed_groups(snapshot, failed: list[dict]) -> list[dict]:
    """Failed searches grouped by meaning, each group with the closest article we have, so an
    editor sees whether to write a new article or mend an old one."""
    if not failed:
        return []
    embedders = resources.embedders()
    settings = resources.settings()
    key, embedder = next(iter(embedders.items()))
    texts = [row["query"] for row in failed]
    vectors = np.vstack([embedder.embed_query(for_models(t, settings.to_simplified)) for t in texts])
    groups = []
    for members in group_similar(vectors):
        question = representative(texts, members)
        result = search(question, snapshot, embedders, settings)
        closest = result.best.article if result.best else None
        groups.append({"searches": len(members), "question": question,
                       "examples": " | ".join(dict.fromkeys(texts[i] for i in members[:5])),
                       "languages": ",".join(sorted({failed[i]["query_lang"] or "?" for i in members})),
                       "closest_article": closest.id if closest else "",
                       "closest_confidence": round(result.confidence, 2)})
    return groups


def draft_queries(groups: list[dict], failed: list[dict]) -> str:
    """The failed searches as a labelled-query file (the evaluation format) for QA to label:
    ``relevant`` is left empty; ``suggested`` names the closest article as a starting point."""
    closest = {g["question"]: g["closest_article"] for g in groups}
    lines = []
    for number, row in enumerate(failed, 1):
        lines.append(json.dumps({"id": f"draft-{number:04d}", "text": row["query"], "lang": row["query_lang"],
                                 "relevant": [], "suggested": [closest.get(row["query"], "")]},
                                ensure_ascii=False))
    return "\n".join(lines) + ("\n" if lines else "")


def _failed_groups(snapshot, failed: list[dict]) -> None:
    groups = failed_groups(snapshot, failed)
    _table("Failed searches, grouped by meaning", groups, "failed_groups")
    if failed:
        st.download_button("Download failed searches as draft labelled queries (JSONL)",
                           draft_queries(groups, failed).encode("utf-8"), file_name="draft_queries.jsonl",
                           mime="application/jsonl", key="draft_queries")


def preview_page(snapshot) -> None:
    """Any article file, valid or not, rendered the way customers would see it."""
    settings = resources.settings()
    root = settings.content_dir
    files = [relative(p, root) for p in article_files(root)]
    if not files:
        st.write("No article files found.")
        return
    chosen = st.selectbox("Article file", files, key="preview_file")
    rendered, problems = preview(root, chosen, settings.max_article_kb * 1024,
                                 {a.path: a for a in snapshot.articles.values()})
    shown, issues = st.columns([3, 2])
    with shown:
        st.html(f'<div class="kb-article">{rendered}</div>')
    with issues:
        st.subheader("Problems")
        if not problems:
            st.success("No problems: this article passes the check.")
        for problem in problems:
            (st.error if problem.severity == "error" else st.warning)(
                f"line {problem.line}, {problem.field}: {problem.message}")


def preview(root, relative_path: str, max_bytes: int, by_path: dict) -> tuple[str, list]:
    """(HTML as customers would see it, problems). A file that fails the check is still shown:
    its body, as far as it can be read, rendered the same safe way."""
    raw = (root / relative_path).read_bytes()
    result = parse_article(raw, relative_path, max_bytes)
    if result.article is not None:
        article = result.article
        return (f"<h1>{html.escape(article.title)}</h1>" + article_html(article, lang=article.lang, by_path=by_path),
                list(result.problems))
    text = raw.decode("utf-8", errors="replace")
    if text.startswith("---"):  # skip a front matter block, closed or not
        end = text.find("\n---", 3)
        text = text[end + 4:] if end != -1 else ""
    return markdown_html(text[:200_000], path=relative_path, by_path=by_path), list(result.problems)

