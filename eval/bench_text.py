"""``python -m eval bench-text``: worst-case times of the parser, the redactor and search on
hostile and random text. These were wall-clock bounds in unit tests, which a busy machine can
fail; here they are measured and printed beside the bound they were held to."""
from __future__ import annotations

import random
import statistics
import time

from kb.settings import Settings

# Inputs that make a careless regular expression backtrack for seconds or hours.
PATHOLOGICAL = {
    "hyphenated ones": "1-" * 5000,
    "spaced ones": "1 " * 5000,
    "at signs": "a@" * 5000,
    "pluses": "+1" * 5000,
    "spaced pluses": "+1 " * 5000,
    "one plus, long run": "+1" + " 1" * 5000,
    "zeros": "0" * 10000,
    "card groups": "4111 " * 2000,
    "mobile groups": "0912-" * 2000,
    "parentheses": "(0" * 5000,
    "long local part": "a" * 10000 + "@",
    "long domain": "@" + "a." * 5000,
    "dotted local part": "a." * 5000 + "@b.com",
    "short addresses": "a@b.ca" * 1700,
    "full-width": "１－" * 5000,
    "random letters and digits": "".join(random.Random(7).choices("0123456789abcdefghijklmnopqrstuvwxyz",
                                                                   k=10000)),
    "written-out dots": "a dot " * 3000 + "at b dot com",
    "spaced at words": " at " * 5000,
    "at and dot words": "a at b dot " * 2000,
    "account words": "帳號 " * 5000,
    "account digits": "account 1 " * 2000,
    "cvv words": "cvv " * 5000,
    "expiry words": "exp 1/" * 3000,
    "digits, double spaces": "1  " * 5000,
    "digits, dots": "1." * 5000,
    "digits, slashes": "1/" * 5000,
    "phone words": "電話 " * 5000,
    "ten-digit blocks": "1234567890 " * 1000,
}
# Characters customers and editors produce, plus the troublesome ones (as the property tests).
ALPHABET = list("卡片遺失凍結掛失银行卡丢了转账限额 ATM OTP\n\r\t\u200b\u202e\ufeff#*-|>`[]()!<>:0123456789@."
                "abcdefghijklmnopqrstuvwxyz")
# The bounds the unit tests used to assert, in ms.
BOUNDS = {"redact, pathological": 2000, "redact, random": 500, "parse, random": 2000, "search, random": 2000}


def random_texts(count: int, longest: int, seed: int = 16) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choices(ALPHABET, k=rng.randint(0, longest))) for _ in range(count)]


def _ms(function, *args) -> float:
    started = time.perf_counter()
    function(*args)
    return (time.perf_counter() - started) * 1000


def _line(name: str, times: list[float]) -> str:
    worst = max(times)
    bound = BOUNDS[name]
    return (f"{name:<22} {len(times):>5} inputs: median {statistics.median(times):8.2f} ms, "
            f"worst {worst:8.2f} ms (bound {bound} ms: {'within' if worst < bound else 'OVER'})")


def bench_text(settings: Settings, samples: int = 300, search: bool = True) -> int:
    """Print worst-case times; the exit status is 1 when a bound is exceeded."""
    from kb.parsing import parse_article
    from kb.redact import redact
    lines = []
    pathological = [_ms(redact, text) for text in PATHOLOGICAL.values()]
    lines.append(_line("redact, pathological", pathological))
    texts = random_texts(samples, 400)
    lines.append(_line("redact, random", [_ms(redact, text) for text in texts]))
    articles = [f"---\nid: a.en\ntitle: {t[:40]!r}\nlang: en\ntype: faq\ncategory: cards\ntags: []\n"
                f"translation_group: a\nupdated: 2026-01-01\n---\n## {t[:60]}?\n{t}\n" for t in texts]
    lines.append(_line("parse, random", [_ms(parse_article, a.encode("utf-8", "surrogatepass"), "any.md")
                                         for a in articles]))
    if search:
        from indexer.build import build
        from indexer.index import Index
        from kb.embedders import create_all
        from kb.search import search as run_search
        embedders = create_all(settings.embedders, settings.threads, settings.st_model)
        local = settings.replace(data_dir=settings.data_dir / "eval")
        build(local, embedders=embedders)
        snapshot = Index.open(local, embedders).snapshot()
        queries = random_texts(samples // 3, 400, seed=17) + random_texts(5, 12000, seed=18)
        run_search(queries[0], snapshot, embedders, local)  # warm

        def one(query: str) -> None:
            try:
                run_search(query, snapshot, embedders, local)
            except Exception as exc:  # only our own errors are expected; a test checks that
                from kb.errors import KbError
                if not isinstance(exc, KbError):
                    raise
        lines.append(_line("search, random", [_ms(one, q) for q in queries]))
    worst = max(pathological)
    slowest = max(PATHOLOGICAL, key=lambda name: pathological[list(PATHOLOGICAL).index(name)])
    lines.append(f"slowest pathological input: {slowest} ({worst:.1f} ms)")
    print("\n".join(lines))
    return 1 if any("OVER" in line for line in lines) else 0
