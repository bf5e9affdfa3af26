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
import select
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Sequence
from pathlib import Path

from qa.index.content import Content, Shape, article_content
from qa.index.content_worker import receive, send
from qa.types import Article

log = logging.getLogger(__name__)

# Below this many characters a batch is computed in the caller alone: a worker's round trip and
# start-up are not worth it (one article is a few thousand characters; jieba cuts ~150k/s).
MIN_CHARS = 40_000
TASK_CHARS = 5_000  # characters per task: small enough that the last task ends soon after the others
_IN_FLIGHT = 2  # tasks sent to a worker ahead of its results, so it never waits for the next one
_PIPE_BYTES = 1 << 20
_READY_POLL_S = 0.05  # how often a starting worker's feeder checks whether any task is left for it

Item = tuple[Article, "str | None"]  # an article and its content key (None: computed with the content)


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
    return _pool(workers).start(_tasks(items), shape)


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


class _Worker:
    """One worker subprocess. One batch at a time feeds it (its lock), so concurrent batches share it."""

    def __init__(self) -> None:
        root = str(Path(__file__).resolve().parents[2])  # the folder that holds the qa package
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
        self.proc = subprocess.Popen([sys.executable, "-m", "qa.index.content_worker"], env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.tasks, self.results = self.proc.stdin, self.proc.stdout
        for pipe in (self.tasks, self.results):
            _widen(pipe.fileno())
        self.lock = threading.Lock()
        self.ready = False
        self.alive = True
        self.tasks_done = 0  # over the worker's life (logs and tests)

    def feed(self, pending: deque[int], tasks: list[list[Item]], results: list[list[Content] | None],
             shape: Shape) -> None:
        """Compute tasks taken from the front of ``pending`` into ``results`` until none is left, the
        worker stops, or (while it starts) the caller took them all. A failed task stays ``None``."""
        with self.lock:
            if not self._wait_ready(pending):
                return
            sent: deque[int] = deque()
            while True:
                while len(sent) < _IN_FLIGHT and (i := _take(pending)) is not None:
                    if not self._send(("contents", (shape, tasks[i]))):
                        return
                    sent.append(i)
                if not sent or (reply := self._receive()) is None:
                    return
                i = sent.popleft()
                results[i] = self._value(reply)
                self.tasks_done += 1

    def call(self, kind: str, payload: object) -> object | None:
        """Return the worker's result of task ``kind``, or None when it failed (dead if it stopped)."""
        with self.lock:
            if not (self.alive and self.ready and self._send((kind, payload))):
                return None
            reply = self._receive()
        return None if reply is None else self._value(reply)

    def wait_ready(self) -> bool:
        """Block until the worker said ready; return False if it died first."""
        with self.lock:
            return self._wait_ready(deque([0]))

    def _wait_ready(self, pending: deque[int]) -> bool:
        """Return True once the worker said ready; False as soon as ``pending`` is empty or it died."""
        while self.alive and not self.ready:
            if not pending:
                return False
            if select.select([self.results], [], [], _READY_POLL_S)[0]:
                self.ready = self._receive() is not None
        return self.ready

    def _send(self, message: tuple[str, object]) -> bool:
        try:
            send(self.tasks, message)
            return True
        except OSError as exc:
            return self._died(exc)

    def _receive(self) -> tuple[str, object] | None:
        try:
            return receive(self.results)  # type: ignore[no-any-return]
        except (EOFError, OSError) as exc:
            self._died(exc)
            return None

    @staticmethod
    def _value(reply: tuple[str, object]) -> object | None:
        status, value = reply
        if status != "ok":
            log.warning("a content worker failed on a task (%s); computing it here", value)
            return None
        return value

    def _died(self, exc: BaseException) -> bool:
        self.alive = False
        log.warning("content worker %d stopped (%s, exit code %s); the caller computes its tasks",
                    self.proc.pid, exc, self.proc.poll())
        return False

    def close(self) -> None:
        """Close the worker's stdin (it exits) and reap it; kill it if it does not exit in 2 s."""
        try:
            self.tasks.close()
            self.proc.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()


def _take(pending: deque[int]) -> int | None:
    """Return the first index of ``pending`` (removed), or None when it is empty."""
    try:
        return pending.popleft()  # deque pops are atomic: workers take from the front, the caller the back
    except IndexError:
        return None


def _take_last(pending: deque[int]) -> int | None:
    """Return the last index of ``pending`` (removed), or None when it is empty."""
    try:
        return pending.pop()
    except IndexError:
        return None


def _widen(fd: int) -> None:
    """Give the pipe ``fd`` a 1 MiB buffer where Linux allows it: a worker then writes a result
    without waiting for the caller's feeding thread, which may wait up to 5 ms for the GIL."""
    try:
        import fcntl

        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), _PIPE_BYTES)
    except (ImportError, OSError):
        pass  # the default pipe size: slower, not wrong


class Job:
    """Contents being computed: by the worker processes from the moment it starts (in threads that
    feed them), by the calling thread too once it asks for the result."""

    def __init__(self, workers: list[_Worker], tasks: list[list[Item]], shape: Shape) -> None:
        self.tasks, self.shape = tasks, shape
        self.results: list[list[Content] | None] = [None] * len(tasks)
        self.pending = deque(range(len(tasks)))
        self.feeders = [threading.Thread(target=w.feed, args=(self.pending, tasks, self.results, shape), daemon=True)
                        for w in workers if w.alive]
        for feeder in self.feeders:
            feeder.start()

    @property
    def articles(self) -> list[Article]:
        """The job's articles, in the order of :meth:`result`."""
        return [article for task in self.tasks for article, _ in task]

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
        self.workers = [_Worker() for _ in range(size)]

    def start(self, tasks: list[list[Item]], shape: Shape) -> Job:
        """Return a job computing ``tasks``; the workers begin at once."""
        return Job(self.workers, tasks, shape)

    def healthy(self) -> bool:
        return all(w.alive for w in self.workers)

    def close(self) -> None:
        for worker in self.workers:
            worker.close()


_pools: dict[int, _Pool] = {}
_pools_lock = threading.Lock()


def _pool(size: int) -> _Pool:
    """Return the process's pool of ``size`` workers, started (or restarted after a death) now."""
    with _pools_lock:
        pool = _pools.get(size)
        if pool is None or not pool.healthy():
            if pool is not None:
                pool.close()
            pool = _pools[size] = _Pool(size)
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
