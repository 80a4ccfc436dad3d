"""Wiring: python-telegram-bot (long polling or webhook) and the operator_replies consumer in one asyncio
loop. `build_bot(settings, registry)` makes an instance tests run in-process (topic prefix, fake Telegram)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import socket
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlparse

from telegram.ext import Application, ApplicationBuilder

from services.bot.config import BotSettings
from services.bot.delivery import ReplyDeliverer
from services.bot.handlers import ALLOWED_UPDATES, build_handlers, on_error
from services.bot.ingest import CustomerIngest
from services.bot.ledger import DeliveryLedger
from services.bot.polling import UpdatePoller
from services.bot.ratings import AwaitedComments, RatingDesk, RatingPrompts
from services.bot.telegram_calls import TelegramCaller
from services.bot.typing_indicator import TypingRelay
from services.bot.updates import BoundedUpdateQueue, ChatOrderedProcessor
from services.bot.webhook import WebhookServer, webhook_app
from t1.tickets.v1 import events_pb2 as tickets_events
from t1lib.health import KafkaCheck, Readiness, RedisCheck, S3Check, serving
from t1lib.kafka.admin import ensure_service_topics
from t1lib.kafka.consumer import EventConsumer
from t1lib.kafka.producer import EventProducer
from t1lib.kafka.topics import TopicRegistry, registry_with_prefix
from t1lib.stores import ensure_bucket, redis_client, s3_client

logger = logging.getLogger(__name__)

PtbApplication = Application[Any, Any, Any, Any, Any, Any]


class BotService:
    def __init__(
        self,
        settings: BotSettings,
        *,
        registry: TopicRegistry | None = None,
        webhook_socket: socket.socket | None = None,
        consumer_config: dict[str, str | int] | None = None,
    ) -> None:
        self.settings = settings
        self.registry = registry or registry_with_prefix(settings.kafka_topic_prefix)
        self.producer = EventProducer.for_service(settings, settings.service_name, registry=self.registry)
        self.redis = redis_client(settings)
        self.s3 = s3_client(settings)
        self.caller = TelegramCaller(
            attempts=settings.bot_send_attempts,
            backoff_s=settings.bot_send_backoff_s,
            backoff_max_s=settings.bot_send_backoff_max_s,
            max_retry_after_s=settings.bot_max_retry_after_s,
        )
        self.processor = ChatOrderedProcessor(settings.bot_concurrency)
        builder = (
            ApplicationBuilder()
            .token(settings.telegram_bot_token.get_secret_value())
            .base_url(settings.api_base_url)
            .base_file_url(settings.file_base_url)
            .concurrent_updates(self.processor)
            .update_queue(BoundedUpdateQueue(settings.bot_max_pending_updates))
            .updater(None)
        )
        self.application: PtbApplication = builder.build()
        self.poller: UpdatePoller | None = None
        if not settings.webhook_mode:
            self.poller = UpdatePoller(
                bot=self.application.bot,
                queue=self.application.update_queue,
                method_url=settings.api_base_url + settings.telegram_bot_token.get_secret_value(),
                timeout_s=settings.bot_poll_timeout_s,
                interval_s=settings.bot_poll_interval_s,
                allowed_updates=ALLOWED_UPDATES,
            )
        self.ingest = CustomerIngest(
            producer=self.producer,
            s3=self.s3,
            bucket=settings.s3_bucket,
            caller=self.caller,
            attempts=settings.bot_ingest_attempts,
            backoff_s=settings.bot_ingest_backoff_s,
        )
        self.prompts = RatingPrompts(self.redis)
        self.ratings = RatingDesk(self.prompts, AwaitedComments(self.redis), self.producer, self.caller)
        self.application.add_handlers(build_handlers(self.ingest, self.caller, self.ratings))
        self.application.add_error_handler(on_error)
        self.ledger = DeliveryLedger(
            self.redis, claim_ttl_s=settings.bot_claim_ttl_s, state_ttl_s=settings.bot_delivery_state_ttl_s
        )
        self.deliverer = ReplyDeliverer(
            bot=self.application.bot,
            ledger=self.ledger,
            s3=self.s3,
            bucket=settings.s3_bucket,
            caller=self.caller,
            prompts=self.prompts,
            outcomes=self.producer,
            max_attempts=settings.kafka_max_attempts,
            claim_wait_s=settings.bot_claim_wait_s,
        )
        self.consumer = EventConsumer.for_service(
            settings,
            group_id=settings.consumer_group,
            handlers={tickets_events.OperatorReply: self.deliverer.handle},
            dlq_producer=self.producer,
            registry=self.registry,
            extra_config=consumer_config,
        )
        self.typing = TypingRelay(
            self.application.bot,
            window_s=settings.bot_typing_window_s,
            max_age_s=settings.bot_typing_max_age_s,
            timeout_s=settings.bot_typing_timeout_s,
        )
        self.typing_consumer = EventConsumer.for_service(
            settings,
            group_id=settings.typing_consumer_group,
            handlers={tickets_events.OperatorTyping: self.typing.handle},
            dlq_producer=self.producer,
            registry=self.registry,
            extra_config=consumer_config,
        )
        self.webhook_secret = settings.bot_webhook_secret.get_secret_value() or secrets.token_urlsafe(32)
        self.webhook: WebhookServer | None = None
        if settings.webhook_mode:
            path = urlparse(settings.bot_webhook_url).path or "/"
            app = webhook_app(self.application.bot, self.application.update_queue, path, self.webhook_secret)
            self.webhook = WebhookServer(
                app,
                host=settings.bot_webhook_host,
                port=settings.bot_webhook_port,
                sock=webhook_socket,
                reuse_port=settings.bot_webhook_reuse_port,
            )
        # Without S3 only files fail (customers' pictures, operators' attachments): degraded, not down.
        self.readiness = Readiness(
            [
                KafkaCheck(self.producer),
                RedisCheck(self.redis),
                S3Check(self.s3, settings.s3_bucket, required=False),
            ]
        )
        self.started = asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        """Serve until `stop` is set (or the consumer fails); then stop taking updates, finish the ones
        taken, stop the consumer, flush the producer."""
        try:
            await ensure_bucket(self.s3, self.settings.s3_bucket)
            await self.ratings.comments.load()
            await ensure_service_topics(self.settings, self.registry)
            async with self.application:
                await self.application.start()
                consumer_task = asyncio.create_task(self.consumer.run(), name="bot-operator-replies")
                typing_task = asyncio.create_task(self._relay_typing(), name="bot-operator-typing")
                try:
                    await self._start_updates()
                    self.started.set()
                    logger.info(
                        "bot started",
                        extra={"fields": {"mode": "webhook" if self.webhook else "polling"}},
                    )
                    async with serving(self.readiness):
                        await _until(stop, consumer_task, self.poller.task if self.poller else None)
                finally:
                    await self._stop_updates()
                    await self.application.stop()
                    # Updates taken from Telegram whose handlers still run or wait for their chat:
                    # finish them before the bot's HTTP client closes, then confirm them to Telegram.
                    await self.processor.wait_idle()
                    if self.poller is not None:
                        await self.poller.confirm()
                    self.consumer.stop()
                    self.typing_consumer.stop()
                    if not consumer_task.done():
                        await consumer_task
                    await typing_task
        finally:
            await asyncio.to_thread(self.producer.close)
            await self.redis.aclose()
            logger.info("bot stopped")

    async def _relay_typing(self) -> None:
        """The operator_typing consumer; its failure costs only «печатает…», so the bot goes on."""
        try:
            await self.typing_consumer.run()
        except Exception:
            logger.exception("the operator_typing consumer stopped: customers no longer see «печатает…»")

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[BotService]:
        """Run in the background for the duration of the block (tests)."""
        stop = asyncio.Event()
        task = asyncio.create_task(self.run(stop), name="bot")
        started = asyncio.create_task(self.started.wait())
        await asyncio.wait({task, started}, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            started.cancel()
            task.result()
            raise RuntimeError("the bot stopped while starting")
        try:
            yield self
        finally:
            stop.set()
            await task

    async def _start_updates(self) -> None:
        bot = self.application.bot
        if self.webhook is not None:
            await self.webhook.start()
            await self.caller.call(
                "setWebhook",
                lambda: bot.set_webhook(
                    url=self.settings.bot_webhook_url,
                    secret_token=self.webhook_secret,
                    allowed_updates=ALLOWED_UPDATES,
                ),
            )
            return
        assert self.poller is not None
        await self.caller.call("deleteWebhook", self.poller.start)

    async def _stop_updates(self) -> None:
        if self.poller is not None:
            await self.poller.stop()
        if self.webhook is not None:
            await self.webhook.stop()


async def _until(
    stop: asyncio.Event, consumer_task: asyncio.Task[None], poller_task: asyncio.Task[None] | None
) -> None:
    stopping = asyncio.create_task(stop.wait())
    watched = {stopping, consumer_task} | ({poller_task} if poller_task is not None else set())
    await asyncio.wait(watched, return_when=asyncio.FIRST_COMPLETED)
    for task, name in ((consumer_task, "the operator_replies consumer"), (poller_task, "getUpdates polling")):
        if task is not None and task.done():
            stopping.cancel()
            task.result()  # a crashed consumer or poller stops the service with its error
            raise RuntimeError(f"{name} stopped unexpectedly")


def build_bot(
    settings: BotSettings,
    registry: TopicRegistry | None = None,
    *,
    webhook_socket: socket.socket | None = None,
    consumer_config: dict[str, str | int] | None = None,
) -> BotService:
    return BotService(
        settings, registry=registry, webhook_socket=webhook_socket, consumer_config=consumer_config
    )
