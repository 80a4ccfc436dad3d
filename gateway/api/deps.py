"""Annotated dependencies of the routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from gateway.context import AppContext
from t1lib.auth import InvalidTokenError, Principal, verify_access_token

_bearer = HTTPBearer(auto_error=False, description="Access token from POST /api/v1/auth/login")


def get_context(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


ContextDep = Annotated[AppContext, Depends(get_context)]


def authenticate(token: str, context: AppContext) -> Principal:
    try:
        return verify_access_token(context.settings.jwt_secret.get_secret_value(), token)
    except InvalidTokenError:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "invalid or expired access token",
            headers={"WWW-Authenticate": "Bearer"},
        ) from None


def get_current_operator(
    context: ContextDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "not authenticated", headers={"WWW-Authenticate": "Bearer"}
        )
    return authenticate(credentials.credentials, context)


CurrentOperator = Annotated[Principal, Depends(get_current_operator)]


def get_admin(operator: CurrentOperator) -> Principal:
    if not operator.is_admin:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "admins only")
    return operator


AdminOperator = Annotated[Principal, Depends(get_admin)]
