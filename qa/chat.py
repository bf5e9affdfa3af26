"""What the browser chat does, without the browser: ask, show sources, add news.

``app.py`` is a thin Gradio shell over :class:`ChatService`; tests call the service (or the
app's handlers) directly. One service (and one ``KnowledgeBase``) is shared by every browser
session; conversations live in each session's chat history and answer list, never here.

Example::

    service = ChatService(KnowledgeBase("index"))
    service.ready()                                   # build or sync the index once
    reply = service.ask("微软为什么聘请苏莱曼？", chat=[], answers=[])
    reply.chat[-1]["content"]                         # safe Markdown with [1] and the sources
"""
from __future__ import annotations

import datetime as dt
import hashlib
import html
import logging
import os
import re
import shutil
import tempfile
import threading
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from qa.config import Settings
from qa.corpus import load_file, parse_date
from qa.errors import CorpusError, IndexNotFoundError, QAError
from qa.formats import READERS
from qa.render import escape_text, quote_spans, render_answer, render_article, safe_url, source_choices
from qa.status import IndexSummary
from qa.text import detect_language
from qa.types import Answer, Article

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2000
MAX_TABLE_ROWS = 500  # the article panel lists the newest ones
Progress = Callable[[float, str], None]
Message = dict[str, Any]
_NAME_BAD = re.compile(r"[^\w.\-]+")  # \w is Unicode, so Chinese file names stay readable


class UploadError(Exception):
    """A file or pasted article was refused; the message says why, for the user."""


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
    """Return ``kb.answer`` filter arguments from the form fields.

    Raises:
        ValueError: a date does not parse or the range is reversed (message for the user).
    """
    dates = {}
    for key, value, zh, en in (("since", since, "起始日期", "Start date"), ("until", until, "截止日期", "End date")):
        try:
            dates[key] = parse_date((value or "").strip() or None)
        except ValueError:
            raise ValueError(_say(lang, f"{zh}「{value}」无法识别，请用 YYYY-MM-DD 格式，例如 2024-10-18。",
                                  f"{en} {value!r} is not a date; use YYYY-MM-DD, e.g. 2024-10-18.")) from None
    if dates["since"] and dates["until"] and dates["since"] > dates["until"]:
        raise ValueError(_say(lang, f"起始日期 {dates['since']} 晚于截止日期 {dates['until']}。",
                              f"The start date {dates['since']} is after the end date {dates['until']}."))
    picked = [o for o in (outlets or []) if o]
    return {**dates, "sources": picked or None}


def check_question(question: str, lang: str) -> None:
    """Raise ValueError (message for the user) when ``question`` is empty or too long."""
    if not question:
        raise ValueError(_say(lang, "请输入问题，例如：微软为什么聘请苏莱曼？",
                              "Please type a question, e.g. why did Microsoft hire Suleyman?"))
    if len(question) > MAX_QUESTION_CHARS:
        raise ValueError(_say(lang, f"问题太长（{len(question)} 字），上限是 {MAX_QUESTION_CHARS} 字。",
                              f"The question is {len(question)} characters long; the limit is {MAX_QUESTION_CHARS}."))


