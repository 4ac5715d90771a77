"""Page styles: the normal look, elder mode (長輩模式) and high contrast.

Elder mode: body text 24 px, headings 32 px and more, line height 1.6, black on white (21:1),
every button and link at least 60 x 60 px, no animation. High contrast: white and yellow on black.
"""
from __future__ import annotations

BASE = """
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"] {display: none;}
.kb-card {border: 2px solid #0b4f9c; border-radius: 10px; padding: 0.8rem 1.1rem; margin: 0.5rem 0 1rem;}
.kb-question {margin-bottom: 0.3rem;}
mark {background: #ffe566; color: #000; padding: 0 0.1em;}
.kb-focus {outline: 3px solid #0b4f9c; outline-offset: 4px; border-radius: 4px;}
.kb-muted {color: #333;}
a {color: #0b4f9c;}
a.kb-call, button.kb-read {display: inline-flex; align-items: center; justify-content: center;
  min-height: 48px; min-width: 48px; padding: 0.5rem 1.2rem; border-radius: 10px; font-weight: 600;
  text-decoration: none; cursor: pointer;}
a.kb-call {background: #0b4f9c; color: #fff !important;}
button.kb-read {background: #fff; color: #0b4f9c; border: 2px solid #0b4f9c; font-size: 1rem;}
.kb-list a {display: inline-block; padding: 0.35rem 0;}
"""

ELDER = """
html, body, .stApp, .stApp p, .stApp li, .stApp label, .stApp input, .stApp textarea, .stApp button,
.stApp span, .stApp div[data-testid="stMarkdownContainer"], .stApp a, .stApp td, .stApp th {
  font-size: 24px !important; line-height: 1.6 !important;}
.stApp h1 {font-size: 40px !important; line-height: 1.5 !important;}
.stApp h2 {font-size: 34px !important; line-height: 1.5 !important;}
.stApp h3, .stApp h4, .stApp h5, .stApp h6, .kb-question strong {font-size: 30px !important; line-height: 1.5 !important;}
.stApp, .stApp p, .stApp li, .stApp label, .stApp span, .stApp h1, .stApp h2, .stApp h3 {color: #000 !important;}
.stApp button[kind="primary"], .stApp button[kind="primary"] p, .stApp button[kind="primary"] span {
  color: #fff !important; background: #00307a !important;}
.stApp {background: #fff !important;}
.stApp a {color: #00307a !important; min-height: 60px; min-width: 60px; display: inline-flex;
  align-items: center; text-decoration: underline; text-underline-offset: 4px;}
.stApp button, .stApp a.kb-call, .stApp button.kb-read {min-height: 60px !important; min-width: 60px !important;
  padding: 0.6rem 1.4rem !important;}
.stApp input {min-height: 60px !important;}
.stApp label[data-baseweb="checkbox"] {min-height: 60px; align-items: center;}
a.kb-call {font-size: 30px !important; width: 100%; min-height: 80px !important; color: #fff !important;
  background: #00307a !important;}
.stApp a.kb-call span {color: #fff !important;}
*, *::before, *::after {animation: none !important; transition: none !important; scroll-behavior: auto !important;}
header[data-testid="stHeader"] {display: none;}
"""

HIGH_CONTRAST = """
.stApp, .stApp header {background: #000 !important;}
.stApp, .stApp p, .stApp li, .stApp label, .stApp span, .stApp h1, .stApp h2, .stApp h3, .stApp h4,
.stApp div, .stApp td, .stApp th {color: #fff !important;}
.stApp a, .stApp a span {color: #ffeb3b !important; text-decoration: underline !important;}
.stApp input, .stApp textarea {background: #000 !important; color: #fff !important; border: 2px solid #fff !important;}
.stApp button {background: #000 !important; color: #fff !important; border: 2px solid #fff !important;}
.stApp button p, .stApp button span {color: #fff !important;}
.kb-card {border-color: #fff;}
mark {background: #ffeb3b; color: #000 !important;}
a.kb-call {background: #ffeb3b !important; color: #000 !important;}
.stApp a.kb-call span {color: #000 !important;}
button.kb-read {background: #000 !important; color: #ffeb3b !important; border-color: #ffeb3b !important;}
*:focus-visible {outline: 3px solid #ffeb3b !important; outline-offset: 2px;}
"""


def css(elder: bool, high_contrast: bool) -> str:
    return "<style>" + BASE + (ELDER if elder else "") + (HIGH_CONTRAST if high_contrast else "") + "</style>"
