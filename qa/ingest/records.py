"""Turn one raw record of a corpus file into a validated :class:`~qa.types.Article`.

:mod:`qa.ingest.formats` reads files into :class:`~qa.ingest.formats.Record` dicts; :func:`to_article` checks
their fields (types, dates, http(s) links, valid Unicode) and normalises them; :func:`parse_date` is shared
with the retrieval filters and the app. :func:`given_articles` puts what a Python caller hands
``KnowledgeBase.add`` (dicts, ``Article`` objects) through the same checks.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from qa.ingest.formats import Record, shorten
from qa.text.language import detect_language
from qa.text.normalize import first_surrogate, normalize_article_text
from qa.text.urls import safe_url
from qa.types import Article

_STRING_FIELDS = ("title", "source", "url", "author", "language")
_KNOWN = {"id", "text", "date", *_STRING_FIELDS}
MAX_META_CHARS = 1_000_000  # an extra field's JSON form
_LISTED_PROBLEMS = 20  # bad articles named in one error message; the rest are counted
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


def to_article(record: Record, relpath: str) -> Article:
    """Validate and normalise one record of the file ``relpath`` (relative to the corpus folder).

    Raises:
        ValueError: a field has the wrong type, a bad date, a link that is not http(s) or invalid
            Unicode, or ``text`` is missing or empty; the message names the field.
    """
    fields = record.fields
    for key, value in fields.items():
        check_unicode(key, "a field name")
        check_unicode(value, f"field {key!r}")
    text = fields.get("text")
    if not isinstance(text, str):
        raise ValueError(f"field 'text' {'is missing' if text is None else 'must be a string'}")
    text = normalize_article_text(text)
    if not text:
        raise ValueError("field 'text' is empty")
    values = {key: _string(fields, key) for key in _STRING_FIELDS}
    if values["url"] and not safe_url(values["url"]):  # the same rule as links shown in the app
        raise ValueError(f"field 'url' must be an http:// or https:// link with a host, got {shorten(values['url'])!r}")
    try:
        date = parse_date(fields.get("date"))
    except ValueError as exc:
        raise ValueError(f"field 'date': {exc}") from None
    derived = relpath.rsplit(".", 1)[0] + (f"#{record.number}" if record.number else "")
    extra = {str(k): _meta_value(str(k), v) for k, v in fields.items() if k not in _KNOWN and v is not None}
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


def given_articles(items: Iterable[Article | Mapping[str, Any]]) -> list[Article]:
    """Return the articles a caller hands ``KnowledgeBase.add``, checked as corpus files are.

    Each item (a dict with ``Article`` field names, extra keys kept in ``meta``, or an ``Article``)
    goes through :func:`to_article`; ``id`` and ``text`` are required, ``title`` defaults to the
    first line. All or nothing: one bad item refuses the whole call, so a caller never has to
    work out which half of a list was stored; the error lists every bad item.

    Raises:
        ValueError: ``items`` is not an iterable of articles, or items are bad; the message names
            each by position (1-based) and id with the reason.
    """
    if isinstance(items, (str, bytes, Mapping, Article)) or not isinstance(items, Iterable):
        raise ValueError(f"expected a list of articles (Article objects or dicts), got {type(items).__name__}")
    articles: list[Article] = []
    problems: list[str] = []
    for number, item in enumerate(items, 1):
        try:
            articles.append(_given_article(item))
        except ValueError as exc:
            aid = item.get("id") if isinstance(item, Mapping) else getattr(item, "id", None)
            label = f" (id {shorten(aid)!r})" if isinstance(aid, str) and aid.strip() else ""
            problems.append(f"article {number}{label}: {exc}")
    if problems:
        listed = problems[:_LISTED_PROBLEMS] + ([f"… and {len(problems) - _LISTED_PROBLEMS} more"]
                                                if len(problems) > _LISTED_PROBLEMS else [])
        total = len(articles) + len(problems)
        raise ValueError(f"{len(problems)} of {total} articles refused, none added:\n  " + "\n  ".join(listed))
    return articles


def _given_article(item: Any) -> Article:
    """Return one item given to ``KnowledgeBase.add`` as a validated ``Article``.

    Raises:
        ValueError: it is not an article, or a field is bad (see :func:`to_article`).
    """
    if isinstance(item, Article):
        fields: dict[Any, Any] = {f.name: getattr(item, f.name) for f in dataclasses.fields(item)}
    elif isinstance(item, Mapping):
        fields = dict(item)
    else:
        raise ValueError(f"expected an Article or a dict, got {type(item).__name__}")
    if fields.get("id") is None:
        raise ValueError("field 'id' is missing")
    path, meta = fields.pop("path", None), fields.pop("meta", None) or ()
    check_unicode(path, "field 'path'")
    try:
        pairs = dict(meta.items() if isinstance(meta, Mapping) else meta)
    except (TypeError, ValueError):
        raise ValueError("field 'meta' must be a dict or (key, value) pairs") from None
    clash = sorted(str(k) for k in pairs if k in _KNOWN or k == "path")
    if clash:
        raise ValueError(f"field 'meta' repeats article fields: {', '.join(clash)}")
    article = to_article(Record(fields={**pairs, **fields}), "")
    return dataclasses.replace(article, path=_string({"path": path}, "path"))


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


def _meta_value(key: str, value: Any) -> str:
    """Extra keys are kept as strings: strings as-is, dates in ISO form, the rest as JSON.

    Raises:
        ValueError: the JSON form would pass ``MAX_META_CHARS`` (YAML aliases can make a few
            lines of front matter expand to gigabytes, "billion laughs", or loop) or cannot be made.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    budget, stack = MAX_META_CHARS, [value]  # walk the value as JSON would, aliases expanded
    while stack:
        item = stack.pop()
        budget -= len(item) if isinstance(item, str) else 1
        if budget < 0:
            raise ValueError(f"field {key!r} is over {MAX_META_CHARS:,} characters as JSON "
                             "(YAML aliases that expand without bound?)")
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (ValueError, TypeError, RecursionError) as exc:
        raise ValueError(f"field {key!r} cannot be stored as JSON: {exc}") from None


def check_unicode(value: Any, label: str) -> None:
    """Raise if a string in ``value`` (nested lists and dicts included) holds a lone surrogate.

    JSON ``\\ud800`` escapes and YAML ``"\\ud800"`` strings produce them; SQLite, the encoders
    and hashing need UTF-8, which cannot hold them, so they are refused with the field's name.

    Raises:
        ValueError: naming ``label`` and the position of the first surrogate.
    """
    stack, seen = [value], set()  # iterative, each container once: deep or aliased YAML is safe
    while stack:
        item = stack.pop()
        if isinstance(item, (dict, list, tuple)):
            if id(item) in seen:
                continue
            seen.add(id(item))
        if isinstance(item, str):
            match = first_surrogate(item)
            if match:
                raise ValueError(f"{label} is not valid Unicode: unpaired surrogate {ascii(match.group())[1:-1]} "
                                 f"at character {match.start()} (\\uD800-\\uDFFF escapes must come in pairs)")
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
