"""Milliseconds per statement: bulk_write of 1/10/100/500 UpdateOne by _id vs update_one one at a time,
on a 20,000-document collection, against the project's FerretDB build run privately (free port, temp data).

    .venv/bin/python -m tests.infra.ferretdb_bulk_timing [--binary NAME_IN_BIN_DIR] [--sizes 1,10,100,500]

--binary runs another build from ~/.cache/t1/bin instead (e.g. the unpatched one, with sizes below 100).
Prints one JSON line per measurement; not a test (numbers vary by machine).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

import pymongo
from pymongo import UpdateOne

from infra.engines.base import BIN_DIR
from infra.engines.ferretdb import FerretDB

DOCS = 20_000


class _Other(FerretDB):
    def __init__(self, name: str) -> None:
        self._name = name

    @property
    def binary(self) -> Path:
        return BIN_DIR / self._name


def measure(url: str, sizes: list[int]) -> None:
    client: pymongo.MongoClient[dict[str, object]] = pymongo.MongoClient(url, socketTimeoutMS=120_000)
    collection = client["timing"]["t"]
    collection.drop()
    for start in range(0, DOCS, 1000):
        collection.insert_many(
            [
                {"_id": f"id{i}", "v": 0, "tags": ["x"] * 10, "text": "t" * 200}
                for i in range(start, start + 1000)
            ]
        )
    rng = random.Random(1)

    def ops(n: int, value: int) -> list[UpdateOne]:
        return [UpdateOne({"_id": f"id{i}"}, {"$set": {"v": value}}) for i in rng.sample(range(DOCS), n)]

    for n in sizes:
        for ordered in (True, False):
            per_statement = []
            for rep in range(max(5, 1000 // n)):
                batch = ops(n, rep)
                started = time.perf_counter()
                result = collection.bulk_write(batch, ordered=ordered)
                per_statement.append((time.perf_counter() - started) * 1000 / n)
                assert result.matched_count == n
            print(
                json.dumps(
                    {
                        "op": "bulk_write",
                        "n": n,
                        "ordered": ordered,
                        "median_ms_per_statement": round(statistics.median(per_statement), 3),
                        "reps": len(per_statement),
                    }
                ),
                flush=True,
            )
    single = []
    for i in rng.sample(range(DOCS), 500):
        started = time.perf_counter()
        collection.update_one({"_id": f"id{i}"}, {"$set": {"v": -i}})
        single.append((time.perf_counter() - started) * 1000)
    print(
        json.dumps(
            {
                "op": "update_one",
                "n": 500,
                "median_ms_per_statement": round(statistics.median(single), 3),
                "mean_ms_per_statement": round(statistics.fmean(single), 3),
            }
        ),
        flush=True,
    )
    client.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", help="a build in ~/.cache/t1/bin other than the current one")
    parser.add_argument("--sizes", default="1,10,100,500")
    args = parser.parse_args()
    engine = _Other(args.binary) if args.binary else FerretDB()
    with tempfile.TemporaryDirectory() as data, engine.private(Path(data) / "sqlite") as url:
        print(json.dumps({"binary": engine.binary.name, "documents": DOCS}), flush=True)
        measure(url, [int(n) for n in args.sizes.split(",")])


if __name__ == "__main__":
    main()
