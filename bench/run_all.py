"""Run the whole benchmark suite, each step timed, then render docs/benchmarks.md.

Steps, in order (each writes ``bench/results/<file>``):

======== ========================================================== ===============
step     what                                                       result
======== ========================================================== ===============
eval_cmrc ``qa eval --json`` on CMRC 2018 trial (hybrid, BM25, dense,  eval_cmrc.json
         answers and their baselines, one run)
eval_drcd the same on DRCD dev                                       eval_drcd.json
index    ``bench/index_bench.py``: encoder vs pipeline, add at scale  index.json
latency  ``bench/latency_bench.py``: query/answer latency, 10k chunks latency.json
encoder  ``bench/encoder_bench.py``: faster CPU encoding paths        encoder.json
scale    ``bench/scale_bench.py``: 10k/100k/1M chunks, flat vs IVF    scale.json (+ PNG)
load     ``bench/load_bench.py``: 32 sessions against the app         load.json
startup  ``bench/startup_bench.py``: cold ``qa search``, ``qa ask``,  startup.json
         the app's memory
english  ``bench/english_check.py``: 16 English questions, seeds      english.json
faults   ``bench/fault_bench.py`` (if present)                        faults.json
hostile  ``bench/hostile_bench.py`` (if present)                      hostile.json
upload   ``bench/upload_during_add_bench.py``: an upload during a     upload_during_add.json
         300-article ``qa index add``, seconds until answerable
======== ========================================================== ===============

A failed step is reported and the others still run; the exit status is 1 if any failed.
Durations and outcomes accumulate in ``bench/results/run.json`` (a step not run this time
keeps its previous entry), then ``bench/report.py`` renders ``docs/benchmarks.md``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shlex
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from benchutil import DEV_SETS, RESULTS, ROOT, machine, write_json  # noqa: E402

EXAMPLE = """examples:
  make bench                                                  # everything (see docs/benchmarks.md for times)
  .venv/bin/python bench/run_all.py --only scale,load         # two steps, then the report
  .venv/bin/python bench/run_all.py --skip eval_drcd --eval-limit 300
  .venv/bin/python bench/run_all.py --quick                   # small sizes (the evals still index both whole sets)
