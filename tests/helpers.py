"""Small shared builders for tests (articles, settings with the fast hashing encoder)."""
from __future__ import annotations

from pathlib import Path

from qa.config import Settings
from qa.types import Article

SUleyman_TEXT = (
    "微软聘请了穆斯塔法·苏莱曼（Mustafa Suleyman）来领导新的消费级人工智能部门。\n"
    "知情人士说，微软希望减少对 OpenAI 的依赖，因此聘请了苏莱曼和他的团队。\n"
    "苏莱曼曾是 DeepMind 的联合创始人，后来创办了 Inflection AI。"
)


def hashing_settings(tmp_path: Path, backend: str = "folder", **overrides: object) -> Settings:
    """Settings that use the torch-free hashing encoder and an index under ``tmp_path``: the folder
    ``tmp_path/index``, or with ``backend="milvus-lite"`` the Milvus Lite file ``tmp_path/index.db``."""
    overrides.setdefault("model", "hashing:64")
    return Settings.from_env({}, index_dir=tmp_path / "index", backend=backend_value(tmp_path, backend), **overrides)


def backend_value(tmp_path: Path, backend: str) -> str:
    """Return the ``QA_BACKEND`` value for ``backend`` ("folder" or "milvus-lite") under ``tmp_path``."""
    return f"milvus-lite:{tmp_path / 'index.db'}" if backend == "milvus-lite" else backend


def article(aid: str, text: str, **kw: object) -> Article:
    """Return an article with a title derived from the id unless given."""
    kw.setdefault("title", f"标题 {aid}")
    return Article(id=aid, text=text, **kw)  # type: ignore[arg-type]


def sample_articles() -> list[Article]:
    """Three small, unrelated articles with dates and outlets."""
    return [
        article("ms", SUleyman_TEXT, source="智东西", date="2025-04-30"),
        article("tesla", "特斯拉公布了季度财报。\n公司表示交付量有所下降，股价随之下跌。", source="新浪科技", date="2024-10-20"),
        article("rain", "北京今天下了大雨，气温明显下降。\n气象台发布了暴雨蓝色预警。", source="新华社", date="2023-07-01"),
    ]
