"""Fixtures of the real-server suite: one adapter per client kind.

Every test talks to the server through `api`, an `ApiAdapter` that makes all
client kinds look alike: `send` and `call` are awaitable whatever the client,
and `payload` / `loaded` convert user data to and from what the transport
carries (JSON values over HTTP; gRPC will carry JSON-encoded bytes).

A new client kind joins the suite by subclassing `ApiAdapter` and adding the
class to `ADAPTERS`; the tests stay as they are.
"""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Iterator
from typing import Any, Callable, ClassVar, Dict, List, Optional, Type

import pytest

import cent
from cent.testing.server import CentrifugoServer

from .subscriber import Subscriber

HOST = "127.0.0.1"


class ApiAdapter:
    """Runs API calls through one kind of client; every call is awaitable.

    Attributes:
        kind: The fixture id, such as `http-sync`.
        transport: `http` or `grpc`, for the few facts that differ by wire.
        client: The underlying `cent` client.
    """

    kind: ClassVar[str] = ""
    transport: ClassVar[str] = ""

    def __init__(self, client: Any) -> None:
        self.client = client

    @classmethod
    def open(
        cls,
        server: CentrifugoServer,
        *,
        api_key: Optional[str] = None,
        port: Optional[int] = None,
        request_timeout: float = 5.0,
    ) -> ApiAdapter:
        """Build a client for `server`, or for another port on 127.0.0.1."""
        raise NotImplementedError

    async def send(self, request: Any, timeout: Optional[float] = None) -> Any:
        """Send a request builder and return its result."""
        raise NotImplementedError

    async def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Call the shortcut `name`, e.g. `call("publish", channel, data)`."""
        raise NotImplementedError

    def payload(self, obj: Any) -> Any:
        """Turn a JSON-able object into the payload value this transport takes."""
        return obj

    def loaded(self, value: Any) -> Any:
        """Turn a payload value the server returned back into a Python object."""
        return value

    async def close(self) -> None:
        """Close the client."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{self.kind} adapter>"


def _http_api_url(server: CentrifugoServer, port: Optional[int]) -> str:
    return server.api_url if port is None else f"http://{HOST}:{port}/api"


class HttpSyncAdapter(ApiAdapter):
    """`cent.Client`, run in a worker thread so the event loop stays free.

    Called directly, a blocking call would also block the subscribers that
    share the loop: Centrifugo 5.4.9 answers `disconnect` only after the
    client acknowledged the WebSocket close (or after 5 s), so each such call
    would stall for 5 s.
    """

    kind = "http-sync"
    transport = "http"

    @classmethod
    def open(
        cls,
        server: CentrifugoServer,
        *,
        api_key: Optional[str] = None,
        port: Optional[int] = None,
        request_timeout: float = 5.0,
    ) -> ApiAdapter:
        url = _http_api_url(server, port)
        key = server.api_key if api_key is None else api_key
        return cls(cent.Client(url, key, request_timeout))

    async def send(self, request: Any, timeout: Optional[float] = None) -> Any:
        return await asyncio.to_thread(self.client.send, request, timeout)

    async def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        method = getattr(self.client, name)
        return await asyncio.to_thread(method, *args, **kwargs)

    async def close(self) -> None:
        self.client.close()


class HttpAsyncAdapter(ApiAdapter):
    """`cent.AsyncClient`."""

    kind = "http-async"
    transport = "http"

    @classmethod
    def open(
        cls,
        server: CentrifugoServer,
        *,
        api_key: Optional[str] = None,
        port: Optional[int] = None,
        request_timeout: float = 5.0,
    ) -> ApiAdapter:
        url = _http_api_url(server, port)
        key = server.api_key if api_key is None else api_key
        return cls(cent.AsyncClient(url, key, request_timeout))

    async def send(self, request: Any, timeout: Optional[float] = None) -> Any:
        return await self.client.send(request, timeout)

    async def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        return await getattr(self.client, name)(*args, **kwargs)

    async def close(self) -> None:
        await self.client.close()


ADAPTERS: Dict[str, Type[ApiAdapter]] = {
    adapter.kind: adapter for adapter in (HttpSyncAdapter, HttpAsyncAdapter)
}


@pytest.fixture(scope="session", params=list(ADAPTERS))
def api_kind(request: pytest.FixtureRequest) -> str:
    """The client kind under test."""
    kind: str = request.param
    return kind


@pytest.fixture(scope="session")
async def api(api_kind: str, centrifugo: CentrifugoServer) -> AsyncIterator[ApiAdapter]:
    """A client of kind `api_kind` for the `centrifugo` server under test."""
    adapter = ADAPTERS[api_kind].open(centrifugo)
    yield adapter
    await adapter.close()


OpenApi = Callable[..., ApiAdapter]


@pytest.fixture
async def open_api(
    api_kind: str, centrifugo: CentrifugoServer
) -> AsyncIterator[OpenApi]:
    """Open more clients of the kind under test; `ApiAdapter.open` arguments."""
    opened: List[ApiAdapter] = []

    def open_adapter(**options: Any) -> ApiAdapter:
        adapter = ADAPTERS[api_kind].open(centrifugo, **options)
        opened.append(adapter)
        return adapter

    yield open_adapter
    for adapter in opened:
        await adapter.close()


@pytest.fixture
def new_channel() -> Callable[[str], str]:
    """Return a maker of unique channel names, e.g. `new_channel("ns:")`."""

    def make(prefix: str = "") -> str:
        return f"{prefix}cent-{uuid.uuid4().hex}"

    return make


@pytest.fixture
def channel(new_channel: Callable[[str], str]) -> str:
    """A unique channel without namespace: history 100 / 300 s and presence."""
    return new_channel("")


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port on 127.0.0.1 that accepts connections and never answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        sock.listen(16)
        port: int = sock.getsockname()[1]
        yield port


ConnectSubscriber = Callable[..., Awaitable[Subscriber]]


@pytest.fixture
async def connect_subscriber(
    centrifugo: CentrifugoServer,
) -> AsyncIterator[ConnectSubscriber]:
    """Connect real WebSocket clients; all are disconnected after the test.

    Call it as `await connect_subscriber(user, channels=[...])`; `channels`
    become server-side subscriptions through the connection token, and
    `info` its connection info.
    """
    subscribers: List[Subscriber] = []

    async def connect(
        user: Optional[str] = None,
        *,
        channels: Optional[List[str]] = None,
        ttl: int = 3600,
        info: Any = None,
    ) -> Subscriber:
        name = user if user is not None else f"user-{uuid.uuid4().hex[:12]}"
        subscriber = Subscriber(centrifugo, name, channels=channels, ttl=ttl, info=info)
        subscribers.append(subscriber)
        await subscriber.connect()
        return subscriber

    yield connect
    for subscriber in subscribers:
        await subscriber.close()
