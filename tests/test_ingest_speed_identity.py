"""The fast ingest path (issue #18) gives exactly what the straightforward one gave.

The reference functions below are the code as it was before the speed-up: OpenCC's full ``t2s``
conversion on every text, jieba on every chunk with a per-character category filter, a fresh
datasketch MinHash per signature, one INSERT per chunk and FTS row. Each test fails as soon as
any output of the fast path differs: folded text, tokens, signatures, or a single index row.
No timings here (bench/ingest_bench.py measures).
"""
from __future__ import annotations

import inspect
import re
import sqlite3
import sys
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
from datasketch import MinHash
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import hashing_settings
from qa.eval.retrieval import load_squad
from qa.index import content_workers, store
from qa.index.rows import SqliteRows
from qa.kb import KnowledgeBase
from qa.text import duplicates, tokens
from qa.text.chunking import chunk_article
from qa.types import Article, Chunk

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"


# ----------------------------------------------------------------- the reference (slow) path
@lru_cache(maxsize=1)
def _opencc():
    from opencc import OpenCC

    return OpenCC("t2s")


def ref_search_form(text: str) -> str:
    return _opencc().convert(unicodedata.normalize("NFKC", text).casefold())


def ref_tokenize(text: str) -> list[str]:
    words = tokens._jieba().cut_for_search(ref_search_form(text))
    return [w for w in words if any(unicodedata.category(ch)[0] in "LN" for ch in w)]


def ref_content_key(text: str) -> str:
    import hashlib

    return hashlib.sha1("".join(ref_search_form(text).split()).encode("utf-8")).hexdigest()


def ref_signature(text: str, num_perm: int = duplicates.NUM_PERM) -> bytes:
    clean = "".join(ch for ch in ref_search_form(text) if unicodedata.category(ch)[0] in "LN")
    size = duplicates.SHINGLE_SIZE
    grams = ({clean} if clean else set()) if len(clean) <= size else {clean[i:i + size] for i in range(len(clean) - size + 1)}
    legacy = {"scheme": "legacy"} if "scheme" in inspect.signature(MinHash.__init__).parameters else {}
    minhash = MinHash(num_perm=num_perm, seed=1, **legacy)
    minhash.update_batch([s.encode("utf-8") for s in sorted(grams)])
    return np.asarray(minhash.hashvalues, dtype="<u8").tobytes()


def ref_insert_chunks(conn: sqlite3.Connection, chunks: Sequence[Chunk], toks: Sequence[Sequence[str]]) -> list[int]:
    rowids = []
    for chunk, words in zip(chunks, toks, strict=True):
        cur = conn.execute("INSERT INTO chunks (id, article_id, ordinal, start, end, text) VALUES (?,?,?,?,?,?)",
                           (chunk.id, chunk.article_id, chunk.ordinal, chunk.start, chunk.end, chunk.text))
        rowids.append(cur.lastrowid)
        conn.execute("INSERT INTO chunks_fts (rowid, tokens) VALUES (?, ?)", (cur.lastrowid, " ".join(words)))
    return rowids


def ref_lsh_candidates(conn: sqlite3.Connection, keys: Sequence[bytes]) -> set[str]:
    found: set[str] = set()
    for band, key in enumerate(keys):
        found.update(r for (r,) in conn.execute("SELECT article_id FROM lsh WHERE band=? AND key=?", (band, key)))
    return found


def ref_put_all(rows: SqliteRows, plans) -> tuple[int, int]:  # noqa: ANN001 - Sequence[Prepared]
    added = removed = 0
    for plan in plans:
        a, r = rows.put(plan)
        added, removed = added + a, removed + r
    return added, removed


# ----------------------------------------------------------------- texts
def _corpus_articles() -> list[Article]:
    from qa.ingest.corpus import load_corpus

    return list(load_corpus(ROOT / "corpus"))


