"""A read view of an index that follows writers without a restart.

Before each read, ``IndexReader.view()`` checks two cheap things: whether ``CURRENT`` was
swapped by a full build (then it reopens everything), and whether the database generation
moved (then it patches its FAISS copy by id difference, which costs the size of the change
plus one scan of sentence ids). Readers never take the writer lock, and SQLite's WAL mode lets
them read while a writer commits.
"""
from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np

from qa.index import fts, lookups, store
from qa.errors import IndexNotFoundError, IndexReadOnlyError
from qa.index.filters import Filters
from qa.index.folder import DB_NAME, VECTORS_NAME, VECTORS_STAMP, IndexDir
from qa.index.owners import SentenceOwners
from qa.index.vectors import ADD_BATCH, VectorIndex

log = logging.getLogger(__name__)

# A reader whose FAISS copy lags the saved snapshot by at least this share of it (and ADD_BATCH
# vectors) reopens from the snapshot instead of adding the vectors from SQLite. Measured at 1M
# chunks (bench/million_bench.py): catching up ran at ~20k vectors/s, loading the 3.9M-vector
# snapshot took 3.4-5.3 s, so loading wins past a lag of ~3 % of the snapshot; 5 % leaves margin.
RELOAD_SHARE = 0.05


@dataclass(frozen=True)
class ReadView:
    """What a query reads: one connection, the matching vectors and the index metadata."""

    data_dir: Path
    conn: sqlite3.Connection
    vectors: VectorIndex
    meta: dict[str, str]
    generation: int
    # The chunk of each sentence (dense hits are sentences), caught up with the generation.
    owners: SentenceOwners = field(default_factory=SentenceOwners, compare=False)
    # Chunk counts of the query terms looked up in this generation (idf for BM25 term pruning
    # and the answer ranker): questions share many terms, and a new generation starts afresh.
    term_docs: dict[str, int] = field(default_factory=dict, compare=False)
    # SQLite serialises calls on one connection itself (SQLITE_THREADSAFE=1) and FAISS searches
    # are read-only, so a keyword search may run beside a dense one.
    concurrent_reads: ClassVar[bool] = True

    # The folder backend's side of ``qa.index.backend.SearchView``.
    @property
    def location(self) -> str:
        """The live data folder."""
        return str(self.data_dir)

    def keyword_search(self, tokens: Sequence[str], limit: int, filters: Filters) -> list[tuple[int, float]]:
        """BM25 over FTS5 (see :func:`qa.index.fts.bm25_search`)."""
        return fts.bm25_search(self.conn, tokens, limit, filters, self.term_docs)

    def dense_search(self, vector: np.ndarray, limit: int, filters: Filters) -> list[tuple[int, float]]:
        """Nearest sentence vectors in FAISS, restricted to the filtered articles' ids when filtering."""
        allowed = np.asarray(fts.allowed_vector_ids(self.conn, filters), dtype=np.int64) if filters.active else None
        return self.vectors.search(vector, limit, allowed)

    def sentence_chunks(self, sentence_ids: Sequence[int]) -> dict[int, int]:
        """The chunk of each sentence, from the in-memory map (:mod:`qa.index.owners`); a sentence
        newer than the map (a write between two refreshes) is looked up in the database."""
        found = self.owners.chunks(sentence_ids)
        missing = [sid for sid in sentence_ids if sid not in found]
        if missing:
            found.update(lookups.sentence_chunks(self.conn, missing))
        return found

    def chunks_by_id(self, chunk_ids: Sequence[int]) -> dict[int, store.StoredChunk]:
        return lookups.chunks_by_rowid(self.conn, chunk_ids)

    def group_members(self, group_ids: set[str]) -> dict[str, list[str]]:
        return lookups.group_members(self.conn, group_ids)

    def doc_freq(self, tokens: Sequence[str]) -> tuple[dict[str, int], int]:
        """Chunk counts from the FTS5 vocabulary, cached for this generation in ``term_docs``."""
        return lookups.doc_freq(self.conn, tokens, self.term_docs)

    def span_sentences(self, article_id: str, start: int, end: int) -> list[tuple[int, int, str, np.ndarray]]:
        return lookups.span_sentences(self.conn, article_id, start, end)

    def article_count(self) -> int:
        return lookups.row_count(self.conn, "articles")

    def iter_articles(self) -> Iterator[store.StoredArticle]:
        return lookups.iter_articles(self.conn)

    def get_article(self, article_id: str) -> store.StoredArticle | None:
        return lookups.get_article(self.conn, article_id)

    def counts(self) -> dict[str, int]:
        return {**lookups.counts(self.conn), "vectors": len(self.vectors)}

    def sentence_texts_and_vectors(self) -> tuple[list[str], np.ndarray]:
        rows = self.conn.execute("SELECT text, vector FROM sentences").fetchall()
        dim = int(self.meta["dim"])
        matrix = np.stack([np.frombuffer(v, dtype=np.float32) for _, v in rows]) if rows else np.zeros((0, dim))
        return [t for t, _ in rows], matrix


