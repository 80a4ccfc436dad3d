"""The fake LLM over real HTTP: OpenAI's shapes and errors, default answers, the /fake/ control API, and
`python -m fakes.llm`."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from fakes.llm import DEFAULT_API_KEY, FakeLlm
from tests.support.servers import free_port

TITLE_SYSTEM = "Составь краткий заголовок обращения клиента на русском языке."


@pytest.fixture
async def llm() -> AsyncIterator[FakeLlm]:
    async with FakeLlm() as server:
        yield server


@pytest.fixture
async def http(llm: FakeLlm) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"Authorization": f"Bearer {llm.api_key}"}
    async with httpx.AsyncClient(base_url=llm.url, headers=headers, timeout=10) as client:
        yield client


def chat(text: str, system_prompt: str = TITLE_SYSTEM, **extra: Any) -> dict[str, Any]:
    return {
        "model": "openai/gpt-4o-mini",
        "messages": [{"role": "system", "content": system_prompt}, {"role": "user", "content": text}],
        **extra,
    }


async def test_a_completion_has_openais_shape(http: httpx.AsyncClient) -> None:
    response = await http.post("/v1/chat/completions", json=chat("Здравствуйте! Не проходит оплата картой"))
    assert response.status_code == 200
    body = response.json()
    assert body["id"].startswith("chatcmpl-")
    assert body["object"] == "chat.completion"
    assert isinstance(body["created"], int)
    assert body["model"] == "openai/gpt-4o-mini"
    [choice] = body["choices"]
    assert choice["index"] == 0
    assert choice["message"]["role"] == "assistant"
    assert choice["message"]["content"] == "Не проходит оплата картой"
    assert choice["finish_reason"] == "stop"
    usage = body["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"] > 0


async def test_default_answers_are_deterministic_and_follow_the_prompt(http: httpx.AsyncClient) -> None:
    async def answer(text: str, system_prompt: str = TITLE_SYSTEM) -> str:
        response = await http.post("/v1/chat/completions", json=chat(text, system_prompt))
        return str(response.json()["choices"][0]["message"]["content"])

    text = "Добрый день, подскажите пожалуйста, у меня не приходит смс с кодом. Что делать?"
    assert await answer(text) == await answer(text) == "Не приходит смс с кодом"
    assert await answer("Здравствуйте!") == "Обращение клиента"
    reply = await answer(
        "Карту можно перевыпустить в приложении.", "Перепиши подсказку в готовый ответ клиенту"
    )
    assert reply.startswith("Здравствуйте!")
    assert "Карту можно перевыпустить в приложении." in reply


async def test_max_tokens_cuts_the_answer(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/v1/chat/completions", json=chat("Очень длинный вопрос " * 20, "Ответь клиенту", max_tokens=5)
    )
    choice = response.json()["choices"][0]
    assert choice["finish_reason"] == "length"
    assert len(choice["message"]["content"]) <= 20


async def test_models_are_listed(http: httpx.AsyncClient) -> None:
    response = await http.get("/v1/models")
    assert response.status_code == 200
    body = response.json()
    assert body["object"] == "list"
    assert {"id": "openai/gpt-4o-mini", "object": "model"}.items() <= body["data"][0].items()
    assert (await http.get("/v1/models/openai/gpt-4o")).json()["id"] == "openai/gpt-4o"
    assert (await http.get("/v1/models/nope")).status_code == 404


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, None),
        ({"Authorization": "Bearer sk-wrong"}, "invalid_api_key"),
        ({"Authorization": "Basic x"}, None),
    ],
)
async def test_a_missing_or_wrong_key_is_401(llm: FakeLlm, headers: dict[str, str], code: str | None) -> None:
    async with httpx.AsyncClient(base_url=llm.url, timeout=10) as client:
        for method, path in (("POST", "/v1/chat/completions"), ("GET", "/v1/models")):
            response = await client.request(method, path, json=chat("x"), headers=headers)
            assert response.status_code == 401
            error = response.json()["error"]
            assert error["type"] == "invalid_request_error"
            assert error["code"] == code
            assert error["message"]
    assert [entry.authorized for entry in llm.state.requests()] == [False, False]


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"messages": [{"role": "user", "content": "x"}]}, "model"),
        ({"model": "m"}, "messages"),
        ({"model": "m", "messages": []}, "messages"),
        ({"model": "m", "messages": "hi"}, "messages"),
        ({"model": "m", "messages": [{"role": "robot", "content": "x"}]}, "messages[0].role"),
        ({"model": "m", "messages": [{"role": "user", "content": 5}]}, "messages[0].content"),
        ({"model": "m", "messages": [{"role": "user", "content": "x"}], "temperature": 3}, "temperature"),
        ({"model": "m", "messages": [{"role": "user", "content": "x"}], "max_tokens": 0}, "max_tokens"),
        ({"model": "m", "messages": [{"role": "user", "content": "x"}], "stream": True}, "stream"),
    ],
)
async def test_a_malformed_request_is_400(http: httpx.AsyncClient, body: dict[str, Any], param: str) -> None:
    response = await http.post("/v1/chat/completions", json=body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["param"] == param


async def test_a_body_that_is_not_json_is_400(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/v1/chat/completions", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert "could not parse the JSON body" in response.json()["error"]["message"]


async def test_strict_models_reject_unknown_ones() -> None:
    async with (
        FakeLlm(accept_any_model=False, models=("t1/only",)) as strict,
        httpx.AsyncClient(
            base_url=strict.url, headers={"Authorization": f"Bearer {strict.api_key}"}
        ) as client,
    ):
        response = await client.post("/v1/chat/completions", json=chat("x"))
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "model_not_found"
        ok = await client.post("/v1/chat/completions", json={**chat("x"), "model": "t1/only"})
        assert ok.status_code == 200


async def test_scripted_replies_come_in_order_then_the_default(http: httpx.AsyncClient) -> None:
    response = await http.post("/fake/replies", json={"contents": ["первый", "второй"]})
    assert response.json()["pending"] == ["первый", "второй"]
    answers = []
    for _ in range(3):
        reply = await http.post("/v1/chat/completions", json=chat("Не работает приложение"))
        answers.append(reply.json()["choices"][0]["message"]["content"])
    assert answers == ["первый", "второй", "Не работает приложение"]
    await http.post("/fake/replies", json={"content": "третий"})
    assert (await http.delete("/fake/replies")).json()["pending"] == []


async def test_rules_answer_matching_prompts(http: httpx.AsyncClient) -> None:
    await http.post("/fake/rules", json={"contains": "КАРТ", "reply": "Проблема с картой"})
    await http.post("/fake/rules", json={"pattern": r"^где\b", "reply": "Поиск отделения"})
    assert (await http.post("/fake/rules", json={"reply": "x", "bogus": 1})).status_code == 400

    async def answer(text: str) -> str:
        response = await http.post("/v1/chat/completions", json=chat(text))
        return str(response.json()["choices"][0]["message"]["content"])

    assert await answer("Заблокировали карту") == "Проблема с картой"
    assert await answer("Где ближайшее отделение") == "Поиск отделения"
    assert await answer("Не приходит смс") == "Не приходит смс"
    assert len((await http.get("/fake/rules")).json()["rules"]) == 2


async def test_rate_limit_fault(http: httpx.AsyncClient) -> None:
    await http.post("/fake/faults", json={"kind": "rate_limit", "count": 2, "retry_after": 7})
    for _ in range(2):
        response = await http.post("/v1/chat/completions", json=chat("x"))
        assert response.status_code == 429
        assert response.headers["retry-after"] == "7"
        assert response.json()["error"]["code"] == "rate_limit_exceeded"
    assert (await http.post("/v1/chat/completions", json=chat("x"))).status_code == 200


async def test_error_malformed_empty_and_delay_faults(http: httpx.AsyncClient) -> None:
    for fault in (
        {"kind": "error", "status": 503},
        {"kind": "malformed"},
        {"kind": "empty"},
        {"kind": "delay", "delay_s": 0.3},
    ):
        await http.post("/fake/faults", json=fault)
    assert len((await http.get("/fake/faults")).json()["faults"]) == 4

    failed = await http.post("/v1/chat/completions", json=chat("x"))
    assert failed.status_code == 503
    assert failed.json()["error"]["type"] == "server_error"
    malformed = await http.post("/v1/chat/completions", json=chat("x"))
    assert malformed.status_code == 200
    with pytest.raises(ValueError, match="Expecting"):
        malformed.json()
    empty = await http.post("/v1/chat/completions", json=chat("x"))
    assert empty.json()["choices"][0]["message"]["content"] == ""
    started = time.monotonic()
    delayed = await http.post("/v1/chat/completions", json=chat("Не работает приложение"))
    assert time.monotonic() - started >= 0.3
    assert delayed.status_code == 200
    assert (await http.get("/fake/faults")).json()["faults"] == []


async def test_drop_fault_closes_the_connection(http: httpx.AsyncClient) -> None:
    await http.post("/fake/faults", json={"kind": "drop"})
    with pytest.raises(httpx.HTTPError):
        await http.post("/v1/chat/completions", json=chat("x"))
    assert (await http.post("/v1/chat/completions", json=chat("x"))).status_code == 200


async def test_bad_faults_are_refused(http: httpx.AsyncClient) -> None:
    assert (await http.post("/fake/faults", json={"kind": "meteor"})).status_code == 400
    assert (await http.post("/fake/faults", json={"kind": "error", "count": 0})).status_code == 400
    await http.post("/fake/faults", json={"kind": "error", "count": 3})
    assert (await http.delete("/fake/faults")).json()["faults"] == []


async def test_the_request_log(http: httpx.AsyncClient) -> None:
    await http.post("/v1/chat/completions", json=chat("Первый вопрос про карту", temperature=0.3))
    await http.post("/v1/chat/completions", json={"model": "m"})
    await http.get("/v1/models")
    log = (await http.get("/fake/requests", params={"path": "/v1/chat/completions"})).json()["requests"]
    assert [entry["status"] for entry in log] == [200, 400]
    first = log[0]
    assert first["model"] == "openai/gpt-4o-mini"
    assert first["messages"][1]["content"] == "Первый вопрос про карту"
    assert first["params"] == {"temperature": 0.3}
    assert first["reply"] == "Первый вопрос про карту"
    assert first["headers"]["authorization"] == "Bearer ***"
    later = (await http.get("/fake/requests", params={"after": first["seq"]})).json()["requests"]
    assert [entry["path"] for entry in later] == ["/v1/chat/completions", "/v1/models"]
    await http.delete("/fake/requests")
    assert (await http.get("/fake/requests")).json()["requests"] == []


async def test_reset_forgets_everything(llm: FakeLlm, http: httpx.AsyncClient) -> None:
    llm.script("x")
    llm.add_rule("y", contains="z")
    await http.post("/fake/faults", json={"kind": "error"})
    await http.post("/fake/reset")
    assert llm.state.pending_replies == []
    assert llm.state.rules == []
    assert llm.state.faults == []
    assert llm.state.requests() == []


async def test_the_command_line_serves_the_api() -> None:
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *("-m", "fakes.llm", "--port", str(port), "--log-level", "warning"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {DEFAULT_API_KEY}"}
        ) as client:
            deadline = time.monotonic() + 20
            while True:
                try:
                    response = await client.post("/v1/chat/completions", json=chat("Не проходит оплата"))
                    break
                except httpx.ConnectError:
                    assert time.monotonic() < deadline, "the fake LLM did not start"
                    await asyncio.sleep(0.1)
            assert response.json()["choices"][0]["message"]["content"] == "Не проходит оплата"
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(process.communicate(), 10)
    assert process.returncode == 0
    assert f"http://127.0.0.1:{port}/v1" in output.decode()
