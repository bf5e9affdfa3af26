"""English questions over Chinese articles: the notes they carry and the names the articles never
mention (their candidates' order and answerability are models: :mod:`qa.answering.models`)."""
from __future__ import annotations

from qa.index.backend import SearchView
from qa.text import tokenize
from qa.text.glossary import dictionary_kinds, load
from qa.text.questions import ENGLISH_FUNCTION_WORDS
from qa.text.translate import names

ENGLISH_NOTE = "The quotes are in Chinese, as published; no translation model is available."
NOTE_FORMS = 3  # Chinese forms a refusal's note shows per name
# What a dictionary form of a demonym or an eponym ends with: language, people, empire, prize,
# ethnic group, nationality (波兰语, 瑞士人, 罗马帝国, 诺贝尔奖, 汉族, 中国籍).
_CLASS_WORDS = ("帝国", "语", "人", "奖", "族", "籍")
# Capitalised words that are no names: a date's month or day, a function word opening a title.
_NOT_NAMES = ENGLISH_FUNCTION_WORDS | frozenset(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday".split())


def unmentioned_names(view: SearchView, question: str) -> list[str]:
    """Return the names in an English ``question`` that the dictionary can write in Chinese and
    that no indexed article mentions in either form, e.g. ``["Tesla (特斯拉)"]``: the articles
    cannot answer a question about them. Names the dictionary does not know (most people's
    names) are never reported: an article may write them in a transliteration it cannot guess.

    Every sense of the dictionary counts, and so does a form without the class word that ends it
    (罗马 of 罗马帝国 for "Roman", 波兰 of 波兰语 for "Polish", 诺贝尔 of 诺贝尔奖): the dictionary
    glosses a capitalised adjective by a language, people, empire or prize where an article writes
    the country or the man. Month and day names, and function words opening a title ("On the
    Babylonian Captivity"), are not names; nor is a capitalised word whose forms the dictionary
    glosses as common words and never as a proper noun (:func:`_common_word`).
    """
    absent = []
    for name, forms in names(question, senses=None):
        if name.lower() in _NOT_NAMES:
            continue
        chinese = [f for f in forms if len(f) > 1]  # one character is too ambiguous
        if not chinese or _common_word(chinese):
            continue
        # the forms without a class word first: what the note shows ("Chinese (中国、语文、中国籍)")
        shown = list(dict.fromkeys([*(h for f in chinese if (h := _without_class(f)) != f), *chinese]))
        tokens = {s: tokenize(s) for s in [name, *shown]}
        freq, _ = view.doc_freq([t for ts in tokens.values() for t in ts])
        if not any(ts and all(t in freq for t in ts) for ts in tokens.values()):
            absent.append(f"{name} ({'、'.join(shown[:NOTE_FORMS])})")
    return absent


def generic(name: str) -> bool:
    """Whether the dictionary glosses ``name`` (a capitalised word or acronym of a question) only
    by common words: "AI" is 人工智能 to it, a topic and not a party a sentence must name (an article
    writes OpenAI, 生成式AI or 人工智能); Meta, OpenAI and Apple (苹果, 苹果公司) are parties."""
    forms = [f for f in load().get(name.lower(), ()) if len(f) > 1]
    return bool(forms) and _common_word(forms)


def _common_word(forms: list[str]) -> bool:
    """Whether CC-CEDICT glosses some of a capitalised word's Chinese ``forms`` only as common
    words and none only as a proper noun: the question capitalises a word ("Constitutional" →
    宪制, "Fog on the Tyne" → 雾气) or names a person after one (Seaman → 水手), or the dictionary
    knows the name only by a word news does not write (UK → 腐国, slang). An article may write
    it any other way. Tesla (特斯拉: the man and the unit) and Amazon (亚马逊) stay names."""
    proper, common = dictionary_kinds()
    return any(f in common for f in forms) and not any(f in proper for f in forms)


def _without_class(form: str) -> str:
    """Return ``form`` without the class word that ends it (瑞士人 → 瑞士), if two characters remain."""
    return next((form[:-len(c)] for c in _CLASS_WORDS if form.endswith(c) and len(form) - len(c) >= 2), form)


def absent_note(absent: list[str]) -> str:
    """Return the note that explains a refusal for names no article mentions."""
    return "The indexed articles never mention " + ", ".join(absent) + "."
