"""``kb check`` on similar questions, and learned questions: the file, its checks, the API and
``python -m kb learn``. No model: the index side is in test_similar_index.py."""
from __future__ import annotations

import io
import os
from datetime import date, datetime, timezone

import pytest

from indexer.watch import _content_file
from kb import learned
from kb.__main__ import main, run_check
from kb.content import load_content
from kb.errors import LearnError
from kb.settings import Settings
from kb.validation import check
from tests.articles import CATEGORIES, article_text, write

TODAY = date(2026, 11, 28)
NOW = datetime(2026, 12, 1, 4, 10, tzinfo=timezone.utc)

BODIES = {
    "en": "Freeze your card first.\n\n## I lost my card. What do I do?\n\n```similar\n{en}\n```\n"
          "Open the app and tap **Freeze card**.\n\n## Can I unfreeze it?\nYes, tap **Unfreeze**.\n",
    "zh-Hant": "請先凍結卡片。\n\n## 卡片不見了怎麼辦？\n\n```similar\n{zh-Hant}\n```\n"
               "打開 App，點選「凍結卡片」，這張卡就無法刷卡消費。\n\n## 可以解除凍結嗎？\n可以，點選「解除凍結」。\n",
    "zh-Hans": "请先冻结银行卡。\n\n## 银行卡丢了怎么办？\n\n```similar\n{zh-Hans}\n```\n"
               "打开 App，点击“冻结银行卡”，这张卡就不能刷卡消费了。\n\n## 可以解冻吗？\n可以，点击“解冻”。\n",
}
SIMILAR = {"en": "lost my card what now", "zh-Hant": "卡片掉了要怎麼處理", "zh-Hans": "卡丢了要怎么处理"}
PATHS = {lang: f"articles/{lang}/cards/card-lost.md" for lang in BODIES}


def write_card_topic(root, **similar):
    for lang, body in BODIES.items():
        write(root, PATHS[lang], article_text("card-lost", lang, body=body.replace(
            "{" + lang + "}", similar.get(lang.replace("-", "_"), SIMILAR[lang]))))


@pytest.fixture
def root(tmp_path):
    write(tmp_path, "categories.yml", CATEGORIES)
    write_card_topic(tmp_path)
    return tmp_path


def similar_problems(root):
    return [(p.path, p.line, p.severity, p.message) for p in check(load_content(root), TODAY)
            if p.field in ("similar", "query", "answer", "by", "at", "yaml")]


def test_a_topic_with_good_similar_questions_is_clean(root):
    assert similar_problems(root) == []
    unit = load_content(root).articles["card-lost.en"].units[1]
    assert unit.similar == ("lost my card what now",) and unit.similar_lines == (16,)


@pytest.mark.parametrize("lang, question, severity, words", [
    ("zh_Hant", "卡丢了怎么办", "error", "Simplified"),
    ("zh_Hant", "lost my card what now", "error", "not Chinese"),
    ("zh_Hans", "卡片遺失怎麼辦", "error", "Traditional"),
    ("en", "我的卡不見了", "error", "Chinese"),
    ("en", "lost card " * 15, "warning", "characters long"),
    ("en", "I lost my card. What do I do?", "warning", "repeats the question itself"),
])
def test_each_similar_question_is_checked_where_it_is_written(root, lang, question, severity, words):
    write_card_topic(root, **{lang: question})
    path = PATHS[lang.replace("_", "-")]
    found = similar_problems(root)
    assert [(p, line, s) for p, line, s, _ in found] == [(path, 16, severity)]
    assert words in found[0][3]


def test_mixed_chinese_and_english_is_fine(root):
    write_card_topic(root, zh_Hant="信用卡 PIN 忘了", zh_Hans="App 登录不了 help")
    assert similar_problems(root) == []


def test_the_same_phrasing_under_two_answers_is_an_error_at_each(root):
    body = BODIES["en"].replace("{en}", "Lost my card!!").replace(
        "## Can I unfreeze it?\n", "## Can I unfreeze it?\n```similar\nlost my card\nUNFREEZE PLEASE\n```\n")
    write(root, PATHS["en"], article_text("card-lost", "en", body=body))
    found = [f for f in similar_problems(root) if f[2] == "error"]
    assert [(p, line) for p, line, _, _ in found] == [(PATHS["en"], 16), (PATHS["en"], 22)]
    assert "card-lost.en#q2 (articles/en/cards/card-lost.md:22)" in found[0][3]
    assert "card-lost.en#q1 (articles/en/cards/card-lost.md:16)" in found[1][3]


