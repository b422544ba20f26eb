"""Frequency and duration of outages: how often, how long, and how it starts.

Every function takes ``ax=None`` (a new figure when None), returns the
matplotlib Axes, and never calls ``plt.show()``.
"""

from __future__ import annotations

import math

import numpy as np

from ..units import duration, positive_duration
from . import style

__all__ = ["plot_frequency_duration", "plot_incidents", "plot_availability",
           "plot_outage_duration"]

# Seven markers against the colour cycle, so that (colour, marker) pairs do not
# repeat after a handful of designs.
_MARKERS = ("o", "s", "D", "^", "v", "P", "X")


def plot_frequency_duration(models, ax=None, *, isolines=(1, 10, 60, 600, 6000), annotate=True,
                            legend_loc="best", tolerated=None, colors=None, path=False):
    """Outages per year (x) against mean outage duration (y), log axes.

    Dashed lines mark constant downtime per year: a design further right has
    more outages, a design higher up has longer ones, and designs on the same
    dashed line lose the same minutes per year.

    Parameters
    ----------
    models : mapping of label to model, or sequence of models
        Anything with ``.measures()``; a sequence is labelled by ``name``.
    ax : matplotlib Axes, optional
        Where to draw; a new 7 x 5 inch figure when None.
    isolines : sequence of float
        Downtime levels in minutes per year for the dashed lines.
    annotate : bool
        Write each design's label beside its point.
    legend_loc : str
        Where the legend goes (a matplotlib ``loc``); ``"outside"`` puts it
        to the right of the axes, clear of every point.
    tolerated : duration, optional
        The longest outage a client tolerates (``"20min"``): a dotted
        horizontal line, so that designs above it have mean outages longer.
    colors : mapping of label to colour, optional
        One colour per design, as in the other charts of a report; by
        default the series colours in order.
    path : bool
        Join the designs by arrows in the order given, from each to the
        next: the path of one design as it is built up step by step (label
        the steps in order, say ``"0 one server"``, ``"1 own hosts"``). A
        design that never fails (no point) is skipped.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import hamodel as hm
    >>> one = hm.Component("server", mtbf="5y", mttr="4h")
    >>> ax = hm.plot_frequency_duration({"single server": one})
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('outages per year (1/yr)', 'mean outage duration (min)')
    >>> plt.close(ax.figure)

    A design built up in two steps, its path drawn as arrows:

    >>> pair = hm.parallel(one, one.renamed("server-2"))
    >>> ax = hm.plot_frequency_duration({"0 one": one, "1 pair": pair}, path=True)
    >>> len(ax.patches)  # one arrow
    1
    >>> plt.close(ax.figure)
    """
    measured = [(label, model.measures()) for label, model in style.items(models)]
    ax = style.new_axes(ax, (7.0, 5.0))
    points, labels = [], []
    for i, (label, m) in enumerate(measured):
        x, y = m.outages_per_year, m.mean_down_time * 60.0
        if x <= 0:  # never fails: no point on log axes
            continue
        points.append((x, y))
        labels.append(label)
        ax.scatter([x], [y], s=60, zorder=3, color=style.design_color(colors, label, i),
                   marker=_MARKERS[i % len(_MARKERS)], edgecolor="white", linewidth=0.8,
                   label=f"{label}: {_minutes(m.downtime_minutes_per_year)} min/yr")
    if path:
        _draw_path(ax, points)
    limit = None if tolerated is None else positive_duration(tolerated, "tolerated") * 60.0
    if points:
        xs, ys = np.array(points).T
        # A path's steps are often close together: less margin, so that they spread out.
        span = {"pad": 1.8, "decades": 1.0} if path else {}
        xlo, xhi = _span(xs.min(), xs.max(), **span)
        ylo, yhi = _span(min(ys.min(), limit or np.inf), max(ys.max(), limit or 0.0), **span)
    else:
        xlo, xhi, ylo, yhi = 1e-3, 10.0, 1.0, 1e3
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(xlo, xhi)
    ax.set_ylim(ylo, yhi)
    _draw_isolines(ax, isolines, xlo, xhi, ylo, yhi)
    if limit is not None:
        ax.axhline(limit, ls=":", lw=1.4, color="black", zorder=2,
                   label=f"tolerated outage: {tolerated}")
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_formatter(style.log_tick_formatter())
        axis.set_minor_formatter(_minor_formatter())
    ax.grid(True, which="major", color=style.PALETTE["grid"], lw=0.4, alpha=0.6)
    ax.set_xlabel("outages per year (1/yr)")
    ax.set_ylabel("mean outage duration (min)")
    ax.set_title("Frequency and duration of outages\n(dashed: equal downtime per year)",
                 fontsize=11)
    if annotate and points:
        _place_point_labels(ax, points, labels, path=path)
    if points:
        where = dict(loc="upper left", bbox_to_anchor=(1.02, 1.0)) \
            if legend_loc == "outside" else dict(loc=legend_loc)
        ax.legend(fontsize=8, title="design: downtime", title_fontsize=8, framealpha=0.9,
                  **where)
    return ax


