"""A small async client for OpenAI-compatible chat completions (OpenAI, OpenRouter, vLLM, the local fake).

    settings = load_settings(LlmSettings)          # or a service's settings that inherit LlmSettings
    async with LlmClient(settings) as llm:
        if llm.enabled:                               # an empty T1_LLM_API_KEY disables the LLM
            reply = await llm.complete([system("…"), user("…")], max_tokens=200)
            print(reply.content, reply.model)

Each call is `POST {base_url}/chat/completions`. An attempt has its own timeout; 429 (after `Retry-After`),
5xx, network errors and unreadable bodies are retried with exponential backoff, all within one overall budget.
Every failure is an `LlmError` (see below), so a caller that has a fallback catches that one type. The API key
is sent only in the Authorization header: it is never logged, and never part of an error or a repr."""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Literal

import httpx
from prometheus_client import Counter, Histogram
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from t1lib.config import ENV_PREFIX
from t1lib.errors import UnavailableError
from t1lib.telemetry import tracer

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://openrouter.ai/api/v1"
DEFAULT_MODEL = "openai/gpt-4o-mini"
ERROR_TEXT_LIMIT = 300

LLM_REQUESTS = Counter(
    "t1_llm_requests_total", "LLM chat-completion calls, by model and outcome", ["model", "outcome"]
)
LLM_ATTEMPTS = Counter("t1_llm_attempts_total", "LLM HTTP attempts, by model and status", ["model", "status"])
LLM_SECONDS = Histogram("t1_llm_request_seconds", "LLM call latency, retries included", ["model"])

Role = Literal["system", "user", "assistant"]


# --- settings ----------------------------------------------------------------------------------------


class LlmSettings(BaseSettings):
    """T1_LLM_* variables. With T1_LLM_API_KEY empty the LLM is disabled and callers use their fallback."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    llm_base_url: str = Field(
        default=DEFAULT_BASE_URL,
        description="OpenAI-compatible API root; requests go to {url}/chat/completions",
    )
    llm_api_key: SecretStr = Field(default=SecretStr(""), description="bearer key; empty disables the LLM")
    llm_model: str = Field(default=DEFAULT_MODEL, description="model name as the provider spells it")
    llm_timeout_s: float = Field(default=20.0, gt=0, description="timeout of one HTTP attempt")
    llm_max_retries: int = Field(default=2, ge=0, description="retries after the first attempt")
    llm_total_timeout_s: float = Field(default=60.0, gt=0, description="budget of one call, retries included")
    llm_retry_backoff_s: float = Field(default=0.5, ge=0, description="first retry delay; doubles each time")
    llm_retry_backoff_max_s: float = Field(default=8.0, ge=0)
    llm_max_retry_after_s: float = Field(
        default=30.0, ge=0, description="a longer Retry-After ends the call at once instead of waiting"
    )
    llm_http_referer: str = Field(default="", description="OpenRouter's HTTP-Referer (app attribution)")
    llm_app_title: str = Field(default="", description="OpenRouter's X-Title (app attribution)")
    llm_extra_headers: dict[str, str] = Field(
        default_factory=dict, description='more request headers, as JSON: {"X-Header": "value"}'
    )

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_api_key.get_secret_value().strip())


# --- errors ------------------------------------------------------------------------------------------


class LlmError(Exception):
    """Any failure of an LLM call. `status` is the last HTTP status (None: no response)."""

    def __init__(self, message: str, *, status: int | None = None, attempts: int = 0) -> None:
        super().__init__(message)
        self.status = status
        self.attempts = attempts


class LlmNotConfiguredError(LlmError):
    """No API key is configured: the call was not made."""


class LlmUnavailableError(LlmError, UnavailableError):
    """The provider could not answer (network, timeout, 5xx, rate limit), also after the retries."""


class LlmRateLimitedError(LlmUnavailableError):
    """429 on the last attempt; `retry_after_s` is what the provider asked for, when it said."""

    def __init__(
        self, message: str, *, status: int | None = 429, attempts: int = 0, retry_after_s: float | None = None
    ) -> None:
        super().__init__(message, status=status, attempts=attempts)
        self.retry_after_s = retry_after_s


class LlmTimeoutError(LlmUnavailableError):
    """The attempt timed out, or the call's overall budget ran out."""


