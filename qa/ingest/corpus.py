"""Load news articles from a corpus folder or file into :class:`~qa.types.Article` records.

Example::

    >>> errors = []
    >>> articles = list(load_corpus("corpus", errors=errors))   # doctest: +SKIP

A folder is walked recursively in sorted order; hidden files and folders and files named
``README.md`` are skipped; symlinks are followed only to targets inside the folder, and each
real file or folder is visited once (so symlink loops end).  A file named on its own obeys the
same rule: a symlink to a target outside the folder it is in (``corpus/x.md`` → ``/etc/passwd``)
is refused, not read.  A file that cannot be read gives
one :class:`~qa.errors.CorpusError` naming the file and the reason; it is logged as a warning,
appended to ``errors`` when a list is given, and the other files still load.  The file formats
are described in ``corpus/README.md`` and :mod:`qa.ingest.formats`; encodings in :mod:`qa.ingest.charset`.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from qa.ingest.charset import decode_bytes
from qa.errors import CorpusError
from qa.ingest.formats import READERS, Record, declared_charset
from qa.ingest.records import parse_date, to_article
from qa.text.normalize import first_surrogate
from qa.types import Article

__all__ = ["MAX_BYTES", "SUPPORTED", "load_corpus", "load_file", "parse_date"]

log = logging.getLogger(__name__)

# Largest corpus file read (bytes): a news article is a few kB, so this admits a JSONL file of
# thousands of articles but not a stray dump that would fill memory.  Hand-set, not measured.
MAX_BYTES = 20_000_000
SUPPORTED = " ".join(READERS)  # ".md .txt .html .htm .json .jsonl"


def load_corpus(
    path: str | Path,
    *,
    errors: list[CorpusError] | None = None,
    max_bytes: int = MAX_BYTES,
) -> Iterator[Article]:
    """Yield the articles of a corpus folder (recursively) or of a single file.

    Files that fail are logged as warnings, appended to ``errors`` when given, and skipped;
    so are records of a multi-article file that fail, and articles whose id was already used.

    Returns:
        An iterator of articles in sorted path order.

    Raises:
        FileNotFoundError: ``path`` does not exist (raised at once, not on first iteration).
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(
            f"corpus path not found: {path} (expected a folder of {SUPPORTED} files or one of them)"
        )
    return _iter_corpus(path, errors, max_bytes)


def load_file(
    path: Path, root: Path | None = None, *, errors: list[CorpusError] | None = None,
    max_bytes: int = MAX_BYTES,
) -> list[Article]:
    """Read the article(s) of one file.

    Args:
        path: the file.
        root: the corpus folder it belongs to; derived ids, ``Article.path`` and
            ``CorpusError.path`` are relative to it (default: the file's folder).
        errors: if given, a bad record of a multi-article file (``.jsonl`` line, ``.json`` item)
            is logged and appended here and the other records are returned; else it raises.
        max_bytes: larger files are refused.

    Returns:
        The articles of the file, in file order.

    Raises:
        CorpusError: the file (or, without ``errors``, one of its records) cannot be read.
    """
    path = Path(path)
    relpath = _relpath(path, Path(root) if root is not None else path.parent)
    if first_surrogate(relpath):  # undecodable bytes in the name; ids and citations need text
        raise _error(path, relpath, "the file name is not valid UTF-8; rename the file")
    records = _read_records(path, relpath, max_bytes)
    articles = []
    for record in records:
        try:
            if record.error:
                raise ValueError(record.error)
            articles.append(to_article(record, relpath))
        except ValueError as exc:
            error = _error(path, relpath, exc, record.label)
            if errors is None:
                raise error from None
            _report(error, errors)
    return articles


def _iter_corpus(path: Path, errors: list[CorpusError] | None, max_bytes: int) -> Iterator[Article]:
    root = path if path.is_dir() else path.parent
    files = _walk(path, errors) if path.is_dir() else _single_file(path, errors)
    seen: dict[str, str] = {}
    for file in files:
        local: list[CorpusError] = []  # bad records, already logged by load_file
        try:
            articles = load_file(file, root, errors=local, max_bytes=max_bytes)
        except CorpusError as exc:
            _report(exc, errors)
            continue
        if errors is not None:
            errors.extend(local)
        for article in articles:
            if article.id in seen:
                reason = f"duplicate id {article.id!r} (already used by {seen[article.id]})"
                _report(_error(file, article.path, reason + "; skipped"), errors)
                continue
            seen[article.id] = article.path or str(file)
            yield article


