"""A corpus folder of hostile files, and the app's exposure (bind address, uploads).

The folder holds good files (UTF-8, GBK, Big5, HTML with scripts, JSON) beside binary, empty,
truncated-UTF-8 and 50 MB files, JSON with wrong types or lone surrogates, YAML that expands
without bound, symlink loops, symlinks out of the folder, an undecodable file name and ids
containing ``../``.  Loading, ``qa index build`` and ``kb.sync`` must report one clear error per
bad file (naming the file and the problem), index the good files, and touch nothing outside
the index folder (the corpus itself included).
"""
from __future__ import annotations

import hashlib
import html
import inspect
import json
import os
from pathlib import Path
from typing import Any

import pytest

from qa.ui import cli
from qa.ui.chat import ChatService
from qa.ingest.corpus import MAX_BYTES, load_corpus
from qa.errors import CorpusError
from qa.kb import KnowledgeBase
from tests.helpers import hashing_settings

UNDECODABLE_NAME = b"\xff\xfename.txt"
HUGE_BYTES = 50_000_000

#: file (relative to the corpus folder) -> what its error must say
BAD_FILES: dict[str, str] = {
    "binary.txt": "not a text file (binary content)",
    "image.png": "unsupported file type .png",
    "empty.md": "empty file",
    "blank.txt": "empty file",
    "truncated.txt": "truncated UTF-8: the file ends in the middle of a character",
    "huge.txt": "file is 50 MB, over the 20 MB limit",
    "not_json.json": "invalid JSON: ",
    "surrogate.json": r"field 'text' is not valid Unicode: unpaired surrogate \ud800 at character 3",
    "laughs.md": "field 'lol' is over 1,000,000 characters as JSON",
    "cyclic.md": "field 'loop' is over 1,000,000 characters as JSON",
    "loop": "broken symlink or symlink loop; skipped",
    "escape.md": "outside the corpus folder; skipped",
    "outside_dir": "outside the corpus folder; skipped",
    os.fsdecode(UNDECODABLE_NAME): "the file name is not valid UTF-8; rename the file",
}
#: multi-article files: (file, record label) -> what the record's error must say
BAD_RECORDS: dict[tuple[str, str], str] = {
    ("wrong_types.json", "item 1"): "field 'title' must be a string",
    ("wrong_types.json", "item 2"): "field 'text' must be a string",
    ("wrong_types.json", "item 3"): "field 'date': expected a date such as 2024-10-18, got dict",
    ("wrong_types.json", "item 4"): "expected a JSON object, got a string",
    ("wrong_types.json", "item 5"): "field 'id' must be a string",
    ("news.jsonl", "line 2"): "invalid JSON",
}
GOOD_IDS = {"good-md", "good", "gbk", "big5", "page", "wrong_types-ok", "jsonl-1", "jsonl-3",
            "../../outside/pwned", "..\\..\\evil", "x\\..\\..\\evil", "a..b", "sub/inner"}
GBK_TEXT = "这是一篇用国标编码保存的新闻报道，内容关于经济增长。"
BIG5_TEXT = "這是一篇用大五碼保存的新聞報導，內容關於經濟成長。"


