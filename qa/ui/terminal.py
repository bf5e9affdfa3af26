"""Plain text for the terminal (``qa ask``, ``qa search``): answers and passages with citations.

Article text is untrusted here too: an escape sequence in a saved page (``\\x1b]0;…``, ``\\x1b[2J``)
would retitle or clear the operator's terminal. :func:`printable` shows every control and
format character as a visible ``\\x1b``-style escape instead; line breaks inside one field
become spaces so each field stays on its lines.

    >>> printable("微软\\x1b[2J说")
    '微软\\\\x1b[2J说'
"""
from __future__ import annotations

import unicodedata

from qa.types import Answer, Passage
from qa.ui.labels import MAX_CLOSEST, cited_numbers, labels

_INDENT = "    "


def printable(text: str | None) -> str:
    """Return ``text`` with control/format characters shown as escapes and line breaks as spaces."""
    out = []
    for ch in text or "":
        if ch in "\n\r\t":
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp"):
            out.append(ascii(ch)[1:-1])
        else:
            out.append(ch)
    return "".join(out)


def citation_line(number: int, p: Passage, language: str = "zh") -> str:
    """Return ``[n] 《title》 · outlet · date · article id, characters start–end``."""
    words = labels(language)
    parts = [f"《{printable(p.title)}》", printable(p.source) or words["unknown"], printable(p.date) or words["undated"],
             f"{printable(p.article_id)} {p.start}–{p.end}"]
    return f"[{number}] " + " · ".join(parts)


def passage_block(number: int, p: Passage, language: str = "zh", score: bool = False) -> str:
    """Return a passage as citation, link, and indented text (for ``qa search`` and abstentions)."""
    head = citation_line(number, p, language) + (f"  score {p.score:.4f}" if score else "")
    lines = [head] + ([_INDENT + printable(p.url)] if p.url else []) + [_INDENT + printable(p.text)]
    return "\n".join(lines)


def answer_text(answer: Answer) -> str:
    """Return the answer for a terminal: the quoted sentences with markers, then the numbered
    sources (title, outlet, date, link, the exact place and sentence), or the closest passages
    when the answer abstained.

    >>> from qa.types import Answer
    >>> answer_text(Answer(question="q", text="没有", abstained=True))
    '没有'
    """
    words = labels(answer.language)
    lines = [printable(answer.text)] + [printable(n) for n in answer.notes]
    if answer.abstained or not answer.quotes:
        shown = [passage_block(n, answer.passages[n - 1], answer.language) for n in cited_numbers(answer)[:MAX_CLOSEST]]
        return "\n".join(lines + ([f"\n{words['closest']}:"] + shown if shown else []))
    lines.append(f"\n{words['sources']}:")
    for n in cited_numbers(answer):
        p = answer.passages[n - 1]
        lines.append(citation_line(n, p, answer.language))
        if p.url:
            lines.append(_INDENT + printable(p.url))
        lines += [f"{_INDENT}“{printable(q.text)}”（{q.start}–{q.end}）" for q in answer.quotes if q.passage == n]
    return "\n".join(lines)
