"""Malformed input to the REST API gets a clear 4xx and changes nothing: bodies that are not JSON, text
that cannot be encoded (lone UTF-16 surrogates, which JSON's \\u escapes can spell), crafted page cursors."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from gateway.core.config import Settings
from gateway.main import create_app
from tests.e2e.conftest import Stack

pytestmark = pytest.mark.integration

LONE_SURROGATE = "x\\ud800"  # as JSON spells it: the escape itself, not a character


def assert_clear_4xx(response: Any, expected: int) -> None:
    assert response.status_code == expected, response.text
    detail = response.json()["detail"]
    assert detail, response.text


@pytest.mark.parametrize(
    ("content_type", "body", "expected"),
    [
        ("application/json", b"", 422),
        ("application/json", b"\xff\xfe\x00t\x00e\x00x\x00t", 422),
        ("application/json", b'{"text": "\xd0\xcf\xf0\xe8"}', 422),  # windows-1251, not UTF-8
        ("application/xml", b"<message><text>hello</text></message>", 415),
        ("application/x-www-form-urlencoded", b"text=hello", 415),
        ("text/plain", b"\xff\xfe", 415),
    ],
    ids=["empty", "utf16", "cp1251", "xml", "form-urlencoded", "non-utf8-text"],
)
async def test_a_reply_that_is_not_json_is_a_clear_4xx(
    shared_stack: Stack, ticket: dict[str, Any], content_type: str, body: bytes, expected: int
) -> None:
    response = await shared_stack.api.post(
        f"/api/v1/tickets/{ticket['id']}/messages",
        content=body,
        headers={**shared_stack.admin.headers, "content-type": content_type},
    )
    assert_clear_4xx(response, expected)
    assert [item["direction"] for item in await shared_stack.messages(ticket["id"])] == ["customer"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/tickets/{id}/notes", f'{{"text": "{LONE_SURROGATE}"}}'),
        ("POST", "/tickets/{id}/messages", f'{{"text": "{LONE_SURROGATE}"}}'),
        ("PATCH", "/tickets/{id}", f'{{"tags": ["vip", "{LONE_SURROGATE}"]}}'),
        ("PATCH", "/tickets/{id}", f'{{"category": "{LONE_SURROGATE}"}}'),
        ("POST", "/tickets/{id}/reply-draft", f'{{"category": "{LONE_SURROGATE}"}}'),
        ("POST", "/kb/entries", f'{{"category": "Карты", "question": "{LONE_SURROGATE}?", "answer": "Да"}}'),
        (
            "POST",
            "/kb/entries",
            f'{{"category": "Карты", "question": "Как?", "answer": "Да", "variants": ["{LONE_SURROGATE}"]}}',
        ),
        ("POST", "/operators", f'{{"username": "lena", "password": "{LONE_SURROGATE}-long-enough"}}'),
        ("POST", "/auth/login", f'{{"username": "{LONE_SURROGATE}", "password": "secret"}}'),
        ("POST", "/auth/refresh", f'{{"refresh_token": "{LONE_SURROGATE}"}}'),
    ],
)
async def test_text_with_a_lone_surrogate_is_422_and_changes_nothing(
    shared_stack: Stack, ticket: dict[str, Any], method: str, path: str, body: str
) -> None:
    before = (
        await shared_stack.api.get(f"/api/v1/tickets/{ticket['id']}", headers=shared_stack.admin.headers)
    ).json()
    response = await shared_stack.api.request(
        method,
        "/api/v1" + path.format(id=ticket["id"]),
        content=body.encode(),
        headers={**shared_stack.admin.headers, "content-type": "application/json"},
    )
    assert_clear_4xx(response, 422)
    # the JSON parser of the reply route stops at the escape itself; the others name the lone surrogate
    assert "surrogate" in response.text or "hex escape" in response.text, response.text
    after = (
        await shared_stack.api.get(f"/api/v1/tickets/{ticket['id']}", headers=shared_stack.admin.headers)
    ).json()
    assert after == before
    assert [item["direction"] for item in await shared_stack.messages(ticket["id"])] == ["customer"]


@pytest.mark.parametrize("field", ["text", "client_message_id", "file_name"])
async def test_a_multipart_field_that_decodes_to_a_lone_surrogate_is_422(
    shared_stack: Stack, ticket: dict[str, Any], field: str
) -> None:
    """A form may name its charset; in UTF-7, `+2AA-` is a lone surrogate."""
    values = {"text": "caption", "client_message_id": "c-1", "file_name": "scan.txt"} | {field: "+2AA-"}
    boundary = "t1boundary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="text"\r\n\r\n{values["text"]}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="client_message_id"\r\n\r\n'
        f"{values['client_message_id']}\r\n"
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{values["file_name"]}"\r\n'
        f"Content-Type: text/plain\r\n\r\nhello\r\n--{boundary}--\r\n"
    )
    response = await shared_stack.api.post(
        f"/api/v1/tickets/{ticket['id']}/messages",
        content=body.encode("ascii"),
        headers={
            **shared_stack.admin.headers,
            "content-type": f"multipart/form-data; charset=utf-7; boundary={boundary}",
        },
    )
    assert_clear_4xx(response, 422)
    assert "surrogate" in response.text
    assert [item["direction"] for item in await shared_stack.messages(ticket["id"])] == ["customer"]


def test_every_request_body_rejects_unencodable_text(gateway_settings: Settings) -> None:
    """The check lives in one base class; a body model of a new route that skips it fails here."""
    from gateway import models

    paths = create_app(gateway_settings).openapi()["paths"]
    refs = {
        content["schema"]["$ref"].rsplit("/", 1)[-1]
        for path in paths.values()
        for operation in path.values()
        for content in operation.get("requestBody", {}).get("content", {}).values()
        if "$ref" in content["schema"]
    }
    assert len(refs) >= 8, refs
    skipping = {name for name in refs if not issubclass(getattr(models, name), models.RequestBody)}
    assert not skipping, f"request bodies without the check: {skipping}"


def cursor(*values: object) -> str:
    raw = json.dumps(list(values), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


CRAFTED_POSITIONS = [
    cursor(10**20, "x"),
    cursor(-(10**20), "x"),
    cursor(10**15, "x"),
    cursor(-(10**15), "x"),
    cursor(2**63, "x"),
]


@pytest.mark.parametrize("token", CRAFTED_POSITIONS)
async def test_a_crafted_ticket_list_cursor_is_400(shared_stack: Stack, token: str) -> None:
    for status in ("", "&status=open", "&status=closed", "&q=оплата"):
        response = await shared_stack.api.get(
            f"/api/v1/tickets?cursor={token}{status}", headers=shared_stack.admin.headers
        )
        assert_clear_4xx(response, 400)


@pytest.mark.parametrize("token", CRAFTED_POSITIONS)
async def test_a_crafted_messages_cursor_is_400(
    shared_stack: Stack, ticket: dict[str, Any], token: str
) -> None:
    for order in ("", "&newest_first=true"):
        response = await shared_stack.api.get(
            f"/api/v1/tickets/{ticket['id']}/messages?cursor={token}{order}",
            headers=shared_stack.admin.headers,
        )
        assert_clear_4xx(response, 400)


@pytest.mark.parametrize(
    "token",
    [
        cursor(0, 1.0, 0, 10**15),  # the number of documents to read
        cursor(0, 1.0, 0, 10**20),
        cursor(0, 1.0, 0, -1),
        cursor(0, 1.0, 10**20, 100),
        cursor(0, 1.0, -1, 100),
        cursor(10**20, 1.0, 0, 100),
        base64.urlsafe_b64encode(b"[0,NaN,0,100]").decode(),
        base64.urlsafe_b64encode(b"[0,Infinity,0,100]").decode(),
    ],
)
async def test_a_crafted_search_cursor_is_400(
    shared_stack: Stack, ticket: dict[str, Any], token: str
) -> None:
    response = await shared_stack.api.get(
        f"/api/v1/search?q=оплата&cursor={token}", headers=shared_stack.admin.headers
    )
    assert_clear_4xx(response, 400)
