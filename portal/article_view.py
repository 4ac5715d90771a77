"""An article, reachable by URL: ``?article=<id>&lang=<lang>[&at=<anchor>]``."""
from __future__ import annotations

import html

import streamlit as st

from kb.search import related_articles, similar_articles
from portal import resources, widgets
from portal.i18n import LANG_NAMES, t
from portal.render import article_html, article_url


def page(snapshot, article_id: str, lang: str, elder: bool, at: str | None, from_search: int | None) -> None:
    article = snapshot.articles.get(article_id)
    if article is None:  # unknown, removed or made-up ids all land here
        st.info(t("not_found", lang))
        st.html(f'<p><a href="?lang={lang}" target="_self">{html.escape(t("back", lang))}</a></p>')
        return
    _log_view(article.id, from_search)
    st.html(f'<p><a href="?lang={lang}" target="_self">{html.escape(t("back", lang))}</a></p>')
    st.title(article.title)
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
        _scroll_to(focus)
    text = "\n".join(f"{u.heading}\n{u.text}".strip() for u in article.units)
    widgets.read_aloud(f"{article.title}\n{text}", article.lang)
    widgets.feedback(lang, article_id=article.id, question="helpful_article")
    if elder:
        widgets.call_us_big(snapshot.contact, lang)
        return
    related = related_articles(snapshot, article, lang)
    related += [a for a in similar_articles(snapshot, resources.embedders(), resources.settings(), article, lang)
                if a.translation_group not in {r.translation_group for r in related}]
    if related:
        st.subheader(t("related", lang))
        items = "".join(f'<li><a href="{html.escape(article_url(a.id, lang))}" target="_self">'
                        f"{html.escape(a.title)}</a></li>" for a in related[:6])
        st.html(f'<ul class="kb-list">{items}</ul>')


def _log_view(article_id: str, from_search: int | None) -> None:
    key = f"viewed:{article_id}:{from_search}"
    if key not in st.session_state:
        st.session_state[key] = True
        resources.search_log().call("log_view", session_hash=resources.session_hash(),
                                    search_id=from_search, article_id=article_id)


def _scroll_to(anchor: str) -> None:
    st.html(f"<script>setTimeout(function () {{ var e = document.getElementById({anchor!r});"
            " if (e) e.scrollIntoView({block: 'center'}); }, 300);</script>", unsafe_allow_javascript=True)
