"""Loading models offline, encoding passages and queries, and fingerprints."""
from __future__ import annotations

import os
import re
import socket

import numpy as np
import pytest
import torch

from qa.config import DEFAULT_MODEL, Settings
from qa.embedding.model import (
    embedding_dim,
    encode_passages,
    encode_queries,
    load_model,
    model_fingerprint,
)
from qa.errors import ModelLoadError

PASSAGES = [
    "Inflection 的创始人 Mustafa Suleyman 现在负责微软的一个新团队。",
    "短句。",
    "据《华尔街日报》报道，微软正与 OpenAI 就股权展开博弈，微软寻求以迄今为止向 OpenAI 注入的"
    "140亿美元现金换取大量股权，两家公司都在向投资银行寻求谈判的建议。",
    "英伟达设计了 OpenAI 构建 AI 技术所需的计算芯片。",
    "OK",
    "央行宣布下调存款准备金率0.5个百分点，释放长期资金约1万亿元，以支持实体经济发展。",
    "苹果在最后时刻选择退出融资。",
]


@pytest.fixture()
def no_network(monkeypatch):
    """Fail (and record) any DNS lookup, which is the first step of every connection."""
    lookups: list[tuple] = []

    def refuse(*args, **kwargs):
        lookups.append(args[:2])
        raise OSError("network disabled in tests")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    try:  # forget huggingface_hub's once-per-process lookup, so it would happen again
        from huggingface_hub.utils import _detect_agent

        monkeypatch.setattr(_detect_agent, "_registry", None)
    except (ImportError, AttributeError):
        pass
    return lookups


def test_load_model_is_cached_per_name_and_cache_dir(model):
    cache = Settings.from_env().cache_dir
    assert load_model(DEFAULT_MODEL, cache_dir=cache) is load_model(DEFAULT_MODEL, cache_dir=cache)
    if Settings.from_env().model == DEFAULT_MODEL:
        assert load_model() is model is load_model(DEFAULT_MODEL, cache_dir=cache)


@pytest.mark.parametrize("name", ["no-such-org/no-such-model-3f9a", "/nonexistent/folder/model"])
def test_a_model_that_is_not_available_offline_raises_model_load_error(name, no_network):
    with pytest.raises(ModelLoadError) as info:
        load_model(name)
    message = str(info.value)
    assert repr(name) in message and "QA_MODEL" in message and "offline" in message
    assert "\n" not in message
    assert no_network == []  # it never looked up the Hub


def test_a_broken_local_folder_raises_model_load_error(tmp_path, no_network):
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(ModelLoadError, match=re.escape(repr(str(tmp_path))) + ".*QA_MODEL"):
        load_model(str(tmp_path))


def test_bundled_model_has_384_dimensions(model):
    if Settings.from_env().model != DEFAULT_MODEL:
        pytest.skip("QA_MODEL selects another model")
    assert embedding_dim(model) == 384


def test_encode_passages_keeps_input_order_despite_length_sorting(model):
    batched = encode_passages(model, PASSAGES, batch_size=2)
    one_by_one = np.vstack([encode_passages(model, [text]) for text in PASSAGES])
    np.testing.assert_allclose(batched, one_by_one, atol=2e-5)
    # each row is nearest to its own text, so no rows were swapped
    assert (np.argmax(batched @ one_by_one.T, axis=1) == np.arange(len(PASSAGES))).all()


def test_vectors_are_float32_and_unit_length(model):
    for vectors in (encode_passages(model, PASSAGES), encode_queries(model, PASSAGES[:3])):
        assert vectors.dtype == np.float32 and vectors.shape[1] == embedding_dim(model)
        np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_empty_input_gives_an_empty_matrix(model):
    dim = embedding_dim(model)
    for vectors in (encode_passages(model, []), encode_queries(model, [])):
        assert vectors.shape == (0, dim) and vectors.dtype == np.float32


def test_queries_and_passages_use_their_prompts(model):
    if not model.prompts.get("query"):
        pytest.skip("the configured model has no query prompt")
    text = "微软为什么聘请苏莱曼？"
    query = encode_queries(model, [text])[0]
    passage = encode_passages(model, [text])[0]
    assert float(query @ passage) < 0.9999
    manual = model.encode([model.prompts["query"] + text], normalize_embeddings=True)[0]
    np.testing.assert_allclose(query, manual, atol=2e-5)


def test_a_single_string_is_rejected(model):
    with pytest.raises(TypeError):
        encode_queries(model, "微软为什么聘请苏莱曼？")
    with pytest.raises(ValueError):
        encode_passages(model, PASSAGES, batch_size=0)


def test_a_chinese_question_finds_the_passage_that_answers_it(model):
    passages = encode_passages(model, PASSAGES)
    query = encode_queries(model, ["微软聘请了谁来负责消费级 AI 团队？"])[0]
    assert int(np.argmax(passages @ query)) == 0


def test_traditional_chinese_is_encoded_as_its_simplified_form(model):
    traditional = ["微軟為什麼聘請蘇萊曼？", "蘋果在最後時刻選擇退出融資。"]
    simplified = ["微软为什么聘请苏莱曼？", "苹果在最后时刻选择退出融资。"]
    assert np.array_equal(encode_queries(model, traditional), encode_queries(model, simplified))
    assert np.array_equal(encode_passages(model, traditional), encode_passages(model, simplified))
    # nothing but the script changes: Latin letters, full-width forms and case are the model's to read
    assert not np.array_equal(encode_queries(model, ["ＯｐｅｎＡＩ"]), encode_queries(model, ["openai"]))


def test_fingerprint_is_stable_and_sensitive_to_weights_and_prompts(model):
    first = model_fingerprint(model)
    assert re.fullmatch(r"[0-9a-f]{16}", first) and model_fingerprint(model) == first
    weight = next(model.parameters())
    with torch.no_grad():
        saved = weight.view(-1)[0].item()
        weight.view(-1)[0] += 1.0
        try:
            assert model_fingerprint(model) != first
        finally:
            weight.view(-1)[0] = saved
    saved_prompts = dict(model.prompts)
    model.prompts["query"] = "question: "
    try:
        assert model_fingerprint(model) != first
    finally:
        model.prompts.clear()
        model.prompts.update(saved_prompts)
    assert model_fingerprint(model) == first


def test_torch_does_not_use_more_threads_than_cpus(model):
    assert torch.get_num_threads() <= len(os.sched_getaffinity(0))


def test_an_unwritable_cache_dir_raises_model_load_error(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    with pytest.raises(ModelLoadError, match="QA_CACHE_DIR"):
        load_model(DEFAULT_MODEL, cache_dir=blocker / "cache")


def test_text_longer_than_the_model_limit_is_truncated_not_rejected(model):
    vectors = encode_passages(model, ["微软与OpenAI的合作关系。" * 400, "短句。"])
    assert vectors.shape == (2, embedding_dim(model)) and np.isfinite(vectors).all()
