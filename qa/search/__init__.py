"""Stage 5, search: hybrid retrieval over a read view of the index.

Modules: ``validate`` (the one check of a question and its k), ``filters`` (date and outlet
filters → SQL), ``keyword`` (BM25 over FTS5), ``dense`` (nearest sentences → chunks, FAISS),
``fusion`` (the two lists → one ranking), ``aliases`` (the Chinese forms the articles pair
with a question's Latin-script names), ``hybrid`` (both sides, fused, reposts collapsed,
``Passage`` records).
"""
