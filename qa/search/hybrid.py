"""Hybrid retrieval: dense (FAISS) and BM25 (FTS5) candidates, fused, near-duplicates collapsed.

Keyword candidates, the two lists fused (:mod:`qa.search.fusion`), reposts of a story already
listed dropped, and the rest turned into ``Passage`` records.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from qa.config import Settings
from qa.embedding.encoders import Encoder
from qa.index.backend import SearchView
from qa.search import keyword
from qa.search.dense import dense_candidates
from qa.index.filters import Filters
from qa.search.fusion import Hits, fuse
from qa.search.validate import validate_query
from qa.text import tokenize
from qa.text.translate import keyword_text
from qa.types import Passage

log = logging.getLogger(__name__)

# Chunks read to fill k passages: reposts of a story already listed are skipped, so read more
# than k (set by hand: 4k, and at least k + 20 for small k; a list rarely holds more reposts).
REPOST_ROOM_FACTOR = 4
REPOST_ROOM_MIN = 20


def lexical_candidates(view: SearchView, query: str, depth: int, filters: Filters) -> Hits:
    """Return the BM25 best chunks for ``query`` among those passing ``filters``."""
    terms = tokenize(keyword_text(query))  # English questions also look for Chinese translations
    return Hits(tuple(keyword.bm25_search(view, terms, depth, filters)))


def to_passages(view: SearchView, fused: Sequence[tuple[int, float]], k: int) -> list[Passage]:
    """Return the top ``k`` passages, keeping only the best chunk of each near-duplicate group
    that comes from another article (so one reposted story does not fill the list)."""
    rows = view.chunks_by_id([rid for rid, _ in fused[: max(REPOST_ROOM_FACTOR * k, k + REPOST_ROOM_MIN)]])
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
    members = view.group_members({sc.group_id for sc, _ in chosen})
    return [Passage(
        article_id=sc.chunk.article_id, chunk_id=sc.chunk.id, text=sc.chunk.text, score=round(score, 6),
        start=sc.chunk.start, end=sc.chunk.end, title=sc.title, source=sc.source, date=sc.date, url=sc.url,
        duplicates=tuple(a for a in members.get(sc.group_id, []) if a != sc.chunk.article_id),
    ) for sc, score in chosen]


def _both_sides(view: SearchView, encoder: Encoder, query: str, depth: int, filters: Filters, mode: str,
                query_vector: np.ndarray | None) -> tuple[Hits, Hits]:
    """Return the dense and the keyword candidates (an empty side for mode "bm25" or "dense")."""
    empty = Hits(())
    sparse = lexical_candidates(view, query, depth, filters) if mode != "dense" else empty
    if mode == "bm25":
        return empty, sparse
    # Encoding on a second thread while BM25 ran was tried: the encoder uses both cores, so
    # nothing overlapped (25.3 ms in sequence, 28.3 ms "overlapped", quiet machine).
    vector = encoder.queries([query])[0] if query_vector is None else query_vector
    return dense_candidates(view, vector, depth, filters), sparse


def hybrid_search(view: SearchView, encoder: Encoder, query: str, k: int, filters: Filters,
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
