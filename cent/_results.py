"""Typed results of the Centrifugo API methods, and how to read them from JSON.

The server leaves out fields that are zero or empty and a newer server may add
fields, so every `from_json` falls back to the zero value and ignores extras.
Over HTTP payload fields (`data`, `info`, ...) hold decoded JSON values; over
gRPC they hold `bytes`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Type, TypeVar, Union

from cent.errors import CentAPIError

JSON = Dict[str, Any]
_Empty = TypeVar("_Empty", bound="EmptyResult")


def _int(obj: JSON, key: str) -> int:
    """Return the integer field `key`, 0 when absent; raise if it is not an int."""
    value = obj.get(key, 0)
    if value.__class__ is not int:
        raise TypeError(f"{key} is {type(value).__name__}, not an integer")
    return value  # type: ignore[no-any-return]


def _str(obj: JSON, key: str) -> str:
    """Return the string field `key`, "" when absent; raise if it is not a str."""
    value = obj.get(key, "")
    if value.__class__ is not str:
        raise TypeError(f"{key} is {type(value).__name__}, not a string")
    return value  # type: ignore[no-any-return]


def _float(obj: JSON, key: str) -> float:
    """Return the number field `key`, 0.0 when absent; raise if not a number."""
    value = obj.get(key, 0.0)
    if value.__class__ is not float and value.__class__ is not int:
        raise TypeError(f"{key} is {type(value).__name__}, not a number")
    return value  # type: ignore[no-any-return]


def _object(obj: JSON, key: str) -> JSON:
    """Return the object field `key`, {} when absent or null; raise if not one."""
    value = obj.get(key)
    if value is None:
        return {}
    if value.__class__ is not dict:
        raise TypeError(f"{key} is {type(value).__name__}, not an object")
    return value  # type: ignore[no-any-return]


def _array(obj: JSON, key: str) -> List[Any]:
    """Return the array field `key`, [] when absent or null; raise if not one."""
    value = obj.get(key)
    if value is None:
        return []
    if value.__class__ is not list:
        raise TypeError(f"{key} is {type(value).__name__}, not an array")
    return value  # type: ignore[no-any-return]


def _str_map(obj: JSON, key: str) -> Dict[str, str]:
    """Return the object field `key` whose values must all be strings."""
    value = _object(obj, key)
    for item in value.values():
        if item.__class__ is not str:
            raise TypeError(f"{key} holds {type(item).__name__}, not a string")
    return value


def _number_map(obj: JSON, key: str) -> Dict[str, float]:
    """Return the object field `key` whose values must all be numbers."""
    value = _object(obj, key)
    for item in value.values():
        if item.__class__ is not float and item.__class__ is not int:
            raise TypeError(f"{key} holds {type(item).__name__}, not a number")
    return value


def api_error_from_json(
    error: JSON, index: Optional[int], request: Any
) -> CentAPIError:
    """Build the exception for an `{"code": ..., "message": ...}` error object."""
    if error.__class__ is not dict:
        raise TypeError(f"error is {type(error).__name__}, not an object")
    return CentAPIError(
        _int(error, "code"), _str(error, "message"), index=index, request=request
    )


@dataclass
class StreamPosition:
    """A position in a channel's history stream."""

    offset: int = 0
    epoch: str = ""


@dataclass
class PublishResult:
    """Result of a publish: the publication's position when history is on."""

    offset: int = 0
    epoch: str = ""

    @classmethod
    def from_json(cls, result: JSON, request: Any = None) -> PublishResult:
        """Read the result object of a reply to `request`."""
        # The hottest decoder (one per publish): the checks are inlined.
        offset = result.get("offset", 0)
        epoch = result.get("epoch", "")
        if offset.__class__ is not int or epoch.__class__ is not str:
            return cls(_int(result, "offset"), _str(result, "epoch"))
        return cls(offset, epoch)


PublishOutcome = Union[PublishResult, CentAPIError]


@dataclass
class BroadcastResult:
    """Result of a broadcast: one result or error per channel, in channel order."""

    responses: List[PublishOutcome] = field(default_factory=list)

    @classmethod
    def from_json(cls, result: JSON, request: Any = None) -> BroadcastResult:
        """Read the result object of a reply to `request`."""
        items = _array(result, "responses")
        channels = None if request is None else request.api_payload["channels"]
        if channels is not None and len(items) != len(channels):
            raise ValueError(f"{len(items)} responses for {len(channels)} channels")
        responses: List[PublishOutcome] = []
        for index, item in enumerate(items):
            error = item.get("error")
            if error is not None:
                responses.append(api_error_from_json(error, index, request))
            else:
                responses.append(PublishResult.from_json(_object(item, "result")))
        return cls(responses)

    @property
    def errors(self) -> List[CentAPIError]:
        """The per-channel errors, each with its channel index in `index`."""
        return [item for item in self.responses if isinstance(item, CentAPIError)]


@dataclass
class EmptyResult:
    """Result of a method whose reply carries no data."""

    @classmethod
    def from_json(cls: Type[_Empty], result: JSON, request: Any = None) -> _Empty:
        """Read the result object of a reply to `request`."""
        return cls()


class SubscribeResult(EmptyResult):
    """Result of a server-side subscribe."""


class UnsubscribeResult(EmptyResult):
    """Result of a server-side unsubscribe."""


class DisconnectResult(EmptyResult):
    """Result of a disconnect."""


class RefreshResult(EmptyResult):
    """Result of a connection refresh."""