# Where a label may sit around its point, in order of preference: (dx, dy) in
# units of the marker's radius plus the label's half width and half height.
_AROUND = ((0.75, 0.75), (1.0, 0.0), (-0.75, 0.75), (-1.0, 0.0), (0.75, -0.75),
           (-0.75, -0.75), (0.0, 1.0), (0.0, -1.0))


def _place_point_labels(ax, points, labels, *, path, fontsize=9):
    """Name each point beside it, where the name covers no marker, no other name and
    no arrow of the path, and stays inside the axes.

    Each label tries eight places around its point (up and to the right
    first), then the same eight a little further out. A place that overlaps
    a marker, an isoline's label, a label placed before or the edge of the
    axes is refused if any other place is free; among the free ones, the
    first that crosses no arrow of the path wins (else the one crossing the
    fewest). Computed on screen, once the axes' limits are final.
    """
    from matplotlib.transforms import Bbox

    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    pt = fig.dpi / 72.0
    xy = ax.transData.transform(np.asarray(points, dtype=float))
    r = 5.5 * pt  # a marker of s=60 is about 8 pt across; 1.5 pt of air around it
    taken = [Bbox.from_extents(x - r, y - r, x + r, y + r) for x, y in xy]
    taken += [t.get_window_extent(renderer) for t in ax.texts]  # the isolines' labels
    arrows = []  # points along each arrow of the path, where it is drawn (off the markers)
    for a, b in zip(xy[:-1], xy[1:]) if path else ():
        line = np.linspace(a, b, 60)
        drawn = np.minimum(np.hypot(*(line - a).T), np.hypot(*(line - b).T)) > r
        arrows.append(line[drawn])
    frame = ax.get_window_extent(renderer)
    for (x, y), label in zip(xy, labels):
        text = ax.annotate(label, ax.transData.inverted().transform((x, y)),
                           textcoords="offset points", xytext=(0, 0), ha="left", va="bottom",
                           fontsize=fontsize, zorder=4)
        ext = text.get_window_extent(renderer)
        w, h = ext.width, ext.height
        best, best_cost = None, math.inf
        around = [(dx, dy, gap) for gap in (1.0, 3.0) for dx, dy in _AROUND]
        for rank, (dx, dy, gap) in enumerate(around):
            cx, cy = x + dx * (gap * r + w / 2), y + dy * (gap * r + h / 2)
            box = Bbox.from_extents(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
            overlap = sum(style.overlap_area(box, other) for other in taken)
            outside = w * h - style.overlap_area(box, frame)
            crossed = sum(bool(((pts[:, 0] > box.x0) & (pts[:, 0] < box.x1)
                                & (pts[:, 1] > box.y0) & (pts[:, 1] < box.y1)).any())
                          for pts in arrows)
            cost = 1e6 * (overlap + outside) + 100 * crossed + rank
            if cost < best_cost:
                best, best_cost = box, cost
        text.xyann = ((best.x0 - x) / pt, (best.y0 - y) / pt)
        taken.append(best)


def _minor_formatter():
    """Plain numbers at the minor ticks a short log axis labels (2, 3, 5), none elsewhere."""
    from matplotlib.ticker import LogFormatter

    class _Plain(LogFormatter):
        def __call__(self, x, pos=None):
            return f"{x:g}" if super().__call__(x, pos) else ""

    return _Plain(labelOnlyBase=False, minor_thresholds=(1.0, 0.6))


def _minutes(value: float) -> str:
    """Minutes a year for a legend: three significant digits, whole minutes above 1000."""
    return f"{value:,.0f}" if value >= 1000 else f"{value:.3g}"


def _draw_path(ax, points):
    """Arrows from each point to the next, stopping short of the markers."""
    from itertools import pairwise

    from matplotlib.patches import FancyArrowPatch

    for (x0, y0), (x1, y1) in pairwise(points):
        ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=12,
                                     shrinkA=6, shrinkB=6, lw=1.1,
                                     color=style.PALETTE["neutral"], zorder=2))


