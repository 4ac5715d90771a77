"""Editors' side of the improvement loop: `kb new` writes one language unless asked for all, a new
article stays a draft until its template text is replaced, and `kb check` reports placeholders,
translations whose questions differ, and a broken article once."""
from __future__ import annotations

import io
from datetime import date

import pytest

from kb.__main__ import main, run_check
from kb.content import load_content
from kb.settings import Settings
from kb.templates import PLACEHOLDERS, placeholders
from kb.validation import check
from tests.articles import CATEGORIES, FAQ_BODY, article_text, write, write_topic

TODAY = date(2026, 11, 28)


def kb(*argv: str) -> int:
    return main(list(argv))


def checked(root) -> str:
    out = io.StringIO()
    run_check(root, Settings.from_env({}), TODAY, out)
    return out.getvalue()


def test_kb_new_with_one_language_writes_that_file_only(tmp_path):
    write(tmp_path, "categories.yml", CATEGORIES)
    assert kb("new", "--type", "faq", "--lang", "en", "--category", "cards", "--title", "Card limits",
              "--content-dir", str(tmp_path)) == 0
    assert [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.md")] == [
        "articles/en/cards/card-limits.md"]
    assert kb("new", "--type", "faq", "--lang", "zh-Hans", "--category", "cards", "--title", "Card limits",
              "--all-langs", "--content-dir", str(tmp_path)) == 0
    written = [p.relative_to(tmp_path) for p in tmp_path.rglob("*.md") if p.stem != "card-limits"]
    assert sorted(p.parts[1] for p in written) == ["en", "zh-Hans", "zh-Hant"]  # a fresh id: no clash
    assert len({p.stem for p in written}) == 1 and written[0].stem.startswith("card-limits-")


def test_all_langs_with_group_is_refused_with_a_reason(tmp_path, capsys):
    write(tmp_path, "categories.yml", CATEGORIES)
    assert kb("new", "--type", "faq", "--lang", "en", "--category", "cards", "--group", "x", "--all-langs",
              "--content-dir", str(tmp_path)) == 2
    assert "--all-langs starts a new topic" in capsys.readouterr().out
    assert not list(tmp_path.rglob("*.md"))


def test_questions_prefill_the_draft_and_every_placeholder_is_named_with_its_line(tmp_path):
    write(tmp_path, "categories.yml", CATEGORIES)
    assert kb("new", "--type", "faq", "--lang", "en", "--category", "cards", "--title", "Pet cover",
              "--question", "Do you sell pet insurance?", "--question", "pet insurance price",
              "--content-dir", str(tmp_path)) == 0
    path = tmp_path / "articles/en/cards/pet-cover.md"
    text = path.read_text(encoding="utf-8")
    assert "## Do you sell pet insurance?\n" in text and "## pet insurance price\n" in text
    report = checked(tmp_path)
    lines = {line.split(":")[1] for line in report.splitlines() if ": warning: draft:" in line}
    expected = {str(n) for n, line in enumerate(text.splitlines(), 1)
                if any(p in line for p in PLACEHOLDERS) or line.startswith("tags:")}
    assert lines == expected and len(lines) == 5  # title, tags, intro, two answers
    assert "0 errors" in report
    assert load_content(tmp_path).articles == {}


def test_a_published_article_with_template_text_keeps_being_left_out(tmp_path):
    write_topic(tmp_path)
    en = tmp_path / "articles/en/cards/card-lost.md"
    en.write_text(en.read_text(encoding="utf-8") + "\n## New question?\n" + PLACEHOLDERS[0] + "\n",
                  encoding="utf-8")
    content = load_content(tmp_path)
    assert "card-lost.en" not in content.articles and "articles/en/cards/card-lost.md" in content.failed_paths
    assert [p.field for p in content.problems] == ["draft"]


def test_placeholders_find_nothing_in_finished_articles():
    from kb.settings import PROJECT_ROOT
    content = load_content(PROJECT_ROOT / "content")
    assert [a.id for a in content.articles.values() if placeholders(a)] == []
    assert not [p for p in content.problems if p.field == "draft"]


def test_translations_with_other_questions_are_reported(tmp_path):
    write_topic(tmp_path)
    extra = article_text("card-lost", "zh-Hans", body="请先冻结银行卡。\n\n## 银行卡丢了怎么办？\n打开 App。\n\n"
                                                         "## 找回了怎么办？\n在 App 里解冻。\n")
    write(tmp_path, "articles/zh-Hans/cards/card-lost.md", extra)
    problems = [p for p in check(load_content(tmp_path), TODAY) if p.field == "structure"]
    assert [(p.path, p.severity) for p in problems] == [("articles/zh-Hans/cards/card-lost.md", "warning")]
    assert "2 questions" in problems[0].message and "1 question" in problems[0].message
    assert "articles/en/cards/card-lost.md" in problems[0].message or "zh-Hant" in problems[0].message


def test_a_broken_article_is_reported_once_not_in_every_file_that_links_to_it(tmp_path):
    write(tmp_path, "categories.yml", CATEGORIES)
    write_topic(tmp_path, "card-lost")
    for lang in ("en", "zh-Hant", "zh-Hans"):
        links = "\nSee [lost cards](../cards/card-lost.md) and [this](?article=card-lost.en).\n" if lang == "en" else ""
        write(tmp_path, f"articles/{lang}/cards/card-freeze.md",
              article_text("card-freeze", lang, related="[card-lost.en]", body=FAQ_BODY[lang] + links))
    write(tmp_path, "articles/en/cards/card-lost.md", "---\nid: card-lost.en\ntitle: [oops\n---\nbody\n")
    report = checked(tmp_path)
    errors = [line for line in report.splitlines() if ": error:" in line]
    assert len(errors) == 1 and "articles/en/cards/card-lost.md" in errors[0], report
    assert "no article has the id" not in report and "broken link" not in report
    # A link to an article that never existed is still reported.
    write(tmp_path, "articles/zh-Hans/cards/card-freeze.md",
          article_text("card-freeze", "zh-Hans", related="[card-gone.en, card-lost.en]"))
    assert "no article has the id 'card-gone.en'" in checked(tmp_path)


@pytest.mark.model
def test_the_portals_quiet_watcher_names_every_failing_file_with_its_error(tmp_path, use_embedder, caplog):
    import logging
    import threading
    from indexer.watch import watch
    write(tmp_path, "categories.yml", CATEGORIES)
    write_topic(tmp_path)
    write(tmp_path, "articles/en/cards/broken.md", "---\nid: broken.en\ntitle: [oops\n---\nbody\n")
    write(tmp_path, "articles/en/cards/draft.md",
          article_text("draft", "en", body=f"Cards.\n\n## What now?\n{PLACEHOLDERS[0]}\n"))
    settings = Settings.from_env({}, content_dir=tmp_path, data_dir=tmp_path.parent / "data", embedders=("use",))
    stop = threading.Event()
    stop.set()  # one build, then stop
    with caplog.at_level(logging.INFO, logger="indexer.watch"):
        watch(settings, stop_event=stop, embedders={"use": use_embedder}, quiet=True)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "articles/en/cards/broken.md:4: error: front matter: invalid YAML" in logged
    assert "draft.md" not in logged  # warnings (a draft) stay out of the portal's log
