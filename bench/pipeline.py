"""The customer's path and the operator's reply, measured from outside the way a user meets them.

Customers write through the Telegram sandbox (`POST /sandbox/messages:batch`: the bot receives each as a
normal `message` update through getUpdates); an operator's WebSocket at the gateway (`/api/v1/ws`) receives
`message.created`. Every message carries a nonce, so the driver knows when each one arrived, and whether
one arrived twice or never. Times are the schedule's (start + k / rate), not the moment the driver got
round to sending, so a late driver shows up as latency instead of hiding it (`send_lag` says how late).

Replies: an operator takes a fresh ticket and posts a reply to the gateway; the time runs until the fake
Telegram stores the bot's sendMessage (`at` of the sandbox message, same clock)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import aiohttp
import httpx
import websockets
from websockets.typing import Subprotocol

from bench import texts
from bench.harness import (
    GATEWAY,
    REPO,
    SANDBOX,
    Operator,
    ProcessTable,
    bearer,
    cpu_per_message,
    latency_summary,
    note,
    pace_ms,
    port_open,
)
from t1lib.live_auth import offered_protocols

NONCE = re.compile(r"\[#(b[0-9a-f]+\.\d+\.\d+)#\]")
TICK_S = 0.005  # the driver sends what is due every 5 ms: 5 messages a batch at 1,000 msg/s
# Customers of a run: 7_000_000_000 + a run's block of 100,000 chats (the loader's start at 8_000_000_000).
CHAT_BASE = 7_000_000_000


@dataclass
class Arrival:
    times: list[float] = field(default_factory=list)
    ticket_id: str = ""
    # From message_saver's notification event (its occurred_at) to the operator's socket, first arrival.
    notified_ms: float | None = None


class LiveEvents:
    """An operator's live stream at the gateway. Records message.created by nonce and when each ticket
    first showed a title (and a category); everything else is counted and dropped."""

    def __init__(self, token: str, previous: LiveEvents | None = None) -> None:
        """`previous`: a stream this one replaces (a restarted stack); what it saw is kept, so a message
        of an earlier scenario that arrives late is still counted."""
        self.url = f"{GATEWAY.replace('http', 'ws', 1)}/api/v1/ws"
        self.subprotocols = [Subprotocol(protocol) for protocol in offered_protocols(token)]
        self.arrivals: dict[str, Arrival] = previous.arrivals if previous else {}
        self.titled: dict[str, float] = previous.titled if previous else {}
        self.categorised: dict[str, float] = previous.categorised if previous else {}
        self.frames = 0
        self.last_arrival = 0.0
        self.closed: str | None = None
        self._task: asyncio.Task[None] | None = None
        self._connected = asyncio.Event()
        self._changed = asyncio.Event()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="bench-live-events")
        connected = asyncio.create_task(self._connected.wait())
        await asyncio.wait({self._task, connected}, timeout=15, return_when=asyncio.FIRST_COMPLETED)
        connected.cancel()
        if self._task.done():
            self._task.result()  # the connection's error
        if not self._connected.is_set():
            raise TimeoutError(f"no WebSocket at {self.url} within 15 s")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    async def _run(self) -> None:
        try:
            async with websockets.connect(
                self.url, subprotocols=self.subprotocols, max_size=None, open_timeout=10
            ) as socket_:
                self._connected.set()
                async for frame in socket_:
                    self.handle(frame, time.monotonic())
        except Exception as error:
            self.closed = f"{type(error).__name__}: {error}"
            raise
        self.closed = "closed by the server"

    async def wait_until(self, condition: Callable[[], bool], timeout_s: float) -> bool:
        """Wait until `condition()` holds after some event arrived (or at once); False on timeout."""
        deadline = time.monotonic() + timeout_s
        while not condition():
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.closed:
                return False
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 1.0))
        return True

    def handle(self, frame: str | bytes, now: float) -> None:
        self.frames += 1
        self._changed.set()
        event = json.loads(frame)
        kind = event.get("type")
        if kind == "message.created":
            found = NONCE.search(str((event.get("message") or {}).get("text", "")))
            if found:
                arrival = self.arrivals.setdefault(found.group(1), Arrival())
                if not arrival.times:
                    arrival.notified_ms = notified_ms(event.get("occurred_at"))
                arrival.times.append(now)
                arrival.ticket_id = str(event.get("ticket_id", ""))
                self.last_arrival = now
        elif kind in ("ticket.updated", "ticket.created"):
            ticket = event.get("ticket") or {}
            ticket_id = str(event.get("ticket_id", ""))
            if ticket.get("title") and ticket_id not in self.titled:
                self.titled[ticket_id] = now
            if ticket.get("category") and ticket_id not in self.categorised:
                self.categorised[ticket_id] = now


def notified_ms(occurred_at: object) -> float | None:
    """Milliseconds since the notification event was made (same machine, same wall clock)."""
    if not isinstance(occurred_at, str):
        return None
    try:
        made = datetime.fromisoformat(occurred_at).timestamp()
    except ValueError:
        return None
    return (time.time() - made) * 1000


@dataclass
class Outgoing:
    nonce: str
    chat_id: int
    text: str
    first_name: str
    last_name: str
    scheduled: float = 0.0
    opens: bool = False


class Customers:
    """A growing population of chats: a share of messages come from new customers (new tickets), the
    rest are follow-ups from customers who already wrote in this run."""

    def __init__(self, run: str, rng: random.Random) -> None:
        self.run = run
        self.rng = rng
        self.chats: list[int] = []
        self._next_chat = CHAT_BASE + (int(time.time()) % 9_000) * 100_000
        self._count = 0

    def telegram_restarted(self) -> None:
        """The fake Telegram keeps its chats in memory and numbers each chat's messages from 1 again
        after a restart; the real one never reuses a message id in a chat. So the customers who wrote
        before a restart write no more (their next message would reuse an id of one already stored,
        which message_saver rightly takes for a redelivery); new customers take over."""
        self.chats.clear()

    def new_chat(self) -> int:
        self._next_chat += 1
        self.chats.append(self._next_chat)
        return self._next_chat

    def message(self, scenario: int, new_share: float) -> Outgoing:
        self._count += 1
        nonce = f"{self.run}.{scenario}.{self._count}"
        opens = not self.chats or self.rng.random() < new_share
        chat_id = self.new_chat() if opens else self.rng.choice(self.chats)
        body = texts.customer_text(self.rng) if opens else texts.follow_up_text(self.rng)
        first, last = texts.customer_name(random.Random(chat_id))
        return Outgoing(nonce, chat_id, f"{body} [#{nonce}#]", first, last, opens=opens)


def batch_body(items: Sequence[Outgoing]) -> list[dict[str, Any]]:
    return [
        {
            "chat_id": item.chat_id,
            "text": item.text,
            "first_name": item.first_name,
            "last_name": item.last_name,
        }
        for item in items
    ]


def injector() -> aiohttp.ClientSession:
    """The session customers' messages are posted with. aiohttp rather than httpx: the driver shares the
    cores with the stack it measures, and a post costs it ~0.3 ms of CPU instead of ~1.4 with httpx."""
    return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30), raise_for_status=True)


async def inject(session: aiohttp.ClientSession, items: Sequence[Outgoing], base: str = SANDBOX) -> list[Any]:
    async with session.post(f"{base}/sandbox/messages:batch", json=batch_body(items)) as response:
        result: list[Any] = (await response.json())["result"]
    return result


@dataclass
class Run:
    """One scenario's sending side."""

    name: str
    rate: float
    duration_s: float
    new_share: float
    sent: list[Outgoing] = field(default_factory=list)
    lags_ms: list[float] = field(default_factory=list)
    started: float = 0.0
    finished: float = 0.0


