"""ECDICT (English → Chinese, MIT licence): the Chinese senses of English words, shipped with the package.

CC-CEDICT is a Chinese → English dictionary, and read backwards (:mod:`qa.text.glossary`) it
misses English words that no Chinese entry glosses in that exact form: "bronco" (野马),
"edict" (法令), "theoretical" (only 虚拟), "divisional", "settler". ECDICT (github.com/skywind3000/ECDICT)
is written the other way, from the English side. ``qa/text/data/ecdict_senses.tsv.gz`` holds the
senses of its common words (those with a frequency rank or a word-list tag) and of its
capitalised headwords (names, peoples, places), one ``word<TAB>sense sense …`` line each; it is
made from ECDICT's ``ecdict.csv`` by ``bench/make_ecdict_senses.py`` with :func:`senses_of`.
The glossary adds them after CC-CEDICT's own senses; the articles' chunk counts choose among them.

Example::

    >>> senses_of("a. 理论的, 理论上的, 假设的\\n[计] 理论的")
    ['理论', '理论上', '假设']
"""
from __future__ import annotations

import functools
import gzip
import hashlib
import logging
import re
from importlib import resources

log = logging.getLogger(__name__)

SENSES_FILE = "ecdict_senses.tsv.gz"
MAX_SENSES = 8  # a word's senses kept: ECDICT lists the common ones first
MAX_SENSE_CHARS = 8  # longer "senses" are definitions (美国橄榄球超级杯大赛), not words a text uses
_CJK = "\u3400-\u9fff\uf900-\ufaff"
# "n.", "vt.", "a. & n." before a line's senses; "[计]", "[网络]" (web-sourced: kept, after the rest)
_POS = re.compile(r"^\s*(?:(?:n|v|vt|vi|a|adj|adv|ad|prep|conj|pron|num|int|interj|abbr|art|aux|s|pl|suf|pref|"
                  r"phr|det|na)\.\s*(?:&\s*)?)+", re.IGNORECASE)
_DOMAIN = re.compile(r"^\s*\[([^\]]{1,6})\]\s*")
_NOTES = re.compile(r"\([^)]*\)|（[^）]*）|【[^】]*】|\[[^\]]*\]|<[^>]*>|[《》]")
_SEPARATORS = re.compile(r"[,，;；、/]")
_SENSE = re.compile(rf"[{_CJK}]{{1,{MAX_SENSE_CHARS}}}")
_GAP = ("...", "…", "～", "~")  # "授与...以国籍": a frame with a hole, not a word
_ADJECTIVAL = "的地"  # 理论的 → 理论: the text writes the stem (理论上, 理论研究)
# Notes written as senses: "n. (Suleyman)人名；(阿拉伯)苏莱曼" (3,081 headwords say 人名), a grammar term
_NOT_WORDS = frozenset({"人名", "地名", "姓", "姓氏", "男子名", "女子名", "英文名", "昵称", "学名", "拉丁学名", "属名",
                        "二名法", "名词", "动词", "形容词", "副词", "复数", "缩写", "过去分词"})


def senses_of(translation: str) -> list[str]:
    """Return the Chinese words of one ECDICT ``translation`` field (lines of senses, ``\\n``
    written literally or as a newline), in its order with web-sourced ``[网络]`` lines last:
    notes in brackets dropped, a trailing 的/地 cut from words of three characters or more, only
    runs of Chinese characters kept (at most ``MAX_SENSES``).

    >>> senses_of("vt. 授与...以国籍, 使入国籍, 归化\\n[网络] 入籍")
    ['使入国籍', '归化', '入籍']
    >>> senses_of("n. (Suleyman)人名；(阿拉伯)苏莱曼")
    ['苏莱曼']
    >>> senses_of("n. Italian engineer")
    []
    """
    main: list[str] = []
    web: list[str] = []
    for line in translation.replace("\\n", "\n").split("\n"):
        bucket = main
        domain = _DOMAIN.match(line)
        if domain:
            bucket = web if domain.group(1) == "网络" else main
            line = line[domain.end():]
        for part in _SEPARATORS.split(_NOTES.sub("", _POS.sub("", line))):
            part = part.strip()
            if any(gap in part for gap in _GAP):
                continue
            if len(part) >= 3 and part[-1] in _ADJECTIVAL:
                part = part[:-1]
            if _SENSE.fullmatch(part) and part not in _NOT_WORDS:
                bucket.append(part)
    return list(dict.fromkeys(main + web))[:MAX_SENSES]


def load() -> dict[str, tuple[str, ...]]:
    """Return English word or phrase (lower case) → its Chinese senses from the shipped file;
    empty (logged) when the file is missing or unreadable: English questions then rely on CC-CEDICT."""
    data = _shipped()
    try:
        text = gzip.decompress(data).decode("utf-8") if data is not None else None
    except (OSError, EOFError, ValueError):
        text = None
    if text is None:
        log.warning("ECDICT senses (qa/text/data/%s) could not be read; English questions use CC-CEDICT alone",
                    SENSES_FILE)
        return {}
    return {word: tuple(senses.split(" ")) for word, _, senses in
            (line.partition("\t") for line in text.splitlines()) if senses}


def version() -> str:
    """Return a short digest of the shipped senses file ("none" without it): part of the name of
    every cache built from it, so a new file rebuilds them."""
    data = _shipped()
    return "none" if data is None else hashlib.sha256(data).hexdigest()[:12]


@functools.cache
def _shipped() -> bytes | None:
    """Return the shipped file's bytes, read once per process (the glossary parses them, the
    stem index's cache name hashes them); None when it cannot be read."""
    try:
        return resources.files("qa.text").joinpath("data", SENSES_FILE).read_bytes()
    except OSError:
        return None
