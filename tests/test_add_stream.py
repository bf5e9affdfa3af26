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


def test_an_empty_stream_changes_nothing(tmp_path):
    kb = KnowledgeBase(settings=hashing_settings(tmp_path))
    assert list(kb.add_stream([])) == []
    assert list(kb.add_stream([[]])) == []
