"""The gRPC clients: `GrpcClient` (asyncio, on grpc.aio) and `SyncGrpcClient`."""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import Any, Optional, Type, TypeVar

from cent._builders import Request
from cent._core import check_timeout, resolve_timeout
from cent._executor import AsyncExecutor, SyncExecutor
from cent._grpc_backend import (
    ChannelOption,
    GrpcAioTransport,
    GrpcSettings,
    GrpcTransport,
    Pem,
)
from cent._grpc_codec import decode_grpc_reply, encode_grpc
from cent._shortcuts import AsyncShortcuts, SyncShortcuts

R = TypeVar("R")


class _GrpcClientBase:
    """The constructor both gRPC clients share; `GrpcClient` documents it."""

    def __init__(
        self,
        host: str,
        port: int,
        request_timeout: float = 10.0,
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
        transport: Any = None,
    ) -> None:
        self._settings = GrpcSettings(
            host,
            port,
            api_key=api_key,
            tls=tls,
            root_certificates=root_certificates,
            private_key=private_key,
            certificate_chain=certificate_chain,
            compression=compression,
            max_send_message_length=max_send_message_length,
            max_receive_message_length=max_receive_message_length,
            options=options,
        )
        self._timeout = check_timeout(request_timeout)
        self._set_executor(transport)

    def _set_executor(self, transport: Any) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        settings = self._settings
        return f"{type(self).__name__}(target={settings.target!r}, tls={settings.tls})"


class GrpcClient(_GrpcClientBase, AsyncShortcuts):
    """An asyncio client for the Centrifugo gRPC API.

    It takes the same request builders as the HTTP clients and returns the same
    results, except that payloads (`data`, `info`, rpc `params`) are `bytes`
    both ways. It can be built outside a running event loop: its channel opens
    on first use. Close it with `await client.close()` or `async with`.

    Example:
        >>> import json
        >>> client = GrpcClient("localhost", 10000)
        >>> data = json.dumps({"text": "hi"}).encode()
        >>> await client.publish("news", data)  # doctest: +SKIP
        PublishResult(offset=1, epoch='...')

    Args:
        host: The server's host name or IP address.
        port: The server's gRPC API port (Centrifugo's default is 10000).
        request_timeout: Default seconds to wait for each reply.
        api_key: The server's gRPC API key (`grpc_api_key` in v5,
            `grpc_api.key` in v6), or None when the server has no key.
        tls: Connect with TLS. Without `root_certificates` the server is
            verified against gRPC's default root certificates.
        root_certificates: PEM CA certificates to verify the server with.
        private_key: PEM private key of a client certificate.
        certificate_chain: PEM certificate chain of a client certificate.
        compression: `"gzip"` to compress requests; None sends them as is.
        max_send_message_length: Largest request in bytes, -1 for no limit;
            None keeps gRPC's default (no limit).
        max_receive_message_length: Largest reply in bytes, -1 for no limit;
            None keeps gRPC's default (4 MiB).
        options: Extra gRPC channel options, as `(name, value)` pairs, e.g.
            `[("grpc.keepalive_time_ms", 30000)]`. The ones cent sets (the
            message lengths, and `grpc.enable_retries`, always 0) are refused.
        transport: A transport to use instead of gRPC, e.g. `AsyncMockTransport`
            playing serialized reply messages.
    """

    _executor: AsyncExecutor[Any, bytes]

    def _set_executor(self, transport: Any) -> None:
        if transport is None:
            transport = GrpcAioTransport(self._settings)
        self._executor = AsyncExecutor(
            transport, encode_grpc, decode_grpc_reply, self._settings.target
        )

    async def send(self, request: Request[R], timeout: Optional[float] = None) -> R:
        """Send one request (or a `BatchRequest`) and return its typed result.

        Args:
            request: Any request builder, e.g. `PublishRequest("news", b"{}")`.
            timeout: Seconds to wait for this call; the client default if None.

        Raises:
            CentValidationError: The request was refused before sending, e.g.
                a payload that is not `bytes`.
            CentAPIError: Centrifugo answered with an error (`code`, `message`).
            CentUnauthorizedError: The API key was refused (UNAUTHENTICATED).
            CentNetworkError: The server could not be reached (UNAVAILABLE).
            CentTimeoutError: No reply within the timeout (DEADLINE_EXCEEDED).
            CentTransportError: The call ended with another gRPC status, named
                in `grpc_code`.
            CentDecodeError: The reply was not the expected message.
        """
        return await self._executor.execute(
            request, resolve_timeout(timeout, self._timeout)
        )

    async def close(self) -> None:
        """Close the channel this client opened."""
        await self._executor.transport.close()

    async def __aenter__(self) -> GrpcClient:
        return self

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        await self.close()


class SyncGrpcClient(_GrpcClientBase, SyncShortcuts):
    """A blocking client for the Centrifugo gRPC API.

    Takes the same arguments as `GrpcClient` and raises the same errors; it may
    be shared between threads.

    Example:
        >>> client = SyncGrpcClient("localhost", 10000, api_key="<grpc key>")
        >>> client.publish("news", b'{"text": "hi"}')  # doctest: +SKIP
        PublishResult(offset=1, epoch='...')
    """

    _executor: SyncExecutor[Any, bytes]

    def _set_executor(self, transport: Any) -> None:
        if transport is None:
            transport = GrpcTransport(self._settings)
        self._executor = SyncExecutor(
            transport, encode_grpc, decode_grpc_reply, self._settings.target
        )

    def send(self, request: Request[R], timeout: Optional[float] = None) -> R:
        """Send one request (or a `BatchRequest`) and return its typed result.

        Raises the same errors as `GrpcClient.send`.
        """
        return self._executor.execute(request, resolve_timeout(timeout, self._timeout))

    def close(self) -> None:
        """Close the channel this client opened."""
        self._executor.transport.close()

    def __enter__(self) -> SyncGrpcClient:
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()
