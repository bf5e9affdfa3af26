"""Tests for the text stage: qa.text.normalize, .sentences, .tokens and .language."""
from __future__ import annotations

import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qa.text
from qa.text.language import detect_language, is_cjk
from qa.text.normalize import first_surrogate, normalize_article_text, paragraph_spans
from qa.text.sentences import split_sentences
from qa.text.tokens import search_form, simplified, tokenize

PROPERTY = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Paragraphs copied from the seed articles (seed 000 uses ASCII commas and semicolons).
SEED_000 = (
    "据《纽约时报》报道,彼时微软已经向 OpenAI 注入了130亿美元,纳德拉最初愿意继续提供现金。"
    "但在 OpenAI 董事会宫斗,短暂罢免了奥特曼之后。据四位不愿透露姓名的知情人士透露,纳德拉和微软重新考虑了这一决定。\n"
    "「我们非常感谢能与微软合作;他们很早就开始压下重注,他们提供的大量计算资源对于我们的研究突破至关重要,"
    "两家公司都受益匪浅,」奥特曼周四在一份声明中表示。「我们很高兴并致力于追求我们共同的愿景,期待在未来共同取得更大的成就。」\n"
    "「如果微软只使用 OpenAI 的技术,它可能会变得落后,」投资银行 D.A. Davidson 的分析师 Gil Luria 表示。"
    "「这是一场真正的竞赛 ——OpenAI 也存在没有赢下的可能性。」\n"
    "但在今年3月,微软支付了至少6.5亿美元,把 OpenAI 的竞争对手 Inflection几乎挖空。"
)
SEED_001 = (
    "智东西4月30日消息,据外媒《华尔街日报》昨日上午报道,OpenAI联合创始人兼CEO萨姆・阿尔特曼(Sam Altman)"
    "与微软董事长兼CEO萨蒂亚・纳德拉(Satya Nadella),曾称赞彼此拥有“科技界最佳合作关系”,如今却渐行渐远。\n\n"
    "在模型访问权限方面,双方矛盾凸显。OpenAI在新技术与模型代码交付上有所延迟,例如去年夏天新推理模型“Strawberry”"
    "交付进度缓慢,引发微软不满;OpenAI则认为需要时间深入了解模型能力,这让微软对获取前沿技术的进程充满担忧。\n\n"
    "据科技媒体The Verge报道,2024年1月12日,微软超越苹果成为全球市值最高的上市公司。"
    "微软的市值超过了2.86万亿美元(约合人民币20.59万亿),而苹果的市值为2.85万亿美元(约合人民币20.53万亿)。"
)

_CJK = "微软苹果的了是在和有人这中大为上个国我说年月日资金模型技术臺灣這們為說與會"
_PUNCT = ["。", "！", "？", "；", "…", "……", ".", "!", "?", ";", "．", ",", "，", "、", "：", ":", "...", "?!"]
_QUOTES = ["“", "”", "「", "」", "『", "』", "（", "）", "(", ")", "’", "'", '"', "【", "】", "《", "》"]
_TRICKY = ["U.S.", "D.A. Davidson", "Mr.", "Inc.", "e.g.", "3.5", "6.5亿", "openai.com", "https://a.b/c.html?x=1;y",
           "1. ", "J. K."]
_SPACE = [" ", "  ", "\n", "\n\n", "\u3000", "\t", " \n "]

fragments = st.one_of(
    st.text(alphabet=_CJK, min_size=1, max_size=12),
    st.from_regex(r"[A-Za-z]{1,8}", fullmatch=True),
    st.from_regex(r"[0-9]{1,4}", fullmatch=True),
    st.sampled_from(_PUNCT), st.sampled_from(_QUOTES), st.sampled_from(_TRICKY), st.sampled_from(_SPACE),
)
news_text = st.lists(fragments, max_size=60).map("".join)
# Long runs without any punctuation (cut at max_chars), optionally with spaces or commas.
long_runs = st.builds(lambda ch, n, sep, k: (ch * n + sep) * k,
                      st.sampled_from(["甲", "a", "7", "😀"]), st.integers(1, 400),
                      st.sampled_from(["", " ", "，", ","]), st.integers(1, 4))
any_text = st.one_of(news_text, st.text(max_size=300), long_runs)


def texts(sentences):
    return [s.text for s in sentences]


