"""Figures, drawn from the same model objects that are solved.

Every function takes ``ax=None`` (a new figure when None), returns the
matplotlib Axes, and never calls ``plt.show()``.
"""

from __future__ import annotations

import numpy as np

from .units import duration

__all__ = ["plot_frequency_duration", "plot_availability", "plot_outage_duration"]


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(7, 5))
    return ax


def _items(models):
    return list(models.items()) if hasattr(models, "items") else [(m.name, m) for m in models]


def plot_frequency_duration(models, ax=None, *, isolines=(1, 10, 60, 600, 6000), annotate=True):
    """Outages per year (x) against mean outage duration (y), log axes.

    Dashed lines mark constant downtime per year (minutes): a design further
    right has more outages, a design higher up has longer ones, and
    designs on the same dashed line lose the same minutes per year.

    Parameters
    ----------
    models : mapping of label to model, or sequence of models
    ax : matplotlib Axes, optional
    isolines : sequence of float
        Downtime levels in minutes per year for the dashed lines.
    annotate : bool
        Write each design's label beside its point.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import hamodel as hm
    >>> one = hm.Component("server", mtbf="5y", mttr="4h")
    >>> ax = hm.plot_frequency_duration({"single server": one})
    >>> ax.get_xlabel()
    'outages per year'
    """
    ax = _axes(ax)
    items = _items(models)
    points = []
    for label, model in items:
        m = model.measures()
        x, y = m.outages_per_year, m.mean_down_time * 60.0
        points.append((x, y))
        ax.scatter([x], [y], s=60, zorder=3, label=f"{label}: {m.downtime_minutes_per_year:.3g} min/yr")
        if annotate:
            ax.annotate(label, (x, y), textcoords="offset points", xytext=(6, 6), fontsize=9)
    xs = np.array([p[0] for p in points if p[0] > 0])
    ys = np.array([p[1] for p in points if p[0] > 0])
    if xs.size:
        xlo, xhi = xs.min() / 10, xs.max() * 10
        ylo, yhi = ys.min() / 10, ys.max() * 10
        grid = np.geomspace(xlo, xhi, 50)
        for level in isolines:
            ax.plot(grid, level / grid, ls="--", lw=0.8, color="grey")
            xt = level / (yhi / 1.5)
            if xlo <= xt <= xhi:
                ax.text(xt, yhi / 1.5, f"{level:g} min/yr", fontsize=7, color="grey", rotation=-35)
        ax.set_xlim(xlo, xhi)
        ax.set_ylim(ylo, yhi)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("outages per year")
    ax.set_ylabel("mean outage duration (minutes)")
    ax.set_title("Frequency and duration of outages (dashed: downtime per year)")
    ax.legend(fontsize=8, loc="best")
    return ax


def plot_availability(model, t_max="1y", ax=None, *, points=200, label=None):
    """Point availability from the initial state over time, with the steady state.

    Examples
    --------
    >>> import hamodel as hm
    >>> ax = hm.plot_availability(hm.Component("s", mtbf="10h", mttr="1h"), t_max="10h")
    >>> ax.get_ylabel()
    'availability A(t)'
    """
    ax = _axes(ax)
    chain = model.to_ctmc()
    t = np.linspace(0.0, duration(t_max), points)
    ax.plot(t, chain.availability_at(t), label=label or f"{model.name}: A(t)")
    ax.axhline(model.measures().availability, ls="--", color="grey", label="steady state")
    ax.set_xlabel("time (hours)")
    ax.set_ylabel("availability A(t)")
    ax.set_title(f"Point availability of {model.name}")
    ax.legend()
    return ax


def plot_outage_duration(models, threshold="20min", ax=None, *, t_max=None):
    """Survival curve of outage length, P(outage > t), with a threshold marked.

    Examples
    --------
    >>> import hamodel as hm
    >>> ax = hm.plot_outage_duration({"one": hm.Component("s", mtbf="1y", mttr="4h")})
    >>> ax.get_xlabel()
    'outage length (minutes)'
    """
    ax = _axes(ax)
    limit = duration(threshold)
    items = _items(models)
    dists = [(label, model.outage_duration()) for label, model in items]
    top = duration(t_max) if t_max is not None else max(d.quantile(0.99) for _, d in dists)
    top = max(top, 2 * limit)
    t = np.linspace(0.0, top, 200)
    for label, dist in dists:
        ax.plot(t * 60, dist.sf(t), label=f"{label}: {dist.sf(limit):.2%} > {threshold}")
    ax.axvline(limit * 60, ls=":", color="black", label=f"threshold {threshold}")
    ax.set_xlabel("outage length (minutes)")
    ax.set_ylabel("P(outage lasts longer)")
    ax.set_title("How long outages last")
    ax.legend(fontsize=8)
    return ax


