"""t1lib.llm against the fake OpenAI-compatible server (real HTTP on loopback, no engines needed)."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from fakes.llm import FakeLlm, Fault
from t1lib.errors import UnavailableError
from t1lib.llm import (
    ChatCompletion,
    LlmAuthError,
    LlmClient,
    LlmError,
    LlmNotConfiguredError,
    LlmRateLimitedError,
    LlmRequestError,
    LlmResponseError,
    LlmSettings,
    LlmTimeoutError,
    LlmUnavailableError,
    retry_after_seconds,
    system,
    user,
)

PROMPT = [system("Составь краткий заголовок обращения"), user("Здравствуйте! Не проходит оплата картой")]

Settings = Callable[..., LlmSettings]


@pytest.fixture
async def fake() -> AsyncIterator[FakeLlm]:
    async with FakeLlm() as server:
        yield server


@pytest.fixture
def settings(fake: FakeLlm) -> Settings:
    def make(**overrides: Any) -> LlmSettings:
        values: dict[str, Any] = {
            "llm_base_url": fake.base_url,
            "llm_api_key": fake.api_key,
            "llm_timeout_s": 2.0,
            "llm_max_retries": 2,
            "llm_retry_backoff_s": 0.01,
            "llm_retry_backoff_max_s": 0.05,
        }
        values.update(overrides)
        return LlmSettings(**values)

    return make


class RecordingSleep:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


async def complete(settings: LlmSettings, **options: Any) -> ChatCompletion:
    async with LlmClient(settings) as client:
        return await client.complete(PROMPT, **options)


async def test_a_completion_carries_the_answer_and_the_request_its_parameters(
    fake: FakeLlm, settings: Settings
) -> None:
    fake.script("Не проходит оплата картой")
    config = settings(llm_http_referer="https://t1.example", llm_app_title="T1 Support")
    async with LlmClient(config, extra_headers={"X-Trace": "abc"}) as client:
        answer = await client.complete(PROMPT, temperature=0.1, max_tokens=30)
    assert answer.content == "Не проходит оплата картой"
    assert answer.model == "openai/gpt-4o-mini"
    assert answer.finish_reason == "stop"
    assert answer.id.startswith("chatcmpl-")
    assert answer.attempts == 1
    assert answer.usage is not None
    assert answer.usage.total_tokens > 0
    [request] = fake.state.completions()
    assert request.model == "openai/gpt-4o-mini"
    assert request.messages == [
        {"role": "system", "content": "Составь краткий заголовок обращения"},
        {"role": "user", "content": "Здравствуйте! Не проходит оплата картой"},
    ]
    assert request.params == {"temperature": 0.1, "max_tokens": 30}
    assert request.headers["http-referer"] == "https://t1.example"
    assert request.headers["x-title"] == "T1 Support"
    assert request.headers["x-trace"] == "abc"
    assert request.headers["authorization"] == "Bearer ***"  # the fake masks it in its log


async def test_model_and_extra_body_can_be_set_per_call(fake: FakeLlm, settings: Settings) -> None:
    answer = await complete(settings(), model="openai/gpt-4o", extra_body={"top_p": 0.5})
    assert answer.model == "openai/gpt-4o"
    assert fake.state.completions()[0].params["top_p"] == 0.5


async def test_retry_after_of_a_429_is_honoured(fake: FakeLlm, settings: Settings) -> None:
    fake.fail(Fault("rate_limit", retry_after=1))
    started = time.monotonic()
    answer = await complete(settings(llm_retry_backoff_s=0.0, llm_retry_backoff_max_s=0.0))
    assert time.monotonic() - started >= 0.95
    assert answer.attempts == 2
    assert [entry.status for entry in fake.state.completions()] == [429, 200]


async def test_retry_after_sets_the_delay_instead_of_the_backoff(fake: FakeLlm, settings: Settings) -> None:
    fake.fail(Fault("rate_limit", count=2, retry_after=3))
    sleep = RecordingSleep()
    async with LlmClient(settings(llm_retry_backoff_s=0.01), sleep=sleep) as client:
        answer = await client.complete(PROMPT)
    assert sleep.delays == [3.0, 3.0]
    assert answer.attempts == 3


async def test_a_retry_after_beyond_the_limit_fails_at_once(fake: FakeLlm, settings: Settings) -> None:
    fake.fail(Fault("rate_limit", retry_after=120))
    with pytest.raises(LlmRateLimitedError) as raised:
        await complete(settings(llm_max_retry_after_s=30))
    assert raised.value.retry_after_s == 120
    assert raised.value.status == 429
    assert raised.value.attempts == 1
    assert isinstance(raised.value, UnavailableError)
    assert len(fake.state.completions()) == 1


async def test_rate_limited_beyond_the_retries(fake: FakeLlm, settings: Settings) -> None:
    fake.fail(Fault("rate_limit", count=5, retry_after=0))
    with pytest.raises(LlmRateLimitedError, match="429") as raised:
        await complete(settings(llm_max_retries=2))
    assert raised.value.attempts == 3
    assert len(fake.state.completions()) == 3


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_server_errors_are_retried(fake: FakeLlm, settings: Settings, status: int) -> None:
    fake.fail(Fault("error", status=status))
    answer = await complete(settings())
    assert answer.attempts == 2
    assert [entry.status for entry in fake.state.completions()] == [status, 200]


async def test_server_errors_beyond_the_retries(fake: FakeLlm, settings: Settings) -> None:
    fake.fail(Fault("error", status=500, count=10))
    with pytest.raises(LlmUnavailableError, match="500") as raised:
        await complete(settings(llm_max_retries=1))
    assert raised.value.status == 500
    assert raised.value.attempts == 2


async def test_a_wrong_key_is_a_clear_error_and_is_not_retried(
    fake: FakeLlm, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "sk-or-v1-0123456789abcdef-not-the-right-key"
    config = settings(llm_api_key=secret)
    with caplog.at_level(logging.DEBUG), pytest.raises(LlmAuthError) as raised:
        await complete(config)
    assert raised.value.status == 401
    assert "401" in str(raised.value)
    assert "Incorrect API key" in str(raised.value)
    assert len(fake.state.completions()) == 1
    client = LlmClient(config)
    for text in (str(raised.value), repr(raised.value), caplog.text, repr(client), repr(config)):
        assert secret not in text
    await client.aclose()


async def test_without_a_key_nothing_is_sent(fake: FakeLlm, settings: Settings) -> None:
    config = settings(llm_api_key="")
    assert not config.llm_enabled
    async with LlmClient(config) as client:
        assert not client.enabled
        with pytest.raises(LlmNotConfiguredError):
            await client.complete(PROMPT)
    assert fake.state.requests() == []


async def test_a_slow_answer_times_out(fake: FakeLlm, settings: Settings) -> None:
    fake.fail(Fault("delay", count=5, delay_s=1.0))
    started = time.monotonic()
    with pytest.raises(LlmTimeoutError) as raised:
        await complete(settings(llm_timeout_s=0.2, llm_max_retries=1))
    assert raised.value.attempts == 2
    assert time.monotonic() - started < 1.5


async def test_a_slow_answer_is_retried(fake: FakeLlm, settings: Settings) -> None:
    fake.fail(Fault("delay", delay_s=1.0))
    answer = await complete(settings(llm_timeout_s=0.3))
    assert answer.attempts == 2


async def test_the_total_budget_bounds_the_retries(fake: FakeLlm, settings: Settings) -> None:
    fake.fail(Fault("delay", count=10, delay_s=1.0))
    started = time.monotonic()
    with pytest.raises(LlmTimeoutError):
        await complete(settings(llm_timeout_s=0.3, llm_max_retries=10, llm_total_timeout_s=0.8))
    assert time.monotonic() - started < 1.3


async def test_a_malformed_body_is_retried_then_reported(fake: FakeLlm, settings: Settings) -> None:
    fake.fail(Fault("malformed"))
    assert (await complete(settings())).attempts == 2
    fake.fail(Fault("malformed", count=3, body='{"object": "chat.completion", "choices": []}'))
    with pytest.raises(LlmResponseError, match="not a chat completion"):
        await complete(settings(llm_max_retries=2))


async def test_an_empty_completion_is_an_error(fake: FakeLlm, settings: Settings) -> None:
    fake.fail(Fault("empty"))
    with pytest.raises(LlmResponseError, match="empty completion"):
        await complete(settings())
    assert len(fake.state.completions()) == 1


async def test_a_dropped_connection_is_retried(fake: FakeLlm, settings: Settings) -> None:
    fake.fail(Fault("drop"))
    answer = await complete(settings())
    assert answer.attempts == 2


async def test_an_unreachable_endpoint_is_unavailable(settings: Settings) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(LlmUnavailableError, match="unreachable") as raised:
        await complete(settings(llm_base_url=f"http://127.0.0.1:{port}/v1", llm_max_retries=1))
    assert raised.value.status is None
    assert raised.value.attempts == 2


async def test_a_bad_request_is_not_retried(settings: Settings) -> None:
    async with FakeLlm(accept_any_model=False) as strict:
        config = settings(llm_base_url=strict.base_url, llm_model="no-such/model")
        with pytest.raises(LlmRequestError, match="model_not_found") as raised:
            await complete(config)
        assert raised.value.status == 404
        assert len(strict.state.completions()) == 1


async def test_every_failure_is_an_llm_error(fake: FakeLlm, settings: Settings) -> None:
    fake.fail(Fault("error", status=503, count=3))
    with pytest.raises(LlmError):
        await complete(settings(llm_max_retries=2))


async def test_text_shorthand(fake: FakeLlm, settings: Settings) -> None:
    fake.script("Готово")
    async with LlmClient(settings()) as client:
        assert await client.text("Ты помощник", "Сделай") == "Готово"


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T1_LLM_API_KEY", "sk-test")
    monkeypatch.setenv("T1_LLM_MODEL", "anthropic/claude-3.5-haiku")
    monkeypatch.setenv("T1_LLM_TIMEOUT_S", "7.5")
    monkeypatch.setenv("T1_LLM_MAX_RETRIES", "4")
    monkeypatch.setenv("T1_LLM_EXTRA_HEADERS", '{"X-Env": "1"}')
    monkeypatch.delenv("T1_LLM_BASE_URL", raising=False)
    settings = LlmSettings()
    assert settings.llm_base_url == "https://openrouter.ai/api/v1"
    assert settings.llm_enabled
    assert settings.llm_model == "anthropic/claude-3.5-haiku"
    assert (settings.llm_timeout_s, settings.llm_max_retries) == (7.5, 4)
    assert settings.llm_extra_headers == {"X-Env": "1"}
    assert "sk-test" not in repr(settings)
    monkeypatch.setenv("T1_LLM_API_KEY", "   ")
    assert not LlmSettings().llm_enabled


def test_retry_after_forms() -> None:
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert retry_after_seconds(httpx.Headers({"retry-after": "2"})) == 2.0
    assert retry_after_seconds(httpx.Headers({"retry-after": "0.5"})) == 0.5
    assert retry_after_seconds(httpx.Headers({"retry-after-ms": "250", "retry-after": "9"})) == 0.25
    date = format_datetime(now + timedelta(seconds=30), usegmt=True)
    assert retry_after_seconds(httpx.Headers({"retry-after": date}), now=now) == 30.0
    assert retry_after_seconds(httpx.Headers({"retry-after": "soon"})) is None
    assert retry_after_seconds(httpx.Headers({})) is None
