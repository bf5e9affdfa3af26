"""Hostile text at scale: 10,000 generated strings through splitter, chunker, retrieve and answer.

Runs the strategies and checks of ``tests/test_hostile_text.py`` (random Unicode with lone
surrogates, control characters, 100,000-character texts, punctuation only, mixed scripts, emoji,
news-like mixtures) with many more examples than the suite, over a hashing-encoder index of the
sample and hostile articles.  Every example either passes its invariants (exact offsets, quotes
that slice back out of their articles) or raises one of the documented ``ValueError``s; anything
else is a crash.  Writes ``bench/results/hostile.json`` (examples and outcomes per target, the
ValueErrors seen grouped by kind with sample messages, crashes, duration) and prints it.
Hostile command lines (``cli``: a folder or deeply nested / huge-number / question-less JSON for
``qa eval``, ``--limit -1``) must end with one ``error:`` line (or argparse's usage error), never a traceback.

Usage: python bench/hostile_bench.py [--examples 10000] [--seed N]
Exit status 1 when there was a crash.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import random
import re
import sys
import tempfile
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import faiss  # noqa: E402
import hypothesis  # noqa: E402
from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests import test_hostile_text as H  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "hostile.json"
# Shares of the examples.  100,000-character texts get targets of their own with a fixed small
# share: chunking one costs 0.1-2 s, so drawn like the other kinds (1 in 8) they would take most
# of the run; tiny parameters (max_chars 1, size 1) are exercised on the shorter kinds instead.
SHARES = {"split": 0.28, "split_100k": 0.015, "chunk": 0.20, "chunk_100k": 0.01, "retrieve": 0.25,
          "answer": 0.20, "filters": 0.045}
# The splitter's and chunker's own documented errors (parameters out of range); the bench draws
# such parameters now and then, the suite does not.
PARAMETER_ERRORS = {
    "bad max_chars": re.compile(r"max_chars must be at least 1, got -?\d+$"),
    "bad size": re.compile(r"size must be at least 1, got -?\d+$"),
    "bad overlap": re.compile(r"overlap must not be negative, got -?\d+$"),
}
SAMPLES_PER_ERROR = 3
MAX_CRASH_SAMPLES = 20

Outcome = tuple[str, str] | None  # (error kind, message) for a documented ValueError, None for a checked result


def tagged(strategy_of: Callable[[st.SearchStrategy[str]], st.SearchStrategy[str]] = lambda s: s,
           kinds: list[str] | None = None) -> st.SearchStrategy[tuple[str, str]]:
    """Return ``(kind, text)`` pairs: a kind of hostile string (of ``kinds``, default all), then a string of it."""
    return st.sampled_from(kinds or sorted(H.KINDS)).flatmap(
        lambda kind: strategy_of(H.KINDS[kind]).map(lambda t: (kind, t)))


def no_surrogates(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Article text never holds lone surrogates (the corpus loader refuses them)."""
    return strategy.map(lambda t: re.sub("[\ud800-\udfff]", "\ufffd", t))


def parameter_error(exc: ValueError) -> tuple[str, str]:
    """Return (kind, message) of a documented splitter/chunker parameter error, else raise."""
    for name, pattern in PARAMETER_ERRORS.items():
        if type(exc) is ValueError and pattern.match(str(exc)):
            return name, str(exc)
    raise AssertionError(f"undocumented {type(exc).__name__}: {exc}")


def split_case(case: dict[str, Any], kb: Any, texts: dict[str, str]) -> Outcome:
    """Split one text; its invariants, or a documented parameter error."""
    try:
        H.check_split(case["text"], case["max_chars"])
    except ValueError as exc:
        return parameter_error(exc)
    return None


def chunk_case(case: dict[str, Any], kb: Any, texts: dict[str, str]) -> Outcome:
    """Chunk one text; its invariants, or a documented parameter error."""
    try:
        H.check_chunks(case["text"], case["size"], case["overlap"], case["max_chars"])
    except ValueError as exc:
        return parameter_error(exc)
    return None


def _documented(call: Callable[[], Any]) -> tuple[Any, Outcome]:
    """Return (result, None), or (None, (kind, message)) for a documented ValueError."""
    try:
        return call(), None
    except ValueError as exc:
        return None, (H.documented(exc), str(exc))


def retrieve_case(case: dict[str, Any], kb: Any, texts: dict[str, str]) -> Outcome:
    """Retrieve for a hostile query; exact passages or a documented error."""
    passages, outcome = _documented(lambda: kb.retrieve(case["text"], case["k"]))
    if outcome is None:
        H.check_passages(passages, texts, case["k"])
    return outcome


