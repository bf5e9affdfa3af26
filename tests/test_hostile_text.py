"""Hostile text through the splitter, the chunker, retrieval and answers.

Generated strings: random Unicode (lone surrogates included), control and format characters,
100,000-character texts, punctuation only, mixed scripts with bidi and zero-width marks, emoji
sequences, and news-like mixtures of all of them.  Properties:

* ``split_sentences`` and ``chunk_article`` never crash and keep exact offsets (sentences and
  chunks slice back out of the text; chunks re-split to the article's own sentences);
* ``kb.retrieve`` and ``kb.answer`` (hashing encoder, a small index that also holds hostile
  articles) either return passages and quotes that slice back out of their articles, or raise a
  plain ``ValueError`` with one of the documented messages (:data:`DOCUMENTED`); nothing else.

The suite runs a few hundred examples; ``bench/hostile_bench.py`` runs the same strategies and
checks on 10,000 strings and writes ``bench/results/hostile.json``.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa.text.chunking import chunk_article
from qa.config import Settings
from qa.kb import KnowledgeBase
from qa.text.sentences import split_sentences
from qa.types import Article
from tests.helpers import sample_articles

SUITE = settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
LONG = 100_000  # characters in the long texts

# --- strategies --------------------------------------------------------------------------------

_CJK = "微软苹果的了是在和有人这中大为上个国我说年月日资金模型技术臺灣這們為說與會苏莱曼报道新闻"
_TERMINATORS = list("。！？；…．.!?;") + ["……", "?!", "...", "。”", ".\"", "！」"]
_MARKS = ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
          "\u2066", "\u2067", "\u2068", "\u2069", "\ufeff", "\u00ad", "\u034f", "\u2028", "\u2029", "\u0085"]
_SCRIPTS = [  # (first, last) code points of scripts a news text might mix
    (0x0041, 0x007A), (0x00C0, 0x024F), (0x0370, 0x03FF), (0x0400, 0x04FF), (0x0590, 0x05FF),
    (0x0600, 0x06FF), (0x0900, 0x097F), (0x0E00, 0x0E7F), (0x3040, 0x30FF), (0x4E00, 0x9FFF),
    (0xAC00, 0xD7A3), (0xFF00, 0xFFEF), (0x20000, 0x2A6DF), (0x0300, 0x036F),
]
_EMOJI_SEQUENCES = [
    "👨\u200d👩\u200d👧\u200d👦", "🇨🇳", "🇺🇸", "👍🏽", "1\ufe0f\u20e3", "❤\ufe0f", "🏴\U000e0067\U000e0062\U000e0073"
    "\U000e0063\U000e0074\U000e007f", "🧑🏿\u200d🚀", "☺︎", "🫠",
]
_SPACES = [" ", "\n", "\n\n", "\u3000", "\t", "\r", "\r\n", "\x0b", "\x0c", "\x1c", " \n "]



def _joined(*parts: st.SearchStrategy[str], min_size: int = 0, max_size: int = 200) -> st.SearchStrategy[str]:
    """Strings made of pieces (characters or short sequences) drawn from ``parts``."""
    return st.lists(st.one_of(*parts), min_size=min_size, max_size=max_size).map("".join)


random_unicode = st.text(max_size=300)
with_surrogates = st.text(st.one_of(st.characters(), st.characters(categories=["Cs"])), min_size=1, max_size=60)
controls = _joined(st.characters(categories=["Cc", "Cf", "Co", "Cn", "Zs", "Zl", "Zp"]),
                   st.sampled_from(_MARKS + _SPACES))
punctuation_only = _joined(st.characters(categories=["P", "S"]), st.sampled_from(_TERMINATORS), min_size=1, max_size=300)
mixed_scripts = _joined(*(st.characters(min_codepoint=lo, max_codepoint=hi) for lo, hi in _SCRIPTS),
                        st.sampled_from(_MARKS + _TERMINATORS + [" "]), min_size=1, max_size=300)
emoji = st.lists(st.one_of(st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF),
                           st.characters(min_codepoint=0x2600, max_codepoint=0x27BF),
                           st.sampled_from(_EMOJI_SEQUENCES + ["\ufe0f", "\u200d", "🏻"] + _TERMINATORS)),
                 min_size=1, max_size=80).map("".join)
_fragment = st.one_of(
    st.text(alphabet=_CJK, min_size=1, max_size=15), st.from_regex(r"[A-Za-z]{1,8}", fullmatch=True),
    st.sampled_from(_TERMINATORS + _MARKS + _SPACES + _EMOJI_SEQUENCES + ["U.S.", "3.5", "“", "”", "「", "」", "\"", "'"]),
    st.text(max_size=5), st.characters(categories=["Cc", "Cs"]),
)
news_mix = st.lists(_fragment, min_size=1, max_size=60).map("".join)
_short = st.one_of(random_unicode, controls, punctuation_only, mixed_scripts, emoji, news_mix).filter(bool)
long_texts = st.builds(lambda unit, size: (unit * (size // len(unit) + 1))[:size],
                       _short, st.sampled_from([LONG, LONG, 2_001, 20_000]))

#: Every kind of hostile string, by name (the bench reports which kinds it drew).
KINDS: dict[str, st.SearchStrategy[str]] = {
    "random_unicode": random_unicode, "surrogates": with_surrogates, "controls": controls,
    "punctuation_only": punctuation_only, "mixed_scripts": mixed_scripts, "emoji": emoji,
    "news_mix": news_mix, "long_100k": long_texts,
}
hostile_text = st.one_of(*KINDS.values())
#: Earlier chat turns: every kind but the long texts.  Follow-up resolution runs jieba's POS tagger
#: (HMM) over the previous question, about 8 ms per rare CJK character, so long turns make an
#: answer take seconds to minutes (reported: qa/answering/followup.py should bound it); the checks here
#: are about crashes, not time.
#: ``k`` for retrieval: mostly valid, about one in three out of range or overflowing SQLite's integers.
k_values = st.sampled_from([1, 2, 3, 5, 5, 5, 8, 10, 20, 1000, 0, -1, 1001, 2**63])
history_text = st.one_of(*(strategy for kind, strategy in KINDS.items() if kind != "long_100k"))
#: Text an article can hold: a Python ``str`` from a file never carries lone surrogates
#: (the corpus loader refuses them), so the splitter and chunker get everything else.
article_text = hostile_text.map(lambda t: re.sub("[\ud800-\udfff]", "\ufffd", t))

# --- the documented errors ---------------------------------------------------------------------

#: The ValueErrors ``kb.retrieve`` / ``kb.answer`` document (qa.search.validate.validate_query, qa.index.filters.Filters.make).
DOCUMENTED = {
    "empty question": re.compile(r"the question is empty; type a question"),
    "question too long": re.compile(r"the question is \d+ characters long; the limit is 2000$"),
    "invalid Unicode": re.compile(r"the question is not valid Unicode \(unpaired surrogate \\ud[89a-f][0-9a-f]{2} "
                                  r"at character \d+\); type it again$"),
    "bad k": re.compile(r"k must be a whole number from 1 to 1000, got "),
    "bad filter date": re.compile(r"filter date: (unrecognised date .+; use YYYY-MM-DD|.+ is not a real date"
                                  r"|expected a date such as 2024-10-18, got \w+)$", re.S),
    "reversed dates": re.compile(r"filter dates are reversed: since \S+ is after until \S+$"),
    "bad sources": re.compile(r"sources must be a list of outlet names \(strings\)$"),
    "invalid outlet": re.compile(r"an outlet name is not valid Unicode \(unpaired surrogate \\ud[89a-f][0-9a-f]{2}\); "
                                 r"type it again$"),
}


def documented(exc: BaseException) -> str:
    """Return the name of the documented error ``exc`` is, or fail the test.

    Only a plain ``ValueError`` counts: a ``UnicodeEncodeError`` is a ValueError too, but its
    message ("'utf-8' codec can't encode…") tells a user nothing.
    """
    assert type(exc) is ValueError, f"{type(exc).__name__} instead of a documented ValueError: {exc}"
    for name, pattern in DOCUMENTED.items():
        if pattern.match(str(exc)):
            return name
    raise AssertionError(f"undocumented ValueError message: {str(exc)[:300]!r}")


# --- the hostile index -------------------------------------------------------------------------

HOSTILE_ARTICLES = [
    Article("emoji", "表情 😀", "今天微软发布了新模型😀🚀！\n网友评论：👍🏽👍🏽，🇨🇳 用户很满意。\n👨\u200d👩\u200d👧\u200d👦"),
    Article("controls", "控制字符", "苏莱曼\x00说\x07：微软\x1b[31m很重要。\n\x0b\x0c第二段\u2028仍是同一行。\r第三句。"),
    Article("bidi", "双向文本", "\u202e微软\u202c 聘请了 \u200f苏莱曼\u200e。\u2066שלום\u2069 مرحبا 世界。"),
    Article("punct", "只有标点", "。。。！！？？……\n“”「」（）.,;:!?\n——…———"),
    Article("mixed", "多种文字", "Microsoft наняла Сулеймана。マイクロソフトは発表した。마이크로소프트 발표。"
                                "Ñandú café naïve. ज्ञान विज्ञान। 𠀀𠀁𪚥 字。"),
    Article("long", "长文", ("微软聘请苏莱曼领导人工智能部门，" * 40 + "。\n") * 30),
]


def build_hostile_kb(index_dir: Path) -> tuple[KnowledgeBase, dict[str, str]]:
    """Return a hashing-encoder index of the sample and hostile articles, and their stored texts by id."""
    kb = KnowledgeBase(settings=Settings.from_env({}, index_dir=index_dir, model="hashing:64"))
    kb.add(sample_articles() + HOSTILE_ARTICLES)
    return kb, {a.id: a.text for a in kb.articles()}


@pytest.fixture(scope="module")
def hostile_kb(tmp_path_factory: pytest.TempPathFactory) -> tuple[KnowledgeBase, dict[str, str]]:
    """The hostile index, built once for this module."""
    return build_hostile_kb(tmp_path_factory.mktemp("hostile") / "index")


# --- checks (shared with bench/hostile_bench.py) -----------------------------------------------

def check_split(text: str, max_chars: int) -> int:
    """Split ``text``; assert exact, stripped, ordered, bounded sentences covering all non-space; return the count."""
    sentences = split_sentences(text, max_chars)
    previous_end, paragraph = 0, 0
    for s in sentences:
        assert text[s.start:s.end] == s.text, "sentence does not slice back"
        assert s.text and s.text == s.text.strip(), "sentence is empty or not stripped"
        assert s.start >= previous_end and len(s.text) <= max_chars and "\n" not in s.text
        assert s.paragraph >= paragraph
        previous_end, paragraph = s.end, s.paragraph
    bounds = [0] + [x for s in sentences for x in (s.start, s.end)] + [len(text)]
    assert not "".join(text[a:b] for a, b in zip(bounds[::2], bounds[1::2])).strip(), "text left outside sentences"
    return len(sentences)


def check_chunks(text: str, size: int, overlap: int, max_chars: int) -> int:
    """Chunk ``text``; assert exact offsets, full coverage in order and the re-splitting property; return the count."""
    chunks = chunk_article(Article("h", "t", text), size=size, overlap=overlap, max_sentence_chars=max_chars)
    sentences = split_sentences(text, max_chars)
    assert bool(chunks) == bool(sentences)
    starts, ends = [s.start for s in sentences], [s.end for s in sentences]
    covered = 0  # sentences [0, covered) are in some chunk so far
    for n, c in enumerate(chunks):
        assert text[c.start:c.end] == c.text and c.ordinal == n and c.id.startswith("h:")
        i, j = bisect.bisect_left(starts, c.start), bisect.bisect_right(ends, c.end)
        assert i < j and starts[i] == c.start and ends[j - 1] == c.end, "chunk is not a run of whole sentences"
        assert i <= covered, "a sentence is in no chunk"
        inside = [(s.text, s.start, s.end) for s in sentences[i:j]]
        again = [(s.text, s.start + c.start, s.end + c.start) for s in split_sentences(c.text, max_chars)]
        assert again == inside, "chunk does not re-split to the article's sentences"
        assert j > covered, "chunk adds no sentence"
        covered = j
    assert covered == len(sentences), "the last sentences are in no chunk"
    return len(chunks)


def check_passages(passages: Sequence[Any], texts: Mapping[str, str], k: int) -> None:
    """Assert at most ``k`` passages, each slicing back out of its article."""
    assert len(passages) <= k
    for p in passages:
        assert texts[p.article_id][p.start:p.end] == p.text


def check_retrieve(kb: KnowledgeBase, texts: Mapping[str, str], query: Any, k: Any = 5,
                   **filters: Any) -> str | None:
    """Retrieve; return None when passages came back (checked), else the documented error's name."""
    try:
        passages = kb.retrieve(query, k, **filters)
    except ValueError as exc:
        return documented(exc)
    check_passages(passages, texts, k)
    return None


