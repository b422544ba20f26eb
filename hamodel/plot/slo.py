"""SLO figures: downtime in a window against its error budget, and breach chance per target.

An SLO is kept or broken window by window ("99.95 % per month"). These figures
draw what :mod:`hamodel.window` computes:

* :func:`plot_downtime_distribution`: ``P(D > x)``, the chance that a window's
  total downtime exceeds ``x``, with the error budget marked and the breach
  probability read off at it;
* :func:`plot_slo_curve`: the chance of breaking an SLO in a window against the
  SLO target, on a nines axis, for one or more window lengths.

Every function takes ``ax=None`` (a new figure when None), returns the
matplotlib Axes, and never calls ``plt.show()``.
"""

from __future__ import annotations

import math
from datetime import timedelta
from numbers import Real

import numpy as np

from ..units import duration
from ..window import DowntimeDistribution, _budget, _slo, _window, downtime_distribution
from . import style
from .frequency import _percent

__all__ = ["plot_downtime_distribution", "plot_slo_curve"]

#: A month: the window of every SLO figure unless told otherwise, hours.
_MONTH = 30 * 24.0
#: SLO targets of :func:`plot_slo_curve` by default: 99 % to 99.999 %, evenly in nines.
_DEFAULT_SLOS = tuple(1.0 - np.geomspace(1e-2, 1e-5, 31))
#: Line styles of the windows of :func:`plot_slo_curve`, shortest window first.
_WINDOW_STYLES = ("-", "--", ":", "-.")
#: Probabilities below this are below the default error bound of the exact route.
_FLOOR = 1e-6


def _pairs(objs) -> list:
    """``[(label, model or DowntimeDistribution), ...]`` from one, a sequence or a mapping."""
    if isinstance(objs, DowntimeDistribution):
        return [(objs.model_name, objs)]
    if hasattr(objs, "items"):
        out = list(objs.items())
    elif hasattr(objs, "measures"):
        out = [(objs.name, objs)]
    elif isinstance(objs, (str, bytes)) or not hasattr(objs, "__iter__"):
        raise TypeError(f"{objs!r}: expected a model, a DowntimeDistribution, a sequence of "
                        "them or a mapping of label to them")
    else:
        out = []
        for obj in objs:
            if isinstance(obj, DowntimeDistribution):
                out.append((obj.model_name, obj))
            elif hasattr(obj, "measures") and hasattr(obj, "name"):
                out.append((obj.name, obj))
            else:
                raise TypeError(f"{obj!r}: expected a model (Component, block, CTMC, HA "
                                "pattern, Stack) or a DowntimeDistribution")
    if not out:
        raise ValueError("no models given; expected a model, a DowntimeDistribution, a "
                         "sequence of them or a mapping of label to them")
    return out


def _slo_text(value: float) -> str:
    """An SLO fraction as a percentage: 0.9995 -> '99.95%'."""
    return f"{100.0 * value:.10g}%"


