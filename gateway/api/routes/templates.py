"""Canned replies: every operator reads and searches them, admins write them (gateway/domain/templates.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from gateway.api.deps import AdminOperator, ContextDep, CurrentOperator
from gateway.domain.templates import ReplyTemplate, search
from gateway.models import TemplateCreate, TemplatePublic

router = APIRouter(prefix="/templates", tags=["templates"])


def template_view(template: ReplyTemplate) -> TemplatePublic:
    return TemplatePublic(
        id=template.id,
        title=template.title,
        text=template.text,
        category=template.category,
        created_at=template.created_at,
        updated_at=template.updated_at,
        updated_by=template.updated_by,
    )


@router.get("")
async def list_templates(
    _operator: CurrentOperator,
    context: ContextDep,
    q: Annotated[
        str | None, Query(max_length=200, description="every word in the title, text or category")
    ] = None,
    category: Annotated[str | None, Query(max_length=200)] = None,
) -> list[TemplatePublic]:
    """Every template (at most 500), sorted by title; `q` and `category` narrow them."""
    found = search(await context.templates.list(), q or "", category or "")
    return [template_view(template) for template in found]


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_template(body: TemplateCreate, admin: AdminOperator, context: ContextDep) -> TemplatePublic:
    created = await context.templates.create(body.title, body.text, body.category, admin.operator_id)
    return template_view(created)


@router.put("/{template_id}")
async def replace_template(
    template_id: str, body: TemplateCreate, admin: AdminOperator, context: ContextDep
) -> TemplatePublic:
    replaced = await context.templates.replace(
        template_id, body.title, body.text, body.category, admin.operator_id
    )
    return template_view(replaced)


@router.delete("/{template_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_template(template_id: str, _admin: AdminOperator, context: ContextDep) -> None:
    await context.templates.delete(template_id)
