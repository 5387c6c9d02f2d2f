"""The blocking HTTP transport, on `requests`."""

from __future__ import annotations

import os
import socket
import time
from typing import Optional, Tuple

import requests
import urllib3

from cent._http_common import api_headers, method_url_prefix
from cent.errors import CentNetworkError, CentTimeoutError


class RequestsTransport:
    """POSTs encoded requests with a `requests.Session` (keep-alive pooled)."""

    def __init__(
        self, api_url: str, api_key: str, session: Optional[requests.Session] = None
    ) -> None:
        self._prefix = method_url_prefix(api_url)
        self._headers = api_headers(api_key)
        self._owns_session = session is None
        self._session = session if session is not None else _own_session(api_url)

    def send(self, method: str, payload: bytes, timeout: float) -> Tuple[int, bytes]:
        """POST the body to `<api_url>/<method>`; return status and body."""
        deadline = time.monotonic() + timeout
        try:
            response = self._session.post(
                self._prefix + method,
                data=payload,
                headers=self._headers,
                timeout=timeout,
                stream=True,
            )
            return response.status_code, _read_body(response, deadline)
        except (
            requests.RequestException,
            urllib3.exceptions.HTTPError,
            OSError,
        ) as err:
            raise _network_error(method, timeout, err) from err

    def close(self) -> None:
        """Close the session, unless the caller passed it in."""
        if self._owns_session:
            self._session.close()


def _network_error(method: str, timeout: float, err: Exception) -> Exception:
    """Map an exception of requests, urllib3 or the socket layer to ours."""
    if _is_timeout(err):
        return CentTimeoutError(f"no reply to {method} within {timeout:g} s")
    return CentNetworkError(f"{method} failed: {type(err).__name__}: {err}"[:300])


def _own_session(api_url: str) -> requests.Session:
    """Open a session that reads proxy and CA settings from the environment once.

    A session that trusts the environment re-reads it on every request, which
    costs about a third of a publish's client time; reading it here instead
    means later changes to the environment are not seen, and ~/.netrc, which
    the API key header makes moot, is not read.
    """
    session = requests.Session()
    session.proxies.update(requests.utils.get_environ_proxies(api_url))
    ca_bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if ca_bundle:
        session.verify = ca_bundle
    session.trust_env = False
    return session


def _read_body(response: requests.Response, deadline: float) -> bytes:
    """Read the whole body, giving up once `deadline` passes.

    requests bounds each socket read, not the call, so a server that trickles
    its reply could hold the call for ever; reading what has arrived, chunk by
    chunk, lets the deadline be checked between reads. The status line and
    headers are read inside requests, where only each read is bounded.
    """
    raw = response.raw
    if not hasattr(raw, "read1"):
        # urllib3 1.x has no read1: its reads are bounded one by one only.
        return response.content
    chunks = []
    while True:
        chunk = raw.read1(65536, decode_content=True)
        if not chunk:
            break
        chunks.append(chunk)
        if time.monotonic() > deadline:
            response.close()
            raise requests.ReadTimeout("the reply body did not arrive in time")
    raw.release_conn()
    return b"".join(chunks)


_TIMEOUTS = (
    requests.Timeout,
    urllib3.exceptions.TimeoutError,
    socket.timeout,
    TimeoutError,
)
_NOT_TIMEOUTS = (urllib3.exceptions.NewConnectionError,)


def _is_timeout(err: BaseException, depth: int = 0) -> bool:
    """Tell whether `err`, or an exception it wraps, is a timeout.

    requests and urllib3 wrap timeouts that strike while sending or while the
    body streams in ConnectionError or ProtocolError, so look inside; but a
    refused connection is a NewConnectionError, which urllib3 derives from
    its ConnectTimeoutError.
    """
    if isinstance(err, _NOT_TIMEOUTS):
        return False
    if isinstance(err, _TIMEOUTS):
        return True
    if depth >= 4:
        return False
    inner = [*err.args, err.__cause__, getattr(err, "reason", None)]
    return any(
        isinstance(item, BaseException) and _is_timeout(item, depth + 1)
        for item in inner
    )
