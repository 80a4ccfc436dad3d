"""Webhook mode: a small HTTP endpoint Telegram POSTs updates to. Requests without the secret Telegram was
given in setWebhook (header X-Telegram-Bot-Api-Secret-Token) are refused with 403 and never processed."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import socket
from collections.abc import Iterator
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import Bot, Update

from services.bot import customer

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name


def webhook_app(bot: Bot, queue: asyncio.Queue[Any], path: str, secret: str) -> Starlette:
    """POST {path}: a Telegram Update, accepted only with the right secret header; GET /healthz. Plain
    customer messages are read as in polling (services.bot.polling), the rest by the library."""
    expected = secret.encode()

    async def receive(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            logger.warning("webhook request without the right secret token refused")
            return JSONResponse(
                {"ok": False, "description": "Forbidden: wrong secret token"}, status_code=403
            )
        try:
            data = await request.json()
            update = customer.plain_customer_message(data) or Update.de_json(data, bot)
        except Exception:
            return JSONResponse({"ok": False, "description": "Bad Request: not an Update"}, status_code=400)
        await queue.put(update)
        return JSONResponse({"ok": True})

    async def health(_request: Request) -> Response:
        return JSONResponse({"ok": True})

    return Starlette(routes=[Route(path, receive, methods=["POST"]), Route("/healthz", health)])


class _EmbeddedServer(uvicorn.Server):
    """uvicorn without its own signal handlers: the service's runtime owns SIGINT/SIGTERM."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class WebhookServer:
    def __init__(
        self,
        app: Starlette,
        *,
        host: str,
        port: int,
        sock: socket.socket | None = None,
        reuse_port: bool = False,
    ) -> None:
        self._sock = sock
        self._reuse_port = reuse_port
        self._host = host
        self._port = port
        self._server = _EmbeddedServer(
            uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, lifespan="off")
        )
        self._task: asyncio.Task[None] | None = None

    @property
    def port(self) -> int:
        return int(self._sock.getsockname()[1]) if self._sock is not None else self._port

    async def start(self) -> None:
        if self._sock is None:
            self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if self._reuse_port:
                self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            self._sock.bind((self._host, self._port))
        self._task = asyncio.create_task(self._server.serve(sockets=[self._sock]), name="bot-webhook")
        while not self._server.started:
            if self._task.done():
                self._task.result()
                raise RuntimeError("webhook server stopped while starting")
            await asyncio.sleep(0.01)
        logger.info("webhook listening on %s:%d", self._host, self.port)

    async def stop(self) -> None:
        if self._task is not None:
            self._server.should_exit = True
            await self._task
            self._task = None
