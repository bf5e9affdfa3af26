"""Why an upload or pasted article was refused: :class:`UploadError` and the causes it is built from.

Besides the loader's refusals, an upload can fail while writing: the corpus folder or the index
may be on a full disk, or not writable. :func:`write_failure` recognises those causes in the
``OSError`` or ``sqlite3.Error`` that a write raised (directly or as the cause of a library
error), so the app can say "disk full" or "not writable" instead of a traceback.

Example::

    >>> write_failure(OSError(28, "No space left on device"))
    'disk_full'
"""
from __future__ import annotations

import errno
import sqlite3
from pathlib import Path
from typing import Any

from qa.errors import IndexReadOnlyError, QAError
from qa.ingest.charset import BINARY, TRUNCATED

KINDS = ("too_large", "unsupported", "unreadable", "undecodable", "empty", "invalid", "id_taken", "unwritable",
         "disk_full", "name_taken", "index_busy", "index_failed", "no_text", "bad_date",
         "bad_url")  # UploadError.kind values
_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}  # no space left; disk quota exceeded
_UNWRITABLE_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS}
# SQLite's result codes (sqlite3.Error.sqlite_errorcode, Python 3.11+) and fixed messages for them.
_SQLITE_FULL, _SQLITE_READONLY, _SQLITE_CANTOPEN, _SQLITE_PERM = 13, 8, 14, 3
_SQLITE_FULL_TEXT = "database or disk is full"
_SQLITE_READONLY_TEXT = ("readonly database", "unable to open database")


def size_text(n: int) -> str:
    """Return a byte count for people: 812 bytes, 4.2 kB, 5 MB (decimal units, as browsers show sizes)."""
    if n < 1000:
        return f"{n} bytes"
    value, unit = (n / 1_000_000, "MB") if n >= 1_000_000 else (n / 1000, "kB")
    return f"{value:.1f}".rstrip("0").rstrip(".") + " " + unit


class UploadError(QAError):
    """A file or pasted article was refused.

    Attributes:
        kind: why, one of :data:`KINDS` (``too_large``, ``unsupported``, ``empty``, ``disk_full``, …).
        info: the facts a message needs (``size`` and ``limit`` in bytes, ``suffix``,
            ``detail``, ``id``, ``other``, ``value``, ``file``, ``place``), by kind.
    """

    def __init__(self, kind: str, message: str, **info: Any):
        super().__init__(message)
        self.kind = kind
        self.info = info


def write_failure(exc: BaseException) -> str | None:
    """Return ``"disk_full"``, ``"unwritable"`` or None (another cause) for an error raised by a write.

    ``exc`` and the errors it was raised from (``__cause__``, ``__context__``) are looked at,
    so a library error wrapping an ``OSError`` or ``sqlite3.OperationalError`` is recognised too.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, IndexReadOnlyError):
            return "unwritable"
        if isinstance(current, OSError) and current.errno is not None:
            if current.errno in _FULL_ERRNOS:
                return "disk_full"
            if current.errno in _UNWRITABLE_ERRNOS:
                return "unwritable"
        if isinstance(current, sqlite3.Error):
            code = getattr(current, "sqlite_errorcode", None)
            text = str(current).lower()
            if code == _SQLITE_FULL or _SQLITE_FULL_TEXT in text:
                return "disk_full"
            if code in (_SQLITE_READONLY, _SQLITE_CANTOPEN, _SQLITE_PERM) or any(t in text for t in _SQLITE_READONLY_TEXT):
                return "unwritable"
        current = current.__cause__ or current.__context__
    return None


def write_refusal(exc: BaseException, file: str, place: str) -> UploadError | None:
    """Return the UploadError for a failed write of ``file`` to ``place`` (``"corpus"`` or ``"index"``),
    or None when ``exc`` is neither a full disk nor a folder that cannot be written."""
    kind = write_failure(exc)
    if kind is None:
        return None
    what = "the disk is full" if kind == "disk_full" else "it cannot be written"
    return UploadError(kind, f"{file} was not added: {what} ({place}: {exc})", file=file, place=place,
                       detail=str(exc))


def loader_refusal(reason: str) -> UploadError:
    """Return the UploadError for a loader refusal ``reason`` (a ``CorpusError`` without the path)."""
    # The loader reports these causes with fixed texts; everything else is a format error
    # whose English detail (e.g. "line 2: invalid JSON …") is what locates the problem.
    if reason.endswith(BINARY) or TRUNCATED in reason:
        return UploadError("undecodable", reason, detail=reason)
    if reason.endswith("empty file") or reason.startswith("no article"):  # also front matter only, empty lists
        return UploadError("empty", reason, detail=reason)
    if reason.startswith("cannot read file"):
        return UploadError("unreadable", reason, detail=reason)
    return UploadError("invalid", reason, detail=reason)


def corpus_refusal(exc: OSError, corpus: Path | str, name: str) -> UploadError:
    """Return the refusal for a failed write of ``name`` into the corpus folder: ``disk_full`` or ``unwritable``."""
    return write_refusal(exc, name, "corpus") or UploadError(
        "unwritable", f"cannot write {name} to {corpus}: {exc.strerror or exc}", file=name, place="corpus",
        detail=str(exc.strerror or exc))
