"""Reports about an index: what a write changed, what the index holds, the manifest.

Also decides when a writer refreshes the FAISS snapshot on disk: the snapshot only speeds up
opening (readers patch it from the database by id difference), so it is rewritten after a
build and whenever enough chunks changed since the last one, not after every small update.
"""
from __future__ import annotations

import dataclasses
import logging
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qa.index import lookups
from qa.index import store
from qa.index.folder import VECTORS_NAME, VECTORS_STAMP, IndexDir, write_json_atomic
from qa.index.owners import SentenceOwners
from qa.index.view import ReadView, load_vectors, sync_vectors

log = logging.getLogger(__name__)

# Rewrite the snapshot once the changed vectors since the last one reach the larger of these
# (docs/architecture.md): until then every reader patches its copy from SQLite when it opens.
# Hand-set, not measured.
SNAPSHOT_MIN_CHANGES = 2000
SNAPSHOT_SHARE = 0.02


@dataclass(frozen=True)
class IndexSummary:
    """What one write did. Ids are article ids; ``errors`` are per-file corpus errors."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    metadata_updated: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    duplicates: tuple[tuple[str, str], ...] = ()  # (article id, id of the article it repeats)
    removed: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    chunks_added: int = 0
    chunks_removed: int = 0
    seconds: float = 0.0

    @classmethod
    def from_plans(cls, plans: list[Any], unchanged: list[str], added: int, removed: int) -> "IndexSummary":
        """Summarise ``qa.index.writing.prepare`` plans after they were written."""
        by = lambda kind: tuple(p.stored.article.id for p in plans if p.kind == kind)  # noqa: E731
        dups = tuple((p.stored.article.id, p.stored.duplicate_of) for p in plans if p.kind == "duplicate")
        return cls(added=by("new"), updated=by("updated"), metadata_updated=by("metadata"),
                   unchanged=tuple(unchanged), duplicates=dups, chunks_added=added, chunks_removed=removed)

    def merge(self, other: "IndexSummary") -> "IndexSummary":
        """Return both summaries combined (tuples concatenated, numbers added)."""
        return IndexSummary(**{f.name: getattr(self, f.name) + getattr(other, f.name)
                               for f in dataclasses.fields(self)})

    def with_errors(self, errors: list[Any]) -> "IndexSummary":
        return dataclasses.replace(self, errors=self.errors + tuple(str(e) for e in errors))

    def timed(self, seconds: float) -> "IndexSummary":
        return dataclasses.replace(self, seconds=seconds)

    def __str__(self) -> str:
        parts = [f"{len(self.added)} added", f"{len(self.updated)} updated",
                 f"{len(self.metadata_updated)} metadata updated", f"{len(self.unchanged)} unchanged",
                 f"{len(self.duplicates)} exact duplicates", f"{len(self.removed)} removed"]
        text = ", ".join(parts) + f"; chunks +{self.chunks_added} -{self.chunks_removed} in {self.seconds:.2f} s"
        if self.missing:
            text += f"; not in the index: {', '.join(self.missing)}"
        return text


@dataclass(frozen=True)
class IndexStatus:
    """What ``qa index status`` shows."""

    path: str
    articles: int
    stories: int
    exact_duplicates: int
    chunks: int
    sentences: int
    vectors: int
    model: str
    dim: int
    faiss_factory: str
    chunk_size: int
    size_bytes: int
    updated_at: str
    generation: int
    backend: str = "folder"

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _iso(ts: str | float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(float(ts))) if ts else "never"


def index_status(index_dir: IndexDir, view: ReadView) -> IndexStatus:
    """Return the status of the index behind ``view``."""
    size = sum(p.stat().st_size for p in index_dir.path.rglob("*") if p.is_file())
    return status_of(str(index_dir.path), view.counts(), view.meta, size, view.generation)


def status_of(path: str, counts: dict[str, int], meta: dict[str, str], size: int, generation: int,
              backend: str = "folder") -> IndexStatus:
    """Return the status of an index from its counts (see ``SearchView.counts``) and metadata."""
    c, m = counts, meta
    return IndexStatus(
        path=path, articles=c["articles"], stories=c["stories"],
        exact_duplicates=c["exact_duplicates"], chunks=c["chunks"],
        sentences=c["sentences"], vectors=c["vectors"],
        model=m.get("model", "?"), dim=int(m.get("dim", 0)), faiss_factory=m.get("faiss_factory", "Flat"),
        chunk_size=int(m.get("chunk_size", 0)), size_bytes=size,
        updated_at=_iso(m.get("updated_at") or m.get("created_at")), generation=generation, backend=backend)


def manifest_for(conn: sqlite3.Connection) -> dict[str, Any]:
    """Return the manifest (JSON-ready): format, model, fingerprint, dim, chunking, counts, times."""
    meta = store.get_meta(conn)
    keep = ("format_version", "model", "model_fingerprint", "dim", "faiss_factory", "chunk_size",
            "chunk_overlap", "max_sentence_chars", "generation")
    manifest: dict[str, Any] = {k: meta.get(k) for k in keep}
    for k in ("format_version", "dim", "chunk_size", "chunk_overlap", "max_sentence_chars", "generation"):
        manifest[k] = int(manifest[k]) if manifest[k] is not None else None
    manifest["built_at"] = _iso(meta.get("created_at"))
    manifest["updated_at"] = _iso(meta.get("updated_at"))
    manifest["counts"] = lookups.counts(conn)
    return manifest


def snapshot_if_due(data_dir: Path, conn: sqlite3.Connection, *, force: bool = False) -> bool:
    """Rewrite the FAISS snapshot when enough changed (or ``force``); return whether it did.

    Call with the writer lock held, after the update committed.
    """
    meta = store.get_meta(conn)
    changed = int(meta.get("changed_since_snapshot", 0))
    total = lookups.row_count(conn, "sentences")
    if not force and changed < max(SNAPSHOT_MIN_CHANGES, SNAPSHOT_SHARE * total):
        return False
    vectors = load_vectors(data_dir, meta)
    _, _, gen = sync_vectors(conn, vectors, int(meta["dim"]))
    vectors.save(data_dir / VECTORS_NAME)
    write_json_atomic(data_dir / VECTORS_STAMP, {"generation": gen, "vectors": len(vectors)})
    owners = SentenceOwners.load(data_dir)  # saved beside it, so readers need not scan the sentences
    owners.catch_up(conn)
    owners.save(data_dir)
    with store.transaction(conn):
        store.set_meta(conn, {"changed_since_snapshot": 0})
    log.info("saved vector snapshot of %d vectors at generation %d", len(vectors), gen)
    return True


def record_change(conn: sqlite3.Connection, chunks_changed: int) -> None:
    """Record a write inside its transaction: the update time, the chunks changed since the last
    FAISS snapshot (what :func:`snapshot_if_due` weighs) and a new generation for readers."""
    meta = store.get_meta(conn)
    store.set_meta(conn, {"updated_at": time.time(),
                          "changed_since_snapshot": int(meta.get("changed_since_snapshot", 0)) + chunks_changed})
    store.bump_generation(conn)
