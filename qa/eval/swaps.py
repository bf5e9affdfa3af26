"""On-topic unanswerable questions: a developer set's question with one salient term swapped.

The answerability model must refuse news questions that share the articles' topic but differ in
the one thing asked (孙正义 instead of 微软, 营收 instead of 市值, 2023 instead of 2024). These
negatives come from a SQuAD-format set without hand-labelling: one salient term of a question
(:func:`qa.text.salient.salient_terms`) is replaced by one of the same kind that occurs nowhere in
the question's own document (all paragraphs of its title), in either script.

* name: a name another document's question asks about and that document has as a word, for
  Chinese of the same jieba family (person, place, organisation, other, Latin-script).
* number: a year (1000–2099) becomes one within ten years of it (outside any span of years the
  document states), another number one of the same digit count (5 → 7, 308 → 708).
* attribute: the nearest other group in ``ATTRIBUTE_GROUPS`` order (营收 → 利润, 身高 → 体重);
  an English question gets that group's English word.

Known noise (the check is lexical), from hand-checking 20 random swaps per set (CMRC, DRCD,
XQuAD in English and in Chinese; 80 in all): 1 is still answered by its own paragraph (1980–1993
where the article has phases in 1980–84 and 1991), 3 only falsify a side detail (a date,
"besides X") so a lenient reader still finds the asked fact, and about 1 in 7 reads garbled where
jieba cut a name short (乌尔巴克齿龙 → 乌尔尼亚齿龙) or tagged a common word as one (山脉 →
亚美尼亚). Other documents may answer a swapped question: only its own document does not.
"""
from __future__ import annotations

import logging
import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Protocol, TypeVar

from qa.text import search_form, tokenize
from qa.text.names import mentioned
from qa.text.questions import ENGLISH_FUNCTION_WORDS
from qa.text.salient import ATTRIBUTE_GROUPS, ENGLISH_ATTRIBUTES, Term, salient_terms
from qa.text.tokens import tagged
from qa.text.translate import keyword_language
from qa.types import Article

log = logging.getLogger(__name__)
T = TypeVar("T")
_Option = tuple[str, tuple[str, ...]]  # a replacement as written, and the forms the document must lack

KINDS = ("name", "number", "attribute")
COMMON_NAME = 0.1  # share of documents above which a Chinese name is a common word to jieba's tagger
MAX_TRIES = 200  # replacements tried per term: a name common to most documents is not worth more
_FAMILY = {"nr": "person", "nrt": "person", "ns": "place", "nt": "organisation", "nz": "other", "eng": "latin"}
_PARAGRAPH_ID = re.compile(r"(d\d+)p\d+")  # load_squad's paragraph id: data entry, paragraph
_YEAR = re.compile(r"1\d{3}|20\d\d")  # a year, or a number of that size (the same kind of swap suits it)
# A span of years an article states (1999年12月至2009年12月, 1980-1984): it answers for the years inside.
_SPAN = re.compile(r"(?<!\d)(1\d{3}|20\d\d)\s*年?(?:\d{1,2}\s*月)?(?:\d{1,2}\s*日)?\s*(?:至|到|-|–|—|~)\s*"
                   r"(1\d{3}|20\d\d)(?!\d)")
_DIGITS = "零一二三四五六七八九"
_GROUP_INDEX = {group[0]: i for i, group in enumerate(ATTRIBUTE_GROUPS)}


