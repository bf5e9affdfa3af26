"""Scale: index size on disk, memory, query latency (flat vs approximate FAISS) and adds, 10k–1M chunks.

Two parts per corpus size:

1. **Product index** (sizes up to ``--build-max`` chunks): a real index built through
   ``qa.KnowledgeBase`` from synthetic articles of real CMRC/DRCD sentences, with the stub
   ``RandomEncoder`` of ``bench/index_bench.py`` (random vectors, so building takes minutes, not
   hours). Reports disk (SQLite + FAISS snapshot), memory of a process that opened it (measured
   in a fresh subprocess), hybrid ``kb.retrieve`` latency, adding one article, and the measured
   sentence vectors per chunk (vectors are per sentence).
2. **Vectors** (every size): ``chunks × vectors-per-chunk`` synthetic clustered vectors
   straight into FAISS (``bench/vector_scale.py``): IDMap2,Flat against an IVF index (and HNSW32
   at the smallest size): disk, memory of the loaded index, single-query p50/p95 (FAISS default
   threads and 1 thread), recall@10 of the approximate index against flat, adding one article.

Sizes above ``--build-max`` get the product's SQLite part extrapolated linearly from the largest
built size (marked ``"extrapolated": true``). Writes ``bench/results/scale.json`` and the plot
``docs/scale-latency-memory.png``.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from benchutil import DEV_SETS, RESULTS, ROOT, dir_size, machine, mb, pct, rss_mb, write_json  # noqa: E402

EXAMPLE = """example:
  .venv/bin/python bench/scale_bench.py                       # 10k, 100k, 1M chunks (about 12 min)
  .venv/bin/python bench/scale_bench.py --sizes 2000,20000 --build-max 2000 --out /tmp/scale.json
"""
DEFAULT_VECTORS_PER_CHUNK = 3.6  # measured: synthetic articles give ~3.6 sentences per 240-char chunk


def product_index(chunks: int, queries: list[str], batch: int = 500) -> dict[str, Any]:
    """Build ``chunks`` synthetic chunks through KnowledgeBase; return its scale figures."""
    from index_bench import RandomEncoder, synthetic_articles, timed_add

    from qa.config import Settings
    from qa.index.folder import DB_NAME, VECTORS_NAME
    from qa.kb import KnowledgeBase
    from qa.types import Article

    encoder = RandomEncoder()
    with tempfile.TemporaryDirectory(prefix="qa-scale-") as tmp:
        settings = Settings.from_env({}, index_dir=Path(tmp) / "index", model=encoder.name)
        kb = KnowledgeBase(settings=settings, encoder=encoder)
        t0 = time.perf_counter()
        for articles in synthetic_articles(list(DEV_SETS), chunks, batch_size=batch):
            kb.add(articles)
        build_s = time.perf_counter() - t0
        kb.retrieve("测试", 5)  # reader open, FAISS synced
        status = kb.status()
        data = kb.dir.current()
        sqlite = sum(dir_size(p) for p in data.glob(DB_NAME + "*"))
        latency = []
        for q in queries:
            t0 = time.perf_counter()
            kb.retrieve(q, 5)
            latency.append((time.perf_counter() - t0) * 1000)
        memory = _probe_memory(settings.index_dir, queries[0])
        text = "\n".join(queries[:8]) + "\n" + "这是新到的一篇报道，用来测量增量添加。" * 8
        article = Article(id="fresh", title="新到的文章", text=text, source="新闻社", date="2025-05-01")
        added = timed_add(kb, encoder, article)
        return {"chunks": status.chunks, "articles": status.articles, "vectors": status.vectors,
                "vectors_per_chunk": round(status.vectors / max(status.chunks, 1), 2),
                "build_s": round(build_s, 1), "build_chunks_per_s": round(status.chunks / build_s, 1),
                "disk_mb": mb(dir_size(kb.dir.path)), "sqlite_mb": mb(sqlite),
                "faiss_snapshot_mb": mb(dir_size(data / VECTORS_NAME)),
                "sqlite_bytes_per_chunk": round(sqlite / max(status.chunks, 1)),
                "memory": memory, "retrieve_hybrid": pct(latency),
                **added}


def _probe_memory(index_dir: Path, query: str) -> dict[str, float]:
    """Open the index in a fresh process (imports, then open + one query); return its RSS figures."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--probe-memory", str(index_dir), "--probe-query", query]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def probe_memory(index_dir: Path, query: str) -> dict[str, float]:
    """In this (fresh) process: RSS after imports, then after opening ``index_dir`` and one query."""
    import jieba

    from index_bench import RandomEncoder

    from qa.config import Settings
    from qa.kb import KnowledgeBase

    jieba.initialize()  # the dictionary is loaded by any process that queries: count it in the baseline
    encoder = RandomEncoder()
    base = rss_mb()
    t0 = time.perf_counter()
    kb = KnowledgeBase(settings=Settings.from_env({}, index_dir=index_dir, model=encoder.name), encoder=encoder)
    kb.retrieve(query, 5)
    open_s = time.perf_counter() - t0
    after = rss_mb()
    return {"rss_baseline_mb": base, "rss_opened_mb": after, "rss_index_mb": round(after - base, 1),
            "open_and_first_query_s": round(open_s, 2)}


