"""The staff area through Streamlit's AppTest, on a seeded log and a copy of the small index: the
figures and their definition, the failed groups, an action taken and undone from the page, the
"No" comments, failing files, and the area in another language."""
from __future__ import annotations

import secrets
import shutil
from datetime import datetime, timedelta, timezone

import pytest
from streamlit.testing.v1 import AppTest

from kb.settings import PROJECT_ROOT
from portal import resources, staff_groups
from portal.auth import hash_password
from portal.logstore import LogStore, session_hash

pytestmark = pytest.mark.model
APP = str(PROJECT_ROOT / "portal" / "app.py")
PASSWORD = secrets.token_urlsafe(16)
NOW = datetime.now(timezone.utc).replace(microsecond=0)
# (session, minutes ago, query, language, answer, unsure): s1 and s2 ask one need three ways; s3
# got an answer and said "No"; s4 was answered and left happy (not opening the article is fine).
SEARCHES = [("s1", 50, "the cashpoint gobbled my bank card", "en", "atm-withdrawal.en", True),
            ("s1", 49, "the atm swallowed my card", "en", "atm-withdrawal.en", True),
            ("s2", 40, "提款機把我的卡吞了不還", "zh-Hant", "atm-withdrawal.zh-Hant", True),
            ("s3", 30, "how long does a transfer take", "en", "transfer-limits.en", False),
            ("s4", 20, "I lost my card", "en", "card-lost-freeze.en", False)]


@pytest.fixture
def staff_app(small_index, tmp_path, monkeypatch):
    content, data = tmp_path / "content", tmp_path / "data"
    shutil.copytree(small_index.content_dir, content)
    shutil.copytree(small_index.data_dir, data)
    database = tmp_path / "portal.db"
    with LogStore.open(f"sqlite:///{database}") as store:
        ids = []
        for session, minutes, query, lang, answer, unsure in SEARCHES:
            ids.append(store.log_search(session_hash(session, "x"), query, query_lang=lang, ui_lang=lang,
                                        top_article_id=answer, confidence=0.3 if unsure else 0.9, unsure=unsure,
                                        status="unsure" if unsure else "answered",
                                        now=NOW - timedelta(minutes=minutes)))
        store.log_feedback(session_hash("s3", "x"), False, search_id=ids[3], article_id="transfer-limits.en",
                           reason="wrong", comment="I asked how LONG, call me on 0912-345-678",
                           now=NOW - timedelta(minutes=29))
    env = {"KB_CONTENT_DIR": str(content), "KB_DATA_DIR": str(data), "KB_EMBEDDERS": "use",
           "KB_WATCH_CONTENT": "false", "KB_DATABASE_URL": f"sqlite:///{database}",
           "KB_STAFF_PASSWORD_HASH": hash_password(PASSWORD)}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for cached in (resources.settings, resources.index, resources.search_log):
        cached.clear()
    from portal import staff
    staff._throttle.clear()

    def start(lang: str = "en") -> AppTest:
        app = AppTest.from_file(APP, default_timeout=300)
        app.query_params["staff"] = "1"
        app.query_params["lang"] = lang
        app.run()
        app.text_input(key="staff_password").input(PASSWORD).run()
        app.button(key="staff_sign_in").click().run()
        assert not app.exception, app.exception
        return app
    start.content = content
    yield start
    for cached in (resources.settings, resources.index, resources.search_log):
        cached.clear()


def texts(app) -> str:
    parts = [m.value for m in app.markdown] + [s.value for s in app.subheader] + [c.value for c in app.caption]
    parts += [e.value for e in app.error] + [s.value for s in app.success] + [i.value for i in app.info]
    parts += [x.label for x in app.expander] + [b.label for b in app.button] + [t.label for t in app.tabs]
    return "\n".join(parts)


def metric(app, label: str) -> str:
    return next(m.value for m in app.metric if m.label == label)


def test_figures_definition_groups_and_no_comments(staff_app):
    app = staff_app()
    page = texts(app)
    assert not [e.value for e in app.error if "went wrong" in e.value]
    assert metric(app, "Searches") == "5" and metric(app, "Failed") == "4"  # s4 did not fail
    assert metric(app, "Self-service share") == "20%"
    assert "What counts as a failed search" in page and "Not opening the article is **not** a failure" in page
    assert "within 120 seconds" in page and "within 10 minutes" in page  # the settings' values
    assert "Failed searches, grouped by meaning" in page
    assert f"cut at distance {staff_groups.threshold()['distance']}" in page
    groups = next(d.value for d in app.dataframe if "question" in d.value.columns)
    atm = groups[groups["examples"].str.contains("cashpoint")].iloc[0]
    assert atm["searches"] == 3 and atm["languages"] == "en, zh-Hant"  # one need, two languages
    assert "I asked how LONG" in page or any("I asked how LONG" in d.value.to_string() for d in app.dataframe)
    assert not any("0912-345-678" in d.value.to_string() for d in app.dataframe)  # stored redacted


