"""Session setup: the real engines on loopback (started if not yet running; `make test` starts them first)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from infra.engines.__main__ import ENGINES, service_env

TEST_ENGINES = ("kafka", "mongo", "redis", "s3")


@pytest.fixture(scope="session")
def engines() -> Iterator[dict[str, str]]:
    """Start (idempotently) the engines the integration tests need and export the T1_* variables."""
    for name in TEST_ENGINES:
        ENGINES[name].start()
    env = service_env()
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    yield env
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
