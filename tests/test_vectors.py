"""The FAISS side (qa.index.vectors): factory strings with search parameters, and IVF indexes that
stay exact until they have enough vectors to train on."""
from __future__ import annotations

import faiss
import numpy as np
import pytest

from qa.index.vectors import TRAIN_PER_LIST, VectorIndex, split_factory


def _unit(n: int, dim: int = 16, seed: int = 0) -> np.ndarray:
    x = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_search_parameters_follow_a_bar_in_the_factory_string():
    assert split_factory("IVF4096,SQfp16|nprobe=128") == ("IVF4096,SQfp16", "nprobe=128")
    assert split_factory("Flat") == ("Flat", "")


def test_an_ivf_index_searches_exactly_until_it_can_train(tmp_path):
    index = VectorIndex.create(16, "IVF4,Flat|nprobe=2")
    few = _unit(TRAIN_PER_LIST * 4 - 1)
    index.add(np.arange(1, len(few) + 1), few)
    # still the exact stand-in: every vector is its own nearest neighbour
    assert all(index.search(few[i], 1)[0][0] == i + 1 for i in range(len(few)))
    index.save(tmp_path / "v.faiss")
    reopened = VectorIndex.load(tmp_path / "v.faiss", "IVF4,Flat|nprobe=2")
    more = _unit(8, seed=1)
    reopened.add(np.arange(100, 108), more)  # past TRAIN_PER_LIST vectors per list: trains on all
    ivf = faiss.extract_index_ivf(faiss.downcast_index(reopened._index.index))
    assert ivf.is_trained and ivf.ntotal == len(few) + len(more) and ivf.nprobe == 2
    assert reopened.search(more[3], 1)[0][0] == 103


def test_an_unknown_search_parameter_is_refused_with_its_name():
    with pytest.raises(ValueError, match="nprobez"):
        VectorIndex.create(16, "IVF4,Flat|nprobez=2")
