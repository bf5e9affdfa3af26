"""The English→Chinese shift of question vectors (qa.embedding.alignment): measured from the
dictionary alone, shipped for the bundled model, cached for others, applied by English share,
and only to retrieval's dense search."""
from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from qa.config import DEFAULT_MODEL, Settings
from qa.embedding import alignment
from qa.embedding.alignment import dictionary_pairs, language_shift, shifted
from qa.embedding.encoders import BundledEncoder, HashingEncoder
from qa.embedding.question_encoder import QuestionEncoders
from qa.search import hybrid
from qa.text.language import detect_language, english_share


class _Counting(HashingEncoder):
    """A hashing encoder that claims a space shared by both languages and counts its query batches."""

    CROSS_LINGUAL = True

    def __init__(self):
        super().__init__(64)
        self.batches = 0

    @property
    def fingerprint(self) -> str:
        return "feedfacefeedface"

    def queries(self, texts):
        self.batches += 1
        return super().queries(texts)


def test_chinese_questions_keep_their_vectors_and_english_ones_move_by_their_share():
    texts = ["微软为什么聘请苏莱曼？", "why did Microsoft hire Suleyman?", "why did 微软 hire Suleyman?"]
    raw = np.tile(np.eye(8, dtype=np.float32)[0], (3, 1))  # one vector for all three: only the share differs
    shift = np.eye(8, dtype=np.float32)[1]
    out = shifted(raw, texts, shift)
    assert np.array_equal(out[0], raw[0])
    assert np.allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-6)
    assert out[1] @ shift > out[2] @ shift > 0  # the mixed question moves, less than the English one


@given(st.text(max_size=60))
def test_english_share_is_a_share_and_zero_for_what_is_called_chinese(text):
    share = english_share(text)
    assert 0.0 <= share <= 1.0
    assert share == 0.0 or detect_language(text) == "en"


def test_dictionary_pairs_are_the_same_whatever_the_order_of_the_dictionary():
    entries = {f"word{i}": (f"词{i}",) for i in range(50)} | {"a": ("一",), "empty": ()}
    chosen = dictionary_pairs(entries, 10)
    assert chosen == dictionary_pairs(dict(reversed(list(entries.items()))), 10)
    assert len(chosen) == 10 and all(len(e) > 3 and z for e, z in chosen)


def test_another_model_measures_its_shift_once_and_reads_it_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(alignment, "dictionary_pairs", lambda entries, n: [("hire", "聘请"), ("cloud", "云")] * 40)
    encoder = _Counting()
    first = language_shift(encoder, tmp_path)
    measured = encoder.batches
    assert first is not None and first.shape == (64,) and np.linalg.norm(first) > 0 and measured > 0
    again = language_shift(encoder, tmp_path)
    assert encoder.batches == measured  # read back, not measured again
    assert np.allclose(first, again)


def test_the_bundled_model_ships_its_shift(model):
    encoder = BundledEncoder(model, DEFAULT_MODEL)
    assert encoder.fingerprint.split("+")[0] in alignment._shipped(), \
        "qa/embedding/language_shift.json is stale: run bench/fit_language_shift.py --write"


def test_a_hashing_encoder_gets_no_shift_and_the_bundled_one_its_shipped_shift(tmp_path, model):
    settings = Settings.from_env(cache_dir=tmp_path)
    questions = QuestionEncoders(settings, lambda: HashingEncoder(64), explicit=True)
    assert questions.shift(HashingEncoder(64)) is None
    bundled = BundledEncoder(model, DEFAULT_MODEL, cache_dir=tmp_path)
    shift = questions.shift(bundled)
    assert shift is not None and shift.shape == (bundled.dim,)
    assert not (tmp_path / "language_shift").exists()  # shipped: nothing measured, nothing cached


def test_retrieval_shifts_an_english_question_for_the_dense_search_only(seed_kb, monkeypatch):
    seen = []
    real = hybrid.dense_candidates
    monkeypatch.setattr(hybrid, "dense_candidates", lambda view, vector, *a: seen.append(vector) or real(view, vector, *a))
    encoder = seed_kb.query_encoder
    for question in ("Why did Microsoft hire Suleyman?", "微软为什么聘请苏莱曼？"):
        passages = seed_kb.retrieve(question, 3)
        assert passages, question
        raw = encoder.queries([question])[0]
        cosine = float(seen[-1] @ raw)
        assert (cosine < 0.999) if question.isascii() else (cosine > 0.99999), question
