"""Load news articles from a corpus folder or file into :class:`~qa.types.Article` records.

Example::

    >>> errors = []
    >>> articles = list(load_corpus("corpus", errors=errors))   # doctest: +SKIP

A folder is walked recursively in sorted order; hidden files and folders and files named
``README.md`` are skipped; symlinks are followed only to targets inside the folder, and each
real file or folder is visited once (so symlink loops end).  A file that cannot be read gives
one :class:`~qa.errors.CorpusError` naming the file and the reason; it is logged as a warning,
appended to ``errors`` when a list is given, and the other files still load.  The file formats
are described in ``corpus/README.md`` and :mod:`qa.formats`; encodings in :mod:`qa.encoding`.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from qa.encoding import decode_bytes
from qa.errors import CorpusError
from qa.formats import READERS, Record, declared_charset, shorten
from qa.text import detect_language, normalize_article_text
from qa.types import Article

logger = logging.getLogger(__name__)

MAX_BYTES = 20_000_000
SUPPORTED = " ".join(READERS)  # ".md .txt .html .htm .json .jsonl"
_STRING_FIELDS = ("title", "source", "url", "author", "language")
_KNOWN = {"id", "text", "date", *_STRING_FIELDS}
_DATE_FORMS = (
    re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:$|[T ]\d)"),  # 2024-10-18, ISO timestamps
    re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]"),  # 2024年10月18日
    re.compile(r"(\d{4})(\d{2})(\d{2})$"),  # 20241018
)


def parse_date(value: Any) -> str | None:
    """Return ``value`` as an ISO date ``YYYY-MM-DD`` (``None`` for ``None`` or blank).

    Accepts ``date`` / ``datetime`` objects, ``2024-10-18``, ``2024/10/18``, ``2024.10.18``,
    ``2024年10月18日``, ``20241018`` (also as an int) and ISO timestamps such as
    ``2024-10-18T09:30:00+08:00`` (the date as written; no time-zone conversion).

    Raises:
        ValueError: the value is not a date in one of those forms, or not a real day.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError(f"expected a date such as 2024-10-18, got {type(value).__name__}")
    text = str(value).strip()
    if not text:
        return None
    for form in _DATE_FORMS:
        match = form.match(text)
        if match:
            year, month, day = (int(part) for part in match.groups())
            try:
                return dt.date(year, month, day).isoformat()
            except ValueError:
                raise ValueError(f"{text!r} is not a real date") from None
    raise ValueError(f"unrecognised date {text!r}; use YYYY-MM-DD")


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
    records = _read_records(path, relpath, max_bytes)
    articles = []
    for record in records:
        try:
            if record.error:
                raise ValueError(record.error)
            articles.append(_to_article(record, relpath))
        except ValueError as exc:
            error = _error(path, relpath, exc, record.label)
            if errors is None:
                raise error from None
            _report(error, errors)
    return articles


def _iter_corpus(path: Path, errors: list[CorpusError] | None, max_bytes: int) -> Iterator[Article]:
    root = path if path.is_dir() else path.parent
    files = _walk(path, errors) if path.is_dir() else iter([path])
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
    logger.warning("%s", error)
    if errors is not None and error not in errors:
        errors.append(error)


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
        logger.info("%s: already visited as %s (symlink); skipped", path, real)
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


def _to_article(record: Record, relpath: str) -> Article:
    """Validate and normalise one record; raises ValueError naming the bad field."""
    fields = record.fields
    text = fields.get("text")
    if not isinstance(text, str):
        raise ValueError(f"field 'text' {'is missing' if text is None else 'must be a string'}")
    text = normalize_article_text(text)
    if not text:
        raise ValueError("field 'text' is empty")
    values = {key: _string(fields, key) for key in _STRING_FIELDS}
    try:
        date = parse_date(fields.get("date"))
    except ValueError as exc:
        raise ValueError(f"field 'date': {exc}") from None
    derived = relpath.rsplit(".", 1)[0] + (f"#{record.number}" if record.number else "")
    extra = {str(k): _meta_value(v) for k, v in fields.items() if k not in _KNOWN and v is not None}
    return Article(
        id=_article_id(fields.get("id")) or derived,
        title=values["title"] or shorten(text.split("\n", 1)[0]),
        text=text,
        source=values["source"],
        date=date,
        url=values["url"],
        author=values["author"],
        language=values["language"] or detect_language(text),
        path=relpath,
        meta=tuple(sorted(extra.items())),
    )


def _string(fields: dict[str, Any], key: str) -> str | None:
    value = fields.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float, dt.date)):
        raise ValueError(f"field {key!r} must be a string")
    text = " ".join(str(value).split()) if key == "title" else str(value).strip()
    return normalize_article_text(text) or None


def _article_id(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError("field 'id' must be a string")
    text = str(value).strip()
    if not text:
        raise ValueError("field 'id' is empty")
    return text


def _meta_value(value: Any) -> str:
    """Extra keys are kept as strings: strings as-is, dates in ISO form, the rest as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return json.dumps(value, ensure_ascii=False, default=str)


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
    prefix = f"{path}: {label}: " if label else f"{path}: "
    return CorpusError(prefix + str(reason), path=relpath)
