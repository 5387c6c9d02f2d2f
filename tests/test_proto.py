"""proto/api.proto against the real servers, and the generated modules against it.

The server descriptors come from gRPC reflection of Centrifugo v5 and v6. Our
file is the union of both versions, so for each server we check that everything
it publishes is in ours, unchanged, and that what we have beyond it is exactly
the other version's share (so nothing in our file is invented).

The last tests pin down gRPC facts that the SDK relies on: how the API key is
checked, the server's receive limit and what PRO methods answer on OSS.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from types import ModuleType

import grpc
import pytest
from google.protobuf import descriptor_pb2
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from cent._proto import api_pb2, api_pb2_grpc
from cent.testing.server import CentrifugoServer

ROOT = Path(__file__).resolve().parent.parent
GEN_SCRIPT = ROOT / "scripts" / "gen_proto.py"
PACKAGE = "centrifugal.centrifugo.api"
SERVICE = f"{PACKAGE}.CentrifugoApi"
TIMEOUT = 10.0
RECEIVE_LIMIT = 4 * 1024 * 1024

FDP = descriptor_pb2.FieldDescriptorProto
_TYPE_NAMES = {number: name for name, number in FDP.Type.items()}
_LABEL_NAMES = {number: name for name, number in FDP.Label.items()}

# Element kind and name, e.g. "field PublishRequest.data", to what must match.
Elements = dict[str, tuple[str, ...]]

# What our file has beyond each server major, named as _flatten names them. A
# listed message or enum covers everything inside it (see _collapse).
_V6_ONLY_RPCS = [
    "MapPublish",
    "MapRemove",
    "MapReadState",
    "MapReadStream",
    "MapStats",
    "MapClear",
    "SharedPollPublish",
]
_V6_ONLY_MESSAGES = [
    "FilterNode",
    "MapEntry",
    "WebPushPushNotification",
    *(
        f"{name}{suffix}"
        for name in _V6_ONLY_RPCS
        for suffix in ("Request", "Response", "Result")
    ),
]
_V6_ONLY_FIELDS = [
    "PublishRequest.version",
    "PublishRequest.version_epoch",
    "BroadcastRequest.version",
    "BroadcastRequest.version_epoch",
    "SubscribeRequest.label_filter",
    "SubscribeRequest.all_users",
    "UnsubscribeRequest.label_filter",
    "UnsubscribeRequest.all_users",
    "DisconnectRequest.label_filter",
    "DisconnectRequest.all_users",
    "RefreshRequest.label_filter",
    "RefreshRequest.all_users",
    "ConnectionsRequest.label_filter",
    "ConnectionInfo.connected_at_ms",
    "ConnectionInfo.ping_pong_latency_ms",
    "ConnectionInfo.labels",
    "DeviceListRequest.include_webpush_keys",
    "DeviceTopicUpdateRequest.user",
    "Device.webpush_keys",
    "PushRecipient.webpush_tokens",
    "PushNotification.webpush",
    *(
        f"{holder}.{field}"
        for holder in ("Command", "Reply")
        for field in (
            "map_publish",
            "map_remove",
            "map_read_state",
            "map_read_stream",
            "map_stats",
            "map_clear",
            "shared_poll_publish",
        )
    ),
]
_V5_ONLY_MESSAGES = [
    "RateLimitRequest",
    "RateLimitResponse",
    "RateLimitResult",
    "RateLimitPolicyEvaluation",
    "ResetRateLimitRequest",
    "ResetRateLimitResponse",
    "ResetRateLimitResult",
]
_V5_ONLY_FIELDS = [
    "Command.id",
    "Command.method",
    "Command.params",
    "Reply.id",
    "Reply.result",
]

EXTRAS_BEYOND = {
    5: sorted(
        [f"rpc {name}" for name in _V6_ONLY_RPCS]
        + [f"message {name}" for name in _V6_ONLY_MESSAGES]
        + ["message ConnectionInfo.LabelsEntry"]
        + [f"field {name}" for name in _V6_ONLY_FIELDS]
    ),
    6: sorted(
        [f"message {name}" for name in _V5_ONLY_MESSAGES]
        + ["enum Command.MethodType"]
        + [f"field {name}" for name in _V5_ONLY_FIELDS]
    ),
}


# --------------------------------------------------------------------------
# Flattening a FileDescriptorProto into comparable elements
# --------------------------------------------------------------------------


def _short(type_name: str) -> str:
    return type_name.removeprefix(f".{PACKAGE}.")


def _field_facts(
    field: descriptor_pb2.FieldDescriptorProto,
    message: descriptor_pb2.DescriptorProto,
) -> tuple[str, ...]:
    oneof = (
        message.oneof_decl[field.oneof_index].name
        if field.HasField("oneof_index")
        else None
    )
    return (
        f"number={field.number}",
        _TYPE_NAMES[field.type],
        _LABEL_NAMES[field.label],
        f"type_name={_short(field.type_name)!r}",
        f"json_name={field.json_name!r}",
        f"oneof={oneof!r}",
        f"proto3_optional={field.proto3_optional}",
    )


def _flatten_enum(
    enum: descriptor_pb2.EnumDescriptorProto, prefix: str, out: Elements
) -> None:
    name = f"{prefix}{enum.name}"
    out[f"enum {name}"] = ()
    for value in enum.value:
        out[f"value {name}.{value.name}"] = (f"number={value.number}",)


def _flatten_message(
    message: descriptor_pb2.DescriptorProto, prefix: str, out: Elements
) -> None:
    name = f"{prefix}{message.name}"
    out[f"message {name}"] = (f"map_entry={message.options.map_entry}",)
    for field in message.field:
        out[f"field {name}.{field.name}"] = _field_facts(field, message)
    for nested in message.nested_type:
        _flatten_message(nested, f"{name}.", out)
    for enum in message.enum_type:
        _flatten_enum(enum, f"{name}.", out)


def _flatten(file: descriptor_pb2.FileDescriptorProto) -> Elements:
    """Map each element's kind and name to the facts that must match."""
    assert file.package == PACKAGE
    out: Elements = {}
    for service in file.service:
        out[f"service {service.name}"] = ()
        for method in service.method:
            out[f"rpc {method.name}"] = (
                f"input={_short(method.input_type)}",
                f"output={_short(method.output_type)}",
                f"client_streaming={method.client_streaming}",
                f"server_streaming={method.server_streaming}",
            )
    for message in file.message_type:
        _flatten_message(message, "", out)
    for enum in file.enum_type:
        _flatten_enum(enum, "", out)
    return out


