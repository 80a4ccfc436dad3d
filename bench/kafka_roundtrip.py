"""Kafka round trip through t1lib on the local broker: publish N events, consume them, print numbers.

Run: `make infra-up && .venv/bin/python -m bench.kafka_roundtrip [--events 2000]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
import uuid

from infra.engines.__main__ import ENGINES
from t1.tickets.v1 import events_pb2 as tickets_events
from t1lib.events import new_event, to_datetime
from t1lib.kafka.admin import ensure_topics
from t1lib.kafka.consumer import EventConsumer, EventContext
from t1lib.kafka.producer import EventProducer
from t1lib.kafka.topics import EVENT_TYPES, TopicRegistry


async def main(events: int) -> None:
    bootstrap = ENGINES["kafka"].url()
    registry = TopicRegistry(EVENT_TYPES, prefix=f"bench-{uuid.uuid4().hex[:8]}.")
    ensure_topics(bootstrap, registry)
    producer = EventProducer(bootstrap, "bench", registry=registry)
    latencies_ms: list[float] = []
    done = asyncio.Event()

    async def handler(event: tickets_events.TicketCreated, _context: EventContext) -> None:
        latencies_ms.append((time.time() - to_datetime(event.occurred_at).timestamp()) * 1000)
        if len(latencies_ms) == events:
            done.set()

    consumer = EventConsumer(
        bootstrap=bootstrap,
        group_id="bench",
        handlers={tickets_events.TicketCreated: handler},
        dlq_producer=producer,
        registry=registry,
    )
    task = asyncio.create_task(consumer.run())
    await asyncio.wait_for(consumer.assigned.wait(), 30)
    started = time.perf_counter()
    await asyncio.gather(
        *(
            producer.publish(new_event(tickets_events.TicketCreated, chat_id=i % 50 + 1, text="Здравствуйте"))
            for i in range(events)
        )
    )
    published_s = time.perf_counter() - started
    await asyncio.wait_for(done.wait(), 120)
    total_s = time.perf_counter() - started
    consumer.stop()
    await task
    producer.close()
    latencies_ms.sort()
    print(
        json.dumps(
            {
                "events": events,
                "publish_per_s": round(events / published_s),
                "end_to_end_per_s": round(events / total_s),
                "latency_p50_ms": round(statistics.median(latencies_ms), 1),
                "latency_p99_ms": round(latencies_ms[int(len(latencies_ms) * 0.99) - 1], 1),
            }
        )
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=2000)
    asyncio.run(main(parser.parse_args().events))
