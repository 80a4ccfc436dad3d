"""What operators read: the ticket lists and history search, timed at the gateway at the store's size.

Lists: the queue (status=open), mine (assignee=me), closed, by category and by assignee, as an operator
(whose lists are limited to the queue and their own tickets) and as an admin; `limit=50`, first page, one
request at a time. Search: `GET /api/v1/search?q=` with Russian words (word forms too), skipped with
`"status": "unavailable"` while the endpoint does not exist."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

import httpx

from bench import texts
from bench.harness import GATEWAY, Operator, bearer, latency_summary, note

SEARCH_QUERIES = (
    "ипотека",
    "ипотеку",
    "заблокировали карту",
    "блокировка",
    "перевод завис",
    "кэшбэк",
    "вклад",
    "код подтверждения",
    "Немиге",
    "договор",
    "Мария",
    "приложение ошибка",
)


def list_views(
    operator: Operator, admin: Operator, category: str
) -> list[tuple[str, Operator, dict[str, str]]]:
    """(name, who asks, query) of every list the console shows."""
    return [
        ("queue", operator, {"status": "open"}),
        ("mine", operator, {"assignee": "me"}),
        ("closed", admin, {"status": "closed"}),
        ("by_category", admin, {"category": category}),
        ("by_assignee", admin, {"assignee": operator.id}),
        ("queue_as_admin", admin, {"status": "open"}),
        ("all_as_admin", admin, {}),
        ("operator_default", operator, {}),
    ]


def time_requests(
    client: httpx.Client, path: str, token: str, params: dict[str, str], count: int
) -> tuple[list[float], dict[int, int], int]:
    """Latencies (ms) of `count` sequential GETs after two warm-up ones; status counts; last page size."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    items = 0
    for index in range(count + 2):
        started = time.perf_counter()
        response = client.get(f"{GATEWAY}{path}", params=params, headers=bearer(token))
        elapsed = (time.perf_counter() - started) * 1000
        if index >= 2:
            latencies.append(elapsed)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        if response.status_code == 200:
            items = len(response.json().get("items", []))
    return latencies, statuses, items


def lists(
    people: Callable[[], tuple[Operator, Operator]], requests: int, size: dict[str, int]
) -> list[dict[str, Any]]:
    """Every list view, `requests` times each; `people()` gives (operator, admin) with fresh tokens."""
    category = texts.categories()[0]  # the most frequent one: a full first page
    records: list[dict[str, Any]] = []
    with httpx.Client(timeout=30) as client:
        for index in range(len(list_views(*people(), category))):
            operator, admin = people()  # tokens live 15 minutes; a slow list view can take longer
            name, who, params = list_views(operator, admin, category)[index]
            note(f"lists: {name} x{requests}")
            latencies, statuses, items = time_requests(
                client, "/api/v1/tickets", who.token, {**params, "limit": "50"}, requests
            )
            records.append(
                {
                    "bench": "lists",
                    "view": name,
                    "as": "admin" if who is admin else "operator",
                    **size,
                    "requests": requests,
                    "statuses": statuses,
                    "page_items": items,
                    "latency_ms": latency_summary(latencies),
                }
            )
    return records


def search(
    people: Callable[[], tuple[Operator, Operator]], requests: int, size: dict[str, int]
) -> list[dict[str, Any]]:
    rng = random.Random(11)
    operator, admin = people()
    with httpx.Client(timeout=30) as client:
        probe = client.get(f"{GATEWAY}/api/v1/search", params={"q": "карта"}, headers=bearer(admin.token))
        if probe.status_code != 200:
            return [
                {
                    "bench": "search",
                    "status": "unavailable",
                    "http_status": probe.status_code,
                    "detail": probe.text[:200],
                    **size,
                }
            ]
        records: list[dict[str, Any]] = []
        for label in ("operator", "admin"):
            operator, admin = people()
            who = operator if label == "operator" else admin
            note(f"search as {label} x{requests}")
            latencies: list[float] = []
            statuses: dict[int, int] = {}
            hits: dict[str, int] = {}
            for index in range(requests):
                query = (
                    SEARCH_QUERIES[index % len(SEARCH_QUERIES)] if index < 50 else rng.choice(SEARCH_QUERIES)
                )
                started = time.perf_counter()
                response = client.get(
                    f"{GATEWAY}/api/v1/search", params={"q": query, "limit": "20"}, headers=bearer(who.token)
                )
                latencies.append((time.perf_counter() - started) * 1000)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                if response.status_code == 200:
                    hits[query] = len(response.json().get("items", []))
            records.append(
                {
                    "bench": "search",
                    "as": label,
                    **size,
                    "requests": requests,
                    "statuses": statuses,
                    "hits_first_page": hits,
                    "latency_ms": latency_summary(latencies),
                }
            )
    return records
