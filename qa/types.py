"""The records that flow one way through the pipeline; all frozen.

``Article`` (corpus) -> ``Sentence`` (text) -> ``Chunk`` (chunking) -> ``Passage`` (retrieve)
-> ``Quote`` / ``Answer`` (answer). Offsets are always character offsets into ``Article.text``.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Article:
    """One news article.

    ``date`` is an ISO date string (``YYYY-MM-DD``) or ``None``; ``meta`` holds extra
    front-matter keys as sorted ``(key, value)`` string pairs so the record stays hashable.
    The record does not check itself: articles enter the index through
    ``qa.ingest.records`` (``to_article`` for files, ``given_articles`` for ``KnowledgeBase.add``).
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
