"""Tests of the real-server harness in cent.testing."""

from __future__ import annotations

import asyncio
import os
import pathlib
import socket
import subprocess
import sys
import textwrap
import uuid
from typing import Any

import pytest
import requests

from cent.testing import pytest_plugin
from cent.testing import server as srv
from cent.testing.server import CentrifugoServer

pytest_plugins = ["pytester"]

CLIENT_OPTS: dict[str, Any] = {"proxy": None, "timeout": 5.0}


def api(server: CentrifugoServer, method: str, body: dict[str, Any]) -> Any:
    reply = requests.post(
        f"{server.api_url}/{method}",
        json=body,
        headers={"X-API-Key": server.api_key},
        timeout=5,
    )
    assert reply.status_code == 200, reply.text
    return reply.json()


def unique(prefix: str = "") -> str:
    return prefix + uuid.uuid4().hex[:12]


# --- building and caching binaries, with a stand-in for the go tool ---------------

FAKE_GO = """\
#!/bin/sh
echo "$*" >> "{calls}"
sleep 0.3
case "$1" in
  install)
    [ -n "{fail_install}" ] && {{ echo "{fail_install}"; exit 1; }}
    mkdir -p "$GOBIN" && printf built > "$GOBIN/centrifugo" ;;
  build)
    [ -n "{fail_build}" ] && {{ echo "{fail_build}"; exit 1; }}
    while [ "$1" != "-o" ]; do shift; done
    printf pinned > "$2" ;;
esac
exit 0
"""


