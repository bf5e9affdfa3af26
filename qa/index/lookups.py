"""Read-side lookups in the SQLite store: what search, answers, status and writes ask of it.

Split from ``qa.index.store`` (which creates the schema and writes); these only read, with any
connection, including the read-only ones of a running app.
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence

import numpy as np

from qa.index import store
from qa.types import Article, Chunk

# Ids per ``IN (?, …)`` query: below SQLite's default limit of 999 bound parameters in builds
# before 3.32 (newer ones allow 32,766), so any sqlite3 the project runs on accepts it.
_MAX_PARAMS = 900


def group_members(conn: sqlite3.Connection, group_ids: Iterable[str]) -> dict[str, list[str]]:
    """Return ``{group_id: [article ids in the order they were added]}`` for these near-duplicate groups."""
    wanted = sorted(set(group_ids))
    groups: dict[str, list[str]] = {gid: [] for gid in wanted}
    for start in range(0, len(wanted), _MAX_PARAMS):
        batch = wanted[start:start + _MAX_PARAMS]
        rows = conn.execute(f"SELECT group_id, id FROM articles WHERE group_id IN ({','.join('?' * len(batch))})"
                            " ORDER BY added_at", batch)
        for gid, aid in rows:
            groups[gid].append(aid)
    return groups


def sentence_chunks(conn: sqlite3.Connection, sentence_ids: Sequence[int]) -> dict[int, int]:
    """Return ``{sentence rowid: chunk rowid}`` for the sentences that exist."""
    out: dict[int, int] = {}
    for start in range(0, len(sentence_ids), _MAX_PARAMS):
        batch = [int(r) for r in sentence_ids[start:start + _MAX_PARAMS]]
        marks = ",".join("?" * len(batch))
        out.update(conn.execute(f"SELECT rowid, chunk_rowid FROM sentences WHERE rowid IN ({marks})", batch))
    return out


def span_sentences(conn: sqlite3.Connection, article_id: str, start: int, end: int) -> list[tuple[int, int, str, np.ndarray]]:
    """Return ``(start, end, text, vector)`` of the article's sentences inside ``[start, end)``, in order."""
    rows = conn.execute("SELECT start, end, text, vector FROM sentences WHERE article_id=? AND start>=? AND end<=?"
                        " ORDER BY start", (article_id, start, end))
    return [(s, e, t, np.frombuffer(v, dtype=np.float32)) for s, e, t, v in rows]


def vectors_for(conn: sqlite3.Connection, rowids: Sequence[int], dim: int) -> np.ndarray:
    """Return the stored vectors of these sentence rowids, in that order, as float32 (n, dim)."""
    out = np.empty((len(rowids), dim), dtype=np.float32)
    for start in range(0, len(rowids), _MAX_PARAMS):
        batch = [int(r) for r in rowids[start:start + _MAX_PARAMS]]
        marks = ",".join("?" * len(batch))
        found = dict(conn.execute(f"SELECT rowid, vector FROM sentences WHERE rowid IN ({marks})", batch).fetchall())
        for i, r in enumerate(batch):
            out[start + i] = np.frombuffer(found[r], dtype=np.float32)
    return out


_SELECT_CHUNKS = (
    "SELECT c.rowid, c.id, c.article_id, c.text, c.start, c.end, c.ordinal,"
    " a.title, a.source, a.date, a.url, a.group_id FROM chunks c JOIN articles a ON a.id = c.article_id"
)


def _row_to_chunk(row: tuple) -> store.StoredChunk:
    rowid, cid, aid, text, start, end, ordinal, title, source, date, url, group_id = row
    return store.StoredChunk(rowid, Chunk(cid, aid, text, start, end, ordinal), title, source, date, url, group_id)


def chunks_by_rowid(conn: sqlite3.Connection, rowids: Sequence[int]) -> dict[int, store.StoredChunk]:
    """Return ``{rowid: store.StoredChunk}`` for the rowids that exist."""
    out: dict[int, store.StoredChunk] = {}
    for start in range(0, len(rowids), _MAX_PARAMS):
        batch = [int(r) for r in rowids[start:start + _MAX_PARAMS]]
        marks = ",".join("?" * len(batch))
        for row in conn.execute(_SELECT_CHUNKS + f" WHERE c.rowid IN ({marks})", batch):
            out[row[0]] = _row_to_chunk(row)
    return out


def doc_freq(conn: sqlite3.Connection, tokens: Sequence[str],
             cache: dict[str, int] | None = None) -> tuple[dict[str, int], int]:
    """Return ``({token: number of chunks containing it}, number of chunks)`` from the FTS5 vocabulary.

    ``cache`` (token -> count, for one generation of the index: ``ReadView.term_docs``) answers
    the tokens it holds and learns the others; counts of 0 are cached too.
    """
    unique = list(dict.fromkeys(tokens))
    known = cache if cache is not None else {}
    missing = [t for t in unique if t not in known]
    if missing:
        marks = ",".join("?" * len(missing))
        found = dict(conn.execute(f"SELECT term, doc FROM chunks_vocab WHERE term IN ({marks})", missing).fetchall())
        known.update({t: found.get(t, 0) for t in missing})
    return {t: known[t] for t in unique if known[t]}, row_count(conn, "chunks")


