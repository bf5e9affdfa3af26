"""Search tokens: the folded search form of a text and its jieba words.

jieba and OpenCC are loaded once per process, lazily (jieba's dictionary takes about a second)
and under one lock, so threads that tokenise at the same time share one instance.

Speed without changing a single output (issue #18; ``tests/test_ingest_speed_identity.py``):

* Traditional -> simplified goes through :class:`_Folder`: OpenCC's (opencc-python-reimplemented)
  pure-Python converter took over half of ingest. Its ``t2s`` is one dictionary group, phrases
  (2–14 characters) then single characters; a text in which no phrase key occurs is therefore
  converted character by character, which ``str.translate`` does in C with OpenCC's own table.
  Only a text containing a phrase key goes through ``OpenCC.convert`` itself.
* NFKC goes through :func:`_nfkc`: full-width punctuation made CPython normalise every chunk in full;
  replacing characters by their own NFKC forms first gives the same NFKC without that work.
* jieba cuts a text as independent blocks (its ``re_han_default`` split): the words of a text are
  the words of its blocks in order, so the words of each block are cached. Overlapping chunks and
  repeated lines are cut once.
* A block of Han characters, lower-case ASCII letters and digits only (most of Chinese news) is cut
  by rjieba, the Rust port of jieba (same dictionary, same DAG and HMM), about 15 times faster. It
  cuts such blocks exactly as jieba does: every one of jieba's 349k dictionary words, 130k random
  blocks and the 50k distinct blocks of CMRC/DRCD/XQuAD were compared word for word (and the
  tests keep comparing). Blocks holding ``+#&._%-`` go to jieba itself: rjieba keeps ``7-6`` or
  ``jean-pierre`` whole where jieba splits them.
"""
from __future__ import annotations

import functools
import logging
import re
import threading
import unicodedata
from collections.abc import Mapping
from typing import Any

log = logging.getLogger(__name__)

_lock = threading.Lock()
_jieba_module: Any = None
_rjieba_module: Any = None
_t2s: Any = None
# A letter or digit: a character of Unicode category L* or N*. ``re``'s ``\w`` less ``_`` is exactly
# that set (``str.isalnum``; checked over every code point in tests/test_ingest_speed_identity.py),
# and one regex search per word is several times faster than a category lookup per character.
LETTER_OR_DIGIT = re.compile(r"[^\W_]")
_BLOCK_CACHE = 65_536  # jieba blocks (runs between punctuation) remembered: a few MB at most
_CACHED_BLOCK_CHARS = 256  # sentence pieces are far shorter; longer blocks are cut every time
# The blocks rjieba cuts exactly as jieba does (upper case never reaches it: search forms are folded).
RUST_BLOCK = re.compile(r"[\u4E00-\u9FD5a-z0-9]+")
# Full-width ASCII forms and the ideographic space: the characters of Chinese news that NFKC changes.
_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")
_FULL_WIDTH_FORMS = {chr(c): unicodedata.normalize("NFKC", chr(c)) for c in (*range(0xFF01, 0xFF5F), 0x3000)}
_NFKC_CACHE = 65_536  # characters whose NFKC form is remembered (the 400-paragraph bench meets 4,400)


def search_form(text: str) -> str:
    """Return ``text`` folded for matching: NFKC, case-folded, traditional -> simplified.

    The length may change, so never use its offsets on the original text.

    >>> search_form("ＯｐｅｎＡＩ與微軟")
    'openai与微软'
    """
    return simplified(_nfkc(text).casefold())


def simplified(text: str) -> str:
    """Return ``text`` with traditional characters in their simplified form (OpenCC ``t2s``), and
    nothing else changed: the form the embedding model reads (``qa.embedding``).

    >>> simplified("微軟與蘋果的市值")
    '微软与苹果的市值'
    """
    return _converter().convert(text)


def _nfkc(text: str) -> str:
    """Return ``unicodedata.normalize("NFKC", text)``, about four times as fast on Chinese news.

    Full-width punctuation (，：（）) fails NFKC's quick check, so CPython normalised every
    chunk in full (decompose, reorder, compose): most of folding. Replacing characters by
    their own NFKC forms leaves the NFKD of the text unchanged (NFKD decomposes character by
    character, then puts marks in canonical order, the same for compatibility-equivalent
    pieces), so the NFKC of the result is the NFKC of the text; once the result passes the
    check, it is that NFKC. Full-width ASCII forms go first (a regex: rare in the text, cheaper
    than a pass over every character), then every character if the check still fails.
    tests/test_ingest_speed_identity.py compares the result with ``unicodedata.normalize``.
    """
    if unicodedata.is_normalized("NFKC", text):
        return text
    text = _FULL_WIDTH.sub(_full_width_form, text)
    if unicodedata.is_normalized("NFKC", text):
        return text
    return unicodedata.normalize("NFKC", text.translate(_NFKC_CHARS))


def _full_width_form(match: re.Match[str]) -> str:
    """Return the NFKC form (an ASCII character) of the full-width form ``match`` found."""
    return _FULL_WIDTH_FORMS[match.group()]


