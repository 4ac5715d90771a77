"""The staff area, behind a sign-in (``portal.auth``); once signed in, ``portal.staff_pages``
shows the improvement loop: honest figures, failed searches grouped by meaning with actions and
their effect, "No" comments, the change history, failing files and the article preview."""
from __future__ import annotations

import streamlit as st

from kb.errors import SignInError
from portal import resources
from portal.i18n import t
from portal.auth import Throttle, sign_in


@st.cache_resource(show_spinner=False)
def _throttle() -> Throttle:
    return Throttle()


def page(snapshot, lang: str) -> None:
    settings = resources.settings()
    st.header(t("staff", lang))
    if not settings.staff_password_hash:
        st.info(t("st_off", lang))
        return
    if not st.session_state.get("staff_signed_in"):
        _sign_in(settings.staff_password_hash)
        return
    if st.button(t("st_sign_out", lang), key="staff_sign_out"):
        st.session_state.staff_signed_in = False
        st.rerun()
    from portal import staff_pages
    staff_pages.signed_in_page(snapshot, lang)


def _sign_in(stored_hash: str) -> None:
    lang = st.session_state.get("ui_lang", "en")
    password = st.text_input(t("st_password", lang), type="password", key="staff_password")
    if st.button(t("st_sign_in", lang), key="staff_sign_in", type="primary"):
        try:
            sign_in(password, stored_hash, _throttle())
        except SignInError as exc:
            st.error(str(exc).capitalize())
            return
        st.session_state.staff_signed_in = True
        st.rerun()


