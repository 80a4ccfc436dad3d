"""summarizer in-process on real Kafka (topics under a prefix unique to the test, from tests/conftest.py),
the fake LLM server in-process, and a tiny gRPC HintsService that answers ClassifyText as the test says."""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import grpc
import pytest
from pydantic import SecretStr

from fakes.llm import FakeLlm
from services.summarizer.app import App, build_app
from services.summarizer.config import SummarizerSettings
from t1.ml.v1 import hints_service_pb2 as hints_pb
from t1.summarizer.v1 import events_pb2 as summarizer_pb
from t1lib.events import new_event
from t1lib.grpc.server import start_server
from t1lib.kafka.codec import decode
from t1lib.kafka.producer import EventProducer
from t1lib.kafka.topics import TopicRegistry, dlq_topic
from tests.support.kafka import Reader, Record
from tests.support.waiting import eventually

HINTS_SERVICE = hints_pb.DESCRIPTOR.services_by_name["HintsService"].full_name
Context = Any  # grpc.aio.ServicerContext is generic only in the stubs


class Hints:
    """ClassifyText and ClassifyTexts answer `answer` for every text (after `delay_s`) and record the
    texts and how many calls there were; the other RPCs of HintsService are UNIMPLEMENTED here."""

    def __init__(self) -> None:
        self.answer = hints_pb.ClassifyTextResponse()
        self.delay_s = 0.0
        self.texts: list[str] = []
        self.calls = 0

    async def _called(self, texts: list[str]) -> None:
        self.calls += 1
        self.texts.extend(texts)
        if self.delay_s:
            await asyncio.sleep(self.delay_s)  # a slow ml, as the test asks

    async def ClassifyText(
        self, request: hints_pb.ClassifyTextRequest, context: Context
    ) -> hints_pb.ClassifyTextResponse:
        await self._called([request.text])
        return self.answer

    async def ClassifyTexts(
        self, request: hints_pb.ClassifyTextsRequest, context: Context
    ) -> hints_pb.ClassifyTextsResponse:
        await self._called(list(request.texts))
        one = hints_pb.TextClassification(
            category=self.answer.category,
            subcategory=self.answer.subcategory,
            confidence=self.answer.confidence,
        )
        return hints_pb.ClassifyTextsResponse(classifications=[one] * len(request.texts))

    def register(self, server: grpc.aio.Server) -> None:
        classify = grpc.unary_unary_rpc_method_handler(
            self.ClassifyText,
            request_deserializer=hints_pb.ClassifyTextRequest.FromString,
            response_serializer=hints_pb.ClassifyTextResponse.SerializeToString,
        )
        classify_many = grpc.unary_unary_rpc_method_handler(
            self.ClassifyTexts,
            request_deserializer=hints_pb.ClassifyTextsRequest.FromString,
            response_serializer=hints_pb.ClassifyTextsResponse.SerializeToString,
        )
        handlers: dict[str, grpc.RpcMethodHandler[Any, Any]] = {
            "ClassifyText": classify,
            "ClassifyTexts": classify_many,
        }
        server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(HINTS_SERVICE, handlers),))


@dataclass
class Harness:
    bootstrap: str
    registry: TopicRegistry
    producer: EventProducer
    reader: Reader
    llm: FakeLlm
    hints: Hints
    ml_address: str
    apps: list[App] = field(default_factory=list)

    @property
    def request_topic(self) -> str:
        return self.registry.for_message(summarizer_pb.ChatTitleRequest).name

    @property
    def title_topic(self) -> str:
        return self.registry.for_message(summarizer_pb.ChatTitleGenerated).name

    def settings(self, **overrides: Any) -> SummarizerSettings:
        values: dict[str, Any] = {
            "kafka_bootstrap": self.bootstrap,
            "consumer_group": f"summarizer-{uuid.uuid4().hex[:10]}",
            "kafka_max_attempts": 2,
            "kafka_retry_backoff_s": 0.05,
            "llm_base_url": self.llm.base_url,
            "llm_api_key": self.llm.api_key,
            "llm_model": "openai/gpt-4o-mini",
            "llm_timeout_s": 2.0,
            "llm_total_timeout_s": 10.0,
            "llm_max_retries": 2,
            "llm_retry_backoff_s": 0.05,
            "llm_retry_backoff_max_s": 0.2,
            "llm_http_referer": "",
            "llm_app_title": "",
            "ml_grpc_addr": self.ml_address,
            "ml_timeout_s": 1.0,
        }
        values.update(overrides)
        return SummarizerSettings(**values)

    async def start(self, settings: SummarizerSettings | None = None, **overrides: Any) -> App:
        app = await build_app(settings or self.settings(), self.registry, **overrides)
        self.apps.append(app)
        await app.start()
        return app

    async def request(self, *messages: str, ticket_id: str | None = None) -> summarizer_pb.ChatTitleRequest:
        event = new_event(
            summarizer_pb.ChatTitleRequest,
            ticket_id=ticket_id or str(uuid.uuid4()),
            messages=list(messages),
            language_code="ru",
        )
        await self.producer.publish(event)
        return event

    def titles(self, ticket_id: str | None = None) -> list[summarizer_pb.ChatTitleGenerated]:
        found = []
        for record in self.reader.records(self.title_topic):
            event = decode(record.topic, record.value or b"", list(record.headers.items()), self.registry)
            assert isinstance(event, summarizer_pb.ChatTitleGenerated)
            assert record.key_text == event.ticket_id
            if ticket_id is None or event.ticket_id == ticket_id:
                found.append(event)
        return found

    async def title_for(
        self, request: summarizer_pb.ChatTitleRequest, count: int = 1, timeout_s: float = 30
    ) -> summarizer_pb.ChatTitleGenerated:
        await eventually(lambda: len(self.titles(request.ticket_id)) >= count, timeout_s, "the title")
        return self.titles(request.ticket_id)[-1]

    def dead_letters(self) -> list[Record]:
        return self.reader.records(dlq_topic(self.request_topic))


def closed_port_address() -> str:
    """An address where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture
async def fake_llm() -> AsyncIterator[FakeLlm]:
    async with FakeLlm() as server:
        yield server


@pytest.fixture
async def hints(engines: dict[str, str]) -> AsyncIterator[tuple[Hints, str]]:
    servicer = Hints()
    server, port = await start_server(
        "127.0.0.1:0", servicer.register, [HINTS_SERVICE], token=SecretStr(engines["T1_SERVICE_TOKEN"])
    )
    yield servicer, f"127.0.0.1:{port}"
    await server.stop(grace=0.5)


@pytest.fixture
async def harness(
    bootstrap: str,
    registry: TopicRegistry,
    producer: EventProducer,
    fake_llm: FakeLlm,
    hints: tuple[Hints, str],
) -> AsyncIterator[Harness]:
    title_topic = registry.for_message(summarizer_pb.ChatTitleGenerated).name
    request_topic = registry.for_message(summarizer_pb.ChatTitleRequest).name
    reader = Reader(bootstrap, registry, [title_topic, dlq_topic(request_topic)])
    servicer, address = hints
    harness = Harness(bootstrap, registry, producer, reader, fake_llm, servicer, address)
    try:
        yield harness
    finally:
        for app in harness.apps:
            await app.stop()
        reader.close()
