"""Readers for the corpus file formats; each turns decoded text into raw records.

A record is a dict of the fields found in the file (``id``, ``title``, ``text``, ``source``,
``date``, ``url``, ``author``, ``language`` and any extra keys), not yet validated: turning a
record into an :class:`~qa.types.Article` is the job of :mod:`qa.ingest.corpus`.

Formats:

- ``.md`` / ``.txt``: optional YAML front matter between ``---`` lines, then the body.  Without a
  ``title`` key the title line is taken from the body (see :func:`split_title`).
- ``.html`` / ``.htm``: a saved news page; body text, title, date, url and site name are
  extracted by trafilatura (scripts, navigation, footers and comments are left out).
- ``.json``: one object or a list of objects; ``.jsonl``: one object per line (blank lines are
  skipped).  A bad line or item spoils only itself.
"""
from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from qa.text.urls import safe_url

log = logging.getLogger(__name__)

TITLE_MAX = 100  # a longer first line is a paragraph, not a title
SHORT_TITLE = 60  # length of a title cut from the text when the file gives none
# Bytes searched for <meta charset>: HTML's own prescan reads 1,024; 4 kB also finds one
# behind a long <head> of scripts and styles (a margin, not measured).
_META_SNIFF_BYTES = 4096
_SENTENCE_ENDS = ("。", ".", ";", ";", ":", ":", ",", ",")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
# Never article text; pruned first so that trafilatura's fallback cannot pick them up either.
_PRUNE = ["//nav", "//footer"]
_YAML_ERRORS = (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError)


@dataclass
class Record:
    """One article's raw fields, or the reason it could not be parsed.

    ``number`` is the 1-based line (``.jsonl``) or item (``.json`` list) number, ``None`` for
    single-article files; ``kind`` says which ("line" or "item").
    """

    fields: dict[str, Any] = field(default_factory=dict)
    number: int | None = None
    kind: str = "line"
    error: str | None = None

    @property
    def label(self) -> str:
        """Return e.g. ``"line 3"``, or ``""`` for a single-article file."""
        return "" if self.number is None else f"{self.kind} {self.number}"


def shorten(line: str, limit: int = SHORT_TITLE) -> str:
    """Return ``line`` on one line, cut to ``limit`` characters with an ellipsis."""
    line = " ".join(line.split())
    return line if len(line) <= limit else line[:limit].rstrip() + "…"


