"""English questions moved towards Chinese in the encoder's space, for retrieval: a language shift.

A multilingual encoder keeps a language direction in its vectors: an English text and its
Chinese translation differ by a near-constant offset (Libovický et al., 2020, "On the language
neutrality of pre-trained multilingual representations"). Adding that offset ``δ`` to an English
question's vector ranks passages by ``q·s + δ·s``: the question's similarity plus how Chinese
each passage reads to the encoder, which undoes the edge a passage gets from sharing the
question's language rather than its meaning.

The offset is measured without any evaluation data: the mean query vector of Chinese
dictionary words minus that of their English glosses, over ``PAIRS`` entries of CC-CEDICT
read backwards (:mod:`qa.text.glossary`); 500 pairs already give a direction within 0.997 of
6,000 pairs'. On XQuAD en→zh (bench/static/english-retrieval.md) English dense R@1 went
0.812 → 0.835 and hybrid R@1, held out, 0.873 → 0.897.

Retrieval only (``qa.search.hybrid``): the answer ranker keeps the question's own vector. In a
news sentence the Latin letters are mostly the names asked about (OpenAI, Thrive Capital), so
there the shift's "less Chinese" penalty fell on the right sentences: 4 English questions on the
seed articles lost their answer, while XQuAD's sentence hit@1 did not move.

A question is moved by its English share (:func:`qa.text.language.english_share`): a Chinese
question not at all, "why did 微软 hire Suleyman?" by 0.78, an English question fully.

Example::

    >>> shift = language_shift(encoder, cache_dir)                                # doctest: +SKIP
    >>> shifted(encoder.queries(["why did Microsoft hire Suleyman?"]), ["why did Microsoft hire Suleyman?"], shift)  # doctest: +SKIP
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from qa.embedding.encoders import Encoder
from qa.text.language import english_share

log = logging.getLogger(__name__)

PAIRS = 2000  # dictionary entries the shift is measured on (stable from ~500: see the module docstring)
SHIPPED_FILE = Path(__file__).with_name("language_shift.json")  # the bundled model's shift, measured once
_BATCH = 64


def shifted(vectors: np.ndarray, texts: Sequence[str], shift: np.ndarray) -> np.ndarray:
    """Return ``vectors`` with each row moved by ``english_share(text) * shift`` and re-normalised
    (rows of Chinese texts come back unchanged)."""
    weights = np.array([english_share(t) for t in texts], dtype=np.float32)
    if not weights.any():
        return vectors
    rows = weights > 0
    moved = np.array(vectors, dtype=np.float32)
    moved[rows] += weights[rows, None] * shift[None, :]
    norms = np.linalg.norm(moved[rows], axis=1, keepdims=True)
    moved[rows] /= np.where(norms > 0, norms, 1.0)
    return moved


def language_shift(encoder: Encoder, cache_dir: Path) -> np.ndarray | None:
    """Return the encoder's English→Chinese shift: shipped for the bundled model, else read from
    ``cache_dir`` or measured (~4,000 short texts through ``encoder.queries``) and stored there.

    Returns None when the dictionary cannot be read (the questions then stay as encoded). Raises
    what ``encoder.queries`` raises.
    """
    key = encoder.fingerprint.split("+")[0]
    shipped = _shipped().get(key)
    if shipped is not None:
        return np.asarray(shipped, dtype=np.float32)
    path = Path(cache_dir) / "language_shift" / f"{key}-{PAIRS}.npy"
    try:
        return np.load(path, allow_pickle=False).astype(np.float32)
    except (OSError, ValueError):
        pass  # not measured on this machine yet, or damaged
    shift = measure(encoder)
    if shift is not None:
        _store(path, shift)
    return shift


def measure(encoder: Encoder, pairs: int = PAIRS) -> np.ndarray | None:
    """Return the mean query vector of ``pairs`` Chinese dictionary words minus that of their
    English glosses, or None when the dictionary is unavailable."""
    from qa.text import glossary

    chosen = dictionary_pairs(glossary.load(), pairs)
    if not chosen:
        return None
    log.info("measuring the English→Chinese shift of %s on %d dictionary pairs", encoder.name, len(chosen))
    english = _mean(encoder, [e for e, _ in chosen])
    chinese = _mean(encoder, [z for _, z in chosen])
    return (chinese - english).astype(np.float32)


def dictionary_pairs(entries: dict[str, tuple[str, ...]], n: int) -> list[tuple[str, str]]:
    """Return ``n`` (English gloss, its commonest Chinese word) pairs, chosen by a hash of the gloss
    so the choice is spread over the dictionary and the same on every machine.

    >>> dictionary_pairs({"hire": ("聘请",), "a": ("一",)}, 5)
    [('hire', '聘请')]
    """
    usable = [(g, words[0]) for g, words in entries.items() if len(g) > 3 and words]
    usable.sort(key=lambda pair: hashlib.sha1(pair[0].encode()).hexdigest())
    return usable[:n]


def _mean(encoder: Encoder, texts: list[str]) -> np.ndarray:
    parts = [encoder.queries(texts[i:i + _BATCH]) for i in range(0, len(texts), _BATCH)]
    return np.concatenate(parts).mean(axis=0)


def _shipped() -> dict[str, list[float]]:
    try:
        return json.loads(SHIPPED_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _store(path: Path, shift: np.ndarray) -> None:
    """Write ``shift`` atomically; a folder that cannot be written only costs a measurement next time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".npy", delete=False) as tmp:
            np.save(tmp, shift, allow_pickle=False)
        os.replace(tmp.name, path)
    except OSError as exc:
        log.info("cannot cache the language shift in %s: %s", path.parent, exc)
