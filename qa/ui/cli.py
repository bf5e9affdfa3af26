"""The ``qa`` command: a thin shell over the library (one library call per command).

Library errors, and the operating system's (a full disk, a folder given for a file, a database
that cannot be written), become one ``error: …`` line on stderr and exit code 1; no traceback.
Output cut short by its reader (``qa index status | head -1``) ends the command quietly with
exit code 141, as Unix tools that die of SIGPIPE do. Files that fail to load
are reported once, as ``warning: …`` lines on stderr. Progress bars are drawn only when stderr
is a terminal (piped into a log or another program, they would be noise). ``qa ask`` and
``qa search`` build the index from the corpus folder first when there is none yet.
"""
from __future__ import annotations

import argparse
import functools
import itertools
import json
import logging
import sqlite3
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from qa.config import Settings
from qa.errors import CorpusError, IndexNotFoundError, QAError
from qa.ui.exits import BROKEN_PIPE, error_text, quiet_stdout

DEFAULT_K = 5  # passages per query: the library's default (kb.retrieve, kb.answer)
DEBOUNCE_S = 2.0  # hand-set: seconds of quiet before `qa index watch` syncs, so copying many files is one sync
INTERRUPTED = 130  # exit status after Ctrl-C: 128 + SIGINT (2), the shell convention

EXAMPLES = {
    "corpus": "example: qa corpus ls corpus/",
    "build": "example: qa index build corpus/",
    "add": "example: qa index add corpus/2025-05-01-new-story.md\n         qa index add archive/ --batch 1000",
    "remove": "example: qa index remove zhidx-2025-04-30-openai-microsoft",
    "sync": "example: qa index sync corpus/",
    "watch": "example: qa index watch corpus/ --debounce 2",
    "status": "example: qa index status --json",
    "search": 'example: qa search "微软为什么聘请苏莱曼？" -k 5 --since 2024-10-01',
    "ask": 'example: qa ask "why did Microsoft hire Suleyman?"',
    "eval": "example: qa eval --data ../shared/data/xquad_en_zh_dev.json --question-field question_zh --json",
}