class ChatService:
    """The app's operations over one shared ``KnowledgeBase``; safe to call from many threads."""

    def __init__(self, kb: Any, settings: Settings | None = None):
        self.kb = kb
        self.settings = settings or kb.settings
        self.corpus = Path(self.settings.corpus_dir)
        self._ready = False
        self._ready_lock = threading.Lock()
        self._write_lock = threading.Lock()  # one upload/paste at a time (kb.add also locks the index)

    def ready(self) -> IndexSummary | None:
        """Build the index from the corpus folder when missing, else sync it; once per service.

        Returns:
            What changed, or None when an earlier call already did it.

        Raises:
            IndexMismatchError: the index was built with another model or chunking.
        """
        with self._ready_lock:
            if self._ready:
                return None
            self.corpus.mkdir(parents=True, exist_ok=True)
            if not self.kb.reader.exists():
                log.info("no index at %s: building it from %s", self.kb.dir.path, self.corpus)
                summary = self.kb.build(self.corpus)
            else:
                summary = self.kb.sync(self.corpus)
            log.info("index ready: %s", summary)
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
            check_question(question, lang)
            filters = check_filters(since, until, outlets, lang)
            self.ready()
            answer = self.kb.answer(question, history=history_for(chat, answers), **filters)
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
        """Save uploaded files into the corpus folder and index them; return a Markdown report.

        ``files`` are paths (or objects with ``.name`` / dicts with ``path`` and ``orig_name``).
        A rejected file gets one line saying why; the others are still added.
        """
        items = [f for f in (files or []) if f]
        if not items:
            return "请先选择文件（.md .txt .html .htm .json .jsonl）。"
        lines = []
        for i, item in enumerate(items):
            path, name = _upload_path(item)
            if progress:
                progress(i / len(items), f"正在收录 {name}")
            try:
                lines.append(self._add_file(Path(path), name))
            except UploadError as exc:
                lines.append(f"✗ {escape_text(name)}：{escape_text(str(exc))}")
        return "\n\n".join(lines)

    def _add_file(self, src: Path, name: str) -> str:
        safe = safe_filename(name)  # refuses unsupported types before anything is read
        limit = self.settings.max_upload_bytes
        try:
            size = src.stat().st_size
            if size > limit:
                raise UploadError(f"文件 {size_text(size)}，超过 {size_text(limit)} 的上限")
            with open(src, "rb") as fh:
                data = fh.read(limit + 1)  # bounded even if the file grew meanwhile
        except OSError as exc:
            raise UploadError(f"无法读取文件（{exc.strerror or exc}）") from None
        if len(data) > limit:
            raise UploadError(f"文件超过 {size_text(limit)} 的上限")
        with self._write_lock:
            final = reserve_name(self.corpus, safe)
            articles = self._save_and_index(final, data)
        titles = "、".join(f"《{escape_text(a.title)}》" for a in articles[:3]) + ("等" if len(articles) > 3 else "")
        return f"✓ {escape_text(name)} → {escape_text(final.name)}：收录 {len(articles)} 篇 {titles}，现在就可以提问。"

    def _save_and_index(self, final: Path, data: bytes, created: bool = True) -> list[Article]:
        """Write ``data`` to ``final`` (validated first), then ``kb.add`` it.

        ``created``: ``final`` is ours (a reserved placeholder), so a failure removes it.
        """
        staging = Path(tempfile.mkdtemp(prefix=".upload-", dir=self.corpus))  # hidden: loaders skip it
        try:
            tmp = staging / final.name
            tmp.write_bytes(data)
            try:
                articles = load_file(tmp, staging, max_bytes=self.settings.max_upload_bytes)
            except CorpusError as exc:
                raise UploadError(f"无法读取（{str(exc).replace(f'{tmp}: ', '')}）") from None
            self._check_ids(articles, final.name)
            os.replace(tmp, final)
        except BaseException:
            if created:
                final.unlink(missing_ok=True)
            raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        try:
            self.ready()
            self.kb.add(articles)
        except (QAError, ValueError) as exc:
            if created:
                final.unlink(missing_ok=True)  # keep corpus and index in step
            raise UploadError(f"建立索引失败：{exc}") from None
        return articles

    def _check_ids(self, articles: list[Article], relpath: str) -> None:
        if not articles:
            raise UploadError("文件里没有文章")
        for a in articles:
            try:
                existing = self.kb.article(a.id)
            except (KeyError, QAError):
                continue
            if existing.path and existing.path != (a.path or relpath):
                raise UploadError(f"文章编号「{a.id}」已被 {existing.path} 使用；请在文件里换一个 id")

    def add_pasted(self, title: str | None, outlet: str | None, date: str | None, url: str | None,
                   text: str | None, progress: Progress | None = None) -> str:
        """Save a pasted article as ``corpus/pasted-<date>-<hash>.md`` and index it; return a report."""
        text = (text or "").replace("\r\n", "\n").strip()
        title, outlet, url = " ".join((title or "").split()), (outlet or "").strip(), (url or "").strip()
        if not text:
            return "✗ 请填写正文。"
        if len(text.encode("utf-8")) > self.settings.max_upload_bytes:
            return f"✗ 正文超过 {size_text(self.settings.max_upload_bytes)} 的上限。"
        try:
            day = parse_date((date or "").strip() or None)
        except ValueError:
            return f"✗ 日期「{escape_text(date)}」无法识别，请用 YYYY-MM-DD 格式，例如 2024-10-18。"
        if url and not safe_url(url):
            return "✗ 链接必须是 http:// 或 https:// 开头的网址。"
        digest = hashlib.sha1(f"{title}\n{outlet}\n{text}".encode("utf-8")).hexdigest()[:8]
        aid = f"pasted-{day or dt.date.today().isoformat()}-{digest}"
        front = {k: v for k, v in {"id": aid, "title": title, "source": outlet, "date": day, "url": url}.items() if v}
        data = f"---\n{yaml.safe_dump(front, allow_unicode=True, sort_keys=False)}---\n\n{text}\n".encode("utf-8")
        if progress:
            progress(0.2, "正在保存并建立索引")
        with self._write_lock:
            final = self.corpus / f"{aid}.md"
            existed = final.exists()
            try:
                articles = self._save_and_index(final, data, created=not existed)
            except UploadError as exc:
                return f"✗ {escape_text(str(exc))}"
        verb = "已更新" if existed else "已收录"
        return f"✓ {verb}《{escape_text(articles[0].title)}》（{escape_text(aid)}），现在就可以提问。"


