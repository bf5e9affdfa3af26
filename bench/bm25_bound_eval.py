"""What the two-pass keyword search for frequent terms (``qa/index/fts.py``) costs in recall, on CMRC.

The two passes start only past ``fts.FREQUENT_DOCS`` (5,000) chunks per term, which CMRC 2018
trial (827 chunks) never reaches. To see their recall cost this script lowers the threshold to the
same *share* of the index that 5,000 is of a large index: 5,000 of 1M chunks is 0.5 %, of 100k 5 %.
One index of the CMRC paragraphs is built with the real encoder; every question is then asked at
each threshold, BM25 alone and hybrid (the product's retrieval), with the same question vectors.
"Off" is the one-pass search every index used before.

Writes ``bench/results/bm25_bound.json``.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from benchutil import DEV_SETS, RESULTS, machine, write_json  # noqa: E402

EXAMPLE = """example:
  .venv/bin/python bench/bm25_bound_eval.py                          # CMRC 2018 trial, shares off/5%/2%/0.5%
  .venv/bin/python bench/bm25_bound_eval.py --data ../shared/data/drcd_dev.json --limit 500 --out /tmp/b.json
"""


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=EXAMPLE,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, default=DEV_SETS[0])
    p.add_argument("--limit", type=int, help="first N questions only")
    p.add_argument("--shares", default="0.05,0.02,0.005",
                   help="frequent-term thresholds as shares of the index's chunks (comma-separated)")
    p.add_argument("--out", type=Path, default=RESULTS / "bm25_bound.json")
    args = p.parse_args(argv)

    from qa.config import Settings
    from qa.eval import retrieval
    from qa.index import fts
    from qa.kb import KnowledgeBase

    articles, questions = retrieval.load_squad(args.data)
    questions = questions[: args.limit] if args.limit else questions
    report = {"machine": machine(), "data": str(args.data), "questions": len(questions), "runs": []}
    with tempfile.TemporaryDirectory(prefix="qa-bm25-bound-") as tmp:
        kb = KnowledgeBase(Path(tmp) / "index", settings=Settings.from_env({}))
        t0 = time.perf_counter()
        chunks = kb.add(articles).chunks_added
        report["index"] = {"chunks": chunks, "seconds": round(time.perf_counter() - t0, 1)}
        qvecs = retrieval.query_vectors(kb, questions)
        default = fts.FREQUENT_DOCS
        for share in [None, *(float(s) for s in args.shares.split(","))]:
            fts.FREQUENT_DOCS = 10**12 if share is None else max(1, int(share * chunks))
            result = retrieval._eval_retrieval(kb, questions, qvecs, lambda: None)
            run = {"share": share, "frequent_docs": None if share is None else fts.FREQUENT_DOCS,
                   **{mode: result[mode] for mode in ("bm25", "hybrid")}, "latency": result.get("latency")}
            report["runs"].append(run)
            print(f"share {share}: bm25 R@1 {run['bm25']['R@1']} R@5 {run['bm25']['R@5']}, "
                  f"hybrid R@1 {run['hybrid']['R@1']} R@5 {run['hybrid']['R@5']}", file=sys.stderr, flush=True)
        fts.FREQUENT_DOCS = default
    write_json(args.out, report)


if __name__ == "__main__":
    main()