def check_invariants(text, sentences, max_chars):
    previous_end = 0
    for s in sentences:
        assert text[s.start:s.end] == s.text
        assert s.text and s.text == s.text.strip()
        assert s.start >= previous_end
        assert len(s.text) <= max_chars
        assert "\n" not in s.text
        previous_end = s.end
    # Everything that is not whitespace is in some sentence: the gaps are whitespace only.
    bounds = [0] + [x for s in sentences for x in (s.start, s.end)] + [len(text)]
    assert not "".join(text[a:b] for a, b in zip(bounds[::2], bounds[1::2])).strip()


# --- properties -------------------------------------------------------------------------------

@PROPERTY
@given(any_text, st.integers(1, 80))
def test_sentences_slice_back_are_stripped_ordered_and_bounded(text, max_chars):
    check_invariants(text, split_sentences(text, max_chars), max_chars)


@PROPERTY
@given(st.text(max_size=400), st.integers(1, 400))
def test_random_unicode_never_crashes_and_keeps_invariants(text, max_chars):
    check_invariants(text, split_sentences(text, max_chars), max_chars)


@PROPERTY
@given(news_text)
def test_paragraph_numbers_follow_non_blank_lines(text):
    spans = paragraph_spans(text)
    for s in split_sentences(text):
        start, end = spans[s.paragraph]
        assert start <= s.start and s.end <= end


@PROPERTY
@given(st.one_of(news_text, long_runs), st.integers(1, 60), st.data())
def test_resplitting_a_run_of_whole_sentences_gives_the_same_sentences(text, max_chars, data):
    sentences = split_sentences(text, max_chars)
    if not sentences:
        return
    a = data.draw(st.integers(0, len(sentences) - 1))
    b = data.draw(st.integers(a, len(sentences) - 1))
    start, end = sentences[a].start, sentences[b].end
    again = split_sentences(text[start:end], max_chars)
    assert [(s.text, s.start + start, s.end + start) for s in again] == \
        [(s.text, s.start, s.end) for s in sentences[a:b + 1]]


@PROPERTY
@given(st.one_of(news_text, st.text(max_size=200)))
def test_normalize_is_idempotent_and_clean(text):
    once = normalize_article_text(text)
    assert normalize_article_text(once) == once
    assert "\r" not in once and "\n\n\n" not in once
    assert not once.startswith("\ufeff") and once == once.strip()
    assert all(line == line.rstrip() for line in once.split("\n"))


@PROPERTY
@given(news_text)
def test_tokens_are_lowercase_words_without_punctuation(text):
    for token in tokenize(text):
        assert token.strip() == token and token
        assert any(ch.isalnum() for ch in token)
        assert token == token.casefold()


# --- normalisation ------------------------------------------------------------------------------

def test_normalize_strips_bom_crlf_trailing_spaces_and_extra_blank_lines():
    raw = "\ufeff  第一段，全角标点保留！  \r\n\r\n\r\n\r\n第二段。\t\r第三段\n\n"
    assert normalize_article_text(raw) == "第一段，全角标点保留！\n\n第二段。\n第三段"


def test_normalize_applies_nfc_but_keeps_full_width_forms():
    assert normalize_article_text("Cafe\u0301：ＡＩ（１）") == "Caf\u00e9：ＡＩ（１）"


def test_paragraph_spans_are_stripped_non_blank_lines():
    assert paragraph_spans(" 甲。\n\n  \n乙 \n") == [(1, 3), (8, 9)]


