"""Operator uploads: stored in the private S3 bucket, handed out only as short-lived presigned URLs."""

from __future__ import annotations

import asyncio
import io
import mimetypes
import re
import uuid
from datetime import timedelta

from minio import Minio

from t1.tickets.v1 import ticket_pb2

# Telegram sends these as photos (compressed, shown inline); anything else goes as a document.
PHOTO_TYPES = {"image/jpeg", "image/png", "image/webp"}
PHOTO_MAX_BYTES = 10 * 1024 * 1024


def safe_file_name(name: str | None, mime_type: str) -> str:
    base = re.sub(r"[\x00-\x1f/\\]+", "_", (name or "").strip()).strip(". ") or "file"
    if "." not in base:
        base += mimetypes.guess_extension(mime_type) or ""
    return base[:200]


def attachment_kind(mime_type: str, size: int) -> ticket_pb2.AttachmentKind:
    if mime_type in PHOTO_TYPES and size <= PHOTO_MAX_BYTES:
        return ticket_pb2.ATTACHMENT_KIND_PHOTO
    return ticket_pb2.ATTACHMENT_KIND_DOCUMENT


class AttachmentStore:
    def __init__(self, client: Minio, bucket: str, url_ttl_s: int) -> None:
        self._client = client
        self._bucket = bucket
        self._url_ttl = timedelta(seconds=url_ttl_s)

    async def upload(
        self, ticket_id: str, file_name: str | None, mime_type: str, data: bytes
    ) -> ticket_pb2.Attachment:
        attachment_id = str(uuid.uuid4())
        name = safe_file_name(file_name, mime_type)
        key = f"operator/{ticket_id}/{attachment_id}/{name}"
        await asyncio.to_thread(
            self._client.put_object, self._bucket, key, io.BytesIO(data), len(data), content_type=mime_type
        )
        return ticket_pb2.Attachment(
            id=attachment_id,
            kind=attachment_kind(mime_type, len(data)),
            mime_type=mime_type,
            file_name=name,
            size=len(data),
            s3_key=key,
        )

    def presign(self, key: str) -> str:
        # Presigning is a local HMAC computation (the region is configured), so no I/O happens here.
        return str(self._client.presigned_get_object(self._bucket, key, expires=self._url_ttl))
