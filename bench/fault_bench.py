"""Crash safety at scale: kill -9 a writer 50 times, and run 50 updates on a full disk (ENOSPC).

Kill part: each run starts ``tests/fault_worker.py`` (a fixed, replayable sequence of ``kb.add`` /
``kb.remove`` updates with the hashing encoder), waits for it to be ready, lets it write for a
random 0-0.4 s and sends SIGKILL.  Then the index must open (SQLite ``integrity_check`` ok, a
query answered), hold exactly the articles of the state before the interrupted update or after
it (no article lost, texts intact), and have no orphans: FAISS ids equal to the stored vector
ids, one FTS row per chunk, no chunk without its article, no indexed article without chunks,
row counters equal to the tables.
The next run continues from there.  The same checks as ``tests/test_faults.py``, more runs.

ENOSPC part (needs root to mount a tmpfs; skipped with a note otherwise): a corpus folder and an
index on an 8 MB tmpfs; each run fills it with a ballast file leaving 0-300 kB free (seeded),
makes one update the product's way (mostly an upload through ``Uploader.add_file``; else
``kb.add``, ``kb.remove`` or ``kb.sync``), removes the ballast and checks: the update succeeded
or failed with a clean error (an ``UploadError``; a ``QAError``/``OSError``/``sqlite3.OperationalError``
from kb calls), the index opens with no orphans, no article indexed before was lost, and the
index holds exactly the articles of the corpus folder.  A failed kb call leaves the user's copy
or delete in the corpus ahead of the index by design; the bench then syncs (as the product's
next sync would) before that check.  Uploads get no such help.

Writes ``bench/results/faults.json`` (the kill part's figures at the top level, the ENOSPC part's
under ``enospc``) and prints it.
Usage: python bench/fault_bench.py [--runs 50] [--enospc-runs N] [--only kill|enospc] [--seed N]
Exit status 1 when a run failed a check.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.index import lookups, status  # noqa: E402
from qa.config import Settings  # noqa: E402
from qa.errors import QAError  # noqa: E402
from qa.ingest.corpus import load_corpus, load_file  # noqa: E402
from qa.ingest.uploads import UploadError, Uploader  # noqa: E402
from qa.kb import KnowledgeBase  # noqa: E402
from tests.fault_worker import expected_ids, text_of  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "faults.json"
MAX_SLEEP = 0.4  # seconds a worker may write before it is killed



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


def index_facts(index: Path, model: str) -> dict[str, Any]:
    """Open the index in a fresh ``KnowledgeBase`` and return what the checks need: integrity, orphan
    counts and ``texts`` ({id: text} of every indexed article), after answering one query."""
    kb = KnowledgeBase(settings=Settings.from_env({}, index_dir=index, model=model))
    try:
        with kb.reader.view() as view:
            info = _orphan_counts(view)
        kb.retrieve("报道", 3)  # a query is answered
        info["texts"] = {a.id: a.text for a in kb.articles()}
    finally:
        kb.reader.close()  # no connection left open: the ENOSPC part unmounts the folder afterwards
    return info


def _orphan_counts(view: Any) -> dict[str, Any]:
    """Integrity and the orphan counts (see ``ORPHAN_KEYS``) of one read view."""
    conn = view.conn
    counts = lookups.counts(conn, exact=True)
    kept = lookups.counts(conn)  # the trigger-kept counters must agree with the tables
    stored = set(lookups.all_vector_ids(conn).tolist())
    faiss_ids = set(view.vectors.ids())
    return {
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


def inspect_index(index: Path) -> dict[str, Any]:
    """The kill part's facts: ``index_facts`` plus ``ids`` and whether every text is the worker's."""
    info = index_facts(index, "hashing:32")
    info["ids"] = set(info["texts"])
    info["texts_intact"] = all(text == text_of(aid) for aid, text in info["texts"].items())
    return info


ORPHAN_KEYS = ("vectors_not_in_db", "db_vectors_not_in_faiss", "fts_rows_minus_chunks", "chunks_without_article",
               "articles_without_chunks", "counter_drift")


def kill_part(runs: int, rng: random.Random) -> dict[str, Any]:
    """Kill the worker ``runs`` times and check the index after each kill; return the figures."""
    report: dict[str, Any] = {"benchmark": "kill -9 a writer at random points", "runs": 0, "opened_ok": 0,
                              "state_before": 0, "state_after": 0, "neither": 0, "articles_lost": 0,
                              "orphans": 0, "operations_committed": 0, "max_articles": 0, "failures": []}
    started = time.perf_counter()
    delays: list[float] = []
    with tempfile.TemporaryDirectory(prefix="fault-bench-") as tmp:
        index = Path(tmp) / "index"
        next_op = 0
        for run in range(runs):
            last, delay = run_and_kill(index, next_op, rng)
            delays.append(delay)
            report["runs"] += 1
            next_op = _check_kill(report, run, index, last, next_op)
        report["operations_committed"] = next_op
    report["duration_s"] = round(time.perf_counter() - started, 1)
    report["kill_delay_s"] = {"min": round(min(delays), 3), "max": round(max(delays), 3)} if delays else {}
    report["ok"] = not report["failures"] and report["opened_ok"] == report["runs"]
    return report


def _check_kill(report: dict[str, Any], run: int, index: Path, last: int, next_op: int) -> int:
    """Check the index after one kill, count into ``report``; return the operation the next run starts at."""
    try:
        info = inspect_index(index)
    except Exception as exc:  # the index did not open: the worst outcome, recorded and continued
        report["failures"].append({"run": run, "error": f"{type(exc).__name__}: {exc}"})
        return next_op
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
    return next_op


# ------------------------------------------------------------------------------------------ ENOSPC
# A small tmpfs is filled with a ballast file so that the next write runs out of space, at a point
# that varies with the free space left: the uploaded file, the staging copy, SQLite's WAL or
# database, the FAISS snapshot, the manifests.  Then one update as the product makes it, the
# ballast removed, and the checks.
TMPFS_SIZE = "8m"  # room for the ballast and an index of ~100 small articles
MAX_FREE = 300_000  # bytes left free at most: more than any one update here writes
ENOSPC_MODEL = "hashing:64"  # no torch: the write path is the product's, the vectors are cheap
SEED_ARTICLES = 5
# The FAISS snapshot is rewritten after SNAPSHOT_MIN_CHANGES (2000) changed chunks; these runs
# change a few hundred, so the bench lowers the bar to make the snapshot one of the writes that
# can run out of space (as it does on a large index).
SNAPSHOT_EVERY = 8
OPERATIONS = ("upload",) * 7 + ("add", "remove", "sync")  # uploads mostly: the product's path for users
_WORDS = ("北京", "上海", "深圳", "市场", "公司", "政府", "研究", "报告", "发布", "会议", "技术", "经济",
          "投资", "项目", "合作", "数据", "增长", "计划", "城市", "学校", "医院", "专家", "表示", "宣布",
          "今年", "去年", "记者", "消息", "企业", "产品", "用户", "平台", "能源", "交通", "气候", "教育")


def article_bytes(aid: str) -> bytes:
    """The Markdown file of article ``aid``: 5-60 sentences drawn from ``aid``'s own seed (0.4-5 kB)."""
    rng = random.Random(aid)
    sentences = ["".join(rng.choice(_WORDS) for _ in range(rng.randint(4, 9))) + f"，编号{rng.randrange(10**6)}。"
                 for _ in range(rng.randint(5, 60))]
    body = "\n".join("".join(sentences[i:i + 4]) for i in range(0, len(sentences), 4))
    return f"---\nid: {aid}\ntitle: 报道{aid}\nsource: 测试社\n---\n{body}\n".encode()


