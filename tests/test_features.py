"""Unit-level evidence of one retriever (kb.features.unit_evidence): how a unit stands against the
other units of its own article, and how its own similar questions matched. Hand-made numbers."""
from __future__ import annotations

import pytest

from kb.features import _Seen, unit_evidence

Q1, Q2, INTRO = ("card-lost", "q1"), ("card-lost", "q2"), ("card-lost", "intro")


def test_the_unit_that_leads_its_article_is_told_from_its_neighbours():
    seen = {Q2: _Seen(direct=0.80, any=0.80, rank=1), Q1: _Seen(direct=0.70, any=0.74, rank=3),
            INTRO: _Seen(direct=0.72, any=0.72, rank=2)}
    order = [Q2, INTRO, Q1]
    q2 = unit_evidence("dense:use", Q2, seen, order, [], top=0.80, last=0.30)
    q1 = unit_evidence("dense:use", Q1, seen, order, [0.74, 0.60], top=0.80, last=0.30)
    assert q2["dense:use.in_topic_rrank"] == 1.0 and q1["dense:use.in_topic_rrank"] == pytest.approx(1 / 3)
    assert q2["dense:use.in_topic_lead"] == pytest.approx(0.06)  # ahead of q1 (found at 0.74) by 0.06
    assert q1["dense:use.in_topic_lead"] == pytest.approx(-0.06)  # behind q2 by 0.06
    assert q1["dense:use.similar_max"] == pytest.approx(0.06)  # gap of its best similar question
    assert q1["dense:use.similar_top2"] == pytest.approx(0.80 - 0.67)
    # No similar question found: the list's last score stands in (the largest gap).
    assert q2["dense:use.similar_max"] == pytest.approx(0.50)


def test_keyword_evidence_is_a_ratio_to_the_lists_best_and_zero_when_not_found():
    seen = {Q1: _Seen(direct=6.0, any=8.0, rank=1)}
    q1 = unit_evidence("keyword", Q1, seen, [Q1], [8.0], top=8.0, last=1.0)
    assert q1["keyword.in_topic_lead"] == 1.0  # alone in its article: leads by its whole score
    assert q1["keyword.similar_max"] == 1.0 and q1["keyword.similar_top2"] == 0.5
    q2 = unit_evidence("keyword", Q2, seen, [Q1], [], top=8.0, last=1.0)
    assert q2["keyword.in_topic_rrank"] == 0.0 and q2["keyword.in_topic_lead"] == -1.0
    assert q2["keyword.similar_max"] == 0.0
