"""Shared fixtures.

``model`` is the embedding model as the application loads it (``load_model()``: the
``QA_MODEL`` setting, bundled multilingual-e5-small by default). Its cache directory is
the normal one (``QA_CACHE_DIR`` or the user cache), so the bundled weights are unpacked
at most once per test session -- in fact once per machine -- instead of writing ~470 MB
into a fresh temp folder on every run. Point ``QA_CACHE_DIR`` elsewhere to isolate a run.
"""
from __future__ import annotations

import pytest

from qa.embedding.model import load_model


@pytest.fixture(scope="session")
def model():
    """The session's sentence-transformers model (loaded once, CPU)."""
    return load_model()


@pytest.fixture(scope="session")
def seed_kb(model, tmp_path_factory):
    """A KnowledgeBase over the bundled corpus/ built with the real model (once per session)."""
    from pathlib import Path

    from qa.config import Settings
    from qa.embedding.encoders import BundledEncoder
    from qa.kb import KnowledgeBase

    settings = Settings.from_env(index_dir=tmp_path_factory.mktemp("seed") / "index")
    kb = KnowledgeBase(settings=settings, encoder=BundledEncoder(model, settings.model, settings.batch_size))
    kb.build(Path(__file__).resolve().parent.parent / "corpus")
    return kb


@pytest.fixture(params=["folder", "milvus-lite"])
def backend(request):
    """Each index backend in turn: the folder (SQLite + FAISS) and Milvus Lite (the Milvus code path)."""
    return request.param