def test_a_similar_question_that_is_another_answers_question_is_an_error(root):
    write_card_topic(root, en="can i unfreeze it")
    found = similar_problems(root)
    assert [(p, line, s) for p, line, s, _ in found] == [(PATHS["en"], 16, "error")]
    assert "card-lost.en#q2" in found[0][3]


def test_translations_may_share_a_phrasing(root):
    write_card_topic(root, zh_Hant="ATM 卡不見了", zh_Hans="ATM 卡不见了")  # same key once folded
    assert similar_problems(root) == []


LEARNED = """# reviewed
- query: frozen card how to undo
  answer: card-lost.en#q2
  by: mlin
  at: '2026-12-01T04:10:00+00:00'
"""


def test_learned_questions_join_their_unit_and_its_articles_hash(root):
    before = load_content(root).articles["card-lost.en"]
    write(root, learned.LEARNED_FILE, LEARNED)
    content = load_content(root)
    after = content.articles["card-lost.en"]
    assert after.units[2].similar == ("frozen card how to undo",) and after.units[2].similar_lines == (0,)
    assert after.content_hash != before.content_hash
    assert content.articles["card-lost.zh-Hant"].content_hash == load_content(root).articles[
        "card-lost.zh-Hant"].content_hash
    assert [e.line for e in content.learned] == [2]
    assert similar_problems(root) == []


@pytest.mark.parametrize("entry, line, field, severity, words", [
    ("- query: x y\n  answer: nope.en#q1\n  by: a\n  at: '2026-12-01T04:10:00'\n", 1, "answer", "error", "no article"),
    ("- query: x y\n  answer: card-lost.en#q9\n  by: a\n  at: '2026-12-01T04:10:00'\n", 1, "answer", "error",
     "use one of intro, q1, q2"),
    ("- query: x y\n  answer: card-lost.en\n  by: a\n  at: '2026-12-01T04:10:00'\n", 2, "answer", "error",
     "<article id>#<anchor>"),
    ("- query: ''\n  answer: card-lost.en#q1\n  by: a\n  at: '2026-12-01T04:10:00'\n", 1, "query", "error", "no query"),
    ("- query: 卡片要怎麼解凍\n  answer: card-lost.en#q2\n  by: a\n  at: '2026-12-01T04:10:00'\n", 1, "query",
     "error", "card-lost.zh-Hant#q2"),
    ("- query: call me on 0912345678\n  answer: card-lost.en#q2\n  by: a\n  at: '2026-12-01T04:10:00'\n", 1,
     "query", "error", "[phone]"),
    ("- query: lost my card what now\n  answer: card-lost.en#q1\n  by: a\n  at: '2026-12-01T04:10:00'\n", 1,
     "query", "warning", "already a similar question of card-lost.en#q1: articles/en/cards/card-lost.md:16"),
    ("- query: lost my card what now\n  answer: card-lost.en#q2\n  by: a\n  at: '2026-12-01T04:10:00'\n", 1,
     "similar", "error", "also under card-lost.en#q1"),
    ("- query: undo freeze\n  answer: card-lost.en#q2\n", 1, "by", "warning", "no 'by'"),
    ("- query: undo freeze\n  answer: card-lost.en#q2\n  by: a\n  at: yesterday\n", 4, "at", "warning", "not a time"),
    ("- query: [unclosed\n", 2, "yaml", "error", "in the value that starts on line 1"),
])
def test_learned_file_problems_are_located(root, entry, line, field, severity, words):
    write(root, learned.LEARNED_FILE, entry)
    found = [p for p in check(load_content(root), TODAY) if p.path == learned.LEARNED_FILE and p.field == field]
    assert [(p.line, p.severity) for p in found] == [(line, severity)]
    assert words in found[0].message


def test_a_repeated_learned_question_is_reported_and_used_once(root):
    write(root, learned.LEARNED_FILE, LEARNED + LEARNED.replace("# reviewed\n", "").replace("undo", "UNDO!"))
    found = [(p.line, p.severity) for p in check(load_content(root), TODAY) if p.path == learned.LEARNED_FILE]
    assert found == [(6, "warning")]
    assert load_content(root).articles["card-lost.en"].units[2].similar == ("frozen card how to undo",)


