"""Operator accounts: there is no sign-up; admins create operators."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from gateway.api.deps import AdminOperator, ContextDep, CurrentOperator
from gateway.models import OperatorCreate, OperatorPublic, OperatorUpdate
from t1lib.auth import Role

router = APIRouter(prefix="/operators", tags=["operators"])


def operator_view(document: dict[str, Any]) -> OperatorPublic:
    return OperatorPublic(
        id=document["_id"],
        username=document["username"],
        display_name=document.get("display_name", ""),
        role=document["role"],
        active=document.get("active", True),
        created_at=document["created_at"],
    )


@router.get("/me")
async def me(operator: CurrentOperator, context: ContextDep) -> OperatorPublic:
    return operator_view(await context.operators.get(operator.operator_id))


@router.get("")
async def list_operators(_admin: AdminOperator, context: ContextDep) -> list[OperatorPublic]:
    return [operator_view(document) for document in await context.operators.list()]


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_operator(body: OperatorCreate, _admin: AdminOperator, context: ContextDep) -> OperatorPublic:
    document = await context.accounts.create(body.username, body.password, Role(body.role), body.display_name)
    return operator_view(document)


@router.patch("/{operator_id}")
async def update_operator(
    operator_id: str, body: OperatorUpdate, _admin: AdminOperator, context: ContextDep
) -> OperatorPublic:
    return operator_view(await context.accounts.update(operator_id, body.model_dump()))
