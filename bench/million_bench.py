"""A million chunks through the product: build time, folder size, reader memory, latency, recall.

One run builds one index folder through ``KnowledgeBase.add_stream`` (batches of articles: worker
processes cut the next batch while one is written) and stops at
each checkpoint size (``--sizes``) to measure it as it is:

- build time so far and chunks/s (time inside the stream's adds, less making the batches), folder
  size (SQLite + FAISS);
- resident memory of a reader: a fresh process opens the index and answers one question;
- ``kb.retrieve`` latency over CMRC 2018 trial and DRCD dev questions (``--questions``): hybrid,
  BM25 alone (``mode="bm25"``) and dense alone (``mode="dense"``), each question encoded by the
  product's real question encoder (ONNX e5-small) and that time reported on its own;
- answer time beyond retrieval (``kb.answer_with_ranking`` minus the same hybrid retrieval);
- adding one article (and the next query, which brings the reader's FAISS copy up to date);
- dense recall@10 of the index's FAISS setting against exact inner-product search over the same
  stored float32 vectors (streamed from SQLite), for the product's nprobe and a sweep of others.

**Text.** Articles are recombined from the paragraphs of CMRC 2018 trial, DRCD dev and XQuAD
en-zh dev (Chinese contexts): every sentence joins 2-4 clauses (split at ，；：) drawn at random
from the ~20k distinct clauses of those paragraphs; articles have a clause as title, 4-6
paragraphs of 2-3 sentences, ~3 chunks, one of eight outlets and a date in 2020-2025.

**Vectors (the stub encoder).** Encoding 1M chunks with the real model takes days here, so
sentences are not encoded: each clause of the pool is encoded once by the real e5-small passage
encoder (cached in ``--clause-cache``, outside the project), and a sentence's vector is its
first clause's vector plus 0.5 x the mean of its other clauses' and 0.3 x its title clause's,
normalised, plus a small deterministic noise (norm 0.05, from a hash of the text). (An equal
mean of the clauses was tried first: its neighbours scatter over the whole space, IVF recall@10
0.56 at nprobe 32 of 1024 lists on 150k vectors against 0.81 for a leading clause; real sentence
vectors are dominated by one content, which the leading clause imitates.) So the vectors live in the real
embedding space with realistic structure (sentences sharing a clause or a title are neighbours)
and the real question vectors find the sentences made of their paragraph's clauses: recall and
IVF list balance mean something, unlike random vectors (which have no neighbours).

Writes ``bench/results/million.json`` after every checkpoint (a partial run keeps its figures).
The index folder is left in ``--index`` (delete it afterwards; ~15 GB at 1M chunks).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import time
import zlib
from pathlib import Path
from typing import Any

import numpy as np

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from benchutil import DATA, DEV_SETS, RESULTS, ROOT, dir_size, machine, mb, pct, rss_mb, write_json  # noqa: E402

EXAMPLE = """example:
  .venv/bin/python bench/million_bench.py --sizes 20000 --out /tmp/million-smoke.json   # smoke run, ~3 min
  nohup .venv/bin/python bench/million_bench.py --sizes 100000,400000,1000000 > /tmp/million.log 2>&1 &
  .venv/bin/python bench/million_bench.py --remeasure /tmp/million-index --out bench/results/million_after.json
"""
XQUAD = DATA / "xquad_en_zh_dev.json"
OUTLETS = ("新华社", "人民日报", "中新网", "澎湃新闻", "财新", "南方周末", "联合早报", "央视新闻")
NOISE = 0.05  # norm of the per-text noise added to a sentence vector (breaks ties between repeats)
TITLE_WEIGHT = 0.3  # the title clause's share in a sentence vector (the product embeds 标题：句子)
OTHERS_WEIGHT = 0.5  # the share of a sentence's other clauses (their mean) beside its first one


# ----------------------------------------------------------------------------- text
def clause_pool() -> list[str]:
    """Return the distinct clauses (4-40 characters) of the three data sets' Chinese paragraphs."""
    from qa.eval.retrieval import load_squad

    seen: dict[str, None] = {}
    for path in (*DEV_SETS, XQUAD):
        for article in load_squad(path)[0]:
            for part in re.split(r"[，,；;：:。！？!?\n\s]+", article.text):
                part = part.strip(" “”\"'（）()《》「」『』")
                if 4 <= len(part) <= 40:
                    seen.setdefault(part)
    return sorted(seen)


