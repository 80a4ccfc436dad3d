"""Fill the store with tickets and messages through message_saver's store layer, fast.

Documents are made by the owner's own code (`new_ticket_doc` and `Intake._message_doc` for customer
messages, `TicketDesk._message_doc` for operator replies) and written with `insert_many` on the
Repository's collections in chunks (FerretDB v1: ~0.03 ms a document that way, ~0.8 ms with insert_one).
Tickets get several statuses (open / assigned / closed), assignees, categories, tags and titles; messages
are Russian customer questions from the knowledge base's variants with varied details, and operator
replies. Open and assigned tickets also get their chat's `active_tickets` entry, as message_saver keeps.

    .venv/bin/python -m bench.loader --tickets 100000 --messages 1000000 [--assignees id1,id2]

`--tickets` is the size to reach: only the difference is added. Prints progress on stderr and one JSON
line at the end."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import redis.asyncio as redis_async
from pymongo import AsyncMongoClient

from bench import texts
from bench.harness import REPO, note
from infra.engines.__main__ import service_env
from scripts.stack import stack_env
from services.message_saver import convert, domain
from services.message_saver.desk import TicketDesk
from services.message_saver.intake import Intake, new_ticket_doc
from services.message_saver.publisher import Publisher
from services.message_saver.repository import Repository, active_key
from services.message_saver.views import TicketViews
from t1.tickets.v1 import events_pb2 as tickets_events
from t1.tickets.v1 import ticket_pb2 as pb
from t1lib.config import MongoSettings

Doc = dict[str, Any]
CHAT_BASE = 8_000_000_000  # loaded customers' chat ids; the pipeline bench's are below 7_900_000_000
STATUS_SHARES = ((domain.Status.CLOSED, 0.70), (domain.Status.ASSIGNED, 0.15), (domain.Status.OPEN, 0.15))
HISTORY_DAYS = 365
CHUNK = 2000


class Factory:
    """Documents exactly as message_saver makes them, at chosen past times."""

    def __init__(self, repository: Repository, seed: int) -> None:
        clock = domain.SequenceClock()
        publisher = cast(Publisher, None)  # only the document builders are used
        self.intake = Intake(repository, publisher, clock)
        self.desk = TicketDesk(repository, publisher, clock)
        self.rng = random.Random(seed)
        self.categories = texts.categories()

    def ticket(
        self, number: int, messages: int, assignees: Sequence[str], now: datetime
    ) -> tuple[Doc, list[Doc], Doc | None]:
        """One ticket, its messages (customer first, then alternating with operator replies) and its
        active_tickets entry (None for a closed ticket)."""
        rng = self.rng
        chat_id = CHAT_BASE + number
        ticket_id = str(uuid.uuid4())
        first, last = texts.customer_name(rng)
        customer = pb.Customer(
            telegram_user_id=chat_id,
            chat_id=chat_id,
            first_name=first,
            last_name=last,
            username=f"client{number}" if rng.random() < 0.5 else "",
            language_code="ru",
        )
        question = rng.choice(texts.questions())
        opened_at = now - timedelta(seconds=rng.uniform(60, HISTORY_DAYS * 86_400))
        status = _pick_status(rng.random())
        operator = rng.choice(assignees) if assignees else ""
        docs: list[Doc] = []
        moment = opened_at
        for index in range(messages):
            moment = moment + timedelta(seconds=rng.uniform(5, 3600))
            if index % 2 == 1 and operator and status != domain.Status.OPEN:
                docs.append(self._operator_message(ticket_id, chat_id, operator, moment))
            else:
                text = texts.customer_text(rng, question) if index == 0 else texts.follow_up_text(rng)
                docs.append(self._customer_message(customer, chat_id, index + 1, text, ticket_id, moment))
        first_id = docs[0]["_id"]
        ticket = new_ticket_doc(
            ticket_id, chat_id, convert.customer_doc(customer, chat_id), first_id, opened_at
        )
        last_doc = docs[-1]
        ticket.update(
            status=str(status),
            title=question.text[: domain.TITLE_LIMIT],
            category=question.category,
            subcategory=question.subcategory,
            tags=rng.sample(texts.TAGS, k=rng.choice((0, 0, 1, 2))),
            priority=rng.choice(("normal", "normal", "normal", "high", "low", "urgent")),
            last_message_at=last_doc["created_at"],
            last_message_preview=domain.preview(str(last_doc["text"]), []),
            last_message_id=last_doc["_id"],
            updated_at=last_doc["created_at"],
            version=len(docs) + 2,
            message_ids=[doc["_id"] for doc in docs],
        )
        waiting = domain.Waiting()
        for doc in docs:
            waiting = waiting.after(str(doc["direction"]), bool(doc.get("internal")), doc["created_at"])
        ticket.update(waiting.fields())
        if status != domain.Status.OPEN:
            ticket["assignee_id"] = operator
        if status == domain.Status.CLOSED:
            ticket[domain.WAITING_SINCE] = None
            ticket.update(closed_at=last_doc["created_at"], closed_by=operator)
            return ticket, docs, None
        active = {
            "_id": active_key(chat_id),
            "chat_id": chat_id,
            "ticket_id": ticket_id,
            "created_at": opened_at,
        }
        return ticket, docs, active

    def _customer_message(
        self, customer: pb.Customer, chat_id: int, telegram_id: int, text: str, ticket_id: str, at: datetime
    ) -> Doc:
        event = tickets_events.TicketCreated(
            event_id=str(uuid.uuid4()), chat_id=chat_id, telegram_message_id=telegram_id, text=text
        )
        event.customer.CopyFrom(customer)
        event.sent_at.FromDatetime(at)
        message_id = domain.customer_message_id(chat_id, telegram_id)
        doc = self.intake._message_doc(event, message_id, at)
        doc.update(ticket_id=ticket_id, seq=_nanos(at), stored_at=at)
        return doc

    def _operator_message(self, ticket_id: str, chat_id: int, operator: str, at: datetime) -> Doc:
        ticket = {"_id": ticket_id, "chat_id": chat_id}
        message_id = domain.operator_message_id(ticket_id, str(uuid.uuid4()))
        doc = self.desk._message_doc(
            message_id, ticket, domain.Direction.OPERATOR, operator, texts.operator_text(self.rng)
        )
        doc.update(created_at=at, stored_at=at, seq=_nanos(at))
        return doc


def _pick_status(draw: float) -> domain.Status:
    for status, share in STATUS_SHARES:
        if draw < share:
            return status
        draw -= share
    return domain.Status.OPEN


def _nanos(moment: datetime) -> int:
    return domain.to_millis(moment) * 1_000_000


def message_counts(rng: random.Random, tickets: int, messages: int) -> list[int]:
    """Messages per ticket: at least one each, the rest spread unevenly (some long conversations)."""
    counts = [1] * tickets
    extra = max(0, messages - tickets)
    weights = [rng.paretovariate(1.5) for _ in range(tickets)]
    total = sum(weights) or 1.0
    for index, weight in enumerate(weights):
        counts[index] += int(extra * weight / total)
    shortfall = messages - sum(counts)
    for index in range(max(0, shortfall)):
        counts[index % tickets] += 1
    return counts


async def fill(
    repository: Repository,
    *,
    tickets: int,
    messages: int,
    assignees: Sequence[str],
    seed: int = 8,
    chunk: int = CHUNK,
) -> dict[str, Any]:
    """Add tickets until the store holds `tickets` (messages in proportion: `messages` at `tickets`)."""
    started = time.perf_counter()
    existing = await repository.tickets.count_documents({})
    existing_loaded = await repository.tickets.count_documents({"chat_id": {"$gte": CHAT_BASE}})
    to_add = max(0, tickets - existing)
    messages_to_add = round(to_add * messages / tickets) if tickets else 0
    rng = random.Random(seed + existing_loaded)
    counts = message_counts(rng, to_add, messages_to_add) if to_add else []
    factory = Factory(repository, seed + existing_loaded)
    now = datetime.now(UTC)
    ticket_docs: list[Doc] = []
    message_docs: list[Doc] = []
    active_docs: list[Doc] = []
    written_tickets = written_messages = 0
    last_report = time.perf_counter()
    for offset, count in enumerate(counts):
        ticket, docs, active = factory.ticket(existing_loaded + offset, count, assignees, now)
        ticket_docs.append(ticket)
        message_docs.extend(docs)
        if active is not None:
            active_docs.append(active)
        if len(message_docs) >= chunk or len(ticket_docs) >= chunk:
            written_tickets, written_messages = await _write(
                repository, ticket_docs, message_docs, active_docs, written_tickets, written_messages
            )
            if time.perf_counter() - last_report > 5:
                last_report = time.perf_counter()
                elapsed = last_report - started
                note(
                    f"loader: {written_tickets}/{to_add} tickets, {written_messages} messages, "
                    f"{(written_tickets + written_messages) / elapsed:.0f} docs/s"
                )
    written_tickets, written_messages = await _write(
        repository, ticket_docs, message_docs, active_docs, written_tickets, written_messages
    )
    elapsed = time.perf_counter() - started
    return {
        "bench": "loader",
        "tickets_before": existing,
        "tickets_added": written_tickets,
        "messages_added": written_messages,
        "tickets_total": existing + written_tickets,
        "messages_total": await repository.messages.estimated_document_count(),
        "seconds": round(elapsed, 1),
        "docs_per_s": round((written_tickets + written_messages) / elapsed) if elapsed else None,
    }


async def _write(
    repository: Repository,
    ticket_docs: list[Doc],
    message_docs: list[Doc],
    active_docs: list[Doc],
    written_tickets: int,
    written_messages: int,
) -> tuple[int, int]:
    """Messages before their tickets: a listed ticket's messages are always there."""
    if message_docs:
        await repository.messages.insert_many(message_docs, ordered=False)
    if ticket_docs:
        await repository.tickets.insert_many(ticket_docs, ordered=False)
    if active_docs:
        await repository.active.insert_many(active_docs, ordered=False)
    counts = written_tickets + len(ticket_docs), written_messages + len(message_docs)
    ticket_docs.clear()
    message_docs.clear()
    active_docs.clear()
    return counts


