"""The home page and the answer: one large search box, top tasks, categories; then the answer.

The question lives in the URL (``?q=``, the search box is bound to it), so Back, reload and a
shared link show the same question and its answer. Each new question is searched once per
session (a feedback click or a language switch reruns the page without searching again, except
to re-show the answer in the new language) and counted against the session's rate limit.
"""
from __future__ import annotations

import dataclasses
import html
import time

import streamlit as st

from kb.search import Hit, SearchResult, search
from portal import params, resources, widgets
from portal.i18n import t
from portal.ratelimit import RateLimit
from portal.render import article_url, unit_html

POPULAR = ("card-lost-freeze", "login-forgot-password", "transfer-limits", "transfer-not-arrived",
           "fraud-scam-calls", "account-open-online")
# One icon per category for the top-task tiles (decorative: screen readers skip them).
ICONS = {"cards": "💳", "login": "🔑", "transfers": "💸", "fraud": "🛡️", "account": "🏦", "security": "🔒",
         "remittance": "🌏", "loans": "🏠", "deposits": "💰", "fees": "🧾", "app": "📱",
         "accessibility": "🧓", "contact": "☎️"}


def box_limit() -> int:
    """Characters the search box takes: twice what search uses, so a long question is still cut
    by search (which then says so), but no one can post megabytes."""
    return 2 * resources.settings().query_max_chars


def search_box(lang: str, on_change=None) -> str:
    """The question box, bound to ``?q=``; returns the question, sliced before any cleaning."""
    st.text_input(t("ask", lang), key="q", placeholder=t("ask_hint", lang), max_chars=box_limit(),
                  bind="query-params", on_change=on_change)
    st.button(t("search", lang), key="search", type="primary")
    return params.question(st.session_state.get("q"), box_limit())


@st.fragment  # a new question reruns only this part, not the header and styles (-15% to the answer)
def page(snapshot, lang: str, elder: bool) -> None:
    try:
        _page(snapshot, lang, elder)
    except Exception as error:  # a rerun of this fragment alone is outside app.py's handler
        from portal import errors
        errors.show(error, lang)
        widgets.contact_options(snapshot.contact, lang)


def _page(snapshot, lang: str, elder: bool) -> None:
    query = search_box(lang)
    if not query.strip():
        st.set_page_config(page_title=f"{t('home_title', lang)} · {t('bank', lang)}")
        if elder:  # the elder home page: the box, then the number to call, nothing else
            widgets.call_us_big(snapshot.contact, lang)
        else:
            topics(snapshot, lang)
        return
    result = _result(query, snapshot, lang)
    if result is None:  # over the session's rate limit
        st.warning(t("too_many", lang), icon="⏳")
        widgets.call_us_big(snapshot.contact, lang) if elder else widgets.contact_options(snapshot.contact, lang)
        return
    st.set_page_config(page_title=f"{result.query[:60]} · {t('bank', lang)}")
    search_id = _logged(result, lang, elder, query)
    st.session_state.contact_search_id = search_id
    if result.status == "empty":
        st.info(t("empty", lang))
        return
    if result.truncated:
        st.info(t("truncated", lang))
    answer(result, snapshot, lang, elder, search_id)


def _result(query: str, snapshot, lang: str) -> SearchResult | None:
    """Search once per question, language and index build; ``None`` when the session asks
    faster than ``KB_SEARCHES_PER_MINUTE``."""
    key = (query, lang, getattr(snapshot, "build_id", None))
    cached = st.session_state.get("last_result")
    if cached and cached[0] == key:
        return cached[1]
    settings = resources.settings()
    asked_before = cached and cached[0][0] == query  # same question, other language or build: free
    if not asked_before:
        limit = st.session_state.get("rate_limit")
        if limit is None or limit.per_minute != settings.searches_per_minute:
            limit = st.session_state.rate_limit = RateLimit(settings.searches_per_minute)
        if not limit.allow(time.monotonic()):
            resources.log.warning("a session asked more than %d questions in a minute", limit.per_minute)
            return None
    # Shown only when an answer takes longer than half a second (a cold start, a busy machine).
    with st.spinner(t("working", lang)):
        result = search(query, snapshot, resources.embedders(), settings, ui_lang=lang)
    if asked_before and st.session_state.get("follow_ui") == query:
        result = _in_language(result, snapshot, lang)
    st.session_state.last_result = (key, result)
    return result