def articles(pool: list[str], count: int, start: int, seed: int) -> list[Any]:
    """Return ``count`` synthetic articles (ids ``m<start>``…) recombined from ``pool``'s clauses."""
    from qa.types import Article

    rng = np.random.default_rng(seed)
    out = []
    for n in range(start, start + count):
        paragraphs = []
        for _ in range(int(rng.integers(4, 7))):
            sentences = []
            for _ in range(int(rng.integers(2, 4))):
                picks = rng.integers(0, len(pool), int(rng.integers(2, 5)))
                sentences.append("，".join(pool[i] for i in picks) + "。")
            paragraphs.append("".join(sentences))
        title = pool[int(rng.integers(0, len(pool)))]
        day = int(rng.integers(0, 6 * 365))
        date = time.strftime("%Y-%m-%d", time.gmtime(1577836800 + day * 86400))
        out.append(Article(id=f"m{n}", title=title, text="\n".join(paragraphs),
                           source=OUTLETS[n % len(OUTLETS)], date=date))
    return out


# ----------------------------------------------------------------------------- encoders
def question_encoder():
    """Return the product's torch-free question encoder (ONNX e5-small, fp32), as the chat uses it."""
    from qa.config import Settings
    from qa.embedding import questions

    folder = Settings.from_env().cache_dir / "onnx"
    for sidecar in sorted(folder.glob("e5-*-questions-v2.json")):
        engine = questions.load(folder, sidecar.name.split("-")[1])
        if engine is not None:
            return engine
    raise SystemExit(f"no question engine in {folder}: run `qa ask 测试` once to export it")


def encode_clauses(pool: list[str], cache: Path) -> np.ndarray:
    """Return the e5-small passage vectors of ``pool`` (cached in ``cache``, keyed by the pool)."""
    key = hashlib.blake2b("\n".join(pool).encode(), digest_size=8).hexdigest()
    if cache.exists():
        with np.load(cache) as z:
            if str(z["key"]) == key:
                return z["vectors"]
    engine = question_encoder()
    t0 = time.perf_counter()
    parts = []
    for start in range(0, len(pool), 2000):
        parts.append(engine.passages(pool[start:start + 2000]))
        log(f"clauses encoded: {start + len(parts[-1])}/{len(pool)} in {time.perf_counter() - t0:.0f} s")
    vectors = np.concatenate(parts).astype(np.float32)
    np.savez(cache, key=key, vectors=vectors)
    return vectors