async def rebuild_read_models(repository: Repository, *, stack_stopped: bool) -> dict[str, Any]:
    """After writing around message_saver, let what it derives from the store catch up, with the owner's
    own code: the lists' read model in Redis (`Repository.rebuild_views`), and the search index
    (`python -m services.message_saver.search rebuild`) only while message_saver is stopped (an index
    has one writer)."""
    return {
        "views": await _rebuild_views(repository),
        "search": await _rebuild_search() if stack_stopped else "not rebuilt: message_saver is running",
    }


async def _rebuild_views(repository: Repository) -> dict[str, Any]:
    started = time.perf_counter()
    mongo_db = repository.tickets.database.name
    prefix = os.environ.get("T1_VIEWS_PREFIX") or f"t1:{mongo_db}:"
    redis = redis_async.Redis.from_url(
        os.environ.get("T1_REDIS_URL") or service_env()["T1_REDIS_URL"], decode_responses=False
    )
    try:
        keeper = Repository(repository.tickets.database, views=TicketViews(redis, prefix))
        note("loader: Repository.rebuild_views()")
        count = await keeper.rebuild_views()
    finally:
        await redis.aclose()
    return {"status": "rebuilt", "tickets": count, "seconds": round(time.perf_counter() - started, 1)}


async def _rebuild_search() -> Any:
    started = time.perf_counter()
    note("loader: python -m services.message_saver.search rebuild")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "services.message_saver.search",
        "rebuild",
        cwd=REPO,
        env=stack_env(),  # the services' settings, as `make up` gives them
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    detail = (out if process.returncode == 0 else err).decode(errors="replace").strip().splitlines()
    return {
        "status": "rebuilt" if process.returncode == 0 else f"rebuild failed ({process.returncode})",
        "seconds": round(time.perf_counter() - started, 1),
        "output": detail[-1][:300] if detail else "",
    }


