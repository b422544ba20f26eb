"""Yearly cost against the cost of an hour down: where HA pays for itself."""

from __future__ import annotations

import math

import numpy as np

from . import style

__all__ = ["plot_break_even"]


def plot_break_even(result, ax=None, *, client_cost=None, labels=None, colors=None,
                    x_range=None, currency=""):
    """Yearly total cost of each design against the cost of an hour down, log axes.

    Each design's total (running, incidents and downtime) is a line in the
    cost of an hour down; the shaded band around it holds 90 % of the draws
    (the ranges of the cost items and of the field data). The lines cross at
    the break-even cost, marked with a dot; the client's own cost of an hour
    down is a dotted vertical line.

    Parameters
    ----------
    result : BreakEven
        From :func:`hamodel.break_even`.
    ax : matplotlib Axes, optional
        Where to draw; a new 7 x 4.5 inch figure when None.
    client_cost : float, optional
        The client's cost of an hour down, marked with a vertical line.
    labels : (str, str), optional
        Labels of the HA design and the baseline (default their names).
    colors : mapping of label to colour, optional
        One colour per design, as in the other charts of a report.
    x_range : (float, float), optional
        Range of the cost of an hour down; by default two decades either
        side of the break-even and the client's cost.
    currency : str
        Written after amounts in the axis labels (``"EUR"``); default none.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import hamodel as hm
    >>> ha, one = hm.load_stack("ha_galera_drbd.yaml"), hm.load_stack("single_server.yaml")
    >>> ax = hm.plot_break_even(hm.break_even(ha, one, field=False, n=20), client_cost=1000)
    >>> ax.get_xlabel()
    'cost of an hour down (per hour, log scale)'
    >>> plt.close(ax.figure)
    """
    ax = style.new_axes(ax, (7.0, 4.5))
    ha_label, base_label = labels or (result.ha.name, result.baseline.name)
    col = {"ha": style.design_color(colors, ha_label, 0),
           "baseline": style.design_color(colors, base_label, 1)}
    value = result.value
    if x_range is None:
        anchors = [v for v in (value, client_cost) if v is not None and 0 < v < math.inf]
        anchors = anchors or [1000.0]
        lo, hi = min(anchors) / 100, max(anchors) * 100
    else:
        lo, hi = (float(v) for v in x_range)
        if not 0 < lo < hi:
            raise ValueError(f"x_range = {x_range!r}; expected (low, high) with 0 < low < high")
    c = np.geomspace(lo, hi, 200)
    unit = f" ({currency} per year)" if currency else " (per year)"
    for design, label in (("baseline", base_label), ("ha", ha_label)):
        band_lo, band_hi = result.total_band(c, design)
        ax.fill_between(c, band_lo, band_hi, color=col[design], alpha=0.18, lw=0,
                        label=f"{label}: 90 % band")
        ax.plot(c, result.total(c, design), color=col[design], lw=2.0, label=label)
    if 0 < value < math.inf and lo <= value <= hi:
        y = float(result.total(value, "ha"))
        q = result.quantiles
        band = (f" (90 % band {_money(q.iloc[0])} to {_money(q.iloc[-1])})"
                if math.isfinite(q.iloc[-1]) else " (90 % band up to never)")
        ax.plot([value], [y], "o", color="black", ms=6, zorder=5,
                label=f"break-even: {_money(value)} per hour{band}")
    if client_cost is not None:
        ax.axvline(client_cost, ls=":", color="black", lw=1.4, zorder=4,
                   label=f"your cost of an hour down: {_money(client_cost)}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(lo, hi)
    ax.xaxis.set_major_formatter(_money_formatter())
    ax.yaxis.set_major_formatter(_money_formatter())
    ax.set_xlabel("cost of an hour down (" + (f"{currency} " if currency else "")
                  + "per hour, log scale)")
    ax.set_ylabel("total cost" + unit)
    ax.set_title("Yearly cost of each design: running, incidents and downtime")
    ax.grid(True, which="major", color=style.PALETTE["grid"], lw=0.4, alpha=0.6)
    ax.legend(loc="upper left", fontsize=8, frameon=True, framealpha=0.9)
    return ax


def _money(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 10 else f"{x:.3g}"


def _money_formatter():
    from matplotlib.ticker import FuncFormatter

    def fmt(v, _):
        if v >= 1e6:
            return f"{v / 1e6:g}M"
        if v >= 1e3:
            return f"{v / 1e3:g}k"
        return f"{v:g}"

    return FuncFormatter(fmt)
