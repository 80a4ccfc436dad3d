"""Refresh tokens and login rate limiting, in Redis."""

from __future__ import annotations

import redis.asyncio as redis_async

from gateway.core.security import new_refresh_token, token_digest


class SessionStore:
    def __init__(self, client: redis_async.Redis, ttl_s: int) -> None:
        self._redis = client
        self._ttl_s = ttl_s

    async def issue(self, operator_id: str) -> str:
        token = new_refresh_token()
        await self._redis.set(f"auth:refresh:{token_digest(token)}", operator_id, ex=self._ttl_s)
        return token

    async def consume(self, token: str) -> str | None:
        """The operator of a refresh token, which becomes unusable (rotation); None when unknown or used."""
        operator_id = await self._redis.getdel(f"auth:refresh:{token_digest(token)}")
        return None if operator_id is None else str(operator_id)

    async def revoke(self, token: str) -> None:
        await self._redis.delete(f"auth:refresh:{token_digest(token)}")


class LoginLimiter:
    """At most `attempts` failed logins per (client, username) per window."""

    def __init__(self, client: redis_async.Redis, attempts: int, window_s: int) -> None:
        self._redis = client
        self._attempts = attempts
        self._window_s = window_s

    def _key(self, client_ip: str, username: str) -> str:
        return f"auth:login-failures:{client_ip}:{username.lower()}"

    async def retry_after(self, client_ip: str, username: str) -> int:
        """Seconds to wait before trying again, 0 when a login attempt is allowed now."""
        key = self._key(client_ip, username)
        failures = await self._redis.get(key)
        if failures is None or int(failures) < self._attempts:
            return 0
        return max(int(await self._redis.ttl(key)), 1)

    async def record_failure(self, client_ip: str, username: str) -> None:
        key = self._key(client_ip, username)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, self._window_s, nx=True)
            await pipe.execute()

    async def reset(self, client_ip: str, username: str) -> None:
        await self._redis.delete(self._key(client_ip, username))
