"""Concurrent callers' texts encoded in one call ("group commit"), without waiting for a batch to fill.

The chat app answers several questions at once. A question encoded on its own costs ~18-21 ms of
CPU on 2 threads, against ~13 ms a question in a batch of 4 and ~11 ms in a batch of 8, and
concurrent runs of one ONNX session contend for its thread pool (docs/benchmarks.md). So calls go
through :class:`GroupedCalls`: a caller that finds the encoder idle runs at once with its own texts
(a lone question waits for nothing); callers that arrive while it runs queue up, and when it
finishes, the first of them to wake runs the queued texts (at most ``MAX_GROUP``) as one batch and
hands each caller its rows. No timer: a batch is whatever arrived during the previous run.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

log = logging.getLogger(__name__)

# Texts in one grouped call, set by hand: past 8 short questions a batch saves no more CPU per
# question (11.0 ms at 8, 9.7 ms at 16 on 2 threads) and delays its first caller more.
MAX_GROUP = 8


@dataclass(eq=False)
class _Call:
    """One caller's texts and, once its group has run, its rows or the error that ended the group."""

    texts: list[str]
    done: bool = False
    rows: np.ndarray | None = None
    error: BaseException | None = None


class GroupedCalls:
    """Runs ``encode`` over the texts of calls that arrive while it is busy, in one call. Thread-safe.

    Args:
        encode: returns one row per text, in order (e.g. an encoder's ``queries``).
        max_group: most texts per call (a caller with more texts runs alone).

    Example::

        >>> grouped = GroupedCalls(lambda texts: np.array([[len(t)] for t in texts]))
        >>> grouped(["ab", "abc"]).tolist()
        [[2], [3]]
    """

    def __init__(self, encode: Callable[[list[str]], np.ndarray], max_group: int = MAX_GROUP):
        self._encode = encode
        self._max_group = max(1, max_group)
        self._waiting: list[_Call] = []
        self._busy = False
        self._cond = threading.Condition()

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        """Return ``encode``'s rows for ``texts`` (run alone or in a group with other callers' texts).

        Raises:
            TypeError: ``texts`` is a single string.
            Exception: whatever ``encode`` raised for the group this call was in.
        """
        if isinstance(texts, (str, bytes)):
            raise TypeError("texts must be a sequence of strings, not a single string")
        call = _Call([str(t) for t in texts])
        with self._cond:
            self._waiting.append(call)
            while not call.done:
                if not self._busy:
                    self._busy = True
                    group = self._take()
                    self._cond.release()
                    try:
                        self._run(group)
                    finally:
                        self._cond.acquire()
                        self._busy = False
                        self._cond.notify_all()
                else:
                    self._cond.wait()
        if call.error is not None:
            raise call.error
        return call.rows

    def _take(self) -> list[_Call]:
        """Remove and return the waiting calls of the next group (at least one; caller holds the lock)."""
        group, size = [], 0
        while self._waiting and (not group or size + len(self._waiting[0].texts) <= self._max_group):
            call = self._waiting.pop(0)
            group.append(call)
            size += len(call.texts)
        return group

    def _run(self, group: list[_Call]) -> None:
        """Encode the texts of ``group`` in one call and give each call its rows (or the error)."""
        texts = [t for call in group for t in call.texts]
        try:
            rows = self._encode(texts)
        except BaseException as exc:  # noqa: BLE001 - handed to every caller of the group, re-raised there
            for call in group:
                call.error, call.done = exc, True
            return
        if len(group) > 1:
            log.debug("encoded %d calls (%d texts) in one batch", len(group), len(texts))
        start = 0
        for call in group:
            call.rows, call.done = rows[start:start + len(call.texts)], True
            start += len(call.texts)
