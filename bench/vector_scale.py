"""FAISS at scale without the pipeline: flat vs an approximate index on synthetic clustered vectors.

Used by ``bench/scale_bench.py`` for every corpus size (for 1M chunks the vectors are generated
straight into FAISS; building that many chunks through the pipeline would take hours here).

The vectors imitate sentence embeddings: ``n / 100`` topic centres grouped in themes of about 20
topics, each vector a centre plus noise (cosine to its centre about 0.5; the 10th neighbour of a
query about 0.3). Queries are stored vectors plus noise (cosine about 0.8 to their source), so the true top 10
is a structured neighbourhood, not the near-ties of pure random vectors, and recall@10 means
something. Real embeddings are more uneven; confirm a factory on the developer sets with
``QA_FAISS_FACTORY=... qa eval`` before adopting it.

Example::

    >>> r = measure(20_000, approx="IVF128,SQ8", nprobes=(8,), queries=20, latency_queries=5)  # doctest: +SKIP
    >>> r["approx"]["search"][0]["recall@10"]  # doctest: +SKIP
"""
from __future__ import annotations

import argparse
import gc
import json
import math
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from benchutil import mb, pct, rss_mb

DIM = 384
BLOCK = 200_000
ARTICLE_VECTORS = 10  # one incremental add: about one article's sentences
_SUBTOPIC = 0.7  # topic centre = theme + this much of its own direction (themes of ~20 topics)
_NOISE = 1.6  # vector = topic centre + noise of this norm: cosine to the centre about 0.5


def default_ivf(n: int) -> str:
    """Return ``IVF<nlist>,SQ8`` with nlist a power of two near 4·√n, between 64 and 1024.

    The cap keeps training and assigning 1M-chunk corpora (millions of vectors) to minutes on
    2 cores; FAISS's rule of thumb (4–16·√n lists) would want more there.
    """
    nlist = 2 ** int(math.log2(max(4 * math.sqrt(n), 64)))
    return f"IVF{min(max(nlist, 64), 1024)},SQ8"


