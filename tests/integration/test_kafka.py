"""The Kafka client on a real broker: at-least-once with stored offsets, retries, dead letters, tracing."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Callable

import pytest
from confluent_kafka import Consumer
from opentelemetry import trace
from prometheus_client import REGISTRY as METRICS

from t1.tickets.v1 import events_pb2 as tickets_events
from t1lib.errors import PermanentEventError
from t1lib.events import new_event
from t1lib.kafka.codec import headers_dict
from t1lib.kafka.consumer import EventConsumer, EventContext
from t1lib.kafka.producer import Acks, EventProducer
from t1lib.kafka.topics import TopicRegistry, dlq_topic
from t1lib.telemetry import configure_telemetry, tracer
from tests.support.kafka import PARTITIONS
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


def message(chat_id: int, text: str = "Добрый день, карта заблокирована") -> tickets_events.TicketCreated:
    return new_event(tickets_events.TicketCreated, chat_id=chat_id, telegram_message_id=chat_id, text=text)


def consumer_for(
    bootstrap: str,
    registry: TopicRegistry,
    producer: EventProducer,
    group: str,
    handler: object,
    **options: object,
) -> EventConsumer:
    return EventConsumer(
        bootstrap=bootstrap,
        group_id=group,
        handlers={tickets_events.TicketCreated: handler},  # type: ignore[dict-item]
        dlq_producer=producer,
        registry=registry,
        **options,  # type: ignore[arg-type]
    )


async def run_until(consumer: EventConsumer, done: asyncio.Event, timeout_s: float = 30) -> None:
    task = asyncio.create_task(consumer.run())
    try:
        await asyncio.wait_for(done.wait(), timeout_s)
    finally:
        consumer.stop()
        await asyncio.wait_for(task, 15)


def read_all(
    bootstrap: str, topic: str, expected: int, timeout_s: float = 20
) -> list[tuple[bytes | None, bytes | None, dict[str, str]]]:
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"reader-{uuid.uuid4()}",
            "auto.offset.reset": "earliest",
        }
    )
    consumer.subscribe([topic])
    records: list[tuple[bytes | None, bytes | None, dict[str, str]]] = []
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline and len(records) < expected:
            record = consumer.poll(0.5)
            if record is None or record.error():
                continue
            records.append((record.key(), record.value(), headers_dict(record.headers())))
    finally:
        consumer.close()
    return records


async def test_restarted_consumer_resumes_without_loss_or_duplicates(
    bootstrap: str, registry: TopicRegistry, producer: EventProducer
) -> None:
    events = [message(chat_id) for chat_id in range(1, 41)]
    for event in events:
        await producer.publish(event)
    seen: list[str] = []
    group = f"group-{uuid.uuid4()}"

    first_batch_done = asyncio.Event()

    async def first_handler(event: tickets_events.TicketCreated, _context: EventContext) -> None:
        seen.append(event.event_id)
        if len(seen) == 15:
            first_batch_done.set()
            first.stop()

    first = consumer_for(bootstrap, registry, producer, group, first_handler)
    await run_until(first, first_batch_done)
    assert len(seen) == 15

    all_done = asyncio.Event()
    # A sentinel per key (so per partition), published after the events: once all are handled, a
    # redelivered duplicate of any event would have been handled before its key's sentinel.
    sentinels = [message(chat_id) for chat_id in range(1, 41)]
    sentinel_ids = {sentinel.event_id for sentinel in sentinels}
    sentinels_done = asyncio.Event()

    async def second_handler(event: tickets_events.TicketCreated, _context: EventContext) -> None:
        seen.append(event.event_id)
        if len(seen) >= len(events):
            all_done.set()
        if sentinel_ids <= set(seen):
            sentinels_done.set()

    second = consumer_for(bootstrap, registry, producer, group, second_handler)
    task = asyncio.create_task(second.run())
    await asyncio.wait_for(all_done.wait(), 30)
    for sentinel in sentinels:
        await producer.publish(sentinel)
    await asyncio.wait_for(sentinels_done.wait(), 30)
    second.stop()
    await asyncio.wait_for(task, 15)

    seen = [event_id for event_id in seen if event_id not in sentinel_ids]
    assert Counter(seen).most_common(1)[0][1] == 1, "an event was handled twice"
    assert set(seen) == {event.event_id for event in events}
    # Order is kept per key: each chat has one event here, so check per-partition order via offsets instead.
    assert len(seen) == 40


async def test_failed_handler_is_retried_and_offset_waits_for_success(
    bootstrap: str, registry: TopicRegistry, producer: EventProducer
) -> None:
    attempts: Counter[str] = Counter()
    handled: list[str] = []
    done = asyncio.Event()

    async def flaky(event: tickets_events.TicketCreated, context: EventContext) -> None:
        attempts[event.event_id] += 1
        if context.attempt < 3:
            raise ConnectionError("store briefly unavailable")
        handled.append(event.event_id)
        done.set()

    event = message(7)
    await producer.publish(event)
    consumer = consumer_for(bootstrap, registry, producer, f"g-{uuid.uuid4()}", flaky, backoff_s=0.01)
    await run_until(consumer, done)
    assert attempts[event.event_id] == 3
    assert handled == [event.event_id]


async def test_poison_records_go_to_dlq_and_consumption_continues(
    bootstrap: str, registry: TopicRegistry, producer: EventProducer
) -> None:
    topic = registry.for_message(tickets_events.TicketCreated).name
    good_before, good_after, rejected, failing = (
        message(1),
        message(1),
        message(1, "reject me"),
        message(1, "fail"),
    )
    await producer.publish(good_before)
    await producer.send(
        topic, b"1", b"\xff\xfe definitely not protobuf", [("proto-type", b"t1.tickets.v1.TicketCreated")]
    )
    await producer.publish(rejected)
    await producer.publish(failing)
    await producer.publish(good_after)

    handled: list[str] = []
    done = asyncio.Event()

    async def handler(event: tickets_events.TicketCreated, _context: EventContext) -> None:
        if event.text == "reject me":
            raise PermanentEventError("customer message has no content")
        if event.text == "fail":
            raise RuntimeError("always broken")
        handled.append(event.event_id)
        if event.event_id == good_after.event_id:
            done.set()

    group = f"g-{uuid.uuid4()}"
    consumer = consumer_for(bootstrap, registry, producer, group, handler, max_attempts=2, backoff_s=0.01)
    # exported at 0 before any dead letter, so increase() over a window sees the first one
    assert METRICS.get_sample_value("t1_kafka_dead_letters_total", {"topic": topic, "group": group}) == 0
    await run_until(consumer, done)
    assert handled == [good_before.event_id, good_after.event_id]
    # the topics are this test's own (a unique prefix), so the counters started at nothing
    assert METRICS.get_sample_value("t1_kafka_dead_letters_total", {"topic": topic, "group": group}) == 3
    assert METRICS.get_sample_value("t1_kafka_produced_total", {"topic": topic}) == 5
    assert METRICS.get_sample_value("t1_kafka_produced_total", {"topic": dlq_topic(topic)}) == 3

    dead = await asyncio.to_thread(read_all, bootstrap, dlq_topic(topic), 3)
    reasons = [headers["dlq-reason"] for _key, _value, headers in dead]
    assert reasons == ["undecodable", "rejected", "failed"]
    assert dead[0][1] == b"\xff\xfe definitely not protobuf"  # the original bytes are kept
    assert "no content" in dead[1][2]["dlq-error"]
    assert "always broken" in dead[2][2]["dlq-error"]
    assert all(headers["dlq-source-topic"] == topic and key == b"1" for key, _value, headers in dead)


async def test_trace_context_reaches_the_handler(
    bootstrap: str, registry: TopicRegistry, producer: EventProducer
) -> None:
    configure_telemetry("test")
    with tracer("test").start_as_current_span("operator-click") as span:
        await producer.publish(message(9))
    sent_trace = span.get_span_context().trace_id
    received: list[int] = []
    done = asyncio.Event()

    async def handler(_event: tickets_events.TicketCreated, context: EventContext) -> None:
        assert context.headers["proto-type"] == "t1.tickets.v1.TicketCreated"
        received.append(trace.get_current_span().get_span_context().trace_id)
        done.set()

    await run_until(consumer_for(bootstrap, registry, producer, f"g-{uuid.uuid4()}", handler), done)
    assert received == [sent_trace]


async def test_events_of_one_key_arrive_in_order(
    bootstrap: str, registry: TopicRegistry, producer: EventProducer
) -> None:
    events = [message(1234, f"сообщение {index}") for index in range(20)]
    for event in events:
        await producer.publish(event)
    texts: list[str] = []
    done = asyncio.Event()

    async def handler(event: tickets_events.TicketCreated, _context: EventContext) -> None:
        texts.append(event.text)
        if len(texts) == len(events):
            done.set()

    await run_until(consumer_for(bootstrap, registry, producer, f"g-{uuid.uuid4()}", handler), done)
    assert texts == [f"сообщение {index}" for index in range(20)]


async def test_keys_run_concurrently_and_each_key_stays_in_order(
    bootstrap: str, registry: TopicRegistry, producer: EventProducer
) -> None:
    chats, per_chat = 8, 15
    events = [
        message(chat, f"{chat}:{number}") for number in range(per_chat) for chat in range(100, 100 + chats)
    ]
    await asyncio.gather(*(producer.publish(event) for event in events))
    handled: dict[int, list[int]] = {}
    running = 0
    most_running = 0
    done = asyncio.Event()

    async def handler(event: tickets_events.TicketCreated, _context: EventContext) -> None:
        nonlocal running, most_running
        running += 1
        most_running = max(most_running, running)
        await asyncio.sleep(0.002 * (event.chat_id % 3))  # uneven work per key
        running -= 1
        handled.setdefault(event.chat_id, []).append(int(event.text.split(":")[1]))
        if sum(len(numbers) for numbers in handled.values()) == len(events):
            done.set()

    await run_until(consumer_for(bootstrap, registry, producer, f"g-{uuid.uuid4()}", handler), done)
    assert handled == {chat: list(range(per_chat)) for chat in range(100, 100 + chats)}
    assert most_running > 1, "records of different keys never ran at the same time"


async def test_batch_handler_takes_a_poll_and_falls_back_to_records_when_it_fails(
    bootstrap: str, registry: TopicRegistry, producer: EventProducer
) -> None:
    events = [message(chat) for chat in range(200, 230)]
    batches: list[int] = []
    one_by_one: list[str] = []
    in_batches: list[str] = []
    done = asyncio.Event()

    def check_done() -> None:
        if len(one_by_one) + len(in_batches) >= len(events):
            done.set()

    async def batch_handler(items: list[tuple[tickets_events.TicketCreated, EventContext]]) -> None:
        batches.append(len(items))
        if len(batches) == 1:
            raise RuntimeError("bulk write failed")
        in_batches.extend(event.event_id for event, _context in items)
        check_done()

    async def handler(event: tickets_events.TicketCreated, _context: EventContext) -> None:
        one_by_one.append(event.event_id)
        check_done()

    for event in events:
        await producer.publish(event)
    consumer = EventConsumer(
        bootstrap=bootstrap,
        group_id=f"g-{uuid.uuid4()}",
        handlers={tickets_events.TicketCreated: handler},
        batch_handlers={tickets_events.TicketCreated: batch_handler},
        dlq_producer=producer,
        registry=registry,
    )
    await run_until(consumer, done)
    assert batches
    assert batches[0] == len(one_by_one), "the failed batch went through the record handler"
    assert sorted(one_by_one + in_batches) == sorted(event.event_id for event in events)


async def test_a_batch_consumer_with_an_interval_takes_what_arrived_meanwhile_in_one_batch(
    bootstrap: str, registry: TopicRegistry, producer: EventProducer
) -> None:
    """The first record is handled at once; the records published during the interval that follows
    come in one batch at its end, not one poll each."""
    first, later = message(300), [message(chat) for chat in range(301, 321)]
    batches: list[list[str]] = []
    batch_started: list[float] = []
    first_handled = asyncio.Event()
    done = asyncio.Event()

    async def batch_handler(items: list[tuple[tickets_events.TicketCreated, EventContext]]) -> None:
        batches.append([event.event_id for event, _context in items])
        batch_started.append(time.monotonic())
        first_handled.set()
        if sum(len(batch) for batch in batches) == 1 + len(later):
            done.set()

    async def handler(event: tickets_events.TicketCreated, _context: EventContext) -> None:
        raise AssertionError("the batch handler takes every record here")

    consumer = consumer_for(
        bootstrap,
        registry,
        producer,
        f"g-{uuid.uuid4()}",
        handler,
        batch_handlers={tickets_events.TicketCreated: batch_handler},
        min_batch_interval_s=1.5,
    )
    task = asyncio.create_task(consumer.run())
    try:
        await producer.publish(first)
        await asyncio.wait_for(first_handled.wait(), 30)
        for event in later:
            await producer.publish(event)
        await asyncio.wait_for(done.wait(), 30)
    finally:
        consumer.stop()
        await asyncio.wait_for(task, 15)
    assert [sorted(batch) for batch in batches] == [
        [first.event_id],
        sorted(event.event_id for event in later),
    ]
    assert batch_started[1] - batch_started[0] >= 1.4


async def test_a_batch_handler_returning_acks_gets_the_next_poll_meanwhile_and_a_failed_ack_brings_both_again(
    bootstrap: str, registry: TopicRegistry, producer: EventProducer
) -> None:
    """The consumer handles the next poll while the previous poll's publishes wait for the broker; when
    one of them fails, neither poll's offsets are stored and both come again; once acknowledged they
    are not consumed again (checked by a second consumer of the group, after a sentinel)."""
    first, second, sentinel = message(400), message(401), message(402)
    pending_ack: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    calls: list[list[str]] = []
    changed = asyncio.Event()

    async def batch_handler(items: list[tuple[tickets_events.TicketCreated, EventContext]]) -> Acks:
        calls.append([event.event_id for event, _context in items])
        changed.set()
        return Acks([pending_ack]) if len(calls) == 1 else Acks()

    async def handler(event: tickets_events.TicketCreated, _context: EventContext) -> None:
        raise AssertionError("the batch handler takes every record here")

    async def wait_for(condition: Callable[[], bool]) -> None:
        while not condition():
            changed.clear()
            await asyncio.wait_for(changed.wait(), 30)

    def handled() -> list[str]:
        return [event_id for call in calls for event_id in call]

    group = f"g-{uuid.uuid4()}"
    consumer = consumer_for(
        bootstrap,
        registry,
        producer,
        group,
        handler,
        batch_handlers={tickets_events.TicketCreated: batch_handler},
    )
    task = asyncio.create_task(consumer.run())
    try:
        await producer.publish(first)
        await wait_for(lambda: len(calls) == 1)
        await producer.publish(second)
        await wait_for(lambda: second.event_id in handled())
        assert not pending_ack.done(), "the second poll was handled before the first one's acknowledgement"
        pending_ack.set_exception(RuntimeError("broker unreachable"))
        await wait_for(
            lambda: Counter(handled())[first.event_id] == 2 and Counter(handled())[second.event_id] == 2
        )
    finally:
        consumer.stop()
        await asyncio.wait_for(task, 15)
    assert calls[0] == [first.event_id]
    assert calls[1] == [second.event_id]

    after: list[str] = []
    sentinel_seen = asyncio.Event()

    async def later_batch_handler(items: list[tuple[tickets_events.TicketCreated, EventContext]]) -> None:
        after.extend(event.event_id for event, _context in items)
        if sentinel.event_id in after:
            sentinel_seen.set()

    later = consumer_for(
        bootstrap,
        registry,
        producer,
        group,
        handler,
        batch_handlers={tickets_events.TicketCreated: later_batch_handler},
    )
    await producer.publish(sentinel)
    await run_until(later, sentinel_seen)
    assert after == [sentinel.event_id], "records whose acknowledgements arrived were consumed again"


async def test_consumer_lag_is_exported_while_behind_and_falls_to_zero_once_caught_up(
    bootstrap: str, registry: TopicRegistry, producer: EventProducer
) -> None:
    group = f"group-{uuid.uuid4()}"
    topic = registry.for_message(tickets_events.TicketCreated).name

    def lag() -> float | None:
        """Summed over the partitions (None before any is reported)."""
        lags = [
            METRICS.get_sample_value(
                "t1_kafka_consumer_lag", {"topic": topic, "group": group, "partition": number}
            )
            for number in map(str, range(PARTITIONS))
        ]
        known = [value for value in lags if value is not None]
        return sum(known) if known else None

    for chat_id in range(1, 31):
        await producer.publish(message(chat_id))
    seen_lags: list[float] = []
    handled: list[str] = []

    async def handler(event: tickets_events.TicketCreated, _context: EventContext) -> None:
        handled.append(event.event_id)
        if (value := lag()) is not None:
            seen_lags.append(value)

    # One record a poll, a poll at most every 50 ms: the consumer stays behind for ~1.5 s of reports.
    consumer = consumer_for(
        bootstrap,
        registry,
        producer,
        group,
        handler,
        max_batch=1,
        min_batch_interval_s=0.05,
        statistics_interval_ms=100,
    )
    task = asyncio.create_task(consumer.run())
    try:
        await eventually(lambda: len(handled) >= 30, what="all 30 records handled")
        assert max(seen_lags, default=0) > 0, f"no lag was reported while behind: {seen_lags}"
        await eventually(lambda: lag() == 0, what="the lag back at 0")
    finally:
        consumer.stop()
        await asyncio.wait_for(task, 15)
