"""Near duplicates: qa.text.duplicates (exact keys, MinHash signatures, LSH band keys) and the
duplicate groups the index writer (qa.index.writing) forms from them through KnowledgeBase."""
from __future__ import annotations

import hashlib
import inspect
from pathlib import Path

import numpy as np
import pytest
from datasketch import MinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from qa.config import Settings
from qa.index import lookups
from qa.kb import KnowledgeBase
from qa.text import duplicates
from qa.text.duplicates import band_keys, content_key, shingles, signature, similarity
from qa.types import Article
from tests.helpers import hashing_settings

CORPUS = Path(__file__).parent.parent / "corpus"
THRESHOLD = Settings().near_duplicate_threshold


def _body(name: str) -> str:
    """The article text of a bundled corpus file (front matter cut off; no qa.ingest.corpus needed)."""
    raw = (CORPUS / name).read_text(encoding="utf-8")
    assert raw.startswith("---\n")
    return raw.split("\n---\n", 1)[1].strip()


SEED_000 = _body("2024-10-18-jiqizhixin-openai-microsoft.md")
SEED_001 = _body("2025-04-30-zhidx-openai-microsoft.md")

# A repost of seed 001 as another site would run it: its own headline line, a repost notice
# line, and four sentences reworded.
EDITS = (
    ("如今却渐行渐远", "如今却越走越远"),
    ("也让微软股价飙升至原来的三倍", "也让微软的股价涨到了原来的三倍"),
    ("在计算资源供应层面,双方存在分歧。", "在算力供应方面,两家公司意见不一。"),
    ("苏莱曼没有回应置评请求。", "苏莱曼未就此事发表评论。"),
)
REPOST_HEADLINE = "微软与OpenAI“分手”在即?三大分歧曝光"
REPOST_NOTICE = "本文转载自网络,版权归原作者所有,如有侵权请联系删除。"


def _repost_of_001() -> str:
    text = SEED_001
    for old, new in EDITS:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return f"{REPOST_HEADLINE}\n{REPOST_NOTICE}\n\n{text}"


def _article(article_id: str, text: str, title: str = "标题") -> Article:
    return Article(id=article_id, title=title, text=text)


def test_seed_texts_are_the_bundled_articles():
    assert SEED_000.startswith("神秘的合约条款被曝光。\nOpenAI 和自己最大的金主微软")
    assert SEED_001.startswith("智东西4月30日消息")
    assert len(SEED_000) > 3000 and len(SEED_001) > 3000


# --- content_key -----------------------------------------------------------------------------


def test_content_key_ignores_whitespace_and_case():
    respaced = SEED_001.replace("\n\n", "\n").replace(",", ", ").replace("。", "。 ") + "\n\n"
    assert content_key(respaced) == content_key(SEED_001)
    assert content_key("OpenAI 与 Microsoft") == content_key("openai与microsoft")
    assert content_key(SEED_000) != content_key(SEED_001)
    assert len(content_key(SEED_000)) == 40  # hex SHA-1


def test_traditional_and_full_width_copies_match_the_simplified_one():
    simplified = "OpenAI与微软的合作关系正在发生变化,双方在算力供应上存在分歧。"
    traditional = "ＯｐｅｎＡＩ與微軟的合作關係正在發生變化,雙方在算力供應上存在分歧。"
    assert content_key(traditional) == content_key(simplified)
    assert signature(traditional) == signature(simplified)


def test_content_key_sees_a_one_character_edit():
    assert content_key(SEED_001) != content_key(SEED_001.replace("三倍", "四倍", 1))


# --- signatures ------------------------------------------------------------------------------


def test_signature_is_uint64_little_endian_bytes():
    sig = signature(SEED_001)
    assert isinstance(sig, bytes) and len(sig) == 128 * 8
    values = np.frombuffer(sig, dtype="<u8")
    assert len(values) == 128 and values.max() < 2**64 - 1
    assert signature(SEED_001) == sig  # deterministic
    assert len(signature(SEED_001, num_perm=64)) == 64 * 8
    assert similarity(sig, sig) == 1.0


def test_signature_ignores_punctuation_and_whitespace():
    assert signature("OpenAI 与微软:关系破裂。") == signature("openai与微软关系破裂")


def test_similarity_rejects_mismatched_or_malformed_signatures():
    with pytest.raises(ValueError):
        similarity(signature(SEED_000), signature(SEED_000, num_perm=64))
    with pytest.raises(ValueError):
        similarity(b"abc", b"abc")
    with pytest.raises(ValueError):
        similarity(b"", b"")


def test_measured_similarities_leave_a_margin_around_the_threshold():
    repost = similarity(signature(SEED_001), signature(_repost_of_001()))
    unrelated = similarity(signature(SEED_000), signature(SEED_001))
    assert repost >= THRESHOLD + 0.1, repost  # measured 0.89
    assert unrelated <= 0.1, unrelated  # measured 0.03: same companies, different article


# --- band keys: stored in every index, so their bytes are pinned ------------------------------

PINNED_TEXT = "OpenAI与微软的合作关系正在发生变化,双方在算力供应上存在分歧。"


