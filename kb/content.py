"""The whole content folder: articles, categories, synonyms, contact details and learned questions.

Loading never fails on bad content: every file that cannot be used becomes a located problem and
the rest of the content is still returned, so one bad article never takes the help centre down.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

from kb.articles import LANGS, Article
from kb.errors import Problem
from kb.learned import LearnedQuestion
from kb.learned import load as load_learned
from kb.learned import merge as merge_learned
from kb.parsing import content_hash, parse_article
from kb.templates import draft_problems

ARTICLES_DIR = "articles"
CONTACT_FILE, CATEGORIES_FILE = "contact.yml", "categories.yml"
CHANNELS = ("phone", "chat", "branch")  # contact.yml: phone is required, the others optional


@dataclass
class Content:
    root: Path
    articles: dict[str, Article] = field(default_factory=dict)  # by id, in path order
    problems: list[Problem] = field(default_factory=list)
    categories: dict[str, dict[str, str]] = field(default_factory=dict)  # key -> lang -> name
    synonyms: list[tuple[str, ...]] = field(default_factory=list)
    contact: dict[str, Any] = field(default_factory=dict)
    failed_paths: set[str] = field(default_factory=set)  # article files that could not be used
    failed_files: set[str] = field(default_factory=set)  # contact.yml, categories.yml: unusable
    learned: list[LearnedQuestion] = field(default_factory=list)  # learned-questions.yml entries

    def translations(self, article: Article) -> dict[str, Article]:
        """The versions of ``article`` by language, itself included."""
        return {a.lang: a for a in self.articles.values()
                if a.translation_group == article.translation_group}

    def version_in(self, article: Article, lang: str) -> Article:
        return self.translations(article).get(lang, article)

    def category_name(self, key: str, lang: str) -> str:
        return self.categories.get(key, {}).get(lang, key)


def article_files(root: Path) -> list[Path]:
    """Every ``.md`` file under ``root/articles`` (or ``root`` when it has no ``articles``
    folder), sorted; links are listed, never followed."""
    base = root / ARTICLES_DIR if (root / ARTICLES_DIR).is_dir() else root
    found = []
    for folder, _dirs, files in os.walk(base, followlinks=False):
        found += [Path(folder) / name for name in files if name.endswith(".md")]
    return sorted(found)


def relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def read_article_file(path: Path, root: Path, max_bytes: int,
                      known: Mapping[tuple[str, str], Article] | None = None) -> tuple[Article | None, list[Problem]]:
    """One article and its problems. ``known`` maps (path, content hash) to articles parsed
    before: an unchanged file is not parsed again."""
    name = relative(path, root)
    if path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(root.resolve()):
            return None, [Problem(name, 1, "file", "this link points outside the content folder; "
                                  "it is skipped")]
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(name, 1, "file", f"cannot be read: {exc.strerror or exc}")]
    if known is not None and (name, content_hash(raw)) in known:
        return known[(name, content_hash(raw))], []
    result = parse_article(raw, name, max_bytes)
    return result.article, list(result.problems)


def load_content(root: Path, max_bytes: int = 1024 * 1024,
                 known: Mapping[tuple[str, str], Article] | None = None) -> Content:
    """Everything in the content folder. ``known`` (see ``read_article_file``) lets the indexer
    skip parsing files it has already parsed."""
    root = Path(root)
    content = Content(root=root)
    for name, attribute in ((CATEGORIES_FILE, "categories"), (CONTACT_FILE, "contact")):
        before = len(content.problems)
        value = _load_yaml(root / name, dict, content.problems)
        if len(content.problems) > before and (value is None or name == CONTACT_FILE):
            content.failed_files.add(name)  # the indexer keeps the last good version
        setattr(content, attribute, value or {})
    groups = _load_yaml(root / "synonyms.yml", list, content.problems) or []
    content.synonyms = [tuple(str(w) for w in g) for g in groups if isinstance(g, list)]
    first_seen: dict[str, Article] = {}
    for path in article_files(root):
        article, problems = read_article_file(path, root, max_bytes, known)
        content.problems += problems
        if article is None:
            content.failed_paths.add(relative(path, root))
            continue
        drafted = draft_problems(article)
        if drafted:  # a draft: reported and left out of the index (a live version stays)
            content.problems += drafted
            content.failed_paths.add(article.path)
            continue
        if article.id in first_seen:
            other = first_seen[article.id]
            content.problems.append(Problem(article.path, article.line_of("id"), "id",
                                            f"duplicate id '{article.id}': already used by "
                                            f"{other.path}:{other.line_of('id')}"))
            content.failed_paths.add(article.path)
            continue
        first_seen[article.id] = article
        content.articles[article.id] = article
    # Learned questions join their units' similar questions (and their articles' hashes).
    content.learned, problems = load_learned(root)
    content.articles, more = merge_learned(content.articles, content.learned)
    content.problems += problems + more
    return content


def _load_yaml(path: Path, kind: type, problems: list[Problem]) -> Any:
    if not path.exists():
        return None
    name = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
        value = yaml.safe_load(text)
        lines = _key_lines(yaml.compose(text, Loader=yaml.SafeLoader))
    except UnicodeDecodeError:
        problems.append(Problem(name, 1, "encoding", "the file is not UTF-8"))
        return None
    except yaml.YAMLError as exc:
        mark, start = getattr(exc, "problem_mark", None), getattr(exc, "context_mark", None)
        where = (f" ({exc.context} on line {start.line + 1})"
                 if start and getattr(exc, "context", None) and start.line != getattr(mark, "line", None) else "")
        problems.append(Problem(name, mark.line + 1 if mark else 1, "yaml",
                                f"invalid YAML: {getattr(exc, 'problem', exc)}{where}"))
        return None
    if value is not None and not isinstance(value, kind):
        problems.append(Problem(name, 1, "yaml", f"expected a {'mapping' if kind is dict else 'list'}"))
        return None
    if kind is dict and name == CATEGORIES_FILE:
        for key, names in (value or {}).items():
            missing = [lang for lang in LANGS if not isinstance(names, dict) or not names.get(lang)]
            if missing:
                problems.append(Problem(name, lines.get((key,), 1), str(key),
                                        f"category has no name in {', '.join(missing)}"))
    if kind is dict and name == CONTACT_FILE:
        found = _contact_problems(value or {}, lines)
        problems += found
        if found:
            return None
    return value


def _key_lines(node, path: tuple = ()) -> dict[tuple, int]:
    """The line (1-based) of every mapping key in a composed YAML document, by key path."""
    lines: dict[tuple, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, child in node.value:
            here = path + (key.value,)
            lines[here] = key.start_mark.line + 1
            lines.update(_key_lines(child, here))
    return lines


def _contact_problems(contact: Mapping[str, Any], lines: Mapping[tuple, int]) -> list[Problem]:
    """What customers who get no answer would miss: the phone number to dial (and its ``tel``
    link), and for every channel given, its hours in each language and, online, its address."""
    problems = []

    def problem(path: tuple, message: str) -> None:
        line = next((lines[path[:n]] for n in range(len(path), 0, -1) if path[:n] in lines), 1)
        problems.append(Problem(CONTACT_FILE, line, ".".join(map(str, path)), message))

    unknown = [key for key in contact if key not in CHANNELS]
    for key in unknown:
        problem((key,), f"unknown channel '{key}': use {', '.join(CHANNELS)}")
    if "phone" not in contact:
        problem(("phone",), "the phone number customers can call is missing")
    for channel in CHANNELS:
        if channel not in contact:
            continue
        info = contact[channel]
        if not isinstance(info, dict):
            problem((channel,), "expected a mapping (number or url, and hours)")
            continue
        if channel == "phone":
            for key in ("number", "tel"):
                if not isinstance(info.get(key), str) or not info[key].strip():
                    problem((channel, key), f"'{key}' is missing: write it in quotes, e.g. \"0800-088-123\"")
            tel = info.get("tel")
            if isinstance(tel, str) and tel.strip() and not TEL.fullmatch(tel.strip()):
                problem((channel, "tel"), f"'{tel}' is not a number to dial: '+' and digits only")
        elif not isinstance(info.get("url"), str) or not info["url"].startswith(("https://", "http://")):
            problem((channel, "url"), "the address must start with https://")
        hours = info.get("hours")
        missing = [lang for lang in LANGS if not isinstance(hours, dict) or not hours.get(lang)]
        if missing:
            problem((channel, "hours"), f"hours are missing in {', '.join(missing)}")
    return problems


TEL = re.compile(r"\+?[0-9]{3,20}")
