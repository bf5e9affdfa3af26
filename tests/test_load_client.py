"""The load bench's plain-HTTP client gets the same chat as gradio_client and as the chat service.

One real app over the bundled corpus (hashing encoder); a question and its follow-up through
``bench/load_client.py``'s ``http`` and ``gradio`` clients, then the same two turns through
:class:`qa.ui.chat.ChatService` over the app's index once the app has stopped.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from qa.config import Settings
from qa.kb import KnowledgeBase
from qa.ui.chat import ChatService, message_text
from tests.appserver import running_app

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import load_client  # noqa: E402

pytestmark = pytest.mark.slow
TURNS = ("微软为什么聘请苏莱曼？", "他之前在哪家公司工作？")


def two_turns(caller: load_client.Caller) -> list:
    """Return the chat after both questions of :data:`TURNS`, asked in one conversation."""
    chat: list = []
    for question in TURNS:
        chat = caller.ask(question, chat)
    return chat


def replies(chat: list) -> list[str]:
    """Return the text of the assistant messages of ``chat``."""
    return [message_text(m["content"]) for m in chat if m["role"] == "assistant"]


def test_http_client_answers_as_gradio_client_and_the_chat_service(tmp_path, monkeypatch):
    monkeypatch.setenv("QA_MODEL", "hashing:64")
    with running_app(tmp_path, env={"HF_HUB_OFFLINE": "1"}) as app:
        with load_client.callers(app.url, 1, "http", timeout=60) as [http]:
            by_http = two_turns(http)
        with load_client.callers(app.url, 1, "gradio", timeout=60) as [gradio]:
            by_gradio = two_turns(gradio)
    assert by_http == by_gradio
    texts = replies(by_http)
    assert len(texts) == 2 and all(t and not t.startswith("⚠") for t in texts), texts
    settings = Settings.from_env(index_dir=app.index, corpus_dir=app.corpus)
    service = ChatService(KnowledgeBase(settings=settings), settings)
    reply = service.ask(TURNS[0], [], [])
    reply = service.ask(TURNS[1], reply.chat, reply.answers)
    assert replies(reply.chat) == texts


def test_read_events_skips_heartbeats_and_raises_on_errors():
    lines = ["event: heartbeat", "data: null", "", "event: complete", 'data: [[{"role": "assistant"}], ""]', ""]
    assert load_client.read_events(lines) == [[{"role": "assistant"}], ""]
    with pytest.raises(load_client.AskError, match="error event"):
        load_client.read_events(["event: error", 'data: "boom"'])
    with pytest.raises(load_client.AskError, match="ended"):
        load_client.read_events(["event: heartbeat", "data: null"])
