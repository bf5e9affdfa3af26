"""The Milvus backend's read side: :class:`MilvusReader` hands out :class:`MilvusView`s
(:class:`qa.index.backend.SearchView`) of the live collection set.

A view reads the live set's pointer and generation once, then answers lookups with Milvus queries.
Rows whose article row is missing or carries another version (a write in progress, or one a
crash cut short) are never returned. Term chunk counts are cached per generation, as the folder
backend does.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from qa.errors import IndexNotFoundError
from qa.index.backend import BackendAddress
from qa.index.filters import Filters
from qa.index.milvus_rows import MilvusRows
from qa.index.milvus_store import MilvusStore, article_key, in_list, literal, term_word
from qa.index.status import IndexStatus, status_of
from qa.index.store import StoredArticle, StoredChunk
from qa.types import Chunk


def connect(address: BackendAddress) -> MilvusStore:
    """Return a connected store (``BackendUnavailableError`` when Milvus cannot be reached)."""
    return MilvusStore(address)


class MilvusView:
    """One query's look at the live set ``prefix`` at ``generation``."""

    # The view keeps per-query caches (``_owner``, ``term_docs``) unguarded, and one client for
    # both searches; keyword and dense searches stay on the caller's thread.
    concurrent_reads = False

    def __init__(self, store: MilvusStore, prefix: str, meta: dict[str, str], term_docs: dict[str, int],
                 totals: dict[str, int]):
        self.store, self.prefix, self.meta, self.term_docs, self._totals = store, prefix, meta, term_docs, totals
        self.generation = int(meta.get("generation", 0))
        self.rows = MilvusRows(store, prefix)
        self._owner: dict[int, int] = {}

    @property
    def location(self) -> str:
        return f"{self.store.address.label}#{self.prefix}"

    def keyword_search(self, tokens: Sequence[str], limit: int, filters: Filters) -> list[tuple[int, float]]:
        words = " ".join(dict.fromkeys(term_word(t) for t in tokens if t.strip()))
        if not words or limit < 1:
            return []
        hits = self._search("chunks", [words], "sparse", limit, filters, ["pk"])
        # Milvus Lite reports BM25 as a negative distance, a server as a positive score; the order is best first.
        return [(int(h["pk"]), abs(float(h["distance"]))) for h in hits]

    def dense_search(self, vector: np.ndarray, limit: int, filters: Filters) -> list[tuple[int, float]]:
        hits = self._search("sentences", [np.asarray(vector, dtype=np.float32).tolist()], "vector", limit, filters,
                            ["chunk_pk"])
        self._owner.update({int(h["pk"]): int(h["entity"]["chunk_pk"]) for h in hits})
        return [(int(h["pk"]), float(h["distance"])) for h in hits]

    def sentence_chunks(self, sentence_ids: Sequence[int]) -> dict[int, int]:
        missing = [int(s) for s in sentence_ids if int(s) not in self._owner]
        for r in self.store.get(self.prefix, "sentences", missing, ["pk", "chunk_pk"]):
            self._owner[int(r["pk"])] = int(r["chunk_pk"])
        return {int(s): self._owner[int(s)] for s in sentence_ids if int(s) in self._owner}

    def chunks_by_id(self, chunk_ids: Sequence[int]) -> dict[int, StoredChunk]:
        fields = ["pk", "chunk_id", "article_id", "version", "ordinal", "start", "end", "text"]
        rows = self.store.get(self.prefix, "chunks", [int(c) for c in chunk_ids], fields)
        arts = self._article_rows({r["article_id"] for r in rows})
        out = {}
        for r in rows:
            a = arts.get(r["article_id"])
            if a is None or a["version"] != r["version"]:
                continue  # a write in progress or cut short: not visible
            chunk = Chunk(r["chunk_id"], r["article_id"], r["text"], int(r["start"]), int(r["end"]), int(r["ordinal"]))
            out[int(r["pk"])] = StoredChunk(int(r["pk"]), chunk, a["title"], a["source"] or None, a["date"] or None,
                                            a["url"] or None, a["group_id"])
        return out

    def group_members(self, group_ids: set[str]) -> dict[str, list[str]]:
        groups: dict[str, list[str]] = {g: [] for g in sorted(group_ids)}
        if groups:
            rows = self.store.query(self.prefix, "articles", in_list("group_id", groups),
                                    ["id", "group_id", "added_at"])
            for r in sorted(rows, key=lambda r: r["added_at"]):
                groups[r["group_id"]].append(r["id"])
        return groups

    def doc_freq(self, tokens: Sequence[str]) -> tuple[dict[str, int], int]:
        unique = list(dict.fromkeys(tokens))
        for t in unique:
            if t not in self.term_docs:
                match = f"TEXT_MATCH(words, {literal(term_word(t))})"
                self.term_docs[t] = self.store.count(self.prefix, "chunks", match)
        if "chunks" not in self._totals:
            self._totals["chunks"] = self.store.count(self.prefix, "chunks")
        return {t: self.term_docs[t] for t in unique if self.term_docs[t]}, self._totals["chunks"]

    def span_sentences(self, article_id: str, start: int, end: int) -> list[tuple[int, int, str, np.ndarray]]:
        version = self._article_rows({article_id}).get(article_id, {}).get("version")
        if version is None:
            return []
        expr = (f"article_id == {literal(article_id)} and version == {literal(version)}"
                f" and start >= {int(start)} and end <= {int(end)}")
        rows = self.store.query(self.prefix, "sentences", expr, ["start", "end", "text", "vector"])
        return [(int(r["start"]), int(r["end"]), r["text"], np.asarray(r["vector"], dtype=np.float32))
                for r in sorted(rows, key=lambda r: r["start"])]

    def article_count(self) -> int:
        return self.store.count(self.prefix, "articles")

    def iter_articles(self) -> Iterator[StoredArticle]:
        found = self.rows.articles("")
        dated = sorted((s for s in found if s.article.date), key=lambda s: s.article.id)
        dated.sort(key=lambda s: s.article.date or "", reverse=True)
        return iter(dated + sorted((s for s in found if not s.article.date), key=lambda s: s.article.id))

    def get_article(self, article_id: str) -> StoredArticle | None:
        return self.rows.get_article(article_id)

    def counts(self) -> dict[str, int]:
        rows = list(self.store.scan(self.prefix, "articles", "", ["duplicate_of", "group_id"]))
        sentences = self.store.count(self.prefix, "sentences")
        return {"articles": len(rows), "exact_duplicates": sum(bool(r["duplicate_of"]) for r in rows),
                "stories": len({r["group_id"] for r in rows if not r["duplicate_of"]}),
                "chunks": self.store.count(self.prefix, "chunks"), "sentences": sentences, "vectors": sentences}

    def sentence_texts_and_vectors(self) -> tuple[list[str], np.ndarray]:
        live = {r["id"]: r["version"] for r in self.store.scan(self.prefix, "articles", "", ["id", "version"])}
        rows = [r for r in self.store.scan(self.prefix, "sentences", "", ["article_id", "version", "text", "vector"])
                if live.get(r["article_id"]) == r["version"]]
        dim = int(self.meta["dim"])
        matrix = np.asarray([r["vector"] for r in rows], dtype=np.float32).reshape(len(rows), dim)
        return [r["text"] for r in rows], matrix

    # ------------------------------------------------------------ internals
    def _search(self, kind: str, data: list[Any], field: str, limit: int, filters: Filters,
                fields: list[str]) -> list[dict[str, Any]]:
        expr = self._filter_expr(filters)
        if expr is None:
            return []
        res = self.store.client.search(f"{self.prefix}_{kind}", data=data, anns_field=field, limit=min(limit, 16_384),
                                       filter=expr, output_fields=fields)
        return list(res[0]) if res else []

    def _filter_expr(self, filters: Filters) -> str | None:
        """Return the row filter for ``filters`` ("" when inactive), ``None`` when no article passes."""
        if not filters.active:
            return ""
        clauses = []
        if filters.since:
            clauses.append(f"date >= {literal(filters.since)}")
        if filters.until:
            clauses.append(f'date <= {literal(filters.until)} and date != ""')
        if filters.sources is not None:
            clauses.append(in_list("source", filters.sources))
        rows = self.store.query(self.prefix, "articles", " and ".join(clauses), ["id"])
        return in_list("article_id", [r["id"] for r in rows]) if rows else None

    def _article_rows(self, ids: set[str]) -> dict[str, dict[str, Any]]:
        if not ids:
            return {}
        rows = self.store.get(self.prefix, "articles", [article_key(i) for i in sorted(ids)],
                              ["id", "version", "title", "source", "date", "url", "group_id"])
        return {r["id"]: r for r in rows}


