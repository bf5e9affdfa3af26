"""SQLite storage: articles, chunks (with their vectors), the FTS5 keyword index, metadata.

SQLite is the single source of truth. Sentence vectors are stored as float32 blobs beside the
sentence rows, so one transaction changes articles, chunks, BM25 postings and vectors together:
an update is all-or-nothing by construction, and the FAISS index (``qa.index.vectors``) is a
derived structure that can always be brought back in line with this database.

WAL mode lets readers (the running app) read while a writer commits.
"""
from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.types import Article, Chunk

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
# SQLite's own page cache per connection (default 2 MB). The OS page cache is not to be relied
# on: on this VM it is reclaimed within minutes, and a query's FTS5 and sentence pages then come
# from disk (10k chunks: sentence lookups 1.6 ms p50 but 17 ms mean). 64 MB holds the hot pages
# of a ~10k-chunk index in the process itself.
PAGE_CACHE_KIB = 65_536
# How long a connection waits for another's lock before "database is locked".  Writers are
# serialised by the folder lock first and WAL readers wait only briefly (recovery, checkpoint),
# so this is a safety margin; 10 s is hand-set, not measured.
BUSY_TIMEOUT_MS = 10_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    source TEXT, date TEXT, url TEXT, author TEXT, language TEXT, path TEXT,
    meta_json TEXT NOT NULL DEFAULT '[]',
    content_key TEXT NOT NULL,
    signature BLOB,
    group_id TEXT NOT NULL,          -- near-duplicate group (id of its first article)
    duplicate_of TEXT,               -- exact duplicate of this article: stored, not chunked
    added_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_content ON articles(content_key);
