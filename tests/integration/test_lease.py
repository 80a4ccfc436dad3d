"""The writer lease (t1lib/lease.py) on the real Redis: one holder at a time, growing fencing tokens, a
fence that closes before the key can expire, a hand-over on release, and a paused holder that finds
itself fenced off when it wakes."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis_async

from t1lib.config import RedisSettings
from t1lib.lease import Lease, LeaseLostError
from t1lib.stores import redis_client
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


@pytest.fixture
async def redis(engines: dict[str, str]) -> AsyncIterator[redis_async.Redis]:
    client = redis_client(RedisSettings(redis_url=engines["T1_REDIS_URL"]), decode_responses=False)
    yield client
    await client.aclose()


def leases(client: redis_async.Redis, ttl_s: float = 1.5, margin_s: float = 0.5) -> tuple[Lease, Lease]:
    key = f"t1:test-lease:{uuid.uuid4().hex}"
    return (
        Lease(client, key, name="a", address="127.0.0.1:1", ttl_s=ttl_s, margin_s=margin_s),
        Lease(client, key, name="b", address="127.0.0.1:2", ttl_s=ttl_s, margin_s=margin_s),
    )


async def test_one_holder_at_a_time_and_the_next_token_is_larger(redis: redis_async.Redis) -> None:
    first, second = leases(redis)
    assert await first.try_acquire()
    assert not await second.try_acquire()
    assert first.held
    assert not second.held
    current = await second.current()
    assert current is not None
    assert (current.name, current.address) == ("a", "127.0.0.1:1")
    await first.release()
    assert not first.held
    holder = await asyncio.wait_for(second.acquire(poll_s=0.05), 5)
    assert first.holder is None
    assert holder.token > current.token


async def test_a_paused_holder_is_fenced_off_before_another_can_take_over(redis: redis_async.Redis) -> None:
    first, second = leases(redis)
    assert await first.try_acquire()
    first.fence.check()
    started = time.monotonic()
    assert not await second.try_acquire()
    # first never renews (a pause): its fence closes at ttl - margin, before the key expires at ttl
    await eventually(lambda: not first.fence.is_open, 5, "the paused holder's fence to close")
    closed_after = time.monotonic() - started
    assert 0.9 <= closed_after < 1.5
    assert not await second.try_acquire()  # the key outlives the fence by the margin
    with pytest.raises(LeaseLostError):
        first.fence.check()
    await asyncio.wait_for(second.acquire(poll_s=0.05), 5)
    with pytest.raises(LeaseLostError):  # waking up, first learns it lost the lease
        await first.renew()


async def test_renewal_keeps_the_lease_past_its_time_to_live(redis: redis_async.Redis) -> None:
    first, second = leases(redis)
    assert await first.try_acquire()
    lost = asyncio.Event()

    async def on_lost() -> None:
        lost.set()

    first_deadline = first.fence.closes_at
    keeper = asyncio.create_task(first.keep(on_lost))
    # Renewed until its fence stands two time-to-lives past where the first acquisition put it.
    await eventually(lambda: first.fence.closes_at > first_deadline + 2 * first.ttl_s, 10, "renewals")
    assert first.held
    assert not await second.try_acquire()
    assert not lost.is_set()
    keeper.cancel()
    await first.release()
    assert await second.try_acquire()
