"""The browser app without a browser: handlers of app.py over a temporary index (hashing encoder)."""
from __future__ import annotations

import errno
import html
import importlib.util
import re
import sqlite3
import subprocess
import sys
import tempfile
from contextlib import closing
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import pytest
import yaml

import app
from qa.index import store
from qa.ui.chat import ChatService, history_for, message_text
from qa.embedding.encoders import HashingEncoder
from qa.errors import IndexMismatchError
from qa.index.folder import DB_NAME
from qa.kb import KnowledgeBase
from tests.appserver import free_port
from tests.helpers import article, hashing_settings, sample_articles

ROOT = Path(__file__).resolve().parent.parent
MOON = ("---\ntitle: 嫦娥六号带回月背样品\nsource: 新华社\ndate: 2024-06-25\n---\n"
        "嫦娥六号返回器于6月25日在内蒙古四子王旗着陆。\n嫦娥六号从月球背面采集了1935.3克月壤样品。\n")


def visible(markup: str) -> str:
    """What the reader sees of a message: tags dropped, character references decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def last_message(chat: list) -> str:
    return visible(message_text(chat[-1]["content"]) if not isinstance(chat[-1]["content"], str)
                   else chat[-1]["content"])


def write_corpus(corpus: Path) -> Path:
    corpus.mkdir(exist_ok=True)
    for a in sample_articles():
        front = {"id": a.id, "title": a.title, "source": a.source, "date": a.date}
        (corpus / f"{a.id}.md").write_text(f"---\n{yaml.safe_dump(front, allow_unicode=True)}---\n{a.text}\n",
                                           encoding="utf-8")
    return corpus


@pytest.fixture
def env(tmp_path):
    corpus = write_corpus(tmp_path / "corpus")
    settings = hashing_settings(tmp_path, corpus_dir=corpus, max_upload_bytes=20_000)
    service = ChatService(KnowledgeBase(settings=settings), settings)
    service.ready()
    return SimpleNamespace(service=service, h=app.Handlers(service), corpus=corpus, tmp=tmp_path)


def upload(env, name: str, data: bytes | str) -> str:
    """Upload ``data`` as a file the user called ``name`` (the way Gradio hands it over)."""
    src = env.tmp / "gradio-tmp" / Path(name.replace("\\", "/")).name
    src.parent.mkdir(exist_ok=True)
    src.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return visible(env.service.add_files([{"path": str(src), "orig_name": name}]))


def test_importing_the_app_loads_no_model_and_builds_the_page():
    code = "import sys, app; assert 'torch' not in sys.modules and 'sentence_transformers' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=120)
    assert isinstance(app.demo, gr.Blocks)


def test_build_demo_exposes_the_ask_endpoint(env):
    demo = app.build_demo(env.service)
    names = {fn.api_name for fn in demo.fns.values()}
    assert {"ask", "source", "upload", "paste", "articles"} <= names


def test_cited_answer_with_sources_and_viewer(env):
    chat, box, picker, viewer, answers = env.h.ask("微软为什么聘请苏莱曼？", [], [])
    text = last_message(chat)
    assert box == "" and len(answers) == 1 and not answers[0].abstained
    assert "[1]" in text and "来源" in text and "《标题 ms》 · 智东西 · 2025-04-30" in text
    assert "<mark>" in chat[-1]["content"]
    assert picker.value == "1" and "<mark>" in viewer and "标题 ms" in visible(viewer)
    assert "<mark>" in env.h.pick_source("1", answers)


def test_follow_up_passes_the_session_history(env, monkeypatch):
    seen = []
    original = env.service.kb.answer
    monkeypatch.setattr(env.service.kb, "answer", lambda q, **kw: seen.append(kw["history"]) or original(q, **kw))
    chat, _, _, _, answers = env.h.ask("微软为什么聘请苏莱曼？", [], [])
    chat, _, _, _, answers = env.h.ask("他之前创办了哪家公司？", chat, answers)
    assert seen[0] == [] and seen[1] == [answers[0]] and len(chat) == 4
    # A client that sends only the chat (no session answers) still gets follow-ups: its questions.
    gradio_style = [{"role": "user", "content": [{"type": "text", "text": "微软为什么聘请苏莱曼？"}]},
                    {"role": "assistant", "content": [{"type": "text", "text": "…"}]}]
    env.h.ask("他之前创办了哪家公司？", gradio_style, [])
    assert seen[2] == ["微软为什么聘请苏莱曼？"]


def test_abstention_says_so_plainly(env):
    chat, _, _, _, answers = env.h.ask("微软为什么聘请苏莱曼？", [], [], since="2099-01-01")
    assert answers[-1].abstained and last_message(chat).startswith("在已收录的文章中没有找到答案")
    chat, *_ = env.h.ask("why did Microsoft hire Suleyman?", [], [], since="2099-01-01")
    assert "No answer found in the indexed articles" in last_message(chat)


def test_outlet_filter(env):
    chat, _, _, _, answers = env.h.ask("微软为什么聘请苏莱曼？", [], [], outlets=["新华社"])
    shown = answers[-1].passages
    assert shown and all(p.source == "新华社" for p in shown)
    assert all(q.source == "新华社" for q in answers[-1].quotes)


@pytest.mark.parametrize("question, since, until, message", [
    ("", "", "", "请输入问题"),
    ("长" * 2001, "", "", "问题太长（2001 字）"),
    ("微软为什么聘请苏莱曼？", "2024-13-45", "", "起始日期「2024-13-45」无法识别"),
    ("微软为什么聘请苏莱曼？", "", "昨天", "截止日期「昨天」无法识别"),
    ("微软为什么聘请苏莱曼？", "2025-01-01", "2024-01-01", "起始日期 2025-01-01 晚于截止日期 2024-01-01"),
    ("why?", "soon", "", "Start date 'soon' is not a date"),
])
def test_bad_input_is_answered_with_a_message(env, question, since, until, message):
    chat, box, picker, _, answers = env.h.ask(question, [], [], since=since, until=until)
    assert message in last_message(chat) and last_message(chat).startswith("⚠")
    assert box == question and isinstance(picker, type(gr.skip()))  # kept for editing; sources untouched
    assert answers == ([None] if question else [])


def test_upload_good_file_is_saved_indexed_and_answerable(env):
    report = upload(env, "moon.md", MOON)
    assert report.startswith("✓") and "嫦娥六号带回月背样品" in report
    assert (env.corpus / "moon.md").read_text(encoding="utf-8") == MOON
    _, _, _, _, answers = env.h.ask("嫦娥六号从月球背面采集了多少克样品？", [], [])
    assert answers[-1].passages[0].article_id == "moon"
    assert env.service.kb.sync(env.corpus).removed == ()  # a later `qa index sync` keeps it
    status, table, outlets = env.h.overview()
    assert table["headers"] == ["标题", "来源", "日期"]
    assert "嫦娥六号带回月背样品" in [row[0] for row in table["data"]] and "共 **4** 篇文章" in status
    assert [c[0] for c in outlets.choices] == ["新华社", "新浪科技", "智东西"]


def test_upload_refusals_are_explained_in_chinese_naming_file_and_limit(env):
    before = sorted(p.name for p in env.corpus.iterdir())
    assert upload(env, "big.md", "大" * 10_000) == "✗ big.md：文件大小 30 kB，超过了每个文件 20 kB 的上限。"
    assert upload(env, "tool.exe", "MZ").startswith("✗ tool.exe：不支持 .exe 文件，只能上传 .md .txt")
    assert upload(env, "notes", "text").startswith("✗ notes：文件没有扩展名，只能上传 .md .txt")
    assert upload(env, "empty.md", "") == "✗ empty.md：文件里没有可以收录的文章正文。"
    assert upload(env, "x.txt", b"\x00\x01\x02\xff" * 50).startswith("✗ x.txt：无法识别其中的文字")
    assert "broken.md：文件格式有误，无法解析（invalid YAML front matter" in upload(
        env, "broken.md", "---\ntitle: [unclosed\n---\n正文。\n")
    assert "文件格式有误，无法解析（line 2: invalid JSON" in upload(env, "news.jsonl", '{"text": "好"}\n{bad\n')
    assert "文章编号「ms」已被 ms.md 使用" in upload(env, "other.md", "---\nid: ms\n---\n冒名顶替的文章。\n")
    assert sorted(p.name for p in env.corpus.iterdir()) == before  # no partial or placeholder files


def test_one_refused_file_does_not_stop_the_others(env):
    bad, good = env.tmp / "bad.exe", env.tmp / "moon.md"
    bad.write_bytes(b"MZ")
    good.write_text(MOON, encoding="utf-8")
    report = visible(env.service.add_files([str(bad), str(good)]))
    assert report.startswith("✗ bad.exe") and "✓ moon.md → moon.md：收录 1 篇 《嫦娥六号带回月背样品》" in report


def test_upload_through_the_handler_with_plain_paths(env):
    src = env.tmp / "plain.txt"
    src.write_text("火星车着陆\n祝融号火星车在乌托邦平原南部着陆。\n", encoding="utf-8")
    report, cleared = env.h.upload([str(src)])
    assert report.startswith("✓") and cleared is None and (env.corpus / "plain.txt").exists()
    assert "请先选择文件" in env.h.upload(None)[0]


def test_paste_saves_markdown_with_front_matter_and_indexes(env):
    report = env.h.paste("火星<b>新闻</b>", "新华社", "2021-05-15", "https://example.com/mars",
                         "祝融号火星车在乌托邦平原南部预选着陆区着陆。\n这是中国首次火星着陆。")
    assert report.startswith("✓ 已收录") and "<b>" not in report
    [saved] = list(env.corpus.glob("pasted-2021-05-15-*.md"))
    front = yaml.safe_load(saved.read_text(encoding="utf-8").split("---")[1])
    assert front == {"id": saved.stem, "title": "火星<b>新闻</b>", "source": "新华社", "date": "2021-05-15",
                     "url": "https://example.com/mars"}
    assert env.service.kb.article(saved.stem).source == "新华社"
    _, _, _, _, answers = env.h.ask("祝融号火星车在哪里着陆？", [], [])
    assert answers[-1].passages[0].article_id == saved.stem
    assert env.h.paste("火星<b>新闻</b>", "新华社", "2021-05-15", "", "祝融号火星车在乌托邦平原南部预选着陆区着陆。\n"
                       "这是中国首次火星着陆。").startswith("✓ 已更新")
    assert env.service.kb.sync(env.corpus).removed == ()


@pytest.mark.parametrize("fields, message", [
    (("t", "", "", "", "  "), "请填写正文"),
    (("t", "", "2024-02-30", "", "正文。"), "日期「2024-02-30」无法识别"),
    (("t", "", "", "javascript:alert(1)", "正文。"), "链接必须是 http:// 或 https://"),
    (("t", "", "", "", "长" * 7000), "正文大小 21 kB，超过了 20 kB 的上限"),
])
def test_paste_rejections(env, fields, message):
    assert message in visible(env.h.paste(*fields))
    assert not list(env.corpus.glob("pasted-*"))


def test_article_markup_never_reaches_the_page_as_markup(env):
    evil = '恶意<img src=x onerror="window.__xss=1">文章 [链接](javascript:alert(1))'
    env.h.paste(evil, "<script>x</script>", "", "", f"{evil}\n<script>window.__xss2=1</script>苏莱曼是微软的人。")
    chat, _, _, viewer, answers = env.h.ask("苏莱曼是微软的人吗？", [], [])
    for markup in (chat[-1]["content"], viewer, env.h.overview()[0]):
        assert "<img" not in markup and "<script" not in markup and "](javascript" not in markup
    number = next(str(i) for i, p in enumerate(answers[-1].passages, 1) if "恶意" in p.title)
    evil_view = env.h.pick_source(number, answers)
    assert "<img" not in evil_view and "<script" not in evil_view
    assert '<img src=x onerror="window.__xss=1">' in visible(evil_view)


def test_history_helpers():
    assert message_text([{"type": "text", "text": "a&amp;b"}, {"type": "file"}]) == "a&b"
    chat = [{"role": "user", "content": "q1"}, {"role": "assistant", "content": "a1"}]
    assert history_for(chat, []) == ["q1"] and history_for(chat, [None]) == []


def test_command_line_and_host_default(monkeypatch):
    monkeypatch.delenv("QA_HOST", raising=False)
    args = app.parse_args([])
    assert (args.host, args.port, args.index, args.corpus, args.share) == ("127.0.0.1", 7860, None, None, False)
    assert args.encoder_backend is None  # the setting (QA_ENCODER_BACKEND, default torch) decides
    monkeypatch.setenv("QA_HOST", "0.0.0.0")
    args = app.parse_args(["--port", "8000", "--index", "i", "--corpus", "c", "--share", "--encoder-backend", "onnx-int8"])
    assert (args.host, args.port, args.index, args.corpus, args.share) == ("0.0.0.0", 8000, "i", "c", True)
    assert args.encoder_backend == "onnx-int8"
    with pytest.raises(SystemExit):
        app.parse_args(["--encoder-backend", "tensorrt"])


def test_gradio_client_calls_the_ask_endpoint(env):
    spec = importlib.util.spec_from_file_location("client_example", ROOT / "docs" / "client_example.py")
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    demo = app.build_demo(env.service)
    port = free_port()
    app.launch(demo, env.service, port=port, block=False)
    try:
        text = example.ask("微软为什么聘请苏莱曼？", f"http://127.0.0.1:{port}/")
        assert "[1]" in text and "智东西" in text
        assert "请输入问题" in example.ask("", f"http://127.0.0.1:{port}/")
    finally:
        demo.close()


# ------------------------------------------------------------------ startup: `python app.py`
class OtherWeights(HashingEncoder):
    """The same model name as the app's hashing encoder, other weights (another fingerprint)."""

    @property
    def fingerprint(self) -> str:
        return "c3d4c3d4c3d4c3d4"


