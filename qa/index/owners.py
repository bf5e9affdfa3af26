"""Which chunk holds each sentence, kept in memory by readers (dense search maps sentences to chunks).

FAISS returns sentence rowids; a chunk scores as its best sentence. Looking the owners up in
SQLite cost 15 ms a question at 100k chunks (200 sentence rows, one random page each, mostly
not cached: a sentence row carries its 1.5 kB vector); an array indexed by rowid costs
microseconds (31 MB at 1M chunks).

The map only grows: a sentence's chunk never changes (an update deletes the article's sentences
and inserts new rows), and rowids are never reused (AUTOINCREMENT). So catching up reads only
rows above the largest rowid known, and entries of deleted sentences are merely never asked for
(FAISS no longer returns them). Writers save the map beside the FAISS snapshot
(``OWNERS_NAME``), so a reader opening a large index reads a file instead of scanning every
sentence (3.86M rows take ~5 s).
"""
from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

OWNERS_NAME = "owners.npy"
_FETCH = 100_000  # rows converted to numpy at a time while catching up


class SentenceOwners:
    """``chunk rowid`` by ``sentence rowid`` (0: unknown). Not thread-safe: the reader's lock guards it."""

    def __init__(self, chunks: np.ndarray | None = None):
        # Capacity grows by doubling; ``top`` is the largest rowid covered, the rest is spare room.
        self._chunks = chunks if chunks is not None else np.zeros(1, dtype=np.int64)
        self.top = len(self._chunks) - 1

    @classmethod
    def load(cls, data_dir: Path) -> "SentenceOwners":
        """Return the map saved in ``data_dir`` (empty when there is none or it is unreadable)."""
        path = data_dir / OWNERS_NAME
        try:
            chunks = np.load(path, allow_pickle=False)
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable %s (%s); reading the owners from the database", path, exc)
            return cls()
        if chunks.ndim != 1 or chunks.dtype != np.int64 or len(chunks) == 0:
            log.warning("ignoring %s: not a rowid map; reading the owners from the database", path)
            return cls()
        return cls(chunks)

    def catch_up(self, conn: sqlite3.Connection) -> int:
        """Add the sentences above :attr:`top` from ``conn``; return how many were added."""
        # From nothing, scan the (chunk_rowid) index, which holds rowids too: the table's rows
        # carry vectors, so a table scan would read the whole file.
        query = ("SELECT rowid, chunk_rowid FROM sentences" if self.top == 0 else
                 "SELECT rowid, chunk_rowid FROM sentences WHERE rowid > ?")
        cursor = conn.execute(query, () if self.top == 0 else (self.top,))
        added = 0
        while rows := cursor.fetchmany(_FETCH):
            pairs = np.asarray(rows, dtype=np.int64)
            high = int(pairs[:, 0].max())
            if high >= len(self._chunks):
                grown = np.zeros(max(high + 1, 2 * len(self._chunks)), dtype=np.int64)
                grown[:len(self._chunks)] = self._chunks
                self._chunks = grown
            self._chunks[pairs[:, 0]] = pairs[:, 1]
            self.top = max(self.top, high)
            added += len(pairs)
        return added

    def chunks(self, sentence_ids: Sequence[int]) -> dict[int, int]:
        """Return ``{sentence rowid: chunk rowid}`` for the ids known (others are left out)."""
        out: dict[int, int] = {}
        for sid in sentence_ids:
            sid = int(sid)
            if 0 < sid <= self.top and self._chunks[sid]:
                out[sid] = int(self._chunks[sid])
        return out

    def save(self, data_dir: Path) -> None:
        """Write the map to ``data_dir`` atomically (a reader never sees half a file)."""
        path = data_dir / OWNERS_NAME
        temp = path.with_name(f".{OWNERS_NAME}.{os.getpid()}.tmp")
        with open(temp, "wb") as f:
            np.save(f, self._chunks[: self.top + 1], allow_pickle=False)
        os.replace(temp, path)
