"""Per-method shortcuts shared by every client. Generated: do not edit.

Written by scripts/gen_shortcuts.py from the builders' signatures; each
shortcut builds the request and calls `send`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Optional, TypeVar

from cent._builders import (
    MISSING,
    BatchRequest,
    BroadcastRequest,
    ChannelsRequest,
    Disconnect,
    DisconnectRequest,
    HistoryRemoveRequest,
    HistoryRequest,
    InfoRequest,
    PresenceRequest,
    PresenceStatsRequest,
    PublishRequest,
    RefreshRequest,
    Request,
    RPCRequest,
    SubscribeOverride,
    SubscribeRequest,
    UnsubscribeRequest,
)
from cent._results import (
    BatchResult,
    BroadcastResult,
    ChannelsResult,
    DisconnectResult,
    HistoryRemoveResult,
    HistoryResult,
    InfoResult,
    PresenceResult,
    PresenceStatsResult,
    PublishResult,
    RefreshResult,
    RPCResult,
    StreamPosition,
    SubscribeResult,
    UnsubscribeResult,
)

R = TypeVar("R")


class SyncShortcuts:
    """Shortcut methods for a blocking client."""

    def send(self, request: Request[R], timeout: Optional[float] = None) -> R:
        """Send one request; implemented by the client."""
        raise NotImplementedError

    def publish(
        self,
        channel: str,
        data: Any = MISSING,
        *,
        b64data: Any = None,
        skip_history: Optional[bool] = None,
        tags: Optional[Mapping[str, str]] = None,
        idempotency_key: Optional[str] = None,
        delta: Optional[bool] = None,
        version: Optional[int] = None,
        version_epoch: Optional[str] = None,
        timeout: Optional[float] = None,
    ) -> PublishResult:
        """Publish data into a channel.

        Builds a `PublishRequest` and sends it.
        """
        if (
            b64data is None
            and skip_history is None
            and tags is None
            and idempotency_key is None
            and delta is None
            and version is None
            and version_epoch is None
        ):
            return self.send(PublishRequest(channel, data), timeout)
        return self.send(
            PublishRequest(
                channel,
                data,
                b64data=b64data,
                skip_history=skip_history,
                tags=tags,
                idempotency_key=idempotency_key,
                delta=delta,
                version=version,
                version_epoch=version_epoch,
            ),
            timeout,
        )

    def broadcast(
        self,
        channels: Iterable[str],
        data: Any = MISSING,
        *,
        b64data: Any = None,
        skip_history: Optional[bool] = None,
        tags: Optional[Mapping[str, str]] = None,
        idempotency_key: Optional[str] = None,
        delta: Optional[bool] = None,
        version: Optional[int] = None,
        version_epoch: Optional[str] = None,
        timeout: Optional[float] = None,
    ) -> BroadcastResult:
        """Publish the same data into many channels at once.

        Builds a `BroadcastRequest` and sends it.
        """
        if (
            b64data is None
            and skip_history is None
            and tags is None
            and idempotency_key is None
            and delta is None
            and version is None
            and version_epoch is None
        ):
            return self.send(BroadcastRequest(channels, data), timeout)
        return self.send(
            BroadcastRequest(
                channels,
                data,
                b64data=b64data,
                skip_history=skip_history,
                tags=tags,
                idempotency_key=idempotency_key,
                delta=delta,
                version=version,
                version_epoch=version_epoch,
            ),
            timeout,
        )

    def subscribe(
        self,
        user: str,
        channel: str,
        *,
        expire_at: Optional[int] = None,
        info: Any = MISSING,
        b64info: Any = None,
        client: Optional[str] = None,
        session: Optional[str] = None,
        data: Any = MISSING,
        b64data: Any = None,
        recover_since: Optional[StreamPosition] = None,
        override: Optional[SubscribeOverride] = None,
        timeout: Optional[float] = None,
    ) -> SubscribeResult:
        """Subscribe a user's connections to a channel from the server side.

        Builds a `SubscribeRequest` and sends it.
        """
        if (
            expire_at is None
            and info is MISSING
            and b64info is None
            and client is None
            and session is None
            and data is MISSING
            and b64data is None
            and recover_since is None
            and override is None
        ):
            return self.send(SubscribeRequest(user, channel), timeout)
        return self.send(
            SubscribeRequest(
                user,
                channel,
                expire_at=expire_at,
                info=info,
                b64info=b64info,
                client=client,
                session=session,
                data=data,
                b64data=b64data,
                recover_since=recover_since,
                override=override,
            ),
            timeout,
        )

    def unsubscribe(
        self,
        user: str,
        channel: str,
        *,
        client: Optional[str] = None,
        session: Optional[str] = None,
        timeout: Optional[float] = None,
    ) -> UnsubscribeResult:
        """Unsubscribe a user's connections from a channel.

        Builds a `UnsubscribeRequest` and sends it.
        """
        if client is None and session is None:
            return self.send(UnsubscribeRequest(user, channel), timeout)
        return self.send(
            UnsubscribeRequest(user, channel, client=client, session=session), timeout
        )

    def disconnect(
        self,
        user: str,
        *,
        client: Optional[str] = None,
        session: Optional[str] = None,
        whitelist: Optional[Iterable[str]] = None,
        disconnect: Optional[Disconnect] = None,
        timeout: Optional[float] = None,
    ) -> DisconnectResult:
        """Disconnect a user's connections.

        Builds a `DisconnectRequest` and sends it.
        """
        if (
            client is None
            and session is None
            and whitelist is None
            and disconnect is None
        ):
            return self.send(DisconnectRequest(user), timeout)
        return self.send(
            DisconnectRequest(
                user,
                client=client,
                session=session,
                whitelist=whitelist,
                disconnect=disconnect,
            ),
            timeout,
        )

    def refresh(
        self,
        user: str,
        *,
        client: Optional[str] = None,
        session: Optional[str] = None,
        expired: Optional[bool] = None,
        expire_at: Optional[int] = None,
        info: Any = MISSING,
        timeout: Optional[float] = None,
    ) -> RefreshResult:
        """Refresh a user's connections: extend or end their expiration.

        Builds a `RefreshRequest` and sends it.
        """
        if (
            client is None
            and session is None
            and expired is None
            and expire_at is None
            and info is MISSING
        ):
            return self.send(RefreshRequest(user), timeout)
        return self.send(
            RefreshRequest(
                user,
                client=client,
                session=session,
                expired=expired,
                expire_at=expire_at,
                info=info,
            ),
            timeout,
        )

    def presence(
        self, channel: str, *, timeout: Optional[float] = None
    ) -> PresenceResult:
        """Get the connections present in a channel.

        Builds a `PresenceRequest` and sends it.
        """
        return self.send(PresenceRequest(channel), timeout)

    def presence_stats(
        self, channel: str, *, timeout: Optional[float] = None
    ) -> PresenceStatsResult:
        """Get how many connections and users a channel has.

        Builds a `PresenceStatsRequest` and sends it.
        """
        return self.send(PresenceStatsRequest(channel), timeout)

    def history(
        self,
        channel: str,
        *,
        limit: Optional[int] = None,
        since: Optional[StreamPosition] = None,
        reverse: Optional[bool] = None,
        timeout: Optional[float] = None,
    ) -> HistoryResult:
        """Read a channel's history.

        Builds a `HistoryRequest` and sends it.
        """
        if limit is None and since is None and reverse is None:
            return self.send(HistoryRequest(channel), timeout)
        return self.send(
            HistoryRequest(channel, limit=limit, since=since, reverse=reverse), timeout
        )

    def history_remove(
        self, channel: str, *, timeout: Optional[float] = None
    ) -> HistoryRemoveResult:
        """Remove a channel's history.

        Builds a `HistoryRemoveRequest` and sends it.
        """
        return self.send(HistoryRemoveRequest(channel), timeout)

    def channels(
        self, pattern: Optional[str] = None, *, timeout: Optional[float] = None
    ) -> ChannelsResult:
        """List active channels, optionally filtered by a glob pattern.

        Builds a `ChannelsRequest` and sends it.
        """
        return self.send(ChannelsRequest(pattern), timeout)

    def info(self, *, timeout: Optional[float] = None) -> InfoResult:
        """Get information about the running Centrifugo nodes.

        Builds a `InfoRequest` and sends it.
        """
        return self.send(InfoRequest(), timeout)

    def rpc(
        self, method: str, params: Any = MISSING, *, timeout: Optional[float] = None
    ) -> RPCResult:
        """Call a server-side RPC extension by method name.

        Builds a `RPCRequest` and sends it.
        """
        return self.send(RPCRequest(method, params), timeout)

    def batch(
        self,
        requests: Iterable[Request[Any]] = (),
        *,
        parallel: bool = False,
        timeout: Optional[float] = None,
    ) -> BatchResult:
        """Many commands sent in one call.

        Builds a `BatchRequest` and sends it.
        """
        if parallel is False:
            return self.send(BatchRequest(requests), timeout)
        return self.send(BatchRequest(requests, parallel=parallel), timeout)


class AsyncShortcuts:
    """Shortcut methods for an asyncio client."""

    async def send(self, request: Request[R], timeout: Optional[float] = None) -> R:
        """Send one request; implemented by the client."""
        raise NotImplementedError

    async def publish(
        self,
        channel: str,
        data: Any = MISSING,
        *,
        b64data: Any = None,
        skip_history: Optional[bool] = None,
        tags: Optional[Mapping[str, str]] = None,
        idempotency_key: Optional[str] = None,
        delta: Optional[bool] = None,
        version: Optional[int] = None,
        version_epoch: Optional[str] = None,
        timeout: Optional[float] = None,
    ) -> PublishResult:
        """Publish data into a channel.

        Builds a `PublishRequest` and sends it.
        """
        if (
            b64data is None
            and skip_history is None
            and tags is None
            and idempotency_key is None
            and delta is None
            and version is None
            and version_epoch is None
        ):
            return await self.send(PublishRequest(channel, data), timeout)
        return await self.send(
            PublishRequest(
                channel,
                data,
                b64data=b64data,
                skip_history=skip_history,
                tags=tags,
                idempotency_key=idempotency_key,
                delta=delta,
                version=version,
                version_epoch=version_epoch,
            ),
            timeout,
        )

    async def broadcast(
        self,
        channels: Iterable[str],
        data: Any = MISSING,
        *,
        b64data: Any = None,
        skip_history: Optional[bool] = None,
        tags: Optional[Mapping[str, str]] = None,
        idempotency_key: Optional[str] = None,
        delta: Optional[bool] = None,
        version: Optional[int] = None,
        version_epoch: Optional[str] = None,
        timeout: Optional[float] = None,
    ) -> BroadcastResult:
        """Publish the same data into many channels at once.

        Builds a `BroadcastRequest` and sends it.
        """
        if (
            b64data is None
            and skip_history is None
            and tags is None
            and idempotency_key is None
            and delta is None
            and version is None
            and version_epoch is None
        ):
            return await self.send(BroadcastRequest(channels, data), timeout)
        return await self.send(
            BroadcastRequest(
                channels,
                data,
                b64data=b64data,
                skip_history=skip_history,
                tags=tags,
                idempotency_key=idempotency_key,
                delta=delta,
                version=version,
                version_epoch=version_epoch,
            ),
            timeout,
        )

    async def subscribe(
        self,
        user: str,
        channel: str,
        *,
        expire_at: Optional[int] = None,
        info: Any = MISSING,
        b64info: Any = None,
        client: Optional[str] = None,
        session: Optional[str] = None,
        data: Any = MISSING,
        b64data: Any = None,
        recover_since: Optional[StreamPosition] = None,
        override: Optional[SubscribeOverride] = None,
        timeout: Optional[float] = None,
    ) -> SubscribeResult:
        """Subscribe a user's connections to a channel from the server side.

        Builds a `SubscribeRequest` and sends it.
        """
        if (
            expire_at is None
            and info is MISSING
            and b64info is None
            and client is None
            and session is None
            and data is MISSING
            and b64data is None
            and recover_since is None
            and override is None
        ):
            return await self.send(SubscribeRequest(user, channel), timeout)
        return await self.send(
            SubscribeRequest(
                user,
                channel,
                expire_at=expire_at,
                info=info,
                b64info=b64info,
                client=client,
                session=session,
                data=data,
                b64data=b64data,
                recover_since=recover_since,
                override=override,
            ),
            timeout,
        )

    async def unsubscribe(
        self,
        user: str,
        channel: str,
        *,
        client: Optional[str] = None,
        session: Optional[str] = None,
        timeout: Optional[float] = None,
    ) -> UnsubscribeResult:
        """Unsubscribe a user's connections from a channel.

        Builds a `UnsubscribeRequest` and sends it.
        """
        if client is None and session is None:
            return await self.send(UnsubscribeRequest(user, channel), timeout)
        return await self.send(
            UnsubscribeRequest(user, channel, client=client, session=session), timeout
        )

    async def disconnect(
        self,
        user: str,
        *,
        client: Optional[str] = None,
        session: Optional[str] = None,
        whitelist: Optional[Iterable[str]] = None,
        disconnect: Optional[Disconnect] = None,
        timeout: Optional[float] = None,
    ) -> DisconnectResult:
        """Disconnect a user's connections.

        Builds a `DisconnectRequest` and sends it.
        """
        if (
            client is None
            and session is None
            and whitelist is None
            and disconnect is None
        ):
            return await self.send(DisconnectRequest(user), timeout)
        return await self.send(
            DisconnectRequest(
                user,
                client=client,
                session=session,
                whitelist=whitelist,
                disconnect=disconnect,
            ),
            timeout,
        )

    async def refresh(
        self,
        user: str,
        *,
        client: Optional[str] = None,
        session: Optional[str] = None,
        expired: Optional[bool] = None,
        expire_at: Optional[int] = None,
        info: Any = MISSING,
        timeout: Optional[float] = None,
    ) -> RefreshResult:
        """Refresh a user's connections: extend or end their expiration.

        Builds a `RefreshRequest` and sends it.
        """
        if (
            client is None
            and session is None
            and expired is None
            and expire_at is None
            and info is MISSING
        ):
            return await self.send(RefreshRequest(user), timeout)
        return await self.send(
            RefreshRequest(
                user,
                client=client,
                session=session,
                expired=expired,
                expire_at=expire_at,
                info=info,
            ),
            timeout,
        )

    async def presence(
        self, channel: str, *, timeout: Optional[float] = None
    ) -> PresenceResult:
        """Get the connections present in a channel.

        Builds a `PresenceRequest` and sends it.
        """
        return await self.send(PresenceRequest(channel), timeout)

    async def presence_stats(
        self, channel: str, *, timeout: Optional[float] = None
    ) -> PresenceStatsResult:
        """Get how many connections and users a channel has.

        Builds a `PresenceStatsRequest` and sends it.
        """
        return await self.send(PresenceStatsRequest(channel), timeout)

    async def history(
        self,
        channel: str,
        *,
        limit: Optional[int] = None,
        since: Optional[StreamPosition] = None,
        reverse: Optional[bool] = None,
        timeout: Optional[float] = None,
    ) -> HistoryResult:
        """Read a channel's history.

        Builds a `HistoryRequest` and sends it.
        """
        if limit is None and since is None and reverse is None:
            return await self.send(HistoryRequest(channel), timeout)
        return await self.send(
            HistoryRequest(channel, limit=limit, since=since, reverse=reverse), timeout
        )

    async def history_remove(
        self, channel: str, *, timeout: Optional[float] = None
    ) -> HistoryRemoveResult:
        """Remove a channel's history.

        Builds a `HistoryRemoveRequest` and sends it.
        """
        return await self.send(HistoryRemoveRequest(channel), timeout)

    async def channels(
        self, pattern: Optional[str] = None, *, timeout: Optional[float] = None
    ) -> ChannelsResult:
        """List active channels, optionally filtered by a glob pattern.

        Builds a `ChannelsRequest` and sends it.
        """
        return await self.send(ChannelsRequest(pattern), timeout)

    async def info(self, *, timeout: Optional[float] = None) -> InfoResult:
        """Get information about the running Centrifugo nodes.

        Builds a `InfoRequest` and sends it.
        """
        return await self.send(InfoRequest(), timeout)

    async def rpc(
        self, method: str, params: Any = MISSING, *, timeout: Optional[float] = None
    ) -> RPCResult:
        """Call a server-side RPC extension by method name.

        Builds a `RPCRequest` and sends it.
        """
        return await self.send(RPCRequest(method, params), timeout)

    async def batch(
        self,
        requests: Iterable[Request[Any]] = (),
        *,
        parallel: bool = False,
        timeout: Optional[float] = None,
    ) -> BatchResult:
        """Many commands sent in one call.

        Builds a `BatchRequest` and sends it.
        """
        if parallel is False:
            return await self.send(BatchRequest(requests), timeout)
        return await self.send(BatchRequest(requests, parallel=parallel), timeout)
