"""OCR without Kafka, MongoDB or S3: clean-up of tesseract's output, what counts as an image, settings,
and the real tesseract CLI on rendered images (installed by infra.engines.tools, as for the engines)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image

from infra.engines.tools import ensure_tools
from services.message_saver.config import MessageSaverSettings
from services.message_saver.ocr import (
    OcrSetupError,
    Outcome,
    Tesseract,
    check_tesseract,
    clean_text,
    is_image_attachment,
    language_packages,
    sniff_image,
)
from tests.message_saver.images import blank_image, encode, text_image

RUSSIAN = "Ошибка оплаты: карта заблокирована"
ENGLISH = "Payment declined"


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


# --- clean-up --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", ""),
        ("  \n\n \f", ""),
        ("Ошибка   оплаты:\tкарта\n\n\nзаблокирована \n\f", "Ошибка оплаты: карта\nзаблокирована"),
        ("  Payment declined  \r\n", "Payment declined"),
        ("a\u00a0\u00a0b\x00c\x07", "a bc"),  # no-break spaces collapse; control characters go
        ("one\fpage two", "one\npage two"),  # tesseract ends each page with a form feed
    ],
)
def test_clean_text_collapses_whitespace_and_strips(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


def test_clean_text_is_cut_to_the_limit() -> None:
    text = clean_text("слово " * 1000, limit=20)
    assert len(text) == 20
    assert text.endswith("…")
    assert clean_text("x" * 20, limit=20) == "x" * 20


# --- what is an image ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("image_format", "options", "expected_format"),
    [
        ("PNG", {}, "png"),
        ("JPEG", {}, "jpeg"),
        ("JPEG", {"progressive": True}, "jpeg"),
        ("GIF", {}, "gif"),
        ("BMP", {}, "bmp"),
        ("WEBP", {}, "webp"),
        ("WEBP", {"lossless": True}, "webp"),
        ("TIFF", {}, "tiff"),
        ("TIFF", {"compression": "tiff_lzw"}, "tiff"),
    ],
)
def test_sniff_reads_format_and_size_from_the_header(
    image_format: str, options: dict[str, object], expected_format: str
) -> None:
    data = encode(Image.new("RGB", (321, 123), "white"), image_format, **options)
    info = sniff_image(data)
    assert info is not None
    assert (info.format, info.width, info.height) == (expected_format, 321, 123)
    assert info.pixels == 321 * 123


def test_sniff_reads_extended_webp() -> None:
    data = encode(Image.new("RGBA", (77, 55), (255, 255, 255, 128)), "WEBP")  # alpha: the VP8X layout
    info = sniff_image(data)
    assert info is not None
    assert (info.format, info.width, info.height) == ("webp", 77, 55)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not an image at all",
        b"/etc/passwd\n",
        b"%PDF-1.7\n",
        b"\x89PNG\r\n\x1a\n",  # a PNG signature and nothing else
        b"\xff\xd8\xff\xe0\x00\x10JFIF",  # JPEG without a frame header
        b"RIFF\x00\x00\x00\x00WEBPVP8 ",
        b"II*\x00\xff\xff\xff\x00",  # TIFF whose directory lies beyond the end
    ],
)
def test_sniff_rejects_what_is_not_an_image(data: bytes) -> None:
    assert sniff_image(data) is None


def test_which_attachments_are_images() -> None:
    photo = {"kind": "photo", "mime_type": "image/jpeg", "s3_key": "k"}
    assert is_image_attachment(photo)
    assert is_image_attachment({**photo, "mime_type": ""})  # photos are OCR'd whatever the MIME type says
    assert not is_image_attachment({**photo, "s3_key": ""})  # never copied to S3
    for mime in ("image/png", "image/webp", "image/tiff", "image/bmp", "IMAGE/JPEG; q=1"):
        assert is_image_attachment({"kind": "document", "mime_type": mime, "s3_key": "k"}), mime
    for mime in ("application/pdf", "image/svg+xml", "text/plain", ""):
        assert not is_image_attachment({"kind": "document", "mime_type": mime, "s3_key": "k"}), mime
    assert not is_image_attachment({"kind": "video", "mime_type": "image/jpeg", "s3_key": "k"})


def test_language_packages_are_debian_names() -> None:
    assert language_packages("rus+eng") == ["tesseract-ocr-rus", "tesseract-ocr-eng"]
    assert language_packages(" chi_sim + deu ") == ["tesseract-ocr-chi-sim", "tesseract-ocr-deu"]


# --- settings --------------------------------------------------------------------------------------


def test_ocr_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T1_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    monkeypatch.setenv("T1_MONGO_URL", "mongodb://127.0.0.1:27017")
    for name in ("T1_OCR_ENABLED", "T1_OCR_LANGUAGES", "T1_CONSUMER_GROUP", "T1_OCR_CONSUMER_GROUP"):
        monkeypatch.delenv(name, raising=False)
    for name in ("T1_S3_ENDPOINT", "T1_S3_ACCESS_KEY", "T1_S3_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    settings = MessageSaverSettings()
    assert settings.ocr_enabled
    assert settings.ocr_languages == "rus+eng"
    assert settings.ocr_group == "message_saver-ocr"
    with pytest.raises(OcrSetupError, match="T1_S3_ENDPOINT, T1_S3_ACCESS_KEY, T1_S3_SECRET_KEY"):
        settings.s3()

    monkeypatch.setenv("T1_OCR_ENABLED", "false")
    monkeypatch.setenv("T1_OCR_TIMEOUT_S", "7.5")
    monkeypatch.setenv("T1_S3_ENDPOINT", "127.0.0.1:9000")
    monkeypatch.setenv("T1_S3_ACCESS_KEY", "key")
    monkeypatch.setenv("T1_S3_SECRET_KEY", "secret")
    monkeypatch.setenv("T1_OCR_CONSUMER_GROUP", "ocr-elsewhere")
    settings = MessageSaverSettings()
    assert not settings.ocr_enabled
    assert settings.ocr_timeout_s == 7.5
    assert settings.ocr_group == "ocr-elsewhere"
    assert settings.s3().s3_endpoint == "127.0.0.1:9000"


# --- the tesseract CLI -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tools() -> None:
    ensure_tools()


@pytest.fixture
def tesseract(tools: None) -> Tesseract:
    return Tesseract(languages="rus+eng", timeout_s=30)


def test_missing_tesseract_or_language_names_the_packages(tools: None) -> None:
    with pytest.raises(OcrSetupError) as missing_binary:
        check_tesseract("/nonexistent/tesseract", "rus+eng")
    assert "apt-get install tesseract-ocr tesseract-ocr-rus tesseract-ocr-eng" in str(missing_binary.value)
    assert "T1_OCR_ENABLED=false" in str(missing_binary.value)
    with pytest.raises(OcrSetupError, match="no model for xyz") as missing_language:
        check_tesseract("tesseract", "rus+xyz")
    assert "tesseract-ocr-xyz" in str(missing_language.value)
    with pytest.raises(OcrSetupError, match="T1_OCR_LANGUAGES is empty"):
        check_tesseract("tesseract", "+")
    check_tesseract("tesseract", "rus+eng")


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP", "BMP", "TIFF"])
async def test_tesseract_reads_russian_and_english(tesseract: Tesseract, image_format: str) -> None:
    result = await tesseract.recognize(text_image([RUSSIAN, ENGLISH], image_format=image_format))
    assert result.outcome == Outcome.TEXT
    assert {"ошибка", "оплаты", "карта", "заблокирована", "payment", "declined"} <= words(result.text)
    assert result.text == clean_text(result.text)
    assert result.seconds > 0


async def test_empty_results_say_why(tesseract: Tesseract, tmp_path: Path) -> None:
    assert (await tesseract.recognize(b"plain text, not a photo")).outcome == Outcome.NOT_IMAGE
    assert (await tesseract.recognize(blank_image(400, 300))).outcome == Outcome.NO_TEXT
    truncated = text_image([ENGLISH], image_format="PNG")[:200]  # a valid header, then nothing
    failed = await tesseract.recognize(truncated)
    assert (failed.text, failed.outcome) == ("", Outcome.FAILED)

    # Given a list of file names instead of an image, tesseract would read those files from the disk.
    secret = tmp_path / "secret.png"
    secret.write_bytes(text_image(["TOP SECRET"], image_format="PNG"))
    listing = await tesseract.recognize(f"{secret}\n".encode())
    assert (listing.text, listing.outcome) == ("", Outcome.NOT_IMAGE)


async def test_limits(tools: None) -> None:
    image = text_image([ENGLISH])
    small = Tesseract(max_pixels=1000)
    assert (await small.recognize(image)).outcome == Outcome.TOO_LARGE
    hasty = Tesseract(timeout_s=0.001)
    timed_out = await hasty.recognize(image)
    assert (timed_out.text, timed_out.outcome) == ("", Outcome.TIMEOUT)