async def drive(
    session: aiohttp.ClientSession, customers: Customers, scenario: int, run: Run, tick_s: float = TICK_S
) -> None:
    """Send `rate` messages a second for `duration_s`, one batch at a time: what is due at each tick of
    `tick_s`, or at the next message's time when that is later (low rates send one message at a time).
    A message's latency counts from its scheduled time, so the wait for its tick is part of it."""
    total = max(1, int(run.rate * run.duration_s))
    run.started = start = time.monotonic()
    index = 0
    while index < total:
        now = time.monotonic()
        due = min(total, int((now - start) * run.rate) + 1)
        if due > index:
            batch = []
            for position in range(index, due):
                item = customers.message(scenario, run.new_share)
                item.scheduled = start + position / run.rate
                batch.append(item)
            posted_at = time.monotonic()
            run.lags_ms.extend((posted_at - item.scheduled) * 1000 for item in batch)
            await inject(session, batch)
            run.sent.extend(batch)
            index = due
        await asyncio.sleep(max(0.0, next_send(index / run.rate, time.monotonic() - start, tick_s)))
    run.finished = time.monotonic()


def next_send(next_due_s: float, elapsed_s: float, tick_s: float) -> float:
    """Seconds from now until the next batch: the next tick after now, or the next message's scheduled
    time (seconds since start) when that is later."""
    next_tick_s = (int(elapsed_s / tick_s) + 1) * tick_s if tick_s > 0 else elapsed_s
    return max(next_tick_s, next_due_s) - elapsed_s