def _shared_paragraphs(per_file: int = 30) -> list[Article]:
    """~60 paragraphs: CMRC 2018 (simplified) and DRCD (traditional), ids made unique."""
    out = []
    for name in ("cmrc2018_trial.json", "drcd_dev.json"):
        path = DATA / name
        if not path.exists():
            pytest.skip(f"{path} is not here (shared evaluation data)")
        for a in load_squad(path)[0][:per_file]:
            out.append(Article(id=f"{name[:4]}-{a.id}", title=a.title, text=a.text))
    return out


@lru_cache(maxsize=1)
def _phrase_and_char_keys() -> tuple[list[str], list[str]]:
    (phrases, chars), = _opencc()._dict_chain_data
    return sorted(phrases[2]), sorted(chars[2])


# ----------------------------------------------------------------- text-level identity
def test_letter_or_digit_regex_is_exactly_unicode_letters_and_digits():
    """``[^\\W_]`` (tokens, shingles) must match exactly the characters of category L* or N*."""
    wrong = [hex(c) for c in range(sys.maxunicode + 1)
             if (tokens.LETTER_OR_DIGIT.match(chr(c)) is not None) != (unicodedata.category(chr(c))[0] in "LN")]
    assert wrong == []


def test_fast_path_is_on():
    """The fast fold must be active with the installed OpenCC (else this suite tests nothing new)."""
    folder = tokens._converter()
    assert folder.table is not None and folder.phrases is not None


def test_real_texts_fold_tokenize_and_sign_as_before():
    texts = [a.text for a in _corpus_articles() + _shared_paragraphs()]
    texts += [a.title for a in _corpus_articles()]
    for text in texts:
        assert tokens.search_form(text) == ref_search_form(text)
        assert duplicates.content_key(text) == ref_content_key(text)
        assert duplicates.signature(text) == ref_signature(text)
    tokens.clear_cache()
    for a in _corpus_articles() + _shared_paragraphs():
        for chunk in chunk_article(a):
            assert tokens.tokenize(chunk.text) == ref_tokenize(chunk.text)
            assert tokens.tokenize(chunk.text) == ref_tokenize(chunk.text)  # second time from the cache


def test_long_blocks_are_cut_uncached_and_the_same():
    long_block = "中华人民共和国乾隆皇帝與微軟" * 40  # one jieba block of 560 characters
    text = f"开头。{long_block}，结尾 OpenAI。"
    assert tokens.tokenize(text) == ref_tokenize(text)


def _mixed_text() -> st.SearchStrategy[str]:
    phrases, chars = _phrase_and_char_keys()
    pieces = st.one_of(
        st.sampled_from(chars),  # traditional characters
        st.sampled_from(phrases),  # whole phrase keys
        st.sampled_from(phrases).map(lambda p: p[: len(p) // 2 + 1]),  # and their beginnings
        st.sampled_from(list("的是了中国人发现东西乾干后面里头发")),  # simplified, and chars of phrases
        st.sampled_from(list("，。、；：？！“”《》（）-.,?! \n\t　…—")),  # OpenCC's separators
        st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=3),  # anything at all
        st.sampled_from(["OpenAI", "ＡＢＣ１２", "Ⅻ", "ﬁ", "3.5", "U.S.", "_x_", "ß"]),
    )
    return st.lists(pieces, max_size=25).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mixed_text())
def test_fold_equals_opencc_on_random_mixed_text(text):
    folded = unicodedata.normalize("NFKC", text).casefold()
    assert tokens._converter().convert(folded) == _opencc().convert(folded)
    assert tokens.search_form(text) == ref_search_form(text)


