"""The salient terms of a question (names, numbers, measured attributes) and the refusal notes built on them."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from qa.text import search_form, tokenize
from qa.text.salient import Term, present, salient_terms, spelled, widened


def _kinds(question: str) -> list[tuple[str, str]]:
    return [(t.kind, t.text) for t in salient_terms(question)]


def test_chinese_question_names_company_year_and_attribute():
    assert _kinds("苹果公司2024年的营收是多少？") == [("name", "苹果公司"), ("number", "2024"), ("attribute", "营收")]


def test_dictionary_proper_nouns_count_as_names_where_jieba_tags_a_common_word():
    # jieba tags 微软 as an adjective; CC-CEDICT glosses it "Microsoft Corporation"
    assert ("name", "微软") in _kinds("微软为什么聘请苏莱曼？")
    assert ("name", "苏莱曼") in _kinds("微软为什么聘请苏莱曼？")


def test_english_question_terms_carry_their_chinese_forms():
    terms = {t.text: t for t in salient_terms("What was Apple's revenue in 2024?")}
    assert "苹果" in terms["Apple"].forms
    assert "营收" in terms["revenue"].forms and terms["revenue"].kind == "attribute"
    assert terms["2024"].kind == "number"


def test_one_character_dictionary_forms_are_left_out():
    apple = salient_terms("What was Apple's revenue?")[0]
    assert all(len(f) > 1 for f in apple.forms)


def test_question_without_names_numbers_or_attributes_has_no_salient_terms():
    assert salient_terms("他的父亲是谁？") == ()


def test_traditional_question_gives_simplified_terms():
    assert ("attribute", "营收") in _kinds("蘋果公司的營收是多少？")


def test_attribute_is_present_under_any_word_of_its_group():
    revenue = next(t for t in salient_terms("苹果的营收是多少？") if t.kind == "attribute")
    assert present(revenue, set(tokenize("苹果公司去年的营业收入为3900亿美元")))
    assert not present(revenue, set(tokenize("微软超越苹果成为全球市值最高的上市公司")))


def test_company_name_is_present_without_its_company_suffix():
    apple = salient_terms("苹果公司的市值是多少？")[0]
    assert present(apple, set(tokenize("微软超越苹果成为全球市值最高的上市公司")))


def test_a_name_whose_pieces_the_text_writes_apart_is_present():
    # DRCD asks about 東羅馬帝國; its paragraph writes 拜占庭帝國 and 東羅馬
    empire = next(t for t in salient_terms("東羅馬帝國時期，國際貿易達到最高峰大約是在幾世紀時?") if t.kind == "name")
    text = "公元7世紀後，拜占庭帝國的國際貿易受到影響，迫使東羅馬開闢通過紅海的海路貿易"
    assert present(empire, set(tokenize(text)), search_form(text))


def test_a_name_sharing_one_piece_with_the_text_is_not_present():
    empire = next(t for t in salient_terms("東羅馬帝國時期，國際貿易達到最高峰大約是在幾世紀時?") if t.kind == "name")
    text = "奧斯曼帝國的國際貿易達到最高峰"
    assert not present(empire, set(tokenize(text)), search_form(text))


def test_a_particle_the_tagger_glued_to_a_name_is_not_required():
    wei = next(t for t in salient_terms("哪一個事件於445-446年時於北魏發生?") if t.kind == "name")
    assert "北魏" in wei.forms
    text = "太平真君六年，北魏爆發蓋吳起義"
    assert present(wei, set(tokenize(text)), search_form(text))


def test_years_months_and_centuries_are_dates_and_counts_are_not():
    dated = {t.text: t.dated for t in salient_terms("475年6月，长寿王讨伐了哪儿？公司有2000名员工，19世纪呢？") if t.kind == "number"}
    assert dated == {"475": True, "6": True, "2000": False, "19": True}
    english = {t.text: t.dated for t in salient_terms("Who received a $6.6 billion bid on 12 March 1915?")
               if t.kind == "number"}
    assert english == {"6.6": False, "12": True, "1915": True}


def test_latin_and_digit_forms_count_only_as_whole_words():
    ai = salient_terms("What did AI Labs build in 2024?")
    text = "OpenAI 在12024个项目中"
    assert not any(present(t, set(tokenize(text)), search_form(text)) for t in ai)


def test_latin_name_is_present_as_the_transliteration_the_texts_use():
    words = set(tokenize("微软聘请了苏莱曼。纳德拉是微软的CEO。"))
    suleyman = next(t for t in spelled(salient_terms("why did Microsoft hire Suleyman?"), words)
                    if t.text == "Suleyman")
    assert "苏莱曼" in suleyman.forms
    assert present(suleyman, set(tokenize("微软聘请了苏莱曼")))
    assert not present(suleyman, set(tokenize("微软聘请了纳德拉")))


def test_chinese_name_is_present_as_its_latin_spelling():
    text = "Microsoft hired Mustafa Suleyman"
    suleyman = spelled(salient_terms("苏莱曼为什么加入微软？"), set(tokenize(text)))[0]
    assert suleyman.text == "苏莱曼" and present(suleyman, set(tokenize(text)), search_form(text))


_CHINESE_TEXT = st.text(st.sampled_from(list("苹果微软公司营收市值人口年的是多少谁在2024OpenAI,。？ ")), max_size=30)


@settings(max_examples=60, deadline=None)
@given(_CHINESE_TEXT)
def test_every_salient_term_is_present_in_its_own_question(question):
    words = set(tokenize(question))
    assert all(present(t, words, search_form(question)) for t in salient_terms(question))


@settings(max_examples=60, deadline=None)
@given(_CHINESE_TEXT)
def test_salient_terms_are_unique_by_first_form(question):
    firsts = [t.forms[0] for t in salient_terms(question)]
    assert len(firsts) == len(set(firsts))


def test_daily_weekly_and_monthly_users_are_different_figures():
    sentence = "助力OpenAI的ChatGPT拥有超过5亿周活跃用户"
    words, folded = set(tokenize(sentence)), search_form(sentence)
    daily = [t for t in salient_terms("ChatGPT有多少日活跃用户？") if t.kind == "attribute"]
    weekly = [t for t in salient_terms("How many weekly active users does ChatGPT have?") if t.kind == "attribute"]
    users = [t for t in salient_terms("ChatGPT有多少用户？") if t.kind == "attribute"]
    assert [present(t, words, folded) for t in daily + weekly + users] == [False, True, True]


def _widened(question: str, articles: str) -> list[str]:
    return [t.text for t in widened(salient_terms(question), question, search_form(articles))]


def test_a_transliterated_name_jieba_cut_apart_grows_to_the_name_the_articles_write():
    # jieba cuts 纳 / 德拉 / 和 / 阿尔特 / 曼 and, the other way round, 阿尔特 / 曼和纳 / 德拉
    articles = "纳德拉与阿尔特曼的合作源于2018年7月的一次偶然相遇。"
    assert _widened("纳德拉和阿尔特曼是在哪里认识的？", articles) == ["纳德拉", "阿尔特曼"]
    assert _widened("阿尔特曼和纳德拉是在哪里认识的？", articles) == ["阿尔特曼", "纳德拉"]


def test_a_name_does_not_grow_into_the_words_after_it():
    assert _widened("微软市值是多少？", "微软市值超过苹果") == ["微软", "市值"]
    assert _widened("德拉是谁？", "纳德拉与阿尔特曼") == ["德拉"]  # the question has no more of the name


_NAME_TEXT = st.text(st.sampled_from(list("纳德拉阿尔特曼苏莱和是在的谁？微软")), max_size=16)


@settings(max_examples=80, deadline=None)
@given(_NAME_TEXT, _NAME_TEXT)
def test_a_widened_name_is_written_both_in_the_question_and_in_the_articles(question, articles):
    before = {t.forms[0] for t in salient_terms(question)}
    for t in widened(salient_terms(question), question, search_form(articles)):
        assert t.forms[0] in search_form(question)
        assert t.forms[0] in before or t.forms[0] in search_form(articles)


def test_two_pieces_of_one_name_give_one_term():
    terms = widened((Term("name", "苏莱", ("苏莱",)), Term("name", "莱曼", ("莱曼",))), "苏莱曼是谁？", "苏莱曼加入微软")
    assert [(t.text, t.forms[0]) for t in terms] == [("苏莱曼", "苏莱曼")]


def test_english_amounts_are_salient_in_the_units_chinese_news_writes():
    from qa.text.salient import salient_terms

    numbers = {t.text: t.forms for t in salient_terms("Who led the $6.6 billion round that 20,000 staff joined?")
               if t.kind == "number"}
    assert numbers == {"6.6": ("6.6", "66亿"), "20,000": ("20,000", "20000", "2万")}
