"""Names in two scripts (qa.text.names): a transliteration and its original are one name."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa.text.names import mentioned, same_name
from qa.text.subjects import question_names


@pytest.mark.parametrize(("latin", "chinese"), [("Suleyman", "苏莱曼"), ("Nadella", "纳德拉"), ("Altman", "奥特曼"),
                                                ("Altman", "阿尔特曼"), ("Schulman", "舒尔曼")])
def test_a_transliteration_and_its_original_are_the_same_name(latin, chinese):
    assert same_name(latin, chinese)


@pytest.mark.parametrize(("latin", "chinese"), [("Suleyman", "微软"), ("Microsoft", "马斯克"), ("OpenAI", "欧文"),
                                                ("Suleyman", "苏"), ("GPT", "吉普特")])
def test_other_words_and_short_forms_are_not_the_same_name(latin, chinese):
    assert not same_name(latin, chinese)


def test_a_name_is_mentioned_in_either_script():
    words = {"inflection", "mustafa", "suleyman", "负责", "微软"}
    assert mentioned("苏莱曼", words) and mentioned("微软", words) and not mentioned("孙正义", words)
    assert mentioned("suleyman", {"聘请", "苏莱曼"}) and not mentioned("suleyman", {"聘请", "微软"})


def test_questions_name_what_they_ask_about_in_either_language():
    assert question_names("孙正义为什么投资OpenAI？") == [("孙正义",), ("openai",)]
    assert ("suleyman",) in question_names("why did Microsoft hire Suleyman?")
    assert any("微软" in forms for forms in question_names("why did Microsoft hire Suleyman?"))


@given(st.text(min_size=1, max_size=12), st.text(min_size=1, max_size=6))
def test_same_name_needs_a_latin_word_and_a_short_chinese_word(latin, chinese):
    if same_name(latin, chinese):
        assert latin.isascii() and len(latin) >= 4 and 2 <= len(chinese) <= 4


@given(st.text(min_size=1, max_size=8), st.sets(st.text(min_size=1, max_size=8), max_size=5))
def test_a_word_among_the_words_is_always_mentioned(term, words):
    assert mentioned(term, words | {term})