def test_signature_and_band_keys_are_byte_identical_to_the_stored_ones():
    # Values computed by the code that wrote existing indexes (datasketch 2.0, legacy scheme,
    # seed 1; BLAKE2b-64 over bands of 4 values).  If this fails, existing indexes would no
    # longer find their near duplicates: bump the index format instead of changing the pins.
    sig = signature(PINNED_TEXT)
    assert hashlib.sha1(sig).hexdigest() == "8ddc63b619e2c287c388359e3c3663ae1b3824f5"
    assert sig[:16].hex() == "24f66b08000000001e360d0600000000"
    keys = band_keys(sig)
    assert len(keys) == 32 and all(len(k) == 8 for k in keys)
    assert keys[0].hex() == "0fd8f8c1c642d65e" and keys[-1].hex() == "d099e094d3ca29c1"
    assert hashlib.sha1(b"".join(keys)).hexdigest() == "9e84bbb02517e9d6614f7c06b266f5671f417e70"
    assert hashlib.sha1(signature("")).hexdigest() == "7435ea3906b93791ea09fa3733e6cabdb1109901"


def _datasketch_minhash(num_perm: int) -> MinHash:
    """An empty datasketch MinHash as the index's signatures use it (legacy scheme, seed 1)."""
    legacy = {"scheme": "legacy"} if "scheme" in inspect.signature(MinHash.__init__).parameters else {}
    return MinHash(num_perm=num_perm, seed=1, **legacy)


def _datasketch_signature(text: str, num_perm: int) -> bytes:
    """The signature as datasketch's own MinHash.update_batch computes it (legacy scheme, seed 1)."""
    minhash = _datasketch_minhash(num_perm)
    minhash.update_batch([s.encode("utf-8") for s in shingles(text)])
    return np.asarray(minhash.hashvalues, dtype="<u8").tobytes()


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from("微软與OpenAI投资苏莱曼的１２3 ，。\n𠀀é"), max_size=80),
       st.sampled_from([16, 128]))
def test_signature_equals_datasketch_update_batch_byte_for_byte(text, num_perm):
    assert signature(text, num_perm=num_perm) == _datasketch_signature(text, num_perm)


def test_permutations_are_datasketchs():
    for num_perm in (16, 128):
        a, b = _datasketch_minhash(num_perm).permutations
        ours = duplicates._permutations(num_perm)
        assert np.array_equal(ours[0], a) and np.array_equal(ours[1], b)


def test_signature_of_long_articles_equals_datasketch():
    for text in (SEED_000, SEED_001, SEED_000 + SEED_001):
        assert signature(text) == _datasketch_signature(text, 128)


def test_band_keys_are_shared_by_the_repost_not_by_the_other_article():
    original, repost, other = (set(enumerate(band_keys(signature(t)))) for t in (SEED_001, _repost_of_001(), SEED_000))
    assert original & repost  # a candidate: then verified by similarity
    assert not original & other


def test_band_keys_reject_malformed_signatures():
    for bad in (b"", b"abc", "not bytes"):
        with pytest.raises(ValueError):
            band_keys(bad)  # type: ignore[arg-type]
    assert len(band_keys(signature(SEED_000, num_perm=64))) == 16


# --- duplicate groups, as the index forms them -------------------------------------------------


def _groups(kb: KnowledgeBase) -> dict[str, str]:
    """``{article id: group id}`` of every stored article."""
    with kb.reader.view() as view:
        return {s.article.id: s.group_id for s in lookups.iter_articles(view.conn)}


def _zhidx_001() -> Article:
    return _article("zhidx-001", SEED_001, "OpenAI微软陷入决裂危机:算力供应、新模型发布节奏、技术路线成三大分歧点")


def test_the_repost_joins_the_original_group_and_the_other_article_does_not(tmp_path):
    kb = KnowledgeBase(settings=hashing_settings(tmp_path))
    kb.add([_zhidx_001(), _article("jiqizhixin-000", SEED_000),
            _article("repost-of-001", _repost_of_001(), REPOST_HEADLINE)])  # one batch: no lsh rows yet
    assert _groups(kb) == {"zhidx-001": "zhidx-001", "jiqizhixin-000": "jiqizhixin-000",
                           "repost-of-001": "zhidx-001"}


def test_a_repost_added_later_is_found_through_the_stored_band_keys(tmp_path):
    kb = KnowledgeBase(settings=hashing_settings(tmp_path))
    kb.add([_zhidx_001(), _article("jiqizhixin-000", SEED_000)])
    KnowledgeBase(settings=hashing_settings(tmp_path)).add([_article("repost-of-001", _repost_of_001())])
    assert _groups(kb)["repost-of-001"] == "zhidx-001"
    assert kb.status().stories == 2


def test_the_group_is_named_after_the_first_seen_article(tmp_path):
    kb = KnowledgeBase(settings=hashing_settings(tmp_path))
    kb.add([_article("repost", _repost_of_001()), _article("original", SEED_001)])
    assert _groups(kb) == {"repost": "repost", "original": "repost"}


def test_exact_copies_with_other_whitespace_are_duplicates_in_the_original_group(tmp_path):
    copy = SEED_000.replace("\n", "\n\n") + "  \n"
    assert content_key(copy) == content_key(SEED_000)
    kb = KnowledgeBase(settings=hashing_settings(tmp_path))
    summary = kb.add([_article("a", SEED_000), _article("b", SEED_001), _article("a-copy", copy)])
    assert summary.duplicates == (("a-copy", "a"),)
    assert _groups(kb) == {"a": "a", "b": "b", "a-copy": "a"}


def test_threshold_one_keeps_only_exact_and_identical(tmp_path):
    kb = KnowledgeBase(settings=hashing_settings(tmp_path, near_duplicate_threshold=1.0))
    kb.add([_article("a", SEED_001), _article("b", _repost_of_001())])
    assert _groups(kb) == {"a": "a", "b": "b"}
