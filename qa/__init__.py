"""新闻问答 (qa): extractive, cited question answering over Chinese news.

Example::

    import qa
    kb = qa.KnowledgeBase("index")
    kb.sync("corpus")
    for p in kb.retrieve("微软为什么聘请苏莱曼？"):
        print(p.title, p.source, p.text)
    print(qa.answer("why did Microsoft hire Suleyman?").text)

Heavy modules (torch, faiss) load on first use, so ``import qa`` stays fast.
"""
from __future__ import annotations

import importlib
from typing import Any

from qa.types import Answer, Article, Chunk, Passage, Quote, Sentence

__all__ = [
    "Answer", "Article", "Chunk", "KnowledgeBase", "Passage", "Quote", "Sentence", "Settings",
    "answer", "load_corpus", "retrieve",
]

_LAZY = {
    "KnowledgeBase": "qa.kb",
    "Settings": "qa.config",
    "load_corpus": "qa.ingest.corpus",
    "retrieve": "qa.api",
    "answer": "qa.api",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'qa' has no attribute {name!r}")
