"""Request builders: one per API method, composed fluently, with no I/O.

Each builder checks its arguments as they are set, knows its API method name
and result type, and holds its wire payload as the JSON object Centrifugo
expects. Payload fields that carry user data (`data`, `info`, `params`) are
taken as they are: JSON values over HTTP, `bytes` over gRPC; the codec of the
transport checks them when the request is encoded.
"""

from __future__ import annotations

import reprlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import (
    Any,
    ClassVar,
    Dict,
    Generic,
    List,
    NoReturn,
    Optional,
    Tuple,
    TypeVar,
)

from cent import _validate as check
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
from cent.errors import CentValidationError

R = TypeVar("R", covariant=True)
_Pub = TypeVar("_Pub", bound="_PublicationFields[Any]")
_Conn = TypeVar("_Conn", bound="_ConnectionFields[Any]")
_Chan = TypeVar("_Chan", bound="_ChannelRequest[Any]")

MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()
"""Marks a payload argument that was not given (None means JSON null)."""

_repr = reprlib.Repr()
_repr.maxstring = 40
_repr.maxother = 40


class Request(Generic[R]):
    """Base of every request builder.

    Attributes:
        api_method: The API method name, as in `/api/<method>` and in a batch.
        result_type: The result class; its `from_json(result, request)` reads
            the result object of a JSON reply.
    """

    __slots__ = ("_payload",)

    api_method: ClassVar[str]
    result_type: ClassVar[Any]

    def __init__(self) -> None:
        self._payload: Dict[str, Any] = {}

    @property
    def api_payload(self) -> Dict[str, Any]:
        """The wire payload, a JSON object, e.g. for Centrifugo's async consumers."""
        return dict(self.wire_payload())

    def wire_payload(self) -> Dict[str, Any]:
        """Return the payload to encode, after checking required fields are set."""
        return self._payload

    def _set_options(self, options: Dict[str, Any]) -> None:
        """Call the setter of each option that is not None."""
        for name, value in options.items():
            if value is not None:
                getattr(self, name)(value)

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={_repr.repr(v)}" for k, v in self._payload.items())
        return f"{type(self).__name__}({fields})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Request) or type(other) is not type(self):
            return NotImplemented
        return self._payload == other._payload

    __hash__ = None  # type: ignore[assignment]


def _position(name: str, value: Any) -> Dict[str, Any]:
    if not isinstance(value, StreamPosition):
        raise CentValidationError(
            f"{name} must be a StreamPosition, got {type(value).__name__}"
        )
    offset = check.integer(f"{name}.offset", value.offset, 0, check.UINT64_MAX)
    return {"offset": offset, "epoch": check.string(f"{name}.epoch", value.epoch)}


class _PublicationFields(Request[R]):
    """Setters shared by publish and broadcast."""

    __slots__ = ()

    def data(self: _Pub, value: Any) -> _Pub:
        """Set the payload: a JSON value over HTTP, `bytes` over gRPC."""
        self._payload["data"] = value
        return self

    def b64data(self: _Pub, value: Any) -> _Pub:
        """Set a binary payload over HTTP: `bytes`, or a standard base64 str."""
        self._payload["b64data"] = check.base64_text("b64data", value)
        return self

    def skip_history(self: _Pub, value: bool = True) -> _Pub:
        """Publish without saving into the channel's history."""
        self._payload["skip_history"] = check.flag("skip_history", value)
        return self

    def tags(self: _Pub, value: Mapping[str, str]) -> _Pub:
        """Attach string tags, delivered with the publication."""
        self._payload["tags"] = check.tags(value)
        return self

    def idempotency_key(self: _Pub, value: str) -> _Pub:
        """Set a key that makes a repeat of this publish within 5 minutes a no-op."""
        self._payload["idempotency_key"] = check.string("idempotency_key", value)
        return self

    def delta(self: _Pub, value: bool = True) -> _Pub:
        """Ask for delta compression towards subscribers that support it."""
        self._payload["delta"] = check.flag("delta", value)
        return self

    def version(self: _Pub, value: int) -> _Pub:
        """Set the publication version; older versions are dropped (Centrifugo 6)."""
        self._payload["version"] = check.integer("version", value, 0, check.UINT64_MAX)
        return self

    def version_epoch(self: _Pub, value: str) -> _Pub:
        """Set the epoch the version belongs to (Centrifugo 6)."""
        self._payload["version_epoch"] = check.string("version_epoch", value)
        return self

    def wire_payload(self) -> Dict[str, Any]:
        """Return the payload, which must carry `data` or `b64data`."""
        payload = self._payload
        if "data" not in payload and "b64data" not in payload:
            raise CentValidationError(
                f"{self.api_method} needs data or b64data; neither was set"
            )
        return payload


