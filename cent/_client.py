"""The HTTP clients: `Client` (blocking, on requests) and `AsyncClient` (aiohttp)."""

from __future__ import annotations

from types import TracebackType
from typing import Optional, Tuple, Type, TypeVar

import aiohttp
import requests

from cent._aiohttp_backend import AiohttpTransport
from cent._builders import Request
from cent._core import check_timeout, resolve_timeout
from cent._executor import AsyncExecutor, SyncExecutor
from cent._http_codec import decode_http_reply, encode_http
from cent._requests_backend import RequestsTransport
from cent._shortcuts import AsyncShortcuts, SyncShortcuts
from cent._transport import AsyncTransport, SyncTransport

R = TypeVar("R")
HttpReply = Tuple[int, bytes]


class Client(SyncShortcuts):
    """A blocking client for the Centrifugo HTTP API.

    Example:
        >>> client = Client("http://localhost:8000/api", "<api key>")
        >>> client.publish("news", {"text": "hello"})  # doctest: +SKIP
        PublishResult(offset=1, epoch='...')

    Args:
        api_url: The API endpoint, e.g. `http://localhost:8000/api`.
        api_key: The server's HTTP API key, sent as the `X-API-Key` header.
        request_timeout: Default seconds to wait for each reply.
        session: A `requests.Session` to use; it is neither changed nor closed.
        transport: A transport to use instead of HTTP, e.g. `MockTransport`.
    """

    def __init__(
        self,
        api_url: str,
        api_key: str,
        request_timeout: float = 10.0,
        session: Optional[requests.Session] = None,
        *,
        transport: Optional[SyncTransport[bytes, HttpReply]] = None,
    ) -> None:
        self._api_url = api_url
        self._timeout = check_timeout(request_timeout)
        if transport is None:
            transport = RequestsTransport(api_url, api_key, session)
        self._executor = SyncExecutor(
            transport, encode_http, decode_http_reply, api_url
        )

    def send(self, request: Request[R], timeout: Optional[float] = None) -> R:
        """Send one request (or a `BatchRequest`) and return its typed result.

        Args:
            request: Any request builder, e.g. `PublishRequest("news", {...})`.
            timeout: Seconds to wait for this call; the client default if None.

        Raises:
            CentValidationError: The request was refused before sending.
            CentAPIError: Centrifugo answered with an error (`code`, `message`).
            CentUnauthorizedError: The API key was refused.
            CentTransportError: The server answered with a non-2xx status.
            CentNetworkError: The server could not be reached.
            CentTimeoutError: No reply within the timeout.
            CentDecodeError: The reply was not the API's JSON.
        """
        return self._executor.execute(request, resolve_timeout(timeout, self._timeout))

    def close(self) -> None:
        """Close the connections this client opened."""
        self._executor.transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Client(api_url={self._api_url!r})"


class AsyncClient(AsyncShortcuts):
    """An asyncio client for the Centrifugo HTTP API.

    It can be built outside a running event loop; its `aiohttp` session is
    opened on first use. Close it with `await client.close()` or `async with`.

    Args:
        api_url: The API endpoint, e.g. `http://localhost:8000/api`.
        api_key: The server's HTTP API key, sent as the `X-API-Key` header.
        request_timeout: Default seconds to wait for each reply.
        session: An `aiohttp.ClientSession` to use; it is neither changed nor
            closed.
        transport: A transport to use instead of HTTP, e.g. `AsyncMockTransport`.
    """

    def __init__(
        self,
        api_url: str,
        api_key: str,
        request_timeout: float = 10.0,
        session: Optional[aiohttp.ClientSession] = None,
        *,
        transport: Optional[AsyncTransport[bytes, HttpReply]] = None,
    ) -> None:
        self._api_url = api_url
        self._timeout = check_timeout(request_timeout)
        if transport is None:
            transport = AiohttpTransport(api_url, api_key, session)
        self._executor = AsyncExecutor(
            transport, encode_http, decode_http_reply, api_url
        )

    async def send(self, request: Request[R], timeout: Optional[float] = None) -> R:
        """Send one request (or a `BatchRequest`) and return its typed result.

        Raises the same errors as `Client.send`.
        """
        return await self._executor.execute(
            request, resolve_timeout(timeout, self._timeout)
        )

    async def close(self) -> None:
        """Close the connections this client opened."""
        await self._executor.transport.close()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"AsyncClient(api_url={self._api_url!r})"
