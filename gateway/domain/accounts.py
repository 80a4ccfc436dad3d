"""Operator accounts and the state their tokens are checked against. Every change to an account is
published to the access guard (Redis, t1lib.access), so a deactivation, a demotion or a new password
takes effect on the next request and at the next check of a live socket. MongoDB stays the source: the
published state is dropped before each change and rebuilt from the stored account, so a failed publish
leaves a reload, never a stale grant."""

from __future__ import annotations

import time
from typing import Any

from gateway.domain.operators import Document, OperatorRepository
from t1lib.access import AccessGuard, AccessRevokedError, UnknownAccountError
from t1lib.auth import AccessToken, Principal, Role
from t1lib.errors import AlreadyExistsError, NotFoundError

VALID_AFTER_FIELD = "tokens_valid_after"


class Accounts:
    def __init__(self, repository: OperatorRepository, guard: AccessGuard) -> None:
        self.repository = repository
        self._guard = guard

    async def principal(self, token: AccessToken) -> Principal:
        """Who acts with `token` now; AccessRevokedError when it no longer stands."""
        try:
            return await self._guard.principal(token)
        except UnknownAccountError:
            try:
                await self.publish(await self.repository.get(token.principal.operator_id))
            except NotFoundError:
                raise AccessRevokedError("unknown account") from None
            return await self._guard.principal(token)

    async def publish(self, document: Document) -> None:
        await self._guard.publish_account(
            document["_id"],
            Role(document["role"]),
            bool(document.get("active", True)),
            valid_after=float(document.get(VALID_AFTER_FIELD) or 0),
        )

    async def publish_all(self) -> int:
        """Publish every account (at start: Redis may have been emptied)."""
        documents = await self.repository.list()
        for document in documents:
            await self.publish(document)
        return len(documents)

    async def create(self, username: str, password: str, role: Role, display_name: str = "") -> Document:
        document = await self.repository.create(username, password, role, display_name)
        await self.publish(document)
        return document

    async def ensure_admin(self, username: str, password: str) -> Document:
        """The configured admin (T1_ADMIN_USERNAME / T1_ADMIN_PASSWORD): created when missing, made an active
        admin with this password when it exists otherwise (the configuration wins; a changed password
        voids the account's earlier tokens)."""
        existing = await self.repository.find(username)
        if existing is None:
            try:
                return await self.create(username, password, Role.ADMIN, "Administrator")
            except AlreadyExistsError:  # another gateway instance created it meanwhile
                existing = await self.repository.find(username)
                assert existing is not None
        changes: dict[str, Any] = {}
        if existing["role"] != Role.ADMIN.value:
            changes["role"] = Role.ADMIN.value
        if not existing.get("active", True):
            changes["active"] = True
        if not await self.repository.has_password(existing, password):
            changes["password"] = password
        if not changes:
            return existing
        return await self.update(existing["_id"], changes)

    async def update(self, operator_id: str, changes: dict[str, Any]) -> Document:
        """Change an account; deactivation, a new role or a new password void every token issued so far."""
        before = await self.repository.get(operator_id)
        changes = {key: value for key, value in changes.items() if value is not None}
        voids = (
            changes.get("active") is False
            or ("role" in changes and changes["role"] != before["role"])
            or "password" in changes
        )
        if voids:
            changes[VALID_AFTER_FIELD] = time.time()
        await self._guard.forget_account(operator_id)
        document = await self.repository.update(operator_id, changes)
        await self.publish(document)
        return document
