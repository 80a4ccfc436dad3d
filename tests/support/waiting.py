"""Waiting for a condition in synchronous tests and scripts (async tests have their own `eventually`)."""

from __future__ import annotations

import time
from collections.abc import Callable

POLL_S = 0.1


def wait_until(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    """Returns once `condition()` holds; TimeoutError naming `what` after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout_s} s")
        time.sleep(POLL_S)