class MilvusReader:
    """Hands out views of the live collection set; safe to share between threads."""

    def __init__(self, store: MilvusStore):
        self.store = store
        self._lock = threading.RLock()
        # Per generation: term chunk counts and the chunk total (idf), as the folder backend caches them.
        self._cache: tuple[str, int, dict[str, int], dict[str, int]] = ("", -1, {}, {})

    @contextmanager
    def view(self) -> Iterator[MilvusView]:
        """Hold a view of the live set for the block.

        Raises:
            IndexNotFoundError: nothing has been indexed at this address.
        """
        with self._lock:
            prefix = self.store.live_prefix()
            if prefix is None:
                raise IndexNotFoundError(f"no index at {self.store.address.label}; build one with "
                                         f"`qa --backend {self.store.address.label} index build CORPUS`")
            meta = self.store.meta(prefix)
            generation = int(meta.get("generation", 0))
            if self._cache[:2] != (prefix, generation):
                self._cache = (prefix, generation, {}, {})
            yield MilvusView(self.store, prefix, meta, self._cache[2], self._cache[3])

    def exists(self) -> bool:
        """Return True when an index has been built at this address."""
        return self.store.live_prefix() is not None

    def close(self) -> None:
        """Close the connection (for Milvus Lite: release the file to other processes); reopened on next use."""
        with self._lock:
            self.store.close()


def status(view: MilvusView) -> IndexStatus:
    """Return the status of the Milvus index behind ``view`` (size on disk: the Lite database's; 0 for a server)."""
    address = view.store.address
    size = 0
    if address.kind == "milvus-lite":  # a Milvus Lite database is a folder
        size = sum(p.stat().st_size for p in Path(address.target).rglob("*") if p.is_file())
    return status_of(address.label, view.counts(), view.meta, size, view.generation, backend=address.label)
