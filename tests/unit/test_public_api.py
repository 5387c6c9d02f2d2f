"""The public surface: `cent.__all__`, generated shortcuts, client construction."""

from __future__ import annotations

import builtins
import gc
import importlib.util
import subprocess
import sys
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any, Dict, List

import pytest
import requests

import cent

ROOT = Path(__file__).resolve().parents[2]
URL = "http://127.0.0.1:1/api"
KEY = "public-api-key"

PUBLIC_NAMES = [
    "AsyncClient",
    "AsyncMockTransport",
    "AsyncTransport",
    "AutoBatching",
    "BatchRequest",
    "BatchResult",
    "BroadcastRequest",
    "BroadcastResult",
    "CentAPIError",
    "CentDecodeError",
    "CentError",
    "CentNetworkError",
    "CentTimeoutError",
    "CentTransportError",
    "CentUnauthorizedError",
    "CentValidationError",
    "ChannelInfo",
    "ChannelsRequest",
    "ChannelsResult",
    "Client",
    "ClientInfo",
    "Disconnect",
    "DisconnectRequest",
    "DisconnectResult",
    "GrpcClient",
    "HistoryRemoveRequest",
    "HistoryRemoveResult",
    "HistoryRequest",
    "HistoryResult",
    "InfoRequest",
    "InfoResult",
    "Metrics",
    "MockTransport",
    "NodeResult",
    "PresenceRequest",
    "PresenceResult",
    "PresenceStatsRequest",
    "PresenceStatsResult",
    "Process",
    "Publication",
    "PublishRequest",
    "PublishResult",
    "RPCRequest",
    "RPCResult",
    "RefreshRequest",
    "RefreshResult",
    "Request",
    "StreamPosition",
    "SubscribeOverride",
    "SubscribeRequest",
    "SubscribeResult",
    "SyncGrpcClient",
    "SyncTransport",
    "UnsubscribeRequest",
    "UnsubscribeResult",
    "__version__",
]


def test_all_is_exactly_the_public_names() -> None:
    assert sorted(cent.__all__) == sorted(PUBLIC_NAMES)
    assert len(set(cent.__all__)) == len(cent.__all__)


def test_every_public_name_is_importable() -> None:
    namespace: Dict[str, Any] = {}
    exec("from cent import *", namespace)
    for name in PUBLIC_NAMES:
        assert getattr(cent, name) is not None
        if name != "__version__":
            assert namespace[name] is getattr(cent, name)


def test_no_other_public_class_or_function_is_left_out() -> None:
    public = {
        name
        for name, value in vars(cent).items()
        if not name.startswith("_") and not isinstance(value, ModuleType)
    }
    assert public <= set(PUBLIC_NAMES)


def test_errors_share_one_root_and_shadow_no_builtin() -> None:
    errors = [getattr(cent, n) for n in PUBLIC_NAMES if n.startswith("Cent")]
    for error in errors:
        assert issubclass(error, cent.CentError)
        assert not hasattr(builtins, error.__name__)
    assert all(not hasattr(builtins, name) for name in PUBLIC_NAMES)


def test_py_typed_is_shipped() -> None:
    assert (Path(cent.__file__).parent / "py.typed").is_file()


# --- generated shortcuts ----------------------------------------------------


