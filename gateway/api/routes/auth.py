"""Login, token refresh and logout."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, HTTPException, Request, status

from gateway.api.deps import ContextDep
from gateway.context import AppContext
from gateway.domain.operators import principal_of
from gateway.models import LoginCreate, RefreshCreate, TokenPublic
from t1lib.auth import Principal, issue_access_token
from t1lib.errors import NotFoundError

router = APIRouter(prefix="/auth", tags=["auth"])


async def tokens_for(context: AppContext, principal: Principal) -> TokenPublic:
    ttl = context.settings.access_token_ttl_s
    return TokenPublic(
        access_token=issue_access_token(
            context.settings.jwt_secret.get_secret_value(), principal, timedelta(seconds=ttl)
        ),
        refresh_token=await context.sessions.issue(principal.operator_id),
        expires_in=ttl,
    )


@router.post("/login")
async def login(body: LoginCreate, request: Request, context: ContextDep) -> TokenPublic:
    client_ip = request.client.host if request.client else "unknown"
    wait_s = await context.login_limiter.retry_after(client_ip, body.username)
    if wait_s:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            f"too many failed logins; try again in {wait_s} s",
            headers={"Retry-After": str(wait_s)},
        )
    principal = await context.operators.authenticate(body.username, body.password)
    if principal is None:
        await context.login_limiter.record_failure(client_ip, body.username)
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong username or password")
    await context.login_limiter.reset(client_ip, body.username)
    return await tokens_for(context, principal)


@router.post("/refresh")
async def refresh(body: RefreshCreate, context: ContextDep) -> TokenPublic:
    operator_id = await context.sessions.consume(body.refresh_token)
    if operator_id is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "refresh token is invalid, expired or already used")
    try:
        document = await context.operators.get(operator_id)
    except NotFoundError:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "operator no longer exists") from None
    if not document.get("active", True):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "operator is deactivated")
    return await tokens_for(context, principal_of(document))


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(body: RefreshCreate, context: ContextDep) -> None:
    await context.sessions.revoke(body.refresh_token)
