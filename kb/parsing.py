"""Read one article file: front matter, structure and plain text, with every problem located.

Parsing never raises on bad content. It returns the article it could build (or None) and the
problems it found, each naming the file, the 1-based line and the front-matter field or part.
"""
from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterator

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin

from kb.articles import LANGS, TYPES, Article, Unit
from kb.errors import Problem
from kb.language import contradiction
from kb.similar import is_similar_fence, key as similar_key

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_RAW_HTML = re.compile(r"<\s*/?\s*(script|iframe|object|embed|style|form|img|a|div|span|b|i|p)\b|"
                       r"<[a-z]+[^>]*\son\w+\s*=", re.I)
_UNSAFE_LINK = re.compile(r"\]\(\s*<?\s*(javascript|data|vbscript):", re.I)
REQUIRED = ("id", "title", "lang", "type", "category", "tags", "translation_group", "updated")
OPTIONAL = ("review_by", "related")
STEP_LABEL = {"en": "Step {}", "zh-Hant": "步驟 {}", "zh-Hans": "步骤 {}"}
INTRO_LABEL = {"en": "Overview", "zh-Hant": "簡介", "zh-Hans": "简介"}


@dataclass(frozen=True)
class ParseResult:
    article: Article | None
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")


def markdown_parser() -> MarkdownIt:
    # "commonmark" with html off: raw HTML in an article becomes text, never markup.
    return MarkdownIt("commonmark", {"html": False}).use(front_matter_plugin)


_MD = markdown_parser()
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built in: ~10x faster


def content_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def parse_article(raw: bytes, path: str, max_bytes: int = 1024 * 1024) -> ParseResult:
    """Parse the bytes of one article file; ``path`` is how problems name the file."""
    problems: list[Problem] = []

    def problem(line: int, field: str, message: str, severity: str = "error") -> None:
        problems.append(Problem(path, line, field, message, severity))

    text = _decode(raw, max_bytes, problem)
    if text is None:
        return ParseResult(None, tuple(problems))
    tokens = _MD.parse(text)
    if not tokens or tokens[0].type != "front_matter":
        if text.lstrip().startswith("---"):
            problem(1, "front matter", "front matter is not closed: add a line '---' after the last field")
        else:
            problem(1, "front matter", "missing front matter: the file must start with a '---' line, "
                    "then fields such as 'id: ...', then '---'")
        return ParseResult(None, tuple(problems))
    fm_token = tokens[0]
    fields, field_lines = _front_matter(fm_token.content, problem)
    if fields is None:
        return ParseResult(None, tuple(problems))
    meta = _check_fields(fields, field_lines, problem)
    lines = text.split("\n")
    body_line = fm_token.map[1] + 1
    lang = meta.get("lang") if meta.get("lang") in LANGS else "en"
    title = meta.get("title") or ""
    # Similar questions are for search only: their lines are blanked (not removed, so every line
    # number still holds) in what customers see, the body and each unit's markdown.
    shown_lines = _without_similar(tokens[1:], lines, problem)
    body = "\n".join(shown_lines[fm_token.map[1]:])
    units = _units(tokens[1:], shown_lines, title, lang, meta.get("type"), problem)
    _check_body(units, meta, field_lines, lines[fm_token.map[1]:], body_line, problem)
    if any(p.severity == "error" for p in problems):
        return ParseResult(None, tuple(problems))
    article = Article(
        id=meta["id"], title=title, lang=meta["lang"], type=meta["type"],
        category=meta["category"], tags=tuple(meta["tags"]),
        translation_group=meta["translation_group"], updated=meta["updated"],
        review_by=meta.get("review_by"), related=tuple(meta.get("related", ())),
        path=path, body=body, body_line=body_line, units=units,
        content_hash=content_hash(raw), field_lines=tuple(field_lines.items()),
        links=tuple(_links(tokens)))
    return ParseResult(article, tuple(problems))


