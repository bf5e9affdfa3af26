"""The sentence-transformers encoder exported to ONNX (torch export), optionally int8, run by ONNX Runtime.

A candidate faster path for CPU passage encoding, measured by ``bench/encoder_bench.py``. The
exported graph is the BERT encoder plus mean pooling; vectors are L2-normalised here, texts get
the model's ``passage: `` prompt and are encoded in length-sorted batches like ``qa.embedding``.
int8 is ONNX Runtime dynamic quantisation of the MatMul weights, per output channel (the token
embedding table stays fp32: quantising it too costs accuracy for no speed).

Example::

    from qa.embedding import load_model
    model = load_model()
    path = export(model, Path("bench/out/onnx"), int8=True)
    enc = OnnxPassageEncoder(path, model.tokenizer, threads=1)
    vectors = enc.passages(["上海今天下雨。"])
"""
from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

PROMPT = "passage: "


def export(model: Any, folder: Path, *, int8: bool, per_channel: bool = True,
           quantize_embeddings: bool = False) -> Path:
    """Return the ONNX file of ``model`` (exported, then quantised if ``int8``), cached in ``folder``.

    The file name carries the model fingerprint, so a changed model is exported again.
    """
    from qa.embedding import model_fingerprint

    folder.mkdir(parents=True, exist_ok=True)
    fp = model_fingerprint(model)
    fp32 = folder / f"e5-{fp}-fp32.onnx"
    if not fp32.exists():
        _export_fp32(model, fp32)
    if not int8:
        return fp32
    tag = ("pc" if per_channel else "pt") + ("-emb" if quantize_embeddings else "")
    out = folder / f"e5-{fp}-int8-{tag}.onnx"
    if not out.exists():
        from onnxruntime.quantization import QuantType, quantize_dynamic

        t0 = time.perf_counter()
        tmp = out.with_suffix(".tmp.onnx")
        ops = ["MatMul", "Gather"] if quantize_embeddings else ["MatMul"]
        quantize_dynamic(str(fp32), str(tmp), weight_type=QuantType.QInt8, per_channel=per_channel,
                         op_types_to_quantize=ops)
        tmp.replace(out)
        log.info("quantised %s in %.1f s", out.name, time.perf_counter() - t0)
    return out


class _Pooled:  # a torch.nn.Module built lazily so importing this file needs no torch
    @staticmethod
    def make(bert: Any) -> Any:
        import torch

        class Pooled(torch.nn.Module):
            def __init__(self, inner: Any):
                super().__init__()
                self.inner = inner

            def forward(self, input_ids: Any, attention_mask: Any) -> Any:
                hidden = self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
                mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
                return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

        return Pooled(bert).eval()


def _export_fp32(model: Any, path: Path) -> None:
    """Export the transformer + mean pooling of a sentence-transformers model to ``path``."""
    import torch

    t0 = time.perf_counter()
    wrapped = _Pooled.make(model[0].auto_model)
    sample = model.tokenizer([PROMPT + "你好", PROMPT + "测试一下这个句子"], padding=True, return_tensors="pt")
    tmp = path.with_suffix(".tmp.onnx")
    with torch.inference_mode(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer and deprecation warnings of the TorchScript exporter
        torch.onnx.export(wrapped, (sample["input_ids"], sample["attention_mask"]), str(tmp),
                          input_names=["input_ids", "attention_mask"], output_names=["embedding"],
                          dynamic_axes={"input_ids": {0: "batch", 1: "tokens"},
                                        "attention_mask": {0: "batch", 1: "tokens"}, "embedding": {0: "batch"}},
                          opset_version=17, dynamo=False)
    tmp.replace(path)
    log.info("exported %s in %.1f s", path.name, time.perf_counter() - t0)


class OnnxPassageEncoder:
    """Passage vectors from an exported model through ONNX Runtime on CPU."""

    def __init__(self, path: Path, tokenizer: Any, *, threads: int = 1, batch_size: int = 32,
                 max_tokens: int = 512):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.tokenizer = tokenizer
        self.batch_size = batch_size
        self.max_tokens = max_tokens

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        """Return L2-normalised float32 vectors ``(len(texts), dim)``, rows in input order."""
        texts = [str(t) for t in texts]
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
        out: np.ndarray | None = None
        for start in range(0, len(order), self.batch_size):
            batch = order[start:start + self.batch_size]
            enc = self.tokenizer([PROMPT + texts[i] for i in batch], padding=True, truncation=True,
                                 max_length=self.max_tokens, return_tensors="np")
            vecs = self.session.run(None, {"input_ids": enc["input_ids"].astype(np.int64),
                                           "attention_mask": enc["attention_mask"].astype(np.int64)})[0]
            if out is None:
                out = np.zeros((len(texts), vecs.shape[1]), np.float32)
            out[batch] = vecs
        if out is None:
            return np.zeros((0, 0), np.float32)
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
