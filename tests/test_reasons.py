"""Why-questions (qa.answering.reasons): which sentences state a reason, and which reasons an
answer quotes from the other articles."""
from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from qa.answering.candidates import Candidate
from qa.answering.reasons import REASON_GAP, completes, is_why, reasons_from_other_articles, tier


def _cand(text: str, article: str, passage: int) -> Candidate:
    return Candidate(text, 0, len(text), passage, "", np.zeros(2, np.float32), article)


def test_purpose_ranks_before_cause_and_plain_sentences_state_no_reason():
    assert tier("苏莱曼开始构建一个语言模型,旨在与GPT-4竞争。") == 0
    assert tier("他会是微软打造可以取代 OpenAI 技术的关键人物。") == 0
    assert tier("员工愤怒,这直接源于团队的安排。") == 1
    assert tier("Microsoft hired him because it wanted its own models.") == 1
    assert tier("微软斥资6.5亿美元聘请了苏莱曼。") == 2


def test_why_is_asked_in_either_language_but_not_by_naming_verbs():
    assert is_why("微软为什么聘请苏莱曼？") and is_why("why did Microsoft hire Suleyman?")
    assert not is_why("这种任务被称为什么？") and not is_why("How much did Microsoft pay?")


def test_a_reason_completes_an_event_sentence_but_nothing_else_does():
    event = "微软斥资6.5亿美元聘请了苏莱曼。"
    assert completes(event, "苏莱曼开始构建一个语言模型,旨在与GPT-4竞争。")
    assert not completes(event, "但这个项目开局不利。")
    assert not completes("苏莱曼开始构建模型,旨在竞争。", "因为OpenAI交付太慢。")  # it has its reason


def test_each_other_article_gives_its_closest_purpose_sentence():
    cands = [_cand("微软聘请了苏莱曼。", "a", 0), _cand("苏莱曼构建模型,旨在与GPT-4竞争。", "a", 0),
             _cand("员工愤怒,这源于团队安排。", "b", 1), _cand("他会是取代 OpenAI 技术的关键人物。", "b", 1),
             _cand("据报道,这是为了对冲赌注。", "c", 2), _cand("天气很好,因为出了太阳。", "d", 3)]
    scores = np.array([5.0, 4.0, 3.0, 1.0, 2.0, 0.5])
    dense = np.array([0.90, 0.88, 0.89, 0.87, 0.86, 0.90 - REASON_GAP - 0.01])
    chosen = [0, 1]  # article a already quoted with its reason
    extra = reasons_from_other_articles(cands, scores, dense, chosen, limit=3)
    # b: purpose (取代) before the better-scored cause; c: its purpose; d: too far in meaning
    assert extra == [3, 4]
    assert reasons_from_other_articles(cands, scores, dense, chosen, limit=1) == [3]


@given(st.lists(st.sampled_from(["旨在竞争。", "因为下雨。", "天气很好。", "为了对冲。", "他走了。"]), min_size=1, max_size=8),
       st.integers(0, 3))
def test_reasons_from_other_articles_quote_each_article_at_most_once(texts, limit):
    cands = [_cand(t, f"art{i % 3}", i) for i, t in enumerate(texts)]
    scores = np.linspace(1.0, 0.0, len(cands))
    picked = reasons_from_other_articles(cands, scores, np.full(len(cands), 0.8), [], limit)
    assert len(picked) <= limit and len({cands[i].article_id for i in picked}) == len(picked)
    assert all(tier(cands[i].text) < 2 for i in picked)


def test_a_reason_about_someone_else_is_not_quoted():
    cands = [_cand("孙正义宣布投资星际之门。", "a", 0), _cand("员工对微软找来 Suleyman 感到愤怒,这源于团队安排。", "b", 1),
             _cand("他会是微软打造可以取代 OpenAI 技术的关键人物。", "c", 2)]
    cands[2] = Candidate(cands[2].text, 0, 10, 2, "Mustafa Suleyman 现在负责微软的新团队。", cands[2].vector, "c")
    scores, dense = np.array([5.0, 3.0, 1.0]), np.array([0.9, 0.89, 0.88])
    assert reasons_from_other_articles(cands, scores, dense, [0], 3, [("孙正义",)]) == []
    # 苏莱曼 is named in the neighbour as Suleyman: the 取代 sentence is about him
    assert reasons_from_other_articles(cands, scores, dense, [0], 3, [("苏莱曼",)]) == [1, 2]


def test_a_why_question_whose_best_sentence_gives_no_reason_and_lacks_a_name_is_unexplained():
    import numpy as np

    from qa.answering.features import FEATURES
    from qa.answering.pipeline import unexplained
    from qa.answering.ranking import SentenceRanking

    def ranking(cue: float, missing: float) -> SentenceRanking:
        row = np.zeros((1, len(FEATURES)), np.float32)
        row[0, FEATURES.index("cue")], row[0, FEATURES.index("missing")] = cue, missing
        return SentenceRanking([object()], (), row, np.zeros(1, np.float32), np.zeros(1, np.float32), 0.9)

    assert unexplained("孙正义为什么投资OpenAI？", ranking(cue=0.0, missing=0.5))
    assert not unexplained("孙正义为什么投资OpenAI？", ranking(cue=1.0, missing=0.5))  # it gives a reason
    assert not unexplained("孙正义为什么投资OpenAI？", ranking(cue=0.0, missing=0.0))  # it names everything
    assert not unexplained("孙正义投资了多少钱？", ranking(cue=0.0, missing=0.5))  # not a why-question


