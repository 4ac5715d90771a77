"""The customer portal (and, behind a sign-in, the staff area): ``streamlit run portal/app.py``.

Every page starts here: language, elder mode and high contrast come from the URL, so a shared
link opens the same way; heavy objects come from ``portal.resources``; any error is shown by
``portal.errors`` and never as a traceback.
"""
from __future__ import annotations

import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `streamlit run` starts in portal/

import streamlit as st  # noqa: E402

from portal import errors, i18n, resources, style  # noqa: E402
from portal.i18n import LANG_NAMES, LANGS, t  # noqa: E402

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def current_lang() -> str:
    """The interface language: the URL's ``lang`` if valid, else the browser's locale. It is
    written back to the URL, so a copied link opens in the same language."""
    chosen = i18n.valid_lang(st.query_params.get("lang"))
    if chosen is None:
        chosen = i18n.from_locale(getattr(st.context, "locale", None))
        st.query_params["lang"] = chosen
    return chosen


def _switch_lang() -> None:
    st.query_params["lang"] = st.session_state.ui_lang


def header(lang: str) -> tuple[bool, bool]:
    """Bank name, language, elder mode and high contrast: on every page."""
    st.markdown(f"### {t('bank', lang)}")
    # Large elder-mode labels do not fit side by side: stack the controls then.
    elder_now = st.session_state.get("elder_mode", st.query_params.get("elder_mode") == "true")
    left, middle, right = (st.container(),) * 3 if elder_now else st.columns([2, 2, 1.4])
    st.session_state.ui_lang = lang
    left.selectbox(t("language", lang), LANGS, key="ui_lang", format_func=LANG_NAMES.get,
                   on_change=_switch_lang)
    elder = middle.toggle(t("elder_mode", lang), key="elder_mode", bind="query-params")
    contrast = right.toggle(t("high_contrast", lang), key="high_contrast", bind="query-params")
    return elder, contrast


def main() -> None:
    st.set_page_config(page_title="Lumina Bank Help", page_icon="💬", layout="centered",
                       initial_sidebar_state="collapsed")
    lang = current_lang()
    elder, contrast = header(lang)
    st.html(style.css(elder, contrast))
    params = st.query_params
    try:
        resources.content_watcher()
        snapshot = resources.index().snapshot()
        if params.get("staff") is not None:
            from portal import staff
            staff.page(snapshot, lang)
        elif params.get("article"):
            from portal import article_view
            article_view.page(snapshot, params["article"], lang, elder, params.get("at"),
                              _search_id(params.get("from")))
        elif params.get("category"):
            from portal import home
            home.category_page(snapshot, params["category"], lang)
        else:
            from portal import home
            home.page(snapshot, lang, elder)
            if not elder:
                st.html(f'<p class="kb-muted"><a href="?staff=1&amp;lang={lang}" target="_self">'
                        f'{t("staff", lang)}</a></p>')
    except Exception as error:  # the one place errors are shown: see portal/errors.py
        errors.show(error, lang)
        from portal import widgets
        widgets.contact_options(_contact_fallback(), lang)


def _search_id(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 12 else None


def _contact_fallback() -> dict:
    """How to reach a person even when the index cannot be read: straight from the content."""
    import yaml
    try:
        path = resources.settings().content_dir / "contact.yml"
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except Exception:  # even that file may be missing or broken; show no contact block then
        return {}


main()
