"""Why-questions: quote the sentences that state a purpose or a cause, from each article.

A why-question is usually worded like the sentence that reports the event ("微软为什么聘请苏莱曼"
→ "微软斥资6.5亿美元聘请了苏莱曼…"), so the ranker prefers that sentence, and the reason sits
next to it or in another outlet's report. So the best sentence is completed only by a next
sentence that states a reason (:func:`completes`), and every other article adds its best reason
sentence about the question's names (:func:`reasons_from_other_articles`): different outlets
often give different reasons, and each is cited.

Purpose comes before cause: a why-question in the news mostly asks for an actor's motive (why
did X hire/invest/sue), and a cause clause (…斥责,因为他认为…) often explains another verb of
its own sentence. Both lexicons are general word lists, not fitted. On the developer sets'
why-questions, letting reason sentences overtake the ranker's best lowered hit@1 (the ranker's
``cue`` feature already weighs them), so the best sentence stays first.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
import numpy as np

from qa.answering.candidates import Candidate
from qa.text import simplified, tokenize
from qa.text.names import mentioned
from qa.text.questions import question_type

# A purpose or motive: the aim of an action, or what it guards against or replaces.
PURPOSE = re.compile(r"为了|旨在|以便|以免|以防|目的|意在|用以|为此|是为|好让|对冲|取代|防备|防范|抗衡|"
                     r"\bin order to\b|\bso that\b|\bso as to\b|\baim(?:s|ed)? to\b|\bintended to\b", re.I)
# A cause: what brought something about.
CAUSE = re.compile(r"因为|由于|源于|出于|鉴于|之所以|原因|因此|所以|因而|导致|致使|\bbecause\b|\bdue to\b", re.I)
# A reason sentence from another article counts only within this cosine of the best candidate
# (dense similarity to the question: one scale for Chinese and English questions alike).
REASON_GAP = 0.05


def is_why(question: str) -> bool:
    """Whether ``question`` asks for a reason (为什么/为何/原因/why)."""
    return question_type(question) == "why"


def tier(text: str) -> int:
    """Return 0 for a sentence stating a purpose, 1 for a cause, 2 for neither."""
    text = simplified(text)  # the lists are simplified; 因為 is 因为
    return 0 if PURPOSE.search(text) else 1 if CAUSE.search(text) else 2


def completes(best: str, after: str) -> bool:
    """Whether the sentence ``after`` completes ``best`` as the answer to a why-question: it
    states a reason and ``best`` (which usually restates the question's event) does not."""
    return tier(best) == 2 and tier(after) < 2


def about(cand: Candidate, names: Sequence[tuple[str, ...]]) -> bool:
    """Whether the sentence, with the sentences around it, mentions every one of ``names`` (each
    in any of its forms, or as the same name in the other script: Suleyman/苏莱曼)."""
    words = set(tokenize(f"{cand.text} {cand.neighbours}"))
    return all(any(mentioned(form, words) for form in forms) for forms in names)


def reasons_from_other_articles(cands: list[Candidate], scores: np.ndarray, dense: np.ndarray,
                                chosen: list[int], limit: int, names: Sequence[tuple[str, ...]] = ()) -> list[int]:
    """Return, for each article that ``chosen`` does not quote a purpose from yet, its best
    reason sentence: about the question's ``names`` (see :func:`about`; a reason about someone
    else answers nothing), close in meaning to the question (dense within ``REASON_GAP`` of the
    best candidate), purpose before cause, then the closest in meaning. An article quoted with a
    cause only can still give its purpose sentence (the cause may explain another verb of its
    own sentence). Articles in the order of their best candidate; at most ``limit``.
    """
    stated: dict[str, int] = {}  # the best tier each article is quoted with already
    for i in chosen:
        stated[cands[i].article_id] = min(stated.get(cands[i].article_id, 2), tier(cands[i].text))
    floor = float(dense.max()) - REASON_GAP
    best: dict[str, tuple[int, float, int]] = {}
    for i in np.argsort(-scores, kind="stable"):
        article, t = cands[i].article_id, tier(cands[i].text)
        if t >= stated.get(article, 2) or dense[i] < floor or not about(cands[i], names):
            continue
        if article not in best or (t, -dense[i]) < best[article][:2]:
            best[article] = (t, -float(dense[i]), int(i))
    return [i for _, _, i in best.values()][:limit]
