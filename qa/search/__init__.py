"""Stage 5, search: hybrid retrieval over a read view of the index.

Modules: ``filters`` (date and outlet filters → SQL), ``keyword`` (BM25 over FTS5),
``hybrid`` (dense candidates, fusion, passages).
"""
