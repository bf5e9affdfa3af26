"""Stage 7, presentation: the chat service behind app.py, web and terminal rendering, the CLI.

Modules: ``chat`` (the chat service), ``adding`` (upload and paste reports), ``web`` (escaped
Markdown for the browser), ``terminal`` (plain text for ``qa ask``/``qa search``), ``labels``
(wording both of them use), ``cli`` (the ``qa`` command), ``exits`` (its error lines and exit
codes). Only this stage words things for people; the stages below it raise English errors with
machine-readable facts (e.g. ``UploadError.kind``) and never import it.
"""
