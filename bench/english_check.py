"""English questions over the two bundled Chinese articles: a small hand-written check.

There are no English development questions for Chinese news, so this is a check, not a
measurement: 8 questions the seed articles answer (with a word the answering sentence must
hold) and 8 they do not. For each, it prints whether the answer abstained, its confidence and
notes, and whether the first quote holds the expected word; then the same without the
dictionary (no Chinese keywords, no names), in the same run. Writes JSON to stdout.

Usage: .venv/bin/python bench/english_check.py
"""
from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.config import Settings  # noqa: E402
from qa.kb import KnowledgeBase  # noqa: E402

ANSWERABLE = [  # question, a word the answering sentence holds ("a|b": either)
    ("why did Microsoft hire Suleyman?", "苏莱曼|Suleyman"),
    ("How much did OpenAI raise in its latest funding round?", "66亿"),
    ("What is OpenAI's valuation?", "1570亿"),
    ("How much money had Microsoft invested in OpenAI?", "130亿|140亿|100亿|10亿"),
    ("How much money is OpenAI expected to lose this year?", "50亿"),
    ("Which bank did Microsoft hire as an adviser?", "摩根士丹利"),
    ("Who is the CEO of Microsoft?", "纳德拉"),
    ("What did Altman ask Nadella?", "投资"),
]
UNANSWERABLE = [
    "How many cars did Tesla sell this year?", "What is the capital of Australia?", "Who won the 2022 World Cup?",
    "What did Apple announce at WWDC?", "How much did Amazon pay for Whole Foods?", "Will it rain in Beijing tomorrow?",
    "What is the price of bitcoin?", "Who is the president of France?",
]


def check(kb: KnowledgeBase) -> dict:
    """Return the summary and per-question rows for every question of the check."""
    rows = []
    for question, expected in [*ANSWERABLE, *((q, None) for q in UNANSWERABLE)]:
        answer = kb.answer(question)
        first = answer.quotes[0].text if answer.quotes else ""
        rows.append({"question": question, "answerable": expected is not None, "abstained": answer.abstained,
                     "confidence": answer.confidence, "notes": list(answer.notes[1:]),
                     "first_quote_holds_answer": None if expected is None else any(
                         word in first for word in expected.split("|")),
                     "first_quote": first[:80]})
    answerable = [r for r in rows if r["answerable"]]
    summary = {"answerable": len(answerable), "answerable_refused": sum(r["abstained"] for r in answerable),
               "answerable_first_quote_right": sum(bool(r["first_quote_holds_answer"]) for r in answerable),
               "unanswerable": len(rows) - len(answerable),
               "unanswerable_refused": sum(r["abstained"] for r in rows if not r["answerable"])}
    return {"summary": summary, "questions": rows}


def main() -> None:
    from unittest import mock

    with tempfile.TemporaryDirectory() as tmp:
        kb = KnowledgeBase(settings=Settings.from_env({}, index_dir=Path(tmp) / "index"))
        kb.build(ROOT / "corpus")
        report = {"with_dictionary": check(kb)}
        with mock.patch("qa.text.translate._glossary", return_value={}):
            report["without_dictionary"] = check(kb)
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
