"""How the ``qa`` command ends when something goes wrong: one ``error:`` line, or quietly on a broken pipe.

Example::

    >>> error_text(OSError(28, "No space left on device"))
    'the disk is full ([Errno 28] No space left on device); free some space and run the command again'
"""
from __future__ import annotations

import os
import sys

from qa.errors import QAError
from qa.ingest.upload_errors import write_failure

BROKEN_PIPE = 141  # exit status when the reader of stdout went away: 128 + SIGPIPE (13), as `yes | head -1`


def error_text(exc: BaseException) -> str:
    """Return the one-line ``error:`` text for an error a command raised."""
    if isinstance(exc, KeyError) and exc.args:
        return str(exc.args[0])
    if isinstance(exc, RecursionError):
        return "the input is nested too deeply to read (e.g. JSON lists inside lists thousands of levels deep)"
    kind = None if isinstance(exc, QAError) else write_failure(exc)  # a QAError's message says it already
    if kind == "disk_full":
        return f"the disk is full ({exc}); free some space and run the command again"
    if kind == "unwritable":
        return f"cannot write ({exc}); check the folder's permissions"
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    return " ".join(str(exc).split()) or type(exc).__name__  # one line, whatever the library said


def quiet_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's last flush does not hit the broken pipe again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # stdout is no real file (a test's capture): nothing to flush
        pass
