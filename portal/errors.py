"""The one place where errors become what a customer sees.

Every expected error is a ``KbError``; the customer gets one friendly sentence in their language
and a way to reach a person, the log gets the details (for an index problem, the command that
fixes it). Streamlit's own error details are switched off in .streamlit/config.toml.
"""
from __future__ import annotations

import logging

import streamlit as st

from kb.errors import IndexMismatch, IndexNotReady, KbError
from portal.i18n import t

log = logging.getLogger("portal")


def show(error: Exception, lang: str) -> None:
    if isinstance(error, (IndexNotReady, IndexMismatch)):
        log.error("help content unavailable: %s (rebuild with: python -m indexer build)", error)
        st.warning(t("updating", lang), icon="🛠️")
    elif isinstance(error, KbError):
        log.error("%s: %s", type(error).__name__, error)
        st.error(t("error", lang))
    else:
        log.exception("unexpected error in the portal", exc_info=error)
        st.error(t("error", lang))
