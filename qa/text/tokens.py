"""Search tokens: the folded search form of a text and its jieba words.

jieba and OpenCC are loaded once per process, lazily (jieba's dictionary takes about a second)
and under one lock, so threads that tokenise at the same time share one instance.
"""
from __future__ import annotations

import logging
import threading
import unicodedata
from collections.abc import Mapping
from typing import Any

log = logging.getLogger(__name__)

_lock = threading.Lock()
_jieba_module: Any = None
_t2s: Any = None


def search_form(text: str) -> str:
    """Return ``text`` folded for matching: NFKC, case-folded, traditional -> simplified.

    The length may change, so never use its offsets on the original text.

    >>> search_form("ＯｐｅｎＡＩ與微軟")
    'openai与微软'
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _converter().convert(folded)


def tokenize(text: str) -> list[str]:
    """Return search tokens: jieba search-mode words of :func:`search_form`, no punctuation.

    Used the same way for indexing and for queries; English comes out lower-cased.

    >>> tokenize("微软向OpenAI注入了130亿美元。")[:3]
    ['微软', '向', 'openai']
    """
    words = _jieba().cut_for_search(search_form(text))
    return [w for w in words if any(unicodedata.category(ch)[0] in "LN" for ch in w)]


def word_frequencies() -> Mapping[str, int]:
    """Return jieba's dictionary word frequencies (word -> count), jieba initialised once."""
    return _jieba().dt.FREQ


def _jieba() -> Any:
    """Return the jieba module, initialised once (quietly, thread-safe) with its default dictionary."""
    global _jieba_module
    if _jieba_module is None:
        with _lock:
            if _jieba_module is None:
                import jieba  # imported late: loading the dictionary takes about a second

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba_module = jieba
                log.debug("jieba initialised")
    return _jieba_module


def _converter() -> Any:
    """Return the cached OpenCC traditional -> simplified converter."""
    global _t2s
    if _t2s is None:
        with _lock:
            if _t2s is None:
                from opencc import OpenCC

                _t2s = OpenCC("t2s")
    return _t2s
