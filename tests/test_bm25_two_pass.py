"""Keyword search past FREQUENT_DOCS chunks per term (qa.index.fts): frequent terms are scored on
the candidates of the rarer ones, with FTS5's own BM25, so the order matches one-pass search."""
from __future__ import annotations

from qa.index import fts
from qa.index.filters import Filters
from qa.kb import KnowledgeBase
from tests.helpers import article, hashing_settings


def _kb(tmp_path) -> KnowledgeBase:
    kb = KnowledgeBase(settings=hashing_settings(tmp_path))
    filler = [article(f"f{i}", f"微软公司第{i}次发布了新的产品。市场反应平淡。") for i in range(12)]
    kb.add([*filler, article("hit", "微软聘请了苏莱曼负责新的团队。"),
            article("near", "苏莱曼曾经创办了一家初创公司。")])
    return kb


def _search(kb: KnowledgeBase, tokens: list[str]) -> list[tuple[int, float]]:
    with kb.reader.view() as view:
        return fts.bm25_search(view.conn, tokens, 5, Filters(), view.term_docs)


def test_two_passes_rank_like_one_pass_when_the_rare_terms_find_the_answer(tmp_path, monkeypatch):
    kb = _kb(tmp_path)
    one_pass = _search(kb, ["微软", "苏莱曼", "聘请"])
    monkeypatch.setattr(fts, "FREQUENT_DOCS", 5)  # 微软 is in 13 chunks: frequent; 苏莱曼, 聘请 are not
    with kb.reader.view() as view:
        assert set(fts.frequent_terms(view.conn, ["微软", "苏莱曼", "聘请"], view.term_docs)) == {"微软"}
    two_pass = _search(kb, ["微软", "苏莱曼", "聘请"])
    assert [r for r, _ in two_pass] == [r for r, _ in one_pass[:len(two_pass)]]
    assert [round(s, 6) for _, s in two_pass] == [round(s, 6) for _, s in one_pass[:len(two_pass)]]
    assert len(two_pass) == 2  # only chunks holding a rare term are candidates


def test_a_question_of_frequent_terms_only_is_searched_in_one_pass(tmp_path, monkeypatch):
    kb = _kb(tmp_path)
    expected = _search(kb, ["微软", "产品"])
    monkeypatch.setattr(fts, "FREQUENT_DOCS", 5)
    assert _search(kb, ["微软", "产品"]) == expected
