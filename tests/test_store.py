"""SQLite storage: connection settings and the trigger-kept row counts."""
from __future__ import annotations

import pytest

from qa.index import lookups
from qa.index import store


def test_connections_keep_a_64_mb_page_cache_of_their_own(tmp_path):
    conn = store.connect(tmp_path / "qa.sqlite")
    assert conn.execute("PRAGMA cache_size").fetchone()[0] == -store.PAGE_CACHE_KIB
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_row_count_of_a_new_database_is_zero_and_unknown_tables_are_refused(tmp_path):
    conn = store.connect(tmp_path / "qa.sqlite")
    assert [lookups.row_count(conn, t) for t in store.COUNTED_TABLES] == [0, 0, 0]
    with pytest.raises(ValueError, match="no row count is kept for 'lsh'"):
        lookups.row_count(conn, "lsh")


def test_read_only_connections_open_paths_with_uri_characters_and_never_write(tmp_path):
    folder = tmp_path / "a?b#c%20d"
    folder.mkdir()
    writer = store.connect(folder / "qa.sqlite")
    store.set_meta(writer, {"generation": "7"})
    writer.close()
    for immutable in (False, True):
        reader = store.connect(folder / "qa.sqlite", readonly=True, immutable=immutable)
        assert store.generation(reader) == 7
        with pytest.raises(Exception, match="readonly"):
            store.set_meta(reader, {"generation": "8"})
        reader.close()
