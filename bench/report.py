"""Render docs/benchmarks.md from bench/results/*.json and the static sections in bench/static/.

Everything in the page comes from those files: the date, machine and command of the latest run
(``run.json``), one section per result file (a missing one is listed under "Not run"), and every
``bench/static/*.md`` except its README, included verbatim in name order at the end.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from benchutil import RESULTS, ROOT, machine  # noqa: E402
from scale_plot import chosen, knob  # noqa: E402

STATIC = BENCH / "static"
OUT = ROOT / "docs" / "benchmarks.md"
PLOT = "scale-latency-memory.png"
EXAMPLE = "example: .venv/bin/python bench/report.py   # after any bench/run_all.py step"


def table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """Return a Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(fmt(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def fmt(value: Any) -> str:
    """Format a cell: floats to 3 significant decimals, None as '–'."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if abs(value) >= 100:
            return f"{value:,.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        return f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def load(name: str, results: Path = RESULTS) -> dict[str, Any] | None:
    """Return ``<results>/<name>`` parsed, or None when missing or unreadable."""
    path = results / name
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def g(d: Any, *keys: str) -> Any:
    """``d[k1][k2]…`` or None."""
    for k in keys:
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return d


def generic(data: Any, depth: int = 0) -> str:
    """A readable rendering of any JSON result (for files without a dedicated section)."""
    if not isinstance(data, dict):
        return f"```json\n{json.dumps(data, ensure_ascii=False, indent=1)[:4000]}\n```"
    scalars = [(k, v) for k, v in data.items() if not isinstance(v, (dict, list))]
    parts = [table(["field", "value"], scalars)] if scalars else []
    for k, v in data.items():
        if isinstance(v, dict) and v and all(isinstance(x, dict) for x in v.values()):
            parts.append(f"**{k}**\n\n" + _rows_table(v))
        elif isinstance(v, dict) and depth < 1:
            parts.append(f"**{k}**\n\n" + generic(v, depth + 1))
        elif isinstance(v, (dict, list)):
            parts.append(f"**{k}**\n\n```json\n{json.dumps(v, ensure_ascii=False)[:2000]}\n```")
    return "\n\n".join(parts)


def _rows_table(rows: dict[str, dict[str, Any]]) -> str:
    """A dict of records as one table: a row per record, a column per scalar field (nested
    fields summarised by their size)."""
    columns: list[str] = []
    for r in rows.values():
        columns += [c for c in r if c not in columns]
    def cell(v: Any) -> Any:
        if isinstance(v, dict):
            return ", ".join(f"{k}: {x['count'] if isinstance(x, dict) and 'count' in x else x}"
                             for k, x in v.items() if not isinstance(x, (list, dict)) or 'count' in x) or "–"
        return len(v) if isinstance(v, list) else v
    return table(["", *columns], [[name, *(cell(r.get(c)) for c in columns)] for name, r in rows.items()])


# ------------------------------------------------------------------ sections
def quality(cmrc: dict | None, drcd: dict | None) -> str:
    sets = [(n, d) for n, d in (("CMRC 2018 trial", cmrc), ("DRCD dev", drcd)) if d]
    rows = []
    for name, d in sets:
        for mode in ("hybrid", "bm25", "dense"):
            r = g(d, "retrieval", mode) or {}
            rows.append([name, mode, r.get("R@1"), r.get("R@5"), r.get("R@10"), r.get("MRR@10")])
    out = ["Passage retrieval (a hit is a passage of the question's own paragraph); hybrid, BM25-only and "
           "dense-only come from the same run.", "",
           table(["set", "mode", "R@1", "R@5", "R@10", "MRR@10"], rows), ""]
    rows = []
    for name, d in sets:
        a = d.get("answers") or {}
        b = a.get("baselines") or {}
        rows.append([name, d.get("questions"), a.get("hit@1"), a.get("hit@3"), b.get("bm25_sentence_hit@1"),
                     b.get("dense_sentence_hit@1"), a.get("abstained_answerable"), a.get("abstained_unanswerable"),
                     a.get("abstained_swapped"), a.get("offsets_exact"), a.get("quote_chars_per_answer")])
    out += ["Answers (a hit: the quote the answer makes for one of the 1 / 3 best ranked sentences, with the "
            "neighbour that completes it, contains a gold answer); baselines: the best single sentence over all "
            "sentences by BM25 or by dense similarity.", "",
            table(["set", "questions", "hit@1", "hit@3", "BM25 sentence hit@1", "dense sentence hit@1",
                   "abstained (answerable)", "abstained (own document removed)", "abstained (one term swapped)",
                   "offsets exact", "characters quoted per answer"], rows),
            "", "Abstention is in-sample here: the answerability models are fitted on these sets; held-out "
            "figures, with the threshold chosen on the held-out curve, are in \"Answer trust\" below.", ""]
    rows = [[name, g(d, "index", "chunks"), g(d, "index", "seconds"), g(d, "retrieval", "latency", "p50_ms"),
             g(d, "retrieval", "latency", "p95_ms"), json.dumps(d.get("settings", {}), ensure_ascii=False)]
            for name, d in sets]
    out += [table(["set", "chunks", "index s", "hybrid p50 ms", "hybrid p95 ms", "settings"], rows), "",
            "Index seconds and latencies here are timed inside `qa eval`, whatever else the machine runs; "
            "\"Latency and incremental adds\" below is the reference."]
    limited = [name for name, d in sets if d.get("questions") and g(d, "answers", "questions") is not None
               and d.get("questions", 0) < {"CMRC 2018 trial": 1002, "DRCD dev": 3524}[name] - 10]
    if limited:
        out += ["", f"Limited runs (first N questions only): {', '.join(limited)}."]
    out += ["", "Data: CMRC 2018 trial (Yiming Cui et al., CC BY-SA 4.0) and DRCD dev (Delta Electronics, "
            "CC BY-SA 3.0), both derived from Wikipedia, read from `../shared/data/` and never copied."]
    return "\n".join(out)


def throughput(index: dict | None, encoder: dict | None) -> str:
    out = []
    t = g(index, "throughput")
    if t:
        out += ["Same texts through the bare encoder and through `KnowledgeBase.add` (chunking, jieba, SQLite, "
                "FAISS included), from `bench/index_bench.py`:", "",
                table(["paragraphs", "sentences", "tokens", "encoder tokens/s", "pipeline tokens/s",
                       "encoder sentences/s", "pipeline sentences/s", "ratio pipeline/encoder"],
                      [[t.get("articles"), t.get("sentences"), t.get("tokens"), t.get("encoder_tokens_per_s"),
                        t.get("pipeline_tokens_per_s"), t.get("encoder_sentences_per_s"),
                        t.get("pipeline_sentences_per_s"), t.get("ratio")]]), ""]
    if encoder:
        out += [f"Faster CPU paths for passage encoding (`bench/encoder_bench.py`): {encoder.get('sentences')} "
                f"CMRC sentences, {fmt(encoder.get('tokens'))} tokens, from {encoder.get('paragraphs')} whole "
                f"paragraphs; quality against the product's vectors and on the {encoder.get('questions')} "
                "questions of those paragraphs (question vectors from the product's query encoder). "
                f"Goal: {fmt(encoder.get('goal_tokens_per_s'))} tokens/s on 2 cores. The load average column "
                "shows how busy the machine was (other jobs share it).", "",
                table(["variant", "backend", "threads", "batch", "tokens/s", "vs product", "cosine min / mean",
                       "paragraph R@1", "sentence hit@1", "top-10 overlap", "load avg"],
                      [[r["name"], r.get("backend"), r.get("threads"), r.get("batch"), r.get("tokens_per_s"),
                        _ratio(r.get("tokens_per_s"), encoder["variants"][0].get("tokens_per_s")),
                        _cos(r.get("cosine_min"), r.get("cosine_mean")), r.get("paragraph_R@1"),
                        r.get("sentence_hit@1"), r.get("top10_overlap"), r.get("load_avg_1m")]
                       if "tokens_per_s" in r else [r["name"], r.get("backend"), "skipped: " + r.get("skipped", "")]
                       + [None] * 8 for r in encoder.get("variants", [])]), ""]
        best = encoder.get("best")
        if best:
            out += [f"Fastest variant within 0.5 point of the product on this sample: **{best['name']}**, "
                    f"{fmt(best['tokens_per_s'])} tokens/s ({fmt(best['speedup_vs_product'])}× the product's path; "
                    f"goal {'met' if best['meets_goal'] else 'not met'}). The sample is too small to resolve 0.5 "
                    "point of recall: adopt a path only after `qa eval` on both developer sets with it.", ""]
        full = encoder.get("full_recall")
        if full:
            name = next(k for k in full if isinstance(full[k], dict) and k != "product")
            out += [f"Dense-only retrieval over the whole set (`{full.get('command', 'encoder_bench.py --full-recall')}`; "
                    f"{fmt(full.get('paragraphs'))} paragraphs, "
                    f"{fmt(full.get('sentences'))} sentences, {fmt(full.get('questions'))} questions of "
                    f"`{Path(full.get('data', '')).name}`), a paragraph scored by its best sentence:", "",
                    table(["passage vectors", "paragraph R@1", "paragraph R@5", "sentence hit@1", "encode s"],
                          [[label, full[label].get("paragraph_R@1"), full[label].get("paragraph_R@5"),
                            full[label].get("sentence_hit@1"), full[label].get("encode_s")]
                           for label in ("product", name)]), ""]
        files = encoder.get("onnx_files_mb")
        if files:
            out += ["ONNX files (cached in `bench/out/onnx/`): " + ", ".join(f"`{k}` {v} MiB" for k, v in files.items()), ""]
    return "\n".join(out).strip()


def _ratio(a: Any, b: Any) -> str | None:
    return f"{a / b:.2f}×" if a and b else None


def _pair(a: Any, b: Any) -> str:
    return f"{fmt(a)} / {fmt(b)}"


def _cos(a: Any, b: Any) -> str:
    return " / ".join("–" if x is None else f"{x:.4f}" for x in (a, b))


def _cos5(value: Any) -> str | None:
    return None if value is None else f"{value:.5f}"


def latency(lat: dict | None, index: dict | None) -> str:
    out = []
    if lat:
        out += [f"Model loaded, {fmt(lat.get('chunks'))} chunks ({fmt(lat.get('sentences'))} sentence vectors; "
                "stub passage vectors, real query encoding), from `bench/latency_bench.py`:", "",
                table(["what", "p50 ms", "p95 ms"],
                      [["kb.retrieve (hybrid)", g(lat, "retrieve", "p50_ms"), g(lat, "retrieve", "p95_ms")],
                       ["kb.answer beyond retrieval", g(lat, "answer_beyond_retrieval", "p50_ms"),
                        g(lat, "answer_beyond_retrieval", "p95_ms")],
                       ["query encoding (mean)", lat.get("query_encoding_mean_ms"), None]]), ""]
        engines = lat.get("question_engines")
        if engines:
            out += ["One question at a time through each engine that runs the bundled weights (the product "
                    "uses ONNX Runtime fp32 on 2 threads; onnx-int8 is the optional backend), same run:", "",
                    table(["engine", "p50 ms", "mean ms", "cosine to torch (min)"],
                          [[name, e.get("p50_ms"), e.get("mean_ms"), _cos5(e.get("cosine_to_torch_min"))]
                           for name, e in engines.items()]), ""]
    s = g(index, "scale")
    if s:
        out += [f"Adding one article to an index of {fmt(s.get('chunks'))} chunks (`bench/index_bench.py`):", "",
                table(["build s", "add one article s", "its encoding s", "beyond encoding s",
                       "next query incl. reader refresh s"],
                      [[s.get("build_s"), s.get("add_one_article_s"), s.get("its_encoding_s"),
                        s.get("beyond_encoding_s"), s.get("next_query_incl_reader_refresh_s")]])]
    return "\n".join(out).strip()


def scale(sc: dict) -> str:
    sizes = sc.get("sizes", [])
    out = [f"![query latency and memory against corpus size]({PLOT})", "",
           "Dense search alone (FAISS), single queries as the product issues them, on synthetic clustered "
           "384-d vectors (one per sentence: chunks × measured sentences per chunk), queries = perturbed stored "
           "vectors; recall@10 of the approximate index against exact (flat) search. Latency with FAISS's default "
           "OpenMP threads and with 1 thread. From `bench/scale_bench.py`.", ""]
    rows = []
    for s in sizes:
        v = s["vectors"]
        f, a = v["flat"], v["approx"]
        rows.append([s["chunks"], v["vectors"], "Flat", None, f["disk_mb"], f["rss_loaded_mb"],
                     _pair(g(f, "latency", "p50_ms"), g(f, "latency", "p95_ms")),
                     _pair(g(f, "latency_1_thread", "p50_ms"), g(f, "latency_1_thread", "p95_ms")),
                     1.0, f.get("build_s"), f.get("add_one_article_ms"), f.get("snapshot_write_s")])
        for label, idx in (("approx", a), ("hnsw", v.get("hnsw"))):
            if not idx:
                continue
            p = chosen(idx)
            rows.append([s["chunks"], v["vectors"], idx["factory"], knob(p), idx["disk_mb"], idx["rss_loaded_mb"],
                         _pair(g(p, "latency", "p50_ms"), g(p, "latency", "p95_ms")),
                         _pair(g(p, "latency_1_thread", "p50_ms"), g(p, "latency_1_thread", "p95_ms")),
                         p["recall@10"], idx.get("build_s"), idx.get("add_one_article_ms"), idx.get("snapshot_write_s")])
    out += [table(["chunks", "vectors", "index", "setting", "disk MiB", "RAM MiB", "p50 / p95 ms",
                   "p50 / p95 ms, 1 thread", "recall@10", "build s", "add 1 article ms", "snapshot write s"], rows), "",
            "Setting: the cheapest nprobe/efSearch reaching recall@10 ≥ 0.95 (all settings are in "
            "`bench/results/scale.json`).", ""]
    rows = []
    for s in sizes:
        pr = s.get("product")
        if not pr:
            continue
        if pr.get("extrapolated"):
            rows.append([s["chunks"], "extrapolated from " + fmt(pr.get("from_chunks")), pr.get("disk_mb_flat"),
                         pr.get("sqlite_mb"), None, None, None, None])
        else:
            rows.append([s["chunks"], f"built ({fmt(pr.get('build_s'))} s)", pr.get("disk_mb"), pr.get("sqlite_mb"),
                         g(pr, "memory", "rss_index_mb"),
                         _pair(g(pr, "retrieve_hybrid", "p50_ms"), g(pr, "retrieve_hybrid", "p95_ms")),
                         pr.get("add_one_article_s"), pr.get("vectors_per_chunk")])
    if rows:
        out += ["The whole index folder through the product (`KnowledgeBase`, stub random passage vectors; "
                "SQLite holds text, FTS5, LSH bands and the vectors again; memory = RSS growth of a fresh "
                "process opening it and answering one query):", "",
                table(["chunks", "how", "folder MiB (Flat)", "SQLite MiB", "RAM MiB", "hybrid retrieve p50 / p95 ms",
                       "add 1 article s", "vectors per chunk"], rows), ""]
    out += ["What these numbers mean for one machine and beyond: [`docs/scaling.md`](scaling.md)."]
    return "\n".join(out)


def english_section(en: dict) -> str:
    rows = [[label, g(en, key, "summary", "answerable_first_quote_right"), g(en, key, "summary", "answerable_refused"),
             g(en, key, "summary", "unanswerable_refused")]
            for label, key in (("with the CC-CEDICT keywords and names (the product)", "with_dictionary"),
                               ("encoder only", "without_dictionary"))]
    n, m = g(en, "with_dictionary", "summary", "answerable"), g(en, "with_dictionary", "summary", "unanswerable")
    return "\n".join([f"`bench/english_check.py`: {fmt(n)} English questions the two seed articles answer and "
                      f"{fmt(m)} they do not, same run. Too few to measure; a check that the English path "
                      "refuses what the articles never mention and still answers the rest.", "",
                      table(["English path", f"first quote answers (of {fmt(n)})", f"answerable refused (of {fmt(n)})",
                             f"unanswerable refused (of {fmt(m)})"], rows)])


def faults_section(fa: dict) -> str:
    """Faults (``bench/fault_bench.py``): one line per part (kill -9, ENOSPC), then every figure of the file."""
    rows = []
    if "opened_ok" in fa:  # the kill -9 part's figures sit at the top level of faults.json
        rows.append(["kill -9 a writer at a random point", fa.get("runs"), fa.get("articles_lost"), "–",
                     fa.get("orphans"), f"state before: {fmt(fa.get('state_before'))}, after: "
                     f"{fmt(fa.get('state_after'))}, neither: {fmt(fa.get('neither'))}", fa.get("ok")])
    en = fa.get("enospc")
    if isinstance(en, dict) and en.get("skipped"):
        rows.append(["an update on a full disk (ENOSPC)", "skipped", None, None, None, en["skipped"], None])
    elif isinstance(en, dict):
        kinds = ", ".join(f"{k}: {fmt(v)}" for k, v in (en.get("failure_kinds") or {}).items())
        rows.append(["an update on a full disk (ENOSPC)", en.get("runs"), en.get("articles_lost"),
                     en.get("out_of_step_runs"), en.get("orphans"),
                     f"succeeded: {fmt(en.get('succeeded'))}; errors: {kinds or '–'}", en.get("ok")])
    head = table(["fault", "runs", "articles lost", "runs out of step", "orphans", "outcomes", "all checks passed"],
                 rows) if rows else ""
    return "\n\n".join(part for part in (head, generic(fa)) if part)


def load_section(ld: dict) -> str:
    rows = []
    think = g(ld, "readers", "think_s") or []
    readers = f"readers: {fmt(think[0])}–{fmt(think[1])} s between questions" if len(think) == 2 else "readers"
    for phase, label in (("readers", readers), ("idle", "chat only, back to back"),
                         ("indexing", "back to back while `qa index add` runs")):
        r = ld.get(phase)
        if r:
            rows.append([label, r.get("sessions"), r.get("seconds"), r.get("requests"), r.get("errors"),
                         r.get("requests_per_s"), g(r, "latency", "p50_ms"), g(r, "latency", "p95_ms"),
                         g(r, "latency", "max_ms"), r.get("app_rss_peak_mb"), r.get("app_cpu_ms_per_answer"),
                         r.get("clients_cpu_ms_per_answer")])
    job = g(ld, "indexing", "job") or {}
    client = {"http": "Gradio's HTTP API from one connection pool (`bench/load_client.py`)",
              "gradio": "its own gradio_client"}.get(ld.get("client", "gradio"), ld.get("client"))
    out = [f"Concurrent chat sessions against the real app (`app.py` on 127.0.0.1, model: {ld.get('model')}), "
           f"each with its own session and history through {client}, a mix of Chinese and English questions "
           "and follow-ups through `/ask`; latency includes waiting in the app's queue (4 answers at a time); "
           "the load generator runs on the same 2 cores. From `bench/load_bench.py`.", "",
           table(["phase", "sessions", "s", "requests", "errors", "req/s", "p50 ms", "p95 ms", "max ms",
                  "app RSS peak MiB", "app CPU ms/answer", "client CPU ms/answer"], rows)]
    if job:
        out += ["", f"Indexing job: {fmt(job.get('batches_done'))} batches of {fmt(job.get('batch_articles'))} "
                f"articles added ({fmt(job.get('articles_added'))} articles; batch times "
                f"{', '.join(fmt(x) for x in job.get('batch_seconds', []))} s; failures: {len(job.get('failures', []))})."]
    samples = [e for p in ("readers", "idle", "indexing") for e in (g(ld, p, "error_samples") or [])]
    if samples:
        out += ["", "Error samples: " + "; ".join(f"`{fmt(e)}`" for e in samples[:5])]
    return "\n".join(out)


def startup_section(st: dict) -> str:
    """Cold start of the question commands and the app's memory, this code against the ``before`` commit."""
    before, after = st.get("before") or {}, st.get("commands") or {}
    rows = []
    for name in ("search", "ask", "ask_en"):
        b, a = before.get(name) or {}, after.get(name) or {}
        rows.append([f"`qa {' '.join(a.get('argv') or [name])}`", b.get("wall_s_median"), b.get("max_rss_mb"),
                     a.get("wall_s_median"), a.get("wall_s_max"), a.get("cpu_s_median"), a.get("max_rss_mb")])
    rows.append(["app after warm-up (RSS)", None, before.get("app_rss_mb"), None, None, None,
                 g(st, "app", "rss_after_warmup_mb")])
    runs = g(st, "commands", "search", "runs")
    return "\n".join([
        f"Fresh processes on a built index of `corpus/` ({fmt(runs)} runs each after one unmeasured run; wall "
        f"clock, user+system CPU and max RSS of each child from `os.wait4`), `bench/startup_bench.py`. Before: "
        f"commit {before.get('commit')}, where every question loaded torch, sentence-transformers and a second "
        "tokenizer; now questions go through ONNX Runtime with the word-embedding table memory-mapped and the "
        "tokenizer's vocabulary binary-searched (`qa.embedding.questions`). Goal: ≤ 2 s wall, ≤ 500 MB.", "",
        table(["command", "before s (median)", "before MiB", "after s (median)", "after s (max)", "after CPU s",
               "after MiB"], rows)])


SECTIONS: list[tuple[str, list[str], Callable[..., str]]] = [
    ("Quality", ["eval_cmrc.json", "eval_drcd.json"], quality),
    ("Encoding throughput", ["index.json", "encoder.json"], throughput),
    ("Latency and incremental adds", ["latency.json", "index.json"], latency),
    ("Scale: 10k to 1M chunks", ["scale.json"], scale),
    ("Load: concurrent chat sessions", ["load.json"], load_section),
    ("Startup: a question in a fresh process", ["startup.json"], startup_section),
    ("English questions (a hand-written check)", ["english.json"], english_section),
    ("Faults", ["faults.json"], faults_section),
]
GENERIC = [("Hostile input", "hostile.json"),
           ("Upload during a 300-article add", "upload_during_add.json")]


def header(run: dict[str, Any]) -> str:
    m = run.get("machine") or machine()
    date = run.get("date") or dt.datetime.now().astimezone().isoformat(timespec="seconds")
    lines = ["# Benchmarks", "",
             "Generated by `bench/report.py` from `bench/results/*.json` and `bench/static/*.md`; do not edit by hand.",
             "", table(["", ""], [
                 ["date of the latest run", date],
                 ["machine", f"{m.get('cores')} cores ({m.get('cpu')}), {m.get('memory_gib')} GiB RAM, CPU only, "
                             f"Python {m.get('python')}"],
                 ["load average when it started", m.get("load_avg_1m")],
                 ["command", f"`{run.get('command', 'make bench')}`"]])]
    steps = run.get("steps") or {}
    reduced = [name for name, s in steps.items() if s.get("reduced") or "--quick" in s.get("command", "")
               or "--limit" in s.get("command", "")]
    if reduced:
        lines += ["", f"**Reduced runs** (smaller sizes or fewer questions than `make bench`, see the commands "
                  f"below): {', '.join(reduced)}. Their figures are not the full-size ones."]
    lines += ["", "The machine is shared with other jobs; the load average above and in the encoder table says "
              "how busy it was. Wall-clock figures are from that machine as it was."]
    if steps:
        lines += ["", "## Steps", "",
                  table(["step", "status", "seconds", "finished", "command"],
                        [[name, s.get("status"), s.get("seconds"), (s.get("finished") or "")[:19].replace("T", " "),
                          f"`{s['command']}`" if s.get("command") else s.get("reason")] for name, s in steps.items()]),
                  "", f"Total of this run: {fmt(run.get('total_seconds'))} s. Logs: `bench/out/logs/`. "
                  "Run one step again: `.venv/bin/python bench/run_all.py --only NAME`."]
    return "\n".join(lines)


def render(out: Path = OUT, results: Path = RESULTS, static: Path = STATIC) -> Path:
    """Write the report built from ``results`` and ``static`` to ``out``; return its path."""
    run = load("run.json", results) or {}
    parts = [header(run)]
    missing = []
    for title, files, fn in SECTIONS:
        data = [load(f, results) for f in files]
        if not any(data):
            missing.append(f"{title} (`{'`, `'.join(files)}`)")
            continue
        parts.append(f"## {title}\n\n{fn(*data)}")
    for title, f in GENERIC:
        data = load(f, results)
        if data is None:
            missing.append(f"{title} (`{f}`)")
        else:
            parts.append(f"## {title}\n\n{generic(data)}")
    if missing:
        parts.append("## Not run\n\nNo result file yet for: " + "; ".join(missing) + ".")
    for path in sorted(static.glob("*.md")):
        if path.name.lower() != "readme.md":
            parts.append(path.read_text(encoding="utf-8").strip())
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    return out


def main() -> None:
    """Render the report."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=EXAMPLE)
    p.add_argument("--out", type=Path, default=OUT)
    args = p.parse_args()
    print(render(args.out))


if __name__ == "__main__":
    main()
