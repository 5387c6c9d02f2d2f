"""Every backend exception is mapped to a CentError subclass, with its cause.

The tests walk the exception classes of requests, of urllib3 (raised below a
real requests.Session, so requests' own wrapping runs) and of aiohttp, and
fail when one comes out of a transport unmapped.
"""

from __future__ import annotations

import asyncio
import inspect
import socket
from types import SimpleNamespace
from typing import Any, Callable, Dict, List, Optional, Type, cast

import aiohttp
import aiohttp.client_exceptions
import pytest
import requests
import requests.exceptions
import urllib3.exceptions
from requests.adapters import HTTPAdapter

from cent import CentError, CentNetworkError, CentTimeoutError
from cent._aiohttp_backend import AiohttpTransport
from cent._requests_backend import RequestsTransport

URL = "http://127.0.0.1:1/api"
KEY = "mapping-key"


def all_subclasses(root: type) -> List[type]:
    found: Dict[type, None] = {root: None}
    stack = [root]
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub not in found:
                found[sub] = None
                stack.append(sub)
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


def exceptions_of(module: Any, root: type) -> List[type]:
    classes = [
        value
        for value in vars(module).values()
        if inspect.isclass(value)
        and issubclass(value, root)
        and not issubclass(value, Warning)
    ]
    return sorted(set(classes), key=lambda c: c.__qualname__)


