"""Text on customers' images with the Tesseract CLI (Debian's `tesseract-ocr` + language packages).

No Kafka and no MongoDB here: which attachments are images, what a file really is (by its bytes, never by
its name or MIME type), running `tesseract` off the event loop with a timeout, and cleaning its output.

Only files whose first bytes are a JPEG, PNG, GIF, BMP, WebP or TIFF header, with a size within the limits,
ever reach tesseract. That check is also a safety rule: given anything that is not an image, tesseract
reads it as a list of file names and recognises those files from the local disk instead.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import struct
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from prometheus_client import Counter, Histogram

logger = logging.getLogger(__name__)

# Documents with these MIME types are OCR'd like photos (a photo is OCR'd whatever its MIME type says).
IMAGE_MIME_TYPES = frozenset(
    {
        "image/jpeg",
        "image/jpg",
        "image/png",
        "image/webp",
        "image/tiff",
        "image/bmp",
        "image/x-ms-bmp",
        "image/gif",
    }
)
TESSERACT_PACKAGE = "tesseract-ocr"
TEXT_LIMIT = 4096  # characters of recognised text kept per image (Telegram's limit for one message)
TESSERACT_ENV = {"OMP_THREAD_LIMIT": "1"}  # one core per run; measured faster than OpenMP on small images
NICENESS = "10"  # OCR yields the CPU to message intake and the rest of the box
LIST_LANGS_TIMEOUT_S = 15.0

OCR_IMAGES = Counter("t1_ocr_images_total", "Images processed by OCR, by outcome", ["outcome"])
OCR_SECONDS = Histogram(
    "t1_ocr_seconds", "Time tesseract took per image", buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 60)
)


class OcrSetupError(RuntimeError):
    """OCR is enabled but cannot run here (tesseract or a language missing, S3 not configured)."""


class Outcome(StrEnum):
    """What happened to one image; stored with the attachment as `ocr_outcome`."""

    TEXT = "text"  # text was recognised
    NO_TEXT = "no_text"  # an image without recognisable text
    NOT_IMAGE = "not_image"  # the bytes are not an image format we pass to tesseract
    TOO_LARGE = "too_large"  # more bytes or pixels than allowed
    FAILED = "failed"  # tesseract rejected the file (corrupt image)
    TIMEOUT = "timeout"  # tesseract ran longer than the timeout and was killed


@dataclass(frozen=True)
class OcrResult:
    text: str
    outcome: Outcome
    seconds: float = 0.0


# --- which attachments -----------------------------------------------------------------------------


def is_image_attachment(doc: Mapping[str, Any]) -> bool:
    """A stored attachment document worth OCR: a photo, or a document with an image MIME type, in S3."""
    if not str(doc.get("s3_key", "")):
        return False  # not copied to S3 (e.g. too large for the Bot API)
    if doc.get("kind") == "photo":
        return True
    mime = str(doc.get("mime_type", "")).split(";", 1)[0].strip().lower()
    return doc.get("kind") == "document" and mime in IMAGE_MIME_TYPES


# --- what the bytes are ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ImageInfo:
    format: str
    width: int
    height: int

    @property
    def pixels(self) -> int:
        return self.width * self.height


def sniff_image(data: bytes) -> ImageInfo | None:
    """The format and size in pixels from an image's header; None when `data` is not an image we accept."""
    try:
        info = _sniff(data)
    except (struct.error, IndexError, ValueError):
        return None
    if info is None or info.width <= 0 or info.height <= 0:
        return None
    return info


def _sniff(data: bytes) -> ImageInfo | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return ImageInfo("png", width, height)
    if data.startswith(b"\xff\xd8\xff"):
        return _sniff_jpeg(data)
    if data[:6] in (b"GIF87a", b"GIF89a"):
        width, height = struct.unpack("<HH", data[6:10])
        return ImageInfo("gif", width, height)
    if data.startswith(b"BM"):
        return _sniff_bmp(data)
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return _sniff_webp(data)
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return _sniff_tiff(data)
    return None


