"""An external corpus is taken as it comes: "zh" labels, short questions, and lines whose
language looks wrong are indexed (with a warning and a count), never refused."""
from __future__ import annotations

import json

import pytest

from eval.corpus import corpus_languages
from eval.data import Doc, read_corpus
from kb.errors import DataFileError

# Short real questions in each script, the way a bank's question pool has them.
LINES = [
    ("q1", "怎么撤销借款", "zh"),
    ("q2", "会有逾期记录吗", "zh"),
    ("q3", "信用卡PIN忘了", "zh"),  # characters common to both scripts, and a Latin word
    ("q4", "借款可以提前还吗", "zh"),
    ("q5", "怎麼撤銷借款", "zh"),  # a Traditional line in a mostly Simplified pool
    ("q6", "reset login password", "en"),
    ("q7", "忘记登录密码怎么办", "en"),  # labelled en, written in Chinese
    ("q8", "會有逾期紀錄嗎", "zh-Hant"),
]


def _docs():
    return [Doc(i, text, "", lang, n) for n, (i, text, lang) in enumerate(LINES, start=1)]


def test_zh_is_read_per_line_and_a_wrong_label_is_indexed_with_a_warning(tmp_path):
    warnings: list[str] = []
    langs = corpus_languages(_docs(), tmp_path / "corpus.jsonl", warnings)
    assert langs == {"q1": "zh-Hans", "q2": "zh-Hans", "q3": "zh-Hans", "q4": "zh-Hans", "q5": "zh-Hant",
                     "q6": "en", "q7": "zh-Hans", "q8": "zh-Hant"}
    [warning] = warnings
    assert warning.startswith("1 of 8 corpus lines look like another language")
    assert "corpus.jsonl:7:" in warning and "indexed as zh-Hans" in warning


def test_a_language_we_do_not_serve_names_the_line(tmp_path):
    with pytest.raises(DataFileError, match=r"corpus.jsonl:2: lang 'fr' is not one of"):
        corpus_languages(_docs()[:1] + [Doc("x", "Bonjour", "", "fr", 2)], tmp_path / "corpus.jsonl")


@pytest.mark.model
def test_eval_indexes_a_short_zh_corpus_whole(tmp_path, make_settings, use_embedder):
    from eval.run import index_corpus
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps({"id": i, "title": text, "text": text, "lang": lang},
                                         ensure_ascii=False) + "\n" for i, text, lang in LINES), encoding="utf-8")
    warnings: list[str] = []
    local, known = index_corpus(corpus, tmp_path / "work", make_settings(embedders=("use",)),
                                {"use": use_embedder}, warnings=warnings)
    assert sorted(known) == sorted(d.id for d in read_corpus(corpus))  # every line, none refused
    assert len(warnings) == 1 and "1 of 8" in warnings[0]
