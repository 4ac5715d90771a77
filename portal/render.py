"""Article markdown to HTML that is safe to put in the page, with highlights and deep-link anchors.

markdown-it with HTML off turns raw HTML in an article into visible text; its link check drops
``javascript:``, ``vbscript:`` and ``data:`` links; every link we do emit is rewritten here. So
nothing an editor writes can run in a customer's browser.
"""
from __future__ import annotations

import html
import re
from typing import Mapping, Sequence
from urllib.parse import urlencode, urlsplit

from markdown_it import MarkdownIt

from kb.articles import Article, Unit
from kb.keywords import highlight_spans
from kb.similar import is_similar_fence
from kb.validation import link_target


# Phone numbers as written in the articles: international (+886-2-2655-0123), toll-free
# (0800-088-123) and local with an area code (02-2655-0123). Short numbers (165) and bare digit
# runs are left alone: they are as often amounts, limits or dates.
PHONE = re.compile(r"(?<![\w+-])(?:\+\d{1,3}(?:[- ]\d{1,4}){2,4}|0800-\d{3}-\d{3}|0\d{1,2}-\d{3,4}-\d{4})(?![\w-])")


def linked(text: str, terms: Sequence[str] = ()) -> str:
    """``highlighted``, with every phone number a ``tel:`` link (one tap dials it on a phone)."""
    out, last = [], 0
    for match in PHONE.finditer(text):
        number = match.group(0)
        out += [highlighted(text[last:match.start()], terms),
                f'<a href="tel:{html.escape(number.replace(" ", ""))}" data-contact="phone">'
                f"{highlighted(number, terms)}</a>"]
        last = match.end()
    return "".join(out) + highlighted(text[last:], terms)


def highlighted(text: str, terms: Sequence[str]) -> str:
    """Escaped ``text`` with the ``terms`` it contains wrapped in <mark>."""
    if not terms:
        return html.escape(text)
    out, last = [], 0
    for start, end in highlight_spans(text, terms):
        out += [html.escape(text[last:start]), "<mark>", html.escape(text[start:end]), "</mark>"]
        last = end
    return "".join(out) + html.escape(text[last:])


def _render_text(self, tokens, idx, options, env) -> str:
    if env.get("in_link"):  # no link inside a link
        return highlighted(tokens[idx].content, env.get("highlight") or ())
    return linked(tokens[idx].content, env.get("highlight") or ())


def _render_link_close(self, tokens, idx, options, env) -> str:
    env["in_link"] = False
    return "</a>"


def _render_link_open(self, tokens, idx, options, env) -> str:
    env["in_link"] = True
    href = tokens[idx].attrGet("href") or ""
    target = link_target(href, env.get("path", ""), env.get("by_path") or {})
    if target is not None:  # a link to another article: open it in the portal, same language
        return f'<a href="{html.escape(article_url(target, env.get("lang", "en")))}" target="_self">'
    if urlsplit(href).scheme.lower() in ("http", "https", "mailto", "tel"):
        return f'<a href="{html.escape(href)}" target="_blank" rel="noopener noreferrer nofollow">'
    return "<a>"  # anything else is shown as text that goes nowhere


def _render_image(self, tokens, idx, options, env) -> str:
    return html.escape(tokens[idx].content)  # help articles carry no images; a URL could load anything


def _render_fence(self, tokens, idx, options, env) -> str:
    if is_similar_fence(tokens[idx].info):
        return ""  # similar questions are for search; parsing blanks them, this covers raw previews
    return self.fence(tokens, idx, options, env)


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.add_render_rule("text", _render_text)
    md.add_render_rule("fence", _render_fence)
    md.add_render_rule("link_open", _render_link_open)
    md.add_render_rule("link_close", _render_link_close)
    md.add_render_rule("image", _render_image)
    return md


_MD = _parser()


def article_url(article_id: str, lang: str, at: str | None = None, **extra: str) -> str:
    params = {"article": article_id, "lang": lang, **({"at": at} if at else {}), **extra}
    return "?" + urlencode(params)


def markdown_html(text: str, *, lang: str = "en", highlight: Sequence[str] = (), path: str = "",
                  by_path: Mapping[str, Article] | None = None) -> str:
    """Safe HTML for a piece of article markdown."""
    env = {"highlight": tuple(highlight), "lang": lang, "path": path, "by_path": by_path}
    return _MD.render(text, env)


def unit_html(article: Article, unit: Unit, *, lang: str, highlight: Sequence[str] = (),
              by_path: Mapping[str, Article] | None = None) -> str:
    """One Q/A pair, step or section: its question (if any) and its answer."""
    heading = f'<p class="kb-question"><strong>{highlighted(unit.heading, highlight)}</strong></p>' \
        if unit.kind == "question" else ""
    return heading + markdown_html(unit.markdown, lang=lang, highlight=highlight, path=article.path,
                                   by_path=by_path)


def article_html(article: Article, *, lang: str, focus: str | None = None,
                 by_path: Mapping[str, Article] | None = None) -> str:
    """A whole article. The first element of each unit gets the unit's anchor as its id, so deep
    links land on a question or a step; ``focus`` marks the unit a link points to."""
    env = {"highlight": (), "lang": lang, "path": article.path, "by_path": by_path}
    tokens = _MD.parse(article.body, env)
    offset = article.body_line - 1  # body line 0 is this file line
    starts = {unit.line - 1: unit for unit in article.units}
    for token in tokens:
        unit = starts.get(token.map[0] + offset) if token.nesting == 1 and token.map else None
        # A step is its list item; any other unit starts with a top-level block.
        if unit is not None and (token.type == "list_item_open" if unit.kind == "step" else token.level == 0):
            del starts[token.map[0] + offset]
            token.attrSet("id", unit.anchor)
            if unit.anchor == focus:
                token.attrSet("class", "kb-focus")
    return _MD.renderer.render(tokens, _MD.options, env)
