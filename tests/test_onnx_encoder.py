"""The ONNX encoders: questions of the default backend through the fp32 export, and the onnx-int8
backend (its setting, its fingerprint, missing packages, and (slow) the real int8 export against
the torch vectors and in a small index)."""
from __future__ import annotations

import json
import sys
import threading

import numpy as np
import pytest

from qa.embedding import onnx as onnx_export
from qa.ui.cli import _settings, build_parser, main
from qa.config import DEFAULT_MODEL, Settings
from qa.embedding.model import encode_queries
from qa.embedding.encoders import BundledEncoder, HashingEncoder, OnnxBundledEncoder, get_encoder
from qa.errors import IndexMismatchError, ModelLoadError
from qa.kb import KnowledgeBase
from tests.helpers import article, hashing_settings, sample_articles

needs_bundled = pytest.mark.skipif(Settings.from_env().model != DEFAULT_MODEL,
                                   reason="QA_MODEL selects another model; onnx-int8 is for the bundled one")


def test_settings_read_qa_encoder_backend_and_default_to_torch():
    assert Settings.from_env({}).encoder_backend == "torch"
    assert Settings.from_env({"QA_ENCODER_BACKEND": "onnx-int8"}).encoder_backend == "onnx-int8"
    overridden = Settings.from_env({"QA_ENCODER_BACKEND": "onnx-int8"}, encoder_backend="torch")
    assert overridden.encoder_backend == "torch"


@pytest.mark.parametrize("value", ["onnx", "ONNX-INT8", "openvino"])
def test_unknown_backend_is_rejected_naming_the_allowed_values(value):
    with pytest.raises(ValueError, match="torch, onnx-int8") as env_error:
        Settings.from_env({"QA_ENCODER_BACKEND": value})
    assert "QA_ENCODER_BACKEND" in str(env_error.value) and repr(value) in str(env_error.value)
    with pytest.raises(ValueError, match="torch, onnx-int8"):
        Settings.from_env({}).replace(encoder_backend=value)


