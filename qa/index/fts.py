"""The folder backend's keyword side: BM25 over the FTS5 table of jieba search-mode tokens, and
the sentence ids (FAISS ids) that pass a filter.

**Frequent terms in large indexes (two passes).** FTS5 scores every chunk that holds any query
term, so a query's cost grows with the chunks its terms occur in: ~1.5 ms per 1,000 (measured at
21k chunks, ``bench/million_bench.py``), 0.2-0.5 s for a question at 400k-1M chunks. Once a term
occurs in more than ``FREQUENT_DOCS`` chunks (checked only in indexes that large), the search
runs in two passes: FTS5 ranks the chunks holding the other terms and keeps ``CANDIDATES`` ×
``limit`` of them; the frequent terms' BM25 part (FTS5's formula, k1 1.2, b 0.75, their chunk
counts from FTS5's vocabulary) is then added to those candidates only. A chunk holding only
frequent terms is no longer found, and frequent terms no longer pick among chunks beyond the
candidates: the recall this costs is measured on CMRC 2018 by ``bench/bm25_bound_eval.py`` (see
``bench/static/million.md``). Indexes of at most ``FREQUENT_DOCS`` chunks, and questions whose
terms are all frequent or none, are searched in one pass exactly as before.
"""
from __future__ import annotations

import math
import sqlite3
from collections.abc import Sequence

from qa.index import lookups
from qa.index.filters import Filters

# A term in more chunks than this is scored only on the candidates of the other terms (see the
# module docstring). Hand-set from the 1M-chunk run: it bounds FTS5's work per rare term to about
# this many postings (~7 ms at 1.5 ms per 1,000).
FREQUENT_DOCS = 5_000
# Candidates kept from the first pass, per result asked for.
CANDIDATES = 4
# FTS5's bm25() defaults.
K1, B = 1.2, 0.75


def match_expression(tokens: Sequence[str]) -> str:
    """Return an FTS5 query that matches any of ``tokens`` (each quoted, so no operator leaks in).

    >>> match_expression(["微软", 'a"b'])
    '"微软" OR "a""b"'
    """
    unique = list(dict.fromkeys(t for t in tokens if t.strip()))
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in unique)


def bm25_search(conn: sqlite3.Connection, tokens: Sequence[str], limit: int,
                filters: Filters = Filters(), term_docs: dict[str, int] | None = None) -> list[tuple[int, float]]:
    """Return up to ``limit`` ``(chunk rowid, score)`` pairs for chunks holding any of ``tokens``,
    best first (score = -bm25, higher is better); in two passes when some of them are frequent
    (see the module docstring)."""
    unique = list(dict.fromkeys(t for t in tokens if t.strip()))
    if not unique or limit < 1:
        return []
    frequent = frequent_terms(conn, unique, term_docs)
    if not frequent or len(frequent) == len(unique):
        return _ranked(conn, match_expression(unique), limit, filters)
    rare = [t for t in unique if t not in frequent]
    candidates = _ranked(conn, match_expression(rare), limit * CANDIDATES, filters)
    return _add_frequent(conn, candidates, frequent)[:limit]


def frequent_terms(conn: sqlite3.Connection, terms: Sequence[str],
                   term_docs: dict[str, int] | None = None) -> dict[str, int]:
    """Return ``{term: chunk count}`` of the ``terms`` found in more than ``FREQUENT_DOCS`` chunks
    (none in an index that small, so small indexes pay nothing for the check). ``term_docs`` is
    the reader's count cache for this generation of the index (``ReadView.term_docs``): FTS5's
    vocabulary counts a term by reading its whole posting list."""
    if len(terms) < 2 or lookups.row_count(conn, "chunks") <= FREQUENT_DOCS:
        return {}
    docs, _ = lookups.doc_freq(conn, terms, term_docs)
    return {t: docs[t] for t in terms if docs.get(t, 0) > FREQUENT_DOCS}


def _add_frequent(conn: sqlite3.Connection, candidates: list[tuple[int, float]],
                  frequent: dict[str, int]) -> list[tuple[int, float]]:
    """Return ``candidates`` with the frequent terms' BM25 part added to their scores, best first."""
    if not candidates:
        return []
    total_rows, avg_len = _averages(conn)
    # FTS5's idf, clamped the same way (a term in half the rows or more weighs ~nothing).
    idf = {t: max(math.log((total_rows - n + 0.5) / (n + 0.5)), 1e-6) for t, n in frequent.items()}
    ids = [r for r, _ in candidates]
    marks = ",".join("?" * len(ids))
    texts = dict(conn.execute(f"SELECT rowid, tokens FROM chunks_fts WHERE rowid IN ({marks})", ids).fetchall())
    sizes = {r: _varint(sz)[0] for r, sz in conn.execute(
        f"SELECT id, sz FROM chunks_fts_docsize WHERE id IN ({marks})", ids).fetchall()}
    scored = []
    for rowid, score in candidates:
        words = (texts.get(rowid) or "").split()
        norm = K1 * (1 - B + B * sizes.get(rowid, len(words)) / avg_len)
        for t in frequent:
            tf = words.count(t)
            if tf:
                score += idf[t] * tf * (K1 + 1) / (tf + norm)
        scored.append((rowid, score))
    scored.sort(key=lambda p: -p[1])
    return scored


def _averages(conn: sqlite3.Connection) -> tuple[int, float]:
    """Return FTS5's row count and mean tokens per row (its "averages" record)."""
    row = conn.execute("SELECT block FROM chunks_fts_data WHERE id = 1").fetchone()
    if not row or not row[0]:
        return 1, 1.0
    rows, at = _varint(row[0])
    tokens, _ = _varint(row[0], at)
    return max(rows, 1), max(tokens / max(rows, 1), 1.0)


def _varint(data: bytes, at: int = 0) -> tuple[int, int]:
    """Return ``(value, next offset)`` of the SQLite varint at ``at`` (FTS5 stores its sizes so)."""
    value = 0
    for i in range(8):
        byte = data[at + i]
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, at + i + 1
    return (value << 8) | data[at + 8], at + 9


def _ranked(conn: sqlite3.Connection, expr: str, limit: int, filters: Filters) -> list[tuple[int, float]]:
    """Return up to ``limit`` ``(chunk rowid, -bm25)`` pairs of the FTS5 query ``expr``, best first."""
    if not expr or limit < 1:
        return []
    if not filters.active:
        rows = conn.execute(
            "SELECT rowid, bm25(chunks_fts) AS s FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY s LIMIT ?",
            (expr, limit)).fetchall()
    else:
        where, params = filters.where()
        rows = conn.execute(
            "SELECT f.rowid, bm25(chunks_fts) AS s FROM chunks_fts f JOIN chunks c ON c.rowid = f.rowid"
            f" JOIN articles a ON a.id = c.article_id WHERE chunks_fts MATCH ? AND {where} ORDER BY s LIMIT ?",
            (expr, *params, limit)).fetchall()
    return [(int(r), -float(s)) for r, s in rows]


def allowed_vector_ids(conn: sqlite3.Connection, filters: Filters) -> list[int]:
    """Return the sentence rowids (FAISS ids) of the articles that pass ``filters``."""
    where, params = filters.where()
    return [r for (r,) in conn.execute(
        f"SELECT s.rowid FROM sentences s JOIN articles a ON a.id = s.article_id WHERE {where}", params)]