def qualname(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


# Arguments by parameter name, enough to build every class of the three
# libraries with a working str().
def _connection_key() -> Any:
    from aiohttp.client_reqrep import ConnectionKey

    fields = ConnectionKey._fields
    values = {
        "host": "127.0.0.1",
        "port": 1,
        "is_ssl": False,
        "ssl": True,
        "proxy": None,
        "proxy_auth": None,
        "proxy_headers_hash": None,
    }
    return ConnectionKey(*(values.get(name) for name in fields))


def _request_info() -> Any:
    from multidict import CIMultiDict, CIMultiDictProxy
    from yarl import URL as YURL

    return aiohttp.RequestInfo(
        YURL(URL), "POST", CIMultiDictProxy(CIMultiDict()), YURL(URL)
    )


ARGUMENTS: Dict[str, Callable[[], Any]] = {
    "pool": lambda: None,
    "url": lambda: URL,
    "message": lambda: "injected failure",
    "reason": lambda: OSError("injected"),
    "conn": lambda: None,
    "host": lambda: "127.0.0.1",
    "response": lambda: SimpleNamespace(tell=lambda: 1, length_remaining=2),
    "length": lambda: b"zz",
    "partial": lambda: 1,
    "expected": lambda: 2,
    "scheme": lambda: "gopher",
    "location": lambda: "http://[::1",
    "defects": lambda: [],
    "unparsed_data": lambda: b"",
    "retries": lambda: 0,
    "error": lambda: OSError("injected"),
    "request_info": _request_info,
    "history": lambda: (),
    "connection_key": _connection_key,
    "os_error": lambda: OSError(111, "injected"),
    "certificate_error": lambda: Exception("injected"),
    "path": lambda: "/tmp/injected.sock",
    "got": lambda: b"\x01",
    "port": lambda: 1,
    "description": lambda: None,
    "msg": lambda: "injected failure",
    "doc": lambda: "",
    "pos": lambda: 0,
}


SPECIAL: Dict[type, Callable[[], BaseException]] = {
    requests.exceptions.JSONDecodeError: lambda: requests.exceptions.JSONDecodeError(
        "injected failure", "{", 1
    ),
}


def build(cls: Type[BaseException]) -> BaseException:
    """An instance of `cls` built the way the library builds it."""
    if cls in SPECIAL:
        return SPECIAL[cls]()
    try:
        params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    except (TypeError, ValueError):
        params = []
    args: List[Any] = []
    kwargs: Dict[str, Any] = {}
    for param in params:
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        if param.default is not param.empty and param.name not in ARGUMENTS:
            continue
        value = ARGUMENTS[param.name]()
        if param.kind is param.KEYWORD_ONLY:
            kwargs[param.name] = value
        else:
            args.append(value)
    if not params or all(p.kind is p.VAR_POSITIONAL for p in params[:1]):
        args = ["injected failure"]
    error = cls(*args, **kwargs)
    str(error)  # the transports format it; it must not fail for test reasons
    return error


# --- requests ---------------------------------------------------------------

REQUESTS_ERRORS = exceptions_of(requests.exceptions, requests.RequestException)


class RaisingSession:
    """A stand-in for requests.Session whose post raises."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def post(self, *args: Any, **kwargs: Any) -> Any:
        raise self.error


def send_sync(transport: RequestsTransport) -> BaseException:
    try:
        transport.send("publish", b'{"channel":"c","data":1}', 0.5)
    except BaseException as err:
        return err
    raise AssertionError("the transport did not raise")


def test_requests_exception_list_is_complete() -> None:
    names = {cls.__name__ for cls in REQUESTS_ERRORS}
    assert {"ConnectionError", "Timeout", "ReadTimeout", "SSLError"} <= names
    assert len(REQUESTS_ERRORS) >= 20


@pytest.mark.parametrize("cls", REQUESTS_ERRORS, ids=qualname)
def test_requests_exception_is_mapped(cls: Type[BaseException]) -> None:
    original = build(cls)
    session: Any = RaisingSession(original)
    transport = RequestsTransport(URL, KEY, session=session)

    raised = send_sync(transport)

    assert isinstance(raised, CentError), f"{qualname(cls)} left unmapped"
    assert raised.__cause__ is original
    if issubclass(cls, requests.Timeout):
        assert isinstance(raised, CentTimeoutError)
    else:
        assert isinstance(raised, CentNetworkError)
    assert KEY not in str(raised)


class RaisingPool:
    """A urllib3 pool whose urlopen raises: requests' adapter wraps what it can."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def urlopen(self, *args: Any, **kwargs: Any) -> Any:
        raise self.error


class FakeRawResponse:
    """A urllib3 response whose body stream raises mid-read."""

    status = 200
    reason = "OK"
    headers: Dict[str, str] = {}  # noqa: RUF012
    _original_response = None

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def stream(self, *args: Any, **kwargs: Any) -> Any:
        yield b'{"res'
        raise self.error

    def release_conn(self) -> None:
        pass

    def close(self) -> None:
        pass


class InjectingAdapter(HTTPAdapter):
    def __init__(self, pool: Any) -> None:
        super().__init__()
        self.pool = pool

    def get_connection_with_tls_context(self, *args: Any, **kwargs: Any) -> Any:
        return self.pool

    def get_connection(self, *args: Any, **kwargs: Any) -> Any:
        return self.pool


def session_raising_from(pool: Any) -> requests.Session:
    session = requests.Session()
    session.mount("http://", InjectingAdapter(pool))
    return session


class ReturningPool:
    def __init__(self, raw: Any) -> None:
        self.raw = raw

    def urlopen(self, *args: Any, **kwargs: Any) -> Any:
        return self.raw


URLLIB3_ERRORS = exceptions_of(urllib3.exceptions, urllib3.exceptions.HTTPError)
OS_ERRORS = [ConnectionResetError, ConnectionRefusedError, socket.timeout, OSError]

# Timeouts below requests. urllib3's NewConnectionError subclasses its
# ConnectTimeoutError for history's sake, but it means the connect failed.
URLLIB3_TIMEOUTS = (urllib3.exceptions.TimeoutError, socket.timeout)
NOT_TIMEOUTS = (urllib3.exceptions.NewConnectionError,)


@pytest.mark.parametrize("cls", URLLIB3_ERRORS + OS_ERRORS, ids=qualname)
def test_urllib3_exception_below_requests_is_mapped(
    cls: Type[BaseException],
) -> None:
    original = build(cls)
    transport = RequestsTransport(
        URL, KEY, session=session_raising_from(RaisingPool(original))
    )

    raised = send_sync(transport)

    assert isinstance(raised, CentError), f"{qualname(type(raised))} escaped"
    assert raised.__cause__ is not None
    if issubclass(cls, URLLIB3_TIMEOUTS) and not issubclass(cls, NOT_TIMEOUTS):
        assert isinstance(raised, CentTimeoutError)
    elif not issubclass(cls, NOT_TIMEOUTS):
        assert isinstance(raised, CentNetworkError)
        assert not isinstance(raised, CentTimeoutError)


@pytest.mark.parametrize(
    "timeout", [TimeoutError, socket.timeout], ids=["TimeoutError", "socket.timeout"]
)
def test_send_timeout_wrapped_by_urllib3_is_a_timeout(timeout: type) -> None:
    # What urllib3 raises when the server stops reading the request body.
    original = urllib3.exceptions.ProtocolError(
        "Connection aborted.", timeout("timed out")
    )
    transport = RequestsTransport(URL, KEY, session_raising_from(RaisingPool(original)))

    raised = send_sync(transport)

    assert isinstance(raised, CentTimeoutError), repr(raised)


# What urllib3's HTTPResponse.stream raises while the body is read.
BODY_READ_ERRORS = [
    urllib3.exceptions.ProtocolError,
    urllib3.exceptions.DecodeError,
    urllib3.exceptions.ReadTimeoutError,
    urllib3.exceptions.SSLError,
    urllib3.exceptions.ResponseNotChunked,
]


@pytest.mark.parametrize("cls", BODY_READ_ERRORS, ids=qualname)
def test_urllib3_exception_while_reading_the_body_is_mapped(
    cls: Type[BaseException],
) -> None:
    original = build(cls)
    pool = ReturningPool(FakeRawResponse(original))
    transport = RequestsTransport(URL, KEY, session=session_raising_from(pool))

    raised = send_sync(transport)

    assert isinstance(raised, CentError), f"{qualname(type(raised))} escaped"
    assert raised.__cause__ is not None
    if cls is urllib3.exceptions.ReadTimeoutError:
        # requests wraps it in ConnectionError; it is still a timeout.
        assert isinstance(raised, CentTimeoutError)
    else:
        assert isinstance(raised, CentNetworkError)


def test_a_session_that_works_through_the_injecting_adapter() -> None:
    """The injection path itself is sound: a normal response decodes."""

    class Raw(FakeRawResponse):
        def stream(self, *args: Any, **kwargs: Any) -> Any:
            yield b'{"result":{}}'

    pool = ReturningPool(Raw(cast(Any, None)))
    transport = RequestsTransport(URL, KEY, session_raising_from(pool))
    assert transport.send("info", b"{}", 0.5) == (200, b'{"result":{}}')


# --- aiohttp ----------------------------------------------------------------

AIOHTTP_ERRORS = [
    cls
    for cls in all_subclasses(aiohttp.ClientError)
    if cls.__module__.startswith("aiohttp")
] + [asyncio.TimeoutError]


class FailingResponse:
    def __init__(self, error: Optional[BaseException], when: str) -> None:
        self.error = error
        self.when = when
        self.status = 200

    async def __aenter__(self) -> FailingResponse:
        if self.when == "enter":
            raise self.error  # type: ignore[misc]
        return self

    async def __aexit__(self, *exc: Any) -> None:
        return None

    async def read(self) -> bytes:
        if self.when == "read":
            raise self.error  # type: ignore[misc]
        return b'{"result":{}}'


class FailingSession:
    """A stand-in for aiohttp.ClientSession that fails at a chosen step."""

    def __init__(self, error: Optional[BaseException], when: str) -> None:
        self.error = error
        self.when = when

    def post(self, *args: Any, **kwargs: Any) -> FailingResponse:
        if self.when == "post":
            raise self.error  # type: ignore[misc]
        return FailingResponse(self.error, self.when)

    async def close(self) -> None:
        return None


async def send_async(session: FailingSession) -> BaseException:
    transport = AiohttpTransport(URL, KEY, session=cast(Any, session))
    try:
        await transport.send("publish", b'{"channel":"c","data":1}', 0.5)
    except BaseException as err:
        return err
    raise AssertionError("the transport did not raise")


def test_aiohttp_exception_list_is_complete() -> None:
    names = {cls.__name__ for cls in AIOHTTP_ERRORS}
    assert {
        "ClientConnectorError",
        "ServerDisconnectedError",
        "ClientPayloadError",
        "ServerTimeoutError",
        "ClientResponseError",
        "InvalidURL",
    } <= names
    assert len(AIOHTTP_ERRORS) >= 25


@pytest.mark.parametrize("when", ["post", "enter", "read"])
@pytest.mark.parametrize("cls", AIOHTTP_ERRORS, ids=qualname)
async def test_aiohttp_exception_is_mapped(cls: Type[BaseException], when: str) -> None:
    original = build(cls)

    raised = await send_async(FailingSession(original, when))

    assert isinstance(raised, CentError), f"{qualname(cls)} left unmapped"
    assert raised.__cause__ is original
    if issubclass(cls, asyncio.TimeoutError):
        assert isinstance(raised, CentTimeoutError)
    else:
        assert isinstance(raised, CentNetworkError)
    assert KEY not in str(raised)


async def test_aiohttp_fake_session_works_when_nothing_fails() -> None:
    session: Any = FailingSession(None, "never")
    transport = AiohttpTransport(URL, KEY, session=session)
    assert await transport.send("info", b"{}", 0.5) == (200, b'{"result":{}}')


# aiohttp < 3.10, which pyproject's aiohttp>=3.8 allows, can raise a bare
# ConnectionResetError ("Cannot write to closing transport").
@pytest.mark.parametrize("cls", [ConnectionResetError, BrokenPipeError, OSError])
async def test_raw_os_errors_from_older_aiohttp_are_mapped(
    cls: Type[BaseException],
) -> None:
    original = cls("Cannot write to closing transport")
    raised = await send_async(FailingSession(original, "enter"))
    assert isinstance(raised, CentNetworkError)
    assert raised.__cause__ is original


async def test_cancellation_is_not_swallowed() -> None:
    raised = await send_async(FailingSession(asyncio.CancelledError(), "read"))
    assert isinstance(raised, asyncio.CancelledError)
