"""A read-only index (read-only mount, no write permission) can be searched; writes to it fail
with one clear error naming the folder.

Tests run as root here, where ``chmod a-w`` stops nothing. So each case runs twice: simulated
(``os.access`` reports the copy unwritable, which is also what a read-only mount reports to root)
and for real, in a forked child that drops to the ``nobody`` user (or in-process when the tests
already run unprivileged), skipped with the reason when neither is possible.
"""
from __future__ import annotations

import contextlib

import errno
import os
import pickle
import pwd
import select
import shutil
import signal
import sqlite3
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from qa.errors import IndexReadOnlyError
from qa.index import folder as folder_module
from qa.index.folder import DB_NAME
from qa.kb import KnowledgeBase
from qa.ui.cli import main
from tests.helpers import article, hashing_settings, sample_articles

CHILD_TIMEOUT_S = 60


@pytest.fixture()
def built(tmp_path) -> KnowledgeBase:
    kb = KnowledgeBase(settings=hashing_settings(tmp_path))
    kb.add(sample_articles())
    kb.reader.close()
    return kb


@pytest.fixture()
def shared_dir() -> Iterator[Path]:
    """A folder the ``nobody`` user can reach (pytest's tmp_path is private to root)."""
    root = Path(tempfile.mkdtemp(prefix="qa-readonly-"))
    root.chmod(0o755)
    try:
        yield root
    finally:
        for path in [root, *root.rglob("*")]:
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o755)
        shutil.rmtree(root)


def _data_files(index: Path) -> set[str]:
    return {p.name for p in next(index.glob("data-*")).iterdir()}


def _simulate_read_only(monkeypatch, root: Path) -> None:
    """Make ``os.access`` say that nothing under ``root`` can be written (what root sees on a
    read-only mount)."""
    real = os.access

    def access(path: Any, mode: int, *args: Any, **kwargs: Any) -> bool:
        if mode & os.W_OK and Path(path).resolve().is_relative_to(root.resolve()):
            return False
        return real(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)


def _make_read_only(root: Path) -> None:
    for path in [*root.rglob("*"), root]:
        mode = path.stat().st_mode
        path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def _as_unprivileged(work: Callable[[], Any]) -> Any:
    """Return ``work()`` run by a user whom file permissions bind: this process when it is not
    root, else a forked child that becomes ``nobody``. Exceptions come back as ``(type name, message)``."""
    if os.geteuid() != 0:
        try:
            return work()
        except Exception as exc:  # noqa: BLE001 - reported like the child's
            return (type(exc).__name__, str(exc))
    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("running as root and there is no 'nobody' user to drop to")
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        try:
            os.setgroups([])
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)
            try:
                result: Any = work()
            except Exception as exc:  # noqa: BLE001
                result = (type(exc).__name__, str(exc))
            os.write(write, pickle.dumps(result))
        finally:
            os._exit(0)
    os.close(write)
    try:
        ready, _, _ = select.select([read], [], [], CHILD_TIMEOUT_S)
        if not ready:
            os.kill(pid, signal.SIGKILL)
            pytest.fail(f"the unprivileged reader did not finish within {CHILD_TIMEOUT_S} s")
        data = b"".join(iter(lambda: os.read(read, 65536), b""))
    finally:
        os.close(read)
        os.waitpid(pid, 0)
    assert data, "the unprivileged child died without a result"
    return pickle.loads(data)


def _read(index: Path) -> Any:
    """What the CLI's readers do: status, a keyword search and the article count."""
    kb = KnowledgeBase(settings=hashing_settings(index.parent).replace(index_dir=index))
    try:
        hits = kb.retrieve("北京 大雨", k=2, mode="bm25")
        return kb.status().articles, len(kb), hits[0].article_id
    finally:
        kb.reader.close()


# ------------------------------------------------------------------ simulated (os.access)
def test_a_reader_opens_a_read_only_index_without_writing_to_it(built, tmp_path, monkeypatch):
    copy = tmp_path / "ro"
    shutil.copytree(built.dir.path, copy)
    before = _data_files(copy)
    _simulate_read_only(monkeypatch, copy)
    kb = KnowledgeBase(settings=built.settings.replace(index_dir=copy))
    assert kb.status().articles == 3 and kb.retrieve("北京 大雨", k=1)[0].article_id == "rain"
    assert _data_files(copy) == before  # no -wal/-shm created, no schema written, while open
    kb.reader.close()


@pytest.mark.parametrize("write", [
    lambda kb: kb.add([article("new", "新的文章。")]),
    lambda kb: kb.remove(["rain"]),
    lambda kb: kb.sync(kb.settings.corpus_dir),
])
def test_a_write_to_a_read_only_index_is_one_error_naming_the_folder(built, tmp_path, monkeypatch, write):
    copy = tmp_path / "ro"
    shutil.copytree(built.dir.path, copy)
    (tmp_path / "corpus").mkdir(exist_ok=True)
    _simulate_read_only(monkeypatch, copy)
    kb = KnowledgeBase(settings=built.settings.replace(index_dir=copy, corpus_dir=tmp_path / "corpus"))
    with pytest.raises(IndexReadOnlyError, match=rf"^{copy}/ is not writable: .*to update it"):
        write(kb)
    assert kb.status().articles == 3


