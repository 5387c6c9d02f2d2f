"""Automatic batching, driven through the asyncio clients with a mock transport."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest

from cent import (
    AsyncClient,
    AsyncMockTransport,
    AutoBatching,
    CentAPIError,
    CentNetworkError,
    CentTransportError,
    CentValidationError,
    GrpcClient,
    PublishRequest,
    PublishResult,
    SyncGrpcClient,
)

URL, KEY = "http://unused/api", "key"


def replies(*items: Any) -> tuple[int, bytes]:
    return 200, orjson.dumps({"replies": list(items)})


def client(transport: AsyncMockTransport, **options: Any) -> AsyncClient:
    batching = AutoBatching(**options) if options else True
    return AsyncClient(URL, KEY, transport=transport, auto_batch=batching)


async def test_concurrent_calls_travel_in_one_batch() -> None:
    transport = AsyncMockTransport(
        [replies(*({"publish": {"offset": n}} for n in range(1, 6)))]
    )
    cent = client(transport)

    results = await asyncio.gather(*(cent.publish("c", n) for n in range(5)))

    assert results == [PublishResult(offset=n) for n in range(1, 6)]
    assert len(transport.sent) == 1
    method, body, timeout = transport.sent[0]
    assert method == "batch"
    assert orjson.loads(body) == {
        "commands": [{"publish": {"channel": "c", "data": n}} for n in range(5)]
    }
    assert timeout == 10.0


async def test_each_caller_gets_its_own_api_error() -> None:
    error = {"error": {"code": 102, "message": "unknown channel"}}
    transport = AsyncMockTransport([replies({"publish": {}}, error)])
    cent = client(transport)
    failing = PublishRequest("x:c", 2)

    outcomes = await asyncio.gather(
        cent.publish("c", 1), cent.send(failing), return_exceptions=True
    )

    assert outcomes[0] == PublishResult()
    assert isinstance(outcomes[1], CentAPIError)
    assert (outcomes[1].code, outcomes[1].index) == (102, None)
    assert outcomes[1].request is failing


async def test_a_failed_batch_call_fails_every_caller_once() -> None:
    cause = ConnectionResetError("reset")
    failure = CentNetworkError("publish failed")
    failure.__cause__ = cause
    transport = AsyncMockTransport([failure])
    cent = client(transport)

    outcomes = await asyncio.gather(
        *(cent.publish("c", n) for n in range(3)), return_exceptions=True
    )

    assert all(isinstance(item, CentNetworkError) for item in outcomes)
    assert len({id(item) for item in outcomes}) == 3
    assert all(item.__cause__ is cause for item in outcomes)
    assert len(transport.sent) == 1


async def test_an_invalid_request_is_refused_to_its_caller_only() -> None:
    transport = AsyncMockTransport(
        [replies({"publish": {"offset": 1}}, {"publish": {}})]
    )
    cent = client(transport)

    outcomes = await asyncio.gather(
        cent.publish("c", 1),
        cent.send(PublishRequest("c")),  # neither data nor b64data
        cent.publish("c", 3),
        return_exceptions=True,
    )

    assert outcomes[0] == PublishResult(offset=1)
    assert isinstance(outcomes[1], CentValidationError)
    assert outcomes[2] == PublishResult()
    commands = orjson.loads(transport.sent[0][1])["commands"]
    assert [c["publish"]["data"] for c in commands] == [1, 3]


async def test_size_cap_flushes_without_waiting_for_the_window() -> None:
    transport = AsyncMockTransport(
        [replies({"publish": {}}, {"publish": {}}), (200, b'{"result":{}}')]
    )
    cent = client(transport, max_size=2, max_delay=60.0)

    first = asyncio.gather(cent.publish("c", 1), cent.publish("c", 2))
    done = await asyncio.wait_for(first, 1.0)

    assert done == [PublishResult(), PublishResult()]
    third = asyncio.ensure_future(cent.publish("c", 3))
    await asyncio.sleep(0.05)
    assert not third.done()  # waits for its window or for close()
    await cent.close()
    assert await third == PublishResult()
    assert transport.closed


async def test_a_lone_call_is_sent_as_itself() -> None:
    transport = AsyncMockTransport([(200, b'{"result":{"offset":9}}')])
    cent = client(transport)

    assert await cent.publish("c", 1) == PublishResult(offset=9)
    assert transport.sent[0][0] == "publish"


async def test_calls_with_other_timeouts_go_in_other_batches() -> None:
    transport = AsyncMockTransport(
        [replies({"publish": {}}, {"publish": {}}), (200, b'{"result":{}}')]
    )
    cent = client(transport)

    await asyncio.gather(
        cent.publish("c", 1), cent.publish("c", 2), cent.publish("c", 3, timeout=2.5)
    )

    sent = sorted((method, timeout) for method, _, timeout in transport.sent)
    assert sent == [("batch", 10.0), ("publish", 2.5)]


async def test_parallel_option_reaches_the_batch() -> None:
    transport = AsyncMockTransport([replies({"publish": {}}, {"publish": {}})])
    cent = client(transport, parallel=True)

    await asyncio.gather(cent.publish("c", 1), cent.publish("c", 2))

    assert orjson.loads(transport.sent[0][1])["parallel"] is True


async def test_a_cancelled_caller_is_left_out() -> None:
    transport = AsyncMockTransport([replies({"publish": {}})])
    cent = client(transport, max_delay=0.05)
    cancelled = asyncio.ensure_future(cent.publish("c", 1))
    kept = asyncio.ensure_future(cent.publish("c", 2))
    await asyncio.sleep(0)
    cancelled.cancel()

    # Only the remaining caller is sent, as a plain publish.
    transport.replies[0] = (200, b'{"result":{}}')
    assert await kept == PublishResult()
    assert [method for method, _, _ in transport.sent] == ["publish"]


@pytest.mark.parametrize(
    "options",
    [
        {"max_size": 0},
        {"max_delay": -1.0},
        {"max_delay": float("nan")},
        {"max_delay": "1"},
        {"parallel": 1},
    ],
)
def test_bad_options_are_refused(options: dict[str, Any]) -> None:
    with pytest.raises(CentValidationError):
        AutoBatching(**options)


def test_auto_batch_takes_a_bool_or_options() -> None:
    with pytest.raises(CentValidationError):
        AsyncClient(URL, KEY, auto_batch="yes")  # type: ignore[arg-type]
    assert GrpcClient("127.0.0.1", 1, auto_batch=AutoBatching(max_size=10))
    with pytest.raises(CentValidationError, match="GrpcClient"):
        SyncGrpcClient("127.0.0.1", 1, auto_batch=True)


def nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


async def test_requests_valid_alone_but_not_together_go_alone() -> None:
    # 253 levels encode alone, but inside a batch they pass orjson's depth limit.
    deep = nested(253)
    transport = AsyncMockTransport([(200, b'{"result":{"offset":1}}')] * 2)
    cent = client(transport)

    outcomes = await asyncio.wait_for(
        asyncio.gather(cent.publish("a", deep), cent.publish("b", 1)), 2.0
    )

    assert outcomes == [PublishResult(offset=1), PublishResult(offset=1)]
    assert sorted(method for method, _, _ in transport.sent) == ["publish", "publish"]


async def test_a_batch_too_large_for_grpc_is_halved_until_it_fits() -> None:
    too_large = CentTransportError(
        "Batch failed: gRPC RESOURCE_EXHAUSTED", grpc_code="RESOURCE_EXHAUSTED"
    )
    two = replies({"publish": {"offset": 1}}, {"publish": {"offset": 2}})
    transport = AsyncMockTransport([too_large, two, two])
    cent = client(transport)

    outcomes = await asyncio.gather(*(cent.publish("c", n) for n in range(4)))

    assert outcomes == [PublishResult(offset=n) for n in (1, 2, 1, 2)]
    assert [method for method, _, _ in transport.sent] == ["batch"] * 3


async def test_a_lone_call_too_large_fails_as_it_would_alone() -> None:
    too_large = CentTransportError("too large", grpc_code="RESOURCE_EXHAUSTED")
    transport = AsyncMockTransport([too_large, too_large, (200, b'{"result":{}}')])
    cent = client(transport)

    outcomes = await asyncio.gather(
        cent.publish("c", 1), cent.publish("c", 2), return_exceptions=True
    )

    assert isinstance(outcomes[0], CentTransportError)
    assert outcomes[1] == PublishResult()


async def test_a_non_builder_is_refused_to_its_caller_without_holding_others() -> None:
    transport = AsyncMockTransport([(200, b'{"result":{"offset":4}}')])
    cent = client(transport)

    outcomes = await asyncio.wait_for(
        asyncio.gather(
            cent.send("publish"),  # type: ignore[arg-type]
            cent.publish("c", 1),
            return_exceptions=True,
        ),
        2.0,
    )

    assert isinstance(outcomes[0], CentValidationError)
    assert outcomes[1] == PublishResult(offset=4)
