"""What the browser (:mod:`qa.ui.web`) and the terminal (:mod:`qa.ui.terminal`) both say about an
answer: the headings and placeholders of a citation, in the answer's language, and which
passages an answer shows.

Example::

    >>> labels("en")["sources"]
    'Sources'
    >>> labels("fr")["sources"]  # any other language: Chinese, the app's language
    '来源'
"""
from __future__ import annotations

from qa.types import Answer

MAX_CLOSEST = 3  # passages shown when the answer abstains (hand-set: enough to judge, short enough to read)

LABELS = {
    "zh": {"sources": "来源", "closest": "最接近的段落（未能据此作答，仅供参考）", "link": "原文链接",
           "reposts": "另有 {n} 篇转载", "undated": "日期不详", "unknown": "来源不详"},
    "en": {"sources": "Sources", "closest": "Closest passages (not enough to answer; for reference only)",
           "link": "link", "reposts": "{n} reposted copies", "undated": "undated", "unknown": "outlet unknown"},
}


def labels(language: str) -> dict[str, str]:
    """Return the labels for ``language`` ("zh" or "en"; anything else gets Chinese)."""
    return LABELS.get(language, LABELS["zh"])


def cited_numbers(answer: Answer) -> list[int]:
    """Return the passage numbers the answer shows: those quoted, or the closest when it abstained."""
    if answer.abstained or not answer.quotes:
        return list(range(1, min(len(answer.passages), MAX_CLOSEST) + 1))
    return sorted({q.passage for q in answer.quotes if 1 <= q.passage <= len(answer.passages)})
