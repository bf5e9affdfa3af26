"""新闻问答 in the browser: a thin Gradio shell over :class:`qa.ui.chat.ChatService`.

Run ``python app.py`` (``--port``, ``--host``, ``--index``, ``--corpus``, ``--share``): the index
is built from the corpus folder when missing, rebuilt when it was made with another model,
other weights, other chunking settings or an older format (the log says which), and otherwise
synced with the folder (only added, changed and removed files cost time); then the chat is
served on http://127.0.0.1:7860 (``--host 0.0.0.0`` or ``QA_HOST`` to expose it).

Importing this module builds the interface (``demo``) but loads no model and touches no
index; that happens in :func:`main`, or on the first request when ``demo`` is served some
other way. Tests build their own interface with :func:`build_demo`.

API (``gradio_client``): the chat is the endpoint ``/ask`` with the inputs question, chat
history, since, until and outlets; see ``docs/client_example.py``.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# Gradio reports usage to its servers unless told not to; a newsroom's questions stay here
# (set GRADIO_ANALYTICS_ENABLED=True to opt in).
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
# After every event Gradio's queue rebuilds its monitoring summary, a pandas DataFrame of up to
# the last 10,000 events, in a worker thread holding the GIL: ~3 ms of CPU per answer after 1,000
# answers, ~10 ms after 10,000 (measured). Only /monitoring/summary reads it: rebuild it every
# 1,000 events instead (read by Queue() in build_demo, so set before it).
os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "1000")

import gradio as gr  # noqa: E402
from gradio.utils import get_upload_folder  # noqa: E402

from qa.ui.adding import discard_uploads  # noqa: E402
from qa.ui.chat import ChatService  # noqa: E402
from qa.config import ENCODER_BACKENDS, Settings  # noqa: E402
from qa.errors import QAError  # noqa: E402
from qa.ingest.uploads import SUPPORTED  # noqa: E402
from qa.kb import KnowledgeBase  # noqa: E402
from qa.ui.web import escape_text  # noqa: E402
from qa.text.translate import preload as preload_dictionary  # noqa: E402
from qa.types import Answer  # noqa: E402

log = logging.getLogger("app")

EXAMPLES = [
    "微软为什么聘请苏莱曼？",
    "why did Microsoft hire Suleyman?",
    "OpenAI 最近一轮融资估值多少？",
    "微软聘请了哪家公司作为顾问？",
    "OpenAI 预计今年亏损多少？",
    "星际之门项目投资多少？",
]
HEADERS = ["标题", "来源", "日期"]
# Answers computed at once; more wait in the queue. Set in the first cut for the 2-core machine and
# measured with it since (docs/benchmarks.md, "load": 32 sessions, latency includes this queue).
ASK_WORKERS = 4
QUEUE_SIZE = 128  # waiting events before Gradio refuses more; hand-set, 4× the load bench's 32 sessions (0 errors)
# Gradio keeps every upload in its cache folder (/tmp/gradio) unless told otherwise: each hour,
# cached files older than an hour are deleted (an upload is handled within seconds; hand-set).
# Handled uploads are removed at once by Handlers.upload; this catches the ones never sent on.
DELETE_CACHE = (3600, 3600)
FILE_TYPES = SUPPORTED.split()  # what the corpus loader reads: .md .txt .html .htm .json .jsonl
VIEWER_EMPTY = "提问后，可以在这里查看引用文章的全文，引用的句子会高亮显示。"
INTRO = ("# 新闻问答\n从已收录的中文新闻中**逐字摘录**原句作答，并注明出处（标题、来源、日期）；"
         "文章里找不到答案时会直接说明。可以用中文或英文提问，也可以追问。")
PLACEHOLDER = ("**问一个关于已收录新闻的问题**<br>例如：微软为什么聘请苏莱曼？<br>"
               "回答只摘录原文句子，每句后面的 [1] [2] 对应下方的来源。")
CSS = """
#chat mark, #viewer mark { background: #fde68a; color: inherit; padding: 0 2px; border-radius: 3px; }
#viewer { max-height: 640px; overflow-y: auto; }
#chat blockquote { font-size: 0.92em; margin: 4px 0 10px; }
#articles td, #articles th { font-family: var(--font); }
footer { display: none !important; }
"""
# Scroll the source viewer (not the page) to the first highlighted sentence once it is drawn
# (hand-set: 150 ms for Gradio to draw the Markdown; 60 px keeps the line above it in view).
SCROLL_TO_MARK = """() => { setTimeout(() => {
  const v = document.querySelector('#viewer'); const m = v && v.querySelector('mark');
  if (m) { v.scrollTop += m.getBoundingClientRect().top - v.getBoundingClientRect().top - 60; }
}, 150); }"""


def theme() -> gr.themes.Base:
    """The page theme (passed to ``launch``, where Gradio 6 takes it)."""
    # Local fonts only: the default theme font would be fetched from Google Fonts.
    fonts = ["Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", "system-ui", "sans-serif"]
    return gr.themes.Soft(primary_hue="indigo", neutral_hue="slate", font=fonts,
                          font_mono=["Noto Sans Mono CJK SC", "ui-monospace", "monospace"])


def table(rows: list[list[str]]) -> dict[str, list]:
    """Return the article table's value: rows of (title, outlet, date) under :data:`HEADERS`."""
    return {"headers": HEADERS, "data": rows}


