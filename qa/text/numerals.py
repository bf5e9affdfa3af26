"""Chinese numerals written as digits (``cn2an``), so a question's 16 finds an article's 十六.

Questions usually write numbers in digits; articles and translations often in Chinese numerals
(第五十届, 十八世纪, 九成, 两千多年, 二〇一五年, 百分之七十五). :func:`as_digits` rewrites a text's
numerals as digits for the number test of :func:`qa.text.salient.present`, which tries it only
after the digits as written were not found. ``cn2an`` also turns the 一 of 一些 into 1, so a
question's "1" may be found where it is not; a number that small is weak evidence either way.

Example::

    >>> as_digits("第五十届超级碗")  # doctest: +SKIP
    '第50届超级碗'
"""
from __future__ import annotations

import functools
import logging
import re
import warnings

log = logging.getLogger(__name__)

_NUMERAL = re.compile("[零〇一二两三四五六七八九十百千万亿]")
_TEXTS_KEPT = 8_192  # a question's candidate sentences and passages repeat across its terms


@functools.lru_cache(maxsize=_TEXTS_KEPT)
def as_digits(text: str) -> str:
    """Return ``text`` with its Chinese numerals as digits (十六 → 16, 三分之一 → 1/3, 百分之七十五
    → 75%); ``text`` itself when it has none or cn2an cannot read it (logged once per text)."""
    if not _NUMERAL.search(text):
        return text
    import cn2an  # imported on first use: it reads its configuration file

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # it warns about every lone 万/亿 it leaves as written
            return cn2an.transform(text, "cn2an")
    except Exception as exc:  # an aid only: the digits as written were tried already
        log.debug("cn2an could not read %r: %s", text[:40], exc)
        return text
