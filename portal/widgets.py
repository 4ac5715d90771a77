"""Pieces shared by the pages: read aloud, "was this helpful?", ways to reach a person."""
from __future__ import annotations

import html
import json

import streamlit as st

from portal import resources
from portal.i18n import SPEECH, t

REASONS = ("wrong", "unclear", "outdated", "didnt_work")
CHANNELS = ("phone", "chat", "branch")


def script(code: str) -> None:
    """Run a little JavaScript in the page (st.html is not iframed). Used only with code written
    here, never with text from an article or a customer."""
    st.html(f'<span class="kb-js" hidden></span><script>{code}</script>', unsafe_allow_javascript=True)


def focus_once(selector: str, token: str, scroll: bool = True) -> None:
    """Move keyboard focus (and the view) to ``selector`` once per ``token``: a new answer or a
    thank-you gets focus; a rerun of the same page does not pull focus back."""
    move = "e.scrollIntoView({block: 'start'});" if scroll else ""
    code = (f"(function () {{ var sel = {json.dumps(selector)}, token = {json.dumps(token)};"
            " window.__kbFocus = window.__kbFocus || {};"
            " if (window.__kbFocus[token]) return; var tries = 0;"
            " (function go() { var e = document.querySelector(sel);"
            "   if (!e) { if (++tries < 40) setTimeout(go, 50); return; }"
            "   window.__kbFocus[token] = true;"
            f"   {move}"
            "   e.focus({preventScroll: true}); })(); })();")
    script(code)


def read_aloud(text: str, speech_lang: str, ui_lang: str) -> None:
    """Read ``text`` with the browser's own speech synthesis (works offline), in the language of
    the text shown (``speech_lang``); a second button stops it. Labels are in ``ui_lang``."""
    payload = html.escape(json.dumps({"text": text, "lang": SPEECH.get(speech_lang, "en-US")}, ensure_ascii=False))
    st.html(
        f'<div class="kb-speech"><button type="button" class="kb-read" data-speech="{payload}">'
        f'{html.escape(t("read_aloud", ui_lang))}</button> '
        f'<button type="button" class="kb-stop">{html.escape(t("stop_reading", ui_lang))}</button></div>'
        "<script>document.querySelectorAll('button.kb-read').forEach(function (b) {"
        "  if (b.dataset.bound) return; b.dataset.bound = '1';"
        "  b.addEventListener('click', function () {"
        "    var s = window.speechSynthesis; if (!s) return;"
        "    var d = JSON.parse(b.dataset.speech); s.cancel();"
        "    var u = new SpeechSynthesisUtterance(d.text); u.lang = d.lang; s.speak(u);"
        "  });"
        "});"
        "document.querySelectorAll('button.kb-stop').forEach(function (b) {"
        "  if (b.dataset.bound) return; b.dataset.bound = '1';"
        "  b.addEventListener('click', function () { if (window.speechSynthesis) window.speechSynthesis.cancel(); });"
        "});</script>",
        unsafe_allow_javascript=True)


def feedback(lang: str, *, search_id: int | None = None, article_id: str | None = None,
             question: str = "helpful", contact: dict | None = None, alternatives=()) -> None:
    """Ask "was this helpful?"; "no" offers reasons and a comment; a thank-you replaces it all.
    After a "no", the thank-you offers the closest other answers (``alternatives``, as
    ``(label, url)``) and the ways to reach a person. Focus follows: a keyboard user lands on the
    reasons, then on the thank-you, never on the top of the page."""
    state = f"feedback:{search_id}:{article_id}"
    status = st.session_state.get(state)
    if status in ("done", "done_no"):
        st.html(f'<div class="kb-thanks" role="status" tabindex="-1">🙏 {html.escape(t("thanks", lang))}</div>')
        focus_once(".kb-thanks", f"{state}:thanks", scroll=False)
        if status == "done_no":
            st.markdown(t("thanks_more", lang))
            if alternatives:
                items = "".join(f'<li><a href="{html.escape(url)}" target="_self">{html.escape(label)}</a></li>'
                                for label, url in alternatives)
                st.html(f'<ul class="kb-list">{items}</ul>')
            contact_options(contact or {}, lang, key="after_no")
        return
    if status == "no":
        st.radio(t("why_not", lang), REASONS, key="feedback_reason", format_func=lambda r: t(f"reason_{r}", lang))
        focus_once('.st-key-feedback_reason input[type="radio"]', f"{state}:no", scroll=False)
        st.text_area(t("comment", lang), key="feedback_comment", max_chars=1000)
        st.button(t("send", lang), key="feedback_send", type="primary", on_click=_feedback_sent,
                  args=(state, search_id, article_id))
        return
    st.markdown(f"**{t(question, lang)}**")
    yes, no = st.columns(2)
    yes.button(t("yes", lang), key="feedback_yes", width="stretch", on_click=_feedback_yes,
               args=(state, search_id, article_id))
    no.button(t("no", lang), key="feedback_no", width="stretch", on_click=_set, args=(state, "no"))


# Callbacks: they run before the rerun the click causes, so that rerun (of the whole page, or of
# the search fragment) already shows the next step; no second rerun.
def _set(state: str, value: str) -> None:
    st.session_state[state] = value


def _feedback_yes(state: str, search_id: int | None, article_id: str | None) -> None:
    resources.search_log().call("log_feedback", session_hash=resources.session_hash(), search_id=search_id,
                                article_id=article_id, helpful=True)
    st.session_state[state] = "done"


