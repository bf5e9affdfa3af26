"""A pasted article (title, outlet, date, link, text from the browser form) → a Markdown file with front matter.

Example::

    aid, data = pasted_article("火星新闻", "新华社", "2021-05-15", "", "祝融号火星车着陆。", limit=5_000_000)
    aid  # 'pasted-2021-05-15-<8 hex digits>'
"""
from __future__ import annotations

import datetime as dt
import hashlib

import yaml

from qa.ingest.records import parse_date
from qa.ingest.upload_errors import UploadError, size_text
from qa.text.urls import safe_url

ID_HASH_CHARS = 8  # hex digits of SHA-1 in a pasted article's id: 4 billion values, short enough to read


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