class Generator:
    """Deterministic clustered unit vectors, produced block by block (never all in memory)."""

    def __init__(self, n: int, seed: int = 0, dim: int = DIM):
        self.n, self.dim = n, dim
        rng = np.random.default_rng(seed)
        topics = max(n // 100, 16)
        themes = _unit(rng.standard_normal((max(topics // 20, 4), dim), dtype=np.float32))
        self.centres = _unit(themes[rng.integers(0, len(themes), topics)]
                             + _SUBTOPIC * _unit(rng.standard_normal((topics, dim), dtype=np.float32)))
        self.seed = seed

    def noise(self, rng: np.random.Generator, k: int) -> np.ndarray:
        """Return ``k`` independent random-sign vectors of norm 1 (much cheaper than Gaussians)."""
        bits = np.unpackbits(np.frombuffer(rng.bytes(k * self.dim // 8 + 1), np.uint8))[: k * self.dim]
        out = bits.reshape(k, self.dim).astype(np.float32)
        out *= np.float32(2 / math.sqrt(self.dim))
        out -= np.float32(1 / math.sqrt(self.dim))
        return out

    def block(self, start: int, stop: int) -> np.ndarray:
        """Return the vectors with ids ``start..stop-1`` (the same on every call)."""
        rng = np.random.default_rng((self.seed, start))
        k = stop - start
        topic = rng.integers(0, len(self.centres), k)
        noise = self.noise(rng, k)
        noise *= np.float32(_NOISE)
        noise += self.centres[topic]
        return _unit(noise)

    def blocks(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield ``(ids, vectors)`` blocks covering all ``n`` vectors."""
        for start in range(0, self.n, BLOCK):
            stop = min(start + BLOCK, self.n)
            yield np.arange(start, stop, dtype=np.int64), self.block(start, stop)

    def queries(self, count: int, seed: int = 1) -> np.ndarray:
        """Return ``count`` perturbed copies of stored vectors (cosine about 0.8 to their source)."""
        rng = np.random.default_rng(seed)
        ids = np.sort(rng.choice(self.n, count, replace=False))
        src = self._rows(ids)
        noise = rng.standard_normal(src.shape, dtype=np.float32) * np.float32(0.75 / math.sqrt(self.dim))
        return _unit(src + noise)

    def _rows(self, ids: np.ndarray) -> np.ndarray:
        out = np.empty((len(ids), self.dim), np.float32)
        for start in range(0, self.n, BLOCK):
            sel = (ids >= start) & (ids < start + BLOCK)
            if sel.any():
                out[sel] = self.block(start, min(start + BLOCK, self.n))[ids[sel] - start]
        return out


def _unit(x: np.ndarray) -> np.ndarray:
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x


def _latency(index: faiss.Index, queries: np.ndarray, k: int, threads: int | None) -> dict[str, float]:
    """Single-query search latency (the product searches one question at a time)."""
    before = faiss.omp_get_max_threads()
    if threads:
        faiss.omp_set_num_threads(threads)
    try:
        index.search(queries[:1], k)
        ms = []
        for q in queries:
            t0 = time.perf_counter()
            index.search(q.reshape(1, -1), k)
            ms.append((time.perf_counter() - t0) * 1000)
    finally:
        faiss.omp_set_num_threads(before)
    return pct(ms)


def _recall(found: np.ndarray, truth: np.ndarray) -> float:
    return round(float(np.mean([len(set(f) & set(t)) / len(t) for f, t in zip(found, truth)])), 4)


def _save(index: faiss.Index, path: Path) -> float:
    """Write ``index`` to ``path``; return the seconds it took (the product's snapshot write)."""
    t0 = time.perf_counter()
    faiss.write_index(index, str(path))
    return round(time.perf_counter() - t0, 2)


def _reload(path: Path, write_s: float) -> tuple[faiss.Index, dict[str, Any]]:
    """Read a saved index back (the caller dropped its copy first); return it with its size on
    disk, load time and the memory of the loaded copy, measured in a fresh process (freed heap
    in this one would hide it). The file is deleted."""
    gc.collect()
    cmd = [sys.executable, str(Path(__file__).resolve()), "--probe", str(path)]
    probe = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=1800).stdout)
    loaded = faiss.read_index(str(path))
    info = {"disk_mb": mb(path.stat().st_size), **probe, "snapshot_write_s": write_s}
    path.unlink()
    return loaded, info


def probe(path: Path) -> dict[str, float]:
    """In this (fresh) process: the RSS growth and seconds of ``faiss.read_index(path)``."""
    before = rss_mb()
    t0 = time.perf_counter()
    index = faiss.read_index(str(path))
    load_s = time.perf_counter() - t0
    return {"rss_loaded_mb": round(rss_mb() - before, 1), "load_s": round(load_s, 2), "ntotal": int(index.ntotal)}


def _incremental(index: faiss.Index, gen: Generator) -> float:
    """Return the ms to add one article's worth of new vectors (ids past the end)."""
    rng = np.random.default_rng(99)
    vecs = _unit(gen.centres[rng.integers(0, len(gen.centres), ARTICLE_VECTORS)]
                 + _NOISE * gen.noise(rng, ARTICLE_VECTORS))
    ids = np.arange(gen.n, gen.n + ARTICLE_VECTORS, dtype=np.int64)
    t0 = time.perf_counter()
    index.add_with_ids(vecs, ids)
    return round((time.perf_counter() - t0) * 1000, 3)


def measure(n: int, *, approx: str | None = None, nprobes: Sequence[int] = (4, 8, 16, 32, 64),
            queries: int = 200, latency_queries: int = 50, hnsw_max: int = 50_000, seed: int = 0) -> dict[str, Any]:
    """Return disk, memory, build, latency, recall@10 and add figures for ``n`` vectors.

    ``approx`` is a FAISS factory string (default :func:`default_ivf`); ``HNSW32`` is measured as
    well when ``n <= hnsw_max`` (its build rate is what rules it out for large corpora here).
    """
    gen = Generator(n, seed)
    approx = approx or default_ivf(n)
    qs = gen.queries(queries)
    lat_q = qs[:latency_queries]
    out: dict[str, Any] = {"vectors": n, "dim": DIM, "queries": queries, "latency_queries": len(lat_q),
                           "faiss_threads_default": faiss.omp_get_max_threads()}
    with tempfile.TemporaryDirectory(prefix="qa-scale-") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        flat = faiss.IndexIDMap2(faiss.IndexFlatIP(DIM))
        for ids, vecs in gen.blocks():
            flat.add_with_ids(vecs, ids)
        build_s = time.perf_counter() - t0
        write_s = _save(flat, folder / "flat.faiss")
        del flat  # one copy at a time: at 1M chunks a Flat index is ~5 GB
        flat, files = _reload(folder / "flat.faiss", write_s)
        t0 = time.perf_counter()
        _, truth = flat.search(qs, 10)
        out["flat"] = {"factory": "IDMap2,Flat", "build_s": round(build_s, 2), **files,
                       "batch_search_ms_per_query": round((time.perf_counter() - t0) * 1000 / len(qs), 2),
                       "latency": _latency(flat, lat_q, 10, None), "latency_1_thread": _latency(flat, lat_q, 10, 1),
                       "add_one_article_ms": _incremental(flat, gen)}
        del flat
        gc.collect()
        out["approx"] = _approximate(gen, approx, nprobes, qs, lat_q, truth, folder)
        if n <= hnsw_max:
            out["hnsw"] = _approximate(gen, "HNSW32", (16, 32, 64), qs, lat_q, truth, folder)
    return out


def _approximate(gen: Generator, factory: str, params: Sequence[int], qs: np.ndarray, lat_q: np.ndarray,
                 truth: np.ndarray, folder: Path) -> dict[str, Any]:
    inner = faiss.index_factory(DIM, factory, faiss.METRIC_INNER_PRODUCT)
    t0 = time.perf_counter()
    train_s = 0.0
    if not inner.is_trained:
        nlist = faiss.extract_index_ivf(inner).nlist
        sample = gen.block(0, min(gen.n, 40 * nlist))  # FAISS wants at least 39 points per list
        inner.train(sample)
        train_s = time.perf_counter() - t0
        del sample
    index = faiss.IndexIDMap2(inner)
    for ids, vecs in gen.blocks():
        index.add_with_ids(vecs, ids)
    build_s = time.perf_counter() - t0
    write_s = _save(index, folder / "approx.faiss")
    del index, inner
    index, files = _reload(folder / "approx.faiss", write_s)
    ivf = "IVF" in factory
    knob = "nprobe" if ivf else "efSearch"
    rows = []
    for p in params:
        if ivf:
            faiss.extract_index_ivf(index).nprobe = p
        else:
            faiss.downcast_index(index.index).hnsw.efSearch = p
        _, found = index.search(qs, 10)
        rows.append({knob: p, "recall@10": _recall(found, truth), "latency": _latency(index, lat_q, 10, None),
                     "latency_1_thread": _latency(index, lat_q, 10, 1)})
    return {"factory": factory, "train_s": round(train_s, 2), "build_s": round(build_s, 2),
            "build_vectors_per_s": round(gen.n / build_s), **files, "search": rows,
            "add_one_article_ms": _incremental(index, gen)}


def main() -> None:
    """Measure one size from the command line (or, internally, probe a saved index)."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="example: .venv/bin/python bench/vector_scale.py --vectors 36000")
    p.add_argument("--vectors", type=int, default=36_000)
    p.add_argument("--approx", help="FAISS factory string of the approximate index (default: IVF by size, SQ8)")
    p.add_argument("--probe", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args()
    result = probe(args.probe) if args.probe else measure(args.vectors, approx=args.approx)
    print(json.dumps(result, indent=None if args.probe else 2))


if __name__ == "__main__":
    main()
