"""The question lexicon: question words and question types, Chinese and English, in one place.

Ranking (which words of a question carry its content, what kind of answer it asks for),
quote assembly (which questions want the sentence after the best one), follow-ups (which
capitalised English words are not names) and the English keyword translation (which words
have no Chinese keyword) all read these lists, so a question type is recognised the same way
everywhere: "how much" and 多少 both ask for an amount, and neither asks for a description.

Example::

    >>> question_type("微软向OpenAI投资了多少？"), question_type("How much did Microsoft invest?")
    ('amount', 'amount')
    >>> asks_for_description("高英是怎么死的？"), asks_for_description("How many cars did Tesla sell?")
    (True, False)

The lists are written in simplified characters; a question in traditional script is read in its
simplified form (為什麼 is 为什么, 誰 is 谁).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from qa.text.tokens import simplified

# Words that make a Chinese question a question, or glue it together: no content to match.
CHINESE_QUESTION_WORDS = frozenset("什么 哪 哪个 哪些 哪里 哪儿 谁 为什么 为何 怎么 怎样 如何 多少 几 何时 是 的 了 吗 "
                                   "呢 在 有".split())
# The characters of Chinese question words: a character bigram holding one is no content.
CHINESE_QUESTION_CHARS = frozenset("什么哪谁为何多少几吗呢")
ENGLISH_QUESTION_WORDS = frozenset("what which who whom whose why how when where".split())
# English function words (question words, auxiliaries, pronouns, determiners): no keyword to
# translate, and no content for the ranker's word overlap.
ENGLISH_FUNCTION_WORDS = ENGLISH_QUESTION_WORDS | frozenset("""a an the of in on at to for with by from about as
into over after before between and or but not no is are was were be been being am do does did doing done have has
had having will would shall should can could may might must there here this that these those it its they them their
he him his she her we us our you your i me my much many more most some any all each other such than then so very
just also only own same too s t don""".split())
# Capitalised words that open English questions and sentences without being names.
ENGLISH_SENTENCE_OPENERS = frozenset(w.capitalize() for w in ENGLISH_QUESTION_WORDS | {
    "did", "does", "do", "is", "are", "was", "were", "can", "could", "will", "would", "should", "the", "a", "an",
    "and"})

# 为什么/为何 ask "why" except when they close the question right after a verb of naming or
# becoming, where 为 is "as" and the question asks "what": 被称为什么？ (called what), 成为什么？
# (工作为什么这么累 still asks why: the question goes on.)
_WHY_ZH = (r"(?<![称作成认视算改译名分变转定列选叫])(?:为什么|为何)|"
           r"(?:为什么|为何)(?![\s？?。！!呢吗啊呀]*$)")
# The question word itself, where a Chinese question puts the answer: the text around it is
# often the answer sentence verbatim ("面积有多大" -> "面积约为 0.3 平方公里").
CHINESE_WH = re.compile(_WHY_ZH + r"|什么|哪[一个些里儿位年天国种家所条部座]*|谁|多少|几[个位名次年岁倍月号天种]?|"
                        r"何[时地处年种]?|怎么样?|怎样|如何|多[大高长重久远]")


@dataclass(frozen=True)
class QuestionType:
    """A kind of question: how it is asked (both languages) and what an answer to it contains."""

    name: str
    asks: re.Pattern[str]
    cue: re.Pattern[str]


# First match wins: "why" before "amount" ("为什么涨了多少" asks for a reason).
QUESTION_TYPES: tuple[QuestionType, ...] = (
    QuestionType("why", re.compile(_WHY_ZH + r"|原因|\bwhy\b|\bwhat for\b", re.I),
                 re.compile(r"因为|由于|为了|旨在|以便|因此|所以|原因|目的|是为|导致|使得|because|in order to|so that",
                            re.I)),
    QuestionType("amount", re.compile(r"多少|几[个位名次年岁倍]|多大|多高|多长|多重|\bhow (much|many)\b", re.I),
                 re.compile(r"\d|[一二两三四五六七八九十百千万亿]+[个位名次年岁倍元%％万亿]|百分之")),
    QuestionType("when", re.compile(r"何时|什么时候|哪一?年|哪一?天|几月|几号|何年|\bwhen\b|\bwhat year\b", re.I),
                 re.compile(r"\d{3,4}\s*年|\d{1,2}\s*月|\d{1,2}\s*日|年代|世纪|[春夏秋冬]天|去年|今年|本月|"
                            r"周[一二三四五六日]")),
    QuestionType("where", re.compile(r"哪里|哪儿|在哪|何地|何处|哪个(国家|城市|地区|省)|\bwhere\b", re.I),
                 re.compile(r"[省市县区国州岛山河湖洲港镇村]|位于|地处")),
    QuestionType("who", re.compile(r"谁|哪位|什么人|哪个人|\bwho\b", re.I),
                 re.compile(r"[A-Z][a-z]+|先生|女士|教授|总裁|首席|创始人|CEO|董事|部长|主席|[·・]")),
)

# A question that asks for a process, a description, a definition or a list is answered by the
# best sentence and the one after it: on CMRC 2018, 8 % of gold answers run over two sentences,
# mostly for these questions ("树叶是什么形状的", "高英是怎么死的"). Why-questions are not among
# them: their next sentence is quoted only when it states the reason (qa.answering.reasons).
# English "how" counts only as a manner question: "how much/many/long/old…" asks for an amount.
_DESCRIBES = re.compile(r"怎么|怎样|如何|什么样|哪些|哪[两三四五六七八九十几]|^什么是|特点|特征|作用|"
                        r"用途|过程|影响|内容|方式|方法|\bhow\b(?!\s+(?:much|many|long|old|far|big|large|"
                        r"often|tall|high|soon)\b)", re.IGNORECASE)


def asking_phrases(question: str) -> frozenset[str]:
    """Return the question-word phrases of ``question`` (``CHINESE_WH``: 哪一年, 多少, 几个): a
    word inside one asks and says nothing, though jieba cuts 一年 out of 哪一年 as a word of its own.

    >>> sorted(asking_phrases("OpenAI是哪一年成立的？"))
    ['哪一年']
    """
    return frozenset(m.group() for m in CHINESE_WH.finditer(simplified(question)))


def question_type(question: str) -> str | None:
    """Return the name of the question's type ("why", "amount", "when", "where", "who") or None."""
    question = simplified(question)
    return next((t.name for t in QUESTION_TYPES if t.asks.search(question)), None)


def leading_type(question: str) -> str | None:
    """Return the type whose question word comes first in ``question`` (None if none): what an
    English question asks when it holds two ("Who decides when AGI has arrived?" asks who, where
    :func:`question_type`, which the fitted models read, says when)."""
    question = simplified(question)
    found = [(m.start(), n) for n, t in enumerate(QUESTION_TYPES) if (m := t.asks.search(question))]
    return QUESTION_TYPES[min(found)[1]].name if found else None


def answer_cue(type_name: str | None) -> re.Pattern[str] | None:
    """Return the pattern an answer to a question of type ``type_name`` contains (None: no cue)."""
    return next((t.cue for t in QUESTION_TYPES if t.name == type_name), None)


def asks_for_description(question: str) -> bool:
    """Whether ``question`` asks for a process, description or list (answered by two sentences)."""
    return bool(_DESCRIBES.search(simplified(question)))
