"""Tests of qa.text.duplicates: exact keys, MinHash signatures, the LSH index and duplicate groups."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qa.config import Settings
from qa.text.duplicates import (
    NearDuplicateIndex,
    content_key,
    group_duplicates,
    signature,
    similarity,
)
from qa.types import Article

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


# --- the index -------------------------------------------------------------------------------


def test_index_finds_the_repost_and_not_the_other_article():
    index = NearDuplicateIndex(threshold=THRESHOLD)
    index.add("seed-000", signature(SEED_000))
    index.add("seed-001", signature(SEED_001))
    assert len(index) == 2 and "seed-001" in index
    found = index.find(signature(_repost_of_001()))
    assert [article_id for article_id, _ in found] == ["seed-001"]
    assert found[0][1] >= THRESHOLD
    assert "seed-001" in index.candidates(signature(_repost_of_001()))


def test_index_add_replace_remove():
    index = NearDuplicateIndex()
    sig_000, sig_001 = signature(SEED_000), signature(SEED_001)
    index.add("a", sig_000)
    index.add("a", sig_001)  # replaces
    assert len(index) == 1
    assert [i for i, _ in index.find(sig_001)] == ["a"]
    assert index.find(sig_000) == []
    assert index.remove("a") is True
    assert index.remove("a") is False
    assert index.find(sig_001) == [] and index.candidates(sig_001) == []


def test_index_find_with_a_lower_threshold_scans_everything():
    index = NearDuplicateIndex(threshold=0.9)
    index.add("000", signature(SEED_000))
    index.add("001", signature(SEED_001))
    found = index.find(signature(SEED_001), threshold=0.0)
    assert [i for i, _ in found] == ["001", "000"]  # best first
    assert found[0][1] == 1.0 and found[1][1] < 0.1


def test_index_rejects_bad_input():
    index = NearDuplicateIndex(num_perm=128)
    with pytest.raises(ValueError):
        index.add("x", signature(SEED_000, num_perm=64))
    with pytest.raises(ValueError):
        NearDuplicateIndex(threshold=0.0)


# --- grouping --------------------------------------------------------------------------------


def test_group_duplicates_groups_the_repost_not_the_other_article():
    articles = [
        _article("zhidx-001", SEED_001, "OpenAI微软陷入决裂危机:算力供应、新模型发布节奏、技术路线成三大分歧点"),
        _article("jiqizhixin-000", SEED_000),
        _article("repost-of-001", _repost_of_001(), REPOST_HEADLINE),
    ]
    assert group_duplicates(articles) == {
        "zhidx-001": "zhidx-001",
        "jiqizhixin-000": "jiqizhixin-000",
        "repost-of-001": "zhidx-001",
    }


def test_group_duplicates_canonical_is_the_first_seen():
    articles = [_article("repost", _repost_of_001()), _article("original", SEED_001)]
    assert group_duplicates(articles) == {"repost": "repost", "original": "repost"}


def test_group_duplicates_exact_copies_with_other_whitespace():
    copy = SEED_000.replace("\n", "\n\n") + "  \n"
    articles = [_article("a", SEED_000), _article("b", SEED_001), _article("a-copy", copy)]
    assert content_key(copy) == content_key(SEED_000)
    assert group_duplicates(articles) == {"a": "a", "b": "b", "a-copy": "a"}


def test_group_duplicates_threshold_one_keeps_only_exact_and_identical():
    articles = [_article("a", SEED_001), _article("b", _repost_of_001())]
    assert group_duplicates(articles, threshold=1.0) == {"a": "a", "b": "b"}
