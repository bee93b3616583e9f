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


def auto_x_axis(metrics_lists: list[list[dict]]) -> str:
    """The axis the Metrics and Compare tabs pick by themselves (labextension/src/metrics/xaxis.ts):
    the key every charted point has (step first), else one some points have, else time."""
    points = with_step = with_epoch = 0
    for metrics in metrics_lists:
        for m in metrics:
            if numeric_value(m) is None:
                continue
            points += 1
            with_step += "step" in m
            with_epoch += "epoch" in m
    if points == 0:
        return "time"
    if with_step == points:
        return "step"
    if with_epoch == points:
        return "epoch"
    return "step" if with_step else ("epoch" if with_epoch else "time")


def plot_compare(runs: list[tuple[str, list[dict]]], out: Path, x_axis: str = "time", title: str = "") -> int:
    """One panel per metric with every run's series overlaid and a legend naming the runs
    (``runs``: (label, metrics) pairs). Returns the number of panels."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    per_run = [(label, series(metrics, x_axis)) for label, metrics in runs]
    names: dict[str, None] = {}
    for _, data in per_run:
        names.update(dict.fromkeys(data))
    if not names:
        raise BadRequest(f"no numeric metric with an x value for '{x_axis}' to plot")
    fig, axes = plt.subplots(len(names), 1, figsize=(9, 2.8 * len(names)), squeeze=False)
    colors = plt.rcParams["axes.prop_cycle"].by_key().get("color", ["C0"])
    for ax, name in zip(axes[:, 0], names):
        for i, (label, data) in enumerate(per_run):
            if name not in data:
                continue
            xs, ys = data[name]
            ax.plot(xs, ys, linewidth=1.2, label=label, color=colors[i % len(colors)],
                    linestyle="-" if i < len(colors) else "--", marker="." if len(xs) < 50 else None)
        ax.set_title(name)
        ax.set_xlabel({"time": "time since start (s)"}.get(x_axis, x_axis))
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize="small")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return len(names)
