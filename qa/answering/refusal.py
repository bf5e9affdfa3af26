"""Why the product refused: a note naming what the closest passages lack, in the question's language.

A refusal that only says "not found" leaves the reader guessing whether the articles are about
something else altogether. Most refused news questions share the articles' topic and differ in
one salient term (:mod:`qa.text.salient`), so the note says which: no indexed article mentions
an attribute the question asks about (``SentenceRanking.unmentioned``: "the articles mention 苹果
but none mentions 营收"), the best candidate sentence mentions some of the question's names,
numbers and attributes but not the others, none of the closest passages mentions them, or they
are all there but the closest sentences say nothing of the rest of the question (奥特曼毕业于哪所大学？
→ no 毕业, no 大学) or, for a Chinese question, lack some of its words (Kevin Scott什么时候加入微软？
→ no 加入), or hold no answer of the asked type (no amount for 多少).

Example::

    >>> explain("苹果公司2024年的营收是多少？", "zh", ranking)  # doctest: +SKIP
    '文章提到了“苹果公司”“2024”，但索引中的文章都没有提到“营收”。'
"""
from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from qa.answering.english import generic
from qa.answering.features import FEATURES
from qa.answering.question import describe
from qa.answering.ranking import SentenceRanking
from qa.text import search_form, tokenize
from qa.text.questions import leading_type
from qa.text.salient import Term, present

# What each question type asks for, as a note names it.
_ASKED = {"zh": {"why": "原因", "amount": "数字", "when": "时间", "where": "地点", "who": "人名"},
          "en": {"why": "reason", "amount": "number", "when": "date", "where": "place", "who": "name"}}

_REST_SHOWN = 3  # words of the question a note names as what the closest sentences leave out

# English attribute words as a note names what they ask for: a noun for those that are not one,
# capitals for a title.
_AS_NOUN = {"how old": "age", "founded": "founder", "co-founded": "founder", "ceo": "CEO", "cto": "CTO", "cfo": "CFO"}


def explain(query: str, lang: str, ranking: SentenceRanking) -> str | None:
    """Return the note explaining why ``query`` was refused given its ``ranking`` (whose
    ``terms`` are the question's salient terms), in ``lang`` ("zh" or "en"); None when nothing
    specific can be said (no candidates, nothing lacking)."""
    if not ranking.candidates:
        return _never_mentioned([], list(ranking.unmentioned), lang) if ranking.unmentioned else None
    top = int(np.argmax(ranking.scores))
    everything = " ".join(c.with_years(c.text) for c in ranking.candidates)
    anywhere, folded_all = frozenset(tokenize(everything)), search_form(everything)
    if ranking.unmentioned:
        return _never_mentioned([t for t in ranking.terms if present(t, anywhere, folded_all)],
                                list(ranking.unmentioned), lang)
    around, folded = ranking.near_best()
    # the ones the answerability model read, less a topic word an English question capitalises
    # (AI: 人工智能 to the dictionary), which no sentence needs to name
    terms = [t for t in ranking.terms if not (lang == "en" and t.kind == "name" and generic(t.text))]
    found = [t for t in terms if present(t, around, folded)]
    lacking = [t for t in terms if not present(t, around, folded)]
    elsewhere = [t for t in lacking if present(t, anywhere, folded_all)]
    if lacking and found:
        return _mention_but_not(found, lacking, lang, together=bool(elsewhere))
    if lacking:
        return _not_mentioned(lacking, lang)
    rest = _rest_words(query, ranking.terms, None if lang == "en" else around) if found else []
    if rest and (lang == "zh" or not ranking.matrix[top][FEATURES.index("rest")]):
        # every name is there, not (all of) what is asked about them: the words the closest
        # sentences lack (an English question's words have no Chinese spelling to check: all or none)
        words = "".join(f"“{w}”" for w in rest) if lang == "zh" else ", ".join(f"“{w}”" for w in rest)
        return (f"文章提到了{_names(found, lang)}，但最接近的句子没有提到{words}。" if lang == "zh" else
                f"The articles mention {_names(found, lang)}, but the closest sentences say nothing of {words}.")
    asked = _ASKED[lang].get(leading_type(query) or "")
    # only when the best sentence lacks it: OpenAI自2015年成立以来… does give the year asked
    if asked and found and not ranking.matrix[top][FEATURES.index("cue")]:
        return (f"文章提到了{_names(found, lang)}，但最接近的句子没有给出所问的{asked}。" if lang == "zh" else
                f"The articles mention {_names(found, lang)}, but the closest sentences give no {asked} that answers.")
    return None


def _rest_words(question: str, terms: Sequence[Term], lacking_from: frozenset[str] | None = None) -> list[str]:
    """Return up to ``_REST_SHOWN`` of the question's words beside its names and numbers (what the
    ``rest`` feature reads), in its order, only those not among ``lacking_from`` (a text's search
    tokens) when given: the names are cut out first, so that no piece of one that jieba cut across
    a word boundary (阿尔特/曼是) is shown, and single characters (于, 和) say nothing to a reader."""
    for t in sorted((t for t in terms if t.kind != "attribute"), key=lambda t: -len(t.text)):
        question = re.sub(re.escape(t.text), " ", question, flags=re.IGNORECASE)
    words = [w for w in describe(question, {}, 1).tokens if len(w) > 1]
    return [w for w in words if lacking_from is None or w not in lacking_from][:_REST_SHOWN]


def _mention_but_not(found: list[Term], lacking: list[Term], lang: str, together: bool) -> str:
    if lang == "zh":
        where = "在同一处" if together else ""
        return f"文章提到了{_names(found, lang)}，但没有{where}提到{_names(lacking, lang)}。"
    where = " in the same place" if together else ""
    return f"The articles mention {_names(found, lang)} but not {_names(lacking, lang)}{where}."


def _never_mentioned(found: list[Term], never: list[Term], lang: str) -> str:
    """The note for attributes no indexed article mentions, after what the closest passages do."""
    if lang == "zh":
        before = f"文章提到了{_names(found, lang)}，但" if found else ""
        return f"{before}索引中的文章都没有提到{_names(never, lang)}。"
    if found:
        return f"The articles mention {_names(found, lang)}, but none mentions {_names(never, lang)}."
    return f"None of the indexed articles mentions {_names(never, lang)}."


def _not_mentioned(lacking: list[Term], lang: str) -> str:
    if lang == "zh":
        return f"最接近的段落都没有提到{_names(lacking, lang)}。"
    return f"None of the closest passages mentions {_names(lacking, lang)}."


def _names(terms: list[Term], lang: str) -> str:
    """Return the terms as a note lists them: quoted in Chinese; in English with the Chinese form
    the articles would use ("Apple (苹果)", "revenue (营收)")."""
    if lang == "zh":
        return "".join(f"“{t.text}”" for t in terms)
    shown = []
    for t in terms:
        chinese = next((f for f in t.forms if not f.isascii()), None)
        text = _AS_NOUN.get(t.text, t.text)
        shown.append(f"{text} ({chinese})" if chinese and t.text.isascii() else text)
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
