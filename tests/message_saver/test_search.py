"""The search index on a temporary directory (no engines): word forms, fields, visibility, paging."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services.message_saver import domain
from services.message_saver.intake import new_ticket_doc
from services.message_saver.search import SearchHit, SearchIndex
from t1.notifications.v1 import events_pb2 as notifications
from t1.tickets.v1 import ticket_pb2 as pb
from t1lib.errors import InvalidArgumentError

STATUSES = {
    "open": pb.TICKET_STATUS_OPEN,
    "assigned": pb.TICKET_STATUS_ASSIGNED,
    "closed": pb.TICKET_STATUS_CLOSED,
}
START = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def ticket(
    ticket_id: str,
    *,
    status: str = "open",
    assignee: str = "",
    title: str = "",
    tags: Iterable[str] = (),
    first_name: str = "Мария",
    username: str = "",
    telegram_id: int = 5550001,
    minute: int = 0,
) -> pb.Ticket:
    result = pb.Ticket(
        id=ticket_id,
        title=title,
        status=STATUSES[status],
        assignee_id=assignee,
        customer=pb.Customer(
            telegram_user_id=telegram_id, chat_id=telegram_id, first_name=first_name, username=username
        ),
        tags=list(tags),
    )
    result.created_at.FromDatetime(START)
    result.updated_at.FromDatetime(START + timedelta(minutes=minute))
    return result


def ticket_event(snapshot: pb.Ticket) -> notifications.WebsocketNotification:
    return notifications.WebsocketNotification(
        event_id=f"{snapshot.id}-{snapshot.updated_at.seconds}",
        ticket_id=snapshot.id,
        type=str(domain.Notification.TICKET_UPDATED),
        ticket=snapshot,
    )


def message_event(
    snapshot: pb.Ticket, message_id: str, text: str, *, ocr: str = "", internal: bool = False
) -> notifications.WebsocketNotification:
    message = pb.Message(
        id=message_id,
        ticket_id=snapshot.id,
        direction=pb.MESSAGE_DIRECTION_SYSTEM if internal else pb.MESSAGE_DIRECTION_CUSTOMER,
        text=text,
        internal=internal,
        attachments=[pb.Attachment(id=f"{message_id}-a", kind=pb.ATTACHMENT_KIND_PHOTO, ocr_text=ocr)]
        if ocr
        else [],
    )
    message.created_at.FromDatetime(START)
    return notifications.WebsocketNotification(
        event_id=f"{message_id}-created",
        ticket_id=snapshot.id,
        type=str(domain.Notification.MESSAGE_CREATED),
        ticket=snapshot,
        message=message,
    )


@pytest.fixture
def index(tmp_path: Path) -> Iterator[SearchIndex]:
    search = SearchIndex(tmp_path / "search", heap_bytes=20_000_000)
    yield search
    search.close()


def ids(hits: list[SearchHit]) -> list[str]:
    return [hit.ticket.id for hit in hits]


def marked(hit: SearchHit) -> list[str]:
    return [hit.snippet[start:end] for start, end in hit.highlights]


async def test_word_forms_find_each_other(index: SearchIndex) -> None:
    first, second = ticket("t1"), ticket("t2")
    await index.index_batch(
        [
            message_event(first, "m1", "Хочу оформить ипотека на квартиру, подскажите ставку"),
            message_event(second, "m2", "Моя карта заблокирована, что делать?"),
        ]
    )
    (hit,) = (await index.search("ипотеку"))[0]
    assert (hit.ticket.id, hit.matched_field, hit.message_id) == ("t1", "message", "m1")
    assert marked(hit) == ["ипотека"]
    assert ids((await index.search("карту"))[0]) == ["t2"]
    assert ids((await index.search("заблокировал карты"))[0]) == ["t2"]
    assert ids((await index.search("КАРТОЙ"))[0]) == ["t2"]


async def test_snippet_of_a_long_message_is_cut_around_the_match(index: SearchIndex) -> None:
    text = "Начало. " + "Слово " * 80 + "😀 ипотека на ёлку " + "текст " * 80
    await index.index_batch([message_event(ticket("t1"), "m1", text)])
    (hit,) = (await index.search("ипотеку елки"))[0]
    assert hit.snippet.startswith("…")
    assert hit.snippet.endswith("…")
    assert len(hit.snippet) < 200
    assert marked(hit) == ["ипотека", "ёлку"]


async def test_english_words_are_stemmed_too(index: SearchIndex) -> None:
    await index.index_batch([message_event(ticket("t1"), "m1", "My card was blocked after payments")])
    (hit,) = (await index.search("cards blocking"))[0]
    assert marked(hit) == ["card", "blocked"]


async def test_text_on_photos_is_found(index: SearchIndex) -> None:
    await index.index_batch([message_event(ticket("t1"), "m1", "", ocr="ОШИБКА 403\nПлатёж отклонён банком")])
    (hit,) = (await index.search("платеж отклонен"))[0]
    assert (hit.matched_field, hit.message_id) == ("ocr", "m1")
    assert marked(hit) == ["Платёж", "отклонён"]


async def test_ticket_fields_are_found(index: SearchIndex) -> None:
    snapshot = ticket(
        "t1",
        title="Блокировка карты за рубежом",
        tags=["VIP клиент", "срочно"],
        first_name="Ольга",
        username="olga_k",
        telegram_id=987654321,
    )
    await index.index_batch([ticket_event(snapshot)])
    by_id, _ = await index.search("987654321")
    assert [(hit.ticket.id, hit.matched_field, marked(hit)) for hit in by_id] == [
        ("t1", "customer", ["987654321"])
    ]
    assert [hit.matched_field for hit in (await index.search("vip"))[0]] == ["tags"]
    assert [hit.matched_field for hit in (await index.search("рубеж"))[0]] == ["title"]
    assert [hit.matched_field for hit in (await index.search("@olga_k"))[0]] == ["customer"]
    assert [hit.matched_field for hit in (await index.search("ольгу"))[0]] == ["customer"]
    assert by_id[0].ticket == snapshot


async def test_one_hit_per_ticket_with_its_best_match(index: SearchIndex) -> None:
    snapshot = ticket("t1", title="Кредитная карта")
    await index.index_batch(
        [message_event(snapshot, f"m{n}", f"карта номер {n} не работает") for n in range(5)]
        + [ticket_event(snapshot)]
    )
    hits, token = await index.search("карта")
    assert (ids(hits), token) == (["t1"], "")
    assert hits[0].matched_field == "title"


async def test_operator_sees_the_queue_and_own_tickets(index: SearchIndex) -> None:
    mine = ticket("mine", status="assigned", assignee="op-a")
    theirs = ticket("theirs", status="assigned", assignee="op-b")
    queued = ticket("queued")
    closed_mine = ticket("closed-mine", status="closed", assignee="op-a")
    await index.index_batch(
        [
            message_event(snapshot, f"m-{snapshot.id}", "Не приходит смс с кодом")
            for snapshot in (mine, theirs, queued, closed_mine)
        ]
    )
    seen, _ = await index.search("смс", visible_to_operator_id="op-a")
    assert sorted(ids(seen)) == ["closed-mine", "mine", "queued"]
    assert sorted(ids((await index.search("смс"))[0])) == ["closed-mine", "mine", "queued", "theirs"]
    assert ids((await index.search("смс", status="assigned", visible_to_operator_id="op-a"))[0]) == ["mine"]
    assert sorted(ids((await index.search("смс", status="assigned"))[0])) == ["mine", "theirs"]


async def test_status_changes_after_indexing_are_respected(index: SearchIndex) -> None:
    opened = ticket("t1")
    await index.index_batch([message_event(opened, "m1", "Перевод не дошёл до получателя")])
    assert ids((await index.search("перевод", visible_to_operator_id="op-a"))[0]) == ["t1"]

    taken = ticket("t1", status="assigned", assignee="op-b", minute=1)
    await index.index_batch([ticket_event(taken)])
    assert (await index.search("перевод", visible_to_operator_id="op-a"))[0] == []
    (hit,) = (await index.search("перевод", status="assigned", visible_to_operator_id="op-b"))[0]
    assert (hit.ticket.status, hit.ticket.assignee_id, hit.message_id) == (
        pb.TICKET_STATUS_ASSIGNED,
        "op-b",
        "m1",
    )
    assert (await index.search("перевод", status="open"))[0] == []

    # A redelivered older snapshot does not take the ticket back to the queue.
    await index.index_batch([message_event(opened, "m1", "Перевод не дошёл до получателя")])
    assert (await index.search("перевод", visible_to_operator_id="op-a"))[0] == []
    assert ids((await index.search("перевод", status="assigned"))[0]) == ["t1"]


async def test_an_older_snapshot_after_a_restart_keeps_the_newer_visibility(tmp_path: Path) -> None:
    # The writer remembers what it indexed; a new writer reads the ticket's state back from the index.
    opened = ticket("t1")
    taken = ticket("t1", status="assigned", assignee="op-b", minute=1)
    first = SearchIndex(tmp_path / "search", heap_bytes=20_000_000)
    await first.index_batch([message_event(opened, "m1", "Перевод не дошёл до получателя")])
    await first.index_batch([ticket_event(taken)])
    first.close()
    del first

    reopened = SearchIndex(tmp_path / "search", heap_bytes=20_000_000)
    try:
        await reopened.index_batch([message_event(opened, "m1", "Перевод не дошёл до получателя")])
        assert (await reopened.search("перевод", visible_to_operator_id="op-a"))[0] == []
        (hit,) = (await reopened.search("перевод", status="assigned", visible_to_operator_id="op-b"))[0]
        assert (hit.ticket.assignee_id, hit.message_id) == ("op-b", "m1")
    finally:
        reopened.close()


async def test_a_change_and_messages_in_one_batch(index: SearchIndex) -> None:
    opened, taken = ticket("t1"), ticket("t1", status="assigned", assignee="op-b", minute=1)
    await index.index_batch([message_event(opened, "m0", "Старое сообщение про вклад")])
    await index.index_batch([message_event(opened, "m1", "Новое сообщение про вклад"), ticket_event(taken)])
    assert (await index.search("вклад", status="open"))[0] == []
    (hit,) = (await index.search("вклад", status="assigned"))[0]
    assert hit.ticket == taken


async def test_pages_have_no_duplicates_or_gaps(index: SearchIndex) -> None:
    events = []
    for n in range(45):
        snapshot = ticket(f"t{n:02}", minute=n)
        events += [
            message_event(snapshot, f"m{n}-{k}", "Где мой кэшбэк " * (1 + k + n % 3)) for k in range(3)
        ]
    await index.index_batch(events)
    seen: list[SearchHit] = []
    token = ""
    for _ in range(10):
        hits, token = await index.search("кэшбэк", page_token=token, page_size=10)
        seen += hits
        if not token:
            break
    assert len(seen) == 45
    assert sorted(ids(seen)) == sorted(f"t{n:02}" for n in range(45))
    scores = [hit.score for hit in seen]
    assert scores == sorted(scores, reverse=True)


async def test_pages_of_one_search_read_one_snapshot(index: SearchIndex) -> None:
    await index.index_batch([message_event(ticket(f"t{n}"), f"m{n}", "Вопрос по вкладу") for n in range(6)])
    first, token = await index.search("вклад", page_size=3)
    await index.index_batch(
        [message_event(ticket(f"new{n}"), f"n{n}", "Вклад вклад вклад вклад") for n in range(5)]
    )
    second, last = await index.search("вклад", page_token=token, page_size=3)
    assert last == ""
    assert sorted(ids(first) + ids(second)) == [f"t{n}" for n in range(6)]


async def test_redelivered_batch_gives_no_duplicates(index: SearchIndex) -> None:
    snapshot = ticket("t1")
    batch = [ticket_event(snapshot), message_event(snapshot, "m1", "Не могу войти в приложение")]
    await index.index_batch(batch)
    count = index.num_docs
    await index.index_batch(batch)
    assert index.num_docs == count == 2
    assert ids((await index.search("приложение"))[0]) == ["t1"]


async def test_edited_message_replaces_its_text(index: SearchIndex) -> None:
    snapshot = ticket("t1")
    await index.index_batch([message_event(snapshot, "m1", "Потерял паспорт")])
    await index.index_batch([message_event(snapshot, "m1", "Потерял телефон")])
    assert (await index.search("паспорт"))[0] == []
    assert ids((await index.search("телефон"))[0]) == ["t1"]


async def test_internal_notes_are_searchable(index: SearchIndex) -> None:
    await index.index_batch([message_event(ticket("t1"), "note", "Клиент просил перезвонить", internal=True)])
    (hit,) = (await index.search("перезвонить"))[0]
    assert hit.message_id == "note"


@pytest.mark.parametrize("text", ['"foo: [bar AND (', "title:карта OR -)", "*?~^", "!!!", "😀", "\\"])
async def test_any_text_is_a_query(index: SearchIndex, text: str) -> None:
    await index.index_batch([message_event(ticket("t1"), "m1", "foo bar карта")])
    hits, _ = await index.search(text)
    assert all(hit.ticket.id == "t1" for hit in hits)


@pytest.mark.parametrize("text", ["", "   ", "x" * 201])
async def test_empty_or_long_query_is_invalid(index: SearchIndex, text: str) -> None:
    with pytest.raises(InvalidArgumentError):
        await index.search(text)


async def test_bad_page_token_or_status_is_invalid(index: SearchIndex) -> None:
    with pytest.raises(InvalidArgumentError):
        await index.search("карта", page_token="not-a-token")
    with pytest.raises(InvalidArgumentError):
        await index.search("карта", status="lost")


def test_indexes_of_other_schema_versions_are_removed(tmp_path: Path) -> None:
    (tmp_path / "v0").mkdir()
    (tmp_path / "v0" / "meta.json").write_text("{}")
    index = SearchIndex(tmp_path, heap_bytes=20_000_000)
    index.close()
    assert sorted(path.name for path in tmp_path.iterdir()) == [index.path.name]


async def test_rebuild_from_stored_documents_and_reopen(tmp_path: Path) -> None:
    index = SearchIndex(tmp_path, heap_bytes=20_000_000)
    assert index.is_empty
    await index.index_batch([message_event(ticket("gone"), "old", "устаревший документ")])
    doc = new_ticket_doc("t1", 5550001, {"telegram_user_id": 5550001, "first_name": "Анна"}, "m1", START)
    doc.update(status="assigned", assignee_id="op-a", tags=["жалоба"])
    stored_message = {
        "_id": "m1",
        "ticket_id": "t1",
        "direction": "customer",
        "text": "Списали комиссию дважды",
        "attachments": [{"id": "a", "kind": "photo", "ocr_text": "Комиссия 150 BYN"}],
        "created_at": START,
    }
    orphan = {**stored_message, "_id": "m2", "ticket_id": ""}

    async def each(*docs: dict[str, object]) -> AsyncIterator[dict[str, object]]:
        for item in docs:
            yield item

    report = await index.rebuild(each(doc), each(stored_message, orphan))
    assert (report.tickets, report.messages, report.skipped_messages) == (1, 1, 1)
    assert (await index.search("устаревший"))[0] == []
    index.close()

    reopened = SearchIndex(tmp_path, heap_bytes=20_000_000)
    assert not reopened.is_empty
    assert [hit.matched_field for hit in (await reopened.search("byn"))[0]] == ["ocr"]
    assert ids((await reopened.search("жалобы", visible_to_operator_id="op-a"))[0]) == ["t1"]
    assert (await reopened.search("комиссию", visible_to_operator_id="op-b"))[0] == []
    reopened.close()


def test_visibility_rule() -> None:
    assert domain.visible_to("open", "", "op-a")
    assert domain.visible_to("assigned", "op-a", "op-a")
    assert domain.visible_to("closed", "op-a", "op-a")
    assert not domain.visible_to("assigned", "op-b", "op-a")
    assert not domain.visible_to("closed", "op-b", "op-a")
    assert domain.visible_to("closed", "op-b", "")
