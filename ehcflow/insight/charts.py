"""Charts with matplotlib, the one charting library: SVG for the pages, PNG for the board pack.

A `Chart` is a description (title, labels, series); `svg()` draws it for a page and `png()`
for the PDF and the workbook, so both show the same picture. The pages' Content Security
Policy allows no inline styles, so the SVG is rewritten to plain presentation attributes
(`style="fill: #1d70b8"` becomes `fill="#1d70b8"`), without matplotlib's `<style>` block, and
every id is prefixed so that two charts on one page never clash. Every chart on a page has a
table of the same figures beneath it; the SVG carries a title and `role="img"`.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import matplotlib

matplotlib.use("Agg")
from matplotlib import rcParams
from matplotlib.axes import Axes
from matplotlib.figure import Figure

rcParams.update({
    "svg.fonttype": "none",  # real text in the SVG: selectable, read by screen magnifiers
    "svg.hashsalt": "ehcflow",  # the same chart gives the same SVG
    "font.family": "sans-serif",
    "font.sans-serif": ["Arial", "Helvetica", "DejaVu Sans"],
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#505a5f",
    "axes.titleweight": "bold",
    "axes.titlesize": 11,
    "axes.titlelocation": "left",
    "legend.frameon": False,
    "figure.dpi": 100,
})

# GOV.UK Design System colours.
BLUE = "#1d70b8"
DARK_GREY = "#505a5f"
MID_GREY = "#b1b4b6"
ORANGE = "#f47738"
GREEN = "#00703c"
PURPLE = "#4c2c92"
TURQUOISE = "#28a197"
RED = "#d4351c"
DARK_RED = "#942514"
YELLOW = "#ffdd00"
LINE_COLOURS = (BLUE, DARK_GREY, ORANGE, PURPLE, TURQUOISE, GREEN)
BAND_COLOURS = ("#b1b4b6", "#85b1d8", "#f47738", "#d4351c", "#6b1a0f")


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | int | None]
    dashed: bool = False
    colour: str | None = None


@dataclass(frozen=True)
class Chart:
    """A chart to draw: `kind` is "line", "stacked", "bars" or "funnel"."""

    key: str
    title: str
    kind: str
    labels: Sequence[str]
    series: Sequence[Series]
    y_label: str = ""
    y_max: float | None = None
    bands: Sequence[tuple[float, float, str]] = field(default_factory=tuple)  # benchmark ranges
    percent: bool = False

    @property
    def description(self) -> str:
        names = ", ".join(s.label for s in self.series)
        span = f"{self.labels[0]} to {self.labels[-1]}" if self.labels else ""
        return f"{self.title}. {names}. {span}. The same figures are in the table below."

    def figure(self, *, width: float = 8.0, height: float = 3.4) -> Figure:
        fig = Figure(figsize=(width, height))
        # Fixed margins: matplotlib's layout engines cost more than the drawing itself.
        bottom = 0.3 if len(self.labels) > 8 and self.kind != "funnel" else 0.14
        left = 0.27 if self.kind == "funnel" else 0.08
        right = 0.97 if self.kind == "funnel" else 0.72  # room for the legend on the right
        fig.subplots_adjust(left=left, right=right, top=0.88, bottom=bottom)
        ax = fig.add_subplot()
        draw = {"line": _line, "stacked": _stacked, "bars": _bars, "funnel": _funnel}[self.kind]
        draw(self, ax)
        ax.set_title(self.title)
        if self.y_label:
            ax.set_ylabel(self.y_label)
        return fig

    def png(self, *, width: float = 8.0, height: float = 3.4, dpi: int = 150) -> bytes:
        buffer = io.BytesIO()
        self.figure(width=width, height=height).savefig(buffer, format="png", dpi=dpi)
        return buffer.getvalue()

    def raw_svg(self) -> str:
        buffer = io.BytesIO()
        self.figure().savefig(buffer, format="svg", metadata={"Date": None})
        return buffer.getvalue().decode("utf-8")

    def svg(self) -> str:
        """The SVG to put in a page: no inline styles, prefixed ids, a title for screen readers."""
        return clean_svg(self.raw_svg(), prefix=f"chart-{self.key}", title=self.title,
                         description=self.description)


def _x(chart: Chart) -> list[int]:
    return list(range(len(chart.labels)))


def _ticks(ax: Axes, chart: Chart) -> None:
    labels = list(chart.labels)
    step = max(1, len(labels) // 12)
    positions = list(range(0, len(labels), step))
    ax.set_xticks(positions, [labels[i] for i in positions])
    if len(labels) > 8:
        ax.tick_params(axis="x", labelrotation=45)


def _line(chart: Chart, ax: Axes) -> None:
    xs = _x(chart)
    for low, high, label in chart.bands:
        ax.axhspan(low, high, color=YELLOW, alpha=0.25, label=label)
    for n, s in enumerate(chart.series):
        points = [(x, v) for x, v in zip(xs, s.values, strict=True) if v is not None]
        if not points:
            continue
        ax.plot([p[0] for p in points], [p[1] for p in points],
                marker="o", markersize=3.5, linewidth=2,
                linestyle="--" if s.dashed else "-",
                color=s.colour or LINE_COLOURS[n % len(LINE_COLOURS)], label=s.label)
    _ticks(ax, chart)
    top = chart.y_max
    if top is None:
        values = [v for s in chart.series for v in s.values if v is not None]
        values += [high for _, high, _ in chart.bands]
        top = max(values, default=1) * 1.1 or 1
    ax.set_ylim(0, top)
    ax.grid(axis="y", color=MID_GREY, linewidth=0.5)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)


def _stacked(chart: Chart, ax: Axes) -> None:
    # One filled step patch per band (not one bar per band and month): the same picture,
    # a twentieth of the drawing.
    edges = [x - 0.5 for x in range(len(chart.labels) + 1)]
    bottom = [0.0] * len(chart.labels)
    for n, s in enumerate(chart.series):
        heights = [float(v or 0) for v in s.values]
        top = [b + h for b, h in zip(bottom, heights, strict=True)]
        ax.stairs(top, edges, baseline=bottom, fill=True,
                  color=s.colour or BAND_COLOURS[n % len(BAND_COLOURS)], label=s.label)
        ax.stairs(top, edges, baseline=None, color="#ffffff", linewidth=0.6)
        bottom = top
    _ticks(ax, chart)
    ax.set_xlim(edges[0], edges[-1])
    ax.set_ylim(0, max(bottom, default=0) * 1.08 or 1)
    ax.grid(axis="y", color=MID_GREY, linewidth=0.5)
    ax.set_axisbelow(True)
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], labels[::-1], loc="upper left", bbox_to_anchor=(1.0, 1.0),
              fontsize=8)


def _bars(chart: Chart, ax: Axes) -> None:
    xs = _x(chart)
    count = max(1, len(chart.series))
    width = 0.8 / count
    for n, s in enumerate(chart.series):
        offset = (n - (count - 1) / 2) * width
        ax.bar([x + offset for x in xs], [float(v or 0) for v in s.values],
               width=width, color=s.colour or LINE_COLOURS[n % len(LINE_COLOURS)],
               label=s.label)
    for low, high, label in chart.bands:
        ax.axhspan(low, high, color=YELLOW, alpha=0.3, label=label)
    _ticks(ax, chart)
    if chart.y_max is not None:
        ax.set_ylim(0, chart.y_max)
    ax.grid(axis="y", color=MID_GREY, linewidth=0.5)
    ax.set_axisbelow(True)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)


def _funnel(chart: Chart, ax: Axes) -> None:
    values = [float(v or 0) for v in chart.series[0].values]
    ys = list(range(len(values)))[::-1]
    ax.barh(ys, values, color=BLUE, height=0.6)
    ax.set_yticks(ys, list(chart.labels))
    top = max(values, default=0) or 1
    for y, v in zip(ys, values, strict=True):
        ax.text(v + top * 0.01, y, f"{int(v):,}", va="center", fontsize=9)
    ax.set_xlim(0, top * 1.15)


# --- making matplotlib's SVG fit the pages' Content Security Policy -------------------------

_STYLE_ATTR = re.compile(r'\sstyle="([^"]*)"')
_STYLE_BLOCK = re.compile(r"<style[^>]*>.*?</style>", re.DOTALL)
_ID = re.compile(r'\sid="([^"]+)"')
_HREF = re.compile(r'(xlink:href|href)="#([^"]+)"')
_URL = re.compile(r"url\(#([^)]+)\)")
_PROLOGUE = re.compile(r"^.*?(<svg\b)", re.DOTALL)
_METADATA = re.compile(r"<metadata>.*?</metadata>", re.DOTALL)
_SIZE = re.compile(r'(<svg\b[^>]*?)\s(width|height)="[^"]*"')


def _attributes(style: str) -> str:
    parts = []
    for declaration in style.split(";"):
        if ":" not in declaration:
            continue
        name, value = (x.strip() for x in declaration.split(":", 1))
        parts.append(f' {name}="{html.escape(value, quote=True)}"')
    return "".join(parts)


def clean_svg(svg: str, *, prefix: str, title: str, description: str) -> str:
    """matplotlib's SVG as an element for a page under `style-src 'self'` (see module doc)."""
    out = _PROLOGUE.sub(r"\1", svg, count=1)
    out = _METADATA.sub("", out)
    out = _STYLE_BLOCK.sub("", out)
    out = _STYLE_ATTR.sub(lambda m: _attributes(html.unescape(m.group(1))), out)
    out = _ID.sub(lambda m: f' id="{prefix}-{m.group(1)}"', out)
    out = _HREF.sub(lambda m: f'{m.group(1)}="#{prefix}-{m.group(2)}"', out)
    out = _URL.sub(lambda m: f"url(#{prefix}-{m.group(1)})", out)
    while _SIZE.search(out):
        out = _SIZE.sub(r"\1", out, count=1)
    title_id, desc_id = f"{prefix}-title", f"{prefix}-desc"
    out = out.replace(
        "<svg ",
        f'<svg class="app-chart__svg" role="img" aria-labelledby="{title_id} {desc_id}" '
        'stroke-linejoin="round" stroke-linecap="butt" ', 1)
    head_end = out.index(">", out.index("<svg")) + 1
    return (out[:head_end] + f'<title id="{title_id}">{html.escape(title)}</title>'
            + f'<desc id="{desc_id}">{html.escape(description)}</desc>' + out[head_end:])
