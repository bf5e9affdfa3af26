"""Ask 新闻问答 from Python through its Gradio API: the chat is the endpoint ``/ask``.

Start the app (``python app.py``), then::

    python docs/client_example.py "微软为什么聘请苏莱曼？"
    python docs/client_example.py "why did Microsoft hire Suleyman?" http://127.0.0.1:7860/

``/ask`` takes the question, then optionally the chat so far (a list of
``{"role": ..., "content": ...}`` messages, for follow-up questions), ``since`` and ``until``
(``YYYY-MM-DD``) and ``outlets`` (a list of outlet names). It returns the updated chat, the
cleared question box, the chosen source and the source viewer's Markdown. Messages are
Markdown in which article text is escaped (``&#91;1&#93;`` is "[1]"); ``plain`` undoes that.
"""
from __future__ import annotations

import html
import os
import re
import sys

# gradio_client reports usage to Gradio's servers unless told not to; this example stays local.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from gradio_client import Client  # noqa: E402


def plain(markdown: str) -> str:
    """Return a message as plain text: tags dropped, character references decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", markdown))


def ask(question: str, url: str = "http://127.0.0.1:7860/", chat: list | None = None) -> str:
    """Return the app's reply to ``question`` (quotes with [n] markers, then the sources) as text."""
    client = Client(url, verbose=False)
    chat, _box, _source, _viewer = client.predict(question, chat or [], api_name="/ask")
    content = chat[-1]["content"]  # Gradio 6 gives a list of parts: [{"type": "text", "text": ...}]
    parts = content if isinstance(content, list) else [{"type": "text", "text": content}]
    return plain("".join(p.get("text", "") for p in parts if p.get("type") == "text"))


if __name__ == "__main__":
    print(ask(sys.argv[1] if len(sys.argv) > 1 else "微软为什么聘请苏莱曼？",
              sys.argv[2] if len(sys.argv) > 2 else "http://127.0.0.1:7860/"))
