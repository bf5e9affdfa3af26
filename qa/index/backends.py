"""The backend a ``Settings`` names, opened: its reader (queries), its write target and its status.

The folder backend is imported eagerly (it is the default and cheap); Milvus only when asked
for, so ``pymilvus`` costs nothing to a process that does not use it.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from qa.config import Settings
from qa.embedding.encoders import Encoder
from qa.index.backend import FOLDER, BackendAddress, Reader, SearchView, parse_backend
from qa.index.folder import IndexDir
from qa.index.status import IndexStatus, index_status
from qa.index.view import IndexReader

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Backend:
    """An opened backend: ``reader`` for queries, ``target()`` for the write path, ``status`` for reports."""

    address: BackendAddress
    where: str  # what messages name: the index folder, or the Milvus address
    reader: Reader
    target: Callable[[], Any]  # a qa.index.writer.WriteTarget, made on the first write
    status: Callable[[SearchView], IndexStatus]

    @property
    def label(self) -> str:
        """The backend as ``QA_BACKEND`` names it."""
        return self.address.label


def open_backend(settings: Settings, folder: IndexDir, encoder: Callable[[], Encoder]) -> Backend:
    """Return the backend ``settings.backend`` names (the index folder ``folder`` by default).

    Raises:
        ValueError: ``settings.backend`` names no backend.
        BackendUnavailableError: Milvus cannot be reached or opened; the message says which address.
    """
    address = parse_backend(settings.backend)
    if address.kind == FOLDER:
        def target() -> Any:
            from qa.index.folder_target import FolderTarget  # the write path: numpy-heavy, only when writing
            return FolderTarget(folder, settings, encoder)
        return Backend(address, str(folder.path), IndexReader(folder), target, lambda view: index_status(folder, view))
    from qa.index import milvus_target, milvus_view

    store = milvus_view.connect(address)
    return Backend(address, address.label, milvus_view.MilvusReader(store),
                   lambda: milvus_target.MilvusTarget(store, settings, encoder),
                   milvus_view.status)
