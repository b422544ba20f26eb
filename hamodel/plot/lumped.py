"""The state diagram of a chain too large to read, with its states grouped by role.

:func:`plot_lumped_state_diagram` lumps a model's chain with
:func:`hamodel.lumped_chain` (one box per group, the steady-state flows of the
full chain between them) and draws it with :func:`plot_state_diagram`, each box
labelled with its group's steady-state probability and every arrow with its
rate in the lumped chain.
"""

from __future__ import annotations

from ..lumping import lumped_chain
from .diagrams import plot_state_diagram

__all__ = ["plot_lumped_state_diagram"]


def plot_lumped_state_diagram(model, group, ax=None, *, min_frequency=None, edge_labels=True):
    """Draw a model's chain with its states grouped: one box per group, arrows by how often.

    Each box is a group of states with its steady-state probability π. Each
    arrow is labelled with how often the chain moves from one group to the
    other in the steady state, per year (``2/3y``: twice in three years), so
    what flows into a box equals what flows out of it. These are the flows of
    :func:`hamodel.lumped_chain`, which keeps the full chain's availability,
    outages per year and mean outage length.

    Parameters
    ----------
    model : model
        Anything with ``.to_ctmc()``, or an object with a ``.model`` (a Stack).
    group : callable or mapping
        The group of each state, as for :func:`hamodel.lumped_chain`. Every
        group must be all up or all down.
    ax : matplotlib Axes, optional
        Where to draw; by default a new figure sized to the lumped chain.
    min_frequency : duration-rate or float, optional
        Leave out transitions rarer than this many times per year (a float)
        or than once per a duration (``"10000y"``); the title says how many
        were left out. By default every transition is drawn.
    edge_labels : bool
        Write each transition's frequency on its arrow.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If `min_frequency` is negative (and as :func:`hamodel.lumped_chain`).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import hamodel as hm
    >>> units = [hm.Component(f"n{i}", mtbf="2y", mttr="8h") for i in range(3)]
    >>> pool = hm.parallel(*units)               # 8 states
    >>> ax = hm.plot_lumped_state_diagram(pool, lambda s: f"{s.count('up')} up")
    >>> sum(p.get_gid() == "state" for p in ax.patches)  # 3, 2, 1 and 0 up
    4
    >>> ax.get_title().splitlines()[0]
    'parallel(n0, n1, n2): 8 states in 4 groups'
    >>> plt.close(ax.figure)
    """
    import numpy as np

    from ..ctmc import CTMC
    from ..units import HOURS_PER_YEAR, positive_duration

    chain = lumped_chain(model, group)
    full = (model if hasattr(model, "to_ctmc") else model.model).to_ctmc()
    pi = chain.steady_state()
    Q = chain.Q.toarray()
    flow = pi[:, None] * Q  # per hour
    np.fill_diagonal(flow, 0.0)
    left_out = 0
    if min_frequency is not None:
        if isinstance(min_frequency, str):
            threshold = 1.0 / positive_duration(min_frequency, "min_frequency")
        else:
            threshold = float(min_frequency) / HOURS_PER_YEAR
        if not threshold >= 0:
            raise ValueError(f"min_frequency must be >= 0, got {min_frequency!r}")
        rare = (flow > 0) & (flow < threshold)
        left_out = int(rare.sum())
        flow[rare] = 0.0
    np.fill_diagonal(flow, -flow.sum(axis=1))
    # No-break spaces keep "π = 0.002" on one line when a label is wrapped.
    names = [f"{g} π\u00a0=\u00a0{p:.3g}" for g, p in zip(chain.states, pi)]
    healthy = [n for n, h in zip(names, chain.healthy) if h]
    initial = names[int(np.argmax(chain.initial))]
    # A chain only for drawing: its "rates" are the lumped flows, so each arrow
    # is labelled with how often that transition happens.
    shown = CTMC(flow, up=chain.up, states=names, initial=initial, healthy=healthy,
                 name=chain.name)
    ax = plot_state_diagram(shown, ax=ax, edge_labels=edge_labels)
    source = chain.name.removesuffix(", lumped")
    note = (f"\n{left_out} transition{'s' if left_out != 1 else ''} rarer than "
            f"{_per_year(threshold * HOURS_PER_YEAR)} not drawn" if left_out else "")
    ax.set_title(f"{source}: {full.n_states} states in {chain.n_states} groups\n"
                 f"arrows: how often each move happens (2/3y: twice in 3 years){note}",
                 fontsize=10)
    return ax


def _per_year(f: float) -> str:
    """A frequency per year in words: ``once in 10,000 years``, ``0.5/yr``."""
    if f < 1:
        return f"once in {1 / f:,.0f} years"
    return f"{f:g}/yr"