def start_app(tmp_path, monkeypatch, model: str = "hashing:64", **env: str) -> ChatService:
    """Run ``app.main`` up to the point where it would serve; return the service it would serve."""
    served = []
    monkeypatch.setenv("QA_MODEL", model)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(app, "launch", lambda demo, service, **kw: served.append(service))
    monkeypatch.setattr(app, "_warm_up", lambda service: None)
    argv = ["--index", str(tmp_path / "index"), "--corpus", str(tmp_path / "corpus")]
    assert app.main(argv) == 0 and len(served) == 1
    return served[0]


def built_index(tmp_path, encoder=None, **settings) -> KnowledgeBase:
    kb = KnowledgeBase(settings=hashing_settings(tmp_path, corpus_dir=tmp_path / "corpus", **settings),
                       encoder=encoder)
    kb.build(write_corpus(tmp_path / "corpus"))
    return kb


def meta(service: ChatService) -> dict:
    with service.kb.reader.view() as view:
        return view.meta


def test_app_builds_a_missing_index_then_serves(tmp_path, monkeypatch):
    write_corpus(tmp_path / "corpus")
    service = start_app(tmp_path, monkeypatch)
    assert {a.id for a in service.kb.articles()} == {"ms", "tesla", "rain"}
    assert service.kb.answer("微软为什么聘请苏莱曼？").passages[0].article_id == "ms"


