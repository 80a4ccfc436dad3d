"""`python -m services.message_saver.search rebuild`: the search index again from MongoDB (T1_MONGO_URL,
T1_SEARCH_DIR). Stop message_saver first: an index has one writer."""

from __future__ import annotations

import argparse
import asyncio
import json
from dataclasses import asdict

from services.message_saver.config import MessageSaverSettings
from services.message_saver.search.index import SearchIndex, SearchIndexBusyError
from services.message_saver.search.store import rebuild_from_store
from t1lib.config import load_settings
from t1lib.stores import mongo_client


async def rebuild(settings: MessageSaverSettings) -> None:
    index = SearchIndex(
        settings.search_index_dir,
        heap_bytes=settings.search_writer_heap_mb * 1_000_000,
        threads=settings.search_writer_threads,
    )
    client = mongo_client(settings)
    try:
        report = await rebuild_from_store(index, client[settings.mongo_db])
    finally:
        index.close()
        await client.close()
    print(json.dumps({"index": str(index.path), **asdict(report)}))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m services.message_saver.search", description=__doc__)
    parser.add_argument("command", choices=["rebuild"])
    parser.parse_args()
    try:
        asyncio.run(rebuild(load_settings(MessageSaverSettings)))
    except SearchIndexBusyError as error:
        raise SystemExit(f"{error}\nStop message_saver, then run the rebuild again.") from None


if __name__ == "__main__":
    main()
