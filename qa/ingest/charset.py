"""Turn the bytes of a corpus file into text: UTF-8 first, then a detected Chinese encoding.

Order of attempts (first success wins):

1. a byte-order mark (UTF-8, UTF-16 LE/BE) decides;
2. NUL bytes without a UTF-16 BOM mean binary content;
3. strict UTF-8; UTF-8 that is cut off inside its last character is refused as truncated
   (guessing another encoding for it would give mojibake);
4. an encoding the caller found declared in the file (an HTML ``<meta charset>``);
5. detection with ``charset-normalizer``; GBK / GB2312 / CP936 are decoded as GB18030 (their
   superset), Big5 as Big5-HKSCS (its superset).  When nothing fits, UTF-8 spoilt by a few bad
   bytes is reported with the first bad byte's offset, anything else as binary.

The decoded text must look like text (few control characters), otherwise the content is
reported as binary.  Every failure is a :class:`ValueError` whose message is the reason only;
the corpus loader adds the file name.
"""
from __future__ import annotations

import codecs
import logging
import unicodedata

from charset_normalizer import from_bytes

log = logging.getLogger(__name__)

BINARY = "not a text file (binary content)"
TRUNCATED = ("truncated UTF-8: the file ends in the middle of a character (cut off while being "
             "written or copied?); save it again in full")

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
# UTF-8 with at most one undecodable character in this many (and at least one allowed) is
# reported as spoilt UTF-8 rather than an unknown encoding: hand-set, not measured.
_CHARS_PER_BAD_UTF8 = 100


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
        if codec == "utf-8" and _truncated_utf8(data):
            raise ValueError(TRUNCATED)
    try:
        return _detect(data)
    except ValueError:
        raise ValueError(_mostly_utf8(data) or BINARY) from None


def _mostly_utf8(data: bytes) -> str | None:
    """Return a message naming the first bad byte when ``data`` is UTF-8 but for a few bytes."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        text = data.decode("utf-8", errors="replace")
        if text.count("\ufffd") <= max(1, len(text) // _CHARS_PER_BAD_UTF8):
            return (f"not valid UTF-8 (byte {data[exc.start]:#04x} at offset {exc.start}) and no other "
                    "encoding fits; save the file as UTF-8")
    return None


def _truncated_utf8(data: bytes) -> bool:
    """Whether ``data`` is valid UTF-8 except for an incomplete character at its very end."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.reason == "unexpected end of data" and exc.end == len(data) and len(data) - exc.start < 4
    return False


def _detect(data: bytes) -> tuple[str, str]:
    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise ValueError(BINARY)
    codec = canonical_encoding(best.encoding) or best.encoding
    text = _strict(data, codec)
    if text is None:  # the superset codec should never be stricter; fall back to the detector
        text, codec = str(best), best.encoding
    log.debug("detected encoding %s", codec)
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
        log.debug("decoding as %s gives %d control characters of %d", codec, bad, len(sample))
        raise ValueError(BINARY)
    return text


def _is_garbage(ch: str) -> bool:
    if ch in "\t\n\r\f\v":
        return False
    category = unicodedata.category(ch)
    return category in ("Cc", "Cn", "Co", "Cs")