def test_gen_shortcuts_check_passes() -> None:
    done = subprocess.run(
        [sys.executable, "scripts/gen_shortcuts.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_shortcuts_under_test", ROOT / "scripts" / "gen_shortcuts.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gen_shortcuts_check_fails_when_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    generator = _load_generator()
    target = tmp_path / "_shortcuts.py"
    stale = (
        (ROOT / "cent" / "_shortcuts.py")
        .read_text()
        .replace("def publish(", "def publish_renamed(", 1)
    )
    target.write_text(stale)
    monkeypatch.setattr(generator, "TARGET", target)

    monkeypatch.setattr(sys, "argv", ["gen_shortcuts.py", "--check"])
    assert generator.main() == 1
    assert "stale" in capsys.readouterr().out
    assert target.read_text() == stale

    monkeypatch.setattr(sys, "argv", ["gen_shortcuts.py"])
    assert generator.main() == 0
    assert target.read_text() == (ROOT / "cent" / "_shortcuts.py").read_text()
    monkeypatch.setattr(sys, "argv", ["gen_shortcuts.py", "--check"])
    assert generator.main() == 0


# --- construction outside a running event loop -------------------------------


def test_async_client_builds_outside_a_loop_without_warnings() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        client = cent.AsyncClient(URL, KEY)
        repr(client)
        del client
        gc.collect()


def test_async_client_builds_and_closes_under_w_error() -> None:
    code = (
        "import asyncio, gc, cent\n"
        f"client = cent.AsyncClient({URL!r}, {KEY!r})\n"
        "asyncio.run(client.close())\n"
        f"unused = cent.AsyncClient({URL!r}, {KEY!r})\n"
        "del unused\n"
        "gc.collect()\n"
    )
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


# --- sessions the caller owns -----------------------------------------------


class CannedAdapter(requests.adapters.HTTPAdapter):
    """Answers every request from memory and records it: no socket."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: List[requests.PreparedRequest] = []
        self.closed = False

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> Any:
        self.sent.append(request)
        response = requests.Response()
        response.status_code = 200
        response._content = b'{"result":{"offset":5,"epoch":"e"}}'
        response.request = request
        response.url = request.url or ""
        return response

    def close(self) -> None:
        self.closed = True


class SpySession(requests.Session):
    def __init__(self) -> None:
        super().__init__()
        self.close_calls = 0

    def close(self) -> None:
        self.close_calls += 1
        super().close()


def test_user_requests_session_is_used_not_changed_nor_closed() -> None:
    session = SpySession()
    adapter = CannedAdapter()
    session.mount("http://", adapter)
    session.headers["User-Agent"] = "my-app"
    headers_before = dict(session.headers)

    with cent.Client(URL + "/", KEY, session=session) as client:
        assert client.publish("c", 1) == cent.PublishResult(5, "e")
        client.close()

    assert session.close_calls == 0
    assert not adapter.closed
    assert dict(session.headers) == headers_before
    (sent,) = adapter.sent
    assert sent.method == "POST"
    assert sent.url == "http://127.0.0.1:1/api/publish"
    assert sent.headers["X-API-Key"] == KEY
    assert sent.headers["Content-Type"] == "application/json"
    assert sent.headers["User-Agent"] == "my-app"
    assert sent.body == b'{"channel":"c","data":1}'


class FakeAiohttpResponse:
    status = 200

    async def read(self) -> bytes:
        return b'{"result":{}}'

    async def __aenter__(self) -> FakeAiohttpResponse:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        return None


class FakeAiohttpSession:
    def __init__(self) -> None:
        self.headers = {"User-Agent": "my-app"}
        self.posts: List[Dict[str, Any]] = []
        self.close_calls = 0

    def post(self, url: str, **kwargs: Any) -> FakeAiohttpResponse:
        self.posts.append({"url": url, **kwargs})
        return FakeAiohttpResponse()

    async def close(self) -> None:
        self.close_calls += 1


async def test_user_aiohttp_session_is_used_not_changed_nor_closed() -> None:
    session: Any = FakeAiohttpSession()

    async with cent.AsyncClient(URL, KEY, session=session) as client:
        assert await client.info(timeout=2) == cent.InfoResult()
        await client.close()

    assert session.close_calls == 0
    assert session.headers == {"User-Agent": "my-app"}
    (post,) = session.posts
    assert post["url"] == "http://127.0.0.1:1/api/info"
    assert post["data"] == b"{}"
    assert post["headers"]["X-API-Key"] == KEY
    assert post["timeout"].total == 2.0


async def test_real_aiohttp_session_left_open() -> None:
    import aiohttp

    async with aiohttp.ClientSession(headers={"User-Agent": "my-app"}) as session:
        headers_before = dict(session.headers)
        client = cent.AsyncClient(URL, KEY, session=session)
        await client.close()
        assert not session.closed
        assert dict(session.headers) == headers_before
