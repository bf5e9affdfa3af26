"""Split Chinese (and English) news text into sentences with exact character offsets.

Sentence rules (:func:`split_sentences`):

* Every ``\\n`` ends a sentence and starts a new paragraph: Chinese news puts one paragraph
  per line, so single and blank-line breaks count alike (blank lines add no extra number).
* Full-width 。！？… (runs such as ``……`` or ``？！`` are one unit) always end a sentence,
  unless a comma follows (``等等……，``) or a book title 《…》 is still open (``《你好！》``).
* Semicolons (``；`` ``;``) do not: in Chinese they join the clauses of one sentence (a list, a
  contrast), and 2 % of CMRC 2018 gold answers run across one.
* ASCII ``. ! ?`` (and full-width ``．``) end one only when followed by whitespace, the end,
  a CJK character or an opening quote (``! ?`` also when preceded by a CJK character, as in
  ``不满!OpenAI``); ``.`` also not after abbreviations (``Mr.``, ``Inc.``,
  ``e.g.``, single capital initials as in ``U.S.`` or ``D.A. Davidson``), in decimals
  (``3.5``), domains (``openai.com``) or a list number at the start (``1. 首先``).
* Closing quotes and brackets after the terminator stay with the sentence.
* A run longer than ``max_chars`` is cut at the last comma, space or punctuation before the bound,
  or hard at the bound.

Every decision looks only forward from the current sentence start (never behind it), so
re-splitting any run of whole sentences, e.g. a chunk's text, gives the same sentences.
"""
from __future__ import annotations

import re

from qa.text.language import is_cjk
from qa.text.normalize import paragraph_spans
from qa.types import Sentence

STRONG_TERMINATORS = frozenset("。｡！？…‼⁇⁈⁉")
WEAK_TERMINATORS = frozenset(".!?．")  # ASCII forms: ambiguous (3.5, U.S., openai.com)
TERMINATORS = STRONG_TERMINATORS | WEAK_TERMINATORS
CLOSERS = frozenset("”」』）)’】》〉〕〗〙］]｝}\"'")
_COMMAS = frozenset("，,、､﹐﹑")
_SEMICOLONS = frozenset("；;﹔")  # clause breaks: preferred cut points of an over-long sentence
_TITLE_REACH = 60  # a 《 with no 》 this close is a stray mark, not a title that hides 。！？
_LIST_NUMBER_DIGITS = 3  # "1. " to "999. " at a sentence start is a list number, not an end
_OPENERS = frozenset("“「『《（【〈〔〖‘")
_ABBREVIATIONS = frozenset(
    "Mr Mrs Ms Dr Prof Sr Jr St Mt Inc Ltd Co Corp Bros Gen Gov Sen Rep Rev Lt Col Capt Sgt "
    "No Nos Vol Fig Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Ave Rd vs cf al approx "
    "dept est".split())
_TERMINATOR_RE = re.compile("[" + re.escape("".join(sorted(TERMINATORS))) + "]")
_APOSTROPHE = re.compile(r"(?<=[^\W\d_])'(?=[^\W\d_])")


def split_sentences(text: str, max_chars: int = 300) -> list[Sentence]:
    """Return the sentences of ``text`` in order; ``text[s.start:s.end] == s.text`` always.

    Sentences are non-empty, stripped, non-overlapping and at most ``max_chars`` long;
    ``paragraph`` numbers the non-blank lines from 0 (see the module docstring for the rules).

    >>> [s.text for s in split_sentences("他说：“好。”然后走了。\\nU.S. 增长3.5%。")]
    ['他说：“好。”', '然后走了。', 'U.S. 增长3.5%。']

    Raises:
        ValueError: ``max_chars`` is below 1.
    """
    if max_chars < 1:
        raise ValueError(f"max_chars must be at least 1, got {max_chars}")
    sentences: list[Sentence] = []
    for paragraph, (start, end) in enumerate(paragraph_spans(text)):
        for s, e in _line_sentences(text, start, end, max_chars):
            sentences.append(Sentence(text[s:e], s, e, paragraph))
    return sentences


def _line_sentences(text: str, s: int, line_end: int, max_chars: int) -> list[tuple[int, int]]:
    """Return the sentence spans of the stripped line ``text[s:line_end]``, greedily from the left."""
    spans = []
    while s < line_end:
        end = _find_boundary(text, s, line_end, max_chars)
        if end is None:
            end = line_end if line_end - s <= max_chars else _cut_point(text, s, s + max_chars)
        spans.append((s, end))
        s = end
        while s < line_end and text[s].isspace():
            s += 1
    return spans


