"""Outages by hour of the day: which hours the outages (and their cost) fall in."""

from __future__ import annotations

import numpy as np

from . import style

__all__ = ["plot_hour_of_day"]

#: What each column is, for the y axis: (label, unit).
_AXIS = {
    "outages/yr": ("outages starting in the hour", "per year"),
    "mean outage (min)": ("mean length of outages starting in the hour", "min"),
    "downtime (min/yr)": ("downtime in the hour", "min per year"),
    "user-minutes/yr": ("user-minutes lost in the hour", "per year"),
    "user-minutes per outage": ("user-minutes lost per outage starting in the hour", ""),
    "incidents/yr": ("incidents (pages) in the hour", "per year"),
    "cost/yr": ("cost of the hour's downtime", "per year"),
    "cost per outage": ("cost of an outage starting in the hour", ""),
}


def _results(results) -> list:
    from ..hourly import HourOfDay

    if isinstance(results, HourOfDay):
        pairs = [(results.name, results)]
    elif hasattr(results, "items"):
        pairs = list(results.items())
    else:
        pairs = [(r.name, r) for r in results]
    if not pairs:
        raise ValueError("plot_hour_of_day: no results given")
    for label, r in pairs:
        if not isinstance(r, HourOfDay):
            raise TypeError(f"plot_hour_of_day: {label!r} is a {type(r).__name__}; expected "
                            "hamodel.hour_of_day(...) results")
    return pairs


def plot_hour_of_day(results, ax=None, *, column=None, night=(0, 6), traffic=True,
                     colors=None):
    """Outages (or downtime, or cost) by hour of the day, night hours shaded.

    Parameters
    ----------
    results : HourOfDay, mapping of label to HourOfDay, or sequence
        From :func:`hamodel.hour_of_day`; one line per design.
    ax : matplotlib Axes, optional
    column : str, optional
        A column of ``HourOfDay.by_hour``; default the outages longer than
        the tolerated length, per year.
    night : (int, int) or None
        Hours of the day to shade (default 00:00-06:00).
    traffic : bool
        Draw the first result's traffic profile (relative to its average) on
        a second axis.
    colors : mapping of label to colour, optional
        One colour per design, as in the other charts of a report; by
        default the series colours in order.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import hamodel as hm
    >>> res = hm.hour_of_day(hm.Component("server", mtbf="5y", mttr="4h"), hm.OnCall())
    >>> ax = hm.plot_hour_of_day(res)
    >>> ax.get_xlabel()
    'hour of the day (local time)'
    >>> plt.close(ax.figure)
    """
    pairs = _results(results)
    first = pairs[0][1]
    if column is None:
        column = f"outages > {first.longer_than_label}/yr"
    for label, r in pairs:
        if column not in r.by_hour:
            raise ValueError(f"plot_hour_of_day: column {column!r} is not in the results of "
                             f"{label!r}; expected one of {list(r.by_hour.columns)}")
    ax = style.new_axes(ax, (7.5, 4.5), constrained=True)
    edges = np.arange(25)
    if night is not None:
        a, b = night
        spans = [(a, b)] if a < b else [(a, 24), (0, b)]  # (22, 6) crosses midnight
        for k, (lo, hi) in enumerate(spans):
            ax.axvspan(lo, hi, color=style.PALETTE["grid"], alpha=0.35, lw=0,
                       label=f"night ({a:02d}:00-{b:02d}:00)" if k == 0 else None)
    for i, (label, r) in enumerate(pairs):
        y = r.by_hour[column].to_numpy()
        ax.stairs(y, edges, color=style.design_color(colors, label, i), lw=1.8,
                  label=f"{label} ({r.oncall.name})" if len(pairs) > 1 else label,
                  baseline=None)
    what, unit = _AXIS.get(column, (column, ""))
    if column.startswith("outages >"):
        what, unit = f"{column.removesuffix('/yr')} starting in the hour", "per year"
    ax.set_ylabel(f"{what}" + (f" ({unit})" if unit else ""))
    ax.set_xlabel("hour of the day (local time)")
    ax.set_xlim(0, 24)
    ax.set_xticks(range(0, 25, 3))
    ax.set_xticklabels([f"{h:02d}:00" for h in range(0, 25, 3)])
    ax.set_ylim(bottom=0)
    ax.grid(True, axis="y", color=style.PALETTE["grid"], lw=0.4, alpha=0.6)
    handles, labels = ax.get_legend_handles_labels()
    if traffic:
        tw = ax.twinx()
        w = first.by_hour["traffic"].to_numpy()
        line = tw.stairs(w, edges, color="0.45", lw=1.0, ls="--", baseline=None,
                         label=f"traffic ({first.traffic.name}, x average)")
        tw.set_ylim(0, max(2.0, 1.15 * float(w.max())))
        tw.set_ylabel("users online (x weekly average)")
        handles.append(line)
        labels.append(line.get_label())
    ax.set_title(f"{what[:1].upper()}{what[1:]}, by hour of the day")
    ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2,
              frameon=False, fontsize="small")
    return ax
