"""Names an article writes in both scripts: 萨蒂亚・纳德拉(Satya Nadella), 甲骨文(Oracle), Mustafa Suleyman（穆斯塔法・苏莱曼）.

Chinese news gives the original of a foreign name in brackets at its first mention and writes
the Chinese form alone afterwards (纳德拉, 甲骨文). These pairs are the corpus's own dictionary of
names: they bridge an English question's "Oracle" or "Ellison" to the sentences that write only
甲骨文 or 埃里森, where neither CC-CEDICT (甲骨文 is "oracle bone script" there) nor a pinyin
comparison (埃里森 is "ailisen") can. Written by hand: no library extracts them, and the
pattern is a regular expression plus a few rules for where the Chinese name starts.

Example::

    >>> [(p.chinese, p.latin) for p in name_pairs("数据库软件公司甲骨文(Oracle)和拉里・埃里森(Larry Ellison)")]
    [('甲骨文', 'Oracle'), ('拉里・埃里森', 'Larry Ellison')]
    >>> chinese_forms("Ellison", name_pairs("拉里・埃里森(Larry Ellison)"))
    ('埃里森',)
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from qa.text.tokens import tagged

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_DOTS = "・·•‧"
_WORD = r"[A-Za-z][A-Za-z0-9'&.-]*"
# How a Latin-script name's word starts: a capital, or lower-case letters before a capital (a
# brand name: xAI, iPhone, eBay), not inside a word. Names in English questions start so too
# (qa.text.translate, qa.search.aliases).
NAME_START = r"(?:[A-Z]|(?<![A-Za-z0-9])[a-z]+(?=[A-Z]))"
_NAME_WORD = rf"{NAME_START}[A-Za-z0-9'&.-]*"
# The Latin side: a name's word, then up to four more ("Bank of America", "Mustafa Suleyman").
_LATIN = rf"{_NAME_WORD}(?: {_WORD}){{0,4}}"
_CHINESE_FIRST = re.compile(rf"([{_HAN}{_DOTS}]{{2,24}})\s*[（(]\s*({_LATIN})\s*[)）]")
_LATIN_FIRST = re.compile(rf"((?:{_NAME_WORD} ){{0,4}}{_NAME_WORD})\s*[（(]\s*"
                          rf"([{_HAN}][{_HAN}{_DOTS}]{{1,15}})\s*[)）]")
_SPLIT_DOTS = re.compile(f"[{_DOTS}]+")
# A given name is one to four characters (萨姆, 萨蒂亚); a longer first piece of a dotted name
# has a title or a clause stuck to it (首席执行官萨蒂亚), whose boundary jieba cannot find in a
# transliteration (it cuts 萨蒂/亚), so that piece is left out and the surname kept.
_GIVEN_NAME_MAX = 4
# A word that joins the name to what comes before it (和拉里, 与埃隆): no transliteration starts so.
_JOINED = re.compile("[和与及跟同的是在了被由向对把将从]")
_NAME_MIN, _NAME_MAX = 2, 12


@dataclass(frozen=True)
class NamePair:
    """One name as an article writes it in Chinese (``chinese``, e.g. 萨蒂亚・纳德拉) and in Latin script (``latin``)."""

    chinese: str
    latin: str


def name_pairs(text: str) -> list[NamePair]:
    """Return the names ``text`` writes in both scripts, in text order without repeats: a
    Chinese name followed by its original in brackets, or the other way round. Acronyms
    (AGI, IMF) are left out: where their Chinese expansion starts is a guess.
    """
    found = [_chinese_first(m.group(1), m.group(2)) for m in _CHINESE_FIRST.finditer(text)]
    found += [_pair(m.group(2), m.group(1)) for m in _LATIN_FIRST.finditer(text)]
    return list(dict.fromkeys(p for p in found if p is not None))


def chinese_forms(name: str, pairs: Iterable[NamePair]) -> tuple[str, ...]:
    """Return the Chinese forms ``pairs`` give the Latin-script ``name``: the whole Chinese name
    when ``name`` is its whole original, the matching piece of a dotted name when ``name`` is
    part of it ("Ellison" of 拉里・埃里森(Larry Ellison) → 埃里森), and the whole Chinese name
    when a part matches a name written without dots; most frequent first."""
    words = name.lower().split()
    if not words:
        return ()
    counts: dict[str, int] = {}
    for pair in pairs:
        form = _form_of(words, pair)
        if form:
            counts[form] = counts.get(form, 0) + 1
    return tuple(sorted(counts, key=lambda f: -counts[f]))


def _form_of(words: list[str], pair: NamePair) -> str | None:
    latin = pair.latin.lower().split()
    at = next((i for i in range(len(latin) - len(words) + 1) if latin[i:i + len(words)] == words), None)
    if at is None:
        return None
    pieces = _SPLIT_DOTS.split(pair.chinese)
    # the pieces line up with the last words of the original: a Chinese name written without
    # its given name (苏莱曼（Mustafa Suleyman）) is the surname's form, not the given name's
    first = len(latin) - len(pieces)
    end = at + len(words)
    if end <= first:
        return None
    return "・".join(pieces[max(0, at - first):end - first])


def _chinese_first(run: str, latin: str) -> NamePair | None:
    """The pair of a Chinese ``run`` (the Han characters before the bracket) and its original."""
    pieces = [p for p in _SPLIT_DOTS.split(run) if p]
    if not pieces:
        return None
    if len(pieces) > 1 or _SPLIT_DOTS.search(run):
        pieces = pieces[-len(latin.split()):]
        if len(pieces) > 1:
            pieces[0] = _JOINED.split(pieces[0])[-1]  # 他与埃隆 → 埃隆
            if not pieces[0] or len(pieces[0]) > _GIVEN_NAME_MAX:
                pieces = pieces[1:]
        return _pair("・".join(pieces), latin)
    words = [w for w, _ in tagged(run)]
    return _pair(words[-1] if words else "", latin)


def _pair(chinese: str, latin: str) -> NamePair | None:
    latin = latin.strip(" .'-")
    plain = _SPLIT_DOTS.sub("", chinese)
    if not (_NAME_MIN <= len(plain) <= _NAME_MAX) or len(latin) < 2 or latin.replace(" ", "").isupper():
        return None
    return NamePair(chinese, latin)
