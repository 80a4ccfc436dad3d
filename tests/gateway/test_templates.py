"""Canned replies on the real gateway app (MongoDB on FerretDB): every operator reads and searches them,
only admins write them, and bad input is a clear 4xx."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from gateway.domain import templates as templates_domain
from tests.gateway.conftest import ADMIN_PASSWORD, bearer, login

pytestmark = pytest.mark.integration

URL = "/api/v1/templates"
GREETING = {
    "title": "Приветствие",
    "text": "Здравствуйте, {имя}! Меня зовут {оператор}, я помогу с обращением {тикет}.",
    "category": "",
}
CARD_BLOCKED = {
    "title": "Карта заблокирована",
    "text": "Разблокировать карту можно в приложении: «Карты» → «Ещё» → «Разблокировать».",
    "category": "Карты",
}
LIMITS = {
    "title": "Лимиты по карте",
    "text": "Лимиты меняются в приложении, раздел «Настройки карты». Ёмкость лимита — до 1 млн.",
    "category": "Карты",
}


async def people(gateway: httpx.AsyncClient, admin_name: str) -> tuple[dict[str, str], dict[str, str]]:
    """(admin's headers, a new operator's headers)."""
    admin = bearer(await login(gateway, admin_name, ADMIN_PASSWORD))
    username = f"op{uuid.uuid4().hex[:8]}"
    created = await gateway.post(
        "/api/v1/operators", json={"username": username, "password": "пароль-оператора"}, headers=admin
    )
    assert created.status_code == 201, created.text
    return admin, bearer(await login(gateway, username, "пароль-оператора"))


async def add(gateway: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    response = await gateway.post(URL, json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def titles(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()]


async def test_admins_write_templates_and_operators_read_them(
    gateway: httpx.AsyncClient, admin_name: str
) -> None:
    admin, operator = await people(gateway, admin_name)
    assert (await gateway.get(URL, headers=operator)).json() == []
    greeting = await add(gateway, admin, GREETING)
    assert greeting["text"] == GREETING["text"]  # variables are kept as written; the console fills them in
    assert greeting["updated_by"]
    await add(gateway, admin, CARD_BLOCKED)
    assert titles(await gateway.get(URL, headers=operator)) == ["Карта заблокирована", "Приветствие"]

    changed = {**GREETING, "title": "Приветствие (вечер)", "text": "Добрый вечер, {имя}!"}
    replaced = await gateway.put(f"{URL}/{greeting['id']}", json=changed, headers=admin)
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["text"] == "Добрый вечер, {имя}!"
    assert replaced.json()["created_at"] == greeting["created_at"]
    assert titles(await gateway.get(URL, headers=operator)) == ["Карта заблокирована", "Приветствие (вечер)"]

    deleted = await gateway.delete(f"{URL}/{greeting['id']}", headers=admin)
    assert deleted.status_code == 204
    assert titles(await gateway.get(URL, headers=operator)) == ["Карта заблокирована"]
    for method in ("PUT", "DELETE"):
        gone = await gateway.request(
            method, f"{URL}/{greeting['id']}", json=changed if method == "PUT" else None, headers=admin
        )
        assert gone.status_code == 404, gone.text


async def test_operators_may_not_write_templates(gateway: httpx.AsyncClient, admin_name: str) -> None:
    admin, operator = await people(gateway, admin_name)
    existing = await add(gateway, admin, CARD_BLOCKED)
    for method, path, body in (
        ("POST", URL, GREETING),
        ("PUT", f"{URL}/{existing['id']}", GREETING),
        ("DELETE", f"{URL}/{existing['id']}", None),
    ):
        response = await gateway.request(method, path, json=body, headers=operator)
        assert response.status_code == 403, (method, response.text)
        assert response.json()["detail"] == "admins only"
    assert (await gateway.get(URL)).status_code == 401
    [kept] = (await gateway.get(URL, headers=operator)).json()
    assert kept == existing


async def test_search_by_words_and_filter_by_category(gateway: httpx.AsyncClient, admin_name: str) -> None:
    admin, operator = await people(gateway, admin_name)
    for body in (GREETING, CARD_BLOCKED, LIMITS):
        await add(gateway, admin, body)

    async def found(**query: str) -> list[str]:
        return titles(await gateway.get(URL, params=query, headers=operator))

    assert await found(category="Карты") == ["Карта заблокирована", "Лимиты по карте"]
    assert await found(category="карты") == ["Карта заблокирована", "Лимиты по карте"]
    assert await found(q="приложении карты") == ["Карта заблокирована", "Лимиты по карте"]
    assert await found(q="РАЗБЛОКИРОВАТЬ") == ["Карта заблокирована"]
    assert await found(q="емкость") == ["Лимиты по карте"]  # ё is searched as е
    assert await found(q="имя") == ["Приветствие"]  # the variables are text too
    assert await found(q="приложении", category="Вклады") == []
    assert await found(q="   ") == ["Карта заблокирована", "Лимиты по карте", "Приветствие"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**GREETING, "title": "т" * 101}, "title"),
        ({**GREETING, "title": "   "}, "title"),
        ({**GREETING, "text": "т" * 4097}, "text"),
        ({**GREETING, "text": ""}, "text"),
        ({**GREETING, "category": "к" * 201}, "category"),
        ({"title": "Без текста"}, "text"),
    ],
    ids=["long-title", "blank-title", "long-text", "empty-text", "long-category", "no-text"],
)
async def test_invalid_templates_are_422_naming_the_field(
    gateway: httpx.AsyncClient, admin_name: str, body: dict[str, Any], field: str
) -> None:
    admin, _operator = await people(gateway, admin_name)
    response = await gateway.post(URL, json=body, headers=admin)
    assert response.status_code == 422, response.text
    assert [issue["loc"] for issue in response.json()["detail"]] == [["body", field]]
    assert (await gateway.get(URL, headers=admin)).json() == []


async def test_the_longest_template_is_accepted_and_lone_surrogates_are_not(
    gateway: httpx.AsyncClient, admin_name: str
) -> None:
    admin, _operator = await people(gateway, admin_name)
    longest = await add(gateway, admin, {"title": "т" * 100, "text": "😀" * 4096, "category": "к" * 200})
    assert len(longest["text"]) == 4096
    for field in ("title", "text", "category"):
        spelled = {"title": '"Т"', "text": '"Т"', "category": '"К"', field: '"x\\ud800"'}
        raw = "{" + ", ".join(f'"{name}": {value}' for name, value in spelled.items()) + "}"
        response = await gateway.post(
            URL, content=raw.encode(), headers={**admin, "content-type": "application/json"}
        )
        assert response.status_code == 422, (field, response.text)
        assert "surrogate" in response.text
        assert "\\ud800" not in response.text  # the input is never echoed
    assert len((await gateway.get(URL, headers=admin)).json()) == 1


async def test_a_desk_keeps_at_most_the_cap(
    gateway: httpx.AsyncClient, admin_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(templates_domain, "MAX_TEMPLATES", 2)
    admin, operator = await people(gateway, admin_name)
    await add(gateway, admin, GREETING)
    await add(gateway, admin, CARD_BLOCKED)
    refused = await gateway.post(URL, json=LIMITS, headers=admin)
    assert refused.status_code == 409, refused.text
    assert "at most 2" in refused.json()["detail"]
    assert len((await gateway.get(URL, headers=operator)).json()) == 2