def answer_case(case: dict[str, Any], kb: Any, texts: dict[str, str]) -> Outcome:
    """Answer a hostile question after hostile turns; exact quotes or a documented error."""
    answer, outcome = _documented(lambda: kb.answer(case["text"], history=case["history"]))
    if outcome is None:
        assert answer.abstained or answer.quotes
        for q in answer.quotes:
            assert texts[q.article_id][q.start:q.end] == q.text, "quote does not slice back"
        H.check_passages(answer.passages, texts, 5)
    return outcome


def filters_case(case: dict[str, Any], kb: Any, texts: dict[str, str]) -> Outcome:
    """Retrieve with hostile filters; exact passages or a documented error."""
    filters = {key: case[key] for key in ("since", "until", "sources")}
    passages, outcome = _documented(lambda: kb.retrieve("微软为什么聘请苏莱曼？", 5, **filters))
    if outcome is None:
        H.check_passages(passages, texts, 5)
    return outcome


def _cases(target: str) -> st.SearchStrategy[dict[str, Any]]:
    short = [kind for kind in sorted(H.KINDS) if kind != "long_100k"]
    article = tagged(no_surrogates, short)
    long_article = tagged(no_surrogates, ["long_100k"])
    max_chars = st.sampled_from([1, 2, 7, 60, 300, 300, 300, 60, 0, -1])  # 1 in 5 bad
    if target == "split":
        return st.fixed_dictionaries({"kt": article, "max_chars": max_chars})
    if target == "split_100k":
        return st.fixed_dictionaries({"kt": long_article, "max_chars": st.sampled_from([7, 60, 300])})
    if target == "chunk":
        return st.fixed_dictionaries({"kt": article, "size": st.sampled_from([1, 5, 60, 240, 240, 1000, 0]),
                                      "overlap": st.sampled_from([0, 1, 1, 2, -1]), "max_chars": max_chars})
    if target == "chunk_100k":
        return st.fixed_dictionaries({"kt": long_article, "size": st.sampled_from([5, 60, 240, 1000]),
                                      "overlap": st.sampled_from([0, 1, 2]), "max_chars": st.sampled_from([7, 60, 300])})
    if target == "retrieve":
        return st.fixed_dictionaries({"kt": tagged(), "k": H.k_values})
    if target == "answer":
        return st.fixed_dictionaries({"kt": tagged(), "history": st.lists(H.history_text, max_size=2)})
    return st.fixed_dictionaries({
        "kt": tagged(),
        "since": st.one_of(st.none(), H.hostile_text, st.sampled_from(["2024-01-01", "2030-01-01", "2024-02-30"])),
        "until": st.one_of(st.none(), H.hostile_text, st.sampled_from(["2025-12-31", "2000-01-01"])),
        # Lone surrogates in outlet names are a known, reported gap of qa/search/filters.py (see the suite's xfail).
        "sources": st.one_of(st.none(), H.article_text, st.lists(H.article_text, max_size=3)),
    })


BODIES: dict[str, Callable[[dict[str, Any], Any, dict[str, str]], Outcome]] = {
    "split": split_case, "split_100k": split_case, "chunk": chunk_case, "chunk_100k": chunk_case,
    "retrieve": retrieve_case, "answer": answer_case, "filters": filters_case,
}


def _printable(text: str, limit: int = 200) -> str:
    """``text`` cut to ``limit`` characters, lone surrogates and controls escaped (safe for JSON and terminals)."""
    text = text if len(text) <= limit else text[:limit] + f"… ({len(text):,} characters)"
    return "".join(ch if ch.isprintable() and not 0xD800 <= ord(ch) <= 0xDFFF else ascii(ch)[1:-1] for ch in text)


