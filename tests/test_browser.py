"""The portal in real headless Chromium (Debian's), against a real ``streamlit run``: asking,
the answer's place and focus, a way to a person on every page, elder mode as the browser computes
it, close calls, the question in the URL, language, titles and live regions, feedback, read
aloud, contrast, axe-core on every kind of page, and the server log. One portal serves the whole
module; screenshots go to test-output/."""
from __future__ import annotations

import json
import re
import secrets
import shutil
import sqlite3
import time
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from portal.auth import hash_password
from tests.browser import AXE, OUTPUT, browser, chromium_path, running_portal, wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.model]
PASSWORD = secrets.token_urlsafe(16)  # made up per run: no password lives in the repository
PHONE, TEL = "0800-088-123", "tel:+886800088123"
UNSURE = "recipe for beef noodle soup"  # nothing in the help centre is about it
CLOSE = "卡片不見了怎麼辦"  # two near-identical topics below: search cannot tell them apart

if not chromium_path():
    pytest.skip("Chromium is not installed (make test installs Debian's chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def site(small_index, use_embedder, tmp_path_factory):
    """The small index's content plus a twin of the lost-card topic (same text, its own topic),
    so that search really meets a close call; one portal for the module."""
    from indexer.build import build
    root = tmp_path_factory.mktemp("browser")
    content = root / "content"
    shutil.copytree(small_index.content_dir, content)
    for lang in ("en", "zh-Hant", "zh-Hans"):
        original = (content / "articles" / lang / "cards" / "card-lost-freeze.md").read_text(encoding="utf-8")
        # "Twin " inside the title's quotes where it has them: a bare "Twin " before a quoted title is
        # broken YAML, and the English twin would then be missing from the index.
        twin = re.sub(r'^title: ("?)', r'title: \1Twin ', original.replace("card-lost-freeze", "card-lost-twin"),
                      count=1, flags=re.M)
        (content / "articles" / lang / "cards" / "card-lost-twin.md").write_text(twin, encoding="utf-8")
    settings = small_index.replace(content_dir=content, data_dir=root / "data")
    build(settings, embedders={"use": use_embedder}, require_translations=False)
    database = root / "portal.db"
    OUTPUT.mkdir(exist_ok=True)
    env = {"KB_CONTENT_DIR": str(content), "KB_DATA_DIR": str(settings.data_dir),
           "KB_EMBEDDERS": "use", "KB_WATCH_CONTENT": "false", "KB_DATABASE_URL": f"sqlite:///{database}",
           "KB_STAFF_PASSWORD_HASH": hash_password(PASSWORD)}
    with running_portal(env) as url, browser() as chromium:
        yield url, chromium, database


def _tab(site, width=1200, height=1000, locale="en-GB"):
    context = site[1].new_context(viewport={"width": width, "height": height}, locale=locale)
    return context, context.new_page()


@pytest.fixture
def page(site):
    context, tab = _tab(site)
    yield tab
    context.close()


@pytest.fixture
def phone(site):
    context, tab = _tab(site, 390, 844, "zh-TW")
    yield tab
    context.close()


def open_page(page, url: str, query: str = "") -> None:
    page.goto(url + "/" + query)
    wait_for_app(page)


def ask(page, label: str, question: str, heading: str | None = None) -> float:
    """Type a question, press Enter; seconds until the answer (or the given heading) is shown."""
    page.get_by_label(label).fill(question)
    started = time.perf_counter()
    page.keyboard.press("Enter")
    page.wait_for_function("q => [...document.querySelectorAll('.kb-result')].some(e => e.dataset.query === q)",
                           arg=question, timeout=30_000)
    if heading:
        page.locator("h2.kb-h", has_text=heading).first.wait_for(timeout=30_000)
    return time.perf_counter() - started


def wait_answer(page, question: str) -> None:
    page.wait_for_function("q => [...document.querySelectorAll('.kb-result')].some(e => e.dataset.query === q)",
                           arg=question, timeout=30_000)
    page.wait_for_timeout(300)


def rows(database, sql):
    with sqlite3.connect(database) as connection:
        return connection.execute(sql).fetchall()


def eventually(check, timeout=10.0):
    """The search log writes in the background: wait for a row, without asserting a time."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


def shot(page, name: str) -> None:
    """A screenshot of the whole page: Streamlit scrolls inside its own container, so the
    viewport is stretched to the content first."""
    size = page.viewport_size
    height = page.evaluate("() => Math.max(...[...document.querySelectorAll('[data-testid=stMain], "
                           "[data-testid=stMainBlockContainer]')].map(e => e.scrollHeight))")
    page.set_viewport_size({"width": size["width"], "height": min(max(size["height"], height + 40), 6000)})
    page.wait_for_timeout(400)
    page.screenshot(path=str(OUTPUT / f"{name}.png"))
    page.set_viewport_size(size)


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ['violations'],
                                                runOnly: {type: 'tag',
                                                          values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
        return result.violations.map(v => ({id: v.id, impact: v.impact,
                                            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")


def choose(page, label: str, option: str) -> None:
    """Pick from a Streamlit selectbox the way a keyboard user does (a click alone does not
    always open its list once the page has scrolled)."""
    page.get_by_label(label).click()
    page.keyboard.press("ArrowDown")
    page.get_by_role("option", name=option).click()


def q(text: str) -> str:
    return quote(text, safe="")


# --- asking, the answer's place, the question in the URL ------------------------------------

def test_ask_a_question_and_see_the_answer_scrolled_into_view_and_focused(site, phone):
    url = site[0]
    open_page(phone, url, "?lang=en")
    ask(phone, "What can we help you with?", "How do I freeze my card?", "Best answer")
    card = phone.locator(".kb-card").first
    assert "card" in card.inner_text().lower() and card.locator("mark").count() >= 1
    assert phone.get_by_role("link", name="Read the whole article").count() == 1
    phone.wait_for_function("() => document.activeElement && document.activeElement.id === 'kb-answer'",
                            timeout=10_000)
    top = phone.evaluate("() => document.getElementById('kb-answer').getBoundingClientRect().top")
    assert 0 <= top < 844 / 2  # on a phone the answer starts at the top of the screen, not below it
    # The question is in the URL: a reload shows the same question and answer.
    assert parse_qs(urlsplit(phone.url).query)["q"] == ["How do I freeze my card?"]
    phone.reload()
    wait_answer(phone, "How do I freeze my card?")
    assert phone.get_by_label("What can we help you with?").input_value() == "How do I freeze my card?"
    assert phone.locator(".kb-card").first.is_visible()


def test_back_from_an_article_restores_the_answer_and_the_article_leads_back(site, page):
    url = site[0]
    open_page(page, url, "?lang=en")
    ask(page, "What can we help you with?", "daily transfer limit for new payees", "Best answer")
    page.get_by_role("link", name="Read the whole article").click()
    page.locator("h1.kb-h").wait_for(timeout=30_000)
    wait_for_app(page)
    # The article page keeps the search box (with the question) and a way back to the answer.
    assert page.get_by_label("What can we help you with?").input_value() == "daily transfer limit for new payees"
    back = page.get_by_role("link", name="← Back to your answer")
    assert parse_qs(urlsplit(back.get_attribute("href")).query)["q"] == ["daily transfer limit for new payees"]
    page.go_back()
    wait_answer(page, "daily transfer limit for new payees")
    assert page.locator(".kb-card").first.is_visible()
    # A new question asked on an article page goes to its answer.
    page.goto(f"{url}/?article=card-activate.en&lang=en")
    wait_for_app(page)
    ask(page, "What can we help you with?", "How do I freeze my card?", "Best answer")
    assert "article" not in parse_qs(urlsplit(page.url).query)


def test_category_pages_have_the_search_box_and_a_way_back(site, page):
    url = site[0]
    open_page(page, url, "?category=cards&lang=en")
    page.locator("h1.kb-h", has_text="Debit and credit cards").wait_for(timeout=30_000)
    assert page.get_by_label("What can we help you with?").is_visible()
    assert page.get_by_role("link", name="← Back to the help centre").is_visible()
    assert page.title().startswith("Debit and credit cards")


# --- a way to a person, everywhere ----------------------------------------------------------

@pytest.mark.parametrize("where, query", [
    ("home", "?lang=en"),
    ("elder home", "?lang=zh-Hant&elder_mode=true"),
    ("answer", f"?lang=en&q={q('How do I freeze my card?')}"),
    ("unsure answer", f"?lang=en&q={q(UNSURE)}"),
    ("elder answer", f"?lang=zh-Hant&elder_mode=true&q={q('忘記密碼怎麼辦')}"),
    ("article", "?article=card-activate.en&lang=en"),
    ("category", "?category=cards&lang=en"),
    ("unknown article", "?article=no-such.en&lang=en"),
])
def test_a_phone_number_that_dials_is_on_every_page(site, page, where, query):
    open_page(page, site[0], query)
    page.wait_for_timeout(500)
    dial = page.locator(f'a[href="{TEL}"]')
    assert dial.count() >= 1, where
    assert any(PHONE in dial.nth(i).inner_text() and dial.nth(i).is_visible() for i in range(dial.count())), where
    assert page.get_by_text("Online chat").count() + page.get_by_text("線上客服").count() >= 1, where


def test_after_no_the_thank_you_offers_other_answers_and_a_person_and_keeps_focus(site, page):
    open_page(page, site[0], f"?lang=en&q={q('How do I freeze my card?')}")
    wait_answer(page, "How do I freeze my card?")
    page.get_by_role("button", name="No").focus()
    page.keyboard.press("Enter")
    page.get_by_text("What went wrong?").wait_for(timeout=15_000)
    page.wait_for_function("() => document.activeElement && document.activeElement.type === 'radio'", timeout=10_000)
    page.get_by_role("button", name="Send").click()
    page.locator(".kb-thanks").wait_for(timeout=15_000)
    page.wait_for_function("() => document.activeElement && document.activeElement.classList.contains('kb-thanks')",
                           timeout=10_000)
    assert page.get_by_text("Still stuck?").is_visible()
    after = page.locator(".kb-contact-after_no")
    assert after.locator(f'a[href="{TEL}"]').is_visible() and PHONE in after.inner_text()
    others = page.locator(".kb-list").first.locator("a")
    assert others.count() >= 1 and all("card-lost-freeze" not in others.nth(i).get_attribute("href")
                                       for i in range(others.count()))


def test_focus_stays_on_the_thank_you_after_yes(site, page):
    url, _, database = site
    open_page(page, url, "?lang=en")
    ask(page, "What can we help you with?", "transfer limit", "Best answer")
    page.get_by_role("button", name="Yes").focus()
    page.keyboard.press("Enter")
    page.locator(".kb-thanks").wait_for(timeout=15_000)
    page.wait_for_function("() => document.activeElement && document.activeElement.classList.contains('kb-thanks')",
                           timeout=10_000)
    assert eventually(lambda: rows(database, "select f.helpful from feedback f join searches s on s.id = f.search_id "
                                             "where s.query = 'transfer limit'")) == [(1,)]


def test_a_click_on_a_phone_link_is_logged(site, page):
    url, _, database = site
    before = rows(database, "select count(*) from contacts")[0][0]
    open_page(page, url, "?lang=en")
    page.locator(f'.kb-strip a[href="{TEL}"]').click()
    assert eventually(lambda: rows(database, "select count(*) from contacts where channel = 'phone'")[0][0] > before)


# --- elder mode ------------------------------------------------------------------------------

# Computed in the page: font sizes, line heights, contrast against the real background, and the
# size of every button and link in the main area.
MEASURE = """() => {
  const lum = (c) => { const v = c.map(x => x / 255).map(x => x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4);
                       return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
  const rgba = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
  const background = (el) => { for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor); if (c.length >= 3 && (c.length < 4 || c[3] > 0)) return c; }
    return [255, 255, 255]; };
  const opacity = (el) => { let o = 1;
    for (let e = el; e; e = e.parentElement) o *= parseFloat(getComputedStyle(e).opacity); return o; };
  const visible = (el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
  const main = document.querySelector('[data-testid="stMain"]') || document.body;
  const text = [], targets = [];
  for (const el of main.querySelectorAll('p, li, label, a, button, h1, h2, h3, input, textarea, span')) {
    if (!visible(el) || el.closest('.kb-live')) continue;
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()) || el.tagName === 'INPUT'
                || (/^H[1-3]$/.test(el.tagName) && el.innerText.trim());
    const s = getComputedStyle(el);
    if (own) {
      const bg = background(el), fg0 = rgba(s.color), a = opacity(el) * (fg0.length > 3 ? fg0[3] : 1);
      const fg = fg0.slice(0, 3).map((c, i) => a * c + (1 - a) * bg[i]);  // what the eye gets
      const [x, y] = [lum(fg), lum(bg)].sort((p, q) => q - p);
      text.push({tag: el.tagName, text: (el.innerText || el.value || '').slice(0, 40),
                 size: parseFloat(s.fontSize),
                 line: s.lineHeight === 'normal' ? 1.2 * parseFloat(s.fontSize) : parseFloat(s.lineHeight),
                 contrast: (x + 0.05) / (y + 0.05), heading: !!el.closest('h1, h2, h3')});
    }
    if (el.tagName === 'A' || el.tagName === 'BUTTON') {
      const r = el.getBoundingClientRect();
      targets.push({tag: el.tagName, text: (el.innerText || '').slice(0, 40), width: r.width, height: r.height});
    }
  }
  return {text, targets};
}"""


def test_elder_mode_in_the_browser(site, page):
    url = site[0]
    open_page(page, url, "?lang=zh-Hant")
    page.get_by_text("長輩模式（大字）").click()  # the switch on the page, not the URL
    page.wait_for_url("**elder_mode=true**", timeout=15_000)
    page.get_by_role("button", name="搜尋").wait_for()
    # The first screen is the question box; the display settings come after it.
    page.get_by_text("長輩模式（大字）").first.wait_for(state="visible")  # a rerun may briefly show two
    box = page.get_by_label("請問您想找什麼？").bounding_box()
    switch = page.get_by_text("長輩模式（大字）").first.bounding_box()
    assert box["y"] < switch["y"]
    assert page.locator(f'a.kb-call[href="{TEL}"]', has_text=PHONE).is_visible()  # the number, on the home page
    ask(page, "請問您想找什麼？", "忘記密碼怎麼辦", "最佳解答")
    page.wait_for_timeout(500)
    shot(page, "elder-mode")
    measured = page.evaluate(MEASURE)
    headings = [t for t in measured["text"] if t["tag"] in ("H1", "H2", "H3") or t["heading"]]
    body = [t for t in measured["text"] if t not in headings]
    assert body and len(headings) >= 2
    assert min(t["size"] for t in body) >= 24, [t for t in body if t["size"] < 24][:5]
    assert min(t["size"] for t in headings) >= 30, [t for t in headings if t["size"] < 30]
    assert all(t["line"] >= 1.5 * t["size"] - 0.5 for t in measured["text"]), \
        [t for t in measured["text"] if t["line"] < 1.5 * t["size"] - 0.5][:5]
    assert all(t["contrast"] >= 7 for t in measured["text"]), [t for t in measured["text"] if t["contrast"] < 7][:5]
    small = [t for t in measured["targets"] if t["width"] < 60 or t["height"] < 60]
    assert measured["targets"] and not small, small
    call = page.locator(".kb-call-big a.kb-call")  # one tap dials: a tel: link, no button to reveal it
    assert call.is_visible() and call.get_attribute("href") == TEL and PHONE in call.inner_text()
    assert page.get_by_text("相關文章").count() == 0  # the simpler page: nothing competing
    animated = page.evaluate("() => [...document.querySelectorAll('*')].filter(e => "
                             "getComputedStyle(e).animationName !== 'none' || "
                             "parseFloat(getComputedStyle(e).transitionDuration) > 0).length")
    assert animated == 0


def test_elder_mode_when_unsure_offers_big_choices_and_the_call_button(site, page):
    open_page(page, site[0], "?lang=en&elder_mode=true")
    ask(page, "What can we help you with?", UNSURE)
    page.get_by_text("we're not sure which answer you need").first.wait_for(timeout=15_000)
    assert page.get_by_text("Best answer", exact=True).count() == 0 and page.locator(".kb-card").count() == 0
    choices = page.locator('[class*="st-key-pick_"] button')
    assert 2 <= choices.count() <= 3
    sizes = [choices.nth(i).bounding_box() for i in range(choices.count())]
    assert all(s["height"] >= 60 and s["width"] >= 300 for s in sizes), sizes
    assert page.locator(f'.kb-call-big a[href="{TEL}"]').is_visible()
    shot(page, "elder-unsure")
    choices.first.click()
    page.get_by_text("Best answer", exact=True).wait_for(timeout=15_000)
    assert page.locator(".kb-card").first.is_visible()


# --- close calls -----------------------------------------------------------------------------

def test_a_close_call_asks_did_you_mean_then_shows_the_choice(site, page):
    url, _, database = site
    open_page(page, url, "?lang=zh-Hant")
    ask(page, "請問您想找什麼？", CLOSE)
    # "Did you mean" (search sure it is one of them) or "closest" (not sure): the same choices.
    page.locator("h2.kb-h", has_text="請問您是指哪一個？").or_(
        page.locator("h2.kb-h", has_text="最接近的文章")).first.wait_for(timeout=30_000)
    choices = page.locator('[class*="st-key-pick_"] button')
    assert 2 <= choices.count() <= 3 and page.locator(".kb-card").count() == 0
    labels = [choices.nth(i).inner_text() for i in range(choices.count())]
    assert any("Twin" in label for label in labels) and any("Twin" not in label for label in labels)
    assert page.locator('[aria-live="polite"]').all_inner_texts()[-1].strip()
    shot(page, "clarify")
    chosen = next(i for i, label in enumerate(labels) if "Twin" in label)
    choices.nth(chosen).click()
    page.get_by_text("最佳解答", exact=True).wait_for(timeout=15_000)
    assert "Twin" in page.get_by_role("link", name="閱讀全文").get_attribute("href") or \
        "card-lost-twin" in page.get_by_role("link", name="閱讀全文").get_attribute("href")
    # Logged like any answer: the search, and the chosen article opened from it.
    assert eventually(lambda: rows(database, "select v.article_id from article_views v join searches s "
                                             f"on s.id = v.search_id where s.query = '{CLOSE}'")) == \
        [("card-lost-twin.zh-Hant",)]


def test_elder_mode_offers_a_close_call_as_big_buttons(site, page):
    open_page(page, site[0], "?lang=zh-Hant&elder_mode=true")
    ask(page, "請問您想找什麼？", CLOSE)
    page.locator('[class*="st-key-pick_"] button').first.wait_for(timeout=30_000)
    choices = page.locator('[class*="st-key-pick_"] button')
    assert choices.count() >= 2
    assert all(choices.nth(i).bounding_box()["height"] >= 60 for i in range(choices.count()))


# --- language, titles, live region, contrast --------------------------------------------------

def test_html_lang_titles_and_a_polite_live_region(site, page):
    url = site[0]
    open_page(page, url, "?lang=zh-Hans")
    assert page.evaluate("() => document.documentElement.lang") == "zh-Hans"
    assert page.title() == "帮助中心 · 曜光银行 帮助中心"
    open_page(page, url, "?lang=en")
    assert page.evaluate("() => document.documentElement.lang") == "en"
    assert page.title() == "Help Centre · Lumina Bank Help Centre"
    ask(page, "What can we help you with?", "How do I freeze my card?", "Best answer")
    page.wait_for_function("() => document.title.startsWith('How do I freeze my card?')", timeout=10_000)
    live = page.locator('[role="status"][aria-live="polite"]')
    assert any(text.startswith("Answer found: ") for text in live.all_inner_texts())
    ask(page, "What can we help you with?", UNSURE)
    page.locator("#kb-answer").wait_for(timeout=30_000)
    assert any("not sure" in text for text in page.locator('[aria-live="polite"]').all_inner_texts())
    page.goto(f"{url}/?article=card-activate.en&lang=en")
    page.locator("h1.kb-h").wait_for(timeout=30_000)
    page.wait_for_function("() => document.title.startsWith('Activate')", timeout=10_000)


def test_switching_the_language_re_shows_the_answer_in_that_language(site, page):
    open_page(page, site[0], "?lang=en")
    ask(page, "What can we help you with?", "How do I freeze my card?", "Best answer")
    assert page.locator(".kb-card").first.get_attribute("lang") == "en"
    choose(page, "Language", "繁體中文")
    page.get_by_text("最佳解答", exact=True).wait_for(timeout=30_000)
    page.wait_for_function("() => document.querySelector('.kb-card') && "
                           "document.querySelector('.kb-card').getAttribute('lang') === 'zh-Hant'", timeout=30_000)
    assert page.evaluate("() => document.documentElement.lang") == "zh-Hant"
    assert parse_qs(urlsplit(page.url).query)["q"] == ["How do I freeze my card?"]


def test_normal_mode_text_meets_4_5_to_1_captions_included(site, page):
    open_page(page, site[0], "?lang=en")
    ask(page, "What can we help you with?", "How do I freeze my card?", "Best answer")
    page.wait_for_timeout(500)
    measured = page.evaluate(MEASURE)
    assert any(t["text"].startswith("Why this answer") for t in measured["text"])  # the caption is measured
    low = [t for t in measured["text"] if t["contrast"] < 4.5]
    assert not low, low[:5]


# --- read aloud ------------------------------------------------------------------------------

SPEECH_SPY = """window.__spoken = []; window.__cancelled = 0;
    window.speechSynthesis.speak = (u) => window.__spoken.push({text: u.text, lang: u.lang});
    const cancel = window.speechSynthesis.cancel.bind(window.speechSynthesis);
    window.speechSynthesis.cancel = () => { window.__cancelled += 1; cancel(); };"""


def test_read_aloud_speaks_the_shown_language_and_can_be_stopped(site, page):
    page.add_init_script(SPEECH_SPY)
    open_page(page, site[0], "?lang=zh-Hans")
    ask(page, "请问您想找什么？", "忘记密码怎么办", "最佳解答")
    page.locator("button.kb-read").first.click()
    spoken = page.evaluate("() => window.__spoken")
    assert spoken and spoken[0]["lang"] == "zh-CN" and "密码" in spoken[0]["text"]
    before = page.evaluate("() => window.__cancelled")
    page.get_by_role("button", name="停止朗读").click()
    assert page.evaluate("() => window.__cancelled") == before + 1
    # Switch the interface to English: the answer is re-shown in English and read in English.
    choose(page, "语言", "English")
    page.get_by_role("button", name="Stop reading").wait_for(timeout=30_000)
    page.locator("button.kb-read").first.click()
    assert page.evaluate("() => window.__spoken")[-1]["lang"] == "en-US"


# --- looks, staff link, accessibility ----------------------------------------------------------

def test_the_home_page_has_top_tasks_categories_contact_and_no_staff_link(site, page):
    open_page(page, site[0], "?lang=en")
    tiles = page.locator("a.kb-tile")
    assert tiles.count() >= 4
    assert tiles.first.locator(".kb-tile-icon").count() == 1 and tiles.first.locator(".kb-tile-text").inner_text()
    assert page.locator(".kb-grid a").count() >= 10
    assert page.locator(".kb-strip").is_visible()
    assert page.locator('a[href*="staff"]').count() == 0
    shot(page, "home")


def test_the_phone_layout_starts_with_the_question_box(site, phone):
    open_page(phone, site[0], "?lang=zh-Hant")
    box = phone.get_by_label("請問您想找什麼？").bounding_box()
    language = phone.get_by_label("語言").bounding_box()
    assert box["y"] < language["y"] and box["y"] < 844
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390  # nothing wider than the phone
    shot(phone, "phone")


PAGES = [
    ("home", "?lang=en", None),
    ("answer", "?lang=en", "How do I freeze my card?"),
    ("unsure", "?lang=en", UNSURE),
    ("clarify", "?lang=zh-Hant", CLOSE),
    ("article", "?article=card-lost-freeze.en&lang=en&at=q2", None),
    ("category", "?category=cards&lang=en", None),
    ("elder", "?lang=en&elder_mode=true", "How do I freeze my card?"),
    ("elder-unsure", "?lang=en&elder_mode=true", UNSURE),
    ("high-contrast", "?lang=en&high_contrast=true", "How do I freeze my card?"),
    ("phone", "?lang=zh-Hant", "卡片被偷了"),
]


@pytest.mark.parametrize("name, query, question", PAGES, ids=[p[0] for p in PAGES])
def test_no_serious_accessibility_violations(site, page, name, query, question):
    if name == "phone":
        page.set_viewport_size({"width": 390, "height": 844})
    open_page(page, site[0], query)
    if question:
        label = "請問您想找什麼？" if "zh-Hant" in query else "What can we help you with?"
        ask(page, label, question)
    page.wait_for_timeout(600)
    if name in ("answer", "unsure", "article"):
        shot(page, name)
    serious = [v for v in axe_violations(page) if v["impact"] in ("serious", "critical")]
    (OUTPUT / f"axe-{name}.json").write_text(json.dumps(serious, indent=2), encoding="utf-8")
    assert serious == []


def test_the_server_log_has_no_deprecations_or_debug_lines(site):
    """After every customer page above has been served (the staff pages come after: theirs is
    another module's concern)."""
    port = urlsplit(site[0]).port
    log = (OUTPUT / f"streamlit-{port}.log").read_text(encoding="utf-8", errors="replace")
    assert "use_container_width" not in log and "deprecat" not in log.lower()
    assert not [line for line in log.splitlines() if " DEBUG " in line or line.startswith("DEBUG")]
    assert "Traceback" not in log


def test_the_server_was_warm_before_its_health_check_answered(site):
    """running_portal waits for /_stcore/health; portal/server.py answers it only once the
    warm-up (models, index, one question per language) is done, so the log says so first."""
    port = urlsplit(site[0]).port
    log = (OUTPUT / f"streamlit-{port}.log").read_text(encoding="utf-8", errors="replace")
    assert "portal warm in" in log and "warm-up skipped" not in log


def test_staff_sign_in_shows_the_analytics_charts(site, page):
    url = site[0]
    open_page(page, url, "?lang=en")
    ask(page, "What can we help you with?", "How do I freeze my card?", "Best answer")
    page.goto(f"{url}/?staff=1&lang=en")
    page.get_by_label("Staff password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Searches per day").wait_for(timeout=30_000)
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for(timeout=30_000)
    assert page.locator('[data-testid="stVegaLiteChart"]').count() >= 2
    page.screenshot(path=str(OUTPUT / "staff-analytics.png"), full_page=True)
