"""Follow-up questions without an LLM: carry the previous turn's entities into the query.

Two patterns cover most chat follow-ups over news:

* ellipsis with a new topic — "那 OpenAI 呢？" / "what about OpenAI?" after "微软聘请了哪家投行？":
  the previous question with its own named entities swapped for the new one
  ("OpenAI 聘请了哪家投行？");
* pronouns or no topic of its own — "他为什么离开？" / "why did he leave?": the question plus the
  previous question's named entities.

A question that names its own topic is left alone.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from qa.text import detect_language, search_form
from qa.text.questions import ENGLISH_SENTENCE_OPENERS

_ELLIPSIS = [
    re.compile(r"^\s*(?:那么?|那|还有|至于|换成)\s*(?P<topic>.+?)\s*(?:呢|怎么样|如何)?\s*[？?。.!！]*\s*$"),
    re.compile(r"^\s*(?P<topic>.+?)\s*呢\s*[？?。.!！]*\s*$"),
    re.compile(r"^\s*(?:and\s+)?(?:what|how)\s+about\s+(?P<topic>.+?)\s*[?.!]*\s*$", re.IGNORECASE),
]
_PRONOUNS = re.compile(
    r"他们|她们|它们|他|她|它|该公司|这家公司|该企业|这家企业|该机构|此人|这个人|这位|那位|对方|其|"
    r"\b(?:he|she|it|they|him|her|his|its|their|them|this company|the company)\b", re.IGNORECASE)
_ENTITY_FLAGS = ("nr", "ns", "nt", "nz", "eng", "nrt", "nrfg")


def previous_questions(history: Sequence[Any]) -> list[str]:
    """Return the user questions in ``history`` (strings, ``Answer``s or chat message dicts), oldest first."""
    out: list[str] = []
    for turn in history:
        if isinstance(turn, str):
            out.append(turn)
        elif isinstance(turn, dict) and turn.get("role") == "user" and isinstance(turn.get("content"), str):
            out.append(turn["content"])
        elif hasattr(turn, "question") and isinstance(turn.question, str):
            out.append(getattr(turn, "query", "") or turn.question)
        elif isinstance(turn, (list, tuple)) and turn and isinstance(turn[0], str):
            out.append(turn[0])  # (user, bot) pairs
    return [q for q in out if q.strip()]


MAX_TURN_CHARS = 200  # of the previous question read for its topic
# Set by hand, not tuned: "那 X 呢" names a topic X of at most 30 characters (a longer X is a
# question of its own), and a question of at most 4 characters ("为什么？", "多少钱") has no
# topic of its own, so it carries the previous one.
MAX_TOPIC_CHARS = 30
TOPICLESS_CHARS = 4



def entities(text: str) -> list[str]:
    """Return the topic words of ``text``: its subject (the words before the first verb, preposition
    or question word — jieba's tags alone miss names such as 微软), named entities, and
    capitalised Latin-script names.
    """
    import jieba.posseg as pseg

    words = [(w.word.strip(), w.flag) for w in pseg.cut(text) if w.word.strip()]
    subject: list[str] = []
    # jieba tags every English word "eng", so "the words before the first verb" is a Chinese rule:
    # on "why did Microsoft hire Suleyman?" it glued the whole question into one "subject".
    for word, flag in words if detect_language(text) == "zh" else ():
        if flag[:1] in ("v", "p", "r", "x", "u", "c", "d") or word.capitalize() in ENGLISH_SENTENCE_OPENERS:
            break
        subject.append(word)
    found = ["".join(subject)] if subject and len("".join(subject)) > 1 else []
    found += [w for w, f in words if f in _ENTITY_FLAGS and f != "eng" and len(w) > 1]
    found += [m for m in re.findall(r"[A-Z][A-Za-z0-9.&-]+(?:\s+[A-Z][A-Za-z0-9.&-]+)*", text)
              if m.split()[0] not in ENGLISH_SENTENCE_OPENERS]
    return [e for e in dict.fromkeys(found) if not any(e != o and e in o for o in found)]


def resolve(question: str, history: Sequence[Any]) -> str:
    """Return the retrieval query for ``question`` given the earlier turns.

    >>> resolve("那 OpenAI 呢？", ["微软聘请了哪家投行？"])        # doctest: +SKIP
    'OpenAI聘请了哪家投行？'
    """
    previous = previous_questions(history)
    if not previous:
        return question
    # jieba's tagger costs ~8 ms per rare character and a history turn is unvalidated input:
    # a question names its topic early, so only its start is read.
    last = previous[-1][:MAX_TURN_CHARS]
    for pattern in _ELLIPSIS:
        m = pattern.match(question)
        if m and len(m.group("topic")) <= MAX_TOPIC_CHARS:
            return _swap_topic(last, m.group("topic").strip())
    if _PRONOUNS.search(question) or len(search_form(question).strip()) <= TOPICLESS_CHARS:
        carried = [e for e in entities(last) if search_form(e) not in search_form(question)]
        if carried:
            return f"{' '.join(carried)} {question}"
    return question


def _swap_topic(previous: str, topic: str) -> str:
    old = entities(previous)
    if not old:
        return f"{topic} {previous}"
    swapped = previous.replace(old[0], "", 1).strip()  # the subject is what the ellipsis replaces
    return f"{topic} {swapped}"
