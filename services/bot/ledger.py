"""Delivery state in Redis, keyed by event id, so a redelivered operator reply is never sent twice.

    t1:bot:delivery:{event_id}        hash: "part:{i}" -> Telegram message id of each part, "done" -> time
    t1:bot:delivery:{event_id}:claim  the sender's token while it sends (SET NX PX, renewed while sending)

A sender claims the event, skips the parts already recorded, records each part right after Telegram
accepted it, marks the event done and drops its claim. A claim left by a crashed sender expires quickly
(it is renewed only while its owner is alive), so another sender can finish the remaining parts."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import redis.asyncio as redis_async

logger = logging.getLogger(__name__)

PREFIX = "t1:bot:delivery:"

# Delete / extend the claim only if it is still ours.
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
_RENEW = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then "
    "return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
)


class DeliveryBusyError(Exception):
    """Another sender holds the event's claim and did not finish in time; retry later."""


@dataclass(frozen=True)
class Claim:
    event_id: str
    token: str


class DeliveryLedger:
    def __init__(
        self,
        client: redis_async.Redis,
        *,
        claim_ttl_s: float = 15.0,
        state_ttl_s: int = 14 * 24 * 3600,
        prefix: str = PREFIX,
    ) -> None:
        self._redis = client
        self._claim_ttl_ms = max(1000, int(claim_ttl_s * 1000))
        self._state_ttl_s = state_ttl_s
        self._prefix = prefix

    def state_key(self, event_id: str) -> str:
        return f"{self._prefix}{event_id}"

    def claim_key(self, event_id: str) -> str:
        return f"{self._prefix}{event_id}:claim"

    async def is_done(self, event_id: str) -> bool:
        return bool(await self._redis.hexists(self.state_key(event_id), "done"))

    async def sent_parts(self, event_id: str) -> dict[int, int]:
        """Index of each part already sent -> its Telegram message id."""
        fields = await self._redis.hgetall(self.state_key(event_id))
        parts: dict[int, int] = {}
        for raw_name, value in fields.items():
            name = raw_name.decode() if isinstance(raw_name, bytes) else raw_name
            if name.startswith("part:"):
                parts[int(name.removeprefix("part:"))] = int(value)
        return parts

    async def try_claim(self, event_id: str) -> Claim | None:
        token = secrets.token_hex(12)
        acquired = await self._redis.set(self.claim_key(event_id), token, nx=True, px=self._claim_ttl_ms)
        return Claim(event_id, token) if acquired else None

    async def claim(self, event_id: str, wait_s: float) -> Claim | None:
        """Our claim on the event, waiting up to `wait_s` for another sender; None once the event is done."""
        deadline = time.monotonic() + wait_s
        while True:
            if await self.is_done(event_id):
                return None
            claim = await self.try_claim(event_id)
            if claim is not None:
                return claim
            if time.monotonic() >= deadline:
                raise DeliveryBusyError(f"event {event_id} is being delivered by another sender")
            await asyncio.sleep(0.2)

    async def renew(self, claim: Claim) -> bool:
        renewed = await self._redis.eval(
            _RENEW, 1, self.claim_key(claim.event_id), claim.token, str(self._claim_ttl_ms)
        )
        return bool(renewed)

    async def release(self, claim: Claim) -> None:
        await self._redis.eval(_RELEASE, 1, self.claim_key(claim.event_id), claim.token)

    async def record_part(self, event_id: str, index: int, telegram_message_id: int) -> None:
        key = self.state_key(event_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, f"part:{index}", str(telegram_message_id))
            pipe.expire(key, self._state_ttl_s)
            await pipe.execute()

    async def mark_done(self, event_id: str) -> None:
        key = self.state_key(event_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, "done", datetime.now(UTC).isoformat())
            pipe.expire(key, self._state_ttl_s)
            await pipe.execute()

    @contextlib.asynccontextmanager
    async def held(self, claim: Claim) -> AsyncIterator[None]:
        """Keep the claim alive while the block runs; release it afterwards."""
        period = self._claim_ttl_ms / 3000

        async def keep_alive() -> None:
            while True:
                await asyncio.sleep(period)
                try:
                    renewed = await self.renew(claim)
                except Exception:  # Redis unreachable for a moment: try again next period
                    logger.warning("could not renew the claim of event %s", claim.event_id, exc_info=True)
                    continue
                if not renewed:
                    logger.warning("lost the delivery claim of event %s", claim.event_id)
                    return

        task = asyncio.create_task(keep_alive())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await self.release(claim)
