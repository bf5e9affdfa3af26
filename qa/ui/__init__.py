"""Stage 7, presentation: the chat service behind app.py, web and terminal rendering, the CLI.

Modules: ``chat`` (the chat service), ``web`` (escaped Markdown for the browser), ``terminal``
(plain text for ``qa ask``/``qa search``), ``cli`` (the ``qa`` command).
"""
