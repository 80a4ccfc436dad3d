"""`make bench`: the data path's figures (issue 8) as JSON lines on stdout, progress on stderr.

Starts what it needs: the engines (`python3 -m infra.engines up`) and, unless something already listens on
8000, the stack as `make up` runs it (stopped again at the end). Then, in this order:

  ceiling   the driver's own ceiling: injecting into a fake Telegram of its own, parsing WebSocket frames
  warmup    one message end to end
  sized     for each --sizes N: fill the store to N tickets (--messages per --tickets), then
              store   what one Repository operation of the hot path costs at that size
              lists   the console's ticket lists, p50/p99
              search  history search (skipped while the endpoint does not exist)
              ingest  --ingest-rate msg/s for --ingest-duration s: latency and CPU per message
  pipeline  every --rates msg/s for --duration s, 20% new tickets, 80% follow-ups
  burst     --burst-rate new tickets/s for --burst-duration s, with titles and categories following
  reply     operator reply -> Telegram sendMessage
  (recount) every driven scenario counted again once nothing more arrives: late arrivals included
  rss       memory of every process of the stack
  stats     a stats instance of its own fed --stats-tickets tickets and --stats-reviews ratings: ingest
              rate and CPU, read latency of the 90-day figures, reload time (bench/stats_reads.py)

    make bench                                  # everything, the goals' sizes and rates
    make bench ARGS="--duration 10 --rates 100 --scenarios warmup,pipeline"
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
import uuid
from typing import Any

import httpx

from bench import loader, pipeline, queries, stats_reads, store_ops
from bench.harness import (
    Operator,
    ProcessTable,
    Stack,
    admin,
    bench_operators,
    emit,
    ensure_engines,
    ensure_stack,
    git_commit,
    machine,
    note,
    retrying,
)

SCENARIOS = (
    "ceiling",
    "warmup",
    "store",
    "lists",
    "search",
    "ingest",
    "pipeline",
    "burst",
    "reply",
    "rss",
    "stats",
)
# scenarios that start what they measure themselves: the engines are enough
STACKLESS = {"ceiling", "stats"}


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )

    def numbers(text: str) -> list[float]:
        return [float(item) for item in text.split(",") if item.strip()]

    def integers(text: str) -> list[int]:
        return [int(float(item)) for item in text.split(",") if item.strip()]

    parser.add_argument(
        "--scenarios", default=",".join(SCENARIOS), help="comma-separated, from: " + ", ".join(SCENARIOS)
    )
    parser.add_argument("--rates", type=numbers, default=[100.0, 300.0, 1000.0], help="offered msg/s")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per offered rate")
    parser.add_argument("--new-share", type=float, default=0.2, help="share of messages opening a ticket")
    parser.add_argument("--burst-rate", type=float, default=100.0)
    parser.add_argument("--burst-duration", type=float, default=30.0)
    parser.add_argument("--title-wait", type=float, default=60.0, help="seconds to wait for burst titles")
    parser.add_argument("--replies", type=int, default=200)
    parser.add_argument("--sizes", type=integers, default=[1_000, 100_000], help="store sizes (tickets)")
    parser.add_argument("--tickets", type=int, default=100_000, help="with --messages: messages per ticket")
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--list-requests", type=int, default=300, help="requests per list view")
    parser.add_argument("--search-requests", type=int, default=300)
    parser.add_argument("--store-repeat", type=int, default=20, help="repetitions per store operation")
    parser.add_argument("--ingest-rate", type=float, default=100.0)
    parser.add_argument("--ingest-duration", type=float, default=30.0)
    parser.add_argument("--drain-timeout", type=float, default=300.0, help="seconds to wait for stragglers")
    parser.add_argument(
        "--settle",
        type=float,
        default=30.0,
        help="quiet seconds after the sentinel before calling the rest lost",
    )
    parser.add_argument(
        "--tracing",
        choices=["off", "on"],
        default="off",
        help="a stack started here exports traces to the local Jaeger (on) or records none (off); "
        "docs/performance.md compares them",
    )
    parser.add_argument("--stats-tickets", type=int, default=100_000)
    parser.add_argument("--stats-reviews", type=int, default=50_000)
    parser.add_argument("--stats-days", type=int, default=120, help="days the stats tickets spread over")
    parser.add_argument("--stats-reads", type=int, default=300, help="requests per stats query")
    parser.add_argument("--ceiling-duration", type=float, default=5.0)
    parser.add_argument("--no-start", action="store_true", help="start nothing: use the running stack")
    parser.add_argument("--keep-stack", action="store_true", help="leave a stack this run started running")
    args = parser.parse_args(argv)
    args.scenarios = [item.strip() for item in args.scenarios.split(",") if item.strip()]
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    return args


class Session:
    """The stack under test and what the bench holds of it: process table, tokens, the live stream."""

    def __init__(self, args: argparse.Namespace, stack: Stack) -> None:
        self.args = args
        self.stack = stack
        self.table = ProcessTable.discover()
        self.live: pipeline.LiveEvents | None = None
        self.customers = pipeline.Customers(f"b{uuid.uuid4().hex[:8]}", random.Random(7))
        self.scenario = 0
        self.runs: list[tuple[dict[str, Any], pipeline.Run]] = []

    async def people(self) -> tuple[Operator, list[Operator]]:
        """The admin and the bench operators, logged in now (tokens live 15 minutes)."""

        def login_all() -> tuple[Operator, list[Operator]]:
            with httpx.Client(timeout=30) as client:
                boss = admin(client)
                return boss, bench_operators(client, boss, 3)

        return await asyncio.to_thread(retrying, login_all)

    def people_sync(self) -> tuple[Operator, Operator]:
        """(an operator, the admin) with fresh tokens, for the list and search threads."""

        def login_two() -> tuple[Operator, Operator]:
            with httpx.Client(timeout=30) as client:
                boss = admin(client)
                return bench_operators(client, boss, 1)[0], boss

        return retrying(login_two)

    async def fresh_live(self) -> pipeline.LiveEvents:
        """The operator WebSocket: the open one (a token is checked only when connecting), else a new
        one that keeps what the old one saw, so late arrivals of earlier scenarios still count."""
        if self.live is not None and self.live.closed is None:
            return self.live
        previous = self.live
        if previous is not None:
            await previous.stop()
        boss, _staff = await self.people()
        self.live = pipeline.LiveEvents(boss.token, previous)
        await self.live.start()
        return self.live

    async def drive(
        self, name: str, rate: float, duration_s: float, new_share: float, title_wait_s: float = 0.0
    ) -> dict[str, Any]:
        """One offered rate through the pipeline, remembered for the final recount."""
        self.scenario += 1
        record, run = await pipeline.pipeline_scenario(
            await self.fresh_live(),
            self.customers,
            self.scenario,
            name=name,
            rate=rate,
            duration_s=duration_s,
            new_share=new_share,
            drain_timeout_s=self.args.drain_timeout,
            settle_s=self.args.settle,
            title_wait_s=title_wait_s,
            processes=self.table,
        )
        self.runs.append((record, run))
        return record

    async def close(self) -> None:
        if self.live is not None:
            await self.live.stop()

    async def fill(self, size: int) -> dict[str, Any]:
        """Fill the store to `size` tickets. With a stack this bench started, the stack is stopped
        meanwhile so read models and the search index can be rebuilt from the store (one writer each),
        then started again; with someone else's stack, only hooks safe on a live stack run."""
        args = self.args
        _boss, staff = await self.people()
        assignees = [operator.id for operator in staff]
        messages = round(size * args.messages / args.tickets)
        now = await loader.store_size()
        if now["tickets"] >= size:
            return {
                "bench": "loader",
                "tickets_before": now["tickets"],
                "tickets_added": 0,
                "messages_added": 0,
                "tickets_total": now["tickets"],
                "messages_total": now["messages"],
            }
        restart = self.stack.started_here
        if restart:
            if self.live is not None:
                await self.live.stop()
                self.live.closed = "stack restarted"
            await asyncio.to_thread(self.stack.stop)
        try:
            record = await loader.load(size, messages, assignees, stack_stopped=restart)
        finally:
            if restart:
                self.stack = await asyncio.to_thread(ensure_stack)
                self.table = ProcessTable.discover()
        if restart:
            self.customers.telegram_restarted()
            await self.fresh_live()
            assert self.live is not None
            emit(await pipeline.warmup(self.live, self.customers))
        return record