def test_confirm_from_a_group_is_recorded_and_undone_from_the_page(staff_app):
    app = staff_app()
    app.button(key="group_confirm").click().run()
    assert "say who you are" in texts(app)  # nobody named: nothing done
    assert not (staff_app.content / "learned-questions.yml").exists()
    app.text_input(key="staff_name").input("mlin").run()
    options = app.selectbox(key="staff_group").options
    app.selectbox(key="staff_group").select_index(next(i for i, o in enumerate(options) if o.startswith("3 ×"))).run()
    app.selectbox(key="group_answer").set_value("atm-withdrawal.en#q4").run()
    app.button(key="group_confirm").click().run()
    assert not app.exception, app.exception
    assert "Done: 3 question(s) learned for atm-withdrawal.en#q4" in texts(app)
    learned = (staff_app.content / "learned-questions.yml").read_text(encoding="utf-8")
    assert "atm-withdrawal.zh-Hant#q4" in learned and "提款機把我的卡吞了不還" in learned and "by: mlin" in learned
    assert "not picked this up yet" in texts(app)  # the watcher is off here: the effect waits
    assert not [e.value for e in app.error if "went wrong" in e.value]  # (errors are shown, not raised)
    history = next(d.value for d in app.dataframe if "who" in d.value.columns)
    assert history.iloc[0]["who"] == "mlin" and history.iloc[0]["action"] == "confirm"
    app.button(key="staff_undo").click().run()
    assert "Done: undone:" in texts(app)
    assert "提款機" not in (staff_app.content / "learned-questions.yml").read_text(encoding="utf-8")


def test_failing_files_are_named_with_their_error(staff_app):
    (staff_app.content / "articles" / "en" / "cards" / "broken.md").write_text(
        "---\nid: broken.en\ntitle: [oops\n---\nbody\n", encoding="utf-8")
    app = staff_app()
    failing = next(d.value for d in app.dataframe if "error" in d.value.columns)
    broken = failing[failing["file"] == "articles/en/cards/broken.md"]
    assert len(broken) == 1 and "invalid YAML" in broken.iloc[0]["error"] and broken.iloc[0]["line"] == 4
    # (The small content is ten topics cut out of the whole, so its links to the rest fail too.)
    assert f"{failing['file'].nunique()} file(s) have errors" in texts(app)


def test_the_staff_area_speaks_traditional_chinese(staff_app):
    app = staff_app("zh-Hant")
    page = texts(app)
    assert "員工專區" in [h.value for h in app.header]
    assert "總覽" in page and "未解決的搜尋（依語意分組）" in page and "「未解決」的定義" in page
    assert metric(app, "搜尋次數") == "5"


def test_synonym_and_draft_from_a_no_comment_are_recorded(staff_app):
    app = staff_app()
    app.text_input(key="staff_name").input("akao").run()
    assert app.selectbox(key="staff_no_pick").options[0].startswith("how long does a transfer take")
    app.text_input(key="no_words").input("how long, how many days").run()
    app.button(key="no_synonym").click().run()
    assert not [e.value for e in app.error if "went wrong" in e.value]
    assert "Done: synonyms added: how long, how many days" in texts(app)
    synonyms = (staff_app.content / "synonyms.yml").read_text(encoding="utf-8")
    assert "akao" in synonyms and "- [how long, how many days]" in synonyms
    app.selectbox(key="no_category").set_value("transfers").run()
    app.button(key="no_draft").click().run()
    assert "Done: draft started: articles/en/transfers/how-long-does-a-transfer-take.md" in texts(app)
    draft = (staff_app.content / "articles/en/transfers/how-long-does-a-transfer-take.md").read_text(encoding="utf-8")
    assert "## how long does a transfer take\n" in draft
    history = next(d.value for d in app.dataframe if "who" in d.value.columns)
    assert list(history["action"][:2]) == ["draft", "synonym"] and set(history["who"][:2]) == {"akao"}
    drafts = "\n".join(m.value for m in app.markdown)
    assert "articles/en/transfers/how-long-does-a-transfer-take.md" in drafts  # listed as a draft
