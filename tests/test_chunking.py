"""Tests for qa.text.chunking: sentence ranges, paragraph handling, chunk offsets and ids."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa.text.chunking import chunk_article, chunk_id, chunk_sentences
from qa.text.sentences import split_sentences
from qa.types import Article, Sentence

PROPERTY = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# The start of seed article 000: many one-line paragraphs, ASCII commas.
SEED_000 = (
    "声明:本文来自于微信公众号 机器之心,作者:机器之心,授权站长之家转载发布。\n"
    "神秘的合约条款被曝光。\n"
    "OpenAI 和自己最大的金主微软,最近出现了关系破裂的迹象。一边是想要更多钱,想要独立性,另一边是已经在分开下注。\n"
    "本周五一系列新消息的出炉,让「科技领域最好兄弟」的分歧曝光了。\n"
    "引爆生成式 AI 技术之后,OpenAI 已成为科技领域最炙手可热的公司。就在本月,该公司完成了一轮66亿美元的融资,"
    "估值达到1570亿美元。确定营利组织的大方向后,如何分配利益是它面临的最大挑战之一。\n"
    "去年秋天,OpenAI 首席执行官山姆・奥特曼(Sam Altman)询问微软首席执行官萨蒂亚・纳德拉(Satya Nadella),"
    "这家科技巨头是否会向这家初创公司投资数十亿美元。\n"
    "据《纽约时报》报道,彼时微软已经向 OpenAI 注入了130亿美元,纳德拉最初愿意继续提供现金。"
    "但在 OpenAI 董事会宫斗,短暂罢免了奥特曼之后。据四位不愿透露姓名的知情人士透露,纳德拉和微软重新考虑了这一决定。\n"
)

_CJK = "微软苹果的了是在和有人这中大为上个国我说年月日资金模型技术臺灣這們"
fragments = st.one_of(
    st.text(alphabet=_CJK, min_size=1, max_size=30),
    st.from_regex(r"[A-Za-z]{1,8} ?", fullmatch=True),
    st.sampled_from(["。", "！", "？", "；", "……", ". ", "!", ";", "，", ",", "、", "”", "」", "U.S. ", "3.5",
                     "\n", "\n\n", " ", "\u3000"]),
)
article_text = st.lists(fragments, max_size=80).map("".join)


@st.composite
def sentence_lists(draw):
    """Synthetic sentences: random lengths, gaps and paragraph breaks."""
    sentences, pos, paragraph = [], 0, 0
    for _ in range(draw(st.integers(0, 40))):
        if sentences and draw(st.booleans()):
            paragraph += 1
        pos += draw(st.integers(0, 3))
        length = draw(st.integers(1, 120))
        sentences.append(Sentence("x" * length, pos, pos + length, paragraph))
        pos += length
    return sentences


def check_ranges(sentences, ranges, size, overlap):
    if not sentences:
        assert ranges == []
        return
    assert ranges[0][0] == 0 and ranges[-1][1] == len(sentences)
    for (i, j), (k, m) in zip(ranges, ranges[1:]):
        assert i < k <= j < m  # in order, progress, no gap (every sentence covered)
        shared = range(k, j)
        assert len(shared) <= overlap
        if shared:  # overlap only inside the paragraph that was cut
            assert {sentences[x].paragraph for x in range(k, j + 1)} == {sentences[j].paragraph}
    for i, j in ranges:
        assert i < j
        assert j - i == 1 or sentences[j - 1].end - sentences[i].start <= size


# --- properties -------------------------------------------------------------------------------

@PROPERTY
@given(sentence_lists(), st.integers(1, 400), st.integers(0, 3))
def test_chunk_ranges_cover_every_sentence_in_order_within_size(sentences, size, overlap):
    check_ranges(sentences, chunk_sentences(sentences, size=size, overlap=overlap), size, overlap)


@PROPERTY
@given(article_text, st.integers(1, 300), st.integers(0, 2), st.integers(1, 80))
def test_chunks_slice_back_and_resplit_to_the_article_sentences(text, size, overlap, max_chars):
    article = Article("a", "t", text)
    sentences = split_sentences(text, max_chars)
    chunks = chunk_article(article, size=size, overlap=overlap, max_sentence_chars=max_chars)
    check_ranges(sentences, chunk_sentences(sentences, size=size, overlap=overlap), size, overlap)
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    assert len({c.id for c in chunks}) == len(chunks)
    for c in chunks:
        assert text[c.start:c.end] == c.text and c.article_id == "a"
        inside = [(s.text, s.start, s.end) for s in sentences if c.start <= s.start and s.end <= c.end]
        again = [(s.text, s.start + c.start, s.end + c.start) for s in split_sentences(c.text, max_chars)]
        assert again == inside
    covered = {s.start for s in sentences if any(c.start <= s.start and s.end <= c.end for c in chunks)}
    assert covered == {s.start for s in sentences}


@PROPERTY
@given(st.one_of(st.text(max_size=500), st.builds(lambda c, n: c * n, st.sampled_from("甲a 。\n"), st.integers(0, 2000))),
       st.integers(1, 300))
def test_random_unicode_and_huge_runs_never_crash(text, size):
    for c in chunk_article(Article("a", "t", text), size=size, max_sentence_chars=100):
        assert text[c.start:c.end] == c.text and c.text.strip() == c.text


# --- examples ---------------------------------------------------------------------------------

def sentences_of(*paragraphs: list[int]) -> list[Sentence]:
    """Sentences of the given lengths, one list per paragraph, one space apart."""
    out, pos = [], 0
    for number, lengths in enumerate(paragraphs):
        for length in lengths:
            out.append(Sentence("x" * length, pos, pos + length, number))
            pos += length + 1
    return out


def test_short_paragraphs_are_merged_while_they_fit():
    sentences = sentences_of([10], [10], [10], [10])
    assert chunk_sentences(sentences, size=60) == [(0, 4)]


def test_a_paragraph_break_is_preferred_over_a_cut_inside_a_paragraph():
    # Greedy filling would take paragraph 0 and half of paragraph 1; paragraph 0 fills the
    # chunk well enough, so the chunk ends at the break and paragraph 1 stays whole.
    sentences = sentences_of([60], [30, 30, 30])
    assert chunk_sentences(sentences, size=100) == [(0, 1), (1, 4)]


def test_a_long_paragraph_after_a_break_is_cut_with_overlap_inside_it():
    sentences = sentences_of([40, 40], [40, 40, 40])
    assert chunk_sentences(sentences, size=100) == [(0, 2), (2, 4), (3, 5)]


def test_a_tiny_paragraph_is_not_left_alone_when_the_next_one_is_long():
    sentences = sentences_of([10], [40, 40, 40])
    assert chunk_sentences(sentences, size=100) == [(0, 3), (2, 4)]


def test_overlap_repeats_whole_sentences_inside_a_paragraph_only():
    sentences = sentences_of([30, 30, 30, 30])
    assert chunk_sentences(sentences, size=70, overlap=1) == [(0, 2), (1, 3), (2, 4)]
    assert chunk_sentences(sentences, size=70, overlap=0) == [(0, 2), (2, 4)]


def test_no_overlap_across_a_cut_at_a_paragraph_break():
    sentences = sentences_of([30, 30], [30, 30])
    assert chunk_sentences(sentences, size=70, overlap=1) == [(0, 2), (2, 4)]


def test_an_over_long_sentence_is_a_chunk_of_its_own():
    sentences = sentences_of([10, 500, 10])
    assert chunk_sentences(sentences, size=100, overlap=1) == [(0, 1), (1, 2), (2, 3)]


def test_invalid_size_or_overlap_is_refused():
    with pytest.raises(ValueError):
        chunk_sentences([], size=0)
    with pytest.raises(ValueError):
        chunk_sentences([], overlap=-1)


def test_empty_article_has_no_chunks():
    assert chunk_article(Article("a", "t", " \n ")) == []


def test_seed_article_chunks_merge_one_line_paragraphs_and_slice_back():
    article = Article("seed000", "OpenAI 与微软", SEED_000)
    chunks = chunk_article(article)
    assert chunks[0].text.startswith("声明:本文来自于微信公众号") and "神秘的合约条款被曝光。" in chunks[0].text
    assert all(SEED_000[c.start:c.end] == c.text and len(c.text) <= 240 for c in chunks)
    assert chunks[-1].text.endswith("纳德拉和微软重新考虑了这一决定。")
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))


def test_chunk_ids_are_stable_and_change_with_the_text():
    article = Article("seed000", "t", SEED_000)
    first = [c.id for c in chunk_article(article)]
    assert first == [c.id for c in chunk_article(Article("seed000", "other title", SEED_000))]
    edited = chunk_article(Article("seed000", "t", SEED_000.replace("神秘", "奇怪")))
    assert edited[0].id != first[0]
    assert all(cid.startswith("seed000:") for cid in first)
    assert chunk_id("a", 0, 2, "你好") != chunk_id("a", 1, 3, "你好")
