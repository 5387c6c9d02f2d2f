"""Every builder field, set by constructor keyword and by fluent setter."""

from __future__ import annotations

import inspect
from typing import Any, Dict, List, Tuple

import orjson
import pytest

from cent import (
    BatchRequest,
    BroadcastRequest,
    CentValidationError,
    ChannelsRequest,
    Disconnect,
    DisconnectRequest,
    HistoryRemoveRequest,
    HistoryRequest,
    InfoRequest,
    PresenceRequest,
    PresenceStatsRequest,
    PublishRequest,
    RefreshRequest,
    Request,
    RPCRequest,
    StreamPosition,
    SubscribeOverride,
    SubscribeRequest,
    UnsubscribeRequest,
)
from cent._http_codec import encode_http

# Each field: name -> (value given to the builder, value expected on the wire).
Fields = Dict[str, Tuple[Any, Any]]

PUBLICATION_FIELDS: Fields = {
    "data": ({"text": "hi", "n": [1, 2.5, None]}, {"text": "hi", "n": [1, 2.5, None]}),
    "b64data": (b"\x00\xffbin", "AP9iaW4="),
    "skip_history": (True, True),
    "tags": ({"kind": "post", "lang": "en"}, {"kind": "post", "lang": "en"}),
    "idempotency_key": ("idem-1", "idem-1"),
    "delta": (True, True),
    "version": (2**64 - 1, 2**64 - 1),
    "version_epoch": ("v-epoch", "v-epoch"),
}

OVERRIDE = SubscribeOverride(
    presence=False,
    join_leave=True,
    force_recovery=True,
    force_positioning=False,
    force_push_join_leave=True,
)
OVERRIDE_WIRE = {
    "presence": {"value": False},
    "join_leave": {"value": True},
    "force_recovery": {"value": True},
    "force_positioning": {"value": False},
    "force_push_join_leave": {"value": True},
}


class Case:
    """A builder, its required arguments, and every optional field."""

    def __init__(
        self,
        builder: type,
        method: str,
        required: Fields,
        fields: Fields,
    ) -> None:
        self.builder = builder
        self.method = method
        self.required = required
        self.fields = fields

    def __repr__(self) -> str:
        return self.builder.__name__

    def minimal(self) -> Request[Any]:
        return self.builder(*(given for given, _ in self.required.values()))

    def required_wire(self) -> Dict[str, Any]:
        return {name: wire for name, (_, wire) in self.required.items()}

    def full_wire(self) -> Dict[str, Any]:
        wire = self.required_wire()
        wire.update({name: value for name, (_, value) in self.fields.items()})
        return wire


CASES: List[Case] = [
    Case(PublishRequest, "publish", {"channel": ("news", "news")}, PUBLICATION_FIELDS),
    Case(
        BroadcastRequest,
        "broadcast",
        {"channels": (("a", "ns:b"), ["a", "ns:b"])},
        PUBLICATION_FIELDS,
    ),
    Case(
        SubscribeRequest,
        "subscribe",
        {"user": ("42", "42"), "channel": ("news", "news")},
        {
            "expire_at": (1_700_000_000, 1_700_000_000),
            "info": ({"role": "admin"}, {"role": "admin"}),
            "b64info": ("aW5mbw==", "aW5mbw=="),
            "client": ("client-id", "client-id"),
            "session": ("session-id", "session-id"),
            "data": ([1, "two"], [1, "two"]),
            "b64data": (bytearray(b"sub"), "c3Vi"),
            "recover_since": (
                StreamPosition(2**64 - 1, "ep"),
                {"offset": 2**64 - 1, "epoch": "ep"},
            ),
            "override": (OVERRIDE, OVERRIDE_WIRE),
        },
    ),
    Case(
        UnsubscribeRequest,
        "unsubscribe",
        {"user": ("42", "42"), "channel": ("news", "news")},
        {"client": ("client-id", "client-id"), "session": ("sess", "sess")},
    ),
    Case(
        DisconnectRequest,
        "disconnect",
        {"user": ("42", "42")},
        {
            "client": ("client-id", "client-id"),
            "session": ("sess", "sess"),
            "whitelist": (("keep-1", "keep-2"), ["keep-1", "keep-2"]),
            "disconnect": (
                Disconnect(4000, "bye"),
                {"code": 4000, "reason": "bye"},
            ),
        },
    ),
    Case(
        RefreshRequest,
        "refresh",
        {"user": ("42", "42")},
        {
            "client": ("client-id", "client-id"),
            "session": ("sess", "sess"),
            "expired": (True, True),
            "expire_at": (2**63 - 1, 2**63 - 1),
            "info": ({"new": "info"}, {"new": "info"}),
        },
    ),
    Case(PresenceRequest, "presence", {"channel": ("news", "news")}, {}),
    Case(PresenceStatsRequest, "presence_stats", {"channel": ("news", "news")}, {}),
    Case(HistoryRemoveRequest, "history_remove", {"channel": ("news", "news")}, {}),
    Case(
        HistoryRequest,
        "history",
        {"channel": ("news", "news")},
        {
            "limit": (-1, -1),
            "since": (StreamPosition(7, "e"), {"offset": 7, "epoch": "e"}),
            "reverse": (True, True),
        },
    ),
    Case(InfoRequest, "info", {}, {}),
    Case(
        RPCRequest,
        "rpc",
        {"method": ("getCurrentYear", "getCurrentYear")},
        {"params": ({"p": 1}, {"p": 1})},
    ),
    Case(ChannelsRequest, "channels", {}, {"pattern": ("news:*", "news:*")}),
]

