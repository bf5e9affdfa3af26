"""Run the real ``app.py`` on 127.0.0.1 for a test or a benchmark, and stop it afterwards.

Shared by ``tests/test_browser.py``, ``tests/test_app.py`` and ``bench/load_bench.py`` (which puts
the project root on ``sys.path``).
"""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Local only: no usage reports, no proxy for 127.0.0.1, output unbuffered for the log.
BASE_ENV = {"GRADIO_ANALYTICS_ENABLED": "False", "PYTHONUNBUFFERED": "1", "QA_HOST": "127.0.0.1",
            "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}


@dataclass(frozen=True)
class App:
    """A running ``app.py`` subprocess and where its files are."""

    url: str
    proc: subprocess.Popen
    log: Path
    index: Path
    corpus: Path
    startup_s: float


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def running_app(workdir: Path, *, corpus: Path = ROOT / "corpus", env: Mapping[str, str] | None = None,
                startup_timeout: float = 600, root: Path = ROOT, index: Path | None = None) -> Iterator[App]:
    """Start ``root/app.py`` on a free 127.0.0.1 port over a copy of ``corpus`` and ``index`` (default:
    a fresh one in ``workdir``); yield it once it answers; terminate it (kill after 20 s) on exit.

    Raises:
        RuntimeError: the app exited, or did not answer within ``startup_timeout`` seconds
            (the message ends with its log).
    """
    copy = workdir / "corpus"
    shutil.copytree(corpus, copy)
    port, log, index = free_port(), workdir / "app.log", index or workdir / "index"
    cmd = [sys.executable, str(root / "app.py"), "--host", "127.0.0.1", "--port", str(port),
           "--index", str(index), "--corpus", str(copy)]
    t0 = time.perf_counter()
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=root, stdout=out, stderr=subprocess.STDOUT,
                                env={**os.environ, **BASE_ENV, **(env or {})})
    try:
        url = f"http://127.0.0.1:{port}/"
        _wait_for(url, proc, log, startup_timeout)
        yield App(url, proc, log, index, copy, round(time.perf_counter() - t0, 1))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_for(url: str, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app.py exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"app.py did not answer within {timeout:.0f} s:\n{log.read_text(errors='replace')[-3000:]}")
