"""Request bodies are bounded per route and refused with 413 before they are read whole (a declared
Content-Length at once, a chunked body as soon as it passes the limit); validation errors never echo what
was sent, so a password or a token never comes back in a 422."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from gateway.core.config import Settings
from tests.e2e.conftest import Stack
from tests.gateway.conftest import ADMIN_PASSWORD, bearer, login

pytestmark = pytest.mark.integration

ANSWER_WITHIN_S = 10


@pytest.fixture
def gateway_settings(gateway_settings: Settings) -> Settings:
    """No ml: a knowledge-base entry that passes the body limit ends in 503."""
    return gateway_settings.model_copy(update={"ml_grpc_addr": "127.0.0.1:9"})


async def raw_exchange(base_url: str, head: str, body: list[bytes]) -> bytes:
    """Sends a request head and then the body's pieces over a plain socket, stops sending as soon as the
    server answers (or closes), and returns the answer's status line and headers."""
    address = urlsplit(base_url)
    reader, writer = await asyncio.open_connection(address.hostname, address.port)
    try:
        writer.write(head.encode("latin-1"))
        await writer.drain()
        answer = asyncio.create_task(reader.readuntil(b"\r\n\r\n"))
        for piece in body:
            if answer.done():
                break
            try:
                writer.write(piece)
                await writer.drain()
            except ConnectionError:
                break
            await asyncio.wait({answer}, timeout=0)  # let the answer, if it came, be read
        return await asyncio.wait_for(answer, ANSWER_WITHIN_S)
    finally:
        writer.close()


def chunked(total: int, piece: int = 16 * 1024) -> list[bytes]:
    data = b"[" + b'"x",' * (piece // 4)
    return [f"{len(data):x}\r\n".encode() + data + b"\r\n" for _ in range(total // len(data) + 1)]


@pytest.mark.parametrize(
    "path", ["/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/operators", "/api/v1/kb/entries"]
)
async def test_a_declared_oversized_body_is_413_before_it_is_sent(
    gateway: httpx.AsyncClient, path: str
) -> None:
    """50 MB announced, not one byte sent: the answer comes at once."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {50 * 1024 * 1024}\r\n\r\n"
    )
    answer = await raw_exchange(str(gateway.base_url), head, [])
    assert answer.startswith(b"HTTP/1.1 413"), answer


async def test_a_chunked_body_is_413_once_it_passes_the_limit(
    gateway: httpx.AsyncClient, gateway_settings: Settings
) -> None:
    head = (
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    )
    # up to four times the limit goes out, the last chunk never: only a server that stops reading answers
    answer = await raw_exchange(
        str(gateway.base_url), head, chunked(4 * gateway_settings.max_json_body_bytes)
    )
    assert answer.startswith(b"HTTP/1.1 413"), answer


async def test_a_body_within_the_limit_is_read(gateway: httpx.AsyncClient, admin_name: str) -> None:
    response = await gateway.post(
        "/api/v1/auth/login", json={"username": admin_name, "password": ADMIN_PASSWORD, "pad": "x" * 30_000}
    )
    assert response.status_code == 200, response.text


async def test_a_knowledge_base_entry_of_the_largest_size_is_not_refused_for_its_size(
    gateway: httpx.AsyncClient, admin_name: str
) -> None:
    """The longest answer and every variant, in Cyrillic: larger than a note, still accepted (the body
    reaches ml, which is not running here: 503)."""
    admin = bearer(await login(gateway, admin_name, ADMIN_PASSWORD))
    entry = {
        "category": "Карты" * 40,
        "question": "Вопрос" * 333,
        "answer": "Ответ" * 1600,
        "variants": ["Вариант" * 71] * 50,
    }
    response = await gateway.post("/api/v1/kb/entries", json=entry, headers=admin)
    assert response.status_code == 503, response.text


SECRET = "Секретный-пароль-" + uuid.uuid4().hex


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/v1/auth/login", {"username": "admin", "password": SECRET * 20}),
        ("POST", "/api/v1/auth/login", {"username": SECRET, "password": 42}),
        ("POST", "/api/v1/auth/refresh", {"refresh_token": [SECRET]}),
        ("POST", "/api/v1/auth/logout", {"refresh_token": {"token": SECRET}}),
        ("POST", "/api/v1/operators", {"username": "lena", "password": SECRET[:7]}),
        ("POST", "/api/v1/operators", {"username": "lena", "password": SECRET * 20}),
    ],
)
async def test_a_422_never_echoes_what_was_sent(
    gateway: httpx.AsyncClient, admin_name: str, method: str, path: str, body: dict[str, Any]
) -> None:
    admin = bearer(await login(gateway, admin_name, ADMIN_PASSWORD))
    response = await gateway.request(method, path, json=body, headers=admin)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][0] == "body"
    assert SECRET[:7] not in response.text
    assert "input" not in response.json()["detail"][0]


async def test_the_reply_route_takes_a_file_far_larger_than_a_json_body(
    shared_stack: Stack, ticket: dict[str, Any]
) -> None:
    stack, ticket_id = shared_stack, ticket["id"]
    data = b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024)
    response = await stack.api.post(
        f"/api/v1/tickets/{ticket_id}/messages",
        files={"file": ("statement.pdf", data, "application/pdf")},
        data={"text": "Выписка"},
        headers=stack.admin.headers,
    )
    assert response.status_code == 201, response.text


async def test_the_reply_route_refuses_a_body_beyond_the_file_limit_before_reading_it(
    shared_stack: Stack, ticket: dict[str, Any]
) -> None:
    stack, ticket_id = shared_stack, ticket["id"]
    head = (
        f"POST /api/v1/tickets/{ticket_id}/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: {stack.admin.headers['Authorization']}\r\n"
        "Content-Type: multipart/form-data; boundary=b\r\n"
        f"Content-Length: {200 * 1024 * 1024}\r\n\r\n"
    )
    answer = await raw_exchange(stack.gateway_url, head, [])
    assert answer.startswith(b"HTTP/1.1 413"), answer
