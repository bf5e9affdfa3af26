"""``qa eval``: measure retrieval (and answers) on a SQuAD-format file.

Every paragraph becomes an article in a temporary index; every question is asked. Retrieval is
scored at passage level: a hit is a passage from the question's own paragraph. Hybrid, BM25-only
and dense-only run in the same pass so their figures are comparable; latency is per hybrid query
with the model already loaded.
"""
from __future__ import annotations

import json
import logging
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qa.config import Settings
from qa.index.backend import parse_backend
from qa.ingest.formats import json_reason
from qa.types import Article

log = logging.getLogger(__name__)

MODES = ("hybrid", "bm25", "dense")
CUTOFFS = (1, 5, 10)


@dataclass(frozen=True)
class Question:
    """One SQuAD question with the id of its paragraph and the gold answer texts."""

    id: str
    text: str
    paragraph_id: str
    answers: tuple[str, ...]


def load_squad(path: str | Path, question_field: str = "question") -> tuple[list[Article], list[Question]]:
    """Return the paragraphs (as articles) and questions of a SQuAD-format file, each question's
    text read from ``question_field`` (e.g. ``question_zh`` in the XQuAD en→zh set: the same
    questions in Chinese; questions without that field are skipped).

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: the path is a folder, the file cannot be read, is not SQuAD-format JSON
            (nesting too deep, numbers too long included) or holds no question to ask.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no evaluation file at {path}")
    if path.is_dir():
        raise ValueError(f"{path} is a folder; --data takes a SQuAD-format JSON file")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))["data"]
        articles, questions = _paragraphs_and_questions(data, question_field)
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from None
    except RecursionError:
        raise ValueError(f"{path} is not a SQuAD-format file (JSON nested too deeply)") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{path} is not a SQuAD-format file ({json_reason(exc)})") from None
    if not questions:
        raise ValueError(f"{path} has no questions to evaluate: its 'qas' lists ({len(articles)} paragraphs) "
                         f"are empty or hold no non-blank {question_field!r} field")
    return articles, questions


def _paragraphs_and_questions(data: Any, field: str) -> tuple[list[Article], list[Question]]:
    """Return the articles and questions of SQuAD's ``data`` list (KeyError/TypeError/ValueError if malformed)."""
    articles, questions = [], []
    for d, doc in enumerate(data):
        for p, para in enumerate(doc["paragraphs"]):
            pid = f"d{d}p{p}"
            articles.append(Article(id=pid, title=doc.get("title") or pid, text=para["context"], source=doc.get("title")))
            for qa_ in para["qas"]:
                if not str(qa_.get(field) or "").strip():
                    continue  # a few released questions are blank: nothing to ask
                golds = tuple(a["text"] for a in qa_.get("answers", []) if a.get("text"))
                questions.append(Question(str(qa_["id"]), str(qa_[field]), pid, golds))
    return articles, questions


def _rank(passages: list[Any], gold: str) -> int | None:
    for i, p in enumerate(passages):
        if p.article_id == gold:
            return i + 1
    return None


def _retrieval_metrics(ranks: list[int | None]) -> dict[str, float]:
    n = max(len(ranks), 1)
    out = {f"R@{c}": sum(1 for r in ranks if r is not None and r <= c) / n for c in CUTOFFS}
    out["MRR@10"] = sum(1.0 / r for r in ranks if r is not None and r <= 10) / n
    return {k: round(v, 4) for k, v in out.items()}


def _latency(ms: list[float]) -> dict[str, float]:
    if not ms:
        return {"p50_ms": 0.0, "p95_ms": 0.0}
    return {"p50_ms": round(float(np.percentile(ms, 50)), 2), "p95_ms": round(float(np.percentile(ms, 95)), 2)}


