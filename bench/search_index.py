"""History search at size: fills a throw-away index with generated Russian support conversations through
the rebuild path (stored-document shapes, as from MongoDB), then times incremental batches (the Kafka
projection's path) and searches with an operator's visibility filter. Prints JSON lines.

Run: `.venv/bin/python -m bench.search_index [--tickets 100000] [--messages 1000000] [--queries 400]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from services.message_saver import convert
from services.message_saver.domain import Status
from services.message_saver.search import SearchIndex
from t1.notifications.v1 import events_pb2 as notifications

START = datetime(2023, 1, 1, tzinfo=UTC)
OPERATORS = [f"op-{n}" for n in range(20)]


def words(text: str) -> list[str]:
    return text.split()


FIRST_NAMES = words("Мария Иван Ольга Сергей Анна Дмитрий Елена Алексей Наталья Андрей Татьяна Павел")
LAST_NAMES = words("Иванова Петров Смирнова Кузнецов Попова Соколов Лебедева Козлов Новикова Морозов")
TAGS = ["VIP", "жалоба", "срочно", "повторно", "мошенничество", "юрлицо", "возврат"]
# Frequent words of a bank's support chat (in several forms), then a long tail of generated words.
COMMON = words(
    """здравствуйте добрый день не работает карта карту картой карты кредит кредита кредиту ипотека
    ипотеку ипотеки ипотечный вклад вклада вкладу перевод перевода переводу платёж платежа платежи счёт
    счета счету приложение приложении приложения кэшбэк кэшбэка комиссия комиссию комиссии лимит лимита
    пин-код смс код банкомат банкомате терминал доставка доставку курс валюта долларов рублей выписка
    выписку справка справку заявка заявку заблокировали заблокирована заблокировал блокировка списали не
    приходит могу хочу оформить подскажите пропал пропали вернуть отменить оплатить перевести закрыть
    открыть изменить получить пожалуйста срочно уже второй день вчера сегодня почему как где когда спасибо
    помогите очень снова опять деньги денег баланс остаток операция операцию отклонена отклонён ошибка
    ошибку телефон номер паспорт данные"""
)
SYLLABLES = words(
    "ба ве ги до ку ла ми но пе ра со ти ур фа хе цо че ша эль юн ям ск ст пр тр кр ов ин ен ат"
)


@dataclass
class Corpus:
    tickets: list[dict[str, Any]]
    messages: list[dict[str, Any]]


def vocabulary(rng: random.Random, tail: int) -> tuple[list[str], list[float]]:
    words = list(COMMON)
    seen = set(words)
    while len(words) < len(COMMON) + tail:
        word = "".join(rng.choices(SYLLABLES, k=rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    weights = [1.0 / (rank + 1) ** 0.9 for rank in range(len(words))]  # Zipf-like
    return words, weights


def generate(tickets: int, messages: int, seed: int = 7) -> Corpus:
    rng = random.Random(seed)
    words, weights = vocabulary(rng, 30_000)
    lengths = [rng.randint(3, 25) for _ in range(messages)]
    stream = iter(rng.choices(words, weights, k=sum(lengths) + tickets * 4))
    ticket_docs = []
    for n in range(tickets):
        status = rng.choices(["open", "assigned", "closed"], [5, 10, 85])[0]
        created = START + timedelta(minutes=n * 5)
        telegram_id = 100_000_000 + n
        ticket_docs.append(
            {
                "_id": f"t{n}",
                "status": status,
                "assignee_id": "" if status == "open" else rng.choice(OPERATORS),
                "title": " ".join(next(stream) for _ in range(4)).capitalize(),
                "customer": {
                    "telegram_user_id": telegram_id,
                    "chat_id": telegram_id,
                    "first_name": rng.choice(FIRST_NAMES),
                    "last_name": rng.choice(LAST_NAMES),
                    "username": f"user{n}" if n % 3 else "",
                },
                "tags": rng.sample(TAGS, rng.randint(1, 2)) if n % 5 == 0 else [],
                "created_at": created,
                "updated_at": created + timedelta(hours=1),
                "last_message_at": created + timedelta(hours=1),
            }
        )
    message_docs = []
    for n, length in enumerate(lengths):
        ticket_index = n * tickets // messages
        text = " ".join(next(stream) for _ in range(length))
        attachments = []
        if n % 20 == 0:
            ocr = " ".join(rng.choices(words, weights, k=30)) + f" сумма {rng.randint(10, 99999)} BYN"
            attachments.append({"id": f"a{n}", "kind": "photo", "ocr_text": ocr})
        message_docs.append(
            {
                "_id": f"m{n}",
                "ticket_id": f"t{ticket_index}",
                "direction": "customer" if n % 2 == 0 else "operator",
                "text": text.capitalize(),
                "attachments": attachments,
                "internal": False,
                "created_at": START + timedelta(minutes=ticket_index * 5, seconds=n % 600),
            }
        )
    return Corpus(ticket_docs, message_docs)


async def each(docs: list[dict[str, Any]]) -> AsyncIterator[dict[str, Any]]:
    for doc in docs:
        yield doc


def queries(corpus: Corpus, count: int, seed: int = 11) -> Iterator[str]:
    rng = random.Random(seed)
    common = COMMON
    for _ in range(count):
        kind = rng.random()
        if kind < 0.4:
            yield rng.choice(common)
        elif kind < 0.7:
            yield f"{rng.choice(common)} {rng.choice(common)}"
        elif kind < 0.8:
            message = rng.choice(corpus.messages)
            yield " ".join(str(message["text"]).split()[:3])
        elif kind < 0.9:
            yield str(rng.choice(corpus.tickets)["customer"]["telegram_user_id"])
        else:
            yield f"{rng.choice(FIRST_NAMES)} {rng.choice(common)}"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def emit(**fields: Any) -> None:
    print(json.dumps(fields, ensure_ascii=False), flush=True)


def directory_size(path: Path) -> int:
    return sum(item.stat().st_size for item in path.rglob("*") if item.is_file())


async def incremental(index: SearchIndex, corpus: Corpus, batches: int, batch_size: int) -> list[float]:
    """Batches as the Kafka projection sends them: new messages on existing tickets, some takes."""
    rng = random.Random(3)
    timings = []
    for batch_number in range(batches):
        events = []
        for n in range(batch_size):
            ticket = convert.ticket_proto(rng.choice(corpus.tickets))
            message = convert.message_proto(
                {**rng.choice(corpus.messages), "_id": f"new-{batch_number}-{n}", "ticket_id": ticket.id}
            )
            if n % 10 == 0:
                ticket.status = convert.STATUS_TO_PROTO[Status.ASSIGNED]
                ticket.assignee_id = rng.choice(OPERATORS)
                ticket.updated_at.GetCurrentTime()
            events.append(
                notifications.WebsocketNotification(
                    ticket_id=ticket.id, type="message.created", ticket=ticket, message=message
                )
            )
        started = time.perf_counter()
        await index.index_batch(events)
        timings.append(time.perf_counter() - started)
    return timings


async def run(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    corpus = generate(args.tickets, args.messages)
    emit(
        step="generate",
        tickets=args.tickets,
        messages=args.messages,
        seconds=round(time.perf_counter() - started, 1),
    )
    with tempfile.TemporaryDirectory(prefix="t1-search-bench-") as directory:
        index = SearchIndex(directory, heap_bytes=args.heap_mb * 1_000_000, threads=args.threads)
        report = await index.rebuild(each(corpus.tickets), each(corpus.messages))
        emit(
            step="rebuild",
            tickets=report.tickets,
            messages=report.messages,
            seconds=round(report.seconds, 1),
            docs_per_s=round((report.tickets + report.messages) / report.seconds),
            index_mb=round(directory_size(Path(directory)) / 1e6, 1),
        )
        batch_times = await incremental(index, corpus, args.batches, args.batch_size)
        emit(
            step="index_batch",
            batches=len(batch_times),
            events_per_batch=args.batch_size,
            p50_ms=round(percentile(batch_times, 0.5) * 1000, 1),
            p99_ms=round(percentile(batch_times, 0.99) * 1000, 1),
            index_mb=round(directory_size(Path(directory)) / 1e6, 1),
        )
        texts = list(queries(corpus, args.queries))
        for text in texts[:20]:  # warm-up
            await index.search(text, visible_to_operator_id=OPERATORS[0])
        for who, operator in (("operator", OPERATORS[3]), ("admin", "")):
            first_page: list[float] = []
            next_page: list[float] = []
            found = 0
            for text in texts:
                began = time.perf_counter()
                hits, token = await index.search(text, visible_to_operator_id=operator)
                first_page.append(time.perf_counter() - began)
                found += bool(hits)
                if token:
                    began = time.perf_counter()
                    await index.search(text, visible_to_operator_id=operator, page_token=token)
                    next_page.append(time.perf_counter() - began)
            emit(
                step="search",
                who=who,
                queries=len(texts),
                with_hits=found,
                p50_ms=round(percentile(first_page, 0.5) * 1000, 1),
                p99_ms=round(percentile(first_page, 0.99) * 1000, 1),
                max_ms=round(max(first_page) * 1000, 1),
                mean_ms=round(statistics.mean(first_page) * 1000, 1),
                page2_p50_ms=round(percentile(next_page, 0.5) * 1000, 1) if next_page else None,
                page2_p99_ms=round(percentile(next_page, 0.99) * 1000, 1) if next_page else None,
            )
        await concurrent(index, texts, args.concurrency)
        index.close()


async def concurrent(index: SearchIndex, texts: list[str], streams: int) -> None:
    """Operators searching at once while the projection keeps committing batches."""
    timings: list[float] = []
    writing = True

    async def writer(corpus_batches: int = 1_000_000) -> int:
        rng = random.Random(5)
        count = 0
        while writing and count < corpus_batches:
            ticket = index_ticket_event(rng, count)
            await index.index_batch([ticket])
            count += 1
        return count

    async def searcher(offset: int) -> None:
        for text in texts[offset::streams]:
            began = time.perf_counter()
            await index.search(text, visible_to_operator_id=OPERATORS[offset % len(OPERATORS)])
            timings.append(time.perf_counter() - began)

    started = time.perf_counter()
    write_task = asyncio.create_task(writer())
    await asyncio.gather(*(searcher(offset) for offset in range(streams)))
    writing = False
    batches = await write_task
    elapsed = time.perf_counter() - started
    emit(
        step="search_while_indexing",
        streams=streams,
        queries=len(timings),
        queries_per_s=round(len(timings) / elapsed),
        commits=batches,
        p50_ms=round(percentile(timings, 0.5) * 1000, 1),
        p99_ms=round(percentile(timings, 0.99) * 1000, 1),
    )


def index_ticket_event(rng: random.Random, n: int) -> notifications.WebsocketNotification:
    ticket = convert.ticket_proto(
        {"_id": f"live-{n}", "status": "open", "title": f"Новая заявка {n}", "customer": {}}
    )
    message = convert.message_proto(
        {"_id": f"live-m-{n}", "ticket_id": ticket.id, "direction": "customer", "text": rng.choice(COMMON)}
    )
    return notifications.WebsocketNotification(
        ticket_id=ticket.id, type="message.created", ticket=ticket, message=message
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--batches", type=int, default=50)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--heap-mb", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=4, help="concurrent searches while indexing")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
