"""ECDICT's senses: read from its translations, shipped with the package, after CC-CEDICT's in the glossary."""
from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from qa.text import ecdict, glossary
from qa.text.ecdict import MAX_SENSE_CHARS, MAX_SENSES, senses_of
from qa.text.translate import chinese_terms, keyword_text, may_be_translated, names

_CHINESE_WORD = re.compile(rf"[\u3400-\u9fff\uf900-\ufaff]{{1,{MAX_SENSE_CHARS}}}")


def test_a_translation_gives_its_words_without_parts_of_speech_notes_or_adjective_endings():
    assert senses_of("a. 理论的, 理论上的, 假设的\\n[计] 理论的") == ["理论", "理论上", "假设"]
    assert senses_of("n. 布告, 法令\\n[经] 布告, 法令") == ["布告", "法令"]
    assert senses_of("vt. 逃避, 逃跑\\nvi. 逃, 消失") == ["逃避", "逃跑", "逃", "消失"]
    assert senses_of("a. & n.[地]早第三纪(的),下第三系(的)") == ["早第三纪", "下第三系"]


def test_notes_frames_and_web_senses_are_read_as_such():
    assert senses_of("n. (Suleyman)人名；(阿拉伯)苏莱曼") == ["苏莱曼"]  # 人名 says "a name", it is none
    assert senses_of("vt. 授与...以国籍, 归化") == ["归化"]  # a frame with a hole is no word
    assert senses_of("[网络] 球栉水母目\\nn. 栉水母") == ["栉水母", "球栉水母目"]  # web-sourced senses last
    assert senses_of("n. Italian engineer (1874-1937)") == []
    assert senses_of("美国橄榄球超级杯大赛") == []  # a definition, not a word a text writes


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("n.vt a&[]()（）【】网络计,，;；、/...…~的地理论法令人名 \\n\n") + ["\u4e00", "\u9fa5"]),
               max_size=80))
def test_senses_are_distinct_short_chinese_words(translation):
    found = senses_of(translation)
    assert len(found) == len(set(found)) <= MAX_SENSES
    assert all(_CHINESE_WORD.fullmatch(w) and w != "人名" for w in found)
    assert "网络" not in senses_of("[网络] 球栉水母目")  # the tag marks where a sense comes from


def test_the_shipped_file_holds_common_words_and_names():
    senses = ecdict.load()
    assert len(senses) > 100_000
    assert "野马" in senses["bronco"] and "法令" in senses["edict"] and "归化" in senses["naturalize"]
    assert senses["suleyman"] == ("苏莱曼",)
    assert len(ecdict.version()) == 12


def test_the_glossary_adds_ecdict_senses_after_cc_cedicts():
    merged = glossary.load()
    cedict = glossary.cedict()
    assert merged["edict"][: len(cedict["edict"])] == cedict["edict"] and "法令" in merged["edict"]
    assert "bronco" in merged and "bronco" not in cedict
    assert glossary.merged({"a": ("甲",)}, {"a": ("甲", "乙"), "b": ("丙",)}) == {"a": ("甲", "乙"), "b": ("丙",)}


def test_an_english_word_only_ecdict_knows_finds_the_articles_word():
    # "When was this edict declared?": CC-CEDICT gives 诏书 alone; the article writes 法令
    counts = {"法令": 3, "宣布": 5}
    assert "法令" in chinese_terms("When was this edict declared?", lambda ts: {t: counts.get(t, 0) for t in ts})
    assert "野马" in keyword_text("Who lost to the Broncos?", lambda ts: {t: 1 if t == "野马" else 0 for t in ts})


def test_the_name_rules_still_read_cc_cedict_alone():
    # ECDICT glosses the adjective "anthropic" and lists 奥尔特曼 for Altman; the name rules
    # would then take Anthropic for a translatable word and miss the news's 阿尔特曼
    assert not may_be_translated("Anthropic")
    assert dict(names("Did Tesla win?", senses=None))["Tesla"] == glossary.cedict()["tesla"]