def check_answer(kb: KnowledgeBase, texts: Mapping[str, str], question: Any, history: Sequence[Any] = (),
                 k: Any = 5) -> str | None:
    """Answer; return None when an answer came back (quotes checked), else the documented error's name."""
    try:
        answer = kb.answer(question, history=history, k=k)
    except ValueError as exc:
        return documented(exc)
    assert isinstance(answer.text, str) and answer.text
    assert answer.abstained or answer.quotes
    for q in answer.quotes:
        assert texts[q.article_id][q.start:q.end] == q.text, "quote does not slice back"
    check_passages(answer.passages, texts, k)
    return None


# --- properties --------------------------------------------------------------------------------

@st.composite
def split_cases(draw: st.DrawFn) -> tuple[str, int]:
    """(text, max_chars); tiny bounds only on texts up to 5,000 characters (100k at max_chars=1 costs 0.5 s)."""
    text = draw(article_text)
    return text, draw(st.sampled_from([1, 2, 7, 60, 300] if len(text) <= 5000 else [7, 60, 300]))


@st.composite
def chunk_cases(draw: st.DrawFn) -> tuple[str, int, int, int]:
    """(text, size, overlap, max_chars); tiny sizes only on short texts (a 100k text at size 1 costs seconds)."""
    text = draw(article_text)
    short = len(text) <= 5000
    size = draw(st.sampled_from([1, 5, 60, 240, 1000] if short else [60, 240, 1000]))
    return text, size, draw(st.integers(0, 2)), draw(st.sampled_from([1, 7, 60, 300] if short else [60, 300]))


