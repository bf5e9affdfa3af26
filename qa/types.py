"""The records that flow one way through the pipeline; all frozen.

``Article`` (corpus) -> ``Sentence`` (text) -> ``Chunk`` (chunking) -> ``Passage`` (retrieve)
-> ``Quote`` / ``Answer`` (answer). Offsets are always character offsets into ``Article.text``.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(frozen=True)
class Article:
    """One news article.

    ``date`` is an ISO date string (``YYYY-MM-DD``) or ``None``; ``meta`` holds extra
    front-matter keys as sorted ``(key, value)`` string pairs so the record stays hashable.
    """

    id: str
    title: str
    text: str
    source: str | None = None
    date: str | None = None
    url: str | None = None
    author: str | None = None
    language: str | None = None
    path: str | None = None
    meta: tuple[tuple[str, str], ...] = ()

    @classmethod
    def coerce(cls, value: "Article | Mapping[str, Any]") -> "Article":
        """Return ``value`` as an ``Article`` (dicts with the field names are accepted).

        Raises:
            ValueError: a required key (``id``, ``title``, ``text``) is missing or not a string.
        """
        if isinstance(value, Article):
            return value
        if not isinstance(value, Mapping):
            raise ValueError(f"expected an Article or a dict, got {type(value).__name__}")
        known = {f.name for f in fields(cls)}
        for key in ("id", "title", "text"):
            if not isinstance(value.get(key), str):
                raise ValueError(f"article field {key!r} must be a string, got {value.get(key)!r}")
        kwargs = {k: v for k, v in value.items() if k in known and k != "meta"}
        for key in ("source", "date", "url", "author", "language", "path"):
            if kwargs.get(key) is not None:
                kwargs[key] = str(kwargs[key])
        extra = {k: str(v) for k, v in value.items() if k not in known}
        return cls(**kwargs, meta=tuple(sorted(extra.items())))


@dataclass(frozen=True)
class Sentence:
    """A sentence: ``article_text[start:end] == text``; ``paragraph`` counts from 0."""

    text: str
    start: int
    end: int
    paragraph: int = 0


@dataclass(frozen=True)
class Chunk:
    """A run of whole sentences of one article, the unit that is embedded and indexed."""

    id: str
    article_id: str
    text: str
    start: int
    end: int
    ordinal: int


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its citation data; ``article.text[start:end] == text``."""

    article_id: str
    chunk_id: str
    text: str
    score: float
    start: int
    end: int
    title: str
    source: str | None = None
    date: str | None = None
    url: str | None = None
    duplicates: tuple[str, ...] = ()


@dataclass(frozen=True)
class Quote:
    """A sentence quoted verbatim: ``article.text[start:end] == text``."""

    text: str
    article_id: str
    start: int
    end: int
    title: str
    source: str | None = None
    date: str | None = None
    url: str | None = None
    score: float = 0.0
    passage: int = 1  # 1-based number of the passage (citation marker) it came from
    also_in: tuple[str, ...] = ()  # ids of reposted copies that carry the same sentence


@dataclass(frozen=True)
class Answer:
    """The answer to one question: quotes with citation markers, or an abstention."""

    question: str
    text: str
    quotes: tuple[Quote, ...] = ()
    passages: tuple[Passage, ...] = ()
    abstained: bool = False
    confidence: float = 0.0
    language: str = "zh"
    query: str = ""  # the retrieval query actually used (after follow-up resolution)
    notes: tuple[str, ...] = field(default=())