class LlmAuthError(LlmError):
    """401/403: the key is wrong, revoked or lacks access. Not retried; fix T1_LLM_API_KEY."""


class LlmRequestError(LlmError):
    """4xx other than 401/403/408/429: the request (model name, parameters, size) is wrong. Not retried."""


class LlmResponseError(LlmError):
    """A 2xx answer that is not a usable chat completion (unreadable body, no choices, empty content)."""


# --- messages and results ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChatMessage:
    role: Role
    content: str

    def as_json(self) -> dict[str, str]:
        return {"role": self.role, "content": self.content}


def system(content: str) -> ChatMessage:
    return ChatMessage("system", content)


def user(content: str) -> ChatMessage:
    return ChatMessage("user", content)


def assistant(content: str) -> ChatMessage:
    return ChatMessage("assistant", content)


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


@dataclass(frozen=True)
class ChatCompletion:
    """The first choice of a completion. `model` is what the provider says it used (OpenRouter may differ
    from the requested name); `attempts` counts HTTP attempts including retries."""

    content: str
    model: str
    finish_reason: str | None
    id: str
    usage: Usage | None
    attempts: int
    latency_s: float

    @property
    def truncated(self) -> bool:
        """The answer was cut at max_tokens."""
        return self.finish_reason == "length"


# --- the client --------------------------------------------------------------------------------------

Sleep = Callable[[float], Awaitable[None]]


@dataclass
class _Failure:
    """One failed attempt; `retry` says whether another attempt may succeed."""

    error: LlmError
    retry: bool
    retry_after_s: float | None = None