CREATE INDEX IF NOT EXISTS articles_group ON articles(group_id);
CREATE INDEX IF NOT EXISTS articles_date ON articles(date);
-- Covers the duplicate and story counts without reading article texts.
CREATE INDEX IF NOT EXISTS articles_dup_group ON articles(duplicate_of, group_id);
-- AUTOINCREMENT: a rowid is never reused, so a reader can reconcile its FAISS copy by ids.
CREATE TABLE IF NOT EXISTS chunks (
    rowid INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_article ON chunks(article_id);
-- Each sentence is embedded once (in the first chunk that holds it); its rowid is its FAISS id.
-- A chunk's dense score is its best sentence's: measured better than one vector per chunk.
CREATE TABLE IF NOT EXISTS sentences (
    rowid INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    chunk_rowid INTEGER NOT NULL REFERENCES chunks(rowid) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    text TEXT NOT NULL,
    vector BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS sentences_article ON sentences(article_id, start);
CREATE INDEX IF NOT EXISTS sentences_chunk ON sentences(chunk_rowid);
-- LSH band keys of each article's MinHash signature (qa.text.duplicates.band_keys):
-- near-duplicate candidates by lookup, kept in the same transactions as the articles.
CREATE TABLE IF NOT EXISTS lsh (
    band INTEGER NOT NULL,
    key BLOB NOT NULL,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS lsh_key ON lsh(band, key);
CREATE INDEX IF NOT EXISTS lsh_article ON lsh(article_id);
-- Row counts kept by triggers in the same transaction as the rows: an add at 100k chunks must
-- not pay for COUNT(*) scans (manifest, snapshot policy). Initialised once by init_row_counts.
CREATE TABLE IF NOT EXISTS row_counts (name TEXT PRIMARY KEY, n INTEGER NOT NULL);
CREATE TRIGGER IF NOT EXISTS articles_counted_in AFTER INSERT ON articles
    BEGIN UPDATE row_counts SET n = n + 1 WHERE name = 'articles'; END;
CREATE TRIGGER IF NOT EXISTS articles_counted_out AFTER DELETE ON articles
    BEGIN UPDATE row_counts SET n = n - 1 WHERE name = 'articles'; END;
CREATE TRIGGER IF NOT EXISTS chunks_counted_in AFTER INSERT ON chunks
    BEGIN UPDATE row_counts SET n = n + 1 WHERE name = 'chunks'; END;
CREATE TRIGGER IF NOT EXISTS chunks_counted_out AFTER DELETE ON chunks
    BEGIN UPDATE row_counts SET n = n - 1 WHERE name = 'chunks'; END;
CREATE TRIGGER IF NOT EXISTS sentences_counted_in AFTER INSERT ON sentences
    BEGIN UPDATE row_counts SET n = n + 1 WHERE name = 'sentences'; END;
CREATE TRIGGER IF NOT EXISTS sentences_counted_out AFTER DELETE ON sentences
    BEGIN UPDATE row_counts SET n = n - 1 WHERE name = 'sentences'; END;
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(tokens, tokenize = 'unicode61 remove_diacritics 0');
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_vocab USING fts5vocab(chunks_fts, 'row');
"""

_BANDS_PER_QUERY = 64  # LSH lookups per statement (32 bands by default: one statement per article)
_ARTICLE_COLUMNS = ("id", "title", "text", "source", "date", "url", "author", "language", "path")


@dataclass(frozen=True)
class StoredArticle:
    """An article row with its bookkeeping columns."""

    article: Article
    content_key: str
    signature: bytes | None
    group_id: str
    duplicate_of: str | None
    added_at: float


@dataclass(frozen=True)
class StoredChunk:
    """A chunk row joined with the citation fields of its article."""

    rowid: int
    chunk: Chunk
    title: str
    source: str | None
    date: str | None
    url: str | None
    group_id: str


def connect(path: Path, *, readonly: bool = False, immutable: bool = False) -> sqlite3.Connection:
    """Return a connection in WAL mode with foreign keys on; creates the schema unless ``readonly``.

    Raises:
        sqlite3.Error: the file is not a database or cannot be opened.
    """
    if readonly:  # mode=ro; immutable: no locks, -wal or -shm (see view.open_database). as_uri escapes "?#%"
        uri = Path(path).resolve().as_uri() + ("?mode=ro&immutable=1" if immutable else "?mode=ro")
        conn = sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
    else:
        conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.executescript(_SCHEMA)
        _init_row_counts(conn)
    for pragma in ("foreign_keys=ON", f"busy_timeout={BUSY_TIMEOUT_MS}", f"cache_size=-{PAGE_CACHE_KIB}"):
        conn.execute(f"PRAGMA {pragma}")
    return conn


COUNTED_TABLES = ("articles", "chunks", "sentences")


def _init_row_counts(conn: sqlite3.Connection) -> None:
    """Seed ``row_counts`` from COUNT(*) the first time (new database, or one made before it)."""
    with transaction(conn):
        for table in COUNTED_TABLES:
            conn.execute(f"INSERT INTO row_counts (name, n) SELECT ?, (SELECT COUNT(*) FROM {table}) "
                         "WHERE NOT EXISTS (SELECT 1 FROM row_counts WHERE name = ?)", (table, table))


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Run the block in one IMMEDIATE transaction: committed at the end, rolled back on error."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def get_meta(conn: sqlite3.Connection) -> dict[str, str]:
    """Return the ``meta`` table as a dict."""
    return dict(conn.execute("SELECT key, value FROM meta").fetchall())


def set_meta(conn: sqlite3.Connection, values: dict[str, object]) -> None:
    """Upsert ``values`` into ``meta`` (non-strings stored as JSON)."""
    conn.executemany(
        "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
        [(k, v if isinstance(v, str) else json.dumps(v)) for k, v in values.items()],
    )


def bump_generation(conn: sqlite3.Connection) -> int:
    """Increment and return the generation counter (call inside the writing transaction)."""
    row = conn.execute("SELECT value FROM meta WHERE key='generation'").fetchone()
    generation = int(row[0]) + 1 if row else 1
    set_meta(conn, {"generation": str(generation)})
    return generation


def generation(conn: sqlite3.Connection) -> int:
    """Return the generation counter: it changes with every committed update."""
    row = conn.execute("SELECT value FROM meta WHERE key='generation'").fetchone()
    return int(row[0]) if row else 0


_UPSERT = (
    "INSERT INTO articles (id, title, text, source, date, url, author, language, path,"
    " meta_json, content_key, signature, group_id, duplicate_of, added_at)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET "
    + ", ".join(f"{c}=excluded.{c}" for c in (*_ARTICLE_COLUMNS[1:], "meta_json", "content_key", "signature",
                                              "group_id", "duplicate_of", "added_at"))
)


def upsert_article(conn: sqlite3.Connection, stored: StoredArticle) -> None:
    """Insert one article row, or update it in place (an UPDATE: its chunks are kept)."""
    conn.execute(_UPSERT, _article_row(stored))


def upsert_articles(conn: sqlite3.Connection, stored: Sequence[StoredArticle]) -> None:
    """:func:`upsert_article` for each of ``stored``, in order, as one ``executemany``."""
    conn.executemany(_UPSERT, [_article_row(s) for s in stored])


def _article_row(stored: StoredArticle) -> tuple[object, ...]:
    """Return the ``_UPSERT`` parameters of one article."""
    a = stored.article
    return (*(getattr(a, c) for c in _ARTICLE_COLUMNS), json.dumps(list(a.meta), ensure_ascii=False),
            stored.content_key, stored.signature, stored.group_id, stored.duplicate_of, stored.added_at)


def insert_chunks(conn: sqlite3.Connection, chunks: Sequence[Chunk], tokens: Sequence[Sequence[str]]) -> list[int]:
    """Insert chunks with their BM25 tokens; return the new rowids.

    The rowids are the ones ``AUTOINCREMENT`` would give one insert at a time (one above the
    largest ever used, then counting up), set explicitly so that both tables take one
    ``executemany`` each: per-row statements were most of the write's Python time.
    """
    if len(chunks) != len(tokens):
        raise ValueError(f"{len(chunks)} chunks but {len(tokens)} token lists")
    first = _next_rowid(conn, "chunks")
    rowids = list(range(first, first + len(chunks)))
    conn.executemany("INSERT INTO chunks (rowid, id, article_id, ordinal, start, end, text) VALUES (?,?,?,?,?,?,?)",
                     [(r, c.id, c.article_id, c.ordinal, c.start, c.end, c.text) for r, c in zip(rowids, chunks)])
    conn.executemany("INSERT INTO chunks_fts (rowid, tokens) VALUES (?, ?)",
                     [(r, " ".join(toks)) for r, toks in zip(rowids, tokens)])
    return rowids


def _next_rowid(conn: sqlite3.Connection, table: str) -> int:
    """Return the rowid ``AUTOINCREMENT`` gives the next row of ``table``: one above the largest of
    ``sqlite_sequence`` (the largest ever used) and the table's current rows."""
    row = conn.execute(f"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = ?), 0),"
                       f" coalesce((SELECT max(rowid) FROM {table}), 0))", (table,)).fetchone()
    return int(row[0]) + 1


def insert_lsh(conn: sqlite3.Connection, keys: Sequence[tuple[str, Sequence[bytes]]]) -> None:
    """Record the LSH band keys of articles' signatures: ``(article id, band keys)`` pairs, in order."""
    conn.executemany("INSERT INTO lsh (band, key, article_id) VALUES (?,?,?)",
                     [(band, key, aid) for aid, bands in keys for band, key in enumerate(bands)])


def lsh_candidates(conn: sqlite3.Connection, keys: Sequence[bytes]) -> set[str]:
    """Return ids of articles that share at least one LSH band key with ``keys``."""
    # One statement of indexed lookups for up to _BANDS_PER_QUERY bands (SQLite takes at most 500
    # compound SELECTs): a statement per band cost 7 µs each (400 paragraphs: 87 ms -> 32 ms).
    found: set[str] = set()
    pairs = [(band, key) for band, key in enumerate(keys)]
    for i in range(0, len(pairs), _BANDS_PER_QUERY):
        part = pairs[i:i + _BANDS_PER_QUERY]
        sql = " UNION ALL ".join(["SELECT article_id FROM lsh WHERE band=? AND key=?"] * len(part))
        found.update(r for (r,) in conn.execute(sql, [v for pair in part for v in pair]))
    return found


def insert_sentences(conn: sqlite3.Connection, rows: Sequence[tuple[str, int, int, int, str]],
                     vectors: np.ndarray) -> None:
    """Insert ``(article_id, chunk_rowid, start, end, text)`` rows with their vectors."""
    vectors = np.asarray(vectors, dtype=np.float32)  # converted once, not row by row
    conn.executemany(
        "INSERT INTO sentences (article_id, chunk_rowid, start, end, text, vector) VALUES (?,?,?,?,?,?)",
        [(*row, v.tobytes()) for row, v in zip(rows, vectors, strict=True)])


def delete_article(conn: sqlite3.Connection, article_id: str) -> list[int]:
    """Delete an article, its chunks, sentences and FTS rows; return the removed chunk rowids."""
    rowids = [r for (r,) in conn.execute("SELECT rowid FROM chunks WHERE article_id=?", (article_id,))]
    conn.executemany("DELETE FROM chunks_fts WHERE rowid=?", [(r,) for r in rowids])
    conn.execute("DELETE FROM sentences WHERE article_id=?", (article_id,))
    conn.execute("DELETE FROM chunks WHERE article_id=?", (article_id,))
    conn.execute("DELETE FROM articles WHERE id=?", (article_id,))
    return rowids
