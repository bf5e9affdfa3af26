"""Chinese numerals written as digits (``cn2an``), so a question's 16 finds an article's 十六.

Questions usually write numbers in digits; articles and translations often in Chinese numerals
(第五十届, 十八世纪, 九成, 两千多年, 二〇一五年, 百分之七十五). :func:`as_digits` rewrites a text's
numerals as digits for the number test of :func:`qa.text.salient.present`, which tries it only
after the digits as written were not found. ``cn2an`` also turns the 一 of 一些 into 1, so a
question's "1" may be found where it is not; a number that small is weak evidence either way.

English amounts go the other way (:func:`english_amounts`): "$6.6 billion" is 66亿 in Chinese
news, "650 million" 6.5亿, "20,000" 2万. So do English periods and ordinals
(:func:`english_periods`): "the 1700s" is 18世纪, "the 1990s" 1990年代 or 90年代, "the 15th century"
15世纪 or 十五世纪, "Henry III" 亨利三世, "Super Bowl XXXIII" 第33届超级碗.

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
_ORDINAL = re.compile(r"(?<![A-Za-z0-9.])(\d{1,3})(?:st|nd|rd|th)(?![A-Za-z0-9])")
_DECADE = re.compile(r"(?<![A-Za-z0-9.])(\d{1,3}0)s(?![A-Za-z0-9])")
# a Roman numeral after a capitalised word: a king's (Henry III), a championship's (Super Bowl XXXIII)
_ROMAN = re.compile(r"\b[A-Z][a-z]+ +(?=[IVX])(X{0,3}(?:IX|IV|V?I{0,3}))(?![A-Za-z0-9])")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10}
_REGNAL_MAX = 20  # 亨利三世, 伊丽莎白二世: past twenty a Roman numeral numbers an edition, not a monarch


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


# 七成 is 70 %: a tenth after a digit (两 for 2), not the 成 of 成员, 成立, 成为… (5成员国, 3成立)
_TENTHS = re.compile(r"(?<!\d)(?<!\d\.)([1-9]|两)成(?![员立为功本果绩熟长交都型年人])")


def tenths_as_percent(text: str) -> str:
    """Return ``text`` (its digits as :func:`as_digits` writes them) with tenths as percent: news
    writes 近七成 where another article or the question writes 70%.

    >>> tenths_as_percent("近7成用户，两成来自海外，5成员国")
    '近70%用户，20%来自海外，5成员国'
    """
    return _TENTHS.sub(lambda m: f"{2 if m.group(1) == '两' else m.group(1)}0%", text)


def tenths_forms(number: str, after: str) -> tuple[str, ...]:
    """Return a question's number as written and, where 成 after it makes it tenths, as a percent
    (9成 → 9, 90), for an article that writes 90%; ``after`` is the text that follows it.

    >>> tenths_forms("9", "成以上"), tenths_forms("5", "成员国")
    (('9', '90'), ('5',))
    """
    if len(number) == 1 and tenths_as_percent(number + after) != number + after:
        return (number, number + "0")
    return (number,)


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


def english_periods(text: str) -> list[str]:
    """Return the Chinese forms of the ordinals, decades, centuries and Roman numerals of an
    English ``text``: "15th" → 15 and 十五 (15世纪, 十五世纪 beside "century"), "1700s" → 1700年代 and
    18世纪, "1990s" → 1990年代 and 90年代, "Henry III" → 3 and 三世, "Super Bowl XXXIII" → 33.

    >>> english_periods("Who fled by the 1700s, in the 15th century, under Henry III?")
    ['1700年代', '18世纪', '十八世纪', '15', '十五', '15世纪', '十五世纪', '3', '三世']
    """
    out: list[str] = []
    for m in _DECADE.finditer(text):
        year = int(m.group(1))
        out.append(f"{year}年代")
        if year % 100 == 0 and year >= 100:  # the 1700s: the eighteenth century
            out += [f"{year // 100 + 1}世纪", f"{_chinese(year // 100 + 1)}世纪"]
        elif year >= 1000:  # the 1990s: also 90年代
            out.append(f"{year % 100:02d}年代")
    for m in _ORDINAL.finditer(text):
        n = int(m.group(1))
        out += [str(n), _chinese(n)]
        if re.match(r"[\s-]+centur", text[m.end():]):
            out += [f"{n}世纪", f"{_chinese(n)}世纪"]
    for m in _ROMAN.finditer(text):
        n = _roman(m.group(1))
        if n:
            out += [str(n), *([f"{_chinese(n)}世"] if n <= _REGNAL_MAX else [])]
    return list(dict.fromkeys(out))


def _roman(numeral: str) -> int:
    """Return the value of a Roman numeral below 40 (0 for an empty one)."""
    values = [_ROMAN_VALUES[c] for c in numeral]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def _chinese(n: int) -> str:
    """Return ``n`` in Chinese numerals (``cn2an``): 15 → 十五, 3 → 三, 100 → 一百."""
    import cn2an  # imported on first use: it reads its configuration file

    return str(cn2an.an2cn(n))
