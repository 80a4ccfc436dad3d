"""Files only this user may read (secrets, logs), created so: never world-readable, not even for a moment."""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path` (replacing it), readable and writable by this user only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    os.fchmod(descriptor, PRIVATE_FILE)  # a file that existed keeps its mode otherwise
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)


def append_private(path: Path) -> BinaryIO:
    """`path` opened for appending, readable by this user only, in a folder only this user can open (an
    older file and folder are made so)."""
    path.parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    path.parent.chmod(PRIVATE_DIR)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE)
    os.fchmod(descriptor, PRIVATE_FILE)
    return os.fdopen(descriptor, "ab")
