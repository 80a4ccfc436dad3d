"""What the console needs to know of the desk's settings (the SLA thresholds it colours waiting by)."""

from __future__ import annotations

from fastapi import APIRouter

from gateway.api.deps import ContextDep, CurrentOperator
from gateway.domain.access import may_see_traces
from gateway.models import ConsoleSettingsPublic

router = APIRouter(prefix="/console", tags=["console"])


@router.get("/settings")
async def console_settings(operator: CurrentOperator, context: ContextDep) -> ConsoleSettingsPublic:
    settings = context.settings
    return ConsoleSettingsPublic(
        sla_warning_s=settings.sla_warning_s,
        sla_breach_s=settings.sla_breach_s,
        trace_ui_url=(settings.trace_ui_url or None) if may_see_traces(operator) else None,
    )