async def drain(
    live: LiveEvents,
    wanted: Sequence[str],
    sentinel: str,
    *,
    timeout_s: float,
    settle_s: float = 30.0,
    idle_s: float = 60.0,
) -> tuple[str, float]:
    """Wait for the stragglers. Returns how it ended and the seconds it took:
    "all" (every wanted nonce arrived), "settled" (the sentinel, sent last, arrived and nothing more came
    for `settle_s`: the rest are lost), "idle" (nothing arrived for `idle_s`), "timeout" (still arriving
    after `timeout_s`: a backlog, not a loss) or "websocket closed"."""
    started = time.monotonic()
    last_count, last_change = -1, started
    while True:
        arrived = sum(1 for nonce in wanted if nonce in live.arrivals)
        now = time.monotonic()
        if arrived == len(wanted):
            return "all", now - started
        if arrived != last_count:
            last_count, last_change = arrived, now
        quiet = now - last_change
        if sentinel in live.arrivals and quiet >= settle_s:
            return "settled", now - started
        if quiet >= idle_s:
            return "idle", now - started
        if now - started >= timeout_s:
            return "timeout", now - started
        if live.closed:
            return "websocket closed", now - started
        await asyncio.sleep(0.2)


def delivery_figures(live: LiveEvents, run: Run, outcome: str, drain_s: float) -> dict[str, Any]:
    """The run's figures. `lost` only when the wait ended with nothing more arriving; after a timeout the
    missing ones are `undelivered_at_timeout` (a backlog), and the latencies cover received messages only."""
    latencies: list[float] = []
    notified: list[float] = []
    duplicated = received = during = 0
    first_send = run.sent[0].scheduled if run.sent else run.started
    last_arrival = first_send
    for item in run.sent:
        arrival = live.arrivals.get(item.nonce)
        if arrival is None:
            continue
        received += 1
        duplicated += len(arrival.times) - 1
        first = arrival.times[0]
        latencies.append((first - item.scheduled) * 1000)
        if arrival.notified_ms is not None:
            notified.append(arrival.notified_ms)
        last_arrival = max(last_arrival, first)
        if first <= run.finished:
            during += 1
    span = max(last_arrival - first_send, 1e-9)
    return {
        "sent": len(run.sent),
        "received": received,
        "lost": len(run.sent) - received if outcome in ("all", "settled", "idle") else None,
        "undelivered_at_timeout": len(run.sent) - received
        if outcome not in ("all", "settled", "idle")
        else 0,
        "duplicated": duplicated,
        "drain": outcome,
        "drain_s": round(drain_s, 1),
        "offered_per_s": run.rate,
        "sent_per_s": round(len(run.sent) / max(run.finished - run.started, 1e-9), 1),
        "delivered_per_s": round(received / span, 1),
        "delivered_during_send_per_s": round(during / max(run.finished - run.started, 1e-9), 1),
        "latency_ms": latency_summary(latencies),
        # The last leg of it: message_saver's notification event → notifications → gateway → socket.
        "notification_to_operator_ms": latency_summary(notified),
        "send_lag_ms": latency_summary(run.lags_ms),
        "new_tickets": sum(1 for item in run.sent if item.opens),
    }


