"""How exact and near-duplicate articles (reposts of the same story) are recognised.

- :func:`content_key` — SHA-1 of ``search_form(text)`` with all whitespace removed: copies that
  differ only in whitespace, width (NFKC), case or traditional/simplified script share it.
- :func:`signature` — a MinHash as datasketch's (``num_perm`` permutations, seed 1, the "legacy"
  permutation scheme, which is the same in datasketch 1.x and 2.x), computed here byte for byte as
  ``MinHash.update_batch`` does but 2.35x faster (tests/test_dedup.py compares the two), over the set of character
  4-shingles of ``search_form(text)`` with everything but letters and digits removed.  It is
  stored as the hash values, uint64 little-endian (``8 * num_perm`` bytes, 1 kB by default).
- :func:`band_keys` — the LSH band keys of a signature: one 8-byte BLAKE2b digest per band of
  ``BAND_ROWS`` hash values.  Articles that share a band key are near-duplicate candidates;
  ``qa.index.writing`` stores the keys in the index's ``lsh`` table and verifies candidates
  with :func:`similarity` against ``Settings.near_duplicate_threshold``.
- :func:`similarity` — the estimated Jaccard similarity of two signatures.

Signatures and band keys are stored in the index, so their bytes must never change: the
tests pin them for a fixed text.

The threshold (``Settings.near_duplicate_threshold``, default 0.7) was measured on the two
bundled seed articles, 4-shingles; estimated Jaccard with 128 permutations (exact Jaccard of
the shingle sets in brackets)::

    seed 001 vs a repost of it (new headline line, repost notice line,
        4 sentences reworded; about 3,000 characters)                 0.89  (0.96)
    ... 8 sentences reworded and the closing paragraph cut             0.84  (0.89)
    ... only the first half of the article                             0.54  (0.57)
    seed 000 vs seed 001 (both on the OpenAI-Microsoft rift)           0.03  (0.03)
    seed 000 vs half of 000 spliced to half of 001                     0.35  (0.38)

The estimate's standard deviation is about 0.02 here: over 20 seeds the 4-edit repost scored
0.96 on average, 0.89 at worst.  0.7 leaves a wide margin both below the reposts to group
(>= 0.84) and above different articles on the same story (0.03) or splices (0.35).  A
half-article repost is deliberately *not* grouped: it lacks the other half's sentences.
5-shingles order the cases the same way (exact 0.96 / 0.89 / 0.56 / 0.02); 4 is a little
more tolerant of small edits in short texts.
"""
from __future__ import annotations

import functools
import hashlib
import re

import numpy as np

from qa.text.tokens import search_form

SHINGLE_SIZE = 4  # measured against 5 above: same ordering, more tolerant of small edits
NUM_PERM = 128  # datasketch's default; 1 kB a signature, estimate standard deviation ~0.02 (above)
# 128 permutations in 32 bands of 4: a pair at Jaccard 0.5 shares a band key 87 % of the time,
# at the 0.7 threshold 99.98 %, at 0.3 (a splice) 23 %: 1 - (1 - s**4) ** 32.
BAND_ROWS = 4
_BAND_KEY_BYTES = 8  # 2**64 keys per band: collisions between unrelated bands are negligible
_SEED = 1  # fixed so that signatures stored by one process compare with those of another
# Everything but letters and digits (Unicode categories L* and N*): ``\W`` and ``_`` are exactly that
# set (see ``qa.text.tokens.LETTER_OR_DIGIT``); one regex pass, not a category lookup per character.
_NOT_LETTER_OR_DIGIT = re.compile(r"[\W_]+")
# datasketch's legacy constants (datasketch.minhash._mersenne_prime, _max_hash), also as numpy scalars.
_MERSENNE = (1 << 61) - 1
_PRIME = np.uint64(_MERSENNE)
_MAX_HASH = (1 << 32) - 1
_MAX = np.uint64(_MAX_HASH)
_SHIFT = np.uint64(61)
_ONE = np.uint64(1)
try:  # CPython's own SHA-1: OpenSSL's (hashlib.sha1) costs more to set up per call, and a shingle
    # is a few bytes (same digests; 400 articles: 0.18 s -> 0.14 s).
    from _sha1 import sha1 as _sha1
except ImportError:  # a Python built without it
    _sha1 = hashlib.sha1
_sha1_digest = type(_sha1()).digest


def content_key(text: str) -> str:
    """Return the exact-duplicate key of ``text``.

    Returns:
        The hex SHA-1 of ``search_form(text)`` with all whitespace removed.
    """
    folded = "".join(_folded(text).split())
    return hashlib.sha1(folded.encode("utf-8")).hexdigest()


