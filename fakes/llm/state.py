"""What the fake LLM remembers: scripted replies, reply rules, injected faults and the request log."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

DEFAULT_API_KEY = "sk-t1-fake-llm-key"
DEFAULT_MODELS = ("openai/gpt-4o-mini", "openai/gpt-4o", "t1/fake-small")
REQUEST_LOG_LIMIT = 10_000

FaultKind = Literal["rate_limit", "error", "delay", "malformed", "drop", "empty"]
FAULT_KINDS: tuple[str, ...] = ("rate_limit", "error", "delay", "malformed", "drop", "empty")


@dataclass
class Fault:
    """Applies to the next `count` chat completions (FIFO across faults).

    rate_limit: 429 with `Retry-After: retry_after`; error: `status` with OpenAI's error JSON; delay: wait
    `delay_s`, then answer normally; malformed: 200 with `body` (default: not JSON); drop: close the
    connection without an answer; empty: 200 with an empty content."""

    kind: FaultKind
    count: int = 1
    status: int = 500
    retry_after: float = 1.0
    delay_s: float = 1.0
    body: str = '{"choices": [ this is not json'
    message: str = ""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Rule:
    """Answer `reply` when the last user message contains `contains` (case-insensitive) or matches
    the regular expression `pattern`. Rules stay until reset; the first matching rule wins."""

    reply: str
    contains: str = ""
    pattern: str = ""

    def matches(self, text: str) -> bool:
        if self.contains and self.contains.casefold() not in text.casefold():
            return False
        return not (self.pattern and re.search(self.pattern, text, re.IGNORECASE) is None)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class LoggedRequest:
    seq: int
    at: float
    path: str
    authorized: bool
    status: int
    model: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    messages: list[dict[str, Any]] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    reply: str | None = None
    fault: str | None = None
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


class LlmState:
    """Shared between the HTTP app and a test in the same process (methods are thread-safe)."""

    def __init__(
        self,
        *,
        api_key: str = DEFAULT_API_KEY,
        models: tuple[str, ...] = DEFAULT_MODELS,
        accept_any_model: bool = True,
    ) -> None:
        self.api_key = api_key
        self.models = models
        self.accept_any_model = accept_any_model
        self.created = int(time.time())
        self._lock = threading.Lock()
        self._replies: list[str] = []
        self._rules: list[Rule] = []
        self._faults: list[Fault] = []
        self._requests: list[LoggedRequest] = []
        self._seq = 0

    # scripted replies and rules

    def script(self, *contents: str) -> None:
        """Queue replies: the next chat completions answer these contents, in order, one each."""
        with self._lock:
            self._replies.extend(contents)

    def add_rule(self, rule: Rule) -> None:
        if rule.pattern:
            re.compile(rule.pattern)
        with self._lock:
            self._rules.append(rule)

    def scripted_reply(self, last_user_text: str) -> str | None:
        with self._lock:
            if self._replies:
                return self._replies.pop(0)
            for rule in self._rules:
                if rule.matches(last_user_text):
                    return rule.reply
        return None

    def clear_replies(self) -> None:
        with self._lock:
            self._replies.clear()

    @property
    def pending_replies(self) -> list[str]:
        with self._lock:
            return list(self._replies)

    @property
    def rules(self) -> list[Rule]:
        with self._lock:
            return list(self._rules)

    # faults

    def add_fault(self, fault: Fault) -> None:
        if fault.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {fault.kind!r}; known: {', '.join(FAULT_KINDS)}")
        if fault.count < 1:
            raise ValueError("count must be at least 1")
        with self._lock:
            self._faults.append(fault)

    def take_fault(self) -> Fault | None:
        with self._lock:
            if not self._faults:
                return None
            fault = self._faults[0]
            fault.count -= 1
            if fault.count <= 0:
                self._faults.pop(0)
            return Fault(**{**asdict(fault), "count": 1})

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    @property
    def faults(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    # request log

    def log(self, entry: LoggedRequest) -> LoggedRequest:
        with self._lock:
            self._seq += 1
            entry.seq = self._seq
            self._requests.append(entry)
            del self._requests[:-REQUEST_LOG_LIMIT]
        return entry

    def requests(self, path: str | None = None, after: int = 0) -> list[LoggedRequest]:
        with self._lock:
            return [
                entry
                for entry in self._requests
                if entry.seq > after and (path is None or entry.path == path)
            ]

    def completions(self) -> list[LoggedRequest]:
        """Chat-completion requests, answered or not, oldest first."""
        return self.requests("/v1/chat/completions")

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def reset(self) -> None:
        with self._lock:
            self._replies.clear()
            self._rules.clear()
            self._faults.clear()
            self._requests.clear()
