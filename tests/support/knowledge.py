"""The shared FAQ (../shared/data beside the clone, or $T1_SHARED_DIR/data) and our variants of it."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("T1_SHARED_DIR") or REPO.parent / "shared")
FAQ = SHARED / "data" / "vtb_belarus_faq.xlsx"
FAQ_VARIANTS = REPO / "data" / "kb" / "vtb_belarus_faq.variants.jsonl"


def faq() -> Path:
    """The FAQ's path; a clear failure (not a skip) when the shared inputs are not beside the clone."""
    if not FAQ.is_file():
        raise FileNotFoundError(
            f"{FAQ} not found: the shared inputs belong beside the clone (../shared), or set T1_SHARED_DIR"
        )
    return FAQ
