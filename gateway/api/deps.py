"""Annotated dependencies of the routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from gateway.context import AppContext
from t1lib.auth import AccessToken, InvalidTokenError, Principal, decode_access_token

bearer_scheme = HTTPBearer(auto_error=False, description="Access token from POST /api/v1/auth/login")


def get_context(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


ContextDep = Annotated[AppContext, Depends(get_context)]


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "Bearer"})


def decode_token(token: str, context: AppContext) -> AccessToken:
    return decode_access_token(context.settings.jwt_secret.get_secret_value(), token)


async def admit(token: str, context: AppContext) -> Principal:
    """Who acts with `token` now: a genuine, unexpired token whose account is active and whose session
    has not ended, with the account's current role."""
    try:
        return await context.accounts.principal(decode_token(token, context))
    except InvalidTokenError as error:
        raise _unauthorized(f"invalid or expired access token: {error}") from None


async def get_current_operator(
    context: ContextDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Principal:
    if credentials is None:
        raise _unauthorized("not authenticated")
    return await admit(credentials.credentials, context)


CurrentOperator = Annotated[Principal, Depends(get_current_operator)]


def get_admin(operator: CurrentOperator) -> Principal:
    if not operator.is_admin:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "admins only")
    return operator


AdminOperator = Annotated[Principal, Depends(get_admin)]
