"""Add news from the browser: save uploaded files and pasted articles into the corpus folder, then index them.

Uploaded files keep their content byte for byte but get a safe name inside the corpus folder
(never outside it, never hidden, never overwriting another file). Every file is loaded from a
hidden staging folder first, so a file that the corpus loader would refuse never reaches the
corpus. Each save either completes (file in the corpus *and* in the index) or leaves the corpus
folder as it was: a file whose indexing failed (a full disk, an index that cannot be written,
a locked index) is removed again, and a pasted article that replaced its earlier copy gets that
copy back. So corpus and index stay in step and a later ``qa index sync`` changes nothing.
A full disk or an unwritable folder, in the corpus or in the index, is refused as ``disk_full``
or ``unwritable`` naming the file (see :mod:`qa.ingest.upload_errors`), never raised as an
``OSError``/``sqlite3.Error``.

Refusals raise :class:`UploadError`, whose message is English (like every library error) and
whose ``kind`` and ``info`` let the app say it in the user's language (the presentation
stage words each kind; this module imports nothing from it).

Example::

    uploader = Uploader(kb, Path("corpus"), max_bytes=5_000_000)
    saved = uploader.add_file(Path("/tmp/gradio/abc/news.md"), "news.md")
    saved.path, [a.title for a in saved.articles]
"""
from __future__ import annotations

import logging
import os
import re
import shutil
import sqlite3
import tempfile
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qa.errors import CorpusError, IndexLockedError, QAError
from qa.ingest.corpus import load_file
from qa.ingest.formats import READERS
from qa.ingest.pasted import pasted_article
from qa.ingest.upload_errors import (
    KINDS, UploadError, corpus_refusal, loader_refusal, size_text, write_refusal,
)
from qa.types import Article

__all__ = ["KINDS", "SUPPORTED", "Saved", "UploadError", "Uploader", "pasted_article", "reserve_name",
           "safe_filename", "size_text", "uploaded_file"]

log = logging.getLogger(__name__)

SUPPORTED = " ".join(READERS)  # ".md .txt .html .htm .json .jsonl"
_NAME_BAD = re.compile(r"[^\w.\-]+")  # \w is Unicode, so Chinese file names stay readable
MAX_STEM_CHARS = 80  # 80 × 3 UTF-8 bytes + "-999.jsonl" stays under the usual 255-byte file-name limit
MAX_NAME_TRIES = 999  # name, name-2 … name-999: more same-named uploads than anyone makes


@dataclass(frozen=True)
class Saved:
    """One file now in the corpus folder and in the index."""

    path: Path  # where it was saved
    articles: list[Article]  # what was indexed from it, in file order
    updated: bool = False  # a pasted article replaced its earlier copy


def uploaded_file(item: Any) -> tuple[str, str]:
    """Return (path on disk, the name the user gave) for one uploaded file as Gradio passes it.

    ``item`` is a path, an object with ``.name`` (a temp file) or a dict with ``path`` and ``orig_name``.
    """
    if isinstance(item, dict):
        path = str(item.get("path") or item.get("name"))
        return path, str(item.get("orig_name") or Path(path).name)
    path = str(getattr(item, "name", item))
    return path, Path(path).name


def safe_filename(name: str) -> str:
    """Return a safe file name for the corpus folder from an uploaded file's name.

    Only the last path component is kept; characters other than letters, digits, ``.``,
    ``-`` and ``_`` become ``_``; leading dots (hidden files), ``..`` runs and over-long stems
    are removed; ``README`` (ignored by the loader) is renamed.

    Raises:
        UploadError: (``unsupported``) the extension is not one the corpus loader reads.
    """
    base = re.split(r"[\\/]", unicodedata.normalize("NFKC", name or "").strip())[-1].strip()
    stem, suffix = os.path.splitext(base)
    if suffix.lower() not in READERS:
        kind = f"file type {suffix}" if suffix else "file without an extension"
        raise UploadError("unsupported", f"unsupported {kind} (supported: {SUPPORTED})",
                          suffix=suffix, supported=SUPPORTED)
    stem = re.sub(r"\.{2,}", ".", _NAME_BAD.sub("_", stem)).strip("._- ")[:MAX_STEM_CHARS] or "upload"
    if stem.lower() == "readme":
        stem += "-upload"
    return stem + suffix.lower()


