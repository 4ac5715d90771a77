"""Page styles: the normal look, elder mode (長輩模式) and high contrast.

The theme itself (colours, fonts) is in .streamlit/config.toml; this adds what a theme cannot
say: the answer card, top-task tiles, the category grid, the contact strip.

Normal mode: every text at least 4.5:1 against its background, captions included.
Elder mode: body text 24 px, headings 30 px and more, line height 1.6, black on white (7:1 and
more everywhere), every button and link at least 60 x 60 px, no animation.
High contrast: white and yellow on black.
"""
from __future__ import annotations

BASE = """
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"] {display: none;}
.st-key-log_contact_phone, .st-key-log_contact_chat, .st-key-log_contact_branch {display: none;}
.kb-card {border: 2px solid #0b4f9c; border-radius: 10px; padding: 0.8rem 1.1rem; margin: 0.5rem 0 1rem;}
.kb-question {margin-bottom: 0.3rem;}
mark {background: #ffe566; color: #000; padding: 0 0.1em;}
.kb-focus {outline: 3px solid #0b4f9c; outline-offset: 4px; border-radius: 4px;}
.kb-muted, [data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p {color: #3d4451 !important;
  opacity: 1 !important;}
a {color: #0b4f9c;}
h1.kb-h, h2.kb-h {font-weight: 700; margin: 1.2rem 0 0.5rem; padding: 0; scroll-margin-top: 1rem;}
h1.kb-h {font-size: 2rem;} h2.kb-h {font-size: 1.4rem;}
h2.kb-h:focus {outline: none;} h2.kb-h:focus-visible {outline: 3px solid #0b4f9c; outline-offset: 6px;
  border-radius: 4px;}
[data-testid="stMainBlockContainer"] {padding-top: 2.5rem;}
.kb-brand {font-weight: 700; font-size: 1.25rem; color: #fff !important; background: #0b4f9c; margin: 0 0 0.5rem;
  padding: 0.8rem 1.1rem; border-radius: 10px; line-height: 1.3;}
.st-key-q label p {font-size: 1.45rem; font-weight: 700; color: #111;}
.st-key-q input {font-size: 1.2rem; min-height: 3.2rem;}
a.kb-call, button.kb-read, button.kb-stop {display: inline-flex; align-items: center; justify-content: center;
  min-height: 48px; min-width: 48px; padding: 0.5rem 1.2rem; border-radius: 10px; font-weight: 600;
  text-decoration: none; cursor: pointer; gap: 0.4rem;}
a.kb-call {background: #0b4f9c; color: #fff !important;}
button.kb-read, button.kb-stop {background: #fff; color: #0b4f9c; border: 2px solid #0b4f9c; font-size: 1rem;
  margin-right: 0.5rem;}
.kb-list a {display: inline-block; padding: 0.35rem 0;}
.kb-tile {display: flex; flex-direction: column; gap: 0.25rem; min-height: 10.5rem; padding: 1rem 1.1rem;
  border: 1px solid #c9d2de; border-radius: 12px; background: #fff; text-decoration: none; color: #111 !important;
  box-shadow: 0 1px 2px rgba(0,0,0,.06);}
.kb-tile:hover, .kb-tile:focus {border-color: #0b4f9c; box-shadow: 0 0 0 2px #0b4f9c;}
.kb-tile-icon {font-size: 1.8rem; line-height: 1;}
.kb-tile-title {font-weight: 700; color: #0b4f9c; font-size: 1.05rem;}
.kb-tile-text {color: #3d4451; font-size: 0.95rem;}
.kb-grid {display: grid; grid-template-columns: repeat(auto-fill, minmax(13rem, 1fr)); gap: 0.6rem;
  list-style: none; padding: 0 !important; margin: 0 !important;}
.kb-grid li {margin: 0; padding: 0;}
.kb-grid a {display: block; padding: 0.75rem 0.9rem; border-radius: 10px; background: #f1f4f8;
  text-decoration: none; font-weight: 600; min-height: 48px;}
.kb-grid a:hover {text-decoration: underline;}
.kb-contact ul {list-style: none; padding: 0;}
.kb-contact li {margin: 0 0 0.9rem;}
.kb-strip {margin-top: 2rem; padding: 1rem 1.2rem; border-radius: 12px; background: #f1f4f8; color: #111;}
.kb-strip p {margin: 0.2rem 0;}
.kb-strip-title {font-weight: 700;}
.kb-strip-links a {display: inline-block; margin: 0.2rem 1.2rem 0.2rem 0; font-weight: 600; min-height: 32px;}
.kb-thanks {padding: 0.75rem 1rem; border-radius: 8px; background: #e6f4ea; color: #0d3b1c;}
.kb-thanks:focus {outline: 3px solid #0b4f9c;}
.kb-live {position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap;}
/* Scripts, markers and the live region take no room in the page's column. */
[data-testid="stElementContainer"]:has(.kb-live, .kb-result, .kb-js) {position: absolute; width: 1px; height: 1px;
  overflow: hidden; clip: rect(0 0 0 0);}
@media (max-width: 640px) { h1.kb-h {font-size: 1.6rem;} .kb-tile {min-height: 0;}
  /* On a phone the question box comes first; the display settings follow the page. */
  div:has(> .st-key-kb_settings) {order: 10;} }
"""

