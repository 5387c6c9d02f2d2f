"""The asyncio HTTP transport, on `aiohttp`."""

from __future__ import annotations

import asyncio
import math
from typing import Dict, Optional, Tuple

import aiohttp

from cent._http_common import api_headers, method_url_prefix
from cent.errors import CentNetworkError, CentTimeoutError


class AiohttpTransport:
    """POSTs encoded requests with an `aiohttp.ClientSession`.

    The session is opened on first use, inside the running event loop, so the
    transport can be built anywhere. A session works only in the loop it was
    opened in, so a call from another loop (a second `asyncio.run`) opens a new
    one; a session the caller passed in is always used as it is.
    """

    def __init__(
        self,
        api_url: str,
        api_key: str,
        session: Optional[aiohttp.ClientSession] = None,
    ) -> None:
        self._prefix = method_url_prefix(api_url)
        self._headers = api_headers(api_key)
        self._owns_session = session is None
        self._session = session
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._timeouts: Dict[float, aiohttp.ClientTimeout] = {}

    async def send(
        self, method: str, payload: bytes, timeout: float
    ) -> Tuple[int, bytes]:
        """POST the body to `<api_url>/<method>`; return status and body."""
        session = self._session
        if session is None or (
            self._owns_session and self._loop is not asyncio.get_running_loop()
        ):
            session = self._open_session()
        client_timeout = self._timeouts.get(timeout) or self._timeout(timeout)
        try:
            async with session.post(
                self._prefix + method,
                data=payload,
                headers=self._headers,
                timeout=client_timeout,
            ) as response:
                return response.status, await response.read()
        except asyncio.TimeoutError as err:
            raise CentTimeoutError(
                f"no reply to {method} within {timeout:g} s"
            ) from err
        except RuntimeError as err:
            if not session.closed:
                raise
            raise CentNetworkError(
                f"{method} failed: the aiohttp session is closed"
            ) from err
        except (aiohttp.ClientError, OSError) as err:
            raise CentNetworkError(
                f"{method} failed: {type(err).__name__}: {err}"[:300]
            ) from err

    async def close(self) -> None:
        """Close the session, unless the caller passed it in."""
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None

    def _open_session(self) -> aiohttp.ClientSession:
        stale = self._session
        if stale is not None:
            # Its loop is gone or another one: it cannot be closed from here.
            stale.detach()
        self._session = aiohttp.ClientSession()
        self._loop = asyncio.get_running_loop()
        return self._session

    def _timeout(self, seconds: float) -> aiohttp.ClientTimeout:
        if len(self._timeouts) >= 16:  # callers may pass many distinct values
            self._timeouts.clear()
        # aiohttp rounds timeouts from ceil_threshold up to whole seconds.
        self._timeouts[seconds] = aiohttp.ClientTimeout(
            total=seconds, ceil_threshold=math.inf
        )
        return self._timeouts[seconds]
