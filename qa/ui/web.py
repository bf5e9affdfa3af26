"""Turn answers, articles and upload reports into Markdown that is safe to show in the browser.

Article text is untrusted: a page saved from the web may carry ``<script>``, ``<img onerror=…>``
or Markdown such as ``[click](javascript:…)`` and ``![](http://tracker/)``. Everything that
comes from an article (text, title, outlet, author, id) goes through :func:`escape_text`, which
turns HTML-significant *and* Markdown-significant characters into numeric character
references. CommonMark never reads a character reference as syntax, so escaped text can
neither open a tag nor form a link, image, emphasis, list, heading, table or autolink; the
browser still shows the original characters. Our own markup (``<mark>``, ``<strong>``,
``<small>``) is added around already escaped text. The chat and Markdown components sanitize
HTML as well (``sanitize_html=True``); the escaping here does not rely on it.

Example::

    >>> escape_text("<b>[x](y)</b>")
    '&lt;b&gt;&#91;x&#93;&#40;y&#41;&lt;/b&gt;'
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from qa.ingest.uploads import SUPPORTED, UploadError, size_text
from qa.text.urls import safe_url
from qa.types import Answer, Article, Passage
from qa.ui.labels import cited_numbers, labels as _labels

# HTML specials, then every ASCII character Markdown (GFM, marked) gives a meaning to,
# including ":" "." "@" so that bare URLs, www. names and e-mail addresses are not autolinked.
_MARKDOWN_CHARS = "\\`*_{}[]()#+-.!|~:@$=^"
_ESCAPES = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord('"'): "&quot;", ord("'"): "&#39;",
            **{ord(c): f"&#{ord(c)};" for c in _MARKDOWN_CHARS}}
# Longer articles are shown around the highlighted sentence. A round bound, not a measurement:
# 15× the longest seed article (3,953 characters), yet at most ~180 kB of UTF-8 for the browser.
MAX_VIEWER_CHARS = 60_000
VIEWER_LEAD = 4  # the viewer window starts 1/4 of its length before the first highlight (context above it)
TITLES_SHOWN = 3  # an upload report names this many titles, then "等"; one line in the side panel


def escape_text(text: str | None) -> str:
    """Return ``text`` with HTML and Markdown syntax neutralised (shown literally, never run)."""
    return (text or "").translate(_ESCAPES)


def highlight(text: str, spans: Iterable[tuple[int, int]] = ()) -> str:
    """Return ``text`` escaped, with the character ranges ``spans`` wrapped in ``<mark>``.

    Spans are offsets into ``text``; they are clipped to it, and cut at line ends so that
    every ``<mark>`` opens and closes inside one line (one Markdown paragraph).
    """
    out: list[str] = []
    pos = 0
    for start, end in _merge(spans, len(text)):
        out.append(escape_text(text[pos:start]))
        lines = text[start:end].split("\n")
        out.append("\n".join(f"<mark>{escape_text(line)}</mark>" if line.strip() else line for line in lines))
        pos = end
    out.append(escape_text(text[pos:]))
    return "".join(out)


def _merge(spans: Iterable[tuple[int, int]], size: int) -> list[tuple[int, int]]:
    """Return the spans clipped to ``[0, size]``, sorted, overlapping ones joined, empty ones dropped."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted((max(s, 0), min(e, size)) for s, e in spans):
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def citation(number: int | None, title: str, source: str | None, date: str | None, url: str | None,
             language: str = "zh") -> str:
    """Return one Markdown line: ``[n] 《title》 · outlet · date · link`` (all escaped)."""
    labels = _labels(language)
    parts = [f"《{escape_text(title)}》", escape_text(source) if source else labels["unknown"],
             escape_text(date) if date else labels["undated"]]
    link = safe_url(url)
    if link:
        parts.append(f"[{labels['link']}](<{link}>)")
    head = f"<strong>&#91;{number}&#93;</strong> " if number is not None else ""
    return head + " · ".join(parts)


def quote_spans(answer: Answer, number: int) -> list[tuple[int, int]]:
    """Return the article offsets to highlight for passage ``number`` (1-based) of ``answer``.

    The quoted sentences taken from that passage; the whole passage when none was quoted.

    Raises:
        IndexError: ``answer`` has no passage ``number``.
    """
    if not 1 <= number <= len(answer.passages):
        raise IndexError(f"the answer has no source [{number}]")
    passage = answer.passages[number - 1]
    spans = [(q.start, q.end) for q in answer.quotes if q.passage == number and q.article_id == passage.article_id]
    return spans or [(passage.start, passage.end)]


