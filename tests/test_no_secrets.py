"""No secret, password or key in the repository: the staff password exists only as a hash in
the environment, database passwords only in KB_DATABASE_URL."""
from __future__ import annotations

import re
import subprocess

import pytest

from kb.settings import PROJECT_ROOT

PATTERNS = {
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "password hash": re.compile(r"scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]{8,}\$"
                               r"|\$argon2(id|i|d)\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/=]{8,}\$"),
    "password in a URL": re.compile(r"://[^/\s:@'\"{}]+:(?!\*+@)[^/\s@'\"{}]+@"),  # "user:***@" is masked
    "cloud key": re.compile(r"\b(AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{35}|sk-[A-Za-z0-9]{32,}"
                            r"|gh[pousr]_[A-Za-z0-9]{30,})\b"),
    "assigned secret": re.compile(r"(?i)\b(password|passwd|secret|api_key|token)\s*[=:]\s*['\"][^'\"\s]{6,}['\"]"),
    "staff hash set": re.compile(r"KB_STAFF_PASSWORD_HASH\s*=\s*\S+"),
}


def tracked_files():
    try:
        listed = subprocess.run(["git", "ls-files"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return [PROJECT_ROOT / name for name in listed.stdout.splitlines()]


def test_no_secret_is_committed():
    found = []
    for path in tracked_files():
        if not path.is_file() or path.suffix in (".png", ".jpg", ".npy", ".npz", ".bin"):
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        for kind, pattern in PATTERNS.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(PROJECT_ROOT)}:{line}: {kind}: {match.group()[:40]}")
    assert found == []


# Samples are assembled at run time, so this file holds none of what it looks for.
@pytest.mark.parametrize("kind, sample", [
    ("private key", "-----BEGIN RSA " + "PRIVATE KEY-----"),
    ("password in a URL", "postgresql+psycopg://kb:" + "hunter2@db/kb"),
    ("assigned secret", "password = " + '"hunter22"'),
    ("password hash", "scrypt$16384$8$1$" + "c2FsdHNhbHQ=$aGFzaGhhc2g="),
    ("password hash", "$argon2id$v=19$m=19456,t=2,p=1$" + "c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNo"),
])
def test_the_scanner_would_catch_each_kind(kind, sample):
    assert PATTERNS[kind].search(sample)