class HistoryRemoveResult(EmptyResult):
    """Result of removing a channel's history."""


@dataclass
class ClientInfo:
    """A connection's identity, as seen in presence and in publications."""

    client: str = ""
    user: str = ""
    conn_info: Any = None
    chan_info: Any = None

    @classmethod
    def from_json(cls, info: JSON) -> ClientInfo:
        """Read a client info object."""
        return cls(
            _str(info, "client"),
            _str(info, "user"),
            info.get("conn_info"),
            info.get("chan_info"),
        )


@dataclass
class PresenceResult:
    """Result of presence: the channel's connections keyed by client ID."""

    presence: Dict[str, ClientInfo] = field(default_factory=dict)

    @classmethod
    def from_json(cls, result: JSON, request: Any = None) -> PresenceResult:
        """Read the result object of a reply to `request`."""
        presence = _object(result, "presence")
        return cls({key: ClientInfo.from_json(v) for key, v in presence.items()})


@dataclass
class PresenceStatsResult:
    """Result of presence_stats: how many connections and users a channel has."""

    num_clients: int = 0
    num_users: int = 0

    @classmethod
    def from_json(cls, result: JSON, request: Any = None) -> PresenceStatsResult:
        """Read the result object of a reply to `request`."""
        return cls(_int(result, "num_clients"), _int(result, "num_users"))


@dataclass
class Publication:
    """A publication kept in a channel's history."""

    data: Any = None
    info: Optional[ClientInfo] = None
    offset: int = 0
    tags: Dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, publication: JSON) -> Publication:
        """Read a publication object."""
        info = publication.get("info")
        return cls(
            publication.get("data"),
            None if info is None else ClientInfo.from_json(info),
            _int(publication, "offset"),
            _str_map(publication, "tags"),
        )


@dataclass
class HistoryResult:
    """Result of history: publications and the stream's current top position."""

    publications: List[Publication] = field(default_factory=list)
    offset: int = 0
    epoch: str = ""

    @classmethod
    def from_json(cls, result: JSON, request: Any = None) -> HistoryResult:
        """Read the result object of a reply to `request`."""
        return cls(
            [Publication.from_json(item) for item in _array(result, "publications")],
            _int(result, "offset"),
            _str(result, "epoch"),
        )


@dataclass
class Metrics:
    """A node's metrics snapshot."""

    interval: float = 0.0
    items: Dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_json(cls, metrics: JSON) -> Metrics:
        """Read a metrics object."""
        return cls(_float(metrics, "interval"), _number_map(metrics, "items"))


@dataclass
class Process:
    """A node's process statistics."""

    cpu: float = 0.0
    rss: int = 0

    @classmethod
    def from_json(cls, process: JSON) -> Process:
        """Read a process object."""
        return cls(_float(process, "cpu"), _int(process, "rss"))


@dataclass
class NodeResult:
    """One Centrifugo node, as reported by info."""

    uid: str = ""
    name: str = ""
    version: str = ""
    num_clients: int = 0
    num_users: int = 0
    num_channels: int = 0
    num_subs: int = 0
    uptime: int = 0
    metrics: Optional[Metrics] = None
    process: Optional[Process] = None

    @classmethod
    def from_json(cls, node: JSON) -> NodeResult:
        """Read a node object."""
        metrics = node.get("metrics")
        process = node.get("process")
        return cls(
            _str(node, "uid"),
            _str(node, "name"),
            _str(node, "version"),
            _int(node, "num_clients"),
            _int(node, "num_users"),
            _int(node, "num_channels"),
            _int(node, "num_subs"),
            _int(node, "uptime"),
            None if metrics is None else Metrics.from_json(metrics),
            None if process is None else Process.from_json(process),
        )


@dataclass
class InfoResult:
    """Result of info: every node of the cluster."""

    nodes: List[NodeResult] = field(default_factory=list)

    @classmethod
    def from_json(cls, result: JSON, request: Any = None) -> InfoResult:
        """Read the result object of a reply to `request`."""
        return cls([NodeResult.from_json(node) for node in _array(result, "nodes")])


@dataclass
class RPCResult:
    """Result of an rpc call: whatever the RPC extension returned."""

    data: Any = None

    @classmethod
    def from_json(cls, result: JSON, request: Any = None) -> RPCResult:
        """Read the result object of a reply to `request`."""
        return cls(result.get("data"))


@dataclass
class ChannelInfo:
    """An active channel, as reported by channels."""

    num_clients: int = 0


@dataclass
class ChannelsResult:
    """Result of channels: active channels keyed by name."""

    channels: Dict[str, ChannelInfo] = field(default_factory=dict)

    @classmethod
    def from_json(cls, result: JSON, request: Any = None) -> ChannelsResult:
        """Read the result object of a reply to `request`."""
        channels = _object(result, "channels")
        return cls(
            {
                name: ChannelInfo(_int(info, "num_clients"))
                for name, info in channels.items()
            }
        )


@dataclass
class BatchResult:
    """Result of a batch: one result or error per command, in command order."""

    replies: List[Any] = field(default_factory=list)

    @property
    def errors(self) -> List[CentAPIError]:
        """The failed commands' errors, each with `index` and `request` set."""
        return [item for item in self.replies if isinstance(item, CentAPIError)]

    def raise_first_error(self) -> BatchResult:
        """Raise the first command's error, if any; else return this result."""
        for item in self.replies:
            if isinstance(item, CentAPIError):
                raise item
        return self
