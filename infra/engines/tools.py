"""Command-line tools the services run that are not servers: installed, never started or stopped.

`message_saver` runs Tesseract on customers' photos (Russian and English models); the tests render their
images with the DejaVu fonts and drive the console in Debian's Chromium. All come from Debian packages
(`apt.ensure`, cached by dpkg: a second call costs one `dpkg-query` per package).
"""

from __future__ import annotations

import shutil

from infra.engines import apt

NAME = "tools"  # how `python3 -m infra.engines install|up tools` names them

# Debian package -> what it provides.
PACKAGES: dict[str, str] = {
    "tesseract-ocr": "the tesseract CLI (OCR in message_saver)",
    "tesseract-ocr-rus": "Tesseract's Russian model",
    "tesseract-ocr-eng": "Tesseract's English model",
    "fonts-dejavu-core": "DejaVuSans.ttf, used by the tests to render text images",
    "chromium": "the browser the console's browser tests drive (Playwright with executable_path)",
}


def missing() -> list[str]:
    """The tool packages not installed yet."""
    return apt.missing(list(PACKAGES))


def ensure_tools() -> None:
    """Install what is missing (apt-get, as root or through `sudo -n`); idempotent and quick when done."""
    apt.ensure(list(PACKAGES))
    if shutil.which("tesseract") is None:
        raise RuntimeError("tools: tesseract is still not on PATH after installing tesseract-ocr")
    if shutil.which("chromium") is None:
        raise RuntimeError("tools: chromium is still not on PATH after installing chromium")


def status() -> str:
    """One line for `python3 -m infra.engines status`."""
    absent = missing()
    state = "installed" if not absent else "missing: " + " ".join(absent)
    return f"{NAME:<11} {state}"
