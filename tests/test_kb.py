"""KnowledgeBase: build/add/update/remove/sync/reopen, duplicates, mismatches, reader refresh."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from qa.errors import IndexMismatchError, IndexNotFoundError
from qa.kb import KnowledgeBase
from qa.types import Article
from tests.helpers import article, hashing_settings, sample_articles


def _state(kb: KnowledgeBase) -> tuple:
    """Everything observable: articles, chunk ids, and ranked results of a few queries."""
    queries = ["微软为什么聘请苏莱曼", "特斯拉 财报", "北京 大雨", "OpenAI"]
    results = tuple(tuple((p.article_id, p.chunk_id, round(p.score, 5)) for p in kb.retrieve(q, 5)) for q in queries)
    return tuple(sorted(a.id for a in kb.articles())), results


def _sentence_vectors(kb: KnowledgeBase, text: str) -> dict[str, np.ndarray]:
    """Return the stored vectors of the indexed sentences found in ``text``."""
    with kb.reader.view() as view:
        texts, vectors = view.sentence_texts_and_vectors()
    return {t: v for t, v in zip(texts, vectors) if t in text}


def _write_corpus(folder: Path, articles: list[Article]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for a in articles:
        body = f"---\nid: {a.id}\ntitle: {a.title}\nsource: {a.source}\ndate: {a.date}\n---\n{a.text}\n"
        (folder / f"{a.id}.md").write_text(body, encoding="utf-8")


def test_incremental_operations_equal_a_fresh_build(tmp_path, backend):
    arts = sample_articles()
    kb = KnowledgeBase(settings=hashing_settings(tmp_path, backend))
    kb.add(arts[:1])
    kb.add([article("tmp", "临时文章，稍后删除。")])
    kb.add(arts[1:])
    kb.add([Article(**{**arts[1].__dict__, "text": arts[1].text + "\n新增一句话。"})])  # update
    kb.add([arts[1]])  # and back
    kb.remove(["tmp"])
    reopened = KnowledgeBase(settings=hashing_settings(tmp_path, backend))

    fresh_dir = tmp_path / "fresh"
    _write_corpus(tmp_path / "corpus", arts)
    fresh = KnowledgeBase(settings=hashing_settings(fresh_dir, backend))
    fresh.build(tmp_path / "corpus")
    assert _state(reopened)[1] == _state(fresh)[1]
    assert _state(reopened)[0] == ("ms", "rain", "tesla")


def test_unchanged_articles_cost_nothing_and_metadata_change_keeps_chunks(tmp_path, backend):
    kb = KnowledgeBase(settings=hashing_settings(tmp_path, backend))
    arts = sample_articles()
    kb.add(arts)
    again = kb.add(arts)
    assert again.unchanged == ("ms", "tesla", "rain") and again.chunks_added == 0
    moved = Article(**{**arts[0].__dict__, "source": "另一家媒体", "date": "2024-12-01"})
    summary = kb.add([moved])
    assert summary.metadata_updated == ("ms",) and summary.chunks_added == 0 and summary.chunks_removed == 0
    assert kb.article("ms").source == "另一家媒体"
    assert kb.status().sentences == KnowledgeBase(settings=hashing_settings(tmp_path, backend)).status().vectors


def test_new_title_re_embeds_the_articles_sentences(tmp_path, backend):
    kb = KnowledgeBase(settings=hashing_settings(tmp_path, backend))
    arts = sample_articles()
    kb.add(arts)
    before = _sentence_vectors(kb, arts[0].text)
    summary = kb.add([Article(**{**arts[0].__dict__, "title": "新标题"})])
    assert summary.updated == ("ms",) and kb.article("ms").title == "新标题"
    after = _sentence_vectors(kb, arts[0].text)
    assert before.keys() == after.keys()
    assert all(not np.allclose(before[t], after[t]) for t in before)  # sentences are embedded with their title


def test_remove_drops_article_from_both_indexes(tmp_path, backend):
    kb = KnowledgeBase(settings=hashing_settings(tmp_path, backend))
    kb.add(sample_articles())
    before = kb.status()
    summary = kb.remove(["tesla", "nope"])
    assert summary.removed == ("tesla",) and summary.missing == ("nope",)
    after = kb.status()
    assert after.articles == before.articles - 1
    assert after.sentences == after.vectors < before.vectors and after.chunks < before.chunks
    assert all(p.article_id != "tesla" for p in kb.retrieve("特斯拉 财报", 10))
    assert all(p.article_id != "tesla" for p in kb.retrieve("特斯拉 财报", 10, mode="bm25"))


def test_exact_duplicate_is_indexed_once_and_promoted_when_original_goes(tmp_path, backend):
    kb = KnowledgeBase(settings=hashing_settings(tmp_path, backend))
    a = sample_articles()[0]
    copy = article("copy", a.text.replace("\n", "\n\n") + "  ", source="转载站")
    summary = kb.add([a, copy])
    assert summary.duplicates == (("copy", "ms"),)
    assert {p.article_id for p in kb.retrieve("苏莱曼", 10)} == {"ms"}
    assert kb.retrieve("苏莱曼", 1)[0].duplicates == ("copy",)
    kb.remove(["ms"])
    assert {p.article_id for p in kb.retrieve("苏莱曼", 10)} == {"copy"}


def test_sync_adds_updates_removes_and_keeps_articles_of_unreadable_files(tmp_path, backend):
    corpus = tmp_path / "corpus"
    arts = sample_articles()
    _write_corpus(corpus, arts)
    kb = KnowledgeBase(settings=hashing_settings(tmp_path, backend))
    assert len(kb.sync(corpus).added) == 3
    (corpus / "rain.md").unlink()
    (corpus / "tesla.md").write_bytes(b"\x00\x01\x02binary")
    (corpus / "new.txt").write_text("新文章标题\n这是一篇新到的文章。", encoding="utf-8")
    summary = kb.sync(corpus)
    assert summary.removed == ("rain",)
    assert summary.added == ("new",)
    assert any("tesla.md" in e for e in summary.errors)
    assert {a.id for a in kb.articles()} == {"ms", "tesla", "new"}


def test_model_mismatch_is_refused_with_rebuild_advice(tmp_path, backend):
    KnowledgeBase(settings=hashing_settings(tmp_path, backend)).add(sample_articles())
    other = KnowledgeBase(settings=hashing_settings(tmp_path, backend, model="hashing:32"))
    with pytest.raises(IndexMismatchError, match="rebuild"):
        other.retrieve("微软", 3)
    with pytest.raises(IndexMismatchError, match="hashing:64"):
        other.add([article("x", "新文章。")])


def test_chunking_mismatch_is_refused_for_writes(tmp_path, backend):
    KnowledgeBase(settings=hashing_settings(tmp_path, backend)).add(sample_articles())
    other = KnowledgeBase(settings=hashing_settings(tmp_path, backend, chunk_size=500))
    with pytest.raises(IndexMismatchError, match="chunk_size"):
        other.add([article("x", "新文章。")])


def test_reader_sees_updates_and_rebuilds_without_restart(tmp_path, backend):
    settings = hashing_settings(tmp_path, backend)
    reader = KnowledgeBase(settings=settings)
    writer = KnowledgeBase(settings=settings)
    writer.add(sample_articles()[:1])
    assert [a.id for a in reader.articles()] == ["ms"]
    writer.add(sample_articles()[1:])
    assert any(p.article_id == "tesla" for p in reader.retrieve("特斯拉", 3))
    corpus = tmp_path / "corpus"
    _write_corpus(corpus, sample_articles()[2:])
    writer.build(corpus)
    assert [a.id for a in reader.articles()] == ["rain"]
    assert {p.article_id for p in reader.retrieve("特斯拉", 3)} <= {"rain"}


def test_missing_index_says_how_to_build(tmp_path, backend):
    kb = KnowledgeBase(settings=hashing_settings(tmp_path, backend))
    assert len(kb) == 0 and kb.articles() == []
    with pytest.raises(IndexNotFoundError, match="index build CORPUS"):
        kb.retrieve("微软", 3)


def test_build_replaces_old_data_folder(tmp_path):
    corpus = tmp_path / "corpus"
    _write_corpus(corpus, sample_articles())
    kb = KnowledgeBase(settings=hashing_settings(tmp_path))
    kb.build(corpus)
    kb.build(corpus)
    data_dirs = list((tmp_path / "index").glob("data-*"))
    assert len(data_dirs) == 1 and (tmp_path / "index" / "manifest.json").exists()
    shutil.rmtree(corpus)
