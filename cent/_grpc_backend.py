"""The gRPC transports: blocking on `grpc`, asyncio on `grpc.aio`.

Both send an encoded request message to `/centrifugal.centrifugo.api.
CentrifugoApi/<Rpc>` and return the serialized reply; `cent._grpc_codec`
builds the one and reads the other. A failed call's `grpc.RpcError` is turned
into a `CentError` in one place, `_cent_error`, by the codec's status table.
"""

from __future__ import annotations

import asyncio
import ipaddress
import threading
import time
from collections.abc import Sequence
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

import grpc
import grpc.aio

from cent import _validate as check
from cent._grpc_codec import grpc_status_error
from cent.errors import CentError, CentNetworkError, CentValidationError

SERVICE_PATH = "/centrifugal.centrifugo.api.CentrifugoApi/"

Pem = Union[bytes, str]
ChannelOption = Tuple[str, Any]

_COMPRESSION = {"gzip": grpc.Compression.Gzip}

# Channel options cent sets itself; gRPC would ignore a second value silently.
_OWN_OPTIONS = {
    "grpc.enable_retries": "cent keeps gRPC's own retries off",
    "grpc.max_send_message_length": "pass max_send_message_length instead",
    "grpc.max_receive_message_length": "pass max_receive_message_length instead",
}


class GrpcSettings:
    """How to reach Centrifugo's gRPC API, checked once and shared by transports.

    Attributes:
        target: The `host:port` the channel connects to.
        tls: Whether the channel uses TLS.
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        api_key: Optional[str] = None,
        tls: bool = False,
        root_certificates: Optional[Pem] = None,
        private_key: Optional[Pem] = None,
        certificate_chain: Optional[Pem] = None,
        compression: Optional[str] = None,
        max_send_message_length: Optional[int] = None,
        max_receive_message_length: Optional[int] = None,
        options: Sequence[ChannelOption] = (),
    ) -> None:
        self.target = _target(host, port)
        self.tls = check.flag("tls", tls)
        self.metadata = _metadata(api_key)
        self.credentials = _credentials(
            tls, root_certificates, private_key, certificate_chain
        )
        self.compression = _compression(compression)
        self.options = _options(
            max_send_message_length, max_receive_message_length, options
        )

    def open_channel(self, api: Any = grpc) -> Any:
        """Open a channel with `api`, `grpc` or `grpc.aio`; it connects on first use."""
        if self.credentials is None:
            return api.insecure_channel(
                self.target, self.options, compression=self.compression
            )
        return api.secure_channel(
            self.target, self.credentials, self.options, compression=self.compression
        )

    def __repr__(self) -> str:
        return f"GrpcSettings(target={self.target!r}, tls={self.tls})"


def _target(host: str, port: int) -> str:
    if not check.string("host", host):
        raise CentValidationError("host must not be empty")
    check.integer("port", port, 1, 65535)
    try:
        if ipaddress.ip_address(host).version == 6:
            return f"[{host}]:{port}"
    except ValueError:
        pass  # a host name
    if any(char in host for char in ":/[]@ "):
        raise CentValidationError(
            f"host must be a host name or IP address, without scheme or port, "
            f"got {host!r:.80}"
        )
    return f"{host}:{port}"


def _metadata(api_key: Optional[str]) -> Optional[Tuple[Tuple[str, str], ...]]:
    if api_key is None:
        return None
    if api_key == "":
        raise CentValidationError(
            "api_key must not be empty; pass None for a server without a key"
        )
    return (("authorization", f"apikey {check.api_key(api_key)}"),)


def _pem(name: str, value: Optional[Pem]) -> Optional[bytes]:
    if value is None or isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("ascii")
    raise CentValidationError(
        f"{name} must be PEM bytes or str, got {type(value).__name__}"
    )


def _credentials(
    tls: bool,
    root_certificates: Optional[Pem],
    private_key: Optional[Pem],
    certificate_chain: Optional[Pem],
) -> Optional[grpc.ChannelCredentials]:
    root = _pem("root_certificates", root_certificates)
    key = _pem("private_key", private_key)
    chain = _pem("certificate_chain", certificate_chain)
    if not tls:
        if root is not None or key is not None or chain is not None:
            raise CentValidationError(
                "root_certificates, private_key and certificate_chain are TLS "
                "settings; pass tls=True with them"
            )
        return None
    if (key is None) != (chain is None):
        raise CentValidationError(
            "a client certificate needs both private_key and certificate_chain"
        )
    # With no root certificates gRPC verifies the server with its default roots.
    return grpc.ssl_channel_credentials(root, key, chain)


def _compression(name: Optional[str]) -> Optional[grpc.Compression]:
    if name is None:
        return None
    compression = _COMPRESSION.get(name)
    if compression is None:
        raise CentValidationError(
            f"compression must be None or 'gzip' (the codec Centrifugo has), "
            f"got {name!r:.40}"
        )
    return compression


def _options(
    max_send: Optional[int],
    max_receive: Optional[int],
    extra: Sequence[ChannelOption],
) -> List[ChannelOption]:
    # Retries stay off: cent is the one place that decides to retry.
    options: List[ChannelOption] = [("grpc.enable_retries", 0)]
    for name, value in (
        ("max_send_message_length", max_send),
        ("max_receive_message_length", max_receive),
    ):
        if value is not None:
            options.append((f"grpc.{name}", _message_length(name, value)))
    if isinstance(extra, (str, bytes)) or not isinstance(extra, Sequence):
        raise CentValidationError("options must be a sequence of (name, value) pairs")
    for option in extra:
        if not (isinstance(option, tuple) and len(option) == 2):
            raise CentValidationError(
                f"options must hold (name, value) pairs, got {option!r:.60}"
            )
        reason = _OWN_OPTIONS.get(option[0])
        if reason is not None:
            raise CentValidationError(f"option {option[0]!r} is refused: {reason}")
        options.append(option)
    return options


def _message_length(name: str, value: Any) -> int:
    length = check.integer(name, value, -1, 2**31 - 1)
    if length == 0:
        raise CentValidationError(f"{name} must be positive, or -1 for no limit")
    return length


def _serialize(message: Any) -> bytes:
    return message.SerializeToString()  # type: ignore[no-any-return]


def _multicallable(channel: Any, method: str) -> Any:
    # The reply stays bytes: the codec knows which message type to read.
    return channel.unary_unary(
        SERVICE_PATH + method,
        request_serializer=_serialize,
        response_deserializer=None,
        _registered_method=True,
    )


def _cent_error(
    err: grpc.RpcError, rpc: str, timeout: float, started: float
) -> CentError:
    """Translate a failed call into the `CentError` the codec's table names."""
    code = err.code() if callable(getattr(err, "code", None)) else None
    details = err.details() if callable(getattr(err, "details", None)) else None
    name = code.name if isinstance(code, grpc.StatusCode) else "UNKNOWN"
    elapsed = time.monotonic() - started
    return grpc_status_error(name, details or str(err), rpc, timeout, elapsed)


