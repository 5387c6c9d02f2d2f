"""Regenerate the Python modules for proto/api.proto into cent/_proto/.

Usage:
    python scripts/gen_proto.py          # write cent/_proto/api_pb2*.py(i)
    python scripts/gen_proto.py --check  # exit 1 if the committed files are stale

The proto directory is mapped to the virtual path ``cent/_proto`` when protoc
runs, so the generated gRPC module imports ``from cent._proto import api_pb2``
and the descriptor file name is ``cent/_proto/api.proto``, which cannot clash
with another package's ``api.proto`` in the default descriptor pool.

The output depends on the grpcio-tools version (it stamps its protobuf and
grpcio versions into the files), so ``--check`` names the version in use when
it finds a difference.
"""

from __future__ import annotations

import argparse
import difflib
import importlib.metadata
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROTO_DIR = ROOT / "proto"
PACKAGE_DIR = ROOT / "cent" / "_proto"
VIRTUAL_DIR = "cent/_proto"
GENERATED = ("api_pb2.py", "api_pb2.pyi", "api_pb2_grpc.py")
EXPECTED_IMPORT = "from cent._proto import api_pb2 as "
MAX_DIFF_LINES = 40


def generate(out_dir: Path) -> dict[str, bytes]:
    """Run protoc into out_dir and return the generated files by name."""
    cmd = [
        sys.executable,
        "-m",
        "grpc_tools.protoc",
        f"--proto_path={VIRTUAL_DIR}={PROTO_DIR}",
        f"--python_out={out_dir}",
        f"--pyi_out={out_dir}",
        f"--grpc_python_out={out_dir}",
        f"{VIRTUAL_DIR}/api.proto",
    ]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"protoc failed:\n{proc.stderr}")

    produced = out_dir / VIRTUAL_DIR
    files = {name: (produced / name).read_bytes() for name in GENERATED}
    if EXPECTED_IMPORT not in files["api_pb2_grpc.py"].decode():
        raise SystemExit("api_pb2_grpc.py does not import api_pb2 from cent._proto")
    return files


def tools_version() -> str:
    """Return the installed grpcio-tools version."""
    return importlib.metadata.version("grpcio-tools")


def committed_grpc_version(grpc_module: str) -> str | None:
    """Return the grpcio version stamped in a generated gRPC module, if any."""
    match = re.search(r"GRPC_GENERATED_VERSION = '([^']+)'", grpc_module)
    return match.group(1) if match else None


def describe_difference(name: str, old: bytes | None, new: bytes) -> list[str]:
    """Return a short, human-readable summary of how one file differs."""
    if old is None:
        return [f"{name}: missing"]
    diff = list(
        difflib.unified_diff(
            old.decode().splitlines(),
            new.decode().splitlines(),
            fromfile=f"committed/{name}",
            tofile=f"fresh/{name}",
            lineterm="",
        )
    )
    lines = [f"{name}: differs ({len(diff)} diff lines)"]
    lines.extend(diff[:MAX_DIFF_LINES])
    if len(diff) > MAX_DIFF_LINES:
        lines.append(f"... {len(diff) - MAX_DIFF_LINES} more diff lines")
    return lines


def check(package_dir: Path = PACKAGE_DIR) -> int:
    """Compare a fresh generation with the files in package_dir; 0 when equal."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = generate(Path(tmp))

    report: list[str] = []
    for name, new in fresh.items():
        path = package_dir / name
        old = path.read_bytes() if path.exists() else None
        if old != new:
            report.extend(describe_difference(name, old, new))
    if not report:
        print(f"{package_dir} is up to date with proto/api.proto")
        return 0

    grpc_path = package_dir / "api_pb2_grpc.py"
    stamped = (
        committed_grpc_version(grpc_path.read_text()) if grpc_path.exists() else None
    )
    print(f"{package_dir} is stale; run: python scripts/gen_proto.py", file=sys.stderr)
    if stamped is not None and stamped != tools_version():
        print(
            f"note: committed files come from grpcio-tools {stamped}, "
            f"this run used {tools_version()}",
            file=sys.stderr,
        )
    print("\n".join(report), file=sys.stderr)
    return 1


def write() -> int:
    """Generate and write the modules into cent/_proto/."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = generate(Path(tmp))
    PACKAGE_DIR.mkdir(parents=True, exist_ok=True)
    for name, content in fresh.items():
        (PACKAGE_DIR / name).write_bytes(content)
    print(f"wrote {', '.join(GENERATED)} with grpcio-tools {tools_version()}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and run the generation or the check."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="do not write; exit 1 if the committed files differ from a fresh run",
    )
    args = parser.parse_args(argv)
    return check() if args.check else write()


if __name__ == "__main__":
    sys.exit(main())
