"""The gRPC API's wire format: a request to a protobuf message, a reply to a result.

No I/O happens here, and `grpc` is not imported: `encode_grpc` gives the RPC
name and the request message; `decode_grpc` turns the reply message into the
same typed result the HTTP clients return, or raises a typed error; and
`grpc_status_error` turns a failed call's status code name into the same error
class HTTP raises for the same failure.

Over gRPC the payload fields (`data`, `info`, rpc `params`) are raw bytes, so
they must be given as `bytes` and come back as `bytes`.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, NamedTuple, Optional, Tuple, Type, TypeVar

from google.protobuf.message import DecodeError

from cent._builders import BatchRequest, Request
from cent._core import assemble_batch
from cent._proto import api_pb2 as pb
from cent._results import (
    BroadcastResult,
    ChannelInfo,
    ChannelsResult,
    ClientInfo,
    DisconnectResult,
    HistoryRemoveResult,
    HistoryResult,
    InfoResult,
    Metrics,
    NodeResult,
    PresenceResult,
    PresenceStatsResult,
    Process,
    Publication,
    PublishOutcome,
    PublishResult,
    RefreshResult,
    RPCResult,
    SubscribeResult,
    UnsubscribeResult,
)
from cent.errors import (
    CentAPIError,
    CentDecodeError,
    CentError,
    CentNetworkError,
    CentTimeoutError,
    CentTransportError,
    CentUnauthorizedError,
    CentValidationError,
)

R = TypeVar("R")
ReadResult = Callable[[Any, Request[Any]], Any]

DETAILS_LENGTH = 300


# --- reading result messages ---------------------------------------------------
#
# Unset protobuf fields read as zero values, so a reader needs no defaults.


def _api_error(error: Any, index: Optional[int], request: Any) -> CentAPIError:
    return CentAPIError(error.code, error.message, index=index, request=request)


def _publish(result: Any, request: Request[Any]) -> PublishResult:
    return PublishResult(result.offset, result.epoch)


def _broadcast(result: Any, request: Request[Any]) -> BroadcastResult:
    channels = len(request.api_payload["channels"])
    if len(result.responses) != channels:
        raise CentDecodeError(
            f"broadcast to {channels} channels got {len(result.responses)} responses"
        )
    responses: List[PublishOutcome] = []
    for index, item in enumerate(result.responses):
        if item.HasField("error"):
            responses.append(_api_error(item.error, index, request))
        else:
            responses.append(PublishResult(item.result.offset, item.result.epoch))
    return BroadcastResult(responses)


def _empty(result_type: Type[Any]) -> ReadResult:
    def read(result: Any, request: Request[Any]) -> Any:
        return result_type()

    return read


def _client_info(info: Any) -> ClientInfo:
    return ClientInfo(info.client, info.user, info.conn_info, info.chan_info)


def _presence(result: Any, request: Request[Any]) -> PresenceResult:
    presence = result.presence
    return PresenceResult({key: _client_info(presence[key]) for key in presence})


def _presence_stats(result: Any, request: Request[Any]) -> PresenceStatsResult:
    return PresenceStatsResult(result.num_clients, result.num_users)


def _publication(item: Any) -> Publication:
    info = _client_info(item.info) if item.HasField("info") else None
    tags = item.tags
    return Publication(item.data, info, item.offset, dict(tags.items()) if tags else {})


def _history(result: Any, request: Request[Any]) -> HistoryResult:
    publications = [_publication(item) for item in result.publications]
    return HistoryResult(publications, result.offset, result.epoch)


def _node(node: Any) -> NodeResult:
    metrics = process = None
    if node.HasField("metrics"):
        metrics = Metrics(node.metrics.interval, dict(node.metrics.items))
    if node.HasField("process"):
        process = Process(node.process.cpu, node.process.rss)
    return NodeResult(
        node.uid,
        node.name,
        node.version,
        node.num_clients,
        node.num_users,
        node.num_channels,
        node.num_subs,
        node.uptime,
        metrics,
        process,
    )


def _info(result: Any, request: Request[Any]) -> InfoResult:
    return InfoResult([_node(node) for node in result.nodes])


def _rpc(result: Any, request: Request[Any]) -> RPCResult:
    return RPCResult(result.data)


def _channels(result: Any, request: Request[Any]) -> ChannelsResult:
    channels = result.channels
    return ChannelsResult(
        {name: ChannelInfo(channels[name].num_clients) for name in channels}
    )


# --- the method table ----------------------------------------------------------


class _Method(NamedTuple):
    rpc: str
    request: Any
    reply: Any
    payload_fields: Tuple[str, ...]
    read: ReadResult


def _method(rpc: str, payload_fields: Tuple[str, ...], read: ReadResult) -> _Method:
    request, reply = getattr(pb, f"{rpc}Request"), getattr(pb, f"{rpc}Response")
    return _Method(rpc, request, reply, payload_fields, read)


_METHODS: Dict[str, _Method] = {
    "publish": _method("Publish", ("data",), _publish),
    "broadcast": _method("Broadcast", ("data",), _broadcast),
    "subscribe": _method("Subscribe", ("info", "data"), _empty(SubscribeResult)),
    "unsubscribe": _method("Unsubscribe", (), _empty(UnsubscribeResult)),
    "disconnect": _method("Disconnect", (), _empty(DisconnectResult)),
    "refresh": _method("Refresh", ("info",), _empty(RefreshResult)),
    "presence": _method("Presence", (), _presence),
    "presence_stats": _method("PresenceStats", (), _presence_stats),
    "history": _method("History", (), _history),
    "history_remove": _method("HistoryRemove", (), _empty(HistoryRemoveResult)),
    "info": _method("Info", (), _info),
    "rpc": _method("RPC", ("params",), _rpc),
    "channels": _method("Channels", (), _channels),
}
"""Per API method: the RPC, its bytes fields and how to read its result."""


# --- encoding ------------------------------------------------------------------


def encode_grpc(request: Request[Any]) -> Tuple[str, Any]:
    """Return the RPC name and the protobuf request message for `request`."""
    method = _METHODS.get(request.api_method)
    if method is None:
        return "Batch", _encode_batch(request)

    payload = _checked_payload(method, request, None)
    try:
        return method.rpc, method.request(**payload)
    except (TypeError, ValueError) as err:
        raise _unencodable(request, err) from err


def _encode_batch(batch: Request[Any]) -> Any:
    if not isinstance(batch, BatchRequest):
        raise CentValidationError(f"{type(batch).__name__} cannot be sent over gRPC")

    # Commands go in as dicts, so protobuf builds each nested message only once.
    commands = []
    for index, command in enumerate(batch._requests):
        method = _METHODS.get(command.api_method)
        if method is None:
            raise CentValidationError(
                f"batch command {index}: {type(command).__name__} cannot be sent "
                f"over gRPC"
            )
        commands.append({command.api_method: _checked_payload(method, command, index)})

    try:
        return pb.BatchRequest(commands=commands, parallel=batch._parallel)
    except (TypeError, ValueError) as err:
        raise _unencodable(batch, err) from err


def _checked_payload(
    method: _Method, request: Request[Any], index: Optional[int]
) -> Dict[str, Any]:
    """Return the wire payload, its payload fields checked to be bytes."""
    payload = request.wire_payload()
    copied = None
    for name in method.payload_fields:
        value = payload.get(name, b"")
        if type(value) is not bytes:
            if copied is None:
                copied = dict(payload)  # the builder's payload stays as given
            copied[name] = _as_bytes(request, name, value, index)
    return payload if copied is None else copied


def _as_bytes(
    request: Request[Any], name: str, value: Any, index: Optional[int]
) -> bytes:
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    where = "" if index is None else f"batch command {index}: "
    field = f"{where}{request.api_method} {name}"
    if value is None:
        raise CentValidationError(
            f"{field} is None; over gRPC it must be bytes, e.g. "
            f"json.dumps(obj).encode() (b'null' sends a JSON null)"
        )
    raise CentValidationError(
        f"{field} must be bytes over gRPC, got {type(value).__name__}; "
        f"encode it first, e.g. json.dumps(obj).encode()"
    )


def _unencodable(request: Request[Any], err: Exception) -> CentValidationError:
    # Builders check their fields, so this is a field the proto lacks.
    return CentValidationError(
        f"{request.api_method} cannot be encoded for gRPC: {err}"
    )


# --- decoding ------------------------------------------------------------------


def decode_grpc(request: Request[R], reply: Any) -> R:
    """Turn the reply message to `request` into its result, or raise."""
    method = _METHODS.get(request.api_method)
    if method is None:
        return assemble_batch(request, reply.replies, _read_command)  # type: ignore[arg-type, return-value]
    if reply.HasField("error"):
        raise _api_error(reply.error, None, request)
    return method.read(reply.result, request)  # type: ignore[no-any-return]


def _read_command(request: Request[Any], reply: Any, index: int) -> Any:
    if reply.HasField("error"):
        return _api_error(reply.error, index, request)
    name = request.api_method
    return _METHODS[name].read(getattr(reply, name), request)


def decode_grpc_reply(request: Request[R], reply: bytes) -> R:
    """`decode_grpc` for the serialized reply a transport returns."""
    method = _METHODS.get(request.api_method)
    reply_type = pb.BatchResponse if method is None else method.reply
    try:
        message = reply_type.FromString(reply)
    except DecodeError as err:
        raise CentDecodeError(
            f"reply to {request.api_method} is not a {reply_type.__name__}: {err}"
        ) from err
    return decode_grpc(request, message)


# --- status codes --------------------------------------------------------------

GRPC_STATUS_ERRORS: Dict[str, Type[CentError]] = {
    "OK": CentDecodeError,  # the call ended OK, yet without a reply message
    "CANCELLED": CentTransportError,
    "UNKNOWN": CentTransportError,
    "INVALID_ARGUMENT": CentTransportError,
    "DEADLINE_EXCEEDED": CentTimeoutError,
    "NOT_FOUND": CentTransportError,
    "ALREADY_EXISTS": CentTransportError,
    "PERMISSION_DENIED": CentTransportError,
    "RESOURCE_EXHAUSTED": CentTransportError,
    "FAILED_PRECONDITION": CentTransportError,
    "ABORTED": CentTransportError,
    "OUT_OF_RANGE": CentTransportError,
    "UNIMPLEMENTED": CentTransportError,
    "INTERNAL": CentTransportError,
    "UNAVAILABLE": CentNetworkError,
    "DATA_LOSS": CentTransportError,
    "UNAUTHENTICATED": CentUnauthorizedError,
}
"""The error class raised for each gRPC status code, by the code's name."""

