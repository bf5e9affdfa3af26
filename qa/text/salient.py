"""The terms a question turns on: the names, numbers and measured attributes an answer must be about.

News questions the articles do not answer usually share their topic and differ in one of these
(孙正义 instead of 微软, 营收 instead of 市值, 2023 instead of 2024). A sentence that answers must
mention every one of them, in the sentence or beside it, in either script; the answer stage
counts the ones missing (:mod:`qa.answering.features`) and names them when it refuses.

Example::

    >>> [(t.kind, t.text) for t in salient_terms("苹果公司2024年的营收是多少？")]  # doctest: +SKIP
    [('name', '苹果公司'), ('number', '2024'), ('attribute', '营收')]
"""
from __future__ import annotations

import functools
import logging
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from qa.text.dates import chinese_dated, english_dated
from qa.text.glossary import dictionary_kinds
from qa.text.names import mentioned, spelled_in
from qa.text.numerals import as_digits, english_amounts, tenths_as_percent, tenths_forms
from qa.text.phonetic import name_characters
from qa.text.questions import CHINESE_QUESTION_CHARS, ENGLISH_FUNCTION_WORDS
from qa.text.tokens import search_form, tagged, tokenize
from qa.text.translate import keyword_language, names

log = logging.getLogger(__name__)

# Measured quantities a news question asks for, each with the words an article may use for it.
# The first word of each group names the group in refusal notes.
ATTRIBUTE_GROUPS: tuple[tuple[str, ...], ...] = (
    ("营收", "营业收入", "收入", "营业额", "销售额"), ("利润", "净利润", "盈利", "净利"), ("亏损", "净亏损"),
    ("市值",), ("估值",), ("股价", "股票价格"), ("用户", "用户数", "活跃用户"),
    # a news figure counts users per day, week or month: 5亿周活跃用户 does not say how many a day
    ("日活跃用户", "日活"), ("周活跃用户", "周活"), ("月活跃用户", "月活"), ("参数", "参数量"),
    ("人口",), ("面积",), ("销量", "销售量"), ("价格", "售价", "票价"), ("员工", "雇员", "职员"),
    ("市场份额", "份额"), ("票房",), ("预算",), ("成本",), ("债务", "负债"), ("融资", "融资额"),
    ("薪水", "工资", "年薪", "薪酬"), ("身高",), ("体重",), ("高度", "海拔"), ("长度", "全长"),
    ("深度",), ("温度", "气温"), ("速度", "时速"), ("排名",), ("得分", "分数", "比分"),
    ("年龄", "岁"), ("产量",), ("出口",), ("进口",), ("gdp", "国内生产总值"), ("税", "税率"),
    ("订阅", "订阅者"), ("下载量",), ("粉丝",), ("增长率", "增速"),
    # roles: "who is X's CEO" is not answered by a sentence naming X's founder
    ("首席执行官", "ceo", "执行长"), ("创始人", "创办人", "创立", "创办", "创建"), ("董事长", "董事会主席"),
    ("总裁",), ("首席技术官", "cto", "技术长"), ("首席财务官", "cfo"),
)
# English words for the same groups (by the group's first Chinese word).
ENGLISH_ATTRIBUTES = {
    "revenue": "营收", "revenues": "营收", "sales": "营收", "income": "营收", "turnover": "营收",
    "profit": "利润", "profits": "利润", "earnings": "利润", "loss": "亏损", "losses": "亏损",
    "market value": "市值", "market cap": "市值", "market capitalization": "市值", "valuation": "估值",
    "share price": "股价", "stock price": "股价", "users": "用户", "subscribers": "订阅",
    "parameters": "参数", "population": "人口", "area": "面积", "price": "价格", "employees": "员工",
    "staff": "员工", "market share": "市场份额", "box office": "票房", "budget": "预算", "cost": "成本",
    "debt": "债务", "salary": "薪水", "height": "身高", "weight": "体重", "speed": "速度", "gdp": "gdp",
    "tax": "税", "downloads": "下载量", "growth rate": "增长率", "how old": "年龄", "length": "长度",
    "depth": "深度", "temperature": "温度", "ranking": "排名", "score": "得分", "output": "产量",
    "exports": "出口", "imports": "进口", "followers": "粉丝", "altitude": "高度", "elevation": "高度",
    "units sold": "销量", "net income": "利润", "net profit": "利润",
    "daily active users": "日活跃用户", "weekly active users": "周活跃用户", "monthly active users": "月活跃用户",
    "ceo": "首席执行官", "chief executive": "首席执行官", "founder": "创始人", "founders": "创始人",
    "founded": "创始人", "co-founded": "创始人", "chairman": "董事长", "president": "总裁",
    "cto": "首席技术官", "chief technology officer": "首席技术官", "cfo": "首席财务官",
}
# Titles a company gives one person: news states them by name (首席执行官, CEO), never by a
# paraphrase or a unit as it may a measured quantity (8公斤重 for 体重), so a sentence that does not
# name the title asked about does not say who holds it. Not the founder (成立, 建立 paraphrase
# 创立) and not "president" or "chairman" (总统, 主席 of a country or a party).
ROLE_WORDS = frozenset({"首席执行官", "ceo", "执行长", "chief executive", "董事长", "董事会主席", "总裁",
                        "首席技术官", "cto", "技术长", "chief technology officer", "首席财务官", "cfo"})
