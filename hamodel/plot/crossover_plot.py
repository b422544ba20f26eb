"""Sweeps against a reference: where a design's curve crosses another design's level."""

from __future__ import annotations

import math

from . import style

__all__ = ["plot_crossover"]


def _readable_log_ticks(axis, lo: float, hi: float) -> None:
    """Label a log axis so that at least three values can be read.

    Over less than about three decades the default locator labels one power
    of ten or none; then label 1, 2 and 5 times each power of ten, written as
    plain numbers (``0.5``, ``1``, ``2``).
    """
    from matplotlib.ticker import LogLocator, NullFormatter, StrMethodFormatter

    if lo > 0 and hi > lo and math.log10(hi / lo) < 3:
        axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        axis.set_major_formatter(StrMethodFormatter("{x:g}"))
        axis.set_minor_formatter(NullFormatter())


def plot_crossover(curves, ax=None, *, reference=None, crossings=None, band=None,
                    marks=None, xlabel=None, ylabel=None, title=None, format_x="{:.2g}",
                    logx=True, logy=True, legend=True):
    """Designs' measure against a parameter, a reference level and where they cross it.

    Each curve is one design's measure over a sweep of the parameter; the
    dashed black line is the reference design's value; a white circle on
    the line marks each design's break-even value (from
    :func:`hamodel.crossover_table`), labelled with it.

    Parameters
    ----------
    curves : mapping of label to pandas.Series
        One series per design: index, the parameter; values, the measure.
        On a log y-axis values that are not positive are left out, and a
        design with none is not drawn (its colour is kept for the others).
    ax : matplotlib Axes, optional
    reference : tuple (label, value), optional
        The reference design's name and its value of the measure.
    crossings : mapping of label to float or str, optional
        For labels of `curves`: the parameter value where the curve meets
        the reference. Strings (``"above"``, ``"below"``: no crossing) and
        values outside the curve's range are not drawn.
    band : tuple (lo, hi, label), optional
        A grey span of the parameter, e.g. the range of the field data.
    marks : mapping of label to float, optional
        Vertical lines at values of the parameter (dotted, dash-dotted, ...).
    xlabel, ylabel : str, optional
        Axis labels with units; default the name of the first curve's index
        and the name of the first curve.
    title : str, optional
        Default: the y label.
    format_x : str or callable, default ``"{:.2g}"``
        Formats the parameter in the labels of the crossings.
    logx, logy : bool, default True
        Log scales. A log axis spanning less than three decades is labelled
        at 1, 2 and 5 times each power of ten, so values can be read.
    legend : bool, default True
        Draw the legend on the Axes (``False`` for a figure legend shared by
        several panels: ``fig.legend(*ax.get_legend_handles_labels())``).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If `curves` is empty, or `crossings` names a design not in `curves`.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> import hamodel as hm
    >>> other = hm.Component("other", mtbf="1y", mttr="4h")
    >>> mttrs = [1.0, 2.0, 4.0, 8.0, 16.0]
    >>> curve = pd.Series([hm.Component("one", mtbf="2y", mttr=h).measures().downtime_per_year
    ...                    for h in mttrs], index=mttrs)
    >>> ax = hm.plot_crossover(
    ...     {"MTBF 2 y": curve},
    ...     reference=("MTBF 1 y, MTTR 4 h", other.measures().downtime_per_year),
    ...     crossings={"MTBF 2 y": 8.0}, xlabel="MTTR (h)", ylabel="downtime (min/yr)")
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['MTBF 2 y', 'MTBF 1 y, MTTR 4 h']
    >>> [t.get_text() for t in ax.texts]
    ['8']
    >>> plt.close(ax.figure)
    """
    import numpy as np

    if not curves:
        raise ValueError("plot_crossover: no curves given")
    crossings = dict(crossings or {})
    unknown = [k for k in crossings if k not in curves]
    if unknown:
        raise ValueError(f"plot_crossover: crossings for {unknown}, which are not among the "
                         f"curves {list(curves)}")
    fmt = format_x.format if isinstance(format_x, str) else format_x
    first = next(iter(curves.values()))
    xlabel = xlabel if xlabel is not None else (first.index.name or "parameter")
    ylabel = ylabel if ylabel is not None else (first.name or "measure")
    ax = style.new_axes(ax)
    if band is not None:
        lo, hi, label = band
        ax.axvspan(lo, hi, color="0.9", label=label)
    level = None if reference is None else float(reference[1])
    drawn = 0
    for i, (label, series) in enumerate(curves.items()):
        color = style.SERIES_COLORS[i % len(style.SERIES_COLORS)]
        x = np.asarray(series.index, dtype=float)
        y = np.asarray(series.to_numpy(), dtype=float)
        if logy:
            if not (y > 0).any():
                continue
            y = np.where(y > 0, y, np.nan)
        ax.plot(x, y, lw=1.8, color=color, label=label)
        at = crossings.get(label)
        if level is not None and isinstance(at, (int, float)) and x.min() <= at <= x.max():
            ax.plot([at], [level], "o", ms=8, mfc="white", mew=2, color=color)
            ax.annotate(fmt(at), (at, level), xytext=(-6, 8 + 11 * drawn),
                        textcoords="offset points", fontsize=8, color=color, ha="right",
                        bbox={"fc": "white", "ec": "none", "alpha": 0.85, "pad": 1})
            drawn += 1
    for (label, at), ls in zip((marks or {}).items(), (":", "-.", "--", (0, (1, 3)))):
        ax.axvline(at, color=style.PALETTE["neutral"], ls=ls, lw=1, label=label)
    if level is not None:
        ax.axhline(level, color="black", ls="--", lw=1.2, label=reference[0])
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.autoscale_view()
    if logx:
        _readable_log_ticks(ax.xaxis, *sorted(ax.get_xlim()))
    if logy:
        _readable_log_ticks(ax.yaxis, *sorted(ax.get_ylim()))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title if title is not None else ylabel, fontsize=10)
    ax.grid(alpha=0.3)
    if legend:
        ax.legend(fontsize=8)
    return ax
