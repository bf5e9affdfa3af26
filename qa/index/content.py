"""What an article's text alone gives, whatever the index holds: sentences, chunks, their search
tokens, the MinHash signature and its LSH band keys.

This is most of an index write's CPU beyond encoding (jieba above all), and it depends on nothing
but the text and three chunking settings, so :mod:`qa.index.content_workers` can compute it in other
processes. Everything here is a pure function of its arguments.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from qa.config import Settings
from qa.text import duplicates
from qa.text.chunking import chunk_article
from qa.text.sentences import split_sentences
from qa.text.tokens import tokenize
from qa.types import Article, Chunk, Sentence

# A link's words ("microsoft-could-end-up…") are not the article's words: keep them out of BM25.
_LINK = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


@dataclass(frozen=True)
class Content:
    """What an article's text alone gives (so it survives a re-plan under the writer lock)."""

    text: str
    key: str
    signature: bytes
    lsh_keys: tuple[bytes, ...]
    chunks: tuple[Chunk, ...]
    tokens: tuple[tuple[str, ...], ...]
    sentences: tuple[Sentence, ...]
    owners: tuple[int, ...]


@dataclass(frozen=True)
class Shape:
    """The settings that shape an article's content (all a worker process needs to know of them)."""

    chunk_size: int
    chunk_overlap: int
    max_sentence_chars: int

    @classmethod
    def of(cls, settings: Settings) -> "Shape":
        """Return the shape ``settings`` give."""
        return cls(settings.chunk_size, settings.chunk_overlap, settings.max_sentence_chars)


def article_content(article: Article, key: str | None, shape: Shape) -> Content:
    """Return what ``article``'s text gives; ``key`` is its :func:`qa.text.duplicates.content_key`
    (None: computed here).

    >>> c = article_content(Article("a", "标题", "微软聘请了苏莱曼。他曾创办DeepMind。"), "k", Shape(240, 1, 300))
    >>> [s.text for s in c.sentences], c.tokens[0][:2]
    (['微软聘请了苏莱曼。', '他曾创办DeepMind。'], ('微软', '聘请'))
    """
    key = key if key is not None else duplicates.content_key(article.text)
    sig = duplicates.signature(article.text)
    sentences = tuple(split_sentences(article.text, shape.max_sentence_chars))
    chunks = tuple(chunk_article(article, size=shape.chunk_size, overlap=shape.chunk_overlap,
                                 max_sentence_chars=shape.max_sentence_chars, sentences=sentences))
    tokens = tuple(tuple(tokenize(_LINK.sub(" ", c.text))) for c in chunks)
    return Content(article.text, key, sig, duplicates.band_keys(sig), chunks, tokens, sentences,
                   _owners(sentences, chunks))


def _owners(sentences: tuple[Sentence, ...], chunks: tuple[Chunk, ...]) -> tuple[int, ...]:
    """Return, for each sentence, the index of the first chunk that contains it."""
    owners, j = [], 0
    for s in sentences:
        while j < len(chunks) - 1 and not (chunks[j].start <= s.start and s.end <= chunks[j].end):
            j += 1
        owners.append(j)
    return tuple(owners)
