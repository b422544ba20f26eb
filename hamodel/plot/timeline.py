"""A simulated year, week by week: when outages happened and when someone was paged.

Every function takes ``ax=None`` (a new figure when None), returns the
matplotlib Axes, and never calls ``plt.show()``.
"""

from __future__ import annotations

import math

import numpy as np

from ..units import HOURS_PER_YEAR, positive_duration
from . import style

__all__ = ["plot_run_spread", "plot_year_timeline"]

_WEEK = 168.0
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def plot_year_timeline(result, run: int = 0, ax=None, *, night=("22:00", "07:00"),
                       weekends: bool = True, span="1y"):
    """One simulated run as a calendar: a row per week, outages as bars, pages as ticks.

    Each row is one week of the run (the clock starts on Monday 00:00, as
    for an on-call schedule), from the top. An outage is a red bar from its
    start, as long as it lasted (split across rows when it runs into the
    next week); a component failure, which pages someone, is a tick just
    above the row. Night hours and weekends are shaded, so that outages at
    3 AM stand out.

    Parameters
    ----------
    result : SimulationResult
        From :func:`hamodel.simulate`; with ``failures=True`` the pages are
        drawn too (without it, the outages only).
    run : int
        Which run to draw, ``0 <= run < result.runs``.
    ax : matplotlib Axes, optional
        Where to draw; a new 9 x 9 inch figure when None.
    night : (str, str) or str
        Night hours to shade, ``("22:00", "07:00")`` or ``"22:00-07:00"``.
    weekends : bool
        Shade Saturdays and Sundays.
    span : duration
        How much of the run to draw, from its start: a year by default (or
        the whole run if shorter).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        For a `run` out of range, a bad `night` or a non-positive `span`.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import hamodel as hm
    >>> unit = hm.Component("server", mtbf="20d", mttr="8h")
    >>> res = hm.simulate(unit, horizon="1y", runs=2, seed=1, failures=True)
    >>> ax = hm.plot_year_timeline(res)
    >>> ax.get_xlabel()
    'hour of the week (h), Monday 00:00 = 0'
    >>> plt.close(ax.figure)
    """
    from ..montecarlo import SimulationResult, night_hours

    if not isinstance(result, SimulationResult):
        raise TypeError(f"plot_year_timeline: result is a {type(result).__name__}; expected "
                        "the result of hamodel.simulate(...)")
    if isinstance(run, bool) or not isinstance(run, (int, np.integer)) \
            or not 0 <= run < result.runs:
        raise ValueError(f"plot_year_timeline: run = {run!r}; expected an integer from 0 to "
                         f"{result.runs - 1}")
    mask = night_hours(night)[:24]
    end = min(positive_duration(span, "plot_year_timeline: span"), result.horizon)
    weeks = max(1, math.ceil(end / _WEEK - 1e-9))
    ax = style.new_axes(ax, (9.0, 9.0))

    # Shading: the same hours in every row, so vertical bands over the whole height.
    night_color, weekend_color = "#1a237e", "#9e9e9e"
    first = True
    for day in range(7):
        for start, stop in _runs(mask):
            ax.axvspan(day * 24 + start, day * 24 + stop, color=night_color, alpha=0.10, lw=0,
                       zorder=0, label=f"night ({_hours_text(night)})" if first else None)
            first = False
    if weekends:
        ax.axvspan(5 * 24, _WEEK, color=weekend_color, alpha=0.22, lw=0, zorder=0,
                   label="weekend")

    # Outages: bars of their exact length, split at week boundaries and cut at the span.
    mine = result.outage_runs == run
    starts, lengths = result.outage_starts[mine], result.outage_durations[mine]
    keep = starts < end
    starts, stops = starts[keep], np.minimum(starts[keep] + lengths[keep], end)
    ys, lefts, widths = [], [], []
    for a, b in zip(starts, stops):
        t = a
        while True:
            week = int(t // _WEEK)
            cut = min(b, (week + 1) * _WEEK)
            ys.append(week)
            lefts.append(t - week * _WEEK)
            widths.append(cut - t)
            if cut >= b:
                break
            t = cut
    color = style.PALETTE["failure"]
    bars = ax.barh(ys, widths, left=lefts, height=0.55, color=color, lw=0, zorder=3,
                   label="outage (dot: its start, bar: its length)")
    for bar in bars:
        bar.set_gid("outage")
    # A dot at each start, so that outages of a few minutes (too thin as bars) show.
    ax.plot(starts % _WEEK, starts // _WEEK, "o", ms=3, color=color, zorder=4,
            gid="outage starts")

    pages = 0
    if result.failure_starts is not None:
        ours = result.failure_runs == run
        when = result.failure_starts[ours]
        when = when[when < end]
        pages = when.size
        ax.plot(when % _WEEK, when // _WEEK - 0.42, "|", ms=7, mew=1.3, color="#263238",
                zorder=5, label="page (a component failed)", gid="pages")

    ax.set_xlim(0, _WEEK)
    ax.set_ylim(weeks - 0.5, -0.9)
    ax.set_xticks(np.arange(0, _WEEK + 1, 24))
    ax.set_xticks(np.arange(0, _WEEK, 6), minor=True)
    ax.set_xticklabels([""] * 8)
    for day, name in enumerate(_DAYS):  # day names centred under each day
        ax.text(day * 24 + 12, -0.02, name, transform=ax.get_xaxis_transform(), ha="center",
                va="top", fontsize=9)
    step = 4 if weeks > 20 else 1
    ax.set_yticks(np.arange(0, weeks, step), [str(w + 1) for w in range(0, weeks, step)])
    ax.set_xlabel("hour of the week (h), Monday 00:00 = 0", labelpad=16)
    ax.set_ylabel("week of the run (week 1 at the top)")
    down_h = float(np.sum(widths))
    span_text = "one year" if abs(end - HOURS_PER_YEAR) < 1 else style.format_duration(end)
    down_text = style.format_duration(down_h) + " down" if down_h > 0 else "no downtime"
    ax.set_title(f"{span_text.capitalize()} of {result.model_name} (run {run})\n"
                 f"{starts.size} outages, {down_text}"
                 + (f", {pages} pages" if result.failure_starts is not None else ""),
                 fontsize=11)
    ax.grid(True, axis="x", which="major", color=style.PALETTE["grid"], lw=0.6)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.085), ncol=2, fontsize=8,
              frameon=False)
    return ax