class LlmClient:
    """One per process (it pools connections). Safe to share between concurrent tasks."""

    def __init__(
        self,
        settings: LlmSettings,
        *,
        http: httpx.AsyncClient | None = None,
        extra_headers: Mapping[str, str] | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._settings = settings
        self._url = settings.llm_base_url.rstrip("/") + "/chat/completions"
        headers = {"Accept": "application/json", "User-Agent": "t1-support"}
        if settings.llm_http_referer:
            headers["HTTP-Referer"] = settings.llm_http_referer
        if settings.llm_app_title:
            headers["X-Title"] = settings.llm_app_title
        headers.update(settings.llm_extra_headers)
        headers.update(extra_headers or {})
        self._headers = headers
        self._own_http = http is None
        self._http = http or httpx.AsyncClient(
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=10), follow_redirects=False
        )
        self._sleep = sleep

    def __repr__(self) -> str:
        return f"LlmClient(url={self._url!r}, model={self.model!r}, enabled={self.enabled})"

    @property
    def enabled(self) -> bool:
        """False when no API key is configured: callers should use their fallback without calling."""
        return self._settings.llm_enabled

    @property
    def model(self) -> str:
        return self._settings.llm_model

    @property
    def url(self) -> str:
        return self._url

    async def aclose(self) -> None:
        if self._own_http:
            await self._http.aclose()

    async def __aenter__(self) -> LlmClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        model: str | None = None,
        temperature: float = 0.2,
        max_tokens: int = 256,
        timeout_s: float | None = None,
        total_timeout_s: float | None = None,
        max_retries: int | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> ChatCompletion:
        """The model's answer to `messages`, or an LlmError after the retries.

        `timeout_s` bounds one attempt, `total_timeout_s` the whole call (defaults from the settings);
        `extra_body` adds provider-specific fields (e.g. OpenRouter's "provider" routing)."""
        if not self.enabled:
            raise LlmNotConfiguredError("the LLM is not configured (T1_LLM_API_KEY is empty)")
        if not messages:
            raise LlmRequestError("no messages to send")
        settings = self._settings
        model = model or settings.llm_model
        body: dict[str, Any] = {
            "model": model,
            "messages": [message.as_json() for message in messages],
            "temperature": temperature,
            "max_tokens": max_tokens,
        }
        body.update(extra_body or {})
        attempt_timeout = timeout_s if timeout_s is not None else settings.llm_timeout_s
        budget = total_timeout_s if total_timeout_s is not None else settings.llm_total_timeout_s
        retries = settings.llm_max_retries if max_retries is None else max(0, max_retries)
        started = time.monotonic()
        deadline = started + budget
        headers = {
            **self._headers,
            "Authorization": f"Bearer {settings.llm_api_key.get_secret_value().strip()}",
        }
        with tracer(__name__).start_as_current_span("llm chat.completions") as span:
            span.set_attribute("llm.model", model)
            attempt = 0
            while True:
                attempt += 1
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise self._finish(
                        model,
                        started,
                        LlmTimeoutError(f"LLM call budget of {budget:g}s ran out", attempts=attempt - 1),
                    )
                result = await self._attempt(body, headers, min(attempt_timeout, remaining))
                if isinstance(result, ChatCompletion):
                    span.set_attribute("llm.attempts", attempt)
                    LLM_REQUESTS.labels(model, "ok").inc()
                    LLM_SECONDS.labels(model).observe(time.monotonic() - started)
                    return ChatCompletion(
                        content=result.content,
                        model=result.model or model,
                        finish_reason=result.finish_reason,
                        id=result.id,
                        usage=result.usage,
                        attempts=attempt,
                        latency_s=time.monotonic() - started,
                    )
                failure = result
                failure.error.attempts = attempt
                if not failure.retry or attempt > retries:
                    raise self._finish(model, started, failure.error)
                delay = self._delay(attempt, failure.retry_after_s)
                if delay is None:
                    raise self._finish(model, started, failure.error)
                if time.monotonic() + delay >= deadline:
                    raise self._finish(model, started, failure.error)
                logger.warning(
                    "LLM attempt %d failed (%s); retrying in %.2fs",
                    attempt,
                    failure.error,
                    delay,
                    extra={"fields": {"llm_model": model, "llm_status": failure.error.status}},
                )
                await self._sleep(delay)

    async def text(self, system_prompt: str, user_text: str, **options: Any) -> str:
        """Shorthand: the answer's content to one system prompt and one user message."""
        completion = await self.complete([system(system_prompt), user(user_text)], **options)
        return completion.content

    def _delay(self, attempt: int, retry_after_s: float | None) -> float | None:
        """Seconds to wait before the next attempt; None when the provider asks for longer than allowed."""
        settings = self._settings
        backoff: float = min(
            settings.llm_retry_backoff_s * 2.0 ** (attempt - 1), settings.llm_retry_backoff_max_s
        )
        backoff *= 0.8 + 0.4 * random.random()  # noqa: S311 - jitter, not cryptography
        if retry_after_s is None:
            return backoff
        if retry_after_s > settings.llm_max_retry_after_s:
            return None
        return max(retry_after_s, 0.0)

    def _finish(self, model: str, started: float, error: LlmError) -> LlmError:
        outcome = type(error).__name__.removeprefix("Llm").removesuffix("Error").lower() or "error"
        LLM_REQUESTS.labels(model, outcome).inc()
        LLM_SECONDS.labels(model).observe(time.monotonic() - started)
        logger.warning(
            "LLM call failed after %d attempt(s): %s",
            error.attempts,
            error,
            extra={"fields": {"llm_model": model, "llm_status": error.status}},
        )
        return error

    async def _attempt(
        self, body: dict[str, Any], headers: dict[str, str], timeout_s: float
    ) -> ChatCompletion | _Failure:
        model = str(body["model"])
        try:
            response = await self._http.post(
                self._url, json=body, headers=headers, timeout=httpx.Timeout(timeout_s)
            )
        except httpx.TimeoutException as error:
            LLM_ATTEMPTS.labels(model, "timeout").inc()
            return _Failure(
                LlmTimeoutError(f"LLM request timed out after {timeout_s:g}s ({type(error).__name__})"), True
            )
        except httpx.TransportError as error:
            LLM_ATTEMPTS.labels(model, "network").inc()
            return _Failure(
                LlmUnavailableError(f"LLM endpoint unreachable: {type(error).__name__}: {error}"), True
            )
        except (httpx.HTTPError, httpx.InvalidURL) as error:  # redirects, bad URL: configuration, not load
            LLM_ATTEMPTS.labels(model, "client").inc()
            return _Failure(LlmRequestError(f"LLM request failed: {type(error).__name__}: {error}"), False)
        LLM_ATTEMPTS.labels(model, str(response.status_code)).inc()
        if response.is_success:
            return _parse_completion(response)
        return _failure_of(response)


