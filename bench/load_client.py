"""The load generator's clients of the app's ``/ask`` endpoint: ``http`` (default) or ``gradio``.

``gradio``: each session gets its own ``gradio_client.Client`` (its own threads, heartbeat stream
and Gradio session), what a Python user of the API runs. It costs more CPU per answer than the
app itself: 69 ms (bench/results/load_saturation_cpu.json) to 169 ms measured at 32 sessions,
growing with the latency, as its threads poll every 50 ms while a call is pending
(gradio_client/utils.py); on one 2-core machine it, not the app, bounds the answers per second.

``http`` (the default): ~5 ms of CPU per answer at 32 sessions (httpx's own request handling,
most of it).

It shares one ``httpx.Client`` and speaks Gradio's HTTP API directly, each session with a
session hash of its own (the endpoint keeps the session's answers in a ``gr.State``)::

    POST /gradio_api/call/ask {"data": [...], "session_hash": ...}  ->  {"event_id": ...}
    GET  /gradio_api/call/ask/<event_id>  ->  SSE ending "event: complete" / "data: [outputs]"

(gradio/routes.py ``simple_predict_post``/``simple_predict_get`` of Gradio 6.) Both clients send
the same inputs: question, chat, and the endpoint's defaults for the other parameters, read from
``/gradio_api/info`` as gradio_client does; both return the chat of the reply.

Example::

    with callers("http://127.0.0.1:7860/", 2, "http") as (a, b):
        chat = a.ask("微软为什么聘请苏莱曼？", [])
        chat = a.ask("他之前在哪家公司工作？", chat)
"""
from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

CLIENTS = ("http", "gradio")
API = "gradio_api"  # Gradio 6's prefix of its HTTP routes
ENDPOINT = "ask"


class AskError(RuntimeError):
    """The app answered a call with an error event, or its stream ended without a result."""


class Caller(Protocol):
    """One chat session's connection to ``/ask``."""

    def ask(self, question: str, chat: list) -> Any:
        """Return the chat the app sends back for ``question`` asked after ``chat`` (raises on failure)."""

    def close(self) -> None:
        """Release what the session holds."""


class GradioCaller:
    """A session through its own ``gradio_client.Client`` (connected on creation)."""

    def __init__(self, url: str, timeout: float):
        # gradio_client ORs its analytics_enabled argument with this variable: set it, or each client
        # starts a telemetry thread that tries to reach the Hugging Face Hub.
        os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
        from gradio_client import Client

        self.client = Client(url, verbose=False, analytics_enabled=False,
                             httpx_kwargs={"timeout": timeout}, download_files=False)

    def ask(self, question: str, chat: list) -> Any:
        """Return the chat of the reply; raises whatever gradio_client raises."""
        reply, *_ = self.client.predict(question, chat, api_name=f"/{ENDPOINT}")
        return reply

    def close(self) -> None:
        """Stop the client's heartbeat thread."""
        self.client.close()


class HttpCaller:
    """A session over a shared ``httpx.Client``: its own session hash, the endpoint's defaults."""

    def __init__(self, http: Any, defaults: list):
        self.http, self.defaults = http, defaults
        self.session_hash = uuid.uuid4().hex

    def ask(self, question: str, chat: list) -> Any:
        """Return the chat of the reply (the first output).

        Raises:
            httpx.HTTPError: a refused call (e.g. 503 when the queue is full) or a broken connection.
            AskError: the app sent an error event, or no result.
        """
        body = {"data": [question, chat, *self.defaults], "session_hash": self.session_hash}
        posted = self.http.post(f"{API}/call/{ENDPOINT}", json=body)
        posted.raise_for_status()
        event_id = posted.json()["event_id"]
        with self.http.stream("GET", f"{API}/call/{ENDPOINT}/{event_id}") as stream:
            stream.raise_for_status()
            lines = stream.iter_lines()
            outputs = read_events(lines)
            # The app ends the stream right after the result: read to its end, or httpx closes the
            # connection instead of keeping it for the session's next call (a new TCP connection
            # per answer costs both sides CPU).
            for _ in lines:
                pass
        return outputs[0]

    def close(self) -> None:
        """Nothing to release: the shared ``httpx.Client`` is closed by :func:`callers`."""


def read_events(lines: Iterable[str]) -> list:
    """Return the outputs of the ``complete`` event of an SSE stream of Gradio's ``/call`` route,
    reading ``lines`` up to that event only.

    Heartbeats (and ``generating`` updates, which ``/ask`` does not send) are skipped.

    Raises:
        AskError: an ``error`` event, or the stream ended first.
    """
    event = None
    for line in lines:
        if line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:") and event in ("complete", "error"):
            data = json.loads(line[5:])
            if event == "error":
                raise AskError(f"error event: {str(data)[:200]}")
            if not isinstance(data, list) or not data:
                raise AskError(f"complete event without outputs: {str(data)[:200]}")
            return data
    raise AskError("the event stream ended without a result")


def endpoint_defaults(http: Any, given: int = 2) -> list:
    """Return the defaults of ``/ask``'s parameters after the first ``given`` (question and chat).

    Raises:
        AskError: a parameter after them has no default (the app's API changed).
    """
    info = http.get(f"{API}/info")
    info.raise_for_status()
    params = info.json()["named_endpoints"][f"/{ENDPOINT}"]["parameters"]
    missing = [p.get("parameter_name") for p in params[given:] if not p.get("parameter_has_default")]
    if missing:
        raise AskError(f"/{ENDPOINT} parameters without a default: {missing}")
    return [p.get("parameter_default") for p in params[given:]]


@contextlib.contextmanager
def callers(url: str, count: int, kind: str = "http", timeout: float = 180.0) -> Iterator[list[Caller]]:
    """Yield ``count`` sessions of client ``kind`` (one of :data:`CLIENTS`) connected to the app at
    ``url``; close them on exit.

    Raises:
        ValueError: an unknown ``kind``.
    """
    if kind == "gradio":
        sessions: list[Caller] = []
        try:
            for _ in range(count):  # connected before any timing
                sessions.append(GradioCaller(url, timeout))
            yield sessions
        finally:
            for s in sessions:
                with contextlib.suppress(Exception):
                    s.close()
        return
    if kind != "http":
        raise ValueError(f"unknown client {kind!r}; choose from {CLIENTS}")
    import httpx

    # One connection per session kept alive: a session holds one call (POST, then its GET) at a time.
    limits = httpx.Limits(max_connections=count + 4, max_keepalive_connections=count + 4)
    with httpx.Client(base_url=url, timeout=timeout, limits=limits, trust_env=False) as http:
        defaults = endpoint_defaults(http)
        yield [HttpCaller(http, defaults) for _ in range(count)]