def row_count(conn: sqlite3.Connection, table: str) -> int:
    """Return the number of rows of ``table`` (articles, chunks or sentences) in constant time,
    from the trigger-kept ``row_counts``.

    Raises:
        ValueError: ``table`` is not one of the counted tables.
    """
    if table not in store.COUNTED_TABLES:
        raise ValueError(f"no row count is kept for {table!r}; counted: {', '.join(store.COUNTED_TABLES)}")
    try:
        row = conn.execute("SELECT n FROM row_counts WHERE name = ?", (table,)).fetchone()
    except sqlite3.OperationalError:  # opened read-only before any writer added the table
        row = None
    return int(row[0]) if row else conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def counts(conn: sqlite3.Connection, *, exact: bool = False) -> dict[str, int]:
    """Return row counts: articles, exact duplicates, duplicate groups, chunks, sentences.

    Articles, chunks and sentences come from the trigger-kept ``row_counts`` (constant time);
    ``exact=True`` counts every table instead and adds ``fts_rows`` (for integrity checks).
    """
    one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
    out = {"exact_duplicates": one("SELECT COUNT(*) FROM articles WHERE duplicate_of IS NOT NULL"),
           "stories": one("SELECT COUNT(DISTINCT group_id) FROM articles WHERE duplicate_of IS NULL")}
    if exact:
        out.update({t: one(f"SELECT COUNT(*) FROM {t}") for t in store.COUNTED_TABLES})
        out["fts_rows"] = one("SELECT COUNT(*) FROM chunks_fts")
    else:
        try:
            out.update(dict(conn.execute("SELECT name, n FROM row_counts")))
        except sqlite3.OperationalError:  # opened read-only before any writer added the table
            out.update({t: one(f"SELECT COUNT(*) FROM {t}") for t in store.COUNTED_TABLES})
    return out


def _row_to_stored(row: sqlite3.Row | tuple) -> store.StoredArticle:
    (aid, title, text, source, date, url, author, language, path, meta_json,
     content_key, signature, group_id, duplicate_of, added_at) = row
    meta = tuple(tuple(p) for p in json.loads(meta_json))
    article = Article(id=aid, title=title, text=text, source=source, date=date, url=url,
                      author=author, language=language, path=path, meta=meta)  # type: ignore[arg-type]
    return store.StoredArticle(article, content_key, signature, group_id, duplicate_of, added_at)


_SELECT_ARTICLES = (
    "SELECT id, title, text, source, date, url, author, language, path, meta_json,"
    " content_key, signature, group_id, duplicate_of, added_at FROM articles"
)


def get_article(conn: sqlite3.Connection, article_id: str) -> store.StoredArticle | None:
    """Return the stored article with this id, or ``None``."""
    row = conn.execute(_SELECT_ARTICLES + " WHERE id=?", (article_id,)).fetchone()
    return _row_to_stored(row) if row else None


def iter_articles(conn: sqlite3.Connection) -> Iterator[store.StoredArticle]:
    """Yield every stored article ordered by date (undated last), then id."""
    for row in conn.execute(_SELECT_ARTICLES + " ORDER BY date IS NULL, date DESC, id"):
        yield _row_to_stored(row)


def articles_with_key(conn: sqlite3.Connection, content_key: str) -> list[store.StoredArticle]:
    """Return the articles whose normalised text has this key (exact duplicates)."""
    return [_row_to_stored(r) for r in conn.execute(_SELECT_ARTICLES + " WHERE content_key=? ORDER BY added_at",
                                                   (content_key,))]


def sentence_vectors(conn: sqlite3.Connection, article_id: str) -> dict[str, np.ndarray]:
    """Return ``{sentence text: vector}`` of an article's stored sentences (reused when it is updated)."""
    return {text: np.frombuffer(blob, dtype=np.float32)
            for text, blob in conn.execute("SELECT text, vector FROM sentences WHERE article_id=?", (article_id,))}


def all_vector_ids(conn: sqlite3.Connection) -> np.ndarray:
    """Return every sentence rowid as an int64 array (what the FAISS index must hold)."""
    return np.fromiter((r for (r,) in conn.execute("SELECT rowid FROM sentences")), dtype=np.int64)


def vector_ids_after(conn: sqlite3.Connection, after: int) -> list[int]:
    """Return the sentence rowids above ``after`` (rows added since a copy that ends there)."""
    return [r for (r,) in conn.execute("SELECT rowid FROM sentences WHERE rowid > ?", (after,))]

