"""Files as Telegram describes them: ids, image dimensions read from the bytes, photo sizes, MIME types."""

from __future__ import annotations

import mimetypes
import secrets
import struct
import zlib

# Telegram's file_id prefixes differ by media type; clients treat the ids as opaque strings.
FILE_ID_PREFIX = {
    "photo": "AgACAgIAAxkBAAI",
    "thumbnail": "AgACAgIAAxkBAAJ",
    "document": "BQACAgIAAxkBAAI",
    "voice": "AwACAgIAAxkBAAI",
    "audio": "CQACAgIAAxkBAAI",
    "video": "BAACAgIAAxkBAAI",
    "video_note": "DQACAgIAAxkBAAI",
}

FOLDER = {
    "photo": "photos",
    "thumbnail": "thumbnails",
    "document": "documents",
    "voice": "voice",
    "audio": "music",
    "video": "videos",
    "video_note": "video_notes",
}

DEFAULT_MIME = {
    "voice": "audio/ogg",
    "audio": "audio/mpeg",
    "video": "video/mp4",
    "video_note": "video/mp4",
    "document": "application/octet-stream",
}

# Telegram keeps a photo in several sizes; each size limits the longer side (types s, m, x, y, w).
PHOTO_SIDE_LIMITS = (90, 320, 800, 1280, 2560)

MEDIA_KINDS = ("photo", "document", "voice", "audio", "video", "video_note")


def new_file_id(kind: str) -> str:
    return FILE_ID_PREFIX.get(kind, "BQACAgIAAxkBAAI") + secrets.token_urlsafe(48)[:56]


def new_file_unique_id() -> str:
    return "AQAD" + secrets.token_urlsafe(12)[:12]


def image_info(data: bytes) -> tuple[str, int, int] | None:
    """(MIME type, width, height) of a PNG, JPEG, GIF, WebP or BMP image; None for anything else."""
    try:
        if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
            width, height = struct.unpack(">II", data[16:24])
            return "image/png", int(width), int(height)
        if data[:6] in (b"GIF87a", b"GIF89a"):
            width, height = struct.unpack("<HH", data[6:10])
            return "image/gif", int(width), int(height)
        if data[:2] == b"\xff\xd8":
            size = _jpeg_size(data)
            return ("image/jpeg", *size) if size else None
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            size = _webp_size(data)
            return ("image/webp", *size) if size else None
        if data[:2] == b"BM" and len(data) >= 26:
            width, height = struct.unpack("<ii", data[18:26])
            return "image/bmp", abs(int(width)), abs(int(height))
    except struct.error:
        return None
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    index = 2
    while index + 9 < len(data):
        if data[index] != 0xFF:
            index += 1
            continue
        marker = data[index + 1]
        if marker == 0xFF:
            index += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            index += 2
            continue
        (length,) = struct.unpack(">H", data[index + 2 : index + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[index + 5 : index + 9])
            return int(width), int(height)
        index += 2 + int(length)
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30:
        width, height = struct.unpack("<HH", data[26:30])
        return int(width) & 0x3FFF, int(height) & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(data) >= 30:
        return 1 + int.from_bytes(data[24:27], "little"), 1 + int.from_bytes(data[27:30], "little")
    return None


def photo_sizes(width: int, height: int) -> list[tuple[int, int]]:
    """The sizes Telegram keeps of a photo, smallest first; the last one is the original."""
    longest = max(width, height, 1)
    sizes = [
        (max(1, round(width * limit / longest)), max(1, round(height * limit / longest)))
        for limit in PHOTO_SIDE_LIMITS
        if limit < longest
    ]
    return [*sizes, (width, height)]


def thumbnail_bytes(width: int, height: int, unique_id: str) -> bytes:
    """A stand-in for a downscaled copy (the fake does not re-encode images): distinct and smaller bytes."""
    return f"T1 fake Telegram thumbnail {width}x{height} of {unique_id}\n".encode()


def guess_mime(file_name: str | None, declared: str | None, kind: str) -> str:
    if declared and declared != "application/octet-stream":
        return declared
    if file_name:
        guessed, _encoding = mimetypes.guess_type(file_name)
        if guessed:
            return guessed
    return DEFAULT_MIME.get(kind, "application/octet-stream")


def extension(file_name: str | None, mime_type: str, kind: str) -> str:
    if kind in ("photo", "thumbnail"):
        return "jpg"
    if file_name and "." in file_name:
        return file_name.rsplit(".", 1)[1][:10] or "bin"
    guessed = mimetypes.guess_extension(mime_type) or ".bin"
    return guessed.lstrip(".")


def sample_png(width: int = 640, height: int = 480, seed: int = 0) -> bytes:
    """A valid RGB PNG of the given size (distinct per seed), for tests and demos."""
    rows = b"".join(
        b"\x00" + bytes((x * 7 + y * 3 + seed) % 256 for x in range(width * 3)) for y in range(height)
    )

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