class ClauseEncoder:
    """Stub passage encoder: a sentence's vector from its clauses' real e5 vectors (see the module doc).

    Texts are ``标题：句子`` (``qa.index.writing.embedding_text``); a clause outside the pool (the
    one-article add) gets a deterministic random vector.
    """

    name = "stub-clauses:e5-small"
    dim = 384
    fingerprint = "stub-clauses-e5-v1"

    def __init__(self, pool: list[str] | None = None, vectors: np.ndarray | None = None, questions: Any = None):
        self.questions = questions  # the real question engine: kb.retrieve(q) encodes as the chat does
        self.seconds = 0.0  # spent in passages(): the stub's "encoding", left out of "beyond encoding"
        self._row = {c: i for i, c in enumerate(pool or [])}
        self._vectors = vectors
        rng = np.random.default_rng(7)
        table = rng.standard_normal((8192, self.dim)).astype(np.float32)
        self._noise = table / np.linalg.norm(table, axis=1, keepdims=True) * (NOISE / np.sqrt(2))

    def _clause(self, clause: str) -> np.ndarray:
        i = self._row.get(clause)
        if i is not None and self._vectors is not None:
            return self._vectors[i]
        seed = int.from_bytes(hashlib.blake2b(clause.encode(), digest_size=8).digest(), "little")
        v = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
        return v / np.linalg.norm(v)

    def passages(self, texts, *, progress=False) -> np.ndarray:
        started = time.perf_counter()
        try:
            return self._passages(texts)
        finally:
            self.seconds += time.perf_counter() - started

    def _passages(self, texts) -> np.ndarray:
        out = np.empty((len(texts), self.dim), np.float32)
        for i, text in enumerate(texts):
            title, _, sentence = text.rpartition("：") if "：" in text else ("", "", text)
            clauses = [c for c in re.split(r"[，；。！？\s]+", sentence) if c]
            if not clauses:
                v = self._clause(sentence)
            elif len(clauses) == 1:
                v = self._clause(clauses[0])
            else:  # the first clause leads; the others shade it (see the module docstring)
                v = self._clause(clauses[0]) + OTHERS_WEIGHT * np.mean([self._clause(c) for c in clauses[1:]], axis=0)
            if title:
                v = v + TITLE_WEIGHT * self._clause(title)
            v = v / np.linalg.norm(v)
            h = zlib.crc32(text.encode())
            v = v + self._noise[h & 8191] + self._noise[(h >> 13) & 8191]
            out[i] = v / np.linalg.norm(v)
        return out

    def queries(self, texts) -> np.ndarray:
        return self.questions.queries(texts) if self.questions is not None else self._passages(texts)


# ----------------------------------------------------------------------------- measuring
def log(message: str) -> None:
    print(time.strftime("%H:%M:%S ") + message, file=sys.stderr, flush=True)


def settings_for(index: Path, factory: str, workers: int | None = None):
    from qa.config import Settings

    return Settings.from_env({}, index_dir=index, model=ClauseEncoder.name, faiss_factory=factory,
                             ingest_workers=workers)


def questions(n: int) -> list[str]:
    """Return ``n`` questions: half CMRC 2018 trial, half DRCD dev (their first ones)."""
    from qa.eval.retrieval import load_squad

    per = [[q.text for q in load_squad(p)[1]] for p in DEV_SETS]
    return [q for pair in zip(per[0], per[1]) for q in pair][:n]


def stream_exact_top(conn, queries: np.ndarray, k: int, rows: int = 100_000) -> np.ndarray:
    """Return the exact top-``k`` sentence rowids per query, streaming every stored vector once."""
    best_s = np.full((len(queries), k), -np.inf, np.float32)
    best_i = np.full((len(queries), k), -1, np.int64)
    last = 0
    while True:
        batch = conn.execute("SELECT rowid, vector FROM sentences WHERE rowid > ? ORDER BY rowid LIMIT ?",
                             (last, rows)).fetchall()
        if not batch:
            break
        ids = np.fromiter((r for r, _ in batch), np.int64, len(batch))
        mat = np.frombuffer(b"".join(v for _, v in batch), np.float32).reshape(len(batch), -1)
        scores = queries @ mat.T
        cand_s = np.concatenate([best_s, scores], axis=1)
        cand_i = np.concatenate([best_i, np.broadcast_to(ids, scores.shape)], axis=1)
        top = np.argpartition(-cand_s, k - 1, axis=1)[:, :k]
        best_s = np.take_along_axis(cand_s, top, 1)
        best_i = np.take_along_axis(cand_i, top, 1)
        last = int(ids[-1])
    return best_i


