"""The fitted linear models of the answer stage, read from ``ranker.json`` on first use.

``bench/fit_ranker.py`` fits both on the developer sets and writes the file: the sentence
ranker (a softmax over each question's candidates, features standardised during the fit and
the scaling folded into the weights) and the answerability model (logistic, on the
``ANSWERABILITY`` row of a question's best candidate), plus a variant of the latter on word
overlap alone for any encoder other than the one it was fitted with. ``bench/fit_cross_lingual.py``
adds ``cross_lingual``: the order of candidates for English questions over Chinese articles.
"""
from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.answering.features import ANSWERABILITY, FEATURES

MODELS_FILE = Path(__file__).with_name("ranker.json")
# For a question in another language than the articles (English over Chinese), character
# features carry no signal: only meaning, the question's words in their Chinese senses (in the
# sentence and around it) and the answer type order the candidates.
CROSS_LINGUAL_FEATURES = ("dense", "overlap", "cue", "context")
# Confidence below which an answer is refused, for every answerability model: bench/fit_answerability.py
# chooses each model's threshold on its held-out curve and folds it into the bias so that it reads 0.5.
REFUSE_BELOW = 0.5
_EXP_LIMIT = 700.0  # math.exp overflows a float past ~709


@dataclass(frozen=True)
class Linear:
    """One linear model: a weight per feature name and a bias."""

    weights: Mapping[str, float]
    bias: float

    def apply(self, rows: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
        """Return ``rows @ w + bias`` with ``w`` in the order of ``names`` (missing names weigh 0)."""
        w = np.array([self.weights.get(n, 0.0) for n in names], dtype=rows.dtype)
        return rows @ w + self.bias


@dataclass(frozen=True)
class FittedModels:
    """The contents of ``ranker.json``."""

    ranker: Linear
    answerability: Linear
    answerability_lexical: Linear
    cross_lingual: Linear
    answerability_cross_lingual: Linear
    fitted_for_model: str


@functools.cache
def fitted() -> FittedModels:
    """Return the fitted models (the file is read once per process).

    Raises:
        FileNotFoundError: ``ranker.json`` is missing from the installed package.
        KeyError: the file lacks a model (written by another version of bench/fit_ranker.py).
    """
    data = json.loads(MODELS_FILE.read_text(encoding="utf-8"))
    part = {name: Linear(dict(data[name]["weights"]), float(data[name]["bias"]))
            for name in ("ranker", "answerability", "answerability_lexical", "cross_lingual",
                         "answerability_cross_lingual")}
    return FittedModels(part["ranker"], part["answerability"], part["answerability_lexical"], part["cross_lingual"],
                        part["answerability_cross_lingual"], str(data["fitted_for_model"]))


def score(matrix: np.ndarray) -> np.ndarray:
    """Return the ranker's score (log-odds that the sentence answers) of each feature row."""
    return fitted().ranker.apply(matrix.astype(np.float32), FEATURES)


def cross_lingual_order(matrix: np.ndarray) -> np.ndarray:
    """Return the fitted ranking score (log-odds scale) of each candidate's feature row for a
    question in another language than the articles."""
    return fitted().cross_lingual.apply(matrix.astype(np.float32), FEATURES)


def order(matrix: np.ndarray, cross_lingual: bool = False) -> np.ndarray:
    """Return the candidates' ranking scores: the ranker's, or for a question in another language
    than the articles the cross-lingual order shifted so its best candidate has the ranker's top
    score (the gaps stay on the same log-odds scale, so support margins read them alike)."""
    scores = score(matrix)
    if not cross_lingual or not len(scores):
        return scores
    other = cross_lingual_order(matrix)
    return other - other.max() + scores.max()


def answerability_model(model: str, cross_lingual: bool = False) -> Linear:
    """Return the answerability model for questions embedded by the encoder ``model``: the one
    fitted for it (for questions in another language than the articles, the one fitted on
    English questions), else the word-overlap variant."""
    models = fitted()
    if model != models.fitted_for_model:
        return models.answerability_lexical
    return models.answerability_cross_lingual if cross_lingual else models.answerability


def confidence(answerability: np.ndarray, model: str, cross_lingual: bool = False) -> float:
    """Return the estimated probability (0..1) that the indexed articles answer the question,
    from its ``ANSWERABILITY`` row, by :func:`answerability_model`'s choice."""
    z = float(answerability_model(model, cross_lingual).apply(answerability.astype(np.float64), ANSWERABILITY))
    return float(1.0 / (1.0 + math.exp(-max(min(z, _EXP_LIMIT), -_EXP_LIMIT))))