def test_cli_flag_sets_the_backend_and_a_bad_value_is_one_error_line(capsys):
    args = build_parser().parse_args(["--encoder-backend", "onnx-int8", "index", "status"])
    assert _settings(args).encoder_backend == "onnx-int8"
    assert main(["--encoder-backend", "tensorrt", "corpus", "ls", "corpus"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "torch, onnx-int8" in err


@needs_bundled
def test_fingerprint_differs_between_backends_and_nothing_is_exported_before_passages(model, tmp_path):
    torch_fp = BundledEncoder(model, DEFAULT_MODEL).fingerprint
    onnx = OnnxBundledEncoder(model, DEFAULT_MODEL, tmp_path)
    assert onnx.fingerprint == torch_fp + "+onnx-int8" and onnx.dim == 384
    assert not (tmp_path / "onnx").exists()  # exported on the first passage batch only


@needs_bundled
def test_get_encoder_caches_one_encoder_per_backend(model):
    torch_enc = get_encoder(Settings.from_env({}, encoder_backend="torch"))
    onnx_enc = get_encoder(Settings.from_env({}, encoder_backend="onnx-int8"))
    assert type(torch_enc) is BundledEncoder and type(onnx_enc) is OnnxBundledEncoder
    assert get_encoder(Settings.from_env({}, encoder_backend="onnx-int8")) is onnx_enc


@needs_bundled
def test_default_backend_questions_go_through_the_fp32_export_with_torch_vectors(model):
    encoder = BundledEncoder(model, DEFAULT_MODEL)  # the normal cache: exported once per machine
    vectors = encoder.queries(TEXTS)
    reference = encode_queries(model, TEXTS)
    assert vectors.shape == reference.shape and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert (vectors * reference).sum(axis=1).min() >= 0.9999
    assert list((encoder.cache_dir / "onnx").glob("*-fp32.onnx"))
    assert encoder.queries([]).shape == (0, 384)


@needs_bundled
def test_the_question_engine_reads_traditional_chinese_as_the_torch_path_does(model):
    encoder = BundledEncoder(model, DEFAULT_MODEL)
    vectors = encoder.queries(["微軟的市值是多少？", "微软的市值是多少？"])
    assert float(vectors[0] @ vectors[1]) >= 0.99999
    assert float(vectors[0] @ encode_queries(model, ["微软的市值是多少？"])[0]) >= 0.9999


@needs_bundled
def test_questions_may_be_encoded_while_passages_are(model):
    encoder = BundledEncoder(model, DEFAULT_MODEL)
    expected = encoder.queries(TEXTS[:2])
    errors: list[BaseException] = []

    def ask() -> None:
        try:
            for _ in range(20):
                assert np.allclose(encoder.queries(TEXTS[:2]), expected, atol=1e-5)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    workers = [threading.Thread(target=ask) for _ in range(2)]
    for worker in workers:
        worker.start()
    for _ in range(5):
        encoder.passages(TEXTS)
    for worker in workers:
        worker.join()
    assert errors == []


@needs_bundled
def test_export_leaves_the_embedding_table_out_and_replaces_the_first_layout(model, tmp_path):
    from qa.embedding.model import model_fingerprint

    folder = tmp_path / "onnx"
    folder.mkdir()
    fingerprint = model_fingerprint(model)
    for name in (f"e5-{fingerprint}-fp32.onnx", f"e5-{fingerprint}-int8-pc.onnx", "e5-0123456789abcdef-fp32.onnx"):
        (folder / name).write_bytes(b"an export with the 384 MB table inside")
    path = onnx_export.export(model, folder, int8=False)
    assert path.stat().st_size < 120 * 2**20  # the encoder layers only (82 MB), not the 250k x 384 table
    assert sorted(p.name for p in folder.iterdir()) == sorted([path.name, "e5-0123456789abcdef-fp32.onnx"])


@needs_bundled
def test_a_failed_export_is_a_model_load_error_saying_what_to_delete(model, tmp_path, monkeypatch):
    def broken(_model, _path):
        raise RuntimeError("exporter exploded\nstack")

    monkeypatch.setattr(onnx_export, "_export_fp32", broken)
    encoder = BundledEncoder(model, DEFAULT_MODEL, cache_dir=tmp_path)
    with pytest.raises(ModelLoadError, match="fp32 ONNX encoder .*exporter exploded; delete that folder"):
        encoder.queries(["为什么？"])
    assert not list((tmp_path / "onnx").glob("*.onnx"))  # nothing half-written looks valid


def test_hashing_models_ignore_the_backend(tmp_path):
    enc = get_encoder(hashing_settings(tmp_path, encoder_backend="onnx-int8"))
    assert type(enc) is HashingEncoder and enc.fingerprint == HashingEncoder(64).fingerprint


def test_onnx_backend_with_another_model_is_a_clear_value_error(tmp_path):
    with pytest.raises(ValueError, match="only available for the bundled model.*QA_ENCODER_BACKEND=torch"):
        get_encoder(Settings.from_env({}, model=str(tmp_path), encoder_backend="onnx-int8"))


@pytest.mark.parametrize("backend", ["torch", "onnx-int8"])
def test_missing_onnxruntime_says_how_to_install_it(monkeypatch, tmp_path, backend):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import onnxruntime now raises ImportError
    with pytest.raises(ModelLoadError, match=r"onnxruntime.*reinstall it with `make setup` or `pip install -e \.`"):
        get_encoder(Settings.from_env({}, model=DEFAULT_MODEL, cache_dir=tmp_path, encoder_backend=backend))


class _Fingerprinted(HashingEncoder):
    """The hashing encoder under a given fingerprint (as the two backends of one model)."""

    def __init__(self, fingerprint: str):
        super().__init__(64)
        self._fp = fingerprint

    @property
    def fingerprint(self) -> str:
        return self._fp


def test_index_built_by_one_backend_is_refused_by_the_other_with_rebuild_advice(tmp_path):
    settings = hashing_settings(tmp_path)
    KnowledgeBase(settings=settings, encoder=_Fingerprinted("6b7f23396fe4414b")).add(sample_articles())
    other = KnowledgeBase(settings=settings, encoder=_Fingerprinted("6b7f23396fe4414b+onnx-int8"))
    with pytest.raises(IndexMismatchError, match=r"built with encoder backend torch, this process uses onnx-int8; "
                       r"run `qa index build` to rebuild it, or set QA_ENCODER_BACKEND=torch"):
        other.retrieve("微软", 3)


TEXTS = [
    "微软聘请了穆斯塔法·苏莱曼（Mustafa Suleyman）来领导新的消费级人工智能部门。",
    "OpenAI and Microsoft disagree about compute supply and the timing of new models.",
    "北京今天下了大雨，气温明显下降。",
    "特斯拉公布了季度财报，交付量有所下降。",
    "The European Central Bank kept interest rates unchanged on Thursday.",
    "英伟达 H100 GPU 的供应仍然紧张，云计算厂商纷纷扩建数据中心。",
    "苹果在 WWDC 上发布了 iOS 新版本和 Apple Intelligence 功能。",
    "上海证券交易所：沪指收涨 1.2%，成交额突破一万亿元。",
    "A short one.",
    "人工智能",
]


@pytest.mark.slow
@needs_bundled
def test_int8_export_matches_torch_vectors_and_retrieves_the_right_articles(model, tmp_path):
    settings = Settings.from_env(index_dir=tmp_path / "index", encoder_backend="onnx-int8")
    onnx = OnnxBundledEncoder(model, DEFAULT_MODEL, settings.cache_dir)  # the normal cache: once per machine
    vectors = onnx.passages(TEXTS)
    reference = BundledEncoder(model, DEFAULT_MODEL).passages(TEXTS)
    assert vectors.shape == reference.shape and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert (vectors * reference).sum(axis=1).min() >= 0.99

    ecb = article("ecb", "The European Central Bank kept interest rates unchanged on Thursday.\n"
                         "Its president said inflation was moving back towards two percent.", source="Reuters")
    kb = KnowledgeBase(settings=settings, encoder=onnx)
    kb.add([*sample_articles(), ecb])
    for question, expected in (("微软为什么聘请苏莱曼？", "ms"), ("北京发布了什么天气预警？", "rain"),
                               ("Did the ECB change interest rates?", "ecb")):
        assert kb.retrieve(question, 1, mode="dense")[0].article_id == expected, question
    manifest = json.loads((tmp_path / "index" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["model_fingerprint"] == onnx.fingerprint
    torch_kb = KnowledgeBase(settings=settings.replace(encoder_backend="torch"),
                             encoder=BundledEncoder(model, DEFAULT_MODEL))
    with pytest.raises(IndexMismatchError, match="qa index build"):
        torch_kb.retrieve("微软", 1)