def last_answer(answers: Sequence[Answer | None] | None) -> Answer | None:
    """Return the session's latest real answer (rejected questions leave ``None``)."""
    return next((a for a in reversed(answers or []) if a is not None), None)


def build_demo(service: ChatService) -> gr.Blocks:
    """Return the chat page over ``service`` (one shared service; conversations are per session)."""
    with gr.Blocks(title="新闻问答", delete_cache=DELETE_CACHE) as demo:
        answers = gr.State([])  # per browser session: the Answer of each question (None if rejected)
        gr.Markdown(INTRO, elem_id="intro")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=420):
                chat_parts = _chat_column()
            with gr.Column(scale=2, min_width=360):
                side = _side_column(service)
        handlers = Handlers(service)
        _wire(handlers, answers, chat_parts, side)
        demo.load(handlers.overview, outputs=[side["status"], side["table"], chat_parts["outlets"]],
                  api_visibility="private")
    demo.queue(default_concurrency_limit=ASK_WORKERS, max_size=QUEUE_SIZE)
    return demo


def _chat_column() -> dict[str, Any]:
    parts: dict[str, Any] = {}
    parts["chatbot"] = gr.Chatbot(
        label="对话", height=620, elem_id="chat", placeholder=PLACEHOLDER,
        sanitize_html=True,  # article text is escaped by qa.ui.web as well; this stays on regardless
        # No copy buttons: they copy the escaped Markdown source, not the text; selecting text works.
        allow_tags=False, latex_delimiters=[], buttons=[], feedback_options=None)
    with gr.Row():
        parts["question"] = gr.Textbox(label="问题", show_label=False, placeholder="输入问题（中文或英文），按回车提问",
                                       scale=5, elem_id="question", autofocus=True, max_lines=4)
        parts["ask"] = gr.Button("提问", variant="primary", scale=1, min_width=80, elem_id="ask")
    gr.Examples(EXAMPLES, inputs=parts["question"], label="示例问题")
    with gr.Accordion("筛选：日期范围与来源", open=False):
        with gr.Row():
            parts["since"] = gr.Textbox(label="起始日期", placeholder="例如 2024-01-01", elem_id="since")
            parts["until"] = gr.Textbox(label="截止日期", placeholder="例如 2025-12-31", elem_id="until")
            parts["outlets"] = gr.Dropdown(label="来源（不选则全部）", choices=[], multiselect=True,
                                           elem_id="outlets")
    parts["clear"] = gr.Button("开始新对话", variant="secondary", size="sm")
    return parts


