"""Chinese forms of a question's Latin-script names, as the indexed articles write them.

An article gives a foreign name's original once, in brackets beside its Chinese form
(拉里・埃里森(Larry Ellison), 甲骨文(Oracle)), then writes the Chinese form alone. For each name
of an English question, the chunks that hold it are read from the keyword index and their
bracketed pairs (:mod:`qa.text.pairs`) give the forms: "Ellison" → 埃里森, "Oracle" → 甲骨文.

The pairs are read from the index when asked rather than kept in a table of their own: they are
then always those of the articles indexed now (an article removed takes its pairs with it, one
added brings its own), on every backend, at the cost of one keyword lookup per name. A
question's names are looked up twice, by retrieval and again by the ranker (which may be given
passages retrieved elsewhere).

Example::

    >>> with kb.reader.view() as view:                      # doctest: +SKIP
    ...     corpus_aliases(view, ["Larry Ellison", "Oracle"])
    {'Larry Ellison': ('拉里・埃里森',), 'Oracle': ('甲骨文',)}
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from qa.index.backend import SearchView
from qa.index.filters import Filters
from qa.text import tokenize
from qa.text.pairs import NAME_START, chinese_forms, name_pairs
from qa.text.translate import keyword_language, names

log = logging.getLogger(__name__)

# Chunks read per name: a pair is written at an article's first mention, so the best-scoring
# chunks holding the name's words (short, name-dense ones first) hold most pairs there are.
ALIAS_CHUNKS = 20
# A name whose rarest word is in more chunks than this is not looked up: ranking that many
# keyword matches would cost more than a question's whole retrieval, and so common a name is
# usually one the dictionary knows (Microsoft → 微软).
ALIAS_MAX_CHUNKS = 5_000
_LATIN_WORD = rf"{NAME_START}[A-Za-z0-9'&-]*"
_LATIN_RUN = re.compile(rf"{_LATIN_WORD}(?: {_LATIN_WORD})*")


def question_aliases(view: SearchView, question: str) -> dict[str, tuple[str, ...]]:
    """Return the Chinese forms the articles give the Latin-script names of ``question``
    (:func:`corpus_aliases`): the capitalised names of an English question, the Latin-script
    words of a Chinese one ("Ellison是哪家公司的CEO？")."""
    if keyword_language(question) == "en":
        found = [name for name, _ in names(question)]
    else:
        found = [m.group() for m in _LATIN_RUN.finditer(question)]
    return corpus_aliases(view, found)


def corpus_aliases(view: SearchView, latin_names: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Return, for each Latin-script name in ``latin_names`` that the indexed articles write beside a
    Chinese form, those forms (most frequent first); names without any are left out."""
    wanted = {n: tokenize(n) for n in dict.fromkeys(latin_names) if n.strip()}
    wanted = {n: ts for n, ts in wanted.items() if ts and all(t.isascii() for t in ts)}
    if not wanted:
        return {}
    freq, _ = view.doc_freq(sorted({t for ts in wanted.values() for t in ts}))
    out = {}
    for name, tokens in wanted.items():
        counts = [freq.get(t, 0) for t in tokens]
        if min(counts) == 0 or min(counts) > ALIAS_MAX_CHUNKS:
            continue
        hits = view.keyword_search(list(dict.fromkeys(tokens)), ALIAS_CHUNKS, Filters())
        rows = view.chunks_by_id([rid for rid, _ in hits])
        forms = chinese_forms(name, (p for sc in rows.values() for p in name_pairs(sc.chunk.text)))
        if forms:
            out[name] = forms
    log.debug("corpus aliases %s", out)
    return out
