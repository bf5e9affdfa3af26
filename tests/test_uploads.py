"""qa.ingest.uploads: uploaded and pasted articles are saved inside the corpus under safe names, or refused cleanly."""
from __future__ import annotations

import errno
import re
import sqlite3
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from qa.errors import IndexLockedError
from qa.kb import KnowledgeBase
from qa.ingest.uploads import Uploader, UploadError, pasted_article, safe_filename, uploaded_file
from tests.helpers import hashing_settings, sample_articles

LIMIT = 20_000
MOON = ("---\ntitle: 嫦娥六号带回月背样品\nsource: 新华社\ndate: 2024-06-25\n---\n"
        "嫦娥六号返回器于6月25日在内蒙古四子王旗着陆。\n嫦娥六号从月球背面采集了1935.3克月壤样品。\n")
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def env(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for a in sample_articles():
        front = {"id": a.id, "title": a.title, "source": a.source, "date": a.date}
        (corpus / f"{a.id}.md").write_text(f"---\n{yaml.safe_dump(front, allow_unicode=True)}---\n{a.text}\n",
                                           encoding="utf-8")
    kb = KnowledgeBase(settings=hashing_settings(tmp_path, corpus_dir=corpus))
    kb.build(corpus)
    return SimpleNamespace(kb=kb, uploader=Uploader(kb, corpus, LIMIT), corpus=corpus, tmp=tmp_path)


def upload(env, name: str, data: bytes | str):
    """Upload ``data`` as a file the user called ``name`` (Gradio keeps it in a temp folder)."""
    src = env.tmp / "gradio-tmp" / Path(name.replace("\\", "/")).name
    src.parent.mkdir(exist_ok=True)
    src.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return env.uploader.add_file(src, name)


def refusal(env, name: str, data: bytes | str) -> UploadError:
    before = sorted(p.name for p in env.corpus.iterdir())
    with pytest.raises(UploadError) as info:
        upload(env, name, data)
    assert sorted(p.name for p in env.corpus.iterdir()) == before  # no partial, placeholder or staging file
    assert not CJK.search(str(info.value))  # library messages are English; the app words them in Chinese
    return info.value


def test_upload_is_saved_byte_for_byte_and_indexed(env):
    saved = upload(env, "moon.md", MOON)
    assert saved.path == env.corpus / "moon.md" and saved.path.read_text(encoding="utf-8") == MOON
    assert [a.title for a in saved.articles] == ["嫦娥六号带回月背样品"] and not saved.updated
    assert env.kb.article("moon").source == "新华社"
    assert env.kb.sync(env.corpus).removed == ()  # a later `qa index sync` keeps it


def test_upload_with_dotdot_name_is_saved_inside_corpus(env):
    saved = upload(env, "../../evil.md", MOON)
    assert saved.path == env.corpus / "evil.md"
    assert not (env.tmp / "evil.md").exists() and not (env.tmp.parent / "evil.md").exists()


def test_upload_with_taken_name_gets_a_new_name_and_never_overwrites(env):
    upload(env, "moon.md", MOON)
    saved = upload(env, "moon.md", MOON.replace("嫦娥六号", "嫦娥七号"))
    assert saved.path.name == "moon-2.md" and (env.corpus / "moon.md").read_text(encoding="utf-8") == MOON


def test_hidden_upload_name_is_made_visible_so_the_loader_reads_it(env):
    assert upload(env, ".hidden.md", MOON).path.name == "hidden.md"
    assert [p.name for p in env.corpus.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("name, safe", [
    ("C:\\Users\\x\\..\\新闻 稿?.MD", "新闻_稿.md"),
    ("README.md", "README-upload.md"),
    ("..新闻.md", "新闻.md"),
    ("?.md", "upload.md"),
    ("a..b...c.txt", "a.b.c.txt"),
    ("报道" * 60 + ".html", "报道" * 40 + ".html"),
])
def test_safe_filename_keeps_readable_names_and_drops_paths(name, safe):
    assert safe_filename(name) == safe


def test_uploaded_file_accepts_gradio_dicts_paths_and_temp_files():
    assert uploaded_file({"path": "/tmp/g/abc.md", "orig_name": "新闻.md"}) == ("/tmp/g/abc.md", "新闻.md")
    assert uploaded_file("/tmp/g/x.txt") == ("/tmp/g/x.txt", "x.txt")
    assert uploaded_file(SimpleNamespace(name="/tmp/g/y.json")) == ("/tmp/g/y.json", "y.json")


def test_upload_over_the_limit_is_refused_with_its_size_and_the_limit(env):
    exc = refusal(env, "big.md", "大" * 10_000)
    assert exc.kind == "too_large" and exc.info == {"size": 30_000, "limit": LIMIT}


@pytest.mark.parametrize("name, suffix", [("tool.exe", ".exe"), ("notes", "")])
def test_upload_of_unsupported_type_is_refused_before_reading(env, name, suffix):
    exc = refusal(env, name, "MZ")
    assert exc.kind == "unsupported" and exc.info["suffix"] == suffix and ".jsonl" in exc.info["supported"]


@pytest.mark.parametrize("name, data", [
    ("empty.md", ""), ("blank.txt", "  \n\t\n"), ("front.md", "---\ntitle: 空\n---\n"), ("list.json", "[]"),
])
def test_upload_without_article_text_is_refused_as_empty(env, name, data):
    assert refusal(env, name, data).kind == "empty"


def test_binary_upload_is_refused_as_undecodable(env):
    assert refusal(env, "x.txt", b"\x00\x01\x02\xff" * 50).kind == "undecodable"


def test_truncated_utf8_upload_is_refused_as_undecodable_with_the_cause(env):
    error = refusal(env, "x.txt", "微软聘请了苏莱曼。".encode()[:-1])
    assert error.kind == "undecodable" and "truncated UTF-8" in error.info["detail"]


def test_vanished_upload_is_refused_as_unreadable(env):
    with pytest.raises(UploadError) as info:
        env.uploader.add_file(env.tmp / "gone.md", "gone.md")
    assert info.value.kind == "unreadable" and "No such file" in info.value.info["detail"]


@pytest.mark.parametrize("name, data, detail", [
    ("news.jsonl", '{"text": "好"}\n{bad\n', "line 2: invalid JSON"),
    ("broken.md", "---\ntitle: [unclosed\n---\n正文。\n", "invalid YAML front matter"),
])
def test_malformed_upload_is_refused_with_the_loaders_reason(env, name, data, detail):
    exc = refusal(env, name, data)
    assert exc.kind == "invalid" and exc.info["detail"].startswith(detail)
    assert str(env.tmp) not in exc.info["detail"]  # the staging path means nothing to the user


def test_upload_reusing_another_files_article_id_is_refused(env):
    exc = refusal(env, "other.md", "---\nid: ms\n---\n冒名顶替的文章。\n")
    assert exc.kind == "id_taken" and exc.info == {"id": "ms", "other": "ms.md"}


def test_upload_that_cannot_be_indexed_is_removed_again(env, monkeypatch):
    def locked(articles):
        raise IndexLockedError("index is being updated by another process (pid 1)")
    monkeypatch.setattr(env.kb, "add", locked)
    exc = refusal(env, "moon.md", MOON)
    assert exc.kind == "index_busy" and "pid 1" in exc.info["detail"]
    assert not (env.corpus / "moon.md").exists()


def test_upload_prepares_the_index_before_adding(env, monkeypatch):
    order = []
    uploader = Uploader(env.kb, env.corpus, LIMIT, before_write=lambda: order.append("ready"))
    original = env.kb.add
    monkeypatch.setattr(env.kb, "add", lambda articles: order.append("add") or original(articles))
    src = env.tmp / "moon.md"
    src.write_text(MOON, encoding="utf-8")
    uploader.add_file(src, "moon.md")
    assert order == ["ready", "add"]


def test_pasting_the_same_article_again_updates_it(env):
    aid, data = pasted_article("火星新闻", "新华社", "2021-05-15", "https://example.com/mars",
                               "祝融号火星车着陆。\r\n这是中国首次火星着陆。", LIMIT)
    assert re.fullmatch(r"pasted-2021-05-15-[0-9a-f]{8}", aid)
    front = yaml.safe_load(data.decode("utf-8").split("---")[1])
    assert front == {"id": aid, "title": "火星新闻", "source": "新华社", "date": "2021-05-15",
                     "url": "https://example.com/mars"}
    first = env.uploader.add_pasted(aid, data)
    again = env.uploader.add_pasted(*pasted_article("火星新闻", "新华社", "2021-05-15", "",
                                                    "祝融号火星车着陆。\n这是中国首次火星着陆。", LIMIT))
    assert first.path == again.path == env.corpus / f"{aid}.md" and (first.updated, again.updated) == (False, True)
    assert "url" not in yaml.safe_load(again.path.read_text(encoding="utf-8").split("---")[1])


@pytest.mark.parametrize("fields, kind", [
    (("t", "", "", "", "  "), "no_text"),
    (("t", "", "2024-02-30", "", "正文。"), "bad_date"),
    (("t", "", "", "javascript:alert(1)", "正文。"), "bad_url"),
    (("t", "", "", "", "长" * 7000), "too_large"),
])
def test_pasted_article_refusals(fields, kind):
    with pytest.raises(UploadError) as info:
        pasted_article(*fields, LIMIT)
    assert info.value.kind == kind and not CJK.search(str(info.value))


# --- full disks and unwritable folders (issue #17, finding 2) --------------------------------

DISK_FULL_ERRORS = [sqlite3.OperationalError("database or disk is full"),
                    OSError(errno.ENOSPC, "No space left on device")]


@pytest.mark.parametrize("error", DISK_FULL_ERRORS, ids=["sqlite", "oserror"])
def test_upload_whose_index_write_hits_a_full_disk_is_removed_and_refused_as_disk_full(env, monkeypatch, error):
    def full(articles):
        raise error
    monkeypatch.setattr(env.kb, "add", full)
    exc = refusal(env, "moon.md", MOON)  # the corpus folder is as before: no file left unindexed
    assert (exc.kind, exc.info["place"], exc.info["file"]) == ("disk_full", "index", "moon.md")
    monkeypatch.undo()
    assert env.kb.sync(env.corpus).added == ()  # corpus and index are in step


def test_upload_whose_corpus_write_hits_a_full_disk_is_refused_as_disk_full(env, monkeypatch):
    real_write = Path.write_bytes

    def write_bytes(self, data):
        if env.corpus in self.parents:
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real_write(self, data)
    src = env.tmp / "moon-src.md"
    src.write_text(MOON, encoding="utf-8")
    before = sorted(p.name for p in env.corpus.iterdir())
    monkeypatch.setattr(Path, "write_bytes", write_bytes)
    with pytest.raises(UploadError) as info:
        env.uploader.add_file(src, "moon.md")
    assert (info.value.kind, info.value.info["place"], info.value.info["file"]) == ("disk_full", "corpus", "moon.md")
    assert sorted(p.name for p in env.corpus.iterdir()) == before  # placeholder and staging folder gone


def test_paste_into_an_unwritable_corpus_is_refused_as_unwritable(env, monkeypatch):
    def read_only(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(env.corpus))
    monkeypatch.setattr(tempfile, "mkdtemp", read_only)
    aid, data = pasted_article("火星新闻", "新华社", "2021-05-15", "", "祝融号火星车着陆。", LIMIT)
    with pytest.raises(UploadError) as info:
        env.uploader.add_pasted(aid, data)
    assert (info.value.kind, info.value.info["file"]) == ("unwritable", f"{aid}.md")
    assert not list(env.corpus.glob("pasted-*"))


def test_failed_update_of_a_pasted_article_puts_the_earlier_copy_back(env, monkeypatch):
    aid, first = pasted_article("火星新闻", "新华社", "2021-05-15", "", "祝融号火星车着陆。", LIMIT)
    env.uploader.add_pasted(aid, first)
    again = pasted_article("火星新闻", "新华社", "2021-05-15", "https://example.com/mars", "祝融号火星车着陆。", LIMIT)
    assert again[0] == aid

    def full(articles):
        raise sqlite3.OperationalError("database or disk is full")
    monkeypatch.setattr(env.kb, "add", full)
    with pytest.raises(UploadError) as info:
        env.uploader.add_pasted(*again)
    assert info.value.kind == "disk_full"
    assert (env.corpus / f"{aid}.md").read_bytes() == first  # the file the index holds
    assert [p.name for p in env.corpus.iterdir() if p.name.startswith(".")] == []
