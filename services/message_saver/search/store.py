"""Rebuilding the index from what message_saver stored in MongoDB."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from services.message_saver.repository import ACTIVE_STATUS_NAMES, MESSAGES, TICKETS
from services.message_saver.search.index import RebuildReport, SearchIndex
from services.message_saver.ticket_log import CHANGES, ChangeLog, with_changes

READ_BATCH = 2_000


async def rebuild_from_store(index: SearchIndex, database: AsyncDatabase[dict[str, Any]]) -> RebuildReport:
    """Every stored ticket, then every message. New events meanwhile wait for the rebuild and are applied
    after it (they replace documents by id, so nothing is indexed twice)."""
    return await index.rebuild(
        _tickets_with_changes(database), database[MESSAGES].find({}, batch_size=READ_BATCH)
    )


async def _tickets_with_changes(database: AsyncDatabase[dict[str, Any]]) -> AsyncIterator[dict[str, Any]]:
    """The stored tickets, an active one with the field changes (a title) its document lacks yet."""
    changes = ChangeLog(database[CHANGES])
    async for doc in database[TICKETS].find({}, batch_size=READ_BATCH):
        if doc.get("status") in ACTIVE_STATUS_NAMES:
            doc = with_changes(doc, await changes.tail(doc))
        yield doc
