"""Login, token refresh and logout."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials

from gateway.api.deps import ContextDep, bearer_scheme, decode_token
from gateway.context import AppContext
from gateway.domain.operators import principal_of
from gateway.models import LoginCreate, RefreshCreate, TokenPublic
from t1lib.auth import InvalidTokenError, Principal, issue_access_token
from t1lib.errors import NotFoundError

router = APIRouter(prefix="/auth", tags=["auth"])


async def tokens_for(context: AppContext, principal: Principal, session_id: str = "") -> TokenPublic:
    """An access token and the next refresh token of the login session (a new session when empty)."""
    ttl = context.settings.access_token_ttl_s
    refresh_token, session_id = await context.sessions.issue(principal.operator_id, session_id)
    return TokenPublic(
        access_token=issue_access_token(
            context.settings.jwt_secret.get_secret_value(), principal, timedelta(seconds=ttl), session_id
        ),
        refresh_token=refresh_token,
        expires_in=ttl,
    )


@router.post("/login")
async def login(body: LoginCreate, request: Request, context: ContextDep) -> TokenPublic:
    client_ip = request.client.host if request.client else "unknown"
    wait_s = await context.login_limiter.attempt(client_ip, body.username)
    if wait_s:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            f"too many failed logins; try again in {wait_s} s",
            headers={"Retry-After": str(wait_s)},
        )
    principal = await context.operators.authenticate(body.username, body.password)
    if principal is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong username or password")
    await context.login_limiter.succeeded(client_ip, body.username)
    return await tokens_for(context, principal)


@router.post("/refresh")
async def refresh(body: RefreshCreate, context: ContextDep) -> TokenPublic:
    grant = await context.sessions.consume(body.refresh_token)
    if grant is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "refresh token is invalid, expired or already used")
    try:
        document = await context.operators.get(grant.operator_id)
    except NotFoundError:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "operator no longer exists") from None
    if not document.get("active", True):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "operator is deactivated")
    return await tokens_for(context, principal_of(document), grant.session_id)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(
    body: RefreshCreate,
    context: ContextDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> None:
    """End the login session: its refresh token and (sent or not) its access tokens stop working."""
    await context.sessions.end(body.refresh_token)
    if credentials is not None:
        try:
            token = decode_token(credentials.credentials, context)
        except InvalidTokenError:
            return
        await context.access.end_session(token.session_id, context.settings.refresh_token_ttl_s)
