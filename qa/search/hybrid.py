"""Hybrid retrieval: dense and BM25 candidates from the index backend, fused, near-duplicates collapsed.

Dense candidates, then keyword candidates (an English question's words translated into the
senses the best dense chunks use), the two lists fused (:mod:`qa.search.fusion`, with the dense
share of the question's keyword language), reposts of a story already listed dropped, and the
rest turned into ``Passage`` records.
"""
from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from concurrent import futures
from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np

from qa.config import Settings
from qa.embedding.alignment import shifted
from qa.embedding.encoders import Encoder
from qa.index.backend import SearchView
from qa.search import keyword
from qa.search.aliases import question_aliases
from qa.search.dense import dense_candidates
from qa.index.filters import Filters
from qa.search.fusion import Hits, dense_weight_for, fuse
from qa.search.validate import validate_query
from qa.text import tokenize
from qa.text.translate import Senses, keyword_language, keyword_text, looked_up
from qa.types import Passage

log = logging.getLogger(__name__)

# Chunks read to fill k passages: reposts of a story already listed are skipped, so read more
# than k (set by hand: 4k, and at least k + 20 for small k; a list rarely holds more reposts).
REPOST_ROOM_FACTOR = 4
REPOST_ROOM_MIN = 20
# Dense chunks whose words pick the senses of an English question's words (translate.chinese_terms
# ``nearby``): set by hand; 3, 5 and 10 scored within 0.5 point of each other on XQuAD en→zh
# (bench/english_retrieval.py), and 5 is the default number of passages.
SENSE_CHUNKS = 5


@dataclass(frozen=True)
class EnglishLookups:
    """What an English question's keywords need from the index besides the dense chunks' words."""

    senses: Senses  # its words' dictionary senses, with their chunk counts
    aliases: dict[str, tuple[str, ...]]  # the Chinese forms the articles give its Latin-script names


def english_lookups(view: SearchView, query: str) -> EnglishLookups:
    """Return the senses of ``query``'s English words with their chunk counts, and its names' aliases."""
    return EnglishLookups(looked_up(query, lambda tokens: view.doc_freq(tokens)[0]), question_aliases(view, query))


def lexical_candidates(view: SearchView, query: str, depth: int, filters: Filters,
                       nearby: Collection[str] = (), lookups: EnglishLookups | None = None) -> Hits:
    """Return the BM25 best chunks for ``query`` among those passing ``filters``; ``nearby``
    (words of the best dense chunks) chooses between the senses of English words, and ``lookups``
    (:func:`english_lookups` of ``query``) saves looking those senses up again."""
    # English words also look for Chinese ones: the senses these articles use (their chunk counts),
    # and Latin-script names the forms the articles write beside them (Oracle → 甲骨文).
    aliases = lookups.aliases if lookups is not None else question_aliases(view, query)
    terms = tokenize(keyword_text(query, lambda tokens: view.doc_freq(tokens)[0], nearby, aliases,
                                  lookups.senses if lookups is not None else None))
    return Hits(tuple(keyword.bm25_search(view, terms, depth, filters)))


def nearby_words(view: SearchView, query: str, dense: Hits) -> frozenset[str]:
    """Return the search tokens of the ``SENSE_CHUNKS`` best dense chunks when ``query``'s
    keywords are translated from English, else nothing (Chinese questions need no senses).

    Dictionary senses are ambiguous ("season": 季节 or 赛季); the chunks the question's meaning
    finds first show which one these articles use (BM25 R@1 of English XQuAD questions
    0.66 → 0.72)."""
    if not dense.hits or keyword_language(query) != "en":
        return frozenset()
    rows = view.chunks_by_id([rid for rid, _ in dense.hits[:SENSE_CHUNKS]])
    return frozenset(t for sc in rows.values() for t in tokenize(sc.chunk.text))


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
                query_vector: np.ndarray | None, pool: Executor | None = None,
                shift: np.ndarray | None = None) -> tuple[Hits, Hits]:
    """Return the dense and the keyword candidates (an empty side for mode "bm25" or "dense").

    With a ``pool`` (and a view that allows it), the keyword search of a Chinese question runs on
    a pool thread while this one encodes the question and searches FAISS: SQLite and FAISS both
    release the GIL, so at 1M chunks the two ~22 ms searches overlap instead of adding up. An
    English question's keyword search needs the dense side's words first; only its lookups
    (:func:`english_lookups`) run beside the dense search."""
    empty = Hits(())
    if mode == "bm25":
        return empty, lexical_candidates(view, query, depth, filters)
    english = keyword_language(query) == "en"
    beside = pool is not None and mode == "hybrid" and view.concurrent_reads
    keywords = pool.submit(lexical_candidates, view, query, depth, filters) if beside and not english else None
    lookups = pool.submit(english_lookups, view, query) if beside and english else None
    try:
        vector = encoder.queries([query])[0] if query_vector is None else query_vector
        if shift is not None:
            vector = shifted(vector[None, :], [query], shift)[0]
        dense = dense_candidates(view, vector, depth, filters)
    finally:
        waiting = [f for f in (keywords, lookups) if f is not None]
        if waiting:  # never hand the view back while the pool thread still reads it
            futures.wait(waiting)
    if mode == "dense":
        return dense, empty
    if keywords is not None:
        return dense, keywords.result()
    return dense, lexical_candidates(view, query, depth, filters, nearby_words(view, query, dense),
                                     lookups.result() if lookups is not None else None)


def hybrid_search(view: SearchView, encoder: Encoder, query: str, k: int, filters: Filters,
                  settings: Settings | None = None, mode: str = "hybrid",
                  query_vector: np.ndarray | None = None, pool: Executor | None = None, *,
                  shift: np.ndarray | None = None) -> list[Passage]:
    """Return the ``k`` best passages for ``query``; ``mode`` is "hybrid", "dense" or "bm25".

    ``query_vector`` skips encoding the query when the caller has encoded it already; ``pool``
    (e.g. a ``ThreadPoolExecutor``) runs the keyword search beside the dense one; ``shift`` is the
    encoder's English→Chinese shift, added to an English query's vector for the dense search
    only (:mod:`qa.embedding.alignment`).

    Raises:
        ValueError: bad query or k (see ``validate_query``), or an unknown mode.
    """
    query = validate_query(query, k)
    settings = settings or Settings.from_env()
    depth = max(settings.retrieval_depth, k)
    if mode not in ("hybrid", "dense", "bm25"):
        raise ValueError(f"unknown retrieval mode {mode!r}; use hybrid, dense or bm25")
    dense, sparse = _both_sides(view, encoder, query, depth, filters, mode, query_vector, pool, shift)
    if mode != "hybrid":
        fused = list((dense if mode == "dense" else sparse).hits)
    else:
        fused = fuse(dense, sparse, settings, dense_weight_for(query, settings))
    return to_passages(view, fused, k)
