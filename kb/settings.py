"""One settings object for the whole project.

Every setting has a documented default and can be overridden by an environment variable named
``KB_<NAME>`` (upper case). ``python -m kb settings`` prints them all; the README lists them.
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected true/false, got {raw!r}")


def _names(raw: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def _optional(raw: str) -> str | None:
    return raw.strip() or None


def setting(default: Any, help: str, parse: Callable[[str], Any] | None = None,
            env_aliases: tuple[str, ...] = (), minimum: float | None = None,
            maximum: float | None = None, choices: tuple[str, ...] | None = None) -> Any:
    """Declare one setting: its default, what it means, how to read it from a string, and the
    values it may take (``minimum``/``maximum`` for numbers, ``choices`` for names; a tuple
    setting checks each of its items)."""
    if parse is None:
        parse = Path if isinstance(default, Path) else type(default)
    return field(default=default,
                 metadata={"help": help, "parse": parse, "env_aliases": env_aliases,
                           "minimum": minimum, "maximum": maximum, "choices": choices})


def _out_of_range(value: Any, meta: Mapping[str, Any]) -> str | None:
    """Why ``value`` is not allowed by a setting's declared range, or None."""
    if meta.get("choices") is not None:
        items = value if isinstance(value, tuple) else (value,)
        if isinstance(value, tuple) and not value:
            return f"name at least one of {', '.join(meta['choices'])}"
        wrong = [item for item in items if item not in meta["choices"]]
        if wrong:
            return f"{', '.join(map(str, wrong))} is not one of {', '.join(meta['choices'])}"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        low, high = meta.get("minimum"), meta.get("maximum")
        if value != value:  # NaN passes every comparison
            return "must be a number"
        if low is not None and high is not None and not low <= value <= high:
            return f"must be between {low} and {high}"
        if low is not None and value < low:
            return f"must be at least {low}"
        if high is not None and value > high:
            return f"must be at most {high}"
    return None


