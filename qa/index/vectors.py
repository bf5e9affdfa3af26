"""FAISS wrapper: inner product over L2-normalised vectors, keyed by sentence rowid.

Since index format 2 each sentence is embedded once and its ``sentences`` rowid is its FAISS
id (a chunk's dense score is its best sentence's; ``qa.index.lookups.sentence_chunks`` maps
hits back to chunks).  The index is ``IndexIDMap2`` around a factory-built index (``"Flat"``
by default; ``"HNSW32"`` or ``"IVF1024,Flat"`` for large corpora), so sentences can be added
and removed by id.
It is derived data: ``qa.index.store`` holds every vector, and ``VectorIndex.sync_to`` brings a
loaded copy in line with the database by id difference.

Two additions for large corpora (``bench/million_bench.py``):

- The factory string may end with FAISS search parameters after a ``|``, in FAISS's
  ``ParameterSpace`` syntax: ``"IVF4096,SQ8|nprobe=32"``, ``"HNSW32|efSearch=64"``. They are applied
  whenever the index is created or loaded (without them an IVF index searches one list: nprobe 1).
- An index that needs training (IVF) is kept as an exact ``Flat`` index until it is given
  ``TRAIN_PER_LIST`` vectors per list; it is then trained on all of them and holds them from then
  on. Before, an IVF index trained on the first vectors it was given and failed when they were fewer
  than its lists (a CMRC-sized index under ``IVF4096``); below that size exact search is also the
  faster one.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import faiss
import numpy as np

log = logging.getLogger(__name__)

# Vectors fetched from SQLite and added per step when catching up: bounds the memory of one
# step (20,000 x 384 float32, multilingual-e5-small, is 30 MB).  Not tuned; any size works.
ADD_BATCH = 20_000
# Vectors per IVF list an untrained index waits for (held in an exact Flat index meanwhile) before
# it trains on all it holds: FAISS's k-means needs one per list and warns below 39; 8 keeps the
# k-means of IVF4096 (32,768 vectors) near a minute on 2 cores.
TRAIN_PER_LIST = 8


def split_factory(factory: str) -> tuple[str, str]:
    """Return ``(FAISS factory string, search parameters)`` of a factory string with optional ``|params``.

    >>> split_factory("IVF4096,SQ8|nprobe=32")
    ('IVF4096,SQ8', 'nprobe=32')
    >>> split_factory("Flat")
    ('Flat', '')
    """
    base, _, params = factory.partition("|")
    return base.strip(), params.strip()


def _train_minimum(inner: faiss.Index) -> int:
    """Return how many vectors an untrained ``inner`` index waits for before it trains (0 if it needs none)."""
    if inner.is_trained:
        return 0
    ivf = faiss.try_extract_index_ivf(inner)
    return TRAIN_PER_LIST * int(ivf.nlist) if ivf is not None else 1_000


class VectorIndex:
    """A FAISS index of sentence vectors keyed by int64 sentence rowids.

    Example::

        >>> vi = VectorIndex.create(4)
        >>> vi.add(np.array([7]), np.eye(4, dtype=np.float32)[:1])
        >>> vi.search(np.eye(4, dtype=np.float32)[0], 1)
        [(7, 1.0)]
    """

    def __init__(self, index: faiss.IndexIDMap2, factory: str):
        self._index = index
        self.factory = factory
        self._params = split_factory(factory)[1]
        # An index that needs training is held as an exact Flat one until it has enough vectors
        # (see TRAIN_PER_LIST): True while this copy is that stand-in.
        self._staging = not _is_trained_as(index, factory)
        self._apply_params()
        self._ids: set[int] = set(faiss.vector_to_array(index.id_map).tolist()) if index.ntotal else set()
        self._max = max(self._ids, default=0)

    @classmethod
    def create(cls, dim: int, factory: str = "Flat") -> "VectorIndex":
        """Return an empty index of dimension ``dim`` built by the FAISS ``factory`` string.

        Raises:
            ValueError: FAISS does not understand the factory string.
        """
        inner = _make(dim, factory)
        if not inner.is_trained:  # exact until there are enough vectors to train on (TRAIN_PER_LIST)
            inner = faiss.IndexFlatIP(dim)
        return cls(faiss.IndexIDMap2(inner), factory)

    def _apply_params(self) -> None:
        """Apply the factory's search parameters (``|nprobe=32``) to the index it describes (while
        staging, to a throwaway one: a bad parameter fails now, not when the index trains).

        Raises:
            ValueError: FAISS does not know a parameter for this index type.
        """
        if self._params:
            target = self._index if not self._staging else faiss.IndexIDMap2(_make(self.dim, self.factory))
            try:
                faiss.ParameterSpace().set_index_parameters(target, self._params)
            except RuntimeError as exc:
                raise ValueError(f"invalid FAISS search parameters {self._params!r} in {self.factory!r}: "
                                 f"{exc}") from None

    @property
    def dim(self) -> int:
        """Vector dimension."""
        return self._index.d

    def __len__(self) -> int:
        return self._index.ntotal

    def ids(self) -> set[int]:
        """Return the ids held (a copy)."""
        return set(self._ids)

    def max_id(self) -> int:
        """Return the largest id held, or 0 when empty."""
        return self._max

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Add vectors under ``ids``; trains an untrained (IVF) index on them first."""
        if len(ids) == 0:
            return
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        ids = np.asarray(ids, dtype=np.int64)
        if self._staging:
            target = _make(self.dim, self.factory)
            if self._index.ntotal + len(ids) >= _train_minimum(target):
                self._train_from_staging(target, ids, vectors)
                self._ids.update(int(i) for i in ids)
                self._max = max(self._max, int(np.max(ids)))
                return
        elif not self._index.is_trained:
            self._index.train(vectors)
        self._index.add_with_ids(vectors, ids)
        self._ids.update(int(i) for i in ids)
        self._max = max(self._max, int(np.max(ids)))

    def _train_from_staging(self, target: faiss.Index, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Train ``target`` on the held vectors plus ``vectors``, fill it with all of them and use it."""
        held = self._index.ntotal
        old_ids = faiss.vector_to_array(self._index.id_map).astype(np.int64) if held else np.empty(0, np.int64)
        old = (faiss.downcast_index(self._index.index).reconstruct_n(0, held) if held
               else np.empty((0, self.dim), np.float32))
        all_vectors = np.ascontiguousarray(np.concatenate([old, vectors]), dtype=np.float32)
        all_ids = np.concatenate([old_ids, ids])
        log.info("training FAISS %s on %d vectors", self.factory, len(all_ids))
        target.train(all_vectors)
        index = faiss.IndexIDMap2(target)
        index.add_with_ids(all_vectors, all_ids)
        self._index, self._staging = index, False
        self._apply_params()

    def remove(self, ids: Sequence[int]) -> bool:
        """Remove ``ids``; return False when this index type cannot remove (then rebuild it)."""
        if len(ids) == 0:
            return True
        try:
            self._index.remove_ids(np.asarray(ids, dtype=np.int64))
        except RuntimeError:
            return False
        self._ids.difference_update(int(i) for i in ids)
        self._max = max(self._ids, default=0)
        return True

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Return up to ``k`` ``(id, score)`` pairs, best first, optionally only among ``allowed`` ids."""
        if self._index.ntotal == 0 or k < 1:
            return []
        q = np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1)
        k = min(k, self._index.ntotal)
        if allowed is None:
            scores, ids = self._index.search(q, k)
        else:
            if len(allowed) == 0:
                return []
            sel = faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64))
            scores, ids = self._index.search(q, k, params=faiss.SearchParameters(sel=sel))
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]

    def sync_to(self, target_ids: np.ndarray, fetch: Callable[[list[int]], np.ndarray]) -> tuple[int, int]:
        """Make the held ids equal ``target_ids``: remove extra ids, add missing ones via ``fetch``.

        Returns:
            ``(added, removed)`` counts.
        """
        target = set(target_ids.tolist())
        extra = sorted(self._ids - target)
        missing = sorted(target - self._ids)
        if extra and not self.remove(extra):
            log.info("index %s cannot remove ids; rebuilding it from the database", self.factory)
            self._index = VectorIndex.create(self.dim, self.factory)._index
            self._ids, self._max = set(), 0
            missing = sorted(target)
        for start in range(0, len(missing), ADD_BATCH):
            batch = missing[start:start + ADD_BATCH]
            self.add(np.asarray(batch, dtype=np.int64), fetch(batch))
        return len(missing), len(extra)

    def save(self, path: Path) -> None:
        """Write the index to ``path`` atomically (temporary file, fsync, rename)."""
        tmp = path.with_name(path.name + f".tmp-{os.getpid()}")
        faiss.write_index(self._index, str(tmp))
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path, factory: str) -> "VectorIndex":
        """Return the index stored at ``path``.

        Raises:
            ValueError: the file is not a FAISS ID-map index.
        """
        index = faiss.read_index(str(path))
        if not isinstance(index, faiss.IndexIDMap2):
            index = faiss.downcast_index(index)
        if not isinstance(index, faiss.IndexIDMap2):
            raise ValueError(f"{path} is not a FAISS IndexIDMap2 file")
        return cls(index, factory)


def _make(dim: int, factory: str) -> faiss.Index:
    """Return an empty FAISS index for the factory string (search parameters left out).

    Raises:
        ValueError: FAISS does not understand the factory string.
    """
    base = split_factory(factory)[0]
    try:
        return faiss.index_factory(dim, base, faiss.METRIC_INNER_PRODUCT)
    except RuntimeError as exc:
        raise ValueError(f"invalid FAISS factory string {factory!r}: {exc}") from None


def _is_trained_as(index: faiss.IndexIDMap2, factory: str) -> bool:
    """Return False when ``index`` is the exact stand-in of an index ``factory`` that needs training
    (a Flat index held until there are enough vectors, see ``TRAIN_PER_LIST``)."""
    inner = faiss.downcast_index(index.index)
    if not isinstance(inner, faiss.IndexFlat):
        return True
    base = split_factory(factory)[0]
    if base.replace(" ", "").lower() in ("flat", "idmap,flat", "idmap2,flat"):
        return True
    return _make(index.d, factory).is_trained
