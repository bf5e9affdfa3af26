"""Index benchmarks: pipeline vs bare-encoder throughput, and incremental add at scale.

Usage: .venv/bin/python bench/index_bench.py [--data ../shared/data/cmrc2018_trial.json]
       [--paragraphs 150] [--scale 100000]

1. Throughput: the same paragraphs are (a) split into sentences and encoded by the bare encoder, and
   (b) indexed by ``KnowledgeBase.add`` (chunking, jieba, SQLite, FAISS included). Both in one
   run; the ratio (b)/(a) is the share of encoder speed the pipeline keeps.
2. Scale: an index of ``--scale`` synthetic chunks (real Chinese sentences, random unit vectors
   from a stub encoder so building it takes minutes, not hours), then one real article added:
   its time beyond encoding its own chunks is reported.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qa.text.chunking import chunk_article  # noqa: E402
from qa.config import Settings  # noqa: E402
from qa.embedding.encoders import get_encoder  # noqa: E402
from qa.eval.retrieval import load_squad  # noqa: E402
from qa.index.writing import embedding_text  # noqa: E402
from qa.kb import KnowledgeBase  # noqa: E402
from qa.text.sentences import split_sentences  # noqa: E402
from qa.types import Article  # noqa: E402


class RandomEncoder:
    """Deterministic random unit vectors per text: stands in for the model when building scale."""

    name = "random:384"
    dim = 384
    fingerprint = "random384"

    def passages(self, texts, *, progress=False):
        out = np.empty((len(texts), self.dim), np.float32)
        for i, t in enumerate(texts):
            seed = int.from_bytes(hashlib.blake2b(t.encode(), digest_size=8).digest(), "little")
            v = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
            out[i] = v / np.linalg.norm(v)
        return out

    def queries(self, texts):
        return self.passages(texts)


def throughput(data: Path, n: int) -> dict:
    settings = Settings.from_env()
    encoder = get_encoder(settings)
    articles = load_squad(data)[0][:n]
    # The pipeline embeds each distinct sentence once (vectors are per sentence); the bare
    # encoder gets exactly those texts, in the same sorted order.
    texts = sorted({embedding_text(a.title, s.text) for a in articles
                    for s in split_sentences(a.text, settings.max_sentence_chars)})
    chunks = [c for a in articles for c in chunk_article(a, size=settings.chunk_size, overlap=settings.chunk_overlap)]
    encoder.passages(texts[:16])  # warm up
    t0 = time.perf_counter()
    encoder.passages(texts)
    bare = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        kb = KnowledgeBase(Path(tmp) / "index", settings=settings, encoder=encoder)
        t0 = time.perf_counter()
        kb.add(articles)
        pipeline = time.perf_counter() - t0
    tokenizer = getattr(getattr(encoder, "model", None), "tokenizer", None)
    tokens = sum(len(ids) for ids in tokenizer(["passage: " + t for t in texts])["input_ids"]) if tokenizer else None
    return {"articles": len(articles), "chunks": len(chunks), "sentences": len(texts),
            "chars": sum(map(len, texts)), "tokens": tokens,
            "encoder_sentences_per_s": round(len(texts) / bare, 1),
            "pipeline_sentences_per_s": round(len(texts) / pipeline, 1),
            "encoder_tokens_per_s": round(tokens / bare) if tokens else None,
            "pipeline_tokens_per_s": round(tokens / pipeline) if tokens else None,
            "ratio": round(bare / pipeline, 3)}


def synthetic_articles(paths: list[Path], total_chunks: int, batch_size: int = 2000):
    """Yield batches of articles of real Chinese sentences, about ``total_chunks`` chunks in all."""
    sentences = [s for path in paths for a in load_squad(path)[0] for s in a.text.split("。") if len(s) > 20]
    rng = np.random.default_rng(0)
    made = 0
    while made < total_chunks:
        batch = []
        for _ in range(batch_size):
            picks = rng.choice(len(sentences), 10)
            text = "\n".join("。".join(sentences[j] for j in picks[k:k + 2]) + "。" for k in range(0, 10, 2))
            batch.append(Article(id=f"s{made}", title=f"合成{made}", text=text, source="合成", date="2024-01-01"))
            made += 3  # five two-sentence paragraphs: about three chunks of 240 characters (measured)
            if made >= total_chunks:
                break
        yield batch


def timed_add(kb: KnowledgeBase, encoder, article: Article) -> dict:
    """Add ``article`` to ``kb`` and query once; return the add time, the time the encoder takes
    for the article's own sentence texts (exactly what the pipeline embeds), and the first query's."""
    limit = kb.settings.max_sentence_chars
    own = sorted({embedding_text(article.title, s.text) for s in split_sentences(article.text, limit)})
    t0 = time.perf_counter()
    encoder.passages(own)
    encode_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    kb.add([article])
    add_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    kb.retrieve(article.title, 5)
    refresh_s = time.perf_counter() - t0
    return {"add_one_article_s": round(add_s, 3), "its_sentences": len(own), "its_encoding_s": round(encode_s, 3),
            "beyond_encoding_s": round(add_s - encode_s, 3), "next_query_incl_reader_refresh_s": round(refresh_s, 3)}


def scale(data: Path, total: int) -> dict:
    sentences = [s for a in load_squad(data)[0] for s in a.text.split("。") if len(s) > 20]
    encoder = RandomEncoder()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.from_env({}, index_dir=Path(tmp) / "index", model=encoder.name)
        kb = KnowledgeBase(settings=settings, encoder=encoder)
        t0 = time.perf_counter()
        for batch in synthetic_articles([data], total):
            kb.add(batch)
        build_s = time.perf_counter() - t0
        chunks = kb.status().chunks
        kb.retrieve("测试", 5)  # reader open, vectors synced
        article = Article(id="fresh", title="新到的文章", text="\n".join(sentences[:8]), source="新闻社", date="2025-05-01")
        added = timed_add(kb, encoder, article)
    return {"chunks": chunks, "build_s": round(build_s, 1), **added}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default="../shared/data/cmrc2018_trial.json")
    p.add_argument("--paragraphs", type=int, default=150)
    p.add_argument("--scale", type=int, default=100_000)
    args = p.parse_args()
    report = {"throughput": throughput(Path(args.data), args.paragraphs), "scale": scale(Path(args.data), args.scale)}
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