# Characters whose NFKC depends on their neighbours or on several characters at once: combining
# marks (reordered, composed), Hangul jamo (composed into syllables), compatibility forms that
# decompose to several characters or to marks (ǅ ﬁ ㎏ ½ ヴ ｶﾞ), and starters that compose with a
# following vowel sign (Tamil, Kannada, Malayalam).
_NFKC_HARD = ("\u0301\u0323\u0308\u0344\u0345\u0f73\u0f75\u0f81\u1100\u1161\u11a8\u3131\u314f"
              "\uac00\u01c5\ufb01\u338f\u00bd\u30f4\uff76\uff9e\u0bc6\u0bbe\u0cc6\u0cd5\u0d46\u0d3e"
              "e\u00e9A\u212b\u1e9b\u0345\u0399\u2126\u03a9\u3099\u304b\uff0c\uff08\u3000\u2460")


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(_NFKC_HARD) | st.characters(blacklist_categories=("Cs",)), max_size=30))
def test_nfkc_by_character_forms_equals_unicodedata(text):
    assert tokens._nfkc(text) == unicodedata.normalize("NFKC", text)


def test_chunks_from_given_sentences_are_the_same():
    from qa.text.sentences import split_sentences

    for a in _corpus_articles() + _shared_paragraphs():
        assert chunk_article(a, sentences=split_sentences(a.text, 300), max_sentence_chars=300) == chunk_article(a)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mixed_text())
def test_tokens_and_signature_equal_reference_on_random_mixed_text(text):
    assert tokens.tokenize(text) == ref_tokenize(text)
    assert duplicates.signature(text) == ref_signature(text)


def _jieba_words(block: str) -> list[str]:
    return [w for w in tokens._jieba().cut_for_search(block) if tokens.LETTER_OR_DIGIT.search(w)]


def test_rust_cut_is_jieba_for_every_dictionary_word():
    """rjieba's dictionary must be jieba's: every word jieba knows is cut the same way."""
    import rjieba

    words = [w for w, freq in tokens.word_frequencies().items() if freq > 0]
    assert len(words) > 300_000
    wrong = [w for w in words if rjieba.cut_for_search(w, True) != list(tokens._jieba().cut_for_search(w))]
    assert wrong == []


def test_rust_cut_is_jieba_on_every_block_of_the_shared_sets():
    blocks = set()
    for name in ("cmrc2018_trial.json", "drcd_dev.json", "xquad_en_zh_dev.json"):
        if not (DATA / name).exists():
            pytest.skip(f"{DATA / name} is not here (shared evaluation data)")
        for a in load_squad(DATA / name)[0]:
            blocks.update(tokens._jieba().re_han_default.split(tokens.search_form(a.text)))
    plain = [b for b in blocks if tokens.RUST_BLOCK.fullmatch(b)]
    assert len(plain) > 40_000  # most blocks take the fast path, so this compares something
    assert [b for b in plain if tokens._cut(b) != tuple(_jieba_words(b))] == []


@lru_cache(maxsize=1)
def _dictionary_words() -> list[str]:
    return sorted(w for w, freq in tokens.word_frequencies().items() if freq > 0 and tokens.RUST_BLOCK.fullmatch(w))


def _plain_block() -> st.SearchStrategy[str]:
    """Blocks rjieba cuts: dictionary words, rare and common Han characters, ASCII runs."""
    pieces = st.one_of(
        st.sampled_from(_dictionary_words()),
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FD5),
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=6),
    )
    return st.lists(pieces, min_size=1, max_size=40).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_plain_block())
def test_rust_cut_equals_jieba_on_random_plain_blocks(block):
    assert tokens.RUST_BLOCK.fullmatch(block)
    assert tokens._cut(block) == tuple(_jieba_words(block))


def test_blocks_with_hyphens_and_dots_are_cut_by_jieba():
    """rjieba keeps 7-6 and jean-pierre whole; jieba splits them, and jieba's words are the index's."""
    for block in ("7-6", "jean-pierre", "0.5mil", "aa-84型战术"):
        assert not tokens.RUST_BLOCK.fullmatch(block)
        assert tokens._cut(block) == tuple(_jieba_words(block))


