"""The Milvus backend's collections and the client calls both its reader and its writer make.

One ``pymilvus.MilvusClient`` talks to Milvus Lite (a local ``.db`` file) and to Milvus
Standalone/Distributed (``http://host:19530``), so what the tests run here is what runs on a
cluster. An index is a set of collections named ``qa_<stamp>_<kind>``; the ``qa_current``
collection names the live set, so a build fills a new set and switches the pointer in one write
(the folder backend's ``CURRENT`` file).

Keyword search sees exactly the folder backend's words: each jieba search-mode token (after the
traditional → simplified fold) is written as a hashed ASCII word (``w`` + 12 hex digits) into a
text field with Milvus's standard analyzer, which keeps such words whole; Milvus's BM25 function
turns them into sparse vectors, and ``TEXT_MATCH`` counts the chunks holding a term (idf).
"""
from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from qa.errors import BackendUnavailableError
from qa.index.backend import BackendAddress
from qa.index.milvus_schema import create_collections, create_pointer

log = logging.getLogger(__name__)

KINDS = ("meta", "articles", "texts", "chunks", "sentences", "lsh")
POINTER = "qa_current"
TEXT_PART_CHARS = 16_000  # article text is stored in parts: 16,000 characters of UTF-8 fit 65,535 bytes
DUMMY = [0.0, 1.0]  # the constant vector of bookkeeping rows (milvus_schema.DUMMY_DIM values)
BATCH = 500  # rows per insert/upsert call and ids per ``in [...]`` expression
SCAN_BATCH = 2_000  # rows per page of a full scan (query_iterator)


def term_word(token: str) -> str:
    """Return the ASCII word a jieba token is indexed as (the standard analyzer keeps it whole).

    >>> term_word("苏莱曼") == term_word("苏莱曼") and len(term_word("苏莱曼")) == 13
    True
    """
    return "w" + hashlib.blake2b(token.encode("utf-8"), digest_size=6).hexdigest()


def row_key(*parts: object) -> int:
    """Return a deterministic positive 63-bit primary key for ``parts`` (re-writes are idempotent)."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


def article_key(article_id: str) -> int:
    """Return the primary key of an article's row."""
    return row_key("article", article_id)


def meta_key(key: str) -> int:
    """Return the primary key of a metadata row."""
    return row_key("meta", key)


def version_of(title: str, content_key: str) -> str:
    """Return the version an article's rows carry: readers use rows whose version is the article row's."""
    return hashlib.blake2b(f"{title}\x1f{content_key}".encode("utf-8"), digest_size=8).hexdigest()


def literal(value: str) -> str:
    """Return ``value`` as a Milvus filter string literal.

    >>> literal('a"b')
    '"a\\\\"b"'
    """
    return json.dumps(value, ensure_ascii=False)


def in_list(field: str, values: Iterable[Any]) -> str:
    """Return the filter ``field in [...]`` for ``values`` (strings quoted, numbers as they are)."""
    items = ",".join(literal(v) if isinstance(v, str) else str(int(v)) for v in values)
    return f"{field} in [{items}]"


