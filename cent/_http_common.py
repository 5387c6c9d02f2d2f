"""What both HTTP backends share: the endpoint and the request headers."""

from __future__ import annotations

from typing import Dict

from cent import _validate as check
from cent.errors import CentValidationError


def method_url_prefix(api_url: str) -> str:
    """Return `api_url` with one trailing slash, ready for a method name."""
    check.string("api_url", api_url)
    if not api_url.startswith(("http://", "https://")):
        raise CentValidationError(
            f"api_url must start with http:// or https://, got {api_url!r:.80}"
        )
    return api_url.rstrip("/") + "/"


def api_headers(api_key: str) -> Dict[str, str]:
    """Return the headers every API request carries."""
    return {"X-API-Key": check.api_key(api_key), "Content-Type": "application/json"}
