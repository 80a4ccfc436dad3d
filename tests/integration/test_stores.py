"""Round trips through the store factories on the real engines (FerretDB, Redis, S3), in Russian."""

from __future__ import annotations

import asyncio
import io
import uuid
from pathlib import Path

import httpx
import pymongo.errors
import pytest
from qdrant_client import models

from t1lib.config import MongoSettings, QdrantSettings, RedisSettings, S3Settings
from t1lib.stores import ensure_bucket, mongo_client, qdrant_client, redis_client, s3_client

pytestmark = pytest.mark.integration

RUSSIAN = "Здравствуйте! Подскажите, как перевыпустить карту «Зарплатная»?"


async def test_mongo_round_trip_and_unique_index(engines: dict[str, str]) -> None:
    client = mongo_client(MongoSettings())
    database = client[f"test_{uuid.uuid4().hex[:8]}"]
    try:
        messages = database["messages"]
        await messages.create_index([("chat_id", 1), ("telegram_message_id", 1)], unique=True)
        await messages.insert_one({"chat_id": 1, "telegram_message_id": 10, "text": RUSSIAN})
        found = await messages.find_one({"chat_id": 1, "telegram_message_id": 10})
        assert found is not None
        assert found["text"] == RUSSIAN
        with pytest.raises(pymongo.errors.DuplicateKeyError):
            await messages.insert_one({"chat_id": 1, "telegram_message_id": 10, "text": "дубль"})
        assert await messages.count_documents({}) == 1
    finally:
        await client.drop_database(database.name)
        await client.close()


async def test_redis_round_trip(engines: dict[str, str]) -> None:
    client = redis_client(RedisSettings())
    key = f"test:{uuid.uuid4()}"
    try:
        await client.set(key, RUSSIAN, ex=30)
        assert await client.get(key) == RUSSIAN
        assert 0 < await client.ttl(key) <= 30
    finally:
        await client.delete(key)
        await client.aclose()


async def test_s3_private_bucket_presigned_download(engines: dict[str, str]) -> None:
    client = s3_client(S3Settings())
    bucket = f"test-{uuid.uuid4().hex[:12]}"
    name = "выписка по счёту.txt"
    body = RUSSIAN.encode()
    await ensure_bucket(client, bucket)
    await ensure_bucket(client, bucket)  # idempotent
    try:
        await asyncio.to_thread(
            client.put_object,
            bucket,
            name,
            io.BytesIO(body),
            len(body),
            content_type="text/plain; charset=utf-8",
        )
        response = await asyncio.to_thread(client.get_object, bucket, name)
        try:
            assert response.read() == body
        finally:
            response.close()
            response.release_conn()
        url = await asyncio.to_thread(client.presigned_get_object, bucket, name)
        async with httpx.AsyncClient() as http:
            signed = await http.get(url)
            anonymous = await http.get(url.split("?", 1)[0])
        assert signed.status_code == 200
        assert signed.content == body
        assert anonymous.status_code == 403, "objects must not be public"
    finally:
        for item in await asyncio.to_thread(lambda: list(client.list_objects(bucket, recursive=True))):
            await asyncio.to_thread(client.remove_object, bucket, str(item.object_name))
        await asyncio.to_thread(client.remove_bucket, bucket)


async def test_qdrant_local_mode_round_trip(tmp_path: Path) -> None:
    client = qdrant_client(QdrantSettings(qdrant_url=None, qdrant_path=str(tmp_path / "qdrant")))
    try:
        await client.create_collection(
            "faq", vectors_config=models.VectorParams(size=3, distance=models.Distance.COSINE)
        )
        await client.upsert(
            "faq",
            points=[
                models.PointStruct(
                    id=1, vector=[1.0, 0.0, 0.0], payload={"question": "Как заблокировать карту?"}
                ),
                models.PointStruct(id=2, vector=[0.0, 1.0, 0.0], payload={"question": "Как открыть вклад?"}),
            ],
        )
        found = await client.query_points("faq", query=[0.9, 0.1, 0.0], limit=1)
        assert [point.payload for point in found.points] == [{"question": "Как заблокировать карту?"}]
    finally:
        await client.close()