def _in_language(result: SearchResult, snapshot, lang: str) -> SearchResult:
    """The same answer, shown in ``lang`` where a translation has the same place (anchor); used
    when the customer switches the interface language while an answer is on screen."""
    def move(hit: Hit | None) -> Hit | None:
        if hit is None:
            return None
        version = snapshot.translations(hit.article).get(lang)
        unit = next((u for u in version.units if u.anchor == hit.anchor), None) if version else None
        return dataclasses.replace(hit, article=version, unit=unit, matched_terms=()) if unit else hit
    moved = {f: tuple(move(h) for h in getattr(result, f)) for f in ("others", "close")}
    related = tuple(snapshot.translations(a).get(lang, a) for a in result.related)
    return dataclasses.replace(result, best=move(result.best), related=related, **moved)


def _logged(result: SearchResult, lang: str, elder: bool, typed: str) -> int | None:
    """Log each question once, not on every rerun of the page (a feedback click reruns it too).
    The log gets the question as typed (``typed``), not search's cut copy: it redacts, then cuts,
    so a card number across the cut is not stored as a fragment."""
    key = result.query  # not per language: a language switch re-shows the answer, it asks nothing new
    if st.session_state.get("logged_query") != key:
        st.session_state.logged_query = key
        st.session_state.search_id = resources.search_log().call(
            "log_search", session_hash=resources.session_hash(), query=typed,
            query_lang=result.lang, ui_lang=lang,
            top_article_id=result.best.article.id if result.best else None,
            confidence=float(result.confidence), unsure=result.unsure, status=result.status,
            elder_mode=elder)
    return st.session_state.get("search_id")


def _link(article, lang: str, label: str | None = None, at: str | None = None, search_id=None,
          query: str | None = None) -> str:
    extra = {"from": str(search_id)} if search_id else {}
    if query:
        extra["q"] = query
    return (f'<a href="{html.escape(article_url(article.id, lang, at, **extra))}" target="_self">'
            f"{html.escape(label or article.title)}</a>")


def choices(result: SearchResult, elder: bool) -> tuple[Hit, ...]:
    """The answers to choose between instead of one best answer: search's close call (the top
    topics too close to call, ``SearchResult.close``), or in elder mode, when search is unsure,
    the two or three closest answers. Empty: show the best answer (or, in normal mode when
    unsure, the closest articles and a person)."""
    if result.best is None:
        return ()
    if len(result.close) >= 2:
        return result.close[:3]
    if elder and result.unsure:
        return ((result.best,) + result.others)[:3]
    return ()


