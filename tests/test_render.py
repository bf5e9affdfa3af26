"""qa.ui.web: article text is shown as text (no HTML, no Markdown links/images), citations, highlights."""
from __future__ import annotations

import html
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa.ui.web import (
    REFUSALS, escape_text, highlight, paste_refused, paste_saved, quote_spans, render_answer, render_article,
    source_choices, upload_refused, upload_saved,
)
from qa.text.urls import safe_url
from qa.types import Answer, Article, Passage, Quote
from qa.ingest.uploads import KINDS, UploadError, size_text

markdown_it = pytest.importorskip("markdown_it")

EVIL = ('标题<img src=x onerror="window.__xss=1"> [点我](javascript:alert(1)) ![](http://tracker.example/p.png)\n'
        "<script>window.__xss2=1</script> **粗体** # 不是标题\n"
        "- 不是列表 | a | b |\n见 https://evil.example/x 和 www.evil.example 或 me@evil.example &amp; $$x$$")


def to_html(markdown: str) -> str:
    """Render like the browser does (CommonMark + tables; raw HTML allowed, as in Gradio)."""
    return markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)


def visible(markup: str) -> str:
    """The text a reader sees: tags dropped, character references decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def tags(markup: str) -> set[str]:
    return {t.lower() for t in re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", markup)}


@given(st.text())
def test_escape_round_trips_and_leaves_no_syntax(text):
    escaped = escape_text(text)
    assert html.unescape(escaped) == text
    assert not set(re.sub(r"&#?\w+;", "", escaped)) & set("<>\"'`*_[]()!|~#\\:@$&")


def test_article_html_and_markdown_in_text_stay_text():
    article = Article(id="evil<1>", title="<b>标题</b> [x](y)", text=EVIL, source="<i>媒体</i>", date="2024-10-18",
                      url="javascript:alert(1)")
    out = to_html(render_article(article))
    assert tags(out) <= {"h3", "p", "small"}  # no a, img, script, strong, h1, li, table, em, b, i
    assert not re.findall(r"<[a-zA-Z]+\s", out)  # no tag carries an attribute (href, src, onerror)
    text = visible(out)
    assert '<img src=x onerror="window.__xss=1">' in text and "<script>window.__xss2=1</script>" in text
    assert "[点我](javascript:alert(1))" in text and "**粗体**" in text and "<b>标题</b> [x](y)" in text


def test_article_highlight_marks_only_the_quote():
    text = "第一句。\n微软聘请了苏莱曼<script>。\n第三句。"
    start, end = text.index("微软"), text.index("\n第三")
    out = to_html(render_article(Article(id="a", title="t", text=text), [(start, end)]))
    assert re.findall(r"<mark>(.*?)</mark>", out) == ["微软聘请了苏莱曼&lt;script&gt;。"]


def test_highlight_clips_merges_and_stays_on_one_line():
    assert highlight("ab\ncd", [(1, 4), (3, 5), (-3, 0), (9, 12)]) == "a<mark>b</mark>\n<mark>cd</mark>"
    assert highlight("x<y", []) == "x&lt;y"


@pytest.mark.parametrize("url, expected", [
    ("https://example.com/a?b=1#c", "https://example.com/a?b=1#c"),
    ("http://example.com/a (1)", "http://example.com/a%20%281%29"),
    ("javascript:alert(1)", None), ("data:text/html,<script>", None), ("//example.com", None),
    ("https://", None), ("", None), (None, None), ("https://x.com/<img>", "https://x.com/%3Cimg%3E"),
])
def test_safe_url(url, expected):
    assert safe_url(url) == expected


def _answer(**kw) -> Answer:
    text = "前文。微软聘请了苏莱曼<img src=x onerror=alert(1)>。后文。"
    p = Passage(article_id="a1", chunk_id="c1", text=text, score=1.0, start=10, end=10 + len(text),
                title="标题<script>", source="智东西", date="2025-04-30", url="https://example.com/n",
                duplicates=("a2",))
    q0 = text.index("微软")
    q = Quote(text=text[q0:text.index("后文")], article_id="a1", start=10 + q0, end=10 + text.index("后文"),
              title=p.title, source=p.source, date=p.date, url=p.url, passage=1)
    other = Passage(article_id="b", chunk_id="c2", text="无关。", score=0.1, start=0, end=3, title="别的")
    base = dict(question="微软为什么聘请苏莱曼？", text=f"{q.text}[1]", quotes=(q,), passages=(p, other))
    return Answer(**{**base, **kw})


def test_answer_shows_quote_marker_sources_and_highlight():
    out = to_html(render_answer(_answer()))
    text = visible(out)
    assert "「微软聘请了苏莱曼<img src=x onerror=alert(1)>。」[1]" in text
    assert "[1] 《标题<script>》 · 智东西 · 2025-04-30 · 原文链接" in text and "另有 1 篇转载" in text
    assert re.findall(r'<a href="([^"]*)"', out) == ["https://example.com/n"]
    assert re.findall(r"<mark>(.*?)</mark>", out) == ["微软聘请了苏莱曼&lt;img src=x onerror=alert(1)&gt;。"]
    assert "<img" not in out and "<script" not in out
    assert "别的" not in text  # passages that were not quoted are left to the source viewer


def test_abstention_says_so_and_lists_closest_passages():
    answer = _answer(text="在已收录的文章中没有找到答案。", quotes=(), abstained=True)
    text = visible(to_html(render_answer(answer)))
    assert text.startswith("在已收录的文章中没有找到答案。")
    assert "最接近的段落" in text and "[2] 《别的》" in text and "<mark>" not in render_answer(answer)


def test_english_question_gets_the_note_and_english_labels():
    answer = _answer(language="en", notes=("The quotes are in Chinese, as published.",))
    text = visible(to_html(render_answer(answer)))
    assert text.startswith("ℹ The quotes are in Chinese, as published.")
    assert "Sources" in text and "link" in text


def test_source_choices_and_spans():
    answer = _answer()
    assert source_choices(answer) == [("[1] 标题<script> · 智东西 · 2025-04-30", "1"), ("[2] 别的", "2")]
    assert quote_spans(answer, 1) == [(answer.quotes[0].start, answer.quotes[0].end)]
    assert quote_spans(answer, 2) == [(0, 3)]  # nothing quoted from it: the whole passage
    with pytest.raises(IndexError):
        quote_spans(answer, 3)
    assert source_choices(None) == []


def test_huge_article_is_shown_around_the_quote():
    text = "甲。" * 50_000 + "目标句子。" + "乙。" * 50_000
    start = text.index("目标")
    out = render_article(Article(id="big", title="长文", text=text), [(start, start + 5)], max_chars=1000)
    assert "<mark>目标句子。</mark>" in out and len(out) < 3000
    assert f"全文 {len(text)} 字，这里显示第 {start - 250 + 1}–{start + 750} 字" in visible(out)
    assert "这里显示" not in render_article(Article(id="s", title="短", text="短文。"), [])


@pytest.mark.parametrize("kind, info, message", [
    ("too_large", {"size": 6_200_000, "limit": 5_000_000}, "✗ 新闻.md：文件大小 6.2 MB，超过了每个文件 5 MB 的上限。"),
    ("too_large", {"size": None, "limit": 5_000_000}, "✗ 新闻.md：文件超过了 5 MB 的上限。"),
    ("unsupported", {"suffix": ".pdf", "supported": ".md .txt"}, "✗ 新闻.md：不支持 .pdf 文件，只能上传 .md .txt 文件。"),
    ("unsupported", {"suffix": "", "supported": ".md .txt"}, "✗ 新闻.md：文件没有扩展名，只能上传 .md .txt 文件。"),
    ("unreadable", {"detail": "Permission denied"}, "✗ 新闻.md：无法读取这个文件，请重新上传。"),
    ("undecodable", {"detail": "not a text file"}, "✗ 新闻.md：无法识别其中的文字：这不是文本文件，或者编码不是 UTF-8、GB18030/GBK、Big5。"),
    ("empty", {}, "✗ 新闻.md：文件里没有可以收录的文章正文。"),
    ("invalid", {"detail": "line 2: invalid JSON"}, "✗ 新闻.md：文件格式有误，无法解析（line 2: invalid JSON）。"),
])
def test_upload_refusals_are_worded_in_chinese_with_file_and_limit(kind, info, message):
    assert visible(upload_refused("新闻.md", UploadError(kind, "English for the log", **info))) == message


def test_every_refusal_kind_has_chinese_words():
    assert set(KINDS) == set(REFUSALS)


def test_pasted_text_over_the_limit_is_called_the_text():
    exc = UploadError("too_large", "too large", size=21_000, limit=20_000)
    assert paste_refused(exc) == "✗ 正文大小 21 kB，超过了 20 kB 的上限。"


def test_upload_reports_escape_names_titles_and_details():
    evil = '<img src=x onerror="window.__xss=1">[x](javascript:1).md'
    for markup in (upload_refused(evil, UploadError("invalid", "bad", detail="near '<script>'")),
                   upload_saved(evil, "x.md", ["<b>标题</b>"]), paste_saved("<b>标题</b>", "pasted-1", False)):
        assert tags(to_html(markup)) <= {"p"} and "<script" not in markup
    assert "<img src=x" in visible(upload_refused(evil, UploadError("unknown_kind", "said <as> is")))
    assert visible(upload_saved("a.json", "a.json", ["一", "二", "三", "四"])).endswith(
        "收录 4 篇 《一》、《二》、《三》等，现在就可以提问。")


@pytest.mark.parametrize("n, text", [(812, "812 bytes"), (4_200, "4.2 kB"), (20_000, "20 kB"), (5_000_000, "5 MB")])
def test_size_text(n, text):
    assert size_text(n) == text


def test_ingest_never_imports_the_presentation_stage():
    """qa.ingest.uploads words refusals by kind only; the Chinese wording lives in qa.ui.web."""
    import subprocess
    import sys

    code = ("import sys, qa.ingest.uploads, qa.text.urls; "
            "assert not [m for m in sys.modules if m == 'qa.ui' or m.startswith('qa.ui.')], sorted(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)