class _CharForms(dict):  # type: ignore[type-arg]
    """Code point -> its NFKC form, computed when first met (all of Unicode up front: 0.3 s)."""

    def __missing__(self, code: int) -> str:
        form = unicodedata.normalize("NFKC", chr(code))
        if len(self) < _NFKC_CACHE:  # a text of every code point must not grow it without bound
            self[code] = form
        return form


_NFKC_CHARS = _CharForms()


def tokenize(text: str) -> list[str]:
    """Return search tokens: jieba search-mode words of :func:`search_form`, no punctuation.

    Used the same way for indexing and for queries; English comes out lower-cased.

    >>> tokenize("微软向OpenAI注入了130亿美元。")[:3]
    ['微软', '向', 'openai']
    """
    blocks = _jieba().re_han_default.split(search_form(text))
    return [word for block in blocks if block
            for word in (_block_tokens(block) if len(block) <= _CACHED_BLOCK_CHARS else _cut(block))]


def _cut(block: str) -> tuple[str, ...]:
    """Return the ``cut_for_search`` words of one jieba block that hold a letter or digit."""
    if RUST_BLOCK.fullmatch(block):
        return tuple(w for w in _rjieba().cut_for_search(block, True) if LETTER_OR_DIGIT.search(w))
    return tuple(w for w in _jieba().cut_for_search(block) if LETTER_OR_DIGIT.search(w))


# The same words for every text the block occurs in; a long block (no punctuation for pages) is not
# kept, so the cache stays small whatever is uploaded.
_block_tokens = functools.lru_cache(maxsize=_BLOCK_CACHE)(_cut)


def tagged(text: str) -> list[tuple[str, str]]:
    """Return jieba's ``(word, part-of-speech tag)`` pairs for ``text`` (its default dictionary;
    tags such as ``nr`` person, ``ns`` place, ``eng`` Latin-script word)."""
    _jieba()
    import jieba.posseg

    return [(w.word, w.flag) for w in jieba.posseg.cut(text)]


def word_tags() -> Mapping[str, str]:
    """Return jieba's dictionary part-of-speech tags (word -> tag; ``nrt``: a transliterated name)."""
    _jieba()
    import jieba.posseg

    return jieba.posseg.dt.word_tag_tab


def clear_cache() -> None:
    """Forget the cached words of jieba blocks (benchmarks measure a cold batch with it)."""
    _block_tokens.cache_clear()


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


def _rjieba() -> Any:
    """Return the rjieba module (its dictionary loads on import, about 0.2 s), imported once."""
    global _rjieba_module
    if _rjieba_module is None:
        with _lock:
            if _rjieba_module is None:
                import rjieba

                _rjieba_module = rjieba
    return _rjieba_module


def _converter() -> Any:
    """Return the cached traditional -> simplified converter (OpenCC's ``t2s``, fast path in front)."""
    global _t2s
    if _t2s is None:
        with _lock:
            if _t2s is None:
                from opencc import OpenCC

                _t2s = _Folder(OpenCC("t2s"))
    return _t2s


class _Folder:
    """OpenCC ``t2s`` with the same output, fast where no phrase of its dictionary occurs.

    opencc-python-reimplemented splits the text at separators, then in each piece replaces the
    longest phrase key found anywhere, recursively left and right of it, and maps what no phrase
    covered character by character (the first of several values). Without a phrase key in the
    text, only that character map applies, so ``str.translate`` with it gives the same string;
    separators are never keys (checked here). Any other layout of OpenCC's data disables the
    fast path rather than guess.
    """

    def __init__(self, opencc: Any) -> None:
        self.opencc = opencc
        self.table: dict[int, str] | None = None
        self.phrases: re.Pattern[str] | None = None
        try:
            (phrase_dict, char_dict), = opencc._dict_chain_data  # loaded by OpenCC("t2s") itself
        except (AttributeError, TypeError, ValueError):
            log.warning("OpenCC's data is not laid out as expected: traditional -> simplified is slow")
            return
        if char_dict[0] != 1 or any(opencc.split_chars_re.fullmatch(k) for k in char_dict[2]):
            log.warning("OpenCC's character dictionary is not single non-separator characters: slow path")
            return
        self.table = {ord(k): v.split(" ")[0] for k, v in char_dict[2].items()}
        # The characters the table changes: a text without any (simplified Chinese, most often)
        # is its own translation, and a set lookup per character is twice as fast as translating.
        self.changed = frozenset(chr(k) for k, v in self.table.items() if v != chr(k))
        keys = sorted(phrase_dict[2], key=len, reverse=True)
        self.phrases = re.compile("|".join(map(re.escape, keys))) if keys else None

    def convert(self, text: str) -> str:
        """Return ``text`` traditional -> simplified, exactly as ``OpenCC("t2s").convert`` does."""
        if self.table is None:
            return self.opencc.convert(text)
        if self.phrases is None or self.phrases.search(text) is None:
            return text if self.changed.isdisjoint(text) else text.translate(self.table)
        # OpenCC converts the pieces between separators one by one; only a piece holding a phrase
        # key needs its own matching, the rest are mapped by character as above.
        pieces = self.opencc.split_chars_re.split(text)  # separators at odd indexes, kept verbatim
        for i in range(0, len(pieces), 2):
            piece = pieces[i]
            found = self.phrases.search(piece) is not None
            pieces[i] = self.opencc.convert(piece) if found else piece.translate(self.table)
        return "".join(pieces)
