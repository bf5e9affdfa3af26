"""English and mixed-language questions over Chinese articles: senses chosen by the articles,
the language a question's keywords need, and the dense share it gets in fusion (issue #15)."""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

import pytest

from qa.config import Settings
from qa.kb import KnowledgeBase
from qa.search.fusion import Hits, dense_weight_for
from qa.search.hybrid import nearby_words
from qa.text import tokenize
from qa.text.translate import chinese_terms, keyword_language, keyword_text
from tests.helpers import article, hashing_settings

HIRING = ["微软聘请了苏莱曼担任人工智能部门负责人。", "公司表示，聘请他是为了加快产品开发。"]


def counts_of(texts: Sequence[str]):
    """Return a ``doc_freq`` over ``texts`` as chunks, like ``SearchView.doc_freq(...)[0]``."""
    df = Counter(t for text in texts for t in set(tokenize(text)))

    def doc_freq(tokens: Sequence[str]) -> Mapping[str, int]:
        return {t: df[t] for t in tokens if df[t]}
    return doc_freq


def test_hire_takes_the_sense_the_articles_use():
    terms = chinese_terms("Why did they hire him?", counts_of(HIRING))
    assert terms[:1] == ("聘请",)
    assert not {"录取", "招收"} & set(terms)  # jieba's commonest senses, absent from these articles
    assert "录取" in chinese_terms("Why did they hire him?")  # without counts: jieba's order, as before


def test_senses_the_articles_never_use_are_dropped():
    assert chinese_terms("hire", counts_of(["北京今天下了大雨。"])) == ()


def test_senses_found_near_the_question_meaning_win_over_commoner_ones():
    corpus = ["秋天是收获的季节。", "春天的季节很短。", "球队在新赛季取得三连胜。"]
    near = set(tokenize(corpus[2]))
    assert chinese_terms("season", counts_of(corpus))[:1] == ("季节",)  # most chunks
    assert chinese_terms("season", counts_of(corpus), near) == ("赛季",)
    assert chinese_terms("season", counts_of(corpus), {"无关"})[:1] == ("季节",)  # none near: counts decide


def test_multi_word_entries_are_looked_up_before_their_words():
    corpus = ["国内生产总值增长了百分之五。", "中央银行宣布降息。", "央行行长发表讲话。"]
    assert chinese_terms("gross domestic product", counts_of(corpus)) == ("国内生产总值",)
    assert set(chinese_terms("the central bank", counts_of(corpus))) == {"央行", "中央银行"}


@pytest.mark.parametrize("question, language", [
    ("Why did Microsoft hire Suleyman?", "en"),
    ("Why did 微软 hire 苏莱曼?", "en"),  # English grammar, a word only translation can match
    ("微软为什么聘请苏莱曼？", "zh"),
    ("那 OpenAI 呢？", "zh"),
    ("什么完成了triad", "zh"),  # a Chinese question quoting one English term
    ("让sky几乎独家向英国广播的卫星的位置是什么？", "zh"),
])
def test_a_question_is_the_language_its_keywords_need(question, language):
    assert keyword_language(question) == language


def test_a_mixed_question_gets_its_english_words_translated_and_the_english_dense_share():
    question = "Why did 微软 hire 苏莱曼?"
    text = keyword_text(question, counts_of(HIRING))
    assert text.startswith(question) and "聘请" in text.split()
    settings = Settings.from_env({}, dense_weight=0.5, dense_weight_en=0.7)
    assert dense_weight_for(question, settings) == 0.7
    assert dense_weight_for("微软为什么聘请苏莱曼？", settings) == 0.5


@pytest.fixture()
def kb(tmp_path):
    kb = KnowledgeBase(settings=hashing_settings(tmp_path))
    kb.add([article("hire", "".join(HIRING), source="智东西", date="2025-04-30"),
            article("launch", "公司发布了新款手机。\n新手机的电池更耐用。", source="新浪科技", date="2025-05-01"),
            article("rain", "北京今天下了大雨，气温明显下降。", source="新华社", date="2023-07-01")])
    return kb


def test_an_english_question_finds_the_article_through_the_sense_it_uses(kb):
    for mode in ("bm25", "hybrid"):
        assert kb.retrieve("Why did the company hire him?", 2, mode=mode)[0].article_id == "hire"


def test_only_english_keywords_read_the_words_of_the_dense_chunks(kb):
    with kb.reader.view() as view:
        dense = Hits(tuple((rid, 1.0) for rid in view.chunks_by_id(range(1, 50))))
        assert "聘请" in nearby_words(view, "Why did they hire him?", dense)
        assert nearby_words(view, "公司为什么聘请他？", dense) == frozenset()
