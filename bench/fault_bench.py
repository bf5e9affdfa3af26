"""Crash safety at scale: kill -9 a writer at random points, 50 times, and check the index each time.

Each run starts ``tests/fault_worker.py`` (a fixed, replayable sequence of ``kb.add`` /
``kb.remove`` updates with the hashing encoder), waits for it to be ready, lets it write for a
random 0-0.4 s and sends SIGKILL.  Then the index must open (SQLite ``integrity_check`` ok, a
query answered), hold exactly the articles of the state before the interrupted update or after
it (no article lost, texts intact), and have no orphans: FAISS ids equal to the stored vector
ids, one FTS row per chunk, no chunk without its article, no indexed article without chunks,
row counters equal to the tables.
The next run continues from there.  The same checks as ``tests/test_faults.py``, more runs.

Writes ``bench/results/faults.json`` (runs, opened ok, before/after counts, orphans, duration)
and prints it.  Usage: python bench/fault_bench.py [--runs 50] [--seed N]
Exit status 1 when a run failed a check.
"""
from __future__ import annotations

import argparse
import json
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa import store  # noqa: E402
from qa.index import lookups
from qa.config import Settings  # noqa: E402
from qa.kb import KnowledgeBase  # noqa: E402
from tests.fault_worker import operation, text_of  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "faults.json"
MAX_SLEEP = 0.4  # seconds a worker may write before it is killed


def expected_ids(ops_done: int) -> set[str]:
    """The article ids after the first ``ops_done`` operations of the worker's sequence."""
    ids: set[str] = set()
    for i in range(ops_done):
        kind, aid = operation(i)
        (ids.add if kind == "add" else ids.discard)(aid)
    return ids


def run_and_kill(index: Path, start: int, rng: random.Random) -> tuple[int, float]:
    """Run the worker from operation ``start``, SIGKILL it; return (last operation reported done, delay)."""
    proc = subprocess.Popen([sys.executable, "-m", "tests.fault_worker", str(index), str(start)], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    try:
        ready = proc.stdout.readline().strip() if proc.stdout else ""
        if ready != "ready":
            raise RuntimeError(f"worker did not start (said {ready!r}, exit {proc.poll()})")
        delay = rng.uniform(0.0, MAX_SLEEP)
        time.sleep(delay)
    finally:
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
    done = [int(line.split()[1]) for line in out.splitlines() if line.startswith("done")]
    return (done[-1] if done else start - 1), delay


def inspect_index(index: Path) -> dict[str, Any]:
    """Open the index and return what the checks need: ids, orphan counts, integrity, texts."""
    kb = KnowledgeBase(settings=Settings.from_env({}, index_dir=index, model="hashing:32"))
    with kb.reader.view() as view:
        conn = view.conn
        counts = lookups.counts(conn, exact=True)
        kept = lookups.counts(conn)  # the trigger-kept counters must agree with the tables
        stored = set(store.all_vector_ids(conn).tolist())
        faiss_ids = set(view.vectors.ids())
        info = {
            "integrity": conn.execute("PRAGMA integrity_check").fetchone()[0],
            "vectors_not_in_db": len(faiss_ids - stored),
            "db_vectors_not_in_faiss": len(stored - faiss_ids),
            "fts_rows_minus_chunks": counts["fts_rows"] - counts["chunks"],
            "counter_drift": sum(abs(kept[k] - counts[k]) for k in ("articles", "chunks", "sentences")),
            "chunks_without_article": conn.execute(
                "SELECT COUNT(*) FROM chunks c LEFT JOIN articles a ON a.id = c.article_id"
                " WHERE a.id IS NULL").fetchone()[0],
            "articles_without_chunks": conn.execute(
                "SELECT COUNT(*) FROM articles a WHERE duplicate_of IS NULL AND NOT EXISTS"
                " (SELECT 1 FROM chunks c WHERE c.article_id = a.id)").fetchone()[0],
        }
    kb.retrieve("报道", 3)  # a query is answered
    articles = kb.articles()
    info["ids"] = {a.id for a in articles}
    info["texts_intact"] = all(a.text == text_of(a.id) for a in articles)
    return info


ORPHAN_KEYS = ("vectors_not_in_db", "db_vectors_not_in_faiss", "fts_rows_minus_chunks", "chunks_without_article",
               "articles_without_chunks", "counter_drift")


def main(argv: list[str] | None = None) -> int:
    """Run the kill loop, write and print the JSON report; return 1 if any check failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50, help="writers to kill (default 50)")
    parser.add_argument("--seed", type=int, default=None, help="seed of the kill delays (default: random, recorded)")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    rng = random.Random(seed)
    report: dict[str, Any] = {"benchmark": "kill -9 a writer at random points", "runs": 0, "opened_ok": 0,
                              "state_before": 0, "state_after": 0, "neither": 0, "articles_lost": 0,
                              "orphans": 0, "operations_committed": 0, "max_articles": 0, "failures": []}
    started = time.perf_counter()
    delays: list[float] = []
    with tempfile.TemporaryDirectory(prefix="fault-bench-") as tmp:
        index = Path(tmp) / "index"
        next_op = 0
        for run in range(args.runs):
            last, delay = run_and_kill(index, next_op, rng)
            delays.append(delay)
            report["runs"] += 1
            try:
                info = inspect_index(index)
            except Exception as exc:  # the index did not open: the worst outcome, recorded and continued
                report["failures"].append({"run": run, "error": f"{type(exc).__name__}: {exc}"})
                continue
            orphans = sum(abs(info[key]) for key in ORPHAN_KEYS)
            report["orphans"] += orphans
            report["opened_ok"] += info["integrity"] == "ok"
            report["max_articles"] = max(report["max_articles"], len(info["ids"]))
            # The operation after the last one reported done may or may not have committed.
            if info["ids"] == expected_ids(last + 1):
                report["state_before"] += 1
                next_op = last + 1
            elif info["ids"] == expected_ids(last + 2):
                report["state_after"] += 1
                next_op = last + 2
            else:
                report["neither"] += 1
                report["articles_lost"] += len(expected_ids(last + 1) - info["ids"])
                next_op = last + 1
            if not info["texts_intact"] or orphans or info["integrity"] != "ok" or \
                    info["ids"] not in (expected_ids(last + 1), expected_ids(last + 2)):
                report["failures"].append({"run": run, "last_done": last, **{k: info[k] for k in ORPHAN_KEYS},
                                           "integrity": info["integrity"], "texts_intact": info["texts_intact"]})
        report["operations_committed"] = next_op
    report["duration_s"] = round(time.perf_counter() - started, 1)
    report["kill_delay_s"] = {"min": round(min(delays), 3), "max": round(max(delays), 3)} if delays else {}
    report["seed"] = seed
    report["ok"] = not report["failures"] and report["opened_ok"] == report["runs"]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, ensure_ascii=False, indent=2)
    RESULTS.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
