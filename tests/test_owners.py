"""The readers' in-memory map from sentences to chunks (qa.index.owners): the same answers as the
database, after adds, updates and removals, from a saved map or from nothing."""
from __future__ import annotations

import contextlib

import numpy as np

from qa.index import lookups, store
from qa.index.folder import DB_NAME
from qa.index.status import snapshot_if_due
from qa.index.owners import OWNERS_NAME, SentenceOwners
from qa.kb import KnowledgeBase
from tests.helpers import article, hashing_settings

TEXT = "微软向OpenAI投资了130亿美元。苏莱曼负责微软的新团队。他曾是DeepMind的联合创始人。"


def _all_sentence_chunks(kb: KnowledgeBase) -> dict[int, int]:
    with kb.reader.view() as view:
        ids = [int(r) for (r,) in view.conn.execute("SELECT rowid FROM sentences")]
        return lookups.sentence_chunks(view.conn, ids)


def _view_owners(kb: KnowledgeBase) -> dict[int, int]:
    with kb.reader.view() as view:
        return view.owners.chunks(list(_all_sentence_chunks(kb)))


def test_the_map_follows_adds_updates_and_removals(tmp_path):
    kb = KnowledgeBase(settings=hashing_settings(tmp_path))
    kb.add([article(f"a{i}", f"第{i}篇。" + TEXT) for i in range(5)])
    assert _view_owners(kb) == _all_sentence_chunks(kb) and len(_all_sentence_chunks(kb)) >= 15
    kb.add([article("a1", "更新后的文章。" + TEXT + "新增一句。")])
    kb.remove(["a2"])
    kb.add([article("b", "另一篇文章。" + TEXT)])
    expected = _all_sentence_chunks(kb)
    assert _view_owners(kb) == expected


def test_a_reader_opening_the_index_reads_the_saved_map_and_catches_up(tmp_path):
    settings = hashing_settings(tmp_path)
    KnowledgeBase(settings=settings).add([article(f"a{i}", f"第{i}篇。" + TEXT) for i in range(3)])
    data = KnowledgeBase(settings=settings).dir.current()
    with contextlib.closing(store.connect(data / DB_NAME)) as conn:
        assert snapshot_if_due(data, conn, force=True)  # as a build does, or a write past the threshold
    saved = SentenceOwners.load(data)
    assert saved.top > 0
    later = KnowledgeBase(settings=settings)
    later.add([article("late", "后来的文章。" + TEXT)])  # below the snapshot threshold: not saved
    fresh = KnowledgeBase(settings=settings)
    assert _view_owners(fresh) == _all_sentence_chunks(fresh)
    assert saved.top < max(_all_sentence_chunks(fresh))


def test_an_unreadable_saved_map_is_ignored(tmp_path):
    settings = hashing_settings(tmp_path)
    KnowledgeBase(settings=settings).add([article("a", TEXT)])
    data = KnowledgeBase(settings=settings).dir.current()
    (data / OWNERS_NAME).write_bytes(b"not numpy")
    assert SentenceOwners.load(data).top == 0
    fresh = KnowledgeBase(settings=settings)
    assert _view_owners(fresh) == _all_sentence_chunks(fresh)


def test_catching_up_from_nothing_grows_and_answers_only_known_ids(tmp_path):
    owners = SentenceOwners()
    import sqlite3

    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE sentences (rowid INTEGER PRIMARY KEY, chunk_rowid INTEGER)")
    conn.executemany("INSERT INTO sentences VALUES (?, ?)", [(i, 1000 + i // 3) for i in range(1, 500, 2)])
    assert owners.catch_up(conn) == 250 and owners.top == 499
    conn.executemany("INSERT INTO sentences VALUES (?, ?)", [(i, 7) for i in range(600, 700)])
    assert owners.catch_up(conn) == 100 and owners.top == 699
    assert owners.chunks([1, 2, 499, 650, 10_000, 0, -3]) == {1: 1000, 499: 1166, 650: 7}
    owners.save(tmp_path)
    again = SentenceOwners.load(tmp_path)
    assert again.top == 699 and np.array_equal(np.load(tmp_path / OWNERS_NAME)[:700], np.load(tmp_path / OWNERS_NAME))
    assert again.chunks([1, 650]) == {1: 1000, 650: 7}
