"""Adding news from the browser: a batch of uploaded files or one pasted article → a Chinese report.

Every file of a batch is handled on its own: a refusal (``UploadError``: too large, disk full,
folder not writable, …) or even an unexpected error becomes one report line naming the file,
and the rest of the batch is still saved and reported. The uploader keeps corpus and index in
step for each file (see :mod:`qa.ingest.uploads`).

Example::

    report = add_files(service.uploader, [{"path": "/tmp/gradio/abc/news.md", "orig_name": "news.md"}])
"""
from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from qa.ingest.uploads import Uploader, UploadError, pasted_article, uploaded_file
from qa.ui.web import NO_FILES, escape_text, paste_refused, paste_saved, upload_refused, upload_saved

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]
INTERNAL = "内部错误，没有收录，请查看服务器日志"


def add_files(uploader: Uploader, files: Sequence[Any] | None, progress: Progress | None = None) -> str:
    """Save uploaded files into the corpus folder and index them; return a Markdown report.

    ``files`` are paths (or objects with ``.name`` / dicts with ``path`` and ``orig_name``).
    Each file gets one line: saved, or refused and why (in Chinese); never raises for a file.
    """
    items = [f for f in (files or []) if f]
    if not items:
        return NO_FILES
    lines = []
    for i, item in enumerate(items):
        path, name = uploaded_file(item)
        if progress:
            progress(i / len(items), f"正在收录 {name}")
        try:
            saved = uploader.add_file(Path(path), name)
        except UploadError as exc:
            lines.append(upload_refused(name, exc))
            continue
        except Exception:  # one broken file must not cost the rest of the batch its report
            log.exception("upload of %r failed", name)
            lines.append(f"✗ {escape_text(name)}：{INTERNAL}。")
            continue
        lines.append(upload_saved(name, saved.path.name, [a.title for a in saved.articles]))
    return "\n\n".join(lines)


def add_pasted(uploader: Uploader, limit: int, title: str | None, outlet: str | None, date: str | None,
               url: str | None, text: str | None, progress: Progress | None = None) -> str:
    """Save a pasted article as ``corpus/pasted-<date>-<hash>.md`` and index it; return a report (never raises)."""
    try:
        aid, data = pasted_article(title, outlet, date, url, text, limit)
        if progress:
            progress(0.2, "正在保存并建立索引")
        saved = uploader.add_pasted(aid, data)
    except UploadError as exc:
        return paste_refused(exc)
    except Exception:  # the page must get a report, not an empty error
        log.exception("pasted article failed")
        return f"✗ {INTERNAL}。"
    return paste_saved(saved.articles[0].title, aid, saved.updated)


def discard_uploads(files: Sequence[Any] | None, cache: Path) -> None:
    """Remove the uploaded files' temp copies, and their emptied folders, if they are inside Gradio's ``cache``.

    Files elsewhere (an API client naming a path) are never touched.
    """
    root = Path(os.path.realpath(cache))
    for item in files or []:
        if not item:
            continue
        path = Path(os.path.realpath(uploaded_file(item)[0]))
        if root not in path.parents:
            continue
        try:
            path.unlink(missing_ok=True)
            if path.parent != root:
                path.parent.rmdir()  # Gradio's one-file folder; fails harmlessly if something else is in it
        except OSError as exc:  # gone already, or shared with another upload: delete_cache gets it later
            log.debug("temp upload %s not removed: %s", path, exc)
