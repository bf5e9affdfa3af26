"""What the browser chat does, without the browser: ask, show sources, add news.

``app.py`` is a thin Gradio shell over :class:`ChatService`; tests call the service (or the
app's handlers) directly. One service (and one ``KnowledgeBase``) is shared by every browser
session; conversations live in each session's chat history and answer list, never here.

Example::

    service = ChatService(KnowledgeBase("index"))
    service.ready()                                   # build, rebuild or sync the index once
    reply = service.ask("微软为什么聘请苏莱曼？", chat=[], answers=[])
    reply.chat[-1]["content"]                         # safe Markdown with [1] and the sources
"""
from __future__ import annotations

import html
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qa.config import Settings
from qa.errors import IndexMismatchError, IndexNotFoundError, IndexReadOnlyError, QAError
from qa.index.status import IndexSummary
from qa.ingest.uploads import Uploader
from qa.index.filters import Filters
from qa.search.validate import MAX_QUERY_CHARS, validate_query
from qa.text import detect_language
from qa.types import Answer
from qa.ui import adding
from qa.ui.web import escape_text, quote_spans, render_answer, render_article, source_choices

log = logging.getLogger(__name__)

PASSAGES = 5  # passages each chat answer draws on: kb.answer's default, as `qa ask` without -k
MAX_TABLE_ROWS = 500  # the article panel lists the newest ones; a round number, enough to browse, sent on each refresh
Progress = adding.Progress
Message = dict[str, Any]


@dataclass
class Reply:
    """The chat after one question: messages, per-session answers, and the source viewer."""

    chat: list[Message]
    answers: list[Answer | None]  # one per user message; None for a rejected question
    choices: list[tuple[str, str]] = field(default_factory=list)
    selected: str | None = None
    viewer: str = ""
    ok: bool = True  # False: the question was rejected (the app keeps it in the input box)


@dataclass
class Overview:
    """The article panel: status line, table rows (title, outlet, date) and the outlets."""

    status: str
    rows: list[list[str]]
    outlets: list[str]


def message_text(content: Any) -> str:
    """Return the plain text of a chat message's content (a string or Gradio's list of parts)."""
    if isinstance(content, str):
        return html.unescape(content)
    if isinstance(content, dict):
        return message_text(content.get("text") or content.get("content") or "")
    if isinstance(content, (list, tuple)):
        return " ".join(message_text(part) for part in content).strip()
    return ""


def history_for(chat: Sequence[Message], answers: Sequence[Answer | None]) -> list[Any]:
    """Return the earlier turns for ``kb.answer(history=...)``.

    The session's ``Answer`` records carry the resolved query of each turn, so chains of
    follow-ups keep their topic; a chat without them (an API client) gives its user messages.
    """
    questions = [message_text(m.get("content")) for m in chat if isinstance(m, dict) and m.get("role") == "user"]
    if len(answers) == len(questions):
        return [a for a in answers if a is not None]
    return [q for q in questions if q]