ELDER = """
html, body, .stApp, .stApp p, .stApp li, .stApp label, .stApp input, .stApp textarea, .stApp button,
.stApp span, .stApp div[data-testid="stMarkdownContainer"], .stApp a, .stApp td, .stApp th {
  font-size: 24px !important; line-height: 1.6 !important;}
.stApp h1, .stApp h1 span, h1.kb-h {font-size: 40px !important; line-height: 1.5 !important;}
.stApp h2, .stApp h2 span, h2.kb-h {font-size: 34px !important; line-height: 1.5 !important;}
.stApp h3, .stApp h3 span, .stApp h4, .stApp h5, .stApp h6, .kb-question strong {font-size: 30px !important;
  line-height: 1.5 !important;}
.stApp .kb-brand {color: #fff !important; background: #00307a !important; font-size: 30px !important;}
.stApp, .stApp p:not(.kb-brand), .stApp li, .stApp label, .stApp span, .stApp h1:not(.kb-brand), .stApp h2, .stApp h3,
.kb-tile-text, .kb-muted, [data-testid="stCaptionContainer"] p {color: #000 !important;}
.stApp button[kind="primary"], .stApp button[kind="primary"] p, .stApp button[kind="primary"] span {
  color: #fff !important; background: #00307a !important;}
.stApp {background: #fff !important;}
.stApp a {color: #00307a !important; min-height: 60px; min-width: 60px; display: inline-flex;
  align-items: center; text-decoration: underline; text-underline-offset: 4px;}
.stApp button, .stApp a.kb-call, .stApp button.kb-read, .stApp button.kb-stop {min-height: 60px !important;
  min-width: 60px !important; padding: 0.6rem 1.4rem !important;}
.stApp input {min-height: 60px !important;}
.stApp label[data-baseweb="checkbox"] {min-height: 60px; align-items: center;}
.kb-call-big a.kb-call, a.kb-call {font-size: 30px !important; width: 100%; min-height: 80px !important;
  color: #fff !important; background: #00307a !important; text-decoration: none;}
.stApp a.kb-call span {color: #fff !important; font-size: 30px !important;}
.stApp a.kb-call-inline, .stApp a.kb-call-inline span {font-size: 24px !important;}
.kb-strip {background: #fff; border: 2px solid #000;}
.kb-thanks {background: #fff; color: #000; border: 2px solid #000;}
*, *::before, *::after {animation: none !important; transition: none !important; scroll-behavior: auto !important;}
header[data-testid="stHeader"] {display: none;}
"""

HIGH_CONTRAST = """
.stApp, .stApp header {background: #000 !important;}
.stApp, .stApp p, .stApp li, .stApp label, .stApp span, .stApp h1, .stApp h2, .stApp h3, .stApp h4,
.stApp div, .stApp td, .stApp th {color: #fff !important;}
.stApp a, .stApp a span {color: #ffeb3b !important; text-decoration: underline !important;}
.stApp .kb-brand {background: #000 !important; color: #fff !important; border: 2px solid #fff;}
.stApp input, .stApp textarea {background: #000 !important; color: #fff !important; border: 2px solid #fff !important;}
.stApp button {background: #000 !important; color: #fff !important; border: 2px solid #fff !important;}
.stApp button p, .stApp button span {color: #fff !important;}
.kb-card {border-color: #fff;}
.kb-tile, .kb-grid a, .kb-strip, .kb-thanks {background: #000 !important; border: 2px solid #fff !important;}
mark {background: #ffeb3b; color: #000 !important;}
a.kb-call {background: #ffeb3b !important; color: #000 !important;}
.stApp a.kb-call span {color: #000 !important;}
button.kb-read, button.kb-stop {background: #000 !important; color: #ffeb3b !important;
  border-color: #ffeb3b !important;}
*:focus-visible {outline: 3px solid #ffeb3b !important; outline-offset: 2px;}
"""


def css(elder: bool, high_contrast: bool) -> str:
    return "<style>" + BASE + (ELDER if elder else "") + (HIGH_CONTRAST if high_contrast else "") + "</style>"
