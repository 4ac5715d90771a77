"""An article, reachable by URL: ``?article=<id>&lang=<lang>[&at=<anchor>][&q=<question>]``.

The page keeps the search box (a new question goes to its answer) and a way back: to the answer
when a question led here (``q``), else to the help centre's home.
"""
from __future__ import annotations

import html

import streamlit as st

from kb.search import related_articles, similar_articles
from portal import home, resources, widgets
from portal.i18n import LANG_NAMES, t
from portal.render import article_html, article_url


def page(snapshot, article_id: str | None, lang: str, elder: bool, at: str | None, from_search: int | None) -> None:
    home.search_box(lang, on_change=home.leave_for_answer)
    home._back(lang)
    article = snapshot.articles.get(article_id) if article_id else None
    if article is None:  # unknown, removed or made-up ids all land here
        st.set_page_config(page_title=f"{t('not_found', lang)} · {t('bank', lang)}")
        st.info(t("not_found", lang))
        return
    st.session_state.contact_search_id = from_search
    _log_view(article.id, from_search)
    st.set_page_config(page_title=f"{article.title} · {t('bank', lang)}")
    st.html(f'<h1 class="kb-h" lang="{article.lang}">{html.escape(article.title)}</h1>')
    if not elder:
        category = snapshot.categories.get(article.category, {}).get(lang, article.category)
        st.caption(f"{t('in_category', lang)}{category} · {t('updated', lang)} {article.updated.isoformat()}")
    versions = snapshot.translations(article)
    others = [v for code, v in versions.items() if code != article.lang]
    if others:
        links = " · ".join(f'<a href="{html.escape(article_url(v.id, v.lang, at))}" target="_self" '
                           f'lang="{v.lang}">{LANG_NAMES[v.lang]}</a>' for v in others)
        st.html(f"<p>{html.escape(t('other_languages', lang))}{links}</p>")
    by_path = {a.path: a for a in snapshot.articles.values()}
    focus = at if any(u.anchor == at for u in article.units) else None
    st.html(f'<div class="kb-article" lang="{article.lang}">'
            f"{article_html(article, lang=lang, focus=focus, by_path=by_path)}</div>")
    if focus:
        widgets.focus_once(f"#{focus}", f"article:{article.id}:{focus}")
    text = "\n".join(f"{u.heading}\n{u.text}".strip() for u in article.units)
    widgets.read_aloud(f"{article.title}\n{text}", article.lang, lang)
    related = [snapshot.articles[i] for i in _related_ids(snapshot.build_id, article.id, lang, snapshot)
               if i in snapshot.articles]
    widgets.feedback(lang, article_id=article.id, question="helpful_article", contact=snapshot.contact,
                     alternatives=[(a.title, article_url(a.id, lang)) for a in related[:3]])
    if elder:
        widgets.call_us_big(snapshot.contact, lang)
        return
    if related:
        st.subheader(t("related", lang), anchor=False)
        items = "".join(f'<li><a href="{html.escape(article_url(a.id, lang))}" target="_self">'
                        f"{html.escape(a.title)}</a></li>" for a in related[:6])
        st.html(f'<ul class="kb-list">{items}</ul>')


@st.cache_resource(show_spinner=False, max_entries=5000)
def _related_ids(build_id: str, article_id: str, lang: str, _snapshot) -> list[str]:
    """The article's related articles (its front matter, then similar ones), once per build,
    article and language: a page view does not run a search."""
    article = _snapshot.articles[article_id]
    related = related_articles(_snapshot, article, lang)
    related += [a for a in similar_articles(_snapshot, resources.embedders(), resources.settings(), article, lang)
                if a.translation_group not in {r.translation_group for r in related}]
    return [a.id for a in related]


def _log_view(article_id: str, from_search: int | None) -> None:
    key = f"viewed:{article_id}:{from_search}"
    if key not in st.session_state:
        st.session_state[key] = True
        resources.search_log().call("log_view", session_hash=resources.session_hash(),
                                    search_id=from_search, article_id=article_id)
