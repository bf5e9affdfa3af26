"""Article contents on every core: worker processes beside the calling thread (issue #18).

jieba, MinHash and sentence splitting are pure Python and hold the GIL, so threads cannot share
them out; processes can. :func:`contents` cuts a batch into small tasks. Worker processes take
tasks from the front while the calling thread computes tasks from the back, so the batch ends when
the last task does, whatever each side's speed, and a worker that is still starting (it loads
jieba, about a second) or has died simply gets fewer tasks. A task whose worker failed is computed
by the caller, so a worker never changes an outcome: the contents are exactly what
:func:`qa.index.content.article_content` gives in the caller.

Workers are ``python -m qa.index.content_worker`` subprocesses rather than ``multiprocessing``:
fork would copy the threads of a running app (and any lock they hold), and spawn/forkserver
re-run the caller's main script (``app.py`` builds its whole interface at import). They start on
the first batch large enough and stay, like a loaded model, until the process exits.
"""
from __future__ import annotations

import atexit
import logging
import os
import threading
from collections import deque
from collections.abc import Sequence

from qa.index.content import Content, Shape, article_content
from qa.index.content_process import Item, WorkerProcess

log = logging.getLogger(__name__)

# Below this many characters a batch is computed in the caller alone: a worker's round trip and
# start-up are not worth it (one article is a few thousand characters; jieba cuts ~150k/s).
MIN_CHARS = 40_000
TASK_CHARS = 5_000  # characters per task: small enough that the last task ends soon after the others


def worker_count(setting: int) -> int:
    """Return how many worker processes ``setting`` (``Settings.ingest_workers``) means: itself when
    0 or more, else one fewer than the cores this process may use (the caller computes too)."""
    if setting >= 0:
        return setting
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(cores - 1, 0)


def contents(items: Sequence[Item], shape: Shape, workers: int) -> list[Content]:
    """Return :func:`article_content` of each ``(article, key)`` in ``items``, in order, computed
    by the caller and up to ``workers`` worker processes (none for a small batch).

    Raises:
        Whatever :func:`article_content` raises for an article (then raised in the caller).
    """
    job = start(items, shape, workers)
    return job.result() if job is not None else [article_content(article, key, shape) for article, key in items]


def start(items: Sequence[Item], shape: Shape, workers: int) -> Job | None:
    """Return a job whose worker processes compute the contents of ``items`` from now on (the
    caller joins in with :meth:`Job.result`), or None for a batch too small or no workers."""
    if workers <= 0 or sum(len(a.text) for a, _ in items) < MIN_CHARS:
        return None
    pool = _pool(workers)
    return pool.start(_tasks(items), shape) if pool is not None else None


def _tasks(items: Sequence[Item]) -> list[list[Item]]:
    """Cut ``items`` into runs of about ``TASK_CHARS`` characters, in order."""
    tasks: list[list[Item]] = [[]]
    size = 0
    for item in items:
        if size >= TASK_CHARS:
            tasks.append([])
            size = 0
        tasks[-1].append(item)
        size += len(item[0].text)
    return tasks


def _take_last(pending: deque[int]) -> int | None:
    """Return the last index of ``pending`` (removed), or None when it is empty."""
    try:
        return pending.pop()
    except IndexError:
        return None


class Job:
    """Contents being computed: by the worker processes from the moment it starts (in threads that
    feed them), by the calling thread too once it asks for :meth:`result`; or only those the
    workers made, with :meth:`made`."""

    def __init__(self, workers: list[WorkerProcess], tasks: list[list[Item]], shape: Shape) -> None:
        self.tasks, self.shape = tasks, shape
        self.results: list[list[Content] | None] = [None] * len(tasks)
        self.pending = deque(range(len(tasks)))
        self.feeders = [threading.Thread(target=w.feed, args=(self.pending, tasks, self.results, shape), daemon=True)
                        for w in workers if w.alive]
        for feeder in self.feeders:
            feeder.start()

    def made(self) -> dict[str, Content]:
        """Stop handing out tasks, wait for those a worker holds, and return the contents made so
        far by article id. Nothing is computed here: the caller computes what it still needs (an
        article found unchanged then costs nothing but a worker's time)."""
        self.pending.clear()
        for feeder in self.feeders:
            feeder.join()
        return {article.id: c for task, done in zip(self.tasks, self.results) if done is not None
                for (article, _), c in zip(task, done)}

    def result(self) -> list[Content]:
        """Return the contents of every task's items, in order, computing tasks no worker took.

        Raises:
            Whatever :func:`article_content` raises for an article (then raised in the caller).
        """
        while (i := _take_last(self.pending)) is not None:
            self.results[i] = self._here(i)
        for feeder in self.feeders:
            feeder.join()
        return [c for i, r in enumerate(self.results) for c in (r if r is not None else self._here(i))]

    def _here(self, i: int) -> list[Content]:
        return [article_content(article, key, self.shape) for article, key in self.tasks[i]]


class _Pool:
    """Worker processes shared by the batches of one process."""

    def __init__(self, size: int) -> None:
        """Start ``size`` worker processes.

        Raises:
            OSError: a process could not be started (those already started are ended).
        """
        self.workers: list[WorkerProcess] = []
        try:
            for _ in range(size):
                self.workers.append(WorkerProcess())
        except OSError:
            self.close()
            raise

    def start(self, tasks: list[list[Item]], shape: Shape) -> Job:
        """Return a job computing ``tasks``; the workers begin at once."""
        return Job(self.workers, tasks, shape)

    def healthy(self) -> bool:
        return all(w.running() for w in self.workers)

    def close(self) -> None:
        for worker in self.workers:
            worker.close()


_pools: dict[int, _Pool] = {}
_pools_lock = threading.Lock()
# Workers that stopped before they were ready (a broken install, a missing interpreter): past this
# many the process stops starting them and cuts every batch itself, rather than retry each batch.
_MAX_FAILED_STARTS = 3
_failed_starts = 0


def _pool(size: int) -> _Pool | None:
    """Return the process's pool of ``size`` workers, started (or restarted after a death) now;
    None once workers have failed to start ``_MAX_FAILED_STARTS`` times (logged once)."""
    global _failed_starts
    with _pools_lock:
        pool = _pools.get(size)
        if pool is not None and pool.healthy():
            return pool
        if pool is not None:
            _failed_starts += sum(not (w.running() or w.ready) for w in pool.workers)
            pool.close()
            del _pools[size]
        if _failed_starts >= _MAX_FAILED_STARTS:
            return None
        try:
            pool = _pools[size] = _Pool(size)
        except OSError as exc:
            _failed_starts = _MAX_FAILED_STARTS
            log.warning("content worker processes cannot start (%s); the calling thread cuts every batch", exc)
            return None
        log.info("started %d content worker process(es)", size)
        return pool


def clear_caches() -> None:
    """Make every ready worker forget its cached jieba words, as ``qa.text.tokens.clear_cache`` does
    in the caller (benchmarks time cold batches)."""
    with _pools_lock:
        workers = [w for pool in _pools.values() for w in pool.workers if w.alive and w.ready]
    for worker in workers:
        worker.call("clear", None)


@atexit.register
def close_all() -> None:
    """End every worker process of this process (also run at exit)."""
    with _pools_lock:
        for pool in _pools.values():
            pool.close()
        _pools.clear()
