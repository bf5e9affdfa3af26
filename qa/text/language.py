"""Guess the language of a text (Chinese or English) and tell CJK characters apart."""
from __future__ import annotations

import functools
import re
import sys
import unicodedata

_CJK_RANGES = (  # ideographs (all extensions), kana, hangul, bopomofo, CJK and full-width punctuation
    (0x1100, 0x11FF), (0x2E80, 0x2FDF), (0x3000, 0x303F), (0x3040, 0x31FF), (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF), (0xA960, 0xA97F), (0xAC00, 0xD7FF), (0xF900, 0xFAFF), (0xFE10, 0xFE1F),
    (0xFE30, 0xFE4F), (0xFF00, 0xFFEF), (0x20000, 0x3FFFF),
)
_LATIN_WORD = re.compile(r"[A-Za-z]+")
# Word weights of detect_language: a Chinese word is about two characters (jieba's Chinese
# words in the two seed articles average 1.8); a capitalised Latin word is usually a name or
# acronym that Chinese text borrows, so it counts half.
_CJK_CHARS_PER_WORD = 2
_CAPITALISED_WORD_WEIGHT = 0.5
# Chinese from this share of (weighted) words up: set by hand, not measured on a data set; it
# keeps short Chinese questions about English names ("那 OpenAI 呢？") Chinese.
_ZH_MIN_SHARE = 0.4


def is_cjk(ch: str) -> bool:
    """Whether ``ch`` is a CJK character: ideograph, kana, hangul or CJK/full-width punctuation.

    >>> is_cjk("中"), is_cjk("。"), is_cjk("a")
    (True, True, False)
    """
    if not ch:
        return False
    code = ord(ch[0])
    return any(lo <= code <= hi for lo, hi in _CJK_RANGES)


def detect_language(text: str) -> str:
    """Return ``"zh"`` when CJK letters make a meaningful share of ``text``, else ``"en"``.

    CJK letters count half a word each (a Chinese word is about two characters), lower-case
    Latin words one, capitalised ones (names, acronyms) half, so Chinese questions about
    ``OpenAI`` stay Chinese.  Text without any letters gives ``"zh"``, the corpus language.

    >>> detect_language("why did Microsoft hire Suleyman?"), detect_language("那 OpenAI 呢？")
    ('en', 'zh')
    """
    return "zh" if 1.0 - _latin_share(text) >= _ZH_MIN_SHARE else "en"


def english_share(text: str) -> float:
    """Return how English ``text`` is, 0..1: 0 for a text :func:`detect_language` calls Chinese,
    else the (weighted) share of its words that are Latin, as that function counts them.

    >>> english_share("why did Microsoft hire Suleyman?"), english_share("那 OpenAI 呢？")
    (1.0, 0.0)
    >>> round(english_share("why did 微软 hire Suleyman?"), 2)
    0.78
    """
    share = _latin_share(text)
    return 0.0 if 1.0 - share >= _ZH_MIN_SHARE else share


def _latin_share(text: str) -> float:
    """Return the weighted share of Latin words among ``text``'s words (0 without letters)."""
    cjk = len(_cjk_letters().findall(text)) / _CJK_CHARS_PER_WORD
    latin = sum(1.0 if w[0].islower() else _CAPITALISED_WORD_WEIGHT for w in _LATIN_WORD.findall(text))
    return latin / (cjk + latin) if cjk + latin else 0.0


@functools.cache
def _cjk_letters() -> re.Pattern[str]:
    """Return a pattern matching one CJK letter: a code point of ``_CJK_RANGES`` whose Unicode
    category is Lo. Built once (~0.1 s) from runs of such code points: counting with it is ~20x
    faster than testing each character, which mattered for indexing (every article is checked)."""
    runs: list[tuple[int, int]] = []
    for lo, hi in _CJK_RANGES:
        for code in range(lo, min(hi, sys.maxunicode) + 1):
            if unicodedata.category(chr(code)) != "Lo":
                continue
            if runs and runs[-1][1] == code - 1:
                runs[-1] = (runs[-1][0], code)
            else:
                runs.append((code, code))
    return re.compile("[" + "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in runs) + "]")