def _span(lo: float, hi: float, pad: float = 4.0, decades: float = 2.0):
    """Log-axis limits around [lo, hi] with a margin, at least `decades` wide."""
    lo, hi = lo / pad, hi * pad
    short = decades - math.log10(hi / lo)
    if short > 0:
        lo, hi = lo / 10 ** (short / 2), hi * 10 ** (short / 2)
    return lo, hi


def _draw_isolines(ax, levels, xlo, xhi, ylo, yhi):
    """Dashed lines y = level / x, labelled along the line near its top-left end."""
    grid = np.geomspace(xlo, xhi, 60)
    # On log-log axes every isoline has slope -1 in decades: one display angle.
    fig = ax.figure
    box = ax.get_position()
    width_in = fig.get_figwidth() * box.width / math.log10(xhi / xlo)
    height_in = fig.get_figheight() * box.height / math.log10(yhi / ylo)
    angle = -math.degrees(math.atan2(height_in, width_in))
    for level in levels:
        ax.plot(grid, level / grid, ls="--", lw=0.8, color=style.PALETTE["neutral"], zorder=1)
        # Label in the margins the limits leave free of points: along the top
        # edge, else the right edge, else the left edge.
        for x in (level / (yhi / 1.8), xhi / 1.8, xlo * 1.8):
            if xlo * 1.2 <= x <= xhi / 1.2 and ylo * 1.2 <= level / x <= yhi / 1.2:
                break
        else:
            continue
        ax.text(x, level / x, style.format_minutes_per_year(level), fontsize=8,
                color=style.PALETTE["neutral"], rotation=angle, rotation_mode="anchor",
                ha="center", va="center", zorder=2,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85})


def plot_incidents(models, ax=None, *, logx=None, colors=None):
    """Component incidents per year against system outages per year, per design.

    Redundancy turns incidents (the pages the on-call team gets) into fewer
    outages, but adds units, so a redundant design usually has *more*
    incidents. The horizontal bars show both per design.

    Parameters
    ----------
    models : mapping of label to model, or sequence of models
    ax : matplotlib Axes, optional
    logx : bool, optional
        Log x axis; by default chosen when the values span more than two
        decades.
    colors : mapping of label to colour, optional
        One colour per design, as in the other charts of a report: each
        design's bars take its colour, incidents hatched and pale, outages
        solid. By default the two series have a colour each instead.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import hamodel as hm
    >>> one = hm.Component("server", mtbf="5y", mttr="4h")
    >>> pair = hm.parallel(one, one.renamed("server-2"))
    >>> ax = hm.plot_incidents({"single": one, "pair": pair})
    >>> len(ax.patches)  # two bars per design
    4
    >>> plt.close(ax.figure)
    >>> ax = hm.plot_incidents({"single": one, "pair": pair},
    ...                        colors={"single": "tab:blue", "pair": "tab:orange"})
    >>> plt.close(ax.figure)
    """
    pairs = style.items(models)
    ax = style.new_axes(ax, (7.0, 1.2 + 0.7 * len(pairs)))
    labels = [label for label, _ in pairs]
    measures = [model.measures() for _, model in pairs]
    incidents = np.array([m.incidents_per_year for m in measures])
    outages = np.array([m.outages_per_year for m in measures])
    values = np.concatenate([incidents, outages])
    positive = values[values > 0]
    if logx is None:
        logx = positive.size > 0 and positive.max() / positive.min() > 100
    y = np.arange(len(pairs))[::-1].astype(float)
    h = 0.38
    if colors is None:
        series = (("component incidents (pages)", incidents, y + h / 2, style.color(1), {}),
                  ("system outages", outages, y - h / 2, style.color(0), {}))
    else:
        per_design = [style.design_color(colors, label, i) for i, label in enumerate(labels)]
        series = (("component incidents (pages)", incidents, y + h / 2, per_design,
                   {"alpha": 0.45, "hatch": "///", "edgecolor": "white"}),
                  ("system outages", outages, y - h / 2, per_design, {}))
    for name, vals, pos, col, extra in series:
        bars = ax.barh(pos, vals, height=h, color=col, label=name, **extra)
        ax.bar_label(bars, labels=[f"{v:.3g}" for v in vals], padding=3, fontsize=8)
    if logx and positive.size:
        ax.set_xscale("log")
        ax.set_xlim(positive.min() / 3, positive.max() * 8)
        ax.xaxis.set_major_formatter(style.log_tick_formatter())
    else:
        ax.set_xlim(0, max(values.max(), 1e-12) * 1.2)
    ax.set_yticks(y, labels)
    ax.set_xlabel("events per year (1/yr)" + (", log scale" if logx else ""))
    ax.set_ylabel("design")
    ax.set_title("Incidents (pages) and outages per year", pad=22)
    if colors is None:
        style.legend_above(ax)
    else:  # the legend tells the two kinds of bar apart, in grey; the ticks name the designs
        from matplotlib.patches import Patch

        grey = style.PALETTE["neutral"]
        style.legend_above(ax, handles=[
            Patch(facecolor=grey, alpha=0.45, hatch="///", edgecolor="white",
                  label="component incidents (pages)"),
            Patch(facecolor=grey, label="system outages")])
    return ax


