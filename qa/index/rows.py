"""The rows a write reads and changes, whichever backend holds them.

:mod:`qa.index.writing` decides what each incoming article becomes (unchanged, metadata, exact
duplicate, new or changed text) against a :class:`Rows`; :class:`SqliteRows` is the folder
backend's, inside the caller's SQLite transaction, and ``qa.index.milvus_rows.MilvusRows`` is
Milvus's, where :meth:`Rows.put` writes an article's passages and sentences before its article row.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from qa.index import lookups, store
from qa.index.store import StoredArticle
from qa.types import Chunk, Sentence

@dataclass(frozen=True)
class Prepared:
    """Everything one article contributes to a transaction."""

    stored: StoredArticle
    kind: str  # "new", "updated", "metadata", "duplicate"
    chunks: tuple[Chunk, ...] = ()
    tokens: tuple[tuple[str, ...], ...] = ()
    sentences: tuple[Sentence, ...] = ()
    owners: tuple[int, ...] = ()  # index of the first chunk that holds each sentence
    vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))  # one per sentence
    lsh_keys: tuple[bytes, ...] = ()


# An article's version as a sync sees it: (content key, added_at, path).
Version = tuple[str, float, "str | None"]


class Rows(Protocol):
    """Read and write access to an index's rows during one write (writer lock held)."""

    def get_article(self, article_id: str) -> StoredArticle | None:
        """Return the stored article with this id, or ``None``."""

    def articles_with_key(self, content_key: str) -> list[StoredArticle]:
        """Return the articles whose normalised text has this key, oldest first."""

    def lsh_candidates(self, keys: Sequence[bytes]) -> set[str]:
        """Return ids of articles sharing at least one LSH band key with ``keys``."""

    def sentence_vectors(self, article_id: str) -> dict[str, np.ndarray]:
        """Return ``{sentence text: vector}`` of an article's stored sentences."""

    def versions(self) -> dict[str, Version]:
        """Return every indexed article's ``(content key, added_at, path)``."""

    def put(self, plan: Prepared) -> tuple[int, int]:
        """Write one prepared article (replacing what its id held); return ``(chunks added, removed)``."""

    def delete_article(self, article_id: str) -> int:
        """Delete an article and everything indexed from it; return the chunks removed."""


class SqliteRows:
    """:class:`Rows` over one SQLite connection (the caller holds the transaction)."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def get_article(self, article_id: str) -> StoredArticle | None:
        return lookups.get_article(self.conn, article_id)

    def articles_with_key(self, content_key: str) -> list[StoredArticle]:
        return lookups.articles_with_key(self.conn, content_key)

    def lsh_candidates(self, keys: Sequence[bytes]) -> set[str]:
        return store.lsh_candidates(self.conn, keys)

    def sentence_vectors(self, article_id: str) -> dict[str, np.ndarray]:
        return lookups.sentence_vectors(self.conn, article_id)

    def versions(self) -> dict[str, Version]:
        rows = self.conn.execute("SELECT id, content_key, added_at, path FROM articles")
        return {aid: (key, added_at, path) for aid, key, added_at, path in rows}

    def put(self, plan: Prepared) -> tuple[int, int]:
        aid = plan.stored.article.id
        if plan.kind == "metadata":
            store.upsert_article(self.conn, plan.stored)
            return 0, 0
        removed = len(store.delete_article(self.conn, aid))
        store.upsert_article(self.conn, plan.stored)
        if plan.chunks:
            rowids = store.insert_chunks(self.conn, plan.chunks, plan.tokens)
            rows = [(aid, rowids[o], s.start, s.end, s.text) for s, o in zip(plan.sentences, plan.owners)]
            store.insert_sentences(self.conn, rows, plan.vectors)
        if plan.lsh_keys:
            store.insert_lsh(self.conn, aid, plan.lsh_keys)
        return len(plan.chunks), removed

    def delete_article(self, article_id: str) -> int:
        return len(store.delete_article(self.conn, article_id))
