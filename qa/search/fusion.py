"""Fusion of the dense and keyword candidate lists into one ranking.

A weighted sum of each side's z-scores by default (``Settings.fusion``, dense share 0.55); a
weighted sum of min-max-normalised scores and reciprocal-rank fusion are the alternatives.
Chosen with ``qa eval`` and held-out folds on CMRC 2018, DRCD and XQuAD (docs/benchmarks.md,
"Fusion"). Questions whose keywords are translated from English have their own dense share
(``Settings.dense_weight_en``), the same 0.55 since z-scores.
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
    """Return ``(rowid, fused score)`` best first, by a weighted sum of z-scores, of min-max scores
    or by RRF (``settings.fusion``); ``dense_weight`` (default ``settings.dense_weight``) is the
    dense side's share. Z-score fusion rescales the fused scores to 0..1 (best 1)."""
    w = settings.dense_weight if dense_weight is None else dense_weight
    if settings.fusion == "zscore":
        return _standardised_sum(dense, sparse, w)
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


def _standardised_sum(dense: Hits, sparse: Hits, w: float) -> list[tuple[int, float]]:
    """Return the weighted sum of each side's z-scores, rescaled to 0..1 (best 1), best first.

    A chunk one side did not return takes that side's lowest z-score: it ranked below the side's
    whole list. Min-max scaling maps a side's best hit to 1 and its last to 0 whatever the spread,
    so one outlying BM25 hit over a flat tail gave the tail nothing; z-scores keep the tail's
    distance from the mean (CombSUM with z-scores, Montague & Aslam 2001).
    """
    sides = [(*_z_scores(side), weight) for side, weight in ((dense, w), (sparse, 1 - w)) if side.hits]
    ids = {rid for z, _, _ in sides for rid in z}
    fused = {rid: sum(weight * z.get(rid, floor) for z, floor, weight in sides) for rid in ids}
    if not fused:
        return []
    lo = min(fused.values())
    span = max(fused.values()) - lo
    scaled = {rid: (s - lo) / span if span > _FLAT_SPAN else 1.0 for rid, s in fused.items()}
    return sorted(scaled.items(), key=lambda kv: -kv[1])


def _z_scores(side: Hits) -> tuple[dict[int, float], float]:
    """Return ``side``'s scores standardised (mean 0, deviation 1) and the score of a chunk it did
    not return (its lowest). A side whose hits all score the same (one hit, say) gives them 1 and
    the rest 0, as min-max scaling does: they are the best it found."""
    vals = np.array([s for _, s in side.hits])
    if vals.max() - vals.min() < _FLAT_SPAN:
        return {rid: 1.0 for rid, _ in side.hits}, 0.0
    z = (vals - vals.mean()) / vals.std()
    return {rid: float(x) for (rid, _), x in zip(side.hits, z)}, float(z.min())
