"""Follow-up resolution: ellipsis swaps the topic, pronouns carry the previous entities."""
from __future__ import annotations

from qa.answering.followup import previous_questions, resolve


def test_ellipsis_swaps_the_previous_subject_for_the_new_topic():
    assert resolve("那 OpenAI 呢？", ["微软聘请了哪家投行？"]) == "OpenAI 聘请了哪家投行？"


def test_english_what_about_carries_the_previous_question():
    query = resolve("what about OpenAI?", ["Which bank did Microsoft hire?"])
    assert query.startswith("OpenAI") and "bank" in query and "Microsoft" not in query


def test_pronoun_question_carries_previous_entities():
    assert "苏莱曼" in resolve("他为什么离开？", ["苏莱曼在微软负责什么？"])
    assert "Mustafa Suleyman" in resolve("why did he leave?", ["What did Mustafa Suleyman do at Microsoft?"])


def test_question_with_its_own_topic_is_left_alone():
    assert resolve("特斯拉今年卖了多少辆车？", ["苏莱曼在微软负责什么？"]) == "特斯拉今年卖了多少辆车？"
    assert resolve("微软为什么聘请苏莱曼？", []) == "微软为什么聘请苏莱曼？"


def test_history_accepts_strings_messages_and_pairs():
    history = ["问题一", {"role": "user", "content": "问题二"}, {"role": "assistant", "content": "回答"},
               ("问题三", "回答三")]
    assert previous_questions(history) == ["问题一", "问题二", "问题三"]


def test_only_the_start_of_a_very_long_previous_turn_is_read_for_its_topic():
    long_turn = "微软聘请了哪家投行？" + "这是一段很长的文字。" * 2000 + "谷歌"
    query = resolve("那 OpenAI 呢？", [long_turn])
    assert query.startswith("OpenAI") and "谷歌" not in query and len(query) <= 220


def test_a_follow_up_to_an_english_question_carries_its_names_not_the_whole_question():
    query = resolve("他之前是哪家公司的创始人？", ["why did Microsoft hire Suleyman?"])
    assert "Microsoft" in query and "Suleyman" in query and "whydid" not in query.replace(" ", "").lower()
    assert query.endswith("他之前是哪家公司的创始人？")