# Setters of the required fields, with a second value to switch to.
REQUIRED_SETTERS: Dict[str, Tuple[Any, Any]] = {
    "channel": ("other", "other"),
    "channels": (["x", "y", "z"], ["x", "y", "z"]),
    "user": ("43", "43"),
    "method": ("otherMethod", "otherMethod"),
}

# Methods every builder has that are not field setters.
NOT_SETTERS = {"wire_payload", "api_payload", "result_type"}


def _setters(builder: type) -> set:
    names = set()
    for klass in builder.__mro__:
        if klass in (Request, object) or not issubclass(klass, Request):
            continue
        for name, value in vars(klass).items():
            if not name.startswith("_") and callable(value):
                names.add(name)
    return names - NOT_SETTERS


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_the_table_covers_every_keyword_and_setter(case: Case) -> None:
    params = list(inspect.signature(case.builder.__init__).parameters)[1:]
    assert set(params) == set(case.required) | set(case.fields)
    setters = _setters(case.builder)
    assert setters == set(case.fields) | (set(case.required) & setters)


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_constructor_keywords_give_the_exact_payload(case: Case) -> None:
    request = case.builder(
        *(given for given, _ in case.required.values()),
        **{name: given for name, (given, _) in case.fields.items()},
    )

    assert request.api_method == case.method
    assert request.api_payload == case.full_wire()
    method, body = encode_http(request)
    assert method == case.method
    assert orjson.loads(body) == case.full_wire()


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_required_arguments_alone(case: Case) -> None:
    request = case.minimal()
    if case.builder in (PublishRequest, BroadcastRequest):
        request.data(None)
        assert request.api_payload == {**case.required_wire(), "data": None}
    else:
        assert request.api_payload == case.required_wire()


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_fluent_setters_return_the_builder_and_give_the_same_payload(
    case: Case,
) -> None:
    request = case.minimal()
    for name, (given, _) in case.fields.items():
        assert getattr(request, name)(given) is request

    assert request.api_payload == case.full_wire()
    assert request == case.builder(
        *(given for given, _ in case.required.values()),
        **{name: given for name, (given, _) in case.fields.items()},
    )


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_setters_of_required_fields(case: Case) -> None:
    request = case.minimal()
    expected = case.required_wire()
    for name in case.required:
        if not hasattr(request, name):
            continue
        given, wire = REQUIRED_SETTERS[name]
        assert getattr(request, name)(given) is request
        expected[name] = wire
    if case.builder in (PublishRequest, BroadcastRequest):
        request.data(1)
        expected["data"] = 1
    assert request.api_payload == expected


def test_positional_payload_arguments() -> None:
    assert PublishRequest("c", {"a": 1}).api_payload == {
        "channel": "c",
        "data": {"a": 1},
    }
    assert BroadcastRequest(["c"], 5).api_payload == {"channels": ["c"], "data": 5}
    assert RPCRequest("m", [1]).api_payload == {"method": "m", "params": [1]}
    assert ChannelsRequest("p*").api_payload == {"pattern": "p*"}


@pytest.mark.parametrize(
    "request_",
    [
        PublishRequest("c", None),
        PublishRequest("c", data=None),
        PublishRequest("c").data(None),
        BroadcastRequest(["c"], None),
        SubscribeRequest("u", "c", data=None),
        RefreshRequest("u", info=None),
        RPCRequest("m", None),
    ],
    ids=repr,
)
def test_none_payload_is_json_null(request_: Request[Any]) -> None:
    _, body = encode_http(request_)
    assert b":null" in body
    assert None in orjson.loads(body).values()


def test_payloads_not_given_are_absent() -> None:
    assert "data" not in SubscribeRequest("u", "c").api_payload
    assert "info" not in SubscribeRequest("u", "c").api_payload
    assert "info" not in RefreshRequest("u").api_payload
    assert "params" not in RPCRequest("m").api_payload


@pytest.mark.parametrize(
    "given, wire",
    [
        (b"\x00", "AA=="),
        (b"\xfb\xff", "+/8="),
        (bytearray(b"ab"), "YWI="),
        (memoryview(b"abc"), "YWJj"),
        ("YWJj", "YWJj"),
        ("+/8=", "+/8="),
    ],
)
def test_b64data_from_bytes_and_from_base64_text(given: Any, wire: str) -> None:
    assert PublishRequest("c", b64data=given).api_payload["b64data"] == wire
    assert PublishRequest("c").b64data(given).api_payload["b64data"] == wire
    assert BroadcastRequest(["c"]).b64data(given).api_payload["b64data"] == wire
    assert SubscribeRequest("u", "c", b64info=given).api_payload["b64info"] == wire