def passage_markdown(passage: Passage, spans: Sequence[tuple[int, int]] = ()) -> str:
    """Return ``passage`` as a Markdown block quote, ``spans`` (article offsets) highlighted."""
    local = [(s - passage.start, e - passage.start) for s, e in spans]
    lines = highlight(passage.text, local).split("\n")
    return "\n".join("> " + line.strip() if line.strip() else ">" for line in lines)


def render_answer(answer: Answer) -> str:
    """Return the chat reply for ``answer``: notes, the quotes with markers, then the sources."""
    labels = _labels(answer.language)
    blocks = [f"<small>ℹ {escape_text(note)}</small>" for note in answer.notes]
    if answer.abstained or not answer.quotes:
        blocks.append(f"<strong>{escape_text(answer.text)}</strong>")
    else:
        blocks.append(" ".join(f"「{escape_text(q.text)}」<strong>&#91;{q.passage}&#93;</strong>"
                               for q in answer.quotes))
    numbers = cited_numbers(answer)
    if numbers:
        heading = labels["closest"] if answer.abstained or not answer.quotes else labels["sources"]
        blocks.append(f"<strong>{heading}</strong>")
    for n in numbers:
        p = answer.passages[n - 1]
        spans = [] if answer.abstained else quote_spans(answer, n)
        line = citation(n, p.title, p.source, p.date, p.url, answer.language)
        if p.duplicates:
            line += f" <small>（{labels['reposts'].format(n=len(p.duplicates))}）</small>"
        blocks.append(line + "\n\n" + passage_markdown(p, spans))
    return "\n\n".join(blocks)


def source_choices(answer: Answer | None) -> list[tuple[str, str]]:
    """Return ``(label, value)`` pairs for the source viewer: every passage of ``answer``.

    Labels are plain text (a dropdown shows them as text); values are the 1-based numbers.
    """
    if answer is None:
        return []
    out = []
    for n, p in enumerate(answer.passages, 1):
        label = f"[{n}] {p.title}" + (f" · {p.source}" if p.source else "") + (f" · {p.date}" if p.date else "")
        out.append((label, str(n)))
    return out


def render_article(article: Article, spans: Sequence[tuple[int, int]] = (),
                   max_chars: int = MAX_VIEWER_CHARS) -> str:
    """Return the article as Markdown: headline, metadata line, paragraphs, ``spans`` marked.

    Articles longer than ``max_chars`` are cut to a window that starts a little before the
    first span (the metadata line says which part is shown).
    """
    meta = [escape_text(v) for v in (article.source, article.date, article.author) if v]
    link = safe_url(article.url)
    if link:
        meta.append(f"[原文链接](<{link}>)")
    meta.append(f"编号 {escape_text(article.id)}")
    start, end = _window(len(article.text), spans, max_chars)
    body = highlight(article.text[start:end], [(s - start, e - start) for s, e in spans])
    paragraphs = [line.strip() for line in body.split("\n") if line.strip()]
    if (start, end) != (0, len(article.text)):  # a huge page: do not send megabytes to the browser
        meta.append(f"全文 {len(article.text)} 字，这里显示第 {start + 1}–{end} 字")
    return "\n\n".join([f"### {escape_text(article.title)}", f"<small>{' · '.join(meta)}</small>", *paragraphs])


