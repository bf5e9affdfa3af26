"""Load: concurrent chat sessions against the real app on 127.0.0.1: readers with think time,
then saturation, idle and while indexing.

Starts ``app.py`` as a subprocess on a free port of 127.0.0.1 with a temporary index built from a
copy of ``corpus/``, then runs ``--sessions`` concurrent chat sessions against the ``/ask``
endpoint, each with its own Gradio session and conversation history (follow-ups included; a new
conversation every few turns), asking a fixed mix of Chinese and English questions, for
``--duration`` seconds. The sessions speak Gradio's HTTP API over one shared connection pool
(``--client http``, the default: ~5 ms of CPU per answer), or each through its own
``gradio_client`` (``--client gradio``: 69-169 ms per answer, more than the app spends, so on one
machine it bounds the result); see ``bench/load_client.py``. Then the same again while an
indexing job runs: ``python -m qa.ui.cli index add`` subprocesses against the same index, one
batch of synthetic articles after another, until the phase ends. Counts requests and errors (an
exception, no reply, or a "⚠" refusal), latency p50/p95 (queue wait included: the app answers 4
at a time), the app's memory, and the CPU seconds the app and the load generator each spent (and
per answer). Everything stays on 127.0.0.1 and stops by itself (duration, a cap on requests per
session, timeouts). Writes ``bench/results/load.json``.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from benchutil import DEV_SETS, RESULTS, ROOT, machine, pct, rss_mb, write_json  # noqa: E402
from load_client import CLIENTS, callers  # noqa: E402

from tests.appserver import running_app  # noqa: E402

EXAMPLE = """example:
  .venv/bin/python bench/load_bench.py                          # 32 sessions, 60 s idle + 60 s indexing
  QA_MODEL=hashing .venv/bin/python bench/load_bench.py --sessions 4 --duration 10 --out /tmp/load.json
  .venv/bin/python bench/load_bench.py --think 5,15 --readers-duration 180   # 32 readers first, then saturation
  .venv/bin/python bench/load_bench.py --no-indexing --duration 40 --client gradio  # one gradio_client per session