def _report(error: CorpusError, errors: list[CorpusError] | None) -> None:
    log.warning("%s", error)
    if errors is not None and error not in errors:
        errors.append(error)


def _single_file(path: Path, errors: list[CorpusError] | None) -> Iterator[Path]:
    """Yield ``path``, a file given on its own, unless it is a symlink out of its folder (refused, as in a walk).

    Without this, ``qa index add corpus/x.md`` would index whatever ``x.md`` points to, e.g. ``/etc/passwd``.
    """
    if path.is_symlink():
        real, folder = Path(os.path.realpath(path)), Path(os.path.realpath(path.parent))
        if folder not in real.parents:
            _report(_error(path, path.name, f"symlink to {real}, outside its folder {folder}; skipped"), errors)
            return iter(())
    return iter([path])


def _walk(root: Path, errors: list[CorpusError] | None) -> Iterator[Path]:
    """Yield the files under ``root`` in sorted path order, following safe symlinks."""
    real_root = Path(os.path.realpath(root))
    visited = {real_root}

    def skip(path: Path, reason: str) -> None:
        _report(_error(path, _relpath(path, root), reason), errors)

    def walk(folder: Path) -> Iterator[Path]:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            skip(folder, f"cannot list folder: {exc.strerror or exc}")
            return
        for entry in entries:
            if entry.name.startswith(".") or entry.name.lower() == "readme.md":
                continue
            path = Path(entry.path)
            kind = _entry_kind(path, real_root, visited, skip)
            if kind == "dir":
                yield from walk(path)
            elif kind == "file":
                yield path

    return walk(root)


def _entry_kind(
    path: Path, real_root: Path, visited: set[Path], skip: Callable[[Path, str], None]
) -> str | None:
    """Return ``"dir"``, ``"file"`` or ``None`` (skip); each real path is visited once."""
    real = Path(os.path.realpath(path))
    if path.is_symlink():
        if not os.path.exists(real):
            skip(path, "broken symlink or symlink loop; skipped")
            return None
        if real != real_root and real_root not in real.parents:
            skip(path, f"symlink to {real}, outside the corpus folder; skipped")
            return None
    if real in visited:
        log.info("%s: already visited as %s (symlink); skipped", path, real)
        return None
    visited.add(real)
    if real.is_dir():
        return "dir"
    return "file" if real.is_file() else None


def _read_records(path: Path, relpath: str, max_bytes: int) -> list[Record]:
    suffix = path.suffix.lower()
    if suffix not in READERS:
        kind = f"file type {suffix}" if suffix else "file without an extension"
        raise _error(path, relpath, f"unsupported {kind} (supported: {SUPPORTED})")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ValueError(f"file is {_size(size)}, over the {_size(max_bytes)} limit")
        data = path.read_bytes()
        if not data.strip():
            raise ValueError("empty file")
        declared = declared_charset(data) if suffix in (".html", ".htm") else None
        text = decode_bytes(data, declared)[0].lstrip("\ufeff")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if not text.strip():
            raise ValueError("empty file")
        return READERS[suffix](text)
    except OSError as exc:
        raise _error(path, relpath, f"cannot read file: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise _error(path, relpath, exc) from None


def _relpath(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.name


def _size(n: int) -> str:
    if n >= 10_000_000:
        return f"{n / 1_000_000:.0f} MB"
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f} MB"
    return f"{n / 1000:.1f} kB" if n >= 1000 else f"{n} bytes"


def _error(path: Path, relpath: str | None, reason: object, label: str = "") -> CorpusError:
    shown = str(path)
    if first_surrogate(shown):  # show undecodable name bytes as \xff, not as unprintable surrogates
        try:
            shown = shown.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        except UnicodeEncodeError:
            shown = shown.encode("utf-8", "backslashreplace").decode("utf-8")
    prefix = f"{shown}: {label}: " if label else f"{shown}: "
    return CorpusError(prefix + str(reason), path=relpath)