def _window(size: int, spans: Sequence[tuple[int, int]], max_chars: int) -> tuple[int, int]:
    """Return the part of a ``size``-character text to show: all of it, or ``max_chars`` around the spans."""
    if size <= max_chars:
        return 0, size
    first = min((s for s, _ in spans), default=0)
    start = max(0, min(first - max_chars // VIEWER_LEAD, size - max_chars))
    return start, start + max_chars


# ------------------------------------------------------------------ adding news
# What the app says about an upload or paste. The UI is Chinese; the library's own errors
# (UploadError's message) stay English, so each refusal kind (UploadError.kind, with the
# facts in UploadError.info) is worded here; qa.ingest.uploads knows nothing of this table.
# A write to the index failed: the file was taken out of the corpus folder again (corpus and index in step).
INDEX_WRITE_REFUSALS = {
    "disk_full": "索引所在的磁盘已满，没有收录（文件也没有留在文章文件夹里）；请联系管理员清理磁盘空间",
    "unwritable": "索引无法写入，没有收录（文件也没有留在文章文件夹里）；请联系管理员",
}
REFUSALS = {
    "too_large": "文件大小 {size}，超过了每个文件 {limit} 的上限",
    "unsupported": "不支持 {suffix} 文件，只能上传 {supported} 文件",
    "unreadable": "无法读取这个文件，请重新上传",
    "undecodable": "无法识别其中的文字：这不是文本文件，或者编码不是 UTF-8、GB18030/GBK、Big5",
    "empty": "文件里没有可以收录的文章正文",
    "invalid": "文件格式有误，无法解析（{detail}）",
    "id_taken": "文章编号「{id}」已被 {other} 使用，请在文件里换一个 id",
    "unwritable": "无法写入文章文件夹，请联系管理员",
    "disk_full": "磁盘已满，文件没有保存，也没有收录；请联系管理员清理磁盘空间",
    "name_taken": "同名文件太多，请换个文件名",
    "index_busy": "索引正被另一个任务写入，等待超时，没有收录（文件也没有留在文章文件夹里）；请稍后再试",
    "index_failed": "建立索引失败，没有收录（{detail}）",
    "no_text": "请填写正文",
    "bad_date": "日期「{value}」无法识别，请用 YYYY-MM-DD 格式，例如 2024-10-18",
    "bad_url": "链接必须是 http:// 或 https:// 开头的网址",
}
WRITE_KINDS = ("disk_full", "unwritable", "index_busy", "index_failed")  # refusals after the article was checked: they name its file
NO_FILES = f"请先选择文件（{SUPPORTED}）。"


def refusal_text(exc: UploadError, pasted: bool = False) -> str:
    """Return why an upload (or, with ``pasted``, a pasted article) was refused, in Chinese, escaped."""
    info = {k: size_text(v) if k in ("size", "limit") else escape_text(str(v))
            for k, v in exc.info.items() if v is not None}
    if exc.kind == "too_large" and (pasted or "size" not in info):
        size = f"大小 {info['size']}，" if "size" in info else ""
        return f"{'正文' if pasted else '文件'}{size}超过了 {info['limit']} 的上限"
    if exc.info.get("place") == "index" and exc.kind in INDEX_WRITE_REFUSALS:
        return INDEX_WRITE_REFUSALS[exc.kind]
    if exc.kind == "unsupported" and not exc.info.get("suffix"):
        return f"文件没有扩展名，只能上传 {info['supported']} 文件"
    try:
        return REFUSALS[exc.kind].format(**info)
    except (KeyError, IndexError):  # a kind or fact this table does not know: say it as the library did
        return escape_text(str(exc))


def upload_refused(name: str, exc: UploadError) -> str:
    """Return the report line of a refused file: ``✗ name：why。`` (Chinese, names the file)."""
    return f"✗ {escape_text(name)}：{refusal_text(exc)}。"


def paste_refused(exc: UploadError) -> str:
    """Return the report of a refused pasted article: ``✗ why。``, or ``✗ file：why。`` when saving its file failed."""
    file = exc.info.get("file") if exc.kind in WRITE_KINDS else None
    return f"✗ {escape_text(file)}：{refusal_text(exc, pasted=True)}。" if file else f"✗ {refusal_text(exc, pasted=True)}。"


def upload_saved(name: str, saved_as: str, titles: Sequence[str]) -> str:
    """Return the report line of a saved file: name, where it went, how many articles, the first titles."""
    shown = "、".join(f"《{escape_text(t)}》" for t in titles[:TITLES_SHOWN]) + ("等" if len(titles) > TITLES_SHOWN else "")
    return f"✓ {escape_text(name)} → {escape_text(saved_as)}：收录 {len(titles)} 篇 {shown}，现在就可以提问。"


def paste_saved(title: str, article_id: str, updated: bool) -> str:
    """Return the report of a saved pasted article."""
    verb = "已更新" if updated else "已收录"
    return f"✓ {verb}《{escape_text(title)}》（{escape_text(article_id)}），现在就可以提问。"