def test_app_startup_on_a_current_index_reuses_it(tmp_path, monkeypatch):
    built_index(tmp_path)
    before = (tmp_path / "index" / "CURRENT").read_text()
    encoded = []
    monkeypatch.setattr(HashingEncoder, "passages", lambda self, texts, **kw: encoded.append(texts))
    monkeypatch.setattr(KnowledgeBase, "build", lambda *a, **kw: pytest.fail("rebuilt a current index"))
    service = start_app(tmp_path, monkeypatch)
    assert (tmp_path / "index" / "CURRENT").read_text() == before and encoded == []
    assert len(service.kb) == 3


def test_app_rebuilds_index_built_with_another_model(tmp_path, monkeypatch, caplog):
    built_index(tmp_path, model="hashing:32")
    caplog.set_level("WARNING", logger="qa.ui.chat")
    service = start_app(tmp_path, monkeypatch, model="hashing:64")
    assert meta(service)["model"] == "hashing:64" and meta(service)["dim"] == "64" and len(service.kb) == 3
    assert "was built with model hashing:32" in caplog.text
    assert service.kb.answer("微软为什么聘请苏莱曼？").passages[0].article_id == "ms"


def test_app_rebuilds_index_built_with_other_weights_of_the_same_model(tmp_path, monkeypatch, caplog):
    built_index(tmp_path, encoder=OtherWeights(64))
    caplog.set_level("WARNING", logger="qa.ui.chat")
    service = start_app(tmp_path, monkeypatch)
    assert meta(service)["model_fingerprint"] == HashingEncoder(64).fingerprint
    assert "(weights fingerprint c3d4c3d4c3d4c3d4); the loaded hashing:64 has other weights" in caplog.text


