"""One palette and the small formatting helpers every figure shares.

Nothing here imports matplotlib at import time: :func:`new_axes` imports
``matplotlib.pyplot`` only when a figure is actually needed.
"""

from __future__ import annotations

import math
import textwrap

from ..units import HOURS_PER_YEAR

__all__ = ["PALETTE", "SERIES_COLORS"]

#: Colours with a meaning, used by every figure.
PALETTE = {
    "up": "#c8e6c9",          # fill of an up state / a leaf box
    "up_edge": "#2e7d32",
    "down": "#ffcdd2",        # fill of a down state
    "down_edge": "#c62828",
    "healthy": "#1565c0",     # outline of a healthy state (nothing failed)
    "neutral": "#616161",     # connectors, reference lines, plain edges
    "grid": "#bdbdbd",
    "failure": "#c62828",     # transitions from up to down, output raised
    "recovery": "#2e7d32",    # transitions from down to up
    "decrease": "#1565c0",    # output lowered
    "shared": "#9e9e9e",      # shared infrastructure bars
    "group": "#6a1b9a",       # frames of k-of-n groups and networks
    "leaf": "#e3eef9",        # boxes of a block diagram
    "leaf_edge": "#37474f",
}

#: Colour cycle for several designs or columns (Okabe-Ito, colour-blind safe).
SERIES_COLORS = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9",
                 "#000000", "#F0E442")

#: Time units for axes and labels, largest first: (suffix, hours).
TIME_UNITS = (("y", HOURS_PER_YEAR), ("d", 24.0), ("h", 1.0), ("min", 1.0 / 60.0),
              ("s", 1.0 / 3600.0))


def new_axes(ax=None, figsize=(7.0, 5.0), *, constrained=False):
    """`ax`, or the Axes of a new pyplot figure of `figsize` inches when None.

    ``constrained=True`` gives the new figure a constrained layout, which
    keeps a legend placed outside the axes inside the figure.
    """
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize, layout="constrained" if constrained else None)
    return ax


def items(models) -> list:
    """``[(label, model), ...]`` from a mapping, a sequence of models or one model."""
    if hasattr(models, "items"):
        out = list(models.items())
    elif hasattr(models, "measures"):
        out = [(models.name, models)]
    else:
        out = [(m.name, m) for m in models]
    if not out:
        raise ValueError("no models given; expected a mapping of label to model or a sequence")
    return out


def color(i: int) -> str:
    """The i-th series colour."""
    return SERIES_COLORS[i % len(SERIES_COLORS)]


def design_color(colors, label, i: int) -> str:
    """The colour of design `label`: ``colors[label]`` when a mapping is given, else the i-th.

    A report passes one mapping of design to colour to every chart, so that each design
    keeps its colour throughout; a mapping that leaves a design out is an error, not a
    silent fallback to a colour another design may have.

    Examples
    --------
    >>> design_color(None, "HA", 1), design_color({"HA": "#123456"}, "HA", 1)
    ('#E69F00', '#123456')
    >>> design_color({"HA": "#123456"}, "baseline", 0)
    Traceback (most recent call last):
    ...
    ValueError: colors has no colour for design 'baseline'; it names ['HA']
    """
    if colors is None:
        return color(i)
    if label not in colors:
        raise ValueError(f"colors has no colour for design {label!r}; it names {list(colors)}")
    return colors[label]


def time_unit(hours: float) -> tuple[str, float]:
    """The largest unit in which `hours` is at least 2 units: ``(suffix, hours per unit)``."""
    for suffix, size in TIME_UNITS:
        if hours >= 2 * size:
            return suffix, size
    return TIME_UNITS[-1]


def _round_number(v: float) -> bool:
    """A whole number with at most two significant digits (1, 36, 90, 500)."""
    r = round(v)
    return abs(v - r) <= 1e-6 * max(1.0, abs(v)) and 1 <= r < 1000 and len(str(r).rstrip("0")) <= 2


def format_duration(hours: float) -> str:
    """A duration in hours as a short string: ``4h``, ``30min``, ``5y``, ``1.5d``.

    Examples
    --------
    >>> format_duration(4.0), format_duration(0.5), format_duration(5 * 8766.0)
    ('4h', '30min', '5y')
    >>> format_duration(36.0), format_duration(1 / 120)
    ('36h', '30s')
    """
    for suffix, size in TIME_UNITS:
        v = hours / size
        if v >= 1 and _round_number(v):
            return f"{round(v)}{suffix}"
    suffix, size = next(((s, z) for s, z in TIME_UNITS if hours >= z), TIME_UNITS[-1])
    return f"{hours / size:.3g}{suffix}"


