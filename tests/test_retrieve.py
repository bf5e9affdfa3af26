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
    settings = Settings.from_env({}, fusion="rrf")
    dense = Hits(((1, 0.9), (2, 0.8), (3, 0.7)))
    sparse = Hits(((2, 12.0), (4, 11.0), (1, 3.0)))
    fused = [rid for rid, _ in fuse(dense, sparse, settings)]
    assert fused[:2] == [2, 1] and set(fused) == {1, 2, 3, 4}


def test_weighted_fusion_normalises_each_side():
    settings = Settings.from_env({}, fusion="weighted", dense_weight=0.5)
    fused = dict(fuse(Hits(((1, 0.9), (2, 0.1))), Hits(((2, 30.0), (1, 10.0))), settings))
    assert fused[1] == pytest.approx(0.5) and fused[2] == pytest.approx(0.5)


def test_weighted_fusion_gives_a_lone_keyword_hit_the_whole_keyword_share():
    # In a small index of one story the keyword side can hold one chunk (the only one with 估值):
    # it is that side's best, and must beat a chunk only the dense side ranks a little higher.
    settings = Settings.from_env({}, fusion="weighted", dense_weight=0.65)
    fused = dict(fuse(Hits(((1, 0.88), (2, 0.87), (3, 0.80))), Hits(((2, 3.0),)), settings))
    assert fused[2] == pytest.approx(0.65 * 0.875 + 0.35) and max(fused, key=fused.get) == 2


def test_zscore_fusion_scores_a_chunk_one_side_missed_as_that_sides_last():
    settings = Settings.from_env({}, fusion="zscore", dense_weight=0.5)
    fused = fuse(Hits(((1, 0.9), (2, 0.8), (3, 0.7))), Hits(((1, 10.0), (3, 5.0))), settings)
    scores = dict(fused)
    # z: dense 1.22 / 0 / -1.22, keyword 1 / (2 missed: -1) / -1; summed, then rescaled to 0..1
    assert [rid for rid, _ in fused] == [1, 2, 3]
    assert scores[1] == pytest.approx(1.0) and scores[3] == pytest.approx(0.0)
    assert scores[2] == pytest.approx((-0.5 + 1.1124) / 2.2247, abs=1e-3)


def test_zscore_fusion_gives_a_lone_keyword_hit_the_whole_keyword_share():
    settings = Settings.from_env({}, fusion="zscore", dense_weight=0.55)
    fused = dict(fuse(Hits(((1, 0.88), (2, 0.87), (3, 0.80))), Hits(((2, 3.0),)), settings))
    assert max(fused, key=fused.get) == 2 and min(fused, key=fused.get) == 3


def test_unknown_fusion_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="QA_FUSION.*weighted, zscore, rrf.*'combsum'"):
        Settings.from_env({"QA_FUSION": "combsum"})


def test_repost_added_later_joins_the_original_story(tmp_path):
    kb = KnowledgeBase(settings=hashing_settings(tmp_path))
    original = sample_articles()[0]
    kb.add(sample_articles())
    kb.add([article("repost", original.text.replace("知情人士说", "据知情人士透露") + "\n本文转载自智东西。",
                    source="转载网", date="2025-05-01")])
    story = [p for p in kb.retrieve("苏莱曼", 5) if p.article_id in {"ms", "repost"}]
    assert len({p.article_id for p in story}) == 1
    assert set(story[0].duplicates) == ({"ms", "repost"} - {story[0].article_id})


class ThreadRecordingView:
    """A view that records the thread each keyword search ran on (everything else passes through)."""

    def __init__(self, view, fail_dense: bool = False):
        self._view, self.keyword_threads, self.fail_dense = view, [], fail_dense
        self.keyword_done = False
        self.events: list[tuple[str, str, tuple[str, ...]]] = []  # (call, thread, keyword tokens)

    def __getattr__(self, name):
        return getattr(self._view, name)

    def keyword_search(self, *args, **kwargs):
        import threading
        import time

        self.keyword_threads.append(threading.current_thread().name)
        self.events.append(("keyword", threading.current_thread().name, tuple(args[0])))
        if self.fail_dense:
            time.sleep(0.2)  # still running when the dense side fails
        result = self._view.keyword_search(*args, **kwargs)
        self.keyword_done = True
        return result

    def dense_search(self, *args, **kwargs):
        import threading

        self.events.append(("dense", threading.current_thread().name, ()))
        if self.fail_dense:
            raise RuntimeError("FAISS failed")
        return self._view.dense_search(*args, **kwargs)


