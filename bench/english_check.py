"""English questions over the two bundled Chinese articles: a small hand-written check.

There are no English development questions for Chinese news, so this is a check, not a
measurement: 23 questions the seed articles answer (each with a phrase of the sentence that
answers it) and 8 they do not. For each, it prints whether the answer abstained, its confidence and
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

ANSWERABLE = [  # question, a phrase of the sentence that answers it ("a|b": either)
    ("why did Microsoft hire Suleyman?", "取代 OpenAI 技术|与当时OpenAI最先进的大模型GPT-4竞争|对冲对 OpenAI"),
    ("Who is the CEO of Microsoft?", "微软董事长兼CEO纳德拉|微软首席执行官萨蒂亚・纳德拉"),
    ("Who led OpenAI's latest funding round?", "Thrive Capital 领投"),
    ("Which company led the $6.6 billion funding round?", "Thrive Capital 领投"),
    ("When did Altman and Nadella first meet?", "2018年7月的一次偶然相遇"),
    ("When did Microsoft overtake Apple as the most valuable listed company?", "2024年1月12日,微软超越苹果"),
    ("Where did Nadella and Altman first meet?", "太阳谷"),
    ("Where is OpenAI's office where Microsoft engineers work?", "位于旧金山的办公室"),
    ("How much did OpenAI raise in its latest funding round?", "66亿美元"),
    ("What is OpenAI's valuation?", "估值达到1570亿美元"),
    ("How much money is OpenAI expected to lose this year?", "亏损50亿美元"),
    ("How much did Microsoft pay for Inflection?", "微软支付了至少6.5亿美元"),
    ("How much will OpenAI spend on computing by the end of 2024?", "计算成本上花费54亿美元"),
    ("How much is OpenAI's contract with Oracle worth?", "约100亿美元的计算合同"),
    ("How many weekly active users does ChatGPT have?", "超过5亿周活跃用户"),
    ("Which bank did Microsoft hire as an adviser?", "微软已聘请摩根士丹利"),
    ("Which bank is advising OpenAI?", "聘请了高盛"),
    ("How much did Microsoft invest in OpenAI in 2023?", "微软又投资100亿美元"),
    ("Why did OpenAI want to renegotiate its deal with Microsoft?", "以帮助它获得更多的计算能力|一再尝试谈判从而降低成本"),
    ("Who founded OpenAI with Altman in 2015?", "埃隆・马斯克(Elon Musk)"),
    ("Why did Apple pull out of the funding round?", "高层动荡,苹果在最后时刻选择退出"),
    ("How much could OpenAI's annual computing costs reach by 2029?", "飙升至375亿美元"),
    ("What did Altman ask Nadella?", "是否会向这家初创公司投资数十亿美元"),
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
        with mock.patch("qa.text.translate._glossary", return_value={}), \
                mock.patch("qa.text.translate.cedict", return_value={}), \
                mock.patch("qa.text.phonetic.glossary", return_value={}):
            report["without_dictionary"] = check(kb)
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