def answer(result: SearchResult, snapshot, lang: str, elder: bool, search_id: int | None) -> None:
    # Marks which question this page answers (browser tests and the load test wait for it).
    st.html(f'<div class="kb-result" data-query="{html.escape(result.query)}" hidden></div>')
    options = choices(result, elder)
    picked_key = f"picked:{result.query}"
    picked = next((h for h in options if h.article.translation_group == st.session_state.get(picked_key)), None)
    if result.best is None:  # no_results: nothing at all came back
        _announce(t("no_results", lang), result.query)
        st.warning(t("no_results", lang), icon="🤔")
        widgets.call_us_big(result.contact, lang) if elder else widgets.contact_options(result.contact, lang)
        return
    if options and picked is None:
        _clarify(result, options, picked_key, lang, elder, search_id)
        return
    best = picked or result.best
    if picked is not None:
        _log_pick(picked, search_id)
    unsure = result.unsure and picked is None
    if unsure:
        st.warning(t("unsure", lang), icon="🤔")
    _announce(t("unsure", lang) if unsure else t("answer_found", lang) + best.article.title, result.query)
    if unsure:
        _heading("closest", lang, result.query)
        _list([h.article for h in (best, *result.others)], lang, search_id, result.query)
        widgets.feedback(lang, search_id=search_id, article_id=best.article.id, contact=result.contact)
        widgets.contact_options(result.contact, lang)
        return
    _heading("answer", lang, result.query)
    card = unit_html(best.article, best.unit, lang=lang, highlight=best.matched_terms,
                     by_path=_by_path(snapshot))
    st.html(f'<div class="kb-card" lang="{best.article.lang}">{card}</div>')
    st.html(f'<p>{html.escape(t("from_article", lang))}'
            f'{_link(best.article, lang, at=best.anchor, search_id=search_id, query=result.query)} · '
            f'{_link(best.article, lang, t("read_whole", lang), search_id=search_id, query=result.query)}</p>')
    if best.matched_terms and not elder:
        st.caption(t("why", lang) + ("、" if lang != "en" else ", ").join(best.matched_terms))
    widgets.read_aloud(f"{best.unit.heading}\n{best.unit.text}".strip(), best.article.lang, lang)
    others = [h for h in (result.best, *result.others) if h.article.translation_group != best.article.translation_group]
    alternatives = [(h.article.title, article_url(h.article.id, lang, **_extra(search_id, result.query)))
                    for h in others[:3]]
    widgets.feedback(lang, search_id=search_id, article_id=best.article.id, contact=result.contact,
                     alternatives=alternatives)
    if elder:
        widgets.call_us_big(result.contact, lang)
        return
    related = [a for a in result.related if a.translation_group != best.article.translation_group]
    if related:
        st.subheader(t("related", lang), anchor=False)
        _list(related, lang, search_id, result.query)
    others = [h.article for h in others if h.article.id not in {a.id for a in related}]
    if others:
        st.subheader(t("more_results", lang), anchor=False)
        _list(others, lang, search_id, result.query)


def _extra(search_id, query) -> dict:
    return {**({"from": str(search_id)} if search_id else {}), "q": query}


def _heading(key: str, lang: str, token: str) -> None:
    """The answer's heading, focused and scrolled into view once per question: on a phone the
    answer starts below the fold, and a keyboard or screen-reader user lands on it."""
    st.html(f'<h2 class="kb-h" id="kb-answer" tabindex="-1">{html.escape(t(key, lang))}</h2>')
    widgets.focus_once("#kb-answer", f"answer:{token}:{key}")


def _announce(message: str, token: str) -> None:
    """A polite live region: screen readers say that a new answer (or "not sure") is there."""
    st.html(f'<div class="kb-live" role="status" aria-live="polite" data-for="{html.escape(token)}">'
            f"{html.escape(message)}</div>")


def _clarify(result: SearchResult, options: tuple[Hit, ...], picked_key: str, lang: str, elder: bool,
             search_id: int | None) -> None:
    """"Did you mean ...?" (a close call) or, in elder mode when unsure, "which one?": two or
    three buttons (big in elder mode); the chosen one is then shown as the answer. When search is
    also unsure, the page says so first, and offers a person as always."""
    # "Did you mean" when search is sure the answer is one of them; when it is not sure (an
    # off-topic question also has close rivals), the same buttons are "the closest answers".
    ask = len(result.close) >= 2 and not result.unsure
    unsure = t("elder_unsure" if elder else "unsure", lang)
    if result.unsure:
        st.warning(unsure, icon="🤔")
    _announce(t("did_you_mean", lang) if ask else unsure, result.query)
    _heading("did_you_mean" if ask else "closest", lang, result.query)
    if ask:
        st.markdown(t("did_you_mean_hint", lang))
    for number, hit in enumerate(options):
        label = hit.article.title if hit.unit.kind != "question" else f"{hit.unit.heading} · {hit.article.title}"
        st.button(label, key=f"pick_{number}", width="stretch", type="secondary", on_click=_pick,
                  args=(picked_key, hit.article.translation_group))
    if elder:
        widgets.call_us_big(result.contact, lang)
        return
    if result.unsure:  # unsure answers ask for feedback too (on the closest answer)
        widgets.feedback(lang, search_id=search_id, article_id=result.best.article.id, contact=result.contact)
    widgets.contact_options(result.contact, lang)


def _pick(picked_key: str, group: str) -> None:
    st.session_state[picked_key] = group


