"""Static PNG of a job's metrics (matplotlib): one panel per charted metric."""

from __future__ import annotations

import math
from pathlib import Path

from ..errors import BadRequest
from .metrics import numeric_value


def series(metrics: list[dict], x_axis: str = "time") -> dict[str, tuple[list[float], list[float]]]:
    """Charted metrics grouped by name: (x, y), NaN for gaps; points without the x key dropped."""
    out: dict[str, tuple[list[float], list[float]]] = {}
    for m in metrics:
        y = numeric_value(m)
        if y is None or x_axis not in m:
            continue
        xs, ys = out.setdefault(m["metric"], ([], []))
        xs.append(m[x_axis])
        ys.append(y if math.isfinite(y) else math.nan)
    return out


def plot_metrics(metrics: list[dict], out: Path, x_axis: str = "time", title: str = "") -> int:
    """Write the chart; return the number of panels."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = series(metrics, x_axis)
    if not data:
        raise BadRequest(f"no numeric metric with an x value for '{x_axis}' to plot")
    fig, axes = plt.subplots(len(data), 1, figsize=(8, 2.6 * len(data)), squeeze=False)
    for ax, (name, (xs, ys)) in zip(axes[:, 0], sorted(data.items())):
        ax.plot(xs, ys, marker="." if len(xs) < 200 else None, linewidth=1.2)
        ax.set_title(name)
        ax.set_xlabel({"time": "time since start (s)"}.get(x_axis, x_axis))
        ax.grid(True, alpha=0.3)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return len(data)
