"""Fixtures of the real-server suite: one adapter per client kind.

Every test talks to the server through `api`, an `ApiAdapter` that makes all
client kinds look alike: `send` and `call` are awaitable whatever the client,
and `payload` / `loaded` convert user data to and from what the transport
carries (JSON values over HTTP, JSON-encoded bytes over gRPC).

A new client kind joins the suite by subclassing `ApiAdapter` and adding the
class to `ADAPTERS`; the tests stay as they are. A test of behaviour that only
one transport has takes `http_api` or `grpc_api` instead of `api`: it then
runs over that transport's client kinds only, and is never skipped.
"""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Iterator
from typing import Any, Callable, ClassVar, Dict, List, Optional, Tuple, Type

import orjson
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
        empty: What an unset payload field (such as `conn_info`) reads as.
        client: The underlying `cent` client.
    """

    kind: ClassVar[str] = ""
    transport: ClassVar[str] = ""
    empty: ClassVar[Any] = None
    client_class: ClassVar[Any] = None

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


# --- how calls are made: in a worker thread, or awaited -------------------------


class BlockingCalls(ApiAdapter):
    """A blocking client, run in a worker thread so the event loop stays free.

    Called directly, a blocking call would also block the subscribers that
    share the loop: Centrifugo 5.4.9 answers `disconnect` only after the
    client acknowledged the WebSocket close (or after 5 s), so each such call
    would stall for 5 s.
    """

    async def send(self, request: Any, timeout: Optional[float] = None) -> Any:
        return await asyncio.to_thread(self.client.send, request, timeout)

    async def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        method = getattr(self.client, name)
        return await asyncio.to_thread(method, *args, **kwargs)

    async def close(self) -> None:
        self.client.close()


class AwaitedCalls(ApiAdapter):
    """An asyncio client."""

    async def send(self, request: Any, timeout: Optional[float] = None) -> Any:
        return await self.client.send(request, timeout)

    async def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        return await getattr(self.client, name)(*args, **kwargs)

    async def close(self) -> None:
        await self.client.close()


# --- what the client talks: HTTP with JSON values, gRPC with bytes ----------------


class HttpAdapter(ApiAdapter):
    """Payloads are JSON values, which the client encodes."""

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
        url = server.api_url if port is None else f"http://{HOST}:{port}/api"
        key = server.api_key if api_key is None else api_key
        return cls(cls.client_class(url, key, request_timeout))


class GrpcAdapter(ApiAdapter):
    """Payloads are bytes: JSON documents encoded with orjson."""

    transport = "grpc"
    empty = b""

    @classmethod
    def open(
        cls,
        server: CentrifugoServer,
        *,
        api_key: Optional[str] = None,
        port: Optional[int] = None,
        request_timeout: float = 5.0,
    ) -> ApiAdapter:
        port = port or server.grpc_port
        key = api_key or server.grpc_key
        client = cls.client_class(server.grpc_host, port, request_timeout, api_key=key)
        return cls(client)

    def payload(self, obj: Any) -> Any:
        return orjson.dumps(obj)

    def loaded(self, value: Any) -> Any:
        assert type(value) is bytes, f"gRPC payload {value!r:.60} is not bytes"
        return orjson.loads(value)


class HttpSyncAdapter(BlockingCalls, HttpAdapter):
    """`cent.Client`."""

    kind = "http-sync"
    client_class = cent.Client


class HttpAsyncAdapter(AwaitedCalls, HttpAdapter):
    """`cent.AsyncClient`."""

    kind = "http-async"
    client_class = cent.AsyncClient


class GrpcSyncAdapter(BlockingCalls, GrpcAdapter):
    """`cent.SyncGrpcClient`."""

    kind = "grpc-sync"
    client_class = cent.SyncGrpcClient


class GrpcAsyncAdapter(AwaitedCalls, GrpcAdapter):
    """`cent.GrpcClient`."""

    kind = "grpc-async"
    client_class = cent.GrpcClient


ADAPTERS: Dict[str, Type[ApiAdapter]] = {
    adapter.kind: adapter
    for adapter in (
        HttpSyncAdapter,
        HttpAsyncAdapter,
        GrpcSyncAdapter,
        GrpcAsyncAdapter,
    )
}
HTTP_KINDS = [kind for kind, adapter in ADAPTERS.items() if adapter.transport == "http"]
GRPC_KINDS = [kind for kind, adapter in ADAPTERS.items() if adapter.transport == "grpc"]


class _Adapters:
    """The session's adapters, one per client kind and server, opened once."""

    def __init__(self) -> None:
        self._open: Dict[Tuple[str, str], ApiAdapter] = {}

    def get(self, kind: str, server: CentrifugoServer) -> ApiAdapter:
        key = (kind, server.version)
        if key not in self._open:
            self._open[key] = ADAPTERS[kind].open(server)
        return self._open[key]

    async def close(self) -> None:
        for adapter in self._open.values():
            await adapter.close()
        self._open.clear()


@pytest.fixture(scope="session")
async def _adapters() -> AsyncIterator[_Adapters]:
    adapters = _Adapters()
    yield adapters
    await adapters.close()


@pytest.fixture(scope="session", params=list(ADAPTERS))
def api_kind(request: pytest.FixtureRequest) -> str:
    """The client kind under test."""
    kind: str = request.param
    return kind


@pytest.fixture(scope="session")
def api(
    api_kind: str, centrifugo: CentrifugoServer, _adapters: _Adapters
) -> ApiAdapter:
    """A client of kind `api_kind` for the `centrifugo` server under test."""
    return _adapters.get(api_kind, centrifugo)


@pytest.fixture(scope="session", params=HTTP_KINDS)
def http_api(
    request: pytest.FixtureRequest, centrifugo: CentrifugoServer, _adapters: _Adapters
) -> ApiAdapter:
    """Like `api`, over the HTTP client kinds only."""
    return _adapters.get(request.param, centrifugo)


@pytest.fixture(scope="session", params=GRPC_KINDS)
def grpc_api(
    request: pytest.FixtureRequest, centrifugo: CentrifugoServer, _adapters: _Adapters
) -> ApiAdapter:
    """Like `api`, over the gRPC client kinds only."""
    return _adapters.get(request.param, centrifugo)


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