def _upload_path(item: Any) -> tuple[str, str]:
    """Return (path on disk, the name the user gave) for one uploaded file as Gradio passes it."""
    if isinstance(item, dict):
        path = str(item.get("path") or item.get("name"))
        return path, str(item.get("orig_name") or Path(path).name)
    path = str(getattr(item, "name", item))
    return path, Path(path).name


def safe_filename(name: str) -> str:
    """Return a safe file name for the corpus folder from an uploaded file's name.

    Only the last path component is kept; characters other than letters, digits, ``.``,
    ``-`` and ``_`` become ``_``; leading dots (hidden files), ``..`` runs and over-long stems
    are removed; ``README`` (ignored by the loader) is renamed.

    Raises:
        UploadError: the extension is not one the corpus loader reads.
    """
    base = re.split(r"[\\/]", unicodedata.normalize("NFKC", name or "").strip())[-1].strip()
    stem, suffix = os.path.splitext(base)
    if suffix.lower() not in READERS:
        kind = f"文件类型 {suffix}" if suffix else "没有扩展名的文件"
        raise UploadError(f"不支持的{kind}（支持 {' '.join(READERS)}）")
    stem = re.sub(r"\.{2,}", ".", _NAME_BAD.sub("_", stem)).strip("._- ")[:80] or "upload"
    if stem.lower() == "readme":
        stem += "-upload"
    return stem + suffix.lower()


def reserve_name(folder: Path, name: str) -> Path:
    """Create and return an empty, new file ``folder/name`` (``name-2``, ``name-3``… if taken).

    Creating it with O_EXCL makes the name ours even against another process.

    Raises:
        UploadError: no free name (pathological) or the folder is not writable.
    """
    stem, suffix = os.path.splitext(name)
    for n in range(1, 1000):
        candidate = folder / (name if n == 1 else f"{stem}-{n}{suffix}")
        try:
            os.close(os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
            return candidate
        except FileExistsError:
            continue
        except OSError as exc:
            raise UploadError(f"无法写入文章文件夹（{exc.strerror or exc}）") from None
    raise UploadError("同名文件太多，请改个文件名")


def size_text(n: int) -> str:
    """Return a byte count for people: 812 bytes, 4.2 kB, 5 MB."""
    if n < 1000:
        return f"{n} bytes"
    value, unit = (n / 1_000_000, "MB") if n >= 1_000_000 else (n / 1000, "kB")
    return f"{value:.1f}".rstrip("0").rstrip(".") + " " + unit
