"""Names an article writes in both scripts (qa.text.pairs) and the Chinese forms the index gives a
question's Latin-script names (qa.search.aliases; issue #15, "names bridged from the corpus")."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa.kb import KnowledgeBase
from qa.search.aliases import corpus_aliases, question_aliases
from qa.text.pairs import NamePair, chinese_forms, name_pairs
from qa.text.translate import keyword_text
from tests.helpers import article, hashing_settings


@pytest.mark.parametrize(("text", "pair"), [
    ("微软首席执行官萨蒂亚・纳德拉(Satya Nadella)表示", ("纳德拉", "Satya Nadella")),
    ("当天，萨姆・阿尔特曼(Sam Altman)宣布", ("萨姆・阿尔特曼", "Sam Altman")),
    ("他与埃隆・马斯克(Elon Musk)共同创立", ("埃隆・马斯克", "Elon Musk")),
    ("孙正义和拉里・埃里森(Larry Ellison)", ("拉里・埃里森", "Larry Ellison")),
    ("数据库软件公司甲骨文(Oracle)创始人", ("甲骨文", "Oracle")),
    ("微软聘请了苏莱曼（Mustafa Suleyman）", ("苏莱曼", "Mustafa Suleyman")),
    ("Mustafa Suleyman（穆斯塔法・苏莱曼）说", ("穆斯塔法・苏莱曼", "Mustafa Suleyman")),
])
def test_a_chinese_name_and_its_bracketed_original_make_a_pair(text, pair):
    assert NamePair(*pair) in name_pairs(text)


@pytest.mark.parametrize("text", ["目标是通用人工智能(AGI)", "编辑 (edited by)", "世良情感网 (yaliqi.com)",
                                  "涨了(5%)", "张三（Zhang"])
def test_acronyms_lower_case_notes_and_unclosed_brackets_are_not_pairs(text):
    assert name_pairs(text) == []


def test_a_part_of_a_dotted_name_takes_its_own_piece():
    pairs = name_pairs("首席执行官萨蒂亚・纳德拉(Satya Nadella)和拉里・埃里森(Larry Ellison)")
    assert chinese_forms("Ellison", pairs) == ("埃里森",)
    assert chinese_forms("Larry", pairs) == ("拉里",)
    assert chinese_forms("Larry Ellison", pairs) == ("拉里・埃里森",)
    assert chinese_forms("Nadella", pairs) == ("纳德拉",)
    # the title stuck to 萨蒂亚 was dropped with it, so the given name has no form of its own
    assert chinese_forms("Satya", pairs) == ()
    assert chinese_forms("Oracle", pairs) == ()


def test_the_form_most_articles_use_comes_first():
    pairs = name_pairs("山姆・奥特曼(Sam Altman)。奥特曼(Altman)。萨姆・阿尔特曼(Sam Altman)。奥特曼(Sam Altman)")
    assert chinese_forms("Altman", pairs)[0] == "奥特曼"


_HAN = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=0, max_size=12)
_LATIN = st.from_regex(r"[A-Z][a-z]{1,8}( [A-Z][a-z]{1,8}){0,2}", fullmatch=True)


@settings(deadline=None)  # the first call loads jieba's tagger
@given(_HAN, _HAN, _LATIN, st.sampled_from(["(", "（"]), st.sampled_from([")", "）"]))
def test_every_pair_is_a_short_chinese_name_and_a_capitalised_original_from_the_text(before, name, latin, op, cl):
    text = f"{before}{name}{op}{latin}{cl}"
    for pair in name_pairs(text):
        assert pair.latin in text and pair.latin[0].isupper()
        assert 2 <= len(pair.chinese.replace("・", "")) <= 12
        assert all(piece in text for piece in pair.chinese.split("・"))


@settings(deadline=None)
@given(st.text(max_size=60))
def test_any_text_gives_pairs_without_failing(text):
    for pair in name_pairs(text):
        assert pair.chinese and pair.latin


@pytest.fixture()
def kb(tmp_path):
    kb = KnowledgeBase(settings=hashing_settings(tmp_path))
    kb.add([article("first", "数据库软件公司甲骨文(Oracle)创始人拉里・埃里森(Larry Ellison)出席了发布会。",
                    source="智东西", date="2025-04-30"),
            article("later", "甲骨文表示，埃里森将继续担任首席技术官。该公司的数据中心业务增长很快。",
                    source="新浪科技", date="2025-05-01"),
            # articles on other topics, so that keyword search does not find 甲骨文 too common to count
            article("rain", "北京今天下了大雨，气温明显下降。", source="新华社", date="2023-07-01"),
            article("phone", "公司发布了新款手机，电池更耐用。", source="新浪科技", date="2025-05-02"),
            article("match", "主队在昨晚的比赛中以三比一获胜。", source="新华社", date="2025-05-03")])
    return kb


def test_the_index_gives_a_latin_name_the_chinese_forms_its_articles_write(kb):
    with kb.reader.view() as view:
        assert corpus_aliases(view, ["Oracle", "Larry Ellison", "Ellison", "Tesla"]) == {
            "Oracle": ("甲骨文",), "Larry Ellison": ("埃里森",), "Ellison": ("埃里森",)}
        assert question_aliases(view, "Ellison是哪家公司的CTO？") == {"Ellison": ("埃里森",)}


def test_a_chinese_question_finds_the_chinese_form_of_a_brand_name_with_an_inner_capital(tmp_path):
    kb = KnowledgeBase(settings=hashing_settings(tmp_path))
    kb.add([article("x", "马斯克创办的人工智能公司爱克斯(xAI)完成了新一轮融资。", source="智东西", date="2025-05-01"),
            article("rain", "北京今天下了大雨，气温明显下降。", source="新华社", date="2023-07-01")])
    with kb.reader.view() as view:
        assert question_aliases(view, "xAI的估值是多少？") == {"xAI": ("爱克斯",)}


def test_an_english_question_about_a_name_finds_the_article_that_writes_only_its_chinese_form(kb):
    with kb.reader.view() as view:
        question = "What does Oracle's data center business do?"
        assert "甲骨文" in keyword_text(question, lambda tokens: view.doc_freq(tokens)[0], (),
                                      question_aliases(view, question))
    # "later" never writes "Oracle": only the pair in "first" leads keyword search to it
    assert [p.article_id for p in kb.retrieve("And what about Oracle?", 3, mode="bm25")] == ["first", "later"]
    assert [p.article_id for p in kb.retrieve("What about Ellison?", 3, mode="bm25")] == ["first", "later"]


def test_removing_the_article_that_pairs_a_name_removes_its_forms(kb):
    kb.remove(["first"])
    with kb.reader.view() as view:
        assert corpus_aliases(view, ["Oracle", "Ellison"]) == {}