def recall(kb, qvecs: np.ndarray, k: int = 10) -> dict[str, Any]:
    """Dense recall@k of the index's FAISS copy against exact search, at its nprobe and a sweep."""
    import faiss

    from qa.index import store
    from qa.index.folder import DB_NAME

    with kb.reader.view() as view:
        index = view.vectors._index  # the reader's live FAISS copy (IndexIDMap2)
    t0 = time.perf_counter()
    with store.connect(kb.dir.current() / DB_NAME, readonly=True) as conn:
        exact = stream_exact_top(conn, qvecs, k)
    exact_s = time.perf_counter() - t0

    def measured(idx) -> dict[str, float]:
        _, got = idx.search(qvecs, k)
        hits = [len(set(g.tolist()) & set(e.tolist())) / k for g, e in zip(got, exact)]
        times = []
        for q in qvecs[:100]:
            t = time.perf_counter()
            idx.search(q[None, :], k)
            times.append((time.perf_counter() - t) * 1000)
        return {"recall_at_10": round(float(np.mean(hits)), 4), **{f"search_{a}": b for a, b in pct(times).items()
                                                                   if a in ("p50_ms", "p95_ms")}}

    out: dict[str, Any] = {"queries": len(qvecs), "exact_scan_s": round(exact_s, 1),
                           "vectors": int(index.ntotal)}
    ivf = faiss.try_extract_index_ivf(index)
    if ivf is None:
        out["product"] = measured(index)
        out["kind"] = type(faiss.downcast_index(index.index)).__name__
        return out
    out["kind"] = type(ivf).__name__
    out["nlist"] = int(ivf.nlist)
    sizes = np.array([ivf.invlists.list_size(i) for i in range(ivf.nlist)])
    out["list_sizes"] = {"mean": round(float(sizes.mean()), 1), "max": int(sizes.max()),
                         "p99": int(np.percentile(sizes, 99)), "empty": int((sizes == 0).sum())}
    product = int(ivf.nprobe)
    out["product"] = {"nprobe": product, **measured(index)}
    sweep = []
    for nprobe in (8, 16, 32, 64, 128, 256):
        ivf.nprobe = nprobe
        sweep.append({"nprobe": nprobe, **measured(index)})
    ivf.nprobe = product
    out["sweep"] = sweep
    return out


def latencies(kb, qs: list[str], engine) -> dict[str, Any]:
    """Per-question timings of encoding, hybrid/BM25/dense retrieval and answering."""
    for q in qs[:5]:  # warm up: engine, jieba, SQLite pages
        v = engine.queries([q])[0]
        kb.retrieve(q, 5, query_vector=v)
    enc, hybrid, total, bm25, dense, answer, beyond, inside = [], [], [], [], [], [], [], []
    inner: list[float] = []  # time spent in kb.retrieve while answering (subtracted: "beyond retrieval")
    plain = kb.retrieve

    def timed_retrieve(*a, **kw):
        t = time.perf_counter()
        try:
            return plain(*a, **kw)
        finally:
            inner.append((time.perf_counter() - t) * 1000)
    vectors = []
    for i, q in enumerate(qs):
        t0 = time.perf_counter()
        v = engine.queries([q])[0]
        t1 = time.perf_counter()
        kb.retrieve(q, 5, query_vector=v)
        t2 = time.perf_counter()
        kb.retrieve(q, 5, mode="bm25")
        t3 = time.perf_counter()
        kb.retrieve(q, 5, mode="dense", query_vector=v)
        t4 = time.perf_counter()
        kb.retrieve(q, 5)  # encoded inside, as the chat's questions are: keywords searched meanwhile
        inside.append((time.perf_counter() - t4) * 1000)
        enc.append((t1 - t0) * 1000)
        hybrid.append((t2 - t1) * 1000)
        total.append((t2 - t0) * 1000)
        bm25.append((t3 - t2) * 1000)
        dense.append((t4 - t3) * 1000)
        vectors.append(v)
        if i < 60:
            inner.clear()
            kb.retrieve = timed_retrieve
            t5 = time.perf_counter()
            kb.answer_with_ranking(q, query_vector=v)
            a = (time.perf_counter() - t5) * 1000
            answer.append(a)
            beyond.append(a - sum(inner))
            del kb.retrieve  # back to the class's method
    return {"question_encoding": pct(enc), "hybrid_retrieve": pct(hybrid), "hybrid_with_encoding": pct(total),
            "retrieve_encoding_inside": pct(inside),
            "bm25": pct(bm25), "dense": pct(dense), "answer": pct(answer), "answer_beyond_retrieval": pct(beyond),
            "_vectors": np.asarray(vectors, np.float32)}


