"""Date and outlet filters, validated once and turned into SQL over ``articles a``."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from qa.ingest.corpus import parse_date
from qa.text.normalize import first_surrogate

_MAX_DATE_CHARS = 100  # longer input is no date; its message shows only the start


@dataclass(frozen=True)
class Filters:
    """Restrict retrieval to articles dated ``since``..``until`` (inclusive) from ``sources``.

    Undated articles are excluded as soon as a date bound is given: they cannot be shown to
    fall inside the range.
    """

    since: str | None = None
    until: str | None = None
    sources: tuple[str, ...] | None = None

    @classmethod
    def make(cls, since: Any = None, until: Any = None, sources: Iterable[str] | str | None = None) -> "Filters":
        """Return validated filters.

        Raises:
            ValueError: a date does not parse, ``since`` is after ``until``, or ``sources`` is not
                strings of valid Unicode.
        """
        for value in (since, until):
            if isinstance(value, str) and len(value) > _MAX_DATE_CHARS:
                raise ValueError(f"filter date: unrecognised date {value[:40]!r}… ({len(value)} characters); "
                                 "use YYYY-MM-DD")
        try:
            lo, hi = parse_date(since), parse_date(until)
        except ValueError as exc:
            raise ValueError(f"filter date: {exc}") from None
        if lo and hi and lo > hi:
            raise ValueError(f"filter dates are reversed: since {lo} is after until {hi}")
        if isinstance(sources, str):
            sources = [sources]
        srcs = None
        if sources is not None:
            sources = list(sources)
            if any(not isinstance(s, str) for s in sources):
                raise ValueError("sources must be a list of outlet names (strings)")
            bad = next((m for m in map(first_surrogate, sources) if m), None)
            if bad:
                raise ValueError(f"an outlet name is not valid Unicode (unpaired surrogate "
                                 f"{ascii(bad.group())[1:-1]}); type it again")
            srcs = tuple(s.strip() for s in sources if s.strip())
        return cls(lo, hi, srcs)

    @property
    def active(self) -> bool:
        """True when anything is restricted."""
        return bool(self.since or self.until or self.sources is not None)

    def where(self) -> tuple[str, list[Any]]:
        """Return an SQL condition over ``articles a`` and its parameters (``"1"`` when inactive)."""
        clauses: list[str] = []
        params: list[Any] = []
        if self.since:
            clauses.append("a.date >= ?")
            params.append(self.since)
        if self.until:
            clauses.append("a.date <= ?")
            params.append(self.until)
        if self.sources is not None:
            clauses.append(f"a.source IN ({','.join('?' * len(self.sources))})" if self.sources else "0")
            params.extend(self.sources)
        return (" AND ".join(clauses) or "1"), params
