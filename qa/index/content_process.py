"""A content worker process as its caller sees it (:mod:`qa.index.content_workers` runs the pool).

The process is ``python -m qa.index.content_worker`` (:mod:`qa.index.content_worker`), fed tasks
over its stdin and answering on its stdout in pickle frames. One thread at a time feeds it (its
lock); it has ``_IN_FLIGHT`` tasks in hand so it never waits for the feeding thread, which may wait
up to 5 ms for the GIL while the caller computes, and each pipe gets a 1 MiB buffer on Linux so a
result is written without waiting either.
"""
from __future__ import annotations

import logging
import os
import select
import subprocess
import sys
import threading
from collections import deque
from pathlib import Path

from qa.index.content import Content, Shape
from qa.index.content_worker import receive, send
from qa.types import Article

log = logging.getLogger(__name__)

_IN_FLIGHT = 2  # tasks sent to a worker ahead of its results, so it never waits for the next one
_PIPE_BYTES = 1 << 20
_READY_POLL_S = 0.05  # how often a starting worker's feeder checks whether any task is left for it

Item = tuple[Article, "str | None"]  # an article and its content key (None: computed with the content)


class WorkerProcess:
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

    def running(self) -> bool:
        """Return True while the process runs and has not failed a frame."""
        return self.alive and self.proc.poll() is None

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


def _widen(fd: int) -> None:
    """Give the pipe ``fd`` a 1 MiB buffer where Linux allows it: a worker then writes a result
    without waiting for the caller's feeding thread, which may wait up to 5 ms for the GIL."""
    try:
        import fcntl

        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), _PIPE_BYTES)
    except (ImportError, OSError):
        pass  # the default pipe size: slower, not wrong
