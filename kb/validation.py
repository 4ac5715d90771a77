"""Checks across articles: what no single file can tell about itself."""
from __future__ import annotations

import posixpath
from collections import defaultdict
from datetime import date
from urllib.parse import parse_qs, urlsplit

from kb.articles import LANGS, Article
from kb.content import ARTICLES_DIR, Content
from kb.errors import Problem


def check(content: Content, today: date, drift_days: int = 180,
          require_translations: bool = True) -> list[Problem]:
    """Every problem in the content, sorted by file and line: parse problems plus cross-checks.
    ``require_translations`` off is for single-language corpora, such as evaluation sets."""
    problems = list(content.problems)
    articles = list(content.articles.values())
    by_path = {a.path: a for a in articles}
    for article in articles:
        problems += _check_references(article, content, by_path)
        if article.review_by and article.review_by < today:
            problems.append(Problem(article.path, article.line_of("review_by"), "review_by",
                                    f"review date {article.review_by} has passed: check the fees, "
                                    "rates and limits, then set a new date", "warning"))
    if require_translations:
        problems += _check_groups(articles, content, drift_days)
    return sorted(set(problems))


def _check_references(article: Article, content: Content, by_path: dict[str, Article]) -> list[Problem]:
    problems = []
    if content.categories and article.category not in content.categories:
        problems.append(Problem(article.path, article.line_of("category"), "category",
                                f"unknown category '{article.category}': use one of "
                                f"{', '.join(content.categories)}"))
    for related in article.related:
        if related not in content.articles:
            problems.append(Problem(article.path, article.line_of("related"), "related",
                                    f"no article has the id '{related}'"))
    for href, line in article.links:
        target = link_target(href, article.path, by_path)
        if target is not None and target not in content.articles:
            problems.append(Problem(article.path, line, "link", f"broken link '{href}': no such article"))
    return problems


def link_target(href: str, from_path: str, by_path: dict[str, Article]) -> str | None:
    """The article id an internal link points to (possibly missing), or None for external links.

    Editors link either by id (``?article=card-lost-freeze.en``) or by relative file path
    (``../cards/card-lost-freeze.md``).
    """
    parts = urlsplit(href.strip())
    if parts.scheme or parts.netloc:
        return None
    if parts.query and not parts.path:
        ids = parse_qs(parts.query).get("article")
        return ids[0] if ids else None
    if parts.path.endswith(".md"):
        path = posixpath.normpath(posixpath.join(posixpath.dirname(from_path), parts.path))
        target = by_path.get(path)
        return target.id if target else f"{path} (missing file)"
    return None


def _check_groups(articles: list[Article], content: Content, drift_days: int) -> list[Problem]:
    problems = []
    groups: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        groups[article.translation_group].append(article)
    for group, members in groups.items():
        langs = [a.lang for a in members]
        first = min(members, key=lambda a: a.path)
        for lang in LANGS:
            if langs.count(lang) > 1:
                first_twin, second_twin = sorted((a for a in members if a.lang == lang), key=lambda a: a.path)[:2]
                problems.append(Problem(second_twin.path, second_twin.line_of("lang"), "lang",
                                        f"translation group '{group}' already has a {lang} version: "
                                        f"{first_twin.path}"))
        missing = [lang for lang in LANGS if lang not in langs]
        # A member that failed to parse is reported on its own; do not blame the group for it.
        if missing and not _failed_member(content, group, missing):
            problems.append(Problem(first.path, first.line_of("translation_group"), "translation_group",
                                    f"translation group '{group}' has no {', '.join(missing)} version"))
        if len(members) > 1:
            newest = max(members, key=lambda a: a.updated)
            oldest = min(members, key=lambda a: a.updated)
            if (newest.updated - oldest.updated).days > drift_days:
                problems.append(Problem(oldest.path, oldest.line_of("updated"), "updated",
                                        f"this translation was last updated {oldest.updated}, "
                                        f"{(newest.updated - oldest.updated).days} days before "
                                        f"{newest.path} ({newest.updated}): bring it up to date",
                                        "warning"))
    return problems


def _failed_member(content: Content, group: str, missing: list[str]) -> bool:
    return any(f"{ARTICLES_DIR}/{lang}/" in path and f"/{group}.md" in path
               for path in content.failed_paths for lang in missing)
