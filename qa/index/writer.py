"""The write path of one index folder: add, remove, sync and build, each prepared without the
writer lock and committed under it.

The slow part of a write (chunking, tokens, signatures, sentence vectors: :func:`writing.draft`)
runs before the lock is taken, against the index as it was then. Under the lock the write re-reads
the index (and, for sync and build, the corpus folder), decides every article again against what
is there now — articles changed by another writer meanwhile are re-planned, reusing whatever of
the draft still fits — and commits in one SQLite transaction. So an upload waits for one commit,
not for a whole embedding job (docs/architecture.md, "One writer at a time").
"""
from __future__ import annotations

import contextlib
import logging
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from qa.config import Settings
from qa.embedding.encoders import Encoder
from qa.errors import CorpusError
from qa.index import compat, store, writing
from qa.index.folder import DB_NAME, IndexDir
from qa.index.status import IndexSummary, manifest_for, record_change, snapshot_if_due
from qa.ingest.corpus import load_corpus
from qa.types import Article

log = logging.getLogger(__name__)

Apply = Callable[[sqlite3.Connection], IndexSummary]


class IndexWriter:
    """Writes to the index folder ``folder`` with the encoder ``encoder()`` (loaded on first use).

    Every public method may raise ``IndexMismatchError`` (the index was made with another model or
    chunking) and ``IndexLockedError`` (another writer kept the lock too long for one commit).
    """

    def __init__(self, folder: IndexDir, settings: Settings, encoder: Callable[[], Encoder]):
        self.dir = folder
        self.settings = settings
        self._encoder = encoder

    def add(self, articles: Sequence[Article], progress: bool = False) -> IndexSummary:
        """Add or update ``articles`` (of several with one id, the last wins); return what changed."""
        started = time.perf_counter()
        articles = _unique(articles)
        drafted = self._draft(articles, progress)
        with self.dir.lock():
            summary = self._write(lambda conn: self._add_rows(conn, articles, drafted))
        return summary.timed(time.perf_counter() - started)

    def remove(self, ids: Sequence[str]) -> IndexSummary:
        """Remove the articles ``ids``; ids not indexed are reported in ``missing``."""
        started = time.perf_counter()
        with self.dir.lock():
            summary = self._write(lambda conn: self._remove_rows(conn, ids))
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
        with self.dir.lock():
            articles, errors = _load(path)  # again: files may have come or gone while we embedded
            failed = {e.path for e in errors if e.path}

            def apply(conn: sqlite3.Connection) -> IndexSummary:
                keep = {a.id for a in articles}
                gone = [aid for aid, version in _versions(conn).items()
                        if aid not in keep and version[2] not in failed and before.get(aid) == version]
                summary = self._add_rows(conn, articles, drafted)
                return summary.merge(self._remove_rows(conn, gone))
            summary = self._write(apply)
        return summary.with_errors(errors).timed(time.perf_counter() - started)

    def build(self, path: str | Path, progress: bool = False) -> IndexSummary:
        """Index the corpus at ``path`` from scratch into a new data folder, then swap it in atomically.

        Raises:
            FileNotFoundError: ``path`` does not exist.
        """
        started = time.perf_counter()
        drafted = self._draft(_unique(_load(path)[0]), progress, fresh=True)
        with self.dir.lock():
            articles, errors = _load(path)  # again, so a file uploaded meanwhile is not lost by the swap
            self.dir.cleanup()
            data = self.dir.new_data_dir()
            conn = store.connect(data / DB_NAME)
            try:
                self._init_meta(conn)
                summary = self._commit(conn, lambda c: self._add_rows(c, _unique(articles), drafted))
                snapshot_if_due(data, conn, force=True)
                self.dir.publish(data)
                self.dir.write_manifest(data, manifest_for(conn))
            finally:
                conn.close()
            self.dir.cleanup()
        return summary.with_errors(errors).timed(time.perf_counter() - started)

    # ----------------------------------------------------------------- internals
    def _draft(self, articles: Sequence[Article], progress: bool, fresh: bool = False) -> writing.Draft:
        """Return the draft of ``articles`` against the live index (none when ``fresh``), without the lock.

        Raises:
            IndexMismatchError: the live index does not fit this process (checked before embedding).
            IndexReadOnlyError: the folder cannot be written (checked before embedding, not after it).
        """
        self.dir.check_writable()
        data = None if fresh else self.dir.current()
        if data is None:
            return writing.draft(None, articles, self._encoder(), self.settings, progress=progress)
        conn = store.connect(data / DB_NAME, readonly=True)
        try:
            self._check_writable(conn)
            return writing.draft(conn, articles, self._encoder(), self.settings, progress=progress)
        except sqlite3.Error as exc:  # e.g. a build swapped the folder away: the commit plans it all again
            log.info("draft read of %s failed (%s); preparing under the lock instead", data, exc)
            return writing.Draft()
        finally:
            conn.close()

    def _versions(self) -> dict[str, tuple[str, float, str | None]]:
        """Return each indexed article's version (see :func:`_versions`); empty when there is no index."""
        data = self.dir.current()
        if data is None:
            return {}
        conn = store.connect(data / DB_NAME, readonly=True)
        try:
            return _versions(conn)
        finally:
            conn.close()

    def _write(self, apply: Apply) -> IndexSummary:
        """Run ``apply`` in one transaction on the live database (created when missing); lock held."""
        data = self.dir.current()
        if data is None:
            data = self.dir.new_data_dir()
            with contextlib.closing(store.connect(data / DB_NAME)) as conn:
                self._init_meta(conn)
            self.dir.publish(data)
        self.dir.cleanup()
        conn = store.connect(data / DB_NAME)
        try:
            self._check_writable(conn)
            summary = self._commit(conn, apply)
            self._after_commit(data, conn)
        finally:
            conn.close()
        return summary

    def _after_commit(self, data: Path, conn: sqlite3.Connection) -> None:
        """Refresh the FAISS snapshot (when due) and the manifest. Both are derived from the committed
        database, so failing here (a full disk: OSError, or faiss's RuntimeError) must not report the
        committed write as failed: readers rebuild vectors from SQLite, and the next write retries."""
        try:
            snapshot_if_due(data, conn)
            self.dir.write_manifest(data, manifest_for(conn))
        except (OSError, RuntimeError, sqlite3.Error) as exc:
            log.warning("committed, but the FAISS snapshot or manifest of %s was not refreshed: %s", data, exc)

    def _commit(self, conn: sqlite3.Connection, apply: Apply) -> IndexSummary:
        with store.transaction(conn):
            summary = apply(conn)
            record_change(conn, summary.chunks_added + summary.chunks_removed)
        return summary

    def _add_rows(self, conn: sqlite3.Connection, articles: Sequence[Article],
                  drafted: writing.Draft | None = None) -> IndexSummary:
        plans, unchanged = writing.prepare(conn, articles, self._encoder(), self.settings, drafted=drafted)
        added, removed = writing.write(conn, plans)
        return IndexSummary.from_plans(plans, unchanged, added, removed)

    def _remove_rows(self, conn: sqlite3.Connection, ids: Sequence[str]) -> IndexSummary:
        gone = writing.remove(conn, ids)
        summary = IndexSummary(removed=gone.removed, missing=gone.missing, chunks_removed=gone.chunks_removed)
        return summary.merge(self._add_rows(conn, gone.promoted)) if gone.promoted else summary

    def _init_meta(self, conn: sqlite3.Connection) -> None:
        encoder = self._encoder()
        with store.transaction(conn):
            store.set_meta(conn, compat.new_meta(self.settings, encoder.fingerprint, encoder.dim))

    def _check_writable(self, conn: sqlite3.Connection) -> None:
        """Raise ``IndexMismatchError`` unless this process's model, weights and chunking made the index."""
        meta = store.get_meta(conn)
        compat.check_format_and_model(self.dir.path, meta, self.settings)
        compat.check_weights(self.dir.path, meta, self.settings, self._encoder().fingerprint)
        compat.check_chunking(self.dir.path, meta, self.settings)


def _versions(conn: sqlite3.Connection) -> dict[str, tuple[str, float, str | None]]:
    """Return ``{id: (content key, added_at, path)}`` of every indexed article: enough to tell an
    article another writer added or re-wrote (new id, key or time) from the one seen earlier."""
    rows = conn.execute("SELECT id, content_key, added_at, path FROM articles")
    return {aid: (key, added_at, path) for aid, key, added_at, path in rows}


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
