"""Hybrid retrieval: dense (FAISS) and BM25 (FTS5) candidates, fused, near-duplicates collapsed.

Fusion is a weighted sum of min-max-normalised scores by default (``Settings.fusion``);
reciprocal-rank fusion is the alternative. Parameters were chosen with ``qa eval`` on CMRC 2018
and DRCD (table in docs/benchmarks.md).
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from qa.search import keyword
from qa.index import lookups
from qa.config import Settings
from qa.embedding.encoders import Encoder
from qa.search.filters import Filters
from qa.search.validate import validate_query
from qa.index.view import ReadView
from qa.text import tokenize
from qa.text.translate import keyword_text
from qa.types import Passage

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class Ranked:
    """One side's candidates: ``(chunk rowid, score)`` best first."""

    hits: tuple[tuple[int, float], ...]


def dense_candidates(view: ReadView, query_vector: np.ndarray, depth: int, filters: Filters) -> Ranked:
    """Return the chunks nearest to ``query_vector`` among those passing ``filters``.

    FAISS holds sentence vectors; a chunk scores as its best sentence (measured: dense R@1
    0.974 on CMRC 2018 against 0.969 with one vector per chunk).
    """
    allowed = np.asarray(keyword.allowed_vector_ids(view.conn, filters), dtype=np.int64) if filters.active else None
    hits = view.vectors.search(query_vector, depth * 4, allowed)
    owner = lookups.sentence_chunks(view.conn, [sid for sid, _ in hits])
    best: dict[int, float] = {}
    for sid, score in hits:
        if sid in owner and owner[sid] not in best:
            best[owner[sid]] = score
    return Ranked(tuple(list(best.items())[:depth]))


def lexical_candidates(view: ReadView, query: str, depth: int, filters: Filters) -> Ranked:
    """Return the BM25 best chunks for ``query`` among those passing ``filters``."""
    terms = tokenize(keyword_text(query))  # English questions also look for Chinese translations
    return Ranked(tuple(keyword.bm25_search(view.conn, terms, depth, filters, view.term_docs)))


def fuse(dense: Ranked, sparse: Ranked, settings: Settings) -> list[tuple[int, float]]:
    """Return ``(rowid, fused score)`` best first, by RRF or by a weighted sum of normalised scores."""
    w = settings.dense_weight
    scores: dict[int, float] = {}
    if settings.fusion == "weighted":
        for side, weight in ((dense, w), (sparse, 1 - w)):
            if not side.hits:
                continue
            vals = np.array([s for _, s in side.hits])
            lo, span = vals.min(), max(vals.max() - vals.min(), 1e-9)
            for (rid, s) in side.hits:
                scores[rid] = scores.get(rid, 0.0) + weight * (s - lo) / span
    else:
        for side, weight in ((dense, w), (sparse, 1 - w)):
            for rank, (rid, _) in enumerate(side.hits):
                scores[rid] = scores.get(rid, 0.0) + 2 * weight / (settings.rrf_k + rank + 1)
    return sorted(scores.items(), key=lambda kv: -kv[1])


def to_passages(view: ReadView, fused: Sequence[tuple[int, float]], k: int) -> list[Passage]:
    """Return the top ``k`` passages, keeping only the best chunk of each near-duplicate group
    that comes from another article (so one reposted story does not fill the list)."""
    rows = lookups.chunks_by_rowid(view.conn, [rid for rid, _ in fused[: max(4 * k, k + 20)]])
    chosen, article_of_group = [], {}
    for rid, score in fused:
        sc = rows.get(rid)
        if sc is None:
            continue
        owner = article_of_group.setdefault(sc.group_id, sc.chunk.article_id)
        if owner != sc.chunk.article_id:
            continue  # a repost of a story already listed
        chosen.append((sc, score))
        if len(chosen) == k:
            break
    members = lookups.group_members(view.conn, {sc.group_id for sc, _ in chosen})
    return [Passage(
        article_id=sc.chunk.article_id, chunk_id=sc.chunk.id, text=sc.chunk.text, score=round(score, 6),
        start=sc.chunk.start, end=sc.chunk.end, title=sc.title, source=sc.source, date=sc.date, url=sc.url,
        duplicates=tuple(a for a in members.get(sc.group_id, []) if a != sc.chunk.article_id),
    ) for sc, score in chosen]


def _both_sides(view: ReadView, encoder: Encoder, query: str, depth: int, filters: Filters, mode: str,
                query_vector: np.ndarray | None) -> tuple[Ranked, Ranked]:
    """Return the dense and the keyword candidates (an empty side for mode "bm25" or "dense")."""
    empty = Ranked(())
    sparse = lexical_candidates(view, query, depth, filters) if mode != "dense" else empty
    if mode == "bm25":
        return empty, sparse
    # Encoding on a second thread while BM25 ran was tried: the encoder uses both cores, so
    # nothing overlapped (25.3 ms in sequence, 28.3 ms "overlapped", quiet machine).
    vector = encoder.queries([query])[0] if query_vector is None else query_vector
    return dense_candidates(view, vector, depth, filters), sparse


def hybrid_search(view: ReadView, encoder: Encoder, query: str, k: int, filters: Filters,
                  settings: Settings | None = None, mode: str = "hybrid",
                  query_vector: np.ndarray | None = None) -> list[Passage]:
    """Return the ``k`` best passages for ``query``; ``mode`` is "hybrid", "dense" or "bm25".

    ``query_vector`` skips encoding the query when the caller has encoded it already.

    Raises:
        ValueError: bad query or k (see ``validate_query``), or an unknown mode.
    """
    query = validate_query(query, k)
    settings = settings or Settings.from_env()
    depth = max(settings.retrieval_depth, k)
    if mode not in ("hybrid", "dense", "bm25"):
        raise ValueError(f"unknown retrieval mode {mode!r}; use hybrid, dense or bm25")
    dense, sparse = _both_sides(view, encoder, query, depth, filters, mode, query_vector)
    if mode != "hybrid":
        fused = list((dense if mode == "dense" else sparse).hits)
    else:
        fused = fuse(dense, sparse, settings)
    return to_passages(view, fused, k)
