"""The HTTP clients: `Client` (blocking, on requests) and `AsyncClient` (aiohttp)."""

from __future__ import annotations

from typing import Optional, Tuple, Union

import aiohttp
import requests

from cent._aiohttp_backend import AiohttpTransport
from cent._autobatch import AutoBatching, with_auto_batching
from cent._client_base import AsyncClientBase, SyncClientBase
from cent._core import check_timeout
from cent._executor import AsyncExecutor, SyncExecutor
from cent._http_codec import decode_http_reply, encode_http
from cent._http_common import redact_url
from cent._requests_backend import RequestsTransport
from cent._transport import AsyncTransport, SyncTransport

HttpReply = Tuple[int, bytes]


class Client(SyncClientBase):
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
            transport, encode_http, decode_http_reply, redact_url(api_url)
        )

    def __repr__(self) -> str:
        return f"Client(api_url={redact_url(self._api_url)!r})"


class AsyncClient(AsyncClientBase):
    """An asyncio client for the Centrifugo HTTP API.

    It can be built outside a running event loop; its `aiohttp` session is
    opened on first use. Close it with `await client.close()` or `async with`.

    Args:
        api_url: The API endpoint, e.g. `http://localhost:8000/api`.
        api_key: The server's HTTP API key, sent as the `X-API-Key` header.
        request_timeout: Default seconds to wait for each reply.
        session: An `aiohttp.ClientSession` to use; it is neither changed nor
            closed.
        auto_batch: True, or an `AutoBatching`, to send concurrent calls made
            within a short window as one batch call; each caller still gets
            its own result or error.
        transport: A transport to use instead of HTTP, e.g. `AsyncMockTransport`.
    """

    def __init__(
        self,
        api_url: str,
        api_key: str,
        request_timeout: float = 10.0,
        session: Optional[aiohttp.ClientSession] = None,
        *,
        auto_batch: Union[bool, AutoBatching] = False,
        transport: Optional[AsyncTransport[bytes, HttpReply]] = None,
    ) -> None:
        self._api_url = api_url
        self._timeout = check_timeout(request_timeout)
        if transport is None:
            transport = AiohttpTransport(api_url, api_key, session)
        executor = AsyncExecutor(
            transport, encode_http, decode_http_reply, redact_url(api_url)
        )
        self._executor = with_auto_batching(executor, auto_batch)

    def __repr__(self) -> str:
        return f"AsyncClient(api_url={redact_url(self._api_url)!r})"