def _decode(raw: bytes, max_bytes: int, problem) -> str | None:
    if len(raw) > max_bytes:
        problem(1, "file", f"the file is {len(raw) / 1024 / 1024:.1f} MB; articles may be at most "
                f"{max_bytes / 1024 / 1024:.1f} MB (split it into several articles)")
        return None
    if b"\x00" in raw:
        problem(raw[:raw.index(b"\x00")].count(b"\n") + 1, "file",
                "this is not a text file (it contains binary data)")
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problem(raw[:exc.start].count(b"\n") + 1, "encoding",
                f"the file is not UTF-8 (byte 0x{raw[exc.start]:02x} at position {exc.start}); "
                "save it as UTF-8")
        return None
    if not text.strip():
        problem(1, "file", "the file is empty")
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _front_matter(content: str, problem) -> tuple[dict[str, Any] | None, dict[str, int]]:
    """Values and 1-based file lines of the front-matter fields (the fence is line 1)."""
    loader = _YAML_LOADER(content)
    try:
        node = loader.get_single_node()
        values = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark, context = getattr(exc, "problem_mark", None), getattr(exc, "context_mark", None)
        line = mark.line + 2 if mark else 1
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if context is not None and context.line + 2 != line:
            what += f" (in the value that starts on line {context.line + 2})"
        problem(line, "front matter", f"invalid YAML: {what}")
        return None, {}
    finally:
        loader.dispose()
    if not isinstance(values, dict) or not isinstance(node, yaml.MappingNode):
        problem(2, "front matter", "front matter must be 'field: value' lines")
        return None, {}
    lines = {str(key.value): key.start_mark.line + 2 for key, _ in node.value}
    return {str(k): v for k, v in values.items()}, lines


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _check_fields(fields: dict[str, Any], lines: dict[str, int], problem) -> dict[str, Any]:
    """Checked, typed field values; a problem for each field that is missing or wrong."""
    meta: dict[str, Any] = {}
    for name in REQUIRED:
        if name not in fields or fields[name] is None or fields[name] == "":
            problem(1, name, f"required field '{name}' is missing")
    for name in fields:
        if name not in REQUIRED and name not in OPTIONAL:
            problem(lines.get(name, 1), name, f"unknown field '{name}' (a typo?); it is ignored",
                    "warning")

    def line(name: str) -> int:
        return lines.get(name, 1)

    for name in ("id", "translation_group"):
        value = fields.get(name)
        if value in (None, ""):
            continue
        if isinstance(value, str) and ID_PATTERN.match(value):
            meta[name] = value
        else:
            problem(line(name), name, f"'{value}' is not a valid {name}: use letters, digits, "
                    "'.', '_' and '-' only, at most 128")
    for name in ("title", "category"):
        value = fields.get(name)
        if value in (None, ""):
            continue
        if isinstance(value, str) and value.strip():
            meta[name] = value.strip()
        else:
            problem(line(name), name, f"'{name}' must be text")
    lang, kind = fields.get("lang"), fields.get("type")
    if lang not in (None, ""):
        if lang in LANGS:
            meta["lang"] = lang
        else:
            problem(line("lang"), "lang", f"unknown language '{lang}': use one of {', '.join(LANGS)}")
    if kind not in (None, ""):
        if kind in TYPES:
            meta["type"] = kind
        else:
            problem(line("type"), "type", f"unknown type '{kind}': use one of {', '.join(TYPES)}")
    for name in ("tags", "related"):
        value = fields.get(name, [] if name == "related" else None)
        if value is None:
            continue
        if isinstance(value, list) and all(isinstance(v, (str, int)) for v in value):
            meta[name] = [str(v).strip() for v in value if str(v).strip()]
        else:
            problem(line(name), name, f"'{name}' must be a list, like [a, b]")
    for name in ("updated", "review_by"):
        if fields.get(name) in (None, ""):
            continue
        value = _as_date(fields[name])
        if value is None:
            problem(line(name), name, f"'{fields[name]}' is not a date: write YYYY-MM-DD")
        else:
            meta[name] = value
    return meta


def _blocks(tokens: list[Token]) -> Iterator[list[Token]]:
    """Top-level blocks: each opening token with everything up to its closing token."""
    block: list[Token] = []
    for token in tokens:
        block.append(token)
        if token.level == 0 and token.nesting <= 0:
            yield block
            block = []


def _list_items(block: list[Token]) -> Iterator[list[Token]]:
    item: list[Token] = []
    for token in block[1:-1]:
        item.append(token)
        if token.type == "list_item_close" and token.level == 1:
            yield item
            item = []


def plain_text(tokens: list[Token]) -> str:
    """The words of some block tokens, without markup. Raw HTML is dropped."""
    parts: list[str] = []
    for token in tokens:
        if token.type == "inline":
            words = []
            for child in token.children or ():
                if child.type in ("text", "code_inline"):
                    words.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    words.append(" ")
                elif child.type == "image":
                    words.append(child.content)
            parts.append("".join(words).strip())
        elif token.type == "code_block" or (token.type == "fence" and not is_similar_fence(token.info)):
            parts.append(token.content.strip())
    return "\n".join(p for p in parts if p)


def _span(blocks: list[list[Token]]) -> tuple[int, int]:
    """The 0-based, half-open range of file lines some blocks cover."""
    return (min(b[0].map[0] for b in blocks if b[0].map), max(b[0].map[1] for b in blocks if b[0].map))


