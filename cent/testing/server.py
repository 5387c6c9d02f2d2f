"""Build and run real Centrifugo servers for tests.

Binaries are built with ``go install`` into a cache folder, once per version,
and reused afterwards; see :func:`ensure_centrifugo` (``$CENTRIFUGO_BIN`` skips
the build, ``$CENT_CENTRIFUGO_CACHE`` moves the cache).

A :class:`CentrifugoServer` runs one binary, configured only through environment
variables so that ``extra_env`` can override or extend any option, except these,
which are always forced: every listener on 127.0.0.1, the ports picked at start,
the health endpoint on, and usage statistics off.

Fixed test credentials:

* HTTP API key: ``cent-test-api-key`` (:data:`API_KEY`)
* gRPC API key: ``cent-test-grpc-key`` (:data:`GRPC_KEY`)
* HMAC secret for connection tokens: ``cent-test-hmac-secret`` (:data:`HMAC_SECRET`)

Channel setup of every server:

* channels without a namespace: history 100 / 300s, presence, join/leave,
  client subscribe allowed, presence and history allowed for subscribers;
* namespace ``ns``: presence, history 10 / 60s, client subscribe allowed;
* namespace ``nohist``: no history and no presence (the API answers 108),
  client subscribe allowed;
* namespace ``example``: presence, history 100 / 300s (for the README's
  ``example:channel``);
* any other namespace is unknown (the API answers 102).

Command line::

    python -m cent.testing.server build [--version V ...]
    python -m cent.testing.server run [--version V]

This module imports only the standard library.
"""

from __future__ import annotations

import argparse
import atexit
import base64
import contextlib
import fcntl
import hashlib
import hmac
import json
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from types import FrameType, TracebackType

__all__ = [
    "API_KEY",
    "GRPC_KEY",
    "HMAC_SECRET",
    "SUPPORTED_VERSIONS",
    "CentrifugoBuildError",
    "CentrifugoServer",
    "CentrifugoStartError",
    "binary_version",
    "cache_dir",
    "ensure_centrifugo",
    "hs256_jwt",
]

SUPPORTED_VERSIONS = ("5.4.9", "6.9.1")

API_KEY = "cent-test-api-key"
GRPC_KEY = "cent-test-grpc-key"
HMAC_SECRET = "cent-test-hmac-secret"

HOST = "127.0.0.1"
MODULE = "github.com/centrifugal/centrifugo"

_VERSION_RE = re.compile(r"^\d+\.\d+\.\d+$")
_TAIL_LINES = 40
_START_TIMEOUT = 30.0
_START_ATTEMPTS = 5
_STOP_TIMEOUT = 5.0


class CentrifugoBuildError(RuntimeError):
    """A Centrifugo binary could not be found or built."""


class CentrifugoStartError(RuntimeError):
    """A Centrifugo server did not become healthy."""


def _tail(text: str, lines: int = _TAIL_LINES) -> str:
    return "\n".join(text.splitlines()[-lines:])


def _major(version: str) -> int:
    if not _VERSION_RE.match(version):
        raise ValueError(f"version must look like 5.4.9, got {version!r}")
    return int(version.split(".")[0])


# --- binaries -------------------------------------------------------------------


def cache_dir() -> pathlib.Path:
    """Return the folder that holds one sub-folder of binaries per version.

    It is ``$CENT_CENTRIFUGO_CACHE`` when set, else
    ``${XDG_CACHE_HOME:-~/.cache}/cent-centrifugo``.
    """
    explicit = os.environ.get("CENT_CENTRIFUGO_CACHE")
    if explicit:
        return pathlib.Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME") or "~/.cache"
    return pathlib.Path(xdg).expanduser() / "cent-centrifugo"


def ensure_centrifugo(version: str) -> pathlib.Path:
    """Return a Centrifugo binary of ``version``, building it if needed.

    ``$CENTRIFUGO_BIN``, when set, is returned as is (whatever ``version``
    says). Otherwise the binary lives at ``<cache_dir()>/v<version>/centrifugo``
    and is built there with ``go install`` the first time, under a file lock so
    that concurrent processes build each version only once.

    Args:
        version: A Centrifugo release such as ``"5.4.9"``.

    Returns:
        The path of an executable Centrifugo binary.

    Raises:
        CentrifugoBuildError: ``$CENTRIFUGO_BIN`` does not exist, Go is missing,
            or the build failed (the message ends with Go's output).
    """
    override = os.environ.get("CENTRIFUGO_BIN")
    if override:
        path = pathlib.Path(override).expanduser()
        if not path.is_file():
            raise CentrifugoBuildError(f"CENTRIFUGO_BIN={override} does not exist")
        return path

    _major(version)
    target = cache_dir() / f"v{version}" / "centrifugo"
    if target.is_file():
        return target
    with _build_lock(target.parent):
        if not target.is_file():
            _build(version, target)
    return target