async def store_size() -> dict[str, int]:
    """Tickets and messages in the store now."""
    client, repository = open_repository()
    try:
        return {
            "tickets": await repository.tickets.count_documents({}),
            "messages": await repository.messages.estimated_document_count(),
        }
    finally:
        await client.close()


def open_repository() -> tuple[AsyncMongoClient[Doc], Repository]:
    # The engines' address unless T1_MONGO_URL says otherwise; T1_MONGO_DB (default t1) from the environment.
    settings = MongoSettings(mongo_url=os.environ.get("T1_MONGO_URL") or service_env()["T1_MONGO_URL"])
    client: AsyncMongoClient[Doc] = AsyncMongoClient(
        settings.mongo_url, tz_aware=True, serverSelectionTimeoutMS=5000
    )
    return client, Repository(client[settings.mongo_db])


async def load(
    tickets: int, messages: int, assignees: Sequence[str], *, stack_stopped: bool = False
) -> dict[str, Any]:
    """Fill to `tickets`, then rebuild what message_saver derives from the store (the search index
    only with `stack_stopped`: it has one writer)."""
    client, repository = open_repository()
    try:
        await repository.create_indexes()
        record = await fill(repository, tickets=tickets, messages=messages, assignees=assignees)
        if record["tickets_added"]:
            record["rebuilt"] = await rebuild_read_models(repository, stack_stopped=stack_stopped)
        return record
    finally:
        await client.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tickets", type=int, default=100_000, help="tickets the store should hold")
    parser.add_argument("--messages", type=int, default=1_000_000, help="messages at that many tickets")
    parser.add_argument("--assignees", default="", help="operator ids, comma-separated")
    parser.add_argument(
        "--stack-stopped",
        action="store_true",
        help="message_saver is not running: rebuild the search index too",
    )
    args = parser.parse_args()
    assignees = [item for item in args.assignees.split(",") if item]
    record = asyncio.run(load(args.tickets, args.messages, assignees, stack_stopped=args.stack_stopped))
    print(json.dumps(record, ensure_ascii=False))


if __name__ == "__main__":
    main()
