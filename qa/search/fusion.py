"""Fusion of the dense and keyword candidate lists into one ranking.

A weighted sum of min-max-normalised scores by default (``Settings.fusion``, dense weight 0.5);
reciprocal-rank fusion is the alternative. Chosen with ``qa eval`` on CMRC 2018 and DRCD
(docs/benchmarks.md, "Fusion"). Questions whose keywords are translated from English get their
own dense share (``Settings.dense_weight_en``): their BM25 side is weaker.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qa.config import Settings
from qa.text.translate import keyword_language

# Scores closer than this are equal: a side's hits that all score the same are all its best.
_FLAT_SPAN = 1e-9


@dataclass(frozen=True)
class Hits:
    """One side's candidates: ``(chunk rowid, score)`` best first."""

    hits: tuple[tuple[int, float], ...]


def dense_weight_for(query: str, settings: Settings) -> float:
    """Return the dense side's share for ``query``: ``dense_weight_en`` when its keywords are
    translated from English (mixed questions included), else ``dense_weight``."""
    return settings.dense_weight_en if keyword_language(query) == "en" else settings.dense_weight


def fuse(dense: Hits, sparse: Hits, settings: Settings, dense_weight: float | None = None) -> list[tuple[int, float]]:
    """Return ``(rowid, fused score)`` best first, by RRF or by a weighted sum of normalised scores;
    ``dense_weight`` (default ``settings.dense_weight``) is the dense side's share."""
    w = settings.dense_weight if dense_weight is None else dense_weight
    scores: dict[int, float] = {}
    if settings.fusion == "weighted":
        for side, weight in ((dense, w), (sparse, 1 - w)):
            if not side.hits:
                continue
            for rid, s in _normalised(side):
                scores[rid] = scores.get(rid, 0.0) + weight * s
    else:
        for side, weight in ((dense, w), (sparse, 1 - w)):
            for rank, (rid, _) in enumerate(side.hits):
                scores[rid] = scores.get(rid, 0.0) + 2 * weight / (settings.rrf_k + rank + 1)
    return sorted(scores.items(), key=lambda kv: -kv[1])


def _normalised(side: Hits) -> list[tuple[int, float]]:
    """Return ``side``'s hits with scores min-max normalised to 0..1 (best 1, worst 0); hits that
    all score the same (one hit, say) all get 1: they are the best that side found.

    A keyword side often holds one hit in a small index of one story: its common words (OpenAI in
    news about OpenAI) are left out (``keyword.informative``) and only one chunk has the rare one
    (估值). Scored 0 as the worst of the side, that chunk got no keyword credit at all.
    """
    vals = np.array([s for _, s in side.hits])
    lo, span = vals.min(), vals.max() - vals.min()
    if span < _FLAT_SPAN:
        return [(rid, 1.0) for rid, _ in side.hits]
    return [(rid, float((s - lo) / span)) for rid, s in side.hits]