@SUITE
@given(case=split_cases())
def test_splitting_hostile_text_never_crashes_and_keeps_exact_offsets(case: tuple[str, int]) -> None:
    check_split(*case)


@SUITE
@given(case=chunk_cases())
def test_chunking_hostile_text_keeps_offsets_and_resplits_to_the_same_sentences(
        case: tuple[str, int, int, int]) -> None:
    check_chunks(*case)


@SUITE
@given(query=hostile_text, k=k_values)
def test_retrieving_hostile_queries_returns_exact_passages_or_a_documented_value_error(
        hostile_kb: tuple[KnowledgeBase, dict[str, str]], query: str, k: int) -> None:
    check_retrieve(*hostile_kb, query, k)


@settings(SUITE, max_examples=80)
@given(question=hostile_text, history=st.lists(history_text, max_size=2))
def test_answering_hostile_questions_quotes_exactly_or_raises_a_documented_value_error(
        hostile_kb: tuple[KnowledgeBase, dict[str, str]], question: str, history: list[str]) -> None:
    check_answer(*hostile_kb, question, history)


@settings(SUITE, max_examples=60)
@given(since=st.one_of(st.none(), hostile_text, st.sampled_from(["2024-01-01", "2030-01-01", "2024-02-30"])),
       until=st.one_of(st.none(), hostile_text, st.sampled_from(["2025-12-31", "2000-01-01"])),
       sources=st.one_of(st.none(), article_text, st.lists(article_text, max_size=3)))