async def pipeline_scenario(
    live: LiveEvents,
    customers: Customers,
    scenario: int,
    *,
    name: str,
    rate: float,
    duration_s: float,
    new_share: float,
    drain_timeout_s: float,
    settle_s: float = 30.0,
    title_wait_s: float = 0.0,
    processes: ProcessTable | None = None,
) -> tuple[dict[str, Any], Run]:
    """Drive one offered rate and report what the operator's WebSocket received."""
    table = processes or ProcessTable.discover()
    pace_before = pace_ms()
    before = table.snapshot()
    run = Run(name, rate, duration_s, new_share)
    note(f"{name}: {rate:g} msg/s for {duration_s:g} s ({new_share:.0%} new tickets)")
    async with injector() as session:
        await drive(session, customers, scenario, run)
        sentinel = customers.message(scenario, 1.0)
        sentinel.scheduled = time.monotonic()
        await inject(session, [sentinel])
    outcome, drain_s = await drain(
        live, [item.nonce for item in run.sent], sentinel.nonce, timeout_s=drain_timeout_s, settle_s=settle_s
    )
    after = table.snapshot()
    figures = delivery_figures(live, run, outcome, drain_s)
    record: dict[str, Any] = {"bench": "pipeline", "scenario": name, **figures}
    record["cpu_ms_per_msg"] = cpu_per_message(before, after, max(1, figures["received"]))
    # Before: the stack idle since the previous scenario; after: right after the drain, still settling.
    record["pace_ms"] = {"before": pace_before, "after": pace_ms()}
    if title_wait_s > 0:
        record["titles"] = await title_figures(live, run, title_wait_s)
    if live.closed:
        record["websocket"] = live.closed
    return record, run


async def recount(
    live: LiveEvents, runs: Sequence[tuple[dict[str, Any], Run]], settle_s: float, timeout_s: float
) -> dict[str, Any]:
    """At the end: wait until nothing has arrived for `settle_s` (at most `timeout_s`), then count again
    what every scenario sent and what arrived, late arrivals included: the final word on loss."""
    wanted = {item.nonce for _record, run in runs for item in run.sent}
    started = time.monotonic()
    last_count, last_change = -1, started
    while time.monotonic() - started < timeout_s:
        count = sum(1 for nonce in wanted if nonce in live.arrivals)
        if count == len(wanted):
            break
        if count != last_count:
            last_count, last_change = count, time.monotonic()
        elif time.monotonic() - last_change >= settle_s:
            break
        await asyncio.sleep(0.5)
    scenarios: dict[str, Any] = {}
    for record, run in runs:
        arrived = [live.arrivals[item.nonce] for item in run.sent if item.nonce in live.arrivals]
        scenarios[run.name] = {
            "sent": len(run.sent),
            "received": len(arrived),
            "lost": len(run.sent) - len(arrived),
            "duplicated": sum(len(arrival.times) - 1 for arrival in arrived),
            "arrived_after_its_scenario": len(arrived) - int(record["received"]),
        }
    return {
        "bench": "pipeline",
        "scenario": "recount",
        "waited_s": round(time.monotonic() - started, 1),
        "websocket": live.closed or "open",
        "by_scenario": scenarios,
    }