def plot_availability(models, ax=None, *, t_max=None, points=200, label=None,
                      unavailability=None):
    """Point availability A(t) from the initial state, with the steady state dashed.

    Parameters
    ----------
    models : model, mapping of label to model, or sequence of models
        Anything with ``.to_ctmc()``.
    ax : matplotlib Axes, optional
    t_max : duration, optional
        End of the time axis (``"2d"``, hours). Default: five relaxation
        times of the slowest chain (from its generator's eigenvalues), so the
        approach to the steady state is visible.
    points : int
        Number of times at which A(t) is computed.
    label : str, optional
        Legend label when a single model is given.
    unavailability : bool, optional
        Draw U(t) = 1 - A(t) on a log axis instead, which keeps designs
        with different numbers of nines apart. Default: when several models
        are given.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import hamodel as hm
    >>> ax = hm.plot_availability(hm.Component("s", mtbf="10h", mttr="1h"), t_max="10h")
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('time since all up (h)', 'availability A(t)')
    >>> len(ax.get_legend().get_texts())  # A(t) and its steady state
    2
    >>> plt.close(ax.figure)
    """
    single = hasattr(models, "to_ctmc")
    pairs = style.items(models)
    if single and label is not None:
        pairs = [(label, models)]
    if unavailability is None:
        unavailability = len(pairs) > 1
    chains = [(lab, model.to_ctmc(), model.measures()) for lab, model in pairs]
    top = duration(t_max) if t_max is not None else max(_relaxation(c) for _, c, _ in chains) * 5
    if top <= 0:
        raise ValueError(f"t_max = {t_max!r}: expected a positive duration")
    suffix, unit = style.time_unit(top)
    ax = style.new_axes(ax, (7.0, 4.5))
    t = np.linspace(0.0, top, points)
    for i, (lab, chain, m) in enumerate(chains):
        col = style.color(i)
        steady = style.format_availability(m.availability, m.unavailability)
        if unavailability:
            # Sum the down states directly: 1 - A(t) would lose the digits.
            down = np.array([p[~chain.up].sum() for p in chain.transient(t[1:])])
            ax.plot(t[1:] / unit, down, color=col, lw=1.6, label=f"{lab}: U(t)")
            ax.axhline(m.unavailability, ls="--", lw=1.0, color=col,
                       label=f"{lab}: steady state U = {m.unavailability:.3g} (A = {steady})")
        else:
            ax.plot(t / unit, chain.availability_at(t), color=col, lw=1.6, label=f"{lab}: A(t)")
            ax.axhline(m.availability, ls="--", lw=1.0, color=col,
                       label=f"{lab}: steady state {steady}")
    if unavailability:
        ax.set_yscale("log")
        ax.set_ylabel("unavailability U(t) = 1 - A(t)")
        where = "best"
    else:
        ax.ticklabel_format(axis="y", useOffset=False)
        ax.set_ylabel("availability A(t)")
        where = "best"
    ax.set_xlim(0, top / unit)
    ax.set_xlabel(f"time since all up ({suffix})")
    ax.set_title("Point availability from a fresh start" if len(chains) > 1
                 else f"Point availability of {chains[0][0]}")
    ax.grid(True, color=style.PALETTE["grid"], lw=0.4, alpha=0.6)
    ax.legend(fontsize=8, loc=where, framealpha=0.9)
    return ax


