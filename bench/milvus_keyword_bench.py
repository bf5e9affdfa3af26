"""Keyword (BM25-only) retrieval: the folder backend's FTS5 against three ways of doing it in Milvus.

Every variant indexes the SAME chunks (each CMRC 2018 trial paragraph chunked as the product does:
240 characters, 1 sentence overlap) and answers every question with its top 5 chunks. A hit is a
chunk of the question's own paragraph; R@k = share of questions with a hit in the top k.

  fts5            the folder backend: SQLite FTS5 bm25() over " ".join(tokenize(chunk)), queried
                  with the question's informative tokens (``qa.search.keyword.informative``)
  milvus-hashed   the Milvus backend: tokens as hashed ASCII words (``term_word``), standard
                  analyzer + BM25 function, queried with the hashed informative tokens
  milvus-jieba    Milvus's own jieba analyzer over the raw chunk text, queried with the raw
                  question (``{"tokenizer": "jieba"}``, and the explicit search-mode form)
  milvus-sparse   our own BM25 document weights in a SPARSE_FLOAT_VECTOR (IP metric), the query
                  vector holding each informative term's idf

Informative = the distinct query tokens found in < 50 % of chunks (the rarest if none is), from
chunk counts computed once here. "index s" excludes tokenising the chunks for the variants that
use our tokens (printed once, shared); "query p50" is per question, tokenising included. Each
run uses a fresh Milvus Lite file in a temporary folder.

Usage: .venv/bin/python bench/milvus_keyword_bench.py [--data ../shared/data/cmrc2018_trial.json]
       [--limit N]
"""
from __future__ import annotations

import argparse
import hashlib
import logging
import math
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qa.eval.retrieval import Question, load_squad  # noqa: E402
from qa.index.fts import bm25_search  # noqa: E402
from qa.index.milvus_store import term_word  # noqa: E402
from qa.search.keyword import COMMON_SHARE  # noqa: E402
from qa.text.chunking import chunk_article  # noqa: E402
from qa.text.tokens import tokenize  # noqa: E402
from qa.types import Article, Chunk  # noqa: E402

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "cmrc2018_trial.json"
TOP = 5
K1, B = 1.2, 0.75
BATCH = 500
Search = Callable[[Question], list[int]]  # chunk positions, best first


@dataclass
class Corpus:
    chunks: list[Chunk]
    tokens: list[list[str]]  # our jieba search-mode tokens of each chunk
    df: Counter  # token -> number of chunks holding it


def build_corpus(articles: Sequence[Article]) -> Corpus:
    chunks = [c for a in articles for c in chunk_article(a, size=240, overlap=1, max_sentence_chars=300)]
    tokens = [tokenize(c.text) for c in chunks]
    return Corpus(chunks, tokens, Counter(t for toks in tokens for t in set(toks)))


def informative(corpus: Corpus, tokens: Sequence[str]) -> list[str]:
    """``qa.search.keyword.informative`` over this corpus's chunk counts."""
    unique = list(dict.fromkeys(t for t in tokens if t.strip()))
    kept = [t for t in unique if corpus.df.get(t, 0) < COMMON_SHARE * len(corpus.chunks)]
    return kept or ([min(unique, key=lambda t: corpus.df.get(t, 0))] if unique else [])


def term_id(token: str) -> int:
    """A stable 31-bit id of a token (the sparse vector's dimension)."""
    return int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=4).digest(), "big") >> 1


# ------------------------------------------------------------ (a) folder backend: FTS5
def fts5_variant(corpus: Corpus) -> Search:
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    conn.execute("CREATE VIRTUAL TABLE chunks_fts USING fts5(tokens, tokenize = 'unicode61 remove_diacritics 0')")
    conn.executemany("INSERT INTO chunks_fts (rowid, tokens) VALUES (?, ?)",
                     [(i + 1, " ".join(toks)) for i, toks in enumerate(corpus.tokens)])
    conn.commit()

    def search(q: Question) -> list[int]:
        return [rowid - 1 for rowid, _ in bm25_search(conn, informative(corpus, tokenize(q.text)), TOP)]
    return search


# ------------------------------------------------------------ Milvus variants
def create(client: Any, name: str, analyzer: dict[str, Any] | None) -> None:
    """A collection ``pk, text, sparse``: with ``analyzer``, a BM25 function fills ``sparse`` from
    ``text``; without, ``sparse`` is written by the client and searched by inner product."""
    from pymilvus import DataType, Function, FunctionType

    schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("pk", DataType.INT64, is_primary=True)
    extra = {"enable_analyzer": True, "analyzer_params": analyzer} if analyzer else {}
    schema.add_field("text", DataType.VARCHAR, max_length=65_535, **extra)
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    if analyzer:
        schema.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["text"],
                                     output_field_names=["sparse"]))
    index = client.prepare_index_params()
    index.add_index(field_name="sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25" if analyzer else "IP")
    client.create_collection(name, schema=schema, index_params=index, consistency_level="Strong")


