"""English questions over Chinese articles: the notes they carry, the names the articles never
mention, and the order of their candidates."""
from __future__ import annotations

from dataclasses import replace

from qa.answering import models
from qa.answering.ranking import SentenceRanking
from qa.index.backend import SearchView
from qa.text import tokenize
from qa.text.translate import names

ENGLISH_NOTE = "The quotes are in Chinese, as published; no translation model is available."
# The ranker's word-overlap features cannot match English words in Chinese sentences, and no
# English development set exists to calibrate a threshold, so an English question is not
# refused on confidence: it gets the closest sentences, marked as such.
LOW_CONFIDENCE_NOTE = ("Low confidence: the sentences below are the closest the Chinese articles have; "
                       "they may not answer the question.")


def unmentioned_names(view: SearchView, question: str) -> list[str]:
    """Return the names in an English ``question`` that the dictionary can write in Chinese and
    that no indexed article mentions in either form, e.g. ``["Tesla (特斯拉)"]``: the articles
    cannot answer a question about them. Names the dictionary does not know (most people's
    names) are never reported: an article may write them in a transliteration it cannot guess.
    """
    absent = []
    for name, forms in names(question):
        spellings = [name, *(f for f in forms if len(f) > 1)]  # one character is too ambiguous
        if len(spellings) == 1:
            continue
        tokens = {s: tokenize(s) for s in spellings}
        freq, _ = view.doc_freq([t for ts in tokens.values() for t in ts])
        if not any(ts and all(t in freq for t in ts) for ts in tokens.values()):
            absent.append(f"{name} ({'、'.join(spellings[1:])})")
    return absent


def absent_note(absent: list[str]) -> str:
    """Return the note that explains a refusal for names no article mentions."""
    return "The indexed articles never mention " + ", ".join(absent) + "."


def cross_lingual(ranking: SentenceRanking) -> SentenceRanking:
    """Return ``ranking`` reordered by the model fitted for English questions over Chinese text
    (meaning, the question's words in their Chinese senses, the answer type).

    The best candidate keeps the Chinese ranker's top score, so the confidence scale is
    unchanged; the gaps to the others are on the same log-odds scale, so ``SUPPORT_MARGIN``
    admits support sentences as it does for Chinese questions.
    """
    if not ranking.candidates:
        return ranking
    order = models.cross_lingual_order(ranking.matrix)
    return replace(ranking, scores=order - order.max() + ranking.scores.max())
