"""Command line for editors: ``python -m kb check [PATH]``, ``python -m kb new ...``,
``python -m kb learn QUERY --answer ID#ANCHOR`` (and ``--undo``, or ``python -m kb unlearn``)."""
from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from kb import learned, templates
from kb.articles import LANGS, TYPES
from kb.content import ARTICLES_DIR, load_content
from kb.errors import KbError, LearnError
from kb.settings import Settings, describe
from kb.validation import check


def content_root(path: Path) -> Path:
    """The content folder that ``path`` lies in: the nearest folder holding ``articles/``."""
    path = path.resolve()
    for folder in (path, *path.parents):
        if (folder / ARTICLES_DIR).is_dir():
            return folder
    return path if path.is_dir() else path.parent


def run_check(target: Path, settings: Settings, today: date, out=sys.stdout) -> int:
    if not target.exists():
        print(f"{target}: no such file or folder", file=out)
        return 2
    root = content_root(target)
    content = load_content(root, settings.max_article_kb * 1024)
    problems = check(content, today, settings.drift_days)
    scope = target.resolve()
    shown = [p for p in problems if (root / p.path).resolve().is_relative_to(scope) or scope == root]
    for problem in shown:
        print(_located(problem, root), file=out)
    errors = sum(p.severity == "error" for p in shown)
    warnings = len(shown) - errors
    print(f"{len(content.articles) + len(content.failed_paths)} articles checked: "
          f"{errors} errors, {warnings} warnings", file=out)
    return 1 if errors else 0


def _located(problem, root: Path) -> str:
    full = root / problem.path
    try:
        shown = full.relative_to(Path.cwd())
    except ValueError:
        shown = full
    return str(problem).replace(problem.path, shown.as_posix(), 1)


def run_new(args, settings: Settings, today: date, out=None) -> int:
    """Write a new article from the template: ``--lang`` alone, or all three with ``--all-langs``
    (not with ``--group``: that adds one language to an existing topic). The file stays a draft,
    left out of the index, until its placeholders are replaced."""
    out = out or sys.stdout
    root = Path(args.content_dir) if args.content_dir else settings.content_dir
    content = load_content(root, settings.max_article_kb * 1024)
    try:
        planned = templates.plan_new(root, content, kind=args.type, lang=args.lang,
                                     category=args.category, title=args.title, group=args.group,
                                     all_langs=getattr(args, "all_langs", False),
                                     questions=getattr(args, "question", None) or (), today=today)
    except ValueError as exc:
        print(exc, file=out)
        return 2
    for path, text in planned.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path} (a draft until its placeholders are replaced; kb check names them)", file=out)
    return 0


def run_learn(args, settings: Settings, out=None) -> int:
    """Add (or with ``--undo`` remove) a learned question; say what was done, or why not."""
    out = out or sys.stdout
    root = Path(args.content_dir) if args.content_dir else settings.content_dir
    file = learned.path_in(root)
    try:
        if args.undo:
            entry = learned.remove(root, args.query, args.answer)
            print(f"unlearned '{entry.query}' -> {entry.answer} (was {_shown(file)}:{entry.line})", file=out)
        else:
            content = load_content(root, settings.max_article_kb * 1024)
            entry = learned.add(root, args.query, args.answer, args.by or _user(), args.note or "",
                                articles=content.articles)
            article = content.articles[entry.article_id]
            unit = next(u for u in article.units if u.anchor == entry.anchor)
            print(f"learned '{entry.query}' -> {entry.answer} ({unit.heading or article.title}) "
                  f"in {_shown(file)}:{entry.line}", file=out)
            if entry.query != " ".join(args.query.split()):
                print("personal data was removed from the query before it was written", file=out)
    except LearnError as exc:
        print(f"not done: {exc.user_message}", file=out)
        return 2
    print("the running portal re-indexes by itself (KB_WATCH_CONTENT); otherwise run "
          "'python -m indexer build'. Commit the file for review.", file=out)
    return 0


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


def _user() -> str:
    import getpass
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kb", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    check_cmd = commands.add_parser("check", help="validate articles; one line per problem")
    check_cmd.add_argument("path", nargs="?", help="content folder, sub-folder or file (default: KB_CONTENT_DIR)")
    new_cmd = commands.add_parser("new", help="write a new article from a template")
    new_cmd.add_argument("--type", required=True, choices=TYPES)
    new_cmd.add_argument("--lang", required=True, choices=LANGS, help="the language to write")
    new_cmd.add_argument("--all-langs", action="store_true",
                         help="write all three languages of a new topic (--lang's first)")
    new_cmd.add_argument("--question", action="append",
                         help="a question heading to start from (FAQ; repeat for more)")
    new_cmd.add_argument("--category", required=True)
    new_cmd.add_argument("--title", help="English title, used for the new id")
    new_cmd.add_argument("--group", help="existing translation group to add this language to")
    new_cmd.add_argument("--content-dir", help="default: KB_CONTENT_DIR")
    for name, undo in (("learn", False), ("unlearn", True)):
        learn_cmd = commands.add_parser(name, help=(
            "remove a learned question" if undo else
            "add a confirmed customer question to an answer's similar questions"))
        learn_cmd.add_argument("query", help="the customer's question, as asked (personal data is removed)")
        learn_cmd.add_argument("--answer", required=True, metavar="ID#ANCHOR",
                               help="the answer, e.g. card-lost-freeze.en#q1")
        learn_cmd.add_argument("--undo", action="store_true", default=undo, help="remove it instead")
        learn_cmd.add_argument("--by", help="who confirmed it (default: your user name)")
        learn_cmd.add_argument("--note", help="why, for the reviewer")
        learn_cmd.add_argument("--content-dir", help="default: KB_CONTENT_DIR")
    tune_cmd = commands.add_parser("tune-model", help="fine-tune a sentence-transformers model on the content's "
                                   "pairs into a folder for KB_ST_MODEL (optional, slow on CPU)")
    tune_cmd.add_argument("out", type=Path, help="new folder for the tuned model")
    tune_cmd.add_argument("--base", default="", help="sentence-transformers folder to start from "
                                                   "(default: the packaged all-MiniLM-L6-v2)")
    tune_cmd.add_argument("--epochs", type=int, default=1)
    tune_cmd.add_argument("--max-pairs", type=int, default=0, help="train on a random sample of this many "
                                                                   "pairs (0: all)")
    tune_cmd.add_argument("--batch-size", type=int, default=16)
    settings_cmd = commands.add_parser("settings", help="list every setting, its environment variable and default")
    settings_cmd.add_argument("--markdown", action="store_true", help="as a table for the README")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    today = date.today()
    if args.command == "check":
        return run_check(Path(args.path) if args.path else settings.content_dir, settings, today)
    if args.command == "new":
        return run_new(args, settings, today)
    if args.command in ("learn", "unlearn"):
        return run_learn(args, settings)
    if args.command == "tune-model":
        from eval.tune_model import tune  # torch and sentence-transformers: kept out of the core
        try:
            report = tune(settings, args.out, args.base, args.epochs, args.max_pairs, args.batch_size)
        except KbError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        import json
        print(json.dumps(report, indent=2))
        print(f"KB_ST_MODEL={args.out} KB_EMBEDDERS=use,st  (then: python -m indexer build --full)")
        return 0
    if args.markdown:
        print("| variable | default | what it does |\n|---|---|---|")
    for name, default, help_text in describe():
        print(f"| `{name}` | `{default}` | {help_text} |" if args.markdown else f"{name}={default}\n    {help_text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
