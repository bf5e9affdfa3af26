"""English questions: the time the English path adds to an answer and to retrieval, at ~10k chunks.

Issue #15 asks that "the English path adds ≤ 10 ms p50 at 10k chunks". This benchmark measures
that figure; it asserts nothing (latency on a shared 2-core VM is not a test).

The index (folder backend, built through ``qa.kb.KnowledgeBase.add`` in a temporary folder):
all 120 paragraphs of XQuAD en→zh dev (``/work/shared/data/xquad_en_zh_dev.json``, read with
``qa.eval.retrieval.load_squad``, never copied into the project), then real CMRC 2018 trial and
DRCD dev paragraphs as articles, then, to reach ``--chunks``, articles recombined from CMRC/DRCD
sentences by ``bench/index_bench.py``'s ``synthetic_articles`` (as ``bench/scale_bench.py`` and
``bench/latency_bench.py`` build their 10k indexes). The chunk count reached is read back from
``kb.status()``.

Vectors (``--vectors``). This measures latency, not quality, so the filler's vectors come from
``index_bench``'s stub ``RandomEncoder`` (random unit vectors per text: building 10k chunks with
the model would take most of an hour on 2 cores); the dense side costs the same (flat FAISS search
over every sentence vector) whatever the vectors hold. By default ("mixed") the 598 sentences of
the XQuAD paragraphs and every question get real e5-small vectors from the product's torch-free
ONNX question engine (``qa.embedding.questions``, the one ``qa ask`` uses for the bundled model,
found in the cache folder), so that the dense side finds the question's paragraph and the
sentence ranker and the answerability model read meaningful similarities. With "stub" every
vector is random: Chinese answers then almost all abstain (the answerability model reads dense
similarity) and skip composing a quote, while English ones are never refused on confidence,
which tilts the comparison against English (at 2,000 chunks 602 of 612 Chinese answers abstained).

The questions: every XQuAD question (632), asked in English (field ``question``) and in Chinese
(``question_zh``, the same question). Each is first encoded one at a time by the real engine,
English and Chinese alternating: that is the encoder timing, reported separately. Those vectors
(with ``--vectors stub``, the stub's) are then passed in as ``query_vector``, so encoding is
excluded from the answer and retrieval figures. The first ``--warmup`` questions (both languages,
both calls) are a warm-up (the CC-CEDICT glossary loads at the first English question) and are not
counted. Then, question by question, English and Chinese calls alternate, the language going
first alternating too (en, zh / zh, en / …), so that noise from the other jobs on the VM hits
both alike:

* answer: ``kb.answer_with_ranking(text, query_vector=v)``, the body of ``kb.answer`` (which
  takes no vector): the whole answer path, i.e. retrieval of 10 passages, sentence ranking,
  answerability, and for English the dictionary keywords, the cross-lingual order and the
  unmentioned-names check;
* retrieve: ``kb.retrieve(text, 5, query_vector=v)`` alone, on a second ``KnowledgeBase`` opened
  on the same folder, so that the answer calls' per-connection term-count cache does not warm it
  (jieba's block cache is process-wide and is shared).

Reported (printed and written to ``--json``): p50/p95/mean ms of answer and retrieve per language,
the English − Chinese difference of the p50s, the median (and p95, mean) of the per-question paired
differences, the number of questions, the index's chunk count, the load average before the build,
before and after the timed part (and every 100 questions), the encoder timing, and how many
answers abstained. ``--profile N`` then profiles N English and N Chinese answers with cProfile on
a fresh ``KnowledgeBase`` (top 15 functions by cumulative time).
"""
from __future__ import annotations

import argparse
import cProfile
import dataclasses
import datetime as dt
import io
import json
import os
import hashlib
import pstats
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from benchutil import DATA, DEV_SETS, RESULTS, machine, pct, write_json  # noqa: E402
from index_bench import RandomEncoder, synthetic_articles  # noqa: E402