def reserve_name(folder: Path, name: str) -> Path:
    """Create and return an empty, new file ``folder/name`` (``name-2``, ``name-3``… if taken).

    Creating it with O_EXCL makes the name ours even against another process.

    Raises:
        UploadError: ``unwritable`` (the folder cannot be written), ``disk_full`` or ``name_taken`` (no free name).
    """
    stem, suffix = os.path.splitext(name)
    for n in range(1, MAX_NAME_TRIES + 1):
        candidate = folder / (name if n == 1 else f"{stem}-{n}{suffix}")
        try:
            os.close(os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
            return candidate
        except FileExistsError:
            continue
        except OSError as exc:
            log.warning("cannot create %s: %s", candidate, exc)
            raise corpus_refusal(exc, folder, candidate.name) from None
    raise UploadError("name_taken", f"no free name for {name} in {folder}")


def read_upload(src: Path, limit: int) -> bytes:
    """Return the content of the uploaded file ``src``, read at most ``limit`` bytes.

    Raises:
        UploadError: ``too_large`` (over ``limit``), ``unreadable`` (an OS error) or ``empty``.
    """
    try:
        size = src.stat().st_size
        if size > limit:
            raise UploadError("too_large", f"file is {size_text(size)}, over the {size_text(limit)} limit",
                              size=size, limit=limit)
        with open(src, "rb") as fh:
            data = fh.read(limit + 1)  # bounded even if the file grew meanwhile
    except OSError as exc:
        log.warning("cannot read upload %s: %s", src, exc)
        raise UploadError("unreadable", f"cannot read file: {exc.strerror or exc}",
                          detail=str(exc.strerror or exc)) from None
    if len(data) > limit:
        raise UploadError("too_large", f"file is over the {size_text(limit)} limit", size=None, limit=limit)
    if not data.strip():
        raise UploadError("empty", "empty file")
    return data


class Uploader:
    """Saves files into one corpus folder and indexes them with ``kb``; one save at a time.

    Args:
        kb: the ``KnowledgeBase`` to add to.
        corpus: the corpus folder (must exist).
        max_bytes: the size limit of one file or pasted text.
        before_write: called before each ``kb.add`` (the app prepares the index there, so
            the first upload does not create an index holding only itself).
    """

    def __init__(self, kb: Any, corpus: Path, max_bytes: int, before_write: Callable[[], object] | None = None):
        self.kb = kb
        self.corpus = Path(corpus)
        self.max_bytes = max_bytes
        self._before_write = before_write or (lambda: None)
        self._lock = threading.Lock()  # kb.add locks the index; this keeps name choice and save together

    def add_file(self, src: Path, name: str) -> Saved:
        """Save the uploaded file ``src`` (the user called it ``name``) under a safe, new name; index it.

        Raises:
            UploadError: the file was refused (nothing is left in the corpus folder).
        """
        safe = safe_filename(name)  # refuses unsupported types before anything is read
        data = read_upload(Path(src), self.max_bytes)
        with self._lock:
            final = reserve_name(self.corpus, safe)
            return Saved(final, self._save_and_index(final, data, created=True))

    def add_pasted(self, aid: str, data: bytes) -> Saved:
        """Save a pasted article (see :func:`pasted_article`) as ``<corpus>/<aid>.md``; index it.

        Raises:
            UploadError: the article could not be indexed (an earlier copy is left as it was).
        """
        with self._lock:
            final = self.corpus / f"{aid}.md"
            existed = final.exists()
            return Saved(final, self._save_and_index(final, data, created=not existed), updated=existed)

    def _save_and_index(self, final: Path, data: bytes, created: bool) -> list[Article]:
        """Write ``data`` to ``final`` (loaded from a staging copy first), then ``kb.add`` it; return its articles.

        ``created``: ``final`` is ours (a reserved placeholder, or no file yet), so a failure removes
        it; otherwise the earlier copy is moved aside and put back on failure.

        Raises:
            UploadError: refused, ``disk_full``/``unwritable`` (corpus or index) or ``index_failed``;
                the corpus folder is then as it was before.
        """
        staging: Path | None = None
        try:
            staging = self._make_staging(final.name)
            tmp = staging / final.name
            _write(tmp, data, self.corpus)
            articles = self._load(tmp, staging)
            self._check_ids(articles, final.name)
            if not created:
                os.replace(final, staging / _PREVIOUS)  # a rename: needs no space, undone on failure
            os.replace(tmp, final)
            self._index(articles, final.name)
        except OSError as exc:  # the renames inside the corpus folder
            self._undo(final, staging, created)
            raise corpus_refusal(exc, self.corpus, final.name) from None
        except BaseException:
            self._undo(final, staging, created)
            raise
        finally:
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)
        return articles

    def _make_staging(self, name: str) -> Path:
        """Return a new hidden folder in the corpus (loaders skip it) to load ``name`` from first."""
        try:
            return Path(tempfile.mkdtemp(prefix=".upload-", dir=self.corpus))
        except OSError as exc:
            log.warning("cannot create a staging folder in %s: %s", self.corpus, exc)
            raise corpus_refusal(exc, self.corpus, name) from None

    def _index(self, articles: list[Article], name: str) -> None:
        """``kb.add`` the articles of the file ``name``; a failure becomes an UploadError."""
        try:
            self._before_write()
            self.kb.add(articles)
        except IndexLockedError as exc:  # another writer held the lock past the wait (one long commit)
            log.warning("indexing %s failed: %s", name, exc)
            raise UploadError("index_busy", f"{name} was not added: {exc}", detail=str(exc), file=name) from None
        except (QAError, ValueError, OSError, sqlite3.Error) as exc:
            log.warning("indexing %s failed: %s", name, exc)
            raise write_refusal(exc, name, "index") or UploadError(
                "index_failed", f"indexing failed: {exc}", detail=str(exc), file=name) from None

    @staticmethod
    def _undo(final: Path, staging: Path | None, created: bool) -> None:
        """Put the corpus folder back as it was: remove our new file, or restore the earlier copy."""
        try:
            previous = staging / _PREVIOUS if staging is not None else None
            if created:
                final.unlink(missing_ok=True)
            elif previous is not None and previous.exists():
                os.replace(previous, final)
        except OSError as exc:  # nothing more to try; the next `qa index sync` brings the index in line
            log.error("cannot undo the failed upload of %s: %s", final, exc)

    def _load(self, path: Path, root: Path) -> list[Article]:
        try:
            articles = load_file(path, root, max_bytes=self.max_bytes)
        except CorpusError as exc:
            raise loader_refusal(str(exc).replace(f"{path}: ", "")) from None
        if not articles:
            raise UploadError("empty", "no articles in the file")
        return articles

    def _check_ids(self, articles: list[Article], relpath: str) -> None:
        for a in articles:
            try:
                existing = self.kb.article(a.id)
            except (KeyError, QAError):
                continue
            except (OSError, sqlite3.Error) as exc:  # opening the index on a full disk
                raise write_refusal(exc, relpath, "index") or UploadError(
                    "index_failed", f"cannot read the index: {exc}", detail=str(exc), file=relpath) from None
            if existing.path and existing.path != (a.path or relpath):
                raise UploadError("id_taken", f"article id {a.id!r} is already used by {existing.path}",
                                  id=a.id, other=existing.path)


_PREVIOUS = ".previous"  # in the staging folder: a pasted article's earlier copy while the new one is indexed


def _write(path: Path, data: bytes, corpus: Path) -> None:
    """Write ``data`` to the new file ``path``; a full disk or unwritable folder becomes an UploadError."""
    try:
        path.write_bytes(data)
    except OSError as exc:
        log.warning("cannot write %s: %s", path, exc)
        raise corpus_refusal(exc, corpus, path.name) from None