def _search(kb, view, query, pool):
    from qa.index.filters import Filters
    from qa.search.hybrid import hybrid_search

    return hybrid_search(view, kb.query_encoder, query, 5, Filters.make(), kb.settings, "hybrid", None, pool)


@pytest.mark.parametrize("query", ["微软为什么聘请苏莱曼", "特斯拉 财报"])
def test_keyword_search_beside_dense_search_returns_the_same_passages(tmp_path, query):
    from concurrent.futures import ThreadPoolExecutor

    kb = KnowledgeBase(settings=hashing_settings(tmp_path))
    kb.add(sample_articles())
    with ThreadPoolExecutor(2, thread_name_prefix="beside") as pool, kb.reader.view() as view:
        recorded = ThreadRecordingView(view)
        together = _search(kb, recorded, query, pool)
        alone = _search(kb, view, query, None)
    assert together and [(p.chunk_id, p.score) for p in together] == [(p.chunk_id, p.score) for p in alone]
    assert recorded.keyword_threads and recorded.keyword_threads[0].startswith("beside")


def test_english_keywords_wait_for_the_dense_side_and_only_their_lookups_run_beside_it(tmp_path):
    """The senses of an English question's words are chosen by the best dense chunks' words, so its
    keyword search (with 聘请 for "hire") runs after the dense search, on the asking thread; the
    lookups it needs (senses' counts, the names' aliases) may run beside, with the same passages."""
    from concurrent.futures import ThreadPoolExecutor

    kb = KnowledgeBase(settings=hashing_settings(tmp_path))
    kb.add(sample_articles())
    query = "why did Microsoft hire Suleyman?"
    with kb.reader.view() as view:
        alone = _search(kb, view, query, None)
    with ThreadPoolExecutor(2, thread_name_prefix="beside") as pool, kb.reader.view() as view:
        recorded = ThreadRecordingView(view)
        beside = _search(kb, recorded, query, pool)
    searched = [i for i, (call, _, tokens) in enumerate(recorded.events) if call == "keyword" and "聘请" in tokens]
    dense = [i for i, (call, _, _) in enumerate(recorded.events) if call == "dense"]
    assert searched and dense and searched[0] > dense[0]
    assert not recorded.events[searched[0]][1].startswith("beside")
    assert [p.chunk_id for p in beside] == [p.chunk_id for p in alone]


def test_a_failing_dense_side_waits_for_the_keyword_side_before_giving_the_view_back(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    kb = KnowledgeBase(settings=hashing_settings(tmp_path))
    kb.add(sample_articles())
    with ThreadPoolExecutor(2) as pool, kb.reader.view() as view:
        recorded = ThreadRecordingView(view, fail_dense=True)
        with pytest.raises(RuntimeError, match="FAISS failed"):
            _search(kb, recorded, "苏莱曼", pool)
        assert recorded.keyword_done


def test_faiss_threads_setting_holds_in_the_thread_that_asks(tmp_path):
    """OpenMP's thread count is per thread: a question from another thread (as Gradio's workers
    ask) must search on ``faiss_threads`` too, not on OpenMP's default of every core."""
    import threading

    import faiss

    kb = KnowledgeBase(settings=hashing_settings(tmp_path, faiss_threads=1))
    kb.add(sample_articles())
    seen = {}

    def ask():
        faiss.omp_set_num_threads(3)  # what a fresh thread may hold: anything but the setting
        kb.retrieve("微软为什么聘请苏莱曼？", 3)
        seen["threads"] = faiss.omp_get_max_threads()

    thread = threading.Thread(target=ask)
    thread.start()
    thread.join()
    assert seen["threads"] == 1