@pytest.fixture
def fake_go(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Put a scripted ``go`` on PATH and an empty cache in place."""
    calls = tmp_path / "calls.txt"
    calls.touch()
    bindir = tmp_path / "bin"
    bindir.mkdir()
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("CENT_CENTRIFUGO_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("CENTRIFUGO_BIN", raising=False)

    def install(fail_install: str = "", fail_build: str = "") -> pathlib.Path:
        script = FAKE_GO.format(
            calls=calls, fail_install=fail_install, fail_build=fail_build
        )
        (bindir / "go").write_text(script)
        (bindir / "go").chmod(0o755)
        return calls

    return install


def test_cache_dir_follows_env(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CENT_CENTRIFUGO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert srv.cache_dir() == tmp_path / "cent-centrifugo"
    monkeypatch.setenv("CENT_CENTRIFUGO_CACHE", str(tmp_path / "x"))
    assert srv.cache_dir() == tmp_path / "x"


def test_concurrent_ensure_builds_once(fake_go: Any, tmp_path: pathlib.Path) -> None:
    calls = fake_go()
    code = "from cent.testing.server import ensure_centrifugo as e; print(e('5.4.9'))"
    procs = [
        subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
        for _ in range(3)
    ]
    outputs = {p.communicate(timeout=60)[0].decode().strip() for p in procs}
    target = tmp_path / "cache" / "v5.4.9" / "centrifugo"

    assert outputs == {str(target)}
    assert target.read_text() == "built"
    lines = calls.read_text().splitlines()
    assert len(lines) == 1
    assert lines[0] == (
        "install -ldflags -X github.com/centrifugal/centrifugo/v5/internal/build"
        ".Version=5.4.9 github.com/centrifugal/centrifugo/v5@v5.4.9"
    )
    names = sorted(p.name for p in target.parent.iterdir())
    assert names == [".build.lock", "centrifugo"]


def test_failed_install_retries_from_pinned_module(
    fake_go: Any, tmp_path: pathlib.Path
) -> None:
    calls = fake_go(fail_install="loading deprecation: 403 Forbidden")
    path = srv.ensure_centrifugo("6.9.1")

    assert path.read_text() == "pinned"
    commands = [line.split()[0] for line in calls.read_text().splitlines()]
    assert commands == ["install", "mod", "get", "build"]
    assert "github.com/centrifugal/centrifugo/v6@v6.9.1" in calls.read_text()


def test_failed_build_raises_with_go_output(
    fake_go: Any, tmp_path: pathlib.Path
) -> None:
    fake_go(fail_install="install went wrong", fail_build="build went wrong")
    with pytest.raises(srv.CentrifugoBuildError) as info:
        srv.ensure_centrifugo("6.9.1")

    assert "install went wrong" in str(info.value)
    assert "build went wrong" in str(info.value)
    folder = tmp_path / "cache" / "v6.9.1"
    assert [p.name for p in folder.iterdir()] == [".build.lock"]


def test_missing_go_is_a_clear_error(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("CENT_CENTRIFUGO_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("CENTRIFUGO_BIN", raising=False)
    with pytest.raises(srv.CentrifugoBuildError, match="'go' is not on PATH"):
        srv.ensure_centrifugo("5.4.9")


def test_centrifugo_bin_is_honoured(
    centrifugo: CentrifugoServer,
    tmp_path: pathlib.Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert centrifugo.binary is not None
    monkeypatch.setenv("CENTRIFUGO_BIN", str(centrifugo.binary))
    monkeypatch.setenv("PATH", str(tmp_path))  # no go: nothing can be built
    assert srv.ensure_centrifugo("1.2.3") == centrifugo.binary

    monkeypatch.setenv("CENTRIFUGO_BIN", str(tmp_path / "missing"))
    with pytest.raises(srv.CentrifugoBuildError, match="does not exist"):
        srv.ensure_centrifugo("5.4.9")


def test_real_binary_is_reused(
    centrifugo: CentrifugoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = srv.ensure_centrifugo(centrifugo.version)
    mtime = first.stat().st_mtime_ns
    monkeypatch.setattr(srv, "_build", pytest.fail)
    second = srv.ensure_centrifugo(centrifugo.version)

    assert second == first
    assert second.stat().st_mtime_ns == mtime
    assert srv.binary_version(second) in (centrifugo.version, None)


# --- a running server ------------------------------------------------------------


def test_health_is_up(centrifugo: CentrifugoServer) -> None:
    reply = requests.get(centrifugo.http_url + "/health", timeout=5)
    assert reply.status_code == 200
    assert reply.json() == {}


def test_api_needs_the_key(centrifugo: CentrifugoServer) -> None:
    nodes = api(centrifugo, "info", {})["result"]["nodes"]
    assert nodes[0]["version"].split()[0] == centrifugo.version

    url = centrifugo.api_url + "/info"
    assert requests.post(url, json={}, timeout=5).status_code == 401
    wrong = {"X-API-Key": "wrong"}
    assert requests.post(url, json={}, headers=wrong, timeout=5).status_code == 401


def test_plain_channel_has_history_and_presence(centrifugo: CentrifugoServer) -> None:
    channel = unique()
    published = api(centrifugo, "publish", {"channel": channel, "data": {"n": 1}})
    history = api(centrifugo, "history", {"channel": channel, "limit": -1})

    assert published["result"]["offset"] == 1
    assert history["result"]["publications"] == [{"data": {"n": 1}, "offset": 1}]
    assert api(centrifugo, "presence", {"channel": channel}) == {
        "result": {"presence": {}}
    }


def test_namespace_ns_keeps_ten_publications(centrifugo: CentrifugoServer) -> None:
    channel = unique("ns:")
    for n in range(12):
        api(centrifugo, "publish", {"channel": channel, "data": {"n": n}})
    history = api(centrifugo, "history", {"channel": channel, "limit": -1})

    datas = [pub["data"]["n"] for pub in history["result"]["publications"]]
    assert datas == list(range(2, 12))
    assert "result" in api(centrifugo, "presence_stats", {"channel": channel})


@pytest.mark.parametrize("method", ["history", "presence", "presence_stats"])
def test_nohist_namespace_answers_108(
    centrifugo: CentrifugoServer, method: str
) -> None:
    reply = api(centrifugo, method, {"channel": unique("nohist:")})
    assert reply["error"]["code"] == 108


def test_unknown_namespace_answers_102(centrifugo: CentrifugoServer) -> None:
    reply = api(centrifugo, "publish", {"channel": "unknown:x", "data": {}})
    assert reply["error"]["code"] == 102


def test_grpc_key_and_reflection(centrifugo: CentrifugoServer) -> None:
    import grpc
    from grpc_reflection.v1alpha import reflection_pb2 as reflection
    from grpc_reflection.v1alpha import reflection_pb2_grpc as reflection_grpc

    target = f"{centrifugo.grpc_host}:{centrifugo.grpc_port}"
    with grpc.insecure_channel(target) as channel:
        stub = reflection_grpc.ServerReflectionStub(channel)
        ask = reflection.ServerReflectionRequest(list_services="")
        answer = next(iter(stub.ServerReflectionInfo(iter([ask]), timeout=5)))
        names = [s.name for s in answer.list_services_response.service]
        assert "centrifugal.centrifugo.api.CentrifugoApi" in names

        info = channel.unary_unary("/centrifugal.centrifugo.api.CentrifugoApi/Info")
        good = [("authorization", f"apikey {centrifugo.grpc_key}")]
        assert info(b"", metadata=good, timeout=5)
        with pytest.raises(grpc.RpcError) as err:
            info(b"", metadata=[("authorization", "apikey wrong")], timeout=5)
        assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED


def listening_addresses(pid: int) -> set[tuple[str, int]]:
    """Return the (ip, port) pairs that process ``pid`` listens on (Linux)."""
    inodes = set()
    for fd in pathlib.Path(f"/proc/{pid}/fd").iterdir():
        target = os.readlink(fd)
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = set()
    for table in ("tcp", "tcp6"):
        for row in pathlib.Path(f"/proc/net/{table}").read_text().splitlines()[1:]:
            cols = row.split()
            if cols[3] == "0A" and cols[9] in inodes:  # 0A = LISTEN
                hex_ip, hex_port = cols[1].split(":")
                ip = socket.inet_ntoa(bytes.fromhex(hex_ip)[::-1])
                found.add((ip if table == "tcp" else hex_ip, int(hex_port, 16)))
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_listens_only_on_loopback(centrifugo: CentrifugoServer) -> None:
    assert centrifugo.pid is not None
    assert listening_addresses(centrifugo.pid) == {
        ("127.0.0.1", centrifugo.port),
        ("127.0.0.1", centrifugo.grpc_port),
    }


def test_log_is_debug_without_config_complaints(
    centrifugo: CentrifugoServer,
) -> None:
    requests.get(centrifugo.http_url + "/health", timeout=5)
    log = centrifugo.log_text()

    assert '"level":"debug"' in log
    assert "config file not found" in log
    assert "unknown var" not in log  # v6 lists unknown CENTRIFUGO_* variables
    assert "usage stats" not in log


def test_connection_token_is_accepted(centrifugo: CentrifugoServer) -> None:
    asyncio.run(_connect_two_clients(centrifugo))


async def _connect_two_clients(server: CentrifugoServer) -> None:
    import centrifuge

    channel, room = unique("srv-"), unique("room-")
    joined: asyncio.Queue[str] = asyncio.Queue()

    class Events(centrifuge.SubscriptionEventHandler):  # type: ignore[misc]
        async def on_join(self, ctx: Any) -> None:
            await joined.put(ctx.info.user)

    token = server.connection_token("alice", channels=[channel])
    alice = centrifuge.Client(server.ws_url, token=token, **CLIENT_OPTS)
    bob = centrifuge.Client(
        server.ws_url, token=server.connection_token("bob"), **CLIENT_OPTS
    )
    try:
        await alice.connect()
        await alice.ready(timeout=5)
        presence = api(server, "presence", {"channel": channel})["result"]
        assert [c["user"] for c in presence["presence"].values()] == ["alice"]

        sub = alice.new_subscription(room, Events(), join_leave=True)
        await sub.subscribe()
        await sub.ready(timeout=5)
        await bob.connect()
        await bob.new_subscription(room).subscribe()
        seen = set()  # a subscriber may also be told of its own join
        while "bob" not in seen:
            seen.add(await asyncio.wait_for(joined.get(), 5))
        assert (await sub.presence_stats()).num_users == 2
        assert (await sub.history(limit=-1)).publications == []
    finally:
        await alice.disconnect()
        await bob.disconnect()


# --- life cycle of servers started by the tests themselves -----------------------


@pytest.fixture
def version() -> str:
    versions = pytest_plugin.requested_versions()
    if not versions:
        pytest.skip("no Centrifugo version to test")
    return versions[-1]


def test_stop_frees_the_port(version: str) -> None:
    extra = {"CENTRIFUGO_LOG_LEVEL": "info"}
    with CentrifugoServer(version, extra_env=extra) as server:
        port, pid = server.port, server.pid
        assert requests.get(server.http_url + "/health", timeout=5).ok

    assert not server.is_running()
    assert not pathlib.Path(f"/proc/{pid}").exists()
    with socket.socket() as sock:
        # Closed connections may linger in TIME_WAIT; only a listener blocks this.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/health", timeout=5)
    assert "serving" in server.log_text()
    assert '"level":"debug"' not in server.log_text()


def test_extra_env_extends_but_never_unbinds(version: str) -> None:
    names = srv._ENV_NAMES[srv._major(version)]
    stats, address = names["usage_stats"], names["address"]
    extra = {stats: "false", address: "0.0.0.0", names["api_key"]: "k"}
    server = CentrifugoServer(version, extra_env=extra)

    assert server.environment[stats] == "true"
    assert server.environment[address] == "127.0.0.1"
    assert server.api_key == "k"


def test_bad_config_fails_start_with_log(version: str) -> None:
    ttl = "CENTRIFUGO_HISTORY_TTL"
    if srv._major(version) == 6:
        ttl = "CENTRIFUGO_CHANNEL_WITHOUT_NAMESPACE_HISTORY_TTL"
    server = CentrifugoServer(version, extra_env={ttl: "not-a-duration"})
    with pytest.raises(srv.CentrifugoStartError, match="exited during start") as err:
        server.start()
    assert "not-a-duration" in str(err.value)  # the log tail is in the message
    assert not server.is_running()


def test_taken_port_is_retried(version: str, monkeypatch: pytest.MonkeyPatch) -> None:
    real_free_ports = srv._free_ports
    picked: list[tuple[int, int]] = []

    def pick() -> tuple[int, int]:
        http_port, grpc_port = real_free_ports()
        if not picked:  # the first attempt gets a port that is in use
            http_port = taken.getsockname()[1]
        picked.append((http_port, grpc_port))
        return http_port, grpc_port

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        monkeypatch.setattr(srv, "_free_ports", pick)
        with CentrifugoServer(version) as server:
            assert len(picked) == 2
            assert server.port == picked[1][0]
            assert requests.get(server.http_url + "/health", timeout=5).ok


def test_cli_build_prints_paths(centrifugo: CentrifugoServer) -> None:
    command = [sys.executable, "-m", "cent.testing.server", "build"]
    command += ["--version", centrifugo.version]
    out = subprocess.run(command, capture_output=True, text=True, timeout=60)

    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [centrifugo.version, str(centrifugo.binary)]


# --- the pytest plugin ------------------------------------------------------------


def test_requested_versions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CENTRIFUGO_BIN", raising=False)
    monkeypatch.delenv("CENT_TEST_VERSIONS", raising=False)
    assert pytest_plugin.requested_versions() == list(srv.SUPPORTED_VERSIONS)
    monkeypatch.setenv("CENT_TEST_VERSIONS", "v6, 5.4.9")
    assert pytest_plugin.requested_versions() == ["6.9.1", "5.4.9"]


def test_requested_versions_follow_centrifugo_bin(
    centrifugo: CentrifugoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    actual = srv.binary_version(centrifugo.binary or pathlib.Path())
    if actual is None:
        pytest.skip("binary does not report its version")
    other = "5" if centrifugo.major == 6 else "6"
    monkeypatch.setenv("CENTRIFUGO_BIN", str(centrifugo.binary))
    monkeypatch.delenv("CENT_TEST_VERSIONS", raising=False)
    assert pytest_plugin.requested_versions() == [actual]
    monkeypatch.setenv("CENT_TEST_VERSIONS", other)
    assert pytest_plugin.requested_versions() == []


def test_failed_test_shows_server_log(
    pytester: pytest.Pytester,
    centrifugo: CentrifugoServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # pytester moves HOME: point the inner run at the binary we already have.
    assert centrifugo.binary is not None
    version = centrifugo.version
    monkeypatch.setenv("CENT_TEST_VERSIONS", version)
    if not os.environ.get("CENTRIFUGO_BIN"):
        cache = centrifugo.binary.parent.parent
        monkeypatch.setenv("CENT_CENTRIFUGO_CACHE", str(cache))
    pytester.makeconftest('pytest_plugins = ["cent.testing.pytest_plugin"]')
    pytester.makepyfile(
        textwrap.dedent(
            """
            def test_fails(centrifugo):
                assert centrifugo.version == "nope"

            def test_passes(centrifugo):
                assert centrifugo.is_running()
            """
        )
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")

    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [f"*centrifugo {version} log (last 200 lines)*", "*serving*"]
    )
    assert result.stdout.str().count("log (last 200 lines)") == 1
