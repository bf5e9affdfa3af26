"""The Milvus backend beyond the shared KnowledgeBase tests: addresses, errors, crash safety
(kill -9 against Milvus Lite), and the chat answering as the folder backend does with the real model."""
from __future__ import annotations

import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qa.config import Settings
from qa.embedding.encoders import BundledEncoder
from qa.errors import BackendUnavailableError, IndexMismatchError
from qa.index.backend import parse_backend
from qa.index.milvus_rows import OWNED
from qa.index.milvus_store import MilvusStore
from qa.kb import KnowledgeBase
from qa.ui.chat import ChatService
from qa.ui.cli import main
from tests.fault_worker import expected_ids, text_of
from tests.helpers import hashing_settings, sample_articles

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("value, kind, target, database", [
    ("folder", "folder", "", ""), ("", "folder", "", ""),
    ("milvus-lite:/data/news.db", "milvus-lite", "/data/news.db", ""),
    ("milvus://db.example:19530", "milvus", "http://db.example:19530", ""),
    ("milvus://db.example:19530/news", "milvus", "http://db.example:19530", "news"),
    ("https://cloud.example:443/news", "milvus", "https://cloud.example:443", "news"),
])
def test_backend_addresses_parse_to_their_kind_and_target(value, kind, target, database):
    address = parse_backend(value)
    assert (address.kind, address.target, address.database) == (kind, target, database)


@pytest.mark.parametrize("value, message", [
    ("milvus-lite:", "unknown backend"), ("milvus-lite:/tmp/news", "must end in .db"),
    ("opensearch://x", "unknown backend"), ("milvus://", "unknown backend"),
])
def test_bad_backend_values_are_refused_with_the_forms_to_use(value, message):
    with pytest.raises(ValueError, match=message):
        parse_backend(value)


