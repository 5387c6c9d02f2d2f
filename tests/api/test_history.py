"""history and history_remove against a real server."""

from __future__ import annotations

from typing import Callable, List

import pytest

from cent import CentAPIError, HistoryRequest, HistoryResult, StreamPosition

from .conftest import ApiAdapter


async def publish_numbers(api: ApiAdapter, channel: str, count: int) -> None:
    for number in range(1, count + 1):
        await api.call("publish", channel, api.payload({"n": number}))


def numbers(api: ApiAdapter, history: HistoryResult) -> List[int]:
    return [api.loaded(pub.data)["n"] for pub in history.publications]


def offsets(history: HistoryResult) -> List[int]:
    return [pub.offset for pub in history.publications]


@pytest.fixture
async def five(api: ApiAdapter, channel: str) -> str:
    """A channel holding publications {"n": 1} .. {"n": 5}, offsets 1 .. 5."""
    await publish_numbers(api, channel, 5)
    return channel


@pytest.mark.parametrize("limit", [None, 0])
async def test_no_limit_gives_position_only(
    api: ApiAdapter, five: str, limit: int
) -> None:
    history = await api.call("history", five, limit=limit)

    assert history.publications == []
    assert history.offset == 5
    assert type(history.offset) is int
    assert isinstance(history.epoch, str) and history.epoch


async def test_limit_minus_one_gives_all(api: ApiAdapter, five: str) -> None:
    history = await api.call("history", five, limit=-1)

    assert numbers(api, history) == [1, 2, 3, 4, 5]
    assert offsets(history) == [1, 2, 3, 4, 5]
    assert all(type(offset) is int for offset in offsets(history))
    assert history.offset == 5
    assert all(pub.info is None and pub.tags == {} for pub in history.publications)


async def test_limit_n_gives_the_oldest_n(api: ApiAdapter, five: str) -> None:
    history = await api.send(HistoryRequest(five).limit(2))

    assert numbers(api, history) == [1, 2]
    assert history.offset == 5


async def test_since_is_exclusive(api: ApiAdapter, five: str) -> None:
    top = await api.call("history", five)

    history = await api.call(
        "history", five, limit=-1, since=StreamPosition(2, top.epoch)
    )

    assert offsets(history) == [3, 4, 5]


async def test_since_with_empty_epoch_skips_the_check(
    api: ApiAdapter, five: str
) -> None:
    history = await api.call("history", five, limit=2, since=StreamPosition(3))

    assert offsets(history) == [4, 5]


async def test_reverse(api: ApiAdapter, five: str) -> None:
    top = await api.call("history", five)

    newest = await api.call("history", five, limit=2, reverse=True)
    before = await api.send(
        HistoryRequest(five, limit=-1).since(StreamPosition(4, top.epoch)).reverse()
    )

    assert numbers(api, newest) == [5, 4]
    assert offsets(before) == [3, 2, 1]


async def test_reverse_since_offset_zero_is_internal_error(
    api: ApiAdapter, five: str
) -> None:
    # Documented server behaviour (v5 and v6): the library refuses a reverse
    # read from offset 0 and the API surfaces that as 100.
    top = await api.call("history", five)

    with pytest.raises(CentAPIError) as caught:
        await api.call(
            "history", five, limit=-1, reverse=True, since=StreamPosition(0, top.epoch)
        )

    assert caught.value.code == 100


async def test_epoch_mismatch_is_112(api: ApiAdapter, five: str) -> None:
    with pytest.raises(CentAPIError) as caught:
        await api.call(
            "history", five, limit=-1, since=StreamPosition(1, "not-the-epoch")
        )

    assert caught.value.code == 112


async def test_empty_channel_history(api: ApiAdapter, channel: str) -> None:
    history = await api.call("history", channel, limit=-1)

    assert history.publications == []
    assert history.offset == 0
    assert isinstance(history.epoch, str)


async def test_namespace_history_size_is_applied(
    api: ApiAdapter, new_channel: Callable[[str], str]
) -> None:
    channel = new_channel("ns:")  # history size 10
    await publish_numbers(api, channel, 12)

    history = await api.call("history", channel, limit=-1)

    assert numbers(api, history) == list(range(3, 13))
    assert history.offset == 12


async def test_history_remove_keeps_the_position(api: ApiAdapter, five: str) -> None:
    before = await api.call("history", five)

    await api.call("history_remove", five)

    after = await api.call("history", five, limit=-1)
    assert after.publications == []
    assert (after.offset, after.epoch) == (before.offset, before.epoch)
    result = await api.call("publish", five, api.payload({"n": 6}))
    assert result.offset == 6
    assert numbers(api, await api.call("history", five, limit=-1)) == [6]


@pytest.mark.parametrize("method", ["history", "history_remove"])
async def test_history_on_namespace_without_history_is_108(
    api: ApiAdapter, new_channel: Callable[[str], str], method: str
) -> None:
    with pytest.raises(CentAPIError) as caught:
        await api.call(method, new_channel("nohist:"))

    assert caught.value.code == 108


@pytest.mark.parametrize("method", ["history", "history_remove"])
async def test_history_on_unknown_namespace_is_102(
    api: ApiAdapter, new_channel: Callable[[str], str], method: str
) -> None:
    with pytest.raises(CentAPIError) as caught:
        await api.call(method, new_channel("unknown:"))

    assert caught.value.code == 102