def format_rate(per_hour: float) -> str:
    """A rate per hour in the unit a reader thinks in: ``1/5y``, ``2/y``, ``1/4h``.

    The rate is written ``n/<mean time>`` with a small whole ``n`` and a
    round mean time when there is one (``3/5y`` is three units failing at
    1/5y each), else ``1/<mean time>`` to three digits.

    Examples
    --------
    >>> format_rate(1 / (5 * 8766.0)), format_rate(2 / 8766.0), format_rate(0.25)
    ('1/5y', '2/y', '1/4h')
    >>> format_rate(60.0), format_rate(3 / (5 * 8766.0)), format_rate(1 / 1.234)
    ('1/min', '3/5y', '1/1.23h')
    >>> format_rate(3 / (2 * 8766.0))  # three units failing once per 2 years each
    '3/2y'
    """
    if per_hour <= 0 or not math.isfinite(per_hour):
        return f"{per_hour:.3g}/h"
    mean = 1.0 / per_hour
    for n in range(1, 13):
        for suffix, size in TIME_UNITS:
            v = n * mean / size
            if v >= 1 and _round_number(v):
                v = round(v)
                return f"{n}/{suffix}" if v == 1 else f"{n}/{v}{suffix}"
    return "1/" + format_duration(mean)


def format_minutes_per_year(minutes: float) -> str:
    """A downtime level: ``10 min/yr`` below an hour, ``1 h/yr`` above.

    Examples
    --------
    >>> format_minutes_per_year(10), format_minutes_per_year(600)
    ('10 min/yr', '10 h/yr')
    """
    if minutes >= 60:
        return f"{minutes / 60:g} h/yr"
    return f"{minutes:g} min/yr"


def format_availability(availability: float, unavailability: float) -> str:
    """Availability with as many decimals as its nines need, plus one.

    Examples
    --------
    >>> format_availability(0.999544, 0.000456)
    '0.99954'
    >>> format_availability(1.0, 0.0)
    '1'
    """
    if unavailability <= 0:
        return "1"
    decimals = min(max(3, math.ceil(-math.log10(unavailability)) + 1), 10)
    return f"{availability:.{decimals}f}"


def wrap(text: str, width: int = 16, max_lines: int = 4) -> str:
    """Wrap a label onto short lines (breaking at spaces, commas, slashes)."""
    text = str(text)
    lines = textwrap.wrap(text, width=width, break_long_words=True, break_on_hyphens=True)
    if len(lines) > max_lines:
        lines = lines[: max_lines - 1] + [lines[max_lines - 1][: width - 1] + "…"]
    return "\n".join(lines) if lines else text


def log_tick_formatter():
    """Plain numbers (0.01, 1, 100) instead of powers of ten on a log axis."""
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _: f"{v:g}")


def fit_labels(labels, width_pt: float, height_pt: float, *, max_size: float = 10.0,
               min_size: float = 5.0):
    """The largest font size at which every label fits a box, and the wrapped labels.

    Parameters
    ----------
    labels : list of list of str
        Each label is a list of paragraphs; each paragraph is wrapped on its own.
    width_pt, height_pt : float
        Box size in points.

    Returns
    -------
    (float, list of str)
        Font size in points and the labels with line breaks. At `min_size`
        a label that still does not fit is cut with an ellipsis.
    """
    size = max_size
    while True:
        chars = max(4, int(width_pt * 0.92 / (0.6 * size)))
        rows = max(1, int(height_pt * 0.9 / (1.25 * size)))
        last = size <= min_size
        out, fits = [], True
        for paragraphs in labels:
            lines = []
            for p in paragraphs:
                # A word (or "π = 4.16 × 10⁻⁷", held by no-break spaces) is split
                # only at the smallest size: before that the font shrinks.
                lines += textwrap.wrap(str(p), width=chars, break_long_words=last) or [""]
            fits &= len(lines) <= rows and max(map(len, lines)) <= chars
            out.append(lines)
        if fits or last:
            break
        size -= 0.5
    text = []
    for lines in out:
        if len(lines) > rows:
            lines = lines[: rows - 1] + [lines[rows - 1][: chars - 1] + "…"]
        text.append("\n".join(lines))
    return size, text


def overlap_area(a, b) -> float:
    """Area shared by two matplotlib Bboxes (0 when they only touch or are apart)."""
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return w * h if w > 0 and h > 0 else 0.0


def points_per_unit(ax, xspan: float, yspan: float) -> tuple[float, float]:
    """Points per data unit along x and y for an Axes showing `xspan` by `yspan`."""
    box = ax.get_position()
    fig = ax.figure
    return (fig.get_figwidth() * box.width * 72.0 / xspan,
            fig.get_figheight() * box.height * 72.0 / yspan)


def legend_above(ax, **kwargs):
    """A one-row legend between the title and the axes (give the title ``pad=22``)."""
    kwargs.setdefault("handles", ax.get_legend_handles_labels()[0])
    n = len(kwargs["handles"])
    return ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=min(n, 3), fontsize=8,
                     frameon=False, borderaxespad=0.2, handlelength=1.2, **kwargs)


def legend_below(ax, ncol=2, **kwargs):
    """A legend under the axes (and under the x label), outside the data."""
    return ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=ncol, fontsize=8,
                     frameon=False, **kwargs)