def _units(tokens: list[Token], lines: list[str], title: str, lang: str, kind: str | None,
           problem) -> tuple[Unit, ...]:
    """Intro, questions (FAQ) or sections and steps (tutorial), in document order, each with its
    similar questions."""
    found = list(_structure(tokens, lines, title, lang, kind))
    units, scopes = tuple(u for u, _ in found), [scope for _, scope in found]
    return _attach_similar(units, scopes, _similar_blocks(tokens, kind), problem)


def _structure(tokens: list[Token], lines: list[str], title: str, lang: str,
               kind: str | None) -> Iterator[tuple[Unit, int]]:
    """Each unit with its scope: 0 before the first heading, then the number of its heading."""
    counters = {"question": 0, "section": 0, "step": 0}
    heading, heading_line, pending, scope = "", 0, [], 0

    def flush(unit_kind: str) -> Iterator[tuple[Unit, int]]:
        if not pending and unit_kind != "question":
            return
        text = plain_text([t for b in pending for t in b])
        if unit_kind != "question" and not text:
            return
        if unit_kind == "intro":
            anchor, path, label = "intro", (title, INTRO_LABEL[lang]), ""
        else:
            counters[unit_kind] += 1
            anchor = ("q" if unit_kind == "question" else "s") + str(counters[unit_kind])
            path, label = (title, heading), heading
        start = heading_line if unit_kind == "question" else pending[0][0].map[0] + 1
        span = _span(pending) if pending else (heading_line, heading_line)
        yield Unit(unit_kind, anchor, path, label, "\n".join(lines[span[0]:span[1]]).strip(), text, start,
                   span), scope

    section_kind = "question" if kind == "faq" else "section"
    current = "intro"
    for block in _blocks(tokens):
        first = block[0]
        if first.type == "fence" and is_similar_fence(first.info):
            continue  # not part of any unit's text; see _similar_blocks
        if first.type == "heading_open" and first.tag in ("h1", "h2"):
            yield from flush(current)
            current, pending, scope = section_kind, [], scope + 1
            heading, heading_line = plain_text(block), first.map[0] + 1
        elif kind == "tutorial" and first.type == "ordered_list_open":
            yield from flush(current if current != "question" else "section")
            pending = []
            for number, item in enumerate(_list_items(block), start=int(first.attrGet("start") or 1)):
                counters["step"] += 1
                label = STEP_LABEL[lang].format(number)
                span = (item[0].map[0], item[0].map[1])
                yield Unit("step", f"step{counters['step']}",
                           (title, heading, label) if heading else (title, label), label,
                           "\n".join(lines[span[0]:span[1]]).strip(), plain_text(item), span[0] + 1,
                           span), scope
        else:
            pending.append(block)
    yield from flush(current)


@dataclass(frozen=True)
class _SimilarBlock:
    line: int  # 1-based line of the opening fence
    scope: int  # see _structure
    questions: tuple[tuple[str, int], ...]  # (question, 1-based line)
    step_line: int = 0  # nested in a tutorial step: that step's 1-based line
    misplaced: str = ""  # nested somewhere else: what it is nested in


def _similar_blocks(tokens: list[Token], kind: str | None) -> list[_SimilarBlock]:
    found, scope, containers = [], 0, []
    for token in tokens:
        if token.type == "heading_open" and token.level == 0 and token.tag in ("h1", "h2"):
            scope += 1
        if token.nesting == 1 and token.type != "heading_open":
            containers.append(token)
        elif token.nesting == -1 and containers and token.type != "heading_close":
            containers.pop()
        if token.type != "fence" or not is_similar_fence(token.info) or not token.map:
            continue
        questions = tuple((line.strip(), token.map[0] + 2 + offset)
                          for offset, line in enumerate(token.content.split("\n")) if line.strip())
        block = _SimilarBlock(token.map[0] + 1, scope, questions)
        if token.level > 0:
            step = _enclosing_step(containers) if kind == "tutorial" else None
            if step is not None:
                block = _SimilarBlock(block.line, scope, questions, step_line=step.map[0] + 1)
            else:
                what = containers[-1].type.removesuffix("_open").replace("_", " ") if containers else "a block"
                block = _SimilarBlock(block.line, scope, questions, misplaced=what)
        found.append(block)
    return found


def _enclosing_step(containers: list[Token]) -> Token | None:
    """The step a nested block belongs to: an item of a top-level numbered list."""
    if len(containers) >= 2 and containers[0].type == "ordered_list_open" and containers[0].level == 0 \
            and containers[1].type == "list_item_open":
        return containers[1]
    return None