def test_app_rebuilds_index_built_with_other_chunking(tmp_path, monkeypatch, caplog):
    built_index(tmp_path, chunk_size=100)
    caplog.set_level("WARNING", logger="qa.ui.chat")
    service = start_app(tmp_path, monkeypatch)
    assert meta(service)["chunk_size"] == "240" and "chunk_size=100" in caplog.text


def test_app_rebuilds_index_of_an_older_format(tmp_path, monkeypatch, caplog):
    kb = built_index(tmp_path)
    with closing(store.connect(kb.dir.current() / DB_NAME)) as conn, store.transaction(conn):
        store.set_meta(conn, {"format_version": "1"})
    old = kb.dir.current()
    caplog.set_level("WARNING", logger="qa.ui.chat")
    service = start_app(tmp_path, monkeypatch)
    assert meta(service)["format_version"] != "1" and "index format 1" in caplog.text
    assert service.kb.dir.current() != old and not old.exists()  # swapped in; the old folder cleaned up


def test_app_syncs_files_added_changed_and_removed_since_the_last_run(tmp_path, monkeypatch):
    built_index(tmp_path)
    corpus = tmp_path / "corpus"
    (corpus / "rain.md").unlink()
    (corpus / "moon.md").write_text(MOON, encoding="utf-8")
    tesla = corpus / "tesla.md"
    tesla.write_text(tesla.read_text(encoding="utf-8").replace("股价随之下跌", "股价随之上涨"), encoding="utf-8")
    monkeypatch.setattr(KnowledgeBase, "build", lambda *a, **kw: pytest.fail("rebuilt instead of syncing"))
    service = start_app(tmp_path, monkeypatch)
    assert {a.id for a in service.kb.articles()} == {"ms", "tesla", "moon"}
    assert "上涨" in service.kb.article("tesla").text


