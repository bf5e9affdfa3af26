"""One worker process of :mod:`qa.index.content_workers`: ``python -m qa.index.content_worker``.

It reads tasks from stdin and writes results to stdout, each a length-prefixed pickle frame:

* first, once jieba and OpenCC are loaded, it writes ``("ready", pid)``;
* then per task ``("contents", (shape, [(article, key), ...]))`` it writes ``("ok", [Content, ...])``,
  or ``("error", message)`` when computing failed (the caller then computes the task itself, so the
  error surfaces there with its traceback);
* to ``("clear", None)`` it forgets its cached jieba words and writes ``("ok", None)`` (benchmarks);
* it exits when stdin closes (its caller closed it or died) and ignores SIGINT: a Ctrl-C in the
  terminal reaches the caller, which ends its workers.

Both ends are this project's own code, so unpickling a frame trusts nothing foreign.
"""
from __future__ import annotations

import logging
import os
import pickle
import signal
import struct
import sys
from typing import Any, BinaryIO

log = logging.getLogger(__name__)

_HEADER = struct.Struct("<Q")


def send(stream: BinaryIO, message: Any) -> None:
    """Write ``message`` to ``stream`` as one frame and flush.

    Raises:
        OSError: the other end is gone (``BrokenPipeError``).
    """
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def receive(stream: BinaryIO) -> Any:
    """Return the next frame's message from ``stream``.

    Raises:
        EOFError: the stream ended (the other end closed it or died), also in mid-frame.
    """
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError("content worker stream closed")
    size, = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("content worker stream closed in mid-frame")
    return pickle.loads(data)


def serve(tasks: BinaryIO, results: BinaryIO) -> None:
    """Answer tasks from ``tasks`` on ``results`` until ``tasks`` ends (see the module docstring)."""
    from qa.text.tokens import tokenize

    tokenize("預熱：微軟與OpenAI")  # loads jieba and OpenCC before saying ready
    send(results, ("ready", os.getpid()))
    while True:
        try:
            kind, payload = receive(tasks)
        except EOFError:
            return
        try:
            reply: tuple[str, Any] = ("ok", _answer(kind, payload))
        except Exception as exc:  # noqa: BLE001 - reported to the caller, which recomputes and raises
            log.warning("content worker failed on a task: %r", exc)
            reply = ("error", repr(exc))
        send(results, reply)


def _answer(kind: str, payload: Any) -> Any:
    """Return the result of one task (see the module docstring)."""
    from qa.index.content import article_content
    from qa.text.tokens import clear_cache

    if kind == "contents":
        shape, items = payload
        return [article_content(article, key, shape) for article, key in items]
    if kind == "clear":
        return clear_cache()
    raise ValueError(f"unknown content worker task {kind!r}")


def main() -> int:
    """Run the worker on this process's stdin/stdout; return its exit code (0)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    tasks, results = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt the result frames
    logging.basicConfig(level=logging.WARNING, format="content worker: %(message)s")
    try:
        serve(tasks, results)
    except BrokenPipeError:
        pass  # the caller went away while a result was being written
    return 0


if __name__ == "__main__":
    sys.exit(main())
