"""Cold start: wall time, CPU time and peak memory of fresh ``qa search`` and ``qa ask`` processes.

Builds an index of the bundled ``corpus/`` in a temp folder (or reuses ``--index``), runs each
command once unmeasured (on a new machine that first question writes the question engine's files,
see ``qa.embedding.questions``), then ``--runs`` times as fresh subprocesses, each measured by
``os.wait4`` (wall clock around it; user+system CPU and max RSS of that child alone). With ``--app``
it also starts ``app.py`` on the same index and reports its resident memory once the warm-up
question has run. ``--root`` runs another checkout's code (e.g. a ``git worktree`` of an older
commit) for a before/after comparison. Prints a summary and writes ``bench/results/startup.json``.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from benchutil import RESULTS, ROOT, machine, rss_mb, write_json  # noqa: E402

EXAMPLE = """examples:
  .venv/bin/python bench/startup_bench.py                       # 5 runs of each command, plus the app
  git worktree add /tmp/old c6cad8c && .venv/bin/python bench/startup_bench.py --root /tmp/old --out /tmp/old.json
"""
COMMANDS = {"search": ["search", "OpenAI 估值", "-k", "1"], "ask": ["ask", "微软为什么聘请苏莱曼？"],
            "ask_en": ["ask", "why did Microsoft hire Suleyman?"]}
ENV = {"GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1", "NO_PROXY": "127.0.0.1,localhost",
       "no_proxy": "127.0.0.1,localhost"}
# Measured with this script (`--root` a worktree of c6cad8c, where every question loaded torch,
# sentence-transformers and a second tokenizer) on the same 2-core machine, quiet (load < 1): median
# of 3 runs. The app figure is from a busier moment (load ~4). Kept in startup.json as "before".
BEFORE = {"commit": "c6cad8c", "search": {"wall_s_median": 12.12, "cpu_s_median": 12.42, "max_rss_mb": 1418.2},
          "ask": {"wall_s_median": 12.3, "cpu_s_median": 12.6, "max_rss_mb": 1428.2}, "app_rss_mb": 1616.9}


def run_once(root: Path, argv: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run ``python -m qa.ui.cli ARGV`` in ``root``; return its wall and CPU seconds, max RSS and exit code."""
    with tempfile.TemporaryFile() as stderr:  # a file, not a pipe: a chatty child cannot block on it
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "qa.ui.cli", *argv], cwd=root, env=env,
                                stdout=subprocess.DEVNULL, stderr=stderr)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped: keep Popen from waiting again
        stderr.seek(0)
        err = stderr.read().decode("utf-8", "replace")
    return {"wall_s": round(wall, 3), "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
            "max_rss_mb": round(usage.ru_maxrss / 1024, 1), "returncode": proc.returncode, "stderr": err[-500:]}


def bench_command(root: Path, index: Path, argv: list[str], runs: int, env: dict[str, str]) -> dict[str, Any]:
    """Return the first (unmeasured-for-the-median) run and ``runs`` measured runs of one command."""
    full = ["--index", str(index), *argv]
    first = run_once(root, full, env)
    if first["returncode"]:
        raise RuntimeError(f"qa {' '.join(argv)} failed: {first['stderr']}")
    measured = [run_once(root, full, env) for _ in range(runs)]
    walls, cpus = [m["wall_s"] for m in measured], [m["cpu_s"] for m in measured]
    return {"argv": argv, "runs": runs, "first_run": {k: first[k] for k in ("wall_s", "cpu_s", "max_rss_mb")},
            "wall_s_median": round(statistics.median(walls), 2), "wall_s_max": round(max(walls), 2),
            "cpu_s_median": round(statistics.median(cpus), 2),
            "max_rss_mb": max(m["max_rss_mb"] for m in measured), "wall_s_all": walls,
            "failures": sum(1 for m in measured if m["returncode"])}


def app_memory(root: Path, index: Path, corpus: Path, env: dict[str, str], settle_s: float = 10.0,
               timeout_s: float = 600.0) -> dict[str, Any]:
    """Start ``root/app.py`` on ``index``; return its startup seconds and resident MiB once the warm-up
    question has run (RSS unchanged by more than 1 % for ``settle_s``)."""
    sys.path.insert(0, str(ROOT))
    from tests.appserver import running_app

    with tempfile.TemporaryDirectory(prefix="qa-startup-app-") as tmp, \
            running_app(Path(tmp), corpus=corpus, env=env, startup_timeout=timeout_s, root=root, index=index) as app:
        started = time.perf_counter()
        samples, stable_since = [rss_mb(app.proc.pid)], time.perf_counter()
        while time.perf_counter() - stable_since < settle_s and time.perf_counter() - started < timeout_s:
            time.sleep(1.0)
            samples.append(rss_mb(app.proc.pid))
            if abs(samples[-1] - samples[-2]) > 0.01 * samples[-2]:
                stable_since = time.perf_counter()
        return {"startup_s": app.startup_s, "rss_after_warmup_mb": samples[-1], "rss_peak_sampled_mb": max(samples)}


def run(root: Path, index: Path | None, runs: int, with_app: bool) -> dict[str, Any]:
    """Build or reuse the index, measure both commands (and the app); return the report."""
    env = {**os.environ, **ENV}
    report: dict[str, Any] = {"machine": machine(), "root": str(root), "commit": _commit(root), "before": BEFORE}
    with tempfile.TemporaryDirectory(prefix="qa-startup-") as tmp:
        corpus = Path(tmp) / "corpus"
        shutil.copytree(root / "corpus", corpus)
        if index is None:
            index = Path(tmp) / "index"
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "qa.ui.cli", "--index", str(index), "index", "build", str(corpus)],
                           cwd=root, env=env, check=True, capture_output=True)
            report["index_build_s"] = round(time.perf_counter() - t0, 1)
        report["commands"] = {name: bench_command(root, index, argv, runs, env) for name, argv in COMMANDS.items()}
        if with_app:
            report["app"] = app_memory(root, index, corpus, env)
    return report


def _commit(root: Path) -> str | None:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True)
    return done.stdout.strip() or None if done.returncode == 0 else None


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, run, print a summary and write the JSON."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=EXAMPLE,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=5, help="measured runs of each command (default 5)")
    p.add_argument("--index", type=Path, help="reuse this built index instead of building one")
    p.add_argument("--root", type=Path, default=ROOT, help="checkout whose code runs (default: this one)")
    p.add_argument("--no-app", action="store_true", help="skip the app's memory")
    p.add_argument("--out", type=Path, default=RESULTS / "startup.json")
    args = p.parse_args(argv)
    report = run(args.root.resolve(), args.index, args.runs, not args.no_app)
    for name, r in report["commands"].items():
        print(f"startup: qa {name}: median {r['wall_s_median']} s, max {r['wall_s_max']} s wall, "
              f"CPU {r['cpu_s_median']} s, max RSS {r['max_rss_mb']} MiB (first run {r['first_run']})",
              file=sys.stderr)
    if "app" in report:
        print(f"startup: app RSS after warm-up {report['app']['rss_after_warmup_mb']} MiB", file=sys.stderr)
    write_json(args.out, report)
    print(f"startup: wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