def test_mismatch_message_says_the_weights_differ_when_the_model_name_matches(tmp_path):
    built_index(tmp_path, encoder=OtherWeights(64))
    kb = KnowledgeBase(settings=hashing_settings(tmp_path), encoder=HashingEncoder(64))
    expected = (f"was built with model hashing:64 (weights fingerprint c3d4c3d4c3d4c3d4); the loaded hashing:64 "
                f"has other weights (fingerprint {HashingEncoder(64).fingerprint}); run `qa index build`")
    for call in (lambda: kb.retrieve("微软", 3), lambda: kb.add([article("x", "新文章。")])):
        with pytest.raises(IndexMismatchError, match=re.escape(expected)):
            call()


def test_app_exits_with_a_message_when_the_index_cannot_be_prepared(tmp_path, monkeypatch, capsys):
    (tmp_path / "corpus").write_text("a file where the corpus folder should be", encoding="utf-8")
    monkeypatch.setenv("QA_MODEL", "hashing:64")
    monkeypatch.setattr(app, "launch", lambda *a, **kw: pytest.fail("served without an index"))
    assert app.main(["--index", str(tmp_path / "index"), "--corpus", str(tmp_path / "corpus")]) == 1
    assert capsys.readouterr().err.startswith("error: ")


# --- full disks, unwritable folders, Gradio's upload cache (issue #17, findings 2 and 7) ------

def _batch(env, *names: str) -> list[dict]:
    files = []
    for name in names:
        src = env.tmp / "gradio-tmp" / name
        src.parent.mkdir(exist_ok=True)
        src.write_text(MOON.replace("嫦娥六号带回月背样品", f"{Path(name).stem} 带回月背样品"), encoding="utf-8")
        files.append({"path": str(src), "orig_name": name})
    return files


def test_index_disk_full_in_a_batch_names_the_file_removes_it_and_the_rest_are_added(env, monkeypatch):
    kb = env.service.kb
    real_add, calls = kb.add, []

    def add(articles, **kwargs):
        calls.append(articles[0].id)
        if len(calls) == 2:
            raise sqlite3.OperationalError("database or disk is full")
        return real_add(articles, **kwargs)
    monkeypatch.setattr(kb, "add", add)
    lines = visible(env.service.add_files(_batch(env, "a.md", "b.md", "c.md"))).split("\n\n")
    assert lines[0].startswith("✓ a.md") and lines[2].startswith("✓ c.md")
    assert lines[1] == "✗ b.md：索引所在的磁盘已满，没有收录（文件也没有留在文章文件夹里）；请联系管理员清理磁盘空间。"
    assert (env.corpus / "a.md").exists() and not (env.corpus / "b.md").exists() and (env.corpus / "c.md").exists()
    monkeypatch.undo()
    summary = kb.sync(env.corpus)
    assert (summary.added, summary.removed) == ((), ())  # corpus and index in step


