"""Schemathesis against the gateway's own OpenAPI on the whole stack (ml and summarizer included): every
route that only reads, as an operator and as an admin, with valid and invalid input. No answer is a server
error, every status is one the route documents, and bodies and content types are the documented ones.

Hypothesis runs in a worker thread (schemathesis calls are synchronous) while the event loop serves the
in-process stack. Cases are derandomized, so every run sends the same requests; failures are collected,
not shrunk, so one run reports all of them."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import APIOperation, Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.errors import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from services.ml.embedder import CachingEmbedder
from tests.e2e.conftest import Operator, Stack, open_stack

Operation = APIOperation[Any, Any, Any, Any]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Besides every GET, the POSTs that only read. Writes (take, assign, close, retry, messages, notes,
# operators, the knowledge base, logout) are left out, and so is login: its throttle counts failures per
# client address, and every test on this machine logs in from 127.0.0.1.
READ_ONLY_POSTS = {"/api/v1/tickets/{ticket_id}/reply-draft", "/api/v1/auth/refresh"}
EXAMPLES = {GenerationMode.POSITIVE: 25, GenerationMode.NEGATIVE: 10}
# The calendar's ends, which generated dates seldom reach (a default range ending on the first day once
# went before it: 500).
EDGE_DAYS = [date.min.isoformat(), "0001-01-29", date.max.isoformat()]
# About 30 s on 2 cores; spending it all means the run no longer covers every operation.
TIME_BUDGET_S = 120


@dataclass
class Findings:
    """Failed checks and transport errors, one report per (operation, what, status)."""

    seen: dict[tuple[str, str, int | None], str] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def calls(self) -> int:
        return sum(self.statuses.values())

    def add(self, operation: str, what: str, status: int | None, report: str) -> None:
        self.seen.setdefault((operation, what, status), report)

    def report(self) -> str:
        return "\n\n".join(
            f"{operation}: {what} (status {status})\n{text}"
            for (operation, what, status), text in sorted(self.seen.items(), key=str)
        )


@dataclass
class Seeded:
    """Real ids for path and query parameters, so that not every call is a 404."""

    operator: Operator
    ticket_ids: list[str]
    operator_ids: list[str]


@pytest.fixture(scope="module")
async def assisted_shared_stack(
    engines: dict[str, str], embedder: CachingEmbedder, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    qdrant = tmp_path_factory.mktemp("qdrant")
    async with open_stack(engines, embedder=embedder, qdrant_path=str(qdrant)) as stack:
        yield stack


async def seed(stack: Stack) -> Seeded:
    """An operator; the operator's ticket (answered, with a note), one in the queue and one the admin
    took and closed (the operator may not see it)."""
    operator = await stack.operator(f"fuzz{uuid.uuid4().hex[:8]}")
    chats = [random.randrange(10**9, 2 * 10**9) for _ in range(3)]
    for chat_id in chats:
        await stack.customer_says(chat_id, "Здравствуйте! Не проходит оплата картой, что делать?")
    own, queued, admins = [await stack.ticket_of(chat_id) for chat_id in chats]
    for who, ticket, action, body in (
        (operator, own, "take", None),
        (operator, own, "messages", {"text": "Добрый день! Уточните, пожалуйста, банк карты."}),
        (operator, own, "notes", {"text": "проверить лимиты"}),
        (stack.admin, admins, "take", None),
        (stack.admin, admins, "close", None),
    ):
        url = f"/api/v1/tickets/{ticket['id']}/{action}"
        done = await stack.api.post(url, json=body, headers=who.headers)
        assert done.status_code in (200, 201), done.text
    return Seeded(operator, [own["id"], queued["id"], admins["id"]], [operator.id, stack.admin.id])


def strategy_for(operation: Operation, mode: GenerationMode, seeded: Seeded) -> Any:
    """The operation's generated cases, and cases with real ticket and operator ids and edge days."""
    strategies = [operation.as_strategy(generation_mode=mode)]
    path_names = {parameter.name for parameter in operation.path_parameters}
    query_names = {parameter.name for parameter in operation.query}
    if "ticket_id" in path_names:
        strategies += [
            operation.as_strategy(generation_mode=mode, path_parameters={"ticket_id": ticket_id})
            for ticket_id in seeded.ticket_ids
        ]
    fixed = {
        "operator_id": seeded.operator_ids,
        "assignee": [*seeded.operator_ids, "me"],
        "from": EDGE_DAYS,
        "to": EDGE_DAYS,
    }
    for name, values in fixed.items():
        if name in query_names:
            strategies += [
                operation.as_strategy(generation_mode=mode, query={name: value}) for value in values
            ]
    return st.one_of(strategies)


