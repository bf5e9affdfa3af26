"""On-topic unanswerable questions made by swapping one salient term (qa.eval.swaps)."""
from __future__ import annotations

import random

import pytest

from qa.eval.retrieval import Question
from qa.eval.swaps import Swap, swapped_questions
from qa.text import search_form
from qa.types import Article

# Five small news documents (软银 in two paragraphs) and three that give numbers: a chronology
# lacking only 2031, a career span, metro lines lacking only 7. Each person is a word of their
# own document; 库克 is also mentioned in the Tesla one.
ARTICLES = [
    Article("a1", "微软", "微软2024年的市值达到3万亿美元，估值仍在上升。微软总部位于雷德蒙德。"),
    Article("b1", "软银", "孙正义是软银的创始人。"),
    Article("b2", "软银", "软银2023年的营收为6万亿日元。"),
    Article("c1", "苹果", "库克是苹果公司的首席执行官。苹果公司2022年的利润为1000亿美元。"),
    Article("d1", "特斯拉", "马斯克领导特斯拉，库克曾参观特斯拉在北京的工厂。"),
    Article("e1", "丰田", "丰田在东京设立了研究中心。"),
    Article("f1", "年表", "、".join(f"{y}年" for y in range(2014, 2035) if y != 2031) + "都有大事发生。"),
    Article("h1", "履历", "他1999年12月至2009年12月任部长。"),
    Article("g1", "地铁", "1号线、2号线、3号线、4号线、5号线、6号线、8号线和9号线都经过市中心。"),
]
QUESTIONS = [
    Question("q-attr", "公司的市值是多少？", "a1", ()),
    Question("q-sun", "孙正义创立了哪家公司？", "b1", ()),
    Question("q-sun-trad", "軟銀的掌門人孫正義出生於哪一年？", "b1", ()),
    Question("q-cook", "库克是哪家公司的首席执行官？", "c1", ()),
    Question("q-musk", "马斯克领导哪家公司？", "d1", ()),
    Question("q-year", "2024年发生了什么？", "f1", ()),
    Question("q-span", "2003年他担任什么职务？", "h1", ()),
    Question("q-line", "5号线经过哪里？", "g1", ()),
    Question("q-none", "这是什么？", "a1", ()),
    Question("q-en-attr", "What was the revenue last year?", "a1", ()),
    Question("q-en-tesla", "Why did Tesla build a factory in Beijing?", "d1", ()),
    Question("q-en-toyota", "What did Toyota open in Tokyo?", "e1", ()),
]


@pytest.fixture(scope="module")
def swaps() -> dict[str, Swap]:
    """The swaps of the made-up corpus, by the id of the question each came from."""
    out = swapped_questions(ARTICLES, QUESTIONS)
    by_question = {}
    for s in out:
        asked = [q for q in QUESTIONS if q.paragraph_id == s.paragraph_id
                 and q.text.replace(s.original, s.replacement, 1) == s.text]
        assert len(asked) == 1, s
        by_question[asked[0].id] = s
    assert len(by_question) == len(out)  # at most one swap per question
    return by_question


def _document_text(paragraph_id: str) -> str:
    title = next(a.title for a in ARTICLES if a.id == paragraph_id)
    return search_form("\n".join(a.text for a in ARTICLES if a.title == title))


def test_a_swap_changes_exactly_the_swapped_term(swaps):
    for qid, s in swaps.items():
        original = next(q.text for q in QUESTIONS if q.id == qid)
        assert s.original in original and s.original != s.replacement
        assert s.text == original.replace(s.original, s.replacement, 1)


def test_the_replacement_never_occurs_in_the_questions_own_document(swaps):
    for s in swaps.values():
        assert search_form(s.replacement) not in _document_text(s.paragraph_id)
    # the English place's Chinese form is absent too (东京 is nowhere in the Tesla article)
    assert "东京" not in _document_text("d1")


def test_a_name_is_swapped_for_a_name_of_the_same_kind_from_another_document(swaps):
    # 库克 is mentioned in the Tesla article: 孙正义 is the one person left
    assert swaps["q-musk"].text == "孙正义领导哪家公司？"
    assert swaps["q-musk"].kind == "name" and swaps["q-musk"].original == "马斯克"
    assert swaps["q-sun"].replacement in {"库克", "马斯克"}
    assert swaps["q-cook"].replacement in {"孙正义", "马斯克"}


def test_a_traditional_question_keeps_its_own_script_around_the_swap(swaps):
    s = swaps["q-sun-trad"]
    assert s.original == "孫正義" and s.replacement in {"库克", "马斯克"}
    assert s.text == f"軟銀的掌門人{s.replacement}出生於哪一年？"


def test_a_year_becomes_a_nearby_year_the_document_lacks(swaps):
    # the chronology has every year from 2014 to 2034 but 2031
    assert swaps["q-year"] == Swap("2031年发生了什么？", "f1", "number", "2024", "2031")


def test_a_year_inside_a_span_the_document_states_is_not_a_replacement(swaps):
    # 2003 falls within 1999–2009: the article answers for it, so the swap goes outside the span
    year = int(swaps["q-span"].replacement)
    assert 1993 <= year <= 2013 and not 1999 <= year <= 2009
    assert swaps["q-span"].text == f"{year}年他担任什么职务？"


def test_a_small_number_keeps_its_size_and_avoids_the_document(swaps):
    assert swaps["q-line"] == Swap("7号线经过哪里？", "g1", "number", "5", "7")


def test_an_attribute_becomes_the_nearest_group_the_document_does_not_mention(swaps):
    # 市值's neighbours are 亏损 and 估值; the Microsoft article mentions 估值
    assert swaps["q-attr"] == Swap("公司的亏损是多少？", "a1", "attribute", "市值", "亏损")


def test_an_english_question_gets_english_replacements(swaps):
    assert swaps["q-en-attr"] == Swap("What was the profit last year?", "a1", "attribute", "revenue", "profit")
    # a place for a place: Tesla (a person's name to the dictionary) has no partner in the corpus
    assert swaps["q-en-tesla"].text == "Why did Tesla build a factory in Tokyo?"
    assert swaps["q-en-toyota"].text == "What did Toyota open in Beijing?"


def test_every_kind_is_produced_and_a_question_without_terms_gives_none(swaps):
    assert {s.kind for s in swaps.values()} == {"name", "number", "attribute"}
    assert "q-none" not in swaps


def test_the_output_is_the_same_on_every_call_whatever_the_random_state():
    random.seed(1)
    first = swapped_questions(ARTICLES, QUESTIONS)
    random.seed(2)
    assert swapped_questions(ARTICLES, QUESTIONS) == first


def test_kinds_take_turns_over_questions_that_have_several():
    articles = [Article("p1", "微软", "微软是一家公司。"), Article("p2", "丰田", "丰田在东京设立了研究中心。")]
    asked = "微软2024年的市值是多少？"
    questions = [Question("x0", "丰田在哪里设立了研究中心？", "p2", ()),
                 *(Question(f"x{i}", asked, "p1", ()) for i in (1, 2, 3))]
    out = swapped_questions(articles, questions)
    assert [s.kind for s in out] == ["name", "number", "attribute", "name"]
    assert out[0].text == "微软在哪里设立了研究中心？" and out[3].text == "丰田2024年的市值是多少？"


def test_a_question_whose_paragraph_is_unknown_gives_no_swap():
    assert swapped_questions(ARTICLES[:1], [Question("q", "孙正义创立了哪家公司？", "zz", ())]) == []
