"""Hybrid retrieval: input validation, filters, duplicate collapse, offsets, fusion."""
from __future__ import annotations

import pytest

from qa.config import Settings
from qa.kb import KnowledgeBase
from qa.search.fusion import Hits, fuse
from tests.helpers import article, hashing_settings, sample_articles


@pytest.fixture()
def kb(tmp_path, backend):
    kb = KnowledgeBase(settings=hashing_settings(tmp_path, backend))
    kb.add(sample_articles())
    return kb


@pytest.mark.parametrize("query, k, message", [
    ("", 5, "empty"), ("   \n", 5, "empty"), ("微软" * 1001, 5, "2000"), ("微软", 0, "k must"),
    ("微软", -3, "k must"), (None, 5, "empty"),
])
def test_bad_input_raises_value_error_with_clear_message(kb, query, k, message):
    with pytest.raises(ValueError, match=message):
        kb.retrieve(query, k)


def test_unparseable_filter_date_raises_value_error(kb):
    with pytest.raises(ValueError, match="date"):
        kb.retrieve("微软", since="last tuesday")
    with pytest.raises(ValueError, match="reversed"):
        kb.retrieve("微软", since="2025-01-01", until="2024-01-01")


def test_passage_offsets_slice_the_article_text(kb):
    for p in kb.retrieve("微软 苏莱曼 特斯拉 北京", 10):
        assert kb.article(p.article_id).text[p.start:p.end] == p.text
        assert p.title and p.source and p.date


def test_date_filters_restrict_before_ranking(kb):
    hits = kb.retrieve("特斯拉 财报 微软 北京", 10, since="2024-01-01")
    assert {p.article_id for p in hits} == {"ms", "tesla"}
    hits = kb.retrieve("特斯拉 财报 微软 北京", 10, until="2024-12-31", sources=["新华社"])
    assert {p.article_id for p in hits} == {"rain"}


def test_empty_filter_result_returns_nothing_not_unfiltered(kb):
    assert kb.retrieve("特斯拉", 5, since="2030-01-01") == []
    assert kb.retrieve("特斯拉", 5, sources=["不存在的媒体"]) == []


def test_reposted_story_does_not_fill_the_top_k(tmp_path):
    kb = KnowledgeBase(settings=hashing_settings(tmp_path))
    original = sample_articles()[0]
    repost = article("repost", original.text.replace("知情人士说", "据知情人士透露") + "\n本文转载自智东西。",
                     source="转载网", date="2025-05-01")
    kb.add([original, repost])
    hits = kb.retrieve("苏莱曼", 5)
    assert len({p.article_id for p in hits}) == 1
    assert set(hits[0].duplicates) == ({"ms", "repost"} - {hits[0].article_id})


def test_each_mode_finds_the_obvious_article(kb):
    for mode in ("hybrid", "dense", "bm25"):
        assert kb.retrieve("特斯拉公布了季度财报", 1, mode=mode)[0].article_id == "tesla"


def test_rrf_fusion_rewards_agreement_between_sides():
    settings = Settings.from_env({})
    dense = Hits(((1, 0.9), (2, 0.8), (3, 0.7)))
    sparse = Hits(((2, 12.0), (4, 11.0), (1, 3.0)))
    fused = [rid for rid, _ in fuse(dense, sparse, settings)]
    assert fused[:2] == [2, 1] and set(fused) == {1, 2, 3, 4}


def test_weighted_fusion_normalises_each_side():
    settings = Settings.from_env({}, fusion="weighted", dense_weight=0.5)
    fused = dict(fuse(Hits(((1, 0.9), (2, 0.1))), Hits(((2, 30.0), (1, 10.0))), settings))
    assert fused[1] == pytest.approx(0.5) and fused[2] == pytest.approx(0.5)


def test_repost_added_later_joins_the_original_story(tmp_path):
    kb = KnowledgeBase(settings=hashing_settings(tmp_path))
    original = sample_articles()[0]
    kb.add(sample_articles())
    kb.add([article("repost", original.text.replace("知情人士说", "据知情人士透露") + "\n本文转载自智东西。",
                    source="转载网", date="2025-05-01")])
    story = [p for p in kb.retrieve("苏莱曼", 5) if p.article_id in {"ms", "repost"}]
    assert len({p.article_id for p in story}) == 1
    assert set(story[0].duplicates) == ({"ms", "repost"} - {story[0].article_id})
