"""How many customer text messages per second the bot takes from Telegram into Kafka (not a test).

    .venv/bin/python -m tests.bot.bench_intake --messages 5000 --chats 200

The fake Telegram runs in a child process (its CPU is not the bot's); the bot runs here on the real engines
with JSON logging at INFO (written to /dev/null), under a topic prefix of its own. The messages are queued in
the fake at once; the figure is messages / (time from the last one queued until the last one published),
plus the bot process's CPU time per message. Wrap in `py-spy record -o bot.svg -- …` to profile."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import multiprocessing
import os
import time
import uuid
from multiprocessing.connection import Connection

import uvloop
from confluent_kafka.admin import AdminClient

from fakes.telegram import FakeTelegram
from infra.engines.__main__ import service_env
from services.bot.config import BotSettings
from services.bot.ingest import MESSAGES
from services.bot.service import build_bot
from t1lib.kafka.admin import all_topic_names
from t1lib.kafka.topics import registry_with_prefix
from t1lib.logs import configure_logging

TEXT = "Здравствуйте! Не проходит оплата картой, пишет «операция отклонена». Что делать?"


def _serve_fake(conn: Connection) -> None:
    async def serve() -> None:
        async with FakeTelegram() as fake:
            conn.send((fake.url, fake.token))
            while True:
                command = await asyncio.to_thread(conn.recv)
                if command is None:
                    return
                first_chat, chats, per_chat = command
                for n in range(per_chat):
                    for chat in range(first_chat, first_chat + chats):
                        fake.state.customer_message(
                            chat, text=f"{TEXT} #{n}", profile={"first_name": "Bench"}
                        )
                conn.send(per_chat * chats)

    asyncio.run(serve())


def _published() -> float:
    return sum(
        sample.value
        for metric in MESSAGES.collect()
        for sample in metric.samples
        if sample.name.endswith("_total") and sample.labels.get("kind") == "text"
    )


async def _round(conn: Connection, first_chat: int, chats: int, per_chat: int) -> dict[str, float]:
    messages = chats * per_chat
    target = _published() + messages
    conn.send((first_chat, chats, per_chat))
    await asyncio.to_thread(conn.recv)  # all queued; the fake served nothing meanwhile
    cpu, started = time.process_time(), time.perf_counter()
    while _published() < target:  # noqa: ASYNC110 - a counter to watch, no event
        await asyncio.sleep(0.005)
    elapsed, cpu_s = time.perf_counter() - started, time.process_time() - cpu
    return {
        "messages": messages,
        "chats": chats,
        "seconds": round(elapsed, 3),
        "updates_per_s": round(messages / elapsed),
        "cpu_ms_per_update": round(cpu_s * 1000 / messages, 3),
    }


async def bench(messages: int, chats: int) -> None:
    parent, child = multiprocessing.get_context("spawn").Pipe()
    fake = multiprocessing.get_context("spawn").Process(target=_serve_fake, args=(child,), daemon=True)
    fake.start()
    url, token = await asyncio.to_thread(parent.recv)
    prefix = f"bench-{uuid.uuid4().hex[:8]}."
    settings = BotSettings(
        telegram_bot_token=token,
        telegram_api_url=url,
        kafka_topic_prefix=prefix,
        consumer_group=f"bench-{uuid.uuid4().hex[:8]}",
        s3_bucket="t1-bench-bot",
    )
    registry = registry_with_prefix(prefix)
    try:
        async with build_bot(settings, registry).running():
            warmup = await _round(parent, 1_000_000, min(chats, 50), 4)
            print(json.dumps({"round": "warmup", **warmup}), flush=True)
            measured = await _round(parent, 2_000_000, chats, max(1, messages // chats))
            concurrency = getattr(settings, "bot_concurrency", 1)  # 1: a bot from before the setting
            print(json.dumps({"round": "measured", "concurrency": concurrency, **measured}), flush=True)
    finally:
        parent.send(None)
        fake.join(5)
        admin = AdminClient({"bootstrap.servers": settings.kafka_bootstrap})
        for future in admin.delete_topics(all_topic_names(registry), operation_timeout=10).values():
            future.result(15)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=None, help="T1_BOT_CONCURRENCY")
    parser.add_argument("--uvloop", action="store_true", help="run the bot on uvloop")
    args = parser.parse_args()
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    os.environ.update(service_env())
    if args.concurrency is not None:
        os.environ["T1_BOT_CONCURRENCY"] = str(args.concurrency)
    configure_logging("bot", "INFO", json_output=True)
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(open(os.devnull, "w"))  # noqa: SIM115 - formatted as in production, not printed
    if args.uvloop:
        uvloop.run(bench(args.messages, args.chats))
    else:
        asyncio.run(bench(args.messages, args.chats))


if __name__ == "__main__":
    main()
