"""The sandbox's batch injection (many customers in one request) and the fake's bookkeeping at volume:
pending updates, the call log and stored messages stay consistent when trimmed and indexed."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from fakes.telegram import FakeTelegram

CHAT = 515151


def api(fake: FakeTelegram, method: str) -> str:
    return f"/bot{fake.token}/{method}"


async def batch(client: httpx.AsyncClient, body: Any) -> httpx.Response:
    return await client.post("/sandbox/messages:batch", json=body)


async def updates(client: httpx.AsyncClient, fake: FakeTelegram, **params: Any) -> list[dict[str, Any]]:
    response = await client.post(api(fake, "getUpdates"), json=params)
    assert response.status_code == 200, response.text
    result: list[dict[str, Any]] = response.json()["result"]
    return result


async def test_a_batch_becomes_one_message_update_per_item_as_the_single_endpoint_makes(
    fake: FakeTelegram, client: httpx.AsyncClient
) -> None:
    single = await client.post(
        f"/sandbox/chats/{CHAT}/messages", json={"text": "первое", "first_name": "Мария"}
    )
    assert single.status_code == 200
    response = await batch(
        client,
        [
            {"chat_id": CHAT, "text": "второе"},
            {"chat_id": CHAT + 1, "text": "Здравствуйте, карта не работает", "first_name": "Иван"},
            {"chat_id": str(CHAT), "text": "третье", "username": "maria"},
        ],
    )
    assert response.status_code == 200, response.text
    results = response.json()["result"]
    assert [(item["chat_id"], item["message_id"]) for item in results] == [
        (CHAT, 2),
        (CHAT + 1, 1),
        (CHAT, 3),
    ]
    got = await updates(client, fake)
    assert [update["update_id"] for update in got[1:]] == [item["update_id"] for item in results]
    assert len({update["update_id"] for update in got}) == 4
    first, *rest = (update["message"] for update in got)
    for message in rest:
        assert set(message) == set(first)  # the same shape as a message from the single endpoint
    assert [message["text"] for message in rest] == ["второе", "Здравствуйте, карта не работает", "третье"]
    assert rest[0]["from"]["first_name"] == "Мария"  # the customer's profile is kept per chat
    assert rest[1]["from"]["first_name"] == "Иван"
    assert rest[1]["chat"]["id"] == CHAT + 1
    assert rest[2]["from"]["username"] == "maria"
    assert [item.text for item in fake.state.chat_messages(CHAT)] == ["первое", "второе", "третье"]


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"nothing": []}, "JSON list"),
        (
            [{"chat_id": CHAT, "text": "ok"}, {"chat_id": CHAT, "text": "  "}],
            "messages[1]: message text is empty",
        ),
        ([{"chat_id": "abc", "text": "x"}], "messages[0].chat_id must be an integer"),
        ([{"chat_id": True, "text": "x"}], "messages[0].chat_id must be an integer"),
        ([{"chat_id": CHAT, "text": "x" * 4097}], "messages[0]: message is too long"),
        (["text"], "messages[0] is not an object"),
    ],
)
async def test_a_bad_batch_sends_nothing_and_names_the_item(
    fake: FakeTelegram, client: httpx.AsyncClient, body: Any, problem: str
) -> None:
    response = await batch(client, body)
    assert response.status_code == 400
    assert problem in response.json()["description"]
    assert fake.state.messages == {}
    assert len(fake.state.pending) == 0


async def test_an_object_with_messages_is_a_batch_too(fake: FakeTelegram, client: httpx.AsyncClient) -> None:
    response = await batch(client, {"messages": [{"chat_id": CHAT, "text": "привет"}]})
    assert response.status_code == 200
    assert len(fake.state.pending) == 1


async def test_thousands_of_updates_drain_through_get_updates_in_order_once_each(
    fake: FakeTelegram, client: httpx.AsyncClient
) -> None:
    sent = 0
    for round_ in range(5):
        items = [{"chat_id": CHAT + i % 300, "text": f"сообщение {round_}-{i}"} for i in range(1000)]
        assert (await batch(client, items)).status_code == 200
        sent += len(items)
    seen: list[int] = []
    offset = None
    while True:
        page = await updates(client, fake, **({"offset": offset} if offset else {}))
        if not page:
            break
        seen.extend(update["update_id"] for update in page)
        offset = page[-1]["update_id"] + 1
    assert len(seen) == sent
    assert seen == sorted(set(seen))
    assert len(fake.state.pending) == 0
    # a negative offset keeps the newest ones
    await batch(client, [{"chat_id": CHAT, "text": f"ещё {i}"} for i in range(5)])
    kept = await updates(client, fake, offset=-2)
    assert [update["message"]["text"] for update in kept] == ["ещё 3", "ещё 4"]


async def test_the_message_limit_forgets_the_oldest_messages_and_keeps_indexes_right() -> None:
    async with FakeTelegram(message_limit=5) as fake, httpx.AsyncClient(base_url=fake.url) as client:
        await batch(client, [{"chat_id": CHAT + i % 2, "text": f"m{i}"} for i in range(8)])
        state = fake.state
        assert len(state.messages) == 5
        assert [item.text for item in state.chat_messages(CHAT)] == ["m4", "m6"]
        assert [item.text for item in state.chat_messages(CHAT + 1)] == ["m3", "m5", "m7"]
        # a chat whose messages are all forgotten still exists, with no last message
        await batch(client, [{"chat_id": CHAT + 2, "text": f"n{i}"} for i in range(5)])
        assert state.chat_messages(CHAT) == []
        chats = (await client.get("/sandbox/chats")).json()["result"]
        last = {entry["chat"]["id"]: entry["last_message"] for entry in chats}
        assert last[CHAT] is None
        assert last[CHAT + 2]["message"]["text"] == "n4"
        bot = (await client.get("/sandbox/bot")).json()["result"]
        assert (bot["messages"], bot["message_limit"]) == (5, 5)


async def test_the_call_log_keeps_the_newest_calls_with_growing_seq_and_per_chat_lookups() -> None:
    async with FakeTelegram(call_log_limit=3) as fake, httpx.AsyncClient(base_url=fake.url) as client:
        await batch(client, [{"chat_id": CHAT, "text": "a"}, {"chat_id": CHAT + 1, "text": "b"}])
        for index in range(4):
            chat = CHAT + index % 2
            response = await client.post(
                api(fake, "sendMessage"), json={"chat_id": chat, "text": f"r{index}"}
            )
            assert response.status_code == 200
        await client.post(api(fake, "getMe"))
        state = fake.state
        assert [call.seq for call in state.calls] == [3, 4, 5]
        assert state.last_call_seq == 5
        assert [call.params["text"] for call in state.calls_of("sendMessage", CHAT)] == ["r2"]  # r0 trimmed
        assert [call.params["text"] for call in state.calls_of("sendMessage", CHAT + 1)] == ["r3"]
        assert [call.seq for call in state.calls_of(after=3)] == [4, 5]
        logged = (await client.get("/sandbox/calls", params={"after": 4})).json()["result"]
        assert [call["method"] for call in logged] == ["getMe"]
        by_chat = (
            await client.get("/sandbox/calls", params={"chat_id": CHAT + 1, "method": "SENDMESSAGE"})
        ).json()["result"]
        assert [call["seq"] for call in by_chat] == [4]
        # what the bot sent is still there for the chat, with the time the fake stored it
        sent = (await client.get(f"/sandbox/chats/{CHAT}/sent")).json()["result"]
        assert [item["message"]["text"] for item in sent] == ["r0", "r2"]
        assert all(isinstance(item["at"], float) for item in sent)
        assert state.bot_messages(CHAT, "sendmessage") == state.chat_messages(CHAT, from_bot=True)
