"""The Milvus backend's collections: what each holds and how it is indexed.

``meta``      key/value: the index's model, dimension, chunking, generation; write intents
``articles``  one row per article (the commit mark of its write): metadata, content key, version,
              near-duplicate group, signature; its text lives in ``texts`` parts
``texts``     article text in parts of 16,000 characters (a VARCHAR holds 65,535 bytes)
``chunks``    passages: text, offsets, and the hashed jieba words with a BM25 function over them
``sentences`` offsets, text and the sentence vector (dense search)
``lsh``       LSH band keys of each article's MinHash signature (near-duplicate candidates)

Every row but an article's carries the article id and version; readers use a row only when the
article row exists with that version, so an interrupted write is never half visible.
"""
from __future__ import annotations

from typing import Any

MAX_VARCHAR = 65_535  # bytes, Milvus's limit
DUMMY_DIM = 2  # Milvus needs a vector field in every collection; the bookkeeping ones carry a constant one

# The dense index. Milvus Lite has FLAT (exact, as the folder backend's default); on a server past
# ~1M sentences use HNSW or IVF_SQ8 / DiskANN (docs/scaling.md), set here for new index sets.
DENSE_INDEX = {"index_type": "FLAT", "metric_type": "IP"}


def create_collections(client: Any, prefix: str, dim: int) -> None:
    """Create the collections of one index set (``prefix``_kind), with their indexes, loaded."""
    for kind, (schema, index) in _definitions(client, dim).items():
        client.create_collection(f"{prefix}_{kind}", schema=schema, index_params=index, consistency_level="Strong")


Field = tuple[str, Any, dict[str, Any]]


def create_pointer(client: Any, name: str) -> None:
    """Create the key/value collection ``name`` that names the live index set."""
    from pymilvus import DataType

    schema = _schema(client, ("key", DataType.VARCHAR), [("value", DataType.VARCHAR, {"max_length": MAX_VARCHAR}),
                                                         ("vec", DataType.FLOAT_VECTOR, {"dim": DUMMY_DIM})])
    client.create_collection(name, schema=schema, index_params=_index(client), consistency_level="Strong")


def _definitions(client: Any, dim: int) -> dict[str, tuple[Any, Any]]:
    """Return ``{kind: (schema, index parameters)}`` of the collections of one index set."""
    from pymilvus import DataType, Function, FunctionType

    text, short = {"max_length": MAX_VARCHAR}, {"max_length": 1024}
    dummy: Field = ("vec", DataType.FLOAT_VECTOR, {"dim": DUMMY_DIM})
    owned: list[Field] = [("article_id", DataType.VARCHAR, {"max_length": 512}), ("version", DataType.VARCHAR, short)]
    offsets: list[Field] = [("start", DataType.INT64, {}), ("end", DataType.INT64, {})]
    article: list[Field] = [(name, DataType.VARCHAR, text) for name in (
        "title", "source", "date", "url", "author", "language", "path", "content_key", "version", "signature",
        "group_id", "duplicate_of", "meta_json")] + [("added_at", DataType.DOUBLE, {}), ("parts", DataType.INT64, {})]
    words: Field = ("words", DataType.VARCHAR, {**text, "enable_analyzer": True, "enable_match": True,
                                                "analyzer_params": {"type": "standard"}})
    chunks = _schema(client, ("pk", DataType.INT64), [
        *owned, ("chunk_id", DataType.VARCHAR, short), ("ordinal", DataType.INT64, {}), *offsets,
        ("text", DataType.VARCHAR, text), words, ("sparse", DataType.SPARSE_FLOAT_VECTOR, {})])
    chunks.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["words"],
                                 output_field_names=["sparse"]))
    sentences = _schema(client, ("pk", DataType.INT64), [
        *owned, ("chunk_pk", DataType.INT64, {}), *offsets, ("text", DataType.VARCHAR, text),
        ("vector", DataType.FLOAT_VECTOR, {"dim": dim})])
    return {
        # Integer keys (``milvus_store.article_key``/``meta_key``) and the names as plain fields: pymilvus's
        # query iterator pages by ``pk > "last"`` without escaping, so a quote in a string key broke scans.
        "meta": (_schema(client, ("pk", DataType.INT64), [("key", DataType.VARCHAR, {"max_length": 4096}),
                                                           ("value", DataType.VARCHAR, text), dummy]), _index(client)),
        "articles": (_schema(client, ("pk", DataType.INT64), [("id", DataType.VARCHAR, {"max_length": 4096}),
                                                               *article, dummy]), _index(client)),
        "texts": (_schema(client, ("pk", DataType.INT64), [*owned, ("part", DataType.INT64, {}),
                                                           ("text", DataType.VARCHAR, text), dummy]), _index(client)),
        "chunks": (chunks, _index(client, "sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")),
        "sentences": (sentences, _index(client, "vector", **DENSE_INDEX)),
        "lsh": (_schema(client, ("pk", DataType.INT64), [*owned, ("band_key", DataType.VARCHAR, short), dummy]),
                _index(client)),
    }


def _schema(client: Any, key: tuple[str, Any], fields: list[Field]) -> Any:
    """Return a schema with primary key ``key`` (name, type) and ``fields``, nothing dynamic."""
    from pymilvus import DataType

    schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
    name, kind = key
    schema.add_field(name, kind, is_primary=True, **({"max_length": 512} if kind == DataType.VARCHAR else {}))
    for field_name, field_kind, extra in fields:
        schema.add_field(field_name, field_kind, **extra)
    return schema


def _index(client: Any, field: str = "vec", **params: Any) -> Any:
    """Return index parameters for ``field`` (the constant vector of bookkeeping collections by default)."""
    index = client.prepare_index_params()
    index.add_index(field_name=field, **(params or {"index_type": "FLAT", "metric_type": "L2"}))
    return index
