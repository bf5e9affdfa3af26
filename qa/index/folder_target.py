"""The folder backend's side of a write: where :class:`qa.index.writer.IndexWriter` reads, locks
and commits. One SQLite transaction per write (vectors included), the FAISS snapshot and the
manifest refreshed after it; a build fills a new data folder and swaps it in atomically.
"""
from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

from qa.config import Settings
from qa.embedding.encoders import Encoder
from qa.index import compat, store
from qa.index.folder import DB_NAME, IndexDir
from qa.index.rows import Rows, SqliteRows
from qa.index.status import IndexSummary, manifest_for, record_change, snapshot_if_due

log = logging.getLogger(__name__)

Apply = Callable[[Rows], IndexSummary]


class FolderTarget:
    """Writes the index folder ``folder`` for this process's settings and encoder."""

    # A draft read that fails with these (e.g. a build swapped the folder away) is not fatal:
    # the commit plans everything again under the lock.
    transient_errors: tuple[type[BaseException], ...] = (sqlite3.Error,)

    def __init__(self, folder: IndexDir, settings: Settings, encoder: Callable[[], Encoder]):
        self.dir = folder
        self.settings = settings
        self._encoder = encoder

    def check_writable(self) -> None:
        """Raise ``IndexReadOnlyError`` when the folder cannot be written (before any embedding)."""
        self.dir.check_writable()

    def lock(self) -> contextlib.AbstractContextManager[None]:
        """The folder's writer lock (``IndexLockedError`` when another writer keeps it too long)."""
        return self.dir.lock()

    @contextlib.contextmanager
    def reading(self) -> Iterator[Rows | None]:
        """Yield read-only rows of the live index, checked against this process; ``None`` if none exists."""
        data = self.dir.current()
        if data is None:
            yield None
            return
        with contextlib.closing(store.connect(data / DB_NAME, readonly=True)) as conn:
            self._check(conn)
            yield SqliteRows(conn)

    def write(self, apply: Apply) -> IndexSummary:
        """Run ``apply`` in one transaction on the live database (created when missing); lock held."""
        data = self.dir.current()
        if data is None:
            data = self.dir.new_data_dir()
            with contextlib.closing(store.connect(data / DB_NAME)) as conn:
                self._init_meta(conn)
            self.dir.publish(data)
        self.dir.cleanup()
        with contextlib.closing(store.connect(data / DB_NAME)) as conn:
            self._check(conn)
            summary = self._commit(conn, apply)
            self._after_commit(data, conn)
        return summary

    def rebuild(self, apply: Apply) -> IndexSummary:
        """Run ``apply`` on a new, empty data folder and swap it in; lock held."""
        self.dir.cleanup()
        data = self.dir.new_data_dir()
        with contextlib.closing(store.connect(data / DB_NAME)) as conn:
            self._init_meta(conn)
            summary = self._commit(conn, apply)
            snapshot_if_due(data, conn, force=True)
            self.dir.publish(data)
            self.dir.write_manifest(data, manifest_for(conn))
        self.dir.cleanup()
        return summary

    def settle(self) -> None:
        """Rewrite the FAISS snapshot if any write since the last one changed vectors (lock held):
        after a stream of writes a new reader then loads it whole, catching up nothing (a reader
        that appends to IVF lists after loading reallocates each list it touches: 4.7 instead of
        3.3 GiB at 1M chunks with 12.5k vectors missing)."""
        data = self.dir.current()
        if data is None:
            return
        with contextlib.closing(store.connect(data / DB_NAME)) as conn:
            if int(store.get_meta(conn).get("changed_since_snapshot", 0)) > 0:
                try:
                    snapshot_if_due(data, conn, force=True)
                except (OSError, RuntimeError, sqlite3.Error) as exc:  # the writes are committed: see _after_commit
                    log.warning("committed, but the FAISS snapshot of %s was not refreshed: %s", data, exc)

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
            summary = apply(SqliteRows(conn))
            record_change(conn, summary.chunks_added + summary.chunks_removed)
        return summary

    def _init_meta(self, conn: sqlite3.Connection) -> None:
        encoder = self._encoder()
        with store.transaction(conn):
            store.set_meta(conn, compat.new_meta(self.settings, encoder.fingerprint, encoder.dim))

    def _check(self, conn: sqlite3.Connection) -> None:
        """Raise ``IndexMismatchError`` unless this process's model, weights and chunking made the index."""
        compat.check_for_writing(self.dir.path, store.get_meta(conn), self.settings, self._encoder().fingerprint)