def _runs(mask: np.ndarray) -> list:
    """Maximal runs of True hours in a day's mask, as (start, stop) hours."""
    out, start = [], None
    for h, on in enumerate(list(mask) + [False]):
        if on and start is None:
            start = h
        elif not on and start is not None:
            out.append((start, h))
            start = None
    return out


def _hours_text(night) -> str:
    return night if isinstance(night, str) else f"{night[0]}-{night[1]}"


#: What plot_run_spread can draw: (per-run values per year, interval name, axis label, unit).
_SPREAD = {
    "outages": ("outages_per_year", "system outages in a year", "1/yr"),
    "downtime": ("downtime_minutes_per_year", "downtime in a year", "min/yr"),
    "incidents": ("incidents_per_year", "component failures (pages) in a year", "1/yr"),
}


def plot_run_spread(result, measure: str = "outages", ax=None, *, exact=None, bins=None,
                    level: float = 0.95):
    """How much one simulated year differs from the next: a histogram over runs.

    Each run gives one value (its outages, downtime or pages, per year of
    its horizon); the histogram shows their spread, a solid line their mean
    with its confidence interval (shaded), and a dashed line the exact
    long-run mean, so that the analytic answer and the seeded Monte Carlo
    can be compared on one chart.

    Parameters
    ----------
    result : SimulationResult
        From :func:`hamodel.simulate`.
    measure : {"outages", "downtime", "incidents"}
        System outages per year, downtime in minutes per year, or component
        failures (pages) per year.
    ax : matplotlib Axes, optional
        Where to draw; a new 7 x 4.5 inch figure when None.
    exact : model or float, optional
        The exact mean to compare with: a model (anything with
        ``.measures()``, such as the simulated one) or a number in the
        measure's unit.
    bins : int or sequence, optional
        Histogram bins; default one per whole count for counts over
        one-year runs, else 40.
    level : float
        Level of the shaded confidence interval of the simulated mean.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import hamodel as hm
    >>> unit = hm.Component("server", mtbf="60d", mttr="8h")
    >>> res = hm.simulate(unit, horizon="1y", runs=500, seed=1)
    >>> ax = hm.plot_run_spread(res, "outages", exact=unit)
    >>> ax.get_xlabel()
    'system outages in a year (1/yr)'
    >>> plt.close(ax.figure)
    """
    from ..montecarlo import SimulationResult

    if not isinstance(result, SimulationResult):
        raise TypeError(f"plot_run_spread: result is a {type(result).__name__}; expected "
                        "the result of hamodel.simulate(...)")
    if measure not in _SPREAD:
        raise ValueError(f"plot_run_spread: measure = {measure!r}; expected one of "
                         f"{sorted(_SPREAD)}")
    field, label, unit = _SPREAD[measure]
    years = result.horizon / HOURS_PER_YEAR
    if measure == "downtime":
        values = result.downtime * 60.0 / years
    else:
        values = (result.outages if measure == "outages" else result.incidents) / years
    mean = getattr(result.measures(), field)
    low, high = result.interval(field, level)
    if exact is not None and hasattr(exact, "measures"):
        exact = getattr(exact.measures(), field)
    ax = style.new_axes(ax, (7.0, 4.5))
    if bins is None:
        if measure != "downtime" and abs(years - 1.0) < 1e-9:
            top = int(values.max()) if values.size else 0
            bins = np.arange(-0.5, top + 1.5, 1.0)
        else:
            bins = 40
    ax.hist(values, bins=bins, color=style.color(0), alpha=0.55, edgecolor="white",
            label=f"{result.runs} simulated runs of {style.format_duration(result.horizon)}")
    ax.axvspan(low, high, color=style.color(1), alpha=0.25, lw=0,
               label=f"{level:.0%} interval of the simulated mean")
    ax.axvline(mean, color=style.color(1), lw=1.8, label=f"simulated mean: {mean:.4g} {unit}")
    if exact is not None:
        ax.axvline(float(exact), color="black", lw=1.4, ls="--",
                   label=f"exact mean (Markov model): {float(exact):.4g} {unit}")
    if measure != "downtime":
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(f"{label} ({unit})")
    ax.set_ylabel("runs (count)")
    ax.set_title(f"{result.model_name}: {label}, run by run")
    ax.grid(True, axis="y", color=style.PALETTE["grid"], lw=0.4, alpha=0.6)
    ax.legend(fontsize=8, loc="upper right", framealpha=0.9)
    return ax
