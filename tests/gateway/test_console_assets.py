"""The console's files: hashed assets cached for a year (immutable), everything else revalidated
(no-cache, ETag → 304), and the build's precompressed bytes (frontend/scripts/precompress.mjs) served as
they are to clients that accept them, with Vary, the variant's own length, and bytes that decompress to
the file."""

from __future__ import annotations

import gzip
import os
import random
import shutil
import subprocess
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from gateway.core.config import Settings
from gateway.main import create_app
from t1lib.stores import mongo_client
from tests.support.servers import LiveServer

pytestmark = pytest.mark.integration

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
SCRIPT = "assets/index-Ab3_x-Z9.js"
STYLE = "assets/index-Qw8rT2yU.css"
ICON = "favicon.svg"
IMMUTABLE = "public, max-age=31536000, immutable"


def node() -> str:
    found = shutil.which("node")
    assert found, "node is missing (the console's build needs it too)"
    return found


def sample_script() -> bytes:
    """Some 200 KB of code-like text: compressible, but not trivially."""
    words = [
        "const",
        "return",
        "function",
        "useState",
        "props",
        "ticket",
        "operator",
        "=>",
        "{",
        "}",
        "Ответ",
    ]
    chance = random.Random(7)
    lines = (
        " ".join(chance.choice(words) for _ in range(12)) + f" // {chance.random()}" for _ in range(3000)
    )
    return "\n".join(lines).encode()


@pytest.fixture
def console(tmp_path: Path) -> Path:
    """A build: index.html, a hashed script and style, an unhashed icon; precompressed by the build step."""
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(
        '<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>T1 Support</title>'
        f'<script type="module" src="/{SCRIPT}"></script><link rel="stylesheet" href="/{STYLE}"></head>'
        + '<body><div id="root"></div></body></html>\n'
        * 30,
        encoding="utf-8",
    )
    (tmp_path / SCRIPT).write_bytes(sample_script())
    (tmp_path / STYLE).write_text(".reply { display: grid; }\n" * 400)
    (tmp_path / ICON).write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')  # too small to compress
    subprocess.run([node(), str(FRONTEND / "scripts" / "precompress.mjs"), str(tmp_path)], check=True)
    return tmp_path


