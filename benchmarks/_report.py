"""The run's report: the machine, the versions, a Markdown page and a bar chart."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from benchmarks._table import BYTES, RATE, Row, Timing, render

ROOT = Path(__file__).resolve().parent.parent


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, or the platform's guess."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> Dict[str, str]:
    """Cores, CPU model, OS and Python of this machine."""
    return {
        "cores": str(os.cpu_count()),
        "cpu": cpu_model(),
        "os": f"{platform.system()} {platform.release()}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
    }


def _version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def _git(*args: str) -> str:
    try:
        proc = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        )
    except OSError:
        return ""
    return proc.stdout.strip() if proc.returncode == 0 else ""


def ours_version() -> str:
    """Our version, the commit it was measured at, and whether cent/ was edited."""
    import cent

    commit = _git("rev-parse", "--short", "HEAD")
    if not commit:
        return cent.__version__
    dirty = _git("status", "--porcelain", "--", "cent")
    return f"{cent.__version__} (commit {commit}{', cent/ edited' if dirty else ''})"


def versions(ours: str, reference: Dict[str, str], centrifugo: str) -> Dict[str, str]:
    """The version of everything measured, ours and the reference's.

    ``ours`` is ``ours_version()`` taken when the run started: the tree may
    change while it runs.
    """
    found = {"cent (ours)": ours}
    found["cent (reference)"] = reference.get("cent", "?")
    found["pydantic (reference)"] = reference.get("pydantic", "?")
    for name in ("requests", "aiohttp", "grpcio", "protobuf", "orjson"):
        found[name] = _version(name)
        ref = reference.get(name)
        if ref is not None and ref != found[name]:
            found[name] += f" (reference venv: {ref})"
    found["Centrifugo"] = centrifugo
    return found


def markdown(
    rows: Sequence[Row],
    notes: Sequence[str],
    about: Dict[str, Dict[str, str]],
    chart: Optional[str],
) -> str:
    """The whole report page."""
    parts = ["# cent benchmarks: ours vs cent 5.2.0 vs the floor", ""]
    for title, entries in about.items():
        parts.append(
            f"**{title}**: " + "; ".join(f"{k} {v}" for k, v in entries.items())
        )
        parts.append("")
    parts += [render(rows, markdown=True), ""]
    parts += [f"- {note}" for note in notes]
    if chart is not None:
        parts += ["", f"![ours, reference and floor per scenario]({chart})"]
    return "\n".join(parts) + "\n"


def write_json(path: Path, samples: Dict[str, Any], **extra: Any) -> None:
    """The raw per-repetition costs, for anyone who wants to redo the summary."""
    path.write_text(json.dumps({**extra, "samples": samples}, indent=1) + "\n")


# --- the chart --------------------------------------------------------------------

_PANELS = (
    ("client CPU per operation, no network (us, log scale)", "cpu", 1e6, True),
    ("publishes per second (higher is better)", "rate", 1.0, False),
    (
        "publishes per second, ours with auto batching, the others without",
        "auto",
        1.0,
        False,
    ),
    ("the whole workload, total time (s, log scale)", "ten_k", 1.0, True),
    ("peak RSS over baseline (MiB)", "memory", 1 / 2**20, False),
)
_SIDES = (("ours", "#1f77b4"), ("reference", "#ff7f0e"), ("floor", "#7f7f7f"))


def _panel_of(row: Row) -> str:
    if row.unit == RATE:
        return "auto" if row.scenario.endswith("auto batching") else "rate"
    if row.unit == BYTES:
        return "memory"
    return "cpu" if row.scenario.startswith("client CPU") else "ten_k"


def _bar(timing: Optional[Timing], rate: bool, scale: float) -> Any:
    """The bar's height and its (lower, upper) error from the quartiles."""
    if timing is None:
        return None
    if rate:
        mid, low, high = 1 / timing.median, 1 / timing.high, 1 / timing.low
    else:
        mid, low, high = timing.median, timing.low, timing.high
    return mid * scale, (mid - low) * scale, (high - mid) * scale


def chart(path: Path, rows: Sequence[Row], title: str) -> None:
    """Draw grouped bars, ours / reference / floor, one group per row."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    panels = [
        (label, [row for row in rows if _panel_of(row) == key], scale, log)
        for label, key, scale, log in _PANELS
    ]
    panels = [panel for panel in panels if panel[1]]
    heights = [1.2 + 0.55 * len(panel[1]) for panel in panels]
    figure, axes = pyplot.subplots(
        len(panels),
        1,
        figsize=(11, sum(heights) + 1),
        gridspec_kw={"height_ratios": heights},
        squeeze=False,
    )
    for ax, (label, panel_rows, scale, log) in zip(axes[:, 0], panels):
        _draw_panel(ax, label, panel_rows, scale, log)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="upper right", ncol=3, fontsize=8)
    figure.suptitle(title, fontsize=9, x=0.01, ha="left")
    figure.tight_layout(rect=(0, 0, 1, 0.97))
    figure.savefig(path, dpi=110)
    pyplot.close(figure)


def _draw_panel(
    ax: Any, label: str, rows: Sequence[Row], scale: float, log: bool
) -> None:
    height = 0.27
    positions = range(len(rows))
    for offset, (side, color) in enumerate(_SIDES):
        ys: List[float] = []
        widths: List[float] = []
        errors: Tuple[List[float], List[float]] = ([], [])
        for index, row in enumerate(rows):
            bar = _bar(getattr(row, side), row.unit == RATE, scale)
            if bar is None:
                if offset == 1:
                    ax.text(0, index, " n/a", va="center", fontsize=7, color=color)
                continue
            ys.append(index + (offset - 1) * height)
            widths.append(bar[0])
            errors[0].append(bar[1])
            errors[1].append(bar[2])
        ax.barh(ys, widths, height, xerr=errors, color=color, label=side, capsize=2)
    ax.set_yticks(list(positions))
    ax.set_yticklabels([row.scenario for row in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_title(label, fontsize=9, loc="left")
    ax.tick_params(axis="x", labelsize=8)
    ax.grid(axis="x", alpha=0.3)
    if log:
        ax.set_xscale("log")