_GROUP_OF = {word: group for group in ATTRIBUTE_GROUPS for word in group}
_FIRST = {group[0]: group for group in ATTRIBUTE_GROUPS}
# jieba's tags for names: people (nr, nrt: transliterated), places, organisations, other proper
# nouns and Latin-script words.
_NAME_TAGS = frozenset({"nr", "nrt", "ns", "nt", "nz", "eng"})
# Characters no name runs into (particles, conjunctions, question words), though some write
# transliterations too (和, 在); and how many characters a cut name may grow by on either side.
_NOT_IN_NAMES = frozenset("的和与及跟同是在了向对从把被将或也都就又而但并为于以由等之其这那") | CHINESE_QUESTION_CHARS
_WIDEN = 3
_COMPANY_SUFFIX = re.compile(r"(?<=..)(公司|集团|有限公司|股份有限公司)$")
_NUMBER = re.compile(r"(?<![a-z0-9.])\d+(?:\.\d+)?(?![a-z0-9]|\.\d)")  # whole numbers only: not "4" of "gpt4"
_CHINESE_ATTRIBUTE = re.compile("|".join(sorted((re.escape(w) for w in _GROUP_OF if not w.isascii()), key=len,
                                                reverse=True))
                                + r"|(?<![a-z])(?:" + "|".join(w for w in _GROUP_OF if w.isascii()) + r")(?![a-z])")
_ENGLISH_ATTRIBUTE = re.compile(r"\b(" + "|".join(sorted(map(re.escape, ENGLISH_ATTRIBUTES), key=len, reverse=True))
                                + r")\b", re.IGNORECASE)


@dataclass(frozen=True)
class Term:
    """One salient term: its kind (``name``, ``number`` or ``attribute``), the text the question
    has, and the search forms (lower-case, simplified) an article may write it in."""

    kind: str
    text: str
    forms: tuple[str, ...]
    dated: bool = False  # a number the question writes as a date: a year, 6月, 15日, 19世纪

    @functools.cached_property
    def tokens(self) -> tuple[tuple[str, ...], ...]:
        """Each form's search tokens (a form with none, e.g. punctuation, is left out)."""
        return tuple(ts for ts in (tuple(tokenize(f)) for f in self.forms) if ts)


