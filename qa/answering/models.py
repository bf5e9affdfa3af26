"""The fitted linear models of the answer stage, read from ``ranker.json`` on first use.

``bench/fit_ranker.py`` fits both on the developer sets and writes the file: the sentence
ranker (a softmax over each question's candidates, features standardised during the fit and
the scaling folded into the weights) and the answerability model (logistic, on the
``ANSWERABILITY`` row of a question's best candidate), plus a variant of the latter on word
overlap alone for any encoder other than the one it was fitted with.
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
# For a question in another language than the articles (English over Chinese), word and
# character overlap carry no signal except shared Latin-script names; order by meaning.
CROSS_LINGUAL_ORDER = {"dense": 1.0, "overlap": 0.2}
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
            for name in ("ranker", "answerability", "answerability_lexical")}
    return FittedModels(part["ranker"], part["answerability"], part["answerability_lexical"],
                        str(data["fitted_for_model"]))


def score(matrix: np.ndarray) -> np.ndarray:
    """Return the ranker's score (log-odds that the sentence answers) of each feature row."""
    return fitted().ranker.apply(matrix.astype(np.float32), FEATURES)


def cross_lingual_order(matrix: np.ndarray) -> np.ndarray:
    """Return a ranking score for sentences when question and articles differ in language."""
    return Linear(CROSS_LINGUAL_ORDER, 0.0).apply(matrix.astype(np.float32), FEATURES)


def confidence(answerability: np.ndarray, model: str) -> float:
    """Return the estimated probability (0..1) that the indexed articles answer the question,
    with the model fitted for the encoder ``model`` (the word-overlap variant for any other)."""
    models = fitted()
    linear = models.answerability if model == models.fitted_for_model else models.answerability_lexical
    z = float(linear.apply(answerability.astype(np.float64), ANSWERABILITY))
    return float(1.0 / (1.0 + math.exp(-max(min(z, _EXP_LIMIT), -_EXP_LIMIT))))
