"""Whether an access token still stands. A signed, unexpired token is not enough: its account must be
active, the role it acts with is the account's current one, and its login session must not have ended
(logout, a reused refresh token) nor been voided (deactivation, demotion, a password change).

The gateway owns the operator accounts (MongoDB) and publishes each one's state to Redis, where the
gateway (every request) and notifications (every live socket, every few seconds) read it:

    t1:auth:account:{operator_id}       hash: role, active ("1"/"0"), valid_after (epoch s: older tokens void)
    t1:auth:ended-session:{session_id}  set while the session's tokens could still be alive
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import redis.asyncio as redis_async

from t1lib.auth import AccessToken, InvalidTokenError, Principal, Role

ACCOUNT_PREFIX = "t1:auth:account:"
ENDED_SESSION_PREFIX = "t1:auth:ended-session:"


class AccessRevokedError(InvalidTokenError):
    """The token is genuine but no longer stands (account deactivated or unknown, session ended)."""


class UnknownAccountError(AccessRevokedError):
    """No state is published for the account (never, or Redis was emptied): its owner may publish it."""


@dataclass(frozen=True)
class AccountState:
    role: Role
    active: bool
    valid_after: float  # tokens issued before this moment (epoch seconds) are void


class AccessGuard:
    def __init__(self, redis: redis_async.Redis) -> None:
        self._redis = redis

    async def principal(self, token: AccessToken) -> Principal:
        """Who acts with `token` now (with the account's current role); AccessRevokedError otherwise."""
        operator_id = token.principal.operator_id
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.hgetall(ACCOUNT_PREFIX + operator_id)
            pipe.exists(ENDED_SESSION_PREFIX + (token.session_id or "-"))
            raw, ended = await pipe.execute()
        state = _state_of(raw)
        if state is None:
            raise UnknownAccountError("unknown account")
        if not state.active:
            raise AccessRevokedError("the account is deactivated")
        if token.issued_at < state.valid_after:
            raise AccessRevokedError("the token was revoked; sign in again")
        if ended:
            raise AccessRevokedError("the session has ended; sign in again")
        return Principal(operator_id=operator_id, role=state.role, username=token.principal.username)

    async def account(self, operator_id: str) -> AccountState | None:
        return _state_of(await self._redis.hgetall(ACCOUNT_PREFIX + operator_id))

    async def publish_account(self, operator_id: str, role: Role, active: bool, valid_after: float) -> None:
        """Record an account's state (its owner calls this on every change)."""
        await self._redis.hset(
            ACCOUNT_PREFIX + operator_id,
            mapping={"role": role.value, "active": "1" if active else "0", "valid_after": repr(valid_after)},
        )

    async def forget_account(self, operator_id: str) -> None:
        """Drop an account's state before its owner changes it: until published again, it is reloaded."""
        await self._redis.delete(ACCOUNT_PREFIX + operator_id)

    async def session_ended(self, session_id: str) -> bool:
        return bool(session_id) and bool(await self._redis.exists(ENDED_SESSION_PREFIX + session_id))

    async def end_session(self, session_id: str, ttl_s: int) -> None:
        """End a login session: its access tokens stop at their next use (kept as long as one could live)."""
        if session_id:
            await self._redis.set(ENDED_SESSION_PREFIX + session_id, "1", ex=max(1, ttl_s))


def _state_of(raw: Mapping[Any, Any]) -> AccountState | None:
    fields = {_text(key): _text(value) for key, value in raw.items()}
    if "role" not in fields:
        return None
    try:
        return AccountState(
            role=Role(fields["role"]),
            active=fields.get("active") == "1",
            valid_after=float(fields.get("valid_after") or 0),
        )
    except ValueError:
        return None


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value