def shingles(text: str, size: int = SHINGLE_SIZE) -> set[str]:
    """Return the character ``size``-shingles of ``text`` in search form, letters and digits only.

    Returns:
        The set of shingles; a non-empty text shorter than ``size`` is one shingle.
    """
    clean = _NOT_LETTER_OR_DIGIT.sub("", _folded(text))
    if len(clean) <= size:
        return {clean} if clean else set()
    return {clean[i:i + size] for i in range(len(clean) - size + 1)}


def signature(text: str, num_perm: int = NUM_PERM) -> bytes:
    """Return the MinHash signature of ``text`` as bytes (uint64 little-endian hash values).

    Returns:
        ``8 * num_perm`` bytes.  Two empty texts have equal signatures.
    """
    found = shingles(text)
    if not found:  # datasketch leaves the initial values (all _MAX_HASH) when nothing is added
        return np.full(num_perm, _MAX_HASH, dtype="<u8").tobytes()
    a, b = _permutations(num_perm)
    # datasketch's sha1_hash32: the first 4 bytes of each shingle's SHA-1, little-endian; the
    # digests joined and read as uint32 take every fifth value (a SHA-1 digest is 5 of them).
    # map() keeps the per-shingle loop in C.
    digests = b"".join(map(_sha1_digest, map(_sha1, map(str.encode, found))))
    hashed = np.frombuffer(digests, dtype="<u4")[::5].astype(np.uint64)
    return _permuted_minimum(hashed, a, b).astype("<u8").tobytes()


def _permuted_minimum(hashed: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Return datasketch's legacy ``min over values of ((a * v + b) mod p) & _MAX_HASH`` per permutation.

    Same uint64 arithmetic (``a * v + b`` wraps at 2**64, as in datasketch), but ``mod p`` for the
    Mersenne prime p = 2**61 - 1 by shifts and adds instead of a division (3x faster): with
    x = hi * 2**61 + lo, x ≡ hi + lo (mod p) and r = hi + lo < 2p; r >= p exactly when r + 1
    carries into bit 61, and then r - p has the low 32 bits of r + 1 (2**61 is a multiple of 2**32),
    which is all the final mask keeps.
    """
    x = np.multiply.outer(hashed, a)
    x += b
    high = x >> _SHIFT
    x &= _PRIME
    x += high
    x += (x + _ONE) >> _SHIFT
    x &= _MAX
    return x.min(axis=0)


@functools.lru_cache(maxsize=8)
def _folded(text: str) -> str:
    """Return ``search_form(text)``, remembered for the last few texts: an article's key and its
    signature are computed one after the other from the same text."""
    return search_form(text)


@functools.lru_cache(maxsize=4)
def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the permutation parameters ``(a, b)`` datasketch's ``MinHash(num_perm, seed=_SEED)``
    draws in its legacy scheme, made once.

    Drawn here rather than by constructing a ``MinHash``: importing datasketch (its LSH, storage
    back-ends and scipy) took 0.56 s in every writing process. tests/test_dedup.py checks
    these values, and whole signatures, against datasketch itself.
    """
    gen = np.random.RandomState(_SEED)
    pairs = [(gen.randint(1, _MERSENNE, dtype=np.uint64), gen.randint(0, _MERSENNE, dtype=np.uint64))
             for _ in range(num_perm)]
    a, b = np.array(pairs, dtype=np.uint64).T
    return a, b


def band_keys(sig: bytes) -> tuple[bytes, ...]:
    """Return the LSH band keys of a signature, one per band of ``BAND_ROWS`` hash values.

    Returns:
        ``ceil(permutations / BAND_ROWS)`` keys (32 for the default 128 permutations), each
        the 8-byte BLAKE2b digest of the band's little-endian uint64 values, in band order.

    Raises:
        ValueError: the signature is malformed.
    """
    raw = _values(sig).tobytes()
    step = BAND_ROWS * 8
    return tuple(hashlib.blake2b(raw[i:i + step], digest_size=_BAND_KEY_BYTES).digest()
                 for i in range(0, len(raw), step))


def _values(sig: bytes) -> np.ndarray:
    """Return the hash values of a signature; raise ValueError when it is malformed."""
    if not isinstance(sig, (bytes, bytearray, memoryview)) or len(sig) == 0 or len(sig) % 8:
        raise ValueError("a signature is a non-empty bytes value of 8 bytes per permutation")
    return np.frombuffer(bytes(sig), dtype="<u8")


def similarity(sig_a: bytes, sig_b: bytes) -> float:
    """Return the estimated Jaccard similarity of the shingle sets behind two signatures.

    Returns:
        The share of equal hash values, in ``[0, 1]``.

    Raises:
        ValueError: a signature is malformed or they have different lengths.
    """
    a, b = _values(sig_a), _values(sig_b)
    if len(a) != len(b):
        raise ValueError(f"signatures of different lengths ({len(a)} and {len(b)} permutations)")
    return float(np.count_nonzero(a == b)) / len(a)