def test_corpus_disk_full_in_a_batch_is_reported_per_file_and_the_rest_are_added(env, monkeypatch):
    real_write, seen = Path.write_bytes, []

    def write_bytes(self, data):
        if env.corpus in self.parents:
            seen.append(self.name)
            if self.name == "b.md":
                raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real_write(self, data)
    files = _batch(env, "a.md", "b.md", "c.md")
    monkeypatch.setattr(Path, "write_bytes", write_bytes)
    lines = visible(env.service.add_files(files)).split("\n\n")
    assert [line[:6] for line in lines] == ["✓ a.md", "✗ b.md", "✓ c.md"]
    assert lines[1] == "✗ b.md：磁盘已满，文件没有保存，也没有收录；请联系管理员清理磁盘空间。"
    assert sorted(p.name for p in env.corpus.glob("[abc].md")) == ["a.md", "c.md"]


def test_paste_into_a_read_only_corpus_answers_that_the_folder_cannot_be_written(env, monkeypatch):
    def read_only(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(env.corpus))
    monkeypatch.setattr(tempfile, "mkdtemp", read_only)
    report = visible(env.h.paste("火星新闻", "新华社", "2021-05-15", "", "祝融号火星车着陆。"))
    assert re.fullmatch(r"✗ pasted-2021-05-15-[0-9a-f]{8}\.md：无法写入文章文件夹，请联系管理员。", report), report


def test_an_unexpected_error_on_one_file_is_reported_and_the_batch_goes_on(env, monkeypatch):
    real_add_file = env.service.uploader.add_file

    def add_file(src, name):
        if name == "a.md":
            raise RuntimeError("boom")
        return real_add_file(src, name)
    monkeypatch.setattr(env.service.uploader, "add_file", add_file)
    lines = visible(env.service.add_files(_batch(env, "a.md", "c.md"))).split("\n\n")
    assert lines[0] == "✗ a.md：内部错误，没有收录，请查看服务器日志。" and lines[1].startswith("✓ c.md")


def test_handled_uploads_are_removed_from_gradios_cache_and_nothing_else(env):
    cache = env.tmp / "gradio"
    good, bad = cache / "h1" / "moon.md", cache / "h2" / "tool.exe"
    outside = env.tmp / "elsewhere.md"
    for path, text in ((good, MOON), (bad, "MZ"), (outside, MOON.replace("嫦娥六号", "嫦娥七号"))):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    handlers = app.Handlers(env.service, upload_cache=cache)
    report, _ = handlers.upload([{"path": str(good), "orig_name": "moon.md"},
                                 {"path": str(bad), "orig_name": "tool.exe"}, str(outside)])
    assert "✓ moon.md" in visible(report) and "✗ tool.exe" in visible(report)
    assert list(cache.iterdir()) == [] and outside.exists()


def test_the_page_asks_gradio_to_delete_its_cached_uploads(env):
    assert app.build_demo(env.service).delete_cache == app.DELETE_CACHE


@pytest.mark.parametrize(("error", "says"), [
    ("IndexLockedError", "索引正被另一个任务写入，等待超时，没有收录（文件也没有留在文章文件夹里）；请稍后再试。"),
    ("IndexReadOnlyError", "索引无法写入，没有收录（文件也没有留在文章文件夹里）；请联系管理员。"),
])
def test_a_locked_or_read_only_index_is_reported_in_chinese_and_the_file_is_not_kept(env, monkeypatch, error, says):
    import qa.errors

    def add(articles, **kwargs):
        raise getattr(qa.errors, error)("index/ is locked by pid 4242 or not writable")
    monkeypatch.setattr(env.service.kb, "add", add)
    assert visible(env.service.add_files(_batch(env, "busy.md"))) == f"✗ busy.md：{says}"
    assert not (env.corpus / "busy.md").exists()
