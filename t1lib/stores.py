"""Store factories: MongoDB (pymongo async), Redis (redis-py asyncio), S3 (minio client), Qdrant."""

from __future__ import annotations

import asyncio
from typing import Any

import redis.asyncio as redis_async
from minio import Minio
from pymongo import AsyncMongoClient
from qdrant_client import AsyncQdrantClient

from t1lib.config import MongoSettings, QdrantSettings, RedisSettings, S3Settings


def mongo_client(settings: MongoSettings) -> AsyncMongoClient[dict[str, Any]]:
    # tz_aware: datetimes come back as aware UTC, as they went in.
    return AsyncMongoClient(settings.mongo_url, tz_aware=True, serverSelectionTimeoutMS=5000)


REDIS_CONNECTIONS = 64
REDIS_WAIT_S = 10.0


def redis_client(settings: RedisSettings, *, decode_responses: bool = True) -> redis_async.Redis:
    """A client whose callers wait for a free connection (up to REDIS_WAIT_S) instead of failing when a
    burst has REDIS_CONNECTIONS commands in flight."""
    pool = redis_async.BlockingConnectionPool.from_url(
        settings.redis_url,
        max_connections=REDIS_CONNECTIONS,
        timeout=REDIS_WAIT_S,
        decode_responses=decode_responses,
    )
    return redis_async.Redis(connection_pool=pool)


def s3_client(settings: S3Settings) -> Minio:
    return Minio(
        settings.s3_endpoint,
        access_key=settings.s3_access_key,
        secret_key=settings.s3_secret_key,
        secure=settings.s3_secure,
        region=settings.s3_region,
    )


def qdrant_client(settings: QdrantSettings) -> AsyncQdrantClient:
    """A Qdrant server client when T1_QDRANT_URL is set, else qdrant-client's local mode on disk."""
    if settings.qdrant_url:
        return AsyncQdrantClient(url=settings.qdrant_url, api_key=settings.qdrant_api_key)
    return AsyncQdrantClient(path=settings.qdrant_path)


async def ensure_bucket(client: Minio, bucket: str) -> None:
    """Create a private bucket if it does not exist (objects are only reachable by presigned URLs)."""
    if not await asyncio.to_thread(client.bucket_exists, bucket):
        await asyncio.to_thread(client.make_bucket, bucket)