def fuzz(schema: Any, base_url: str, tokens: dict[str, str], seeded: Seeded, deadline: float) -> Findings:
    """Runs in a worker thread: every read-only operation, with each token, in both generation modes."""
    findings = Findings()
    session = requests.Session()
    operations: list[Operation] = [
        result.ok()
        for result in schema.get_all_operations()
        if result.ok().method.upper() == "GET" or result.ok().path in READ_ONLY_POSTS
    ]
    assert len(operations) >= 15, [operation.label for operation in operations]
    for operation in operations:
        for mode, examples in EXAMPLES.items():
            for who, token in tokens.items():
                if time.monotonic() > deadline:
                    findings.add(operation.label, f"{who}, {mode}: not run, time budget spent", None, "")
                    continue
                strategy = strategy_for(operation, mode, seeded)
                try:
                    send_cases(operation, strategy, examples, who, token, session, base_url, findings)
                except Unsatisfiable:
                    # nothing invalid to send: the operation has no parameter that can be wrong
                    assert mode == GenerationMode.NEGATIVE, operation.label
    return findings


def send_cases(
    operation: Operation,
    strategy: Any,
    examples: int,
    who: str,
    token: str,
    session: requests.Session,
    base_url: str,
    findings: Findings,
) -> None:
    headers = {"Authorization": f"Bearer {token}"}

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def send(case: Case[Operation]) -> None:
        try:
            response = case.call(base_url=base_url, session=session, headers=headers, timeout=30)
        except requests.RequestException as error:
            findings.add(operation.label, f"{who}: {type(error).__name__}", None, str(error))
            return
        findings.statuses[response.status_code] = findings.statuses.get(response.status_code, 0) + 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as group:
            for failure in group.exceptions:
                findings.add(operation.label, f"{who}: {failure.title}", response.status_code, group.message)

    send()


@pytest.mark.timeout(300)  # the stack's start embeds the FAQ when no test of the session did it yet
async def test_read_only_routes_keep_to_their_openapi(assisted_shared_stack: Stack) -> None:
    stack = assisted_shared_stack
    seeded = await seed(stack)
    started = time.monotonic()
    schema = await asyncio.to_thread(schemathesis.openapi.from_url, f"{stack.gateway_url}/openapi.json")
    tokens = {"operator": seeded.operator.token, "admin": stack.admin.token}
    findings = await asyncio.to_thread(
        fuzz, schema, stack.gateway_url, tokens, seeded, started + TIME_BUDGET_S
    )
    elapsed = time.monotonic() - started
    print(f"{findings.calls} calls in {elapsed:.1f} s; statuses {sorted(findings.statuses.items())}")
    assert not findings.seen, findings.report()
    # the real ids make most valid requests succeed: the routes were exercised, not only refused
    assert findings.statuses.get(200, 0) > findings.calls // 4, findings.statuses


async def test_stats_default_range_ending_on_the_calendars_first_days(assisted_shared_stack: Stack) -> None:
    """Found by the fuzzing: `to` alone in the first 29 days of year 1 made the default 30-day range start
    before the calendar does (OverflowError, 500). The range now starts on the first day there is."""
    for last in ("0001-01-01", "0001-01-29"):
        for route in ("summary", "daily", "categories", "operators", "timeseries"):
            response = await stack_get(assisted_shared_stack, f"/api/v1/stats/{route}?to={last}")
            assert response.status_code == 200, (route, response.text)
    daily = await stack_get(assisted_shared_stack, "/api/v1/stats/daily?to=0001-01-03")
    assert [item["day"] for item in daily.json()["items"]] == ["0001-01-01", "0001-01-02", "0001-01-03"]


async def stack_get(stack: Stack, path: str) -> Any:
    return await stack.api.get(path, headers=stack.admin.headers)
