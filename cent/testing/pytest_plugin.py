"""Pytest fixtures that run real Centrifugo servers.

Load it from ``conftest.py``::

    pytest_plugins = ["cent.testing.pytest_plugin"]

It is deliberately not registered as a ``pytest11`` entry point, so installing
``cent`` never adds fixtures to other projects' test suites.

Fixtures:

* ``centrifugo``: a session-scoped :class:`~cent.testing.server.CentrifugoServer`,
  parametrised over the versions under test (ids ``v5`` and ``v6``). Each
  version's server starts on first use, is shared by every test of the session
  and is stopped when the session ends.

Which versions run:

* ``CENT_TEST_VERSIONS``: comma-separated list of full versions (``5.4.9``) or
  majors (``5``, ``v5``, meaning the supported release of that major). Default:
  every version in :data:`~cent.testing.server.SUPPORTED_VERSIONS`.
* ``CENTRIFUGO_BIN``: one binary used instead of building. If ``centrifugo
  version`` tells its version, only the requested versions of the same major run,
  under the binary's own version; if none has that major, the fixture has no
  parameters and its tests are skipped. If the version cannot be told (a build
  without the version ldflag reports ``0.0.0``), the binary is used for every
  requested version, configured for that version's major.

When a test that used ``centrifugo`` fails, the last 200 lines of that server's
log are added to the report as a section named ``centrifugo vX.Y.Z log``.
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Generator, Iterator

import pytest

from cent.testing.server import (
    SUPPORTED_VERSIONS,
    CentrifugoServer,
    binary_version,
)

__all__ = ["centrifugo", "requested_versions"]

_LOG_LINES = 200


def _resolve(entry: str) -> str:
    entry = entry.strip().lstrip("vV")
    for version in SUPPORTED_VERSIONS:
        if entry in (version, version.split(".")[0]):
            return version
    if entry.count(".") == 2:
        return entry
    raise ValueError(f"CENT_TEST_VERSIONS: cannot read {entry!r}")


def requested_versions() -> list[str]:
    """Return the versions to test, as the module docstring describes."""
    raw = os.environ.get("CENT_TEST_VERSIONS", "")
    wanted = [_resolve(e) for e in raw.split(",") if e.strip()]
    wanted = wanted or list(SUPPORTED_VERSIONS)
    binary = os.environ.get("CENTRIFUGO_BIN")
    if not binary:
        return wanted
    actual = binary_version(pathlib.Path(binary).expanduser())
    if actual is None:
        return wanted
    major = actual.split(".")[0]
    return [actual] if any(v.split(".")[0] == major for v in wanted) else []


def _version_id(version: object) -> str:
    return f"v{str(version).split('.')[0]}"


class _Servers:
    """One server per version for the whole session, started on first use."""

    def __init__(self) -> None:
        self._servers: dict[str, CentrifugoServer] = {}

    def get(self, version: str) -> CentrifugoServer:
        server = self._servers.get(version)
        if server is None:
            server = CentrifugoServer(version)
            server.start()
            self._servers[version] = server
        return server

    def stop_all(self) -> None:
        for server in self._servers.values():
            server.stop()
        self._servers.clear()


@pytest.fixture(scope="session")
def _centrifugo_servers() -> Iterator[_Servers]:
    servers = _Servers()
    yield servers
    servers.stop_all()


@pytest.fixture(scope="session", params=requested_versions(), ids=_version_id)
def centrifugo(
    request: pytest.FixtureRequest, _centrifugo_servers: _Servers
) -> CentrifugoServer:
    """A running Centrifugo server of one version, shared by the session."""
    version: str = request.param
    return _centrifugo_servers.get(version)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Attach the server log tail to the report of a failed test."""
    report = yield
    server = getattr(item, "funcargs", {}).get("centrifugo")
    if report.failed and isinstance(server, CentrifugoServer):
        title = f"centrifugo {server.version} log (last {_LOG_LINES} lines)"
        report.sections.append((title, server.log_tail(_LOG_LINES)))
    return report
