"""Whether a Latin-script name and a Chinese word sound alike, by their consonant skeletons.

Chinese transliteration keeps a name's consonants in order and writes each with a syllable
(Elway → 埃尔维 ai-er-wei, Voes → 沃斯 wo-si, Davis → 戴维斯 dai-wei-si), adding vowels and
replacing sounds Chinese lacks (v → w, r → l). Both sides are reduced to a skeleton: a mark
for a leading vowel, then classes of consonants (b/p, d/t, g/k/q, s/z/x, j/ch/zh, l/r, v/w…),
repeats merged: Elway → VLW, 埃尔维 → VLW. Equal skeletons of three symbols or more sound alike
when the Chinese word looks like a transliteration: not a word CC-CEDICT glosses only as a
common noun (不同), and either a proper noun there or written only with characters jieba's
transliterated names (``nrt``) use (埃尔维; not 七次). A Latin word the dictionary translates as
a common word is not a name to sound out ("Valley" is 山谷, not 威尔).

This widens :func:`qa.text.names.same_name`, whose pinyin comparison misses short names
(Allen/艾伦 "ailun", difflib ratio 0.6). Written by hand: no maintained library transliterates
English names into Chinese (pypinyin goes the other way, by characters).

Example::

    >>> latin_skeleton("Elway"), chinese_skeleton("埃尔维")  # doctest: +SKIP
    ('VLW', 'VLW')
"""
from __future__ import annotations

import functools
import re

from qa.text.glossary import cedict as glossary  # names read CC-CEDICT alone (glossary.cedict)
from qa.text.glossary import dictionary_kinds
from qa.text.tokens import word_tags

_VOWELS = "aeiouy"
# Latin spellings of one sound, longest first, then single letters; "c" is soft before e/i/y.
_LATIN_GROUPS = (("sch", "S"), ("tch", "J"), ("ch", "J"), ("sh", "S"), ("ph", "F"), ("th", "T"), ("ck", "K"),
                 ("qu", "KW"), ("x", "KS"), ("ng", "N"))
_LATIN_LETTERS = {"b": "P", "p": "P", "d": "T", "t": "T", "k": "K", "q": "K", "g": "K", "f": "F", "v": "W",
                  "w": "W", "s": "S", "z": "S", "j": "J", "l": "L", "r": "L", "m": "M", "n": "N"}
# Pinyin initials, two-letter ones first; h and y carry no consonant of the original.
_INITIALS = (("zh", "J"), ("ch", "J"), ("sh", "S"), ("b", "P"), ("p", "P"), ("d", "T"), ("t", "T"), ("g", "K"),
             ("k", "K"), ("j", "J"), ("q", "J"), ("x", "S"), ("z", "S"), ("c", "S"), ("s", "S"), ("l", "L"),
             ("r", "L"), ("m", "M"), ("n", "N"), ("f", "F"), ("h", ""), ("w", "W"), ("y", ""))
MIN_SKELETON = 3  # symbols; two ("TL": Dario, 德拉 of 纳德拉) pair too many names with some word
_NAME_CHAR_USES = 2  # a character used in this many of jieba's transliterated names writes names
_REPEATS = re.compile(r"(.)\1+")


@functools.lru_cache(maxsize=65_536)
def latin_skeleton(word: str) -> str:
    """Return the skeleton of a Latin-script word ("Davis" → "TWS")."""
    w = re.sub(r"[^a-z]", "", word.lower())
    out = ["V"] if w[:1] in tuple(_VOWELS) else []
    i = 0
    while i < len(w):
        group = next(((src, dst) for src, dst in _LATIN_GROUPS if w.startswith(src, i)), None)
        if group:
            out.append(group[1])
            i += len(group[0])
            continue
        if w[i] == "c":
            out.append("S" if w[i + 1:i + 2] in ("e", "i", "y") else "K")
        else:
            out.append(_LATIN_LETTERS.get(w[i], ""))
        i += 1
    return _REPEATS.sub(r"\1", "".join(out))


@functools.lru_cache(maxsize=262_144)
def syllables(word: str) -> tuple[str, ...]:
    """Return the pinyin syllables of a Chinese word, without tones ("戴维斯" → dai, wei, si)."""
    from pypinyin import lazy_pinyin  # imported on first use: its dictionary takes ~0.3 s to load

    return tuple(lazy_pinyin(word))


@functools.lru_cache(maxsize=262_144)
def chinese_skeleton(word: str) -> str:
    """Return the skeleton of a Chinese word by its pinyin ("戴维斯" dai-wei-si → "TWS")."""
    out = []
    for k, syllable in enumerate(syllables(word)):
        initial = next(((src, dst) for src, dst in _INITIALS if syllable.startswith(src)), ("", "V" if k == 0 else ""))
        out.append(initial[1])
        final = syllable[len(initial[0]):]
        if syllable == "er":  # 尔 writes a final l or r (Vail → 威尔)
            out.append("L")
        elif final.endswith(("n", "ng")):
            out.append("N")
    return _REPEATS.sub(r"\1", "".join(out))


def sounds_alike(latin: str, chinese: str) -> bool:
    """Whether ``chinese`` may transliterate the name ``latin`` (module docstring)."""
    skeleton = chinese_skeleton(chinese)
    if len(skeleton) < MIN_SKELETON or skeleton != latin_skeleton(latin):
        return False
    proper, common = dictionary_kinds()
    if chinese in common or any(sense in common for sense in glossary().get(latin.lower(), ())):
        return False  # 不同 is no name; "Valley" (山谷) is a word, not a name to sound out
    return chinese in proper or all(c in name_characters() for c in chinese)


@functools.cache
def name_characters() -> frozenset[str]:
    """Return the characters that write transliterated names: those of at least
    ``_NAME_CHAR_USES`` of jieba's dictionary words tagged ``nrt``."""
    uses: dict[str, int] = {}
    for word, tag in word_tags().items():
        if tag == "nrt":
            for c in set(word):
                uses[c] = uses.get(c, 0) + 1
    return frozenset(c for c, n in uses.items() if n >= _NAME_CHAR_USES)
