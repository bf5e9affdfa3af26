"""``KnowledgeBase``: the one object that builds, updates and queries an index folder.

Example::

    kb = KnowledgeBase("index")
    kb.sync("corpus")                       # add new/changed files, drop deleted ones
    kb.add([{"id": "x", "title": "标题", "text": "正文。"}])
    passages = kb.retrieve("微软为什么聘请苏莱曼？", k=5)
    answer = kb.answer("why did Microsoft hire Suleyman?")

Every write chunks and embeds first, then takes the folder's lock only to commit, in one SQLite
transaction (vectors included), so a crash leaves the state before or after the update and a
small write waits for one commit at most. Reads never wait for writers.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import faiss
import numpy as np

from qa.config import Settings
from qa.embedding.encoders import Encoder, get_encoder
from qa.embedding.question_encoder import QuestionEncoders
from qa.errors import IndexNotFoundError
from qa.index import compat
from qa.index.backends import open_backend
from qa.index.folder import IndexDir
from qa.index.status import IndexStatus, IndexSummary
from qa.types import Answer, Article, Passage

if TYPE_CHECKING:
    from qa.answering.ranking import SentenceRanking
    from qa.index.writer import IndexWriter

log = logging.getLogger(__name__)

# Keyword searches at once: one per question being answered (the chat app answers 4 at a time);
# a fifth waits for a thread, as it would wait for a core on 2 cores.
KEYWORD_THREADS = 4


class KnowledgeBase:
    """A hybrid (dense + jieba BM25) index of news articles, in one folder or in Milvus.

    Args:
        path: the index folder (created on the first write).
        settings: configuration; defaults to ``Settings.from_env()`` with ``index_dir=path``.
            ``settings.backend`` picks where the index lives (``qa.index.backend``).
        encoder: an explicit encoder (tests); defaults to the model named by the settings.

    Raises:
        ValueError: ``settings.backend`` names no backend.
        BackendUnavailableError: the Milvus backend named cannot be reached or opened.
    """

    def __init__(self, path: str | Path | None = None, *, settings: Settings | None = None,
                 encoder: Encoder | None = None):
        settings = settings or Settings.from_env()
        self.settings = settings if path is None else settings.replace(index_dir=path)
        self.dir = IndexDir(self.settings.index_dir)
        self.backend = open_backend(self.settings, self.dir, lambda: self.encoder)
        self.reader = self.backend.reader
        self._faiss_threads = max(1, self.settings.faiss_threads)
        faiss.omp_set_num_threads(self._faiss_threads)
        self._encoder = encoder
        self._questions = QuestionEncoders(self.settings, lambda: self.encoder, explicit=encoder is not None)
        self._checked: tuple[str, str] | None = None
        self._index_writer: IndexWriter | None = None
        # Keyword searches run here beside dense ones; threads start on first use.
        self._pool = ThreadPoolExecutor(max_workers=KEYWORD_THREADS, thread_name_prefix="qa-keywords")

    @property
    def encoder(self) -> Encoder:
        """The full embedding encoder (loaded on first use: torch, ~10 s of CPU); writes use it."""
        if self._encoder is None:
            self._encoder = get_encoder(self.settings)
        return self._encoder

    @property
    def _writer(self) -> IndexWriter:
        """The write path (imported on first write, so that answering never loads it)."""
        if self._index_writer is None:
            from qa.index.writer import IndexWriter

            self._index_writer = IndexWriter(self.backend.target(), self.settings, lambda: self.encoder)
        return self._index_writer

    @property
    def query_encoder(self) -> Encoder:
        """The encoder for questions on this index (see :class:`qa.embedding.question_encoder.QuestionEncoders`):
        for the bundled model a torch-free engine; no index means :attr:`encoder`.

        Raises:
            qa.errors.ModelLoadError: the full encoder is needed and cannot be loaded.
        """
        if self._questions.explicit:
            return self.encoder
        try:  # one look at the index per question, not a look for it first (the pointer file read twice)
            with self.reader.view() as view:
                return self._questions.for_index(view.meta)
        except IndexNotFoundError:
            return self.encoder

    # ----------------------------------------------------------------- reading
    def __len__(self) -> int:
        """Number of indexed articles (0 when nothing was built yet)."""
        if not self.reader.exists():
            return 0
        with self.reader.view() as view:
            return view.article_count()

    def articles(self) -> list[Article]:
        """Return every indexed article, newest first (undated last)."""
        if not self.reader.exists():
            return []
        with self.reader.view() as view:
            return [s.article for s in view.iter_articles()]

    def article(self, article_id: str) -> Article:
        """Return one indexed article.

        Raises:
            KeyError: no article has this id.
        """
        with self.reader.view() as view:
            stored = view.get_article(article_id)
        if stored is None:
            raise KeyError(f"no article with id {article_id!r} in {view.location}")
        return stored.article

    def status(self) -> IndexStatus:
        """Return counts, model, size on disk and last update of the index."""
        with self.reader.view() as view:
            return self.backend.status(view)

    def retrieve(self, query: str, k: int = 5, *, since: Any = None, until: Any = None,
                 sources: Iterable[str] | None = None, mode: str = "hybrid",
                 query_vector: np.ndarray | None = None) -> list[Passage]:
        """Return the ``k`` best passages for ``query`` (hybrid dense + BM25, duplicates collapsed).

        ``query_vector`` is the query's vector when the caller has it already
        (``kb.query_encoder.queries([query])[0]``, e.g. encoded in a batch); otherwise it is encoded here.

        Raises:
            ValueError: empty or over-long query, ``k`` outside 1..1000, a filter date that does not parse,
                or a ``mode`` other than "hybrid", "dense" (FAISS only) or "bm25" (keywords only).
            IndexNotFoundError: nothing has been indexed at this path.
            IndexMismatchError: the index was built with another embedding model.
        """
        from qa.index.filters import Filters
        from qa.search.hybrid import hybrid_search
        from qa.search.validate import validate_query

        validate_query(query, k)
        filters = Filters.make(since=since, until=until, sources=sources)
        # OpenMP's thread count is a per-thread setting: a question answered in another thread than
        # the one that made this object (Gradio's workers) searched on OpenMP's default, all cores,
        # and a Flat search of 40k vectors took 17.7 instead of 6.9 ms. Set it in the thread that searches.
        faiss.omp_set_num_threads(self._faiss_threads)
        with self.reader.view() as view:
            encoder = self._checked_question_encoder(view.location, view.meta)
            return hybrid_search(view, encoder, query, k, filters, self.settings, mode, query_vector, self._pool,
                                 shift=self._questions.shift(encoder))

    def answer(self, question: str, *, history: Sequence[Any] = (), k: int = 5, since: Any = None,
               until: Any = None, sources: Iterable[str] | None = None) -> Answer:
        """Return an extractive, cited answer to ``question`` (or an abstention).

        ``history`` holds earlier turns (strings, ``Answer``s, or chat messages) for follow-ups.

        Raises:
            ValueError: as for ``retrieve``.
        """
        return self.answer_with_ranking(question, history=history, k=k, since=since, until=until,
                                        sources=sources)[0]

    def answer_with_ranking(self, question: str, *, history: Sequence[Any] = (), k: int = 5, since: Any = None,
                            until: Any = None, sources: Iterable[str] | None = None,
                            query_vector: np.ndarray | None = None) -> tuple[Answer, SentenceRanking]:
        """Return the answer and the sentence ranking it was made from (``qa eval`` scores it).

        ``query_vector`` is the vector of the query the question resolves to, if already encoded.

        Raises:
            ValueError: as for ``retrieve``.
        """
        from qa.answering.pipeline import answer_question
        from qa.index.filters import Filters

        Filters.make(since=since, until=until, sources=sources)  # a bad filter fails before any work

        def retrieve(query: str, n: int, vector: np.ndarray) -> list[Passage]:
            return self.retrieve(query, n, since=since, until=until, sources=sources, query_vector=vector)

        return answer_question(question, retrieve=retrieve, reader=self.reader, encode=self._question_vector,
                               model=self.settings.model, history=history, k=k, query_vector=query_vector)

    def _question_vector(self, text: str) -> np.ndarray:
        """Return the vector of one question (the encoder questions go through)."""
        return self.query_encoder.queries([text])[0]

    # ----------------------------------------------------------------- writing
    def add(self, articles: Iterable[Article | Mapping[str, Any]], *, progress: bool = False) -> IndexSummary:
        """Add or update articles; unchanged ones cost nothing.

        Returns:
            What changed (ids added, updated, unchanged, duplicates; chunk counts; seconds).

        Raises:
            ValueError: any item is not a valid article (see ``qa.ingest.records.given_articles``): all or
                nothing, the message names every bad item.
            IndexMismatchError: the index was built with another model or chunking.
            IndexReadOnlyError: the index folder cannot be written.
            IndexLockedError: another writer kept the lock too long.
        """
        from qa.ingest.records import given_articles  # checked as corpus files are; all or nothing

        return self._writer.add(given_articles(articles), progress)

    def add_stream(self, batches: Iterable[Iterable[Article | Mapping[str, Any]]], *,
                   progress: bool = False) -> Iterator[IndexSummary]:
        """Add batches of articles one after the other, one commit each; yield each one's summary.

        The way to load many articles: while one batch is embedded and committed, worker processes
        already split and tokenise the next (``Settings.ingest_workers``). Each batch is checked
        as :meth:`add` checks its articles; a bad batch raises once the batches before it are in.

        >>> for summary in kb.add_stream(batches_of_1000):  # doctest: +SKIP
        ...     print(summary.chunks_added)

        Raises:
            ValueError, IndexMismatchError, IndexReadOnlyError, IndexLockedError: as :meth:`add`.
        """
        from qa.ingest.records import given_articles

        return self._writer.add_stream((given_articles(batch) for batch in batches), progress)

    def remove(self, ids: Iterable[str]) -> IndexSummary:
        """Remove articles by id; ids that are not indexed are reported in ``missing``."""
        return self._writer.remove(list(dict.fromkeys(ids)))

    def sync(self, path: str | Path | None = None, *, progress: bool = False) -> IndexSummary:
        """Make the index hold exactly the articles of the corpus folder ``path``.

        Files that fail to load are reported in ``errors``; what was indexed from them is kept. The
        folder is listed again under the writer lock: a file present at commit time is never removed,
        nor is an article another writer added after this sync began.

        Raises:
            FileNotFoundError: ``path`` does not exist.
        """
        return self._writer.sync(path or self.settings.corpus_dir, progress)

    def build(self, path: str | Path | None = None, *, progress: bool = False) -> IndexSummary:
        """Index the corpus at ``path`` from scratch into a new folder, then swap it in atomically."""
        return self._writer.build(path or self.settings.corpus_dir, progress)

    # ----------------------------------------------------------------- internals
    def _checked_question_encoder(self, location: str, meta: Mapping[str, str]) -> Encoder:
        """Return the encoder for questions on the index at ``location`` (the light engine if it can be
        had, which loads no torch), checked once per data location against the index's metadata ``meta``.

        Raises:
            IndexMismatchError: another format, model, backend or weights; the message says what to do.
        """
        encoder = self._questions.for_index(meta)
        if self._checked == (location, meta.get("model_fingerprint", "")):
            return encoder
        compat.check_format_and_model(self.backend.where, meta, self.settings)
        compat.check_weights(self.backend.where, meta, self.settings, encoder.fingerprint)
        self._checked = (location, meta.get("model_fingerprint", ""))
        return encoder
