"""BM25 keyword search: query terms common to half the index are left out, results unchanged."""
from __future__ import annotations

import pytest

from qa.search import keyword
from qa.kb import KnowledgeBase
from tests.helpers import article, hashing_settings


@pytest.fixture()
def kb(tmp_path, backend):
    kb = KnowledgeBase(settings=hashing_settings(tmp_path, backend))
    # 的 and 报道 are in every article; 苏莱曼 in one, 台风 in two.
    kb.add([article("a", "记者报道的消息：微软聘请了苏莱曼。"), article("b", "记者报道的消息：台风登陆了广东。"),
            article("c", "记者报道的消息：台风带来了暴雨。"), article("d", "记者报道的消息：股市今天上涨。")])
    return kb


def test_terms_in_half_the_chunks_or_more_are_left_out(kb):
    with kb.reader.view() as view:
        kept = keyword.informative(view, ["报道", "的", "台风", "苏莱曼", "报道"])
        freq, n = view.doc_freq(["报道", "台风", "苏莱曼"])
    assert n == 4 and freq["报道"] == 4 and freq["台风"] == 2
    assert kept == ["苏莱曼"]


def test_only_common_terms_keep_the_rarest(kb):
    with kb.reader.view() as view:
        assert keyword.informative(view, ["报道", "消息"]) in (["报道"], ["消息"])
        assert keyword.informative(view, []) == []


def test_common_terms_do_not_change_the_ranking(kb):
    with kb.reader.view() as view:
        with_common = keyword.bm25_search(view, ["报道", "的", "消息", "苏莱曼"], 10)
        rare_only = keyword.bm25_search(view, ["苏莱曼"], 10)
    assert [r for r, _ in with_common] == [r for r, _ in rare_only]
    assert len(with_common) == 1


def test_query_of_only_common_words_still_returns_chunks(kb):
    with kb.reader.view() as view:
        assert len(keyword.bm25_search(view, ["报道"], 10)) == 4


def test_term_counts_are_cached_per_generation_and_a_new_generation_starts_afresh(kb):
    with kb.reader.view() as view:
        keyword.informative(view, ["台风", "苏莱曼", "不存在的词"])
        assert view.term_docs == {"台风": 2, "苏莱曼": 1, "不存在的词": 0}
        view.term_docs["台风"] = 4  # a cached count is used as it is
        assert keyword.informative(view, ["台风", "苏莱曼"]) == ["苏莱曼"]
    kb.remove(["d"])
    with kb.reader.view() as view:
        assert view.term_docs == {}