# --- sentence examples --------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("今年营收增长了3.5%。利润下降。", ["今年营收增长了3.5%。", "利润下降。"]),
    ("The U.S. economy grew. Prices fell.", ["The U.S. economy grew.", "Prices fell."]),
    ("投资银行 D.A. Davidson 的分析师表示。", ["投资银行 D.A. Davidson 的分析师表示。"]),
    ("Mr. Smith joined Apple Inc. in 2020, e.g. as a VP. He left.",
     ["Mr. Smith joined Apple Inc. in 2020, e.g. as a VP.", "He left."]),
    ("他说：“好。”然后走了。", ["他说：“好。”", "然后走了。"]),
    ("她问：「真的嗎？」他點頭。", ["她问：「真的嗎？」", "他點頭。"]),
    ("详见 https://openai.com/blog/index.html?a=1;b=2 的说明。访问openai.com了解。",
     ["详见 https://openai.com/blog/index.html?a=1;b=2 的说明。", "访问openai.com了解。"]),
    ("他沉默了……然后说：“走吧！”", ["他沉默了……", "然后说：“走吧！”"]),
    ("苹果、香蕉……，都很好吃。", ["苹果、香蕉……，都很好吃。"]),
    ("Wait... then what? Nothing.", ["Wait... then what?", "Nothing."]),
    ("真的吗？！太好了!!我们走吧;明天见.好的", ["真的吗？！", "太好了!!", "我们走吧;明天见.", "好的"]),
    ("其职能有：一是教化；二是管理户籍。", ["其职能有：一是教化；二是管理户籍。"]),
    ("《卡拉OK.LIVE！‧台北‧我》是张雨生的第六张专辑。他很满意。", ["《卡拉OK.LIVE！‧台北‧我》是张雨生的第六张专辑。", "他很满意。"]),
    ("他读了《你好！世界》。然后走了。", ["他读了《你好！世界》。", "然后走了。"]),
    ("1. 首先,我们要准备。2. 然后出发。", ["1. 首先,我们要准备。", "2. 然后出发。"]),
    ('He said "ok." Then he left (quietly.) Done.', ['He said "ok."', "Then he left (quietly.)", "Done."]),
    ("Yahoo!Japan 的股价上涨。", ["Yahoo!Japan 的股价上涨。"]),
    ("标题：冒号不分句，逗号也不分", ["标题：冒号不分句，逗号也不分"]),
])
def test_split_sentences_examples(text, expected):
    assert texts(split_sentences(text)) == expected


def test_traditional_chinese_drcd_style_quotes_and_ellipsis():
    text = ("鴻海精密工業股份有限公司，是臺灣的跨國企業。創辦人曾說：「阿里山的神木之所以大，"
            "四千年前種子掉到土裡時就已決定了。」該公司在1974年成立……目前總部位於新北市。")
    assert texts(split_sentences(text)) == [
        "鴻海精密工業股份有限公司，是臺灣的跨國企業。",
        "創辦人曾說：「阿里山的神木之所以大，四千年前種子掉到土裡時就已決定了。」",
        "該公司在1974年成立……",
        "目前總部位於新北市。",
    ]


def test_seed_000_with_ascii_commas_splits_at_full_stops_not_at_semicolons():
    got = texts(split_sentences(SEED_000))
    assert got[:3] == [
        "据《纽约时报》报道,彼时微软已经向 OpenAI 注入了130亿美元,纳德拉最初愿意继续提供现金。",
        "但在 OpenAI 董事会宫斗,短暂罢免了奥特曼之后。",
        "据四位不愿透露姓名的知情人士透露,纳德拉和微软重新考虑了这一决定。",
    ]
    assert got[3].startswith("「我们非常感谢能与微软合作;他们很早就开始压下重注,")
    assert got[3].endswith("两家公司都受益匪浅,」奥特曼周四在一份声明中表示。")
    assert "「如果微软只使用 OpenAI 的技术,它可能会变得落后,」投资银行 D.A. Davidson 的分析师 Gil Luria 表示。" in got
    assert got[-1] == "但在今年3月,微软支付了至少6.5亿美元,把 OpenAI 的竞争对手 Inflection几乎挖空。"


def test_seed_001_keeps_decimals_and_brackets_and_numbers_paragraphs():
    sentences = split_sentences(SEED_001)
    assert [s.paragraph for s in sentences] == [0, 1, 1, 2, 2]
    assert sentences[-1].text == "微软的市值超过了2.86万亿美元(约合人民币20.59万亿),而苹果的市值为2.85万亿美元(约合人民币20.53万亿)。"
    assert "引发微软不满;OpenAI则认为" in sentences[2].text


def test_a_stray_book_title_mark_does_not_hide_the_sentence_end():
    text = "他说《这不对！" + "然后走了很远" * 12 + "。"
    assert texts(split_sentences(text)) == ["他说《这不对！", "然后走了很远" * 12 + "。"]


def test_an_over_long_sentence_is_cut_after_a_semicolon():
    text = "甲" * 50 + "；" + "乙" * 60
    assert texts(split_sentences(text, max_chars=80)) == ["甲" * 50 + "；", "乙" * 60]


def test_every_newline_is_a_paragraph_break_and_ends_a_sentence():
    sentences = split_sentences("第一行没有句号\n第二行。\n\n\n第三行\n   \n")
    assert [(s.text, s.paragraph) for s in sentences] == [("第一行没有句号", 0), ("第二行。", 1), ("第三行", 2)]