@pytest.mark.parametrize("empty", [b"", "", bytearray()])
def test_empty_b64data_is_refused_as_centrifugo_ignores_it(empty: Any) -> None:
    with pytest.raises(CentValidationError, match="must not be empty"):
        PublishRequest("c", b64data=empty)
    with pytest.raises(CentValidationError, match="must not be empty"):
        SubscribeRequest("u", "c").b64info(empty)


def test_publish_with_only_b64data_is_valid() -> None:
    method, body = encode_http(PublishRequest("c", b64data=b"\x01\x02"))
    assert method == "publish"
    assert orjson.loads(body) == {"channel": "c", "b64data": "AQI="}

    _, body = encode_http(BroadcastRequest(["a", "b"]).b64data("AQI="))
    assert orjson.loads(body) == {"channels": ["a", "b"], "b64data": "AQI="}


def test_false_options_are_sent() -> None:
    request = PublishRequest("c", 1, skip_history=False, delta=False)
    assert request.api_payload == {
        "channel": "c",
        "data": 1,
        "skip_history": False,
        "delta": False,
    }
    assert RefreshRequest("u", expired=False).api_payload == {
        "user": "u",
        "expired": False,
    }


def test_flag_setters_default_to_true() -> None:
    assert PublishRequest("c", 1).skip_history().delta().api_payload == {
        "channel": "c",
        "data": 1,
        "skip_history": True,
        "delta": True,
    }
    assert RefreshRequest("u").expired().api_payload["expired"] is True
    assert HistoryRequest("c").reverse().api_payload["reverse"] is True


def test_partial_override_sends_only_what_is_set() -> None:
    request = SubscribeRequest("u", "c", override=SubscribeOverride(presence=True))
    assert request.api_payload["override"] == {"presence": {"value": True}}
    assert SubscribeOverride().to_json() == {}


def test_history_limit_none_is_omitted_and_zero_is_sent() -> None:
    assert HistoryRequest("c").api_payload == {"channel": "c"}
    assert HistoryRequest("c", limit=0).api_payload == {"channel": "c", "limit": 0}
    assert HistoryRequest("c").limit(2**31 - 1).api_payload["limit"] == 2**31 - 1


def test_tags_and_lists_are_copied() -> None:
    tags = {"k": "v"}
    channels = ["a"]
    request = BroadcastRequest(channels, 1, tags=tags)
    tags["k"] = "changed"
    channels.append("b")
    assert request.api_payload == {"channels": ["a"], "data": 1, "tags": {"k": "v"}}


def test_api_payload_is_a_copy() -> None:
    request = PublishRequest("c", 1)
    request.api_payload["channel"] = "mutated"
    assert request.api_payload["channel"] == "c"


def test_batch_by_constructor_add_extend_and_parallel() -> None:
    publish = PublishRequest("c", {"x": 1})
    info = InfoRequest()
    history = HistoryRequest("c", limit=1)
    expected_commands = [
        {"publish": {"channel": "c", "data": {"x": 1}}},
        {"info": {}},
        {"history": {"channel": "c", "limit": 1}},
    ]

    by_constructor = BatchRequest([publish, info, history], parallel=True)
    batch = BatchRequest()
    assert batch.add(publish) is batch
    assert batch.extend([info, history]) is batch
    assert batch.parallel() is batch

    for request in (by_constructor, batch):
        assert request.api_method == "batch"
        assert len(request) == 3
        assert request.requests == (publish, info, history)
        assert request.api_payload == {"commands": expected_commands, "parallel": True}
    assert by_constructor == batch

    assert batch.parallel(False) is batch
    assert batch.api_payload == {"commands": expected_commands}
    method, body = encode_http(batch)
    assert method == "batch"
    assert orjson.loads(body) == {"commands": expected_commands}


def test_empty_batch() -> None:
    assert BatchRequest().api_payload == {"commands": []}
    assert len(BatchRequest()) == 0


def test_every_builder_kind_fits_in_a_batch() -> None:
    batch = BatchRequest()
    for case in CASES:
        request = case.minimal()
        if case.builder in (PublishRequest, BroadcastRequest):
            request.data(1)
        batch.add(request)
    commands = orjson.loads(encode_http(batch)[1])["commands"]
    assert [next(iter(c)) for c in commands] == [case.method for case in CASES]


def test_builders_compare_by_payload() -> None:
    assert PublishRequest("c", 1) == PublishRequest("c").data(1)
    assert PublishRequest("c", 1) != PublishRequest("c", 2)
    assert PublishRequest("c", 1) != PresenceRequest("c")
    with pytest.raises(TypeError):
        hash(PublishRequest("c", 1))


def test_repr_names_the_builder_and_shortens_values() -> None:
    text = repr(PublishRequest("news", "x" * 1000))
    assert text.startswith("PublishRequest(channel='news'")
    assert len(text) < 200
    assert repr(BatchRequest([InfoRequest()])) == (
        "BatchRequest(1 commands, parallel=False)"
    )
