"""Keep an index in step with a corpus folder while files arrive (watchdog, debounced)."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

log = logging.getLogger(__name__)

_POLL_SECONDS = 0.2  # how soon a set ``stop`` is noticed while no files change
_OBSERVER_JOIN_SECONDS = 5  # watchdog's thread normally ends at once; never hang on exit


class _Changed(FileSystemEventHandler):
    def __init__(self, wake: threading.Event):
        self.wake = wake

    def on_any_event(self, event: FileSystemEvent) -> None:
        name = Path(str(event.src_path)).name
        if not name.startswith(".") and event.event_type != "opened" and event.event_type != "closed_no_write":
            self.wake.set()


def watch(kb: Any, path: str | Path, *, debounce: float = 2.0, stop: threading.Event | None = None,
          on_sync: Callable[[Any], None] | None = None) -> None:
    """Sync ``kb`` with the folder ``path`` now, then after each burst of changes, until ``stop`` is set
    (or KeyboardInterrupt). A burst ends after ``debounce`` seconds without further events.

    Raises:
        FileNotFoundError: ``path`` is not a folder.
    """
    root = Path(path)
    if not root.is_dir():
        raise FileNotFoundError(f"cannot watch {root}: not a folder")
    stop = stop or threading.Event()
    wake = threading.Event()
    observer = Observer()
    observer.schedule(_Changed(wake), str(root), recursive=True)
    observer.start()
    try:
        _report(kb.sync(root), on_sync)
        while not stop.is_set():
            if not wake.wait(timeout=_POLL_SECONDS):
                continue
            while wake.is_set() and not stop.is_set():  # wait for quiet
                wake.clear()
                stop.wait(debounce)
            if not stop.is_set():
                _report(kb.sync(root), on_sync)
    finally:
        observer.stop()
        observer.join(timeout=_OBSERVER_JOIN_SECONDS)


def _report(summary: Any, on_sync: Callable[[Any], None] | None) -> None:
    log.info("synced: %s", summary)
    if on_sync is not None:
        on_sync(summary)