XQUAD = DATA / "xquad_en_zh_dev.json"
LANGS = ("en", "zh")
FIELDS = {"en": "question", "zh": "question_zh"}
EXAMPLE = """example:
  .venv/bin/python bench/english_overhead.py --chunks 2000 --json /tmp/english_overhead.json   # a quick check
  .venv/bin/python bench/english_overhead.py            # 10k chunks, bench/results/english_overhead.json
"""


class MixedEncoder(RandomEncoder):
    """The stub encoder, with real vectors from ``engine`` for questions and, while
    ``real_passages`` is set (the XQuAD paragraphs are being added), for passages."""

    def __init__(self, engine: Any):
        self.engine = engine
        self.real_passages = False

    def passages(self, texts, *, progress=False):
        return self.engine.passages(texts) if self.real_passages else super().passages(texts, progress=progress)

    def queries(self, texts):
        return self.engine.queries(texts)


def code_state() -> dict[str, Any]:
    """Return what code is measured: the commit, the uncommitted files under qa/ (read-only git
    commands; None outside a checkout) and a digest of every qa/*.py as it is on disk."""
    root = BENCH.parent
    digest = hashlib.blake2b(digest_size=8)
    for path in sorted((root / "qa").rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())

    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(["git", "--no-optional-locks", *args], cwd=root, capture_output=True, text=True,
                                 timeout=30)
        except OSError:
            return None
        return out.stdout.rstrip() if out.returncode == 0 else None

    status = git("status", "--porcelain", "--", "qa")
    return {"commit": (git("rev-parse", "--short", "HEAD") or "").strip() or None, "qa_digest": digest.hexdigest(),
            "qa_uncommitted": None if status is None else [line[3:] for line in status.splitlines()]}