class PublishRequest(_PublicationFields[PublishResult]):
    """Publish data into a channel.

    Example:
        `PublishRequest("news").data({"text": "hi"}).tags({"kind": "post"})`
    """

    __slots__ = ()
    api_method = "publish"
    result_type = PublishResult

    def __init__(
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
    ) -> None:
        if type(channel) is not str or not channel:
            check.channel(channel)
        self._payload = {"channel": channel}
        if data is not MISSING:
            self._payload["data"] = data
        if b64data is not None or skip_history is not None or tags is not None:
            self._set_options(
                {"b64data": b64data, "skip_history": skip_history, "tags": tags}
            )
        if idempotency_key is not None or delta is not None:
            self._set_options({"idempotency_key": idempotency_key, "delta": delta})
        if version is not None or version_epoch is not None:
            self._set_options({"version": version, "version_epoch": version_epoch})

    def channel(self, value: str) -> PublishRequest:
        """Set the channel to publish into."""
        self._payload["channel"] = check.channel(value)
        return self


class BroadcastRequest(_PublicationFields[BroadcastResult]):
    """Publish the same data into many channels at once."""

    __slots__ = ()
    api_method = "broadcast"
    result_type = BroadcastResult

    def __init__(
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
    ) -> None:
        self._payload = {}
        self.channels(channels)
        if data is not MISSING:
            self._payload["data"] = data
        self._set_options(
            {
                "b64data": b64data,
                "skip_history": skip_history,
                "tags": tags,
                "idempotency_key": idempotency_key,
                "delta": delta,
                "version": version,
                "version_epoch": version_epoch,
            }
        )

    def channels(self, value: Iterable[str]) -> BroadcastRequest:
        """Set the channels to publish into: at least one, none empty."""
        names = check.strings("channels", value, non_empty=True)
        if not names:
            raise CentValidationError("channels must hold at least one channel")
        self._payload["channels"] = names
        return self


class _ConnectionFields(Request[R]):
    """Setters that pick connections: by user, client ID or session."""

    __slots__ = ()

    def user(self: _Conn, value: str) -> _Conn:
        """Set the user ID whose connections are affected."""
        self._payload["user"] = check.string("user", value)
        return self

    def client(self: _Conn, value: str) -> _Conn:
        """Limit the command to one connection, by its client ID."""
        self._payload["client"] = check.string("client", value)
        return self

    def session(self: _Conn, value: str) -> _Conn:
        """Limit the command to one connection, by its session ID."""
        self._payload["session"] = check.string("session", value)
        return self


@dataclass
class SubscribeOverride:
    """Per-subscription overrides of namespace options; None keeps the default."""

    presence: Optional[bool] = None
    join_leave: Optional[bool] = None
    force_recovery: Optional[bool] = None
    force_positioning: Optional[bool] = None
    force_push_join_leave: Optional[bool] = None

    def to_json(self) -> Dict[str, Any]:
        """Return the wire form, each set option wrapped as `{"value": bool}`."""
        wire = {}
        for name, value in vars(self).items():
            if value is not None:
                wire[name] = {"value": check.flag(f"override.{name}", value)}
        return wire


