"""Concurrent writers: a sync never drops what another writer added meanwhile, and a small write
commits while a large one is still embedding (the writer lock is held only to commit).

No timing: threads are stepped with events (a sync stalled right before it takes the lock, an
encoder that blocks inside ``passages`` until released).
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from qa.embedding.encoders import HashingEncoder
from qa.index import lookups
from qa.index.writing import embedding_text
from qa.ingest.corpus import load_file
from qa.kb import KnowledgeBase
from qa.types import Article
from tests.helpers import article, hashing_settings, sample_articles

WAIT = 60  # seconds: only a safety net so a broken build fails instead of hanging


class BlockingEncoder:
    """The hashing encoder, except that its first ``passages`` call signals ``embedding`` and then
    waits for ``release``: it holds a write inside its embedding step for as long as the test wants."""

    def __init__(self, inner: HashingEncoder):
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self.embedding, self.release = threading.Event(), threading.Event()

    @property
    def fingerprint(self) -> str:
        return self.inner.fingerprint

    def passages(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        if not self.embedding.is_set():
            self.embedding.set()
            assert self.release.wait(WAIT), "the test never released the embedding step"
        return self.inner.passages(texts)

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.queries(texts)


def _write_file(folder: Path, a: Article) -> Path:
    path = folder / f"{a.id}.md"
    path.write_text(f"---\nid: {a.id}\ntitle: {a.title}\n---\n{a.text}\n", encoding="utf-8")
    return path


def _run(target: Callable[[], object]) -> tuple[threading.Thread, dict[str, object]]:
    """Start ``target`` in a thread; the dict receives its "result" or "error"."""
    out: dict[str, object] = {}

    def body() -> None:
        try:
            out["result"] = target()
        except BaseException as exc:  # re-raised by the test through _finish
            out["error"] = exc

    thread = threading.Thread(target=body, daemon=True)
    thread.start()
    return thread, out


def _finish(thread: threading.Thread, out: dict[str, object]) -> object:
    thread.join(WAIT)
    assert not thread.is_alive(), "the writer thread did not finish"
    if "error" in out:
        raise out["error"]  # type: ignore[misc]
    return out["result"]


@contextmanager
def _stalled_at_the_lock(kb: KnowledgeBase) -> Iterator[tuple[threading.Event, threading.Event]]:
    """Make ``kb``'s next write stop right before it takes the writer lock, as if another writer held
    it: yields (waiting, go): ``waiting`` is set when the write reaches the lock, ``go`` lets it on."""
    waiting, go = threading.Event(), threading.Event()
    original = kb.dir.lock

    def lock(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        waiting.set()
        assert go.wait(WAIT), "the test never let the write take the lock"
        return original(*args, **kwargs)

    kb.dir.lock = lock  # type: ignore[method-assign]
    try:
        yield waiting, go
    finally:
        go.set()
        kb.dir.lock = original  # type: ignore[method-assign]


def _synced_corpus(tmp_path: Path) -> tuple[Path, KnowledgeBase, KnowledgeBase]:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for a in sample_articles():
        _write_file(corpus, a)
    syncer = KnowledgeBase(settings=hashing_settings(tmp_path))
    syncer.sync(corpus)
    return corpus, syncer, KnowledgeBase(settings=hashing_settings(tmp_path))


def test_sync_waiting_for_the_lock_keeps_a_file_uploaded_and_added_meanwhile(tmp_path):
    corpus, syncer, uploader = _synced_corpus(tmp_path)
    with _stalled_at_the_lock(syncer) as (waiting, go):
        thread, out = _run(lambda: syncer.sync(corpus))
        assert waiting.wait(WAIT)  # the sync has listed the corpus and waits for the lock
        upload = _write_file(corpus, article("race1", "上传的新文章：台风明天登陆沿海地区。"))
        assert uploader.add(load_file(upload, corpus)).added == ("race1",)
        go.set()
        summary = _finish(thread, out)
    assert "race1" not in summary.removed  # type: ignore[attr-defined]
    assert {a.id for a in syncer.articles()} == {"ms", "tesla", "rain", "race1"}
    assert syncer.retrieve("台风 登陆", 1)[0].article_id == "race1"


def test_sync_never_removes_an_article_another_writer_added_after_it_began(tmp_path):
    corpus, syncer, other = _synced_corpus(tmp_path)
    with _stalled_at_the_lock(syncer) as (waiting, go):
        thread, out = _run(lambda: syncer.sync(corpus))
        assert waiting.wait(WAIT)
        other.add([{"id": "pasted", "title": "粘贴的文章", "text": "这篇文章没有文件，是直接粘贴的。"}])
        go.set()
        _finish(thread, out)
    assert "pasted" in {a.id for a in syncer.articles()}
    assert syncer.sync(corpus).removed == ("pasted",)  # a later sync, which saw it, may remove it


def test_sync_decides_from_the_folder_as_it_is_when_it_commits(tmp_path):
    corpus, syncer, _ = _synced_corpus(tmp_path)
    with _stalled_at_the_lock(syncer) as (waiting, go):
        thread, out = _run(lambda: syncer.sync(corpus))
        assert waiting.wait(WAIT)
        (corpus / "rain.md").unlink()
        _write_file(corpus, article("late", "稍后到达的文章：新桥今天通车。"))
        go.set()
        summary = _finish(thread, out)
    assert summary.removed == ("rain",) and summary.added == ("late",)  # type: ignore[attr-defined]
    assert {a.id for a in syncer.articles()} == {"ms", "tesla", "late"}


def _big_batch(n: int = 40) -> list[Article]:
    return [article(f"big{i}", f"第{i}篇批量文章。今天的编号是{i * 13}，内容各不相同。") for i in range(n)]


def test_small_add_commits_while_a_large_add_is_embedding(tmp_path):
    settings = hashing_settings(tmp_path)
    KnowledgeBase(settings=settings).add(sample_articles())
    blocking = BlockingEncoder(HashingEncoder(64))
    big = KnowledgeBase(settings=settings, encoder=blocking)
    small = KnowledgeBase(settings=settings)
    thread, out = _run(lambda: big.add(_big_batch()))
    try:
        assert blocking.embedding.wait(WAIT)  # the large add is inside its embedding step
        assert small.add([article("upload", "上传的文章：地铁新线路今天开通。")]).added == ("upload",)
        assert small.retrieve("地铁 新线路", 1)[0].article_id == "upload"
    finally:
        blocking.release.set()
    assert len(_finish(thread, out).added) == 40  # type: ignore[attr-defined]
    assert len(small) == 3 + 1 + 40


def _rows(kb: KnowledgeBase) -> dict[str, tuple]:
    with kb.reader.view() as view:
        return {s.article.id: (s.article.text, s.duplicate_of, s.group_id,
                               sorted(lookups.sentence_vectors(view.conn, s.article.id)))
                for s in lookups.iter_articles(view.conn)}


def test_a_large_add_re_plans_what_another_writer_changed_while_it_embedded(tmp_path):
    settings = hashing_settings(tmp_path)
    batch = _big_batch(10) + [article("ms", "微软的文章被改写了：新的内容。"), article("copy", "另一家媒体的原创报道。")]
    meanwhile = [article("ms", "另一个写入者改写的微软文章。"), article("orig", "另一家媒体的原创报道。")]
    KnowledgeBase(settings=settings).add(sample_articles())
    blocking = BlockingEncoder(HashingEncoder(64))
    thread, out = _run(lambda: KnowledgeBase(settings=settings, encoder=blocking).add(batch))
    try:
        assert blocking.embedding.wait(WAIT)
        KnowledgeBase(settings=settings).add(meanwhile)
    finally:
        blocking.release.set()
    summary = _finish(thread, out)
    assert summary.duplicates == (("copy", "orig"),)  # type: ignore[attr-defined]

    sequential = KnowledgeBase(settings=hashing_settings(tmp_path / "sequential"))
    for articles in (sample_articles(), meanwhile, batch):
        sequential.add(articles)
    kb = KnowledgeBase(settings=settings)
    assert _rows(kb) == _rows(sequential)
    with kb.reader.view() as view:  # the stored vectors are those of the text that won
        vectors = lookups.sentence_vectors(view.conn, "ms")
    for text, vector in vectors.items():
        assert np.allclose(vector, HashingEncoder(64).passages([embedding_text(kb.article("ms").title, text)])[0])
