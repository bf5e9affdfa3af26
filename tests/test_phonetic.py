"""Latin names and Chinese transliterations by consonant skeleton (qa.text.phonetic)."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa.text.names import same_name, spelled_in
from qa.text.phonetic import chinese_skeleton, latin_skeleton, sounds_alike

SYMBOLS = set("VPTKFWSJLMN")


@pytest.mark.parametrize("latin, chinese, skeleton", [
    ("Elway", "埃尔维", "VLW"), ("Davis", "戴维斯", "TWS"), ("Kearney", "科尔尼", "KLN"),
    ("Suleyman", "苏莱曼", "SLMN"), ("Schulman", "舒尔曼", "SLMN"),
])
def test_a_name_and_its_transliteration_have_one_skeleton(latin, chinese, skeleton):
    assert latin_skeleton(latin) == chinese_skeleton(chinese) == skeleton


@pytest.mark.parametrize("latin, chinese", [("Allen", "艾伦"), ("Elway", "埃尔维"), ("Kearney", "科尔尼"),
                                            ("Cantor", "康托尔")])
def test_short_names_the_pinyin_ratio_misses_are_the_same_name(latin, chinese):
    assert same_name(latin, chinese)


def test_words_that_are_not_names_do_not_sound_alike():
    assert not sounds_alike("Suleyman", "微软")  # other consonants
    assert not sounds_alike("Salon", "沙龙")  # a loanword the dictionary glosses as a common noun
    assert not sounds_alike("Dario", "德拉")  # two symbols ("TL") pair too many words
    assert chinese_skeleton("大胃四") == latin_skeleton("Davis") and not same_name("Davis", "大胃四")  # 胃 writes no name
    assert same_name("Davis", "达维斯")


def test_the_passages_transliteration_is_found_among_their_words():
    assert spelled_in(["Elway"], {"曼宁", "埃尔维", "丹佛", "比赛"}) == ["埃尔维"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="ascii"), max_size=30))
def test_a_latin_skeleton_is_classes_without_repeats(word):
    skeleton = latin_skeleton(word)
    assert set(skeleton) <= SYMBOLS
    assert all(a != b for a, b in zip(skeleton, skeleton[1:]))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=4))
def test_a_chinese_skeleton_is_classes_without_repeats(word):
    skeleton = chinese_skeleton(word)
    assert set(skeleton) <= SYMBOLS
    assert all(a != b for a, b in zip(skeleton, skeleton[1:]))