class SubscribeRequest(_ConnectionFields[SubscribeResult]):
    """Subscribe a user's connections to a channel from the server side."""

    __slots__ = ()
    api_method = "subscribe"
    result_type = SubscribeResult

    def __init__(
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
    ) -> None:
        self._payload = {"user": check.string("user", user)}
        self.channel(channel)
        if info is not MISSING:
            self.info(info)
        if data is not MISSING:
            self.data(data)
        self._set_options(
            {
                "expire_at": expire_at,
                "b64info": b64info,
                "client": client,
                "session": session,
                "b64data": b64data,
                "recover_since": recover_since,
                "override": override,
            }
        )

    def channel(self, value: str) -> SubscribeRequest:
        """Set the channel to subscribe to."""
        self._payload["channel"] = check.channel(value)
        return self

    def expire_at(self, value: int) -> SubscribeRequest:
        """Set when the subscription expires, in Unix seconds; 0 never expires."""
        self._payload["expire_at"] = check.integer(
            "expire_at", value, 0, check.INT64_MAX
        )
        return self

    def info(self, value: Any) -> SubscribeRequest:
        """Set channel info attached to the subscription (JSON, or bytes on gRPC)."""
        self._payload["info"] = value
        return self

    def b64info(self, value: Any) -> SubscribeRequest:
        """Set binary channel info: `bytes`, or a base64 str (Centrifugo 6)."""
        self._payload["b64info"] = check.base64_text("b64info", value)
        return self

    def data(self, value: Any) -> SubscribeRequest:
        """Set data sent to the client with the subscription."""
        self._payload["data"] = value
        return self

    def b64data(self, value: Any) -> SubscribeRequest:
        """Set binary subscription data: `bytes` or base64 str (Centrifugo 6)."""
        self._payload["b64data"] = check.base64_text("b64data", value)
        return self

    def recover_since(self, value: StreamPosition) -> SubscribeRequest:
        """Recover publications that followed this stream position."""
        self._payload["recover_since"] = _position("recover_since", value)
        return self

    def override(self, value: SubscribeOverride) -> SubscribeRequest:
        """Override namespace options for this subscription."""
        if not isinstance(value, SubscribeOverride):
            raise CentValidationError("override must be a SubscribeOverride")
        self._payload["override"] = value.to_json()
        return self


class UnsubscribeRequest(_ConnectionFields[UnsubscribeResult]):
    """Unsubscribe a user's connections from a channel."""

    __slots__ = ()
    api_method = "unsubscribe"
    result_type = UnsubscribeResult

    def __init__(
        self,
        user: str,
        channel: str,
        *,
        client: Optional[str] = None,
        session: Optional[str] = None,
    ) -> None:
        self._payload = {"user": check.string("user", user)}
        self.channel(channel)
        self._set_options({"client": client, "session": session})

    def channel(self, value: str) -> UnsubscribeRequest:
        """Set the channel to unsubscribe from."""
        self._payload["channel"] = check.channel(value)
        return self


@dataclass
class Disconnect:
    """The close code and reason a disconnected client receives."""

    code: int
    reason: str

    def to_json(self) -> Dict[str, Any]:
        """Return the wire form, after checking the code and reason."""
        code = check.integer("disconnect.code", self.code, 3000, 4999)
        reason = check.string("disconnect.reason", self.reason)
        if len(reason.encode()) >= 127:
            raise CentValidationError("disconnect.reason must be under 127 bytes")
        return {"code": code, "reason": reason}


class DisconnectRequest(_ConnectionFields[DisconnectResult]):
    """Disconnect a user's connections."""

    __slots__ = ()
    api_method = "disconnect"
    result_type = DisconnectResult

    def __init__(
        self,
        user: str,
        *,
        client: Optional[str] = None,
        session: Optional[str] = None,
        whitelist: Optional[Iterable[str]] = None,
        disconnect: Optional[Disconnect] = None,
    ) -> None:
        self._payload = {"user": check.string("user", user)}
        self._set_options(
            {
                "client": client,
                "session": session,
                "whitelist": whitelist,
                "disconnect": disconnect,
            }
        )

    def whitelist(self, value: Iterable[str]) -> DisconnectRequest:
        """Keep the connections with these client IDs."""
        self._payload["whitelist"] = check.strings("whitelist", value)
        return self

    def disconnect(self, value: Disconnect) -> DisconnectRequest:
        """Set the close code and reason (default: 3503 "force disconnect")."""
        if not isinstance(value, Disconnect):
            raise CentValidationError("disconnect must be a Disconnect")
        self._payload["disconnect"] = value.to_json()
        return self


