"""English questions over Chinese articles: the notes they carry and the names the articles never
mention (their candidates' order and answerability are models: :mod:`qa.answering.models`)."""
from __future__ import annotations

from qa.index.backend import SearchView
from qa.text import tokenize
from qa.text.translate import names

ENGLISH_NOTE = "The quotes are in Chinese, as published; no translation model is available."


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
