"""Wiring: the LLM client, the ml classifier, the producer and the consumer of one summarizer instance.

`build_app(settings, registry, llm_base_url=…, ml_address=…)` makes an instance that tests run in-process;
`__main__` runs one until SIGTERM/SIGINT. An App is started and stopped once."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

import grpc

from services.summarizer.classifier import Classifier
from services.summarizer.config import SummarizerSettings
from services.summarizer.summarizer import Summarizer, TitleMaker
from t1.ml.v1 import hints_service_pb2 as hints_pb
from t1.summarizer.v1 import events_pb2 as summarizer_pb
from t1lib.grpc.client import open_channel
from t1lib.health import Check, GrpcCheck, KafkaCheck, Readiness
from t1lib.kafka.admin import ensure_service_topics
from t1lib.kafka.consumer import EventConsumer, EventContext
from t1lib.kafka.producer import Acks, EventProducer
from t1lib.kafka.topics import TopicRegistry, registry_with_prefix
from t1lib.llm import LlmClient

logger = logging.getLogger(__name__)

ML_SERVICE = hints_pb.DESCRIPTOR.services_by_name["HintsService"].full_name

CONSUMER_STOP_TIMEOUT_S = 40.0  # longer than one title's LLM budget


@dataclass
class App:
    settings: SummarizerSettings
    registry: TopicRegistry
    summarizer: Summarizer
    llm: LlmClient
    classifier: Classifier
    producer: EventProducer
    consumer: EventConsumer
    readiness: Readiness = field(default_factory=lambda: Readiness([]))
    ml_channel: grpc.aio.Channel | None = None
    _consumer_task: asyncio.Task[None] | None = field(default=None, repr=False)
    _stopped: bool = field(default=False, repr=False)

    async def start(self) -> None:
        settings = self.settings
        await ensure_service_topics(settings, self.registry)
        self._consumer_task = asyncio.create_task(self.consumer.run(), name="summarizer-consumer")
        logger.info(
            "summarizer started",
            extra={
                "fields": {
                    "llm": "on" if self.llm.enabled else "off (offline titles)",
                    "llm_url": self.llm.url,
                    "llm_model": self.llm.model,
                    "ml_address": settings.ml_grpc_addr or "off",
                }
            },
        )

    async def wait(self, stop: asyncio.Event) -> None:
        """Until `stop` is set, or the consumer dies (then its error is raised)."""
        assert self._consumer_task is not None, "start() first"
        stopper = asyncio.create_task(stop.wait())
        await asyncio.wait({stopper, self._consumer_task}, return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
        if self._consumer_task.done():
            self._consumer_task.result()
            raise RuntimeError("the Kafka consumer stopped unexpectedly")

    async def stop(self) -> None:
        """Stop consuming (the record in hand is finished, offsets committed), deliver queued events."""
        if self._stopped:
            return
        self._stopped = True
        self.consumer.stop()
        try:
            if self._consumer_task is not None:
                await asyncio.wait_for(asyncio.shield(self._consumer_task), CONSUMER_STOP_TIMEOUT_S)
        except Exception:
            logger.exception("consumer did not stop cleanly")
        finally:
            await asyncio.to_thread(self.producer.close)
            await self.llm.aclose()
            await self.classifier.close()
            if self.ml_channel is not None:
                await self.ml_channel.close()


async def build_app(
    settings: SummarizerSettings,
    registry: TopicRegistry | None = None,
    *,
    llm_base_url: str | None = None,
    llm_api_key: str | None = None,
    ml_address: str | None = None,
) -> App:
    """An instance on `settings`; the keyword arguments override the LLM endpoint and ml's address."""
    overrides: dict[str, Any] = {}
    if llm_base_url is not None:
        overrides["llm_base_url"] = llm_base_url
    if llm_api_key is not None:
        overrides["llm_api_key"] = llm_api_key
    if ml_address is not None:
        overrides["ml_grpc_addr"] = ml_address
    if overrides:
        settings = SummarizerSettings.model_validate({**settings.model_dump(), **overrides})
    registry = registry or registry_with_prefix(settings.kafka_topic_prefix)
    llm = LlmClient(settings)
    classifier = Classifier(
        settings.ml_grpc_addr,
        token=settings.service_token,
        timeout_s=settings.ml_timeout_s,
        min_confidence=settings.classify_min_confidence,
    )
    titles = TitleMaker(
        llm,
        limit=settings.title_max_length,
        temperature=settings.title_temperature,
        max_tokens=settings.title_max_tokens,
        input_chars=settings.title_input_chars,
    )
    summarizer = Summarizer(titles, classifier, input_chars=settings.title_input_chars)
    producer = EventProducer.for_service(settings, settings.service_name, registry=registry)

    async def on_request(event: summarizer_pb.ChatTitleRequest, _context: EventContext) -> None:
        await producer.publish(await summarizer.handle(event))

    async def on_requests(items: list[tuple[summarizer_pb.ChatTitleRequest, EventContext]]) -> Acks:
        # A failure (a request that can never be titled) sends the poll through on_request, one by one.
        return await producer.hand_over(await summarizer.handle_many([event for event, _context in items]))

    consumer = EventConsumer.for_service(
        settings,
        group_id=settings.consumer_group,
        handlers={summarizer_pb.ChatTitleRequest: on_request},
        batch_handlers={summarizer_pb.ChatTitleRequest: on_requests},
        dlq_producer=producer,
        registry=registry,
        min_batch_interval_s=settings.title_batch_interval_s,
    )
    checks: list[Check] = [KafkaCheck(producer)]
    ml_channel = None
    address = settings.ml_grpc_addr.strip()
    if address:  # without ml tickets get titles but no category: degraded
        ml_channel = open_channel(address, settings.service_token, settings.ml_timeout_s)
        checks.append(GrpcCheck("ml", ml_channel, ML_SERVICE, required=False))
    return App(
        settings, registry, summarizer, llm, classifier, producer, consumer, Readiness(checks), ml_channel
    )
