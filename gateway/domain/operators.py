"""Operator accounts, owned by the gateway (MongoDB collection `operators`)."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING, AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from gateway.core.security import hash_password, verify_password
from t1lib.auth import Principal, Role
from t1lib.errors import AlreadyExistsError, InvalidArgumentError, NotFoundError

Document = dict[str, Any]


class OperatorRepository:
    def __init__(self, client: AsyncMongoClient[Document], database: str) -> None:
        self._db: AsyncDatabase[Document] = client[database]
        self._operators = self._db["operators"]

    async def create_indexes(self) -> None:
        await self._operators.create_index([("username", ASCENDING)], unique=True)

    async def create(self, username: str, password: str, role: Role, display_name: str = "") -> Document:
        document = {
            "_id": str(uuid.uuid4()),
            "username": username.lower(),
            # argon2 takes tens of ms of CPU on purpose: off the event loop, other requests go on.
            "password_hash": await asyncio.to_thread(hash_password, password),
            "role": role.value,
            "display_name": display_name or username,
            "active": True,
            "created_at": datetime.now(UTC),
        }
        try:
            await self._operators.insert_one(document)
        except DuplicateKeyError:
            raise AlreadyExistsError(f"operator {username!r} exists already") from None
        return document

    async def get(self, operator_id: str) -> Document:
        document = await self._operators.find_one({"_id": operator_id})
        if document is None:
            raise NotFoundError(f"operator {operator_id} not found")
        return document

    async def list(self) -> list[Document]:
        return [document async for document in self._operators.find({}).sort("username", ASCENDING)]

    async def update(self, operator_id: str, changes: Document) -> Document:
        fields = {key: value for key, value in changes.items() if value is not None}
        if "password" in fields:
            fields["password_hash"] = await asyncio.to_thread(hash_password, fields.pop("password"))
        if not fields:
            raise InvalidArgumentError("nothing to change")
        result = await self._operators.update_one({"_id": operator_id}, {"$set": fields})
        if result.matched_count == 0:
            raise NotFoundError(f"operator {operator_id} not found")
        return await self.get(operator_id)

    async def find(self, username: str) -> Document | None:
        return await self._operators.find_one({"username": username.lower()})

    async def has_password(self, document: Document, password: str) -> bool:
        return await asyncio.to_thread(verify_password, document.get("password_hash"), password)

    async def authenticate(self, username: str, password: str) -> Principal | None:
        document = await self._operators.find_one({"username": username.lower()})
        hashed = document["password_hash"] if document else None
        verified = await asyncio.to_thread(verify_password, hashed, password)
        if not verified or document is None or not document.get("active", True):
            return None
        return principal_of(document)

    async def ensure_first_admin(
        self, username: str, password: str | None, keep_generated: Callable[[str], None]
    ) -> bool:
        """Create the first admin when no admin exists; True when it was created. Without a password one
        is generated and handed to `keep_generated` before the account exists, so a password that could
        not be kept is never the admin's."""
        if await self._operators.find_one({"role": Role.ADMIN.value}) is not None:
            return False
        if not password:
            password = secrets.token_urlsafe(12)
            keep_generated(password)
        try:
            await self.create(username, password, Role.ADMIN, "Administrator")
        except AlreadyExistsError:
            return False  # another gateway instance created it meanwhile
        return True


def principal_of(document: Document) -> Principal:
    return Principal(operator_id=document["_id"], role=Role(document["role"]), username=document["username"])
