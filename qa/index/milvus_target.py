"""The Milvus backend's side of a write: where :class:`qa.index.writer.IndexWriter` reads, locks and
commits. A write is a sequence of ordered upserts and deletes (:mod:`qa.index.milvus_rows`), then a
new generation in ``meta``; a build fills a new collection set and switches ``qa_current`` to it.

One writer at a time: writes in this process are serialised by a lock; a Milvus Lite file is
opened by one process at a time, and against a Milvus server run one writing process (``qa index
watch`` or the app) — readers may be many (docs/scaling.md).
"""
from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator

from qa.config import Settings
from qa.embedding.encoders import Encoder
from qa.index import compat
from qa.index.milvus_rows import MilvusRows
from qa.index.milvus_schema import DENSE_INDEX
from qa.index.milvus_store import MilvusStore
from qa.index.rows import Rows
from qa.index.status import IndexSummary

log = logging.getLogger(__name__)

Apply = Callable[[Rows], IndexSummary]
_LOCKS: dict[str, threading.Lock] = {}  # one per backend address in this process
_LOCKS_GUARD = threading.Lock()


class MilvusTarget:
    """Writes the Milvus index behind ``store`` for this process's settings and encoder."""

    transient_errors: tuple[type[BaseException], ...] = ()

    def __init__(self, store: MilvusStore, settings: Settings, encoder: Callable[[], Encoder]):
        self.store = store
        self.settings = settings
        self._encoder = encoder
        with _LOCKS_GUARD:
            self._lock = _LOCKS.setdefault(store.address.label, threading.Lock())

    def check_writable(self) -> None:
        """Milvus refuses writes itself (the client raises); nothing to check before embedding."""

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold this process's writer lock for the address."""
        with self._lock:
            yield

    @contextlib.contextmanager
    def reading(self) -> Iterator[Rows | None]:
        """Yield the live collection set's rows, checked against this process; ``None`` if none exists."""
        prefix = self.store.live_prefix()
        if prefix is None:
            yield None
            return
        self._check(prefix)
        yield MilvusRows(self.store, prefix)

    def write(self, apply: Apply) -> IndexSummary:
        """Apply one write to the live set (created when missing), after finishing any interrupted one."""
        prefix = self.store.live_prefix()
        if prefix is None:
            prefix = self._new_set()
            self.store.set_live(prefix)
            self.store.drop_other_sets(keep=prefix)  # a set a killed first write left half made
        self._check(prefix)
        rows = MilvusRows(self.store, prefix)
        rows.recover()
        summary = apply(rows)
        self._record(prefix, summary)
        return summary

    def rebuild(self, apply: Apply) -> IndexSummary:
        """Apply one write to a new collection set, make it live, then drop the old sets."""
        prefix = self._new_set()
        summary = apply(MilvusRows(self.store, prefix))
        self._record(prefix, summary)
        self.store.set_live(prefix)
        self.store.drop_other_sets(keep=prefix)
        return summary

    def settle(self) -> None:
        """Nothing to do: Milvus keeps its own indexes up to date."""

    def _new_set(self) -> str:
        encoder = self._encoder()
        prefix = self.store.create_set(encoder.dim)
        self.store.set_meta(prefix, {**compat.new_meta(self.settings, encoder.fingerprint, encoder.dim),
                                     "generation": 0, "backend": self.store.address.label,
                                     "faiss_factory": f"milvus {DENSE_INDEX['index_type']}"})
        return prefix

    def _record(self, prefix: str, summary: IndexSummary) -> None:
        """Publish a write: a new generation for readers, and the update time."""
        meta = self.store.meta(prefix)
        self.store.set_meta(prefix, {"generation": int(meta.get("generation", 0)) + 1, "updated_at": time.time()})
        log.info("%s: %s", self.store.address.label, summary)

    def _check(self, prefix: str) -> None:
        """Raise ``IndexMismatchError`` unless this process's model, weights and chunking made the index."""
        compat.check_for_writing(self.store.address.label, self.store.meta(prefix), self.settings,
                                 self._encoder().fingerprint)
