"""Stage 1, ingest: corpus files (md/txt/html/json/jsonl, any common charset) become validated
``Article`` records; uploads and pasted articles are saved into the corpus folder; a watcher
follows the folder.

Modules: ``charset`` (bytes → text), ``formats`` (one reader per file type), ``records``
(a raw record → ``Article``), ``corpus`` (folders and files → articles), ``uploads`` (saving
uploaded files and pasted text), ``pasted`` (a pasted article → a Markdown file),
``upload_errors`` (why an upload was refused: loader refusals, full disks, unwritable folders),
``watch`` (debounced sync when files change).
"""
