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


@dataclass(frozen=True)
class AccessToken:
    """A verified access token: whom it was issued to, in which login session, and when."""

    principal: Principal
    session_id: str  # the login's refresh-token family: logout or a reused refresh token ends it
    issued_at: float  # epoch seconds
    expires_at: float


def issue_access_token(secret: str, principal: Principal, ttl: timedelta, session_id: str = "") -> str:
    now = datetime.now(UTC)
    claims = {
        "sub": principal.operator_id,
        "role": principal.role.value,
        "name": principal.username,
        "typ": ACCESS_TOKEN_TYPE,
        "sid": session_id,
        "iat": now,
        "iat_ms": int(now.timestamp() * 1000),  # "iat" is whole seconds; revocations need finer
        "exp": now + ttl,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def decode_access_token(secret: str, token: str) -> AccessToken:
    """The token's claims once its signature and expiry hold (whether its account and session still
    stand is t1lib.access's question)."""
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], options={"require": ["sub", "exp", "iat", "typ"]}
        )
    except jwt.PyJWTError as error:
        raise InvalidTokenError(str(error)) from error
    if claims.get("typ") != ACCESS_TOKEN_TYPE:
        raise InvalidTokenError("not an access token")
    try:
        role = Role(str(claims.get("role")))
    except ValueError as error:
        raise InvalidTokenError("unknown role") from error
    principal = Principal(operator_id=str(claims["sub"]), role=role, username=str(claims.get("name", "")))
    return AccessToken(
        principal=principal,
        session_id=str(claims.get("sid") or ""),
        issued_at=float(claims["iat_ms"]) / 1000 if "iat_ms" in claims else float(claims["iat"]),
        expires_at=float(claims["exp"]),
    )


def verify_access_token(secret: str, token: str) -> Principal:
    return decode_access_token(secret, token).principal
