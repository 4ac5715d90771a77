"""Pieces shared by the pages: read aloud, "was this helpful?", ways to reach a person."""
from __future__ import annotations

import html
import json

import streamlit as st

from portal import resources
from portal.i18n import SPEECH, t

REASONS = ("wrong", "unclear", "outdated", "didnt_work")


def read_aloud(text: str, lang: str) -> None:
    """A button that reads ``text`` with the browser's own speech synthesis (works offline)."""
    payload = html.escape(json.dumps({"text": text, "lang": SPEECH.get(lang, "en-US")}, ensure_ascii=False))
    st.html(
        f'<button type="button" class="kb-read" data-speech="{payload}" '
        f'aria-label="{html.escape(t("read_aloud", lang))}">{html.escape(t("read_aloud", lang))}</button>'
        "<script>document.querySelectorAll('button.kb-read').forEach(function (b) {"
        "  if (b.dataset.bound) return; b.dataset.bound = '1';"
        "  b.addEventListener('click', function () {"
        "    var s = window.speechSynthesis; if (!s) return;"
        "    var d = JSON.parse(b.dataset.speech); s.cancel();"
        "    var u = new SpeechSynthesisUtterance(d.text); u.lang = d.lang; s.speak(u);"
        "  });"
        "});</script>",
        unsafe_allow_javascript=True)


def feedback(lang: str, *, search_id: int | None = None, article_id: str | None = None,
             question: str = "helpful") -> None:
    """Ask "was this helpful?"; "no" offers reasons and a comment; a thank-you replaces it all."""
    state = f"feedback:{search_id}:{article_id}"
    status = st.session_state.get(state)
    if status == "done":
        st.success(t("thanks", lang), icon="🙏")
        return
    log = resources.search_log()
    if status == "no":
        reason = st.radio(t("why_not", lang), REASONS, key="feedback_reason",
                          format_func=lambda r: t(f"reason_{r}", lang))
        comment = st.text_area(t("comment", lang), key="feedback_comment", max_chars=1000)
        if st.button(t("send", lang), key="feedback_send", type="primary"):
            log.call("log_feedback", session_hash=resources.session_hash(), search_id=search_id,
                     article_id=article_id, helpful=False, reason=reason, comment=comment or None)
            st.session_state[state] = "done"
            st.rerun()
        return
    st.markdown(f"**{t(question, lang)}**")
    yes, no = st.columns(2)
    if yes.button(t("yes", lang), key="feedback_yes", use_container_width=True):
        log.call("log_feedback", session_hash=resources.session_hash(), search_id=search_id,
                 article_id=article_id, helpful=True)
        st.session_state[state] = "done"
        st.rerun()
    if no.button(t("no", lang), key="feedback_no", use_container_width=True):
        st.session_state[state] = "no"
        st.rerun()


def _contact_logged(channel: str, search_id: int | None) -> None:
    resources.search_log().call("log_contact", session_hash=resources.session_hash(),
                                search_id=search_id, channel=channel)
    st.session_state[f"contact:{channel}"] = True


def call_link(contact: dict, lang: str) -> str:
    phone = contact.get("phone", {})
    return (f'<a class="kb-call" href="tel:{html.escape(phone.get("tel", ""))}">'
            f'<span>📞 {html.escape(t("call_now", lang))} {html.escape(phone.get("number", ""))}</span></a>')


def contact_options(contact: dict, lang: str, search_id: int | None = None) -> None:
    """Phone, chat and service centres, each with its hours; using one is logged (anonymously),
    so editors can estimate how many questions were answered without a person."""
    if not contact:
        return
    st.subheader(t("reach_person", lang))
    phone, chat, branch = contact.get("phone", {}), contact.get("chat", {}), contact.get("branch", {})
    rows = (("phone", "call_us", phone), ("chat", "chat", chat), ("branch", "branch", branch))
    for channel, label, info in rows:
        if not info:
            continue
        if st.button(t(label, lang), key=f"contact_{channel}", use_container_width=True):
            _contact_logged(channel, search_id)
        hours = (info.get("hours") or {}).get(lang, "")
        if channel == "phone":
            detail = f"**{phone.get('number', '')}** · {hours}  \n{t('from_abroad', lang)} {phone.get('abroad', '')}"
        else:
            detail = hours
        st.markdown(detail)
        if st.session_state.get(f"contact:{channel}"):
            if channel == "phone":
                st.html(call_link(contact, lang))
            else:
                st.link_button(t("open_chat" if channel == "chat" else "find_branch", lang), info.get("url", "#"))


def call_us_big(contact: dict, lang: str, search_id: int | None = None) -> None:
    """Elder mode's one big "call us" button: it shows the number to dial, large, with a link
    that starts the call on a phone."""
    if st.button("📞 " + t("call_us", lang), key="call_us", type="primary", use_container_width=True):
        _contact_logged("phone", search_id)
    if st.session_state.get("contact:phone"):
        st.html(call_link(contact, lang))
