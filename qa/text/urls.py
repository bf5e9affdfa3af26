"""Web links found in articles and forms: accept only http(s) URLs with a host.

Used by the ingest stage (a pasted article's link is refused unless it passes) and by the
presentation stage (a link is rendered only if it passes), so both apply the same rule.

Example::

    >>> safe_url(" https://example.com/a b ")
    'https://example.com/a%20b'
    >>> safe_url("javascript:alert(1)") is None
    True
"""
from __future__ import annotations

from urllib.parse import quote, urlsplit

__all__ = ["safe_url"]

# Reserved and unreserved URL characters (RFC 3986) plus "%" (already-encoded input); not
# ( ) < > ' " or spaces, which could end a Markdown link or an HTML attribute.
_URL_SAFE = "/:?#@!$&*+,;=%~-._"


def safe_url(url: str | None) -> str | None:
    """Return ``url`` stripped and percent-encoded (safe inside a Markdown link), or ``None``
    unless it is an ``http``/``https`` URL with a host."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return quote(url, safe=_URL_SAFE)