"""
# (question, follow-up or None): the mix each session cycles through, from its own offset.
QUESTIONS = [
    ("微软为什么聘请苏莱曼？", "他之前在哪家公司工作？"),
    ("why did Microsoft hire Suleyman?", "what did he found before that?"),
    ("OpenAI 最近一轮融资估值多少？", "谁领投了这一轮？"),
    ("微软聘请了哪家投行？", None),
    ("OpenAI 预计今年亏损多少？", "那收入呢？"),
    ("星际之门项目投资多少？", None),
    ("How much is OpenAI valued at?", None),
    ("今天上海天气怎么样？", None),  # not in the articles: a "not found" answer is a correct reply
]
TURNS_PER_CONVERSATION = 6
REQUEST_TIMEOUT_S = 180
ENV = {"HF_HUB_OFFLINE": "1"}


def reply_text(chat: Any) -> str:
    """Return the text of the last message of a returned chat ('' when there is none)."""
    from qa.ui.chat import message_text

    if not isinstance(chat, list) or not chat or not isinstance(chat[-1], dict) or chat[-1].get("role") != "assistant":
        return ""
    return message_text(chat[-1].get("content"))


@dataclass
class Session:
    """One chat session: its own caller of ``/ask`` (so its own Gradio session state) and conversation."""

    number: int
    client: Any
    chat: list = field(default_factory=list)
    turn: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def next_question(self) -> str:
        """Return the next question of the mix: a first question, then (sometimes) its follow-up."""
        first, follow = QUESTIONS[(self.number + self.turn // 2) % len(QUESTIONS)]
        return follow if self.turn % 2 and follow else first

    def ask(self) -> None:
        """Ask one question; record its latency or the error."""
        if self.turn and self.turn % TURNS_PER_CONVERSATION == 0:
            self.chat = []
        question = self.next_question()
        self.turn += 1
        t0 = time.perf_counter()
        try:
            chat = self.client.ask(question, self.chat)
        except Exception as exc:  # any failure of the call is an error of the run
            self.errors.append(f"{type(exc).__name__}: {str(exc)[:200]}")
            return
        self.latencies.append((time.perf_counter() - t0) * 1000)
        text = reply_text(chat)
        if not text or text.startswith("⚠"):
            self.errors.append(f"bad reply to {question!r}: {text[:200]!r}")
        else:
            self.chat = chat


def load_phase(sessions: list[Session], duration_s: float | None, max_per_session: int,
               app_pid: int | None = None, think: tuple[float, float] | None = None) -> dict[str, Any]:
    """Run every session concurrently until ``duration_s`` passes or each asked ``max_per_session``.

    ``think`` (seconds, low and high) makes each session a reader: it waits a random time in that
    range before each question (the first wait spread over the range too, so sessions do not
    start together); without it sessions ask back to back (a saturation test).
    """
    for s in sessions:
        s.latencies, s.errors, s.chat, s.turn = [], [], [], 0
    deadline = time.monotonic() + duration_s if duration_s else float("inf")
    peak = [rss_mb(app_pid) if app_pid else 0.0]

    def loop(s: Session) -> None:
        rng = random.Random(s.number)
        while time.monotonic() < deadline and s.turn < max_per_session:
            if think:
                pause = rng.uniform(0.0 if s.turn == 0 else think[0], think[1])
                if time.monotonic() + pause >= deadline:
                    return
                time.sleep(pause)
            s.ask()

    def watch_memory(stop: threading.Event) -> None:
        while app_pid and not stop.wait(1.0):
            with contextlib.suppress(Exception):
                peak.append(rss_mb(app_pid))

    stop = threading.Event()
    watcher = threading.Thread(target=watch_memory, args=(stop,), daemon=True)
    watcher.start()
    threads = [threading.Thread(target=loop, args=(s,), daemon=True) for s in sessions]
    cpu0 = _cpu_now(app_pid)
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    used = [b - a for a, b in zip(cpu0, _cpu_now(app_pid))]
    stop.set()
    latencies = [ms for s in sessions for ms in s.latencies]
    errors = [e for s in sessions for e in s.errors]
    requests = sum(s.turn for s in sessions)
    return {"sessions": len(sessions), "think_s": list(think) if think else None,
            "seconds": round(wall, 1), "requests": requests, "errors": len(errors),
            "error_samples": errors[:5], "requests_per_s": round(requests / wall, 2),
            "latency": {**pct(latencies), "max_ms": round(max(latencies), 1) if latencies else 0.0},
            "app_rss_peak_mb": max(peak), **cpu_share(*used, requests)}


def _cpu_seconds(pid: int | None) -> float:
    """Return the CPU seconds (user + system) ``pid`` and its children have used so far (0 without psutil)."""
    try:
        import psutil

        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)] if pid != os.getpid() else [proc]
        return sum(t.user + t.system for t in (p.cpu_times() for p in procs))
    except Exception:  # noqa: BLE001 - a process that ended, or no psutil: the figure is left out
        return 0.0


def _cpu_now(app_pid: int | None) -> tuple[float, float, float]:
    """Return the CPU seconds used so far by the app (with its children), by this process, and by
    the whole machine (busy time of every core; 0 without psutil)."""
    try:
        import psutil

        t = psutil.cpu_times()
        machine_busy = t.user + t.nice + t.system + getattr(t, "irq", 0.0) + getattr(t, "softirq", 0.0)
    except Exception:  # noqa: BLE001 - no psutil: the figure is left out
        machine_busy = 0.0
    return _cpu_seconds(app_pid), _cpu_seconds(os.getpid()), machine_busy


def cpu_share(app_cpu: float, client_cpu: float, machine_cpu: float, requests: int) -> dict[str, Any]:
    """Return where a phase's CPU went: the app's and the load generator's CPU seconds, each per
    answer, the CPU seconds of everything else on the machine (the indexing job, and whatever else
    ran: a run that shared the machine shows here), and the answers/s the app's own CPU would allow
    on every core of the machine (the sessions' clients run on the same 2 cores here)."""
    if not requests or app_cpu <= 0:
        return {}
    per_answer = app_cpu / requests
    others = max(0.0, machine_cpu - app_cpu - client_cpu) if machine_cpu else None
    return {"app_cpu_s": round(app_cpu, 1), "clients_cpu_s": round(client_cpu, 1),
            "others_cpu_s": round(others, 1) if others is not None else None,
            "app_cpu_ms_per_answer": round(1000 * per_answer, 1),
            "clients_cpu_ms_per_answer": round(1000 * client_cpu / requests, 1),
            "answers_per_s_on_all_cores_for_the_app": round((os.cpu_count() or 1) / per_answer, 1)}


def fresh_articles(count: int, start: int) -> list[dict[str, Any]]:
    """Return ``count`` new synthetic articles (ids from ``start``) of real Chinese sentences."""
    if all(p.exists() for p in DEV_SETS):
        from index_bench import synthetic_articles

        made = [a for batch in synthetic_articles(list(DEV_SETS), 3 * (start + count), batch_size=count)
                for a in batch][start:start + count]
        return [{"id": f"load-{a.id}", "title": a.title, "text": a.text, "source": "负载测试",
                 "date": "2025-06-01"} for a in made]
    base = ["新的报道说，这家公司在第{n}季度的收入增长了百分之{p}。", "分析人士认为，市场需求在第{n}个月出现回升。",
            "记者在第{n}次发布会上获悉，项目投资约为{p}亿元。"]
    return [{"id": f"load-x{i}", "title": f"负载测试文章{i}", "source": "负载测试", "date": "2025-06-01",
             "text": "\n".join(s.format(n=i, p=i % 97 + 3) for s in base)} for i in range(start, start + count)]


@contextlib.contextmanager
def indexing_job(index: Path, workdir: Path, batch: int, max_batches: int) -> Iterator[dict[str, Any]]:
    """Run ``qa index add`` subprocesses against ``index``, batch after batch, until the block exits
    (the batch in progress is allowed to finish); yields a dict filled with what was done."""
    stats: dict[str, Any] = {"batch_articles": batch, "batches_done": 0, "batch_seconds": [], "failures": []}
    stop, started = threading.Event(), threading.Event()

    def work() -> None:
        for b in range(max_batches):
            if stop.is_set():
                return
            path = workdir / f"load-batch-{b}.jsonl"
            path.write_text("\n".join(json.dumps(a, ensure_ascii=False) for a in fresh_articles(batch, b * batch)),
                            encoding="utf-8")
            t0 = time.perf_counter()
            started.set()
            done = subprocess.run([sys.executable, "-m", "qa.ui.cli", "--index", str(index), "index", "add", str(path)],
                                  cwd=ROOT, capture_output=True, text=True, timeout=1800, env={**os.environ, **ENV})
            stats["batch_seconds"].append(round(time.perf_counter() - t0, 1))
            if done.returncode:
                stats["failures"].append(done.stderr.strip()[-300:])
            else:
                stats["batches_done"] += 1

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    started.wait(timeout=120)
    time.sleep(1.0)  # the writer is importing and loading its encoder: let it reach the work
    try:
        yield stats
    finally:
        stop.set()
        worker.join(timeout=1800)
        stats["articles_added"] = stats["batches_done"] * batch


def run(sessions: int, duration: float | None, max_per_session: int, batch: int, skip_indexing: bool,
        think: tuple[float, float] | None = None, readers_duration: float = 180.0,
        client: str = "http") -> dict[str, Any]:
    """Start the app, run the readers phase (when ``think`` is given), the idle saturation phase,
    then the saturation phase with indexing, the sessions speaking through ``client`` (one of
    ``load_client.CLIENTS``); return the report.

    ``duration`` None bounds each saturation phase by ``max_per_session`` questions per session only.
    """
    report: dict[str, Any] = {"machine": machine(), "model": os.environ.get("QA_MODEL") or "default",
                              "sessions": sessions, "duration_s": duration, "max_requests_per_session": max_per_session,
                              "host": "127.0.0.1", "client": client}
    with (tempfile.TemporaryDirectory(prefix="qa-load-") as tmp, running_app(Path(tmp), env=ENV) as app,
          callers(app.url, sessions, client, REQUEST_TIMEOUT_S) as connected):
        report["app_startup_s"] = app.startup_s
        report["app_rss_idle_mb"] = rss_mb(app.proc.pid)
        clients = [Session(i, c) for i, c in enumerate(connected)]
        if think:
            report["readers"] = load_phase(clients, readers_duration, max_per_session, app.proc.pid, think)
            print(f"load: readers {report['readers']}", file=sys.stderr, flush=True)
        report["idle"] = load_phase(clients, duration, max_per_session, app.proc.pid)
        print(f"load: idle {report['idle']}", file=sys.stderr, flush=True)
        if not skip_indexing:
            with indexing_job(app.index, Path(tmp), batch, max_batches=50) as job:
                report["indexing"] = load_phase(clients, duration, max_per_session, app.proc.pid)
            report["indexing"]["job"] = job
            print(f"load: while indexing {report['indexing']}", file=sys.stderr, flush=True)
    return report


def _think(text: str) -> tuple[float, float]:
    """Parse ``LOW,HIGH`` seconds of think time."""
    try:
        low, high = (float(x) for x in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"think time must be LOW,HIGH seconds (e.g. 5,15), got {text!r}") from None
    if not 0 <= low <= high:
        raise argparse.ArgumentTypeError(f"think time needs 0 <= LOW <= HIGH, got {text!r}")
    return low, high


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, run, write the JSON."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=EXAMPLE,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sessions", type=int, default=32, help="concurrent chat sessions (default 32)")
    p.add_argument("--duration", type=float, default=60.0, help="seconds per phase (default 60)")
    p.add_argument("--max-per-session", type=int, default=500, help="cap on questions per session and phase")
    p.add_argument("--batch", type=int, default=50, help="articles per `qa index add` batch of the indexing job")
    p.add_argument("--no-indexing", action="store_true", help="skip the phase with a concurrent indexing job")
    p.add_argument("--think", type=_think, help="first run a readers phase: each session waits LOW,HIGH seconds "
                   "(uniform) before each question, as people reading answers do (e.g. 5,15)")
    p.add_argument("--readers-duration", type=float, default=180.0, help="seconds of the readers phase (default 180)")
    p.add_argument("--client", choices=CLIENTS, default="http",
                   help="http (default): Gradio's HTTP API from one connection pool, ~5 ms of CPU per answer; "
                   "gradio: one gradio_client per session (costs more CPU than the app; see bench/load_client.py)")
    p.add_argument("--out", type=Path, default=RESULTS / "load.json")
    args = p.parse_args(argv)
    report = run(args.sessions, args.duration, args.max_per_session, args.batch, args.no_indexing, args.think,
                 args.readers_duration, args.client)
    write_json(args.out, report)
    print(f"load: wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
