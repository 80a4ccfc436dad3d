"""Files of a conversation: operator uploads go to the private S3 bucket, and every stored file (the
customer's too) is handed out only through short-lived links the gateway serves itself (file_links).
A file's type is read from its bytes (t1lib.filetypes): only real pictures become photos and are served
inline; anything else is served as a download, and nothing is served without `nosniff`."""

from __future__ import annotations

import asyncio
import io
import mimetypes
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from minio import Minio
from minio.error import S3Error
from minio.helpers import DictType
from urllib3 import BaseHTTPResponse

from gateway.domain.file_links import FileLinks, FileRef
from t1.tickets.v1 import ticket_pb2
from t1lib.errors import InvalidArgumentError, NotFoundError
from t1lib.filetypes import detect_mime_type, is_inline_image, object_headers

# Telegram sends these as photos (compressed, shown inline); anything else goes as a document.
PHOTO_TYPES = {"image/jpeg", "image/png", "image/webp"}
PHOTO_MAX_BYTES = 10 * 1024 * 1024
CHUNK_BYTES = 64 * 1024
# One byte range (what <audio> and <video> ask for when seeking); anything else gets the whole file.
_SINGLE_RANGE = re.compile(r"^bytes=(\d+-\d*|-\d+)$")
# S3's response headers a download passes on.
_PASSED_HEADERS = ("content-length", "content-range", "etag", "last-modified")


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


class RangeNotSatisfiableError(InvalidArgumentError):
    """The requested byte range lies outside the file."""


@dataclass
class Download:
    """An open object: S3's status (200 or 206) and headers, and its bytes in chunks."""

    status: int
    headers: dict[str, str]
    _response: BaseHTTPResponse

    def chunks(self) -> Iterator[bytes]:
        """Blocking: read in a worker thread. Releases the connection when done or abandoned."""
        try:
            yield from self._response.stream(CHUNK_BYTES)
        finally:
            self._response.close()
            self._response.release_conn()


class AttachmentStore:
    def __init__(self, client: Minio, bucket: str, links: FileLinks) -> None:
        self._client = client
        self._bucket = bucket
        self._links = links

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

    def link(self, attachment: ticket_pb2.Attachment) -> str:
        """The URL path of a short-lived link to the attachment (a local HMAC; no I/O)."""
        return self._links.issue(attachment.s3_key, attachment.mime_type, attachment.file_name)

    async def open(self, ref: FileRef, byte_range: str | None = None) -> Download:
        """The object a link names, whole or the one byte range asked for (other Range forms are ignored)."""
        headers: DictType = {}
        if byte_range and _SINGLE_RANGE.match(byte_range.strip()):
            headers["Range"] = byte_range.strip()
        try:
            response = await asyncio.to_thread(
                self._client.get_object, self._bucket, ref.s3_key, request_headers=headers
            )
        except S3Error as error:
            if error.code in {"NoSuchKey", "NoSuchBucket"}:
                raise NotFoundError("the file is no longer stored") from None
            if error.code == "InvalidRange":
                raise RangeNotSatisfiableError("the requested range lies outside the file") from None
            raise
        passed = {name: response.headers[name] for name in _PASSED_HEADERS if name in response.headers}
        return Download(status=response.status, headers=passed, _response=response)