class Asked(Protocol):
    """A question as :func:`qa.eval.retrieval.load_squad` gives it (not imported: a cycle)."""

    @property
    def id(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def paragraph_id(self) -> str: ...


@dataclass(frozen=True)
class Swap:
    """A question with one salient term replaced; the paragraph is the original question's."""

    text: str  # the swapped question
    paragraph_id: str  # the original question's paragraph
    kind: str  # "name" | "number" | "attribute"
    original: str  # the term's text in the question
    replacement: str  # what replaced it


@dataclass(frozen=True)
class _Document:
    text: str  # search form of all its paragraphs
    words: frozenset[str]  # their search tokens


@dataclass
class _Parsed:
    """A question ready to edit: ``shown`` is the question, or its search form where the
    positions of the two cannot be mapped; ``starts[i]`` is where folded character i begins in it."""

    shown: str
    folded: str
    starts: list[int]
    english: bool
    terms: tuple[Term, ...]
    families: dict[str, str] = field(default_factory=dict)  # name -> jieba family (English: its Chinese form's)


def swapped_questions(articles: Sequence[Article], questions: Sequence[Asked]) -> list[Swap]:
    """Return at most one swap per question, in question order, the same for the same input.

    The kind swapped goes round-robin over ``KINDS`` among the kinds a question has (falling
    to its next kind when no replacement fits); a question with no salient term, or whose
    paragraph is not among ``articles``, gives none.
    """
    document_of = {a.id: document_key(a) for a in articles}
    documents = _documents(articles, document_of)
    asked = [(q, document_of[q.paragraph_id], _parse(q.text)) for q in questions if q.paragraph_id in document_of]
    pools = _name_pools([(p, documents[d]) for _, d, p in asked], list(documents.values()))
    out: list[Swap] = []
    turn = 0
    for question, doc, parsed in asked:
        seed = zlib.crc32(question.id.encode("utf-8"))
        kinds = {t.kind for t in parsed.terms}
        for kind in (KINDS[(turn + i) % len(KINDS)] for i in range(len(KINDS))):
            found = _swap(kind, parsed, documents[doc], pools, seed) if kind in kinds else None
            if found:
                out.append(Swap(found[0], question.paragraph_id, kind, found[1], found[2]))
                turn = KINDS.index(kind) + 1
                break
    log.info("%d swaps from %d questions: %s", len(out), len(questions), dict(Counter(s.kind for s in out)))
    return out


def document_key(article: Article) -> tuple[str, str]:
    """Return the document an article (paragraph) of a SQuAD-format set belongs to: its title, or,
    when load_squad had none to give (XQuAD), the data entry its id names (``d3p7`` → ``d3``).
    Held-out folds split by it, so that no article is in two folds."""
    if article.title and article.title != article.id:
        return ("title", article.title)
    m = _PARAGRAPH_ID.fullmatch(article.id)
    return ("entry", m.group(1)) if m else ("paragraph", article.id)


def _documents(articles: Sequence[Article],
               document_of: dict[str, tuple[str, str]]) -> dict[tuple[str, str], _Document]:
    """Return each document's folded text and search tokens, every paragraph read once."""
    texts: dict[tuple[str, str], list[str]] = defaultdict(list)
    words: dict[tuple[str, str], set[str]] = defaultdict(set)
    for a in articles:
        texts[document_of[a.id]].append(search_form(a.text))
        words[document_of[a.id]].update(tokenize(a.text))
    return {k: _Document("\n".join(v), frozenset(words[k])) for k, v in texts.items()}


def _parse(question: str) -> _Parsed:
    """Return the question with its salient terms, its folded text and the map between the two."""
    folded = search_form(question)
    pieces = [search_form(ch) for ch in question]
    if "".join(pieces) == folded:  # folding went character by character: edit the question as asked
        shown, starts = question, [i for i, p in enumerate(pieces) for _ in p] + [len(question)]
    else:
        shown, starts = folded, list(range(len(folded) + 1))
    english = keyword_language(question) == "en"
    parsed = _Parsed(shown, folded, starts, english, salient_terms(question))
    for term in (t for t in parsed.terms if t.kind == "name"):
        if english:  # a dictionary name's family is its Chinese form's (Spain: 西班牙, a place)
            tags = [tag for form in term.forms[1:] if not form.isascii() for _, tag in tagged(form)]
            # else by length: a first and last name (Marlee Matlin) for another, not for "Office"
            unknown = "unknown, several words" if " " in term.text.strip() else "unknown, one word"
            parsed.families[term.text] = next((_FAMILY[t] for t in tags if t in _FAMILY), unknown)
    if not english:
        parsed.families = {w: _FAMILY[t] for w, t in reversed(tagged(folded)) if t in _FAMILY}
    return parsed


def _name_pools(asked: Sequence[tuple[_Parsed, _Document]],
                documents: Sequence[_Document]) -> dict[tuple[bool, str], list[_Option]]:
    """Return the corpus's names as options by (English question?, family), in order of first use.

    A name counts only where its own document has it (a Chinese one as a word, so jieba's stray
    cuts such as 冈是 stay out; an English one as a word or in the other script), an English
    one not when it opens with a function word ("To Carolina": a clause start, not a name), and
    a Chinese one not when it is a word of more than ``COMMON_NAME`` of the documents: jieba
    tags common words as places (城市, 共和国), and 中国 or 来自 make poor swaps."""
    pools: dict[tuple[bool, str], list[_Option]] = defaultdict(list)
    seen: set[str] = set()
    common = max(3.0, COMMON_NAME * len(documents))
    spread: dict[str, int] = {}  # Chinese name -> documents that have it as a word
    for parsed, doc in asked:
        for term in (t for t in parsed.terms if t.kind == "name" and t.forms[0] not in seen):
            span = _span(parsed, term)
            if span is None or not _a_name(term, parsed.english, doc):
                continue
            if not parsed.english and term.text not in spread:
                spread[term.text] = sum(term.text in d.words for d in documents)
            if parsed.english or spread[term.text] <= common:
                seen.add(term.forms[0])
                pools[parsed.english, _family(parsed, term)].append((_cut(parsed, span), term.forms))
    return pools


def _family(parsed: _Parsed, term: Term) -> str:
    return parsed.families.get(term.text, "other")  # jieba tags a dictionary's proper noun as a common word


def _a_name(term: Term, english: bool, doc: _Document) -> bool:
    """Whether a question's name is one its own document has (see :func:`_name_pools`)."""
    if term.forms[0].split()[0] in ENGLISH_FUNCTION_WORDS:
        return False
    if not english:
        return term.text in doc.words
    return any(f in doc.words or (not f.isascii() and len(f) > 1 and f in doc.text) or mentioned(f, doc.words)
               for f in term.forms)


def _swap(kind: str, parsed: _Parsed, doc: _Document, pools: dict[tuple[bool, str], list[_Option]],
          seed: int) -> tuple[str, str, str] | None:
    """Return (swapped question, original, replacement) for one term of ``kind``, or None.

    A name is swapped only when it is one of the pooled names (not a stray cut of jieba's)."""
    for term in _rotated([t for t in parsed.terms if t.kind == kind], seed):
        pool = pools.get((parsed.english, _family(parsed, term)), [])
        span = _span(parsed, term)
        if span is None or kind == "name" and not any(forms[0] == term.forms[0] for _, forms in pool):
            continue
        options: Iterable[_Option]
        if kind == "name":
            options = _rotated(pool, seed)
        elif kind == "number":
            options = ((n, _spellings(n)) for n in _numbers(term.text, seed))
        else:
            options = _attributes(term, parsed.english, seed)
        for text, forms in islice(options, MAX_TRIES):
            if forms[0] != term.forms[0] and not any(f in parsed.folded for f in forms) \
                    and not _occurs(forms, doc, number=kind == "number"):
                return (parsed.shown[:parsed.starts[span[0]]] + text + parsed.shown[parsed.starts[span[1]]:],
                        _cut(parsed, span), text)
    return None


def _span(parsed: _Parsed, term: Term) -> tuple[int, int] | None:
    """Return where in the folded question the term is written, or None when it cannot be
    swapped alone: written twice (the question would still ask about it), a number inside a
    code such as AGG01, an attribute inside a longer word (岁 in 岁月)."""
    if term.kind == "name":
        latin = r"(?<![a-z])" if parsed.english else ""
        return _once(latin + re.escape(search_form(term.text)) + latin.replace("<", ""), parsed.folded)
    if term.kind == "number":
        span = _once(rf"(?<![\w.]){re.escape(term.text)}(?!\.?\d|[a-z])", parsed.folded, re.ASCII)
        return None if re.match(r"0\d", term.text) else span  # 007, 01: a code, not a quantity
    words = [w for w, g in ENGLISH_ATTRIBUTES.items() if g == term.forms[0]] if parsed.english else []
    if words and (span := _once(r"\b(?:" + _alternatives(words) + r")\b", parsed.folded)):
        return span
    span = _once(_alternatives(term.forms), parsed.folded)
    return span if span and parsed.folded[span[0]:span[1]] in tokenize(parsed.folded) else None


def _once(pattern: str, text: str, flags: int = 0) -> tuple[int, int] | None:
    """Return the span of the one match of ``pattern`` in ``text``; None for none or several."""
    found = [m.span() for m in re.finditer(pattern, text, flags)]
    return found[0] if len(found) == 1 else None


def _alternatives(words: Iterable[str]) -> str:
    """Return a regex matching any of ``words``, the longest first."""
    return "|".join(sorted(map(re.escape, words), key=len, reverse=True))


def _cut(parsed: _Parsed, span: tuple[int, int]) -> str:
    """Return the question's text over a folded span, as the question writes it."""
    return parsed.shown[parsed.starts[span[0]]:parsed.starts[span[1]]]


def _occurs(forms: Sequence[str], doc: _Document, number: bool = False) -> bool:
    """Whether the document mentions any form: a number as a whole number (a year also inside a
    span of years it states), a name also as the same name in the other script
    (:func:`qa.text.names.mentioned`)."""
    if number:
        return any(re.search(rf"(?<!\d)(?<!\d\.){re.escape(f)}(?!\.?\d)" if f.isascii() else re.escape(f), doc.text)
                   for f in forms) or _YEAR.fullmatch(forms[0]) is not None \
            and any(int(a) < int(forms[0]) < int(b) for a, b in _SPAN.findall(doc.text))
    return any(f in doc.text for f in forms) or any(mentioned(f, doc.words) for f in forms)


def _numbers(number: str, seed: int) -> list[str]:
    """Return replacements for a number: years near a year, else the same digit count with
    another leading digit (308 → 108 … 908, 3.5 → 1.5 … 9.5), rotated by ``seed``."""
    if _YEAR.fullmatch(number):
        year = int(number)
        return _rotated([str(year + d) for d in range(-10, 11) if d and 1000 <= year + d <= 2099], seed)
    return _rotated([d + number[1:] for d in "123456789" if d != number[0]], seed)


def _spellings(number: str) -> tuple[str, ...]:
    """Return the number and, for 1–99, how Chinese writes it in words (7 → 七, 17 → 十七)."""
    if not number.isdigit() or not 0 < int(number) < 100:
        return (number,)
    tens, ones = divmod(int(number), 10)
    words = ((_DIGITS[tens] if tens > 1 else "") + "十" if tens else "") + (_DIGITS[ones] if ones else "")
    return (number, words)


def _attributes(term: Term, english: bool, seed: int) -> list[_Option]:
    """Return the other attribute groups as (word to write, words to avoid), nearest first."""
    own = _GROUP_INDEX[term.forms[0]]
    side = 1 if seed % 2 else -1  # which neighbour comes first at equal distance
    order = sorted(range(len(ATTRIBUTE_GROUPS)), key=lambda i: (abs(i - own), side * (i - own)))
    out = []
    for i in order[1:]:
        group = ATTRIBUTE_GROUPS[i]
        if not english:
            out.append((group[0], group))
        elif words := tuple(w for w, g in ENGLISH_ATTRIBUTES.items() if g == group[0]):
            out.append((words[0], (*group, *words)))  # written as its first English word
    return out


def _rotated(items: Sequence[T], seed: int) -> list[T]:
    """Return ``items`` starting at position ``seed`` (mod its length): a stable choice per question."""
    if not items:
        return []
    k = seed % len(items)
    return [*items[k:], *items[:k]]
