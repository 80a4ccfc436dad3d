"""Rebuilding the search index from MongoDB (FerretDB), as message_saver stores tickets and messages."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from services.message_saver.config import MessageSaverSettings
from services.message_saver.domain import utcnow
from services.message_saver.intake import new_ticket_doc
from services.message_saver.search import SearchIndex, SearchIndexBusyError, rebuild_from_store
from t1lib.stores import mongo_client

pytestmark = pytest.mark.integration


async def test_rebuild_reads_the_store(engines: dict[str, str], tmp_path: Path) -> None:
    settings = MessageSaverSettings(mongo_db=f"search_{uuid.uuid4().hex[:10]}", search_dir=str(tmp_path))
    client = mongo_client(settings)
    database = client[settings.mongo_db]
    now = utcnow()
    customer = {"telegram_user_id": 777001, "chat_id": 777001, "first_name": "Пётр", "username": "petr"}
    ticket = new_ticket_doc("t1", 777001, customer, "m1", now)
    await database["tickets"].insert_one({**ticket, "title": "Возврат средств"})
    await database["messages"].insert_one(
        {
            "_id": "m1",
            "ticket_id": "t1",
            "direction": "customer",
            "text": "Верните деньги за двойное списание",
            "attachments": [],
            "created_at": now,
        }
    )
    index = SearchIndex(settings.search_dir)
    try:
        with pytest.raises(SearchIndexBusyError):
            SearchIndex(settings.search_dir)
        report = await rebuild_from_store(index, database)
        assert (report.tickets, report.messages) == (1, 1)
        (hit,) = (await index.search("списания"))[0]
        assert (hit.ticket.id, hit.message_id, hit.ticket.title) == ("t1", "m1", "Возврат средств")
        assert [hit.matched_field for hit in (await index.search("777001"))[0]] == ["customer"]
    finally:
        index.close()
        await client.drop_database(settings.mongo_db)
        await client.close()
