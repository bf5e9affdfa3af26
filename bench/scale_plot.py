"""Plot query latency and memory against corpus size from a ``scale.json`` report.

Example::

    .venv/bin/python bench/scale_plot.py bench/results/scale.json docs/scale-latency-memory.png
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

RECALL_TARGET = 0.95


def chosen(approx: dict[str, Any], target: float = RECALL_TARGET) -> dict[str, Any]:
    """Return the cheapest search setting of an approximate index reaching ``target`` recall@10
    (else the one with the best recall)."""
    rows = approx["search"]
    good = [r for r in rows if r["recall@10"] >= target]
    return good[0] if good else max(rows, key=lambda r: r["recall@10"])


def knob(row: dict[str, Any]) -> str:
    """Return ``"nprobe=16"`` or ``"efSearch=32"`` for a search row."""
    name = "nprobe" if "nprobe" in row else "efSearch"
    return f"{name}={row[name]}"


def plot(report: dict[str, Any], path: Path) -> None:
    """Draw latency (left) and memory (right) against chunks, log-log, into the PNG ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = report["sizes"]
    x = [s["chunks"] for s in sizes]
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8))
    flat = [s["vectors"]["flat"] for s in sizes]
    picks = [chosen(s["vectors"]["approx"]) for s in sizes]
    factory = "IVF,SQ8" if sizes[-1]["vectors"]["approx"]["factory"].startswith("IVF") else "approximate"
    for key, style, label in (("latency", "-", "FAISS default threads"), ("latency_1_thread", "--", "1 thread")):
        left.plot(x, [f[key]["p95_ms"] for f in flat], "o" + style, color="tab:red", label=f"Flat p95 ({label})")
        left.plot(x, [r[key]["p95_ms"] for r in picks], "s" + style, color="tab:blue",
                  label=f"{factory} p95 ({label})")
    left.plot(x, [f["latency_1_thread"]["p50_ms"] for f in flat], "o:", color="salmon", label="Flat p50 (1 thread)")
    built = [(s["chunks"], s["product"]["retrieve_hybrid"]["p95_ms"]) for s in sizes
             if "retrieve_hybrid" in s.get("product", {})]
    if built:
        left.plot(*zip(*built), "^-", color="tab:green", label="hybrid kb.retrieve p95 (product, Flat)")
    for s, r in zip(sizes, picks):
        left.annotate(f"{knob(r)}\nR@10 {r['recall@10']:.3f}", (s["chunks"], r["latency_1_thread"]["p95_ms"]),
                      textcoords="offset points", xytext=(-30, 8), fontsize=7, color="tab:blue")
    left.set(xscale="log", yscale="log", xlabel="corpus size (chunks)", ylabel="single-query latency (ms)",
             title="Dense search latency")
    left.legend(fontsize=7)
    right.plot(x, [f["rss_loaded_mb"] for f in flat], "o-", color="tab:red", label="Flat index in memory")
    right.plot(x, [s["vectors"]["approx"]["rss_loaded_mb"] for s in sizes], "s-", color="tab:blue",
               label=f"{factory} in memory")
    right.plot(x, [f["disk_mb"] for f in flat], "o:", color="tab:red", label="Flat snapshot on disk")
    disk = [(s["chunks"], s["product"].get("disk_mb") or s["product"].get("disk_mb_flat")) for s in sizes
            if s.get("product")]
    if disk:
        right.plot(*zip(*disk), "^:", color="tab:green", label="whole index folder on disk (Flat; >build-max extrapolated)")
    mem = [(s["chunks"], s["product"]["memory"]["rss_index_mb"]) for s in sizes if "memory" in s.get("product", {})]
    if mem:
        right.plot(*zip(*mem), "^-", color="tab:green", label="process RSS after opening the index (product)")
    right.set(xscale="log", yscale="log", xlabel="corpus size (chunks)", ylabel="MiB", title="Memory and disk")
    right.legend(fontsize=7)
    cores = report.get("machine", {}).get("cores")
    fig.suptitle(f"Scale benchmark ({cores} cores; vectors per sentence, 384-d)" if cores else
                 "scale benchmark", fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    """Re-draw the plot from an existing report."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                epilog="example: .venv/bin/python bench/scale_plot.py bench/results/scale.json "
                                       "docs/scale-latency-memory.png")
    p.add_argument("report", type=Path)
    p.add_argument("png", type=Path)
    args = p.parse_args()
    plot(json.loads(args.report.read_text(encoding="utf-8")), args.png)


if __name__ == "__main__":
    main()
