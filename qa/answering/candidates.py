"""The sentences of the retrieved passages that could answer: each once, with its neighbours
and its stored vector."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from qa.index.backend import SearchView
from qa.text.dates import relative_years
from qa.types import Passage


@dataclass(frozen=True)
class Candidate:
    """A sentence of a retrieved passage, with offsets into its article and its stored vector."""

    text: str
    start: int
    end: int
    passage: int  # 0-based index into the passages
    neighbours: str
    vector: np.ndarray
    article_id: str = ""
    # the years the sentence and its neighbours mean by 今年/去年…, read against the article's date
    # (dates.relative_years): a question's 2025年1月 is the 今年1月 of an article of 2025
    years: str = ""

    def with_years(self, text: str) -> str:
        """Return ``text`` with the candidate's ``years`` after it, for checking which terms it mentions."""
        return f"{text} {self.years}" if self.years else text


# Lines that are only a link, only punctuation, or a short label ending in a colon
# (reference lists, "编辑：") cannot answer anything.
_NOT_PROSE = re.compile(r"^\W*(?:https?://|www\.)\S*\W*$|^\W*$|^.{0,12}[:：]$", re.IGNORECASE)


def candidates(view: SearchView, passages: Sequence[Passage]) -> list[Candidate]:
    """Return the sentences of ``passages`` in passage order, each sentence once, with the text
    of the sentence before and after it (``neighbours``) and its stored vector."""
    seen: set[tuple[str, int]] = set()
    out: list[Candidate] = []
    for i, p in enumerate(passages):
        rows = view.span_sentences(p.article_id, p.start, p.end)
        for j, (start, end, text, vector) in enumerate(rows):
            if (p.article_id, start) in seen or _NOT_PROSE.match(text):
                continue
            seen.add((p.article_id, start))
            around = " ".join(r[2] for r in rows[max(j - 1, 0):j] + rows[j + 1:j + 2])
            years = relative_years(f"{text} {around}", p.date)
            out.append(Candidate(text, start, end, i, around, vector, p.article_id, years))
    return out
