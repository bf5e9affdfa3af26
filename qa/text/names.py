"""Names written in two scripts: a Latin-script name and its Chinese transliteration.

Chinese news writes a foreign name as a transliteration (苏莱曼), as the original (Mustafa
Suleyman), or both; one outlet's 苏莱曼 is another's Suleyman. Two forms are taken for the same
name when the pinyin of the Chinese form (``pypinyin``: 苏莱曼 → sulaiman) and the Latin form,
lower-cased, agree closely enough (difflib's ratio ≥ ``SAME_NAME_RATIO``): transliteration keeps
most consonants and the order of syllables (纳德拉/nadela ~ Nadella, 奥特曼/aoteman ~ Altman).
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

from qa.text.language import is_cjk
from qa.text.tokens import search_form, tagged

# Set by hand on the seed articles' name pairs (Suleyman/苏莱曼 0.75, Altman/奥特曼 0.77,
# Nadella/纳德拉 0.92, Schulman/舒尔曼 0.75) against their non-pairs (Suleyman/微软 0.13, …).
SAME_NAME_RATIO = 0.7
_LATIN = re.compile(r"^[a-z][a-z'-]{3,}$")


@functools.lru_cache(maxsize=65_536)
def _pinyin(word: str) -> str:
    from pypinyin import lazy_pinyin  # imported on first use: its dictionary takes ~0.3 s to load

    return "".join(lazy_pinyin(word))


def _comparable_chinese(word: str) -> bool:
    return 2 <= len(word) <= 4 and all(is_cjk(ch) for ch in word)


def same_name(latin: str, chinese: str) -> bool:
    """Whether ``latin`` (e.g. "Suleyman") and ``chinese`` (e.g. "苏莱曼") may write the same name."""
    latin = latin.lower()
    if not _LATIN.match(latin) or not _comparable_chinese(chinese):
        return False
    return SequenceMatcher(None, latin, _pinyin(chinese), autojunk=False).ratio() >= SAME_NAME_RATIO


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


# jieba's part-of-speech tags for names: people (nr, nrt: transliterated), places, organisations,
# other proper nouns, and Latin-script words (OpenAI, GPT-4).
_NAME_TAGS = frozenset({"nr", "nrt", "ns", "nt", "nz", "eng"})


def question_names(question: str) -> list[tuple[str, ...]]:
    """Return the names ``question`` asks about, each as the search-token forms it may take:
    an English question's capitalised names (the last word of a multi-word name, with the
    dictionary's Chinese forms), a Chinese question's words jieba tags as names.

    >>> question_names("why did Microsoft hire Suleyman?")  # doctest: +SKIP
    [('microsoft', '微软', '微软公司'), ('suleyman',)]
    """
    from qa.text.translate import keyword_language, names

    if keyword_language(question) == "en":
        return [(name.lower().split()[-1], *forms) for name, forms in names(question)]
    return list(dict.fromkeys((word.lower(),) for word, tag in tagged(search_form(question))
                              if tag in _NAME_TAGS and len(word) > 1))
