"""The FAQ the tests import: the copy of ../shared/data/vtb_belarus_faq.xlsx kept in data/kb (so the suite
needs nothing beside the clone), and our variants of it."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FAQ = REPO / "data" / "kb" / "vtb_belarus_faq.xlsx"
FAQ_VARIANTS = REPO / "data" / "kb" / "vtb_belarus_faq.variants.jsonl"
