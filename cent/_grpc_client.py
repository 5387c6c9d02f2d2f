"""The gRPC clients: `GrpcClient` (asyncio, on grpc.aio) and `SyncGrpcClient`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Optional, Union

from cent._autobatch import AutoBatching, with_auto_batching
from cent._client_base import AsyncClientBase, SyncClientBase
from cent._core import check_timeout
from cent._executor import AsyncExecutor, SyncExecutor
from cent._grpc_backend import (
    ChannelOption,
    GrpcAioTransport,
    GrpcSettings,
    GrpcTransport,
    Pem,
)
from cent._grpc_codec import decode_grpc_reply, encode_grpc
from cent.errors import CentValidationError


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
        auto_batch: Union[bool, AutoBatching] = False,
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
        self._set_executor(transport, auto_batch)

    def _set_executor(
        self, transport: Any, auto_batch: Union[bool, AutoBatching]
    ) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        settings = self._settings
        return f"{type(self).__name__}(target={settings.target!r}, tls={settings.tls})"


class GrpcClient(_GrpcClientBase, AsyncClientBase):
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
        auto_batch: True, or an `AutoBatching`, to send concurrent calls made
            within a short window as one batch call; each caller still gets
            its own result or error. `GrpcClient` only.
        transport: A transport to use instead of gRPC, e.g. `AsyncMockTransport`
            playing serialized reply messages.
    """

    def _set_executor(
        self, transport: Any, auto_batch: Union[bool, AutoBatching]
    ) -> None:
        if transport is None:
            transport = GrpcAioTransport(self._settings)
        executor = AsyncExecutor(
            transport, encode_grpc, decode_grpc_reply, self._settings.target
        )
        self._executor = with_auto_batching(executor, auto_batch)


class SyncGrpcClient(_GrpcClientBase, SyncClientBase):
    """A blocking client for the Centrifugo gRPC API.

    Takes the same arguments as `GrpcClient` and raises the same errors; it may
    be shared between threads.

    Example:
        >>> client = SyncGrpcClient("localhost", 10000, api_key="<grpc key>")
        >>> client.publish("news", b'{"text": "hi"}')  # doctest: +SKIP
        PublishResult(offset=1, epoch='...')
    """

    def _set_executor(
        self, transport: Any, auto_batch: Union[bool, AutoBatching]
    ) -> None:
        if auto_batch is not False:
            raise CentValidationError(
                "auto_batch needs concurrent callers: use GrpcClient (asyncio)"
            )
        if transport is None:
            transport = GrpcTransport(self._settings)
        self._executor = SyncExecutor(
            transport, encode_grpc, decode_grpc_reply, self._settings.target
        )
