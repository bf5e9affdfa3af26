"""Clean article text for storage, find its paragraphs, and spot what UTF-8 cannot hold."""
from __future__ import annotations

import re
import unicodedata

# Lone halves of UTF-16 surrogate pairs (JSON and YAML "\ud800" escapes, a broken paste).
# Python strings can hold them, but UTF-8 cannot: SQLite, jieba, the encoders' tokenizers and
# hashlib raise on them, so every entry point refuses them first.
_SURROGATE = re.compile("[\ud800-\udfff]")


def first_surrogate(text: str) -> re.Match[str] | None:
    """Return the match of the first lone UTF-16 surrogate in ``text``, or ``None`` if it has none.

    Such a string cannot be encoded as UTF-8, so SQLite, the tokenizers and hashing would raise
    on it; callers refuse it with a message naming ``match.group()`` and ``match.start()``.

    >>> first_surrogate("ok") is None, first_surrogate("a\\ud800b").start()
    (True, 1)
    """
    return _SURROGATE.search(text)


def normalize_article_text(text: str) -> str:
    """Return ``text`` cleaned for storage; punctuation (full-width included) is kept verbatim.

    Strips a BOM, turns ``\\r\\n``/``\\r`` into ``\\n``, applies NFC, strips trailing whitespace on
    lines, collapses runs of blank lines to one blank line and strips the ends.  Idempotent.

    >>> normalize_article_text("\\ufeff第一段。  \\r\\n\\r\\n\\r\\n\\r\\n第二段！\\n")
    '第一段。\\n\\n第二段！'
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    text = re.sub(r"\n{3,}", "\n\n", text)
    # BOMs may hide behind leading whitespace; strip both until neither is left.
    return re.sub(r"^[\s\ufeff]+", "", text).rstrip()


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` of every non-blank line, stripped of surrounding whitespace.

    >>> paragraph_spans(" 甲。\\n\\n乙 \\n")
    [(1, 3), (5, 6)]
    """
    spans = []
    start = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            left = start + len(line) - len(line.lstrip())
            spans.append((left, left + len(stripped)))
        start += len(line) + 1
    return spans
