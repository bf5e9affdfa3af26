"""qa.render: article text is shown as text (no HTML, no Markdown links/images), citations, highlights."""
from __future__ import annotations

import html
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa.render import (
    escape_text, highlight, quote_spans, render_answer, render_article, safe_url, source_choices,
)
from qa.types import Answer, Article, Passage, Quote

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
