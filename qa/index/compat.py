"""Whether an index folder fits this process: its format, model, encoder backend, weights and
chunking, as recorded in its metadata. Mixed vectors would silently give wrong answers, so a
mismatch is refused with a message that says how to rebuild or which setting keeps the index.
"""
from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path

from qa.config import Settings
from qa.errors import IndexMismatchError

FORMAT_VERSION = 5  # 2: one vector per sentence; 3: embedded with their title; 4: ；and 《…》 do not split;
# 5: traditional characters embedded in simplified form (qa.embedding.model.model_texts)
CHUNKING = ("chunk_size", "chunk_overlap", "max_sentence_chars")


def new_meta(settings: Settings, fingerprint: str, dim: int) -> dict[str, str | float]:
    """Return the metadata a new index records: format, model and its fingerprint, dimension,
    FAISS setting, creation time and the chunking settings."""
    return {"format_version": str(FORMAT_VERSION), "model": settings.model, "model_fingerprint": fingerprint,
            "dim": str(dim), "faiss_factory": settings.faiss_factory, "created_at": time.time(),
            **{name: str(getattr(settings, name)) for name in CHUNKING}}


def check_format_and_model(path: Path | str, meta: Mapping[str, str], settings: Settings) -> None:
    """Return if the index at ``path`` has this version's format and was built for ``settings.model``.

    Raises:
        IndexMismatchError: another format or model; the message says what to do.
    """
    if meta.get("format_version") != str(FORMAT_VERSION):
        raise IndexMismatchError(f"{path} has index format {meta.get('format_version')}, this version "
                                 f"reads format {FORMAT_VERSION}; run `qa index build` to rebuild it")
    if meta.get("model") != settings.model:
        raise IndexMismatchError(
            f"{path} was built with model {meta.get('model')}; run `qa index build` to rebuild it "
            f"for model {settings.model} (or set QA_MODEL={meta.get('model')})")


def check_weights(path: Path | str, meta: Mapping[str, str], settings: Settings, loaded: str) -> None:
    """Return if the index at ``path`` was built by the encoder of fingerprint ``loaded``.

    Raises:
        IndexMismatchError: the same weights through another backend, or other weights.
    """
    built = meta.get("model_fingerprint") or ""
    if built != loaded and built.split("+")[0] == loaded.split("+")[0]:  # same weights, other backend
        before, now = built.partition("+")[2] or "torch", loaded.partition("+")[2] or "torch"
        raise IndexMismatchError(
            f"{path} was built with encoder backend {before}, this process uses {now}; "
            f"run `qa index build` to rebuild it, or set QA_ENCODER_BACKEND={before} to keep the index")
    if built != loaded:  # same name, other weights
        raise IndexMismatchError(
            f"{path} was built with model {meta.get('model')} (weights fingerprint "
            f"{meta.get('model_fingerprint')}); the loaded {settings.model} has other weights "
            f"(fingerprint {loaded}); run `qa index build` to rebuild it")


def check_chunking(path: Path | str, meta: Mapping[str, str], settings: Settings) -> None:
    """Return if the index at ``path`` was chunked with ``settings``' chunking (a write must match).

    Raises:
        IndexMismatchError: another chunk size, overlap or sentence cap.
    """
    for name in CHUNKING:
        if meta.get(name) != str(getattr(settings, name)):
            raise IndexMismatchError(
                f"{path} was built with {name}={meta.get(name)}; run `qa index build` to rebuild it "
                f"with {name}={getattr(settings, name)}, or unset QA_{name.upper()} to keep the old setting")


def check_for_writing(path: Path | str, meta: Mapping[str, str], settings: Settings, loaded: str) -> None:
    """Return if this process (``settings``, encoder fingerprint ``loaded``) may write the index at ``path``.

    Raises:
        IndexMismatchError: another format, model, weights or chunking.
    """
    check_format_and_model(path, meta, settings)
    check_weights(path, meta, settings, loaded)
    check_chunking(path, meta, settings)
