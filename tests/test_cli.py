"""The qa command: thin shell behaviour, JSON output, one-line errors with exit code 1."""
from __future__ import annotations

import errno
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from qa.ui.cli import build_parser, main

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


@pytest.fixture()
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("QA_MODEL", "hashing:64")
    monkeypatch.setenv("QA_INDEX_DIR", str(tmp_path / "index"))
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    return corpus


def test_corpus_ls_lists_the_seed_articles(capsys):
    assert main(["corpus", "ls", str(CORPUS)]) == 0
    out = capsys.readouterr().out
    assert "机器之心" in out and "智东西" in out and "2024-10-18" in out and "2025-04-30" in out


def test_build_add_remove_leaves_status_as_it_was(env, tmp_path, capsys):
    assert main(["index", "build", str(env)]) == 0
    capsys.readouterr()
    main(["index", "status", "--json"])
    before = json.loads(capsys.readouterr().out)
    third = tmp_path / "third.md"
    third.write_text("---\nid: third\ntitle: 第三篇\nsource: 测试社\ndate: 2025-05-01\n---\n第三篇文章的正文。\n", encoding="utf-8")
    assert main(["index", "add", str(third)]) == 0
    assert main(["index", "remove", "third"]) == 0
    capsys.readouterr()
    main(["index", "status", "--json"])
    after = json.loads(capsys.readouterr().out)
    for key in ("articles", "stories", "chunks", "vectors", "model", "size_bytes"):
        assert (key, after[key]) == (key, before[key]) or key == "size_bytes"
    assert after["articles"] == 2