def _side_column(service: ChatService) -> dict[str, Any]:
    parts: dict[str, Any] = {}
    limit = service.settings.max_upload_bytes / 1_000_000
    with gr.Tabs():
        with gr.Tab("来源原文"):
            parts["source"] = gr.Dropdown(label="查看来源", choices=[], elem_id="source-picker")
            parts["viewer"] = gr.Markdown(VIEWER_EMPTY, label="来源原文", elem_id="viewer")
        with gr.Tab("已收录文章"):
            parts["status"] = gr.Markdown(label="索引状态", elem_id="index-status")
            parts["table"] = gr.Dataframe(label="已收录文章", headers=HEADERS, datatype="str", interactive=False, wrap=True,
                                          max_height=520, column_widths=["60%", "22%", "18%"], elem_id="articles")
            parts["refresh"] = gr.Button("刷新", size="sm")
        with gr.Tab("添加新闻"):
            gr.Markdown(f"支持 {SUPPORTED}，每个文件不超过 {limit:g} MB；"
                        "收录后立即可以提问，文件保存在文章文件夹中。")
            parts["files"] = gr.File(label="上传文章文件", file_count="multiple", file_types=FILE_TYPES, elem_id="upload")
            parts["upload"] = gr.Button("收录上传的文件", variant="primary", elem_id="upload-button")
            with gr.Accordion("或者粘贴一篇文章", open=False):
                parts["p_title"] = gr.Textbox(label="标题", elem_id="paste-title")
                with gr.Row():
                    parts["p_outlet"] = gr.Textbox(label="来源（媒体）", elem_id="paste-outlet")
                    parts["p_date"] = gr.Textbox(label="日期", placeholder="2025-05-01", elem_id="paste-date")
                parts["p_url"] = gr.Textbox(label="原文链接（可不填）", elem_id="paste-url")
                parts["p_text"] = gr.Textbox(label="正文", lines=8, elem_id="paste-text")
                parts["paste"] = gr.Button("收录这篇文章", variant="primary", elem_id="paste-button")
            parts["result"] = gr.Markdown(label="收录结果", elem_id="add-result")
    return parts


class Handlers:
    """The event functions of the page, bound to one shared service (tests call them directly)."""

    def __init__(self, service: ChatService, upload_cache: str | Path | None = None):
        self.service = service
        self.upload_cache = Path(upload_cache or get_upload_folder())

    def ask(self, question: str, chat: list | None = None, past: list | None = None, since: str | None = None,
            until: str | None = None, outlets: list | None = None) -> tuple:
        """Return (chat, question box, source picker, viewer, answers) after answering ``question``."""
        reply = self.service.ask(question, chat, past, since, until, outlets)
        if not reply.ok:  # keep the question for editing, and the previous sources on view
            return reply.chat, question, gr.skip(), gr.skip(), reply.answers
        picker = gr.Dropdown(choices=reply.choices, value=reply.selected)
        return reply.chat, "", picker, reply.viewer or VIEWER_EMPTY, reply.answers

    def clear(self) -> tuple:
        """Return an empty conversation (chat, answers, question, source picker, viewer)."""
        return [], [], "", gr.Dropdown(choices=[], value=None), VIEWER_EMPTY

    def pick_source(self, value: str, past: list) -> str:
        """Return the viewer Markdown for source ``value`` of the session's latest answer."""
        return self.service.view_source(last_answer(past), value)

    def upload(self, files: list | None, progress: gr.Progress = gr.Progress()) -> tuple:
        """Save and index uploaded files; return (report, cleared file list).

        Gradio's temp copies are removed once handled: a saved file has its copy in the corpus
        folder, a refused one is of no further use.
        """
        try:
            return self.service.add_files(files, lambda f, d: progress(f, desc=d)), None
        finally:
            discard_uploads(files, self.upload_cache)

    def paste(self, title: str, outlet: str, date: str, url: str, text: str,
              progress: gr.Progress = gr.Progress()) -> str:
        """Save and index a pasted article; return the report."""
        return self.service.add_pasted(title, outlet, date, url, text, lambda f, d: progress(f, desc=d))

    def overview(self) -> tuple:
        """Return (status Markdown, article table, outlet choices); prepares the index on first use."""
        try:
            self.service.ready()
            ov = self.service.overview()
        except (QAError, OSError) as exc:
            log.exception("index not ready")
            return f"⚠ 索引不可用：{escape_text(str(exc))}", table([]), gr.skip()
        return ov.status, table(ov.rows), gr.Dropdown(choices=ov.outlets)