def load_avg() -> list[float]:
    """Return the 1, 5 and 15 minute load averages (empty where the OS has none)."""
    return [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else []


def question_engine() -> tuple[Any, str]:
    """Return the product's torch-free question engine for the bundled model (as ``qa ask`` uses it)
    and its description, or ``(None, reason)`` when its files are not in the cache folder."""
    from qa.config import Settings
    from qa.embedding import questions

    folder = Settings.from_env().cache_dir / "onnx"
    for sidecar in sorted(folder.glob(f"e5-*-questions-v{questions.FORMAT}.json")):
        engine = questions.load(folder, sidecar.name.split("-")[1])
        if engine is not None:
            threads = questions.QUESTION_THREADS
            return engine, f"qa.embedding.questions engine {engine.fingerprint} (ONNX fp32, {threads} threads)"
    return None, f"no question engine files in {folder} (run `qa ask 测试` once over a real index)"


def build_index(kb: Any, target: int, batch: int) -> dict[str, Any]:
    """Add XQuAD's paragraphs, real CMRC/DRCD paragraphs and recombined CMRC/DRCD articles to ``kb``
    until about ``target`` chunks; return what was added and the chunk count reached."""
    from qa.eval.retrieval import load_squad
    from qa.text.chunking import chunk_article

    s = kb.settings

    def chunks_of(article: Any) -> int:
        return len(chunk_article(article, size=s.chunk_size, overlap=s.chunk_overlap,
                                 max_sentence_chars=s.max_sentence_chars))

    t0 = time.perf_counter()
    xquad = load_squad(XQUAD)[0]
    mixed = isinstance(kb.encoder, MixedEncoder)
    if mixed:
        kb.encoder.real_passages = True
    kb.add(xquad)
    if mixed:
        kb.encoder.real_passages = False
    xquad_s = time.perf_counter() - t0
    planned = sum(map(chunks_of, xquad))
    real = []
    for path, prefix in zip(DEV_SETS, ("cmrc", "drcd")):
        for a in load_squad(path)[0]:  # paragraph ids repeat across the sets (d0p0…): prefix them
            n = chunks_of(a)
            if planned + n > target:
                break
            real.append(dataclasses.replace(a, id=f"{prefix}-{a.id}", source=prefix.upper()))
            planned += n
    for i in range(0, len(real), batch):
        kb.add(real[i:i + batch])
    synthetic = 0
    if target > planned:
        for articles in synthetic_articles(list(DEV_SETS), target - planned, batch_size=batch):
            kb.add(articles)
            synthetic += len(articles)
    status = kb.status()
    return {"chunks_target": target, "chunks": status.chunks, "articles": len(kb), "sentences": status.sentences,
            "vectors": status.vectors, "xquad_paragraphs": len(xquad), "real_filler_paragraphs": len(real),
            "recombined_articles": synthetic, "xquad_add_s": round(xquad_s, 1),
            "build_s": round(time.perf_counter() - t0, 1)}


def interleaved(calls: dict[str, Callable[[int], Any]], start: int, stop: int) -> dict[str, list[float]]:
    """Time ``calls[lang](i)`` for questions ``start..stop-1``, languages alternating (and which goes
    first alternating per question: en, zh / zh, en / …); return the milliseconds per language."""
    ms: dict[str, list[float]] = {lang: [] for lang in LANGS}
    for i in range(start, stop):
        for lang in (LANGS if i % 2 == 0 else LANGS[::-1]):
            t0 = time.perf_counter()
            calls[lang](i)
            ms[lang].append((time.perf_counter() - t0) * 1000)
    return ms


def encode_timed(engine: Any, texts: dict[str, list[str]]) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Encode every question one at a time with the real ``engine``, English and Chinese alternating;
    return the vectors per language and the timing."""
    for lang in LANGS:
        engine.queries(texts[lang][:3])  # warm-up
    rows: dict[str, list[np.ndarray]] = {lang: [] for lang in LANGS}

    def encoder_of(lang: str) -> Callable[[int], None]:
        return lambda i: rows[lang].append(engine.queries([texts[lang][i]])[0])

    ms = interleaved({lang: encoder_of(lang) for lang in LANGS}, 0, len(texts["en"]))
    out: dict[str, Any] = {lang: pct(ms[lang]) for lang in LANGS}
    out["p50_diff_ms"] = round(out["en"]["p50_ms"] - out["zh"]["p50_ms"], 2)
    return {lang: np.stack(rows[lang]) for lang in LANGS}, out


def summary(ms: dict[str, list[float]]) -> dict[str, Any]:
    """Return per-language percentiles, the p50 difference and the paired (same question) differences."""
    out: dict[str, Any] = {lang: pct(ms[lang]) for lang in LANGS}
    out["p50_diff_ms"] = round(out["en"]["p50_ms"] - out["zh"]["p50_ms"], 2)
    paired = np.asarray(ms["en"]) - np.asarray(ms["zh"])
    out["paired_diff"] = {"median_ms": round(float(np.median(paired)), 2),
                          "p95_ms": round(float(np.percentile(paired, 95)), 2),
                          "mean_ms": round(float(paired.mean()), 2),
                          "english_slower_share": round(float((paired > 0).mean()), 3)}
    return out


def profile(kb: Any, texts: dict[str, list[str]], vectors: dict[str, np.ndarray], idx: list[int]) -> dict[str, str]:
    """Return the cProfile top 15 (cumulative) of answering questions ``idx`` in each language."""
    out = {}
    for lang in LANGS:
        prof = cProfile.Profile()
        prof.enable()
        for i in idx:
            kb.answer_with_ranking(texts[lang][i], query_vector=vectors[lang][i])
        prof.disable()
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(15)
        out[lang] = buf.getvalue()
    return out


def run(chunks: int, vectors_mode: str, warmup: int, batch: int, profile_n: int) -> dict[str, Any]:
    """Build the index, time the encoder, answers and retrieval in both languages; return the report."""
    from qa.config import Settings
    from qa.eval.retrieval import load_squad
    from qa.kb import KnowledgeBase

    qs = {lang: load_squad(XQUAD, FIELDS[lang])[1] for lang in LANGS}
    if [q.id for q in qs["en"]] != [q.id for q in qs["zh"]]:
        raise SystemExit(f"{XQUAD}: the English and Chinese question lists differ")
    texts = {lang: [q.text for q in qs[lang]] for lang in LANGS}
    report: dict[str, Any] = {"date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                              "command": " ".join([Path(sys.executable).name, *sys.argv]), "machine": machine(),
                              "code": code_state(), "vectors": vectors_mode,
                              "load_avg": {"before_build": load_avg()}}
    engine, what = question_engine()
    if engine is None and vectors_mode == "mixed":
        raise SystemExit(f"--vectors mixed needs the real question engine: {what}")
    if engine is not None:
        real_vectors, report["question_encoder"] = encode_timed(engine, texts)
        report["question_encoder"]["engine"] = what
    else:
        report["question_encoder"] = {"skipped": what}
    encoder = MixedEncoder(engine) if vectors_mode == "mixed" else RandomEncoder()
    with tempfile.TemporaryDirectory(prefix="qa-english-overhead-") as tmp:
        settings = Settings.from_env({}, index_dir=Path(tmp) / "index", model=encoder.name)
        kb = KnowledgeBase(settings=settings, encoder=encoder)
        report["index"] = build_index(kb, chunks, batch)
        print(f"index: {report['index']}", file=sys.stderr, flush=True)
        kb_r = KnowledgeBase(settings=settings, encoder=encoder)  # own connection, own term-count cache
        vectors = real_vectors if vectors_mode == "mixed" else {lang: encoder.queries(texts[lang]) for lang in LANGS}
        answers: dict[str, list[Any]] = {lang: [] for lang in LANGS}

        def ask(lang: str, keep: bool) -> Callable[[int], None]:
            def call(i: int) -> None:
                a = kb.answer_with_ranking(texts[lang][i], query_vector=vectors[lang][i])[0]
                if keep:
                    answers[lang].append(a)
            return call

        def find(lang: str) -> Callable[[int], Any]:
            return lambda i: kb_r.retrieve(texts[lang][i], 5, query_vector=vectors[lang][i])

        n = len(texts["en"])
        warm = min(warmup, n - 1)
        interleaved({lang: ask(lang, False) for lang in LANGS}, 0, warm)
        interleaved({lang: find(lang) for lang in LANGS}, 0, warm)
        report["load_avg"]["before_timing"] = load_avg()
        during: list[dict[str, Any]] = []
        answer_ms: dict[str, list[float]] = {lang: [] for lang in LANGS}
        retrieve_ms: dict[str, list[float]] = {lang: [] for lang in LANGS}
        answer_calls = {lang: ask(lang, True) for lang in LANGS}
        retrieve_calls = {lang: find(lang) for lang in LANGS}
        t0 = time.perf_counter()
        for i in range(warm, n):  # per question: both answers, then both retrievals (the other connection)
            for store, calls in ((answer_ms, answer_calls), (retrieve_ms, retrieve_calls)):
                got = interleaved(calls, i, i + 1)
                for lang in LANGS:
                    store[lang] += got[lang]
            if (i - warm + 1) % 100 == 0:
                during.append({"after_questions": i - warm + 1, "load_avg": load_avg()})
                print(f"timed {i - warm + 1}/{n - warm} questions, load {load_avg()}", file=sys.stderr, flush=True)
        report["timed_s"] = round(time.perf_counter() - t0, 1)
        report["load_avg"]["after_timing"] = load_avg()
        report["load_avg"]["during"] = during
        report["questions"] = {"total": n, "warmup": warm, "timed": n - warm}
        report["question_vectors"] = ("real (the engine above), precomputed" if vectors_mode == "mixed"
                                      else f"stub ({encoder.name}), precomputed") + "; passed as query_vector"
        report["answer"] = summary(answer_ms)
        report["retrieve"] = summary(retrieve_ms)
        report["answers"] = {lang: {"language_en": sum(a.language == "en" for a in answers[lang]),
                                    "abstained": sum(a.abstained for a in answers[lang]),
                                    "names_refusals": sum(any(x.startswith("The indexed articles never mention")
                                                              for x in a.notes) for a in answers[lang])}
                             for lang in LANGS}
        if profile_n:
            fresh = KnowledgeBase(settings=settings, encoder=encoder)  # term-count cache cold again
            report["profile"] = profile(fresh, texts, vectors, list(range(warm, min(n, warm + profile_n))))
    report["load_avg"]["end"] = load_avg()
    if code_state()["qa_digest"] != report["code"]["qa_digest"]:
        report["code"]["changed_during_run"] = True  # modules imported lazily may mix two versions
        print("warning: qa/ changed on disk during the run", file=sys.stderr)
    return report


def print_report(r: dict[str, Any]) -> None:
    """Print the figures as a small table."""
    ix, code = r["index"], r["code"]
    print(f"code: {code['commit']}, qa digest {code['qa_digest']}, uncommitted under qa/: {code['qa_uncommitted']}")
    print(f"index: {ix['chunks']} chunks ({ix['articles']} articles, {ix['vectors']} vectors), "
          f"built in {ix['build_s']} s; vectors: {r['vectors']}")
    q = r["questions"]
    print(f"questions: {q['timed']} timed after {q['warmup']} warm-up, each in English and Chinese")
    print(f"{'ms':10}{'en p50':>9}{'en p95':>9}{'zh p50':>9}{'zh p95':>9}{'Δp50':>8}{'paired Δ median':>17}")
    for name in ("answer", "retrieve"):
        s = r[name]
        cells = [s["en"]["p50_ms"], s["en"]["p95_ms"], s["zh"]["p50_ms"], s["zh"]["p95_ms"]]
        print(f"{name:10}" + "".join(f"{c:9.2f}" for c in cells)
              + f"{s['p50_diff_ms']:8.2f}{s['paired_diff']['median_ms']:17.2f}")
    print(f"answers abstained: en {r['answers']['en']['abstained']}, zh {r['answers']['zh']['abstained']}")
    enc = r["question_encoder"]
    if "skipped" in enc:
        print(f"question encoder: skipped ({enc['skipped']})")
    else:
        print(f"question encoder ({enc['engine']}): en p50 {enc['en']['p50_ms']} ms, zh p50 {enc['zh']['p50_ms']} ms "
              f"over {enc['en']['n']} questions each")
    la = r["load_avg"]
    print(f"load average: before build {la['before_build']}, before timing {la['before_timing']}, "
          f"after timing {la['after_timing']}")
    for lang, text in r.get("profile", {}).items():
        print(f"\n--- cProfile, {lang} answers ---\n{text}")


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, run, print and write the JSON."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=EXAMPLE,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--chunks", type=int, default=10_000, help="chunks in the index (about; default 10000)")
    p.add_argument("--vectors", choices=("mixed", "stub"), default="mixed",
                   help="mixed: real e5 vectors for XQuAD's sentences and the questions, stub for the filler "
                        "(default); stub: random vectors everywhere")
    p.add_argument("--warmup", type=int, default=20, help="questions answered first and not counted (default 20)")
    p.add_argument("--batch", type=int, default=500, help="articles per kb.add call while building")
    p.add_argument("--profile", type=int, default=0, metavar="N",
                   help="after timing, cProfile N English and N Chinese answers (default 0: off)")
    p.add_argument("--json", type=Path, default=RESULTS / "english_overhead.json", help="where to write the figures")
    args = p.parse_args(argv)
    report = run(args.chunks, args.vectors, args.warmup, args.batch, args.profile)
    write_json(args.json, report)
    print_report(report)
    print(json.dumps({"out": str(args.json)}))


if __name__ == "__main__":
    main()
