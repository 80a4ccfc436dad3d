"""`/livez`, `/readyz` and `/healthz` (the older name of /livez) for probes and scripts, without a token.
Readiness reports each dependency (gateway/context.py `readiness` says which are required)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from gateway.models import LivenessPublic, ReadinessPublic
from t1lib.health import Probes

router = APIRouter(tags=["health"])


def _probes(request: Request) -> Probes:
    probes: Probes = request.app.state.probes
    return probes


@router.get(
    "/livez",
    response_model=LivenessPublic,
    responses={503: {"model": LivenessPublic, "description": "the event loop has stalled"}},
)
async def livez(request: Request) -> JSONResponse:
    code, body = _probes(request).liveness()
    return JSONResponse(body, status_code=code)


@router.get("/healthz", response_model=LivenessPublic, responses={503: {"model": LivenessPublic}})
async def healthz(request: Request) -> JSONResponse:
    """The same as /livez (kept for the scripts and checks that call it)."""
    return await livez(request)


@router.get(
    "/readyz",
    response_model=ReadinessPublic,
    responses={503: {"model": ReadinessPublic, "description": "a required dependency fails"}},
)
async def readyz(request: Request) -> JSONResponse:
    code, body = await _probes(request).readiness()
    return JSONResponse(body, status_code=code)
