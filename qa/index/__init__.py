"""Stage 4, index: the on-disk index folder (SQLite + FTS5 + FAISS) and its read views.

Modules: ``store`` (SQLite schema and writes), ``vectors`` (the FAISS wrapper), ``folder``
(layout, lock, manifest, atomic swap), ``writing`` (articles → rows of one transaction),
``writer`` (add/remove/sync/build: embed without the lock, commit under it),
``view`` (a read view that follows writers), ``lookups`` (read-side queries), ``status``
(write summaries, index status, FAISS snapshots), ``compat`` (whether an index fits this
process: format, model, weights, chunking).
"""
