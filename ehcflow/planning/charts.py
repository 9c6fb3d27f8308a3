"""Fan charts (10th–90th percentile band around the median) with the one charting library.

Drawn with matplotlib and cleaned for the pages' Content Security Policy by the same code as
the dashboards' charts (ehcflow.insight.charts), so they look and behave alike.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from matplotlib.figure import Figure

from ehcflow.insight.charts import BLUE, clean_svg


def _figure(title: str, labels: Sequence[str], p10: Sequence[float | None],
            p50: Sequence[float | None], p90: Sequence[float | None], y_label: str,
            percent: bool) -> Figure:
    fig = Figure(figsize=(8.0, 3.4), layout="constrained")
    ax = fig.add_subplot()
    x = list(range(len(labels)))
    nan = float("nan")
    low = [nan if v is None else v for v in p10]
    mid = [nan if v is None else v for v in p50]
    high = [nan if v is None else v for v in p90]
    ax.fill_between(x, low, high, color=BLUE, alpha=0.25, linewidth=0,
                    label="10th to 90th percentile")
    ax.plot(x, mid, color=BLUE, linewidth=2, label="Median")
    step = max(1, len(labels) // 8)
    ax.set_xticks(x[::step], [labels[i] for i in x[::step]])
    ax.set_title(title)
    ax.set_ylabel(y_label)
    if percent:
        ax.set_ylim(0, 100)
    else:
        ax.set_ylim(bottom=0)
    ax.legend(loc="upper right")
    return fig


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


def fan_png(title: str, labels: Sequence[str], p10: Sequence[float | None],
            p50: Sequence[float | None], p90: Sequence[float | None], *, y_label: str = "",
            percent: bool = False) -> bytes:
    buffer = io.BytesIO()
    _figure(title, labels, p10, p50, p90, y_label, percent).savefig(buffer, format="png",
                                                                     dpi=150)
    return buffer.getvalue()
