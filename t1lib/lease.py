"""A lease in Redis that one process of several holds at a time (the writer of a store that cannot apply
a conditional write atomically), with a fencing token and a local fence.

Whoever holds the key `key` (SET NX PX) is the holder until the key expires; the holder renews it every
`ttl_s / 3`. Each acquisition takes the next fencing token (INCR of `<key>:token`), so a later holder's
token is always larger. The holder's own fence closes `margin_s` before the key can expire by its last
renewal: a holder that was paused (GC, SIGSTOP, a slow network) finds its fence closed when it wakes and
writes nothing more, while a new holder can only get the key after it expired. A write that started
before the fence closed must finish within `margin_s`; the fence is checked before each one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import redis.asyncio as redis_async
from redis.exceptions import RedisError

from t1lib.errors import UnavailableError

logger = logging.getLogger(__name__)

# The fencing counter outlives any lease by far; an install left alone that long starts again from 1.
TOKEN_KEPT_S = 30 * 24 * 3600
# Renew only while the key still names this holder (another may have taken it after it expired).
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class LeaseLostError(UnavailableError):
    """This process no longer holds the lease (or never did): it must not write."""


@dataclass(frozen=True)
class Holder:
    """Who holds a lease: a name, the address others reach it at, and its fencing token."""

    name: str
    address: str
    token: int

    def encode(self) -> str:
        return json.dumps({"name": self.name, "address": self.address, "token": self.token})

    @classmethod
    def decode(cls, raw: str | bytes) -> Holder:
        fields = json.loads(raw)
        return cls(str(fields["name"]), str(fields["address"]), int(fields["token"]))


class Fence:
    """Open while this process may write: until `margin_s` before its lease could have expired."""

    def __init__(self) -> None:
        self._open_until = 0.0  # time.monotonic()

    def open_until(self, deadline: float) -> None:
        self._open_until = deadline

    def close(self) -> None:
        self._open_until = 0.0

    @property
    def closes_at(self) -> float:
        """When the fence closes (time.monotonic()) unless the lease is renewed first."""
        return self._open_until

    @property
    def is_open(self) -> bool:
        return time.monotonic() < self._open_until

    def check(self) -> None:
        if not self.is_open:
            raise LeaseLostError("this instance is not the writer (its lease is not held)")


class Lease:
    def __init__(
        self,
        client: redis_async.Redis,
        key: str,
        *,
        name: str,
        address: str,
        ttl_s: float = 10.0,
        margin_s: float = 3.0,
    ) -> None:
        if not 0 < margin_s < ttl_s:
            raise ValueError("the lease's margin must be positive and shorter than its time to live")
        self._redis = client
        self.key = key
        self.name = name
        self.address = address
        self.ttl_s = ttl_s
        self.margin_s = margin_s
        self.fence = Fence()
        self.holder: Holder | None = None  # this process, while it holds the lease

    @property
    def held(self) -> bool:
        return self.holder is not None and self.fence.is_open

    async def try_acquire(self) -> bool:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(f"{self.key}:token")
            pipe.expire(f"{self.key}:token", TOKEN_KEPT_S)
            token = int((await pipe.execute())[0])
        holder = Holder(self.name, self.address, token)
        started = time.monotonic()
        if not await self._redis.set(self.key, holder.encode(), nx=True, px=self._ttl_ms):
            return False
        self.holder = holder
        self.fence.open_until(started + self.ttl_s - self.margin_s)
        return True

    async def acquire(self, poll_s: float = 0.5) -> Holder:
        """Wait until this process holds the lease."""
        waiting_on: Holder | None = None
        while not await self.try_acquire():
            current = await self.current()
            if current is not None and current != waiting_on:
                waiting_on = current
                logger.info(
                    "waiting for the lease %s, held by %s (%s)", self.key, current.name, current.address
                )
            await asyncio.sleep(poll_s)
        assert self.holder is not None
        return self.holder

    async def renew(self) -> None:
        """Extend the lease; raises LeaseLostError (and closes the fence) when another holds it."""
        if self.holder is None:
            raise LeaseLostError("the lease was never acquired")
        started = time.monotonic()
        renewed = await self._redis.eval(_RENEW, 1, self.key, self.holder.encode(), self._ttl_ms)
        if not renewed:
            self.fence.close()
            raise LeaseLostError(f"the lease {self.key} was taken over")
        self.fence.open_until(started + self.ttl_s - self.margin_s)

    async def keep(self, on_lost: Callable[[], Awaitable[None]]) -> None:
        """Renew every ttl/3 for as long as it is held; a renewal Redis refuses is retried until the fence
        closes. Calls `on_lost` once the lease is lost."""
        while True:
            await asyncio.sleep(self.ttl_s / 3)
            try:
                await self.renew()
            except LeaseLostError:
                logger.error("lost the lease %s", self.key)
                await on_lost()
                return
            except (RedisError, OSError):
                if not self.fence.is_open:
                    logger.error("could not renew the lease %s before its fence closed", self.key)
                    await on_lost()
                    return
                logger.warning("renewing the lease %s failed; retrying", self.key, exc_info=True)

    async def release(self) -> None:
        """Give the lease up at once (a clean stop), so the next holder need not wait for it to expire."""
        holder, self.holder = self.holder, None
        self.fence.close()
        if holder is not None:
            with contextlib.suppress(RedisError, OSError):
                await self._redis.eval(_RELEASE, 1, self.key, holder.encode())

    async def current(self) -> Holder | None:
        raw = await self._redis.get(self.key)
        return None if raw is None else Holder.decode(raw)

    @property
    def _ttl_ms(self) -> int:
        return int(self.ttl_s * 1000)
