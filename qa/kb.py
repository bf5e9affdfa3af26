"""``KnowledgeBase``: the one object that builds, updates and queries an index folder.

Example::

    kb = KnowledgeBase("index")
    kb.sync("corpus")                       # add new/changed files, drop deleted ones
    kb.add([{"id": "x", "title": "标题", "text": "正文。"}])
    passages = kb.retrieve("微软为什么聘请苏莱曼？", k=5)
    answer = kb.answer("why did Microsoft hire Suleyman?")

Every write takes the folder's lock and commits in one SQLite transaction (vectors included),
so a crash leaves the state before or after the update. Reads never wait for writers.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import faiss
import numpy as np

from qa.index import compat, store
from qa.config import Settings
from qa.ingest.corpus import load_corpus
from qa.embedding.encoders import Encoder, get_encoder
from qa.embedding.question_encoder import QuestionEncoders
from qa.errors import CorpusError
from qa.index.folder import DB_NAME, IndexDir
from qa.index.view import IndexReader
from qa.index.status import IndexStatus, IndexSummary, index_status, manifest_for, record_change, snapshot_if_due
from qa.types import Answer, Article, Passage

if TYPE_CHECKING:
    from qa.answering.ranking import SentenceRanking

log = logging.getLogger(__name__)



class KnowledgeBase:
    """A hybrid (FAISS + jieba BM25) index of news articles in one folder.

    Args:
        path: the index folder (created on the first write).
        settings: configuration; defaults to ``Settings.from_env()`` with ``index_dir=path``.
        encoder: an explicit encoder (tests); defaults to the model named by the settings.
    """

    def __init__(self, path: str | Path | None = None, *, settings: Settings | None = None,
                 encoder: Encoder | None = None):
        settings = settings or Settings.from_env()
        self.settings = settings if path is None else settings.replace(index_dir=path)
        self.dir = IndexDir(self.settings.index_dir)
        self.reader = IndexReader(self.dir)
        faiss.omp_set_num_threads(max(1, self.settings.faiss_threads))
        self._encoder = encoder
        self._questions = QuestionEncoders(self.settings, lambda: self.encoder, explicit=encoder is not None)
        self._checked: tuple[Path, str] | None = None

    @property
    def encoder(self) -> Encoder:
        """The full embedding encoder (loaded on first use: torch, ~10 s of CPU); writes use it."""
        if self._encoder is None:
            self._encoder = get_encoder(self.settings)
        return self._encoder

    @property
    def query_encoder(self) -> Encoder:
        """The encoder for questions on this index (see :class:`qa.embedding.question_encoder.QuestionEncoders`):
        for the bundled model a torch-free engine; no index means :attr:`encoder`.

        Raises:
            qa.errors.ModelLoadError: the full encoder is needed and cannot be loaded.
        """
        if self._questions.explicit or not self.reader.exists():
            return self.encoder
        with self.reader.view() as view:
            return self._questions.for_index(view.meta)

    # ----------------------------------------------------------------- reading
    def __len__(self) -> int:
        """Number of indexed articles (0 when nothing was built yet)."""
        if not self.reader.exists():
            return 0
        with self.reader.view() as view:
            return int(view.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])

    def articles(self) -> list[Article]:
        """Return every indexed article, newest first (undated last)."""
        if not self.reader.exists():
            return []
        with self.reader.view() as view:
            return [s.article for s in store.iter_articles(view.conn)]

    def article(self, article_id: str) -> Article:
        """Return one indexed article.

        Raises:
            KeyError: no article has this id.
        """
        with self.reader.view() as view:
            stored = store.get_article(view.conn, article_id)
        if stored is None:
            raise KeyError(f"no article with id {article_id!r} in {self.dir.path}")
        return stored.article

    def status(self) -> IndexStatus:
        """Return counts, model, size on disk and last update of the index."""
        with self.reader.view() as view:
            return index_status(self.dir, view)

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
        from qa.search.filters import Filters
        from qa.search.hybrid import hybrid_search
        from qa.search.validate import validate_query

        validate_query(query, k)
        filters = Filters.make(since=since, until=until, sources=sources)
        with self.reader.view() as view:
            encoder = self._check_model(view.data_dir, view.meta, reading=True)
            return hybrid_search(view, encoder, query, k, filters, self.settings, mode, query_vector)

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
        from qa.search.filters import Filters

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
            ValueError: an item is not an article (missing id/title/text).
            IndexMismatchError: the index was built with another model or chunking.
            IndexLockedError: another writer kept the lock too long.
        """
        items = _unique([Article.coerce(a) for a in articles])
        with self.dir.lock():
            return self._write(lambda conn: self._add_rows(conn, items, progress))

    def remove(self, ids: Iterable[str]) -> IndexSummary:
        """Remove articles by id; ids that are not indexed are reported in ``missing``."""
        ids = list(dict.fromkeys(ids))
        with self.dir.lock():
            return self._write(lambda conn: self._remove_rows(conn, ids))

    def sync(self, path: str | Path | None = None, *, progress: bool = False) -> IndexSummary:
        """Make the index hold exactly the articles of the corpus folder ``path``.

        Files that fail to load are reported in ``errors``; what was indexed from them is kept.

        Raises:
            FileNotFoundError: ``path`` does not exist.
        """
        articles, errors = _load(path or self.settings.corpus_dir)
        failed = {e.path for e in errors if e.path}
        with self.dir.lock():
            def apply(conn: Any) -> IndexSummary:
                keep = {a.id for a in articles}
                gone = [s.article.id for s in store.iter_articles(conn)
                        if s.article.id not in keep and s.article.path not in failed]
                summary = self._add_rows(conn, articles, progress)
                return summary.merge(self._remove_rows(conn, gone))
            return self._write(apply).with_errors(errors)

    def build(self, path: str | Path | None = None, *, progress: bool = False) -> IndexSummary:
        """Index the corpus at ``path`` from scratch into a new folder, then swap it in atomically."""
        articles, errors = _load(path or self.settings.corpus_dir)
        with self.dir.lock():
            self.dir.cleanup()
            data = self.dir.new_data_dir()
            conn = store.connect(data / DB_NAME)
            try:
                self._init_meta(conn)
                summary = self._commit(conn, lambda c: self._add_rows(c, _unique(articles), progress))
                snapshot_if_due(data, conn, force=True)
                self.dir.publish(data)
                self.dir.write_manifest(data, manifest_for(conn))
            finally:
                conn.close()
            self.dir.cleanup()
        return summary.with_errors(errors)

    # ----------------------------------------------------------------- internals
    def _write(self, apply: Any) -> IndexSummary:
        data = self.dir.current()
        if data is None:
            data = self.dir.new_data_dir()
            with store.connect(data / DB_NAME) as conn:
                self._init_meta(conn)
            self.dir.publish(data)
        self.dir.cleanup()
        conn = store.connect(data / DB_NAME)
        try:
            self._check_writable(conn)
            summary = self._commit(conn, apply)
            snapshot_if_due(data, conn)
            self.dir.write_manifest(data, manifest_for(conn))
        finally:
            conn.close()
        return summary

    def _commit(self, conn: Any, apply: Any) -> IndexSummary:
        started = time.perf_counter()
        with store.transaction(conn):
            summary: IndexSummary = apply(conn)
            record_change(conn, summary.chunks_added + summary.chunks_removed)
        return summary.timed(time.perf_counter() - started)

    def _add_rows(self, conn: Any, articles: Sequence[Article], progress: bool) -> IndexSummary:
        from qa.index import writing  # imports datasketch and scipy (~0.9 s): not on the question path

        plans, unchanged = writing.prepare(conn, articles, self.encoder, self.settings, progress=progress)
        added, removed = writing.write(conn, plans)
        return IndexSummary.from_plans(plans, unchanged, added, removed)

    def _remove_rows(self, conn: Any, ids: Sequence[str]) -> IndexSummary:
        from qa.index import writing

        gone = writing.remove(conn, ids)
        summary = IndexSummary(removed=gone.removed, missing=gone.missing, chunks_removed=gone.chunks_removed)
        return summary.merge(self._add_rows(conn, gone.promoted, False)) if gone.promoted else summary

    def _init_meta(self, conn: Any) -> None:
        with store.transaction(conn):
            store.set_meta(conn, compat.new_meta(self.settings, self.encoder.fingerprint, self.encoder.dim))

    def _check_writable(self, conn: Any) -> None:
        meta = store.get_meta(conn)
        self._check_model(None, meta)
        compat.check_chunking(self.dir.path, meta, self.settings)

    def _check_model(self, data_dir: Path | None, meta: Mapping[str, str], *, reading: bool = False) -> Encoder:
        """Return the encoder to use with the index described by ``meta`` (for questions when ``reading``:
        the light engine if it can be had, which loads no torch) after checking it made the index.

        Raises:
            IndexMismatchError: another format, model, backend or weights; the message says what to do.
        """
        encoder = self._questions.for_index(meta) if reading else self.encoder
        if data_dir is not None and self._checked == (data_dir, meta.get("model_fingerprint", "")):
            return encoder
        compat.check_format_and_model(self.dir.path, meta, self.settings)
        compat.check_weights(self.dir.path, meta, self.settings, encoder.fingerprint)
        if data_dir is not None:
            self._checked = (data_dir, meta.get("model_fingerprint", ""))
        return encoder


def _unique(articles: Sequence[Article]) -> list[Article]:
    """Keep the last of several articles with one id (a later file version wins)."""
    return list({a.id: a for a in articles}.values())


def _load(path: str | Path) -> tuple[list[Article], list[CorpusError]]:
    errors: list[CorpusError] = []
    articles = list(load_corpus(path, errors=errors))
    return articles, errors
