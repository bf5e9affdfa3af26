"""Find exact and near-duplicate articles (reposts of the same story).

- :func:`content_key` — SHA-1 of ``search_form(text)`` with all whitespace removed: copies that
  differ only in whitespace, width (NFKC), case or traditional/simplified script share it.
- :func:`signature` — a MinHash (datasketch, ``num_perm`` permutations, seed 1, the "legacy"
  permutation scheme, which is the same in datasketch 1.x and 2.x) over the set of character
  4-shingles of ``search_form(text)`` with everything but letters and digits removed.  It is
  stored as the hash values, uint64 little-endian (``8 * num_perm`` bytes, 1 kB by default).
- :class:`NearDuplicateIndex` — an LSH index over signatures; :meth:`~NearDuplicateIndex.find`
  verifies the LSH candidates by their estimated Jaccard similarity.

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

import hashlib
import inspect
import logging
import unicodedata
from collections.abc import Iterable

import numpy as np
from datasketch import MinHash, MinHashLSH

from qa.text import search_form
from qa.types import Article

logger = logging.getLogger(__name__)

SHINGLE_SIZE = 4
NUM_PERM = 128
DEFAULT_THRESHOLD = 0.7
_SEED = 1
_MAX_LSH_THRESHOLD = 0.9
_SCHEME = {"scheme": "legacy"} if "scheme" in inspect.signature(MinHash.__init__).parameters else {}


def content_key(text: str) -> str:
    """Return the exact-duplicate key of ``text``.

    Returns:
        The hex SHA-1 of ``search_form(text)`` with all whitespace removed.
    """
    folded = "".join(search_form(text).split())
    return hashlib.sha1(folded.encode("utf-8")).hexdigest()


def shingles(text: str, size: int = SHINGLE_SIZE) -> set[str]:
    """Return the character ``size``-shingles of ``text`` in search form, letters and digits only.

    Returns:
        The set of shingles; a non-empty text shorter than ``size`` is one shingle.
    """
    clean = "".join(ch for ch in search_form(text) if unicodedata.category(ch)[0] in "LN")
    if len(clean) <= size:
        return {clean} if clean else set()
    return {clean[i:i + size] for i in range(len(clean) - size + 1)}


def signature(text: str, num_perm: int = NUM_PERM) -> bytes:
    """Return the MinHash signature of ``text`` as bytes (uint64 little-endian hash values).

    Returns:
        ``8 * num_perm`` bytes.  Two empty texts have equal signatures.
    """
    minhash = MinHash(num_perm=num_perm, seed=_SEED, **_SCHEME)
    minhash.update_batch([s.encode("utf-8") for s in sorted(shingles(text))])
    return np.asarray(minhash.hashvalues, dtype="<u8").tobytes()


def _values(sig: bytes, num_perm: int | None = None) -> np.ndarray:
    if not isinstance(sig, (bytes, bytearray, memoryview)) or len(sig) == 0 or len(sig) % 8:
        raise ValueError("a signature is a non-empty bytes value of 8 bytes per permutation")
    values = np.frombuffer(bytes(sig), dtype="<u8")
    if num_perm is not None and len(values) != num_perm:
        raise ValueError(f"signature has {len(values)} permutations, expected {num_perm}")
    return values


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


class NearDuplicateIndex:
    """An LSH index of article signatures (``datasketch.MinHashLSH``).

    The LSH bands are tuned for ``threshold`` (at most 0.9); :meth:`find` with a lower
    threshold than the index's scans all signatures instead.
    """

    def __init__(self, threshold: float = DEFAULT_THRESHOLD, num_perm: int = NUM_PERM) -> None:
        """Create an empty index.

        Raises:
            ValueError: ``threshold`` is not in ``(0, 1]``, or ``num_perm`` is too small for
                LSH banding (datasketch needs at least 8).
        """
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {threshold}")
        self.threshold = threshold
        self.num_perm = num_perm
        # datasketch cannot band for thresholds near 1; a lower LSH threshold only adds candidates.
        self._lsh = MinHashLSH(threshold=min(threshold, _MAX_LSH_THRESHOLD), num_perm=num_perm)
        self._sigs: dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self._sigs)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._sigs

    def _minhash(self, values: np.ndarray) -> MinHash:
        return MinHash(num_perm=self.num_perm, seed=_SEED, hashvalues=values, **_SCHEME)

    def add(self, article_id: str, sig: bytes) -> None:
        """Add (or replace) the signature of ``article_id``.

        Raises:
            ValueError: the signature is malformed or has another number of permutations.
        """
        values = _values(sig, self.num_perm)
        self.remove(article_id)
        self._lsh.insert(article_id, self._minhash(values))
        self._sigs[article_id] = values

    def remove(self, article_id: str) -> bool:
        """Remove ``article_id``.

        Returns:
            ``True`` if it was in the index, ``False`` if there was nothing to remove.
        """
        if article_id not in self._sigs:
            return False
        self._lsh.remove(article_id)
        del self._sigs[article_id]
        return True

    def candidates(self, sig: bytes) -> list[str]:
        """Return the ids the LSH buckets share with ``sig`` (unverified), sorted.

        Raises:
            ValueError: the signature is malformed or has another number of permutations.
        """
        return sorted(self._lsh.query(self._minhash(_values(sig, self.num_perm))))

    def find(self, sig: bytes, threshold: float | None = None) -> list[tuple[str, float]]:
        """Return ``(article_id, similarity)`` of the indexed articles at least ``threshold``
        similar to ``sig`` (default: the index threshold), best first, ties by id.

        Raises:
            ValueError: the signature is malformed or has another number of permutations.
        """
        threshold = self.threshold if threshold is None else threshold
        values = _values(sig, self.num_perm)
        ids = self.candidates(sig) if threshold >= self.threshold else list(self._sigs)
        scored = [(i, float(np.count_nonzero(self._sigs[i] == values)) / len(values)) for i in ids]
        return sorted(((i, s) for i, s in scored if s >= threshold), key=lambda p: (-p[1], p[0]))


def group_duplicates(
    articles: Iterable[Article], threshold: float = DEFAULT_THRESHOLD, num_perm: int = NUM_PERM
) -> dict[str, str]:
    """Map each article id to the id of the first-seen article of its duplicate group.

    Exact duplicates (same :func:`content_key`) and near-duplicates (estimated Jaccard of
    their signatures ``>= threshold`` with any earlier article) join the group of the earliest
    matching article.  A repeated article id keeps its first occurrence.

    Returns:
        ``{article_id: canonical_id}``; a canonical id maps to itself.
    """
    canonical: dict[str, str] = {}
    order: dict[str, int] = {}
    by_key: dict[str, str] = {}
    index = NearDuplicateIndex(threshold, num_perm)
    for article in articles:
        if article.id in canonical:
            logger.debug("article id %r seen twice; the first one is kept", article.id)
            continue
        key = content_key(article.text)
        if key in by_key:
            canonical[article.id] = by_key[key]
            continue
        sig = signature(article.text, num_perm)
        groups = [canonical[match] for match, _ in index.find(sig, threshold)]
        canonical[article.id] = min(groups, key=order.__getitem__) if groups else article.id
        by_key[key] = canonical[article.id]
        order[article.id] = len(order)
        index.add(article.id, sig)
    return canonical