def _feedback_sent(state: str, search_id: int | None, article_id: str | None) -> None:
    comment = st.session_state.get("feedback_comment")
    resources.search_log().call("log_feedback", session_hash=resources.session_hash(), search_id=search_id,
                                article_id=article_id, helpful=False,
                                reason=st.session_state.get("feedback_reason"), comment=comment or None)
    st.session_state[state] = "done_no"


def contact_logger() -> None:
    """Clicking a phone, chat or branch link dials or opens it at once (a plain link) and is
    logged too, anonymously, so editors can estimate how many questions needed a person: the
    link's click presses a hidden button that writes the row (tied to the search in
    ``st.session_state.contact_search_id``, set by the page). Render once per page."""
    for channel in CHANNELS:
        st.button(channel, key=f"log_contact_{channel}", on_click=_contact_logged, args=(channel,))
    script("if (!window.__kbContact) { window.__kbContact = true;"
           " document.addEventListener('click', function (e) {"
           "  var a = e.target.closest && e.target.closest('a[data-contact]'); if (!a) return;"
           "  var b = document.querySelector('.st-key-log_contact_' + a.dataset.contact + ' button');"
           "  if (b) b.click(); }, true); }")


def _contact_logged(channel: str) -> None:
    resources.search_log().call("log_contact", session_hash=resources.session_hash(),
                                search_id=st.session_state.get("contact_search_id"), channel=channel)


def _tel(contact: dict) -> tuple[str, str]:
    phone = contact.get("phone") or {}
    return str(phone.get("tel", "")), str(phone.get("number", ""))


def call_link(contact: dict, lang: str, css: str = "kb-call") -> str:
    """A link that dials the bank in one tap, with the number on it."""
    tel, number = _tel(contact)
    return (f'<a class="{css}" href="tel:{html.escape(tel)}" data-contact="phone">'
            f'<span aria-hidden="true">📞</span> <span>{html.escape(t("call_now", lang))} '
            f'{html.escape(number)}</span></a>')


def contact_options(contact: dict, lang: str, key: str = "options") -> None:
    """Phone, chat and service centres, each with its hours; the phone number is a ``tel:``
    link, chat and service centres open the bank's pages."""
    if not contact:
        return
    phone, chat, branch = (contact.get(c) or {} for c in CHANNELS)
    rows = []
    if phone:
        rows.append(f'<li>{call_link(contact, lang, "kb-call kb-call-inline")}'
                    f'<br>{html.escape(_hours(phone, lang))}<br>{html.escape(t("from_abroad", lang))} '
                    f'<a href="tel:{html.escape(_digits(phone.get("abroad", "")))}" data-contact="phone">'
                    f'{html.escape(str(phone.get("abroad", "")))}</a></li>')
    for channel, info, label in (("chat", chat, "open_chat"), ("branch", branch, "find_branch")):
        if info:
            rows.append(f'<li><a href="{html.escape(_safe_url(info.get("url")))}" target="_blank" '
                        f'rel="noopener noreferrer" data-contact="{channel}">{html.escape(t(label, lang))}</a>'
                        f'<br>{html.escape(_hours(info, lang))}</li>')
    st.html(f'<section class="kb-contact kb-contact-{key}" aria-label="{html.escape(t("reach_person", lang))}">'
            f'<h2 class="kb-h">{html.escape(t("reach_person", lang))}</h2><ul>{"".join(rows)}</ul></section>')


def contact_strip(contact: dict, lang: str) -> None:
    """One line at the foot of every page: the phone number to dial, chat, service centres."""
    if not contact:
        return
    phone, chat, branch = (contact.get(c) or {} for c in CHANNELS)
    parts = []
    if phone:
        tel, number = _tel(contact)
        parts.append(f'<a href="tel:{html.escape(tel)}" data-contact="phone"><span aria-hidden="true">📞</span> '
                     f'{html.escape(t("call_us", lang))} {html.escape(number)}</a>')
    if chat:
        parts.append(f'<a href="{html.escape(_safe_url(chat.get("url")))}" target="_blank" rel="noopener noreferrer" '
                     f'data-contact="chat"><span aria-hidden="true">💬</span> {html.escape(t("chat", lang))}</a>')
    if branch:
        parts.append(f'<a href="{html.escape(_safe_url(branch.get("url")))}" target="_blank" rel="noopener noreferrer" '
                     f'data-contact="branch"><span aria-hidden="true">📍</span> {html.escape(t("branch", lang))}</a>')
    hours = html.escape(_hours(phone, lang)) if phone else ""
    st.html(f'<footer class="kb-strip" aria-label="{html.escape(t("reach_person", lang))}">'
            f'<p class="kb-strip-title">{html.escape(t("contact_strip", lang))}</p>'
            f'<p class="kb-strip-links">{" ".join(parts)}</p><p class="kb-strip-hours">{hours}</p></footer>')


def call_us_big(contact: dict, lang: str) -> None:
    """Elder mode's one big "call us" button: a link that dials in one tap, with the number."""
    if contact.get("phone"):
        st.html(f'<div class="kb-call-big">{call_link(contact, lang)}</div>')


def _hours(info: dict, lang: str) -> str:
    hours = info.get("hours") or {}
    return str(hours.get(lang) or hours.get("en") or "") if isinstance(hours, dict) else ""


def _digits(number: object) -> str:
    return "".join(c for c in str(number) if c.isdigit() or c == "+")


def _safe_url(url: object) -> str:
    value = str(url or "")
    return value if value.startswith(("https://", "http://")) else "#"
