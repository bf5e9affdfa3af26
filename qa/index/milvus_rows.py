"""The rows of one Milvus index set, as a write reads and changes them (:class:`qa.index.rows.Rows`).

Milvus has no transaction across collections, so a write is ordered to be safe when cut short
at any point: an article's text parts, passages, sentences and band keys go first, under a new
version; its article row goes last and is the commit mark; rows of other versions are deleted
after it. A removal deletes the article row first. Readers use only rows whose version is the
article row's, so every reader sees each article whole or absent. Each write first records an
intent (``pending:<id>`` in ``meta``) and clears it when done; the next write finishes what a
crashed one left (:meth:`MilvusRows.recover`), so nothing stays orphaned.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

import numpy as np

from qa.index.milvus_store import (DUMMY, TEXT_PART_CHARS, MilvusStore, article_key, in_list, literal, row_key,
                                   term_word, version_of)
from qa.index.rows import Prepared, Version
from qa.index.store import StoredArticle
from qa.types import Article

log = logging.getLogger(__name__)

ARTICLE_FIELDS = ["id", "title", "source", "date", "url", "author", "language", "path", "content_key", "version",
                  "signature", "group_id", "duplicate_of", "meta_json", "added_at", "parts"]
OWNED = ("texts", "chunks", "sentences", "lsh")
_PENDING = "pending:"


class MilvusRows:
    """:class:`qa.index.rows.Rows` over the Milvus index set ``prefix`` (writer lock held)."""

    def __init__(self, store: MilvusStore, prefix: str):
        self.store = store
        self.prefix = prefix

    # ------------------------------------------------------------ reading
    def get_article(self, article_id: str) -> StoredArticle | None:
        found = self.articles(f"id == {literal(article_id)}")
        return found[0] if found else None

    def articles(self, expr: str) -> list[StoredArticle]:
        """Return the articles matching ``expr``, with their text, oldest first."""
        rows = self.store.query(self.prefix, "articles", expr, ARTICLE_FIELDS)
        texts = self._texts(rows)
        return sorted((to_stored(r, texts.get(r["id"], "")) for r in rows), key=lambda s: s.added_at)

    def articles_with_key(self, content_key: str) -> list[StoredArticle]:
        return self.articles(f"content_key == {literal(content_key)}")

    def lsh_candidates(self, keys: Sequence[bytes]) -> set[str]:
        if not keys:
            return set()
        wanted = [band_key(band, key) for band, key in enumerate(keys)]
        rows = self.store.query(self.prefix, "lsh", in_list("band_key", wanted), ["article_id", "version"])
        live = self._live_versions({r["article_id"] for r in rows})
        return {r["article_id"] for r in rows if live.get(r["article_id"]) == r["version"]}

    def sentence_vectors(self, article_id: str) -> dict[str, np.ndarray]:
        live = self._live_versions({article_id}).get(article_id)
        if live is None:
            return {}
        expr = f"article_id == {literal(article_id)} and version == {literal(live)}"
        return {r["text"]: np.asarray(r["vector"], dtype=np.float32)
                for r in self.store.query(self.prefix, "sentences", expr, ["text", "vector"])}

    def versions(self) -> dict[str, Version]:
        rows = self.store.scan(self.prefix, "articles", "", ["id", "content_key", "added_at", "path"])
        return {r["id"]: (r["content_key"], float(r["added_at"]), r["path"] or None) for r in rows}

    # ------------------------------------------------------------ writing
    def put(self, plan: Prepared) -> tuple[int, int]:
        stored = plan.stored
        aid, version = stored.article.id, version_of(stored.article.title, stored.content_key)
        if plan.kind == "metadata":
            self.store.upsert(self.prefix, "articles", [article_row(stored, version)])
            return 0, 0
        self._intend(aid)
        self.store.upsert(self.prefix, "texts", text_rows(stored.article, version))
        chunk_rows = [{"pk": row_key(aid, version, "c", i), "article_id": aid, "version": version,
                       "chunk_id": c.id, "ordinal": c.ordinal, "start": c.start, "end": c.end, "text": c.text,
                       "words": " ".join(term_word(t) for t in toks)}
                      for i, (c, toks) in enumerate(zip(plan.chunks, plan.tokens, strict=True))]
        self.store.upsert(self.prefix, "chunks", chunk_rows)
        self.store.upsert(self.prefix, "sentences", [
            {"pk": row_key(aid, version, "s", i), "article_id": aid, "version": version,
             "chunk_pk": chunk_rows[owner]["pk"], "start": s.start, "end": s.end, "text": s.text,
             "vector": np.asarray(v, dtype=np.float32).tolist()}
            for i, (s, owner, v) in enumerate(zip(plan.sentences, plan.owners, plan.vectors, strict=True))])
        self.store.upsert(self.prefix, "lsh", [
            {"pk": row_key(aid, version, "l", band), "article_id": aid, "version": version,
             "band_key": band_key(band, key), "vec": DUMMY} for band, key in enumerate(plan.lsh_keys)])
        removed = self.store.count(self.prefix, "chunks", _other_versions(aid, version))
        self.store.upsert(self.prefix, "articles", [article_row(stored, version)])  # the commit mark
        self._drop_rows(aid, version)
        return len(chunk_rows), removed

    def put_all(self, plans: Sequence[Prepared]) -> tuple[int, int]:
        # Article by article: put orders each one's rows around its own commit mark (module docstring).
        added = removed = 0
        for plan in plans:
            a, r = self.put(plan)
            added, removed = added + a, removed + r
        return added, removed

    def delete_article(self, article_id: str) -> int:
        self._intend(article_id)
        self.store.delete(self.prefix, "articles", f"id == {literal(article_id)}")  # gone for readers first
        removed = self.store.count(self.prefix, "chunks", f"article_id == {literal(article_id)}")
        self._drop_rows(article_id, None)
        return removed

    def recover(self) -> list[str]:
        """Finish the writes a crash interrupted: delete the rows of every pending article that are
        not its live version's; return those article ids."""
        pending = [r["key"] for r in self.store.scan(self.prefix, "meta", f'key like "{_PENDING}%"', ["key"])]
        for key in pending:
            aid = key[len(_PENDING):]
            self._drop_rows(aid, self._live_versions({aid}).get(aid))
        if pending:
            log.info("finished %d interrupted writes: %s", len(pending), ", ".join(k[len(_PENDING):] for k in pending))
        return [k[len(_PENDING):] for k in pending]

    # ------------------------------------------------------------ internals
    def _intend(self, article_id: str) -> None:
        self.store.set_meta(self.prefix, {_PENDING + article_id: "1"})

    def _drop_rows(self, article_id: str, keep_version: str | None) -> None:
        """Delete the article's rows of every version but ``keep_version`` (all when ``None``), then its intent."""
        expr = (_other_versions(article_id, keep_version) if keep_version is not None
                else f"article_id == {literal(article_id)}")
        for kind in OWNED:
            self.store.delete(self.prefix, kind, expr)
        self.store.delete(self.prefix, "meta", f"key == {literal(_PENDING + article_id)}")

    def _live_versions(self, ids: set[str]) -> dict[str, str]:
        """Return ``{article id: version}`` of the article rows that exist among ``ids``."""
        if not ids:
            return {}
        rows = self.store.get(self.prefix, "articles", [article_key(i) for i in sorted(ids)], ["id", "version"])
        return {r["id"]: r["version"] for r in rows}

    def _texts(self, rows: Sequence[dict[str, Any]]) -> dict[str, str]:
        """Return the texts of these article rows, joined from their parts."""
        keys = [row_key(r["id"], r["version"], "t", i) for r in rows for i in range(int(r["parts"]))]
        parts = self.store.get(self.prefix, "texts", keys, ["article_id", "part", "text"])
        out: dict[str, list[tuple[int, str]]] = {}
        for p in parts:
            out.setdefault(p["article_id"], []).append((int(p["part"]), p["text"]))
        return {aid: "".join(t for _, t in sorted(ps)) for aid, ps in out.items()}


