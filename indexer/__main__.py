"""``python -m indexer build [--full]`` and ``python -m indexer watch``."""
from __future__ import annotations

import argparse
import logging
import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # models come from installed packages, never a hub

from kb.errors import KbError  # noqa: E402
from kb.settings import Settings  # noqa: E402


def _print_problems(report) -> None:
    for problem in report.problems:
        print(problem, file=sys.stderr)


def run_build(settings: Settings, full: bool) -> int:
    from indexer.build import build
    report = build(settings, full=full, progress=sys.stderr.isatty())
    _print_problems(report)
    print(report.summary())
    return 1 if report.errors else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m indexer", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build_cmd = commands.add_parser("build", help="index what changed in the content folder")
    build_cmd.add_argument("--full", action="store_true", help="re-embed everything")
    watch_cmd = commands.add_parser("watch", help="re-index whenever an article is saved")
    watch_cmd.add_argument("--debounce", type=float, default=0.5, help="seconds to wait for more saves")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = Settings.from_env()
        if args.command == "build":
            return run_build(settings, args.full)
        from indexer.watch import watch
        return watch(settings, args.debounce)
    except KbError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
