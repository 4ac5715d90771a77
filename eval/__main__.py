"""``python -m eval run | compare | calibrate | bench``: see each command's --help."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from kb.errors import KbError  # noqa: E402
from kb.settings import PROJECT_ROOT, Settings  # noqa: E402

QUERIES_DIR = PROJECT_ROOT / "eval" / "queries"


def _print_run(result) -> None:
    from eval.run import metrics_table
    print(f"\n{result.name}: {len(result.judged)} queries, system {result.system}")
    if result.examples:
        e = result.examples
        print(f"examples: {e['attached']} of {e['read']} attached as similar questions of {e['entries']} "
              f"entries ({e['refused_also_a_query']} refused as queries, {e['left_out_unknown']} unknown, "
              f"{e['repeated']} repeats)")
    print(metrics_table({"overall": result.overall, **result.per_lang}))
    print(f"answer missing from the top 10: {result.missing_top10:.1%}")
    u = result.unanswerable
    if u["queries"]:
        print(f"no-answer queries: {u['queries']}, said unsure for {u['said_unsure']:.1%}")
    print(f"answerable queries said unsure: {u['answerable_said_unsure']:.1%}; answered confidently "
          f"with the right article: {u['answered_and_right']:.1%}, the right passage: "
          f"{u['answered_and_right_passage']:.1%}")
    if "confidently_wrong" in u:
        from eval.run import reliability_table
        print(f"confidently wrong (answered, not unsure, wrong passage shown first): "
              f"{u['confidently_wrong']:.1%} of answerable queries (wrong article: "
              f"{u['confidently_wrong_article']:.1%})")
        print("reliability of the confidence:\n" + reliability_table(result.reliability))
    for warning in result.warnings[:5]:
        print(f"warning: {warning}", file=sys.stderr)
    if len(result.warnings) > 5:
        print(f"warning: ... and {len(result.warnings) - 5} more", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run_cmd = commands.add_parser("run", help="evaluate search on a labelled query set")
    run_cmd.add_argument("--corpus", type=Path, help="corpus JSONL (default: the bundled content/)")
    run_cmd.add_argument("--queries", type=Path, help="queries JSONL (default: bundled tune set)")
    run_cmd.add_argument("--system", choices=("hybrid", "dense", "keyword"), default="hybrid")
    run_cmd.add_argument("--out", type=Path, help="folder for run.trec, per_query.csv, report.md")
    run_cmd.add_argument("--skip-unknown", action="store_true",
                         help="leave out queries (and --examples) whose relevant ids are not in the corpus")
    run_cmd.add_argument("--examples", type=Path,
                         help="labelled questions JSONL (query line format, one relevant corpus id each), "
                              "attached to the --corpus entries as their similar questions; never the "
                              "queries evaluated (an example with a query's words is refused)")
    compare_cmd = commands.add_parser("compare", help="compare two runs with significance tests")
    compare_cmd.add_argument("run_a", type=Path)
    compare_cmd.add_argument("run_b", type=Path)
    commands.add_parser("record", help="re-measure the bundled sets and write eval/recorded.json, "
                                       "the quality gate's floor (commit it deliberately)")
    calibrate_cmd = commands.add_parser("calibrate", help="fit the ranker and its confidence on labelled queries")
    calibrate_cmd.add_argument("--queries", type=Path, default=QUERIES_DIR / "tune.jsonl")
    calibrate_cmd.add_argument("--corpus", type=Path,
                               help="fit on an external corpus JSONL instead of the bundled content "
                                    "(KB_RANKER_DIR must name another folder than kb/models)")
    calibrate_cmd.add_argument("--examples", type=Path, help="with --corpus: labelled questions attached "
                                                             "as similar questions, as in eval run")
    calibrate_cmd.add_argument("--skip-unknown", action="store_true",
                               help="with --corpus: leave out queries and examples naming no entry")
    bench_cmd = commands.add_parser("bench", help="speed and memory on synthetic content")
    bench_cmd.add_argument("--sizes", default="1000,10000,100000", help="passage counts")
    bench_cmd.add_argument("--queries", type=int, default=200)
    commands.add_parser("bench-indexer", help="full build speed and one-article re-index time")
    commands.add_parser("bench-search", help="warm search latency on the bundled content")
    commands.add_parser("bench-portal", help="question-to-answer time in a real browser, cold start")
    commands.add_parser("bench-text", help="worst-case parser, redactor and search times on hostile and "
                                           "random text (the bounds unit tests no longer assert)")
    log_cmd = commands.add_parser("bench-log", help="what the search log adds to an answer, with the "
                                                    "database healthy, locked or stopped")
    log_cmd.add_argument("--calls", type=int, default=200)
    log_cmd.add_argument("--postgres", default=os.environ.get("KB_BENCH_POSTGRES_URL"),
                         help="a PostgreSQL URL to measure too (a scratch database: rows are added)")
    load_cmd = commands.add_parser("load", help="concurrent browser sessions and search threads, with feedback")
    load_cmd.add_argument("--customers", type=int, default=8)
    load_cmd.add_argument("--questions", type=int, default=6, help="per customer")
    load_cmd.add_argument("--threads", type=int, default=8)
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        if args.command == "run":
            from eval.run import run
            queries = args.queries or QUERIES_DIR / "tune.jsonl"
            result = run(queries, args.out, settings, args.system, args.corpus, args.skip_unknown,
                         progress=sys.stderr.isatty(), examples=args.examples)
            _print_run(result)
            if args.out:
                print(f"wrote {args.out}/run.trec, per_query.csv, metrics.json, report.md")
            return 0
        if args.command == "compare":
            from eval.compare import compare
            print(compare(args.run_a, args.run_b))
            return 0
        if args.command == "record":
            from eval.gate import record
            print(json.dumps(record(settings), indent=2))
            return 0
        if args.command == "calibrate":
            if args.corpus or args.examples:
                from eval.calibrate_corpus import calibrate_corpus
                if not args.corpus:
                    parser.error("--examples needs --corpus")
                print(json.dumps(calibrate_corpus(settings, args.corpus, args.queries, args.examples,
                                                  args.skip_unknown), indent=2))
                return 0
            from eval.calibrate import calibrate
            print(json.dumps(calibrate(settings, args.queries), indent=2))
            return 0
        if args.command == "bench-log":
            from eval.bench_log import main as bench_log
            return bench_log(settings, args.calls, args.postgres)
        if args.command == "load":
            from eval.load import main as load
            return load(settings, args.customers, args.questions, args.threads)
        if args.command == "bench-text":
            from eval.bench_text import bench_text
            return bench_text(settings)
        from eval import bench
        if args.command == "bench":
            return bench.bench_scale(settings, [int(s) for s in args.sizes.split(",")], args.queries)
        if args.command == "bench-indexer":
            return bench.bench_indexer(settings)
        if args.command == "bench-portal":
            return bench.bench_portal(settings)
        return bench.bench_search(settings)
    except KbError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
