"""Latin-letter names no indexed article writes in any form (``ranking.unwritten``): refused where
the articles bracket the originals of the names they transliterate, as news does, and left to
the answerability model where a name may be translated, inflected, or the articles rarely bracket."""

from __future__ import annotations

from qa.answering.english import unmentioned_names
from qa.answering.ranking import BRACKETED_MIN, bracketed_originals, unwritten
from qa.kb import KnowledgeBase
from qa.text.pairs import name_pairs
from qa.text.salient import salient_terms
from qa.text.translate import may_be_translated, names
from qa.types import Article, Passage
from tests.helpers import article, hashing_settings

NEWS = ("2015年,阿尔特曼与埃隆・马斯克(Elon Musk)、伊利亚・苏茨克弗(Ilya Sutskever)共同创立了OpenAI。"
        "甲骨文(Oracle)创始人拉里・埃里森(Larry Ellison)也在场。")
ONE_PAIR = "甲骨文(Oracle)是一家数据库公司。"


def _unwritten(question: str, text: str, words: frozenset[str] = frozenset()) -> list[str]:
    terms = salient_terms(question)
    checkable = [t for t in terms if t.kind != "name"]  # as if the index had no form of any name
    originals = len({pair.latin for pair in name_pairs(text)})
    return [t.text for t in unwritten(terms, checkable, originals, words)]


def test_a_name_no_article_writes_is_unwritten_where_the_articles_bracket_originals():
    assert BRACKETED_MIN == 2
    assert _unwritten("Who founded Anthropic?", NEWS) == ["Anthropic"]
    assert _unwritten("Who is Dario Amodei?", NEWS) == ["Dario Amodei"]


def test_one_bracketed_original_is_not_yet_a_habit():
    assert _unwritten("Who founded Anthropic?", ONE_PAIR) == []


def test_a_name_an_article_may_translate_or_inflect_is_left_to_the_model():
    assert _unwritten("Where was the Stargate project announced?", NEWS) == []  # 星际之门
    assert _unwritten("How many species were found in the Burgess Shale?", NEWS) == []  # 伯吉斯页岩
    inflected = frozenset({"ctenophora", "水母"})
    assert _unwritten("How many species of Ctenophores are there?", NEWS, inflected) == []
    assert _unwritten("How many species of Ctenophores are there?", NEWS) == ["Ctenophores"]


def test_may_be_translated_reads_dictionary_words_and_words_run_together():
    assert may_be_translated("Thrive Capital") and may_be_translated("DeepMind") and may_be_translated("Henry III")
    assert may_be_translated("Mira Murati")  # the dictionary writes Mira as 米拉: the rest may follow it
    assert not may_be_translated("Anthropic") and not may_be_translated("Dario Amodei")


def test_a_possessive_ends_a_name():
    assert [n for n, _ in names("How many engineers work at OpenAI's San Francisco office?")] == \
        ["OpenAI", "San Francisco"]
    assert [n for n, _ in names("Who replaced Mira Murati as OpenAI's CTO?")] == ["Mira Murati", "OpenAI", "CTO"]


def test_without_the_dictionary_no_name_is_ruled_absent(monkeypatch):
    from qa.text import translate

    monkeypatch.setattr(translate, "_glossary", lambda: {})
    monkeypatch.setattr(translate, "cedict", lambda: {})
    assert may_be_translated("Anthropic")
    assert _unwritten("Who founded Anthropic?", NEWS) == []


class _View:
    """The one thing ``bracketed_originals`` reads of an index: whole articles by id."""

    def __init__(self, articles: dict[str, str]):
        self.articles = articles

    def get_article(self, article_id):
        text = self.articles.get(article_id)
        return None if text is None else type("Stored", (), {"article": Article(id=article_id, title="标题", text=text)})


def test_the_habit_is_read_from_the_whole_articles_not_the_passages_alone():
    first_mention, later = NEWS, "谷歌DeepMind联合创始人之一苏莱曼负责这个团队。"
    view = _View({"a": first_mention + later, "b": ONE_PAIR})
    passage = Passage("a", "a:3", later, 1.0, len(first_mention), len(first_mention + later), "标题")
    assert name_pairs(passage.text) == []  # the passage itself brackets nothing
    assert bracketed_originals(view, [passage]) == 4  # its article brackets Musk, Sutskever, Oracle, Ellison
    assert bracketed_originals(view, [Passage("b", "b:0", ONE_PAIR, 1.0, 0, 10, "标题")]) == 1
    assert bracketed_originals(view, [Passage("gone", "gone:0", "x", 1.0, 0, 1, "标题")]) == 0


def test_a_dictionary_name_counts_as_mentioned_by_the_country_or_man_its_adjective_names(tmp_path):
    """The dictionary glosses "Polish" as 波兰语 (and 修饰, 抛光…), "Roman" as 罗马帝国, "Nobel Prize" as
    诺贝尔奖; an article writing 波兰, 罗马 or 诺贝尔 mentions them. A name no form of which any article
    writes is still reported, and a month or a title's opening function word is no name."""
    kb = KnowledgeBase(settings=hashing_settings(tmp_path))
    kb.add([article("a1", "华沙是波兰的首都。罗马时代修建了一座桥。他在1937年获得诺贝尔提名。")])
    with kb.reader.view() as view:
        assert unmentioned_names(view, "What is the Saxon Garden in Polish?") == []
        assert unmentioned_names(view, "What bridge did the Romans build?") == []
        assert unmentioned_names(view, "In what year was he put forward for the Nobel Prize?") == []
        assert unmentioned_names(view, "How many cars did Tesla sell in August?") == ["Tesla (特斯拉)"]
        # the note shows the country before the dictionary's language and nationality words
        assert unmentioned_names(view, "What did the Chinese government say?") == ["Chinese (中国、语文、中国籍)"]
        # 八月 and 事关 are in no article, yet August is a month and On opens a title
        assert unmentioned_names(view, "What did the pope write in August besides On the Babylonian Captivity?") == []


def test_a_capitalised_word_the_dictionary_glosses_only_as_a_common_word_is_no_name(tmp_path):
    """"Constitutional" (宪制), Seaman (水手), UK (腐国, slang) and "Fog on the Tyne" (雾气) are
    common words to CC-CEDICT: an article may write them otherwise, so no refusal is built on
    them. Names the dictionary glosses as proper nouns (Australia, the World Cup) still are."""
    kb = KnowledgeBase(settings=hashing_settings(tmp_path))
    kb.add([article("a1", "英国议会在2012年听取了报告。最高法院认为体罚合乎宪法。")])
    with kb.reader.view() as view:
        assert unmentioned_names(view, "What U.S. entity said that corporal punishment was Constitutional?") == []
        assert unmentioned_names(view, "Who led the committee established by Seaman?") == []
        assert unmentioned_names(view, "What did the UK parliament hear?") == []
        assert unmentioned_names(view, "What year was the song Fog on the Tyne released?") == []
        assert unmentioned_names(view, "What is the capital of Australia?")[0].startswith("Australia (澳大利亚")
        assert unmentioned_names(view, "Who won the 2022 World Cup?")[0].startswith("World Cup (世界杯")
