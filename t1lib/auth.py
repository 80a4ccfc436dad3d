"""Operator access tokens (JWT, HS256). Issued by the gateway, verified by the gateway and notifications."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import jwt

ALGORITHM = "HS256"
ACCESS_TOKEN_TYPE = "access"  # noqa: S105 - a claim value, not a secret


class Role(StrEnum):
    OPERATOR = "operator"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    """Who is calling: an operator id, their role and display username."""

    operator_id: str
    role: Role
    username: str

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


class InvalidTokenError(Exception):
    """The token is missing, malformed, expired or not an access token."""


def issue_access_token(secret: str, principal: Principal, ttl: timedelta) -> str:
    now = datetime.now(UTC)
    claims = {
        "sub": principal.operator_id,
        "role": principal.role.value,
        "name": principal.username,
        "typ": ACCESS_TOKEN_TYPE,
        "iat": now,
        "exp": now + ttl,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_access_token(secret: str, token: str) -> Principal:
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["sub", "exp", "typ"]})
    except jwt.PyJWTError as error:
        raise InvalidTokenError(str(error)) from error
    if claims.get("typ") != ACCESS_TOKEN_TYPE:
        raise InvalidTokenError("not an access token")
    try:
        role = Role(str(claims.get("role")))
    except ValueError as error:
        raise InvalidTokenError("unknown role") from error
    return Principal(operator_id=str(claims["sub"]), role=role, username=str(claims.get("name", "")))
