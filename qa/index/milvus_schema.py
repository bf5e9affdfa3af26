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


def _definitions(client: Any, dim: int) -> dict[str, tuple[Any, Any]]:
    from pymilvus import DataType, Function, FunctionType

    def schema(key_type: Any, fields: list[tuple[str, Any, dict[str, Any]]]) -> Any:
        s = client.create_schema(auto_id=False, enable_dynamic_field=False)
        s.add_field("key" if key_type == DataType.VARCHAR else "pk", key_type, is_primary=True,
                    **({"max_length": 512} if key_type == DataType.VARCHAR else {}))
        for name, kind, extra in fields:
            s.add_field(name, kind, **extra)
        return s

    text = {"max_length": MAX_VARCHAR}
    short = {"max_length": 1024}
    dummy = ("vec", DataType.FLOAT_VECTOR, {"dim": DUMMY_DIM})

    def index(field: str = "vec", **params: Any) -> Any:
        p = client.prepare_index_params()
        p.add_index(field_name=field, **(params or {"index_type": "FLAT", "metric_type": "L2"}))
        return p

    article_fields = [(name, DataType.VARCHAR, text) for name in
                      ("title", "source", "date", "url", "author", "language", "path", "content_key", "version",
                       "signature", "group_id", "duplicate_of")]
    articles = client.create_schema(auto_id=False, enable_dynamic_field=False)
    articles.add_field("id", DataType.VARCHAR, is_primary=True, max_length=512)
    for name, kind, extra in [*article_fields, ("meta_json", DataType.VARCHAR, text),
                              ("added_at", DataType.DOUBLE, {}), ("parts", DataType.INT64, {}), dummy]:
        articles.add_field(name, kind, **extra)

    owned = [("article_id", DataType.VARCHAR, {"max_length": 512}), ("version", DataType.VARCHAR, short)]
    offsets = [("start", DataType.INT64, {}), ("end", DataType.INT64, {})]
    chunks = schema(DataType.INT64, [*owned, ("chunk_id", DataType.VARCHAR, short), ("ordinal", DataType.INT64, {}),
                                     *offsets, ("text", DataType.VARCHAR, text),
                                     ("words", DataType.VARCHAR, {**text, "enable_analyzer": True, "enable_match": True,
                                                                  "analyzer_params": {"type": "standard"}}),
                                     ("sparse", DataType.SPARSE_FLOAT_VECTOR, {})])
    chunks.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["words"],
                                 output_field_names=["sparse"]))
    sentences = schema(DataType.INT64, [*owned, ("chunk_pk", DataType.INT64, {}), *offsets,
                                        ("text", DataType.VARCHAR, text), ("vector", DataType.FLOAT_VECTOR, {"dim": dim})])
    return {
        "meta": (schema(DataType.VARCHAR, [("value", DataType.VARCHAR, text), dummy]), index()),
        "articles": (articles, index()),
        "texts": (schema(DataType.INT64, [*owned, ("part", DataType.INT64, {}), ("text", DataType.VARCHAR, text),
                                          dummy]), index()),
        "chunks": (chunks, index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")),
        "sentences": (sentences, index("vector", **DENSE_INDEX)),
        "lsh": (schema(DataType.INT64, [*owned, ("band_key", DataType.VARCHAR, short), dummy]), index()),
    }
