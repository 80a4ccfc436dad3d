"""What one store operation costs at the store's current size, through message_saver's Repository:
the reads the intake does for every customer message (point reads by _id) and the list query.
Read-only, so it runs against the live store. Explains where the pipeline's time goes as the store grows.

    .venv/bin/python -m bench.store_ops [--repeat 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bench.harness import latency_summary
from bench.loader import open_repository
from services.message_saver import domain
from services.message_saver.repository import Repository

SCAN_REPEAT = 3


async def timed(repeat: int, operation: Callable[[], Awaitable[Any]]) -> dict[str, float | None]:
    await operation()  # warm-up
    latencies: list[float] = []
    for _ in range(repeat):
        started = time.perf_counter()
        await operation()
        latencies.append((time.perf_counter() - started) * 1000)
    return latency_summary(latencies)


async def measure(repository: Repository, repeat: int) -> dict[str, Any]:
    # Any document will do; a sort would make FerretDB order the whole collection first (minutes at 1M).
    ticket = await repository.tickets.find_one({})
    message = await repository.messages.find_one({})
    active = await repository.active.find_one({})
    if ticket is None or message is None:
        return {"bench": "store", "status": "empty store"}
    open_only = [{"status": str(domain.Status.OPEN)}]
    operations: dict[str, Callable[[], Awaitable[Any]]] = {
        "ticket_by_id": lambda: repository.get_ticket(str(ticket["_id"])),
        "message_by_id": lambda: repository.get_message(str(message["_id"])),
        "missing_message_by_id": lambda: repository.get_message("no-such-message"),
        "active_ticket_by_chat": lambda: repository.active_ticket_id(int(active["_id"]) if active else 0),
        "list_open_first_page": lambda: repository.list_tickets(open_only, None, 51),
        "ticket_messages_first_page": lambda: repository.list_messages(str(ticket["_id"]), True, None, 101),
    }
    # The list query scans every ticket (seconds each at 100k): a few repetitions tell its cost.
    repeats = {name: min(repeat, SCAN_REPEAT) if name.startswith("list_") else repeat for name in operations}
    return {
        "bench": "store",
        "tickets": await repository.tickets.estimated_document_count(),
        "messages": await repository.messages.estimated_document_count(),
        "repeat": repeats,
        "ms": {name: await timed(repeats[name], operation) for name, operation in operations.items()},
    }


async def run(repeat: int) -> dict[str, Any]:
    client, repository = open_repository()
    try:
        return await measure(repository, repeat)
    finally:
        await client.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=30)
    print(json.dumps(asyncio.run(run(parser.parse_args().repeat)), ensure_ascii=False))


if __name__ == "__main__":
    main()
