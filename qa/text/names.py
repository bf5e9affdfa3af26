"""Names written in two scripts: a Latin-script name and its Chinese transliteration.

Chinese news writes a foreign name as a transliteration (苏莱曼), as the original (Mustafa
Suleyman), or both; one outlet's 苏莱曼 is another's Suleyman. Two forms are taken for the same
name when the pinyin of the Chinese form (``pypinyin``: 苏莱曼 → sulaiman) and the Latin form,
lower-cased, open with the same sound and agree closely enough (difflib's ratio ≥
``SAME_NAME_RATIO``): transliteration keeps the opening sound, most consonants and the order of
syllables (纳德拉/nadela ~ Nadella, 奥特曼/aoteman ~ Altman); or when their consonant skeletons
agree (:mod:`qa.text.phonetic`: Allen/艾伦, Elway/埃尔维, which the ratio misses).
Only Chinese words of two to four characters (a transliterated name's usual length) and Latin
words of four letters or more are compared, so common short words do not pair by chance.

Example::

    >>> same_name("Suleyman", "苏莱曼"), same_name("Nadella", "纳德拉"), same_name("Suleyman", "微软")
    (True, True, False)
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from difflib import SequenceMatcher

from qa.text.phonetic import sounds_alike, syllables

# Set by hand on the seed articles' name pairs (Suleyman/苏莱曼 0.75, Altman/奥特曼 0.77,
# Nadella/纳德拉 0.92, Schulman/舒尔曼 0.75) against their non-pairs (Suleyman/微软 0.13, …).
SAME_NAME_RATIO = 0.7
_LATIN = re.compile(r"^[a-z][a-z'-]{3,}$")


def _pinyin(word: str) -> str:
    return "".join(syllables(word))


# A transliterated name's usual length, in the CJK ideograph blocks (a regex: an English
# question tests every word of its passages, ~1,000 a question).
_CJK_WORD = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,4}$")


def _comparable_chinese(word: str) -> bool:
    return bool(_CJK_WORD.match(word))


def spelled_in(latin_names: Iterable[str], words: Iterable[str]) -> list[str]:
    """Return the Chinese ``words`` that write one of ``latin_names`` (see :func:`same_name`), sorted."""
    names = [n.lower() for n in latin_names if _LATIN.match(n.lower())]
    if not names:
        return []
    return sorted(w for w in words if _CJK_WORD.match(w) and any(_similar(n, w) for n in names))


def same_name(latin: str, chinese: str) -> bool:
    """Whether ``latin`` (e.g. "Suleyman") and ``chinese`` (e.g. "苏莱曼") may write the same name."""
    latin = latin.lower()
    return bool(_LATIN.match(latin)) and _comparable_chinese(chinese) and _similar(latin, chinese)


_ONSET = re.compile(r"^[^aeiouy]*")
_SAME_ONSET = {"sch": "sh", "ph": "f", "th": "t", "gh": "g", "kh": "k"}


def _onset(spelling: str) -> str:
    """Return the consonants before the first vowel (奥巴马/Obama: none either way; 苏/Su "s",
    舒/Schu "sh"), spelling variants folded."""
    onset = _ONSET.match(spelling).group()  # type: ignore[union-attr]
    return _SAME_ONSET.get(onset, onset)


@functools.lru_cache(maxsize=262_144)
def _similar(latin: str, chinese: str) -> bool:
    """The test of :func:`same_name`: the pinyin ratio, cheap bounds first (an English question
    compares its names with every short Chinese word of its passages, ~1,000 pairs), then the
    consonant skeletons of :mod:`qa.text.phonetic`."""
    spelling = _pinyin(chinese)
    if _onset(latin) == _onset(spelling):  # transliteration keeps the opening sound
        m = SequenceMatcher(None, latin, spelling, autojunk=False)
        if m.real_quick_ratio() >= SAME_NAME_RATIO and m.quick_ratio() >= SAME_NAME_RATIO \
                and m.ratio() >= SAME_NAME_RATIO:
            return True
    return sounds_alike(latin, chinese)  # short names: Allen/艾伦 "ailun" is only 0.6 alike


def mentioned(term: str, words: Iterable[str]) -> bool:
    """Whether ``term`` is among ``words`` (search tokens of a text), as written or as the same
    name in the other script (a Latin term against the Chinese words, and the other way round)."""
    words = set(words)
    if term in words:
        return True
    if _LATIN.match(term):
        return any(same_name(term, w) for w in words if _comparable_chinese(w))
    if _comparable_chinese(term):
        return any(same_name(w, term) for w in words if _LATIN.match(w))
    return False
