"""Ingest speed beside jieba alone (issue #18): chunks/s of ``KnowledgeBase.add`` with the hashing
encoder, the time beyond encoding, and the ratio to jieba's ``cut_for_search`` on the same chunk texts.

Usage: .venv/bin/python bench/ingest_bench.py [--paragraphs 400] [--repeats 3] [--model hashing:64] [--workers N]
       [--stream N]
       [--data PATH ...] [--profile] [--top 30]

Everything is measured in one process, so the machine's load moves both sides alike; compare
ratios, not seconds. Per repeat, in this order:

(a) jieba ``cut_for_search`` alone over the texts of the chunks the index will hold (the chunks
    are made before timing; raw chunk text, no folding), every word consumed;
(b) ``KnowledgeBase.add(articles)`` (``--stream N``: ``kb.add_stream`` in batches of N) into a fresh index folder (with its content worker processes,
    ``--workers``; ``--workers 0`` measures the caller alone): wall time, chunks/s
    (``IndexSummary.chunks_added``), and the time spent inside the encoder's ``passages`` (wrapped),
    so ``beyond encoding = add - encoding`` and its chunks/s;
(c) the ratios ``add / jieba`` and ``(add - encoding) / jieba``.

Paragraphs come from the data files in order (default: CMRC 2018 trial, then DRCD dev — traditional
Chinese — until ``--paragraphs``). jieba, OpenCC, the encoder and the worker processes are warmed up
on another index first; cached jieba words are forgotten before each add, the workers' too.
``--profile`` adds one cProfile'd add and prints the top functions by cumulative time. No asserts.
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qa.config import Settings  # noqa: E402
from qa.index import content_workers  # noqa: E402
from qa.eval.retrieval import load_squad  # noqa: E402
from qa.kb import KnowledgeBase  # noqa: E402
from qa.text.chunking import chunk_article  # noqa: E402
from qa.text import tokens  # noqa: E402
from qa.text.tokens import tokenize  # noqa: E402
from qa.types import Article  # noqa: E402

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
DEFAULT_DATA = (DATA / "cmrc2018_trial.json", DATA / "drcd_dev.json")


def load_paragraphs(paths: list[Path], n: int) -> list[Article]:
    """Return the first ``n`` paragraphs (as articles) of ``paths``, in file order."""
    out: list[Article] = []
    for path in paths:
        out.extend(load_squad(path, "question")[0])
        if len(out) >= n:
            break
    return out[:n]


class EncodeTimer:
    """Wraps an encoder's ``passages`` and adds up the seconds spent in it."""

    def __init__(self, encoder: object) -> None:
        self.encoder, self.seconds = encoder, 0.0
        self._inner = encoder.passages  # type: ignore[attr-defined]
        encoder.passages = self  # type: ignore[attr-defined]  # instance attribute shadows the method

    def __call__(self, texts, **kwargs):  # noqa: ANN001, ANN204 - same signature as Encoder.passages
        t0 = time.perf_counter()
        try:
            return self._inner(texts, **kwargs)
        finally:
            self.seconds += time.perf_counter() - t0


def jieba_alone(texts: list[str]) -> float:
    """Return the seconds jieba's ``cut_for_search`` takes over ``texts`` (every word consumed)."""
    import jieba

    t0 = time.perf_counter()
    for text in texts:
        for _ in jieba.cut_for_search(text):
            pass
    return time.perf_counter() - t0