def test_unreachable_milvus_server_is_one_clear_error_line(tmp_path, capsys):
    kb = KnowledgeBase(settings=hashing_settings(tmp_path, backend="milvus://127.0.0.1:9"))
    with pytest.raises(BackendUnavailableError, match="cannot open Milvus at http://127.0.0.1:9"):
        kb.retrieve("微软", 3)
    assert main(["--backend", "milvus://127.0.0.1:9", "search", "微软"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("error: cannot open Milvus at http://127.0.0.1:9") and "server running" in err[-1]


def test_status_names_the_backend_and_counts_what_milvus_holds(tmp_path):
    kb = KnowledgeBase(settings=hashing_settings(tmp_path, "milvus-lite"))
    kb.add(sample_articles())
    status = kb.status()
    assert status.backend == f"milvus-lite:{tmp_path / 'index.db'}"
    assert (status.articles, status.stories) == (3, 3) and status.sentences == status.vectors >= 6


def test_milvus_index_made_by_another_model_is_refused_with_rebuild_advice(tmp_path):
    KnowledgeBase(settings=hashing_settings(tmp_path, "milvus-lite")).add(sample_articles())
    other = KnowledgeBase(settings=hashing_settings(tmp_path, "milvus-lite", model="hashing:32"))
    with pytest.raises(IndexMismatchError, match=r"milvus-lite:.*index\.db was built with model hashing:64"):
        other.retrieve("微软", 3)


# --------------------------------------------------------------------------- kill -9
def _run_and_kill(db: Path, start: int, share: float) -> int:
    """Run the fault worker on the Milvus Lite file ``db`` from operation ``start``; time its next
    two updates and kill it ``share`` of an update's time after the second; return the last
    operation it reported done. (A fixed delay missed the updates on a loaded machine.)"""
    proc = subprocess.Popen([sys.executable, "-m", "tests.fault_worker", str(db.parent / "unused"), str(start),
                             f"milvus-lite:{db}"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    done = [int(proc.stdout.readline().split()[1])]
    first = time.perf_counter()
    done.append(int(proc.stdout.readline().split()[1]))
    time.sleep(share * (time.perf_counter() - first))
    proc.kill()
    out, _ = proc.communicate()
    done += [int(line.split()[1]) for line in out.splitlines() if line.startswith("done")]
    return done[-1]


def _visible_articles_are_whole(kb: KnowledgeBase) -> set[str]:
    """Return the visible article ids after checking each is whole and nothing else shows."""
    ids = {a.id for a in kb.articles()}
    if not kb.reader.exists():  # killed before its first write committed
        return ids
    with kb.reader.view() as view:
        texts, _ = view.sentence_texts_and_vectors()
        for aid in ids:
            article = view.get_article(aid)
            assert article is not None and article.article.text == text_of(aid)
            spans = view.span_sentences(aid, 0, len(text_of(aid)))
            assert [t for _, _, t, _ in spans] == text_of(aid).split("\n"), f"{aid} is not whole"
    assert sorted(texts) == sorted(line for aid in ids for line in text_of(aid).split("\n"))
    return ids


def _orphans(store: MilvusStore) -> int:
    """Return the rows (of any article-owned kind) whose article row is missing or of another version."""
    prefix = store.live_prefix()
    live = {r["id"]: r["version"] for r in store.scan(prefix, "articles", "", ["id", "version"])}
    return sum(live.get(r["article_id"]) != r["version"]
               for kind in OWNED for r in store.scan(prefix, kind, "", ["article_id", "version"]))



@pytest.mark.slow
def test_killed_milvus_writer_shows_each_article_whole_or_absent_and_the_next_write_leaves_no_orphans(tmp_path):
    rng = random.Random(20261202)
    db = tmp_path / "index.db"
    settings = Settings.from_env({}, index_dir=tmp_path / "unused", model="hashing:32", backend=f"milvus-lite:{db}")
    next_op, interrupted = 0, 0
    # An update reads and decides first; its writes come in its second half. Kills land by wall
    # time, so on a busy machine eight can all miss the writes: up to sixteen, stopping after
    # eight once one has landed inside an update.
    for kill in range(16):
        if kill >= 8 and interrupted:
            break
        last = _run_and_kill(db, next_op, rng.uniform(0.4, 0.95))
        kb = KnowledgeBase(settings=settings)
        ids = _visible_articles_are_whole(kb)
        assert ids in (expected_ids(last + 1), expected_ids(last + 2)), f"neither before nor after operation {last + 1}"
        next_op = last + 1 if ids == expected_ids(last + 1) else last + 2
        store = kb.reader.store
        interrupted += _orphans(store) > 0 or store.count(store.live_prefix(), "meta", 'key like "pending:%"') > 0
        kb.add([])  # the next write finishes whatever the killed one left
        assert _orphans(store) == 0 and store.count(store.live_prefix(), "meta", 'key like "pending:%"') == 0
        kb.reader.close()
    assert interrupted >= 1, "no kill landed inside an update: the test checked nothing"


# --------------------------------------------------------------------------- same answers as the folder
@pytest.fixture(scope="module")
def milvus_seed_kb(model, tmp_path_factory):
    """The bundled corpus in Milvus Lite, built with the real model (as ``seed_kb`` is in a folder)."""
    tmp = tmp_path_factory.mktemp("milvus-seed")
    settings = Settings.from_env(index_dir=tmp / "unused", backend=f"milvus-lite:{tmp / 'seed.db'}")
    kb = KnowledgeBase(settings=settings, encoder=BundledEncoder(model, settings.model, settings.batch_size))
    kb.build(ROOT / "corpus")
    return kb


def test_app_backend_flag_selects_milvus_lite(tmp_path):
    import app

    settings = app.settings_for(app.parse_args(["--backend", f"milvus-lite:{tmp_path / 'news.db'}"]))
    assert KnowledgeBase(settings=settings).backend.label == f"milvus-lite:{tmp_path / 'news.db'}"


@pytest.mark.parametrize("question", ["微软为什么聘请苏莱曼？", "why did Microsoft hire Suleyman?",
                                      "微软向OpenAI投资了多少钱？"])
def test_chat_on_milvus_lite_quotes_what_the_folder_backend_quotes(seed_kb, milvus_seed_kb, question):
    folder = ChatService(seed_kb, seed_kb.settings).ask(question, [], [])
    milvus = ChatService(milvus_seed_kb, milvus_seed_kb.settings).ask(question, [], [])
    folder_answer, milvus_answer = folder.answers[-1], milvus.answers[-1]
    assert folder.ok and milvus.ok and milvus.chat[-1] == folder.chat[-1]  # the same message on the page
    assert not folder_answer.abstained and folder_answer.quotes
    assert [(q.article_id, q.start, q.end, q.text) for q in milvus_answer.quotes] == \
        [(q.article_id, q.start, q.end, q.text) for q in folder_answer.quotes]
    assert milvus_answer.confidence == pytest.approx(folder_answer.confidence, abs=1e-3)



def test_long_articles_and_ids_with_quotes_round_trip_through_milvus(tmp_path):
    kb = KnowledgeBase(settings=hashing_settings(tmp_path, "milvus-lite"))
    body = "\n".join(f"第{i}段：微软与OpenAI的合作进入新的阶段，双方讨论了算力和模型的访问权限。" for i in range(1500))
    tricky = 'wire/"quoted" \\ id 微软'
    kb.add([{"id": tricky, "title": '标题 "引号" \\', "text": body, "source": '通讯社"甲"'}])
    assert len(body) > 3 * 16_000  # stored in several text parts
    stored = kb.article(tricky)
    assert stored.text == body and stored.title == '标题 "引号" \\'
    passages = kb.retrieve("第1234段 微软", 3, sources=['通讯社"甲"'])
    assert passages and all(body[p.start:p.end] == p.text for p in passages)
    assert any("第1234段" in p.text for p in passages)
    assert kb.remove([tricky]).removed == (tricky,) and len(kb) == 0