def test_a_refusal_note_names_the_words_the_closest_sentence_lacks_beside_the_names():
    """The words are the question's own, with its names cut out first: jieba cuts 阿尔特曼是 into
    阿尔特 / 曼是, and neither piece nor a single character (和, 于) says anything to a reader."""
    from qa.answering.refusal import _rest_words
    from qa.text.salient import salient_terms, widened

    question = "纳德拉和阿尔特曼是在哪里认识的？"
    terms = widened(salient_terms(question), question, "纳德拉与阿尔特曼在太阳谷相遇")
    assert _rest_words(question, terms) == ["认识"]
    assert _rest_words("When will GPT-5 be released?", salient_terms("When will GPT-5 be released?")) == ["released"]
    assert _rest_words("奥特曼毕业于哪所大学？", salient_terms("奥特曼毕业于哪所大学？")) == ["毕业", "大学"]
    # what the closest sentences lack of them, where they hold some (a university, no degree)
    assert _rest_words("奥特曼毕业于哪所大学？", salient_terms("奥特曼毕业于哪所大学？"), frozenset({"大学"})) == ["毕业"]


def test_a_question_about_a_title_its_best_sentence_does_not_name_is_untitled():
    """A sentence naming someone founder does not say who is CEO; one that names the title does.
    The neighbours count: news names the title once, then writes 他."""
    import numpy as np

    from qa.answering.candidates import Candidate
    from qa.answering.pipeline import untitled
    from qa.answering.ranking import SentenceRanking
    from qa.text.salient import salient_terms

    def ranking(question: str, sentence: str, neighbours: str = "") -> SentenceRanking:
        cand = Candidate(sentence, 0, len(sentence), 0, neighbours, np.zeros(4, np.float32), "a")
        return SentenceRanking([cand], (), np.zeros((1, 1), np.float32), np.zeros(1, np.float32),
                               np.zeros(1, np.float32), 0.9, terms=salient_terms(question))

    assert untitled(ranking("谷歌DeepMind的CEO是谁？", "谷歌DeepMind联合创始人之一苏莱曼"))
    assert untitled(ranking("Who is the CEO of Google DeepMind?", "谷歌DeepMind联合创始人之一苏莱曼"))
    assert not untitled(ranking("谷歌DeepMind的CEO是谁？", "谷歌DeepMind首席执行官是哈萨比斯。"))
    assert not untitled(ranking("微软的首席技术官是谁？", "他在采访中这样说。", "微软首席技术官 Kevin Scott 表示。"))
    assert not untitled(ranking("OpenAI的估值是多少？", "OpenAI 完成了一轮融资。"))  # a quantity, not a title


def test_a_question_giving_a_date_its_best_passage_lacks_is_undated():
    import numpy as np

    from qa.answering.features import ANSWERABILITY
    from qa.answering.pipeline import undated
    from qa.answering.ranking import SentenceRanking

    def ranking(missing_date: float) -> SentenceRanking:
        row = np.zeros(len(ANSWERABILITY), np.float32)
        row[ANSWERABILITY.index("top_missing_date")] = missing_date
        return SentenceRanking([object()], (), np.zeros((1, 1), np.float32), np.zeros(1, np.float32), row, 0.9)

    assert undated(ranking(1.0))
    assert not undated(ranking(0.0))


def test_a_latin_name_news_writes_as_such_must_be_near_the_best_sentence():
    """Where the articles bracket originals (news), a name they write in Latin letters (Meta) is
    the articles' own form: a best sentence far from it is about someone else. A topic word the
    dictionary glosses as a common word (AI: 人工智能) is no party to the question."""
    import numpy as np

    from qa.answering.candidates import Candidate
    from qa.answering.pipeline import misplaced
    from qa.answering.ranking import BRACKETED_MIN, SentenceRanking, firm_names
    from qa.text import tokenize
    from qa.text.salient import salient_terms

    question = "How much did Meta spend on AI in 2024?"
    terms = salient_terms(question)
    known = frozenset(tokenize("Meta AI 2024"))
    firm = firm_names(terms, known, BRACKETED_MIN)
    assert [t.text for t in firm] == ["Meta"]  # AI is 人工智能 to the dictionary: a topic, no party
    assert firm_names(terms, known, BRACKETED_MIN - 1) == ()  # Wikipedia-like articles: left to the model
    assert firm_names(terms, frozenset(tokenize("2024")), BRACKETED_MIN) == ()  # the index never writes Meta

    def ranking(sentence: str, neighbours: str = "") -> SentenceRanking:
        cand = Candidate(sentence, 0, len(sentence), 0, neighbours, np.zeros(4, np.float32), "a")
        return SentenceRanking([cand], (), np.zeros((1, 1), np.float32), np.zeros(1, np.float32),
                               np.zeros(1, np.float32), 0.9, terms=terms, firm=firm)

    assert [t.text for t in misplaced(ranking("OpenAI 预计到2024年底前在计算成本上花费54亿美元。"))] == ["Meta"]
    assert misplaced(ranking("该公司2024年在AI上投入了400亿美元。", "Meta 首席执行官扎克伯格表示。")) == []
