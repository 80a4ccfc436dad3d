"""A MongoDB database whose writes pass a fence first (t1lib.lease.Fence): a process that lost its lease
writes nothing more, even through a call that was on its way when it lost it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from t1lib.lease import Fence

WRITES = frozenset(
    {
        "insert_one",
        "insert_many",
        "update_one",
        "update_many",
        "replace_one",
        "delete_one",
        "delete_many",
        "bulk_write",
        "find_one_and_update",
        "find_one_and_replace",
        "find_one_and_delete",
        "create_index",
        "create_indexes",
        "drop_indexes",
        "drop",
    }
)


class FencedCollection:
    def __init__(self, collection: Any, database: FencedDatabase, fence: Fence) -> None:
        self._collection = collection
        self._fence = fence
        self.database = database

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._collection, name)
        if name not in WRITES:
            return attribute
        return self._fenced(attribute)

    def _fenced(self, write: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def fenced(*args: Any, **kwargs: Any) -> Any:
            self._fence.check()
            return await write(*args, **kwargs)

        return fenced


class FencedDatabase:
    def __init__(self, database: Any, fence: Fence) -> None:
        self._database = database
        self._fence = fence

    def __getitem__(self, name: str) -> FencedCollection:
        return FencedCollection(self._database[name], self, self._fence)

    def get_collection(self, name: str, **options: Any) -> FencedCollection:
        return FencedCollection(self._database.get_collection(name, **options), self, self._fence)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._database, name)
