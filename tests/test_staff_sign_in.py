"""Staff sign-in through the real portal (AppTest): every attempt recorded, idle sessions end,
an outdated hash is upgraded on sign-in."""
from __future__ import annotations

import base64
import hashlib
import secrets
import sqlite3
import time

import pytest
from streamlit.testing.v1 import AppTest

from kb.settings import PROJECT_ROOT
from portal import resources
from portal.auth import current_hash, hash_password

pytestmark = pytest.mark.model
APP = str(PROJECT_ROOT / "portal" / "app.py")
PASSWORD = secrets.token_urlsafe(16)  # made up per run: no password lives in the repository


@pytest.fixture
def staff(small_index, tmp_path, monkeypatch):
    """A portal runner at ?staff=1 with its own database and data folder for the upgraded hash."""
    import shutil
    data = tmp_path / "data"
    shutil.copytree(small_index.data_dir, data)
    env = {"KB_CONTENT_DIR": str(small_index.content_dir), "KB_DATA_DIR": str(data), "KB_EMBEDDERS": "use",
           "KB_WATCH_CONTENT": "false", "KB_DATABASE_URL": f"sqlite:///{tmp_path / 'portal.db'}",
           "KB_STAFF_PASSWORD_HASH": hash_password(PASSWORD)}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    from portal import staff as staff_page
    for cached in (resources.settings, resources.index, resources.search_log, staff_page._throttle):
        cached.clear()

    def start() -> AppTest:
        app = AppTest.from_file(APP, default_timeout=60)
        app.query_params["lang"] = "en"
        app.query_params["staff"] = "1"
        return app.run()
    start.database, start.data, start.monkeypatch = tmp_path / "portal.db", data, monkeypatch
    yield start
    for cached in (resources.settings, resources.index, resources.search_log, staff_page._throttle):
        cached.clear()


def sign_in(app: AppTest, password: str) -> AppTest:
    app.text_input(key="staff_password").input(password).run()
    return app.button(key="staff_sign_in").click().run()


def signed_in(app: AppTest) -> bool:
    return "staff_signed_in" in app.session_state and bool(app.session_state["staff_signed_in"])


def test_every_sign_in_is_recorded_with_a_hashed_client(staff):
    app = staff()
    for password in ("wrong", "wrong", "wrong", PASSWORD):
        sign_in(app, password)
    assert not app.exception and not signed_in(app)  # the fourth try waits, even with the right password
    assert resources.search_log().flush(30)
    with sqlite3.connect(staff.database) as connection:
        rows = connection.execute("SELECT client_hash, result, created_at FROM sign_ins ORDER BY id").fetchall()
    assert [row[1] for row in rows] == ["wrong", "wrong", "wrong", "throttled"]
    assert len({row[0] for row in rows}) == 1 and len(rows[0][0]) == 32 and all(row[2] for row in rows)


def test_a_staff_session_ends_after_idle_time(staff):
    app = sign_in(staff(), PASSWORD)
    assert signed_in(app) and "Sign out" in [b.label for b in app.button]
    app.session_state["staff_active_at"] = time.monotonic() - 16 * 60  # KB_STAFF_IDLE_MINUTES: 15
    app.run()
    assert not signed_in(app)
    assert any("signed out after 15 minutes" in info.value for info in app.info)
    assert [t for t in app.text_input if t.key == "staff_password"]


def test_an_old_scrypt_hash_signs_in_and_is_upgraded(staff):
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(PASSWORD.encode(), salt=salt, n=2 ** 14, r=8, p=1, dklen=32)
    old = f"scrypt$16384$8$1${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"
    staff.monkeypatch.setenv("KB_STAFF_PASSWORD_HASH", old)
    resources.settings.clear()
    app = sign_in(staff(), PASSWORD)
    assert signed_in(app)
    upgraded = staff.data / "staff-password.json"
    assert upgraded.stat().st_mode & 0o777 == 0o600
    assert current_hash(old, upgraded).startswith("$argon2id$")
