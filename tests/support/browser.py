"""Debian's Chromium through Playwright (no browser download here), and step screenshots for reviewers."""

from __future__ import annotations

import re
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from playwright.async_api import Browser, Page, async_playwright

REPO = Path(__file__).resolve().parents[2]
CONSOLE = REPO / "frontend" / "dist" / "index.html"
SCREENSHOTS = REPO / ".data" / "screenshots"


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    executable = shutil.which("chromium")
    assert executable, "Debian's chromium is missing: python3 -m infra.engines install tools"
    assert CONSOLE.is_file(), "the console is not built: make console"
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            await browser.close()


class Screens:
    """Numbered screenshots of a test's steps under .data/screenshots/<test>/ (not committed)."""

    def __init__(self, name: str) -> None:
        self.folder = SCREENSHOTS / re.sub(r"[^\w.-]+", "-", name)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count = 0

    async def take(self, page: Page, step: str, *, full_page: bool = False) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{step}.png"
        await page.screenshot(path=str(path), full_page=full_page)
        return path


async def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than its window (0: no horizontal scroll)."""
    overflow: int = await page.evaluate(
        "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - window.innerWidth"
    )
    return overflow
