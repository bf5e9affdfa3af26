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

    from qa.answering.features import ANSWERABILITY, FEATURES, answerability_features, features
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
    assert [row[ANSWERABILITY.index(f)] for f in ("top_rest", "top_rest_none")] == [0.0, 1.0]


def test_rest_is_one_when_the_question_is_all_names():
    import numpy as np

    from qa.answering.features import FEATURES, features
    from qa.answering.question import describe
    from qa.text.salient import salient_terms

    question = "Inflection的苏莱曼？"
    info = describe(question, {"苏莱曼": 2, "inflection": 1}, 20, salient_terms(question))
    matrix = features(info, ["微软聘请了苏莱曼。"], np.zeros(1), [1.0], [""], [True], [1.0])
    assert matrix[0, FEATURES.index("rest")] == 1.0


def test_the_question_without_its_names_is_what_rest_dense_compares():
    """占旭刚本科毕业于哪所大学？ asks where he studied: a sentence about 占旭刚 that does not say is
    found by the name alone, so the names are left out of the text compared by meaning."""
    from qa.answering.ranking import rest_query

    assert rest_query("占旭刚本科毕业于哪所大学？") == "本科毕业于哪所大学？"
    assert rest_query("微软为什么聘请苏莱曼？") == "为什么聘请？"
    assert rest_query("OpenAI有多少名员工？") == "有多少名员工？"  # Latin letters too, in any case
    assert rest_query("这是什么？") is None  # no names: the plain dense similarity
    assert rest_query("苏莱曼") is None  # nothing but a name
    assert rest_query("why did Microsoft hire Suleyman?", cross_lingual=True) is None


def test_rest_dense_is_the_given_cosine_and_the_top_candidates_in_answerability():
    import numpy as np

    from qa.answering.features import ANSWERABILITY, FEATURES, answerability_features, features
    from qa.answering.question import describe
    from qa.text.salient import salient_terms

    question = "占旭刚本科毕业于哪所大学？"
    info = describe(question, {"占旭刚": 1, "大学": 3}, 20, salient_terms(question))
    sentences = ["占旭刚是著名举重运动员。", "占旭刚毕业于浙江大学。"]
    dense, rest = np.array([0.9, 0.8]), np.array([0.7, 0.85])
    matrix = features(info, sentences, dense, [1.0, 1.0], ["", ""], [True, False], [1.0, 1.0], rest_dense=rest)
    assert matrix[:, FEATURES.index("rest_dense")].tolist() == np.float32(rest).tolist()
    plain = features(info, sentences, dense, [1.0, 1.0], ["", ""], [True, False], [1.0, 1.0])
    assert plain[:, FEATURES.index("rest_dense")].tolist() == np.float32(dense).tolist()
    row = answerability_features(matrix, np.array([0.0, 1.0]), 1.0)  # the second ranks first
    assert row[ANSWERABILITY.index("top_rest_dense")] == np.float32(0.85)
