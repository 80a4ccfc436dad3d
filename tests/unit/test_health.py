"""t1lib.health without engines: how checks add up to a report, timeouts, the cache, and the ops server
answering while the service's loop is busy."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx
import pytest

from t1lib.health import (
    CheckFailedError,
    CheckResult,
    OpsServer,
    Probes,
    Readiness,
    Report,
    Status,
    serving,
)


@dataclass
class Scripted:
    """A check whose outcome the test sets: passes, raises, or waits for `release`."""

    name: str
    required: bool = True
    failure: str | None = None
    hang: bool = False
    calls: int = 0
    release: asyncio.Event = field(default_factory=asyncio.Event)

    async def probe(self, timeout_s: float) -> None:
        self.calls += 1
        if self.hang:
            await self.release.wait()
        if self.failure is not None:
            raise CheckFailedError(self.failure)


def result(ok: bool, required: bool = True) -> CheckResult:
    return CheckResult(ok=ok, required=required, latency_ms=1.0, error=None if ok else "down")


def test_every_check_passing_is_ok_and_200() -> None:
    report = Report.of({"a": result(True), "b": result(True, required=False)})
    assert (report.status, report.http_status) == (Status.OK, 200)


def test_a_failing_optional_check_degrades_but_stays_ready() -> None:
    report = Report.of({"a": result(True), "b": result(False, required=False)})
    assert (report.status, report.http_status) == (Status.DEGRADED, 200)


def test_a_failing_required_check_is_failing_and_503() -> None:
    report = Report.of({"a": result(False), "b": result(False, required=False)})
    assert (report.status, report.http_status) == (Status.FAILING, 503)
    assert report.as_json()["checks"]["a"] == {
        "ok": False,
        "required": True,
        "latency_ms": 1.0,
        "error": "down",
    }


def test_no_checks_is_ok() -> None:
    assert Report.of({}).status is Status.OK


def test_check_names_are_unique() -> None:
    with pytest.raises(ValueError, match="unique"):
        Readiness([Scripted("kafka"), Scripted("kafka")])


async def test_the_report_names_the_failing_check_and_its_error() -> None:
    readiness = Readiness([Scripted("mongo"), Scripted("redis", failure="connection refused")], cache_s=0)
    report = await readiness.report()
    assert report.status is Status.FAILING
    assert report.checks["mongo"].ok
    assert report.checks["redis"].error == "CheckFailedError: connection refused"


async def test_a_hanging_check_is_cut_at_its_timeout_and_not_started_twice() -> None:
    hung = Scripted("s3", hang=True)
    readiness = Readiness([hung, Scripted("mongo")], timeout_s=0.2, cache_s=0)
    started = time.monotonic()
    report = await readiness.report()
    assert time.monotonic() - started < 1.0
    assert report.checks["s3"].error == "no answer within 0.2 s"
    assert report.checks["mongo"].ok
    again = await readiness.report()
    assert not again.checks["s3"].ok
    assert hung.calls == 1  # the first probe still runs: awaited again, not piled up
    hung.release.set()
    assert (await readiness.report()).status is Status.OK
    assert hung.calls == 2  # done: the next evaluation probes afresh
    await readiness.close()


async def test_reports_are_cached_and_concurrent_callers_share_one_evaluation() -> None:
    check = Scripted("kafka")
    readiness = Readiness([check], cache_s=60)
    reports = await asyncio.gather(*(readiness.report() for _ in range(5)))
    assert {report.status for report in reports} == {Status.OK}
    await readiness.report()
    assert check.calls == 1
    uncached = Readiness([check], cache_s=0)
    await uncached.report()
    await uncached.report()
    assert check.calls == 3


async def test_listeners_get_every_report() -> None:
    seen: list[Status] = []

    async def listen(report: Report) -> None:
        seen.append(report.status)

    check = Scripted("mongo", failure="down")
    readiness = Readiness([check], cache_s=0)
    readiness.on_report(listen)
    await readiness.report()
    check.failure = None
    await readiness.report()
    assert seen == [Status.FAILING, Status.OK]


async def test_ops_server_reports_starting_then_ready_then_stopping() -> None:
    probes = Probes()
    server = OpsServer(port=0, probes=probes)
    await asyncio.to_thread(server.start)
    try:
        async with httpx.AsyncClient(base_url=server.url) as client:
            starting = await client.get("/readyz")
            assert (starting.status_code, starting.json()["status"]) == (503, "starting")
            assert (await client.get("/livez")).status_code == 200
            check = Scripted("redis", failure="refused")
            async with serving(Readiness([check], cache_s=0), probes):
                failing = await client.get("/readyz")
                assert failing.status_code == 503
                assert failing.json()["checks"]["redis"]["error"] == "CheckFailedError: refused"
                check.failure = None
                ready = await client.get("/readyz")
                assert (ready.status_code, ready.json()["status"]) == (200, "ok")
            stopping = await client.get("/readyz")
            assert (stopping.status_code, stopping.json()["status"]) == (503, "stopping")
            metrics = await client.get("/metrics")
            assert metrics.status_code == 200
            assert "t1_grpc_requests_total" in metrics.text or "python_info" in metrics.text
    finally:
        await asyncio.to_thread(server.stop)


async def test_metrics_and_probes_answer_while_the_service_loop_is_busy() -> None:
    """The ops server has its own thread: a handler holding the service's loop for 1.5 s delays neither a
    scrape nor /livez, and /readyz says the loop is busy within its budget instead of hanging."""
    probes = Probes()
    server = OpsServer(port=0, probes=probes)
    await asyncio.to_thread(server.start)
    try:
        async with serving(Readiness([Scripted("mongo")], timeout_s=0.5, cache_s=0), probes):

            def scrape() -> tuple[float, float, httpx.Response]:
                with httpx.Client(base_url=server.url, timeout=5) as client:
                    started = time.monotonic()
                    assert client.get("/metrics").status_code == 200
                    assert client.get("/livez").status_code == 200
                    scraped = time.monotonic() - started
                    started = time.monotonic()
                    ready = client.get("/readyz")
                    return scraped, time.monotonic() - started, ready

            with ThreadPoolExecutor(1) as pool:
                scraping = pool.submit(scrape)
                held_until = time.monotonic() + 10
                # A CPU-bound handler holding the service's loop for as long as the probes take.
                while not scraping.done() and time.monotonic() < held_until:
                    pass
                scraped_s, ready_s, ready = scraping.result()
    finally:
        await asyncio.to_thread(server.stop)
    assert scraped_s < 1.0, scraped_s  # the loop was held all along: the scrape did not wait for it
    assert ready_s < 1.5, ready_s
    assert ready.status_code == 503
    assert ready.json()["checks"]["loop"]["error"] == "the service's event loop is busy"


async def test_livez_fails_when_the_loop_has_not_ticked_for_long(monkeypatch: pytest.MonkeyPatch) -> None:
    probes = Probes()
    async with serving(Readiness([]), probes):
        assert probes.liveness()[0] == 200
        monkeypatch.setattr("t1lib.health.STALL_S", -1.0)
        code, body = probes.liveness()
    assert (code, body["status"]) == (503, "stalled")
