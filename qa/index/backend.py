"""What the stages above ask of an index backend, whichever holds the data.

Two backends implement these protocols: the folder (SQLite + FTS5 + FAISS, :mod:`qa.index.view`
and :mod:`qa.index.writer`, the default) and Milvus (:mod:`qa.index.milvus_view` and
:mod:`qa.index.milvus_target`, for Milvus Lite files and Milvus servers). Chunking, sentence
splitting, encoding, near-duplicate signatures, follow-ups, fusion and the answer ranker stay
above them and are shared: a backend stores rows and answers lookups, it decides nothing.

``QA_BACKEND`` (``--backend``) picks one: ``folder`` (the default: the index folder
``QA_INDEX_DIR``), ``milvus-lite:PATH.db`` or ``milvus://HOST:PORT[/DATABASE]``.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from qa.index.filters import Filters
from qa.index.store import StoredArticle, StoredChunk

FOLDER = "folder"
_MILVUS_LITE = "milvus-lite:"
_MILVUS_SERVER = ("milvus://", "http://", "https://")


class SearchView(Protocol):
    """One consistent look at an index, held for the length of a query.

    Ids of chunks and sentences are integers the backend chose; they are only meaningful within
    the view that returned them.
    """

    meta: dict[str, str]
    generation: int
    # Whether keyword_search may run on another thread while this one runs dense_search (both
    # reads of the same view; the view's holder waits for both before letting it go).
    concurrent_reads: bool

    @property
    def location(self) -> str:
        """Where the data lives (a data folder or a Milvus URI): caches are keyed by it."""

    def keyword_search(self, tokens: Sequence[str], limit: int, filters: Filters) -> list[tuple[int, float]]:
        """Return up to ``limit`` ``(chunk id, BM25 score)`` for chunks holding any of ``tokens``, best first."""

    def dense_search(self, vector: np.ndarray, limit: int, filters: Filters) -> list[tuple[int, float]]:
        """Return up to ``limit`` ``(sentence id, inner product)`` nearest to ``vector``, best first."""

    def sentence_chunks(self, sentence_ids: Sequence[int]) -> dict[int, int]:
        """Return ``{sentence id: chunk id}`` for the sentences that exist."""

    def chunks_by_id(self, chunk_ids: Sequence[int]) -> dict[int, StoredChunk]:
        """Return the chunks (with their article's citation fields) that exist, by id."""

    def group_members(self, group_ids: set[str]) -> dict[str, list[str]]:
        """Return ``{group id: [article ids in the order they were added]}``."""

    def doc_freq(self, tokens: Sequence[str]) -> tuple[dict[str, int], int]:
        """Return ``({token: chunks holding it}, number of chunks)``; tokens in no chunk are left out."""

    def span_sentences(self, article_id: str, start: int, end: int) -> list[tuple[int, int, str, np.ndarray]]:
        """Return ``(start, end, text, vector)`` of the article's sentences inside ``[start, end)``, in order."""

    def article_count(self) -> int:
        """Return the number of indexed articles (exact duplicates included)."""

    def iter_articles(self) -> Iterator[StoredArticle]:
        """Yield every indexed article, newest first (undated last)."""

    def get_article(self, article_id: str) -> StoredArticle | None:
        """Return one article, or ``None``."""

    def counts(self) -> dict[str, int]:
        """Return ``articles``, ``exact_duplicates``, ``stories``, ``chunks``, ``sentences``, ``vectors``."""

    def sentence_texts_and_vectors(self) -> tuple[list[str], np.ndarray]:
        """Return every indexed sentence's text and its vector (``qa eval``'s dense baseline)."""


class Reader(Protocol):
    """Hands out up-to-date views of one index; safe to share between threads."""

    def view(self) -> AbstractContextManager[SearchView]:
        """Hold an up-to-date view for the block.

        Raises:
            IndexNotFoundError: nothing has been indexed there yet.
        """

    def exists(self) -> bool:
        """Return True when an index has been built there."""

    def close(self) -> None:
        """Release connections (the next ``view()`` reopens)."""


@dataclass(frozen=True)
class BackendAddress:
    """A parsed ``QA_BACKEND`` value: ``kind`` is "folder", "milvus-lite" or "milvus"."""

    kind: str
    target: str = ""  # the .db path (milvus-lite) or the server URI (milvus)
    database: str = ""

    @property
    def label(self) -> str:
        """Return the address as the user wrote it (status lines, error messages)."""
        if self.kind == FOLDER:
            return FOLDER
        if self.kind == "milvus-lite":
            return _MILVUS_LITE + self.target
        return self.target + (f"/{self.database}" if self.database else "")


def parse_backend(value: str) -> BackendAddress:
    """Return the backend named by ``value`` (a ``QA_BACKEND`` / ``--backend`` value).

    >>> parse_backend("milvus://db.example:19530/news")
    BackendAddress(kind='milvus', target='http://db.example:19530', database='news')

    Raises:
        ValueError: ``value`` names no backend; the message lists the forms.
    """
    text = (value or FOLDER).strip()
    if text == FOLDER:
        return BackendAddress(FOLDER)
    if text.startswith(_MILVUS_LITE) and text[len(_MILVUS_LITE):].strip():
        path = text[len(_MILVUS_LITE):].strip()
        if not path.endswith(".db"):
            raise ValueError(f"backend {value!r}: a Milvus Lite file must end in .db (milvus-lite:PATH.db)")
        return BackendAddress("milvus-lite", path)
    for scheme in _MILVUS_SERVER:
        if text.startswith(scheme) and len(text) > len(scheme):
            host, _, database = text[len(scheme):].partition("/")
            web = "https://" if scheme == "https://" else "http://"
            return BackendAddress("milvus", web + host, database.strip("/"))
    raise ValueError(f"unknown backend {value!r}; use folder (the default), milvus-lite:PATH.db "
                     "or milvus://HOST:19530[/DATABASE]")