def _write_hostile_corpus(corpus: Path, outside: Path) -> None:
    """Fill ``corpus`` with good and hostile files; ``outside`` is a sibling folder symlinks point into."""
    corpus.mkdir()
    outside.mkdir()
    (outside / "secret.md").write_text("机密\n不应被读取的正文。", encoding="utf-8")
    w = lambda name, text: (corpus / name).write_text(text, encoding="utf-8")  # noqa: E731
    # good files
    w("good.md", "---\nid: good-md\ntitle: 好文章\nsource: 新华社\ndate: 2024-10-18\n---\n微软聘请了苏莱曼。\n")
    w("good.txt", "纯文本标题\n正文第一句。第二句。")
    (corpus / "gbk.txt").write_bytes(("国标标题\n" + GBK_TEXT).encode("gbk"))
    (corpus / "big5.txt").write_bytes(("繁體標題\n" + BIG5_TEXT).encode("big5"))
    w("page.html", "<html><head><title>网页新闻</title><script>alert('xss'); document.write('脚本注入')</script>"
                   "</head><body><nav>导航</nav><article><h1>网页新闻</h1><p>这是一篇网页新闻。内容很重要，值得一读。</p>"
                   "<script>var stolen = '窃取的数据';</script><p>第二段也有内容。</p></article></body></html>")
    w("a..b.txt", "点点\n文件名里有两个点。")
    w("x\\..\\..\\evil.txt", "反斜杠\n文件名里有反斜杠和两个点。")  # one file name on POSIX; not a path
    w(".hidden.md", "隐藏\n隐藏文件不读取。")
    (corpus / "sub").mkdir()
    w("sub/inner.md", "子目录\n子目录里的文章。")
    (corpus / "sub" / "up").symlink_to("..")  # a loop back to the corpus root: visited once
    # hostile files
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 64)
    (corpus / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    (corpus / "empty.md").write_bytes(b"")
    w("blank.txt", " \n\t\n\u3000\n")
    (corpus / "truncated.txt").write_bytes("截断\n这个文件在一个汉字中间被截断".encode("utf-8")[:-1])
    with open(corpus / "huge.txt", "w", encoding="utf-8") as fh:
        block = "这是一个五十兆的大文件中的一句话，用来测试大小限制。\n" * 2000
        while fh.tell() < HUGE_BYTES:
            fh.write(block)
    w("not_json.json", '{"id": "x", "text": "未闭合的对象"')
    w("wrong_types.json", json.dumps([
        {"id": "t1", "title": ["列表"], "text": "正文。"}, {"id": "t2", "text": 123},
        {"id": "t3", "text": "正文。", "date": {"year": 2024}}, "只是一个字符串", {"id": {"a": 1}, "text": "正文。"},
        {"id": "wrong_types-ok", "title": "好的一条", "text": "这一条是好的。"},
        {"id": "../../outside/pwned", "title": "路径 id", "text": "id 里有 ../ 的文章只是一个名字。"},
    ], ensure_ascii=False))
    w("news.jsonl", '{"id": "jsonl-1", "text": "第一行。"}\n{"id": broken}\n{"id": "jsonl-3", "text": "第三行。"}\n')
    w("surrogate.json", '{"id": "s", "title": "代理", "text": "abc\\ud800def。"}')
    # "Billion laughs": nine levels of nine aliases, 9**9 strings once expanded.
    levels = ["&a [" + ", ".join(["哈哈"] * 9) + "]"] + [
        f"&{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]" for i in range(8)]
    laughs = "---\nlol: [" + ", ".join(levels) + "]\n---\n正文。\n"
    w("laughs.md", laughs)
    w("cyclic.md", "---\nloop: &x [*x]\n---\n自我引用。\n")
    w("bad_front.md", "---\nid: fine-id\n---\n\n")  # front matter only: no text
    (corpus / "loop").symlink_to("loop")
    (corpus / "escape.md").symlink_to(outside / "secret.md")
    (corpus / "outside_dir").symlink_to(outside)
    with open(os.path.join(os.fsencode(corpus), UNDECODABLE_NAME), "wb") as fh:
        fh.write("名字\n正文。".encode("utf-8"))
    # ids with ../ in them are only names
    w("dotdot.md", "---\nid: ..\\..\\evil\ntitle: 反斜杠 id\n---\n反斜杠的 id。\n")


def _snapshot(root: Path) -> dict[str, Any]:
    """Return every entry under ``root`` (symlinks not followed) with its type, size, mtime and digest."""
    state: dict[str, Any] = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(folder, name)
            st = os.lstat(path)
            key = os.path.relpath(path, root)
            if os.path.islink(path):
                state[key] = ("link", os.readlink(path))
            elif os.path.isdir(path):
                state[key] = ("dir", st.st_mode)
            else:
                with open(path, "rb") as fh:
                    digest = hashlib.sha1(fh.read(1 << 20)).hexdigest()
                state[key] = ("file", st.st_mode, st.st_size, st.st_mtime_ns, digest)
    return state


def _outside_index(snapshot: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in snapshot.items() if k != "index" and not k.startswith("index" + os.sep)}


@pytest.fixture
def hostile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path, dict[str, Any]]:
    """(corpus, index, snapshot of everything but the index) in a fresh folder that is also the cwd."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    _write_hostile_corpus(corpus, tmp_path / "outside")
    monkeypatch.chdir(tmp_path)  # stray relative writes would land in the snapshot
    return corpus, index, _snapshot(tmp_path)


def _check_errors(errors: list[CorpusError] | list[str], corpus: Path) -> None:
    """Assert one error per bad file and bad record, each naming the file and the problem."""
    texts = [str(e) for e in errors]
    for name, problem in BAD_FILES.items():
        shown = str(corpus / name) if name != os.fsdecode(UNDECODABLE_NAME) else str(corpus) + "/\\xff\\xfename.txt"
        hits = [t for t in texts if t.startswith(shown + ": ")]
        assert len(hits) == 1, f"{name}: expected one error, got {hits}"
        assert problem in hits[0], f"{name}: {hits[0]!r} does not say {problem!r}"
    for (name, label), problem in BAD_RECORDS.items():
        hits = [t for t in texts if t.startswith(f"{corpus / name}: {label}: ")]
        assert len(hits) == 1 and problem in hits[0], f"{name} {label}: {hits}"
    assert any(t.startswith(f"{corpus / 'bad_front.md'}: ") and "no article text" in t for t in texts)
    assert len(texts) == len(BAD_FILES) + len(BAD_RECORDS) + 1, "\n".join(texts)


def test_loading_a_hostile_folder_reports_each_bad_file_and_keeps_the_good_ones(hostile) -> None:
    corpus, _, before = hostile
    errors: list[CorpusError] = []
    articles = {a.id: a for a in load_corpus(corpus, errors=errors)}
    assert set(articles) == GOOD_IDS
    _check_errors(errors, corpus)
    paths = {e.path for e in errors}
    assert "huge.txt" in paths and "wrong_types.json" in paths  # relative paths, so sync keeps old rows
    assert articles["gbk"].text == GBK_TEXT and articles["big5"].text == BIG5_TEXT
    page = articles["page"].text
    assert "这是一篇网页新闻" in page and not any(s in page for s in ("alert", "document.write", "窃取", "导航"))
    assert _snapshot(corpus.parent) == before


def test_index_build_and_sync_on_a_hostile_folder_index_the_good_files_and_touch_nothing_else(
        hostile, capsys: pytest.CaptureFixture[str]) -> None:
    corpus, index, before = hostile
    code = cli.main(["--index", str(index), "--model", "hashing:64", "index", "build", str(corpus)])
    out, err = capsys.readouterr()
    assert code == 0, err
    warnings = [line.removeprefix("warning: ") for line in err.splitlines() if line.startswith("warning: ")]
    _check_errors(warnings, corpus)
    kb = KnowledgeBase(settings=hashing_settings(corpus.parent))
    assert {a.id for a in kb.articles()} == GOOD_IDS
    summary = kb.sync(corpus)
    assert not summary.added and not summary.removed and not summary.updated
    _check_errors(list(summary.errors), corpus)
    assert _outside_index(_snapshot(corpus.parent)) == _outside_index(before)
    assert not (corpus.parent / "outside" / "pwned").exists() and not (corpus.parent / "evil").exists()
    answer = kb.answer("国标编码的新闻报道讲了什么？")
    assert all(kb.article(q.article_id).text[q.start:q.end] == q.text for q in answer.quotes)


def test_the_corpus_size_limit_is_20_mb_as_documented() -> None:
    readme = (Path(__file__).resolve().parent.parent / "corpus" / "README.md").read_text(encoding="utf-8")
    assert MAX_BYTES == 20_000_000 and "20 MB" in readme
    assert inspect.signature(load_corpus).parameters["max_bytes"].default == MAX_BYTES


# --- exposure of the app -----------------------------------------------------------------------

def test_the_app_binds_to_127_0_0_1_unless_told_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QA_HOST", raising=False)
    monkeypatch.delenv("GRADIO_SERVER_NAME", raising=False)
    import app

    args = app.parse_args([])
    assert args.host == "127.0.0.1" and args.share is False
    params = inspect.signature(app.launch).parameters
    assert params["host"].default == "127.0.0.1" and params["share"].default is False


@pytest.fixture
def service(tmp_path: Path) -> ChatService:
    """A chat service over an empty hashing index, a 20 kB upload limit and an ``outside`` sibling folder."""
    (tmp_path / "corpus").mkdir()
    (tmp_path / "outside").mkdir()
    settings = hashing_settings(tmp_path, corpus_dir=tmp_path / "corpus", max_upload_bytes=20_000)
    return ChatService(KnowledgeBase(settings=settings), settings)


def _upload(service: ChatService, tmp_path: Path, name: str, data: bytes) -> str:
    source = tmp_path / "uploads" / hashlib.sha1(name.encode()).hexdigest()
    source.parent.mkdir(exist_ok=True)
    source.write_bytes(data)
    return html.unescape(service.add_files([{"path": str(source), "orig_name": name}]))  # the reply is escaped


@pytest.mark.parametrize("name, data, reason", [
    ("big.md", ("标题\n" + "很长的正文。" * 2000).encode("utf-8"), "上限"),
    ("tool.exe", b"MZ\x90\x00" + bytes(100), ".exe"),
    ("photo.png", b"\x89PNG\r\n\x1a\n" + bytes(100), ".png"),
    ("no_extension", "标题\n正文。".encode("utf-8"), "扩展名"),
    ("disguised.txt", bytes(range(256)) * 8, "disguised.txt"),
])
def test_uploads_over_the_size_limit_or_of_the_wrong_type_are_refused_and_not_saved(
        service: ChatService, tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    reply = _upload(service, tmp_path, name, data)
    assert reply.startswith(f"✗ {name}") and reason in reply, reply
    assert list((tmp_path / "corpus").iterdir()) == []
    assert not service.kb.articles()


def test_an_upload_named_with_dot_dot_slash_is_saved_inside_the_corpus(service: ChatService, tmp_path: Path) -> None:
    before = _snapshot(tmp_path / "outside")
    reply = _upload(service, tmp_path, "../../outside/evil.md", "越界\n文件名想跳出文章文件夹。".encode("utf-8"))
    assert reply.startswith("✓"), reply
    assert [p.name for p in (tmp_path / "corpus").iterdir()] == ["evil.md"]
    assert _snapshot(tmp_path / "outside") == before
    assert [a.path for a in service.kb.articles()] == ["evil.md"]


def test_the_escaping_symlink_named_on_its_own_is_refused_by_index_add(
        hostile, capsys: pytest.CaptureFixture[str]) -> None:
    corpus, index, _ = hostile
    code = cli.main(["--index", str(index), "--model", "hashing:64", "index", "add", str(corpus / "escape.md")])
    out, err = capsys.readouterr()
    assert code == 0 and "0 added" in out, err
    assert err.startswith(f"warning: {corpus / 'escape.md'}: symlink to ") and "outside its folder" in err
    assert "不应被读取" not in out + err


@pytest.mark.parametrize("name, content", [
    ("huge_number.json", '{"title": "数字", "text": "正文。", "id": ' + "7" * 10_000 + "}"),
    ("huge_number.jsonl", '{"title": "数字", "text": "正文。"}\n{"text": "正文。", "n": ' + "7" * 10_000 + "}\n"),
])
def test_a_number_longer_than_python_reads_is_reported_in_plain_words(tmp_path: Path, name: str, content: str) -> None:
    (tmp_path / name).write_text(content, encoding="utf-8")
    errors: list[CorpusError] = []
    list(load_corpus(tmp_path, errors=errors))
    assert len(errors) == 1 and "has more than 4300 digits" in str(errors[0]), errors
    assert "set_int_max_str_digits" not in str(errors[0])