def _log_pick(hit: Hit, search_id: int | None) -> None:
    """The chosen answer is logged like any answer opened from a search (a view of its article
    tied to the search); its feedback then names that article."""
    key = f"pick_logged:{search_id}:{hit.article.id}"
    if key not in st.session_state:
        st.session_state[key] = True
        resources.search_log().call("log_view", session_hash=resources.session_hash(), search_id=search_id,
                                    article_id=hit.article.id)


def _list(articles, lang: str, search_id=None, query: str | None = None) -> None:
    items = "".join(f"<li>{_link(a, lang, search_id=search_id, query=query)}</li>" for a in articles)
    st.html(f'<ul class="kb-list">{items}</ul>')


def _by_path(snapshot) -> dict:
    return {a.path: a for a in snapshot.articles.values()}


def topics(snapshot, lang: str) -> None:
    """Top tasks as tiles (icon, title, one line), then every category as a grid."""
    popular = [snapshot.translations(a).get(lang, a) for a in _popular_articles(snapshot)]
    if popular:
        st.html(f'<h2 class="kb-h">{html.escape(t("top_tasks", lang))}</h2>')
        columns = st.columns(3, gap="small")
        for number, article in enumerate(popular):
            with columns[number % 3]:
                st.html(_tile(article, lang))
    st.html(f'<h2 class="kb-h">{html.escape(t("categories", lang))}</h2>')
    links = "".join(f'<li><a href="?category={html.escape(key)}&amp;lang={lang}" target="_self">'
                    f'<span aria-hidden="true">{ICONS.get(key, "📄")}</span> '
                    f'{html.escape(names.get(lang, key))}</a></li>'
                    for key, names in snapshot.categories.items())
    st.html(f'<ul class="kb-grid">{links}</ul>')


def _tile(article, lang: str) -> str:
    key = f"task_{article.translation_group}"
    from portal.i18n import TEXT
    line = t(key, lang) if key in TEXT else _first_line(article)
    return (f'<a class="kb-tile" href="{html.escape(article_url(article.id, lang))}" target="_self">'
            f'<span class="kb-tile-icon" aria-hidden="true">{ICONS.get(article.category, "📄")}</span>'
            f'<span class="kb-tile-title">{html.escape(article.title)}</span>'
            f'<span class="kb-tile-text">{html.escape(line)}</span></a>')


def _first_line(article) -> str:
    text = article.units[0].text if article.units else ""
    return text[:70] + ("…" if len(text) > 70 else "")


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


def leave_for_answer() -> None:
    """A new question typed on an article or category page: go to its answer (the box keeps
    ``q`` in the URL; the page's own parameters go)."""
    for name in ("article", "at", "from", "category"):
        if name in st.query_params:
            del st.query_params[name]


def category_page(snapshot, key: str | None, lang: str, elder: bool) -> None:
    search_box(lang, on_change=leave_for_answer)
    _back(lang)
    names = snapshot.categories.get(key) if key else None
    if names is None:
        st.set_page_config(page_title=f"{t('not_found', lang)} · {t('bank', lang)}")
        st.info(t("not_found", lang))
        return
    title = names.get(lang, key)
    st.set_page_config(page_title=f"{title} · {t('bank', lang)}")
    st.html(f'<h1 class="kb-h">{html.escape(title)}</h1>')
    articles = sorted((a for a in snapshot.articles.values() if a.category == key and a.lang == lang),
                      key=lambda a: a.title)
    _list(articles, lang)
    if elder:
        widgets.call_us_big(snapshot.contact, lang)


def _back(lang: str) -> None:
    """Back to the answer when a question led here, else to the help centre's home."""
    query = params.question(st.session_state.get("q"), box_limit()).strip()
    if query:
        url, label = "?" + _urlencode({"q": query, "lang": lang}), t("back_to_answer", lang)
    else:
        url, label = f"?lang={lang}", t("back", lang)
    st.html(f'<p><a class="kb-back" href="{html.escape(url)}" target="_self">{html.escape(label)}</a></p>')


def _urlencode(values: dict) -> str:
    from urllib.parse import urlencode
    return urlencode(values)