def timed_add(articles: list[Article], settings: Settings, profiler: cProfile.Profile | None = None,
              stream: int = 0) -> dict:
    """Add ``articles`` to a fresh index (``stream`` > 0: ``kb.add_stream`` in batches of that many);
    return wall seconds, encoder seconds and chunks added."""
    with tempfile.TemporaryDirectory() as tmp:
        kb = KnowledgeBase(settings=settings.replace(index_dir=Path(tmp) / "index"))
        timer = EncodeTimer(kb.encoder)
        getattr(tokens, "clear_cache", lambda: None)()  # cached jieba words would flatter a repeat (absent before #18)
        content_workers.clear_caches()  # the workers' too
        t0 = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        if stream:
            batches = [articles[i:i + stream] for i in range(0, len(articles), stream)]
            chunks = sum(summary.chunks_added for summary in kb.add_stream(batches))
        else:
            chunks = kb.add(articles).chunks_added
        if profiler is not None:
            profiler.disable()
        wall = time.perf_counter() - t0
        del timer.encoder.passages  # restore the class method on the cached encoder
    return {"add_s": wall, "encode_s": timer.seconds, "chunks": chunks}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, nargs="*", default=list(DEFAULT_DATA))
    p.add_argument("--paragraphs", type=int, default=400)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--model", default="hashing:64")
    p.add_argument("--workers", type=int, default=Settings.ingest_workers,
                   help="content worker processes (Settings.ingest_workers; -1: cores - 1, 0: the caller alone)")
    p.add_argument("--stream", type=int, default=0, metavar="N",
                   help="add through kb.add_stream in batches of N paragraphs (default: one kb.add)")
    p.add_argument("--profile", action="store_true", help="also profile one add (cProfile, cumulative)")
    p.add_argument("--top", type=int, default=30)
    args = p.parse_args()

    articles = load_paragraphs(args.data, args.paragraphs)
    settings = Settings.from_env({}, model=args.model, ingest_workers=args.workers)
    texts = [c.text for a in articles for c in chunk_article(
        a, size=settings.chunk_size, overlap=settings.chunk_overlap, max_sentence_chars=settings.max_sentence_chars)]
    print(f"{len(articles)} paragraphs, {sum(len(a.text) for a in articles)} chars, {len(texts)} chunks "
          f"({sum(len(t) for t in texts)} chars); model {args.model}")
    tokenize("預熱：微軟與OpenAI")  # loads jieba and OpenCC
    # Large enough to start the content worker processes (they load jieba once, like the caller).
    warm = articles[:max(5, len(articles) // 3)]
    timed_add([Article(f"w{i}", "预热", a.text) for i, a in enumerate(warm)], settings)
    print(f"content worker processes: {content_workers.worker_count(settings.ingest_workers)} beside the caller "
          f"(--workers {settings.ingest_workers}; batches under {content_workers.MIN_CHARS} characters: none); "
          + (f"kb.add_stream in batches of {args.stream} paragraphs" if args.stream else "one kb.add"))

    rows = []
    for r in range(args.repeats):
        jieba_s = jieba_alone(texts)
        add = timed_add(articles, settings, stream=args.stream)
        beyond = add["add_s"] - add["encode_s"]
        rows.append((jieba_s, add["add_s"], add["encode_s"], beyond, add["chunks"]))
        print(f"run {r + 1}: jieba {jieba_s:.3f}s | add {add['add_s']:.3f}s ({add['chunks'] / add['add_s']:.0f} chunks/s)"
              f" | encoding {add['encode_s']:.3f}s | beyond encoding {beyond:.3f}s ({add['chunks'] / beyond:.0f} chunks/s)"
              f" | add/jieba {add['add_s'] / jieba_s:.2f} | beyond/jieba {beyond / jieba_s:.2f}")
    med = [statistics.median(col) for col in zip(*rows)]
    chunks = rows[0][4]
    print(f"median: jieba {med[0]:.3f}s, add {med[1]:.3f}s = {chunks / med[1]:.0f} chunks/s, encoding {med[2]:.3f}s, "
          f"beyond encoding {med[3]:.3f}s = {chunks / med[3]:.0f} chunks/s; "
          f"ratio add/jieba {statistics.median(r[1] / r[0] for r in rows):.2f}, "
          f"beyond/jieba {statistics.median(r[3] / r[0] for r in rows):.2f}")

    if args.profile:
        profiler = cProfile.Profile()
        timed_add(articles, settings, profiler, stream=args.stream)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.top)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