def _collapse(names: Iterable[str]) -> list[str]:
    """Sort names, dropping those inside a message or enum also in names."""
    split = sorted(name.split(" ", 1) for name in names)
    containers = {path for kind, path in split if kind in ("message", "enum")}
    kept = []
    for kind, path in split:
        parents = [path[:i] for i, ch in enumerate(path) if ch == "."]
        if not containers.intersection(parents):
            kept.append(f"{kind} {path}")
    return sorted(kept)


def _fill_json_names(message: descriptor_pb2.DescriptorProto, prefix: str) -> None:
    # CopyToProto leaves json_name out; the live descriptors know it.
    name = f"{prefix}.{message.name}"
    for field in message.field:
        live = api_pb2.DESCRIPTOR.pool.FindFieldByName(f"{name}.{field.name}")
        field.json_name = live.json_name
    for nested in message.nested_type:
        _fill_json_names(nested, name)


def _ours() -> descriptor_pb2.FileDescriptorProto:
    file = descriptor_pb2.FileDescriptorProto()
    api_pb2.DESCRIPTOR.CopyToProto(file)
    for message in file.message_type:
        _fill_json_names(message, PACKAGE)
    return file


# --------------------------------------------------------------------------
# Talking to a server
# --------------------------------------------------------------------------


def _channel(server: CentrifugoServer) -> grpc.Channel:
    return grpc.insecure_channel(f"{server.grpc_host}:{server.grpc_port}")


