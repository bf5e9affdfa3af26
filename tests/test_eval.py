"""``qa eval``'s data loading and a whole run on a tiny SQuAD-format file (hashing encoder)."""
from __future__ import annotations

import json

import pytest

from qa.eval.retrieval import load_squad
from qa.ui.cli import main

SQUAD = {"data": [{"paragraphs": [
    {"context": "微软斥资6.5亿美元聘请了苏莱曼。苏莱曼负责微软的一个新团队。",
     "qas": [{"id": "q1", "question": "How much did Microsoft pay to hire Suleyman?",
              "question_zh": "微软花了多少钱聘请苏莱曼？", "answers": [{"text": "6.5亿美元", "answer_start": 2}]}]},
    {"context": "北京今天下了大雨，气象台发布了暴雨蓝色预警。",
     "qas": [{"id": "q2", "question": "What warning did the weather office issue?",
              "question_zh": "气象台发布了什么预警？", "answers": [{"text": "暴雨蓝色预警", "answer_start": 14}]},
             {"id": "q3", "question": "Is it raining in Beijing?", "answers": [{"text": "大雨", "answer_start": 6}]}]},
    # Paragraphs without questions: BM25 leaves out terms found in half the chunks or more.
    {"context": "特斯拉公布了季度财报，交付量有所下降。", "qas": []},
    {"context": "嫦娥六号从月球背面采集了月壤样品。", "qas": []},
    {"context": "苹果公司发布了新款手机。", "qas": []},
]}]}


@pytest.fixture()
def squad(tmp_path):
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(SQUAD, ensure_ascii=False), encoding="utf-8")
    return path


def test_questions_are_read_from_the_chosen_field_and_those_without_it_are_skipped(squad):
    _, english = load_squad(squad)
    _, chinese = load_squad(squad, "question_zh")
    assert [q.text for q in english][0] == "How much did Microsoft pay to hire Suleyman?" and len(english) == 3
    assert [q.text for q in chinese] == ["微软花了多少钱聘请苏莱曼？", "气象台发布了什么预警？"]
    assert [q.paragraph_id for q in chinese] == [q.paragraph_id for q in english[:2]]


def test_a_field_no_question_has_is_an_error_naming_it(squad):
    with pytest.raises(ValueError, match="question_fr"):
        load_squad(squad, "question_fr")


def test_eval_reports_the_field_it_asked_and_finds_the_chinese_questions_paragraphs(squad, tmp_path, monkeypatch,
                                                                                    capsys):
    monkeypatch.setenv("QA_MODEL", "hashing:64")
    monkeypatch.setenv("QA_INDEX_DIR", str(tmp_path / "index"))
    assert main(["eval", "--data", str(squad), "--question-field", "question_zh", "--no-answers", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["question_field"] == "question_zh" and report["questions"] == 2
    assert report["retrieval"]["bm25"]["R@1"] == 1.0


NEWS = {"data": [{"paragraphs": [
    {"context": "特斯拉2024年交付了180万辆汽车，比上一年略有下降。",
     "qas": [{"id": "t1", "question": "特斯拉2024年交付了多少辆汽车？", "answers": [{"text": "180万辆", "answer_start": 12}]}]},
    {"context": "比亚迪2023年的营收为6000亿元，利润大幅增长。",
     "qas": [{"id": "b1", "question": "比亚迪2023年的营收是多少？", "answers": [{"text": "6000亿元", "answer_start": 11}]}]},
    {"context": "嫦娥六号从月球背面采集了月壤样品。", "qas": []},
    {"context": "北京今天下了大雨，气象台发布了暴雨蓝色预警。", "qas": []},
]}]}


def test_eval_asks_swapped_questions_and_reports_their_refusals_by_kind(tmp_path, monkeypatch, capsys):
    data = tmp_path / "news.json"
    data.write_text(json.dumps(NEWS, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("QA_MODEL", "hashing:64")
    monkeypatch.setenv("QA_INDEX_DIR", str(tmp_path / "index"))
    assert main(["eval", "--data", str(data), "--json"]) == 0
    answers = json.loads(capsys.readouterr().out)["answers"]
    assert answers["swapped_questions"] == 2
    assert set(answers["abstained_swapped_by_kind"]) <= {"name", "number", "attribute"}
    assert 0.0 <= answers["abstained_swapped"] <= 1.0
    assert {"abstain_answerable", "abstain_unanswerable", "abstain_swapped"} <= set(answers["abstention_curve"][0])
    assert main(["eval", "--data", str(data)]) == 0
    assert "one term swapped" in capsys.readouterr().out
