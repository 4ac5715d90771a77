"""Staff actions on a real content folder: confirm a Q/A (kb.learned), add a synonym, start a draft;
each recorded (who, when, what), visible in the content's files, and reversible."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest
import yaml

from kb.content import load_content
from kb.errors import StaffActionError
from kb.learned import load as load_learned
from portal import staff_actions
from tests.articles import CATEGORIES, write, write_topic

NOW = datetime(2026, 12, 1, 4, 0, tzinfo=timezone.utc)
SYNONYMS = "# Synonyms\n- [掛失, 挂失, report lost]\n"


@pytest.fixture
def root(tmp_path):
    write(tmp_path, "categories.yml", CATEGORIES)
    write(tmp_path, "synonyms.yml", SYNONYMS)
    write_topic(tmp_path, "card-lost")
    return tmp_path


def log_lines(root) -> list[dict]:
    return [json.loads(line) for line in (root / staff_actions.LOG_FILE).read_text(encoding="utf-8").splitlines()]


def test_confirm_learns_each_query_in_its_own_language_and_records_who_when_what(root):
    content = load_content(root)
    record = staff_actions.confirm(
        root, [("my card is gone", "en"), ("卡不見了", "zh-Hant"), ("my  card is gone", "en")],
        "card-lost.en#q1", "mlin", "week 48", articles=content.articles,
        extra={"tune_before": {"Success@1": 0.8}}, now=NOW)
    assert record["action"] == "confirm" and record["by"] == "mlin" and record["at"] == NOW.isoformat()
    assert record["details"]["learned"] == [{"query": "my card is gone", "answer": "card-lost.en#q1"},
                                            {"query": "卡不見了", "answer": "card-lost.zh-Hant#q1"}]
    assert record["tune_before"] == {"Success@1": 0.8}
    entries, problems = load_learned(root)
    assert problems == [] and [(e.query, e.answer, e.by, e.note) for e in entries] == [
        ("my card is gone", "card-lost.en#q1", "mlin", "week 48"),
        ("卡不見了", "card-lost.zh-Hant#q1", "mlin", "week 48")]
    # The learned questions are in the content now: search indexes them as the Q/A's similar questions.
    unit = load_content(root).articles["card-lost.zh-Hant"].units[1]
    assert "卡不見了" in unit.similar
    assert log_lines(root) == [record]
    assert staff_actions.history(root) == [{**record, "undone_by": None}]


def test_confirm_reports_queries_it_could_not_learn_and_refuses_when_none_can_be(root):
    content = load_content(root)
    record = staff_actions.confirm(root, [("lost card help", "en"), ("lost card help", "en")],
                                   "card-lost.en#q1", "mlin", articles=content.articles, now=NOW)
    assert len(record["details"]["learned"]) == 1
    with pytest.raises(StaffActionError, match="nothing was learned: 'lost card help': .*already learned"):
        staff_actions.confirm(root, [("lost card help", "en")], "card-lost.en#q1", "mlin",
                              articles=load_content(root).articles)
    with pytest.raises(StaffActionError, match="not a Q/A of the live content"):
        staff_actions.confirm(root, [("x", "en")], "card-lost.en#q9", "mlin", articles=content.articles)
    with pytest.raises(StaffActionError, match="say who you are"):
        staff_actions.confirm(root, [("x y", "en")], "card-lost.en#q1", "  ", articles=content.articles)
    assert len(log_lines(root)) == 1  # refusals are not recorded as actions


def test_undo_of_a_confirm_removes_the_learned_questions_and_is_recorded(root):
    record = staff_actions.confirm(root, [("card vanished", "en")], "card-lost.en#q1", "mlin",
                                   articles=load_content(root).articles, now=NOW)
    undo = staff_actions.undo(root, record["id"], "akao")
    assert undo["undoes"] == record["id"] and undo["by"] == "akao"
    assert load_learned(root)[0] == []
    newest, older = staff_actions.history(root)
    assert newest["action"] == "undo" and older["undone_by"] == undo["id"]
    with pytest.raises(StaffActionError, match="already undone"):
        staff_actions.undo(root, record["id"], "akao")
    with pytest.raises(StaffActionError, match="cannot be undone"):
        staff_actions.undo(root, undo["id"], "akao")
    with pytest.raises(StaffActionError, match="no recorded action"):
        staff_actions.undo(root, "nope", "akao")


def test_a_synonym_line_is_added_in_one_language_marked_and_removed_by_undo(root):
    record = staff_actions.add_synonym(root, ["吞卡", "卡被吃掉", "吞卡"], "mlin", "from failed searches", now=NOW)
    text = (root / "synonyms.yml").read_text(encoding="utf-8")
    assert text.startswith(SYNONYMS)
    assert f"# staff action {record['id']}: mlin, {NOW.isoformat()}, from failed searches\n- [吞卡, 卡被吃掉]\n" in text
    assert ("吞卡", "卡被吃掉") in load_content(root).synonyms
    staff_actions.undo(root, record["id"], "mlin")
    assert (root / "synonyms.yml").read_text(encoding="utf-8").rstrip("\n") == SYNONYMS.rstrip("\n")
    assert yaml.safe_load((root / "synonyms.yml").read_text(encoding="utf-8")) == [["掛失", "挂失", "report lost"]]


@pytest.mark.parametrize("words, message", [
    (["swallowed card", "吞卡"], "within one language"),
    (["吞卡"], "at least two"),
    (["card", "plastic"], "too short or too general"),
    (["report lost", "掛失"], "within one language"),
    (["掛失", "挂失"], "already synonyms"),
])
def test_synonyms_that_would_mislead_are_refused(root, words, message):
    with pytest.raises(StaffActionError, match=message):
        staff_actions.add_synonym(root, words, "mlin")
    assert (root / "synonyms.yml").read_text(encoding="utf-8") == SYNONYMS


def test_a_draft_is_prefilled_with_the_groups_questions_and_stays_out_of_the_index(root):
    questions = [("do you sell pet insurance", "en"), ("pet insurance price", "en"), ("寵物保險", "zh-Hant")]
    record = staff_actions.start_draft(root, questions, "cards", "mlin", content=load_content(root),
                                       today=date(2026, 12, 1), now=NOW)
    [name] = record["details"]["files"]
    assert name.startswith("articles/en/cards/do-you-sell-pet-insurance")
    text = (root / name).read_text(encoding="utf-8")
    assert "## do you sell pet insurance\n" in text and "## pet insurance price\n" in text
    assert "also asked: 寵物保險" in text
    content = load_content(root)
    assert name in content.failed_paths and all(not a.path == name for a in content.articles.values())
    assert any(p.path == name and p.field == "draft" for p in content.problems)
    staff_actions.undo(root, record["id"], "mlin")
    assert not (root / name).exists()


def test_a_finished_draft_is_not_deleted_by_undo(root):
    record = staff_actions.start_draft(root, [("寵物保險有嗎", "zh-Hant")], "cards", "mlin",
                                       content=load_content(root), now=NOW)
    [name] = record["details"]["files"]
    path = root / name
    finished = path.read_text(encoding="utf-8")
    for placeholder in ("新文章：請改成標題", "請用一兩句話說明這篇文章能幫客戶解決什麼問題。",
                        "請寫出完整、單獨閱讀也看得懂的回答，按鈕名稱用**粗體**標示。"):
        finished = finished.replace(placeholder, "寵物保險")
    path.write_text(finished.replace("請改成, ", "保險, "), encoding="utf-8")
    assert path.relative_to(root).as_posix() not in load_content(root).failed_paths
    with pytest.raises(StaffActionError, match="finished into an article"):
        staff_actions.undo(root, record["id"], "mlin")
    assert path.exists()


def test_a_damaged_action_log_is_named_with_its_line(root):
    write(root, staff_actions.LOG_FILE, '{"id": "a"}\nnot json\n')
    with pytest.raises(StaffActionError, match=r"staff-actions.jsonl:2: not valid JSON"):
        staff_actions.history(root)