def positive_int(text: str) -> int:
    """Return ``text`` as an integer of at least 1 (an argparse type).

    Raises:
        argparse.ArgumentTypeError: not an integer, or below 1 (argparse prints it as a usage error).
    """
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _sub(subs: Any, name: str, help_: str, key: str | None = None) -> argparse.ArgumentParser:
    return subs.add_parser(name, help=help_, description=help_, epilog=EXAMPLES[key or name],
                           formatter_class=argparse.RawDescriptionHelpFormatter)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``qa`` command."""
    p = argparse.ArgumentParser(prog="qa", description="新闻问答: cited answers from Chinese news.",
                                epilog='example: qa ask "微软为什么聘请苏莱曼？"')
    p.add_argument("--index", help="index folder (QA_INDEX_DIR, default index/)")
    p.add_argument("--backend", help="where the index lives: folder (default, --index), milvus-lite:PATH.db or "
                   "milvus://HOST:19530[/DATABASE] (QA_BACKEND; docs/scaling.md)")
    p.add_argument("--model", help="sentence-transformers model name or folder (QA_MODEL)")
    p.add_argument("--encoder-backend", help="torch (default) or onnx-int8: int8 passages and questions, "
                   "faster, ~1 point lower answer hit@1 (QA_ENCODER_BACKEND; changing it means `qa index build`)")
    p.add_argument("--cache-dir", help="where the bundled model is unpacked (QA_CACHE_DIR)")
    p.add_argument("--chunk-size", type=int, help="target chunk size in characters (QA_CHUNK_SIZE)")
    p.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    subs = p.add_subparsers(dest="command", required=True)

    corpus = _sub(subs, "corpus", "inspect a corpus folder").add_subparsers(dest="action", required=True)
    ls = _sub(corpus, "ls", "list the articles a corpus folder holds", "corpus")
    ls.add_argument("path", nargs="?", help="corpus folder or file (default corpus/)")
    ls.add_argument("--json", action="store_true")

    index = _sub(subs, "index", "build and update the index", "build").add_subparsers(dest="action", required=True)
    for name, text in (("build", "index a corpus from scratch, swapped in atomically"),
                       ("sync", "make the index match the corpus folder (adds, updates, removals)"),
                       ("watch", "keep syncing while files arrive, until interrupted")):
        sp = _sub(index, name, text)
        sp.add_argument("corpus", nargs="?", help="corpus folder (QA_CORPUS_DIR, default corpus/)")
        if name == "watch":
            sp.add_argument("--debounce", type=float, default=DEBOUNCE_S, help="seconds of quiet before a sync")
    add = _sub(index, "add", "add or update articles from files or folders")
    add.add_argument("paths", nargs="+")
    add.add_argument("--batch", type=positive_int, metavar="N",
                     help="commit every N articles (kb.add_stream: the next batch is split and tokenised "
                          "while one is committed; for large loads). Default: one commit")
    _sub(index, "remove", "remove articles by id").add_argument("ids", nargs="+")
    _sub(index, "status", "counts, model, size on disk, last update").add_argument("--json", action="store_true")

    for name, text in (("search", "rank passages for a query"), ("ask", "answer a question with cited quotes")):
        sp = _sub(subs, name, text)
        sp.add_argument("query")
        sp.add_argument("-k", type=int, default=DEFAULT_K, help="number of passages")
        sp.add_argument("--since", help="only articles dated on or after (YYYY-MM-DD)")
        sp.add_argument("--until", help="only articles dated on or before (YYYY-MM-DD)")
        sp.add_argument("--source", action="append", dest="sources", help="only this outlet (repeatable)")
        sp.add_argument("--json", action="store_true", help="machine-readable output")
        if name == "search":
            sp.add_argument("--mode", choices=("hybrid", "dense", "bm25"), default="hybrid")

    ev = _sub(subs, "eval", "evaluate retrieval and answers on a SQuAD-format file")
    ev.add_argument("--data", required=True, help="SQuAD-format JSON (e.g. ../shared/data/cmrc2018_trial.json)")
    ev.add_argument("--limit", type=positive_int, help="use only the first N questions (N ≥ 1)")
    ev.add_argument("--question-field", default="question", metavar="NAME",
                    help="the field holding each question's text (default question; question_zh in "
                         "../shared/data/xquad_en_zh_dev.json asks the same questions in Chinese)")
    ev.add_argument("--no-answers", action="store_true", help="retrieval metrics only")
    ev.add_argument("--json", action="store_true", help="machine-readable output")
    return p


def _settings(args: argparse.Namespace) -> Settings:
    corpus = getattr(args, "corpus", None)
    return Settings.from_env(index_dir=args.index, backend=args.backend, model=args.model,
                             encoder_backend=args.encoder_backend,
                             cache_dir=args.cache_dir, chunk_size=args.chunk_size,
                             corpus_dir=corpus if isinstance(corpus, str) else None)


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _progress() -> bool:
    """Return True when progress bars should be drawn: stderr (where tqdm draws) is a terminal."""
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed stderr
        return False


def _warn(errors: Sequence[Any]) -> None:
    """Print each load error once as ``warning: …`` (the library's log records of them are dropped)."""
    for e in errors:
        print(f"warning: {e}", file=sys.stderr)


def _not_printed_here(record: logging.LogRecord) -> bool:
    """Logging filter: drop the library's log record of a load error; the command prints it as a warning."""
    args = record.args if isinstance(record.args, tuple) else ()
    return not any(isinstance(a, CorpusError) for a in args) and not isinstance(record.msg, CorpusError)


def _open_kb(settings: Settings) -> Any:
    """Return the KnowledgeBase for ``qa ask``/``qa search``, first building its index from the
    corpus folder when there is none (as ``make run`` does), with a note on stderr.

    Raises:
        IndexNotFoundError: no index and no corpus folder (the message says what to do).
    """
    from qa.kb import KnowledgeBase

    kb = KnowledgeBase(settings=settings)
    if kb.reader.exists():
        return kb
    corpus = Path(settings.corpus_dir)
    if not corpus.is_dir():
        raise IndexNotFoundError(
            f"no index at {settings.index_dir}/ and no corpus folder {corpus}/ to build it from; "
            f"put articles in {corpus}/ (or set QA_CORPUS_DIR) and run `qa index build`")
    from qa.ui.chat import prepare_index

    print(f"note: no index at {settings.index_dir}/ yet; building it from {corpus}/ first", file=sys.stderr, flush=True)
    summary = prepare_index(kb, corpus, progress=_progress())
    _warn(summary.errors)
    return kb


def cmd_corpus(args: argparse.Namespace, settings: Settings) -> int:
    from qa.ingest.corpus import load_corpus

    errors: list[Any] = []
    articles = list(load_corpus(args.path or settings.corpus_dir, errors=errors))
    if args.json:
        _print_json([{k: v for k, v in asdict(a).items() if k != "text"} for a in articles])
    else:
        for a in articles:
            print(f"{a.id}\t{a.title}\t{a.source or '-'}\t{a.date or '-'}\t{len(a.text)} chars")
    _warn(errors)
    return 0


def cmd_index(args: argparse.Namespace, settings: Settings) -> int:
    from qa.kb import KnowledgeBase

    kb = KnowledgeBase(settings=settings)
    if args.action == "status":
        status = kb.status()
        if args.json:
            _print_json(status.as_dict())
        else:
            for key, value in status.as_dict().items():
                print(f"{key:>18}: {value}")
        return 0
    if args.action == "watch":
        from qa.ingest.watch import watch

        def synced(summary: Any) -> None:
            print(f"synced: {summary}", flush=True)
            _warn(summary.errors)

        watch(kb, args.corpus or settings.corpus_dir, debounce=args.debounce, on_sync=synced)
        return 0
    summary = _index_action(kb, args, settings)
    print(summary)
    _warn(summary.errors)
    return 0


def _index_action(kb: Any, args: argparse.Namespace, settings: Settings) -> Any:
    if args.action == "build":
        return kb.build(args.corpus or settings.corpus_dir, progress=_progress())
    if args.action == "sync":
        return kb.sync(args.corpus or settings.corpus_dir, progress=_progress())
    if args.action == "remove":
        return kb.remove(args.ids)
    from qa.ingest.corpus import load_corpus

    errors: list[Any] = []
    articles = (a for p in args.paths for a in load_corpus(p, errors=errors))
    if not args.batch:
        return kb.add(list(articles), progress=_progress()).with_errors(errors)
    from qa.index.status import IndexSummary

    summaries = list(kb.add_stream(_batches(articles, args.batch), progress=_progress()))
    return functools.reduce(lambda a, b: a.merge(b), summaries, IndexSummary()).with_errors(errors)


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Yield lists of ``size`` items of ``items`` (the last one shorter), taken lazily."""
    it = iter(items)
    while batch := list(itertools.islice(it, size)):
        yield batch


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    passages = _open_kb(settings).retrieve(
        args.query, args.k, since=args.since, until=args.until, sources=args.sources, mode=args.mode)
    if args.json:
        _print_json([asdict(p) for p in passages])
        return 0
    from qa.ui.terminal import passage_block

    if not passages:
        print("no passages match")
    for i, p in enumerate(passages, 1):
        print(passage_block(i, p, score=True) + "\n")
    return 0


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from qa.ui.terminal import answer_text

    answer = _open_kb(settings).answer(
        args.query, k=args.k, since=args.since, until=args.until, sources=args.sources)
    if args.json:
        _print_json(asdict(answer))
    else:
        print(answer_text(answer))
    return 0


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from qa.eval.retrieval import evaluate, format_report

    report = evaluate(args.data, settings=settings, limit=args.limit, answers=not args.no_answers,
                      progress=_progress(), question_field=args.question_field)
    if args.json:
        _print_json(report)
    else:
        print(format_report(report))
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "corpus": cmd_corpus, "index": cmd_index, "search": cmd_search, "ask": cmd_ask, "eval": cmd_eval,
}


def main(argv: list[str] | None = None) -> int:
    """Run the ``qa`` command; return the exit code (0 ok, 1 error, 2 usage, 130 interrupted, 141 broken pipe)."""
    args = build_parser().parse_args(argv)
    handler = logging.StreamHandler()  # stderr
    handler.addFilter(_not_printed_here)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s", handlers=[handler])
    try:
        status = COMMANDS[args.command](args, _settings(args))
        sys.stdout.flush()  # here, so a reader that went away is noticed inside this try
        return status
    except BrokenPipeError:  # `qa … | head -1`: the reader has what it wanted; stop quietly
        quiet_stdout()
        return BROKEN_PIPE
    except (QAError, ValueError, KeyError, OSError, sqlite3.Error, RecursionError) as exc:
        print(f"error: {error_text(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
