"""Which encoder a question on a given index goes through.

For the bundled model, the torch-free engine of :mod:`qa.embedding.questions` for the index's
recorded fingerprint; if its files are missing, the full encoder writes them (once per machine)
and the engine is used straight away; otherwise (another model, an explicit encoder, files that
cannot be written) the full encoder. It also keeps each encoder's English→Chinese shift
(:mod:`qa.embedding.alignment`), which retrieval applies to English questions.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Mapping

import numpy as np

from qa.config import DEFAULT_MODEL, Settings
from qa.embedding import alignment, questions
from qa.embedding.encoders import Encoder, OnnxBundledEncoder


class QuestionEncoders:
    """Chooses (and caches) the question encoder for an index; safe to share between threads.

    Args:
        settings: the model, backend and cache folder.
        full: returns the full encoder (loaded on first call: torch).
        explicit: the full encoder was given by the caller; it then encodes questions too.
    """

    def __init__(self, settings: Settings, full: Callable[[], Encoder], *, explicit: bool = False):
        self.settings = settings
        self.full = full
        self.explicit = explicit
        self._light: tuple[str, Encoder | None] = ("", None)  # index fingerprint -> light engine
        self._unprepared: str | None = None  # fingerprint whose light engine could not be prepared
        self._lock = threading.Lock()
        self._shifts: dict[int, tuple[Encoder, np.ndarray | None]] = {}  # id(encoder) -> (encoder, its shift)

    def for_index(self, meta: Mapping[str, str]) -> Encoder:
        """Return the encoder for questions on the index described by ``meta`` (its metadata).

        Raises:
            qa.errors.ModelLoadError: the full encoder is needed and cannot be loaded.
        """
        if self.explicit or not (self.settings.model == DEFAULT_MODEL == meta.get("model")):
            return self.full()
        built = meta.get("model_fingerprint") or ""
        light = self._engine(built)
        if light is None and self._unprepared != built and self.full().fingerprint == built:
            with self._lock:  # one writer of the files per process; the others then load them
                prepare = getattr(self.full(), "prepare_questions", None)  # same model: write them, use them
                light = self._engine(built) or (self._engine(built) if prepare and prepare() else None)
                self._unprepared = built if light is None else None  # tried once per index and process
        return light if light is not None else self.full()

    def _engine(self, built: str) -> Encoder | None:
        """Return the torch-free engine for an index of fingerprint ``built``, or None if its files are missing."""
        if self._light[0] != built or self._light[1] is None:
            int8 = self.settings.encoder_backend == OnnxBundledEncoder.BACKEND
            self._light = (built, questions.load(self.settings.cache_dir / "onnx", built.split("+")[0], int8=int8))
        return self._light[1]

    def shift(self, encoder: Encoder) -> np.ndarray | None:
        """Return ``encoder``'s English→Chinese shift (:func:`qa.embedding.alignment.language_shift`,
        looked up once per encoder), or None for an encoder without a space the two languages share
        (``CROSS_LINGUAL = False``: the hashing encoder) or when the dictionary cannot be read.

        Raises:
            what ``encoder.queries`` raises, the first time a model without a shipped shift is measured.
        """
        if not getattr(encoder, "CROSS_LINGUAL", True):
            return None
        known = self._shifts.get(id(encoder))
        if known is None or known[0] is not encoder:
            with self._lock:
                known = self._shifts[id(encoder)] = (encoder, alignment.language_shift(encoder, self.settings.cache_dir))
        return known[1]
