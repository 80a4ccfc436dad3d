"""The gateway app: REST + WebSocket for the operator console."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import grpc
from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope

from gateway.api.routes import (
    auth,
    files,
    health,
    knowledge,
    operators,
    search,
    stats,
    templates,
    ticket_history,
    tickets,
    typing_indicator,
    ws,
)
from gateway.api.routes import console as console_settings
from gateway.context import AppContext
from gateway.core.config import Settings
from gateway.core.errors import (
    ERROR_RESPONSES,
    grpc_error_handler,
    http_status_for,
    validation_error_handler,
)
from gateway.core.headers import SecurityHeaders
from gateway.core.metrics import HttpMetrics
from gateway.core.static import CompressedStaticFiles
from t1lib.errors import DomainError
from t1lib.grpc.errors import status_for
from t1lib.health import Probes, serving
from t1lib.private_files import write_private
from t1lib.tracing import instrument_fastapi

logger = logging.getLogger(__name__)
# A file's form fields and part headers besides the file itself.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


async def domain_error_handler(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    return JSONResponse(status_code=http_status_for(status_for(error)), content={"detail": str(error)})


def create_app(settings: Settings, probes: Probes | None = None) -> FastAPI:
    """`probes` answer /livez and /readyz (a new one unless given); the process's ops server reports the
    same readiness."""
    probes = probes or Probes()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        context = await AppContext.create(settings)
        password = settings.admin_password.get_secret_value() if settings.admin_password else None
        password_file = Path(settings.admin_password_file)
        if password:
            await context.accounts.ensure_admin(settings.admin_username, password)
        # A generated password goes to a file only this user can read, never to the log.
        created = await context.operators.ensure_first_admin(
            settings.admin_username,
            password,
            keep_generated=lambda generated: write_private(password_file, f"{generated}\n"),
        )
        if created and not password:
            logger.warning(
                "created the first admin %r; its generated password is kept in %s",
                settings.admin_username,
                password_file,
            )
        await context.accounts.publish_all()
        app.state.context = context
        try:
            async with serving(context.readiness, probes):
                yield
        finally:
            await context.close()

    app = FastAPI(
        title="T1 Support gateway",
        version="0.1.0",
        lifespan=lifespan,
        max_body_size=settings.max_json_body_bytes,
    )
    app.state.probes = probes
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["*"],
        allow_headers=["*"],
    )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(HttpMetrics)  # last added, outermost: it times the other middleware too
    app.add_exception_handler(grpc.aio.AioRpcError, grpc_error_handler)
    app.add_exception_handler(DomainError, domain_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)

    api = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)
    # Request bodies are refused with 413 beyond a limit (a declared length at once, a streamed body as
    # soon as it passes it): the app's for JSON bodies, larger ones for knowledge-base entries and files.
    for module in (
        auth,
        operators,
        tickets,
        ticket_history,
        typing_indicator,
        templates,
        search,
        stats,
        console_settings,
        files,
        ws,
    ):
        api.include_router(module.router)
    api.include_router(knowledge.router, max_body_size=settings.max_kb_body_bytes)
    api.include_router(tickets.uploads, max_body_size=settings.max_upload_bytes + MULTIPART_OVERHEAD_BYTES)
    app.include_router(api)

    app.include_router(health.router)

    console = Path(settings.console_dir)
    if (console / "index.html").is_file():
        app.mount("/", SinglePageApp(directory=console, html=True), name="console")
    # Spans for the API's requests; the console's files and the live socket (hours long) get none.
    instrument_fastapi(app, excluded_urls=r"^https?://[^/]+/(?!api/),/api/v1/ws$")
    return app


def _is_api(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


class SinglePageApp(CompressedStaticFiles):
    """The console's files (cached and compressed as gateway/core/static.py says); unknown paths outside
    /api get index.html so client-side routes work."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            return await super().get_response(path, scope)
        except StarletteHTTPException as error:
            # The request's own path, not the normalised file path: /api/v1/x/..%2F.. is "api" here.
            requested = str(scope.get("path", ""))
            if error.status_code != 404 or path.startswith("api/") or _is_api(requested):
                raise
            return await super().get_response("index.html", scope)
