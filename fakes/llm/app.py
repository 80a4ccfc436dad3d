"""The ASGI app: the OpenAI-compatible API under /v1 and the control API for tests under /fake."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import fields
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from fakes.llm.answers import cut_to_tokens, default_answer, token_count
from fakes.llm.state import FAULT_KINDS, Fault, LlmState, LoggedRequest, Rule
from fakes.telegram.transport import DropConnection

COMPLETIONS_PATH = "/v1/chat/completions"
ROLES = ("system", "developer", "user", "assistant", "tool", "function")
SYSTEM_FINGERPRINT = "fp_t1fake"

_ERROR_MESSAGES = {
    500: "The server had an error while processing your request. Sorry about that!",
    502: "Bad gateway.",
    503: "The engine is currently overloaded, please try again later.",
    504: "Gateway timeout.",
}


class ApiError(Exception):
    """An OpenAI-style error answer: {"error": {"message", "type", "param", "code"}}."""

    def __init__(
        self,
        status: int,
        message: str,
        kind: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.kind = kind
        self.code = code
        self.param = param
        self.headers = headers or {}

    def response(self) -> JSONResponse:
        body = {"error": {"message": self.message, "type": self.kind, "param": self.param, "code": self.code}}
        return JSONResponse(body, status_code=self.status, headers=self.headers)


def bad_request(message: str, code: str | None = None, param: str | None = None) -> ApiError:
    return ApiError(400, message, code=code, param=param)


def create_app(state: LlmState) -> Starlette:
    async def completions(request: Request) -> Response:
        entry = LoggedRequest(
            seq=0,
            at=time.time(),
            path=COMPLETIONS_PATH,
            authorized=False,
            status=0,
            headers=_headers(request),
        )
        try:
            _authorize(state, request)
            entry.authorized = True
            body = await _json_object(request)
            entry.model = str(body.get("model") or "")
            raw_messages = body.get("messages")
            entry.messages = list(raw_messages) if isinstance(raw_messages, list) else []
            entry.params = {key: value for key, value in body.items() if key not in ("model", "messages")}
            params = _validate(state, body)
        except ApiError as error:
            entry.status = error.status
            entry.error = error.message
            state.log(entry)
            return error.response()

        fault = state.take_fault()
        if fault is not None:
            entry.fault = fault.kind
            answered = await _apply_fault(fault, entry)
            if answered is not None:
                state.log(entry)
                return answered

        system_prompt = "\n".join(
            _text(m) for m in params.messages if m.get("role") in ("system", "developer")
        )
        user_texts = [_text(m) for m in params.messages if m.get("role") == "user"]
        last_user = user_texts[-1] if user_texts else ""
        if fault is not None and fault.kind == "empty":
            content = ""
        else:
            scripted = state.scripted_reply(last_user)
            content = scripted if scripted is not None else default_answer(system_prompt, last_user)
        finish_reason = "stop"
        if token_count(content) > params.max_tokens:
            content = cut_to_tokens(content, params.max_tokens)
            finish_reason = "length"
        prompt_tokens = sum(token_count(_text(m)) for m in params.messages)
        completion_tokens = token_count(content) * params.n
        entry.status = 200
        entry.reply = content
        state.log(entry)
        request_id = f"req_{uuid.uuid4().hex[:24]}"
        return JSONResponse(
            {
                "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": params.model,
                "system_fingerprint": SYSTEM_FINGERPRINT,
                "choices": [
                    {
                        "index": index,
                        "message": {"role": "assistant", "content": content, "refusal": None},
                        "logprobs": None,
                        "finish_reason": finish_reason,
                    }
                    for index in range(params.n)
                ],
                "usage": {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": completion_tokens,
                    "total_tokens": prompt_tokens + completion_tokens,
                },
            },
            headers={"x-request-id": request_id},
        )

    async def models(request: Request) -> Response:
        try:
            _authorize(state, request)
        except ApiError as error:
            state.log(LoggedRequest(0, time.time(), "/v1/models", False, error.status, error=error.message))
            return error.response()
        state.log(LoggedRequest(0, time.time(), "/v1/models", True, 200))
        return JSONResponse({"object": "list", "data": [_model_json(state, name) for name in state.models]})

    async def model(request: Request) -> Response:
        name = request.path_params["model"]
        try:
            _authorize(state, request)
            if name not in state.models:
                raise _model_not_found(name)
        except ApiError as error:
            return error.response()
        return JSONResponse(_model_json(state, name))

    async def health(_request: Request) -> Response:
        return JSONResponse({"ok": True})

    # --- control API ------------------------------------------------------------------------------

    async def replies(request: Request) -> Response:
        if request.method == "POST":
            body = await _control_body(request)
            contents = body.get("contents", [body["content"]] if "content" in body else None)
            if not isinstance(contents, list) or not all(isinstance(item, str) for item in contents):
                return _control_error('expected {"contents": ["…", …]} or {"content": "…"}')
            state.script(*contents)
        elif request.method == "DELETE":
            state.clear_replies()
        return JSONResponse({"ok": True, "pending": state.pending_replies})

    async def rules(request: Request) -> Response:
        if request.method == "POST":
            body = await _control_body(request)
            try:
                state.add_rule(Rule(**_known(Rule, body)))
            except (TypeError, ValueError) as error:
                return _control_error(f'expected {{"reply", "contains" or "pattern"}}: {error}')
        return JSONResponse({"ok": True, "rules": [rule.as_json() for rule in state.rules]})

    async def faults(request: Request) -> Response:
        if request.method == "POST":
            body = await _control_body(request)
            try:
                state.add_fault(Fault(**_known(Fault, body)))
            except (TypeError, ValueError) as error:
                return _control_error(f"bad fault ({', '.join(FAULT_KINDS)}): {error}")
        elif request.method == "DELETE":
            state.clear_faults()
        return JSONResponse({"ok": True, "faults": [fault.as_json() for fault in state.faults]})

    async def requests(request: Request) -> Response:
        if request.method == "DELETE":
            state.clear_requests()
            return JSONResponse({"ok": True, "requests": []})
        after = int(request.query_params.get("after", "0") or 0)
        path = request.query_params.get("path") or None
        found = state.requests(path, after)
        return JSONResponse({"ok": True, "requests": [entry.as_json() for entry in found]})

    async def reset(_request: Request) -> Response:
        state.reset()
        return JSONResponse({"ok": True})

    routes = [
        Route("/healthz", health),
        Route(COMPLETIONS_PATH, completions, methods=["POST"]),
        Route("/v1/models", models, methods=["GET"]),
        Route("/v1/models/{model:path}", model, methods=["GET"]),
        Route("/fake/replies", replies, methods=["GET", "POST", "DELETE"]),
        Route("/fake/rules", rules, methods=["GET", "POST"]),
        Route("/fake/faults", faults, methods=["GET", "POST", "DELETE"]),
        Route("/fake/requests", requests, methods=["GET", "DELETE"]),
        Route("/fake/reset", reset, methods=["POST"]),
    ]
    return Starlette(routes=routes)


class _Params:
    def __init__(self, model: str, messages: list[dict[str, Any]], max_tokens: int, n: int) -> None:
        self.model = model
        self.messages = messages
        self.max_tokens = max_tokens
        self.n = n


def _headers(request: Request) -> dict[str, str]:
    """The request's headers for the log; the key itself is never kept."""
    return {
        name: ("Bearer ***" if name == "authorization" else value) for name, value in request.headers.items()
    }