class RefreshRequest(_ConnectionFields[RefreshResult]):
    """Refresh a user's connections: extend or end their expiration."""

    __slots__ = ()
    api_method = "refresh"
    result_type = RefreshResult

    def __init__(
        self,
        user: str,
        *,
        client: Optional[str] = None,
        session: Optional[str] = None,
        expired: Optional[bool] = None,
        expire_at: Optional[int] = None,
        info: Any = MISSING,
    ) -> None:
        self._payload = {"user": check.string("user", user)}
        if info is not MISSING:
            self.info(info)
        self._set_options(
            {
                "client": client,
                "session": session,
                "expired": expired,
                "expire_at": expire_at,
            }
        )

    def expired(self, value: bool = True) -> RefreshRequest:
        """Mark the connections expired: they are closed."""
        self._payload["expired"] = check.flag("expired", value)
        return self

    def expire_at(self, value: int) -> RefreshRequest:
        """Set the new expiration in Unix seconds; with neither, never expire."""
        self._payload["expire_at"] = check.integer(
            "expire_at", value, 0, check.INT64_MAX
        )
        return self

    def info(self, value: Any) -> RefreshRequest:
        """Replace the connection info (JSON, or bytes over gRPC)."""
        self._payload["info"] = value
        return self


class _ChannelRequest(Request[R]):
    """A request that names one channel."""

    __slots__ = ()

    def __init__(self, channel: str) -> None:
        self._payload = {"channel": check.channel(channel)}

    def channel(self: _Chan, value: str) -> _Chan:
        """Set the channel."""
        self._payload["channel"] = check.channel(value)
        return self


class PresenceRequest(_ChannelRequest[PresenceResult]):
    """Get the connections present in a channel."""

    __slots__ = ()
    api_method = "presence"
    result_type = PresenceResult


class PresenceStatsRequest(_ChannelRequest[PresenceStatsResult]):
    """Get how many connections and users a channel has."""

    __slots__ = ()
    api_method = "presence_stats"
    result_type = PresenceStatsResult


class HistoryRemoveRequest(_ChannelRequest[HistoryRemoveResult]):
    """Remove a channel's history."""

    __slots__ = ()
    api_method = "history_remove"
    result_type = HistoryRemoveResult


class HistoryRequest(Request[HistoryResult]):
    """Read a channel's history.

    `limit` None (the default) or 0 returns no publications, only the stream's
    current position; -1 returns all of them; N returns up to N.
    """

    __slots__ = ()
    api_method = "history"
    result_type = HistoryResult

    def __init__(
        self,
        channel: str,
        *,
        limit: Optional[int] = None,
        since: Optional[StreamPosition] = None,
        reverse: Optional[bool] = None,
    ) -> None:
        self._payload = {"channel": check.channel(channel)}
        if limit is not None:
            self.limit(limit)
        if since is not None:
            self.since(since)
        if reverse is not None:
            self.reverse(reverse)

    def channel(self, value: str) -> HistoryRequest:
        """Set the channel."""
        self._payload["channel"] = check.channel(value)
        return self

    def limit(self, value: int) -> HistoryRequest:
        """Return up to this many publications; -1 for all, 0 for none."""
        self._payload["limit"] = check.integer("limit", value, -1, check.INT32_MAX)
        return self

    def since(self, value: StreamPosition) -> HistoryRequest:
        """Return publications after this position (before it when reversed)."""
        self._payload["since"] = _position("since", value)
        return self

    def reverse(self, value: bool = True) -> HistoryRequest:
        """Iterate from the newest publication backwards."""
        self._payload["reverse"] = check.flag("reverse", value)
        return self


class InfoRequest(Request[InfoResult]):
    """Get information about the running Centrifugo nodes."""

    __slots__ = ()
    api_method = "info"
    result_type = InfoResult


