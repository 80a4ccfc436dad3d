"""The notifications app: consumes websocket_notifications and pushes to operators' WebSockets."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractContextManager, asynccontextmanager

from fastapi import FastAPI, WebSocket, WebSocketDisconnect, status
from fastapi.responses import JSONResponse
from opentelemetry import context as otel_context
from opentelemetry.context import Context
from opentelemetry.trace import Span, SpanKind

from services.notifications.access import until_revoked
from services.notifications.config import Settings
from services.notifications.hub import Hub
from t1.notifications.v1 import events_pb2
from t1lib import tracing
from t1lib.access import AccessGuard
from t1lib.auth import InvalidTokenError, decode_access_token
from t1lib.health import ConditionCheck, KafkaCheck, Probes, Readiness, RedisCheck, health_routes, serving
from t1lib.kafka.consumer import EventConsumer, EventContext
from t1lib.kafka.producer import EventProducer
from t1lib.kafka.topics import TopicRegistry, registry_with_prefix
from t1lib.live_auth import PROTOCOL, bearer_token
from t1lib.stores import redis_client
from t1lib.telemetry import tracer

logger = logging.getLogger(__name__)


def create_app(
    settings: Settings, registry: TopicRegistry | None = None, probes: Probes | None = None
) -> FastAPI:
    """`probes` answer the app's /livez and /readyz (a new one unless given; the process's ops server
    reports the same readiness)."""
    registry = registry or registry_with_prefix(settings.kafka_topic_prefix)
    probes = probes or Probes()

    hub = Hub(settings.connection_queue_size)
    redis = redis_client(settings)
    guard = AccessGuard(redis)

    async def on_notification(event: events_pb2.WebsocketNotification, _context: EventContext) -> None:
        hub.publish(event, otel_context.get_current() if tracing.enabled() else None)

    async def on_notifications(
        items: Sequence[tuple[events_pb2.WebsocketNotification, EventContext]],
    ) -> None:
        for event, context in items:  # in poll order, which keeps each ticket's order
            hub.publish(event, context.trace)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        producer = EventProducer.for_service(settings, "notifications-dlq", registry=registry)
        # Every instance must see every event (it holds its own connections), so each has its own group
        # and starts at the newest event: consoles reload state over REST when they (re)connect.
        consumer = EventConsumer(
            bootstrap=settings.kafka_bootstrap,
            group_id=f"notifications-{uuid.uuid4().hex[:12]}",
            handlers={events_pb2.WebsocketNotification: on_notification},
            batch_handlers={events_pb2.WebsocketNotification: on_notifications},
            dlq_producer=producer,
            registry=registry,
            max_attempts=1,
            extra_config={"auto.offset.reset": "latest", "enable.auto.commit": "false"},
        )
        app.state.consumer = consumer
        task = asyncio.create_task(consumer.run())
        readiness = Readiness(
            [
                KafkaCheck(producer),
                RedisCheck(redis),
                ConditionCheck("consumer", consumer.assigned.is_set, "no partition assigned yet"),
            ]
        )
        try:
            async with serving(readiness, probes):
                yield
        finally:
            consumer.stop()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(task, 15)
            await asyncio.to_thread(producer.close)
            await redis.aclose()

    app = FastAPI(title="T1 Support notifications", lifespan=lifespan)

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        ready = app.state.consumer.assigned.is_set()
        body = {"status": "ok" if ready else "starting", "connections": hub.size}
        return JSONResponse(body, status_code=200 if ready else 503)

    app.router.routes.extend(health_routes(probes))

    @app.websocket("/ws")
    async def live(websocket: WebSocket) -> None:
        token = bearer_token(websocket.scope.get("subprotocols", ()))  # t1lib.live_auth: not in the URL
        try:
            access = decode_access_token(settings.jwt_secret.get_secret_value(), token)
            principal = await guard.principal(access)
        except InvalidTokenError as error:
            await websocket.close(code=status.WS_1008_POLICY_VIOLATION, reason=f"access refused: {error}")
            return
        await websocket.accept(subprotocol=PROTOCOL)
        connection = hub.connect(principal)
        reader = asyncio.create_task(_drain_client(websocket))
        revoked = asyncio.create_task(
            until_revoked(guard, access, principal, settings.access_check_interval_s)
        )
        try:
            await websocket.send_json({"type": "hello", "operator_id": principal.operator_id})
            while not reader.done():
                sender = asyncio.create_task(connection.next_texts())
                done, _pending = await asyncio.wait(
                    {sender, reader, revoked}, return_when=asyncio.FIRST_COMPLETED
                )
                if revoked in done:
                    sender.cancel()
                    await websocket.close(code=status.WS_1008_POLICY_VIOLATION, reason=revoked.result())
                    break
                if sender not in done:
                    sender.cancel()
                    break
                texts = sender.result()
                if not texts and connection.overflowed:
                    await websocket.close(code=status.WS_1013_TRY_AGAIN_LATER, reason="too slow; reconnect")
                    break
                for outgoing in texts:
                    if outgoing.trace is None:
                        await websocket.send_text(outgoing.text)
                        continue
                    with send_span(outgoing.trace, principal.operator_id):
                        await websocket.send_text(outgoing.text)
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            hub.disconnect(connection)
            reader.cancel()
            revoked.cancel()

    return app


def send_span(trace: Context, operator_id: str) -> AbstractContextManager[Span]:
    """The last hop of a customer's message: the event written to an operator's console."""
    return tracer(__name__).start_as_current_span(
        "websocket send", context=trace, kind=SpanKind.PRODUCER, attributes={"t1.operator.id": operator_id}
    )


async def _drain_client(websocket: WebSocket) -> None:
    """Read (and ignore) what the client sends, so a closed connection is noticed."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            await websocket.receive_text()