def extrapolate(built: dict[str, Any], chunks: int, vectors: dict[str, Any]) -> dict[str, Any]:
    """Product figures for an unbuilt size: SQLite linear in chunks, FAISS from the vector run."""
    sqlite = built["sqlite_bytes_per_chunk"] * chunks
    return {"chunks": chunks, "extrapolated": True, "from_chunks": built["chunks"],
            "sqlite_mb": mb(sqlite), "disk_mb_flat": round(mb(sqlite) + vectors["flat"]["disk_mb"], 1),
            "disk_mb_approx": round(mb(sqlite) + vectors["approx"]["disk_mb"], 1)}


def run(sizes: list[int], build_max: int, vectors_per_chunk: float | None, queries: int,
        latency_queries: int) -> dict[str, Any]:
    """Run both parts for every size; return the report."""
    import vector_scale

    from qa.eval.retrieval import load_squad

    questions = [q.text for q in load_squad(DEV_SETS[0])[1]][:200]
    report: dict[str, Any] = {"machine": machine(), "sizes": []}
    built: dict[str, Any] | None = None
    for chunks in sizes:
        started = time.perf_counter()
        row: dict[str, Any] = {"chunks": chunks}
        if chunks <= build_max:
            built = row["product"] = product_index(chunks, questions)
        per_chunk = vectors_per_chunk or (built or {}).get("vectors_per_chunk") or DEFAULT_VECTORS_PER_CHUNK
        n = int(chunks * per_chunk)
        large = n > 1_000_000
        row["vectors"] = vector_scale.measure(n, queries=queries // 2 if large else queries,
                                              latency_queries=latency_queries // 2 if large else latency_queries)
        if chunks > build_max and built is not None:
            row["product"] = extrapolate(built, chunks, row["vectors"])
        row["seconds"] = round(time.perf_counter() - started, 1)
        report["sizes"].append(row)
        print(f"scale: {chunks} chunks ({n} vectors) in {row['seconds']} s", file=sys.stderr, flush=True)
    return report


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, run, write the JSON and the plot."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=EXAMPLE,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="10000,100000,1000000", help="corpus sizes in chunks (comma-separated)")
    p.add_argument("--build-max", type=int, default=10_000,
                   help="build product indexes up to this many chunks (100k takes ~15-40 min here; default 10000)")
    p.add_argument("--vectors-per-chunk", type=float, help="override the measured sentence vectors per chunk")
    p.add_argument("--queries", type=int, default=200, help="queries for recall@10 (halved past 1M vectors)")
    p.add_argument("--latency-queries", type=int, default=40, help="single queries timed per index (halved past 1M)")
    p.add_argument("--out", type=Path, default=RESULTS / "scale.json")
    p.add_argument("--plot", type=Path, default=ROOT / "docs" / "scale-latency-memory.png")
    p.add_argument("--probe-memory", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--probe-query", default="测试", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.probe_memory:
        print(json.dumps(probe_memory(args.probe_memory, args.probe_query)))
        return
    sizes = sorted(int(s) for s in args.sizes.split(","))
    report = run(sizes, args.build_max, args.vectors_per_chunk, args.queries, args.latency_queries)
    write_json(args.out, report)
    from scale_plot import plot

    plot(report, args.plot)
    print(json.dumps({"out": str(args.out), "plot": str(args.plot)}))


if __name__ == "__main__":
    main()