# ----------------------------------------------------------------- index-level identity
def _dump(index_dir: Path) -> dict[str, list]:
    """Every row that matters, ``added_at`` (a clock reading) left out."""
    db = sorted(index_dir.rglob("qa.sqlite"), key=lambda p: p.stat().st_mtime)[-1]
    conn = sqlite3.connect(db)
    try:
        cols = [r[1] for r in conn.execute("PRAGMA table_info(articles)") if r[1] != "added_at"]
        return {
            "articles": conn.execute(f"SELECT rowid, {', '.join(cols)} FROM articles ORDER BY id").fetchall(),
            "chunks": conn.execute("SELECT rowid, * FROM chunks ORDER BY rowid").fetchall(),
            "fts": conn.execute("SELECT rowid, tokens FROM chunks_fts ORDER BY rowid").fetchall(),
            "vocab": conn.execute("SELECT * FROM chunks_vocab ORDER BY term").fetchall(),
            "sentences": conn.execute("SELECT rowid, * FROM sentences ORDER BY rowid").fetchall(),
            "lsh": conn.execute("SELECT rowid, * FROM lsh ORDER BY rowid").fetchall(),
            "sequence": conn.execute("SELECT * FROM sqlite_sequence ORDER BY name").fetchall(),
            "counts": conn.execute("SELECT * FROM row_counts ORDER BY name").fetchall(),
            # FTS5's segment layout follows its flushes (one per statement between inserts), which
            # batching changes; what it answers must not: scores of the commonest and rarest terms.
            "bm25": [conn.execute("SELECT rowid, bm25(chunks_fts) FROM chunks_fts WHERE chunks_fts MATCH ? "
                                  "ORDER BY rowid", ('"' + term.replace('"', '""') + '"',)).fetchall()
                     for (term,) in conn.execute("SELECT term FROM (SELECT term, doc FROM chunks_vocab ORDER BY doc "
                                                 "DESC, term LIMIT 15) UNION SELECT term FROM (SELECT term FROM "
                                                 "chunks_vocab ORDER BY doc, term LIMIT 15)")],
        }
    finally:
        conn.close()


def _build_and_update(tmp: Path, articles: list[Article], workers: int = 0) -> list[dict[str, list]]:
    """Build, then change one article, remove one, add one back, then a mixed batch: a dump after each step."""
    kb = KnowledgeBase(settings=hashing_settings(tmp, ingest_workers=workers))
    dumps = []
    kb.add(articles)
    dumps.append(_dump(tmp / "index"))
    first, second = articles[0], articles[1]
    changed = Article(id=first.id, title=first.title, text=first.text + "\n補充：微軟與OpenAI的關係發生了變化。")
    kb.add([changed])
    kb.remove([second.id])
    dumps.append(_dump(tmp / "index"))
    kb.add([second, Article(id="repost", title="轉載", text=second.text)])
    dumps.append(_dump(tmp / "index"))
    kb.add(_mixed_batch(changed, second))
    dumps.append(_dump(tmp / "index"))
    return dumps


def _mixed_batch(first: Article, second: Article) -> list[Article]:
    """New articles around a metadata change, an exact duplicate and an update of the article that
    holds the largest rowids (``second``, added last): one-by-one writing orders their deletes and inserts."""
    return [
        Article(id="mixed-new-1", title="新一", text=second.text + "\n另有一段新的內容。"),
        Article(id="mixed-new-2", title="新二", text="全新的文章。內容與其他文章都不同，微軟與OpenAI無關。"),
        Article(id=first.id, title=first.title, text=first.text, source="另一家"),
        Article(id="mixed-repost", title="轉載二", text=first.text),
        Article(id=second.id, title=second.title, text=second.text + "\n第二篇的更新。"),
        Article(id="mixed-new-3", title="新三", text="又一篇新的文章。它在更新之後加入。"),
    ]