def test_hostile_filters_give_passages_or_a_documented_value_error(
        hostile_kb: tuple[KnowledgeBase, dict[str, str]], since: Any, until: Any, sources: Any) -> None:
    check_retrieve(*hostile_kb, "微软为什么聘请苏莱曼？", 5, since=since, until=until, sources=sources)


def test_an_outlet_name_with_a_lone_surrogate_gives_a_documented_value_error(
        hostile_kb: tuple[KnowledgeBase, dict[str, str]]) -> None:
    assert check_retrieve(*hostile_kb, "微软", 5, sources=["新华社\ud800"]) == "invalid outlet"


def test_a_100k_character_filter_date_is_refused_with_a_short_message(
        hostile_kb: tuple[KnowledgeBase, dict[str, str]]) -> None:
    with pytest.raises(ValueError) as info:
        hostile_kb[0].retrieve("微软", 5, since="2024" * 25_000)
    assert documented(info.value) == "bad filter date" and len(str(info.value)) < 200


# --- examples ----------------------------------------------------------------------------------

def test_hostile_articles_are_indexed_searchable_and_quoted_exactly(
        hostile_kb: tuple[KnowledgeBase, dict[str, str]]) -> None:
    kb, texts = hostile_kb
    assert {a.id for a in HOSTILE_ARTICLES} <= set(texts)
    for aid, words in (("emoji", "网友评论"), ("controls", "第三句"), ("mixed", "マイクロソフト"),
                       ("long", "人工智能部门"), ("bidi", "聘请了 苏莱曼")):
        passages = kb.retrieve(words, 10, mode="bm25")
        assert aid in {p.article_id for p in passages}, words
        check_passages(passages, texts, 10)
    assert check_answer(kb, texts, "微软聘请了谁？") is None


@pytest.mark.parametrize("query, error", [
    ("", "empty question"), (" \u3000\n\t", "empty question"), ("微" * 2001, "question too long"),
    ("苏莱曼\ud800", "invalid Unicode"), ("\udcff", "invalid Unicode"),
])
def test_unusable_questions_raise_the_documented_value_error(
        hostile_kb: tuple[KnowledgeBase, dict[str, str]], query: str, error: str) -> None:
    assert check_retrieve(*hostile_kb, query) == error
    assert check_answer(*hostile_kb, query) == error


@pytest.mark.parametrize("k", [0, -1, 1001, 2**63, 2.5, "5", True, None])
def test_k_outside_1_to_1000_raises_the_documented_value_error(
        hostile_kb: tuple[KnowledgeBase, dict[str, str]], k: Any) -> None:
    assert check_retrieve(*hostile_kb, "微软", k) == "bad k"


def test_a_100k_character_article_splits_and_chunks_with_exact_offsets() -> None:
    text = ("微软😀聘请了 Suleyman\u200d，" * 6000 + "。\n") * 2
    text = text[:LONG]
    assert check_split(text, 300) > 0
    assert check_chunks(text, 240, 1, 300) > 0
