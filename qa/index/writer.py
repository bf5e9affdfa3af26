"""The write path of an index: add, remove, sync and build, each prepared without the writer lock
and committed under it, whichever backend holds the rows (a :class:`WriteTarget`).

The slow part of a write (chunking, tokens, signatures, sentence vectors: :func:`writing.draft`)
runs before the lock is taken, against the index as it was then. Under the lock the write re-reads
the index (and, for sync and build, the corpus folder), decides every article again against what
is there now — articles changed by another writer meanwhile are re-planned, reusing whatever of
the draft still fits — and commits as one unit. So an upload waits for one commit, not for a whole
embedding job (docs/architecture.md, "One writer at a time").
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol

from qa.config import Settings
from qa.embedding.encoders import Encoder
from qa.errors import CorpusError
from qa.index import writing
from qa.index.content import Content
from qa.index.content_workers import Job
from qa.index.rows import Rows, Version
from qa.index.status import IndexSummary
from qa.ingest.corpus import load_corpus
from qa.types import Article

log = logging.getLogger(__name__)

Apply = Callable[[Rows], IndexSummary]


class WriteTarget(Protocol):
    """Where a backend reads, locks and commits (``qa.index.folder_target``, ``qa.index.milvus_target``)."""

    transient_errors: tuple[type[BaseException], ...]

    def check_writable(self) -> None:
        """Raise ``IndexReadOnlyError`` (or a backend's connection error) when nothing can be written."""

    def lock(self) -> AbstractContextManager[None]:
        """Hold the one-writer lock for the block."""

    def reading(self) -> AbstractContextManager[Rows | None]:
        """Yield the live index's rows checked against this process (``None``: no index yet).

        Raises:
            IndexMismatchError: another model, weights or chunking made the index.
        """

    def write(self, apply: Apply) -> IndexSummary:
        """Apply one write as a unit to the live index, created when missing (lock held)."""

    def rebuild(self, apply: Apply) -> IndexSummary:
        """Apply one write to a new, empty index that then replaces the live one (lock held)."""

    def settle(self) -> None:
        """Bring what is derived from the committed rows up to date after a stream of writes, so
        a reader that opens next has nothing to catch up (the folder's FAISS snapshot; lock held)."""


class IndexWriter:
    """Writes to ``target`` with the encoder ``encoder()`` (loaded on first use).

    Every public method may raise ``IndexMismatchError`` (the index was made with another model or
    chunking) and ``IndexLockedError`` (another writer kept the lock too long for one commit).
    """

    def __init__(self, target: WriteTarget, settings: Settings, encoder: Callable[[], Encoder]):
        self.target = target
        self.settings = settings
        self._encoder = encoder

    def add(self, articles: Sequence[Article], progress: bool = False) -> IndexSummary:
        """Add or update ``articles`` (of several with one id, the last wins); return what changed."""
        return self._add(_unique(articles), progress)

    def add_stream(self, batches: Iterable[Sequence[Article]], progress: bool = False) -> Iterator[IndexSummary]:
        """Add each batch of ``batches`` as :meth:`add` does, one commit each, in order; yield what
        each changed. Once a batch's contents are made, worker processes cut the next batch (taken
        from ``batches`` then) while this one is embedded and committed (``Settings.ingest_workers``).
        After the last batch the target settles (:meth:`WriteTarget.settle`)."""
        stream = _Stream(iter(batches), self.settings)
        stream.take()
        while stream.batch:
            batch, job = stream.batch, stream.job
            stream.due = True
            summary = self._add(batch, progress, job, then=stream.take)
            if stream.due:  # the draft ended early (it read nothing): take the next batch now
                stream.take()
            if not stream.batch:  # the last batch (its time includes settling)
                summary = summary.timed(summary.seconds + self._settle())
            yield summary
        if stream.error is not None:  # raised by ``batches`` itself: after the batches before it are in
            raise stream.error

    def _add(self, articles: list[Article], progress: bool, job: Job | None = None,
             then: Callable[[], None] | None = None) -> IndexSummary:
        started = time.perf_counter()
        ahead = job.made() if job is not None else None
        drafted = self._draft(articles, progress, ahead=ahead, then=then)
        with self.target.lock():
            summary = self.target.write(lambda rows: self._add_rows(rows, articles, drafted))
        return summary.timed(time.perf_counter() - started)

    def _settle(self) -> float:
        """Settle the target after a stream (see :meth:`WriteTarget.settle`); return the seconds it took."""
        started = time.perf_counter()
        with self.target.lock():
            self.target.settle()
        return time.perf_counter() - started

    def remove(self, ids: Sequence[str]) -> IndexSummary:
        """Remove the articles ``ids``; ids not indexed are reported in ``missing``."""
        started = time.perf_counter()
        with self.target.lock():
            summary = self.target.write(lambda rows: self._remove_rows(rows, ids))
        return summary.timed(time.perf_counter() - started)

    def sync(self, path: str | Path, progress: bool = False) -> IndexSummary:
        """Make the index hold the articles of the corpus folder ``path``; return what changed.

        Removals are decided from a listing taken under the lock, so a file present at commit time
        is never removed; an article added or changed by another writer after this sync began is
        never removed either (it is not in the ``before`` snapshot).

        Raises:
            FileNotFoundError: ``path`` does not exist.
        """
        started = time.perf_counter()
        before = self._versions()  # taken before the listing: only these may be removed
        drafted = self._draft(_load(path)[0], progress)
        with self.target.lock():
            articles, errors = _load(path)  # again: files may have come or gone while we embedded
            failed = {e.path for e in errors if e.path}

            def apply(rows: Rows) -> IndexSummary:
                keep = {a.id for a in articles}
                gone = [aid for aid, version in rows.versions().items()
                        if aid not in keep and version[2] not in failed and before.get(aid) == version]
                summary = self._add_rows(rows, articles, drafted)
                return summary.merge(self._remove_rows(rows, gone))
            summary = self.target.write(apply)
        return summary.with_errors(errors).timed(time.perf_counter() - started)

    def build(self, path: str | Path, progress: bool = False) -> IndexSummary:
        """Index the corpus at ``path`` from scratch, then make it the live index at once.

        Raises:
            FileNotFoundError: ``path`` does not exist.
        """
        started = time.perf_counter()
        drafted = self._draft(_unique(_load(path)[0]), progress, fresh=True)
        with self.target.lock():
            articles, errors = _load(path)  # again, so a file uploaded meanwhile is not lost by the swap
            summary = self.target.rebuild(lambda rows: self._add_rows(rows, _unique(articles), drafted))
        return summary.with_errors(errors).timed(time.perf_counter() - started)

    # ----------------------------------------------------------------- internals
    def _draft(self, articles: Sequence[Article], progress: bool, fresh: bool = False,
               ahead: Mapping[str, Content] | None = None, then: Callable[[], None] | None = None) -> writing.Draft:
        """Return the draft of ``articles`` against the live index (none when ``fresh``), without the lock.

        Raises:
            IndexMismatchError: the live index does not fit this process (checked before embedding).
            IndexReadOnlyError: the index cannot be written (checked before embedding, not after it).
        """
        self.target.check_writable()
        if fresh:
            return writing.draft(None, articles, self._encoder(), self.settings, progress=progress, ahead=ahead, then=then)
        try:
            with self.target.reading() as rows:
                return writing.draft(rows, articles, self._encoder(), self.settings, progress=progress,
                                     ahead=ahead, then=then)
        except self.target.transient_errors as exc:
            log.info("draft read failed (%s); preparing under the lock instead", exc)
            return writing.Draft()

    def _versions(self) -> dict[str, Version]:
        """Return each indexed article's version (see :meth:`Rows.versions`); empty when there is no index."""
        with self.target.reading() as rows:
            return rows.versions() if rows is not None else {}

    def _add_rows(self, rows: Rows, articles: Sequence[Article], drafted: writing.Draft | None = None) -> IndexSummary:
        plans, unchanged = writing.prepare(rows, articles, self._encoder(), self.settings, drafted=drafted)
        added, removed = writing.write(rows, plans)
        return IndexSummary.from_plans(plans, unchanged, added, removed)

    def _remove_rows(self, rows: Rows, ids: Sequence[str]) -> IndexSummary:
        gone = writing.remove(rows, ids)
        summary = IndexSummary(removed=gone.removed, missing=gone.missing, chunks_removed=gone.chunks_removed)
        return summary.merge(self._add_rows(rows, gone.promoted)) if gone.promoted else summary


class _Stream:
    """The batches of :meth:`IndexWriter.add_stream`: the next one is taken, and its contents
    started on the worker processes, when the current batch's contents are made (``take``)."""

    def __init__(self, batches: Iterator[Sequence[Article]], settings: Settings) -> None:
        self.batches, self.settings = batches, settings
        self.batch: list[Article] = []
        self.job: Job | None = None
        self.due = False
        self.error: Exception | None = None

    def take(self) -> None:
        """Take the next non-empty batch (none left: empty) and start its contents on the workers."""
        self.due = False
        self.batch = []
        try:
            while not self.batch and (following := next(self.batches, None)) is not None:
                self.batch = _unique(following)
        except Exception as exc:  # noqa: BLE001 - re-raised by add_stream once the batches before are committed
            self.batch, self.error = [], exc
        self.job = writing.start_contents(self.batch, self.settings) if self.batch else None


def _unique(articles: Sequence[Article]) -> list[Article]:
    """Keep the last of several articles with one id (a later file version wins)."""
    return list({a.id: a for a in articles}.values())


def _load(path: str | Path) -> tuple[list[Article], list[CorpusError]]:
    """Return the articles of the corpus at ``path`` and the errors of files that failed.

    Raises:
        FileNotFoundError: ``path`` does not exist.
    """
    errors: list[CorpusError] = []
    articles = list(load_corpus(path, errors=errors))
    return articles, errors
