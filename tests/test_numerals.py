"""Chinese numerals as digits (qa.text.numerals) and the number test of salient terms."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from qa.text import search_form
from qa.text.dates import relative_years
from qa.text.numerals import as_digits
from qa.text.salient import present, salient_terms


def test_chinese_numerals_become_digits():
    assert as_digits("第五十届超级碗") == "第50届超级碗"
    assert as_digits("十八世纪") == "18世纪" and as_digits("二〇一五年") == "2015年"
    assert as_digits("百分之七十五的面积") == "75%的面积"


def test_a_question_number_is_found_where_the_article_writes_it_in_chinese():
    number = next(t for t in salient_terms("谁在第 50 届超级碗上演唱了国歌？") if t.kind == "number")
    assert present(number, (), search_form("第五十届超级碗的国歌由碧昂丝演唱"))
    assert not present(number, (), search_form("第四十九届超级碗的国歌由碧昂丝演唱"))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_a_text_without_numerals_is_returned_as_it_is_and_none_raises(text):
    out = as_digits(text)
    assert isinstance(out, str)
    if not any(c in "零〇一二两三四五六七八九十百千万亿" for c in text):
        assert out == text


def test_english_periods_give_decades_centuries_and_roman_numerals_in_chinese_forms():
    from qa.text.numerals import english_periods

    assert english_periods("Who fled by the 1700s, in the 15th century, under Henry III?") == [
        "1700年代", "18世纪", "十八世纪", "15", "十五", "15世纪", "十五世纪", "3", "三世"]
    assert english_periods("in the 1990s") == ["1990年代", "90年代"]
    assert english_periods("Super Bowl XXXIII") == ["33"]  # past twenty: an edition, not a king
    assert english_periods("I did it. Was it IV?") == []  # no capitalised word before the numeral
    assert english_periods("What happened on the 100th day?") == ["100", "一百"]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_english_periods_never_raise_and_give_strings(text):
    from qa.text.numerals import english_periods

    assert all(isinstance(f, str) and f for f in english_periods(text))


def test_relative_years_read_against_the_articles_date():
    assert relative_years("今年1月，OpenAI宣布", "2025-04-30").split() == ["2025年"]
    assert sorted(relative_years("去年夏天和前年", "2025-04-30").split()) == ["2023年", "2024年"]
    assert relative_years("今年1月", None) == "" and relative_years("今年1月", "四月") == ""


@settings(max_examples=60, deadline=None)
@given(st.text(st.sampled_from(list("今年去月日的2025OpenAI,。 ")), max_size=20), st.integers(1900, 2100))
def test_relative_years_name_only_years_the_text_says_relatively(text, year):
    out = relative_years(text, f"{year}-06-01").split()
    assert all(w in {f"{year + s}年" for s in (-2, -1, 0, 1)} for w in out)
    assert ("今年" in text) == (f"{year}年" in out)


def test_tenths_are_percent_so_a_question_and_an_article_meet_either_way():
    """DRCD: 米的哪一部分持有9成以上的人體必要營養物質？ against 米糠…含有人體必須營養素中90%以上; news
    writes 近七成 where another text writes 70%. 成员, 成立 and 成为 after a digit are no tenths."""
    for question, text in [("米的哪一部分持有9成以上的人體必要營養物質？", "米糠含有人體必須營養素中90%以上"),
                           ("70%的用户来自哪里？", "近七成来自北京"), ("70%的用户来自哪里？", "两成来自上海，七成来自北京")]:
        numbers = [t for t in salient_terms(question) if t.kind == "number"]
        assert numbers and all(present(t, (), search_form(text)) for t in numbers), (question, numbers)
    five = [t for t in salient_terms("5成员国是哪些？") if t.kind == "number"]
    assert five[0].forms == ("5",) and not present(five[0], (), search_form("50%的国家"))
    assert not present(salient_terms("70%的用户来自哪里？")[0], (), search_form("7成员国"))


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from(list("0123456789成员立两.%年用户 ")), max_size=30))
def test_tenths_as_percent_changes_only_a_digit_and_its_cheng(text):
    from qa.text.numerals import tenths_as_percent

    out = tenths_as_percent(text)
    assert out.count("%") - text.count("%") == text.count("成") - out.count("成")  # each tenth becomes one percent
    assert out == text or "成" in text