def salient_terms(question: str) -> tuple[Term, ...]:
    """Return the names, numbers and attribute words ``question`` turns on, in question order
    without repeats; empty for a question with none ("这是什么？").

    An English question's names carry the dictionary's Chinese forms and its attribute words
    their Chinese group ("revenue" → 营收/营业收入/收入…); a name no dictionary knows is matched
    in either script once :func:`spelled` adds the spellings the articles use.
    """
    english = keyword_language(question) == "en"
    folded, searched = search_form(question), frozenset(tokenize(question))
    terms = _english_names(question, folded) if english else _chinese_names(question, folded, searched)
    terms += _english_numbers(folded) if english else _chinese_numbers(folded)
    terms += _attributes(question, folded, searched, english)
    seen: set[str] = set()
    out = []
    for t in terms:
        if t.forms[0] not in seen:
            seen.add(t.forms[0])
            out.append(t)
    return tuple(out)


def present(term: Term, words: Collection[str], folded: str = "") -> bool:
    """Whether a text mentions ``term`` in any of its forms: found in ``folded`` (the text's
    :func:`~qa.text.tokens.search_form`; a Latin or digit form only as a whole word), or every
    search token of a form among ``words`` (the text's tokens). A name written in the other
    script counts once :func:`spelled` has added that spelling to the term's forms.

    >>> text = "公司营业收入增长"
    >>> present(salient_terms("公司的营收是多少？")[-1], set(tokenize(text)), search_form(text))  # doctest: +SKIP
    True
    """
    if folded and any(_occurs(f, folded) for f in term.forms):
        return True
    if term.kind == "number":  # 第50届 in the question, 第五十届 in the article; 70% or 七成
        if not folded:
            return False
        digits = tenths_as_percent(as_digits(folded))  # once, not once per form: cn2an is slow
        return any(_occurs(f, digits) for f in term.forms)
    if term.kind == "name" and folded and any(_mostly_written(f, folded) for f in term.forms):
        return True
    return any(all(t in words for t in tokens) for tokens in term.tokens)


def _mostly_written(form: str, folded: str) -> bool:
    """Whether ``folded`` holds at least two thirds of the character pairs of ``form``, a Chinese
    name of three or more characters: an article writes 東羅馬 and 帝國 where the question has
    東羅馬帝國, 特羅姆瑟蒙德 where jieba cut 特羅姆瑟 out of a longer transliteration. On CMRC
    and DRCD (first 300 paragraphs) this finds 14 more of the 1,975 names of answerable questions
    in their paragraph and none of the 957 names swapped into a question."""
    if len(form) < 3 or form.isascii():
        return False
    pairs = [form[i:i + 2] for i in range(len(form) - 1)]
    return 3 * sum(p in folded for p in pairs) >= 2 * len(pairs)


def spelled(terms: Sequence[Term], words: Collection[str]) -> tuple[Term, ...]:
    """Return ``terms`` with each name's spellings in the other script among ``words`` added to
    its forms (Suleyman → 苏莱曼 where the articles write 苏莱曼, and the other way round), so that
    :func:`present` matches them by text. ``words`` are the search tokens of the texts to be
    checked (the candidates'): the pinyin comparison runs once per question, not per sentence."""
    latin_words = [w for w in words if w.isascii()]
    out = []
    for t in terms:
        if t.kind != "name":
            out.append(t)
            continue
        extra = spelled_in([f for f in t.forms if f.isascii()], words)
        extra += [w for w in latin_words for f in t.forms if not f.isascii() and mentioned(f, [w])]
        out.append(replace(t, forms=tuple(dict.fromkeys((*t.forms, *extra)))) if extra else t)
    return tuple(out)


def aliased(terms: Sequence[Term], aliases: Mapping[str, Sequence[str]]) -> tuple[Term, ...]:
    """Return ``terms`` with the Chinese forms ``aliases`` gives a name (the forms the articles
    write beside it: Ellison → 埃里森, :mod:`qa.text.pairs`) added to that name's forms."""
    if not aliases:
        return tuple(terms)
    by_name = {name.lower(): forms for name, forms in aliases.items()}
    out = []
    for t in terms:
        extra = by_name.get(t.text.lower(), ()) if t.kind == "name" else ()
        forms = tuple(dict.fromkeys((*t.forms, *(search_form(f) for f in extra))))
        out.append(replace(t, forms=forms) if extra else t)
    return tuple(out)