def _say(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


def check_filters(since: str | None, until: str | None, outlets: Sequence[str] | None, lang: str = "zh") -> dict:
    """Return ``kb.answer`` filter arguments from the form fields, checked by ``Filters.make``
    (the library's one filter check), its refusals said for the user.

    Raises:
        ValueError: a date does not parse or the range is reversed (message for the user), or an
            outlet name is unusable (the library's message).
    """
    dates = {}
    for key, value, zh, en in (("since", since, "起始日期", "Start date"), ("until", until, "截止日期", "End date")):
        try:
            dates[key] = getattr(Filters.make(**{key: (value or "").strip() or None}), key)
        except ValueError:
            raise ValueError(_say(lang, f"{zh}「{value}」无法识别，请用 YYYY-MM-DD 格式，例如 2024-10-18。",
                                  f"{en} {value!r} is not a date; use YYYY-MM-DD, e.g. 2024-10-18.")) from None
    try:
        Filters.make(**dates)
    except ValueError:  # each date is valid on its own, so the range is reversed
        raise ValueError(_say(lang, f"起始日期 {dates['since']} 晚于截止日期 {dates['until']}。",
                              f"The start date {dates['since']} is after the end date {dates['until']}.")) from None
    picked = [o for o in (outlets or []) if o]
    filters = Filters.make(**dates, sources=picked or None)
    return {"since": filters.since, "until": filters.until,
            "sources": list(filters.sources) if filters.sources is not None else None}


def check_question(question: str, lang: str, k: int = PASSAGES) -> str:
    """Return the question as the library takes it (``validate_query``, the one question check).

    Raises:
        ValueError: the question is empty or over ``MAX_QUERY_CHARS`` (said for the user in
            ``lang``), or otherwise refused by the library (its message).
    """
    try:
        return validate_query(question, k)
    except ValueError:
        if not question.strip():
            raise ValueError(_say(lang, "请输入问题，例如：微软为什么聘请苏莱曼？",
                                  "Please type a question, e.g. why did Microsoft hire Suleyman?")) from None
        if len(question) > MAX_QUERY_CHARS:
            raise ValueError(_say(lang, f"问题太长（{len(question)} 字），上限是 {MAX_QUERY_CHARS} 字。",
                                  f"The question is {len(question)} characters long; "
                                  f"the limit is {MAX_QUERY_CHARS}.")) from None
        raise


def prepare_index(kb: Any, corpus: Path, *, progress: bool = False) -> IndexSummary:
    """Make ``kb``'s index serve the articles of ``corpus``, as cheaply as possible; return what changed.

    Used by the app at startup and by ``qa ask``/``qa search`` when there is no index yet;
    ``progress`` shows tqdm bars (only for a terminal: they flood logs and pipes).

    Missing: built. Built with another model, other weights, other chunking settings or an
    older format (``IndexMismatchError``): rebuilt from scratch into a new folder and swapped
    in atomically, the reason logged. Otherwise synced: only files added, changed or removed
    since the last run cost anything. A read-only index is served as it is (a warning is logged).

    Raises:
        OSError: the corpus folder cannot be read.
        QAError: the index cannot be written or the model not loaded.
    """
    if not kb.reader.exists():
        log.info("no index at %s: building it from %s", kb.dir.path, corpus)
        summary = kb.build(corpus, progress=progress)
    else:
        try:
            summary = kb.sync(corpus, progress=progress)
        except IndexReadOnlyError as exc:  # a read-only mount: answer from it as it is
            log.warning("%s; serving it without syncing %s", exc, corpus)
            summary = IndexSummary()
        except IndexMismatchError as exc:
            # The vectors (or chunks) on disk cannot be mixed with new ones: rebuild. Readers of
            # the old folder keep working until the new one is swapped in.
            log.warning("the index cannot be reused as it is (%s); rebuilding it from %s now", exc, corpus)
            summary = kb.build(corpus, progress=progress)
    log.info("index %s ready: %s", kb.dir.path, summary)
    return summary


class ChatService:
    """The app's operations over one shared ``KnowledgeBase``; safe to call from many threads."""

    def __init__(self, kb: Any, settings: Settings | None = None):
        self.kb = kb
        self.settings = settings or kb.settings
        self.corpus = Path(self.settings.corpus_dir)
        self.uploader = Uploader(kb, self.corpus, self.settings.max_upload_bytes, before_write=self.ready)
        self._ready = False
        self._ready_lock = threading.Lock()

    def ready(self) -> IndexSummary | None:
        """Make the index match the corpus folder, once per service (see :func:`prepare_index`).

        Returns:
            What changed, or None when an earlier call already did it.

        Raises:
            OSError: the corpus folder cannot be created or read.
            QAError: the index cannot be written (e.g. ``IndexLockedError``) or the model not loaded.
        """
        with self._ready_lock:
            if self._ready:
                return None
            self.corpus.mkdir(parents=True, exist_ok=True)
            summary = prepare_index(self.kb, self.corpus)
            self._ready = True
            return summary

    def ask(self, question: str | None, chat: Sequence[Message] | None, answers: Sequence[Answer | None] | None,
            since: str | None = "", until: str | None = "", outlets: Sequence[str] | None = None) -> Reply:
        """Answer ``question`` in the conversation ``chat`` and return the updated conversation.

        Bad input (empty or long question, bad dates) is answered with a message, never raised.
        """
        question = (question or "").strip()
        lang = detect_language(question) if question else "zh"
        chat, answers = list(chat or []), list(answers or [])
        if len(answers) != sum(1 for m in chat if isinstance(m, dict) and m.get("role") == "user"):
            answers = []  # a chat edited or sent without its answers: fall back to its text
        asked = chat + ([{"role": "user", "content": escape_text(question)}] if question else [])
        try:
            question = check_question(question, lang)
            filters = check_filters(since, until, outlets, lang)
            self.ready()
            answer = self.kb.answer(question, history=history_for(chat, answers), k=PASSAGES, **filters)
        except (ValueError, QAError) as exc:
            return self._refusal(asked, answers, question, lang, exc)
        except Exception:  # the page must get an answer, not a hung spinner
            log.exception("question failed: %r", question)
            return self._refusal(asked, answers, question, lang, RuntimeError(
                _say(lang, "内部错误，请查看服务器日志。", "Internal error; see the server log.")))
        choices = source_choices(answer)
        selected = choices[0][1] if choices else None
        viewer = self.view_source(answer, selected) if selected else ""
        reply_msg = {"role": "assistant", "content": render_answer(answer)}
        return Reply(asked + [reply_msg], answers + [answer], choices, selected, viewer)

    def _refusal(self, asked: list[Message], answers: list[Answer | None], question: str, lang: str,
                 exc: Exception) -> Reply:
        if isinstance(exc, IndexNotFoundError):
            text = _say(lang, "还没有建立索引：请运行 `qa index build`，或在「添加新闻」里上传文章。",
                        "No index yet: run `qa index build`, or add articles under 添加新闻.")
        else:
            text = escape_text(str(exc))
        turn = answers + [None] if question else answers
        return Reply(asked + [{"role": "assistant", "content": f"⚠ {text}"}], turn, ok=False)

    def view_source(self, answer: Answer | None, value: str | None) -> str:
        """Return the full article behind source ``value`` ("1", "2", …) of ``answer``, quotes marked."""
        if answer is None or not value:
            return "提问后，可以在这里查看引用文章的全文。"
        try:
            number = int(value)
            spans = quote_spans(answer, number)
            article = self.kb.article(answer.passages[number - 1].article_id)
        except (ValueError, IndexError):
            return "⚠ 没有这个来源。"
        except (KeyError, QAError):
            return "⚠ 这篇文章已不在索引中。"
        return render_article(article, spans)

    def overview(self) -> Overview:
        """Return the index status line, the newest articles and the outlets for the filter."""
        if not self.kb.reader.exists():
            return Overview("索引尚未建立。", [], [])
        st = self.kb.status()
        articles = self.kb.articles()
        status = (f"共 **{st.articles}** 篇文章（{st.stories} 个报道，{st.exact_duplicates} 篇完全重复），"
                  f"**{st.chunks}** 个段落 · 模型 {escape_text(st.model)} · 最后更新 {escape_text(st.updated_at)}")
        if len(articles) > MAX_TABLE_ROWS:
            status += f" · 下表列出最新的 {MAX_TABLE_ROWS} 篇"
        rows = [[a.title, a.source or "", a.date or ""] for a in articles[:MAX_TABLE_ROWS]]
        return Overview(status, rows, sorted({a.source for a in articles if a.source}))

    # ------------------------------------------------------------ adding news
    def add_files(self, files: Sequence[Any] | None, progress: Progress | None = None) -> str:
        """Save uploaded files into the corpus folder and index them; return a Markdown report
        (one line per file, in Chinese; see :func:`qa.ui.adding.add_files`)."""
        return adding.add_files(self.uploader, files, progress)

    def add_pasted(self, title: str | None, outlet: str | None, date: str | None, url: str | None,
                   text: str | None, progress: Progress | None = None) -> str:
        """Save a pasted article as ``corpus/pasted-<date>-<hash>.md`` and index it; return a report."""
        return adding.add_pasted(self.uploader, self.settings.max_upload_bytes, title, outlet, date, url, text,
                                 progress)