"""
LOGS = ROOT / "bench" / "out" / "logs"
STEP_TIMEOUT_S = 3 * 3600
PY = sys.executable


@dataclass(frozen=True)
class Step:
    """One benchmark: how to run it and where its JSON goes."""

    name: str
    result: str
    command: Callable[[argparse.Namespace], list[str]]
    stdout_json: bool = False  # the script prints its JSON instead of writing the file
    optional_script: str | None = None  # skipped (not failed) when this script does not exist


def _eval(data: Path) -> Callable[[argparse.Namespace], list[str]]:
    def cmd(args: argparse.Namespace) -> list[str]:
        limit = args.eval_limit or (30 if args.quick else None)
        path = os.path.relpath(data, ROOT)  # the command as documented: ../shared/data/...
        return [PY, "-m", "qa.ui.cli", "eval", "--data", path, "--json", *(["--limit", str(limit)] if limit else [])]
    return cmd


def _quick(full: list[str], quick: list[str]) -> Callable[[argparse.Namespace], list[str]]:
    return lambda args: full + (quick if args.quick else [])


STEPS = [
    Step("eval_cmrc", "eval_cmrc.json", _eval(DEV_SETS[0]), stdout_json=True),
    Step("eval_drcd", "eval_drcd.json", _eval(DEV_SETS[1]), stdout_json=True),
    # Building 100k chunks for the add-at-scale figure takes 20-35 min here, more than the whole
    # suite may: make bench adds at 10k (--index-scale 100000 for the larger figure).
    Step("index", "index.json", lambda a: [PY, "bench/index_bench.py"] + (["--paragraphs", "20"] if a.quick else [])
         + ["--scale", str(a.index_scale or (2000 if a.quick else 10_000))], stdout_json=True),
    Step("latency", "latency.json", _quick([PY, "bench/latency_bench.py"], ["--chunks", "2000", "--queries", "30"]),
         stdout_json=True),
    Step("encoder", "encoder.json", _quick([PY, "bench/encoder_bench.py"],
                                           ["--sentences", "100", "--only", "torch-1t,onnx-int8-1t,onnx-int8-2t"])),
    Step("scale", "scale.json", _quick([PY, "bench/scale_bench.py"], ["--sizes", "2000,20000,200000",
                                                                       "--build-max", "2000"])),
    Step("load", "load.json", _quick([PY, "bench/load_bench.py"], ["--sessions", "8", "--duration", "15"])),
    Step("startup", "startup.json", _quick([PY, "bench/startup_bench.py"], ["--runs", "2", "--no-app"])),
    Step("english", "english.json", lambda a: [PY, "bench/english_check.py"], stdout_json=True),
    Step("faults", "faults.json", lambda a: [PY, "bench/fault_bench.py"], optional_script="bench/fault_bench.py"),
    Step("hostile", "hostile.json", lambda a: [PY, "bench/hostile_bench.py"], optional_script="bench/hostile_bench.py"),
    Step("upload", "upload_during_add.json",
         _quick([PY, "bench/upload_during_add_bench.py"], ["--articles", "60", "--delay", "12"])),
]
NAMES = [s.name for s in STEPS]


def run_step(step: Step, args: argparse.Namespace) -> dict[str, Any]:
    """Run one step; return its record for run.json (status ok / failed / skipped)."""
    started = dt.datetime.now().astimezone()
    if step.optional_script and not (ROOT / step.optional_script).exists():
        return {"status": "skipped", "reason": f"{step.optional_script} not present", "finished": started.isoformat()}
    cmd = step.command(args)
    out_path = RESULTS / step.result
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / f"{step.name}.log"
    print(f"== {step.name}: {shlex.join(_short(cmd))}", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    before = out_path.stat().st_mtime if out_path.exists() else None
    with open(log, "wb") as err:
        try:
            done = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=err, timeout=STEP_TIMEOUT_S,
                                  env={**os.environ, "PYTHONUNBUFFERED": "1", "GRADIO_ANALYTICS_ENABLED": "False"})
            code, stdout = done.returncode, done.stdout.decode("utf-8", "replace")
        except subprocess.TimeoutExpired:
            code, stdout = -1, ""
    seconds = round(time.perf_counter() - t0, 1)
    record: dict[str, Any] = {"command": shlex.join(_short(cmd)), "seconds": seconds, "returncode": code,
                              "reduced": bool(args.quick or (args.eval_limit and step.name.startswith("eval"))
                                              or (args.index_scale and step.name == "index")),
                              "log": str(log.relative_to(ROOT)), "finished": dt.datetime.now().astimezone().isoformat()}
    if code == 0 and (step.stdout_json or not _rewritten(out_path, before)):
        try:
            write_json(out_path, _last_json(stdout))
        except ValueError as exc:
            if step.stdout_json:
                code = record["returncode"] = 1
                record["error"] = f"no JSON on stdout: {exc}"
    record["status"] = "ok" if code == 0 and out_path.exists() else "failed"
    print(f"== {step.name}: {record['status']} in {seconds} s", file=sys.stderr, flush=True)
    return record


def _short(cmd: list[str]) -> list[str]:
    """The command as a person would type it (the venv's python by its relative path)."""
    return [os.path.relpath(c, ROOT) if c == PY else c for c in cmd]


def _rewritten(path: Path, before: float | None) -> bool:
    return path.exists() and (before is None or path.stat().st_mtime > before)


def _last_json(stdout: str) -> Any:
    """Return the JSON document a script printed (the whole stdout, else its last '{' block)."""
    text = stdout.strip()
    try:
        return json.loads(text)
    except ValueError:
        start = text.rfind("\n{")
        return json.loads(text[start + 1:] if start >= 0 else text)


def select(only: list[str], skip: list[str]) -> list[Step]:
    """Return the steps to run, in suite order.

    Raises:
        SystemExit: an unknown step name.
    """
    unknown = sorted(set(only + skip) - set(NAMES))
    if unknown:
        raise SystemExit(f"error: unknown step(s) {', '.join(unknown)}; steps: {', '.join(NAMES)}")
    return [s for s in STEPS if (not only or s.name in only) and s.name not in skip]


def main(argv: list[str] | None = None) -> int:
    """Run the selected steps, update run.json, render the report; return the exit status."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=EXAMPLE,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--only", action="append", default=[], metavar="NAME",
                   help=f"run only these steps (repeatable or comma-separated): {', '.join(NAMES)}")
    p.add_argument("--skip", action="append", default=[], metavar="NAME", help="skip these steps")
    p.add_argument("--eval-limit", type=int, help="ask only the first N questions of each developer set")
    p.add_argument("--index-scale", type=int, help="chunks for index_bench's add-at-scale part (default here: 10000)")
    p.add_argument("--quick", action="store_true", help="small sizes everywhere (smoke run; figures not comparable)")
    p.add_argument("--no-report", action="store_true", help="do not render docs/benchmarks.md")
    args = p.parse_args(argv)
    split = lambda values: [n for v in values for n in v.split(",") if n]  # noqa: E731
    steps = select(split(args.only), split(args.skip))
    run_path = RESULTS / "run.json"
    run = json.loads(run_path.read_text(encoding="utf-8")) if run_path.exists() else {"steps": {}}
    run.update({"date": dt.datetime.now().astimezone().isoformat(timespec="seconds"), "machine": machine(),
                "command": _invocation(argv), "quick": args.quick, "eval_limit": args.eval_limit})
    t0 = time.perf_counter()
    for step in steps:
        run["steps"][step.name] = run_step(step, args)
        write_json(run_path, run)
    run["total_seconds"] = round(time.perf_counter() - t0, 1)
    write_json(run_path, run)
    if not args.no_report:
        from report import render

        render()
    failed = [s.name for s in steps if run["steps"][s.name]["status"] == "failed"]
    print(f"== done in {run['total_seconds']} s" + (f"; failed: {', '.join(failed)}" if failed else ""),
          file=sys.stderr)
    return 1 if failed else 0


def _invocation(argv: list[str] | None) -> str:
    if os.environ.get("MAKELEVEL"):
        return "make bench" + (f" BENCH_ARGS={shlex.quote(shlex.join(argv or sys.argv[1:]))}"
                               if (argv or sys.argv[1:]) else "")
    return shlex.join([os.path.relpath(PY, ROOT), "bench/run_all.py", *(argv if argv is not None else sys.argv[1:])])


if __name__ == "__main__":
    sys.exit(main())