def _find_boundary(text: str, s: int, line_end: int, max_chars: int) -> int | None:
    """Return the end of the first accepted terminator run after ``s`` if within ``max_chars``."""
    bound = s + max_chars
    pos = s
    quotes = _QuoteCounter(text, s)
    while True:
        match = _TERMINATOR_RE.search(text, pos, min(line_end, bound))
        if match is None:
            return None
        p = run_end = match.start()
        while run_end < line_end and text[run_end] in TERMINATORS and run_end <= bound:
            run_end += 1
        q = run_end
        while q < line_end and q <= bound and (text[q] in CLOSERS and quotes.closes(q)):
            q += 1
        if q > bound:  # whatever this run decides, the sentence would be too long
            return None
        if _accepts(text, s, p, run_end, q, line_end):
            return q
        pos = q


class _QuoteCounter:
    """Counts straight quotes from a sentence start, left to right, in linear time overall."""

    def __init__(self, text: str, s: int) -> None:
        self.text, self.s, self.upto, self.double, self.single = text, s, s, 0, 0

    def closes(self, q: int) -> bool:
        """Whether the closer at ``q`` closes: always, except a straight quote that opened nothing.

        ``"`` closes only after an odd number of ``"``; ``'`` likewise, not counting apostrophes
        between letters (don't, it's).  Never looks before the sentence start.
        """
        ch = self.text[q]
        if ch not in "\"'":
            return True
        if q > self.upto:
            lo = max(self.s, self.upto - 1)  # one char of left context, to judge apostrophes
            segment = self.text[lo:q + 1]
            self.double += segment.count('"', self.upto - lo, q - lo)
            self.single += segment.count("'", self.upto - lo, q - lo) - len(_APOSTROPHE.findall(segment))
            self.upto = q
        return (self.double if ch == '"' else self.single) % 2 == 1


def _accepts(text: str, s: int, p: int, run_end: int, q: int, line_end: int) -> bool:
    """Whether the terminator run ``text[p:run_end]`` (closers up to ``q``) ends a sentence."""
    nxt = text[q] if q < line_end else ""
    if nxt in _COMMAS:
        return False  # 等等……， the sentence goes on
    if text.count("《", s, p) > text.count("》", s, p) and "》" in text[p:min(line_end, p + _TITLE_REACH)]:
        return False  # inside a book title: 《卡拉OK.LIVE！‧台北‧我》
    run = text[p:run_end]
    if any(ch in STRONG_TERMINATORS for ch in run):
        return True
    if nxt and not (nxt.isspace() or is_cjk(nxt) or nxt in _OPENERS):
        # 3.5, openai.com, Yahoo!Japan go on; but "不满!OpenAI则" is Chinese with ASCII punctuation.
        return p > s and is_cjk(text[p - 1]) and not set(run) & {".", "．"}
    if set(run) <= {".", "．"}:
        if len(run) > 1:  # an ellipsis followed by lower case goes on: "wait... then"
            after = text[q + 1] if q + 1 < line_end else ""
            return not (nxt.isspace() and after.isascii() and after.islower())
        return not _abbreviation_or_number(text, s, p, nxt)
    return True


def _abbreviation_or_number(text: str, s: int, p: int, nxt: str) -> bool:
    """Whether the ``.`` at ``p`` belongs to an abbreviation, a number or a list number."""
    before = text[p - 1] if p > s else ""
    if before.isdigit() and nxt.isdigit():
        return True  # 3．５ with full-width digits
    j = p
    while j > s and text[j - 1].isascii() and text[j - 1].isalpha():
        j -= 1
    word = text[j:p]
    if not word:
        return 0 < p - s <= _LIST_NUMBER_DIGITS and text[s:p].isascii() and text[s:p].isdigit()  # "1. 首先"
    if word in _ABBREVIATIONS:
        return True
    # Initials (U.S., D.A. Davidson, J. K. Rowling) and dotted short forms (e.g., i.e., a.m.).
    return len(word) == 1 and (word.isupper() or (j > s and text[j - 1] == "."))


def _cut_point(text: str, s: int, bound: int) -> int:
    """Return the last position in ``(s, bound]`` after a comma or punctuation or before a space.

    Falls back to ``bound`` (a hard cut).  Any sentence end is such a position, which keeps
    re-splitting a run of whole sentences consistent with splitting the whole text.
    """
    for x in range(bound, s, -1):
        prev = text[x - 1]
        if prev.isspace():
            continue
        if prev in _COMMAS or prev in _SEMICOLONS or prev in TERMINATORS or prev in CLOSERS or text[x].isspace():
            return x
    return bound
