"""A real WebSocket client (centrifuge-python) that records what it receives.

Tests use it to see the server API's effects from the client side: that
publications arrive with the exact data, that server-side subscribe and
unsubscribe reach the connection, and how disconnect and refresh close it.
Every wait is bounded.

The library connects, subscribes and reports closes; what arrives is read
from the protocol replies themselves, on their way into the library. Library
versions differ in what they report (0.5.2, what Python 3.9 gets, ignores
`subscribe` pushes and the publications that follow them; none reports
`refresh` pushes), while the protocol is the server's own word.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict, List, Optional

import centrifuge
from centrifuge import (
    ClientEventHandler,
    ConnectedContext,
    ConnectingContext,
    DisconnectedContext,
)

from cent.testing.server import CentrifugoServer, hs256_jwt

WAIT = 5.0
"""Seconds to wait for an event that should come."""

QUIET = 0.5
"""Seconds to watch for an event that should not come."""


@dataclass
class Event:
    """One thing the connection saw.

    `kind` is one of `connected`, `publication`, `subscribed` (a server-side
    subscription, from the token or a `subscribe` push; `data` is the data
    it came with), `unsubscribed`, `closed` (the server closed the
    connection: `code`, `reason`) and `push` (every push, as sent, in `raw`).
    """

    kind: str
    channel: str = ""
    data: Any = None
    tags: Dict[str, str] = field(default_factory=dict)
    offset: int = 0
    code: int = 0
    reason: str = ""
    raw: Any = None


class Subscriber:
    """One connection to the test server, as user `user`.

    Args:
        server: The server to connect to.
        user: The user ID signed into the connection token.
        channels: Server-side subscriptions, given in the token.
        ttl: Seconds until the connection token expires.
        info: Connection info, shown as `conn_info` in presence.
    """

    def __init__(
        self,
        server: CentrifugoServer,
        user: str,
        *,
        channels: Optional[List[str]] = None,
        ttl: int = 3600,
        info: Any = None,
    ) -> None:
        self.user = user
        self.client_id = ""
        self.events: List[Event] = []
        self._taken: set[int] = set()
        self._changed = asyncio.Condition()
        self.client = centrifuge.Client(
            server.ws_url,
            events=_ClientEvents(self),
            token=_token(server, user, ttl, channels, info),
            timeout=WAIT,
            # A closed connection must stay closed while the test looks at it.
            min_reconnect_delay=60.0,
            max_reconnect_delay=60.0,
            proxy=None,
        )
        # Watch every reply on its way into the library.
        self.client._process_reply = self._tap(self.client._process_reply)

    async def connect(self) -> None:
        """Connect and wait until the server accepted the connection."""
        await self.client.connect()
        await self.client.ready(WAIT)
        self.client_id = self.client.client_id

    async def subscribe(self, channel: str) -> None:
        """Subscribe from the client side and wait until subscribed."""
        subscription = self.client.new_subscription(channel)
        await subscription.subscribe()
        await subscription.ready(WAIT)

    async def close(self) -> None:
        """Disconnect; harmless when already closed."""
        await self.client.disconnect()

    async def expect(
        self,
        kind: str,
        channel: Optional[str] = None,
        *,
        where: Optional[Callable[[Event], bool]] = None,
        timeout: float = WAIT,
    ) -> Event:
        """Wait for the first event of `kind` not taken yet, take and return it."""

        async def found() -> Event:
            async with self._changed:
                while True:
                    event = self._take(kind, channel, where)
                    if event is not None:
                        return event
                    await self._changed.wait()

        try:
            return await asyncio.wait_for(found(), timeout)
        except asyncio.TimeoutError:
            raise AssertionError(
                f"{self.user}: no {kind} event on {channel!r} within {timeout} s; "
                f"saw {self.events}"
            ) from None

    async def expect_publication(self, channel: str) -> Event:
        """Wait for the next publication in `channel`."""
        return await self.expect("publication", channel)

    async def expect_none(
        self, kind: str, channel: Optional[str] = None, within: float = QUIET
    ) -> None:
        """Fail if an event of `kind` comes within `within` seconds."""
        await asyncio.sleep(within)
        event = self._take(kind, channel, None)
        assert event is None, f"{self.user}: unexpected {event}"

    def _take(
        self,
        kind: str,
        channel: Optional[str],
        where: Optional[Callable[[Event], bool]],
    ) -> Optional[Event]:
        for index, event in enumerate(self.events):
            if index in self._taken or event.kind != kind:
                continue
            if channel is not None and event.channel != channel:
                continue
            if where is not None and not where(event):
                continue
            self._taken.add(index)
            return event
        return None

    async def record(self, event: Event) -> None:
        """Add an event and wake up whoever waits."""
        async with self._changed:
            self.events.append(event)
            self._changed.notify_all()

    def _tap(
        self, process: Callable[[Dict[str, Any]], Awaitable[None]]
    ) -> Callable[[Dict[str, Any]], Awaitable[None]]:
        async def process_reply(reply: Dict[str, Any]) -> None:
            await self._observe(reply)
            await process(reply)

        return process_reply

    async def _observe(self, reply: Dict[str, Any]) -> None:
        connect = reply.get("connect")
        if connect is not None:
            for channel, subscribed in (connect.get("subs") or {}).items():
                await self.record(
                    Event("subscribed", channel, data=subscribed.get("data"))
                )
        push = reply.get("push")
        if not push:
            return
        # Pushes name their channel: Centrifugo 5.4.9 and 6.9.1 never enable
        # channel ID compaction.
        channel = push.get("channel", "")
        await self.record(Event("push", channel, raw=push))
        if "pub" in push:
            pub = push["pub"]
            await self.record(
                Event(
                    "publication",
                    channel,
                    data=pub.get("data"),
                    tags=pub.get("tags") or {},
                    offset=pub.get("offset", 0),
                )
            )
        elif "subscribe" in push:
            data = push["subscribe"].get("data")
            await self.record(Event("subscribed", channel, data=data))
        elif "unsubscribe" in push:
            await self.record(Event("unsubscribed", channel))

    def __repr__(self) -> str:
        return f"Subscriber({self.user!r}, client_id={self.client_id!r})"


def _token(
    server: CentrifugoServer,
    user: str,
    ttl: int,
    channels: Optional[List[str]],
    info: Any,
) -> str:
    if info is None:
        return server.connection_token(user, ttl=ttl, channels=channels)
    now = int(time.time())
    claims = {"sub": user, "exp": now + ttl, "info": info}
    if channels is not None:
        claims["channels"] = channels
    return hs256_jwt(claims, server.hmac_secret)


class _ClientEvents(ClientEventHandler):
    def __init__(self, subscriber: Subscriber) -> None:
        self._subscriber = subscriber

    async def on_connected(self, ctx: ConnectedContext) -> None:
        await self._subscriber.record(Event("connected", data=ctx.client))

    async def on_connecting(self, ctx: ConnectingContext) -> None:
        # Also reported when connect() is called (code 0): only a server close
        # of an open connection counts.
        if ctx.code >= 3000:
            await self._closed(ctx.code, ctx.reason)

    async def on_disconnected(self, ctx: DisconnectedContext) -> None:
        await self._closed(ctx.code, ctx.reason)

    async def _closed(self, code: int, reason: str) -> None:
        await self._subscriber.record(Event("closed", code=code, reason=reason))
