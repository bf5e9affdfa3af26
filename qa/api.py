"""Module-level shortcuts ``qa.retrieve`` and ``qa.answer`` over a cached ``KnowledgeBase``.

Example::

    >>> import qa
    >>> qa.retrieve("微软为什么聘请苏莱曼？", k=3, index="index")      # doctest: +SKIP
    >>> qa.answer("why did Microsoft hire Suleyman?").text            # doctest: +SKIP
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from qa.kb import KnowledgeBase
from qa.types import Answer, Passage

_OPEN: dict[str, KnowledgeBase] = {}
_LOCK = threading.Lock()


def open_index(index: str | Path = "index") -> KnowledgeBase:
    """Return the cached ``KnowledgeBase`` for the folder ``index`` (opened on first use)."""
    key = str(Path(index).resolve())
    with _LOCK:
        if key not in _OPEN:
            _OPEN[key] = KnowledgeBase(index)
        return _OPEN[key]


def retrieve(query: str, k: int = 5, index: str | Path = "index", **filters: Any) -> list[Passage]:
    """Return the ``k`` best passages from the index at ``index``; see ``KnowledgeBase.retrieve``.

    Raises:
        ValueError: bad query, k or filter. IndexNotFoundError: no index at ``index``.
    """
    return open_index(index).retrieve(query, k, **filters)


def answer(question: str, index: str | Path = "index", **kw: Any) -> Answer:
    """Return a cited answer from the index at ``index``; see ``KnowledgeBase.answer``.

    Raises:
        ValueError: bad question or filter. IndexNotFoundError: no index at ``index``.
    """
    return open_index(index).answer(question, **kw)