def _authorize(state: LlmState, request: Request) -> None:
    header = request.headers.get("authorization", "")
    scheme, _, key = header.partition(" ")
    if not header or scheme.lower() != "bearer" or not key.strip():
        raise ApiError(
            401,
            "You didn't provide an API key. You need to provide your API key in an Authorization header "
            "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        )
    if key.strip() != state.api_key:
        raise ApiError(401, "Incorrect API key provided.", code="invalid_api_key")


async def _json_object(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise bad_request(
            "We could not parse the JSON body of your request. (HINT: This likely means you aren't using "
            "your HTTP library correctly. The OpenAI API expects a JSON payload.)"
        ) from None
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.")
    return body


def _validate(state: LlmState, body: dict[str, Any]) -> _Params:
    model = body.get("model")
    if not isinstance(model, str) or not model.strip():
        raise bad_request("you must provide a model parameter", param="model")
    if not state.accept_any_model and model not in state.models:
        raise _model_not_found(model)
    if "messages" not in body:
        raise bad_request("Missing required parameter: 'messages'.", "missing_required_parameter", "messages")
    messages = body["messages"]
    if not isinstance(messages, list):
        raise bad_request("Invalid type for 'messages': expected an array.", "invalid_type", "messages")
    if not messages:
        raise bad_request(
            "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty "
            "array instead.",
            "empty_array",
            "messages",
        )
    for index, message in enumerate(messages):
        if not isinstance(message, dict):
            raise bad_request(
                f"Invalid type for 'messages[{index}]': expected an object.",
                "invalid_type",
                f"messages[{index}]",
            )
        role = message.get("role")
        if role not in ROLES:
            raise bad_request(
                f"Invalid value: {role!r}. Supported values are: 'system', 'assistant', 'user', 'function', "
                "'tool', and 'developer'.",
                "invalid_value",
                f"messages[{index}].role",
            )
        content = message.get("content")
        if not (isinstance(content, str | list) or (content is None and role == "assistant")):
            raise bad_request(
                f"Invalid type for 'messages[{index}].content': expected a string or an array of objects.",
                "invalid_type",
                f"messages[{index}].content",
            )
    temperature = body.get("temperature", 1)
    if isinstance(temperature, bool) or not isinstance(temperature, int | float):
        raise bad_request(
            "Invalid type for 'temperature': expected a decimal.", "invalid_type", "temperature"
        )
    if not 0 <= temperature <= 2:
        raise bad_request(
            f"Invalid 'temperature': decimal out of range [0, 2], got {temperature}.",
            "decimal_out_of_range",
            "temperature",
        )
    max_tokens = body.get("max_completion_tokens", body.get("max_tokens", 4096))
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1:
        raise bad_request(
            f"Invalid 'max_tokens': integer below minimum value. Expected >= 1, but got {max_tokens}.",
            "integer_below_min_value",
            "max_tokens",
        )
    if body.get("stream"):
        raise bad_request("The fake LLM does not support stream=true.", "unsupported_value", "stream")
    n = body.get("n", 1)
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 8:
        raise bad_request(f"Invalid 'n': expected an integer in [1, 8], got {n}.", "invalid_value", "n")
    return _Params(model, messages, max_tokens, n)


async def _apply_fault(fault: Fault, entry: LoggedRequest) -> Response | None:
    """The answer the fault forces, or None when the request goes on (delay, empty)."""
    if fault.kind == "delay":
        await asyncio.sleep(fault.delay_s)
        return None
    if fault.kind == "empty":
        return None
    if fault.kind == "rate_limit":
        entry.status = 429
        return ApiError(
            429,
            fault.message or "Rate limit reached for requests. Please try again later.",
            kind="requests",
            code="rate_limit_exceeded",
            headers={"retry-after": f"{fault.retry_after:g}"},
        ).response()
    if fault.kind == "error":
        entry.status = fault.status
        message = fault.message or _ERROR_MESSAGES.get(fault.status, f"Error {fault.status}")
        kind = "server_error" if fault.status >= 500 else "invalid_request_error"
        return ApiError(fault.status, message, kind=kind).response()
    if fault.kind == "malformed":
        entry.status = 200
        return Response(fault.body, status_code=200, media_type="application/json")
    entry.status = 0
    return DropConnection()


def _model_not_found(name: str) -> ApiError:
    return ApiError(
        404,
        f"The model `{name}` does not exist or you do not have access to it.",
        code="model_not_found",
        param="model",
    )


def _model_json(state: LlmState, name: str) -> dict[str, Any]:
    owner = name.split("/", 1)[0] if "/" in name else "t1-fake"
    return {"id": name, "object": "model", "created": state.created, "owned_by": owner}


def _text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return ""


def _known(cls: type[Any], body: dict[str, Any]) -> dict[str, Any]:
    names = {item.name for item in fields(cls)}
    unknown = sorted(set(body) - names)
    if unknown:
        raise ValueError(f"unknown field(s) {unknown}")
    return body


async def _control_body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        body = None
    return body if isinstance(body, dict) else {}


def _control_error(message: str) -> JSONResponse:
    return JSONResponse({"ok": False, "error": message}, status_code=400)