def widened(terms: Sequence[Term], question: str, folded: str) -> tuple[Term, ...]:
    """Return ``terms`` with each transliterated Chinese name grown to the longest run of the
    question around it that ``folded`` (the candidates' search form) writes. jieba's dictionary
    lacks most transliterations and cuts 纳德拉和阿尔特曼 into 纳 / 德拉 / 和 / 阿尔特 / 曼, so a
    refusal note would name 德拉 and 阿尔特, and a piece cut across two names (曼和纳) would count
    as a name no sentence mentions; such a piece is dropped. Only a name written wholly in the
    characters of transliterations grows, by up to ``_WIDEN`` of them a side, never over a particle
    or question word: 微软 does not become 微软市值 where a sentence writes that.

    >>> [t.text for t in widened(salient_terms("纳德拉和阿尔特曼在哪里认识？"), "纳德拉和阿尔特曼在哪里认识？",
    ...                          "纳德拉与阿尔特曼在太阳谷相遇")]  # doctest: +SKIP
    ['纳德拉', '阿尔特曼']
    """
    asked = search_form(question)
    same_length = len(asked) == len(question)  # else the term keeps its text as found
    grown: dict[int, tuple[int, int]] = {}
    for i, t in enumerate(terms):
        start = asked.find(t.forms[0]) if t.kind == "name" and _transliterated(t.forms[0]) else -1
        span = _grown(asked, start, start + len(t.forms[0]), folded) if start >= 0 else None
        if span is not None:
            grown[i] = span
    out = []
    for i, t in enumerate(terms):
        if i in grown:
            a, b = grown[i]
            form = asked[a:b]
            # the piece stays a form: after the full name, news writes a part of it alone (坎克利 after
            # 卢克·坎克利); requiring the grown name refused 5 more of XQuAD's answerable questions
            out.append(replace(t, text=question[a:b] if same_length else form, forms=(form, *t.forms)))
        elif not (t.kind == "name" and t.forms[0] not in folded and _overlaps(asked, t.forms[0], grown.values())):
            out.append(t)  # not a piece cut across two names (阿尔特 / 曼和纳 / 德拉)
    seen: set[str] = set()  # two pieces of one name grow into the same name
    return tuple(t for t in out if not (t.forms[0] in seen or seen.add(t.forms[0])))


def _overlaps(asked: str, form: str, spans: Iterable[tuple[int, int]]) -> bool:
    start = asked.find(form)
    return start >= 0 and any(start < b and a < start + len(form) for a, b in spans)


def _transliterated(text: str) -> bool:
    return all(c in name_characters() and c not in _NOT_IN_NAMES for c in text)


def _grown(asked: str, start: int, end: int, folded: str) -> tuple[int, int] | None:
    """Return the longest span of ``asked`` around ``start:end`` grown over transliteration
    characters that ``folded`` writes, or None when no grown span is written there."""
    best = None
    for left in range(min(_WIDEN, start) + 1):
        if not _transliterated(asked[start - left:start]):
            break
        for right in range(min(_WIDEN, len(asked) - end) + 1):
            if not _transliterated(asked[end:end + right]):
                break
            a, b = start - left, end + right
            if b - a > end - start and (best is None or b - a > best[1] - best[0]) and asked[a:b] in folded:
                best = (a, b)
    return best


def _occurs(form: str, folded: str) -> bool:
    if not form.isascii():
        return form in folded
    # "ai" is not in "openai", "4" not in "2024": Latin and digit forms are whole words
    return re.search(rf"(?<![a-z0-9.]){re.escape(form)}(?![a-z0-9]|\.\d)", folded) is not None


