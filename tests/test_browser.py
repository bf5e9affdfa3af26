"""The real app in headless Chromium: cited answer, source viewer, follow-up, upload, paste, XSS.

Starts ``python app.py`` on a free port of 127.0.0.1 over a temporary copy of ``corpus/`` and a
fresh index (the real embedding model, from the usual cache, so nothing is unpacked twice),
then drives it with Playwright and Debian's chromium. Screenshots go to ``test-artifacts/``;
the answered Suleyman question is also copied to ``docs/screenshot-suleyman.png``.
"""
from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.appserver import running_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
STARTUP_SECONDS = 180  # first run on a machine also unpacks the bundled model
ANSWER_MS = 60_000
MOON = ("---\ntitle: 嫦娥六号带回月背样品\nsource: 新华社\ndate: 2024-06-25\n---\n"
        "嫦娥六号返回器于6月25日在内蒙古四子王旗预定区域着陆。\n"
        "经称重，嫦娥六号从月球背面采集了1935.3克月壤样品。\n")
XSS_TITLE = '<img src=x onerror="window.__xss=1">老虎保护报道'
XSS_TEXT = ('<img src=x onerror="window.__xss=1">\n<script>window.__xss2=1</script>\n'
            "苏门答腊虎的野外数量在过去十年里回升到了大约六百只。[点我](javascript:window.__xss3=1)")


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """The real app over a copy of the bundled corpus; yields (url, corpus folder)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium not installed: apt-get install chromium")
    # QA_CACHE_DIR (if set) is inherited, so the app uses the session's unpacked model.
    with running_app(tmp_path_factory.mktemp("browser"), startup_timeout=STARTUP_SECONDS) as app:
        yield app.url, app.corpus


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium not installed: apt-get install chromium")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def ask(page, question: str, count: int) -> str:
    """Type ``question``, press Enter, wait for the ``count``-th answer and return its text."""
    page.fill("#question textarea", question)
    page.press("#question textarea", "Enter")
    page.wait_for_function(  # the message is drawn after its Markdown is rendered
        """(n) => { const b = document.querySelectorAll('#chat .bot')[n];
                   return b && b.innerText.trim() && !b.innerText.includes('Loading content'); }""",
        arg=count - 1, timeout=ANSWER_MS)
    return page.locator("#chat .bot").nth(count - 1).inner_text()


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


def test_chat_in_the_browser(server, browser, tmp_path):
    url, corpus = server
    page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.wait_for_selector("#question textarea")

    # A cited answer: quote with [1], then the source with title and outlet.
    text = ask(page, "why did Microsoft hire Suleyman?", 1)
    assert "[1]" in text and "《" in text and ("机器之心" in text or "智东西" in text)
    assert "quotes are in Chinese" in text
    page.wait_for_selector("#viewer mark")
    page.wait_for_timeout(600)  # the viewer scrolls to the highlighted sentence
    shutil.copyfile(shot(page, "1-suleyman-answer"), ROOT / "docs" / "screenshot-suleyman.png")

    # The source viewer: pick another source, see its full article with the quote highlighted.
    page.click("#source-picker input")
    options = page.get_by_role("option")
    assert options.count() >= 2
    label = options.nth(1).inner_text()
    options.nth(1).click()
    page.wait_for_function("(t) => document.querySelector('#viewer').innerText.includes(t)",
                           arg=label.split("] ", 1)[1].split(" · ")[0], timeout=10_000)
    assert page.locator("#viewer mark").count() >= 1
    shot(page, "2-source-viewer")

    # A follow-up in Chinese that relies on the previous question.
    text = ask(page, "他是哪家公司的联合创始人？", 2)
    assert "[1]" in text and "Inflection" in text and "没有找到答案" not in text
    shot(page, "3-follow-up")

    # Upload a new article; it is answerable at once.
    moon = tmp_path / "moon.md"
    moon.write_text(MOON, encoding="utf-8")
    open_tab(page, "添加新闻")
    page.set_input_files("#upload input[type=file]", str(moon))
    page.click("#upload-button")
    page.wait_for_function("() => document.querySelector('#add-result').innerText.includes('✓')", timeout=ANSWER_MS)
    assert (corpus / "moon.md").exists()
    text = ask(page, "嫦娥六号从月球背面采集了多少克样品？", 3)
    assert "1935.3克" in text and "嫦娥六号带回月背样品" in text
    shot(page, "4-uploaded-article")

    # Paste an article whose title and text carry HTML: shown as text, never run.
    page.get_by_text("或者粘贴一篇文章").click()
    page.fill("#paste-title textarea", XSS_TITLE)
    page.fill("#paste-outlet textarea", "<b>测试社</b>")
    page.fill("#paste-date textarea", "2025-05-01")
    page.fill("#paste-text textarea", XSS_TEXT)
    page.click("#paste-button")
    page.wait_for_function("() => document.querySelector('#add-result').innerText.includes('已收录')",
                           timeout=ANSWER_MS)
    text = ask(page, "苏门答腊虎的野外数量有多少？", 4)
    assert "六百只" in text and XSS_TITLE in text
    open_tab(page, "来源原文")
    page.wait_for_selector("#viewer mark")
    viewer = page.locator("#viewer").inner_text()
    assert '<img src=x onerror="window.__xss=1">' in viewer and "<script>window.__xss2=1</script>" in viewer
    open_tab(page, "已收录文章")
    page.get_by_text("老虎保护报道").first.wait_for(timeout=10_000)
    shot(page, "5-articles-after-xss")
    page.wait_for_timeout(500)  # give an injected onerror handler every chance to run
    assert page.evaluate("() => [window.__xss, window.__xss2, window.__xss3]") == [None, None, None]
    assert page.locator("#chat img[src='x'], #viewer img[src='x'], #articles img[src='x']").count() == 0
    assert not errors, errors

    # Another visitor gets a conversation of their own.
    other = browser.new_page()
    other.goto(url)
    other.wait_for_selector("#question textarea")
    assert other.locator("#chat .bot").count() == 0
    other.close()
    page.close()


def test_gradio_client_against_the_running_app(server):
    url, _ = server
    spec = importlib.util.spec_from_file_location("client_example", ROOT / "docs" / "client_example.py")
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    text = example.ask("微软为什么聘请苏莱曼？", url)
    assert "[1]" in text and "苏莱曼" in text and "《" in text
