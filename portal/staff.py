"""The staff area, behind a sign-in (``portal.auth``); once signed in, ``portal.staff_pages``
shows the improvement loop: honest figures, failed searches grouped by meaning with actions and
their effect, "No" comments, the change history, failing files and the article preview."""
from __future__ import annotations

import time

import streamlit as st

from kb.errors import SignInError
from portal import resources
from portal.i18n import t
from portal.auth import Throttle, sign_in, still_active


@st.cache_resource(show_spinner=False)
def _throttle() -> Throttle:
    return Throttle()


def page(snapshot, lang: str) -> None:
    settings = resources.settings()
    st.header(t("staff", lang))
    if not settings.staff_password_hash:
        st.info(t("st_off", lang))
        return
    if not _signed_in(settings):
        _sign_in(settings)
        return
    if st.button(t("st_sign_out", lang), key="staff_sign_out"):
        st.session_state.staff_signed_in = False
        st.rerun()
    from portal import staff_pages
    staff_pages.signed_in_page(snapshot, lang)


def _signed_in(settings) -> bool:
    """Signed in, and used within KB_STAFF_IDLE_MINUTES (every page run counts as use)."""
    if not st.session_state.get("staff_signed_in"):
        return False
    now = time.monotonic()
    if not still_active(st.session_state.get("staff_active_at"), now, settings.staff_idle_minutes * 60):
        st.session_state.staff_signed_in = False
        st.info(f"You were signed out after {settings.staff_idle_minutes:g} minutes without activity.")
        return False
    st.session_state.staff_active_at = now
    return True


def _sign_in(settings) -> None:
    lang = st.session_state.get("ui_lang", "en")
    password = st.text_input(t("st_password", lang), type="password", key="staff_password")
    if st.button(t("st_sign_in", lang), key="staff_sign_in", type="primary"):
        from portal.logstore import session_hash as keyed
        log = resources.search_log()
        # The throttle's client: the address Streamlit sees (behind a proxy, the proxy's: the
        # global throttle still holds), else this browser session.
        address = st.context.ip_address
        client = keyed(address if isinstance(address, str) and address else resources.session_hash(), log.salt)
        try:
            sign_in(password, settings.staff_password_hash, _throttle(), client=client,
                    record=lambda result: log.log_sign_in(client_hash=client, result=result),
                    upgrade_file=settings.data_dir / "staff-password.json")
        except SignInError as exc:
            st.error(str(exc).capitalize())
            return
        st.session_state.staff_signed_in = True
        st.session_state.staff_active_at = time.monotonic()
        st.rerun()
