"""Stage 4, index: where the index lives — the folder backend (SQLite + FTS5 + FAISS, the default)
or Milvus (Milvus Lite file or server) — behind one read protocol and one write path.

Modules: ``backend`` (the read protocol and ``QA_BACKEND`` addresses), ``backends`` (the backend a
setting names, opened), ``filters`` (date and outlet filters), ``rows`` (what a write reads and
changes; the SQLite rows), ``content`` (what an article's text alone gives: sentences, chunks,
tokens, MinHash), ``content_workers`` (those of a large batch on every core), ``content_process``
(a worker process as its caller drives it), ``content_worker`` (the worker process itself), ``writing`` (articles → rows of one write), ``writer`` (add/remove/sync/
build: embed without the lock, commit under it), ``folder_target`` (the folder's commit: one SQLite
transaction, FAISS snapshot, manifest), ``store`` (SQLite schema and writes), ``fts`` (BM25 over
FTS5), ``vectors`` (the FAISS wrapper), ``owners`` (each sentence's chunk, in readers' memory),
``folder`` (layout, lock, manifest, atomic swap), ``view`` (a read view that follows writers), ``lookups`` (read-side queries), ``status`` (write summaries,
index status, FAISS snapshots), ``compat`` (whether an index fits this process: format, model,
weights, chunking), ``milvus_schema`` (the Milvus collections), ``milvus_store`` (the client and
its calls), ``milvus_rows`` (ordered writes with a commit mark, recovery), ``milvus_target``
(Milvus's commit and build), ``milvus_view`` (Milvus's reader and views).
"""
