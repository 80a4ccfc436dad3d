"""What an uploaded file really is, and how it may be served.

A file's declared type (the browser's or Telegram's) is only a claim: the type is read from the bytes
(puremagic's signatures), so an HTML page declared `image/png` is neither stored nor shown as a picture.
Only raster images are served inline; everything else is served as a download (`Content-Disposition:
attachment`) with a passive content type, so nothing a customer or an operator uploads can render as a page
(the gateway's file links serve it so, with `nosniff`)."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from urllib.parse import quote

import puremagic

OCTET_STREAM = "application/octet-stream"
# Shown inline (the console's <img>, Telegram photos); never SVG, which is a document that runs scripts.
INLINE_IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
# Plain text has no signature to read: a declared text type is kept when the bytes show nothing else.
_TEXT_TYPES = frozenset({"text/plain", "text/csv"})
# Types a browser only plays or shows as data; any other non-image is served as an opaque download.
_PASSIVE_TYPES = frozenset({"application/pdf", *_TEXT_TYPES})
_PASSIVE_FAMILIES = ("audio/", "video/")


def _bare(mime_type: str | None) -> str:
    return (mime_type or "").split(";", 1)[0].strip().lower()


def detect_mime_type(data: bytes, declared: str | None = None) -> str:
    """The content type of `data` read from its bytes. The declared type is kept when the bytes agree
    with it (`.docx` is a zip, an `.oga` voice is Ogg), or when it is plain text the bytes cannot show;
    bytes of no known kind are `application/octet-stream`."""
    claimed = _bare(declared)
    try:
        matches = puremagic.magic_string(data) if data else []
    except (puremagic.PureError, ValueError):
        matches = []
    candidates: list[str] = []
    for match in matches:
        mime = _bare(match.mime_type) or _bare(mimetypes.guess_type(f"file{match.extension}")[0])
        if mime and mime not in candidates:
            candidates.append(mime)
    if claimed and claimed in candidates:
        return claimed
    if candidates:
        return candidates[0]
    return claimed if claimed in _TEXT_TYPES else OCTET_STREAM


def is_inline_image(mime_type: str) -> bool:
    """Whether a file of this (detected) type is a picture that may be shown inline."""
    return _bare(mime_type) in INLINE_IMAGE_TYPES


@dataclass(frozen=True)
class Serving:
    """The headers a file is served with."""

    content_type: str
    content_disposition: str


def serving(mime_type: str, file_name: str) -> Serving:
    """Images inline with their own type; anything else as a download, with its type only when passive."""
    mime = _bare(mime_type)
    if mime in INLINE_IMAGE_TYPES:
        return Serving(mime, _disposition("inline", file_name))
    passive = mime in _PASSIVE_TYPES or mime.startswith(_PASSIVE_FAMILIES)
    return Serving(mime if passive else OCTET_STREAM, _disposition("attachment", file_name))


def object_headers(mime_type: str, file_name: str) -> dict[str, str]:
    """Headers to store with the object in S3, so even a URL signed without overrides serves it safely."""
    served = serving(mime_type, file_name)
    return {"Content-Disposition": served.content_disposition}


def _disposition(kind: str, file_name: str) -> str:
    """RFC 6266: an ASCII fallback name and the real (UTF-8) one, so Cyrillic names survive."""
    name = "".join(ch for ch in file_name if ch.isprintable()) or "file"
    fallback = "".join(ch if ch.isascii() and ch not in '"\\' else "_" for ch in name)
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
