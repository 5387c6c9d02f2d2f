"""A small misbehaving HTTP server on 127.0.0.1, for faults Centrifugo never makes.

Each accepted connection runs in its own thread: the server reads one request
(head and Content-Length body), records it, then hands the socket to the
current behaviour, which writes whatever fault the test wants. `close()` wakes
every stalled behaviour and joins all threads, so nothing outlives a test.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional

Behaviour = Callable[[socket.socket, threading.Event], None]

STALL_LIMIT = 10.0  # a stalled reply never outlives this, even if close() is missed


@dataclass
class Received:
    """One request as the server read it."""

    method: str
    path: str
    headers: Dict[str, str] = field(default_factory=dict)
    body: bytes = b""


class FaultServer:
    """Serves `behaviour` to every connection until closed."""

    def __init__(self, behaviour: Behaviour, *, read_request: bool = True) -> None:
        self.behaviour = behaviour
        self.read_request = read_request
        self.received: List[Received] = []
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/api"
        self._threads: List[threading.Thread] = []
        self._lock = threading.Lock()
        self._acceptor = threading.Thread(target=self._accept, daemon=True)
        self._acceptor.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._handle, args=(conn,), daemon=True)
            with self._lock:
                self._threads.append(thread)
            thread.start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(2.0)
            if not self.read_request:
                self.behaviour(conn, self._stop)
                return
            try:
                request = self._read_request(conn)
            except OSError:
                return
            if request is None:
                return
            self.received.append(request)
            # The client may give up first: that is what many fault tests do.
            with contextlib.suppress(OSError):
                self.behaviour(conn, self._stop)

    @staticmethod
    def _read_request(conn: socket.socket) -> Optional[Received]:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, path, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                break
            body += chunk
        return Received(method, path, headers, body)

    def close(self) -> None:
        self._stop.set()
        self._listener.close()
        self._acceptor.join(2.0)
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(2.0)


# --- behaviours -------------------------------------------------------------


def response_bytes(
    status: int, body: bytes, content_type: str = "application/json"
) -> bytes:
    head = (
        f"HTTP/1.1 {status} Whatever\r\n"
        f"Content-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode() + body


def reply(
    status: int, body: bytes, content_type: str = "application/json"
) -> Behaviour:
    """A complete, well-framed HTTP response."""

    def behaviour(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(response_bytes(status, body, content_type))

    return behaviour


def raw(data: bytes) -> Behaviour:
    """Bytes that need not be HTTP at all, then close."""

    def behaviour(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(data)

    return behaviour


def stall(conn: socket.socket, stop: threading.Event) -> None:
    """Read the request, then say nothing until the server closes."""
    stop.wait(STALL_LIMIT)


def stall_after_headers(conn: socket.socket, stop: threading.Event) -> None:
    """Send the head and part of the body, then stall."""
    conn.sendall(response_bytes(200, b'{"result":{}}')[:-5])
    stop.wait(STALL_LIMIT)


def _reset(conn: socket.socket) -> None:
    # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def reset_mid_response(conn: socket.socket, stop: threading.Event) -> None:
    """Send the head and a few body bytes, then reset the connection."""
    conn.sendall(response_bytes(200, b'{"result":{"offset":1,"epoch":"e"}}')[:-20])
    time.sleep(0.02)
    _reset(conn)


def reset_without_reply(conn: socket.socket, stop: threading.Event) -> None:
    """Reset the connection right after reading the request."""
    _reset(conn)


def close_without_reply(conn: socket.socket, stop: threading.Event) -> None:
    """Close (FIN) right after reading the request."""


def close_mid_body(conn: socket.socket, stop: threading.Event) -> None:
    """Promise more body than is sent, then close cleanly."""
    conn.sendall(response_bytes(200, b'{"result":{"offset":1}}')[:-6])


def trickle(
    body: bytes = b'{"result":{}}',
    every: float = 0.03,
    chunks: int = 40,
    *,
    body_only: bool = False,
) -> Behaviour:
    """Send a valid response in `chunks` pieces, one every `every` seconds.

    With `body_only` the status line and headers go out at once and only the
    body trickles.
    """
    data = response_bytes(200, body)
    head = data[: len(data) - len(body)] if body_only else b""
    data = data[len(head) :]
    size = max(1, -(-len(data) // chunks))

    def behaviour(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(head)
        for start in range(0, len(data), size):
            if stop.wait(every):
                return
            conn.sendall(data[start : start + size])

    return behaviour