def _chinese_names(question: str, folded: str, searched: frozenset[str]) -> list[Term]:
    out = []
    proper, common = dictionary_kinds()
    for word, tag in tagged(folded):
        # the tagger may cut a Latin word apart ("0a0" → "0" + "a0") or join words across a
        # boundary (巴利冈是 → 冈是): a name must be a whole word and a search token too
        if (tag in _NAME_TAGS and word not in common or word in proper) and len(word) > 1 \
                and not _NUMBER.fullmatch(word) \
                and word not in _GROUP_OF and _occurs(word.lower(), folded) and word.lower() in searched:
            stem = _COMPANY_SUFFIX.sub("", word)  # 苹果公司 is 苹果 in most sentences
            m = re.search(re.escape(word), question, re.IGNORECASE)  # as written (OpenAI, not openai)
            forms = (word.lower(), stem.lower(), _unglued(word.lower()))
            out.append(Term("name", m.group() if m else word, tuple(dict.fromkeys(forms))))
    return out


def _unglued(word: str) -> str:
    """Return ``word`` without a particle the tagger glued to either end of a name (於北魏 →
    北魏, 和浩漢 → 浩漢), when two or more characters remain; a form beside the word, since a few
    names do begin with one (于谦)."""
    while len(word) > 2 and word[0] in _NOT_IN_NAMES:
        word = word[1:]
    while len(word) > 2 and word[-1] in _NOT_IN_NAMES:
        word = word[:-1]
    return word


def _english_names(question: str, folded: str) -> list[Term]:
    out = []
    for name, forms in names(question):
        name = name.rstrip("'")  # the Panthers' defense
        words = name.split()
        if words and words[0].lower() in ENGLISH_FUNCTION_WORDS:  # "To Carolina", "Most IT" open a clause
            name = " ".join(words[1:])
        if not name or _NUMBER.fullmatch(name) or not _occurs(name.lower(), folded) \
                or name.lower() in ENGLISH_ATTRIBUTES:  # not "A0" of "0A0"; "CEO" is a role
            continue
        chinese = [f for f in forms if len(f) > 1]  # one character (苹 for Apple) is too ambiguous
        out.append(Term("name", name, tuple(dict.fromkeys((name.lower(), name.lower().split()[-1], *chinese)))))
    return out


def _chinese_numbers(folded: str) -> list[Term]:
    """Return the numbers of a Chinese question (its search form), each marked ``dated`` when
    :func:`~qa.text.dates.chinese_dated` says so."""
    return [Term("number", m.group(), tenths_forms(m.group(), folded[m.end():m.end() + 2]),
                 chinese_dated(folded, m.start(), m.end()))
            for m in _NUMBER.finditer(folded)]


def _english_numbers(folded: str) -> list[Term]:
    """Return the numbers of an English question (its search form), an amount also in the units
    Chinese news writes it in ("$6.6 billion" → 66亿, "650 million" → 6.5亿, "20,000" → 2万); a
    year or a day beside a month's name is marked ``dated``."""
    return [Term("number", text, forms, english_dated(folded, text)) for text, forms in english_amounts(folded)]


def _attributes(question: str, folded: str, searched: frozenset[str], english: bool) -> list[Term]:
    # one character (岁, 税) only as a word of its own, not inside 岁月 or 税务局
    found = [(m, _GROUP_OF[m]) for m in _CHINESE_ATTRIBUTE.findall(folded) if len(m) > 1 or m in searched]
    if english:  # the English word stays the term's text: refusal notes quote it
        found += [(m.lower(), _FIRST[ENGLISH_ATTRIBUTES[m.lower()]]) for m in _ENGLISH_ATTRIBUTE.findall(question)
                  if ENGLISH_ATTRIBUTES[m.lower()] in _FIRST]
    return [Term("attribute", text if english and text.isascii() else group[0], group) for text, group in found]
