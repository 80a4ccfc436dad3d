"""ml in-process on the real MongoDB (a database unique to the test, dropped afterwards) with Qdrant in
local mode under the test's tmp dir. One embedder serves the whole session and remembers every vector,
so the 201 FAQ entries are embedded once per session, not once per test."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from services.ml.app import App, build_app
from services.ml.config import MlSettings
from services.ml.embedder import CachingEmbedder
from services.ml.kb import Entry, KnowledgeBase
from services.ml.kb_import import read_entries
from t1.ml.v1 import hints_service_pb2_grpc as api_grpc
from t1lib.grpc.client import open_channel
from t1lib.stores import mongo_client
from tests.support.knowledge import FAQ, FAQ_VARIANTS

DATA = Path(__file__).resolve().parent / "data"

Doc = dict[str, Any]


@pytest.fixture(scope="session")
def faq_entries() -> list[Entry]:
    return read_entries(FAQ, FAQ_VARIANTS)


@dataclass
class Harness:
    settings: MlSettings
    embedder: CachingEmbedder
    db: AsyncDatabase[Doc]
    apps: list[App] = field(default_factory=list)
    channels: list[grpc.aio.Channel] = field(default_factory=list)

    @property
    def knowledge_base(self) -> KnowledgeBase:
        return KnowledgeBase(self.db)

    async def start_app(self, **overrides: Any) -> App:
        settings = self.settings.model_copy(update=overrides)
        app = await build_app(settings, self.embedder)
        self.apps.append(app)
        await app.start()
        return app

    async def stop_app(self, app: App) -> None:
        await app.stop()
        self.apps.remove(app)

    def stub(self, app: App) -> api_grpc.HintsServiceAsyncStub:
        channel = open_channel(f"127.0.0.1:{app.port}", app.settings.service_token, default_timeout_s=30)
        self.channels.append(channel)
        return api_grpc.HintsServiceStub(channel)


@pytest.fixture
def settings(engines: dict[str, str], tmp_path: Path) -> MlSettings:
    return MlSettings(
        mongo_url=engines["T1_MONGO_URL"],
        mongo_db=f"ml_test_{uuid.uuid4().hex[:10]}",
        qdrant_path=str(tmp_path / "qdrant"),
        grpc_host="127.0.0.1",
        grpc_port=0,
        grpc_grace_s=1,
        kb_import_file=None,
        ml_sync_interval_s=0,
    )


@pytest.fixture
async def harness(settings: MlSettings, embedder: CachingEmbedder) -> AsyncIterator[Harness]:
    client: AsyncMongoClient[Doc] = mongo_client(settings)
    harness = Harness(settings, embedder, client[settings.mongo_db])
    try:
        yield harness
    finally:
        for channel in harness.channels:
            await channel.close()
        for app in list(harness.apps):
            await app.stop()
        await client.drop_database(settings.mongo_db)
        await client.close()


@pytest.fixture
async def faq_app(harness: Harness) -> App:
    """An instance that imported the FAQ into its empty knowledge base at start (T1_KB_IMPORT_FILE)."""
    return await harness.start_app(kb_import_file=str(FAQ), kb_variants_file=str(FAQ_VARIANTS))


@pytest.fixture
def stub(harness: Harness, faq_app: App) -> api_grpc.HintsServiceAsyncStub:
    return harness.stub(faq_app)
