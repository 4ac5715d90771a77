"""``python -m portal hash-password``: print the hash to put in KB_STAFF_PASSWORD_HASH.
``python -m portal purge``: delete stored searches and feedback older than KB_RETENTION_DAYS
(portal processes also do it when they start; run this daily from cron for long-lived ones)."""
from __future__ import annotations

import getpass
import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["purge"]:
        from kb.errors import KbError
        from kb.settings import Settings
        from portal.logstore import LogStore
        settings = Settings.from_env()
        try:
            with LogStore.open(settings.resolved_database_url) as store:
                removed = store.delete_older_than(settings.retention_days)
        except KbError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(f"deleted {removed} rows older than {settings.retention_days} days")
        return 0
    if argv != ["hash-password"]:
        print("usage: python -m portal hash-password | purge", file=sys.stderr)
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
