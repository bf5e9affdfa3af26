"""The question lexicon (qa.text.questions): one reading of question types for ranking, quote
assembly, follow-ups and translation, in Chinese and English alike."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa.text import simplified
from qa.text.questions import (
    CHINESE_QUESTION_WORDS, ENGLISH_FUNCTION_WORDS, ENGLISH_SENTENCE_OPENERS, answer_cue, asking_phrases,
    asks_for_description, question_type,
)


@pytest.mark.parametrize(("zh", "en", "kind"), [
    ("微软为什么聘请苏莱曼？", "Why did Microsoft hire Suleyman?", "why"),
    ("微软向OpenAI投资了多少？", "How much did Microsoft invest in OpenAI?", "amount"),
    ("特斯拉卖了多少辆车？", "How many cars did Tesla sell?", "amount"),
    ("OpenAI何时成立？", "When was OpenAI founded?", "when"),
    ("苏莱曼在哪里工作？", "Where does Suleyman work?", "where"),
    ("谁创立了Inflection？", "Who founded Inflection?", "who"),
    ("OpenAI的使命是什么？", "What is the mission of OpenAI?", None),
])
def test_a_question_has_the_same_type_in_chinese_and_english(zh, en, kind):
    assert question_type(zh) == question_type(en) == kind


@pytest.mark.parametrize(("traditional", "kind", "describes"), [
    ("微軟為什麼聘請蘇萊曼？", "why", False), ("誰創立了Inflection？", "who", False),
    ("有幾個人參加？", "amount", False), ("OpenAI什麼時候成立？", "when", False),
    ("這個過程是怎樣的？", None, True),
])
def test_a_question_in_traditional_script_is_read_as_its_simplified_form(traditional, kind, describes):
    assert question_type(traditional) == kind
    assert asks_for_description(traditional) is describes
    assert asking_phrases(traditional) == asking_phrases(simplified(traditional))


def test_amount_questions_do_not_ask_for_a_description_in_either_language():
    # "how much" used to match the describe rule ("how") while 多少 did not
    assert not asks_for_description("微软向OpenAI投资了多少？")
    assert not asks_for_description("How much did Microsoft invest in OpenAI?")
    assert not asks_for_description("How many cars did Tesla sell?")
    assert asks_for_description("How did Microsoft hedge its bet on OpenAI?")
    assert asks_for_description("微软是怎么对冲对OpenAI的赌注的？")


def test_an_answer_cue_matches_what_the_question_type_asks_for():
    assert answer_cue("amount").search("微软投资了130亿美元")
    assert answer_cue("why").search("为了对冲对OpenAI的赌注")
    assert answer_cue("when").search("2024年3月")
    assert answer_cue(None) is None


def test_word_lists_hold_question_words_and_no_content_words():
    assert {"什么", "多少", "为什么"} <= CHINESE_QUESTION_WORDS and "微软" not in CHINESE_QUESTION_WORDS
    assert {"what", "how", "did", "the"} <= ENGLISH_FUNCTION_WORDS and "microsoft" not in ENGLISH_FUNCTION_WORDS
    assert {"What", "Did", "The"} <= ENGLISH_SENTENCE_OPENERS and "Microsoft" not in ENGLISH_SENTENCE_OPENERS


@given(st.text(max_size=80))
def test_any_text_has_at_most_one_type_and_never_breaks_the_lexicon(text):
    kind = question_type(text)
    assert kind in (None, "why", "amount", "when", "where", "who")
    assert isinstance(asks_for_description(text), bool)
    if kind is not None:
        assert answer_cue(kind) is not None


@given(st.sampled_from(["much", "many"]), st.lists(st.sampled_from(["cars", "did", "Tesla", "sell", "money", "it"]),
                                                   max_size=6))
def test_how_much_or_many_never_asks_for_a_description(word, rest):
    assert not asks_for_description(" ".join(["How", word, *rest]) + "?")


_CJK_NAME = st.text(alphabet="微软苹果公司计算机任务模型这种组织", min_size=1, max_size=8)


@given(_CJK_NAME, st.sampled_from(["称为", "成为", "作为", "命名为", "改名为", "译为", "被视为", "叫作为"]))
def test_for_what_after_a_verb_of_naming_asks_what_not_why(subject, verb):
    # 通常由计算机来解决的任务被称为什么？ asks for a name: 为 is "as", 什么 the question word.
    question = f"{subject}{verb}什么？"
    assert question_type(question) != "why" and not asks_for_description(question)


@given(_CJK_NAME, _CJK_NAME)
def test_why_at_the_head_of_a_clause_is_still_why(subject, rest):
    assert question_type(f"{subject}为什么{rest}？") == "why" == question_type(f"为何{subject}{rest}？")


@pytest.mark.parametrize(("question", "kind"), [
    ("Who decides when AGI has arrived?", "who"),
    ("When did Microsoft hire Suleyman?", "when"),
    ("How much did Microsoft invest in OpenAI in 2023?", "amount"),
    ("为什么股价涨了多少？", "why"),
    ("微软是哪天超越苹果成为全球市值最高的上市公司的？", "when"),
    ("苏莱曼在会议上呵斥了谁？", "who"),
    ("这篇文章讲了什么？", None),
])
def test_leading_type_is_the_type_whose_question_word_comes_first(question, kind):
    from qa.text.questions import leading_type

    assert leading_type(question) == kind
