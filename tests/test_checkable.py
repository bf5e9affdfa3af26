"""Which salient terms count against a sentence that lacks them (the ``missing_checkable`` feature).

A name in Latin letters that the index has in no form may be written in a transliteration no
dictionary gives, so a sentence lacking it proves little. A number, an attribute word, a
Chinese name and a name the index has somewhere do count: a sentence about Apple's market value
lacks the revenue an English question asks about.
"""
from __future__ import annotations

import numpy as np

from qa.answering.features import ANSWERABILITY, FEATURES, features
from qa.answering.question import describe
from qa.answering.ranking import gather, rank_sentences, unmentioned
from qa.text.salient import salient_terms

COLUMN = FEATURES.index("missing_checkable")


def _row(question: str, sentence: str, checkable_texts: set[str]) -> np.ndarray:
    terms = salient_terms(question)
    info = describe(question, {}, 10, terms, tuple(t for t in terms if t.text in checkable_texts))
    return features(info, [sentence], np.array([0.9]), [1.0], [""], [True], [1.0])[0]


def test_a_checkable_term_the_sentence_lacks_counts_as_its_share_of_all_terms():
    row = _row("What was Apple's revenue in 2024?", "2024年,微软超越苹果成为全球市值最高的上市公司。",
               {"Apple", "revenue", "2024"})
    assert row[COLUMN] == np.float32(1 / 3)  # revenue (营收) is missing; Apple and 2024 are there
    assert row[FEATURES.index("missing")] == np.float32(1 / 3)


def test_a_term_that_is_not_checkable_does_not_count_when_missing():
    row = _row("Who founded Anthropic?", "Inflection 的创始人 Mustafa Suleyman 现在负责微软的一个新团队。",
               {"founded"})
    assert row[FEATURES.index("missing")] == np.float32(1 / 2)  # Anthropic is not there
    assert row[COLUMN] == 0.0  # but no form of it is known, so its absence proves nothing


def _ranking(kb, question: str):
    passages = kb.retrieve(question, 5)
    with kb.reader.view() as view:
        evidence = gather(view, question, passages)
    return evidence, rank_sentences(evidence, question, passages, kb.encoder.queries([question])[0],
                                    kb.settings.model, cross_lingual=True)


def test_the_index_knows_a_dictionary_name_but_not_a_latin_name_it_never_mentions(seed_kb):
    evidence, _ = _ranking(seed_kb, "How much has Google invested in Anthropic?")
    assert "谷歌" in evidence.known
    assert "anthropic" not in evidence.known


def test_an_english_question_about_a_known_company_missing_attribute_is_flagged(seed_kb):
    _, ranking = _ranking(seed_kb, "What was Microsoft's revenue in 2023?")
    best = int(np.argmax(ranking.scores))
    assert ranking.matrix[best, COLUMN] > 0  # the seeds never give Microsoft's revenue
    assert ranking.answerability[ANSWERABILITY.index("top_missing_checkable")] == ranking.matrix[best, COLUMN]


def test_only_attributes_no_form_of_which_the_index_has_are_unmentioned():
    terms = salient_terms("What was Apple's revenue and market value in 2024?")
    never = unmentioned(terms, frozenset({"苹果", "市值"}))  # no revenue word, no 2024, no Apple in Latin
    assert [t.text for t in never] == ["revenue"]  # a missing number or name is not enough
    assert unmentioned(terms, frozenset({"苹果", "市值", "营业", "收入"})) == ()  # 营业收入 is one of revenue's words


def test_a_follow_ups_own_terms_are_looked_up_in_the_index(seed_kb):
    question, asked = "微软 苹果公司的市值呢？", "苹果公司的市值呢？"  # a follow-up's query carries the topic
    passages = seed_kb.retrieve(question, 5)
    with seed_kb.reader.view() as view:
        evidence = gather(view, question, passages, asked=asked)
    assert [t.text for t in evidence.terms] == ["苹果公司", "市值"]  # not 微软: the asked question's, not the query's
    assert {"苹果", "市值"} <= evidence.known
    ranking = rank_sentences(evidence, question, passages, seed_kb.encoder.queries([question])[0],
                             seed_kb.settings.model)
    assert ranking.unmentioned == ()  # the seeds give Apple's market value


def test_a_follow_up_answers_with_the_market_value_it_asks_about(seed_kb):
    answer = seed_kb.answer("那苹果呢？", history=["微软的市值是多少？"])
    assert not answer.abstained and "苹果的市值" in answer.text, answer.text


def test_an_attribute_written_in_glued_tokens_is_not_unmentioned():
    weekly = salient_terms("How many weekly active users does ChatGPT have?")
    # the index cut 5亿周活跃用户 as 亿周 / 活跃 / 用户: no token 周, and the attribute is there all the same
    assert unmentioned(weekly, frozenset({"亿周", "活跃", "用户"})) == ()
    assert unmentioned(weekly, frozenset(), "chatgpt拥有超过5亿周活跃用户") == ()
    assert [t.text for t in unmentioned(weekly, frozenset({"chatgpt"}))] == ["weekly active users"]


def test_a_passage_without_the_year_the_question_names_flags_a_missing_date(seed_kb):
    # the seeds date OpenAI's founding (2015) but say nothing of 2011
    _, founded = _ranking(seed_kb, "OpenAI是2015年成立的吗？")
    _, swapped = _ranking(seed_kb, "OpenAI是2011年成立的吗？")
    column = FEATURES.index("missing_date")
    assert founded.answerability[ANSWERABILITY.index("top_missing_date")] == 0.0
    assert swapped.answerability[ANSWERABILITY.index("top_missing_date")] == 1.0
    assert swapped.matrix[:, column].min() == 1.0  # no passage of the seeds writes 2011
