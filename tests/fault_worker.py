"""Subprocess for the fault-injection test: applies a fixed sequence of index updates forever.

Usage: python -m tests.fault_worker INDEX_DIR START [BACKEND]. Prints "ready" once, then "done N"
after each committed operation N. The test kills it with SIGKILL at a random moment. BACKEND is a
``QA_BACKEND`` value (default: the folder INDEX_DIR).
"""
from __future__ import annotations

import importlib
import sys

from qa.config import Settings
from qa.kb import KnowledgeBase
from qa.text.tokens import tokenize


def operation(i: int) -> tuple[str, str]:
    """Return operation ``i``: ("add", id) or ("remove", id). Deterministic, so tests can replay it."""
    return ("remove", f"n{i - 1}") if i % 3 == 2 else ("add", f"n{i}")


def expected_ids(ops_done: int) -> set[str]:
    """Return the article ids after the first ``ops_done`` operations of the sequence."""
    ids: set[str] = set()
    for i in range(ops_done):
        kind, aid = operation(i)
        (ids.add if kind == "add" else ids.discard)(aid)
    return ids


def text_of(aid: str) -> str:
    n = int(aid[1:])
    return "\n".join(f"第{n}篇报道的第{j}句话，内容编号{n * 7 + j}。" for j in range(1 + n % 5))


def apply(kb: KnowledgeBase, i: int) -> None:
    kind, aid = operation(i)
    if kind == "add":
        kb.add([{"id": aid, "title": f"报道{aid}", "text": text_of(aid), "source": "测试社"}])
    else:
        kb.remove([aid])


def main() -> None:
    index, start = sys.argv[1], int(sys.argv[2])
    backend = sys.argv[3] if len(sys.argv) > 3 else "folder"
    kb = KnowledgeBase(settings=Settings.from_env({}, index_dir=index, model="hashing:32", backend=backend))
    kb.reader.exists()  # connects to Milvus now (the folder: a stat), so kills land inside updates
    tokenize("预热分词器")  # load jieba's dictionary before "ready", so kills land inside updates
    importlib.import_module("qa.index.writer")  # and the write path (imported on first write)
    print("ready", flush=True)
    i = start
    while True:
        apply(kb, i)
        print(f"done {i}", flush=True)
        i += 1


if __name__ == "__main__":
    main()
