"""The OpenAI-compatible embeddings client against a tiny in-test fake, and the caching wrapper."""

from __future__ import annotations

import json
from collections.abc import Sequence

import httpx
import numpy as np
import pytest

from services.ml.app import build_embedder
from services.ml.config import EmbedderSettings
from services.ml.embedder import CachingEmbedder, OpenAIEmbedder, Vectors


class FakeEmbeddingsApi:
    """POST /v1/embeddings: a 3-dim vector per input derived from its text, data in reverse order."""

    def __init__(self) -> None:
        self.requests: list[dict[str, object]] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path != "/v1/embeddings" or request.method != "POST":
            return httpx.Response(404)
        if request.headers.get("authorization") != "Bearer secret":
            return httpx.Response(401, json={"error": "unauthorized"})
        body = json.loads(request.content)
        self.requests.append(body)
        data = [
            {"object": "embedding", "index": i, "embedding": [len(text), text.count("a") + 1.0, 2.0]}
            for i, text in enumerate(body["input"])
        ]
        return httpx.Response(200, json={"object": "list", "data": data[::-1], "model": body["model"]})


def fake_embedder(api: FakeEmbeddingsApi, **options: object) -> OpenAIEmbedder:
    return OpenAIEmbedder(
        "http://embeddings.test/v1",
        "e5-small",
        api_key="secret",
        transport=httpx.MockTransport(api.handle),
        **options,  # type: ignore[arg-type]
    )


async def test_openai_embedder_prefixes_orders_and_normalises() -> None:
    api = FakeEmbeddingsApi()
    embedder = fake_embedder(api, batch_size=2)
    rows = await embedder.embed_queries(["aa", "b", "ccc"])
    assert [request["input"] for request in api.requests] == [["query: aa", "query: b"], ["query: ccc"]]
    assert api.requests[0]["model"] == "e5-small"
    expected = np.array([[9, 3, 2], [8, 1, 2], [10, 1, 2]], dtype=np.float32)
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    assert np.allclose(rows, expected)
    await embedder.embed_passages(["x"])
    assert api.requests[-1]["input"] == ["passage: x"]
    await embedder.aclose()


async def test_openai_embedder_without_prefixes_and_errors() -> None:
    api = FakeEmbeddingsApi()
    embedder = fake_embedder(api, query_prefix="", passage_prefix="")
    await embedder.embed_queries(["plain"])
    assert api.requests[-1]["input"] == ["plain"]
    assert embedder.name != fake_embedder(api).name
    broken = OpenAIEmbedder("http://embeddings.test/v1", "m", transport=httpx.MockTransport(api.handle))
    with pytest.raises(httpx.HTTPStatusError):
        await broken.embed_queries(["x"])


def test_build_embedder_from_settings() -> None:
    with pytest.raises(ValueError, match="T1_ML_EMBEDDINGS_URL"):
        build_embedder(EmbedderSettings(ml_embedder="openai"))
    embedder = build_embedder(
        EmbedderSettings(ml_embedder="openai", ml_embeddings_url="http://127.0.0.1:1/v1")
    )
    assert embedder.name.startswith("openai:multilingual-e5-small")


class Recording:
    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    @property
    def name(self) -> str:
        return "recording"

    async def embed_queries(self, texts: Sequence[str]) -> Vectors:
        self.calls.append(list(texts))
        return np.array([[float(len(text)), 1.0] for text in texts], dtype=np.float32)

    async def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return await self.embed_queries(texts)

    async def aclose(self) -> None:
        return None


async def test_caching_embedder_embeds_each_text_once() -> None:
    inner = Recording()
    cache = CachingEmbedder(inner, max_items=2)
    first = await cache.embed_queries(["a", "bb", "a"])
    assert inner.calls == [["a", "bb"]]
    assert first[:, 0].tolist() == [1.0, 2.0, 1.0]
    await cache.embed_queries(["bb"])
    assert inner.calls == [["a", "bb"]]
    await cache.embed_queries(["ccc", "dddd", "eeeee"])  # more than fits: still answered
    assert (await cache.embed_passages(["a"])).shape == (1, 2)
    assert cache.name == "recording"