def test_add_appends_a_redacted_entry_and_remove_takes_it_out(root):
    write(root, learned.LEARNED_FILE, LEARNED)
    entry = learned.add(root, "unfreeze  card 4111 1111 1111 1111 ", "card-lost.en#q2", "mlin",
                        "from failed searches", now=NOW)
    assert entry.query == "unfreeze card [card]" and entry.line == 6
    text = (root / learned.LEARNED_FILE).read_text(encoding="utf-8")
    assert text.startswith(LEARNED) and "4111" not in text
    entries, problems = learned.load(root)
    assert problems == [] and entries[1] == entry
    assert entries[1].at == "2026-12-01T04:10:00+00:00" and entries[1].note == "from failed searches"
    assert "unfreeze card [card]" in load_content(root).articles["card-lost.en"].units[2].similar
    removed = learned.remove(root, "Unfreeze card [card]!", "card-lost.en#q2")
    assert removed.line == 6
    assert (root / learned.LEARNED_FILE).read_text(encoding="utf-8") == LEARNED
    assert not [p for p in os.listdir(root) if p.endswith(".tmp")]


def test_add_to_a_folder_without_the_file_starts_it_with_a_header(root):
    learned.add(root, "卡片要怎麼解凍", "card-lost.zh-Hant#q2", "mlin", now=NOW)
    text = (root / learned.LEARNED_FILE).read_text(encoding="utf-8")
    assert text.startswith("# Learned questions") and "卡片要怎麼解凍" in text  # Chinese kept as written
    assert similar_problems(root) == []


@pytest.mark.parametrize("query, answer, words", [
    ("undo freeze", "card-lost.en#q7", "has no 'q7'"),
    ("undo freeze", "nope.en#q1", "no article has the id 'nope.en'"),
    ("undo freeze", "card-lost.en", "<article id>#<anchor>"),
    ("  ", "card-lost.en#q2", "empty"),
    ("4111 1111 1111 1111 ??", "card-lost.en#q2", "no words left"),
    ("卡片要怎麼解凍", "card-lost.en#q2", "card-lost.zh-Hant#q2"),
    ("Lost my card, what now?", "card-lost.en#q2", "card-lost.en#q1 (articles/en/cards/card-lost.md:16)"),
    ("can I unfreeze it", "card-lost.en#q1", "that question itself"),
    ("frozen card how to undo", "card-lost.en#q1", "already learned for card-lost.en#q2"),
])
def test_add_refuses_what_cannot_be_learned_and_says_why(root, query, answer, words):
    write(root, learned.LEARNED_FILE, LEARNED)
    with pytest.raises(LearnError) as error:
        learned.add(root, query, answer, "mlin", now=NOW)
    assert words in error.value.user_message
    assert (root / learned.LEARNED_FILE).read_text(encoding="utf-8") == LEARNED


def test_remove_of_something_not_learned_says_so(root):
    write(root, learned.LEARNED_FILE, LEARNED)
    with pytest.raises(LearnError, match="is learned for card-lost.en#q2"):
        learned.remove(root, "frozen card how to undo", "card-lost.en#q1")


def test_learn_command_end_to_end(root, monkeypatch, capsys):
    monkeypatch.chdir(root)
    assert main(["learn", "how do i undo a freeze", "--answer", "card-lost.en#q2", "--by", "mlin",
                 "--note", "week 48", "--content-dir", str(root)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("learned 'how do i undo a freeze' -> card-lost.en#q2 (Can I unfreeze it?) "
                          "in learned-questions.yml:4")
    assert main(["learn", "how do i undo a freeze", "--answer", "card-lost.en#q2", "--content-dir", str(root)]) == 2
    assert "not done: 'how do i undo a freeze' is already learned" in capsys.readouterr().out
    status = run_check(root, Settings.from_env({}), TODAY, io.StringIO())
    assert status == 0
    assert main(["learn", "--undo", "how do i undo a freeze", "--answer", "card-lost.en#q2",
                 "--content-dir", str(root)]) == 0
    assert "unlearned 'how do i undo a freeze'" in capsys.readouterr().out
    assert main(["unlearn", "how do i undo a freeze", "--answer", "card-lost.en#q2",
                 "--content-dir", str(root)]) == 2
    assert learned.load(root) == ([], [])


def test_the_content_watcher_sees_the_learned_file_but_not_its_temporary_copy(root):
    assert _content_file(None, str(root / learned.LEARNED_FILE))
    assert not _content_file(None, str(root / ".learned-questions.yml.x1y2.tmp"))


def test_concurrent_adds_lose_nothing(root):
    """Several portal processes (here threads, each with its own lock handle) may learn at once."""
    from concurrent.futures import ThreadPoolExecutor
    articles = load_content(root).articles
    queries = [f"undo the freeze number {n}" for n in range(12)]
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda q: learned.add(root, q, "card-lost.en#q2", "mlin", articles=articles, now=NOW),
                      queries))
    entries, problems = learned.load(root)
    assert problems == [] and sorted(e.query for e in entries) == sorted(queries)