@contextmanager
def tmpfs(size: str) -> Iterator[tuple[Path | None, str]]:
    """Mount a tmpfs of ``size`` on a new temp folder; yield (folder, "") or (None, why not).

    Unmounted (lazily if still busy) and removed on exit.
    """
    folder = Path(tempfile.mkdtemp(prefix="fault-enospc-"))
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True, text=True)
    try:
        yield (folder, "") if done.returncode == 0 else (None, (done.stderr or done.stdout).strip())
    finally:
        if done.returncode == 0 and subprocess.run(["umount", str(folder)], capture_output=True).returncode:
            subprocess.run(["umount", "-l", str(folder)], check=False)
        shutil.rmtree(folder, ignore_errors=True)


def free_bytes(folder: Path) -> int:
    """Bytes an unprivileged write may still use on ``folder``'s file system."""
    st = os.statvfs(folder)
    return st.f_bavail * st.f_frsize


def fill(root: Path, free: int) -> Path:
    """Allocate a ballast file in ``root`` that leaves ``free`` bytes (rounded to pages) free."""
    ballast = root / "ballast"
    size = max(0, free_bytes(root) - free)
    fd = os.open(ballast, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        if size:
            os.posix_fallocate(fd, 0, size)  # real pages on tmpfs, without writing them
    finally:
        os.close(fd)
    return ballast


@dataclass
class Update:
    """One update of a run: what it is, what it adds and removes if it succeeds, and how to apply it."""

    kind: str
    adds: set[str] = field(default_factory=set)
    removes: set[str] = field(default_factory=set)
    src: Path | None = None  # the uploaded file (outside the tmpfs, as the browser's temp file is)
    articles: list[Any] = field(default_factory=list)  # what ``kb.add`` is given


def prepare(kind: str, aid: str, corpus: Path, uploads: Path, indexed: dict[str, str],
            rng: random.Random) -> Update:
    """Set up the update ``kind`` while there is space, as a user would (copy a file into the corpus,
    delete one); ``aid`` is the id of a new article."""
    if kind == "upload":
        src = uploads / f"{aid}.md"
        src.write_bytes(article_bytes(aid))
        return Update(kind, adds={aid}, src=src)
    paths = corpus_paths(corpus)
    gone = rng.choice(sorted(set(paths) & set(indexed))) if kind in ("remove", "sync") and paths else None
    if gone is not None:
        (corpus / paths[gone]).unlink()  # the user deletes the file, then removes or syncs
    update = Update(kind, removes={gone} if gone else set())
    if kind in ("add", "sync"):
        (corpus / f"{aid}.md").write_bytes(article_bytes(aid))
        update.adds = {aid}
        update.articles = load_file(corpus / f"{aid}.md", corpus)
    return update


def corpus_paths(corpus: Path) -> dict[str, str]:
    """{article id: file path relative to ``corpus``} of the articles in the corpus folder."""
    return {a.id: a.path or "" for a in load_corpus(corpus)}


def apply_update(update: Update, kb: KnowledgeBase, uploader: Uploader, corpus: Path) -> tuple[str, str]:
    """Apply ``update`` the product's way; return (outcome, where the space ran out).

    The outcome is "ok", a clean refusal ("upload:disk_full", "sync:OperationalError", …) or
    "escaped:<type>" for an exception the product promises not to raise (a bug).
    """
    clean: tuple[type[BaseException], ...] = (UploadError,) if update.kind == "upload" else (
        QAError, OSError, sqlite3.OperationalError)
    try:
        if update.kind == "upload":
            assert update.src is not None
            uploader.add_file(update.src, update.src.name)
        elif update.kind == "add":
            kb.add(update.articles)
        elif update.kind == "remove":
            kb.remove(sorted(update.removes))
        else:
            kb.sync(corpus)
        return "ok", ""
    except clean as exc:
        kind = exc.kind if isinstance(exc, UploadError) else type(exc).__name__
        return f"{update.kind}:{kind}", where_full(exc)
    except Exception as exc:  # escaped: recorded with its traceback, never hidden
        return f"escaped:{type(exc).__name__}", where_full(exc) + " | " + traceback.format_exc(limit=-3)


def where_full(exc: BaseException) -> str:
    """Where the write failed: the innermost frame in ``qa/`` of the OSError/sqlite3 error behind ``exc``
    (an ``UploadError`` is raised ``from None``, but its context still holds the cause)."""
    chain, current = [], exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    cause = next((e for e in chain if isinstance(e, (OSError, sqlite3.Error)) and not isinstance(e, QAError)), exc)
    frames = [f for f in traceback.extract_tb(cause.__traceback__) if f.filename.startswith(str(ROOT / "qa"))]
    place = f"{Path(frames[-1].filename).relative_to(ROOT)}:{frames[-1].name}" if frames else "?"
    code = getattr(cause, "sqlite_errorname", None)  # SQLite's extended code says which write failed
    return f"{place} ({type(cause).__name__}: {cause}{f' [{code}]' if code else ''})"


def enospc_part(runs: int, rng: random.Random) -> dict[str, Any]:
    """Run ``runs`` ENOSPC updates on a fresh tmpfs; return the figures ({"skipped": why} without one)."""
    with tmpfs(TMPFS_SIZE) as (root, why):
        if root is None:
            print(f"note: ENOSPC part skipped: cannot mount a tmpfs ({why}); it needs root", file=sys.stderr)
            return {"benchmark": "updates on a full disk (ENOSPC)", "skipped": f"cannot mount a tmpfs: {why}"}
        saved = status.SNAPSHOT_MIN_CHANGES
        status.SNAPSHOT_MIN_CHANGES = SNAPSHOT_EVERY
        try:
            return enospc_loop(root, runs, rng)
        finally:
            status.SNAPSHOT_MIN_CHANGES = saved


def enospc_loop(root: Path, runs: int, rng: random.Random) -> dict[str, Any]:
    """Index a few articles in ``root``, then make ``runs`` updates each on a nearly full disk."""
    corpus, index = root / "corpus", root / "index"
    corpus.mkdir()
    kb = KnowledgeBase(settings=Settings.from_env({}, index_dir=index, corpus_dir=corpus, model=ENOSPC_MODEL))
    for i in range(SEED_ARTICLES):
        (corpus / f"s{i}.md").write_bytes(article_bytes(f"s{i}"))
    kb.sync(corpus)
    uploader = Uploader(kb, corpus, kb.settings.max_upload_bytes)
    report = _enospc_report(runs)
    started = time.perf_counter()
    try:
        indexed = index_facts(index, ENOSPC_MODEL)["texts"]
        with tempfile.TemporaryDirectory(prefix="fault-uploads-") as uploads:
            for run in range(runs):
                indexed = enospc_run(run, root, kb, uploader, Path(uploads), indexed, rng, report)
    finally:
        kb.reader.close()  # the tmpfs is unmounted next
    report["max_articles"] = max(report["max_articles"], len(indexed))
    report["seconds"] = round(time.perf_counter() - started, 1)
    report["ok"] = not report["failures"]
    return report


def _enospc_report(runs: int) -> dict[str, Any]:
    """The empty figures of the ENOSPC part."""
    return {"benchmark": "updates on a full disk (ENOSPC)", "runs": 0, "tmpfs": TMPFS_SIZE, "model": ENOSPC_MODEL,
            "free_bytes": {"min": None, "max": None}, "operations": {}, "succeeded": 0, "failure_kinds": {},
            "where_full": {}, "articles_lost": 0, "out_of_step_runs": 0, "orphans": 0, "opened_ok": 0,
            "escaped": 0, "error_after_commit": 0, "synced_after_kb_error": 0, "runs_with_leftovers": 0,
            "max_articles": 0, "failures": []}


def enospc_run(run: int, root: Path, kb: KnowledgeBase, uploader: Uploader, uploads: Path,
               indexed: dict[str, str], rng: random.Random, report: dict[str, Any]) -> dict[str, str]:
    """One run: prepare an update, fill the disk, apply it, free the disk, check; return the articles indexed now."""
    corpus, index = root / "corpus", root / "index"
    kind = rng.choice(OPERATIONS)
    update = prepare(kind, f"u{run}", corpus, uploads, indexed, rng)
    ballast = fill(root, rng.randrange(MAX_FREE))
    free = free_bytes(root)
    try:
        outcome, where = apply_update(update, kb, uploader, corpus)
    finally:
        ballast.unlink()
    facts = check_after(index, corpus, indexed, update)
    # A failed kb.add/remove/sync leaves the corpus ahead of the index by design (the user's copy or
    # delete is not undone); the product's answer is the next sync, so the bench runs it now.
    pending = kind != "upload" and outcome != "ok"
    if pending:
        kb.sync(corpus)
        facts = {**check_after(index, corpus, indexed, update), "state": facts.get("state")}
    _record(report, run, update, outcome, where, free, facts, pending)
    if not facts.get("in_step", True):
        kb.sync(corpus)  # recorded as a failure above; back in step so the next run's check means something
        return check_after(index, corpus, indexed, update).get("texts", indexed)
    return facts.get("texts", indexed)


def check_after(index: Path, corpus: Path, before: dict[str, str], update: Update) -> dict[str, Any]:
    """Compare the index with the corpus folder and with ``before`` (its articles before ``update``)."""
    try:
        facts = index_facts(index, ENOSPC_MODEL)
    except Exception as exc:  # the index did not open: recorded as a failure
        return {"opened": False, "error": f"{type(exc).__name__}: {exc}"}
    after = facts["texts"]
    on_disk = {a.id: a.text for a in load_corpus(corpus)}
    kept = {aid: text for aid, text in before.items() if aid not in update.removes}
    state = ("after" if set(after) == set(kept) | update.adds else
             "before" if set(after) == set(before) else "neither")
    return {"opened": True, "integrity": facts["integrity"], "orphans": sum(abs(facts[k]) for k in ORPHAN_KEYS),
            "lost": sorted(aid for aid, text in kept.items() if after.get(aid) != text), "state": state,
            "in_step": after == on_disk, "not_in_corpus": sorted(set(after) - set(on_disk)),
            "not_in_index": sorted(set(on_disk) - set(after)), "leftovers": leftovers(corpus, index),
            "texts": after}


def leftovers(corpus: Path, index: Path) -> list[str]:
    """Files a failed update left behind: staging folders in the corpus, temporary files in the index."""
    found = [p for p in corpus.glob(".*")] + [p for p in index.rglob("*.tmp-*")]
    return sorted(str(p.relative_to(p.parents[1] if p.is_relative_to(index) else corpus)) for p in found)


def _record(report: dict[str, Any], run: int, update: Update, outcome: str, where: str, free: int,
            facts: dict[str, Any], pending: bool) -> None:
    """Count one run into ``report``; a run that failed a check is listed with what was left."""
    report["runs"] += 1
    report["operations"][update.kind] = report["operations"].get(update.kind, 0) + 1
    low, high = report["free_bytes"]["min"], report["free_bytes"]["max"]
    report["free_bytes"] = {"min": free if low is None else min(low, free), "max": max(high or 0, free)}
    if outcome == "ok":
        report["succeeded"] += 1
    else:
        report["failure_kinds"][outcome] = report["failure_kinds"].get(outcome, 0) + 1
        place = where.split(" (")[0]
        report["where_full"][place] = report["where_full"].get(place, 0) + 1
    committed = outcome != "ok" and facts.get("state") == "after" and (update.adds or update.removes)
    report["error_after_commit"] += bool(committed)
    report["synced_after_kb_error"] += pending
    report["escaped"] += outcome.startswith("escaped:")
    report["opened_ok"] += facts.get("opened", False) and facts.get("integrity") == "ok"
    report["orphans"] += facts.get("orphans", 0)
    report["articles_lost"] += len(facts.get("lost", []))
    report["out_of_step_runs"] += not facts.get("in_step", False)
    report["runs_with_leftovers"] += bool(facts.get("leftovers"))
    report["max_articles"] = max(report["max_articles"], len(facts.get("texts", {})))
    failed = (not facts.get("opened") or facts.get("integrity") != "ok" or facts.get("orphans") or facts.get("lost")
              or not facts.get("in_step") or outcome.startswith("escaped:")
              or (outcome == "ok" and facts.get("state") != "after"))
    if failed:
        report["failures"].append({"run": run, "operation": update.kind, "free_bytes": free, "outcome": outcome,
                                   "where": where, **{k: v for k, v in facts.items() if k != "texts"}})


# -------------------------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    """Run the parts asked for, write and print the JSON report; return 1 if any check failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50, help="runs of each part (default 50)")
    parser.add_argument("--enospc-runs", type=int, default=None, help="runs of the ENOSPC part (default: --runs)")
    parser.add_argument("--only", choices=("kill", "enospc"), help="run one part; the other's figures are kept")
    parser.add_argument("--seed", type=int, default=None, help="seed of both parts (default: random, recorded)")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    # Only the parts run now are replaced; the report keeps the other part's last figures.
    report: dict[str, Any] = _previous() if args.only else {}
    if args.only != "enospc":
        report.update(kill_part(args.runs, random.Random(seed)), seed=seed)
    if args.only != "kill":
        report["enospc"] = enospc_part(args.enospc_runs or args.runs, random.Random(seed))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, ensure_ascii=False, indent=2)
    RESULTS.write_text(text + "\n", encoding="utf-8")
    print(text)
    kill_ok = args.only == "enospc" or report["ok"]
    enospc_ok = args.only == "kill" or report["enospc"].get("ok", True)  # a skipped part fails nothing
    return 0 if kill_ok and enospc_ok else 1


def _previous() -> dict[str, Any]:
    """The figures of the last run (empty when there is none)."""
    try:
        return json.loads(RESULTS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


if __name__ == "__main__":
    sys.exit(main())
