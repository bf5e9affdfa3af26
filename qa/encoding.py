"""Turn the bytes of a corpus file into text: UTF-8 first, then a detected Chinese encoding.

Order of attempts (first success wins):

1. a byte-order mark (UTF-8, UTF-16 LE/BE) decides;
2. NUL bytes without a UTF-16 BOM mean binary content;
3. strict UTF-8;
4. an encoding the caller found declared in the file (an HTML ``<meta charset>``);
5. detection with ``charset-normalizer``; GBK / GB2312 / CP936 are decoded as GB18030 (their
   superset), Big5 as Big5-HKSCS (its superset).

The decoded text must look like text (few control characters), otherwise the content is
reported as binary.  Every failure is a :class:`ValueError` whose message is the reason only;
the corpus loader adds the file name.
"""
from __future__ import annotations

import codecs
import logging
import unicodedata

from charset_normalizer import from_bytes

logger = logging.getLogger(__name__)

BINARY = "not a text file (binary content)"

# Detected (or declared) names decoded with a superset codec instead.
_SUPERSETS = {
    "gbk": "gb18030",
    "gb2312": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "euc_cn": "gb18030",
    "hz": "gb18030",
    "big5": "big5hkscs",
    "cp950": "big5hkscs",
}
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_MAX_CONTROL_SHARE = 0.02  # share of control / unassigned characters tolerated in text
_SAMPLE_CHARS = 200_000  # characters inspected for that share


def canonical_encoding(name: str) -> str | None:
    """Return the Python codec to use for the encoding ``name``, or ``None`` if unknown.

    Returns:
        A codec name such as ``"gb18030"``; GBK-family and Big5 names map to their supersets.
    """
    try:
        codec = codecs.lookup(name.strip().lower()).name
    except (LookupError, ValueError):
        return None
    return _SUPERSETS.get(codec.replace("-", "_"), codec)


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode ``data`` and return ``(text, encoding)``.

    Args:
        data: the raw file content.
        declared: an encoding named inside the file (e.g. an HTML meta charset), tried after
            strict UTF-8 and before detection.

    Returns:
        The decoded text (a leading BOM removed) and the codec name used.

    Raises:
        ValueError: the content is binary or has no plausible text decoding.
    """
    for bom, codec in _BOMS:
        text = _strict(data, codec) if data.startswith(bom) else None
        if text is not None:
            return _checked(text, codec), codec
    if b"\x00" in data:
        raise ValueError(BINARY)
    for codec in ("utf-8", canonical_encoding(declared) if declared else None):
        text = _strict(data, codec) if codec else None
        if text is not None:
            return _checked(text, codec), codec
    return _detect(data)


def _detect(data: bytes) -> tuple[str, str]:
    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise ValueError(BINARY)
    codec = canonical_encoding(best.encoding) or best.encoding
    text = _strict(data, codec)
    if text is None:  # the superset codec should never be stricter; fall back to the detector
        text, codec = str(best), best.encoding
    logger.debug("detected encoding %s", codec)
    return _checked(text, codec), codec


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _checked(text: str, codec: str) -> str:
    """Return ``text`` if it looks like text, else raise the binary-content error."""
    if "\x00" in text:
        raise ValueError(BINARY)
    sample = text[:_SAMPLE_CHARS]
    bad = sum(1 for ch in sample if _is_garbage(ch))
    if sample and bad / len(sample) > _MAX_CONTROL_SHARE:
        logger.debug("decoding as %s gives %d control characters of %d", codec, bad, len(sample))
        raise ValueError(BINARY)
    return text


def _is_garbage(ch: str) -> bool:
    if ch in "\t\n\r\f\v":
        return False
    category = unicodedata.category(ch)
    return category in ("Cc", "Cn", "Co", "Cs")