def test_whitespace_only_text_gives_no_sentences():
    assert split_sentences(" \n\u3000\n\t ") == []
    assert split_sentences("") == []


def test_long_run_is_cut_after_the_last_comma_before_max_chars():
    text = "甲" * 200 + "，" + "乙" * 150 + "。"
    assert [len(s.text) for s in split_sentences(text, max_chars=300)] == [201, 151]


def test_long_run_is_cut_at_a_space_or_hard_at_max_chars():
    assert texts(split_sentences("ab cd ef", max_chars=5)) == ["ab cd", "ef"]
    assert [len(s.text) for s in split_sentences("字" * 650)] == [300, 300, 50]


def test_max_chars_below_one_is_refused():
    with pytest.raises(ValueError):
        split_sentences("好。", max_chars=0)


# --- search form, tokens, language ----------------------------------------------------------------

def test_search_form_folds_width_case_and_traditional_chinese():
    assert search_form("ＯｐｅｎＡＩ與微軟的「協議」") == "openai与微软的「协议」"


@given(st.text(alphabet=st.sampled_from("微軟与蘋果的市值協議發佈著名OpenAIＡ１2，。 \n"), max_size=40))
def test_simplified_changes_only_the_script_and_a_second_pass_changes_nothing(text):
    once = simplified(text)
    assert simplified(once) == once
    assert search_form(once) == search_form(text)  # the same words to the keyword side
    assert [c for c in once if c.isascii() or not "\u4e00" <= c <= "\u9fff"] == \
        [c for c in text if c.isascii() or not "\u4e00" <= c <= "\u9fff"]  # Latin, width, case kept


def test_simplified_folds_traditional_characters_and_nothing_else():
    assert simplified("ＯｐｅｎＡＩ與微軟的「協議」") == "ＯｐｅｎＡＩ与微软的「协议」"


def test_tokenize_matches_traditional_and_simplified_and_full_width_alike():
    assert tokenize("微軟與ＯｐｅｎＡＩ的協議") == tokenize("微软与openai的协议")


def test_tokenize_lowercases_english_keeps_numbers_and_drops_punctuation():
    tokens = tokenize("山姆・奥特曼(Sam Altman)说:增长了3.5%，达到130亿美元!")
    assert {"sam", "altman", "奥特曼", "130", "美元"} <= set(tokens)
    assert not {"(", ")", "・", ":", "，", "!", " "} & set(tokens)


def test_tokenize_is_thread_safe_on_first_use():
    results: list[list[str]] = []
    threads = [threading.Thread(target=lambda: results.append(tokenize("微软和OpenAI的合作"))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 8 and all(r == results[0] for r in results)


@pytest.mark.parametrize("question, language", [
    ("why did Microsoft hire Suleyman?", "en"),
    ("那 OpenAI 呢？", "zh"),
    ("微软为什么聘请苏莱曼？", "zh"),
    ("OpenAI和Microsoft的关系怎么样", "zh"),
    ("What does 纳德拉 think about the deal?", "en"),
    ("臺灣的半導體產業", "zh"),
])
def test_detect_language(question, language):
    assert detect_language(question) == language


def test_is_cjk_covers_ideographs_and_cjk_punctuation_only():
    assert all(is_cjk(ch) for ch in "中臺。「」，")
    assert not any(is_cjk(ch) for ch in "aZ1.,\"é")


# --- surrogates and the package's re-exports ------------------------------------------------------


# st.text never yields surrogates, even from an alphabet that has them: join characters instead.
_with_surrogates = st.lists(st.one_of(st.characters(), st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF,
                                                                     exclude_categories=())), max_size=40).map("".join)


@PROPERTY
@given(_with_surrogates)
def test_first_surrogate_finds_exactly_what_utf8_cannot_encode(text):
    match = first_surrogate(text)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        assert match is not None and match.start() == exc.start
    else:
        assert match is None


def test_first_surrogate_names_the_first_lone_half():
    match = first_surrogate("好\ud83d\ude00好\udc00")  # a pair written as two escapes, still lone halves
    assert match is not None and match.start() == 1 and match.group() == "\ud83d"
    assert first_surrogate("😀 与 OpenAI") is None


def test_the_package_re_exports_its_public_names():
    assert qa.text.split_sentences is split_sentences and qa.text.tokenize is tokenize
    for name in qa.text.__all__:
        assert callable(getattr(qa.text, name)), name