def _other_versions(article_id: str, version: str) -> str:
    return f"article_id == {literal(article_id)} and version != {literal(version)}"


def band_key(band: int, key: bytes) -> str:
    """Return the stored form of one LSH band key."""
    return f"{band}:{key.hex()}"


def text_rows(article: Article, version: str) -> list[dict[str, Any]]:
    """Return the text parts of ``article`` as ``texts`` rows."""
    parts = [article.text[i:i + TEXT_PART_CHARS] for i in range(0, len(article.text), TEXT_PART_CHARS)] or [""]
    return [{"pk": row_key(article.id, version, "t", i), "article_id": article.id, "version": version,
             "part": i, "text": part, "vec": DUMMY} for i, part in enumerate(parts)]


def article_row(stored: StoredArticle, version: str) -> dict[str, Any]:
    """Return the ``articles`` row of ``stored`` (its text lives in ``texts``)."""
    a = stored.article
    parts = max(1, -(-len(a.text) // TEXT_PART_CHARS))
    return {"pk": article_key(a.id), "id": a.id, "title": a.title, "source": a.source or "", "date": a.date or "",
            "url": a.url or "", "author": a.author or "", "language": a.language or "", "path": a.path or "",
            "content_key": stored.content_key, "version": version,
            "signature": stored.signature.hex() if stored.signature else "", "group_id": stored.group_id,
            "duplicate_of": stored.duplicate_of or "", "meta_json": json.dumps(list(a.meta), ensure_ascii=False),
            "added_at": float(stored.added_at), "parts": parts, "vec": DUMMY}


def to_stored(row: dict[str, Any], text: str) -> StoredArticle:
    """Return the ``StoredArticle`` of an ``articles`` row and its joined text."""
    meta = tuple(tuple(p) for p in json.loads(row["meta_json"]))
    article = Article(id=row["id"], title=row["title"], text=text, source=row["source"] or None,
                      date=row["date"] or None, url=row["url"] or None, author=row["author"] or None,
                      language=row["language"] or None, path=row["path"] or None, meta=meta)  # type: ignore[arg-type]
    return StoredArticle(article, row["content_key"], bytes.fromhex(row["signature"]) if row["signature"] else None,
                         row["group_id"], row["duplicate_of"] or None, float(row["added_at"]))
