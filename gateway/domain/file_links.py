"""Short-lived links to stored files, served by the gateway itself (`GET /api/v1/files/{link}`).

A link is a signed token naming the object, the type and name it is served with, and when it expires: the
browser's <img>, <audio> and download links can use it without an Authorization header, yet nobody can
forge one or open another object with it. The signing key is derived from the access tokens' secret, so a
link is never an access token and an access token never a link."""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from dataclasses import dataclass

import jwt

from t1lib.errors import PermissionDeniedError

_ALGORITHM = "HS256"
_AUDIENCE = "t1.file"
# Expiry is rounded up to this step, so a conversation fetched again within it gets the same URLs and the
# browser shows the pictures from its cache.
_EXPIRY_STEP_S = 60


class InvalidFileLinkError(PermissionDeniedError):
    """The link was not issued here, was altered or has expired."""


@dataclass(frozen=True)
class FileRef:
    """What a valid link opens: the object and how it is served."""

    s3_key: str
    mime_type: str
    file_name: str
    expires_at: int  # epoch seconds


class FileLinks:
    def __init__(self, secret: str, ttl_s: int, prefix: str = "/api/v1/files/") -> None:
        self._key = hmac.new(secret.encode(), b"t1 file links v1", hashlib.sha256).digest()
        self._ttl_s = ttl_s
        self._prefix = prefix

    def issue(self, s3_key: str, mime_type: str, file_name: str, now: float | None = None) -> str:
        """The URL path of a link valid for at least the configured time."""
        issued = time.time() if now is None else now
        expires = math.ceil((issued + self._ttl_s) / _EXPIRY_STEP_S) * _EXPIRY_STEP_S
        claims = {"aud": _AUDIENCE, "k": s3_key, "t": mime_type, "n": file_name, "exp": expires}
        return self._prefix + jwt.encode(claims, self._key, algorithm=_ALGORITHM)

    def read(self, link: str) -> FileRef:
        try:
            claims = jwt.decode(
                link,
                self._key,
                algorithms=[_ALGORITHM],
                audience=_AUDIENCE,
                options={"require": ["exp", "aud", "k"]},
            )
            return FileRef(
                s3_key=str(claims["k"]),
                mime_type=str(claims.get("t", "")),
                file_name=str(claims.get("n", "")),
                expires_at=int(claims["exp"]),
            )
        except (jwt.PyJWTError, KeyError, TypeError, ValueError):
            raise InvalidFileLinkError("invalid or expired file link") from None