async def run(args: argparse.Namespace, session: Session) -> None:
    wanted = set(args.scenarios)
    stack = session.stack
    emit(
        {
            "bench": "meta",
            "commit": git_commit(),
            "machine": machine(),
            "stack": "started by the bench"
            if stack.started_here
            else ("not started (--no-start)" if args.no_start else "already running"),
            "scenarios": args.scenarios,
            "rates": args.rates,
            "duration_s": args.duration,
            "sizes": args.sizes,
            "tracing": args.tracing if stack.started_here else "as the running stack has it",
        }
    )
    max_rate = max([*args.rates, args.burst_rate, args.ingest_rate])
    if "ceiling" in wanted:
        batch = max(1, round(max_rate * pipeline.TICK_S))
        emit(await pipeline.driver_ceiling(args.ceiling_duration, [batch, 100], max_rate))
    if wanted == {"ceiling"}:
        return
    customers = session.customers
    if wanted & {"warmup", "ingest", "pipeline", "burst", "reply"}:
        emit(await pipeline.warmup(await session.fresh_live(), customers))
    ingest: list[dict[str, Any]] = []
    if wanted & {"store", "lists", "search", "ingest"}:
        for size in args.sizes:
            note(f"store: filling to {size} tickets")
            loaded = await session.fill(size)
            emit(loaded)
            at = {"store_tickets": loaded["tickets_total"], "store_messages": loaded["messages_total"]}
            if "store" in wanted:
                emit(await store_ops.run(args.store_repeat))
            if "lists" in wanted:
                for record in await asyncio.to_thread(
                    queries.lists, session.people_sync, args.list_requests, at
                ):
                    emit(record)
            if "search" in wanted:
                for record in await asyncio.to_thread(
                    queries.search, session.people_sync, args.search_requests, at
                ):
                    emit(record)
            if "ingest" in wanted:
                record = await session.drive(
                    f"ingest@{at['store_tickets']}", args.ingest_rate, args.ingest_duration, args.new_share
                )
                emit({**record, **at})
                ingest.append({**record, **at})
        if len(ingest) >= 2:
            emit(ingest_comparison(ingest[0], ingest[-1]))
    if "pipeline" in wanted:
        for rate in args.rates:
            emit(await session.drive(f"sustained@{rate:g}", rate, args.duration, args.new_share))
    if "burst" in wanted:
        name = f"burst@{args.burst_rate:g}-new-tickets"
        emit(
            await session.drive(name, args.burst_rate, args.burst_duration, 1.0, title_wait_s=args.title_wait)
        )
    if "reply" in wanted:
        live = await session.fresh_live()
        _boss, staff = await session.people()
        emit(await pipeline.reply_scenario(live, customers, staff[0], args.replies))
    if session.runs:
        live = await session.fresh_live()
        emit(await pipeline.recount(live, session.runs, args.settle, args.drain_timeout))
    if "rss" in wanted:
        emit(rss_record(session.table))
    if "stats" in wanted:
        for record in await stats_reads.run(
            args.stats_tickets, args.stats_reviews, args.stats_days, args.stats_reads, args.drain_timeout
        ):
            emit(record)


