"""How the live WebSocket carries its access token: in the `Sec-WebSocket-Protocol` header, never in the
URL (URLs end up in access logs, proxies' logs and browser history). The client offers two subprotocols,
`t1.v1` and `bearer.<access token>`; the server accepts with `t1.v1` (a JWT is made of characters a
subprotocol name may hold). The console, the gateway's relay to notifications and the tests all use it."""

from __future__ import annotations

from collections.abc import Iterable

PROTOCOL = "t1.v1"
_BEARER = "bearer."


def offered_protocols(token: str) -> list[str]:
    """What a client offers to be let in with `token`."""
    return [PROTOCOL, f"{_BEARER}{token}"]


def bearer_token(offered: Iterable[str]) -> str:
    """The access token among the subprotocols a client offered; "" when it offered none."""
    for protocol in offered:
        if protocol.startswith(_BEARER):
            return protocol.removeprefix(_BEARER)
    return ""
