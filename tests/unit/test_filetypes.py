"""File types read from the bytes, and how each kind of file is served."""

from __future__ import annotations

import pytest

from t1lib.filetypes import detect_mime_type, is_inline_image, serving
from tests.support.images import png

OGG = b"OggS\x00\x02" + bytes(range(256)) * 8
ZIP = b"PK\x03\x04" + b"\x00" * 40


@pytest.mark.parametrize(
    ("data", "declared", "detected"),
    [
        (png(), "image/jpeg", "image/png"),  # the bytes win over the claim
        (png(), None, "image/png"),
        (b"<html><script>alert(1)</script></html>", "image/png", "text/html"),
        (b"<script>alert(1)</script>", "image/png", "application/octet-stream"),  # no known signature
        ("Выписка по счёту".encode(), "text/plain; charset=utf-8", "text/plain"),  # text has no signature
        ("Выписка по счёту".encode(), "image/webp", "application/octet-stream"),
        (b"%PDF-1.4\n%...", "application/octet-stream", "application/pdf"),
        (OGG, "audio/ogg", "audio/ogg"),  # Ogg of a voice note: the claim agrees with the bytes
        (ZIP, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", None),
        (b"", "image/png", "application/octet-stream"),
    ],
)
def test_type_is_read_from_the_bytes(data: bytes, declared: str | None, detected: str | None) -> None:
    assert detect_mime_type(data, declared) == (detected or declared)


def test_only_raster_pictures_are_inline() -> None:
    assert is_inline_image("image/png")
    assert is_inline_image("image/jpeg")
    assert not is_inline_image("image/svg+xml")
    picture = serving("image/png", "screen.png")
    assert picture.content_type == "image/png"
    assert picture.content_disposition.startswith("inline;")


@pytest.mark.parametrize(
    ("mime_type", "served_as"),
    [
        ("text/html", "application/octet-stream"),
        ("image/svg+xml", "application/octet-stream"),
        ("application/xhtml+xml", "application/octet-stream"),
        ("application/pdf", "application/pdf"),
        ("audio/ogg", "audio/ogg"),
        ("video/mp4", "video/mp4"),
    ],
)
def test_anything_else_is_a_download_of_a_passive_type(mime_type: str, served_as: str) -> None:
    served = serving(mime_type, 'отчёт "Q1".html')
    assert served.content_type == served_as
    disposition = served.content_disposition
    assert disposition.startswith('attachment; filename="_____ _Q1_.html"; ')
    assert disposition.endswith("filename*=UTF-8''%D0%BE%D1%82%D1%87%D1%91%D1%82%20%22Q1%22.html")
    assert disposition.isascii()
