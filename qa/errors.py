"""The small error hierarchy of the library; every message says what to do next."""
from __future__ import annotations


class QAError(Exception):
    """Base class of the errors this library raises on purpose."""


class ModelLoadError(QAError):
    """The embedding model could not be loaded (offline, missing or broken)."""


class IndexMismatchError(QAError):
    """The index on disk was built with another model or chunking; it must be rebuilt."""


class IndexNotFoundError(QAError, FileNotFoundError):
    """There is no index at the given path yet."""


class IndexLockedError(QAError):
    """Another writer holds the index lock."""


class IndexReadOnlyError(QAError):
    """The index folder cannot be written (read-only mount, permissions): writes are refused,
    and so is a read that SQLite could only do by writing (replaying a ``-wal`` file)."""


class CorpusError(QAError):
    """One corpus file could not be read; the message names the file and the reason.

    ``path`` is the offending file when known, so callers (``kb.sync``) can keep what was
    indexed from it instead of treating the unreadable file as deleted.
    """

    def __init__(self, message: str, path: str | None = None):
        super().__init__(message)
        self.path = path


class BackendUnavailableError(QAError):
    """The index backend (a Milvus server or Milvus Lite file) cannot be reached or opened."""