async def title_figures(live: LiveEvents, run: Run, wait_s: float) -> dict[str, Any]:
    """How long after its first message each new ticket showed a title and a category."""
    opened = {
        live.arrivals[item.nonce].ticket_id: item.scheduled
        for item in run.sent
        if item.opens and item.nonce in live.arrivals
    }
    await live.wait_until(lambda: all(ticket in live.titled for ticket in opened), wait_s)
    titles = [(live.titled[ticket] - sent) * 1000 for ticket, sent in opened.items() if ticket in live.titled]
    categories = [
        (live.categorised[ticket] - sent) * 1000
        for ticket, sent in opened.items()
        if ticket in live.categorised
    ]
    return {
        "tickets": len(opened),
        "titled": len(titles),
        "categorised": len(categories),
        "title_ms": latency_summary(titles),
        "category_ms": latency_summary(categories),
    }


async def warmup(live: LiveEvents, customers: Customers, timeout_s: float = 120) -> dict[str, Any]:
    """One message end to end: the pipeline is up (the bot polls, consumers are assigned)."""
    async with injector() as session:
        item = customers.message(0, 1.0)
        item.scheduled = time.monotonic()
        await inject(session, [item])
    await live.wait_until(lambda: item.nonce in live.arrivals, timeout_s)
    arrival = live.arrivals.get(item.nonce)
    latency = None if arrival is None else round((arrival.times[0] - item.scheduled) * 1000, 1)
    return {"bench": "pipeline", "scenario": "warmup", "arrived": arrival is not None, "latency_ms": latency}


# --- the driver's own ceiling ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def driver_ceiling(duration_s: float, batch_sizes: Sequence[int], offered_max: float) -> dict[str, Any]:
    """How fast this driver injects into a fake Telegram of its own (same code, same batch sizes, nothing
    consuming), and how many WebSocket frames a second its event handler parses: the most it could
    offer and observe. The pipeline's figures mean something only below these."""
    port = free_port()
    fake = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "fakes.telegram",
        "--port",
        str(port),
        "--log-level",
        "warning",
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _attempt in range(200):
            if port_open(port):
                break
            await asyncio.sleep(0.1)
        customers = Customers(f"c{uuid.uuid4().hex[:6]}", random.Random(1))
        inject_rates: dict[str, float] = {}
        async with injector() as session:
            for size in batch_sizes:
                sent, started = 0, time.monotonic()
                while time.monotonic() - started < duration_s:
                    batch = [customers.message(0, 0.2) for _ in range(size)]
                    await inject(session, batch, base)
                    sent += size
                inject_rates[str(size)] = round(sent / (time.monotonic() - started))
    finally:
        fake.terminate()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(fake.wait(), 10)
    parse_rate = websocket_parse_rate()
    ceiling = min(inject_rates.get(str(batch_sizes[0]), 0), parse_rate)
    return {
        "bench": "driver",
        "scenario": "ceiling",
        "inject_per_s_by_batch": inject_rates,
        "ws_frames_parsed_per_s": parse_rate,
        "ceiling_per_s": ceiling,
        "offered_max_per_s": offered_max,
        "exceeds_offered": ceiling > offered_max * 1.5,
    }