class IndexReader:
    """Keeps an up-to-date ``ReadView`` of one index folder; safe to share between threads."""

    def __init__(self, index_dir: IndexDir):
        self.dir = index_dir
        self._lock = threading.RLock()
        self._view: ReadView | None = None
        self._stamp: tuple[int, int] | None = None

    @contextmanager
    def view(self) -> Iterator[ReadView]:
        """Hold an up-to-date view for the block (queries from other threads wait briefly).

        Raises:
            IndexNotFoundError: no index has been built at this path.
        """
        with self._lock:
            yield self._refresh()

    def exists(self) -> bool:
        """Return True when an index has been built at this path."""
        return self.dir.current() is not None

    def close(self) -> None:
        """Close the connection (the next ``view()`` reopens)."""
        with self._lock:
            if self._view is not None:
                self._view.conn.close()
            self._view = None

    def _refresh(self) -> ReadView:
        stamp = self.dir.stamp()
        if self._view is None or stamp != self._stamp:
            return self._reopen(stamp)
        view = self._view
        if store.generation(view.conn) != view.generation:
            if _snapshot_ahead(view.data_dir, len(view.vectors)):
                log.info("the FAISS snapshot is far ahead of this reader's copy: reopening from it")
                del view  # the old copy goes before the snapshot loads: never two in memory
                return self._reopen(stamp)
            added, removed, gen = sync_vectors(view.conn, view.vectors, int(view.meta["dim"]))
            view.owners.catch_up(view.conn)
            log.info("index moved to generation %d: %d vectors added, %d removed", gen, added, removed)
            self._view = ReadView(view.data_dir, view.conn, view.vectors, store.get_meta(view.conn), gen,
                                  view.owners)
        return self._view

    def _reopen(self, stamp: tuple[int, int] | None) -> ReadView:
        """Drop the current view and open the live index afresh (``stamp``: the folder's, now)."""
        self.close()
        self._view = self._open()
        self._stamp = stamp
        return self._view

    def _open(self) -> ReadView:
        data = self.dir.current()
        if data is None:
            raise IndexNotFoundError(
                f"no index at {self.dir.path}/; build one with `qa --index {self.dir.path} index build CORPUS`")
        conn = open_database(data / DB_NAME)
        meta = store.get_meta(conn)
        vectors = load_vectors(data, meta)
        _, _, gen = sync_vectors(conn, vectors, int(meta["dim"]))
        owners = SentenceOwners.load(data)
        owners.catch_up(conn)
        return ReadView(data, conn, vectors, meta, gen, owners)