def split_title(body: str, markdown: bool = False) -> tuple[str, str]:
    """Split a title off the body of a text file that gives none.

    The first non-empty line is the title and is left out of the text, unless it is longer
    than ``TITLE_MAX`` characters or ends like a sentence (。 . ; : ,): then it is a paragraph,
    stays in the text, and its first ``SHORT_TITLE`` characters become the title.  A file of a
    single line keeps that line as its text too.  In Markdown a ``# heading`` is always a title.

    Returns:
        ``(title, text)``; both empty when the body is blank.
    """
    lines = body.split("\n")
    index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if index is None:
        return "", ""
    first = lines[index].strip()
    rest = "\n".join(lines[index + 1:]).strip()
    if markdown and first.startswith("#") and first.lstrip("#").strip():
        title = first.lstrip("#").strip()
    elif len(first) <= TITLE_MAX and not first.endswith(_SENTENCE_ENDS):
        title = first
    else:
        return shorten(first), body.strip()
    return shorten(title, TITLE_MAX), rest or first


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Split YAML front matter (between ``---`` lines at the very top) from the body.

    Returns:
        ``(fields, body)``; ``fields`` is empty when there is no front matter.

    Raises:
        ValueError: the front matter is unterminated, not valid YAML, or not a mapping.
    """
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return {}, text
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        raise ValueError("front matter starts with '---' but has no closing '---' line")
    try:
        data = yaml.safe_load("\n".join(lines[1:end]))
    except _YAML_ERRORS as exc:
        raise ValueError(f"invalid YAML front matter: {_yaml_reason(exc)}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ValueError(f"front matter must be a mapping of keys, got {type(data).__name__}")
    return {str(k): v for k, v in data.items()}, "\n".join(lines[end + 1:])


def json_reason(exc: BaseException) -> str:
    """Return why JSON (or YAML) could not be read, in words for the user.

    Python refuses integers of more than ``sys.get_int_max_str_digits()`` digits with advice
    for programmers (``sys.set_int_max_str_digits``); that becomes "a number in the file has
    more than N digits". A ``JSONDecodeError`` gives its message and position.
    """
    text = str(exc)
    if isinstance(exc, ValueError) and "integer string conversion" in text:
        return f"a number in the file has more than {sys.get_int_max_str_digits()} digits"
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} (line {exc.lineno}, column {exc.colno})"
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return text if isinstance(exc, ValueError) and text else repr(exc)


def _yaml_reason(exc: BaseException) -> str:
    if isinstance(exc, ValueError) and "integer string conversion" in str(exc):
        return json_reason(exc)
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).split("\n")[0] or type(exc).__name__
    return f"{problem} (line {mark.line + 2})" if mark is not None else problem


def read_text_file(text: str, markdown: bool = False) -> list[Record]:
    """Read a ``.md`` or ``.txt`` file: optional front matter, then the article body.

    In a ``.txt`` file a leading block that is not valid front matter is plain text.

    Returns:
        One record.

    Raises:
        ValueError: bad front matter, or no article text after it.
    """
    try:
        fields, body = split_front_matter(text)
    except ValueError:
        if markdown:
            raise
        fields, body = {}, text  # a .txt that merely starts with a '---' rule
    if not body.strip():
        raise ValueError("no article text after the front matter" if fields else "empty file")
    if "title" not in fields:
        fields["title"], body = split_title(body, markdown)
    fields["text"] = body
    return [Record(fields)]


def read_markdown(text: str) -> list[Record]:
    """Read a ``.md`` file (see :func:`read_text_file`)."""
    return read_text_file(text, markdown=True)


def declared_charset(data: bytes) -> str | None:
    """Return the encoding named by an HTML ``<meta charset>`` in the first 4 kB, if any."""
    match = _META_CHARSET.search(data[:_META_SNIFF_BYTES])
    return match.group(1).decode("ascii") if match else None


def read_html(text: str) -> list[Record]:
    """Extract the article of a saved news page with trafilatura.

    Returns:
        One record with ``text``, ``title`` and, when found, ``date``, ``url``, ``author`` and
        ``source`` (the site name).

    Raises:
        ValueError: the page has no extractable article text.
    """
    import trafilatura  # imported here: it is slow to import and only HTML needs it

    try:
        doc = trafilatura.bare_extraction(
            text, with_metadata=True, include_comments=False, include_tables=True,
            prune_xpath=_PRUNE,
        )
    except Exception as exc:  # a third-party parser: any failure is "cannot parse"
        log.debug("trafilatura failed", exc_info=True)
        raise ValueError(f"cannot parse the HTML page ({type(exc).__name__}: {exc})") from None
    body = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    if not body:
        raise ValueError("no article text found in the HTML page")
    title = (doc.title or "").strip()
    lines = body.split("\n")
    if title and lines[0].strip() == title and len(lines) > 1:
        body = "\n".join(lines[1:]).strip()  # the headline is the title, not body text
    fields: dict[str, Any] = {"text": body, "title": title or None}
    # The page's link is guessed by extraction (og:url, canonical), not declared by whoever saved
    # it: one that is not an http(s) link is dropped, while a declared url field is refused.
    url = doc.url if doc.url and safe_url(doc.url) else None
    for key, value in (("date", doc.date), ("url", url), ("author", doc.author),
                       ("source", doc.sitename or doc.hostname)):
        if value:
            fields[key] = value
    return [Record(fields)]


def read_json(text: str) -> list[Record]:
    """Read a ``.json`` file holding one article object or a list of them.

    Returns:
        One record per object; items that are not objects come back as error records.

    Raises:
        ValueError: invalid JSON, or a top-level value that is neither an object nor a list.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise ValueError(f"invalid JSON: {exc.msg} ({where})") from None
    except (ValueError, RecursionError) as exc:
        raise ValueError(f"invalid JSON: {json_reason(exc)}") from None
    if isinstance(data, dict):
        return [Record(data)]
    if not isinstance(data, list):
        raise ValueError(f"expected a JSON object or a list of objects, got {_kind(data)}")
    if not data:
        raise ValueError("no articles in the file (empty JSON list)")
    return [_object_record(item, number, "item") for number, item in enumerate(data, 1)]


def read_jsonl(text: str) -> list[Record]:
    """Read a ``.jsonl`` file: one article object per line; blank lines are skipped.

    Returns:
        One record per non-blank line; a line with invalid JSON comes back as an error record.

    Raises:
        ValueError: the file has no non-blank line.
    """
    records = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            reason = f"invalid JSON: {exc.msg} (column {exc.colno})"
            records.append(Record(number=number, error=reason))
            continue
        except (ValueError, RecursionError) as exc:
            records.append(Record(number=number, error=f"invalid JSON: {json_reason(exc)}"))
            continue
        records.append(_object_record(item, number, "line"))
    if not records:
        raise ValueError("empty file")
    return records


def _object_record(item: Any, number: int, kind: str) -> Record:
    if isinstance(item, dict):
        return Record(item, number, kind)
    return Record(number=number, kind=kind, error=f"expected a JSON object, got {_kind(item)}")


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    return names.get(type(value), "null" if value is None else "a number")


READERS: dict[str, Callable[[str], list[Record]]] = {
    ".md": read_markdown,
    ".txt": read_text_file,
    ".html": read_html,
    ".htm": read_html,
    ".json": read_json,
    ".jsonl": read_jsonl,
}
