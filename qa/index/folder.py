"""The index folder on disk: a pointer to the live data folder, the writer lock, the manifest.

Layout::

    index/
      CURRENT             name of the live data folder (replaced atomically)
      manifest.json       copy of the live manifest, for people and tools
      .lock               writer lock (flock), holds the writer's pid
      data-<stamp>/       qa.sqlite (+ WAL), vectors.faiss, vectors.json, manifest.json

A full build writes a new data folder and then swaps ``CURRENT`` with one ``os.replace``:
readers see the old index or the new one, never a mix. Data folders that ``CURRENT`` does not
name (left by a crash, or replaced by a build) are removed by the next writer.
"""
from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import secrets
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from qa.errors import IndexLockedError, IndexReadOnlyError

log = logging.getLogger(__name__)

DB_NAME = "qa.sqlite"
VECTORS_NAME = "vectors.faiss"
VECTORS_STAMP = "vectors.json"
MANIFEST_NAME = "manifest.json"
_LOCK_POLL_SECONDS = 0.05  # flock has no timeout: retry this often until the deadline


def write_json_atomic(path: Path, data: Any) -> None:
    """Write ``data`` as JSON to ``path`` via a temporary file and ``os.replace``."""
    tmp = path.with_name(path.name + f".tmp-{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=2)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def read_json(path: Path) -> dict[str, Any] | None:
    """Return the JSON object in ``path``, or ``None`` when it is missing or unreadable."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


class IndexDir:
    """Paths and atomic operations of one index folder."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)

    @property
    def pointer(self) -> Path:
        return self.path / "CURRENT"

    def current(self) -> Path | None:
        """Return the live data folder, or ``None`` when no index was built here."""
        try:
            name = self.pointer.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        data = self.path / name
        return data if name and (data / DB_NAME).exists() else None

    def stamp(self) -> tuple[int, int] | None:
        """Return an identity of the pointer file that changes when a build swaps it."""
        try:
            st = self.pointer.stat()
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns)

    def new_data_dir(self) -> Path:
        """Create and return a fresh, empty data folder (not yet live)."""
        self.path.mkdir(parents=True, exist_ok=True)
        name = time.strftime("data-%Y%m%dT%H%M%S-") + secrets.token_hex(3)
        data = self.path / name
        data.mkdir()
        return data

    def publish(self, data_dir: Path) -> None:
        """Make ``data_dir`` the live index with one atomic rename of the pointer file."""
        tmp = self.path / f"CURRENT.tmp-{os.getpid()}"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(data_dir.name + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.pointer)
        _fsync_dir(self.path)

    def write_manifest(self, data_dir: Path, manifest: dict[str, Any]) -> None:
        """Write the manifest into ``data_dir`` and, if it is live, mirror it at the top level."""
        write_json_atomic(data_dir / MANIFEST_NAME, manifest)
        if self.current() == data_dir:
            write_json_atomic(self.path / MANIFEST_NAME, manifest)

    def cleanup(self) -> None:
        """Remove data folders and temporary files that are not live (call with the lock held)."""
        live = self.current()
        for entry in self.path.glob("data-*"):
            if entry.is_dir() and entry != live:
                log.info("removing stale data folder %s", entry)
                shutil.rmtree(entry, ignore_errors=True)
        for entry in self.path.glob("*.tmp-*"):
            entry.unlink(missing_ok=True)
        if live is not None:
            for entry in live.glob("*.tmp-*"):
                entry.unlink(missing_ok=True)

    @contextmanager
    def lock(self, timeout: float = 30.0) -> Iterator[None]:
        """Hold the writer lock for the block; wait up to ``timeout`` seconds for it.

        Raises:
            IndexLockedError: another process kept the lock for longer than ``timeout``.
            IndexReadOnlyError: the folder, its lock file or the live database cannot be written.
        """
        fd = self._open_lock()
        try:
            _acquire(fd, timeout, self.path)
            os.ftruncate(fd, 0)
            os.write(fd, str(os.getpid()).encode())
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def check_writable(self) -> None:
        """Check that a writer could update this folder (``lock`` does; callers may check earlier,
        before costly work): otherwise a read-only mount fails mid-write with a raw OSError.

        Raises:
            IndexReadOnlyError: the folder, its lock file or the live database cannot be written.
        """
        live = self.current()
        for path in (self.path, self.path / ".lock", *((live, live / DB_NAME) if live else ())):
            if path.exists() and not os.access(path, os.W_OK):  # a read-only mount too (EROFS)
                where = "" if path == self.path else f" {path.relative_to(self.path)}"
                raise self._read_only(f"read-only file system or no permission to write{where or ' it'}")

    def _open_lock(self) -> int:
        """Create the folder if needed and return the opened ``.lock`` file.

        Raises:
            IndexReadOnlyError: naming the folder and what to do.
        """
        self.check_writable()
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            return os.open(self.path / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
                raise self._read_only(exc.strerror or str(exc)) from None
            raise

    def _read_only(self, reason: str) -> IndexReadOnlyError:
        return IndexReadOnlyError(
            f"{self.path}/ is not writable: {reason}; mount it read-write or copy it to a writable "
            f"folder (`qa --index COPY …`) to update it — searching and asking work as it is")


def _acquire(fd: int, timeout: float, path: Path) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
        if time.monotonic() >= deadline:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            raise IndexLockedError(
                f"{path} is being updated by another process (pid {holder}); "
                f"waited {timeout:.0f} s — try again when it finishes"
            )
        time.sleep(_LOCK_POLL_SECONDS)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
