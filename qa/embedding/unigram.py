"""The bundled model's tokenizer for questions, loaded in milliseconds and a few MB instead of ~1 s and
~280 MB.

tokenizers' Unigram model builds a trie over the 250k pieces of the multilingual-e5 vocabulary, which
is what makes the Hugging Face tokenizer slow to load and large. A question is a few dozen characters,
so the same Viterbi search (tokenizers' ``Unigram::encode_optimized``: ties keep the shorter piece,
a character without a piece of its own is ``<unk>`` at the lowest score minus 10, adjacent ``<unk>``
are fused) runs here in Python, looking every substring up at once with a binary search in a sorted,
memory-mapped ``.npy`` of the pieces. The normaliser and pre-tokeniser still run in tokenizers, from a
tokenizers JSON file whose vocabulary is cut to one piece. :func:`save` refuses tokenizers this does
not reproduce (another model type, special tokens matched in text, another post-processor), and the
caller checks the ids on probe texts.
"""
from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

_UNK_PENALTY = 10.0  # tokenizers' K_UNK_PENALTY


class UnigramTokenizer:
    """Token ids for texts, called like a Hugging Face fast tokenizer (``padding``, ``truncation``,
    ``max_length``, ``return_tensors="np"``). Thread-safe: calls are serialised by a lock."""

    def __init__(self, tokenizer_json: Path, vocab_npy: Path, *, unk_id: int, unk_score: float, pad_id: int,
                 prefix: Sequence[int], suffix: Sequence[int]):
        """Open the pipeline and vocabulary written by :func:`save` (the vocabulary memory-mapped).

        Raises OSError (missing file) or ValueError/Exception from tokenizers (damaged file)."""
        from tokenizers import Tokenizer

        pipeline = Tokenizer.from_file(str(tokenizer_json))
        self.normalizer, self.pre_tokenizer = pipeline.normalizer, pipeline.pre_tokenizer
        self.vocab = np.load(vocab_npy, mmap_mode="r", allow_pickle=False)  # sorted by piece
        self.pieces = self.vocab["piece"]
        self.longest = int(self.pieces.dtype.itemsize // 4)
        self.unk_id, self.unk_score, self.pad_id = unk_id, unk_score, pad_id
        self.prefix, self.suffix = list(prefix), list(suffix)
        self._lock = threading.Lock()  # the tokenizers objects are shared; one caller at a time

    def encode(self, text: str) -> list[int]:
        """Return the ids of ``text`` without special tokens or truncation."""
        normalized = self.normalizer.normalize_str(text) if self.normalizer else text
        words = self.pre_tokenizer.pre_tokenize_str(normalized) if self.pre_tokenizer else [(normalized, None)]
        return [i for word, _ in words for i in self._viterbi(word)]

    def _lookup(self, text: str) -> dict[tuple[int, int], tuple[int, float]]:
        """Return ``{(start, end): (id, score)}`` for every substring of ``text`` that is a piece."""
        spans = [(i, j) for i in range(len(text)) for j in range(i + 1, min(len(text), i + self.longest) + 1)
                 if text[j - 1] != "\0"]  # numpy ignores trailing NULs; no piece ends with one
        if not spans:
            return {}
        wanted = np.array([text[i:j] for i, j in spans], dtype=self.pieces.dtype)
        rows = np.minimum(np.searchsorted(self.pieces, wanted), len(self.pieces) - 1)
        hits = np.flatnonzero(self.pieces[rows] == wanted)
        found = self.vocab[rows[hits]]
        return {spans[h]: (int(i), float(s)) for h, i, s in zip(hits.tolist(), found["id"], found["score"])}

    def _viterbi(self, text: str) -> list[int]:
        """Return the best-scoring segmentation of ``text`` as ids (tokenizers' encode_optimized)."""
        n, pieces = len(text), self._lookup(text)
        best, start, node = [0.0] * (n + 1), [-1] * (n + 1), [0] * (n + 1)
        for i in range(n):
            base = best[i]
            for end in range(i + 1, min(n, i + self.longest) + 1):  # shorter first: a tie keeps it
                if (i, end) in pieces:
                    piece, score = pieces[i, end]
                    if start[end] < 0 or score + base > best[end]:
                        best[end], start[end], node[end] = score + base, i, piece
            if (i, i + 1) not in pieces and (start[i + 1] < 0 or self.unk_score + base > best[i + 1]):
                best[i + 1], start[i + 1], node[i + 1] = self.unk_score + base, i, self.unk_id
        out: list[int] = []
        end, unknown = n, ""
        while end > 0:
            begin = start[end]
            if node[end] == self.unk_id:  # fused with its unknown neighbours into one token
                unknown = text[begin:end] + unknown
            else:
                if unknown:
                    out.append(self._id(unknown))
                    unknown = ""
                out.append(node[end])
            end = begin
        if unknown:
            out.append(self._id(unknown))
        return out[::-1]

    def _id(self, piece: str) -> int:
        """Return the id of ``piece``, or the unknown id."""
        found = self._lookup(piece).get((0, len(piece))) if len(piece) <= self.longest else None
        return found[0] if found else self.unk_id

    def __call__(self, texts: Sequence[str], *, padding: bool = True, truncation: bool = True,
                 max_length: int = 512, return_tensors: str = "np") -> dict[str, np.ndarray]:
        """Return ``input_ids`` and ``attention_mask`` (int64, rows padded on the right with the pad id).

        With ``truncation`` a text keeps its first ``max_length`` tokens, special tokens included.

        Raises:
            ValueError: unpadded or non-numpy output was asked for.
        """
        if return_tensors != "np" or not padding:
            raise ValueError("UnigramTokenizer returns padded numpy arrays only")
        keep = max_length - len(self.prefix) - len(self.suffix)
        with self._lock:
            rows = [self.encode(t) for t in texts]
        rows = [self.prefix + (r[:keep] if truncation else r) + self.suffix for r in rows]
        width = max(map(len, rows), default=0)
        ids = np.full((len(rows), width), self.pad_id, np.int64)
        mask = np.zeros((len(rows), width), np.int64)
        for row, tokens in enumerate(rows):
            ids[row, :len(tokens)] = tokens
            mask[row, :len(tokens)] = 1
        return {"input_ids": ids, "attention_mask": mask}


def save(hf_tokenizer: Any, tokenizer_json: Path, vocab_npy: Path) -> dict[str, Any]:
    """Write the pipeline and vocabulary of the Hugging Face fast tokenizer ``hf_tokenizer`` (atomically)
    and return the keyword arguments of :class:`UnigramTokenizer` other than the two paths.

    Raises:
        ValueError: it is not a Unigram tokenizer with special tokens treated as text and a
            ``<s> $A </s>``-style template, or a piece ends with a NUL (numpy would drop it).
        OSError: the folder is not writable.
    """
    backend = hf_tokenizer.backend_tokenizer
    spec = json.loads(backend.to_str())
    model, template = spec["model"], spec.get("post_processor") or {}
    if model.get("type") != "Unigram" or model.get("byte_fallback") or template.get("type") != "TemplateProcessing":
        raise ValueError("only a Unigram tokenizer without byte fallback and with a template post-processor")
    # transformers applies its split_special_tokens to the backend at each call (a copy loses the flag)
    if spec.get("added_tokens") and not getattr(hf_tokenizer, "split_special_tokens", backend.encode_special_tokens):
        raise ValueError("special tokens written in the text would be matched as special tokens")
    pieces = [p for p, _ in model["vocab"]]
    if any(p.endswith("\0") or not p for p in pieces):
        raise ValueError("a vocabulary piece is empty or ends with NUL")
    ids = {p: i for i, p in enumerate(pieces)}  # a repeated piece: the last id, as in tokenizers
    order = sorted(ids)
    vocab = np.zeros(len(order), dtype=[("piece", f"<U{max(map(len, order))}"), ("id", "<i4"), ("score", "<f8")])
    vocab["piece"], vocab["id"] = order, [ids[p] for p in order]
    vocab["score"] = [model["vocab"][ids[p]][1] for p in order]
    prefix, suffix, seen = [], [], False
    for item in template["single"]:
        if "Sequence" in item:
            seen = True
        else:
            (suffix if seen else prefix).extend(template["special_tokens"][item["SpecialToken"]["id"]]["ids"])
    pipeline = {**spec, "truncation": None, "padding": None, "added_tokens": [], "post_processor": None,
                "decoder": None, "model": {"type": "Unigram", "unk_id": 0, "vocab": [["<unk>", 0.0]],
                                           "byte_fallback": False}}
    write_atomically(tokenizer_json, lambda path: path.write_text(json.dumps(pipeline, ensure_ascii=False),
                                                                  encoding="utf-8"))
    write_atomically(vocab_npy, lambda path: np.save(path, vocab, allow_pickle=False))
    return {"unk_id": int(model["unk_id"]), "unk_score": min(s for _, s in model["vocab"]) - _UNK_PENALTY,
            "pad_id": int(hf_tokenizer.pad_token_id), "prefix": prefix, "suffix": suffix}


def write_atomically(final: Path, write: Callable[[Path], object]) -> None:
    """Call ``write(temp_path)`` for a temp file beside ``final``, then rename it to ``final``.

    Readers see the old file or the complete new one, never a partial one. Raises OSError."""
    fd, name = tempfile.mkstemp(prefix=f".{final.name}.tmp-", suffix=final.suffix, dir=final.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)