class MilvusStore:
    """A connected client and the names of the live collection set."""

    def __init__(self, address: BackendAddress):
        self.address = address
        self._client: Any = None
        self._loaded: set[str] = set()

    @property
    def client(self) -> Any:
        """The ``MilvusClient``, connected on first use (so building an app does not wait for Milvus).

        Raises:
            BackendUnavailableError: Milvus cannot be reached or opened.
        """
        if self._client is None:
            self._client = _Guarded(_connect(self.address), self.address.label)
        return self._client

    # ------------------------------------------------------------ collection sets
    def live_prefix(self) -> str | None:
        """Return the prefix of the live collection set (loaded for queries), or ``None`` when no index was built."""
        if self._client is None and self.address.kind == "milvus-lite" and not Path(self.address.target).exists():
            return None  # nothing built yet: do not create the file just to look
        if not self.client.has_collection(POINTER):
            return None
        self._load(POINTER)
        rows = self.client.query(POINTER, filter='key == "current"', output_fields=["value"])
        if not rows:
            return None
        prefix = rows[0]["value"]
        for kind in KINDS:
            self._load(f"{prefix}_{kind}")
        return prefix

    def close(self) -> None:
        """Close the client; for Milvus Lite also stop its in-process server, so another process may
        open the file (Milvus Lite lets one process at a time hold it)."""
        if self._client is None:
            return
        self._client.close()
        self._client, self._loaded = None, set()
        if self.address.kind == "milvus-lite":
            from milvus_lite import server_manager_instance

            server_manager_instance.release_server(self.address.target)

    def _load(self, name: str) -> None:
        """Load a collection once per connection (a reopened Milvus Lite file starts unloaded)."""
        if name not in self._loaded:
            self.client.load_collection(name)
            self._loaded.add(name)

    def set_live(self, prefix: str) -> None:
        """Make ``prefix`` the live collection set (one upsert: readers switch on their next view)."""
        if not self.client.has_collection(POINTER):
            create_pointer(self.client, POINTER)
        self.client.upsert(POINTER, [{"key": "current", "value": prefix, "vec": DUMMY}])

    def create_set(self, dim: int) -> str:
        """Create an empty collection set for vectors of ``dim`` and return its prefix (not yet live)."""
        prefix = time.strftime("qa_%Y%m%d%H%M%S_") + hashlib.blake2b(str(time.time_ns()).encode(),
                                                                     digest_size=3).hexdigest()
        create_collections(self.client, prefix, dim)
        return prefix

    def drop_other_sets(self, keep: str) -> None:
        """Drop every collection set but ``keep`` (old builds, or one a crashed build left)."""
        for name in self.client.list_collections():
            if name.startswith("qa_") and name != POINTER and not name.startswith(keep + "_"):
                self.client.drop_collection(name)

    # ------------------------------------------------------------ rows
    def get(self, prefix: str, kind: str, ids: Sequence[Any], fields: Sequence[str]) -> list[dict[str, Any]]:
        """Return the rows of these primary keys (missing ones left out), in batches."""
        out: list[dict[str, Any]] = []
        for start in range(0, len(ids), BATCH):
            out += self.client.get(f"{prefix}_{kind}", ids=list(ids[start:start + BATCH]), output_fields=list(fields))
        return out

    def query(self, prefix: str, kind: str, expr: str, fields: Sequence[str]) -> list[dict[str, Any]]:
        """Return every row matching ``expr`` (read page by page)."""
        return list(self.scan(prefix, kind, expr, fields))

    def scan(self, prefix: str, kind: str, expr: str, fields: Sequence[str]) -> Iterator[dict[str, Any]]:
        """Yield every row matching ``expr`` (``""``: all), a page at a time."""
        it = self.client.query_iterator(f"{prefix}_{kind}", batch_size=SCAN_BATCH, filter=expr,
                                        output_fields=list(fields))
        try:
            while page := it.next():
                yield from page
        finally:
            it.close()

    def count(self, prefix: str, kind: str, expr: str = "") -> int:
        """Return how many rows match ``expr``."""
        rows = self.client.query(f"{prefix}_{kind}", filter=expr, output_fields=["count(*)"])
        return int(rows[0]["count(*)"]) if rows else 0

    def upsert(self, prefix: str, kind: str, rows: Sequence[dict[str, Any]]) -> None:
        """Write ``rows`` (same primary key: replaced), in batches."""
        for start in range(0, len(rows), BATCH):
            self.client.upsert(f"{prefix}_{kind}", list(rows[start:start + BATCH]))

    def delete(self, prefix: str, kind: str, expr: str) -> None:
        """Delete the rows matching ``expr``."""
        self.client.delete(f"{prefix}_{kind}", filter=expr)

    def meta(self, prefix: str) -> dict[str, str]:
        """Return the index metadata (model, dim, chunking, generation …)."""
        return {r["key"]: r["value"] for r in self.scan(prefix, "meta", "", ["key", "value"])}

    def set_meta(self, prefix: str, values: dict[str, object]) -> None:
        """Set metadata keys."""
        self.upsert(prefix, "meta", [{"pk": meta_key(k), "key": k, "value": str(v), "vec": DUMMY}
                                     for k, v in values.items()])


def _connect(address: BackendAddress) -> Any:
    """Return a ``MilvusClient`` for ``address``.

    Raises:
        BackendUnavailableError: the server cannot be reached, or the Milvus Lite file cannot be opened.
    """
    try:
        from pymilvus import MilvusClient
    except ImportError as exc:  # pragma: no cover - a dependency of the project
        raise BackendUnavailableError(f"the Milvus backend needs pymilvus ({exc}); run `make setup`") from None
    logging.getLogger("pymilvus.client.iterator.query_iterator").addFilter(_quiet)
    logging.getLogger("grpc._server").addFilter(_quiet)
    try:
        if address.kind == "milvus-lite":
            Path(address.target).parent.mkdir(parents=True, exist_ok=True)
            return MilvusClient(address.target)
        client = MilvusClient(uri=address.target, timeout=10)
        if address.database and address.database != "default":
            if address.database not in client.list_databases():
                client.create_database(address.database)
            client.use_database(address.database)
        return client
    except Exception as exc:  # pymilvus raises MilvusException, grpc errors or OSError here
        first = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
        hint = ("is its folder writable, and is no other process using it? (Milvus Lite lets one process "
                "at a time open a file)" if address.kind == "milvus-lite" else
                "is the server running and reachable? (docs/scaling.md: docker compose -f "
                "docs/milvus-compose.yml up -d)")
        raise BackendUnavailableError(f"cannot open Milvus at {address.label}: {first}; {hint}") from None


class _Guarded:
    """A ``MilvusClient`` whose failures (server gone, timeouts, refused requests) raise
    ``BackendUnavailableError`` naming the address, so the CLI and the app report one clear line."""

    def __init__(self, client: Any, label: str):
        self._inner, self._label = client, label

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            from pymilvus.exceptions import MilvusException

            try:
                return attr(*args, **kwargs)
            except MilvusException as exc:
                raise BackendUnavailableError(f"Milvus at {self._label} failed in {name}: "
                                              f"{str(exc).splitlines()[0][:300]}") from exc
        return call


def _quiet(record: logging.LogRecord) -> bool:
    """Drop the two log lines Milvus Lite causes on every scan: it lacks the server timestamp call
    (``AllocTimestamp``, logged by grpc with a traceback) and pymilvus falls back to a local one."""
    message = record.getMessage()
    return "mvccTs" not in message and "Method not implemented" not in message
