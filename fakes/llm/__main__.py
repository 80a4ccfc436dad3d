"""python -m fakes.llm [--host 127.0.0.1] [--port 8082] [--api-key KEY]: run the fake OpenAI-compatible LLM.

Point a service at it with T1_LLM_BASE_URL=http://HOST:PORT/v1 and T1_LLM_API_KEY=KEY."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from fakes.llm.server import FakeLlm
from fakes.llm.state import DEFAULT_API_KEY, DEFAULT_MODELS
from t1lib.runtime import run_until_signalled


async def serve(args: argparse.Namespace, stop: asyncio.Event) -> None:
    models = tuple(name.strip() for name in args.models.split(",") if name.strip()) or DEFAULT_MODELS
    fake = FakeLlm(
        api_key=args.api_key,
        host=args.host,
        port=args.port,
        models=models,
        accept_any_model=not args.strict_models,
        log_level=args.log_level,
    )
    await fake.start()
    print(
        f"Fake LLM (OpenAI-compatible) on {fake.base_url}\n"
        f"  for services: T1_LLM_BASE_URL={fake.base_url} T1_LLM_API_KEY=<the key given by --api-key>\n"
        f"  models:       {', '.join(models)}\n"
        f"  control API:  {fake.url}/fake/requests, /fake/replies, /fake/rules, /fake/faults, /fake/reset",
        flush=True,
    )
    await stop.wait()
    await fake.stop()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m fakes.llm", description=__doc__)
    parser.add_argument("--host", default=os.environ.get("FAKE_LLM_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("FAKE_LLM_PORT", "8082")))
    parser.add_argument("--api-key", default=os.environ.get("FAKE_LLM_API_KEY", DEFAULT_API_KEY))
    parser.add_argument("--models", default=",".join(DEFAULT_MODELS), help="comma-separated model names")
    parser.add_argument(
        "--strict-models", action="store_true", help="404 model_not_found for models not in --models"
    )
    parser.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )
    args = parser.parse_args(argv)
    run_until_signalled(lambda stop: serve(args, stop))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