def run_target(target: str, examples: int, kb: Any, texts: dict[str, str], run_seed: int) -> dict[str, Any]:
    """Run ``examples`` generated cases of ``target``; return its counts, errors and crash samples."""
    stats: dict[str, Any] = {"examples": 0, "ok": 0, "kinds": Counter(), "value_errors": defaultdict(list),
                             "crashes": 0, "crash_samples": [],
                             "slowest": {"seconds": 0.0}}
    body = BODIES[target]

    @seed(run_seed)
    @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(case=_cases(target))
    def run(case: dict[str, Any]) -> None:
        kind, text = case.pop("kt")
        case["text"] = text
        stats["examples"] += 1
        stats["kinds"][kind] += 1
        began = time.perf_counter()
        try:
            outcome = body(case, kb, texts)
        except Exception as exc:  # a broken invariant (AssertionError) or an undocumented error: a crash
            stats["crashes"] += 1
            if len(stats["crash_samples"]) < MAX_CRASH_SAMPLES:
                stats["crash_samples"].append({
                    "kind": kind, "error": type(exc).__name__, "message": _printable(str(exc), 300),
                    "input": _printable(text), "where": traceback.format_exc(limit=-3).splitlines()[-4:-1],
                    "args": {k: _printable(repr(v), 120) for k, v in case.items() if k != "text"}})
            return
        finally:
            took = time.perf_counter() - began
            if took > stats["slowest"]["seconds"]:
                stats["slowest"] = {"seconds": round(took, 3), "kind": kind, "input": _printable(text, 120),
                                    "args": {k: _printable(repr(v), 120) for k, v in case.items() if k != "text"}}
        if outcome is None:
            stats["ok"] += 1
        else:
            stats["value_errors"][outcome[0]].append(outcome[1])

    started = time.perf_counter()
    run()
    stats["seconds"] = round(time.perf_counter() - started, 1)
    print(f"{target}: {stats['examples']} examples, {stats['crashes']} crashes, {stats['seconds']} s",
          file=sys.stderr, flush=True)
    stats["kinds"] = dict(sorted(stats["kinds"].items()))
    stats["value_errors"] = {name: {"count": len(msgs), "messages": sorted({_printable(m) for m in msgs})[:SAMPLES_PER_ERROR]}
                             for name, msgs in sorted(stats["value_errors"].items())}
    return stats


# Hostile `qa` command lines: (name, the file's content or None for a folder, extra arguments, exit status).
CLI_CASES = [("folder", None, [], 1), ("nested", "[" * 100_000, [], 1),
             ("huge number", '{"data": [' + "1" * 5000 + "]}", [], 1),
             ("no questions", '{"data": [{"paragraphs": [{"context": "正文。", "qas": []}]}]}', [], 1),
             ("limit -1", "{}", ["--limit", "-1"], 2)]


def run_cli_cases(tmp: Path) -> dict[str, Any]:
    """Run each of :data:`CLI_CASES` through ``qa.ui.cli.main``; a crash is a traceback or another ending."""
    from qa.ui.cli import main as qa_main

    out: dict[str, Any] = {"examples": len(CLI_CASES), "crashes": 0, "messages": {}}
    for name, content, extra, expected in CLI_CASES:
        data = tmp / f"{name.replace(' ', '_')}.json"
        if content is not None:
            data.write_text(content, encoding="utf-8")
        err = io.StringIO()
        try:
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                code = qa_main(["eval", "--data", str(data if content is not None else tmp), "--no-answers", *extra])
        except SystemExit as exc:  # argparse's usage error
            code = exc.code
        except Exception as exc:  # anything escaping main is what a user would see as a traceback
            code, err = None, io.StringIO(f"{type(exc).__name__}: {exc}")
        lines = err.getvalue().strip().splitlines()
        ok = code == expected and bool(lines) and "Traceback" not in err.getvalue() and (
            expected == 2 or (len(lines) == 1 and lines[0].startswith("error: ")))
        out["crashes"] += not ok
        out["messages"][name] = _printable(lines[-1] if lines else "", 200)
    return out


def main(argv: list[str] | None = None) -> int:
    """Run every target, write and print the JSON report; return 1 if anything crashed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=10_000, help="generated strings in all (default 10,000)")
    parser.add_argument("--seed", type=int, default=None, help="hypothesis seed (default: random, recorded)")
    parser.add_argument("--only", choices=sorted(SHARES), action="append", help="run only these targets")
    args = parser.parse_args(argv)
    run_seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    counts = {t: int(round(args.examples * share)) for t, share in SHARES.items()}
    counts["split"] += args.examples - sum(counts.values())
    if args.only:
        counts = {t: n for t, n in counts.items() if t in args.only}
    faiss.omp_set_num_threads(1)  # OpenMP threads cost ~10 ms a search on a busy 2-core machine
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="hostile-bench-") as tmp:
        kb, texts = H.build_hostile_kb(Path(tmp) / "index")
        targets = {t: run_target(t, n, kb, texts, run_seed) for t, n in counts.items()}
        cli_cases = run_cli_cases(Path(tmp))
    crashes = sum(t["crashes"] for t in targets.values()) + cli_cases["crashes"]
    report = {
        "benchmark": "hostile text through splitter, chunker, retrieve and answer",
        "examples": sum(t["examples"] for t in targets.values()),
        "crashes": crashes,
        "value_errors": sum(e["count"] for t in targets.values() for e in t["value_errors"].values()),
        "duration_s": round(time.perf_counter() - started, 1),
        "seed": run_seed,
        "hypothesis": hypothesis.__version__,
        "encoder": "hashing:64",
        "targets": targets,
        "cli": cli_cases,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, ensure_ascii=False, indent=2)
    RESULTS.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
