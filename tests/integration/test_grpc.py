"""The gRPC bootstrap on a real server: health, reflection, error mapping, client deadlines."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from pydantic import SecretStr

from t1.stats.v1 import stats_service_pb2 as stats_pb
from t1.stats.v1 import stats_service_pb2_grpc as stats_grpc
from t1lib.errors import NotFoundError
from t1lib.grpc.client import open_channel
from t1lib.grpc.server import start_server

STATS_SERVICE = stats_pb.DESCRIPTOR.services_by_name["StatsService"].full_name
TOKEN = SecretStr("service-token-of-this-test")


class FakeStats(stats_grpc.StatsServiceServicer):
    """Behaviour that exercises each path of the interceptor; not a stats implementation."""

    async def GetOperatorStats(
        self, request: stats_pb.GetOperatorStatsRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> stats_pb.GetOperatorStatsResponse:
        if request.operator_id == "ghost":
            raise NotFoundError("оператор ghost не найден")
        if request.operator_id == "bug":
            raise RuntimeError("secret detail that must not leak")
        return stats_pb.GetOperatorStatsResponse(
            stats=stats_pb.OperatorStats(operator_id=request.operator_id, reviews_count=2, average_rating=4.5)
        )

    async def ListOperatorStats(
        self, request: stats_pb.ListOperatorStatsRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> stats_pb.ListOperatorStatsResponse:
        await asyncio.sleep(3)
        return stats_pb.ListOperatorStatsResponse()


@pytest.fixture
async def channel() -> AsyncIterator[grpc.aio.Channel]:
    server, port = await start_server(
        "127.0.0.1:0",
        lambda s: stats_grpc.add_StatsServiceServicer_to_server(FakeStats(), s),  # type: ignore[abstract]  # only the RPCs the interceptor tests call
        [STATS_SERVICE],
        token=TOKEN,
    )
    channel = open_channel(f"127.0.0.1:{port}", TOKEN, default_timeout_s=0.5)
    yield channel
    await channel.close()
    await server.stop(grace=1)


async def test_health_reports_serving(channel: grpc.aio.Channel) -> None:
    health: Any = health_pb2_grpc.HealthStub(channel)  # the stubs package types only the sync API
    for service in ("", STATS_SERVICE):
        response = await health.Check(health_pb2.HealthCheckRequest(service=service))
        assert response.status == health_pb2.HealthCheckResponse.SERVING


async def test_reflection_lists_the_services(channel: grpc.aio.Channel) -> None:
    stub: Any = reflection_pb2_grpc.ServerReflectionStub(channel)  # type: ignore[arg-type]

    async def requests() -> AsyncIterator[reflection_pb2.ServerReflectionRequest]:
        yield reflection_pb2.ServerReflectionRequest(list_services="")

    async for response in stub.ServerReflectionInfo(requests(), timeout=5):
        names = {service.name for service in response.list_services_response.service}
        assert {STATS_SERVICE, "grpc.health.v1.Health"} <= names
        break
    else:
        pytest.fail("no reflection response")


async def test_success_passes_through(channel: grpc.aio.Channel) -> None:
    response = await stats_grpc.StatsServiceStub(channel).GetOperatorStats(
        stats_pb.GetOperatorStatsRequest(operator_id="op-1")
    )
    assert response.stats.average_rating == 4.5


async def test_domain_error_maps_to_its_status(channel: grpc.aio.Channel) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stats_grpc.StatsServiceStub(channel).GetOperatorStats(
            stats_pb.GetOperatorStatsRequest(operator_id="ghost")
        )
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND
    assert raised.value.details() == "оператор ghost не найден"


async def test_unexpected_error_is_internal_without_details(channel: grpc.aio.Channel) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stats_grpc.StatsServiceStub(channel).GetOperatorStats(
            stats_pb.GetOperatorStatsRequest(operator_id="bug")
        )
    assert raised.value.code() == grpc.StatusCode.INTERNAL
    assert raised.value.details() == "internal error"


async def test_every_call_has_a_deadline(channel: grpc.aio.Channel) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stats_grpc.StatsServiceStub(channel).ListOperatorStats(stats_pb.ListOperatorStatsRequest())
    assert raised.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
