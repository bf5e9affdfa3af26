"""The real app under concurrent chat sessions, idle and while `qa index add` runs (hashing encoder).

A small version of ``bench/load_bench.py``: 4 sessions × 3 questions per phase, each session its
own gradio_client and history. Asserts every question got a reply; no timing assertions.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import load_bench  # noqa: E402

pytestmark = pytest.mark.slow


def test_concurrent_sessions_get_replies_idle_and_while_indexing(monkeypatch):
    monkeypatch.setenv("QA_MODEL", "hashing:64")
    report = load_bench.run(sessions=4, duration=None, max_per_session=3, batch=10, skip_indexing=False)
    for phase in ("idle", "indexing"):
        assert report[phase]["errors"] == 0, report[phase]["error_samples"]
        assert report[phase]["requests"] == 12
        assert report[phase]["latency"]["n"] == 12
    job = report["indexing"]["job"]
    assert job["failures"] == [] and job["batches_done"] >= 1


def test_sessions_cycle_first_questions_and_follow_ups():
    session = load_bench.Session(0, client=None)
    asked = []
    for _ in range(4):
        asked.append(session.next_question())
        session.turn += 1
    assert asked[:2] == list(load_bench.QUESTIONS[0])
    assert asked[2] == load_bench.QUESTIONS[1][0]