@pytest.fixture
async def served(gateway_settings: Settings, console: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = gateway_settings.model_copy(update={"console_dir": str(console)})
    async with (
        LiveServer(create_app(settings)) as server,
        httpx.AsyncClient(base_url=server.url) as client,
    ):
        yield client
    mongo = mongo_client(settings)
    await mongo.drop_database(settings.mongo_db)
    await mongo.close()


async def fetch(client: httpx.AsyncClient, path: str, **headers: str) -> tuple[httpx.Response, bytes]:
    """The response and its body exactly as sent (not decoded)."""
    async with client.stream("GET", path, headers=headers) as response:
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
    return response, raw


def varies_by_encoding(response: httpx.Response) -> bool:
    vary = [name.strip().lower() for name in response.headers.get("vary", "").split(",")]
    return "accept-encoding" in vary


def unbrotli(data: bytes) -> bytes:
    decode = "process.stdout.write(require('zlib').brotliDecompressSync(require('fs').readFileSync(0)))"
    return subprocess.run([node(), "-e", decode], input=data, capture_output=True, check=True).stdout


def test_the_build_step_writes_variants_only_where_they_pay(console: Path) -> None:
    for name in (SCRIPT, STYLE, "index.html"):
        original = (console / name).read_bytes()
        assert gzip.decompress((console / f"{name}.gz").read_bytes()) == original
        assert unbrotli((console / f"{name}.br").read_bytes()) == original
        assert (console / f"{name}.br").stat().st_size < (console / f"{name}.gz").stat().st_size
    assert not (console / f"{ICON}.gz").exists()
    assert not (console / f"{ICON}.br").exists()


@pytest.mark.parametrize(
    ("accept", "encoding"),
    [
        ("gzip, deflate, br, zstd", "br"),
        ("gzip, deflate", "gzip"),
        ("br;q=0, gzip;q=0.5", "gzip"),
        ("identity", None),
        ("", None),
    ],
)
async def test_hashed_assets_are_immutable_and_compressed_as_accepted(
    served: httpx.AsyncClient, console: Path, accept: str, encoding: str | None
) -> None:
    original = (console / SCRIPT).read_bytes()
    response, raw = await fetch(served, f"/{SCRIPT}", **{"Accept-Encoding": accept})
    assert response.status_code == 200
    assert response.headers["cache-control"] == IMMUTABLE
    assert varies_by_encoding(response)
    assert "javascript" in response.headers["content-type"]  # the file's type, not the variant's
    assert response.headers.get("content-encoding") == encoding
    assert int(response.headers["content-length"]) == len(raw)
    decoders: dict[str | None, Callable[[bytes], bytes]] = {
        "br": unbrotli,
        "gzip": gzip.decompress,
        None: bytes,
    }
    decoded = decoders[encoding](raw)
    assert decoded == original
    if encoding is not None:
        assert len(raw) < len(original) / 2


async def test_index_and_unhashed_files_are_revalidated(served: httpx.AsyncClient, console: Path) -> None:
    page, raw = await fetch(served, "/", **{"Accept-Encoding": "gzip"})
    assert page.headers["cache-control"] == "no-cache"
    assert page.headers["content-encoding"] == "gzip"
    assert gzip.decompress(raw) == (console / "index.html").read_bytes()
    route, raw = await fetch(served, "/tickets/some-ticket", **{"Accept-Encoding": "br"})
    assert route.status_code == 200
    assert route.headers["cache-control"] == "no-cache"
    assert unbrotli(raw) == (console / "index.html").read_bytes()
    icon, raw = await fetch(served, f"/{ICON}", **{"Accept-Encoding": "gzip, br"})
    assert icon.headers["cache-control"] == "no-cache"
    assert "content-encoding" not in icon.headers
    assert not varies_by_encoding(icon)  # one representation only
    assert raw == (console / ICON).read_bytes()


async def test_etags_answer_304_per_encoding(served: httpx.AsyncClient) -> None:
    brotli, _ = await fetch(served, f"/{SCRIPT}", **{"Accept-Encoding": "br"})
    plain, _ = await fetch(served, f"/{SCRIPT}", **{"Accept-Encoding": "identity"})
    assert brotli.headers["etag"] != plain.headers["etag"]  # two representations, two validators
    again = await served.get(
        f"/{SCRIPT}", headers={"Accept-Encoding": "br", "If-None-Match": brotli.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["cache-control"] == IMMUTABLE
    assert varies_by_encoding(again)
    assert again.headers["etag"] == brotli.headers["etag"]
    index, _ = await fetch(served, "/index.html", **{"Accept-Encoding": "gzip"})
    revalidated = await served.get(
        "/index.html", headers={"Accept-Encoding": "gzip", "If-None-Match": index.headers["etag"]}
    )
    assert revalidated.status_code == 304
    assert revalidated.headers["cache-control"] == "no-cache"
    # The other representation's validator does not match this one.
    other = await served.get(
        f"/{SCRIPT}", headers={"Accept-Encoding": "gzip", "If-None-Match": brotli.headers["etag"]}
    )
    assert other.status_code == 200
    assert other.headers["content-encoding"] == "gzip"


async def test_head_and_a_stale_variant(served: httpx.AsyncClient, console: Path) -> None:
    head = await served.head(f"/{STYLE}", headers={"Accept-Encoding": "br"})
    assert head.status_code == 200
    assert head.headers["content-encoding"] == "br"
    assert int(head.headers["content-length"]) == (console / f"{STYLE}.br").stat().st_size
    # A file rewritten after its variants were made (a hand edit, a partial build): the variants are
    # of its old bytes, so the file itself is served.
    newer = b".reply { display: flex; }\n" * 400
    (console / STYLE).write_bytes(newer)
    variant = console / f"{STYLE}.br"
    stamp = variant.stat().st_mtime - 10
    os.utime(variant, (stamp, stamp))
    os.utime(console / f"{STYLE}.gz", (stamp, stamp))
    response, raw = await fetch(served, f"/{STYLE}", **{"Accept-Encoding": "br, gzip"})
    assert "content-encoding" not in response.headers
    assert raw == newer
