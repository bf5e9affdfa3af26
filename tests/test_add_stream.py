"""``kb.add_stream``: batches committed one after the other, the next one cut by worker processes
while the current one is written, give exactly the index that ``kb.add`` per batch gives."""
from __future__ import annotations

import pytest

from tests.helpers import hashing_settings
from tests.test_ingest_speed_identity import _dump, _shared_paragraphs
from qa.index import content_workers
from qa.kb import KnowledgeBase
from qa.types import Article


def _batches() -> list[list[Article]]:
    """Four batches of CMRC/DRCD paragraphs with an update, a repost and an unchanged article across them."""
    paragraphs = _shared_paragraphs()[:48]
    first, second = paragraphs[0], paragraphs[1]
    return [
        paragraphs[:16],
        [*paragraphs[16:32], Article("repost", "轉載", first.text)],
        [Article(first.id, first.title, first.text + "\n補充：新的進展。"), second, *paragraphs[32:40]],
        paragraphs[40:48],
    ]


@pytest.fixture
def workers_on_every_batch(monkeypatch):
    monkeypatch.setattr(content_workers, "MIN_CHARS", 0)
    monkeypatch.setattr(content_workers, "TASK_CHARS", 2_000)
    worker = content_workers._pool(1).workers[0]
    assert worker.wait_ready()
    return worker


def test_a_stream_builds_the_index_adding_each_batch_builds(tmp_path, workers_on_every_batch):
    batches = _batches()
    one_by_one = KnowledgeBase(settings=hashing_settings(tmp_path / "add", ingest_workers=0))
    for batch in batches:
        one_by_one.add(batch)
    before = workers_on_every_batch.tasks_done
    streamed = KnowledgeBase(settings=hashing_settings(tmp_path / "stream", ingest_workers=1))
    summaries = list(streamed.add_stream(iter(batches)))
    assert workers_on_every_batch.tasks_done > before  # the next batches were cut by the worker
    assert len(summaries) == 4 and len(summaries[0].added) == 16
    assert ("repost", batches[0][0].id) in summaries[1].duplicates
    assert summaries[2].updated == (batches[2][0].id,) and batches[2][1].id in summaries[2].unchanged
    assert _dump(tmp_path / "stream" / "index") == _dump(tmp_path / "add" / "index")


def test_a_bad_batch_fails_after_the_batches_before_it_are_in(tmp_path, workers_on_every_batch):
    good = _batches()[0]
    kb = KnowledgeBase(settings=hashing_settings(tmp_path, ingest_workers=1))
    stream = kb.add_stream([good, [{"id": "bad", "title": "没有正文"}], _batches()[3]])
    first = next(stream)
    assert len(first.added) == len(good)
    with pytest.raises(ValueError, match="bad"):
        next(stream)
    assert kb.status().articles == len(good)


def test_an_empty_stream_changes_nothing_and_an_empty_batch_ends_nothing(tmp_path):
    kb = KnowledgeBase(settings=hashing_settings(tmp_path))
    assert list(kb.add_stream([])) == []
    assert list(kb.add_stream([[]])) == []
    first, _, _, last = _batches()
    summaries = list(kb.add_stream([first[:2], [], [], last[:3]]))
    assert [len(s.added) for s in summaries] == [2, 3] and kb.status().articles == 5


def test_after_a_stream_the_faiss_snapshot_holds_every_vector(tmp_path):
    import json

    from qa.index import store
    from qa.index.folder import DB_NAME, VECTORS_STAMP

    kb = KnowledgeBase(settings=hashing_settings(tmp_path, ingest_workers=0))
    list(kb.add_stream(_batches()[:2]))
    data = kb.dir.current()
    conn = store.connect(data / DB_NAME, readonly=True)
    try:
        sentences = conn.execute("SELECT COUNT(*) FROM sentences").fetchone()[0]
        changed = int(store.get_meta(conn).get("changed_since_snapshot", 0))
    finally:
        conn.close()
    assert sentences > 100 and changed == 0
    assert json.loads((data / VECTORS_STAMP).read_text())["vectors"] == sentences


def test_a_stream_into_milvus_lite_holds_every_batch(tmp_path):
    pytest.importorskip("milvus_lite")
    batches = [b[:4] for b in _batches()[:2]]
    kb = KnowledgeBase(settings=hashing_settings(tmp_path, backend="milvus-lite", ingest_workers=0))
    summaries = list(kb.add_stream(batches))
    assert [len(s.added) for s in summaries] == [4, 4]
    assert kb.status().articles == 8
    hits = kb.retrieve(batches[1][0].text[:30], 3)
    assert hits and hits[0].article_id == batches[1][0].id


def test_streaming_unchanged_batches_again_cuts_nothing_in_the_caller(tmp_path, workers_on_every_batch, monkeypatch):
    batches = [b for i, b in enumerate(_batches()) if i != 2]  # no update: the second stream changes nothing
    kb = KnowledgeBase(settings=hashing_settings(tmp_path, ingest_workers=1))
    list(kb.add_stream(batches))
    cut = []
    real = content_workers.article_content
    monkeypatch.setattr(content_workers, "article_content", lambda *a: cut.append(a[0].id) or real(*a))
    again = list(kb.add_stream(batches))
    assert cut == []  # unchanged articles cost nothing in the caller, whatever the workers cut ahead
    assert [len(s.unchanged) for s in again] == [16, 17, 8]  # the repost too: stored as it came
    assert not any(s.added or s.updated or s.duplicates for s in again)
