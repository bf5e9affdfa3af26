"""An open reader follows the index: it adds the few vectors a write brings, and reopens from the
saved FAISS snapshot when that is far ahead of its copy (qa.index.view.IndexReader)."""
from __future__ import annotations

import contextlib

import pytest

from qa.index import store, view as view_module
from qa.index.folder import DB_NAME
from qa.index.status import snapshot_if_due
from qa.kb import KnowledgeBase
from tests.helpers import article, hashing_settings

TEXT = "微软向OpenAI投资了130亿美元。苏莱曼负责微软的新团队。他曾是DeepMind的联合创始人。"


@pytest.fixture()
def opened(tmp_path, monkeypatch):
    """A knowledge base whose reader is open on 3 articles, and a count of reader opens."""
    kb = KnowledgeBase(settings=hashing_settings(tmp_path))
    kb.add([article(f"a{i}", f"第{i}篇。" + TEXT) for i in range(3)])
    opens = []
    real_open = view_module.IndexReader._open
    monkeypatch.setattr(view_module.IndexReader, "_open", lambda self: opens.append(1) or real_open(self))
    assert kb.retrieve("微软", 1)
    return kb, opens


def _grow_and_snapshot(kb: KnowledgeBase, n: int) -> None:
    """Add ``n`` articles (one write) and save the FAISS snapshot, as a write past the threshold does."""
    kb.add([article(f"new{i}", f"新文章{i}讲述特斯拉的电池工厂。" + TEXT) for i in range(n)])
    data = kb.dir.current()
    with contextlib.closing(store.connect(data / DB_NAME)) as conn:
        snapshot_if_due(data, conn, force=True)


def test_a_reader_far_behind_the_snapshot_reopens_from_it(opened, monkeypatch):
    kb, opens = opened
    monkeypatch.setattr(view_module, "ADD_BATCH", 10)  # so a small index can be "far behind"
    _grow_and_snapshot(kb, 20)
    with kb.reader.view() as view:
        held = len(view.vectors)
        rows = view.conn.execute("SELECT count(*) FROM sentences").fetchone()[0]
    assert len(opens) == 2 and held == rows  # reopened, and holds every vector
    assert any(p.article_id.startswith("new") for p in kb.retrieve("特斯拉的电池工厂", 5))


def test_a_reader_a_little_behind_adds_the_new_vectors_in_place(opened):
    kb, opens = opened
    _grow_and_snapshot(kb, 2)  # far below ADD_BATCH vectors ahead
    with kb.reader.view() as view:
        held = len(view.vectors)
        rows = view.conn.execute("SELECT count(*) FROM sentences").fetchone()[0]
    assert len(opens) == 1 and held == rows
    assert any(p.article_id.startswith("new") for p in kb.retrieve("特斯拉的电池工厂", 5))


def test_an_unreadable_snapshot_stamp_means_adding_in_place(opened, monkeypatch):
    kb, opens = opened
    monkeypatch.setattr(view_module, "ADD_BATCH", 10)
    _grow_and_snapshot(kb, 20)
    (kb.dir.current() / view_module.VECTORS_STAMP).write_text("{not json", encoding="utf-8")
    assert any(p.article_id.startswith("new") for p in kb.retrieve("特斯拉的电池工厂", 5))
    assert len(opens) == 1
