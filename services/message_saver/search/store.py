"""Rebuilding the index from what message_saver stored in MongoDB."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from services.message_saver.repository import MESSAGES, TICKETS
from services.message_saver.search.index import RebuildReport, SearchIndex

READ_BATCH = 2_000


async def rebuild_from_store(index: SearchIndex, database: AsyncDatabase[dict[str, Any]]) -> RebuildReport:
    """Every stored ticket, then every message. New events meanwhile wait for the rebuild and are applied
    after it (they replace documents by id, so nothing is indexed twice)."""
    return await index.rebuild(
        database[TICKETS].find({}, batch_size=READ_BATCH),
        database[MESSAGES].find({}, batch_size=READ_BATCH),
    )
