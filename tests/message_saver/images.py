"""Text rendered into images with Pillow and DejaVu Sans (Debian's fonts-dejavu-core), for the OCR tests."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def text_image(
    lines: Sequence[str],
    *,
    image_format: str = "JPEG",
    font_size: int = 36,
    padding: int = 30,
    line_gap: int = 20,
    mode: str = "RGB",
) -> bytes:
    """Black text on white, one line per entry of `lines`, encoded as `image_format` (a Pillow format)."""
    font = ImageFont.truetype(str(FONT), font_size)
    boxes = [font.getbbox(line or " ") for line in lines]
    width = max(int(box[2]) for box in boxes) + 2 * padding
    height = len(lines) * (font_size + line_gap) + 2 * padding
    image = Image.new(mode, (width, height), "white")
    draw = ImageDraw.Draw(image)
    for index, line in enumerate(lines):
        draw.text((padding, padding + index * (font_size + line_gap)), line, fill="black", font=font)
    return encode(image, image_format)


def blank_image(width: int, height: int, image_format: str = "PNG", mode: str = "RGB") -> bytes:
    return encode(Image.new(mode, (width, height), "white"), image_format)


def encode(image: Image.Image, image_format: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()
