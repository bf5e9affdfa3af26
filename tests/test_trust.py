"""Answer trust on the bundled corpus (issue #19): near-topic news questions the articles do not
answer are refused with a note naming what the articles lack, and answerable ones still quote
the sentence that answers them first. The questions, and the known gaps (marked xfail here), are
in tests/trust_questions.py; bench/trust_check.py prints the same check as figures."""
from __future__ import annotations

import pytest
from trust_questions import ANSWERABLE, OUT_OF_CORPUS, STILL_ANSWERED, STILL_WRONG

_GAP = pytest.mark.xfail(reason="known gap, see tests/trust_questions.py", strict=False)


@pytest.mark.parametrize("question", [pytest.param(q, marks=_GAP) if q in STILL_ANSWERED else q
                                      for q in OUT_OF_CORPUS])
def test_out_of_corpus_question_is_refused(seed_kb, question):
    answer = seed_kb.answer(question)
    assert answer.abstained and not answer.quotes, answer.text


@pytest.mark.parametrize(("question", "phrase"), [pytest.param(q, p, marks=_GAP) if q in STILL_WRONG else (q, p)
                                                  for q, p in ANSWERABLE])
def test_answerable_question_quotes_the_answering_sentence_first(seed_kb, question, phrase):
    answer = seed_kb.answer(question)
    assert not answer.abstained and answer.quotes, answer.text
    assert any(p in answer.quotes[0].text for p in phrase.split("|")), answer.quotes[0].text


@pytest.mark.parametrize(("question", "note"), [
    ("苹果公司2024年的营收是多少？", "文章提到了“苹果公司”“2024”，但索引中的文章都没有提到“营收”"),
    ("微软去年的净利润是多少？", "文章提到了“微软”，但索引中的文章都没有提到“利润”"),
    ("OpenAI 2019年的估值是多少？", "但没有提到“2019”"),
    ("Anthropic的创始人是谁？", "索引中的文章都没有提到“Anthropic”"),
    ("Who founded Anthropic?", "The articles mention founder (创始人), but none mentions Anthropic"),
    ("Who is Dario Amodei?", "None of the indexed articles mentions Dario Amodei"),
    ("How much has Google invested in Anthropic?", "The articles mention Google (谷歌), but none mentions Anthropic"),
    ("孙正义为什么投资OpenAI？", "文章提到了“孙正义”，但没有在同一处提到“OpenAI”"),  # and the sentence gives no reason
    ("What was Microsoft's net profit last year?", "The articles mention Microsoft (微软), but none mentions net profit (利润)"),
    ("How old is Sam Altman?", "The articles mention Sam Altman (奥特曼), but none mentions age (年龄)"),
    ("纳德拉的年薪是多少？", "文章提到了“纳德拉”，但索引中的文章都没有提到“薪水”"),  # not jieba's piece 德拉
    ("How much did Amazon invest in Anthropic?", "never mention Amazon"),
    ("What is xAI's valuation?", "The articles mention valuation (估值), but none mentions xAI"),
    # every name there, nothing of what is asked about him: the note names the words, not 于
    ("奥特曼毕业于哪所大学？", "文章提到了“奥特曼”，但最接近的句子没有提到“毕业”“大学”"),
    # a founder named where the CEO is asked about: the title is not there
    ("谷歌DeepMind的CEO是谁？", "文章提到了“谷歌”“DeepMind”，但没有在同一处提到“首席执行官”"),
    ("Who is the CEO of Google DeepMind?", "The articles mention Google DeepMind but not CEO (首席执行官)"),
    # a year the closest passage lacks: the articles give this month's valuation, not 2019's
    ("What was OpenAI's valuation in 2019?", "The articles mention OpenAI and valuation (估值) but not 2019"),
    # Meta is written as such in the articles, never beside the computing costs quoted before
    ("How much did Meta spend on AI in 2024?", "The articles mention 2024 but not Meta in the same place"),
    # the names are there, the joining is not (the refitted model refuses it by what is asked)
    ("Kevin Scott什么时候加入微软？", "但最接近的句子没有提到“加入”"),
])
def test_refusal_note_names_what_the_articles_lack_in_the_question_language(seed_kb, question, note):
    answer = seed_kb.answer(question)
    assert answer.abstained, answer.text
    assert any(note in n for n in answer.notes), answer.notes


def test_enough_questions_of_each_kind_are_checked():
    assert len(OUT_OF_CORPUS) >= 30 and len(ANSWERABLE) - len(STILL_WRONG) >= 20
