"""Login sessions (refresh tokens) and login rate limiting, in Redis.

A login starts a session: a family of refresh tokens, each used once (rotation). Presenting a token of
the family that was already used means it was copied: the whole session ends (its access tokens stop at
their next use, t1lib.access), and so does logout.

    auth:refresh:{digest}        JSON {operator_id, session_id} of a usable refresh token
    auth:refresh-used:{digest}   session_id of a token already rotated (reuse detection)
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

import redis.asyncio as redis_async

from gateway.core.security import new_refresh_token, token_digest
from t1lib.access import AccessGuard


@dataclass(frozen=True)
class RefreshGrant:
    operator_id: str
    session_id: str


class SessionStore:
    def __init__(self, client: redis_async.Redis, guard: AccessGuard, ttl_s: int) -> None:
        self._redis = client
        self._guard = guard
        self._ttl_s = ttl_s

    async def issue(self, operator_id: str, session_id: str = "") -> tuple[str, str]:
        """A refresh token of `session_id` (a new session when empty): (token, session id)."""
        session_id = session_id or uuid.uuid4().hex
        token = new_refresh_token()
        record = json.dumps({"operator_id": operator_id, "session_id": session_id})
        await self._redis.set(f"auth:refresh:{token_digest(token)}", record, ex=self._ttl_s)
        return token, session_id

    async def consume(self, token: str) -> RefreshGrant | None:
        """The grant of a refresh token, which becomes unusable (rotation); None when unknown, expired or
        used. A used one ends its whole session."""
        digest = token_digest(token)
        raw = await self._redis.getdel(f"auth:refresh:{digest}")
        if raw is None:
            reused = await self._redis.get(f"auth:refresh-used:{digest}")
            if reused:
                await self._guard.end_session(str(reused), self._ttl_s)
            return None
        grant = _grant_of(raw)
        if await self._guard.session_ended(grant.session_id):
            return None
        await self._redis.set(f"auth:refresh-used:{digest}", grant.session_id, ex=self._ttl_s)
        return grant

    async def end(self, token: str) -> None:
        """Logout: the token's session ends, with every refresh and access token of it."""
        raw = await self._redis.getdel(f"auth:refresh:{token_digest(token)}")
        if raw is not None:
            await self._guard.end_session(_grant_of(raw).session_id, self._ttl_s)


def _grant_of(raw: str | bytes) -> RefreshGrant:
    text = raw.decode() if isinstance(raw, bytes) else raw
    try:
        record = json.loads(text)
        return RefreshGrant(str(record["operator_id"]), str(record.get("session_id") or ""))
    except (ValueError, KeyError, TypeError):
        return RefreshGrant(text, "")  # stored before sessions: the operator id alone


class LoginLimiter:
    """At most `attempts` failed logins per (client, username) and `client_attempts` per client (over
    every username) per window. Each attempt is counted before the password is checked, so parallel
    attempts cannot slip past the limit; a successful login takes its attempt back."""

    def __init__(self, client: redis_async.Redis, attempts: int, client_attempts: int, window_s: int) -> None:
        self._redis = client
        self._attempts = attempts
        self._client_attempts = client_attempts
        self._window_s = window_s

    def _keys(self, client_ip: str, username: str) -> tuple[str, str]:
        return f"auth:login-failures:{client_ip}:{username.lower()}", f"auth:login-failures-ip:{client_ip}"

    async def attempt(self, client_ip: str, username: str) -> int:
        """Count an attempt; returns 0 when it may go on, else the seconds to wait (the attempt is then not
        counted)."""
        user_key, ip_key = self._keys(client_ip, username)
        async with self._redis.pipeline(transaction=True) as pipe:
            for key in (user_key, ip_key):
                pipe.incr(key)
                pipe.expire(key, self._window_s, nx=True)
            user_count, _, ip_count, _ = await pipe.execute()
        if int(user_count) <= self._attempts and int(ip_count) <= self._client_attempts:
            return 0
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.decr(user_key)
            pipe.decr(ip_key)
            pipe.ttl(user_key if int(user_count) > self._attempts else ip_key)
            *_, ttl = await pipe.execute()
        return max(int(ttl), 1)

    async def succeeded(self, client_ip: str, username: str) -> None:
        """A login that succeeded: its user's failures are forgotten and the client's attempt taken back."""
        user_key, ip_key = self._keys(client_ip, username)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(user_key)
            pipe.decr(ip_key)
            await pipe.execute()
