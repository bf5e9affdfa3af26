"""``kb.add`` checks dicts and ``Article`` objects exactly as corpus files are checked, and
refuses a call with any bad article as a whole (all or nothing), naming every bad one."""
from __future__ import annotations

import datetime as dt

import pytest

from qa.ingest.corpus import load_file
from qa.ingest.records import given_articles
from qa.kb import KnowledgeBase
from qa.types import Article
from tests.helpers import hashing_settings

GOOD = {"id": "good", "title": "好文章", "text": "北京今天下了大雨。"}


def _nested(depth: int) -> list:
    value: list = []
    for _ in range(depth):
        value = [value]
    return value


@pytest.fixture()
def kb(tmp_path) -> KnowledgeBase:
    return KnowledgeBase(settings=hashing_settings(tmp_path))


@pytest.mark.parametrize(("bad", "reason"), [
    ({"date": "not-a-date"}, "field 'date': unrecognised date 'not-a-date'"),
    ({"date": "2024-13-01"}, "field 'date': '2024-13-01' is not a real date"),
    ({"url": "javascript:alert(1)"}, "field 'url' must be an http:// or https:// link"),
    ({"text": ""}, "field 'text' is empty"),
    ({"text": " \n "}, "field 'text' is empty"),
    ({"id": ""}, "field 'id' is empty"),
    ({"id": None}, "field 'id' is missing"),
    ({"title": "a\ud800b"}, "field 'title' is not valid Unicode: unpaired surrogate"),
    ({"extra": _nested(100_000)}, "field 'extra' cannot be stored as JSON"),
    ({"title": _nested(100_000)}, "field 'title' must be a string"),
    ({"text": 5}, "field 'text' must be a string"),
])
def test_a_bad_dict_is_refused_with_its_reason_and_nothing_is_added(kb, bad, reason):
    with pytest.raises(ValueError, match=r"1 of 2 articles refused, none added:\n  article 2") as caught:
        kb.add([GOOD, {**GOOD, "id": "bad", **bad}])
    assert reason in str(caught.value)
    assert len(kb) == 0


def test_every_bad_article_is_listed_by_position_and_id(kb):
    with pytest.raises(ValueError) as caught:
        kb.add([{**GOOD, "date": "not-a-date"}, GOOD, 5, {**GOOD, "id": "x", "url": "ftp://h/a"}])
    lines = str(caught.value).splitlines()
    assert lines[0] == "3 of 4 articles refused, none added:"
    assert [line.split(":")[0].strip() for line in lines[1:]] == [
        "article 1 (id 'good')", "article 3", "article 4 (id 'x')"]
    assert "expected an Article or a dict, got int" in lines[2]


@pytest.mark.parametrize("items", [5, None, "abc", GOOD, Article(id="a", title="t", text="x")])
def test_something_other_than_a_list_of_articles_is_a_value_error(kb, items):
    with pytest.raises(ValueError, match="expected a list of articles"):
        kb.add(items)  # type: ignore[arg-type]


def test_a_bad_date_is_not_stored_to_be_compared_as_a_string_later(kb):
    with pytest.raises(ValueError):
        kb.add([{**GOOD, "date": "not-a-date"}])
    kb.add([{**GOOD, "date": "2024/10/18"}])
    assert kb.article("good").date == "2024-10-18"
    assert kb.retrieve("北京 大雨", since="2030-01-01") == []


def test_article_objects_get_the_same_checks(kb):
    with pytest.raises(ValueError, match="article 1 \\(id 'a'\\): field 'url' must be an http"):
        kb.add([Article(id="a", title="t", text="正文。", url="javascript:alert(1)")])
    with pytest.raises(ValueError, match="field 'text' is empty"):
        kb.add([Article(id="a", title="t", text="")])
    kb.add([Article(id="a", title="t", text="正文。\r\n", date="2024年10月18日", meta=(("k", "v"),))])
    stored = kb.article("a")
    assert (stored.text, stored.date, stored.meta) == ("正文。", "2024-10-18", (("k", "v"),))


def test_a_dict_is_normalised_as_the_same_record_in_a_file_is(tmp_path):
    (tmp_path / "a.json").write_text(
        '{"id": "a", "text": "第一行\\r\\n正文。  ", "date": "20241018", "source": " 新华社 ",'
        ' "url": "https://example.com/a", "tags": ["x"]}', encoding="utf-8")
    [from_file] = load_file(tmp_path / "a.json")
    [given] = given_articles([{"id": "a", "text": "第一行\r\n正文。  ", "date": 20241018, "source": " 新华社 ",
                               "url": "https://example.com/a", "tags": ["x"], "path": "a.json"}])
    assert given == from_file


def test_a_dict_keeps_its_path_and_extra_keys_and_takes_dates(kb):
    kb.add([{**GOOD, "date": dt.date(2024, 10, 18), "path": "x/y.md", "topic": "天气", "meta": {"k": "v"}}])
    stored = kb.article("good")
    assert (stored.date, stored.path, stored.meta) == ("2024-10-18", "x/y.md", (("k", "v"), ("topic", "天气")))


def test_the_title_defaults_to_the_first_line_as_for_files(kb):
    kb.add([{"id": "t", "text": "第一行。\n第二行。"}])
    assert kb.article("t").title == "第一行。"


def test_meta_that_repeats_an_article_field_is_refused():
    with pytest.raises(ValueError, match="field 'meta' repeats article fields: date"):
        given_articles([{**GOOD, "meta": {"date": "2024-10-18"}}])
