"""``python -m portal hash-password``: print the hash to put in KB_STAFF_PASSWORD_HASH."""
from __future__ import annotations

import getpass
import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv != ["hash-password"]:
        print("usage: python -m portal hash-password   (reads the password, prints its hash)", file=sys.stderr)
        return 2
    from portal.auth import hash_password
    password = getpass.getpass("Staff password: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    if len(password) < 12:
        print("choose a password of at least 12 characters", file=sys.stderr)
        return 2
    print(hash_password(password))
    return 0


if __name__ == "__main__":
    sys.exit(main())
