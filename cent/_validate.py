"""Checks that turn a wrong argument into a `CentValidationError` before sending."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping
from typing import Any, Dict, List

from cent.errors import CentValidationError

UINT32_MAX = 2**32 - 1
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
UINT64_MAX = 2**64 - 1


def _type_error(name: str, expected: str, value: Any) -> CentValidationError:
    return CentValidationError(
        f"{name} must be {expected}, got {type(value).__name__}: {value!r:.60}"
    )


def string(name: str, value: Any) -> str:
    """Return `value` if it is a str."""
    if not isinstance(value, str):
        raise _type_error(name, "a str", value)
    return value


def channel(value: Any, name: str = "channel") -> str:
    """Return `value` if it is a non-empty str."""
    if not string(name, value):
        raise CentValidationError(f"{name} must not be empty")
    return value  # type: ignore[no-any-return]


def api_key(value: Any) -> str:
    """Return `value` if it can travel in a header; the message never shows it."""
    if not isinstance(value, str):
        raise CentValidationError(f"api_key must be a str, got {type(value).__name__}")
    if not value:
        raise CentValidationError("api_key must not be empty")
    printable = all(" " <= char <= "~" for char in value)
    if not printable or value != value.strip():
        raise CentValidationError(
            "api_key must be printable ASCII with no space around it (a key read "
            "from a file often ends with a newline); the key is not shown here"
        )
    return value


def flag(name: str, value: Any) -> bool:
    """Return `value` if it is a bool."""
    if not isinstance(value, bool):
        raise _type_error(name, "a bool", value)
    return value


def integer(name: str, value: Any, low: int, high: int) -> int:
    """Return `value` if it is an int (not a bool) within `low`..`high`."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise _type_error(name, "an int", value)
    if not low <= value <= high:
        raise CentValidationError(f"{name} must be in {low}..{high}, got {value}")
    return value


def tags(value: Any) -> Dict[str, str]:
    """Return a copy of `value` if it maps str to str."""
    if not isinstance(value, Mapping):
        raise _type_error("tags", "a mapping of str to str", value)
    for key, item in value.items():
        if not isinstance(key, str) or not isinstance(item, str):
            raise CentValidationError(
                f"tags must map str to str, got {key!r:.40}: {item!r:.40}"
            )
    return dict(value)


def strings(name: str, value: Any, *, non_empty: bool = False) -> List[str]:
    """Return a list copy of `value` if it is an iterable of str (not one str)."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise _type_error(name, "a list of str", value)
    items = list(value)
    for item in items:
        if non_empty:
            channel(item, f"every item of {name}")
        else:
            string(f"every item of {name}", item)
    return items


def base64_text(name: str, value: Any) -> str:
    """Return standard padded base64: `bytes` are encoded, a str is checked."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        value = base64.b64encode(value).decode("ascii")
    if not string(name, value):
        raise CentValidationError(f"{name} must not be empty: Centrifugo ignores it")
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as err:
        raise CentValidationError(f"{name} is not valid base64: {err}") from err
    return value  # type: ignore[no-any-return]