def probe_reader(index: Path, factory: str, question: str) -> dict[str, Any]:
    """Open the index in a fresh process and answer one question; return its memory figures."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--probe", str(index), "--factory", factory,
           "--probe-question", question]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1800, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def probe(index: Path, factory: str, question: str) -> dict[str, Any]:
    """In this fresh process: RSS after imports and jieba, then after opening the index and one
    hybrid question (real question encoder) and its answer."""
    import jieba

    from qa.kb import KnowledgeBase

    jieba.initialize()
    engine = question_encoder()
    v = engine.queries([question])[0]
    base = rss_mb()
    t0 = time.perf_counter()
    kb = KnowledgeBase(settings=settings_for(index, factory), encoder=ClauseEncoder())
    kb.retrieve(question, 5, query_vector=v)
    opened_s = time.perf_counter() - t0
    opened = rss_mb()
    kb.answer_with_ranking(question, query_vector=v)
    # (ru_maxrss is not reported: a forked child inherits its parent's peak, here the bench's.)
    return {"rss_baseline_mb": base, "rss_opened_mb": opened, "rss_after_answer_mb": rss_mb(),
            "rss_index_mb": round(opened - base, 1), "open_and_first_query_s": round(opened_s, 2)}


def one_article(kb, pool: list[str], n: int) -> dict[str, Any]:
    """Add one new article (stub vectors: its time is all beyond encoding); time it and the next query."""
    article = articles(pool, 1, n, seed=n)[0]
    t0 = time.perf_counter()
    kb.add([article])
    add_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    kb.retrieve(article.title, 5, mode="dense", query_vector=ClauseEncoder().queries([article.title])[0])
    return {"add_one_article_s": round(add_s, 3), "next_query_incl_reader_refresh_s": round(time.perf_counter() - t0, 3)}


def checkpoint(kb, args, pool, qs, engine, build_s: float, built: int, n_articles: int) -> dict[str, Any]:
    """Measure the index as it is now; return the row for this size."""
    from qa.index.folder import DB_NAME, VECTORS_NAME

    t0 = time.perf_counter()
    kb.retrieve("测试", 5, mode="bm25")  # opens the reader; brings its FAISS copy up to date
    catch_up = time.perf_counter() - t0
    status = kb.status()
    data = kb.dir.current()
    row: dict[str, Any] = {
        "chunks": status.chunks, "articles": status.articles, "vectors": status.vectors,
        "build_s": round(build_s, 1), "build_chunks_per_s": round(status.chunks / build_s, 1),
        "stub_encoding_s": round(kb.encoder.seconds, 1),
        "beyond_encoding_chunks_per_s": round(status.chunks / (build_s - kb.encoder.seconds), 1),
        "folder_mb": mb(dir_size(kb.dir.path)), "sqlite_mb": mb(sum(dir_size(p) for p in data.glob(DB_NAME + "*"))),
        "faiss_snapshot_mb": mb(dir_size(data / VECTORS_NAME)), "reader_catch_up_s": round(catch_up, 1),
        "bench_process_rss_mb": rss_mb()}
    log(f"checkpoint {status.chunks} chunks: latencies")
    lat = latencies(kb, qs, engine)
    qvecs = lat.pop("_vectors")
    row["latency"] = lat
    log(f"checkpoint: recall ({lat['hybrid_with_encoding']})")
    row["recall"] = recall(kb, qvecs[: args.recall_queries])
    log(f"checkpoint: one-article add ({row['recall'].get('product')})")
    row["one_article"] = one_article(kb, pool, 10_000_000 + status.chunks)
    log("checkpoint: reader memory")
    row["reader"] = probe_reader(kb.settings.index_dir, args.factory, qs[0])
    row["measure_s"] = round(time.perf_counter() - t0, 1)
    return row


def remeasure(args) -> dict[str, Any]:
    """Measure an index built by an earlier run again: keyword search one-pass (as the run measured
    it) and two-pass (``qa/index/fts.py``), at the index's nprobe and at ``--nprobe``; how often both
    keyword searches agree. Writes ``--out`` (use another file than the run's)."""
    import faiss

    from qa.index import fts
    from qa.kb import KnowledgeBase

    engine = question_encoder()
    qs = questions(args.questions)
    kb = KnowledgeBase(settings=settings_for(args.remeasure, args.factory), encoder=ClauseEncoder(questions=engine))
    kb.retrieve("测试", 5, mode="bm25")
    status = kb.status()
    report: dict[str, Any] = {"machine": machine(), "command": " ".join([Path(sys.executable).name, *sys.argv]),
                              "index": str(args.remeasure), "chunks": status.chunks, "vectors": status.vectors,
                              "frequent_docs": fts.FREQUENT_DOCS, "runs": []}
    with kb.reader.view() as view:
        ivf = faiss.try_extract_index_ivf(view.vectors._index)
    product = int(ivf.nprobe) if ivf is not None else None
    default = fts.FREQUENT_DOCS
    same1 = same5 = 0
    for q in qs:
        fts.FREQUENT_DOCS = 10**12
        one = [(p.article_id, p.start) for p in kb.retrieve(q, 5, mode="bm25")]
        fts.FREQUENT_DOCS = default
        two = [(p.article_id, p.start) for p in kb.retrieve(q, 5, mode="bm25")]
        same1 += bool(one) and bool(two) and one[0] == two[0]
        same5 += len(set(one) & set(two)) / max(len(one), 1)
    report["bm25_agreement"] = {"top1_same": round(same1 / len(qs), 3), "top5_overlap": round(same5 / len(qs), 3)}
    if args.full:  # the checkpoint's other figures, for an index whose run was stopped between checkpoints
        from qa.index.folder import DB_NAME, VECTORS_NAME

        data = kb.dir.current()
        report["folder_mb"] = mb(dir_size(kb.dir.path))
        report["sqlite_mb"] = mb(sum(dir_size(p) for p in data.glob(DB_NAME + "*")))
        report["faiss_snapshot_mb"] = mb(dir_size(data / VECTORS_NAME))
        report["recall"] = recall(kb, engine.queries(qs[: args.recall_queries]))
        log(f"remeasure: recall {report['recall'].get('product')}")
        report["reader"] = probe_reader(kb.settings.index_dir, args.factory, qs[0])
        write_json(args.out, report)
    log(f"remeasure: agreement {report['bm25_agreement']}")
    extra = [int(x) for x in args.frequent_docs.split(",") if x] if args.frequent_docs else []
    plan = [*([] if args.skip_one_pass else [(None, product)]), (default, product), *((f, product) for f in extra if f != default), (default, args.nprobe)]
    for frequent, nprobe in plan:
        if nprobe is None:
            continue
        fts.FREQUENT_DOCS = frequent or 10**12
        if ivf is not None:
            ivf.nprobe = nprobe
        lat = latencies(kb, qs, engine)
        lat.pop("_vectors")
        report["runs"].append({"keyword": "two-pass" if frequent else "one-pass", "frequent_docs": frequent,
                               "nprobe": nprobe, "latency": lat})
        log(f"remeasure: frequent_docs={frequent} nprobe={nprobe}: hybrid {lat['hybrid_retrieve']} bm25 {lat['bm25']}"
            f" encoding inside {lat['retrieve_encoding_inside']}")
        write_json(args.out, report)
    fts.FREQUENT_DOCS = default
    if args.full:
        report["one_article"] = one_article(kb, clause_pool(), 20_000_000 + status.chunks)
        write_json(args.out, report)
    return report


def run(args) -> dict[str, Any]:
    from qa.kb import KnowledgeBase

    sizes = sorted(int(s) for s in args.sizes.split(","))
    pool = clause_pool()
    log(f"{len(pool)} clauses")
    vectors = encode_clauses(pool, args.clause_cache)
    engine = question_encoder()
    qs = questions(args.questions)
    index = args.index
    if index.exists():
        raise SystemExit(f"{index} exists: remove it or pass another --index")
    kb = KnowledgeBase(settings=settings_for(index, args.factory, args.workers), encoder=ClauseEncoder(pool, vectors, questions=engine))
    report: dict[str, Any] = {
        "machine": machine(), "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "factory": args.factory, "batch_articles": args.batch, "clauses": len(pool),
        "ingest_workers": kb.settings.ingest_workers,
        "stub": f"sentence = first clause's e5 vector + {OTHERS_WEIGHT} x mean of the other clauses' "
                f"+ {TITLE_WEIGHT} x the title clause's, normalised, + noise of norm {NOISE}", "questions": len(qs), "sizes": []}
    built = n_articles = 0
    build_s = 0.0
    started = time.perf_counter()
    last = (0, 0.0, 0.0)  # chunks, seconds in add, encoding seconds at the previous progress line
    making = [0.0]  # seconds spent making batches (inside add_stream, which takes the next one early)

    def batches(size: int):
        made = n_articles
        while built < size:
            t0 = time.perf_counter()
            batch = articles(pool, args.batch, made, seed=made)
            making[0] += time.perf_counter() - t0
            made += len(batch)
            yield batch

    for size in sizes:
        for summary in kb.add_stream(batches(size)):
            build_s += summary.seconds - making[0]
            making[0] = 0.0
            built += summary.chunks_added
            n_articles += args.batch
            if (n_articles // args.batch) % 5 == 0:
                recent = (built - last[0]) / (build_s - last[1] - (kb.encoder.seconds - last[2]))
                log(f"{built} chunks, {n_articles} articles, {built / build_s:.0f} chunks/s in add "
                    f"({built / (build_s - kb.encoder.seconds):.0f} beyond encoding; the last "
                    f"{built - last[0]} chunks {recent:.0f}), {time.perf_counter() - started:.0f} s wall, rss {rss_mb()} MB")
                last = (built, build_s, kb.encoder.seconds)
        log(f"checkpoint at {built} chunks after {build_s:.0f} s in add")
        row = checkpoint(kb, args, pool, qs, engine, build_s, built, n_articles)
        report["sizes"].append(row)
        report["wall_s"] = round(time.perf_counter() - started, 1)
        write_json(args.out, report)
        log(json.dumps({k: v for k, v in row.items() if k not in ("latency", "recall")}, ensure_ascii=False))
    return report


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=EXAMPLE,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="20000", help="checkpoint sizes in chunks, comma-separated (default 20000: a smoke run)")
    p.add_argument("--factory", default="IVF4096,SQfp16|nprobe=128",
                   help="QA_FAISS_FACTORY of the index (FAISS factory string, optional |search parameters)")
    p.add_argument("--batch", type=int, default=1000, help="articles per batch (one commit each)")
    p.add_argument("--workers", type=int, help="content worker processes (QA_INGEST_WORKERS; 0: the caller alone)")
    p.add_argument("--questions", type=int, default=200, help="CMRC/DRCD questions timed per checkpoint")
    p.add_argument("--recall-queries", type=int, default=200, help="questions used for recall@10")
    p.add_argument("--index", type=Path, default=Path("/tmp/million-index"), help="index folder to build (must not exist)")
    p.add_argument("--clause-cache", type=Path, default=Path("/tmp/million-clauses.npz"),
                   help="where the clauses' e5 vectors are cached (outside the project)")
    p.add_argument("--out", type=Path, default=RESULTS / "million.json")
    p.add_argument("--remeasure", type=Path, metavar="INDEX",
                   help="measure an index an earlier run left (keyword one-pass vs two-pass, --nprobe) into --out")
    p.add_argument("--full", action="store_true",
                   help="with --remeasure: also folder size, recall@10 and a reader's memory")
    p.add_argument("--skip-one-pass", action="store_true",
                   help="with --remeasure: do not time the one-pass keyword search again (the run's checkpoint did)")
    p.add_argument("--frequent-docs", default="", help="with --remeasure: other fts.FREQUENT_DOCS values to time (comma-separated)")
    p.add_argument("--nprobe", type=int, default=256, help="with --remeasure: the IVF nprobe tried beside the index's own")
    p.add_argument("--probe", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--probe-question", default="测试", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    if args.probe:
        print(json.dumps(probe(args.probe, args.factory, args.probe_question)))
        return
    if args.remeasure:
        remeasure(args)
        return
    run(args)


if __name__ == "__main__":
    main()
