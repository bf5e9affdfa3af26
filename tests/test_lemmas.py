"""English question words → the glossary's keys: forms, lemmas and stems (qa.text.lemmas)."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from qa.text.lemmas import forms, lemma, sense_tiers, stem, stem_index
from qa.text.translate import chinese_terms


def test_a_word_the_lemmatizer_knows_is_not_cut_by_suffix_rules():
    assert forms("tapes") == ["tapes", "tape"]  # not "tap"
    assert forms("lines") == ["lines", "line"]  # not "lin"


def test_suffix_rules_cut_words_the_lemmatizer_does_not_know():
    assert "blorf" in forms("blorfed")
    assert "xyzzy" in forms("xyzzies")


def test_irregular_forms_reach_their_dictionary_word():
    assert [lemma(w) for w in ("made", "busiest", "teeth", "fled", "businessmen")] == [
        "make", "busy", "tooth", "flee", "businessman"]


def test_british_spellings_are_also_looked_up_the_american_way():
    assert "theater" in forms("theatre")
    assert "organization" in forms("organisation")
    assert "kilometers" in forms("kilometres")


def test_the_senses_of_the_word_as_written_and_of_its_lemma_make_the_first_tier():
    glossary = {"found": ("创立",), "find": ("发现",), "fin": ("鳍",)}
    assert sense_tiers(glossary, "", "found") == (("创立", "发现"),)


def test_suffix_forms_and_stems_come_after_as_later_tiers():
    stems = {stem("funding"): ("某某某",)}
    assert sense_tiers({"funding": ("某某",), "fund": ("某",)}, "", "funding", stems) == (
        ("某某",), ("某",), ("某某某",))
    assert sense_tiers({"xyzzy": ("某",)}, "", "plugh") == ()


def test_a_phrase_reads_its_last_word_in_any_form_but_never_by_stem():
    assert sense_tiers({"central bank": ("央行",)}, "central ", "banks") == (("央行",),)
    stems = {stem("legislation"): ("立法",)}
    assert sense_tiers({}, "central ", "legislative", stems) == ()
    assert sense_tiers({}, "", "legislative", stems) == (("立法",),)
    assert sense_tiers({}, "", "legislative") == ()  # without a stem index


def test_keywords_come_from_the_first_tier_the_articles_use():
    # "legislative" has no key of its own: the stem tier gives what the articles write
    terms = chinese_terms("legislative", doc_freq=lambda tokens: {t: 1 for t in tokens if t == "立法"})
    assert terms == ("立法",)


def test_the_stem_index_of_the_real_dictionary_bridges_derivations():
    assert "立法" in stem_index().get(stem("legislative"), ())
    assert "计算" in stem_index().get(stem("computational"), ())


def test_inflected_and_derived_question_words_get_chinese_keywords():
    assert "繁忙" in chinese_terms("the busiest airport")
    tapes = chinese_terms("restore the original tapes")
    assert "卷带" in tapes and "龙头" not in tapes  # tape, not tap
    assert "立法" in chinese_terms("the legislative branch")
    assert "牙齿" in chinese_terms("how many teeth")


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz'-", min_size=1, max_size=20))
def test_forms_start_with_the_word_itself_and_never_repeat(word):
    found = forms(word)
    assert found[0] == word.lower()
    assert len(found) == len(set(found))
    assert all(found)
