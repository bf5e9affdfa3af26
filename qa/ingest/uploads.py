"""Add news from the browser: save uploaded files and pasted articles into the corpus folder, then index them.

Uploaded files keep their content byte for byte but get a safe name inside the corpus folder
(never outside it, never hidden, never overwriting another file). Every file is loaded from a
hidden staging folder first, so a file that the corpus loader would refuse never reaches the
corpus; a file that cannot be indexed is removed again, so the corpus folder and the index
stay in step and a later ``qa index sync`` changes nothing.

Refusals raise :class:`UploadError`, whose message is English (like every library error) and
whose ``kind`` and ``info`` let the app say it in the user's language (the presentation
stage words each kind; this module imports nothing from it).

Example::

    uploader = Uploader(kb, Path("corpus"), max_bytes=5_000_000)
    saved = uploader.add_file(Path("/tmp/gradio/abc/news.md"), "news.md")
    saved.path, [a.title for a in saved.articles]
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import re
import shutil
import tempfile
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from qa.errors import CorpusError, QAError
from qa.ingest.charset import BINARY, TRUNCATED
from qa.ingest.corpus import load_file, parse_date
from qa.ingest.formats import READERS
from qa.text.urls import safe_url
from qa.types import Article

log = logging.getLogger(__name__)

SUPPORTED = " ".join(READERS)  # ".md .txt .html .htm .json .jsonl"
KINDS = ("too_large", "unsupported", "unreadable", "undecodable", "empty", "invalid", "id_taken", "unwritable",
         "name_taken", "index_failed", "no_text", "bad_date", "bad_url")  # UploadError.kind values
_NAME_BAD = re.compile(r"[^\w.\-]+")  # \w is Unicode, so Chinese file names stay readable
MAX_STEM_CHARS = 80  # 80 × 3 UTF-8 bytes + "-999.jsonl" stays under the usual 255-byte file-name limit
MAX_NAME_TRIES = 999  # name, name-2 … name-999: more same-named uploads than anyone makes
ID_HASH_CHARS = 8  # hex digits of SHA-1 in a pasted article's id: 4 billion values, short enough to read


def size_text(n: int) -> str:
    """Return a byte count for people: 812 bytes, 4.2 kB, 5 MB (decimal units, as browsers show sizes)."""
    if n < 1000:
        return f"{n} bytes"
    value, unit = (n / 1_000_000, "MB") if n >= 1_000_000 else (n / 1000, "kB")
    return f"{value:.1f}".rstrip("0").rstrip(".") + " " + unit


class UploadError(QAError):
    """A file or pasted article was refused.

    Attributes:
        kind: why, one of :data:`KINDS` (``too_large``, ``unsupported``, ``empty``, …).
        info: the facts a message needs (``size`` and ``limit`` in bytes, ``suffix``,
            ``detail``, ``id``, ``other``, ``value``), by kind.
    """

    def __init__(self, kind: str, message: str, **info: Any):
        super().__init__(message)
        self.kind = kind
        self.info = info


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
        UploadError: ``unwritable`` (the folder cannot be written) or ``name_taken`` (no free name).
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
            raise UploadError("unwritable", f"cannot write to {folder}: {exc.strerror or exc}",
                              detail=str(exc.strerror or exc)) from None
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


def pasted_article(title: str | None, outlet: str | None, date: str | None, url: str | None,
                   text: str | None, limit: int) -> tuple[str, bytes]:
    """Return (article id, Markdown file content with YAML front matter) for a pasted article.

    The id is ``pasted-<date or today>-<hash of title, outlet and text>``, so pasting the same
    article again updates it instead of adding a copy.

    Raises:
        UploadError: ``no_text``, ``too_large`` (``text`` over ``limit`` bytes), ``bad_date`` or ``bad_url``.
    """
    text = (text or "").replace("\r\n", "\n").strip()
    title, outlet, url = " ".join((title or "").split()), (outlet or "").strip(), (url or "").strip()
    if not text:
        raise UploadError("no_text", "the article text is empty")
    size = len(text.encode("utf-8"))
    if size > limit:
        raise UploadError("too_large", f"the text is {size_text(size)}, over the {size_text(limit)} limit",
                          size=size, limit=limit)
    try:
        day = parse_date((date or "").strip() or None)
    except ValueError as exc:
        raise UploadError("bad_date", str(exc), value=date or "") from None
    if url and not safe_url(url):
        raise UploadError("bad_url", f"not an http(s) link: {url!r}", value=url)
    digest = hashlib.sha1(f"{title}\n{outlet}\n{text}".encode("utf-8")).hexdigest()[:ID_HASH_CHARS]
    aid = f"pasted-{day or dt.date.today().isoformat()}-{digest}"
    front = {k: v for k, v in {"id": aid, "title": title, "source": outlet, "date": day, "url": url}.items() if v}
    data = f"---\n{yaml.safe_dump(front, allow_unicode=True, sort_keys=False)}---\n\n{text}\n".encode("utf-8")
    return aid, data


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
        """Write ``data`` to ``final`` (loaded from a staging copy first), then ``kb.add`` it.

        ``created``: ``final`` is ours (a reserved placeholder), so a failure removes it.
        """
        staging = Path(tempfile.mkdtemp(prefix=".upload-", dir=self.corpus))  # hidden: loaders skip it
        try:
            tmp = staging / final.name
            tmp.write_bytes(data)
            articles = self._load(tmp, staging)
            self._check_ids(articles, final.name)
            os.replace(tmp, final)
        except BaseException:
            if created:
                final.unlink(missing_ok=True)
            raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        try:
            self._before_write()
            self.kb.add(articles)
        except (QAError, ValueError) as exc:
            if created:
                final.unlink(missing_ok=True)  # keep corpus and index in step
            log.warning("indexing %s failed: %s", final, exc)
            raise UploadError("index_failed", f"indexing failed: {exc}", detail=str(exc)) from None
        return articles

    def _load(self, path: Path, root: Path) -> list[Article]:
        try:
            articles = load_file(path, root, max_bytes=self.max_bytes)
        except CorpusError as exc:
            raise _refusal(str(exc).replace(f"{path}: ", "")) from None
        if not articles:
            raise UploadError("empty", "no articles in the file")
        return articles

    def _check_ids(self, articles: list[Article], relpath: str) -> None:
        for a in articles:
            try:
                existing = self.kb.article(a.id)
            except (KeyError, QAError):
                continue
            if existing.path and existing.path != (a.path or relpath):
                raise UploadError("id_taken", f"article id {a.id!r} is already used by {existing.path}",
                                  id=a.id, other=existing.path)


def _refusal(reason: str) -> UploadError:
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