# JPEG start-of-frame markers carry the size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not.
_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_JPEG_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})


def _sniff_jpeg(data: bytes) -> ImageInfo | None:
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker in _JPEG_STANDALONE:
            position += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image or start of scan before any frame header
            return None
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        if marker in _JPEG_SOF:
            height, width = struct.unpack(">HH", data[position + 5 : position + 9])
            return ImageInfo("jpeg", width, height)
        position += 2 + length
    return None


def _sniff_bmp(data: bytes) -> ImageInfo | None:
    (header_size,) = struct.unpack("<I", data[14:18])
    if header_size == 12:  # BITMAPCOREHEADER
        width, height = struct.unpack("<HH", data[18:22])
        return ImageInfo("bmp", width, height)
    if header_size < 40:
        return None
    width, height = struct.unpack("<ii", data[18:26])
    return ImageInfo("bmp", width, abs(height))  # negative height: rows stored top-down


def _sniff_webp(data: bytes) -> ImageInfo | None:
    chunk = data[12:16]
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return ImageInfo("webp", width & 0x3FFF, height & 0x3FFF)
    if chunk == b"VP8L" and data[20] == 0x2F:
        (bits,) = struct.unpack("<I", data[21:25])
        return ImageInfo("webp", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return ImageInfo("webp", width, height)
    return None


def _sniff_tiff(data: bytes) -> ImageInfo | None:
    order = "<" if data.startswith(b"II") else ">"
    (offset,) = struct.unpack(order + "I", data[4:8])
    (count,) = struct.unpack(order + "H", data[offset : offset + 2])
    size: dict[int, int] = {}
    for index in range(count):
        entry = data[offset + 2 + 12 * index : offset + 14 + 12 * index]
        tag, kind = struct.unpack(order + "HH", entry[:4])
        if tag in (256, 257):  # ImageWidth, ImageLength: SHORT (3) or LONG (4)
            fmt = order + ("H" if kind == 3 else "I")
            (size[tag],) = struct.unpack(fmt, entry[8 : 8 + struct.calcsize(fmt)])
    if 256 not in size or 257 not in size:
        return None
    return ImageInfo("tiff", size[256], size[257])


# --- text ------------------------------------------------------------------------------------------


def clean_text(raw: str, limit: int = TEXT_LIMIT) -> str:
    """Tesseract's output for people: whitespace runs inside a line become one space, blank lines and
    control characters (the trailing form feed) go, the lines are kept; cut to `limit` characters."""
    lines = (" ".join(line.split()) for line in raw.replace("\f", "\n").splitlines())
    text = "\n".join(line for line in lines if line)
    text = "".join(char for char in text if char == "\n" or char.isprintable())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


# --- tesseract -------------------------------------------------------------------------------------


def language_packages(languages: str) -> list[str]:
    """Debian packages of Tesseract language codes: "rus+eng" -> tesseract-ocr-rus, tesseract-ocr-eng."""
    return [f"{TESSERACT_PACKAGE}-{code.lower().replace('_', '-')}" for code in split_languages(languages)]


def split_languages(languages: str) -> list[str]:
    return [code.strip() for code in languages.split("+") if code.strip()]


def check_tesseract(command: str, languages: str) -> None:
    """Raise OcrSetupError, naming the apt packages to install, unless `command` runs and has every
    language of `languages`."""
    if not split_languages(languages):
        raise OcrSetupError("T1_OCR_LANGUAGES is empty: name Tesseract languages, e.g. rus+eng")
    packages = " ".join([TESSERACT_PACKAGE, *language_packages(languages)])
    hint = (
        f"install the Debian packages: `apt-get install {packages}` (or `python3 -m infra.engines install "
        "tools`), or turn OCR off with T1_OCR_ENABLED=false"
    )
    executable = shutil.which(command)
    if executable is None:
        raise OcrSetupError(f"OCR is enabled but `{command}` (tesseract) is not installed: {hint}")
    try:
        listed = subprocess.run(  # noqa: S603 - the configured tesseract binary
            [executable, "--list-langs"],
            capture_output=True,
            text=True,
            timeout=LIST_LANGS_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise OcrSetupError(
            f"OCR is enabled but `{executable} --list-langs` failed ({error}): {hint}"
        ) from None
    # The first line is a header ("List of available languages in ...").
    available = {line.strip() for line in listed.stdout.splitlines()[1:] if line.strip()}
    absent = [code for code in split_languages(languages) if code not in available]
    if absent:
        raise OcrSetupError(
            f"OCR is enabled but tesseract has no model for {'+'.join(absent)} "
            f"(installed: {', '.join(sorted(available)) or 'none'}): {hint}"
        )


class Tesseract:
    """Runs `tesseract stdin - -l <languages> --psm 3`, at most `concurrency` at a time in this process,
    each niced, on one core, and killed after `timeout_s`."""

    def __init__(
        self,
        *,
        command: str = "tesseract",
        languages: str = "rus+eng",
        timeout_s: float = 30.0,
        concurrency: int = 1,
        max_pixels: int = 40_000_000,
        page_segmentation: int = 3,
    ) -> None:
        self.languages = languages
        self._command = command
        self._timeout_s = timeout_s
        self._slots = asyncio.Semaphore(max(1, concurrency))
        self._max_pixels = max_pixels
        self._psm = page_segmentation

    def argv(self) -> list[str]:
        executable = shutil.which(self._command) or self._command
        nice = shutil.which("nice")
        prefix = [nice, "-n", NICENESS] if nice else []
        return [*prefix, executable, "stdin", "-", "-l", self.languages, "--psm", str(self._psm)]

    async def recognize(self, data: bytes) -> OcrResult:
        """The text on the image `data`; empty text (with the reason) for anything that is not a readable
        image within the limits. Raises only when tesseract cannot be started at all."""
        info = sniff_image(data)
        if info is None:
            return self._counted(OcrResult("", Outcome.NOT_IMAGE))
        if info.pixels > self._max_pixels:
            return self._counted(OcrResult("", Outcome.TOO_LARGE))
        async with self._slots:
            started = time.perf_counter()
            returncode, stdout, stderr = await self._run(data)
            seconds = time.perf_counter() - started
        OCR_SECONDS.observe(seconds)
        if returncode is None:
            return self._counted(OcrResult("", Outcome.TIMEOUT, seconds))
        if returncode != 0:
            logger.warning(
                "tesseract rejected an image",
                extra={"fields": {"returncode": returncode, "stderr": stderr[-500:], "format": info.format}},
            )
            return self._counted(OcrResult("", Outcome.FAILED, seconds))
        text = clean_text(stdout)
        return self._counted(OcrResult(text, Outcome.TEXT if text else Outcome.NO_TEXT, seconds))

    async def _run(self, data: bytes) -> tuple[int | None, str, str]:
        """(returncode, stdout, stderr); returncode None when the run was killed for taking too long."""
        process = await asyncio.create_subprocess_exec(
            *self.argv(),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env={**os.environ, **TESSERACT_ENV},
        )
        try:
            stdout, stderr = await asyncio.wait_for(process.communicate(data), self._timeout_s)
        except TimeoutError:
            logger.warning("tesseract timed out", extra={"fields": {"timeout_s": self._timeout_s}})
            return None, "", ""
        finally:
            if process.returncode is None:  # timed out or cancelled (the service is stopping)
                process.kill()
                await process.wait()
        return process.returncode, stdout.decode("utf-8", "replace"), stderr.decode("utf-8", "replace")

    @staticmethod
    def _counted(result: OcrResult) -> OcrResult:
        OCR_IMAGES.labels(str(result.outcome)).inc()
        return result
