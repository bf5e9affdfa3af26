"""Article contents computed by worker processes are exactly the caller's own (issue #18).

No timings here: bench/ingest_bench.py measures the speed (``--workers 0`` against the default).
"""
from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest

from qa.eval.retrieval import load_squad
from qa.index import content, content_workers
from qa.index.content import Shape, article_content
from qa.index.content_worker import receive, send
from qa.text import duplicates
from qa.types import Article

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
SHAPE = Shape(240, 1, 300)


def _items(n: int = 60) -> list[tuple[Article, str]]:
    """CMRC and DRCD paragraphs (simplified and traditional Chinese), with a link and an English run."""
    paragraphs = load_squad(DATA / "cmrc2018_trial.json", "question")[0][:n // 2]
    paragraphs += load_squad(DATA / "drcd_dev.json", "question")[0][:n // 2]
    paragraphs.append(Article("linked", "链接", "详见 https://example.com/microsoft-hires-suleyman 。Mustafa Suleyman 加入微软。"))
    return [(a, duplicates.content_key(a.text)) for a in paragraphs]


@pytest.fixture
def every_batch_to_workers(monkeypatch):
    """Even a small batch goes through the worker processes, in small tasks (so both sides get some)."""
    monkeypatch.setattr(content_workers, "MIN_CHARS", 0)
    monkeypatch.setattr(content_workers, "TASK_CHARS", 1_500)


def test_worker_contents_equal_the_callers_own(every_batch_to_workers):
    items = _items()
    own = [article_content(a, k, SHAPE) for a, k in items]
    assert content_workers.contents(items, SHAPE, 1) == own  # the worker may still be starting
    worker = content_workers._pool(1).workers[0]
    assert worker.wait_ready()
    before = worker.tasks_done
    assert content_workers.contents(items, SHAPE, 1) == own
    assert worker.tasks_done > before and worker.alive
    linked = own[-1].tokens[0]
    assert "suleyman" in linked and "微软" in linked and "example" not in linked  # a link's words stay out


def test_a_dead_worker_costs_speed_not_contents(every_batch_to_workers, caplog):
    items = _items(20)
    own = [article_content(a, k, SHAPE) for a, k in items]
    pool = content_workers._pool(1)
    worker = pool.workers[0]
    assert worker.wait_ready()
    worker.proc.kill()
    worker.proc.wait()
    with caplog.at_level(logging.WARNING, logger="qa.index.content_workers"):
        assert pool.start(content_workers._tasks(items), SHAPE).result() == own
    assert not worker.alive and "stopped" in caplog.text
    restarted = content_workers._pool(1)
    assert restarted is not pool and restarted.healthy()
    assert content_workers.contents(items, SHAPE, 1) == own


def test_a_task_the_worker_cannot_do_is_reported_not_fatal(every_batch_to_workers, caplog):
    content_workers.contents(_items(4), SHAPE, 1)
    worker = content_workers._pool(1).workers[0]
    assert worker.wait_ready()
    with caplog.at_level(logging.WARNING, logger="qa.index.content_workers"):
        assert worker.call("no-such-task", None) is None
    assert "unknown content worker task" in caplog.text and worker.alive
    assert worker.call("clear", None) is None and worker.alive  # "clear" answers None and keeps going


def test_small_batches_and_zero_workers_stay_in_the_caller(monkeypatch):
    started = []
    monkeypatch.setattr(content_workers, "_pool", lambda size: started.append(size))
    items = _items(4)
    own = [article_content(a, k, SHAPE) for a, k in items]
    assert content_workers.contents(items, SHAPE, 0) == own
    monkeypatch.setattr(content_workers, "MIN_CHARS", 10**9)
    assert content_workers.contents(items, SHAPE, 3) == own
    assert started == []


def test_worker_count_minus_one_leaves_a_core_to_the_caller(monkeypatch):
    monkeypatch.setattr(content_workers.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    assert content_workers.worker_count(-1) == 3
    assert content_workers.worker_count(0) == 0
    assert content_workers.worker_count(2) == 2
    monkeypatch.setattr(content_workers.os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert content_workers.worker_count(-1) == 0


def test_tasks_keep_the_items_in_order_in_runs_of_about_task_chars():
    items = _items()
    tasks = content_workers._tasks(items)
    assert [item for task in tasks for item in task] == items
    assert len(tasks) > 1
    assert all(sum(len(a.text) for a, _ in task[:-1]) < content_workers.TASK_CHARS for task in tasks)


def test_frames_round_trip_and_a_cut_frame_is_end_of_stream():
    stream = io.BytesIO()
    send(stream, ("contents", (SHAPE, [("甲", "k")])))
    send(stream, ("clear", None))
    data = stream.getvalue()
    reader = io.BytesIO(data)
    assert receive(reader) == ("contents", (SHAPE, [("甲", "k")]))
    assert receive(reader) == ("clear", None)
    with pytest.raises(EOFError):
        receive(reader)
    cut = io.BytesIO(data[:-3])
    assert receive(cut)[0] == "contents"
    with pytest.raises(EOFError, match="mid-frame"):
        receive(cut)


def test_content_docstring_example_holds():
    c = content.article_content(Article("a", "标题", "微软聘请了苏莱曼。他曾创办DeepMind。"), "k", SHAPE)
    assert [s.text for s in c.sentences] == ["微软聘请了苏莱曼。", "他曾创办DeepMind。"]
    assert c.owners == (0, 0) and c.tokens[0][:2] == ("微软", "聘请") and "deepmind" in c.tokens[0]


def test_workers_that_cannot_start_leave_every_batch_to_the_caller(every_batch_to_workers, monkeypatch, caplog):
    """A missing interpreter (Popen fails) or a worker that dies before it is ready: same contents,
    and after a few such deaths the process stops starting workers instead of retrying each batch."""
    from qa.index import content_process

    items = _items(8)
    own = [article_content(a, k, SHAPE) for a, k in items]
    monkeypatch.setattr(content_workers, "_pools", {})
    monkeypatch.setattr(content_workers, "_failed_starts", 0)
    monkeypatch.setattr(content_process.sys, "executable", "/nonexistent/python")
    with caplog.at_level(logging.WARNING, logger="qa.index.content_workers"):
        assert content_workers.contents(items, SHAPE, 1) == own
    assert "cannot start" in caplog.text and content_workers._pool(1) is None

    monkeypatch.setattr(content_workers, "_failed_starts", 0)
    monkeypatch.setattr(content_process.sys, "executable", content_process.sys.__dict__.get("_base_executable")
                        or "/bin/false")  # starts, then exits at once without a frame
    for _ in range(content_workers._MAX_FAILED_STARTS):
        assert content_workers.contents(items, SHAPE, 1) == own
        content_workers._pools[1].workers[0].proc.wait(timeout=30)  # it has surely stopped now
    assert content_workers.contents(items, SHAPE, 1) == own
    assert content_workers._failed_starts == content_workers._MAX_FAILED_STARTS
    assert content_workers._pool(1) is None
