"""`/api/v1/ws`: the console's live event stream, relayed from the notifications service."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import websockets
from fastapi import APIRouter, HTTPException, WebSocket, WebSocketDisconnect, status
from websockets.typing import Subprotocol

from gateway.api.deps import admit, get_context
from gateway.context import AppContext
from t1lib.live_auth import PROTOCOL, bearer_token, offered_protocols
from t1lib.telemetry import WS_CONNECTIONS

router = APIRouter(tags=["live"])
logger = logging.getLogger(__name__)


@router.websocket("/ws")
async def live_events(websocket: WebSocket) -> None:
    """JSON events `{type, ticket_id, event_id, ticket, message}` for the tickets this operator may see.
    The access token comes as the subprotocol `bearer.<token>` next to `t1.v1` (t1lib.live_auth), never in
    the URL; the socket is accepted with `t1.v1`."""
    context: AppContext = get_context(websocket)  # type: ignore[arg-type]
    token = bearer_token(websocket.scope.get("subprotocols", ()))
    try:
        await admit(token, context)
    except HTTPException:
        await websocket.close(code=status.WS_1008_POLICY_VIOLATION, reason="invalid or expired access token")
        return
    try:
        # Uncompressed on loopback: deflate here cost notifications 15% of its CPU for no bandwidth saved.
        upstream = await websockets.connect(
            context.settings.notifications_ws_url,
            subprotocols=[Subprotocol(protocol) for protocol in offered_protocols(token)],
            open_timeout=5,
            compression=None,
        )
    except (OSError, websockets.InvalidHandshake, TimeoutError) as error:
        logger.warning("notifications unreachable: %r", error)
        await websocket.close(code=status.WS_1013_TRY_AGAIN_LATER, reason="live events unavailable")
        return
    await websocket.accept(subprotocol=PROTOCOL)
    WS_CONNECTIONS.inc()
    try:
        async with upstream:
            downstream = asyncio.create_task(_relay_down(upstream, websocket))
            upward = asyncio.create_task(_relay_up(websocket, upstream))
            _done, pending = await asyncio.wait({downstream, upward}, return_when=asyncio.FIRST_COMPLETED)
            for task in pending:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
    finally:
        WS_CONNECTIONS.dec()
    # Notifications' reason reaches the console (a revoked or expired token: sign in again).
    code, reason = upstream.close_code, upstream.close_reason
    with contextlib.suppress(RuntimeError, WebSocketDisconnect):
        if code is not None and code != status.WS_1000_NORMAL_CLOSURE:
            await websocket.close(code=code, reason=reason or "")
        else:
            await websocket.close()


async def _relay_down(upstream: websockets.ClientConnection, websocket: WebSocket) -> None:
    with contextlib.suppress(websockets.ConnectionClosed):
        async for frame in upstream:
            await websocket.send_text(frame if isinstance(frame, str) else frame.decode())


async def _relay_up(websocket: WebSocket, upstream: websockets.ClientConnection) -> None:
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            await upstream.send(await websocket.receive_text())