def _auth(key: str) -> Sequence[tuple[str, str]]:
    return [("authorization", f"apikey {key}")]


def _server_file(server: CentrifugoServer) -> descriptor_pb2.FileDescriptorProto:
    """Fetch the file that defines the API service through gRPC reflection.

    No API key is sent: the key check guards only the API service's own
    methods, the reflection service answers without it (v5 and v6).
    """
    request = reflection_pb2.ServerReflectionRequest(file_containing_symbol=SERVICE)
    with _channel(server) as channel:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        (response,) = stub.ServerReflectionInfo(iter([request]), timeout=TIMEOUT)
    assert not response.HasField("error_response"), response.error_response

    raw_files = response.file_descriptor_response.file_descriptor_proto
    files = [descriptor_pb2.FileDescriptorProto.FromString(raw) for raw in raw_files]
    for file in files:
        if file.package == PACKAGE and any(
            s.name == "CentrifugoApi" for s in file.service
        ):
            return file
    pytest.fail(f"reflection returned no file defining {SERVICE}: {files}")


@pytest.fixture
def server_elements(centrifugo: CentrifugoServer) -> Elements:
    return _flatten(_server_file(centrifugo))


@pytest.fixture
def api(centrifugo: CentrifugoServer) -> Iterator[api_pb2_grpc.CentrifugoApiStub]:
    with _channel(centrifugo) as channel:
        # The generated gRPC module has no type hints.
        yield api_pb2_grpc.CentrifugoApiStub(channel)  # type: ignore[no-untyped-call]


# --------------------------------------------------------------------------
# Generated modules
# --------------------------------------------------------------------------