@contextlib.contextmanager
def _build_lock(folder: pathlib.Path) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _build(version: str, target: pathlib.Path) -> None:
    go = shutil.which("go")
    if go is None:
        raise CentrifugoBuildError(
            f"cannot build Centrifugo {version}: 'go' is not on PATH. Install Go "
            "(>= 1.23 for v5, >= 1.26 for v6) or set CENTRIFUGO_BIN."
        )

    # Build into a private folder, then rename: a crash mid-build never leaves
    # a half-written binary at the path that is reused.
    work = pathlib.Path(tempfile.mkdtemp(prefix=".build-", dir=target.parent))
    try:
        built = _go_install(go, version, work)
        if built is None:
            built = _go_build_pinned(go, version, work)
        os.replace(built, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _ldflags(version: str) -> str:
    return f"-X {MODULE}/v{_major(version)}/internal/build.Version={version}"


def _run_go(args: Sequence[str], cwd: pathlib.Path, env: Mapping[str, str]) -> str:
    """Run a go command; return its output, raising with its tail on failure."""
    proc = subprocess.run(
        list(args),
        cwd=cwd,
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise CentrifugoBuildError(
            f"{' '.join(args[:2])} failed (exit {proc.returncode}):\n"
            + _tail(proc.stdout)
        )
    return proc.stdout


def _go_install(go: str, version: str, work: pathlib.Path) -> pathlib.Path | None:
    """Build with ``go install module@version``; return None if that failed."""
    gobin = work / "bin"
    env = {**os.environ, "GOBIN": str(gobin)}
    package = f"{MODULE}/v{_major(version)}@v{version}"
    args = [go, "install", "-ldflags", _ldflags(version), package]
    try:
        _run_go(args, work, env)
    except CentrifugoBuildError as err:
        (work / "install-error.txt").write_text(str(err))
        return None
    return gobin / "centrifugo"


def _go_build_pinned(go: str, version: str, work: pathlib.Path) -> pathlib.Path:
    """Build the same module version from a throwaway module that pins it.

    ``go install module@version`` also asks the module proxy for the list of
    all versions (to report deprecations) and fails when the proxy refuses
    that list. Requiring the exact version from a scratch module builds the
    same code without that lookup.
    """
    first = (work / "install-error.txt").read_text()
    mod = work / "mod"
    mod.mkdir()
    env = dict(os.environ)
    module = f"{MODULE}/v{_major(version)}"
    out = work / "centrifugo"
    steps = [
        [go, "mod", "init", "centbuild"],
        [go, "get", f"{module}@v{version}"],
        [go, "build", "-ldflags", _ldflags(version), "-o", str(out), module],
    ]
    try:
        for args in steps:
            _run_go(args, mod, env)
    except CentrifugoBuildError as err:
        raise CentrifugoBuildError(
            f"cannot build Centrifugo {version}.\n{first}\n\n"
            f"Retry from a pinned module also failed: {err}"
        ) from None
    return out


def binary_version(binary: pathlib.Path) -> str | None:
    """Return the version a Centrifugo binary reports, or None if unknown.

    Builds without the version ldflag report ``0.0.0``, which counts as
    unknown.
    """
    try:
        proc = subprocess.run(
            [str(binary), "version"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = re.search(r"Centrifugo v?(\d+\.\d+\.\d+)", proc.stdout)
    if found is None or found.group(1) == "0.0.0":
        return None
    return found.group(1)


# --- configuration --------------------------------------------------------------

_NAMESPACES = [
    {
        "name": "ns",
        "presence": True,
        "history_size": 10,
        "history_ttl": "60s",
        "allow_subscribe_for_client": True,
    },
    {"name": "nohist", "allow_subscribe_for_client": True},
    {
        "name": "example",
        "presence": True,
        "history_size": 100,
        "history_ttl": "300s",
        "allow_subscribe_for_client": True,
    },
]

_TOP_LEVEL = {
    "HISTORY_SIZE": "100",
    "HISTORY_TTL": "300s",
    "PRESENCE": "true",
    "JOIN_LEAVE": "true",
    "ALLOW_SUBSCRIBE_FOR_CLIENT": "true",
    "ALLOW_PRESENCE_FOR_SUBSCRIBER": "true",
    "ALLOW_HISTORY_FOR_SUBSCRIBER": "true",
}

# Option names per major version: v5 keys are flat, v6 keys are nested.
_ENV_NAMES = {
    5: {
        "api_key": "CENTRIFUGO_API_KEY",
        "grpc_key": "CENTRIFUGO_GRPC_API_KEY",
        "hmac": "CENTRIFUGO_TOKEN_HMAC_SECRET_KEY",
        "address": "CENTRIFUGO_ADDRESS",
        "internal_address": "CENTRIFUGO_INTERNAL_ADDRESS",
        "uni_grpc_address": "CENTRIFUGO_UNI_GRPC_ADDRESS",
        "port": "CENTRIFUGO_PORT",
        "grpc": "CENTRIFUGO_GRPC_API",
        "grpc_address": "CENTRIFUGO_GRPC_API_ADDRESS",
        "grpc_port": "CENTRIFUGO_GRPC_API_PORT",
        "reflection": "CENTRIFUGO_GRPC_API_REFLECTION",
        "health": "CENTRIFUGO_HEALTH",
        "log_level": "CENTRIFUGO_LOG_LEVEL",
        "usage_stats": "CENTRIFUGO_USAGE_STATS_DISABLE",
        "namespaces": "CENTRIFUGO_NAMESPACES",
        "channel_prefix": "CENTRIFUGO_",
    },
    6: {
        "api_key": "CENTRIFUGO_HTTP_API_KEY",
        "grpc_key": "CENTRIFUGO_GRPC_API_KEY",
        "hmac": "CENTRIFUGO_CLIENT_TOKEN_HMAC_SECRET_KEY",
        "address": "CENTRIFUGO_HTTP_SERVER_ADDRESS",
        "internal_address": "CENTRIFUGO_HTTP_SERVER_INTERNAL_ADDRESS",
        "uni_grpc_address": "CENTRIFUGO_UNI_GRPC_ADDRESS",
        "port": "CENTRIFUGO_HTTP_SERVER_PORT",
        "grpc": "CENTRIFUGO_GRPC_API_ENABLED",
        "grpc_address": "CENTRIFUGO_GRPC_API_ADDRESS",
        "grpc_port": "CENTRIFUGO_GRPC_API_PORT",
        "reflection": "CENTRIFUGO_GRPC_API_REFLECTION",
        "health": "CENTRIFUGO_HEALTH_ENABLED",
        "log_level": "CENTRIFUGO_LOG_LEVEL",
        "usage_stats": "CENTRIFUGO_USAGE_STATS_DISABLED",
        "namespaces": "CENTRIFUGO_CHANNEL_NAMESPACES",
        "channel_prefix": "CENTRIFUGO_CHANNEL_WITHOUT_NAMESPACE_",
    },
}


def _config_env(major: int) -> dict[str, str]:
    """Return the environment that configures a test server (ports excluded)."""
    names = _ENV_NAMES[major]
    env = {
        names["api_key"]: API_KEY,
        names["grpc_key"]: GRPC_KEY,
        names["hmac"]: HMAC_SECRET,
        names["grpc"]: "true",
        names["reflection"]: "true",
        names["log_level"]: "debug",
        names["namespaces"]: json.dumps(_NAMESPACES, separators=(",", ":")),
    }
    for key, value in _TOP_LEVEL.items():
        env[names["channel_prefix"] + key] = value
    return env


def _forced_env(major: int, port: int, grpc_port: int) -> dict[str, str]:
    """Return what no caller may override: loopback, ports, health, no stats."""
    names = _ENV_NAMES[major]
    return {
        names["address"]: HOST,
        names["internal_address"]: HOST,
        names["grpc_address"]: HOST,
        names["uni_grpc_address"]: HOST,
        names["health"]: "true",
        names["port"]: str(port),
        names["grpc_port"]: str(grpc_port),
        names["usage_stats"]: "true",
    }


def _free_ports() -> tuple[int, int]:
    """Return two distinct ports that are free on 127.0.0.1 right now."""
    with socket.socket() as first, socket.socket() as second:
        first.bind((HOST, 0))
        second.bind((HOST, 0))
        return first.getsockname()[1], second.getsockname()[1]


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def hs256_jwt(claims: Mapping[str, object], secret: str) -> str:
    """Return a compact HS256 JSON Web Token for ``claims``."""
    header = {"alg": "HS256", "typ": "JWT"}
    parts = [
        _b64url(json.dumps(part, separators=(",", ":")).encode())
        for part in (header, claims)
    ]
    signing_input = ".".join(parts).encode("ascii")
    digest = hmac.new(secret.encode(), signing_input, hashlib.sha256).digest()
    return ".".join([*parts, _b64url(digest)])


# --- the server -----------------------------------------------------------------


class CentrifugoServer:
    """One Centrifugo process on 127.0.0.1, for tests.

    Use it as a context manager, or call :meth:`start` and :meth:`stop`::

        with CentrifugoServer("6.9.1") as server:
            requests.post(server.api_url + "/info", json={},
                          headers={"X-API-Key": server.api_key})

    The process runs in a fresh temporary folder (so no ``.env`` or config file
    is read) and logs at debug level to a file there; :meth:`log_text` reads it.
    Ports are picked when the server starts, and picked again if the chosen
    ones turn out to be taken.
    """

    def __init__(
        self,
        version: str,
        binary: pathlib.Path | None = None,
        extra_env: Mapping[str, str] | None = None,
    ) -> None:
        self.version = version
        self.major = _major(version)
        if self.major not in _ENV_NAMES:
            raise ValueError(f"unsupported Centrifugo major version {self.major}")
        self.binary = binary
        self._extra_env = dict(extra_env or {})
        self._names = _ENV_NAMES[self.major]
        self.port = 0
        self.grpc_port = 0
        self.grpc_host = HOST
        self._proc: subprocess.Popen[bytes] | None = None
        self._workdir: pathlib.Path | None = None
        self._final_log = ""

    # -- addresses and credentials

    @property
    def http_url(self) -> str:
        """Base HTTP URL, such as ``http://127.0.0.1:8000``."""
        return f"http://{HOST}:{self.port}"

    @property
    def api_url(self) -> str:
        """HTTP API URL: ``http_url`` + ``/api``."""
        return self.http_url + "/api"

    @property
    def ws_url(self) -> str:
        """WebSocket URL for client connections."""
        return f"ws://{HOST}:{self.port}/connection/websocket"

    @property
    def environment(self) -> dict[str, str]:
        """The Centrifugo settings passed to the process (a copy)."""
        env = {**_config_env(self.major), **self._extra_env}
        env.update(_forced_env(self.major, self.port, self.grpc_port))
        return env

    @property
    def api_key(self) -> str:
        """The HTTP API key (:data:`API_KEY` unless ``extra_env`` changed it)."""
        return self.environment[self._names["api_key"]]

    @property
    def grpc_key(self) -> str:
        """The gRPC API key (:data:`GRPC_KEY` unless ``extra_env`` changed it)."""
        return self.environment[self._names["grpc_key"]]

    @property
    def hmac_secret(self) -> str:
        """HMAC secret that signs connection tokens."""
        return self.environment[self._names["hmac"]]

    def connection_token(
        self, user: str, ttl: int = 3600, channels: list[str] | None = None
    ) -> str:
        """Return a connection JWT for ``user`` that this server accepts.

        Args:
            user: The ``sub`` claim.
            ttl: Seconds until the token expires.
            channels: Channels to subscribe the connection to on the server side.
        """
        now = int(time.time())
        claims: dict[str, object] = {"sub": user, "iat": now, "exp": now + ttl}
        if channels is not None:
            claims["channels"] = list(channels)
        return hs256_jwt(claims, self.hmac_secret)

    # -- life cycle

    @property
    def pid(self) -> int | None:
        """Process id while the server runs, else None."""
        return None if self._proc is None else self._proc.pid

    def is_running(self) -> bool:
        """Tell whether the process is alive."""
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> None:
        """Start the server and wait until ``/health`` answers 200.

        Raises:
            CentrifugoBuildError: No binary could be had.
            CentrifugoStartError: The server exited or did not become healthy;
                the message ends with the tail of its log.
        """
        if self._proc is not None:
            raise RuntimeError("server already started")
        if self.binary is None:
            self.binary = ensure_centrifugo(self.version)
        for attempt in range(1, _START_ATTEMPTS + 1):
            try:
                self._start_once()
                return
            except _PortTaken:
                if attempt == _START_ATTEMPTS:
                    raise CentrifugoStartError(
                        "no free ports after several attempts:\n" + self.log_tail()
                    ) from None

    def _start_once(self) -> None:
        self._cleanup()
        self.port, self.grpc_port = _free_ports()
        self._workdir = pathlib.Path(tempfile.mkdtemp(prefix="cent-centrifugo-"))
        self._spawn(self._workdir)
        atexit.register(self.stop)
        self._wait_healthy()

    def _spawn(self, workdir: pathlib.Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CENTRIFUGO_")}
        env.update(self.environment)
        # -c names a file that does not exist: no stray config file is read.
        config = workdir / "absent" / "config.json"
        with open(workdir / "centrifugo.log", "wb") as log:
            self._proc = subprocess.Popen(
                [str(self.binary), "-c", str(config)],
                cwd=workdir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def _wait_healthy(self) -> None:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        url = self.http_url + "/health"
        deadline = time.monotonic() + _START_TIMEOUT
        while time.monotonic() < deadline:
            if not self.is_running():
                self._fail_start("exited during start")
            with contextlib.suppress(OSError), opener.open(url, timeout=1) as reply:
                if reply.status == 200:
                    return
            time.sleep(0.05)
        self._fail_start(f"not healthy after {_START_TIMEOUT:.0f}s")

    def _fail_start(self, what: str) -> None:
        log = self.log_text()
        self.stop()
        if "address already in use" in log:
            raise _PortTaken()
        raise CentrifugoStartError(
            f"Centrifugo {self.version} ({self.binary}) {what}; log tail:\n"
            + _tail(log)
        )

    def stop(self) -> None:
        """Stop the server: SIGTERM, then SIGKILL after a few seconds."""
        atexit.unregister(self.stop)
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._cleanup()

    def _cleanup(self) -> None:
        if self._workdir is not None:
            self._final_log = self.log_text()
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def log_text(self) -> str:
        """Return everything the server has logged (kept after :meth:`stop`)."""
        if self._workdir is None:
            return self._final_log
        path = self._workdir / "centrifugo.log"
        return path.read_bytes().decode("utf-8", "replace")

    def log_tail(self, lines: int = 200) -> str:
        """Return the last ``lines`` lines of the log."""
        return _tail(self.log_text(), lines)

    def __enter__(self) -> CentrifugoServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"CentrifugoServer({self.version!r}, http_url={self.http_url!r})"


class _PortTaken(Exception):
    """A listener could not bind; the start is retried on other ports."""


# --- command line ---------------------------------------------------------------


def _cmd_build(versions: Sequence[str]) -> int:
    for version in versions:
        print(f"{version}\t{ensure_centrifugo(version)}", flush=True)
    return 0


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _describe(server: CentrifugoServer) -> str:
    lines = [
        f"Centrifugo {server.version} (pid {server.pid}, binary {server.binary})",
        f"  http_url     {server.http_url}",
        f"  api_url      {server.api_url}",
        f"  api_key      {server.api_key}",
        f"  grpc         {server.grpc_host}:{server.grpc_port}",
        f"  grpc_key     {server.grpc_key}",
        f"  ws_url       {server.ws_url}",
        f"  hmac_secret  {server.hmac_secret}",
        "Press Ctrl-C to stop.",
    ]
    return "\n".join(lines)


def _cmd_run(version: str) -> int:
    signal.signal(signal.SIGTERM, _raise_interrupt)
    server = CentrifugoServer(version)
    try:
        server.start()
        print(_describe(server), flush=True)
        while server.is_running():
            time.sleep(0.5)
        print("Centrifugo exited:\n" + server.log_tail(_TAIL_LINES), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        server.stop()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line interface."""
    parser = argparse.ArgumentParser(prog="python -m cent.testing.server")
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="build (or find) binaries")
    build.add_argument("--version", action="append", dest="versions")
    run = commands.add_parser("run", help="run one server until Ctrl-C")
    run.add_argument("--version", default=SUPPORTED_VERSIONS[-1])
    args = parser.parse_args(argv)

    try:
        if args.command == "build":
            return _cmd_build(args.versions or SUPPORTED_VERSIONS)
        return _cmd_run(args.version)
    except (CentrifugoBuildError, CentrifugoStartError, ValueError) as err:
        print(err, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