def ingest_comparison(small: dict[str, Any], large: dict[str, Any]) -> dict[str, Any]:
    def total(record: dict[str, Any]) -> float:
        return float(sum(record.get("cpu_ms_per_msg", {}).values()))

    def ratio(a: float | None, b: float | None) -> float | None:
        return round(b / a, 2) if a and b is not None else None

    return {
        "bench": "ingest_cost",
        "small_store_tickets": small["store_tickets"],
        "large_store_tickets": large["store_tickets"],
        "cpu_ms_per_msg_small": round(total(small), 3),
        "cpu_ms_per_msg_large": round(total(large), 3),
        "cpu_ratio_large_to_small": ratio(total(small), total(large)),
        "latency_p50_ratio": ratio(small["latency_ms"]["p50"], large["latency_ms"]["p50"]),
        "delivered_per_s_small": small["delivered_per_s"],
        "delivered_per_s_large": large["delivered_per_s"],
    }


def rss_record(table: ProcessTable) -> dict[str, Any]:
    snapshot = table.snapshot()
    return {
        "bench": "rss",
        "processes": {name: round(info.rss_kb / 1024) for name, info in sorted(snapshot.items())},
        "pss_mb": {name: round(info.pss_kb / 1024) for name, info in sorted(snapshot.items())},
        "total_rss_mb": round(sum(info.rss_kb for info in snapshot.values()) / 1024),
        "total_pss_mb": round(sum(info.pss_kb for info in snapshot.values()) / 1024),
    }


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    stack = Stack()
    if not args.no_start:
        ensure_engines()
        if set(args.scenarios) - STACKLESS:
            stack = ensure_stack(tracing=args.tracing == "on")
    session = Session(args, stack)

    async def bench() -> None:
        try:
            await run(args, session)
        finally:
            await session.close()

    try:
        asyncio.run(bench())
    finally:
        if not args.keep_stack:
            session.stack.stop()
    note(f"done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