def _relaxation(chain) -> float:
    """Slowest relaxation time (hours) of a chain: 1 / smallest non-zero |Re eigenvalue|."""
    if chain.n_states > 400:
        return 24.0 * 7
    ev = np.linalg.eigvals(chain.Q.toarray())
    rates = -ev.real
    scale = np.abs(ev).max()
    rates = rates[rates > 1e-9 * scale]
    return 1.0 / rates.min() if rates.size else 1.0


def plot_outage_duration(models, ax=None, *, longer_than="20min", t_max=None, logx=None,
                         logy=False, colors=None):
    """Survival curve of outage length, P(outage lasts longer than t), with a limit.

    The limit `longer_than` (an SLA's tolerated outage, say) is a dotted
    vertical line;
    each curve's value there is marked and quoted in the legend, with the
    outages per year that last longer.

    Parameters
    ----------
    models : model, mapping of label to model, or sequence of models
        Anything with ``.outage_duration()``.
    ax : matplotlib Axes, optional
    longer_than : duration
        Outage length to mark, e.g. ``"20min"`` (the name
        :func:`hamodel.compare` uses for the same thing).
    t_max : duration, optional
        End of the time axis; default the largest 99th percentile (at least
        twice `longer_than`).
    logx : bool, optional
        Log time axis, so that a 30-second failover and a 4-hour repair both
        show. Default: when the median outage lengths differ by more than
        a factor of ten.
    logy : bool
        Log scale for the probability axis (shows the tail).
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
    >>> ax = hm.plot_outage_duration({"one": hm.Component("s", mtbf="1y", mttr="20min")})
    >>> ax.get_xlabel()
    'outage length t (min)'
    >>> plt.close(ax.figure)
    """
    limit = duration(longer_than)
    pairs = style.items(models)
    dists = [(label, model.measures(), model.outage_duration()) for label, model in pairs]
    top = duration(t_max) if t_max is not None else max(d.quantile(0.99) for *_, d in dists)
    top = max(top, 2 * limit)
    bottom = min([d.quantile(0.01) for *_, d in dists] + [limit / 2])
    if logx is None:
        medians = [d.quantile(0.5) for *_, d in dists]
        logx = max(medians) > 10 * max(min(medians), 1e-12)
    bottom = max(bottom, top * 1e-5)
    suffix, unit = ("min", 1 / 60) if top <= 3.0 or logx else ("h", 1.0)
    ax = style.new_axes(ax, (7.0, 5.0), constrained=True)
    t = np.geomspace(bottom, top, 300) if logx else np.linspace(0.0, top, 300)
    for i, (label, m, dist) in enumerate(dists):
        col = style.design_color(colors, label, i)
        p = float(dist.sf(limit))
        per_year = m.outages_per_year * p
        ax.plot(t / unit, dist.sf(t), color=col, lw=1.6,
                label=f"{label}: {_percent(p)} last > {longer_than} ({per_year:.2g}/yr)")
        ax.plot([limit / unit], [p], "o", color=col, ms=5, zorder=3)
    ax.axvline(limit / unit, ls=":", color="black", lw=1.2, label=f"tolerated {longer_than}")
    if logy:
        ax.set_yscale("log")
    else:
        ax.set_ylim(0, 1.04)
    if logx:
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(style.log_tick_formatter())
        ax.set_xlim(bottom / unit, top / unit)
    else:
        ax.set_xlim(0, top / unit)
    ax.set_xlabel(f"outage length t ({suffix}" + (", log scale)" if logx else ")"))
    ax.set_ylabel("P(outage lasts longer than t)")
    ax.set_title("How long outages last")
    ax.grid(True, color=style.PALETTE["grid"], lw=0.4, alpha=0.6)
    style.legend_below(ax, ncol=1 if len(dists) < 3 else 2)
    return ax


def _percent(p: float) -> str:
    """A probability as a percentage that keeps small values visible: 92.0%, 0.021%."""
    return f"{p:.1%}" if p >= 1e-3 or p == 0 else f"{100 * p:.2g}%"