def _load_gen_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_proto", GEN_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_modules_match_the_proto() -> None:
    proc = subprocess.run(
        [sys.executable, str(GEN_SCRIPT), "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_check_reports_a_stale_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gen = _load_gen_script()
    stale = tmp_path / "_proto"
    shutil.copytree(gen.PACKAGE_DIR, stale)
    pyi = stale / "api_pb2.pyi"
    pyi.write_text(pyi.read_text().replace("class PublishRequest", "class Renamed"))

    assert gen.check(stale) == 1
    assert "api_pb2.pyi: differs" in capsys.readouterr().err


def test_generated_modules_live_in_the_package() -> None:
    assert api_pb2.DESCRIPTOR.name == "cent/_proto/api.proto"
    assert api_pb2.DESCRIPTOR.package == PACKAGE
    assert api_pb2.PublishRequest.__module__ == "cent._proto.api_pb2"
    service = api_pb2.DESCRIPTOR.services_by_name["CentrifugoApi"]
    stub_methods = set(vars(api_pb2_grpc.CentrifugoApiServicer))
    assert {m.name for m in service.methods} <= stub_methods


def test_extras_lists_name_real_elements() -> None:
    ours = _flatten(_ours())
    for major, names in EXTRAS_BEYOND.items():
        unknown = [name for name in names if name not in ours]
        assert not unknown, f"EXTRAS_BEYOND[{major}] names unknown elements"


# --------------------------------------------------------------------------
# Our proto against the server's
# --------------------------------------------------------------------------


def test_we_have_everything_the_server_has(
    centrifugo: CentrifugoServer, server_elements: Elements
) -> None:
    ours = _flatten(_ours())
    problems = []
    for name, facts in sorted(server_elements.items()):
        if name not in ours:
            problems.append(f"missing: {name} {facts}")
        elif ours[name] != facts:
            problems.append(f"different: {name}: server {facts}, ours {ours[name]}")
    if problems:
        report = "\n".join(problems)
        pytest.fail(
            f"{len(problems)} problems against v{centrifugo.version}:\n{report}"
        )


def test_we_add_only_the_other_versions_share(
    centrifugo: CentrifugoServer, server_elements: Elements
) -> None:
    ours = _flatten(_ours())
    extras = set(_collapse(name for name in ours if name not in server_elements))
    expected = set(EXTRAS_BEYOND[centrifugo.major])
    unknown = sorted(extras - expected)
    absent = sorted(expected - extras)
    if unknown or absent:
        pytest.fail(
            f"against v{centrifugo.version}:\n"
            f"ours only, not another version's share: {unknown}\n"
            f"listed as the other version's share, but not ours only: {absent}"
        )


# --------------------------------------------------------------------------
# gRPC facts the SDK relies on
# --------------------------------------------------------------------------


def test_reflection_ignores_a_wrong_key(centrifugo: CentrifugoServer) -> None:
    request = reflection_pb2.ServerReflectionRequest(list_services="")
    with _channel(centrifugo) as channel:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        (response,) = stub.ServerReflectionInfo(
            iter([request]), metadata=_auth("wrong"), timeout=TIMEOUT
        )
    names = {s.name for s in response.list_services_response.service}
    assert SERVICE in names


@pytest.mark.parametrize("kind", ["missing", "wrong", "scheme-case"])
def test_bad_key_is_unauthenticated(
    centrifugo: CentrifugoServer, api: api_pb2_grpc.CentrifugoApiStub, kind: str
) -> None:
    metadata = {
        "missing": None,
        "wrong": _auth("wrong"),
        # The whole "apikey <key>" value is compared, so the scheme is exact.
        "scheme-case": [("authorization", f"APIKEY {centrifugo.grpc_key}")],
    }[kind]
    with pytest.raises(grpc.RpcError) as info:
        api.Info(api_pb2.InfoRequest(), metadata=metadata, timeout=TIMEOUT)
    assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert info.value.details() == "unauthenticated"


def test_good_key_is_accepted(
    centrifugo: CentrifugoServer, api: api_pb2_grpc.CentrifugoApiStub
) -> None:
    reply = api.Info(
        api_pb2.InfoRequest(), metadata=_auth(centrifugo.grpc_key), timeout=TIMEOUT
    )
    assert not reply.HasField("error")
    assert reply.result.nodes


def test_receive_limit_is_4_mib(
    centrifugo: CentrifugoServer, api: api_pb2_grpc.CentrifugoApiStub
) -> None:
    request = api_pb2.PublishRequest(channel="proto_size_probe", skip_history=True)
    # The data field costs a tag byte and a 4-byte length on top of its bytes.
    request.data = b"x" * (RECEIVE_LIMIT - request.ByteSize() - 5)
    assert request.ByteSize() == RECEIVE_LIMIT
    metadata = _auth(centrifugo.grpc_key)

    reply = api.Publish(request, metadata=metadata, timeout=TIMEOUT)
    assert not reply.HasField("error")

    request.data += b"x"
    with pytest.raises(grpc.RpcError) as info:
        api.Publish(request, metadata=metadata, timeout=TIMEOUT)
    assert info.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED


def test_pro_method_is_unimplemented_on_oss(
    centrifugo: CentrifugoServer, api: api_pb2_grpc.CentrifugoApiStub
) -> None:
    with pytest.raises(grpc.RpcError) as info:
        api.Connections(
            api_pb2.ConnectionsRequest(),
            metadata=_auth(centrifugo.grpc_key),
            timeout=TIMEOUT,
        )
    assert info.value.code() == grpc.StatusCode.UNIMPLEMENTED


def test_map_methods_exist_only_on_v6(
    centrifugo: CentrifugoServer, api: api_pb2_grpc.CentrifugoApiStub
) -> None:
    request = api_pb2.MapStatsRequest(channel="m")
    metadata = _auth(centrifugo.grpc_key)
    if centrifugo.major == 5:
        with pytest.raises(grpc.RpcError) as info:
            api.MapStats(request, metadata=metadata, timeout=TIMEOUT)
        assert info.value.code() == grpc.StatusCode.UNIMPLEMENTED
    else:
        # v6 routes the method; a channel outside a map namespace is refused
        # by Centrifugo itself, inside an OK reply.
        reply = api.MapStats(request, metadata=metadata, timeout=TIMEOUT)
        assert reply.error.code != 0
