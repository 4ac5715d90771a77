"""The portal in real headless Chromium: ask, elder mode as the browser computes it, feedback,
read aloud, the staff analytics, and an axe-core scan of each mode. Screenshots go to
test-output/."""
from __future__ import annotations

import secrets
import json
import sqlite3
import time

import pytest

from portal.auth import hash_password
from tests.browser import AXE, OUTPUT, browser, chromium_path, running_portal, wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.model]
PASSWORD = secrets.token_urlsafe(16)  # made up per run: no password lives in the repository

if not chromium_path():
    pytest.skip("Chromium is not installed (make test installs Debian's chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def site(small_index, tmp_path_factory):
    database = tmp_path_factory.mktemp("browser") / "portal.db"
    OUTPUT.mkdir(exist_ok=True)
    env = {"KB_CONTENT_DIR": str(small_index.content_dir), "KB_DATA_DIR": str(small_index.data_dir),
           "KB_EMBEDDERS": "use", "KB_WATCH_CONTENT": "false", "KB_DATABASE_URL": f"sqlite:///{database}",
           "KB_STAFF_PASSWORD_HASH": hash_password(PASSWORD)}
    with running_portal(env) as url, browser() as chromium:
        yield url, chromium, database


@pytest.fixture
def page(site):
    url, chromium, _ = site
    context = chromium.new_context(viewport={"width": 1200, "height": 1000}, locale="en-GB")
    tab = context.new_page()
    yield tab
    context.close()


def ask(page, label: str, question: str, answer_heading: str) -> float:
    """Type a question, press Enter; seconds until the answer card is visible."""
    page.get_by_label(label).fill(question)
    started = time.perf_counter()
    page.keyboard.press("Enter")
    page.get_by_text(answer_heading, exact=True).wait_for(timeout=30_000)
    page.locator(".kb-card").first.wait_for(state="visible", timeout=30_000)
    return time.perf_counter() - started


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ['violations']});
        return result.violations.map(v => ({id: v.id, impact: v.impact,
                                            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")


def test_ask_a_question_and_see_the_answer(site, page):
    url, _, _ = site
    page.goto(f"{url}/?lang=en")
    wait_for_app(page)
    seconds = ask(page, "What can we help you with?", "How do I freeze my card?", "Best answer")
    card = page.locator(".kb-card").first
    assert "card" in card.inner_text().lower()
    assert card.locator("mark").count() >= 1
    assert page.get_by_role("link", name="Read the whole article").count() == 1
    assert seconds > 0  # how long is measured by python -m eval bench-portal, never asserted


# Computed in the page: font sizes, line heights, contrast against the real background, and the
# size of every button and link in the main area.
MEASURE = """() => {
  const lum = (c) => { const v = c.map(x => x / 255).map(x => x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4);
                       return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
  const rgba = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
  const background = (el) => { for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor); if (c.length >= 3 && (c.length < 4 || c[3] > 0)) return c; }
    return [255, 255, 255]; };
  const visible = (el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
  const main = document.querySelector('[data-testid="stMain"]') || document.body;
  const text = [], targets = [];
  for (const el of main.querySelectorAll('p, li, label, a, button, h1, h2, h3, input, textarea')) {
    if (!visible(el)) continue;
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()) || el.tagName === 'INPUT'
                || (/^H[1-3]$/.test(el.tagName) && el.innerText.trim());
    const s = getComputedStyle(el);
    if (own) {
      const fg = rgba(s.color), bg = background(el);
      const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
      text.push({tag: el.tagName, text: (el.innerText || el.value || '').slice(0, 40),
                 size: parseFloat(s.fontSize), line: s.lineHeight === 'normal' ? 1.2 * parseFloat(s.fontSize) : parseFloat(s.lineHeight),
                 contrast: (a + 0.05) / (b + 0.05)});
    }
    if (el.tagName === 'A' || el.tagName === 'BUTTON') {
      const r = el.getBoundingClientRect();
      targets.push({tag: el.tagName, text: (el.innerText || '').slice(0, 40), width: r.width, height: r.height});
    }
  }
  return {text, targets};
}"""


def test_elder_mode_in_the_browser(site, page):
    url, _, _ = site
    page.goto(f"{url}/?lang=zh-Hant")
    wait_for_app(page)
    page.get_by_text("長輩模式（大字）").click()  # the switch on the page, not the URL
    page.wait_for_url("**elder_mode=true**", timeout=15_000)
    page.get_by_role("button", name="搜尋").wait_for()
    ask(page, "請問您想找什麼？", "卡片不見了怎麼辦", "最佳解答")
    page.screenshot(path=str(OUTPUT / "elder-mode.png"), full_page=True)
    measured = page.evaluate(MEASURE)
    body = [t for t in measured["text"] if t["tag"] not in ("H1", "H2", "H3")]
    headings = [t for t in measured["text"] if t["tag"] in ("H1", "H2", "H3")]
    assert body and headings
    assert min(t["size"] for t in body) >= 24, [t for t in body if t["size"] < 24][:5]
    assert min(t["size"] for t in headings) >= 30, headings
    assert all(t["line"] >= 1.5 * t["size"] - 0.5 for t in measured["text"]), \
        [t for t in measured["text"] if t["line"] < 1.5 * t["size"] - 0.5][:5]
    assert all(t["contrast"] >= 7 for t in measured["text"]), [t for t in measured["text"] if t["contrast"] < 7][:5]
    assert measured["targets"]
    small = [t for t in measured["targets"] if t["width"] < 60 or t["height"] < 60]
    assert not small, small
    assert page.get_by_role("button", name="📞 打電話給我們").is_visible()
    assert page.get_by_text("相關文章").count() == 0  # the simpler page: nothing competing
    animated = page.evaluate("() => [...document.querySelectorAll('*')].filter(e => "
                             "getComputedStyle(e).animationName !== 'none' || "
                             "parseFloat(getComputedStyle(e).transitionDuration) > 0).length")
    assert animated == 0


def test_feedback_lands_in_the_database(site, page):
    url, _, database = site
    page.goto(f"{url}/?lang=en")
    wait_for_app(page)
    ask(page, "What can we help you with?", "daily transfer limit for new payees", "Best answer")
    page.get_by_role("button", name="Yes").click()
    page.get_by_text("Thank you for your feedback!").wait_for(timeout=15_000)
    with sqlite3.connect(database) as connection:
        rows = connection.execute("select f.helpful, f.article_id, s.query from feedback f "
                                  "join searches s on s.id = f.search_id").fetchall()
    assert (1, "transfer-limits.en", "daily transfer limit for new payees") in rows


def test_read_aloud_uses_the_browsers_speech_in_the_answers_language(site, page):
    url, _, _ = site
    page.add_init_script("""window.__spoken = [];
        window.speechSynthesis.speak = (u) => window.__spoken.push({text: u.text, lang: u.lang});""")
    page.goto(f"{url}/?lang=zh-Hans")
    wait_for_app(page)
    ask(page, "请问您想找什么？", "银行卡丢了怎么办", "最佳解答")
    page.locator("button.kb-read").first.click()
    spoken = page.evaluate("() => window.__spoken")
    assert spoken and spoken[0]["lang"] == "zh-CN" and "银行卡" in spoken[0]["text"]


@pytest.mark.parametrize("mode, params", [("normal", "lang=en"), ("elder-mode", "lang=en&elder_mode=true"),
                                          ("high-contrast", "lang=en&high_contrast=true")])
def test_no_serious_accessibility_violations(site, page, mode, params):
    url, _, _ = site
    page.goto(f"{url}/?{params}")
    wait_for_app(page)
    ask(page, "What can we help you with?", "How do I freeze my card?", "Best answer")
    page.wait_for_timeout(500)
    page.screenshot(path=str(OUTPUT / f"{mode}.png"), full_page=True)
    serious = [v for v in axe_violations(page) if v["impact"] in ("serious", "critical")]
    (OUTPUT / f"axe-{mode}.json").write_text(json.dumps(serious, indent=2), encoding="utf-8")
    assert serious == []


def test_staff_sign_in_shows_the_analytics_charts(site, page):
    url, _, _ = site
    page.goto(f"{url}/?lang=en")
    wait_for_app(page)
    ask(page, "What can we help you with?", "How do I freeze my card?", "Best answer")
    page.goto(f"{url}/?staff=1&lang=en")
    page.get_by_label("Staff password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Searches per day").wait_for(timeout=30_000)
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for(timeout=30_000)
    assert page.locator('[data-testid="stVegaLiteChart"]').count() >= 2
    page.screenshot(path=str(OUTPUT / "staff-analytics.png"), full_page=True)
