"""The home page: one large search box, then the answer; popular topics and categories."""
from __future__ import annotations

import html

import streamlit as st

from kb.search import SearchResult, search
from portal import resources, widgets
from portal.i18n import t
from portal.render import article_url, unit_html

POPULAR = ("card-lost-freeze", "login-forgot-password", "transfer-limits", "transfer-not-arrived",
           "fraud-scam-calls", "account-open-online")


@st.fragment  # a new question reruns only this part, not the header and styles (-15% to the answer)
def page(snapshot, lang: str, elder: bool) -> None:
    st.text_input(t("ask", lang), key="query", placeholder=t("ask_hint", lang))
    st.button(t("search", lang), key="search", type="primary")
    query = st.session_state.get("query") or ""
    if not query.strip():
        if not elder:
            topics(snapshot, lang)
        return
    settings = resources.settings()
    result = search(query, snapshot, resources.embedders(), settings, ui_lang=lang)
    search_id = _logged(result, lang, elder, query)
    if result.status == "empty":
        st.info(t("empty", lang))
        return
    if result.truncated:
        st.info(t("truncated", lang))
    answer(result, snapshot, lang, elder, search_id)


def _logged(result: SearchResult, lang: str, elder: bool, typed: str) -> int | None:
    """Log each question once, not on every rerun of the page (a feedback click reruns it too).
    The log gets the question as typed (``typed``), not search's cut copy: it redacts, then cuts,
    so a card number across the cut is not stored as a fragment."""
    key = (result.query, lang)
    if st.session_state.get("logged_query") != key:
        st.session_state.logged_query = key
        st.session_state.search_id = resources.search_log().call(
            "log_search", session_hash=resources.session_hash(), query=typed,
            query_lang=result.lang, ui_lang=lang,
            top_article_id=result.best.article.id if result.best else None,
            confidence=float(result.confidence), unsure=result.unsure, status=result.status,
            elder_mode=elder)
    return st.session_state.get("search_id")


def _link(article, lang: str, label: str | None = None, at: str | None = None, search_id=None) -> str:
    extra = {"from": str(search_id)} if search_id else {}
    return (f'<a href="{html.escape(article_url(article.id, lang, at, **extra))}" target="_self">'
            f"{html.escape(label or article.title)}</a>")


def answer(result: SearchResult, snapshot, lang: str, elder: bool, search_id: int | None) -> None:
    best = result.best
    # Marks which question this page answers (browser tests and the load test wait for it).
    st.html(f'<div class="kb-result" data-query="{html.escape(result.query)}" hidden></div>')
    if result.unsure:
        st.warning(t("unsure", lang), icon="🤔")
    if not result.unsure or elder:
        st.subheader(t("answer", lang))
        card = unit_html(best.article, best.unit, lang=lang, highlight=best.matched_terms,
                         by_path=_by_path(snapshot))
        st.html(f'<div class="kb-card" lang="{best.article.lang}">{card}</div>')
        st.html(f'<p>{html.escape(t("from_article", lang))}'
                f'{_link(best.article, lang, at=best.anchor, search_id=search_id)} · '
                f'{_link(best.article, lang, t("read_whole", lang), search_id=search_id)}</p>')
        if best.matched_terms and not elder:
            st.caption(t("why", lang) + "、".join(best.matched_terms) if lang != "en"
                       else t("why", lang) + ", ".join(best.matched_terms))
        widgets.read_aloud(f"{best.unit.heading}\n{best.unit.text}".strip(), best.article.lang)
        widgets.feedback(lang, search_id=search_id, article_id=best.article.id)
    if elder:
        widgets.call_us_big(result.contact, lang, search_id)
        return
    if result.unsure:
        st.subheader(t("closest", lang))
        _list([h.article for h in (best, *result.others)], lang, search_id)
        widgets.feedback(lang, search_id=search_id, article_id=best.article.id)
        widgets.contact_options(result.contact, lang, search_id)
        return
    related = [a for a in result.related if a.translation_group != best.article.translation_group]
    if related:
        st.subheader(t("related", lang))
        _list(related, lang, search_id)
    others = [h.article for h in result.others if h.article.id not in {a.id for a in related}]
    if others:
        st.subheader(t("more_results", lang))
        _list(others, lang, search_id)


def _list(articles, lang: str, search_id=None) -> None:
    items = "".join(f"<li>{_link(a, lang, search_id=search_id)}</li>" for a in articles)
    st.html(f'<ul class="kb-list">{items}</ul>')


def _by_path(snapshot) -> dict:
    return {a.path: a for a in snapshot.articles.values()}


def topics(snapshot, lang: str) -> None:
    """Popular topics and the categories to browse, in the visitor's language."""
    popular = [snapshot.translations(a).get(lang, a) for a in _popular_articles(snapshot)]
    if popular:
        st.subheader(t("popular", lang))
        _list(popular, lang)
    st.subheader(t("categories", lang))
    links = "".join(f'<li><a href="?category={html.escape(key)}&amp;lang={lang}" target="_self">'
                    f"{html.escape(names.get(lang, key))}</a></li>" for key, names in snapshot.categories.items())
    st.html(f'<ul class="kb-list">{links}</ul>')


def _popular_articles(snapshot) -> list:
    """The most read articles of the last 30 days; our own pick while there is too little data."""
    store = resources.search_log().store
    viewed: list[str] = []
    if store is not None:
        try:
            from portal.analytics import most_viewed
            viewed = most_viewed(store, days=30, limit=6)
        except Exception:  # analytics must never keep the home page from showing
            resources.log.exception("popular topics unavailable")
    articles = [snapshot.articles[i] for i in viewed if i in snapshot.articles]
    groups = {a.translation_group for a in articles}
    for group in POPULAR:
        if len(articles) >= 6:
            break
        version = next((a for a in snapshot.articles.values() if a.translation_group == group), None)
        if version is not None and group not in groups:
            articles.append(version)
            groups.add(group)
    return articles


def category_page(snapshot, key: str, lang: str) -> None:
    names = snapshot.categories.get(key)
    if names is None:
        st.info(t("not_found", lang))
        return
    st.header(names.get(lang, key))
    articles = sorted((a for a in snapshot.articles.values() if a.category == key and a.lang == lang),
                      key=lambda a: a.title)
    _list(articles, lang)
