"""The stats service at a desk's size (issue 9): a stats instance of its own (its own topics, database,
consumer group and ports, so the stack's figures are left alone) is fed --stats-tickets tickets'
lifecycle events (opened, answered, closed) and --stats-reviews ratings through Kafka, spread over
--stats-days local days. Measured:

  ingest  events/s until stats counts every ticket and rating (the totals are the sentinel), and the
          stats process's CPU per event
  reads   sequential gRPC calls as the gateway makes them: 90-day summary (everyone, one operator, one
          category), the 90-day operator and category rows, the 90-day daily series, a 365-day summary
  load    a restart: seconds until the restarted instance answers with every ticket again (the facts
          are read back from MongoDB and the figures rebuilt)

Afterwards the instance is stopped and its database and topics are deleted."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import grpc
from confluent_kafka.admin import AdminClient
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from pymongo import MongoClient

from bench.harness import DATA_DIR, REPO, _cpu_s, latency_summary, note, port_open
from infra.engines.__main__ import service_env
from t1.notifications.v1 import events_pb2 as notifications
from t1.stats.v1 import events_pb2 as stats_events
from t1.stats.v1 import stats_service_pb2 as api
from t1.stats.v1 import stats_service_pb2_grpc as api_grpc
from t1.tickets.v1 import ticket_pb2 as tickets
from t1lib.grpc.client import open_blocking_channel
from t1lib.kafka.admin import ensure_topics
from t1lib.kafka.producer import EventProducer
from t1lib.kafka.topics import registry_with_prefix

ZONE = ZoneInfo("Europe/Minsk")
GRPC_PORT = 18003
METRICS_PORT = 19107
OPERATORS = [f"bench-op-{index:02d}" for index in range(12)]
CATEGORIES = ["Карты", "Кредиты", "Вклады", "Переводы", "Интернет-банк", "Ипотека", "Прочее", ""]
CALL_TIMEOUT_S = 10.0


def _stamp(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def desk_events(tickets_count: int, reviews_count: int, days: int, seed: int = 9) -> Iterator[Message]:
    """Each ticket's notifications in order (opened with the customer's message, the first operator
    reply, the close for ~92% of them), and a rating for `reviews_count` of the closed ones."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    start = now - timedelta(days=days)
    span_s = (now - start).total_seconds()
    closing = 0.92
    rate_share = min(1.0, reviews_count / max(1.0, tickets_count * closing))
    rated = 0
    for index in range(tickets_count):
        ticket_id = f"bench-stats-{index:07d}"
        created = start + timedelta(seconds=rng.random() * span_s * 0.995)
        operator = rng.choice(OPERATORS)
        category = rng.choice(CATEGORIES)
        ticket = tickets.Ticket(
            id=ticket_id,
            status=tickets.TICKET_STATUS_OPEN,
            category=category,
            created_at=_stamp(created),
            updated_at=_stamp(created),
            message_count=1,
        )
        yield _notification(ticket, _message(ticket_id, index * 10, created, customer=True), created)
        replied = created + timedelta(seconds=rng.lognormvariate(4.5, 1.2))
        ticket.status = tickets.TICKET_STATUS_ASSIGNED
        ticket.assignee_id = operator
        ticket.updated_at.CopyFrom(_stamp(replied))
        ticket.message_count = 2
        yield _notification(ticket, _message(ticket_id, index * 10 + 1, replied, customer=False), replied)
        closed = replied + timedelta(seconds=rng.lognormvariate(7.5, 1.3))
        if closed >= now or rng.random() > closing:
            continue
        ticket.status = tickets.TICKET_STATUS_CLOSED
        ticket.closed_at.CopyFrom(_stamp(closed))
        ticket.updated_at.CopyFrom(_stamp(closed))
        ticket.message_count = rng.randint(2, 14)
        yield _notification(ticket, None, closed)
        if rated < reviews_count and rng.random() < rate_share * 1.02:
            rated += 1
            rated_at = closed + timedelta(seconds=rng.randint(5, 3600))
            yield stats_events.ReviewSubmitted(
                event_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"bench-review-{ticket_id}")),
                occurred_at=_stamp(rated_at),
                ticket_id=ticket_id,
                operator_id=operator,
                rating=rng.choices((1, 2, 3, 4, 5), weights=(5, 5, 10, 30, 50))[0],
                comment="",
                ticket_closed_at=_stamp(closed),
                rated_at=_stamp(rated_at),
            )


