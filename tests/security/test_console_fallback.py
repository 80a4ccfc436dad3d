"""The console's client-side routes get index.html; nothing under /api does, however its path is spelled
(an encoded `..` that normalises out of /api must not land on the console)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.integration

CONSOLE = Path(__file__).resolve().parents[2] / "frontend" / "dist" / "index.html"


async def test_only_console_paths_fall_back_to_the_console(gateway: httpx.AsyncClient) -> None:
    assert CONSOLE.is_file(), "the console is not built: make console"
    route = await gateway.get("/tickets/some-ticket")
    assert route.status_code == 200
    assert route.headers["content-type"].startswith("text/html")
    for path in ("/api/v1/tickets/..%2F..", "/api/v1/..%2F..%2Fx", "/api/nope", "/api"):
        response = await gateway.get(path)
        assert response.status_code == 404, (path, response.status_code)
        assert not response.headers.get("content-type", "").startswith("text/html"), path