def _probability_axis(ax, lowest: float) -> None:
    """Log y axis from `lowest` (not below the error bound) to 1, ticked in percent.

    Under three decades the ticks are 1, 2 and 5 times powers of ten, so a
    curve between 10 % and 30 % still has labels beside it.
    """
    from matplotlib.ticker import LogLocator, NullFormatter

    bottom = max(lowest, _FLOOR) / 2.0
    ax.set_yscale("log")
    ax.set_ylim(bottom, 1.0)
    if math.log10(1.0 / bottom) < 3:
        ax.yaxis.set_major_locator(LogLocator(base=10.0, subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_minor_formatter(NullFormatter())
    ax.yaxis.set_major_formatter(_percent_formatter())


def _nines_ticks(lo: float, hi: float) -> list[float]:
    """SLO ticks between `lo` and `hi`: 99 %, 99.9 %, ... and, when they fit, 99.5 %, 99.8 %.

    The allowed downtime ``1 - slo`` at 1, 2 and 5 times a power of ten,
    thinned to 1 and 5, then to 1, until at most eight ticks remain (the
    logit scale's own locator crowds a span under two decades with labels
    such as 99.92 % and 99.94 % that run into each other).

    Examples
    --------
    >>> [f"{100 * v:.10g}" for v in _nines_ticks(0.999, 0.999975)]
    ['99.9', '99.95', '99.98', '99.99', '99.995']
    >>> [f"{100 * v:.10g}" for v in _nines_ticks(0.99, 0.99999)]
    ['99', '99.5', '99.9', '99.95', '99.99', '99.995', '99.999']
    """
    top, bottom = 1.0 - lo, 1.0 - hi
    for subs in ((1, 2, 5), (1, 5), (1,)):
        ticks = sorted({1.0 - m * 10.0 ** k for k in range(math.floor(math.log10(bottom)) - 1,
                                                            math.ceil(math.log10(top)) + 1)
                        for m in subs if bottom * (1 - 1e-9) <= m * 10.0 ** k <= top * (1 + 1e-9)})
        if len(ticks) <= 8:
            break
    return ticks


def _percent_formatter():
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _: f"{100.0 * v:.10g}%")


def plot_downtime_distribution(models_or_distributions, ax=None, *, window=None, slo=None,
                               budget=None, x_max=None, x_min=None, logx=True, logy=True,
                               points=200, colors=None):
    """The chance that a window's downtime exceeds x, ``P(D > x)``, with the error budget.

    One line per design. The curve starts (left) at the chance of *any*
    downtime in the window, ``1 - p_zero``, which each legend entry states;
    with `slo` or `budget` the error budget is a dashed vertical line and each
    design's breach probability ``P(D > budget)`` is marked and written on it.

    Parameters
    ----------
    models_or_distributions : model, DowntimeDistribution, sequence or mapping
        Models (Component, block, CTMC, HA pattern, Stack), or their
        :class:`~hamodel.DowntimeDistribution` (computed once, reused here);
        a mapping gives the labels, else the model's name.
    ax : matplotlib Axes, optional
    window : duration, optional
        Length of the window, default ``"30d"`` for models; distributions
        bring their own, which must all be the same (and equal `window` when
        it is given).
    slo, budget : optional
        The SLO (``"99.95%"``) whose budget ``(1 - slo) * window`` to mark, or
        the budget itself (``"21.6min"``); at most one.
    x_max, x_min : duration, optional
        Ends of the downtime axis. Default: four times the budget (else ten
        times the largest mean downtime), down to a thousandth of that.
        Each evaluation beyond the last costs a longer sweep; on a stack,
        several hours of downtime take tens of seconds.
    logx, logy : bool
        Log scales for downtime and probability (default both).
    points : int
        Downtimes at which each curve is evaluated.
    colors : mapping of label to colour, optional
        One colour per design, as in the other charts of a report; by
        default the series colours in order.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        For distributions over different windows, both `slo` and `budget`,
        a budget longer than the window, or ``x_min >= x_max``.
    TypeError
        For something that is neither a model nor a DowntimeDistribution.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import hamodel as hm
    >>> server = hm.Component("server", mtbf="5y", mttr="4h")
    >>> ax = hm.plot_downtime_distribution(server, slo="99.95%")
    >>> ax.get_xlabel()
    'downtime in the window x (min, log scale)'
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['server: P(any downtime) 1.6%, P(breach) 1.5%', 'budget of 99.95% over 30d: 21.6 min']
    >>> plt.close(ax.figure)
    """
    given = None if window is None else _window(window)
    dists = []
    for label, obj in _pairs(models_or_distributions):
        if isinstance(obj, DowntimeDistribution):
            if given is not None and not math.isclose(obj.window, given, rel_tol=1e-9):
                raise ValueError(f"window = {window!r} ({given:.6g} h), but the distribution of "
                                 f"{label!r} is over {obj.window:.6g} h; leave window out or "
                                 "give distributions over that window")
            dists.append((label, obj))
        else:
            dists.append((label, downtime_distribution(obj, _MONTH if given is None else given)))
    w = dists[0][1].window
    other = [f"{label!r} ({d.window:.6g} h)" for label, d in dists
             if not math.isclose(d.window, w, rel_tol=1e-9)]
    if other:
        raise ValueError(f"the distributions are over different windows: {dists[0][0]!r} "
                         f"({w:.6g} h) and {', '.join(other)}; one figure shows one window")
    b = None if slo is None and budget is None else _budget(slo, budget, w)
    if x_max is not None:
        top = duration(x_max)
    elif b is not None:
        top = 4.0 * b
    else:
        top = 10.0 * max(d.mean for _, d in dists)
    top = min(top if top > 0 else 1.0, w)
    bottom = duration(x_min) if x_min is not None else top / 1000.0
    if not 0.0 < bottom < top:
        raise ValueError(f"x_min = {x_min!r}, x_max = {x_max!r}: expected 0 < x_min < x_max "
                         f"(here {bottom:.6g} h and {top:.6g} h)")
    if isinstance(points, bool) or not isinstance(points, int) or points < 2:
        raise ValueError(f"points = {points!r}: expected a whole number >= 2")

    ax = style.new_axes(ax, (7.0, 5.0), constrained=True)
    x = np.geomspace(bottom, top, points) if logx else np.linspace(0.0, top, points)
    lowest = 1.0
    # Breach labels alternate sides of the budget line in the order of their values, so
    # that two designs with close chances (21.8 % and 17.9 %) do not overprint.
    side = {}
    if b is not None:
        ranked = sorted(range(len(dists)), key=lambda k: float(dists[k][1].sf(b)))
        side = {k: 1 if r % 2 == 0 else -1 for r, k in enumerate(ranked)}
    for i, (label, d) in enumerate(dists):
        col = style.design_color(colors, label, i)
        y = d.sf(x)
        positive = y[y > 0]
        if positive.size:
            lowest = min(lowest, float(positive.min()))
        text = f"{label}: P(any downtime) {_percent(1.0 - d.p_zero)}"
        if b is not None:
            p = d.sf(b)
            text += f", P(breach) {_percent(p)}"
            ax.plot([b * 60.0], [p], "o", color=col, ms=6, zorder=4)
            ax.annotate(_percent(p), (b * 60.0, p), textcoords="offset points",
                        xytext=(7 * side[i], 3), ha="left" if side[i] > 0 else "right",
                        fontsize=8, color=col, zorder=5,
                        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                              "alpha": 0.85})
            lowest = min(lowest, p) if p > 0 else lowest
        ax.plot(x * 60.0, y, color=col, lw=1.6, label=text)
    if b is not None:
        what = (f"budget of {slo if isinstance(slo, str) else _slo_text(_slo(slo))} over "
                f"{style.format_duration(w)}" if slo is not None else "error budget")
        ax.axvline(b * 60.0, ls="--", color="black", lw=1.1,
                   label=f"{what}: {b * 60.0:.3g} min")
    if logx:
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(style.log_tick_formatter())
        ax.set_xlim(bottom * 60.0, top * 60.0)
    else:
        ax.set_xlim(0.0, top * 60.0)
    if logy:
        _probability_axis(ax, lowest)
    else:
        ax.set_ylim(0.0, 1.02)
        ax.yaxis.set_major_formatter(_percent_formatter())
    ax.set_xlabel("downtime in the window x (min" + (", log scale)" if logx else ")"))
    ax.set_ylabel("P(downtime in the window > x)")
    ax.set_title(f"Downtime in a {style.format_duration(w)} window: "
                 "the chance of more than x")
    ax.grid(True, which="major", color=style.PALETTE["grid"], lw=0.4, alpha=0.6)
    style.legend_below(ax, ncol=1)
    return ax