def evaluate(data: str | Path, *, settings: Settings | None = None, limit: int | None = None,
             answers: bool = True, progress: bool = False, question_field: str = "question") -> dict[str, Any]:
    """Return the evaluation report of the SQuAD file ``data`` (a JSON-ready dict), asking each
    question as written in its ``question_field``.

    Raises:
        FileNotFoundError, ValueError: see ``load_squad``.
    """
    from qa.kb import KnowledgeBase

    settings = settings or Settings.from_env()
    articles, questions = load_squad(data, question_field)
    questions = questions[:limit] if limit else questions
    report: dict[str, Any] = {"data": str(data), "question_field": question_field,
                              "paragraphs": len(articles), "questions": len(questions),
                              "settings": {k: getattr(settings, k) for k in (
                                  "model", "encoder_backend", "chunk_size", "chunk_overlap", "retrieval_depth",
                                  "fusion", "rrf_k", "dense_weight")}}
    report["backend"] = parse_backend(settings.backend).label
    with tempfile.TemporaryDirectory(prefix="qa-eval-") as tmp:
        kb = KnowledgeBase(Path(tmp) / "index", settings=settings.replace(backend=_scratch(settings.backend, tmp)))
        started = time.perf_counter()
        summary = kb.add(articles, progress=progress)
        report["index"] = {"seconds": round(time.perf_counter() - started, 1), "chunks": summary.chunks_added}
        qvecs = query_vectors(kb, questions)
        report["retrieval"] = _eval_retrieval(kb, questions, qvecs, _ticker(progress, len(questions), "retrieval"))
        if answers:
            from qa.eval.answers import evaluate_answers

            report["answers"] = evaluate_answers(kb, articles, questions, qvecs,
                                                 _ticker(progress, len(questions), "answers"))
    return report


def _scratch(backend: str, tmp: str) -> str:
    """Return where the evaluation builds its own index on ``backend``: a new Milvus Lite file in
    ``tmp`` for milvus-lite; on a Milvus server, the named database, which must not be the default one
    (a build there replaces the live index).

    Raises:
        ValueError: a Milvus server address without a database of its own.
    """
    address = parse_backend(backend)
    if address.kind == "milvus-lite":
        return f"milvus-lite:{Path(tmp) / 'eval.db'}"
    if address.kind == "milvus" and address.database in ("", "default"):
        raise ValueError(f"qa eval builds its own index and would replace the one at {address.label}; "
                         f"name a database for it: --backend {address.target}/qa_eval")
    return backend


def query_vectors(kb: Any, questions: Sequence[Question]) -> np.ndarray:
    """Return the questions' vectors, encoded once in batches (the eval asks each several times)
    by the encoder the product's questions go through (``kb.query_encoder``)."""
    texts = [q.text.strip() for q in questions]
    encoder = kb.query_encoder
    parts = [encoder.queries(texts[i:i + 64]) for i in range(0, len(texts), 64)]
    return np.concatenate(parts) if parts else np.zeros((0, encoder.dim), np.float32)


def _eval_retrieval(kb: Any, questions: list[Question], qvecs: np.ndarray, tick: Callable[[], None]) -> dict[str, Any]:
    """Hybrid encodes each question itself (its latency is a user's); dense reuses ``qvecs``."""
    ranks: dict[str, list[int | None]] = {m: [] for m in MODES}
    latency: list[float] = []
    for q, vector in zip(questions, qvecs):
        for mode in MODES:
            t0 = time.perf_counter()
            passages = kb.retrieve(q.text, k=10, mode=mode, query_vector=vector if mode == "dense" else None)
            if mode == "hybrid":
                latency.append((time.perf_counter() - t0) * 1000)
            ranks[mode].append(_rank(passages, q.paragraph_id))
        tick()
    out: dict[str, Any] = {m: _retrieval_metrics(r) for m, r in ranks.items()}
    out["latency"] = _latency(latency)
    return out


def _ticker(enabled: bool, total: int, label: str) -> Callable[[], None]:
    if not enabled:
        return lambda: None
    from tqdm import tqdm

    bar = tqdm(total=total, desc=label, unit="q", leave=False)
    return lambda: bar.update(1)


def format_report(report: dict[str, Any]) -> str:
    """Return the report as a short human-readable table."""
    lines = [f"{report['data']}: {report['paragraphs']} paragraphs, {report['questions']} questions "
             f"(field {report.get('question_field', 'question')!r}); "
             f"index {report['index']['chunks']} chunks in {report['index']['seconds']} s"
             f" (backend {report.get('backend', 'folder')})",
             "retrieval   " + "  ".join(f"{k:>7}" for k in ("R@1", "R@5", "R@10", "MRR@10"))]
    for mode in MODES:
        m = report["retrieval"][mode]
        lines.append(f"  {mode:<9} " + "  ".join(f"{m[k]:>7.4f}" for k in ("R@1", "R@5", "R@10", "MRR@10")))
    lat = report["retrieval"]["latency"]
    lines.append(f"  hybrid latency p50 {lat['p50_ms']} ms, p95 {lat['p95_ms']} ms")
    if "answers" in report:
        from qa.eval.answers import format_answers

        lines.extend(format_answers(report["answers"]))
    return "\n".join(lines)