def test_a_read_only_mount_refusing_the_lock_file_is_index_read_only_error(built, monkeypatch):
    real_open = os.open

    def refuse_lock(path: Any, flags: int, *args: Any) -> int:
        if str(path).endswith(".lock"):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(folder_module.os, "open", refuse_lock)
    with pytest.raises(IndexReadOnlyError, match="is not writable: Read-only file system; .*to update it"):
        built.remove(["rain"])


def test_cli_reads_a_read_only_index_and_refuses_writes_in_one_error_line(built, tmp_path, monkeypatch, capsys):
    copy = tmp_path / "ro"
    shutil.copytree(built.dir.path, copy)
    _simulate_read_only(monkeypatch, copy)
    monkeypatch.setenv("QA_MODEL", "hashing:64")
    assert main(["--index", str(copy), "index", "status"]) == 0
    assert main(["--index", str(copy), "search", "北京 大雨", "-k", "1"]) == 0
    assert main(["--index", str(copy), "ask", "北京下雨了吗？"]) == 0
    capsys.readouterr()
    assert main(["--index", str(copy), "index", "remove", "rain"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: {copy}/ is not writable") and "\n" not in err


# ------------------------------------------------------------------ real permissions
def test_an_unprivileged_reader_reads_a_read_only_copy(built, shared_dir):
    _read(built.dir.path)  # imports everything the child needs while files are still reachable
    copy = shared_dir / "index"
    db = built.dir.current() / DB_NAME
    with contextlib.closing(sqlite3.connect(db)) as conn:  # every commit into the main file first
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copytree(built.dir.path, copy, ignore=shutil.ignore_patterns("*-wal", "*-shm"))
    assert not any(name.endswith("-wal") for name in _data_files(copy))
    _make_read_only(shared_dir)
    assert _as_unprivileged(lambda: _read(copy)) == (3, 3, "rain")


def _copy_with_commits_in_wal(built: KnowledgeBase, dest: Path) -> None:
    """Copy the index while a reader holds the database open, so the last commit (article
    "late") is still in ``-wal`` only, as when a live index is snapshotted."""
    data = built.dir.current()
    hold = sqlite3.connect(data / DB_NAME)
    try:
        hold.execute("SELECT COUNT(*) FROM articles").fetchone()
        built.add([article("late", "深夜的一场大雨让北京降温。")])
        shutil.copytree(built.dir.path, dest)
    finally:
        hold.close()
    db = next(dest.glob("data-*")) / DB_NAME
    immutable = sqlite3.connect(f"{db.as_uri()}?immutable=1", uri=True)  # the main file alone
    try:
        late = immutable.execute("SELECT COUNT(*) FROM articles WHERE id = 'late'").fetchone()[0]
    except sqlite3.OperationalError:  # even the schema is still in -wal
        late = 0
    finally:
        immutable.close()
    assert late == 0, "the copy should hold the last commit in -wal only"


def test_an_unprivileged_reader_sees_commits_still_in_the_wal_of_a_read_only_copy(built, shared_dir):
    _read(built.dir.path)
    copy = shared_dir / "index"
    _copy_with_commits_in_wal(built, copy)
    _make_read_only(shared_dir)
    assert _as_unprivileged(lambda: _read(copy))[:2] == (4, 4)


def test_a_read_only_copy_with_wal_commits_but_no_shm_is_a_clear_error(built, shared_dir):
    _read(built.dir.path)
    copy = shared_dir / "index"
    _copy_with_commits_in_wal(built, copy)
    for shm in copy.glob("data-*/*-shm"):
        shm.unlink()
    _make_read_only(shared_dir)
    kind, message = _as_unprivileged(lambda: _read(copy))
    assert kind == "IndexReadOnlyError"
    assert f"{next(copy.glob('data-*'))}/ is read-only" in message and "copy it to a writable folder" in message


def test_an_unprivileged_writer_of_a_read_only_copy_gets_one_clear_error(built, shared_dir):
    _read(built.dir.path)
    copy = shared_dir / "index"
    shutil.copytree(built.dir.path, copy)
    _make_read_only(shared_dir)

    def remove() -> Any:
        kb = KnowledgeBase(settings=built.settings.replace(index_dir=copy))
        return kb.remove(["rain"])

    kind, message = _as_unprivileged(remove)
    assert kind == "IndexReadOnlyError" and message.startswith(f"{copy}/ is not writable")


def test_the_chat_serves_a_read_only_index_as_it_is_instead_of_failing_to_start(built, tmp_path, monkeypatch):
    from qa.ui.chat import prepare_index

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "new.md").write_text("---\nid: new\ntitle: 新文章\n---\n正文。", encoding="utf-8")
    _simulate_read_only(monkeypatch, built.dir.path)
    summary = prepare_index(built, corpus)
    assert summary.added == () and "new" not in {a.id for a in built.articles()}
    assert built.retrieve(sample_articles()[0].title, 1)
