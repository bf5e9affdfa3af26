"""CC-CEDICT read backwards (qa.text.glossary): glosses, and the short keys of proper nouns."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from qa.text.glossary import MAX_PHRASE, build_glossary, glosses
from qa.text.translate import names


def test_a_definition_is_cut_into_short_lower_case_glosses():
    assert glosses("to hire (a lawyer); to engage", "聘请") == ["hire", "engage"]
    assert glosses("Beijing, capital of China", "北京") == ["beijing"]
    assert glosses("variant of 聘[pin4]", "娉") == []


def test_a_person_is_also_found_by_surname():
    assert "lavoisier" in glosses("Antoine Lavoisier (1743-1794), French nobleman and scientist", "拉瓦锡")
    assert glosses("surname Nixon", "尼克松") == ["nixon"]
    assert "ellison" in glosses("Larry Ellison (name)", "埃里森")


def test_alternative_spellings_of_a_name_are_each_a_key():
    assert {"davis", "davies"} <= set(glosses("Davis or Davies (name)", "戴维斯"))


def test_a_name_before_a_class_word_is_a_key_alone():
    assert "atlantic" in glosses("Atlantic Ocean", "大西洋")
    assert "euphrates" in glosses("Euphrates River", "幼发拉底河")
    assert "roman" in glosses("Roman Empire (27 BC-476 AD)", "罗马帝国")


def test_a_surname_key_that_is_a_common_word_is_not_kept():
    glossary = build_glossary([
        {"simplified": "三十年战争", "definitions": ["Thirty Years' War (1618-1648)"]},
        {"simplified": "战争", "definitions": ["war", "conflict"]},
        {"simplified": "拉瓦锡", "definitions": ["Antoine Lavoisier (1743-1794), French chemist"]},
    ])
    assert glossary["war"] == ("战争",)
    assert glossary["lavoisier"] == ("拉瓦锡",) and "thirty years' war" in glossary


def test_names_in_an_english_question_get_the_dictionarys_forms():
    found = dict(names("Did Lavoisier cross the Atlantic with Nixon?"))
    assert "拉瓦锡" in found["Lavoisier"] and "大西洋" in found["Atlantic"] and "尼克松" in found["Nixon"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="ascii"), max_size=80), st.text(max_size=6))
def test_every_gloss_is_lower_case_and_short(definition, word):
    for gloss in glosses(definition, word):
        assert gloss == gloss.lower().strip() and gloss
        assert len(gloss.split()) <= MAX_PHRASE
