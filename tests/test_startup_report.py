"""bench/startup_bench.py's section of docs/benchmarks.md, rendered from a small result file."""
from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import report  # noqa: E402
import run_all  # noqa: E402

STARTUP = {"before": {"commit": "c6cad8c", "search": {"wall_s_median": 12.4, "max_rss_mb": 1800.0},
                      "ask": {"wall_s_median": 13.0, "max_rss_mb": 1850.0}, "app_rss_mb": 2100.0},
           "commands": {"search": {"argv": ["search", "OpenAI 估值", "-k", "1"], "runs": 5, "wall_s_median": 1.6,
                                   "wall_s_max": 1.9, "cpu_s_median": 1.2, "max_rss_mb": 380.0},
                        "ask": {"argv": ["ask", "微软为什么聘请苏莱曼？"], "runs": 5, "wall_s_median": 1.8,
                                "wall_s_max": 2.1, "cpu_s_median": 1.4, "max_rss_mb": 400.0}},
           "app": {"rss_after_warmup_mb": 1500.0}}


def test_startup_section_shows_before_and_after_for_each_command_and_the_app():
    text = report.startup_section(STARTUP)
    assert "| `qa search OpenAI 估值 -k 1` | 12.4 | 1,800 | 1.60 | 1.90 | 1.20 | 380 |" in text
    assert "| `qa ask 微软为什么聘请苏莱曼？` | 13.0 | 1,850 | 1.80 | 2.10 | 1.40 | 400 |" in text
    assert "| app after warm-up (RSS) | – | 2,100 | – | – | – | 1,500 |" in text
    assert "c6cad8c" in text and "5 runs" in text


def test_report_renders_the_startup_section_from_its_file(tmp_path):
    results, static = tmp_path / "results", tmp_path / "static"
    results.mkdir()
    static.mkdir()
    (results / "startup.json").write_text(json.dumps(STARTUP), encoding="utf-8")
    text = report.render(tmp_path / "benchmarks.md", results, static).read_text(encoding="utf-8")
    assert "## Startup: a question in a fresh process" in text


def test_startup_is_a_step_of_the_suite():
    assert [s.name for s in run_all.select(["startup"], [])] == ["startup"]