def _wire(h: Handlers, answers: gr.State, c: dict[str, Any], s: dict[str, Any]) -> None:
    gr.on([c["question"].submit, c["ask"].click], h.ask,
          inputs=[c["question"], c["chatbot"], answers, c["since"], c["until"], c["outlets"]],
          outputs=[c["chatbot"], c["question"], s["source"], s["viewer"], answers],
          api_name="ask", concurrency_limit=ASK_WORKERS, concurrency_id="ask")
    c["clear"].click(h.clear, outputs=[c["chatbot"], answers, c["question"], s["source"], s["viewer"]],
                     api_visibility="private")
    s["source"].input(h.pick_source, inputs=[s["source"], answers], outputs=s["viewer"], api_name="source")
    s["viewer"].change(None, js=SCROLL_TO_MARK, api_visibility="private")
    overview = [s["status"], s["table"], c["outlets"]]
    # One writer at a time from this page; queries keep running while it indexes.
    s["upload"].click(h.upload, inputs=s["files"], outputs=[s["result"], s["files"]], api_name="upload",
                      concurrency_limit=1, concurrency_id="index-write").then(
        h.overview, outputs=overview, api_visibility="private")
    s["paste"].click(h.paste, inputs=[s["p_title"], s["p_outlet"], s["p_date"], s["p_url"], s["p_text"]],
                     outputs=s["result"], api_name="paste", concurrency_limit=1, concurrency_id="index-write").then(
        h.overview, outputs=overview, api_visibility="private")
    s["refresh"].click(h.overview, outputs=overview, api_name="articles")


def launch(demo: gr.Blocks, service: ChatService, *, host: str = "127.0.0.1", port: int = 7860,
           share: bool = False, block: bool = True) -> None:
    """Serve ``demo`` (theme, CSS and the upload size limit are launch options in Gradio 6)."""
    demo.launch(server_name=host, server_port=port, share=share, theme=theme(), css=CSS, ssr_mode=False,
                max_file_size=service.settings.max_upload_bytes, prevent_thread_lock=not block,
                footer_links=["api"], quiet=not block)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Return the command-line options (environment fallbacks: QA_HOST, QA_PORT, QA_INDEX_DIR, QA_CORPUS_DIR)."""
    p = argparse.ArgumentParser(description="新闻问答: serve the cited-answer chat in the browser.")
    p.add_argument("--host", default=os.environ.get("QA_HOST") or "127.0.0.1",
                   help="address to bind (default 127.0.0.1: this machine only; 0.0.0.0 exposes it)")
    p.add_argument("--port", type=int, default=int(os.environ.get("QA_PORT") or 7860), help="port (default 7860)")
    p.add_argument("--index", help="index folder (default: QA_INDEX_DIR or ./index)")
    p.add_argument("--corpus", help="corpus folder (default: QA_CORPUS_DIR or ./corpus)")
    p.add_argument("--backend", help="where the index lives: folder (default), milvus-lite:PATH.db or "
                   "milvus://HOST:19530[/DATABASE] (QA_BACKEND; docs/scaling.md)")
    p.add_argument("--encoder-backend", choices=ENCODER_BACKENDS,
                   help="torch (default, QA_ENCODER_BACKEND) or onnx-int8: faster indexing, ~1 point lower answer hit@1")
    p.add_argument("--share", action="store_true", help="also publish a temporary public gradio.live link")
    return p.parse_args(argv)


def settings_for(args: argparse.Namespace) -> Settings:
    """Return the settings the command line asks for (flags over ``QA_*`` variables).

    Raises:
        ValueError: a flag or variable has a bad value (e.g. an unknown encoder backend).
    """
    return Settings.from_env(index_dir=args.index, corpus_dir=args.corpus, encoder_backend=args.encoder_backend,
                             backend=args.backend)


def _warm_up(service: ChatService) -> None:
    try:
        service.kb.answer("微软")
        preload_dictionary()
    except Exception:  # only a warm-up: the first real question will report any problem
        log.warning("warm-up query failed", exc_info=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Prepare the index, then serve the chat until interrupted; return the exit status."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = settings_for(args)
    service = ChatService(KnowledgeBase(settings=settings), settings)
    started = time.perf_counter()
    try:
        service.ready()
    except (QAError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    log.info("index %s ready in %.1f s; serving on http://%s:%d", service.kb.backend.label
             if settings.backend != "folder" else settings.index_dir,
             time.perf_counter() - started, args.host, args.port)
    # Warm up jieba, the query path and the caches while the server starts, not on the first visitor.
    threading.Thread(target=_warm_up, args=(service,), daemon=True).start()
    launch(build_demo(service), service, host=args.host, port=args.port, share=args.share)
    return 0


# Built at import for `gradio app.py` and for tests; the index is prepared on the first request.
_SETTINGS = Settings.from_env()
demo = build_demo(ChatService(KnowledgeBase(settings=_SETTINGS), _SETTINGS))

if __name__ == "__main__":
    sys.exit(main())
