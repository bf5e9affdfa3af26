"""Answer features: the longest common run is difflib's, found faster."""
from __future__ import annotations

from difflib import SequenceMatcher

from hypothesis import given, settings
from hypothesis import strategies as st

from qa.answering.features import longest_common_run

# Few letters, so that runs repeat and overlap; CJK, Latin and digits as in questions and sentences.
LETTERS = st.text(alphabet="微软聘请苏莱曼的了是ab12", max_size=40)


def difflib_run(a: str, b: str) -> int:
    return SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b)).size


@settings(max_examples=400, deadline=None)
@given(LETTERS, LETTERS)
def test_longest_common_run_equals_difflibs_longest_match(a, b):
    assert longest_common_run(a, b) == difflib_run(a, b)


def test_longest_common_run_of_a_question_in_its_answer_sentence():
    assert longest_common_run("微软为什么聘请苏莱曼", "微软聘请了苏莱曼和他在Inflection的同事") == 3  # 苏莱曼
    assert longest_common_run("", "微软") == 0
    assert longest_common_run("特斯拉", "微软聘请了苏莱曼") == 0


def test_an_english_word_is_matched_by_any_of_its_senses_and_counts_once():
    """Structured query translation: "hire" → 聘请 or 雇用 are alternatives. A sentence with one of
    them holds the word, whose weight is its rarest sense the articles have; a sentence with both
    holds it no more than once."""
    from qa.answering.question import coverage, describe

    keywords = "why did Microsoft hire him? 微软 聘请 雇用"
    df = {"微软": 50, "聘请": 3, "雇用": 9}
    groups = [("microsoft", ("微软",)), ("hire", ("聘请", "雇用"))]
    info = describe(keywords, df, 100, nested=False, groups=groups)
    assert info.units == (("microsoft", "微软"), ("hire", "聘请", "雇用"))
    # the English words themselves, in no Chinese sentence, do not dilute the match
    assert coverage(info, {"微软", "聘请"}) == 1.0 == coverage(info, {"微软", "聘请", "雇用"})
    # the commoner sense earns less than the rarer one, and more than none
    assert coverage(info, {"微软"}) < coverage(info, {"微软", "雇用"}) < 1.0
    # without groups every token counts alone, as for a Chinese question
    flat = describe(keywords, df, 100, nested=False)
    assert flat.units == () and coverage(flat, {"微软", "聘请"}) < coverage(flat, {"微软", "聘请", "雇用"}) < 1.0


def test_an_english_questions_senses_count_once_where_one_holds_another():
    from qa.answering.question import describe

    keywords = "Who is the CEO of Microsoft? 微软 微软公司 首席执行官"
    assert "微软公司" in describe(keywords, {}, 10).tokens
    tokens = describe(keywords, {}, 10, nested=False).tokens
    assert {"微软", "首席", "执行"} <= set(tokens) and not {"微软公司", "执行官"} & set(tokens)


def test_a_latin_word_is_one_symbol_to_the_character_features():
    """In news about OpenAI every sentence names it: its six letters must not outweigh 估值 in the
    longest common run, as they did when each letter was a character."""
    import numpy as np

    from qa.answering.features import FEATURES, features
    from qa.answering.question import describe

    info = describe("OpenAI现在估值多少钱？", {"openai": 40, "估值": 1}, 42)
    sentences = ["微软支付了至少6.5亿美元,把 OpenAI 的竞争对手 Inflection几乎挖空。",
                 "就在本月,该公司完成了一轮66亿美元的融资,估值达到1570亿美元。"]
    n = len(sentences)
    matrix = features(info, sentences, np.zeros(n), [1.0] * n, [""] * n, [True] * n, [1.0] * n)
    lcs = matrix[:, FEATURES.index("lcs")]
    assert lcs[0] < lcs[1]  # one symbol (OpenAI) against two characters (估值)
    assert lcs[0] > 0  # the name still counts, as one word


def test_the_words_of_a_question_phrase_are_no_content():
    """jieba cuts 一年 out of 哪一年: counted as a word the answer sentence must hold, it halved the
    overlap of OpenAI自2015年成立以来… with OpenAI是哪一年成立的？ and the question was refused."""
    from qa.answering.question import describe

    assert set(describe("OpenAI是哪一年成立的？", {}, 10).tokens) == {"openai", "成立"}
    assert set(describe("他在哪一个城市出生？", {}, 10).tokens) == {"他", "城市", "出生"}
    assert "一年" in describe("OpenAI成立一年后发生了什么？", {}, 10).tokens  # not asked here


def test_rest_is_what_a_sentence_holds_of_the_question_beyond_its_names():
    """马斯克为什么离开OpenAI？ against the sentence that he co-founded it: both names are there,
    what is asked (离开) is not; a sentence with it holds the whole rest of the question."""
    import numpy as np

    from qa.answering.features import FEATURES, answerability_features, features
    from qa.answering.question import describe
    from qa.text.salient import salient_terms

    question = "马斯克为什么离开OpenAI？"
    info = describe(question, {"马斯克": 2, "离开": 1, "openai": 5}, 20, salient_terms(question))
    sentences = ["2015年，阿尔特曼与马斯克等11人共同创立了OpenAI。", "2018年，马斯克离开了OpenAI的董事会。"]
    n = len(sentences)
    matrix = features(info, sentences, np.zeros(n), [1.0] * n, [""] * n, [True] * n, [1.0] * n)
    assert matrix[:, FEATURES.index("rest")].tolist() == [0.0, 1.0]
    assert matrix[:, FEATURES.index("missing")].tolist() == [0.0, 0.0]  # the names are in both
    row = answerability_features(matrix[:1], np.zeros(1), 1.0)
    assert row[-2:].tolist() == [0.0, 1.0]  # top_rest, top_rest_none


def test_rest_is_one_when_the_question_is_all_names():
    import numpy as np

    from qa.answering.features import FEATURES, features
    from qa.answering.question import describe
    from qa.text.salient import salient_terms

    question = "Inflection的苏莱曼？"
    info = describe(question, {"苏莱曼": 2, "inflection": 1}, 20, salient_terms(question))
    matrix = features(info, ["微软聘请了苏莱曼。"], np.zeros(1), [1.0], [""], [True], [1.0])
    assert matrix[0, FEATURES.index("rest")] == 1.0