# --- reading answers ---------------------------------------------------------------------------------


def _parse_completion(response: httpx.Response) -> ChatCompletion | _Failure:
    try:
        data = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _Failure(
            LlmResponseError(
                f"LLM answered {response.status_code} with a non-JSON body: {_snippet(response.text)}",
                status=response.status_code,
            ),
            True,
        )
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        # OpenRouter reports some upstream failures as 200 with an error object.
        code = data["error"].get("code")
        status = code if isinstance(code, int) else 502
        return _classify(status, _error_message(data), None)
    try:
        choice = data["choices"][0]
        message = choice["message"]
        content = message.get("content")
        if isinstance(content, list):  # content parts
            content = "".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
        if not isinstance(content, str):
            raise TypeError("content is not text")
    except (KeyError, IndexError, TypeError, AttributeError) as error:
        return _Failure(
            LlmResponseError(
                f"LLM answer is not a chat completion ({error}): {_snippet(response.text)}",
                status=response.status_code,
            ),
            True,
        )
    if not content.strip():
        return _Failure(
            LlmResponseError(
                f"LLM returned an empty completion (finish_reason={choice.get('finish_reason')})",
                status=response.status_code,
            ),
            False,
        )
    usage = data.get("usage")
    return ChatCompletion(
        content=content,
        model=str(data.get("model") or ""),
        finish_reason=choice.get("finish_reason"),
        id=str(data.get("id") or ""),
        usage=_usage(usage) if isinstance(usage, dict) else None,
        attempts=0,
        latency_s=0.0,
    )


def _usage(raw: dict[str, Any]) -> Usage | None:
    try:
        return Usage(
            int(raw.get("prompt_tokens") or 0),
            int(raw.get("completion_tokens") or 0),
            int(raw.get("total_tokens") or 0),
        )
    except (TypeError, ValueError):
        return None


def _failure_of(response: httpx.Response) -> _Failure:
    try:
        message = _error_message(response.json())
    except (json.JSONDecodeError, UnicodeDecodeError):
        message = _snippet(response.text)
    return _classify(response.status_code, message, retry_after_seconds(response.headers))


def _classify(status: int, message: str, retry_after_s: float | None) -> _Failure:
    text = f"LLM answered {status}: {message}" if message else f"LLM answered {status}"
    if status == 429:
        return _Failure(
            LlmRateLimitedError(text, status=status, retry_after_s=retry_after_s), True, retry_after_s
        )
    if status in (401, 403):
        return _Failure(LlmAuthError(text, status=status), False)
    if status == 408 or status >= 500:
        return _Failure(LlmUnavailableError(text, status=status), True, retry_after_s)
    return _Failure(LlmRequestError(text, status=status), False)


def _error_message(data: Any) -> str:
    """The provider's error text (OpenAI: {"error": {"message", "type", "code"}}), shortened."""
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict):
            parts = [str(error.get("message") or "").strip()]
            kind = error.get("code") or error.get("type")
            if kind:
                parts.append(f"({kind})")
            return _snippet(" ".join(part for part in parts if part))
        if isinstance(error, str):
            return _snippet(error)
    return _snippet(json.dumps(data, ensure_ascii=False))


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= ERROR_TEXT_LIMIT else text[: ERROR_TEXT_LIMIT - 1] + "…"


def retry_after_seconds(headers: httpx.Headers, now: datetime | None = None) -> float | None:
    """What `Retry-After` (seconds or an HTTP date) or OpenAI's `retry-after-ms` asks for, in seconds."""
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return max(float(millis) / 1000, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max((moment - (now or datetime.now(UTC))).total_seconds(), 0.0)