def fill(client: Any, name: str, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        client.insert(name, rows[start:start + BATCH])
    client.flush(name)


def searcher(client: Any, name: str, query: Callable[[Question], Any]) -> Search:
    """Search ``name`` with ``query(question)`` (a string for BM25, a dict for IP; empty: no hits)."""
    def search(q: Question) -> list[int]:
        data = query(q)
        if not data:
            return []
        hits = client.search(name, data=[data], anns_field="sparse", limit=TOP, output_fields=["pk"])
        return [int(h["pk"]) for h in hits[0]]  # Milvus Lite: BM25 as negative distance, best first
    return search


def hashed_variant(client: Any, corpus: Corpus) -> Search:
    create(client, "hashed", {"type": "standard"})
    fill(client, "hashed", [{"pk": i, "text": " ".join(term_word(t) for t in toks)}
                            for i, toks in enumerate(corpus.tokens)])
    return searcher(client, "hashed", lambda q: " ".join(
        dict.fromkeys(term_word(t) for t in informative(corpus, tokenize(q.text)))))


def jieba_variant(client: Any, corpus: Corpus, name: str, tokenizer: Any) -> Search:
    create(client, name, {"tokenizer": tokenizer})
    fill(client, name, [{"pk": i, "text": c.text} for i, c in enumerate(corpus.chunks)])
    return searcher(client, name, lambda q: q.text)


def doc_weights(tokens: Sequence[str], avgdl: float) -> dict[int, float]:
    """BM25's document side: tf·(k1+1) / (tf + k1·(1 − b + b·dl/avgdl)) per term."""
    norm = K1 * (1 - B + B * len(tokens) / avgdl)
    return {term_id(t): tf * (K1 + 1) / (tf + norm) for t, tf in Counter(tokens).items()}


def sparse_variant(client: Any, corpus: Corpus) -> Search:
    create(client, "sparse", None)
    avgdl = float(np.mean([len(t) for t in corpus.tokens])) or 1.0
    fill(client, "sparse", [{"pk": i, "text": "", "sparse": doc_weights(toks, avgdl) or {0: 0.0}}
                            for i, toks in enumerate(corpus.tokens)])
    n = len(corpus.chunks)

    def query(q: Question) -> dict[int, float]:
        df = {t: corpus.df.get(t, 0) for t in informative(corpus, tokenize(q.text))}
        return {term_id(t): math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items() if d}
    return searcher(client, "sparse", query)


# ------------------------------------------------------------ running
def first_hit(found: Sequence[int], corpus: Corpus, gold: str) -> int | None:
    return next((r + 1 for r, i in enumerate(found) if corpus.chunks[i].article_id == gold), None)


def measure(name: str, build: Callable[[], Search], corpus: Corpus, questions: Sequence[Question]) -> dict[str, Any]:
    """Build one variant and ask every question; a failure is reported, not raised."""
    try:
        t0 = time.perf_counter()
        search = build()
        index_s = time.perf_counter() - t0
        ranks, ms = [], []
        for q in questions:
            t = time.perf_counter()
            found = search(q)
            ms.append((time.perf_counter() - t) * 1000)
            ranks.append(first_hit(found, corpus, q.paragraph_id))
    except Exception as exc:  # noqa: BLE001 - a variant Milvus Lite rejects is a result, not a crash
        return {"variant": name, "error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}"}
    share = lambda k: sum(r is not None and r <= k for r in ranks) / max(len(ranks), 1)  # noqa: E731
    return {"variant": name, "R@1": share(1), "R@5": share(5), "index_s": index_s,
            "p50_ms": float(np.percentile(ms, 50)) if ms else 0.0}


def print_table(rows: list[dict[str, Any]]) -> None:
    print(f"{'variant':<22} {'R@1':>6} {'R@5':>6} {'index s':>8} {'query p50 ms':>13}")
    for r in rows:
        if "error" in r:
            print(f"{r['variant']:<22} FAILED  {r['error']}")
        else:
            print(f"{r['variant']:<22} {r['R@1']:>6.3f} {r['R@5']:>6.3f} {r['index_s']:>8.2f} {r['p50_ms']:>13.2f}")


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(DATA), help="SQuAD-format file (default: CMRC 2018 trial)")
    ap.add_argument("--limit", type=int, default=None, help="ask only the first N questions")
    args = ap.parse_args(argv)
    logging.getLogger("grpc._server").setLevel(logging.CRITICAL)
    articles, questions = load_squad(args.data, "question")
    questions = questions[:args.limit] if args.limit else questions
    t0 = time.perf_counter()
    corpus = build_corpus(articles)
    print(f"{len(articles)} paragraphs, {len(corpus.chunks)} chunks, {len(questions)} questions; "
          f"chunking + tokenising the chunks (shared by fts5, milvus-hashed, milvus-sparse): "
          f"{time.perf_counter() - t0:.2f} s")
    from pymilvus import MilvusClient

    folder = Path(tempfile.mkdtemp(prefix="kwbench-"))
    client = MilvusClient(str(folder / "bench.db"))
    variants: list[tuple[str, Callable[[], Search]]] = [
        ("fts5 (folder)", lambda: fts5_variant(corpus)),
        ("milvus-hashed", lambda: hashed_variant(client, corpus)),
        ("milvus-jieba", lambda: jieba_variant(client, corpus, "jieba", "jieba")),
        ("milvus-jieba-search", lambda: jieba_variant(client, corpus, "jieba_search",
                                                      {"type": "jieba", "mode": "search"})),
        ("milvus-sparse (IP)", lambda: sparse_variant(client, corpus)),
    ]
    try:
        print_table([measure(name, build, corpus, questions) for name, build in variants])
    finally:
        client.close()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