def _attach_similar(units: tuple[Unit, ...], scopes: list[int], blocks: list[_SimilarBlock],
                    problem) -> tuple[Unit, ...]:
    """Give each unit the questions of its ```similar blocks: a block under a heading belongs to
    that heading's question or section, or to its first step if it has steps; a block before the
    first heading belongs to the whole article (its first unit); a block inside a step to that step."""
    questions: dict[int, list[tuple[str, int]]] = {}
    for block in blocks:
        if block.misplaced:
            problem(block.line, "similar", f"a similar block cannot be inside a {block.misplaced}: put it "
                    "on its own, right under the heading of the question it belongs to")
            continue
        if not block.questions:
            problem(block.line, "similar", "this similar block is empty: write one customer question "
                    "per line, or remove the block", "warning")
            continue
        target = _target(units, scopes, block)
        if target is None:
            problem(block.line, "similar", "this similar block belongs to no question, section or step "
                    "(there is no text under its heading): move it under the question it belongs to")
            continue
        questions.setdefault(target, []).extend(block.questions)
    out = list(units)
    for index, found in questions.items():
        kept: dict[str, tuple[str, int]] = {}
        for question, line in found:
            first = kept.setdefault(similar_key(question) or question, (question, line))
            if first[1] != line:
                problem(line, "similar", f"'{question}' is listed twice for this question "
                        f"(also on line {first[1]}); the repeat is ignored", "warning")
        out[index] = dataclasses.replace(units[index], similar=tuple(q for q, _ in kept.values()),
                                         similar_lines=tuple(n for _, n in kept.values()))
    return tuple(out)


def _target(units: tuple[Unit, ...], scopes: list[int], block: _SimilarBlock) -> int | None:
    if block.step_line:
        return next((i for i, u in enumerate(units) if u.kind == "step" and u.line == block.step_line), None)
    if block.scope == 0:
        return 0 if units else None
    members = [i for i, scope in enumerate(scopes) if scope == block.scope]
    steps = [i for i in members if units[i].kind == "step"]
    return (steps or members or [None])[0]


def _without_similar(tokens: list[Token], lines: list[str], problem) -> list[str]:
    """``lines`` with every similar block blanked; an unclosed one is reported."""
    shown = list(lines)
    for token in tokens:
        if token.type != "fence" or not is_similar_fence(token.info) or not token.map:
            continue
        start, end = token.map
        # A nested block's lines carry its container's indent or "> " marks.
        closing = lines[end - 1].lstrip(" \t>").strip() if end - start >= 2 else ""
        if not (closing and set(closing) == {token.markup[0]} and len(closing) >= len(token.markup)):
            problem(start + 1, "similar", f"this similar block is never closed: add a line "
                    f"{token.markup} after its last question (everything below it is swallowed)")
        for number in range(start, end):
            shown[number] = ""
    return shown


def _links(tokens: list[Token]) -> Iterator[tuple[str, int]]:
    line = 1
    for token in tokens:
        if token.map:
            line = token.map[0] + 1
        for child in token.children or ():
            if child.type == "link_open":
                yield str(child.attrGet("href") or ""), line


def _check_body(units: tuple[Unit, ...], meta: dict[str, Any], field_lines: dict[str, int],
                body_lines: list[str], body_line: int, problem) -> None:
    text = "\n".join(u.heading + "\n" + u.text for u in units).strip()
    if not text:
        problem(body_line, "body", "the article has no text after the front matter")
        return
    if meta.get("type") == "faq":
        questions = [u for u in units if u.kind == "question"]
        if not questions:
            problem(body_line, "body", "an FAQ needs at least one '## question' heading with its answer")
        for unit in questions:
            if not unit.text:
                problem(unit.line, "body", f"the question '{unit.heading}' has no answer")
    if meta.get("type") == "tutorial" and not any(u.kind == "step" for u in units):
        problem(body_line, "body", "a tutorial needs numbered steps (1. ..., 2. ...)")
    for offset, source_line in enumerate(body_lines):
        if _RAW_HTML.search(source_line):
            problem(body_line + offset, "body", "raw HTML is shown as text and never runs; remove it",
                    "warning")
        if _UNSAFE_LINK.search(source_line):
            problem(body_line + offset, "link", "a javascript:/data: link is shown as plain text, "
                    "never as a link; remove it", "warning")
    if "lang" in meta:
        reason = contradiction(meta["lang"], meta.get("title", "") + "\n" + text)
        if reason:
            problem(field_lines.get("lang", 1), "lang", reason)