def websocket_parse_rate(frames: int = 20_000) -> int:
    """LiveEvents.handle on a message.created frame shaped as notifications sends it."""
    live = LiveEvents("x")
    frame = json.dumps(
        {
            "type": "message.created",
            "event_id": str(uuid.uuid4()),
            "ticket_id": str(uuid.uuid4()),
            "occurred_at": "2025-01-01T00:00:00+00:00",
            "ticket": {
                "id": str(uuid.uuid4()),
                "title": "Не работает карта",
                "status": "open",
                "customer": {"name": "Мария Иванова", "username": "", "telegram_user_id": 1, "chat_id": 1},
                "assignee": None,
                "last_message_preview": texts.customer_text(random.Random(2))[:120],
                "tags": [],
                "priority": "normal",
                "category": "Банковские карточки",
                "subcategory": "",
            },
            "message": {
                "id": str(uuid.uuid4()),
                "direction": "customer",
                "text": texts.customer_text(random.Random(3)) + " [#b00.1.1#]",
                "attachments": [],
            },
        },
        ensure_ascii=False,
    )
    started = time.perf_counter()
    for _ in range(frames):
        live.handle(frame, 0.0)
    return round(frames / (time.perf_counter() - started))


# --- operator replies -----------------------------------------------------------------------------


async def reply_scenario(
    live: LiveEvents, customers: Customers, operator: Operator, count: int, timeout_s: float = 10
) -> dict[str, Any]:
    """`count` fresh tickets; the operator takes each and replies; time until the fake Telegram stores
    the bot's sendMessage to that customer."""
    note(f"reply: {count} operator replies")
    async with httpx.AsyncClient(timeout=30) as client, injector() as session:
        openers = [customers.message(9, 1.0) for _ in range(count)]
        for item in openers:
            item.scheduled = time.monotonic()
        results = []
        for part in range(0, count, 100):
            results.extend(await inject(session, openers[part : part + 100]))
        seq_of = {item["chat_id"]: item["seq"] for item in results}
        await live.wait_until(lambda: all(item.nonce in live.arrivals for item in openers), 120)
        latencies: list[float] = []
        answer_ms: list[float] = []
        failures: dict[str, int] = {}
        rng = random.Random(5)
        for item in openers:
            arrival = live.arrivals.get(item.nonce)
            if arrival is None:
                failures["ticket never arrived"] = failures.get("ticket never arrived", 0) + 1
                continue
            ticket_id = arrival.ticket_id
            taken = await client.post(
                f"{GATEWAY}/api/v1/tickets/{ticket_id}/take", headers=bearer(operator.token)
            )
            if taken.status_code != 200:
                failures[f"take {taken.status_code}"] = failures.get(f"take {taken.status_code}", 0) + 1
                continue
            started_wall, started = time.time(), time.perf_counter()
            posted = await client.post(
                f"{GATEWAY}/api/v1/tickets/{ticket_id}/messages",
                json={"text": texts.operator_text(rng)},
                headers=bearer(operator.token),
            )
            answer_ms.append((time.perf_counter() - started) * 1000)
            if posted.status_code not in (200, 201):
                failures[f"reply {posted.status_code}"] = failures.get(f"reply {posted.status_code}", 0) + 1
                continue
            stored_at = await bot_message_at(client, item.chat_id, seq_of[item.chat_id], timeout_s)
            if stored_at is None:
                failures["no sendMessage"] = failures.get("no sendMessage", 0) + 1
                continue
            latencies.append((stored_at - started_wall) * 1000)
    return {
        "bench": "reply",
        "scenario": "operator-reply-to-sendMessage",
        "replies": count,
        "delivered": len(latencies),
        "failures": failures,
        "latency_ms": latency_summary(latencies),
        "gateway_answer_ms": latency_summary(answer_ms),
    }


async def bot_message_at(
    client: httpx.AsyncClient, chat_id: int, after: int, timeout_s: float
) -> float | None:
    """When the fake stored the bot's next message to `chat_id` (long-polls the sandbox)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        response = await client.get(
            f"{SANDBOX}/sandbox/chats/{chat_id}/messages",
            params={"after": after, "wait": max(0.1, deadline - time.monotonic()), "from": "bot"},
        )
        found = response.json()["result"]["messages"]
        if found:
            return float(found[0]["at"])
    return None
