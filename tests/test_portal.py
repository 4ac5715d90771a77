"""The portal's flows through Streamlit's AppTest: real app script, real index, real database."""
from __future__ import annotations

import secrets
import sqlite3
from html.parser import HTMLParser

import pytest
from streamlit.testing.v1 import AppTest

from kb.settings import PROJECT_ROOT
from portal import resources
from portal.auth import hash_password

pytestmark = pytest.mark.model
APP = str(PROJECT_ROOT / "portal" / "app.py")
PASSWORD = secrets.token_urlsafe(16)  # made up per run: no password lives in the repository


@pytest.fixture
def portal(small_index, tmp_path, monkeypatch):
    """An app runner over the small index, with its own feedback database."""
    database = tmp_path / "portal.db"
    env = {"KB_CONTENT_DIR": str(small_index.content_dir), "KB_DATA_DIR": str(small_index.data_dir),
           "KB_EMBEDDERS": "use", "KB_WATCH_CONTENT": "false", "KB_DATABASE_URL": f"sqlite:///{database}"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for cached in (resources.settings, resources.index, resources.search_log):
        cached.clear()  # the models stay loaded: they do not depend on these settings

    def start(**params) -> AppTest:
        app = AppTest.from_file(APP, default_timeout=60)
        for name, value in params.items():
            app.query_params[name] = value
        return app.run()
    start.database = database
    start.monkeypatch = monkeypatch
    yield start
    for cached in (resources.settings, resources.index, resources.search_log):
        cached.clear()


def rows(database, sql):
    assert resources.search_log().flush(30)  # the log is written in the background: wait for it
    with sqlite3.connect(database) as connection:
        return connection.execute(sql).fetchall()


def html_of(app) -> str:
    return "\n".join(element.proto.body for element in app.get("html"))


def texts(app) -> str:
    parts = [m.value for m in app.markdown] + [s.value for s in app.subheader] + [h.value for h in app.header]
    parts += [w.value for w in app.warning] + [i.value for i in app.info] + [s.value for s in app.success]
    parts += [t.value for t in app.title] + [c.value for c in app.caption] + [e.value for e in app.error]
    return "\n".join(parts) + "\n" + html_of(app)


UNSURE = "recipe for beef noodle soup"  # nothing in the help centre is about it


def ask(app, question: str) -> AppTest:
    return app.text_input(key="q").input(question).run()


def test_home_shows_the_search_box_top_tasks_categories_and_contact(portal):
    app = portal(lang="en")
    assert not app.exception
    assert app.text_input(key="q").label == "What can we help you with?"
    assert app.text_input(key="q").max_chars == 1000  # twice KB_QUERY_MAX_CHARS
    page = texts(app)
    assert "Top tasks" in page and "Browse by category" in page
    assert 'class="kb-tile"' in page and "Lost or stolen card" in page and "Freeze, report or replace" in page
    assert "?category=cards&amp;lang=en" in page
    assert 'href="tel:+886800088123"' in page and "0800-088-123" in page  # the contact strip
    assert "staff=1" not in page  # staff reach ?staff=1 directly; customers see no link


def test_a_question_gets_an_answer_card_with_its_article_and_highlights(portal):
    app = ask(portal(lang="en"), "How do I freeze my card?")
    assert not app.exception
    page = texts(app)
    assert "Best answer" in page
    assert "<mark>" in html_of(app) and "freeze" in html_of(app).lower()
    assert "?article=card-lost-freeze.en&amp;lang=en&amp;at=" in html_of(app)
    assert "Read the whole article" in page
    logged = rows(portal.database, "select query, query_lang, top_article_id, unsure, status from searches")
    assert logged == [("How do I freeze my card?", "en", "card-lost-freeze.en", 0, "answered")]


def test_each_question_is_logged_once_however_often_the_page_reruns(portal):
    app = ask(portal(lang="en"), "How do I freeze my card?")
    app.run()
    app.button(key="feedback_yes").click().run()
    assert rows(portal.database, "select count(*) from searches") == [(1,)]


def test_an_unsure_answer_says_so_and_offers_a_person(portal):
    app = ask(portal(lang="en"), UNSURE)
    page = texts(app)
    assert "not sure we found the right answer" in page
    assert "Closest articles" in page or "Did you mean" in page  # a list, or choices on a close call
    assert "Talk to a person" in page
    assert "0800-088-123" in page and "08:00–22:00" in page
    assert 'href="tel:+886800088123"' in html_of(app)  # dials in one tap, no button to reveal it
    app.button(key="log_contact_phone").click().run()  # what a click on any phone link presses
    assert rows(portal.database, "select c.channel, c.search_id = s.id from contacts c, searches s") == [("phone", 1)]
    assert rows(portal.database, "select unsure from searches") == [(1,)]


@pytest.mark.parametrize("question, message", [
    ("   ", None), ("🙂🙂", "Please type your question"), ("card " * 150, "very long"),
])
def test_empty_emoji_and_huge_questions_are_handled_kindly(portal, question, message):
    app = ask(portal(lang="en"), question)
    assert not app.exception
    if message:
        assert message in texts(app)


def test_feedback_yes_is_thanked_and_stored(portal):
    app = ask(portal(lang="en"), "How do I freeze my card?")
    app.button(key="feedback_yes").click().run()
    assert "Thank you for your feedback!" in texts(app)
    assert not [b for b in app.button if b.key in ("feedback_yes", "feedback_no")]
    assert rows(portal.database, "select helpful, article_id, search_id is not null from feedback") == \
        [(1, "card-lost-freeze.en", 1)]


def test_feedback_no_takes_a_reason_and_a_redacted_comment(portal):
    app = ask(portal(lang="en"), "How do I freeze my card?")
    app.button(key="feedback_no").click().run()
    app.radio(key="feedback_reason").set_value("outdated")
    app.text_area(key="feedback_comment").input("call me on 0912-345-678 or mail a.b@example.com")
    app.button(key="feedback_send").click().run()
    page = texts(app)
    assert "Thank you for your feedback!" in page
    # Right after "No": the closest other answers and the ways to reach a person.
    assert "Still stuck?" in page and "Talk to a person" in page
    assert 'kb-contact-after_no' in page and 'href="tel:+886800088123"' in page
    after_no = [e.proto.body for e in app.get("html") if 'class="kb-list"' in e.proto.body]
    assert after_no and "?article=" in after_no[-1] and "card-lost-freeze" not in after_no[-1]
    [(helpful, reason, comment)] = rows(portal.database, "select helpful, reason, comment from feedback")
    assert (helpful, reason) == (0, "outdated")
    assert "0912" not in comment and "example.com" not in comment and "[phone]" in comment


def test_the_language_switch_translates_the_page_and_stays_in_the_url(portal):
    app = portal(lang="en")
    app.selectbox(key="ui_lang").select("zh-Hant").run()
    assert app.query_params["lang"] == "zh-Hant"
    assert app.text_input(key="q").label == "請問您想找什麼？"
    assert "常用服務" in texts(app)


def test_the_browser_locale_sets_the_language_when_the_url_does_not(portal):
    app = AppTest.from_file(APP, default_timeout=60)
    app.context["locale"] = "zh-CN"
    app.run()
    assert app.query_params["lang"] == "zh-Hans"


@pytest.mark.parametrize("lang", ["xx", "../../etc", "<script>"])
def test_a_bad_language_in_the_url_falls_back(portal, lang):
    app = portal(lang=lang)
    assert not app.exception
    assert app.query_params["lang"] == "en"


def test_an_article_by_url_with_language_switch_and_deep_link(portal):
    app = portal(article="card-lost-freeze.en", lang="en", at="q3")
    assert not app.exception
    page = html_of(app)
    assert '<h1 class="kb-h" lang="en">Lost or stolen card' in page
    assert 'id="q3" class="kb-focus"' in page
    assert "?article=card-lost-freeze.zh-Hant&amp;lang=zh-Hant&amp;at=q3" in page
    assert "?article=card-lost-freeze.zh-Hans&amp;lang=zh-Hans&amp;at=q3" in page
    assert rows(portal.database, "select article_id from article_views") == [("card-lost-freeze.en",)]
    assert "Related articles" in texts(app)
    related = [e.proto.body for e in app.get("html") if 'class="kb-list"' in e.proto.body][-1]
    assert "?article=card-activate.en&amp;lang=en" in related  # from the front matter, in English
    assert "?article=card-lost-freeze" not in related and related.count("<li>") >= 2  # and similar ones
    app.button(key="feedback_yes").click().run()
    assert rows(portal.database, "select helpful, article_id from feedback") == [(1, "card-lost-freeze.en")]


@pytest.mark.parametrize("article", ["no-such-article.en", "../../etc/passwd", "<script>alert(1)</script>", "x" * 5000])
def test_unknown_or_hostile_article_ids_get_a_not_found_page(portal, article):
    app = portal(article=article, lang="en")
    assert not app.exception
    assert "We couldn't find that article" in texts(app)
    assert "<script>alert" not in html_of(app)


def test_elder_mode_is_large_simple_and_kept_in_the_url(portal):
    app = portal(lang="zh-Hant")
    app.toggle(key="elder_mode").set_value(True).run()
    app = ask(app, "卡片不見了怎麼辦")
    css = html_of(app)
    assert "font-size: 24px !important" in css and "min-height: 60px" in css
    assert "animation: none" in css
    page = texts(app)
    assert "最佳解答" in page
    assert "相關文章" not in page and "其他可能的文章" not in page and "常用服務" not in page
    assert 'class="kb-call-big"' in html_of(app) and 'href="tel:+886800088123"' in html_of(app)
    assert rows(portal.database, "select elder_mode from searches") == [(1,)]


def test_elder_mode_opens_from_a_shared_link(portal):
    app = portal(lang="en", elder_mode="true")
    assert app.toggle(key="elder_mode").value is True
    assert "font-size: 24px !important" in html_of(app)


def test_high_contrast_is_its_own_option(portal):
    app = portal(lang="en")
    app.toggle(key="high_contrast").set_value(True).run()
    css = html_of(app)
    assert "background: #000" in css and "font-size: 24px !important" not in css


def test_read_aloud_speaks_the_answer_in_its_language(portal):
    app = ask(portal(lang="zh-Hans"), "银行卡丢了怎么办")
    page = html_of(app)
    assert 'class="kb-read"' in page and "zh-CN" in page and "speechSynthesis" in page


class _Elements(HTMLParser):
    """Every element and attribute in a piece of HTML, as a browser's parser sees them."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict]] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, {name: value or "" for name, value in attrs}))

    handle_startendtag = handle_starttag


def dangers(text: str) -> list[str]:
    """What in ``text`` could run or load something: script-capable elements, event-handler
    attributes, and links or sources that are not http(s), mailto, tel or the portal's own ``?``."""
    found = []
    for tag, attrs in _Elements(text).found:
        if tag in ("script", "iframe", "img", "object", "embed", "svg", "math", "style", "link", "meta",
                   "form", "base", "frame", "video", "audio", "source"):
            found.append(f"<{tag}>")
        for name, value in attrs.items():
            if name.startswith("on") or name in ("style", "srcdoc", "formaction"):
                found.append(f"{tag}[{name}]")
            if name in ("href", "src", "action", "xlink:href"):
                scheme = value.strip().lower().split(":", 1)[0] if ":" in value else ""
                if not (value.startswith("?") or scheme in ("http", "https", "mailto", "tel")):
                    found.append(f"{tag}[{name}={value[:30]}]")
    return found


HOSTILE = ("<script>alert('x')</script> <iframe src=x></iframe> <img src=x onerror=alert(1)> "
           "[click](javascript:alert(1)) [data](data:text/html;base64,PHNjcmlwdD4=) "
           "[vb](vbscript:msgbox) [spaced]( javascript:alert(1)) [entity](jav&#x61;script:alert(1)) "
           "<a href=\"javascript:alert(1)\">raw</a> <svg onload=alert(1)> "
           "![img](https://evil.example/x.png) [ok](https://www.luminabank.example) call 0800-088-123")


def test_the_danger_check_sees_what_a_browser_would_run():
    """The check below must be able to fail: raw HTML of each kind is caught."""
    assert dangers('<script>alert(1)</script>') == ["<script>"]
    assert dangers('<a href="javascript:alert(1)">x</a>') == ["a[href=javascript:alert(1)]"]
    assert dangers('<a href=" JaVaScRiPt:alert(1)">x</a>') != []
    assert dangers('<p onclick="x()">x</p>') == ["p[onclick]"]
    assert dangers('<img src=x>') == ["<img>", "img[src=x]"]
    assert dangers('<a href="https://a.example">ok</a> <a href="tel:+886">t</a> <a href="?article=x">a</a>') == []


def test_article_markup_can_never_run(small_index):
    path = small_index.content_dir / "articles" / "en" / "cards" / "card-lost-freeze.md"
    hostile = path.read_text(encoding="utf-8").replace(
        "## I found my card again. Can I unfreeze it?",
        "## I found my card again. Can I unfreeze it?\n" + HOSTILE + "\n\n- " + HOSTILE + "\n")
    from kb.parsing import parse_article
    from portal.render import article_html, unit_html
    article = parse_article(hostile.encode(), "articles/en/cards/card-lost-freeze.md").article
    unit = next(u for u in article.units if "javascript" in u.markdown)
    for rendered in (article_html(article, lang="en"),
                     unit_html(article, unit, lang="en", highlight=("script", "href"))):
        assert dangers(rendered) == [], dangers(rendered)
        assert "&lt;script&gt;" in rendered.replace("<mark>", "").replace("</mark>", "")  # shown as text
        assert 'href="https://www.luminabank.example" target="_blank" rel="noopener noreferrer nofollow"' in rendered
        assert 'href="tel:0800-088-123"' in rendered  # phone numbers dial


def test_a_missing_index_says_help_is_being_updated(portal, tmp_path):
    portal.monkeypatch.setenv("KB_DATA_DIR", str(tmp_path / "empty"))
    for cached in (resources.settings, resources.index, resources.search_log):
        cached.clear()
    app = portal(lang="en")
    assert not app.exception
    assert "being updated" in texts(app)
    assert "0800-088-123" in texts(app)


def test_a_read_only_database_does_not_stop_answers(portal, tmp_path):
    portal.monkeypatch.setenv("KB_DATABASE_URL", f"sqlite:///{tmp_path}/missing-dir/nested/portal.db")
    (tmp_path / "missing-dir").mkdir()
    (tmp_path / "missing-dir").chmod(0o500)
    resources.search_log.clear()
    resources.settings.clear()
    try:
        app = ask(portal(lang="en"), "How do I freeze my card?")
        assert not app.exception and "Best answer" in texts(app)
        app.button(key="feedback_yes").click().run()
        assert "Thank you" in texts(app)
    finally:
        (tmp_path / "missing-dir").chmod(0o700)


def test_staff_area_is_off_without_a_configured_hash(portal):
    app = portal(staff="1", lang="en")
    assert "switched off" in texts(app)
    assert not [t for t in app.text_input if t.key == "staff_password"]


def test_staff_sign_in_wrong_then_right_then_analytics(portal):
    portal.monkeypatch.setenv("KB_STAFF_PASSWORD_HASH", hash_password(PASSWORD))
    resources.settings.clear()
    from portal import staff
    staff._throttle.clear()
    app = ask(portal(lang="en"), "what will the weather be like in Taipei tomorrow")  # one failed search
    app.query_params["staff"] = "1"
    app.run()
    app.text_input(key="staff_password").input("wrong").run()
    app.button(key="staff_sign_in").click().run()
    assert "Wrong password" in texts(app)
    app.text_input(key="staff_password").input(PASSWORD).run()
    app.button(key="staff_sign_in").click().run()
    assert not app.exception
    page = texts(app)
    assert "Searches per day" in page and "Failed searches, grouped by meaning" in page
    assert [m for m in app.metric if m.label == "Searches"][0].value == "1"


def test_staff_sign_in_is_throttled_after_a_few_wrong_tries(portal):
    portal.monkeypatch.setenv("KB_STAFF_PASSWORD_HASH", hash_password(PASSWORD))
    resources.settings.clear()
    from portal import staff
    staff._throttle.clear()
    app = portal(staff="1", lang="en")
    for _ in range(3):
        app.text_input(key="staff_password").input("wrong").run()
        app.button(key="staff_sign_in").click().run()
    app.text_input(key="staff_password").input(PASSWORD).run()
    app.button(key="staff_sign_in").click().run()
    assert "Too many wrong passwords" in texts(app)
    assert not app.session_state["staff_signed_in"] if "staff_signed_in" in app.session_state else True


# --- every URL parameter checked; no_results; the rate limit (issue 16) -----------------------

@pytest.mark.parametrize("query, expected", [
    ({"from": "²"}, {"from_search": None}),  # "²".isdigit() is True: int() used to raise
    ({"from": "42"}, {"from_search": 42}),
    ({"from": "-1"}, {"from_search": None}),
    ({"from": "9" * 40}, {"from_search": None}),
    ({"article": "card-lost-freeze.en", "at": "q3"}, {"article": "card-lost-freeze.en", "at": "q3"}),
    ({"article": "../../etc/passwd"}, {"article": None, "article_invalid": True}),
    ({"article": "x" * 5000}, {"article": None, "article_invalid": True}),
    ({"at": "<script>"}, {"at": None}),
    ({"at": "q3\n"}, {"at": None}),
    ({"category": "cards"}, {"category": "cards"}),
    ({"category": "cards'><script>"}, {"category": None, "category_invalid": True}),
    ({"lang": "zh-Hant"}, {"lang": "zh-Hant"}),
    ({"lang": "zh-hant"}, {"lang": None}),
    ({"staff": ""}, {"staff": True}),
    ({}, {"staff": False, "article": None, "lang": None}),
])
def test_url_parameters_are_checked(query, expected):
    from portal.params import parse
    parsed = parse(query)
    assert {name: getattr(parsed, name) for name in expected} == expected


def test_the_question_is_sliced_before_anything_else():
    from portal.params import question
    assert question("a" * 10_000, 1000) == "a" * 1000
    assert question(None, 1000) == "" and question(12, 1000) == ""


@pytest.mark.parametrize("params", [
    {"article": "card-lost-freeze.en", "lang": "en", "from": "²"},
    {"article": "card-lost-freeze.en", "lang": "en", "at": "<script>", "from": "1" * 30},
    {"category": "<b>cards</b>", "lang": "en"},
    {"category": "no-such-category", "lang": "en"},
    {"lang": "en", "elder_mode": "²", "high_contrast": "maybe"},
    {"lang": "en", "q": "x" * 5000},
])
def test_hostile_url_parameters_never_raise(portal, params):
    app = portal(**params)
    assert not app.exception
    assert "Something went wrong" not in texts(app)


def test_no_results_at_all_is_answered_kindly(portal, tmp_path, use_embedder):
    """An index with no articles finds nothing (status no_results): the page said nothing and
    crashed on the missing best answer; now it says so and offers a person."""
    import shutil
    from indexer.build import build
    from kb.settings import Settings
    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    for name in ("categories.yml", "synonyms.yml", "contact.yml"):
        shutil.copy(PROJECT_ROOT / "content" / name, content / name)
    settings = Settings.from_env({}, content_dir=content, data_dir=tmp_path / "data", embedders=("use",),
                                 watch_content=False)
    build(settings, embedders={"use": use_embedder}, require_translations=False)
    portal.monkeypatch.setenv("KB_CONTENT_DIR", str(content))
    portal.monkeypatch.setenv("KB_DATA_DIR", str(tmp_path / "data"))
    for cached in (resources.settings, resources.index, resources.search_log):
        cached.clear()
    app = ask(portal(lang="en"), "How do I freeze my card?")
    assert not app.exception
    page = texts(app)
    assert "couldn't find any help" in page and 'href="tel:+886800088123"' in page
    assert "Something went wrong" not in page


def test_a_session_asking_too_fast_is_asked_politely_to_wait(portal):
    portal.monkeypatch.setenv("KB_SEARCHES_PER_MINUTE", "2")
    resources.settings.clear()
    app = ask(portal(lang="en"), "How do I freeze my card?")
    app = ask(app, "transfer limit")
    app.button(key="feedback_yes").click().run()  # reruns and feedback are not questions
    app = ask(app, "forgot my password")
    page = texts(app)
    assert "Please wait a minute" in page and 'href="tel:+886800088123"' in page
    assert "Best answer" not in page
    assert sorted(rows(portal.database, "select query from searches")) == [("How do I freeze my card?",),
                                                                           ("transfer limit",)]


def test_the_rate_limit_is_a_sliding_minute():
    from portal.ratelimit import RateLimit
    limit = RateLimit(3)
    assert [limit.allow(t) for t in (0, 1, 2, 3)] == [True, True, True, False]
    assert limit.allow(59.9) is False and limit.allow(60.0) is True  # the event at 0 has left the window
    with pytest.raises(ValueError):
        RateLimit(0)


def test_answers_dial_their_phone_numbers_and_the_search_box_has_a_limit(portal):
    from portal.render import unit_html
    article = resources.index().snapshot().articles["card-lost-freeze.en"]
    unit = next(u for u in article.units if "0800-088-123" in u.text)
    card = unit_html(article, unit, lang="en", highlight=("card",))  # what the answer card shows
    assert 'href="tel:0800-088-123"' in card and 'href="tel:+886-2-2655-0123"' in card
    app = portal(lang="en")
    assert app.text_input(key="q").max_chars == 2 * resources.settings().query_max_chars
    article = [e.proto.body for e in portal(article="card-lost-freeze.en", lang="en").get("html")
               if 'class="kb-article"' in e.proto.body][0]
    assert 'href="tel:0800-088-123"' in article and 'href="tel:+886-2-2655-0123"' in article


def test_a_close_call_asks_which_one_and_logs_the_choice_as_a_view(portal):
    """``SearchResult.close`` comes from search (its ranker); the portal only reads it. Here a
    real result is given a close call between its two best topics to drive the page's choice."""
    from portal.home import choices
    from kb.search import search
    import dataclasses
    snapshot = resources.index().snapshot()
    result = search("How do I freeze my card?", snapshot, resources.embedders(), resources.settings())
    close = dataclasses.replace(result, close=(result.best, result.others[0]))
    assert choices(close, elder=False) == (result.best, result.others[0])
    assert choices(result, elder=False) == ()
    unsure_close = dataclasses.replace(result, status="unsure", close=close.close)
    assert choices(unsure_close, elder=False) == close.close  # a close call is offered when unsure too
    unsure = dataclasses.replace(result, status="unsure")
    assert choices(unsure, elder=False) == ()  # normal mode: the closest articles and a person
    assert len(choices(unsure, elder=True)) == 3  # elder mode: big buttons, no "best answer"


def test_websocket_messages_are_capped_well_below_streamlits_default():
    import tomllib
    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert 1 <= config["server"]["maxMessageSize"] <= 4  # Streamlit's default: 200 MB


def test_article_pages_compute_related_articles_once_per_build(portal):
    """Related articles come from a search (similar topics); a page view must not run it again."""
    from portal import article_view
    article_view._related_ids.clear()
    calls = []
    real = article_view.similar_articles

    def counted(*args, **kwargs):
        calls.append(args[3].id)
        return real(*args, **kwargs)

    portal.monkeypatch.setattr(article_view, "similar_articles", counted)
    first = portal(article="card-lost-freeze.en", lang="en")
    second = portal(article="card-lost-freeze.en", lang="en")  # another visitor, same build
    assert not first.exception and not second.exception
    assert calls == ["card-lost-freeze.en"]
    related = [e.proto.body for e in second.get("html") if 'class="kb-list"' in e.proto.body][-1]
    assert "?article=card-activate.en&amp;lang=en" in related


def test_switching_the_language_re_shows_the_answer_without_a_new_search_row(portal):
    app = ask(portal(lang="en"), "How do I freeze my card?")
    app.selectbox(key="ui_lang").select("zh-Hant").run()
    assert not app.exception
    card = [e.proto.body for e in app.get("html") if 'class="kb-card"' in e.proto.body][0]
    assert 'lang="zh-Hant"' in card and "凍結" in card
    assert "最佳解答" in texts(app)
    assert rows(portal.database, "select count(*) from searches") == [(1,)]
