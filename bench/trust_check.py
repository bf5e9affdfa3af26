"""Trust questions over the two bundled articles: near-topic questions they do not answer, and ones they do.

A hand-written check, not a measurement. The product must refuse ("not found") a news question
the articles do not answer even when it shares their topic and differs in the one thing asked:
another company (xAI, Anthropic, 谷歌 instead of OpenAI), another quantity (营收 instead of 市值),
another person (孙正义, 马斯克), another year, another attribute of an entity the articles name.
``OUT_OF_CORPUS`` holds such questions, Chinese and English, each checked by reading both
articles in ``corpus/``: neither states the answer. ``ANSWERABLE`` holds questions one sentence of
the articles answers, with a phrase of that sentence ("a|b": either) the first quote must hold;
some look like the out-of-corpus ones (OpenAI's valuation, 微软的市值, Apple's market value).

It builds a KnowledgeBase of ``corpus/`` in a temporary folder, asks every question through
``KnowledgeBase.answer`` and prints JSON: per question whether it abstained, the confidence, the
notes (a refusal's says why), the first quote and (answerable ones) whether it holds the expected phrase; then a
summary: the refused share of OUT_OF_CORPUS (Chinese / English separately), the answered-right
and refused shares of ANSWERABLE, and the lists of failures.

Usage: .venv/bin/python bench/trust_check.py [--out FILE]
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EXAMPLE = """example:
  .venv/bin/python bench/trust_check.py                       # prints the JSON report
  .venv/bin/python bench/trust_check.py --out /tmp/trust.json  # also writes it to a file
"""

sys.path.insert(0, str(ROOT / "tests"))

from trust_questions import ANSWERABLE, OUT_OF_CORPUS  # noqa: E402


def _lang(question: str) -> str:
    """``zh`` when the question has CJK characters, else ``en`` (how the lists above are split)."""
    return "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in question) else "en"


def _share(n: int, d: int) -> float | None:
    return round(n / d, 3) if d else None


def check(kb) -> dict:
    """Ask every question; return the summary, the failures and per-question rows."""
    from qa.answering import english

    rows = []
    for question, expected in [*((q, None) for q in OUT_OF_CORPUS), *ANSWERABLE]:
        answer = kb.answer(question)
        first = answer.quotes[0].text if answer.quotes else ""
        rows.append({"question": question, "language": _lang(question), "answerable": expected is not None,
                     "abstained": answer.abstained, "confidence": answer.confidence,
                     "notes": [n for n in answer.notes if n != english.ENGLISH_NOTE],
                     "expected": expected,
                     "first_quote_holds_answer": None if expected is None else any(
                         word in first for word in expected.split("|")),
                     "first_quote": first})
    out = [r for r in rows if not r["answerable"]]
    ans = [r for r in rows if r["answerable"]]
    summary: dict = {"out_of_corpus": {}, "answerable": {}}
    for lang in ("zh", "en", "all"):
        group = [r for r in out if lang in ("all", r["language"])]
        refused = sum(r["abstained"] for r in group)
        summary["out_of_corpus"][lang] = {
            "questions": len(group), "refused": refused, "refused_share": _share(refused, len(group))}
        group = [r for r in ans if lang in ("all", r["language"])]
        right = sum(bool(r["first_quote_holds_answer"]) and not r["abstained"] for r in group)
        refused = sum(r["abstained"] for r in group)
        summary["answerable"][lang] = {
            "questions": len(group), "answered_right": right, "answered_right_share": _share(right, len(group)),
            "refused": refused, "refused_share": _share(refused, len(group))}
    failures = {
        "out_of_corpus_answered": [{"question": r["question"], "confidence": r["confidence"],
                                    "first_quote": r["first_quote"]}
                                   for r in out if not r["abstained"]],
        "answerable_failed": [{"question": r["question"], "expected": r["expected"], "abstained": r["abstained"],
                               "confidence": r["confidence"], "first_quote": r["first_quote"]}
                              for r in ans if r["abstained"] or not r["first_quote_holds_answer"]]}
    return {"summary": summary, "failures": failures, "questions": rows}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=EXAMPLE,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, help="also write the JSON report to this file")
    args = p.parse_args(argv)

    from qa.config import Settings
    from qa.kb import KnowledgeBase

    with tempfile.TemporaryDirectory(prefix="qa-trust-") as tmp:
        kb = KnowledgeBase(settings=Settings.from_env({}, index_dir=Path(tmp) / "index"))
        kb.build(ROOT / "corpus")
        report = check(kb)
    text = json.dumps(report, ensure_ascii=False, indent=2)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
