"""Operator uploads: stored in the private S3 bucket, handed out only as short-lived presigned URLs.
A file's type is read from its bytes (t1lib.filetypes): only real pictures become photos and are served
inline; anything else is served as a download."""

from __future__ import annotations

import asyncio
import io
import mimetypes
import re
import uuid
from datetime import timedelta

from minio import Minio
from minio.helpers import DictType

from t1.tickets.v1 import ticket_pb2
from t1lib.filetypes import detect_mime_type, is_inline_image, object_headers, presigned_response_headers

# Telegram sends these as photos (compressed, shown inline); anything else goes as a document.
PHOTO_TYPES = {"image/jpeg", "image/png", "image/webp"}
PHOTO_MAX_BYTES = 10 * 1024 * 1024


def safe_file_name(name: str | None, mime_type: str) -> str:
    base = re.sub(r"[\x00-\x1f/\\]+", "_", (name or "").strip()).strip(". ") or "file"
    if "." not in base:
        base += mimetypes.guess_extension(mime_type) or ""
    return base[:200]


def attachment_kind(mime_type: str, size: int) -> ticket_pb2.AttachmentKind:
    """Photo for a picture Telegram shows as one; `mime_type` must be the type detected from the bytes."""
    if mime_type in PHOTO_TYPES and is_inline_image(mime_type) and size <= PHOTO_MAX_BYTES:
        return ticket_pb2.ATTACHMENT_KIND_PHOTO
    return ticket_pb2.ATTACHMENT_KIND_DOCUMENT


class AttachmentStore:
    def __init__(self, client: Minio, bucket: str, url_ttl_s: int) -> None:
        self._client = client
        self._bucket = bucket
        self._url_ttl = timedelta(seconds=url_ttl_s)

    async def upload(
        self, ticket_id: str, file_name: str | None, declared_type: str, data: bytes
    ) -> ticket_pb2.Attachment:
        """Store an operator's file under the type its bytes show (`declared_type` is the browser's
        claim, kept only where the bytes agree)."""
        attachment_id = str(uuid.uuid4())
        mime_type = detect_mime_type(data, declared_type)
        name = safe_file_name(file_name, mime_type)
        key = f"operator/{ticket_id}/{attachment_id}/{name}"
        stored_headers: DictType = dict(object_headers(mime_type, name))
        await asyncio.to_thread(
            self._client.put_object,
            self._bucket,
            key,
            io.BytesIO(data),
            len(data),
            content_type=mime_type,
            metadata=stored_headers,
        )
        return ticket_pb2.Attachment(
            id=attachment_id,
            kind=attachment_kind(mime_type, len(data)),
            mime_type=mime_type,
            file_name=name,
            size=len(data),
            s3_key=key,
        )

    def presign(self, attachment: ticket_pb2.Attachment) -> str:
        """A short-lived URL of the attachment's object; pictures inline, anything else as a download."""
        # Presigning is a local HMAC computation (the region is configured), so no I/O happens here.
        headers: DictType = dict(presigned_response_headers(attachment.mime_type, attachment.file_name))
        return str(
            self._client.presigned_get_object(
                self._bucket,
                attachment.s3_key,
                expires=self._url_ttl,
                response_headers=headers,
            )
        )