def _use_reference_path(monkeypatch: pytest.MonkeyPatch) -> None:
    from qa.index import content

    monkeypatch.setattr(content, "tokenize", ref_tokenize)
    monkeypatch.setattr(content_workers, "MIN_CHARS", 10**12)  # workers would not see these patches
    monkeypatch.setattr(duplicates, "signature", ref_signature)
    monkeypatch.setattr(duplicates, "content_key", ref_content_key)
    monkeypatch.setattr(store, "insert_chunks", ref_insert_chunks)
    monkeypatch.setattr(store, "lsh_candidates", ref_lsh_candidates)
    monkeypatch.setattr(SqliteRows, "put_all", ref_put_all)


@pytest.mark.parametrize("which", ["corpus", "cmrc+drcd"])
def test_index_rows_equal_the_reference_build(which, tmp_path, monkeypatch):
    articles = _corpus_articles() if which == "corpus" else _shared_paragraphs()
    tokens.clear_cache()
    with monkeypatch.context() as m:
        m.setattr(content_workers, "MIN_CHARS", 0)  # every batch through a worker process and the caller
        m.setattr(content_workers, "TASK_CHARS", 2_000)
        worker = content_workers._pool(1).workers[0]
        assert worker.wait_ready()  # so the worker surely takes part, not only the caller
        before = worker.tasks_done
        fast = _build_and_update(tmp_path / "fast", articles, workers=1)
        assert worker.tasks_done > before
    with monkeypatch.context() as m:
        _use_reference_path(m)
        slow = _build_and_update(tmp_path / "slow", articles)
    assert len(fast[0]["chunks"]) > 20 and len(fast[0]["lsh"]) > 0 and len(fast[0]["bm25"]) > 20
    for step, (f, s) in enumerate(zip(fast, slow)):
        for table in s:
            assert f[table] == s[table], f"step {step}: table {table} differs from the reference build"


def test_insert_chunks_rowids_follow_autoincrement_after_deletes(tmp_path):
    """Explicit rowids are the ones AUTOINCREMENT gives: above every rowid ever used, even deleted ones."""
    conn = store.connect(tmp_path / "db.sqlite")
    a = Article("a", "t", "甲。乙。")
    with store.transaction(conn):
        store.upsert_article(conn, store.StoredArticle(a, "k", None, "a", None, 0.0))
        first = store.insert_chunks(conn, [Chunk("a:1", "a", "甲。", 0, 2, 0), Chunk("a:2", "a", "乙。", 2, 4, 1)],
                                    [["甲"], ["乙"]])
        store.delete_article(conn, "a")
        store.upsert_article(conn, store.StoredArticle(a, "k", None, "a", None, 0.0))
        again = store.insert_chunks(conn, [Chunk("a:3", "a", "甲。", 0, 2, 0)], [["甲"]])
        ref = ref_insert_chunks(conn, [Chunk("a:4", "a", "乙。", 2, 4, 1)], [["乙"]])
    assert (first, again, ref) == ([1, 2], [3], [4])
    assert conn.execute("SELECT rowid, tokens FROM chunks_fts ORDER BY rowid").fetchall() == [(3, "甲"), (4, "乙")]
    conn.close()


def test_unexpected_opencc_data_falls_back_to_opencc_itself():
    """With OpenCC data laid out otherwise, the folder must not guess: every text goes to OpenCC."""

    class Odd:
        _dict_chain_data = [[(2, 2, {"乾坤": "乾坤"})]]  # one dictionary only
        split_chars_re = re.compile(r"(\s+)")

        def convert(self, text: str) -> str:
            return "converted:" + text

    folder = tokens._Folder(Odd())
    assert folder.table is None and folder.convert("與") == "converted:與"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80)
       | st.text(alphabet=st.characters(min_codepoint=0x2E80, max_codepoint=0xFFEF, blacklist_categories=("Cs",))))
def test_cjk_letter_count_equals_checking_each_character(text):
    from qa.text import language

    slow = sum(1 for ch in text if language.is_cjk(ch) and unicodedata.category(ch) == "Lo")
    assert len(language._cjk_letters().findall(text)) == slow
