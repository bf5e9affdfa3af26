"""Plain-text answers for the terminal: citations listed, control characters never reach it."""
from __future__ import annotations

import unicodedata

from hypothesis import given, strategies as st

from qa.ui.terminal import answer_text, passage_block, printable
from qa.types import Answer, Passage, Quote

TEXT = "微软聘请了苏莱曼。他曾创办 Inflection。"


def _passage(**kw) -> Passage:
    base = dict(article_id="a1", chunk_id="a1-0", text=TEXT, score=0.9, start=100, end=100 + len(TEXT),
                title="微软的新团队", source="智东西", date="2025-04-30", url="https://example.com/a1")
    return Passage(**{**base, **kw})


@given(st.text())
def test_printable_output_has_no_control_or_format_characters_and_no_line_breaks(text):
    out = printable(text)
    assert not any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") for ch in out)


def test_escape_sequences_are_shown_not_sent():
    assert printable("标题\x1b]0;pwned\x07") == "标题\\x1b]0;pwned\\x07"
    assert "\x1b" not in passage_block(1, _passage(title="\x1b[2J清屏", text="正文\x1b[31m红"))


def test_answer_lists_each_cited_source_with_its_quotes_and_offsets():
    quote = Quote(text="微软聘请了苏莱曼。", article_id="a1", start=100, end=109, title="微软的新团队",
                  source="智东西", date="2025-04-30", url="https://example.com/a1", passage=1)
    answer = Answer(question="微软聘请了谁？", text="微软聘请了苏莱曼。[1]", quotes=(quote,), passages=(_passage(),))
    out = answer_text(answer).splitlines()
    assert out[0] == "微软聘请了苏莱曼。[1]"
    assert "来源:" in out
    assert any(line.startswith("[1] 《微软的新团队》 · 智东西 · 2025-04-30 · a1 100–") for line in out)
    assert "    https://example.com/a1" in out
    assert "    “微软聘请了苏莱曼。”（100–109）" in out


def test_abstention_shows_the_closest_passages():
    answer = Answer(question="特斯拉卖了多少辆车？", text="在已收录的文章中没有找到答案。", abstained=True,
                    passages=(_passage(), _passage(article_id="a2", source=None, date=None)))
    out = answer_text(answer)
    assert out.startswith("在已收录的文章中没有找到答案。")
    assert "最接近的段落" in out and "[2] 《微软的新团队》 · 来源不详 · 日期不详" in out


def test_terminal_output_does_not_load_the_web_renderer():
    """The wording both share lives in qa.ui.labels; `qa ask` needs nothing of qa.ui.web."""
    import subprocess
    import sys

    code = "import sys, qa.ui.terminal; assert 'qa.ui.web' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