def _snapshot_ahead(data_dir: Path, held: int) -> bool:
    """Whether the saved FAISS snapshot is far enough ahead of a copy of ``held`` vectors
    (``RELOAD_SHARE``) that loading it beats adding the vectors from SQLite: a reader opened at
    100k chunks caught up to 1M in 172 s, against ~5 s to load the 1M snapshot; and a loaded IVF
    index keeps its lists tight, where added vectors reallocate every list they land in."""
    try:
        saved = int(json.loads((data_dir / VECTORS_STAMP).read_text(encoding="utf-8"))["vectors"])
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return saved - held >= max(ADD_BATCH, RELOAD_SHARE * saved)


def open_database(db: Path) -> sqlite3.Connection:
    """Return a connection for reading ``db``, read-only unless its folder and file are writable.

    A WAL database is read with ``mode=ro`` when SQLite can create (or finds) its ``-shm`` file,
    which keeps commits still in ``-wal`` visible; in a read-only folder without ``-shm`` it is
    opened ``immutable`` (no ``-wal``/``-shm`` needed), but only when ``-wal`` is empty or absent,
    i.e. every commit is in the main file (``immutable`` ignores ``-wal`` and would lose them).

    Raises:
        IndexReadOnlyError: the folder is read-only and has commits in ``-wal`` without ``-shm``.
        sqlite3.Error: the file is not a database or cannot be opened.
    """
    folder_writable = os.access(db.parent, os.W_OK | os.X_OK)
    if folder_writable and os.access(db, os.W_OK):
        return store.connect(db)  # as a writer would: the schema and row counts are ensured
    wal, shm = db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")
    if folder_writable or (shm.exists() and _size(wal) > 0):
        return store.connect(db, readonly=True)
    if _size(wal) == 0:
        return store.connect(db, readonly=True, immutable=True)
    raise IndexReadOnlyError(
        f"{db.parent}/ is read-only and {wal.name} holds commits that SQLite can only read by creating "
        f"{shm.name} there; open the index once where it is writable (any `qa` command folds them "
        f"into {db.name}), or copy it to a writable folder and use the copy")


def _size(path: Path) -> int:
    """Return the size of ``path`` in bytes, 0 when it does not exist."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def load_vectors(data_dir: Path, meta: dict[str, str]) -> VectorIndex:
    """Return the saved FAISS snapshot of ``data_dir``, or an empty index if there is none."""
    path = data_dir / VECTORS_NAME
    factory = meta.get("faiss_factory", "Flat")
    if path.exists():
        try:
            return VectorIndex.load(path, factory)
        except (RuntimeError, ValueError) as exc:
            log.warning("ignoring unreadable vector snapshot %s (%s); rebuilding from the database", path, exc)
    return VectorIndex.create(int(meta["dim"]), factory)


def sync_vectors(conn: sqlite3.Connection, vectors: VectorIndex, dim: int) -> tuple[int, int, int]:
    """Bring the FAISS copy ``vectors`` in line with the sentence rows, in one read transaction.

    Used by readers when the generation moves and by writers before saving a snapshot.

    Returns:
        ``(added, removed, generation)`` where generation is the one the vectors now match.

    Raises:
        sqlite3.Error: the database cannot be read.
    """
    conn.execute("BEGIN")
    try:
        gen = store.generation(conn)
        fetch = lambda batch: lookups.vectors_for(conn, batch, dim)  # noqa: E731
        top = vectors.max_id()
        # Rowids are never reused, so rows added since our copy lie above its largest id; when
        # the (trigger-kept) row count minus those equals what we hold, nothing was removed.
        # This keeps a refresh after one added article cheap at 100k+ vectors.
        new = lookups.vector_ids_after(conn, top)
        if lookups.row_count(conn, "sentences") - len(new) == len(vectors):
            for start in range(0, len(new), ADD_BATCH):
                batch = new[start:start + ADD_BATCH]
                vectors.add(np.asarray(batch, dtype=np.int64), fetch(batch))
            return len(new), 0, gen
        added, removed = vectors.sync_to(lookups.all_vector_ids(conn), fetch)
        return added, removed, gen
    finally:
        conn.execute("COMMIT")
