"""Components authenticate to each other: the gRPC services (message_saver, stats, ml, reflection
included) answer only calls that carry the install's service token; Redis wants its password; S3 no longer
takes the root keys that used to be hard-coded. The services run in-process on the real engines; Redis and
S3 run as instances of this test's own (a spare port, a temporary data dir), so the shared ones are left
alone."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
import redis.asyncio as redis_async
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from minio import Minio
from minio.error import S3Error
from pydantic_settings import BaseSettings
from pymongo import AsyncMongoClient
from redis.exceptions import AuthenticationError, ResponseError

from gateway.core.config import Settings as GatewaySettings
from infra.engines.base import HOST
from infra.engines.redis import Redis
from infra.engines.s3 import S3
from services.message_saver.app import build_app as build_message_saver
from services.message_saver.config import MessageSaverSettings
from services.ml.app import build_app as build_ml
from services.ml.config import MlSettings
from services.ml.embedder import CachingEmbedder
from services.stats.app import build_app as build_stats
from services.stats.config import StatsSettings
from services.summarizer.config import SummarizerSettings
from t1.ml.v1 import hints_service_pb2 as hints
from t1.ml.v1 import hints_service_pb2_grpc as hints_grpc
from t1.stats.v1 import stats_service_pb2 as stats
from t1.stats.v1 import stats_service_pb2_grpc as stats_grpc
from t1.tickets.v1 import ticket_service_pb2 as tickets
from t1.tickets.v1 import ticket_service_pb2_grpc as tickets_grpc
from t1lib.config import RedisSettings, SettingsError, load_settings
from t1lib.grpc.client import open_blocking_channel, open_channel
from t1lib.kafka.topics import TopicRegistry
from t1lib.stores import redis_client
from tests.support.servers import free_port

pytestmark = pytest.mark.integration

# What infra/engines/s3 used to start every S3 server with.
OLD_ROOT_KEYS = ("t1admin", "t1adminsecret")
DAY = "2026-11-02"


def service_token() -> str:
    return os.environ["T1_SERVICE_TOKEN"]


async def status_of(call: Any) -> grpc.StatusCode:
    try:
        await call
    except grpc.aio.AioRpcError as error:
        return error.code()
    return grpc.StatusCode.OK


async def refused_without_and_with_a_wrong_token(address: str, call: Any) -> None:
    """`call(channel, metadata)` is refused with no token and with a wrong one."""
    async with grpc.aio.insecure_channel(address) as anonymous:
        assert await status_of(call(anonymous, None)) == grpc.StatusCode.UNAUTHENTICATED
        wrong = (("authorization", f"Bearer {uuid.uuid4().hex}"),)
        assert await status_of(call(anonymous, wrong)) == grpc.StatusCode.UNAUTHENTICATED


@pytest.fixture
async def mongo_db(engines: dict[str, str]) -> AsyncIterator[str]:
    name = f"sec_{uuid.uuid4().hex[:10]}"
    yield name
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(engines["T1_MONGO_URL"])
    await client.drop_database(name)
    await client.close()


@pytest.fixture
async def ticket_service(mongo_db: str, registry: TopicRegistry, tmp_path: Path) -> AsyncIterator[str]:
    settings = MessageSaverSettings(
        mongo_db=mongo_db,
        grpc_port=0,
        grpc_grace_s=1,
        consumer_group=f"sec-{mongo_db}",
        ocr_enabled=False,
        search_dir=str(tmp_path / "search"),
        log_json=False,
    )
    app = await build_message_saver(settings, registry)
    await app.start()
    yield app.address
    await app.stop()
    client = redis_client(settings)
    keys = [key async for key in client.scan_iter(f"{settings.views_key_prefix}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


@pytest.fixture
async def stats_service(mongo_db: str, registry: TopicRegistry) -> AsyncIterator[str]:
    app = await build_stats(
        StatsSettings(mongo_db=mongo_db, grpc_port=0, consumer_group=f"sec-{mongo_db}", log_json=False),
        registry,
    )
    await app.start()
    yield app.address
    await app.stop()


@pytest.fixture
async def hints_service(mongo_db: str, embedder: CachingEmbedder, tmp_path: Path) -> AsyncIterator[str]:
    app = await build_ml(
        MlSettings(
            mongo_db=mongo_db,
            qdrant_path=str(tmp_path / "qdrant"),
            grpc_host="127.0.0.1",
            grpc_port=0,
            grpc_grace_s=1,
            kb_import_file=None,
            ml_sync_interval_s=0,
            log_json=False,
        ),
        embedder,
    )
    await app.start()
    yield app.address
    await app.stop()


async def test_ticket_service_answers_only_calls_with_the_service_token(ticket_service: str) -> None:
    def get_ticket(channel: grpc.aio.Channel, metadata: Any) -> Any:
        request = tickets.GetTicketRequest(ticket_id="t-1")
        return tickets_grpc.TicketServiceStub(channel).GetTicket(request, metadata=metadata, timeout=5)

    def list_internal_notes(channel: grpc.aio.Channel, metadata: Any) -> Any:
        request = tickets.ListMessagesRequest(ticket_id="t-1", include_internal=True)
        return tickets_grpc.TicketServiceStub(channel).ListMessages(request, metadata=metadata, timeout=5)

    def add_note_as_someone(channel: grpc.aio.Channel, metadata: Any) -> Any:
        request = tickets.AddNoteRequest(ticket_id="t-1", operator_id="forged-admin", text="…")
        return tickets_grpc.TicketServiceStub(channel).AddNote(request, metadata=metadata, timeout=5)

    for call in (get_ticket, list_internal_notes, add_note_as_someone):
        await refused_without_and_with_a_wrong_token(ticket_service, call)
    async with open_channel(ticket_service, service_token()) as channel:
        listed = await tickets_grpc.TicketServiceStub(channel).ListTickets(tickets.ListTicketsRequest())
        assert list(listed.tickets) == []
        assert await status_of(get_ticket(channel, None)) == grpc.StatusCode.NOT_FOUND  # past the check


async def test_stats_service_answers_only_calls_with_the_service_token(stats_service: str) -> None:
    request = stats.GetSummaryRequest(scope=stats.Scope(first_day=DAY, last_day=DAY))

    def summary(channel: grpc.aio.Channel, metadata: Any) -> Any:
        return stats_grpc.StatsServiceStub(channel).GetSummary(request, metadata=metadata, timeout=5)

    await refused_without_and_with_a_wrong_token(stats_service, summary)
    async with open_channel(stats_service, service_token()) as channel:
        figures = (await summary(channel, None)).figures
        assert figures.tickets_closed == 0


async def test_blocking_channels_carry_the_service_token_too(stats_service: str) -> None:
    request = stats.GetSummaryRequest(scope=stats.Scope(first_day=DAY, last_day=DAY))

    def summary(channel: grpc.Channel) -> grpc.StatusCode:
        with channel:
            try:
                stats_grpc.StatsServiceStub(channel).GetSummary(request, timeout=5)
            except grpc.RpcError as error:
                return error.code()
        return grpc.StatusCode.OK

    assert await asyncio.to_thread(summary, grpc.insecure_channel(stats_service)) == (
        grpc.StatusCode.UNAUTHENTICATED
    )
    with_token = open_blocking_channel(stats_service, service_token())
    assert await asyncio.to_thread(summary, with_token) == grpc.StatusCode.OK


async def test_hints_service_answers_only_calls_with_the_service_token(hints_service: str) -> None:
    def entries(channel: grpc.aio.Channel, metadata: Any) -> Any:
        request = hints.ListEntriesRequest()
        return hints_grpc.HintsServiceStub(channel).ListEntries(request, metadata=metadata, timeout=5)

    await refused_without_and_with_a_wrong_token(hints_service, entries)
    async with open_channel(hints_service, service_token()) as channel:
        assert list((await entries(channel, None)).entries) == []


async def list_services(channel: grpc.aio.Channel, metadata: Any = None) -> list[str]:
    stub: Any = reflection_pb2_grpc.ServerReflectionStub(channel)  # type: ignore[arg-type]  # typed sync
    request = reflection_pb2.ServerReflectionRequest(list_services="")
    names: list[str] = []
    async for response in stub.ServerReflectionInfo(iter([request]), metadata=metadata, timeout=5):
        names += [service.name for service in response.list_services_response.service]
    return names


async def test_reflection_needs_the_service_token_and_health_checks_stay_open(stats_service: str) -> None:
    async with grpc.aio.insecure_channel(stats_service) as anonymous:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await list_services(anonymous)
        assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED
        health: Any = health_pb2_grpc.HealthStub(anonymous)
        checked = await health.Check(health_pb2.HealthCheckRequest(service=""), timeout=5)
        assert checked.status == health_pb2.HealthCheckResponse.SERVING
    async with open_channel(stats_service, service_token()) as channel:
        assert "t1.stats.v1.StatsService" in await list_services(channel)


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[Redis]:
    engine = Redis(base_dir=tmp_path, port=free_port())
    engine.start()
    yield engine
    engine.stop()


async def test_redis_refuses_clients_without_the_password(own_redis: Redis) -> None:
    anonymous = redis_async.Redis(host=HOST, port=own_redis.port)
    with pytest.raises(AuthenticationError):  # NOAUTH
        await anonymous.ping()
    await anonymous.aclose()
    guessing = redis_async.Redis(host=HOST, port=own_redis.port, password="t1")
    with pytest.raises((AuthenticationError, ResponseError)):  # WRONGPASS
        await guessing.ping()
    await guessing.aclose()

    client = redis_client(RedisSettings(redis_url=own_redis.client_url()))
    assert await client.ping()
    await client.aclose()


def test_the_redis_password_stays_out_of_the_command_line_and_readable_only_by_its_owner(
    own_redis: Redis,
) -> None:
    pid = own_redis.pid()
    assert pid is not None
    assert own_redis.password not in Path(f"/proc/{pid}/cmdline").read_text()
    for private in (own_redis.config_file, own_redis.secrets_file):
        assert private.stat().st_mode & 0o077 == 0, private


@pytest.fixture
def own_s3(tmp_path: Path) -> Iterator[S3]:
    engine = S3(base_dir=tmp_path, port=free_port())
    engine.start()
    yield engine
    engine.stop()


def s3_as(engine: S3, access_key: str, secret_key: str) -> Minio:
    return Minio(f"{HOST}:{engine.port}", access_key=access_key, secret_key=secret_key, secure=False)


async def test_s3_refuses_the_old_hard_coded_root_keys(own_s3: S3) -> None:
    with pytest.raises(S3Error) as refused:
        await asyncio.to_thread(s3_as(own_s3, *OLD_ROOT_KEYS).list_buckets)
    assert refused.value.code in ("InvalidAccessKeyId", "XAdminUserNotFound", "AccessDenied")

    assert (own_s3.access_key, own_s3.secret_key) != OLD_ROOT_KEYS
    own = s3_as(own_s3, own_s3.access_key, own_s3.secret_key)
    await asyncio.to_thread(own.make_bucket, "t1-attachments")
    assert [bucket.name for bucket in await asyncio.to_thread(own.list_buckets)] == ["t1-attachments"]


@pytest.mark.parametrize("settings_type", [StatsSettings, GatewaySettings, SummarizerSettings])
def test_a_component_without_the_service_token_does_not_start(
    monkeypatch: pytest.MonkeyPatch, settings_type: type[BaseSettings]
) -> None:
    for name, value in {
        "T1_KAFKA_BOOTSTRAP": "127.0.0.1:9092",
        "T1_MONGO_URL": "mongodb://127.0.0.1:27017",
        "T1_REDIS_URL": "redis://:password@127.0.0.1:6379/0",
        "T1_S3_ENDPOINT": "127.0.0.1:9000",
        "T1_S3_ACCESS_KEY": "key",
        "T1_S3_SECRET_KEY": "secret",
        "T1_TICKETS_GRPC_ADDR": "127.0.0.1:8001",
        "T1_NOTIFICATIONS_WS_URL": "ws://127.0.0.1:8006/ws",
        "T1_JWT_SECRET": "jwt-secret",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("T1_SERVICE_TOKEN", raising=False)
    with pytest.raises(SettingsError, match="T1_SERVICE_TOKEN is required"):
        load_settings(settings_type)
    monkeypatch.setenv("T1_SERVICE_TOKEN", "short")
    with pytest.raises(SettingsError, match="T1_SERVICE_TOKEN is invalid"):
        load_settings(settings_type)
