"""Concurrent question encodings are grouped into one call (qa.embedding.batching)."""
from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from qa.embedding.batching import GroupedCalls


class Recorder:
    """An encoder that records each call's texts; the first call blocks until released."""

    def __init__(self, fail_on: str | None = None):
        self.calls: list[list[str]] = []
        self.release = threading.Event()
        self.fail_on = fail_on

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        if len(self.calls) == 1:
            assert self.release.wait(10)
        if self.fail_on in texts:
            raise RuntimeError(f"cannot encode {self.fail_on}")
        return np.array([[float(len(t)), float(ord(t[0]))] for t in texts])


def run_concurrently(grouped: GroupedCalls, recorder: Recorder, first: list[str], others: list[list[str]]) -> dict:
    """Start ``first`` (which blocks in the encoder), queue ``others`` behind it, release; return each result."""
    results: dict[int, object] = {}

    def ask(i: int, texts: list[str]) -> None:
        try:
            results[i] = grouped(texts)
        except Exception as exc:  # noqa: BLE001 - the test looks at it
            results[i] = exc

    threads = [threading.Thread(target=ask, args=(0, first))]
    threads[0].start()
    deadline = time.monotonic() + 10
    while not recorder.calls and time.monotonic() < deadline:
        time.sleep(0.005)
    threads += [threading.Thread(target=ask, args=(i + 1, t)) for i, t in enumerate(others)]
    for t in threads[1:]:
        t.start()
    while len(grouped._waiting) < len(others) and time.monotonic() < deadline:
        time.sleep(0.005)
    recorder.release.set()
    for t in threads:
        t.join(10)
    return results


def test_a_lone_call_runs_at_once_with_its_own_texts():
    recorder = Recorder()
    recorder.release.set()
    rows = GroupedCalls(recorder)(["微软", "OpenAI"])
    assert recorder.calls == [["微软", "OpenAI"]]
    assert rows.tolist() == [[2.0, ord("微")], [6.0, ord("O")]]


def test_calls_arriving_while_busy_run_as_one_batch_and_each_gets_its_rows():
    recorder = Recorder()
    grouped = GroupedCalls(recorder, max_group=8)
    others = [["苏莱曼"], ["Why did Microsoft hire Suleyman?", "纳德拉"], ["估值"]]
    results = run_concurrently(grouped, recorder, ["第一个问题"], others)
    assert recorder.calls[0] == ["第一个问题"]
    assert len(recorder.calls) == 2 and sorted(recorder.calls[1]) == sorted(t for o in others for t in o)
    assert results[0].tolist() == [[5.0, ord("第")]]
    for i, texts in enumerate(others, start=1):
        assert results[i].tolist() == [[float(len(t)), float(ord(t[0]))] for t in texts]


def test_a_group_holds_at_most_max_group_texts():
    recorder = Recorder()
    grouped = GroupedCalls(recorder, max_group=2)
    results = run_concurrently(grouped, recorder, ["a"], [["b"], ["c"], ["d"], ["e", "f", "g"]])
    assert all(len(call) <= 2 for call in recorder.calls[1:-1])
    assert ["e", "f", "g"] in recorder.calls  # a caller with more texts than max_group runs alone
    assert sorted(t for call in recorder.calls for t in call) == list("abcdefg")
    assert results[4].tolist() == [[1.0, ord(c)] for c in "efg"]


def test_an_error_reaches_every_caller_of_its_group_and_later_calls_still_work():
    recorder = Recorder(fail_on="坏")
    grouped = GroupedCalls(recorder)
    results = run_concurrently(grouped, recorder, ["好"], [["坏"], ["也好"]])
    assert results[0].tolist() == [[1.0, ord("好")]]
    assert isinstance(results[1], RuntimeError) and isinstance(results[2], RuntimeError)
    assert "坏" in str(results[1])
    assert grouped(["再问"]).tolist() == [[2.0, ord("再")]]


def test_a_single_string_is_refused():
    with pytest.raises(TypeError, match="sequence of strings"):
        GroupedCalls(Recorder())("微软")
