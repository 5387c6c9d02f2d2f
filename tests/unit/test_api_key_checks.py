"""A key that cannot travel in a header is refused up front, and never echoed."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from cent import AsyncClient, CentValidationError, Client, GrpcClient, SyncGrpcClient

SECRET = "s3cr3t-KEY"

CLIENTS: list[Callable[[str], Any]] = [
    lambda key: Client("http://127.0.0.1:1/api", key),
    lambda key: AsyncClient("http://127.0.0.1:1/api", key),
    lambda key: GrpcClient("127.0.0.1", 1, api_key=key),
    lambda key: SyncGrpcClient("127.0.0.1", 1, api_key=key),
]


@pytest.mark.parametrize("make", CLIENTS)
@pytest.mark.parametrize(
    "key",
    [SECRET + "\n", " " + SECRET, SECRET + "\tx", SECRET + "ключ", SECRET + "\x00"],
    ids=["newline", "leading-space", "tab", "non-ascii", "nul"],
)
def test_odd_keys_are_refused_without_showing_them(
    make: Callable[[str], Any], key: str
) -> None:
    with pytest.raises(CentValidationError) as caught:
        make(key)

    assert SECRET not in str(caught.value)
    assert SECRET not in repr(caught.value)


@pytest.mark.parametrize("make", CLIENTS)
def test_a_printable_key_with_inner_spaces_is_taken(make: Callable[[str], Any]) -> None:
    client = make("key with spaces ~!@#")

    assert "key with spaces" not in repr(client)
