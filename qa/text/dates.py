"""Dates in questions and in news: which numbers a question gives as dates, and the years an
article means by 今年 and 去年.

A year or month a question names is almost always written in the paragraph that answers it,
so a passage lacking it is strong evidence against answering (``missing_date`` in
:mod:`qa.answering.features`). News writes years relative to its date: an article of 2025-04-30
says 今年1月 for a question's 2025年1月.

Example::

    >>> chinese_dated("475年6月，长寿王讨伐了哪儿", 0, 3), english_dated("a bid in 1915", "1915")
    (True, True)
"""
from __future__ import annotations

import re

_TIME_UNIT = re.compile(r"\s*(?:年|月|日|号|世纪)")
# a counter after a number: 2000名 counts people, it is no year
_COUNTED = re.compile(r"\s*(?:多|余)?[名个人位家台件元亿万千百只辆次倍米克吨股票美港英欧日韩]")
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_RELATIVE_YEARS = {"前年": -2, "去年": -1, "今年": 0, "明年": 1}
_DATE_YEAR = re.compile(r"^\s*(\d{4})(?!\d)")


def chinese_dated(folded: str, start: int, end: int) -> bool:
    """Whether the number at ``folded[start:end]`` (a Chinese question's search form) is a date:
    followed by a unit of time (6月, 15日, 19世纪, 80年代), or read as a year that counts
    nothing (2000到2005, not 2000名)."""
    return bool(_TIME_UNIT.match(folded, end)) or (_year(folded[start:end]) and not _COUNTED.match(folded, end))


def english_dated(folded: str, number: str) -> bool:
    """Whether ``number`` of an English question (its search form ``folded``) is a date: a year,
    or a day beside a month's name ("12 March", "March 3rd")."""
    day = re.escape(number)
    return _year(number) or re.search(rf"\b(?:{_MONTHS})\s+{day}\b|\b{day}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\b",
                                      folded) is not None


def relative_years(text: str, date: str | None) -> str:
    """Return the years ``text`` means by 今年, 去年, 前年 and 明年, as ``"2025年"`` forms separated
    by spaces, read against ``date`` (the article's date, ``YYYY-MM-DD`` or a leading year);
    "" when it has none of them or the date gives no year.

    >>> relative_years("今年1月,去年6月", "2025-04-30")
    '2024年 2025年'
    """
    m = _DATE_YEAR.match(date or "")
    if not m:
        return ""
    year = int(m.group(1))
    return " ".join(f"{year + shift}年" for word, shift in _RELATIVE_YEARS.items() if word in text)


def _year(text: str) -> bool:
    return len(text) == 4 and text.isdigit() and 1000 <= int(text) <= 2099
