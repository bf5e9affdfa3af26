"""Cut an article into chunks of whole sentences, the unit that is embedded and indexed.

Rules (:func:`chunk_sentences`): a chunk takes whole sentences while its span fits ``size``
characters (one over-long sentence is a chunk of its own).  Short paragraphs are merged with
the following ones while they fit; when the next sentence does not fit and the chunk would end
inside a paragraph, the chunk ends at its last paragraph break instead, provided it stays at
least half full.  Consecutive chunks share ``overlap`` sentences only when the cut falls inside
a paragraph; a cut at a paragraph break has no overlap.

Re-splitting property: for every chunk ``c`` of ``chunk_article(a, max_sentence_chars=m)``,
``split_sentences(c.text, m)`` shifted by ``c.start`` gives exactly the (text, start, end) of the
article's sentences inside ``c``, so quotes can be recomputed from a chunk alone.
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence

from qa.text.sentences import split_sentences
from qa.types import Article, Chunk, Sentence

log = logging.getLogger(__name__)

_MIN_FILL = 0.5  # retreat to a paragraph break only if the chunk keeps this share of ``size``


def chunk_sentences(sentences: Sequence[Sentence], *, size: int = 240, overlap: int = 1) -> list[tuple[int, int]]:
    """Return ``[i, j)`` sentence-index ranges, one per chunk, in order.

    Every sentence is in at least one range; each range starts and ends after the previous one.

    >>> from qa.text.sentences import split_sentences
    >>> chunk_sentences(split_sentences("甲。乙。\\n丙。"), size=5)
    [(0, 2), (2, 3)]

    Raises:
        ValueError: ``size`` is below 1 or ``overlap`` is negative.
    """
    if size < 1:
        raise ValueError(f"size must be at least 1, got {size}")
    if overlap < 0:
        raise ValueError(f"overlap must not be negative, got {overlap}")
    ranges: list[tuple[int, int]] = []
    i, n = 0, len(sentences)
    while i < n:
        j = _fill(sentences, i, size)
        if j < n and sentences[j].paragraph == sentences[j - 1].paragraph:
            k = _last_break(sentences, i, j)
            if k is not None and _span(sentences, i, k) >= size * _MIN_FILL:
                j = k  # end at the paragraph break; the cut paragraph starts the next chunk
        ranges.append((i, j))
        i = _next_start(sentences, i, j, size, overlap)
    return ranges


def _span(sentences: Sequence[Sentence], i: int, j: int) -> int:
    """Characters from the start of sentence ``i`` to the end of sentence ``j - 1``."""
    return sentences[j - 1].end - sentences[i].start


def _fill(sentences: Sequence[Sentence], i: int, size: int) -> int:
    """Return the largest ``j > i`` such that sentences ``[i, j)`` fit ``size`` (at least ``i + 1``)."""
    j = i + 1
    while j < len(sentences) and _span(sentences, i, j + 1) <= size:
        j += 1
    return j


def _last_break(sentences: Sequence[Sentence], i: int, j: int) -> int | None:
    """Return the last ``k`` in ``(i, j)`` where a new paragraph starts, or ``None``."""
    for k in range(j - 1, i, -1):
        if sentences[k].paragraph != sentences[k - 1].paragraph:
            return k
    return None


def _next_start(sentences: Sequence[Sentence], i: int, j: int, size: int, overlap: int) -> int:
    """Return where the chunk after ``[i, j)`` starts: ``j`` minus the overlap that still fits.

    No overlap at a paragraph break or the end.  The overlap shrinks until the next chunk can
    also hold sentence ``j`` and stays within its paragraph, so every chunk adds at least one
    new sentence (progress) and a later retreat to a paragraph break cannot undo that.
    """
    if j >= len(sentences) or sentences[j].paragraph != sentences[j - 1].paragraph:
        return j
    paragraph = sentences[j].paragraph
    for back in range(min(overlap, j - i - 1), 0, -1):
        # Overlap stays inside the cut paragraph, so the next chunk has no break before ``j``.
        if sentences[j - back].paragraph == paragraph and _span(sentences, j - back, j + 1) <= size:
            return j - back
    return j


def chunk_id(article_id: str, start: int, end: int, text: str) -> str:
    """Return the stable id of a chunk: the article id and a hash of its offsets and text.

    >>> chunk_id("a1", 0, 2, "你好")
    'a1:94b161822efa'
    """
    digest = hashlib.sha1(f"{start}:{end}:{text}".encode("utf-8")).hexdigest()[:12]
    return f"{article_id}:{digest}"


def chunk_article(article: Article, *, size: int = 240, overlap: int = 1,
                  max_sentence_chars: int = 300, sentences: Sequence[Sentence] | None = None) -> list[Chunk]:
    """Return the chunks of ``article`` in order; ``article.text[c.start:c.end] == c.text``.

    Ids are stable across rebuilds of an unchanged article and change with a chunk's text.
    ``sentences``, when given, must be ``split_sentences(article.text, max_sentence_chars)``: a
    caller that needs them anyway (the index writer) saves splitting the article twice.

    >>> from qa.types import Article
    >>> [c.text for c in chunk_article(Article("a", "t", "甲。乙。\\n丙。"), size=5)]
    ['甲。乙。', '丙。']

    Raises:
        ValueError: ``size`` or ``max_sentence_chars`` is below 1, or ``overlap`` is negative.
    """
    if sentences is None:
        sentences = split_sentences(article.text, max_sentence_chars)
    chunks = []
    for ordinal, (i, j) in enumerate(chunk_sentences(sentences, size=size, overlap=overlap)):
        start, end = sentences[i].start, sentences[j - 1].end
        text = article.text[start:end]
        chunks.append(Chunk(chunk_id(article.id, start, end, text), article.id, text, start, end, ordinal))
    log.debug("article %s: %d sentences, %d chunks", article.id, len(sentences), len(chunks))
    return chunks
