"""Chinese numerals written as digits (``cn2an``), so a question's 16 finds an article's 十六.

Questions usually write numbers in digits; articles and translations often in Chinese numerals
(第五十届, 十八世纪, 九成, 两千多年, 二〇一五年, 百分之七十五). :func:`as_digits` rewrites a text's
numerals as digits for the number test of :func:`qa.text.salient.present`, which tries it only
after the digits as written were not found. ``cn2an`` also turns the 一 of 一些 into 1, so a
question's "1" may be found where it is not; a number that small is weak evidence either way.

English amounts go the other way (:func:`english_amounts`): "$6.6 billion" is 66亿 in Chinese
news, "650 million" 6.5亿, "20,000" 2万.

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
_ENGLISH_AMOUNT = re.compile(r"(?<![a-z0-9.,])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![a-z0-9]|\.\d)"
                             r"(?:\s*(billion|million|thousand|bn)\b)?")
_SCALES = {"billion": 1e9, "bn": 1e9, "million": 1e6, "thousand": 1e3}
_CHINESE_UNITS = ((1e8, "亿"), (1e4, "万"))


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


def english_amounts(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """Return the numbers of an English ``text`` (lower case) as written, each with its forms: as
    written, without thousands separators, and in the largest Chinese unit it reaches.

    >>> english_amounts("a $6.6 billion round, 20,000 staff, in 2024")
    [('6.6', ('6.6', '66亿')), ('20,000', ('20,000', '20000', '2万')), ('2024', ('2024',))]
    """
    out = []
    for m in _ENGLISH_AMOUNT.finditer(text):
        digits, scale = m.group(1).replace(",", ""), m.group(2)
        value = float(digits) * _SCALES.get(scale or "", 1)
        chinese = [f"{value / unit:g}{name}" for unit, name in _CHINESE_UNITS if value >= unit]
        out.append((m.group(1), tuple(dict.fromkeys([m.group(1), digits, *chinese[:1]]))))
    return out
