"""What one reading of the desk's gauges costs (not a test): TicketViews.desk_figures on the real Redis,
over a read model of many tickets, under a key prefix of its own (deleted afterwards).

    .venv/bin/python -m tests.message_saver.bench_desk_metrics --open 3000 --assigned 2000 --closed 5000

Prints one JSON line: the tickets, the milliseconds of a reading (median and max of --runs) and the
event loop's CPU milliseconds per reading (the proto parsing of the assigned tickets)."""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from infra.engines.__main__ import service_env
from services.message_saver.views import TicketViews
from t1lib.config import RedisSettings
from t1lib.stores import redis_client

OPERATORS = 25


def ticket(number: int, status: str, now: datetime) -> dict[str, Any]:
    at = now - timedelta(seconds=number)
    doc: dict[str, Any] = {
        "_id": str(uuid.uuid4()),
        "chat_id": 10_000 + number,
        "status": status,
        "customer": {"chat_id": 10_000 + number, "first_name": "Иван", "last_name": "Петров"},
        "title": "Не проходит оплата картой",
        "created_at": at,
        "updated_at": at,
        "last_message_at": at,
        "last_message_preview": "Здравствуйте! Не проходит оплата картой, что делать?",
        "version": 1,
    }
    if status != "open":
        doc["assignee_id"] = f"operator-{number % OPERATORS}"
    if status != "closed" and number % 2:
        doc["waiting_since"] = at
    return doc


async def main(open_count: int, assigned: int, closed: int, runs: int) -> None:
    settings = RedisSettings(redis_url=service_env()["T1_REDIS_URL"])
    client = redis_client(settings, decode_responses=False)
    prefix = f"bench-desk-{uuid.uuid4().hex[:8]}:"
    views = TicketViews(client, prefix)
    now = datetime.now(UTC)
    statuses = ["open"] * open_count + ["assigned"] * assigned + ["closed"] * closed
    try:
        docs = [ticket(number, status, now) for number, status in enumerate(statuses)]
        for start in range(0, len(docs), 1000):
            await views.put_many(docs[start : start + 1000])
        walls: list[float] = []
        cpus: list[float] = []
        for _ in range(runs):
            wall, cpu = time.perf_counter(), time.process_time()
            figures = await views.desk_figures()
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
        assert figures.open_by_status == {"open": open_count, "assigned": assigned}
        assert sum(figures.open_by_operator.values()) == assigned
        line = {
            "tickets": len(docs),
            "open": open_count,
            "assigned": assigned,
            "closed": closed,
            "runs": runs,
            "ms_median": round(statistics.median(walls), 2),
            "ms_max": round(max(walls), 2),
            "cpu_ms_median": round(statistics.median(cpus), 2),
        }
        print(json.dumps(line))
    finally:
        keys = [key async for key in client.scan_iter(match=prefix + "*", count=1000)]
        for start in range(0, len(keys), 1000):
            await client.unlink(*keys[start : start + 1000])
        await client.aclose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=3000)
    parser.add_argument("--assigned", type=int, default=2000)
    parser.add_argument("--closed", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=20)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.open, arguments.assigned, arguments.closed, arguments.runs))
