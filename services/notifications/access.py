"""A live socket lasts only as long as its token stands: checked against the accounts' published state
(t1lib.access) at connect and every CHECK_INTERVAL_S after, and ended at the token's expiry. A Redis
outage does not drop every console: the check is skipped until Redis answers again."""

from __future__ import annotations

import asyncio
import logging
import time

from redis.exceptions import RedisError

from t1lib.access import AccessGuard, AccessRevokedError
from t1lib.auth import AccessToken, Principal

logger = logging.getLogger(__name__)

CHECK_INTERVAL_S = 2.0


async def until_revoked(
    guard: AccessGuard, token: AccessToken, serving: Principal, interval_s: float = CHECK_INTERVAL_S
) -> str:
    """Returns why the socket must end, once it must: the token expired, its session ended, its account
    was deactivated, or the account's role is no longer the one the socket serves."""
    while True:
        remaining = token.expires_at - time.time()
        if remaining <= 0:
            return "the access token expired"
        await asyncio.sleep(min(interval_s, remaining))
        if time.time() >= token.expires_at:
            return "the access token expired"
        try:
            principal = await guard.principal(token)
        except AccessRevokedError as error:
            return str(error)
        except RedisError as error:
            logger.warning("live socket of %s not re-checked: %r", token.principal.operator_id, error)
            continue
        if principal.role is not serving.role:
            return "the operator's role changed; reconnect"
