"""The customer portal (and, behind a sign-in, the staff area): ``streamlit run portal/app.py``.

Every page starts here: language, elder mode and high contrast come from the URL, so a shared
link opens the same way; every other URL parameter is checked by ``portal.params`` before use;
heavy objects come from ``portal.resources``; any error is shown by ``portal.errors`` and never
as a traceback. Every page ends with the ways to reach a person.
"""
from __future__ import annotations

import json
import logging

import streamlit as st

# `portal` imports as the installed project (pip install -e ., done by make setup), though
# `streamlit run` starts the script in portal/.
from portal import errors, i18n, params, resources, style, widgets
from portal.i18n import LANG_NAMES, LANGS, t

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
resources.quiet_libraries()  # the warm-up runs when the server starts: see portal/server.py


def current_lang(chosen: str | None) -> str:
    """The interface language: the URL's ``lang`` if valid, else the browser's locale. It is
    written back to the URL, so a copied link opens in the same language."""
    if chosen is None:
        chosen = i18n.from_locale(getattr(st.context, "locale", None))
        st.query_params["lang"] = chosen
    return chosen


def _switch_lang() -> None:
    st.query_params["lang"] = st.session_state.ui_lang
    # The answer on screen follows the new language (where a translation exists).
    st.session_state.follow_ui = params.question(st.session_state.get("q"), 100_000)


def settings_controls(lang: str, elder_now: bool) -> tuple[bool, bool]:
    """Language, elder mode and high contrast."""
    # Large elder-mode labels do not fit side by side: stack the controls then.
    left, middle, right = (st.container(),) * 3 if elder_now else st.columns([2, 2, 1.4])
    st.session_state.ui_lang = lang
    left.selectbox(t("language", lang), LANGS, key="ui_lang", format_func=LANG_NAMES.get,
                   on_change=_switch_lang)
    elder = middle.toggle(t("elder_mode", lang), key="elder_mode", bind="query-params")
    contrast = right.toggle(t("high_contrast", lang), key="high_contrast", bind="query-params")
    return elder, contrast


def _html_lang(lang: str) -> None:
    """``<html lang>`` follows the shown language, so screen readers pronounce it right."""
    widgets.script(f"document.documentElement.lang = {json.dumps(lang)};")


def main() -> None:
    st.set_page_config(page_title=t("bank", "en"), page_icon="💬", layout="centered",
                       initial_sidebar_state="collapsed")
    url = params.parse(st.query_params)
    lang = current_lang(url.lang)
    _html_lang(lang)
    # The bank's name heads every page; on the home page it is the page's one h1.
    home = not (url.article or url.article_invalid or url.category or url.category_invalid or url.staff)
    tag = "h1" if home else "p"
    st.html(f'<{tag} class="kb-brand">{t("bank", lang)}</{tag}>')
    elder_now = st.session_state.get("elder_mode", st.query_params.get("elder_mode") == "true")
    # Elder mode's first screen is the question box; the display settings come after the answer.
    if elder_now:
        content, controls = st.container(key="kb_content"), st.container(key="kb_settings")
    else:
        controls, content = st.container(key="kb_settings"), st.container(key="kb_content")
    with controls:
        elder, contrast = settings_controls(lang, elder_now)
    st.html(style.css(elder, contrast))
    contact: dict = {}
    with content:
        try:
            resources.content_watcher()
            snapshot = resources.index().snapshot()
            contact = snapshot.contact
            if url.staff:
                from portal import staff
                staff.page(snapshot, lang)
                return
            if url.article or url.article_invalid:
                from portal import article_view
                article_view.page(snapshot, url.article, lang, elder, url.at, url.from_search)
            elif url.category or url.category_invalid:
                from portal import home
                home.category_page(snapshot, url.category, lang, elder)
            else:
                from portal import home
                home.page(snapshot, lang, elder)
        except Exception as error:  # the one place errors are shown: see portal/errors.py
            errors.show(error, lang)
            contact = _contact_fallback()
            widgets.contact_options(contact, lang)
    widgets.contact_strip(contact, lang)
    widgets.contact_logger()


def _contact_fallback() -> dict:
    """How to reach a person even when the index cannot be read: straight from the content."""
    import yaml
    try:
        path = resources.settings().content_dir / "contact.yml"
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        return loaded if isinstance(loaded, dict) else {}
    except Exception:  # even that file may be missing or broken; show no contact block then
        return {}


main()