def _message(ticket_id: str, number: int, at: datetime, *, customer: bool) -> tickets.Message:
    direction = tickets.MESSAGE_DIRECTION_CUSTOMER if customer else tickets.MESSAGE_DIRECTION_OPERATOR
    return tickets.Message(
        id=f"m{number:09d}", ticket_id=ticket_id, direction=direction, created_at=_stamp(at)
    )


def _notification(
    ticket: tickets.Ticket, message: tickets.Message | None, at: datetime
) -> notifications.WebsocketNotification:
    event = notifications.WebsocketNotification(
        event_id=str(uuid.uuid4()), occurred_at=_stamp(at), ticket_id=ticket.id, type="ticket_updated"
    )
    event.ticket.CopyFrom(ticket)
    if message is not None:
        event.message.CopyFrom(message)
    return event


class Instance:
    """A stats process of the bench's own, on its own topics (prefix), database and ports."""

    def __init__(self, tag: str) -> None:
        self.prefix = f"bench-{tag}."
        self.database = f"bench_stats_{tag}"
        self.env = {
            **os.environ,
            **service_env(),
            "T1_KAFKA_TOPIC_PREFIX": self.prefix,
            "T1_MONGO_DB": self.database,
            "T1_CONSUMER_GROUP": f"bench-stats-{tag}",
            "T1_GRPC_PORT": str(GRPC_PORT),
            "T1_METRICS_PORT": str(METRICS_PORT),
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = DATA_DIR / "logs" / "bench-stats.log"

    def start(self, timeout_s: float = 120) -> None:
        if port_open(GRPC_PORT):
            raise RuntimeError(f"port {GRPC_PORT} is taken: is another bench running?")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "services.stats"],
                cwd=REPO,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout_s
        while not port_open(GRPC_PORT):
            if self.process.poll() is not None:
                raise RuntimeError(f"bench stats exited with {self.process.returncode}; see {self.log_path}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"bench stats did not listen on {GRPC_PORT}; see {self.log_path}")
            time.sleep(0.05)

    @property
    def cpu_s(self) -> float:
        return _cpu_s(self.process.pid) if self.process is not None else 0.0

    def stop(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None

    def remove(self) -> None:
        """Delete the instance's database and topics."""
        mongo: MongoClient[dict[str, Any]]
        with MongoClient(self.env["T1_MONGO_URL"]) as mongo:
            mongo.drop_database(self.database)
        admin = AdminClient({"bootstrap.servers": self.env["T1_KAFKA_BOOTSTRAP"]})
        topics = [name for name in admin.list_topics(timeout=10).topics if name.startswith(self.prefix)]
        if topics:
            for future in admin.delete_topics(topics, operation_timeout=30).values():
                with contextlib.suppress(Exception):
                    future.result()


def scope(days: int, operator_id: str = "", category: str = "") -> api.Scope:
    last = datetime.now(ZONE).date()
    first = last - timedelta(days=days - 1)
    return api.Scope(
        first_day=first.isoformat(), last_day=last.isoformat(), operator_id=operator_id, category=category
    )


def wait_counted(
    stub: api_grpc.StatsServiceStub, tickets_count: int, reviews_count: int, timeout_s: float
) -> api.Figures:
    """Until stats counts every ticket and every rating of the whole history (the sentinel)."""
    deadline = time.monotonic() + timeout_s
    everything = scope(366)
    figures = api.Figures()
    while time.monotonic() < deadline:
        with contextlib.suppress(grpc.RpcError):
            figures = stub.GetSummary(api.GetSummaryRequest(scope=everything), timeout=CALL_TIMEOUT_S).figures
            if figures.tickets_created >= tickets_count and figures.ratings_count >= reviews_count:
                return figures
        time.sleep(0.5)
    raise RuntimeError(
        f"stats counted {figures.tickets_created}/{tickets_count} tickets and "
        f"{figures.ratings_count}/{reviews_count} ratings within {timeout_s:.0f} s"
    )


def timed(call: Callable[[], Any], count: int) -> dict[str, Any]:
    for _ in range(3):
        call()
    latencies: list[float] = []
    for _ in range(count):
        started = time.perf_counter()
        call()
        latencies.append((time.perf_counter() - started) * 1000)
    return latency_summary(latencies)


async def run(
    tickets_count: int, reviews_count: int, days: int, reads: int, timeout_s: float
) -> list[dict[str, Any]]:
    tag = uuid.uuid4().hex[:8]
    instance = Instance(tag)
    registry = registry_with_prefix(instance.prefix)
    bootstrap = instance.env["T1_KAFKA_BOOTSTRAP"]
    ensure_topics(bootstrap, registry, partitions=int(instance.env.get("T1_KAFKA_TOPIC_PARTITIONS", "3")))
    note(f"stats: generating {tickets_count} tickets' events over {days} days")
    events = list(desk_events(tickets_count, reviews_count, days))
    reviews = sum(isinstance(event, stats_events.ReviewSubmitted) for event in events)
    records: list[dict[str, Any]] = []
    try:
        instance.start()
        channel = open_blocking_channel(f"127.0.0.1:{GRPC_PORT}", instance.env["T1_SERVICE_TOKEN"])
        stub = api_grpc.StatsServiceStub(channel)
        cpu_before = instance.cpu_s
        started = time.perf_counter()
        producer = EventProducer(bootstrap, f"bench-stats-{tag}", registry=registry)
        try:
            for offset in range(0, len(events), 5_000):
                await producer.publish_many(events[offset : offset + 5_000])
        finally:
            producer.close()
        produced_s = time.perf_counter() - started
        note(f"stats: {len(events)} events produced in {produced_s:.1f} s; waiting until stats counts them")
        figures = wait_counted(stub, tickets_count, reviews, timeout_s)
        ingest_s = time.perf_counter() - started
        cpu_s = instance.cpu_s - cpu_before
        records.append(
            {
                "bench": "stats_ingest",
                "tickets": tickets_count,
                "reviews": reviews,
                "events": len(events),
                "days": days,
                "seconds": round(ingest_s, 1),
                "events_per_s": round(len(events) / ingest_s),
                "stats_cpu_ms_per_event": round(cpu_s * 1000 / len(events), 3),
                "tickets_closed": figures.tickets_closed,
                "csat_average": round(figures.csat_average, 3),
            }
        )
        note("stats: timing reads")
        operator, category = OPERATORS[3], CATEGORIES[1]
        queries: dict[str, Callable[[], Any]] = {
            "summary_90d": lambda: stub.GetSummary(
                api.GetSummaryRequest(scope=scope(90)), timeout=CALL_TIMEOUT_S
            ),
            "summary_90d_operator": lambda: stub.GetSummary(
                api.GetSummaryRequest(scope=scope(90, operator_id=operator)), timeout=CALL_TIMEOUT_S
            ),
            "summary_90d_category": lambda: stub.GetSummary(
                api.GetSummaryRequest(scope=scope(90, category=category)), timeout=CALL_TIMEOUT_S
            ),
            "operators_90d": lambda: stub.ListOperatorSummaries(
                api.ListOperatorSummariesRequest(scope=scope(90)), timeout=CALL_TIMEOUT_S
            ),
            "daily_90d": lambda: stub.GetDailySeries(
                api.GetDailySeriesRequest(scope=scope(90)), timeout=CALL_TIMEOUT_S
            ),
            "summary_365d": lambda: stub.GetSummary(
                api.GetSummaryRequest(scope=scope(365)), timeout=CALL_TIMEOUT_S
            ),
        }
        for name, call in queries.items():
            records.append(
                {
                    "bench": "stats_read",
                    "query": name,
                    "requests": reads,
                    "tickets": tickets_count,
                    "reviews": reviews,
                    "latency_ms": timed(call, reads),
                }
            )
        note("stats: restarting the instance (load from MongoDB)")
        channel.close()
        instance.stop()
        started = time.perf_counter()
        instance.start()
        channel = open_blocking_channel(f"127.0.0.1:{GRPC_PORT}", instance.env["T1_SERVICE_TOKEN"])
        stub = api_grpc.StatsServiceStub(channel)
        wait_counted(stub, tickets_count, reviews, timeout_s)
        records.append(
            {
                "bench": "stats_load",
                "tickets": tickets_count,
                "seconds_until_counted": round(time.perf_counter() - started, 1),
            }
        )
        channel.close()
    finally:
        instance.stop()
        instance.remove()
    return records
