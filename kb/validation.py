"""Checks across articles: what no single file can tell about itself."""
from __future__ import annotations

import posixpath
from collections import defaultdict
from datetime import date
from urllib.parse import parse_qs, urlsplit

from kb.articles import LANGS, Article
from kb.content import ARTICLES_DIR, Content
from kb.errors import Problem
from kb.learned import LEARNED_FILE
from kb.similar import key, language_problem, length_problem


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
    problems += _check_similar(articles, content)
    return sorted(set(problems))


def _check_references(article: Article, content: Content, by_path: dict[str, Article]) -> list[Problem]:
    problems = []
    if content.categories and article.category not in content.categories:
        problems.append(Problem(article.path, article.line_of("category"), "category",
                                f"unknown category '{article.category}': use one of "
                                f"{', '.join(content.categories)}"))
    # A file that failed (or is a draft) is reported once, on itself: links to it are not broken.
    failed = {_id_of_path(path) for path in content.failed_paths} | {
        f"{path} (missing file)" for path in content.failed_paths}
    for related in article.related:
        if related not in content.articles and related not in failed:
            problems.append(Problem(article.path, article.line_of("related"), "related",
                                    f"no article has the id '{related}'"))
    for href, line in article.links:
        target = link_target(href, article.path, by_path)
        if target is not None and target not in content.articles and target not in failed:
            problems.append(Problem(article.path, line, "link", f"broken link '{href}': no such article"))
    return problems


def _id_of_path(path: str) -> str:
    """The id an article file would have by convention: ``articles/en/cards/x.md`` -> ``x.en``."""
    parts = path.split("/")
    return f"{posixpath.splitext(parts[-1])[0]}.{parts[1]}" if len(parts) >= 3 else path


def _structure(article: Article) -> tuple[str, ...]:
    """The anchors of an article's questions and steps, in order: what translations share."""
    return tuple(u.anchor for u in article.units if u.kind in ("question", "step"))


def _check_structure(group: str, members: list[Article]) -> list[Problem]:
    """Translations whose questions or steps differ in number from the most common layout (ties:
    the first language in LANGS): answers and deep links line up by position across languages."""
    shapes = defaultdict(list)
    for article in members:
        shapes[_structure(article)].append(article)
    if len(shapes) < 2:
        return []
    order = {lang: n for n, lang in enumerate(LANGS)}
    reference = max(shapes, key=lambda s: (len(shapes[s]), -min(order.get(a.lang, 9) for a in shapes[s])))
    model = min(shapes[reference], key=lambda a: order.get(a.lang, 9))
    problems = []
    for shape, articles in shapes.items():
        if shape == reference:
            continue
        for article in articles:
            problems.append(Problem(article.path, article.body_line, "structure",
                                    f"{_describe(shape)}, but {model.path} has {_describe(reference)}: "
                                    f"translations in group '{group}' should have the same questions and "
                                    "steps in the same order", "warning"))
    return problems


def _describe(shape: tuple[str, ...]) -> str:
    questions = sum(a.startswith("q") for a in shape)
    steps = len(shape) - questions
    parts = [f"{questions} question{'s' * (questions != 1)}"] if questions or not steps else []
    parts += [f"{steps} step{'s' * (steps != 1)}"] if steps else []
    return "this translation has " + " and ".join(parts) if parts else "no questions"


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
            problems += _check_structure(group, members)
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


def _check_similar(articles: list[Article], content: Content) -> list[Problem]:
    """Each similar question in its article's language and of a sensible length, and no phrasing
    under two different answers of one language: search could not tell which one is meant.
    Learned questions are checked where they are written (``kb.learned``); here they take part
    in the comparison, located in the learned-questions file."""
    problems = []
    learned_lines = {(e.answer, key(e.query)): e.line for e in content.learned}
    # (language, key) -> [(answer, place, is a similar question)]
    phrasings: dict[tuple[str, str], list[tuple[str, str, bool]]] = defaultdict(list)
    for article in articles:
        for unit in article.units:
            answer = f"{article.id}#{unit.anchor}"
            heading = key(unit.heading) if unit.kind == "question" else None
            if heading is not None:
                phrasings[(article.lang, heading)].append((answer, f"{article.path}:{unit.line}", False))
            for question, line in zip(unit.similar, unit.similar_lines):
                phrasing = key(question)
                place = (f"{article.path}:{line}" if line else
                         f"{LEARNED_FILE}:{learned_lines.get((answer, phrasing), 1)}")
                phrasings[(article.lang, phrasing)].append((answer, place, True))
                if not line:
                    continue  # the learned-questions check has said what is wrong with it
                where = (article.path, line, "similar")
                found = language_problem(article.lang, question)
                if found:
                    problems.append(Problem(*where, found[1], found[0]))
                too_long = length_problem(question)
                if too_long:
                    problems.append(Problem(*where, too_long, "warning"))
                if phrasing == heading:
                    problems.append(Problem(*where, f"'{question}' repeats the question itself; "
                                            "write another way customers ask it", "warning"))
    for (_lang, phrasing), found in phrasings.items():
        answers = {answer for answer, _, _ in found}
        if not phrasing or len(answers) < 2:
            continue
        for answer, place, is_similar in found:
            if not is_similar:
                continue
            others = sorted({f"{a} ({p})" for a, p, _ in found if a != answer})
            path, _, line = place.rpartition(":")
            problems.append(Problem(path, int(line), "similar",
                                    f"the same question is also under {', '.join(others)}: search "
                                    "cannot tell which answer is meant; keep it under one"))
    return problems
