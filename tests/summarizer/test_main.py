"""`python -m services.summarizer` as a process: configuration from T1_* variables, a title end to end,
and a clean exit on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys

from t1.summarizer.v1 import events_pb2 as summarizer_pb
from tests.summarizer.conftest import Harness

PAYMENT = "Добрый день! Не проходит оплата картой"


async def test_the_process_titles_and_stops_on_sigterm(harness: Harness) -> None:
    prefix = harness.request_topic.removesuffix("chat_title_request")
    env = {
        **os.environ,
        "T1_KAFKA_BOOTSTRAP": harness.bootstrap,
        "T1_KAFKA_TOPIC_PREFIX": prefix,
        "T1_CONSUMER_GROUP": f"summarizer-main-{prefix}",
        "T1_LLM_BASE_URL": harness.llm.base_url,
        "T1_LLM_API_KEY": harness.llm.api_key,
        "T1_ML_GRPC_ADDR": harness.ml_address,
        "T1_LOG_JSON": "true",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *("-m", "services.summarizer"),
        env=env,
        stderr=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.DEVNULL,
    )
    try:
        request = await harness.request(PAYMENT)
        title = await harness.title_for(request, timeout_s=40)
        assert (title.title, title.source) == ("Не проходит оплата картой", summarizer_pb.TITLE_SOURCE_LLM)
    finally:
        process.send_signal(signal.SIGTERM)
        _, errors = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, errors.decode()
    log = errors.decode()
    assert '"summarizer started"' in log
    assert harness.llm.api_key not in log


def test_a_missing_bootstrap_is_named() -> None:
    env = {key: value for key, value in os.environ.items() if key != "T1_KAFKA_BOOTSTRAP"}
    result = subprocess.run(
        [sys.executable, "-m", "services.summarizer"], env=env, capture_output=True, timeout=30, check=False
    )
    assert result.returncode != 0
    assert "T1_KAFKA_BOOTSTRAP is required" in result.stderr.decode()