_STATUS_HINTS: Dict[str, str] = {
    "UNAUTHENTICATED": (
        "Centrifugo refused the gRPC API key: pass the server's grpc_api_key "
        "(v5) / grpc_api.key (v6) as api_key"
    ),
    "RESOURCE_EXHAUSTED": (
        "a message passed a gRPC size limit: the server's "
        "grpc_api_max_receive_message_size (v5) / grpc_api.max_receive_message_size "
        "(v6), 4 MiB by default, or this client's max_send_message_length (no "
        "limit by default) or max_receive_message_length (4 MiB by default)"
    ),
    "UNIMPLEMENTED": "this server does not serve the method (Centrifugo PRO only?)",
}


# Past its deadline a call can also end CANCELLED (the server resets the stream
# when the deadline it was sent passes) or, in grpcio, OK without a reply.
_DEADLINE_ENDINGS = frozenset({"CANCELLED", "OK"})


def grpc_status_error(
    code: str, details: str, rpc: str, timeout: float, elapsed: float = 0.0
) -> CentError:
    """Return the error to raise for a call that ended with status `code`.

    Args:
        code: The status code's name, such as `"UNAVAILABLE"`.
        details: The status message the call ended with.
        rpc: The RPC called, such as `"Publish"`.
        timeout: The call's deadline in seconds.
        elapsed: Seconds from the start of the call to its end.
    """
    if code in _DEADLINE_ENDINGS and elapsed >= timeout:
        code = "DEADLINE_EXCEEDED"
    error_class = GRPC_STATUS_ERRORS.get(code, CentTransportError)
    if error_class is CentTimeoutError:
        return CentTimeoutError(f"no reply to {rpc} within {timeout:g} s")
    message = f"{rpc} failed: gRPC {code}: {details[:DETAILS_LENGTH]}"
    hint = _STATUS_HINTS.get(code)
    if hint is not None:
        message = f"{message}; {hint}"
    if error_class is CentTransportError:
        return CentTransportError(message, grpc_code=code)
    return error_class(message)
