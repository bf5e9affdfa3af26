"""The folder backend's keyword side: BM25 over the FTS5 table of jieba search-mode tokens, and
the sentence ids (FAISS ids) that pass a filter."""
from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from qa.index.filters import Filters


def match_expression(tokens: Sequence[str]) -> str:
    """Return an FTS5 query that matches any of ``tokens`` (each quoted, so no operator leaks in).

    >>> match_expression(["微软", 'a"b'])
    '"微软" OR "a""b"'
    """
    unique = list(dict.fromkeys(t for t in tokens if t.strip()))
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in unique)


def bm25_search(conn: sqlite3.Connection, tokens: Sequence[str], limit: int,
                filters: Filters = Filters()) -> list[tuple[int, float]]:
    """Return up to ``limit`` ``(chunk rowid, score)`` pairs for chunks holding any of ``tokens``,
    best first (score = -bm25, higher is better)."""
    expr = match_expression(tokens)
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