def _no_reply_error(rpc: str, timeout: float, started: float) -> CentError:
    # grpcio sometimes ends a call OK without a reply message when its deadline
    # fires; the codec tells that case from a broken reply by the time taken.
    elapsed = time.monotonic() - started
    return grpc_status_error("OK", "no reply message", rpc, timeout, elapsed)


def _closed_error(method: str) -> CentNetworkError:
    return CentNetworkError(f"{method} was cut off: the client was closed")


def _task_cancelling() -> bool:
    task = asyncio.current_task()
    cancelling = getattr(task, "cancelling", None)  # Python 3.11+
    return bool(cancelling()) if cancelling is not None else False


class GrpcTransport:
    """Sends encoded requests over a blocking `grpc` channel.

    The channel opens on the first call; `close` closes it, and a later call
    opens a new one.
    """

    def __init__(self, settings: GrpcSettings) -> None:
        self._settings = settings
        self._metadata = settings.metadata
        self._channel: Optional[grpc.Channel] = None
        self._calls: Dict[str, Callable[..., bytes]] = {}
        self._lock = threading.Lock()

    def send(self, method: str, payload: Any, timeout: float) -> bytes:
        """Call the RPC `method` with the request message; return the reply bytes."""
        call = self._calls.get(method) or self._call(method)
        started = time.monotonic()
        try:
            reply = call(payload, timeout=timeout, metadata=self._metadata)
        except grpc.RpcError as err:
            raise _cent_error(err, method, timeout, started) from err
        except ValueError as err:  # grpc's word for a channel closed meanwhile
            raise _closed_error(method) from err
        if reply is None:
            raise _no_reply_error(method, timeout, started)
        return reply

    def close(self) -> None:
        """Close the channel; calls still running end as CANCELLED."""
        with self._lock:
            channel, self._channel = self._channel, None
            self._calls = {}
        if channel is not None:
            channel.close()

    def _call(self, method: str) -> Callable[..., bytes]:
        with self._lock:
            if self._channel is None:
                self._channel = self._settings.open_channel()
            call: Callable[..., bytes] = _multicallable(self._channel, method)
            self._calls[method] = call
        return call


class GrpcAioTransport:
    """Sends encoded requests over a `grpc.aio` channel.

    The channel opens on the first call, inside the running event loop, so the
    transport can be built anywhere. A `grpc.aio` channel only works in the loop
    it was opened in, so a call from another loop (a second `asyncio.run`)
    opens a new one. `close` closes it; a later call opens a new one.
    """

    def __init__(self, settings: GrpcSettings) -> None:
        self._settings = settings
        self._metadata = settings.metadata
        self._channel: Optional[grpc.aio.Channel] = None
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._calls: Dict[str, Callable[..., Any]] = {}

    async def send(self, method: str, payload: Any, timeout: float) -> bytes:
        """Call the RPC `method` with the request message; return the reply bytes."""
        if self._loop is not asyncio.get_running_loop():
            self._open()
        call = self._calls.get(method) or self._call(method)
        channel = self._channel
        started = time.monotonic()
        try:
            reply: bytes = await call(payload, timeout=timeout, metadata=self._metadata)
        except grpc.RpcError as err:
            raise _cent_error(err, method, timeout, started) from err
        except asyncio.CancelledError:
            # Closing the channel cancels the calls on it; only a cancellation
            # of the caller's own task is passed on as one.
            if self._channel is channel or _task_cancelling():
                raise
            raise _closed_error(method) from None
        if reply is None:
            raise _no_reply_error(method, timeout, started)
        return reply

    async def close(self) -> None:
        """Close the channel; calls still running are cancelled."""
        channel, loop = self._channel, self._loop
        self._channel, self._loop, self._calls = None, None, {}
        if channel is not None and loop is asyncio.get_running_loop():
            await channel.close()

    def _open(self) -> None:
        # A channel of another loop cannot be closed from this one: drop it.
        self._channel = self._settings.open_channel(grpc.aio)
        self._loop = asyncio.get_running_loop()
        self._calls = {}

    def _call(self, method: str) -> Callable[..., Any]:
        call: Callable[..., Any] = _multicallable(self._channel, method)
        self._calls[method] = call
        return call
