"""The one check of a question (or search query) and its ``k``, shared by the library, the CLI
and the chat: what every entry point refuses, with the same message."""
from __future__ import annotations

from qa.text.normalize import first_surrogate

MAX_QUERY_CHARS = 2000
MAX_K = 1000  # more passages than anyone reads; larger k overflowed SQLite's LIMIT


def validate_query(query: object, k: object) -> str:
    """Return the stripped query.

    Raises:
        ValueError: the query is not a non-empty string of at most 2,000 characters of valid
            Unicode (no unpaired surrogates), or k is not a whole number from 1 to 1,000.
    """
    if not isinstance(query, str) or not query.strip():
        raise ValueError("the question is empty; type a question, e.g. 微软为什么聘请苏莱曼？")
    if len(query) > MAX_QUERY_CHARS:
        raise ValueError(f"the question is {len(query)} characters long; the limit is {MAX_QUERY_CHARS}")
    bad = first_surrogate(query)
    if bad:
        raise ValueError(f"the question is not valid Unicode (unpaired surrogate {ascii(bad.group())[1:-1]} at "
                         f"character {bad.start()}); type it again")
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
        raise ValueError(f"k must be a whole number from 1 to {MAX_K}, got {k!r}")
    return query.strip()