class RPCRequest(Request[RPCResult]):
    """Call a server-side RPC extension by method name."""

    __slots__ = ()
    api_method = "rpc"
    result_type = RPCResult

    def __init__(self, method: str, params: Any = MISSING) -> None:
        self._payload = {}
        self.method(method)
        if params is not MISSING:
            self.params(params)

    def method(self, value: str) -> RPCRequest:
        """Set the RPC method name."""
        self._payload["method"] = check.channel(value, "method")
        return self

    def params(self, value: Any) -> RPCRequest:
        """Set the RPC params (JSON, or bytes over gRPC)."""
        self._payload["params"] = value
        return self


class ChannelsRequest(Request[ChannelsResult]):
    """List active channels, optionally filtered by a glob pattern."""

    __slots__ = ()
    api_method = "channels"
    result_type = ChannelsResult

    def __init__(self, pattern: Optional[str] = None) -> None:
        self._payload = {}
        if pattern is not None:
            self.pattern(pattern)

    def pattern(self, value: str) -> ChannelsRequest:
        """Only list channels matching this glob pattern, e.g. `news:*`."""
        self._payload["pattern"] = check.string("pattern", value)
        return self


class BatchRequest(Request[BatchResult]):
    """Many commands sent in one call.

    Results come back in command order, each a typed result or the
    `CentAPIError` of that command. Example:
        `BatchRequest().add(PublishRequest("a", 1)).add(InfoRequest())`
    """

    __slots__ = ("_parallel", "_requests")
    api_method = "batch"
    result_type = BatchResult

    def __init__(
        self, requests: Iterable[Request[Any]] = (), *, parallel: bool = False
    ) -> None:
        self._requests: List[Request[Any]] = []
        self._parallel = check.flag("parallel", parallel)
        self.extend(requests)

    @property
    def requests(self) -> Tuple[Request[Any], ...]:
        """The commands, in order."""
        return tuple(self._requests)

    def add(self, request: Request[Any]) -> BatchRequest:
        """Append one command."""
        return self.extend((request,))

    def extend(self, requests: Iterable[Request[Any]]) -> BatchRequest:
        """Append several commands."""
        added = list(requests)
        for request in added:
            if request.__class__ not in _COMMANDS:
                _check_command(request)
        self._requests.extend(added)
        return self

    def parallel(self, value: bool = True) -> BatchRequest:
        """Let the server run the commands concurrently, in any order."""
        self._parallel = check.flag("parallel", value)
        return self

    def wire_payload(self) -> Dict[str, Any]:
        """Return `{"commands": [...], "parallel": ...}`."""
        try:
            commands = [{r.api_method: r.wire_payload()} for r in self._requests]
        except CentValidationError:
            self._raise_for_incomplete_command()
        if self._parallel:
            return {"commands": commands, "parallel": True}
        return {"commands": commands}

    def _raise_for_incomplete_command(self) -> NoReturn:
        for index, request in enumerate(self._requests):
            try:
                request.wire_payload()
            except CentValidationError as err:
                raise CentValidationError(f"batch command {index}: {err}") from err
        raise AssertionError("no incomplete command found")

    def __len__(self) -> int:
        return len(self._requests)

    def __repr__(self) -> str:
        return (
            f"BatchRequest({len(self._requests)} commands, parallel={self._parallel})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BatchRequest):
            return NotImplemented
        return (self._requests, self._parallel) == (other._requests, other._parallel)


_COMMANDS = frozenset(
    [
        PublishRequest,
        BroadcastRequest,
        SubscribeRequest,
        UnsubscribeRequest,
        DisconnectRequest,
        RefreshRequest,
        PresenceRequest,
        PresenceStatsRequest,
        HistoryRequest,
        HistoryRemoveRequest,
        InfoRequest,
        RPCRequest,
        ChannelsRequest,
    ]
)
"""The builders a batch takes, checked by class first as that is cheapest."""


def _check_command(request: Any) -> None:
    if not isinstance(request, Request) or isinstance(request, BatchRequest):
        raise CentValidationError(
            f"a batch takes request builders other than BatchRequest, "
            f"got {type(request).__name__}"
        )
