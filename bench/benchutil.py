"""Small helpers shared by the benchmark scripts: percentiles, sizes, memory, machine facts.

Example::

    >>> pct([1.0, 2.0, 3.0])["p50_ms"]
    2.0
"""
from __future__ import annotations

import json
import os
import platform
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DATA = ROOT.parent / "shared" / "data"
DEV_SETS = (DATA / "cmrc2018_trial.json", DATA / "drcd_dev.json")


def pct(values_ms: list[float]) -> dict[str, float]:
    """Return ``{"n", "p50_ms", "p95_ms", "mean_ms"}`` of latencies given in milliseconds."""
    if not values_ms:
        return {"n": 0, "p50_ms": 0.0, "p95_ms": 0.0, "mean_ms": 0.0}
    arr = np.asarray(values_ms, dtype=np.float64)
    return {"n": int(arr.size), "p50_ms": round(float(np.percentile(arr, 50)), 2),
            "p95_ms": round(float(np.percentile(arr, 95)), 2), "mean_ms": round(float(arr.mean()), 2)}


def dir_size(path: Path) -> int:
    """Return the bytes taken by the files under ``path`` (0 when it does not exist)."""
    path = Path(path)
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def rss_mb(pid: int | None = None) -> float:
    """Return the resident set size of process ``pid`` (default: this one) in MiB."""
    import psutil

    return round(psutil.Process(pid or os.getpid()).memory_info().rss / 2**20, 1)


def mb(n_bytes: int | float) -> float:
    """Return ``n_bytes`` in MiB, rounded to 0.1."""
    return round(n_bytes / 2**20, 1)


def machine() -> dict[str, Any]:
    """Return this machine's cores, memory (from /proc), CPU model, Python and load average."""
    info: dict[str, Any] = {"cores": os.cpu_count(), "python": platform.python_version()}
    if hasattr(os, "sched_getaffinity"):
        info["usable_cores"] = len(os.sched_getaffinity(0))
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["memory_gib"] = round(int(line.split()[1]) / 2**20, 1)
        models = [ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                  if ln.startswith("model name")]
        info["cpu"] = models[0] if models else platform.processor()
    except OSError:
        info["cpu"] = platform.processor()
    if hasattr(os, "getloadavg"):
        info["load_avg_1m"] = round(os.getloadavg()[0], 2)
    return info


def write_json(path: Path, report: dict[str, Any]) -> None:
    """Write ``report`` as indented UTF-8 JSON to ``path`` (folders created)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
