"""Fixtures for fault injection: our own misbehaving server, and a dead port."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any, Callable, List

import pytest

from ._server import Behaviour, FaultServer


@pytest.fixture
def fault_server() -> Iterator[Callable[..., FaultServer]]:
    """Start a FaultServer with a behaviour; every one started is closed after."""
    started: List[FaultServer] = []

    def start(behaviour: Behaviour, **options: Any) -> FaultServer:
        server = FaultServer(behaviour, **options)
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


@pytest.fixture
def refused_url() -> Iterator[str]:
    """A 127.0.0.1 URL whose port is bound but not listening: connect is refused.

    Holding the bound socket keeps the port from being taken by anyone else.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/api"
    finally:
        sock.close()