@dataclass(frozen=True)
class Settings:
    content_dir: Path = setting(PROJECT_ROOT / "content", "Folder holding the markdown articles "
                                "(articles/<lang>/<category>/*.md) and categories/synonyms/contact files.")
    data_dir: Path = setting(PROJECT_ROOT / "data", "Folder for the built index and the feedback "
                             "database; git-ignored.")
    embedders: tuple[str, ...] = setting(("use",), "Dense embedders to index and fuse, comma-separated, "
                                         "fastest first: use (USE multilingual), e5 (multilingual-e5-"
                                         "small), st (sentence-transformers model at KB_ST_MODEL).", _names,
                                         choices=("use", "e5", "st"))
    st_model: str = setting("", "Local sentence-transformers model folder for the 'st' embedder; "
                            "empty means the packaged English all-MiniLM-L6-v2.")
    threads: int = setting(min(os.cpu_count() or 2, 4), "CPU threads the embedders may use.", minimum=1)
    chunk_chars: int = setting(500, "Longest passage, in characters; longer sections are split "
                               "at sentence boundaries.", minimum=50)
    to_simplified: bool = setting(True, "Convert Traditional to Simplified Chinese before embedding "
                                  "and keyword tokenising (shown text stays original).", _bool)
    top_k: int = setting(5, "Articles returned per search (the best one plus related ones).",
                         minimum=1)
    candidates: int = setting(40, "Passages each retriever contributes before fusion.", minimum=1)
    ranker_dir: Path = setting(PROJECT_ROOT / "kb" / "models", "Folder of the fitted rankers "
                               "(ranker.<setup>.json, written by python -m eval calibrate); a setup "
                               "without one is ranked by reciprocal rank fusion, uncalibrated.")
    adapter: bool = setting(True, "Learn a content adapter at every build (kb/adapter.py): a linear map "
                            "on each embedder's query vectors, fitted in seconds on the content's own "
                            "headings, similar questions, titles and tags -> their answers.", _bool)
    adapter_refit_share: float = setting(0.05, "An incremental build keeps the live adapter unless at "
                                         "least this share of the content's questions is new to it "
                                         "(fitting takes seconds; a one-article edit stays under one).",
                                         minimum=0.0, maximum=1.0)
    rrf_k: int = setting(60, "Reciprocal-rank-fusion constant: higher flattens the rank curve.",
                       minimum=0)
    confidence_threshold: float = setting(0.88, "Below this calibrated confidence the answer says it "
                                          "is unsure and offers ways to reach a person (chosen on the "
                                          "tuning queries: the lowest with at most 3% confidently wrong "
                                          "answers, see python -m eval calibrate).",
                                          minimum=0.0, maximum=1.0)
    query_max_chars: int = setting(500, "Queries are cut to this many characters before search.",
                              minimum=1)
    searches_per_minute: int = setting(20, "Portal: questions one browser session may ask per minute; "
                                       "beyond it the customer is asked, politely, to wait (and offered "
                                       "the phone number).", minimum=1)
    max_article_kb: int = setting(1024, "Articles larger than this are rejected by the check.",
                              minimum=1)
    drift_days: int = setting(180, "Translations updated this many days apart are reported as drifted.",
                          minimum=0)
    watch_content: bool = setting(True, "The portal re-indexes by itself when files under the content "
                                  "folder change (python -m indexer watch does the same alone).", _bool)
    keep_replaced_minutes: float = setting(10.0, "A replaced index build stays on disk this long, so "
                                           "portals still reading it are never cut off (the build "
                                           "before the live one always stays).", minimum=2.0)
    chroma_host: str | None = setting(None, "Chroma server host; when set, the index lives on that "
                                      "server instead of under the data dir.", _optional,
                                      env_aliases=("CHROMA_HOST",))
    chroma_port: int = setting(8000, "Chroma server port.", env_aliases=("CHROMA_PORT",),
                              minimum=1, maximum=65535)
    database_url: str = setting("", "SQLAlchemy URL for searches and feedback; empty means SQLite "
                                "at <data_dir>/portal.db. PostgreSQL: postgresql+psycopg://...")
    db_busy_seconds: float = setting(3.0, "The one timeout of the search-log database: how long a "
                                     "write waits for a lock, a connection or a statement before it "
                                     "gives up on that row (written in the background: answers never "
                                     "wait for it).", minimum=0.05, maximum=600.0)
    retention_days: int = setting(90, "Stored searches and feedback older than this are deleted.",
                              minimum=1)
    staff_password_hash: str | None = setting(None, "argon2id hash of the staff password "
                                              "(python -m portal hash-password; older scrypt hashes "
                                              "still work and are upgraded); unset turns the "
                                              "staff area off.", _optional)
    staff_idle_minutes: float = setting(15.0, "A staff session unused this long is signed out.",
                                        minimum=1.0, maximum=24 * 60.0)
    reformulation_seconds: int = setting(120, "Staff analytics: a search failed when the same session "
                                         "asks something else within this many seconds without "
                                         "having said the answer helped (a reformulation).")
    contact_window_minutes: int = setting(10, "Staff analytics: a search failed when the session "
                                          "clicks phone, chat or branch within this many minutes "
                                          "after the answer, before searching again.")

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            reason = _out_of_range(value, f.metadata)
            if reason:
                from kb.errors import SettingsError
                shown = ",".join(value) if isinstance(value, tuple) else value
                raise SettingsError(f"KB_{f.name.upper()}={str(shown)!r}: {reason}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> "Settings":
        """Defaults, then ``KB_*`` environment variables, then explicit keyword overrides."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            for name in (f"KB_{f.name.upper()}", *f.metadata["env_aliases"]):
                if name in environ:
                    try:
                        values[f.name] = f.metadata["parse"](environ[name])
                    except ValueError as exc:
                        from kb.errors import SettingsError
                        raise SettingsError(f"{name}={environ[name]!r}: {exc}") from None
                    break
        values.update(overrides)
        return cls(**values)

    def replace(self, **changes: Any) -> "Settings":
        return dataclasses.replace(self, **changes)

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'portal.db'}"


def describe() -> list[tuple[str, str, str]]:
    """(environment variable, default, help) for every setting, for docs and ``kb settings``."""
    rows = []
    for f in dataclasses.fields(Settings):
        default = f.default
        if isinstance(default, Path):
            default = default.relative_to(PROJECT_ROOT).as_posix() + "/"
        elif isinstance(default, tuple):
            default = ",".join(default)
        rows.append((f"KB_{f.name.upper()}", "" if default is None else str(default),
                     f.metadata["help"]))
    return rows