def plot_slo_curve(models, ax=None, *, window="30d", slos=None, slo=None, colors=None):
    """Chance of breaking an SLO in a window (log scale) against the SLO target (nines).

    One colour per design, one line style per window: with
    ``window=("30d", "90d")`` the month and the quarter are drawn side by
    side. The x axis is a nines axis (a logit scale: 99 %, 99.9 %, 99.99 %
    evenly spaced); the tighter the target, the smaller its error budget
    ``(1 - slo) * window`` and the likelier a breach. With `slo`, that
    target is a dashed vertical line and each line's value there is marked
    and quoted in the legend.

    Parameters
    ----------
    models : model, DowntimeDistribution, sequence or mapping
        Models (Component, block, CTMC, HA pattern, Stack); a
        :class:`~hamodel.DowntimeDistribution` is drawn in its own window
        (`window` is for models), and a mapping's value may be a list of
        them, one design's distributions over several windows (computed
        once, reused here).
    ax : matplotlib Axes, optional
    window : duration or sequence of durations, default ``"30d"``
    slos : sequence of SLOs, optional
        The targets along the curve (``"99.9%"`` or ``0.999``); default 31
        from 99 % to 99.999 %. Each window is one sweep up to the loosest
        target's budget: on a stack, a quarter at 99 % (21.6 h) takes
        minutes, so pass tighter targets there.
    slo : SLO, optional
        A target to mark (the client's SLA).
    colors : mapping of label to colour, optional
        One colour per design, as in the other charts of a report; by
        default the series colours in order.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        For no windows, fewer than two targets, or a target outside (0, 100 %).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import hamodel as hm
    >>> server = hm.Component("server", mtbf="5y", mttr="4h")
    >>> ax = hm.plot_slo_curve(server, window=("30d", "90d"), slo="99.95%")
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['server, per 30d: 1.5% at 99.95%', 'server, per 90d: 3.7% at 99.95%', 'SLO 99.95%']
    >>> ax.get_yscale(), ax.get_xscale()
    ('log', 'logit')
    >>> plt.close(ax.figure)
    """
    if isinstance(window, (str, bytes, Real, timedelta)):
        windows = [window]
    else:
        windows = list(window)
    if not windows:
        raise ValueError("window = []: expected a duration such as '30d' or a sequence of them")
    hours = [_window(v) for v in windows]
    if slos is None:
        targets = np.array(_DEFAULT_SLOS)
    else:
        if isinstance(slos, (str, bytes, Real)):
            raise TypeError(f"slos = {slos!r}: expected a sequence of SLOs such as "
                            "['99.9%', '99.99%']; mark one target with slo=")
        targets = np.unique([_slo(s) for s in slos])
        if targets.size < 2:
            raise ValueError(f"slos = {slos!r}: expected at least two different SLO targets")
    mark = None if slo is None else _slo(slo)
    mark_text = None if slo is None else (slo if isinstance(slo, str) else _slo_text(mark))

    lines = []  # (label, distribution)
    for label, obj in _pairs(models):
        if isinstance(obj, DowntimeDistribution):
            lines.append((label, obj))
        elif isinstance(obj, (list, tuple)) and obj and all(
                isinstance(o, DowntimeDistribution) for o in obj):
            lines += [(label, o) for o in obj]
        else:
            lines += [(label, downtime_distribution(obj, w)) for w in hours]
    labels = list(dict.fromkeys(label for label, _ in lines))
    spans = sorted({d.window for _, d in lines})
    several = len(spans) > 1

    ax = style.new_axes(ax, (7.0, 5.0), constrained=True)
    lowest = 1.0
    for label, d in lines:
        col = style.design_color(colors, label, labels.index(label))
        ls = _WINDOW_STYLES[spans.index(d.window) % len(_WINDOW_STYLES)]
        y = d.sf((1.0 - targets) * d.window)
        positive = y[y > 0]
        if positive.size:
            lowest = min(lowest, float(positive.min()))
        text = f"{label}, per {style.format_duration(d.window)}" if several else label
        if mark is not None:
            p = d.sf((1.0 - mark) * d.window)
            text += f": {_percent(p)} at {mark_text}"
            ax.plot([mark], [p], "o", color=col, ms=5, zorder=4)
            lowest = min(lowest, p) if p > 0 else lowest
        ax.plot(targets, y, color=col, ls=ls, lw=1.6, label=text)
    if mark is not None:
        ax.axvline(mark, ls="--", color="black", lw=1.1, label=f"SLO {mark_text}")
    from matplotlib.ticker import FixedLocator, NullFormatter

    ax.set_xscale("logit")
    lo, hi = float(targets.min()), float(targets.max())
    if mark is not None:
        lo, hi = min(lo, mark), max(hi, mark)
    ax.set_xlim(lo, hi)
    ax.xaxis.set_major_locator(FixedLocator(_nines_ticks(lo, hi)))
    ax.xaxis.set_major_formatter(_percent_formatter())
    ax.xaxis.set_minor_formatter(NullFormatter())
    _probability_axis(ax, lowest)
    span = (", ".join(style.format_duration(s) for s in spans) + " windows") if several \
        else f"a {style.format_duration(spans[0])} window"
    ax.set_xlabel("SLO target (availability per window, %, nines scale)")
    ax.set_ylabel("P(downtime in a window > its error budget)")
    ax.set_title(f"Chance of breaking the SLO in {span}")
    ax.grid(True, which="major", color=style.PALETTE["grid"], lw=0.4, alpha=0.6)
    style.legend_below(ax, ncol=1 if len(lines) < 4 else 2)
    return ax
