"""How soon is an upload answerable while a large ``qa index add`` runs? (issue #17, finding 6)

Indexes the bundled corpus with the real model into a temporary folder (``QA_INDEX_DIR``), starts
``qa index add`` of N generated articles (CMRC 2018 trial paragraphs, then DRCD dev ones, read from
``../shared/data/`` and written to the temporary folder, never into the project)
as a subprocess, and after ``--delay`` seconds (the subprocess is then loading the model or
embedding) adds one new article the way an upload does (the file saved, then ``KnowledgeBase.add``
of what :func:`qa.ingest.corpus.load_file` reads from it). It measures the seconds from the
upload until ``kb.retrieve`` finds the article first, and whether the large add was still running
then. The target is 5 s. Writes ``bench/results/upload_during_add.json``.

Usage: .venv/bin/python bench/upload_during_add_bench.py [--articles 300] [--delay 15]
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from benchutil import DATA, RESULTS, ROOT, machine, write_json  # noqa: E402

TARGET_S = 5.0
UPLOAD = ("---\nid: upload-race\ntitle: 青藏高原新建天文台\nsource: 测试社\ndate: 2025-05-02\n---\n"
          "青藏高原上新建的冷湖天文台今天启用了一台口径两米的望远镜。\n"
          "天文台负责人说，那里晴夜多、空气稀薄，适合观测暗弱天体。\n")
QUESTION = "冷湖天文台的望远镜口径多大？"


def _generated(n: int, folder: Path) -> Path:
    """Write ``n`` CMRC paragraphs as one JSONL file under ``folder``; return its path."""
    rows = [{"id": f"gen-{p['id']}", "title": doc["title"], "text": p["context"], "source": name}
            for name in ("cmrc2018_trial.json", "drcd_dev.json")  # CMRC trial has 256 paragraphs: DRCD tops up
            for doc in json.loads((DATA / name).read_text(encoding="utf-8"))["data"] for p in doc["paragraphs"]][:n]
    path = folder / "generated.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def _found(kb: Any) -> bool:
    passages = kb.retrieve(QUESTION, 1)
    return bool(passages) and passages[0].article_id == "upload-race"


def run(n: int, delay: float) -> dict[str, Any]:
    from qa.ingest.corpus import load_file
    from qa.kb import KnowledgeBase

    with tempfile.TemporaryDirectory(prefix="upload-bench-") as tmp:
        tmp_path = Path(tmp)
        env = {**os.environ, "QA_INDEX_DIR": str(tmp_path / "index")}
        os.environ["QA_INDEX_DIR"] = env["QA_INDEX_DIR"]
        kb = KnowledgeBase()
        kb.build(ROOT / "corpus")
        batch = _generated(n, tmp_path)
        started = time.perf_counter()
        job = subprocess.Popen([sys.executable, "-m", "qa.ui.cli", "index", "add", str(batch)], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        corpus = tmp_path / "corpus"
        corpus.mkdir()
        upload = corpus / "upload-race.md"
        t0 = time.perf_counter()
        upload.write_text(UPLOAD, encoding="utf-8")
        kb.add(load_file(upload, corpus))
        added_s = time.perf_counter() - t0
        while not _found(kb):
            time.sleep(0.2)
        answerable_s = time.perf_counter() - t0
        add_running = job.poll() is None
        out, err = job.communicate()
        total_s = time.perf_counter() - started
        return {"machine": machine(), "articles": n, "delay_s": delay, "target_s": TARGET_S,
                "upload_added_s": round(added_s, 2), "upload_answerable_s": round(answerable_s, 2),
                "large_add_still_running": add_running, "large_add_total_s": round(total_s, 1),
                "large_add_exit": job.returncode, "large_add_summary": out.strip().splitlines()[-1:] or err[-300:],
                "within_target": answerable_s <= TARGET_S and add_running}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--delay", type=float, default=15.0, help="seconds between starting the add and the upload")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    report = run(args.articles, args.delay)
    write_json(RESULTS / "upload_during_add.json", report)
    print(f"upload answerable {report['upload_answerable_s']} s after upload (target {TARGET_S} s); "
          f"large add still running then: {report['large_add_still_running']}; "
          f"large add took {report['large_add_total_s']} s")


if __name__ == "__main__":
    main()
