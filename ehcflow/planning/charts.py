"""Fan charts (10th–90th percentile band around the median) with the one charting library.

Drawn with matplotlib and cleaned for the pages' Content Security Policy by the same code as
the dashboards' charts (ehcflow.insight.charts), so they look and behave alike.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from matplotlib.figure import Figure

from ehcflow.insight.charts import BLUE, ORANGE, clean_svg


def _numbers(values: Sequence[float | None]) -> list[float]:
    """Figures for matplotlib: a missing one (None) is a gap in the line, not a zero."""
    return [float("nan") if v is None else float(v) for v in values]


def _frame(ax: Any, labels: Sequence[str], *, title: str, y_label: str, percent: bool,
           ticks: int) -> None:
    """About `ticks` month labels along the bottom, the title, and the y axis from 0."""
    x = list(range(len(labels)))
    step = max(1, len(labels) // ticks)
    ax.set_xticks(x[::step], [labels[i] for i in x[::step]])
    ax.set_title(title)
    ax.set_ylabel(y_label)
    if percent:
        ax.set_ylim(0, 100)
    else:
        ax.set_ylim(bottom=0)


def _figure(title: str, labels: Sequence[str], p10: Sequence[float | None],
            p50: Sequence[float | None], p90: Sequence[float | None], y_label: str,
            percent: bool) -> Figure:
    fig = Figure(figsize=(8.0, 3.4), layout="constrained")
    ax = fig.add_subplot()
    x = list(range(len(labels)))
    ax.fill_between(x, _numbers(p10), _numbers(p90), color=BLUE, alpha=0.25, linewidth=0,
                    label="10th to 90th percentile")
    ax.plot(x, _numbers(p50), color=BLUE, linewidth=2, label="Median")
    _frame(ax, labels, title=title, y_label=y_label, percent=percent, ticks=8)
    ax.legend(loc="upper right")
    return fig


def band_svg(key: str, title: str, labels: Sequence[str], rows: Sequence[dict[str, Any]],
             y_label: str, percent: bool) -> str:
    """A backtest: the forecast's 10th-90th percentile band and median, and the actual line."""
    fig = Figure(figsize=(8.0, 3.2), layout="constrained")
    ax = fig.add_subplot()
    x = list(range(len(labels)))
    ax.fill_between(x, _numbers([r["p10"] for r in rows]), _numbers([r["p90"] for r in rows]),
                    color=BLUE, alpha=0.25, linewidth=0, label="Forecast, 10th to 90th percentile")
    ax.plot(x, _numbers([r["p50"] for r in rows]), color=BLUE, linewidth=1.5, linestyle="--",
            label="Forecast median")
    ax.plot(x, _numbers([r["actual"] for r in rows]), color=ORANGE, linewidth=2.5, marker="o",
            markersize=3, label="What happened")
    _frame(ax, labels, title=title, y_label=y_label, percent=percent, ticks=6)
    ax.legend(loc="upper left", fontsize="small")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    description = (f"{title}: the forecast's range from the 10th to the 90th percentile and "
                   "its median, with the actual figure of each month. The same figures are in "
                   "the table below.")
    return clean_svg(buffer.getvalue().decode("utf-8"), prefix=f"backtest-{key}", title=title,
                     description=description)


def fan_svg(key: str, title: str, labels: Sequence[str], p10: Sequence[float | None],
            p50: Sequence[float | None], p90: Sequence[float | None], *, y_label: str = "",
            percent: bool = False) -> str:
    buffer = io.BytesIO()
    _figure(title, labels, p10, p50, p90, y_label, percent).savefig(
        buffer, format="svg", metadata={"Date": None})
    description = (f"{title}: the median and the range from the 10th to the 90th percentile "
                   "of the replications, by month. The same figures are in the table below.")
    return clean_svg(buffer.getvalue().decode("utf-8"), prefix=f"fan-{key}", title=title,
                     description=description)