def test_search_json_is_machine_readable(env, capsys):
    main(["index", "build", str(env)])
    capsys.readouterr()
    assert main(["search", "微软 苏莱曼", "-k", "3", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert 1 <= len(rows) <= 3 and {"title", "source", "date", "score", "start", "end"} <= set(rows[0])


def test_library_errors_become_one_error_line_and_exit_1(env, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("QA_CORPUS_DIR", str(tmp_path / "no-such-folder"))
    assert main(["search", "微软"]) == 1  # no index yet, and no corpus folder to build it from
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "index build" in err and "no-such-folder" in err
    monkeypatch.setenv("QA_CORPUS_DIR", str(env))
    main(["index", "build", str(env)])
    capsys.readouterr()
    assert main(["search", "   "]) == 1
    assert "empty" in capsys.readouterr().err
    assert main(["search", "微软", "--since", "yesterday-ish"]) == 1


def test_every_subcommand_help_ends_with_an_example():
    parser = build_parser()
    actions = [a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"]
    for name, sub in actions[0].choices.items():
        assert sub.epilog and sub.epilog.startswith("example: qa"), name


def test_ask_prints_the_answer_with_numbered_sources(seed_kb, capsys):
    # The real model's index: the hashing encoder's answers all abstain, which would let a check
    # that accepts an abstention pass whatever the answer is.
    index = str(seed_kb.dir.path)
    assert main(["--index", index, "ask", "微软聘请了哪家公司作为顾问？"]) == 0
    out = capsys.readouterr().out
    assert "OpenAI 则聘请了高盛作为其顾问" in out and "[1]" in out
    assert "来源:" in out and "[1] 《OpenAI 和自己最大的金主微软" in out and "最接近的段落" not in out
    assert main(["--index", index, "ask", "微软聘请了哪家公司作为顾问？", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["abstained"] is False and any("高盛" in q["text"] for q in data["quotes"])


def test_ask_says_plainly_when_the_articles_do_not_answer(seed_kb, capsys):
    assert main(["--index", str(seed_kb.dir.path), "ask", "特斯拉今年卖了多少辆车？"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("在已收录的文章中没有找到答案") and "最接近的段落" in out and "来源:" not in out


def test_search_shows_escape_sequences_in_articles_as_text(env, capsys):
    from qa.config import Settings
    from qa.kb import KnowledgeBase
    from qa.types import Article

    main(["index", "build", str(env)])
    # The corpus loaders refuse such files as binary; the Python API takes the text as given.
    KnowledgeBase(settings=Settings.from_env()).add(
        [Article(id="hostile", title="清屏\x1b[2J标题", text="台风登陆\x1b]0;pwned\x07广东。", source="测试社")])
    capsys.readouterr()
    assert main(["search", "台风登陆广东"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\\x1b" in out


def test_ask_and_search_build_a_missing_index_from_the_corpus_folder_first(env, monkeypatch, capsys):
    monkeypatch.setenv("QA_CORPUS_DIR", str(env))
    assert main(["search", "微软 苏莱曼", "-k", "2", "--json"]) == 0
    out, err = capsys.readouterr()
    assert len(json.loads(out)) == 2  # stdout stays machine-readable
    assert err.count("\n") == 1 and err.startswith("note: ") and "building it from" in err and str(env) in err
    assert main(["ask", "微软聘请了哪家投行？"]) == 0
    out, err = capsys.readouterr()
    assert "[1] 《" in out and err == ""  # built once; no second note


def test_progress_bars_only_when_stderr_is_a_terminal(env, monkeypatch):
    from qa.kb import KnowledgeBase

    seen = []
    real_build = KnowledgeBase.build

    def build(self, path=None, *, progress=False):
        seen.append(progress)
        return real_build(self, path, progress=False)

    monkeypatch.setattr(KnowledgeBase, "build", build)
    assert main(["index", "build", str(env)]) == 0  # pytest's captured stderr is no terminal

    class Terminal:
        def isatty(self):
            return True

        def write(self, text):
            return len(text)

        def flush(self):
            pass

    monkeypatch.setattr(sys, "stderr", Terminal())
    assert main(["index", "build", str(env)]) == 0
    assert seen == [False, True]


def _run_qa(*args: str) -> subprocess.CompletedProcess:
    """Run the qa command in a fresh interpreter (its own logging setup, as from a shell)."""
    return subprocess.run([sys.executable, "-m", "qa.ui.cli", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def test_each_load_warning_is_printed_once(env, capsys):
    (env / "bad.md").write_bytes(b"\x00\x01\x02 binary")
    (env / "broken.json").write_text('{"id": 1', encoding="utf-8")
    listed = _run_qa("corpus", "ls", str(env))
    assert listed.returncode == 0, listed.stderr
    assert listed.stderr.count("bad.md") == 1 and listed.stderr.count("broken.json") == 1, listed.stderr
    assert listed.stderr.count("warning: ") == 2
    assert main(["index", "build", str(env)]) == 0
    capsys.readouterr()
    added = _run_qa("index", "add", str(env / "bad.md"), str(next(env.glob("2025-*.md"))))
    assert added.returncode == 0, added.stderr
    assert added.stderr.count("bad.md") == 1 and added.stderr.count("warning: ") == 1, added.stderr


# --- errors as one line, never a traceback (issue #17, findings 4 and 7) ----------------------

def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err, err
    return err


@pytest.mark.parametrize("error", [sqlite3.OperationalError("database or disk is full"),
                                   OSError(errno.ENOSPC, "No space left on device")], ids=["sqlite", "oserror"])
def test_disk_full_during_index_add_is_one_error_line(env, tmp_path, monkeypatch, capsys, error):
    from qa.kb import KnowledgeBase

    def full(self, articles, **kwargs):
        raise error
    monkeypatch.setattr(KnowledgeBase, "add", full)
    assert main(["index", "add", str(next(env.glob("*.md")))]) == 1
    assert "the disk is full" in _one_error_line(capsys)


def test_eval_on_a_folder_is_one_error_line(tmp_path, capsys):
    assert main(["eval", "--data", str(tmp_path)]) == 1
    assert "is a folder" in _one_error_line(capsys)


@pytest.mark.parametrize("content, says", [
    ("[" * 100_000, "nested too deeply"),
    ('{"data": [' + "1" * 5000 + "]}", "a number in the file has more than 4300 digits"),
    ('{"data": [{"title": "t", "paragraphs": [{"context": "正文。", "qas": []}]}]}', "has no questions to evaluate"),
])
def test_eval_on_an_unusable_file_says_what_is_wrong_with_it(tmp_path, capsys, content, says):
    data = tmp_path / "data.json"
    data.write_text(content, encoding="utf-8")
    assert main(["eval", "--data", str(data), "--no-answers"]) == 1
    err = _one_error_line(capsys)
    assert says in err and "set_int_max_str_digits" not in err and "stack" not in err


@pytest.mark.parametrize("limit", ["-1", "0", "x"])
def test_eval_refuses_a_limit_below_one(tmp_path, capsys, limit):
    with pytest.raises(SystemExit) as info:
        main(["eval", "--data", str(tmp_path / "data.json"), "--limit", limit])
    assert info.value.code == 2 and "--limit" in capsys.readouterr().err


def test_output_cut_short_by_its_reader_ends_quietly(env):
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone, as `head -1` does after its line
    try:
        done = subprocess.run([sys.executable, "-m", "qa.ui.cli", "corpus", "ls", str(env)], cwd=ROOT,
                              stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (141, "")


def test_index_status_piped_to_head_prints_one_line_and_no_traceback(env, capsys):
    assert main(["index", "build", str(env)]) == 0
    done = subprocess.run(f"{sys.executable} -m qa.ui.cli index status | head -1", shell=True, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.stdout.count("\n") == 1 and "path" in done.stdout and "Traceback" not in done.stderr, done.stderr


def test_index_add_refuses_a_symlink_out_of_its_folder(env, tmp_path, capsys):
    assert main(["index", "build", str(env)]) == 0
    secret = tmp_path / "secret.txt"
    secret.write_text("机密\n这不是新闻。\n", encoding="utf-8")
    (env / "x.md").symlink_to(secret)
    capsys.readouterr()
    assert main(["index", "add", str(env / "x.md")]) == 0
    out, err = capsys.readouterr()
    assert "0 added" in out and err.startswith("warning: ") and "outside its folder" in err


def test_index_add_in_batches_commits_every_article_and_reports_bad_files(env, tmp_path, capsys):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(5):
        (folder / f"a{i}.md").write_text(f"---\nid: many-{i}\ntitle: 第{i}篇\n---\n第{i}篇文章说，微软在{2020 + i}年发布了新产品。\n",
                                         encoding="utf-8")
    (folder / "bad.md").write_text("---\nid: bad\ndate: 昨天\n---\n正文。\n", encoding="utf-8")
    assert main(["index", "add", str(folder), "--batch", "2"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("5 added, 0 updated"), captured.out
    assert "bad.md" in captured.err
    main(["index", "status", "--json"])
    assert json.loads(capsys.readouterr().out)["articles"] == 5
    assert main(["search", "2023年 微软", "-k", "1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["article_id"] == "many-3"


def test_index_add_batch_must_be_positive(env, capsys):
    with pytest.raises(SystemExit):
        main(["index", "add", str(env), "--batch", "0"])
    assert "must be at least 1" in capsys.readouterr().err
