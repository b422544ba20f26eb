"""Lumping a chain: groups of states as one state each, with the same steady-state flows.

A chain of 18 states is hard to read; the same chain with its states grouped
by role (healthy, one node serving, fencing, taking over, blocked, both down)
is not. :func:`lumped_chain` builds that smaller chain from the solved one: the
rate from group G to group H is the steady-state flow from G to H divided by
the probability of G,

.. math:: q_{GH} = \\frac{\\sum_{i \\in G} \\sum_{j \\in H} \\pi_i q_{ij}}
          {\\sum_{i \\in G} \\pi_i}.

The lumped chain then has the groups' probabilities as its steady state and the
same flow between every pair of groups, so as long as every group is all up or
all down it has the same availability, outages per year and mean outage
length as the full chain (Kemeny and Snell, *Finite Markov Chains*, 1960,
ch. 6; the rates are exact when the chain is lumpable, and otherwise describe
the steady state only: the law of one outage's length may differ).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import scipy.sparse as sp

from .ctmc import CTMC

__all__ = ["lumped_chain"]


def lumped_chain(model, group, *, name: str | None = None) -> CTMC:
    """The chain between groups of a model's states, with the full chain's steady-state flows.

    Parameters
    ----------
    model : model
        Anything with ``.to_ctmc()`` (Component, CTMC, block, pattern), or an
        object with a ``.model`` (a Stack).
    group : callable or mapping
        The group of each state: ``group(state)`` or ``group[state]``, a
        hashable label. Groups are ordered by their first state.
    name : str, optional
        Name of the lumped chain; default ``"<model name>, lumped"``.

    Returns
    -------
    CTMC
        One state per group. A group is healthy if it holds a healthy state
        and is the initial state if it holds the most likely initial state.
        Incidents and counted events (``events``) are carried over, except
        those on transitions that stay inside a group: the lumped chain has
        no self-loops.

    Raises
    ------
    ValueError
        If a group mixes up and down states (name, and the states of each
        kind), or a group has zero steady-state probability.
    KeyError
        If `group` is a mapping without an entry for a state (the state is
        named).

    Examples
    --------
    Three units with one repair each, lumped by how many are up: the
    birth-death chain 3 -> 2 -> 1 -> 0 of textbooks, and the same measures.

    >>> import hamodel as hm
    >>> units = [hm.Component(f"n{i}", failure_rate=0.01, repair_rate=0.5) for i in range(3)]
    >>> pool = hm.parallel(*units)
    >>> by_count = hm.lumped_chain(pool, lambda s: f"{s.count('up')} up")
    >>> by_count.states
    ('3 up', '2 up', '1 up', '0 up')
    >>> by_count.Q.toarray().round(4)[:2]
    array([[-0.03,  0.03,  0.  ,  0.  ],
           [ 0.5 , -0.52,  0.02,  0.  ]])
    >>> abs(by_count.measures().availability - pool.measures().availability) < 1e-15
    True
    """
    if not hasattr(model, "to_ctmc") and hasattr(model, "model"):
        model = model.model  # a Stack
    if not hasattr(model, "to_ctmc"):
        raise TypeError(f"{model!r} is not a model: expected a Component, CTMC, block, "
                        "pattern or an object with a .model")
    chain = model.to_ctmc()
    label_of: Callable = group.__getitem__ if isinstance(group, Mapping) else group
    if not callable(label_of):
        raise TypeError(f"group must be a callable or a mapping of state -> group, got {group!r}")
    labels = []
    for s in chain.states:
        try:
            labels.append(label_of(s))
        except KeyError:
            raise KeyError(f"group has no entry for state {s!r}") from None
    groups = list(dict.fromkeys(labels))
    index = {g: k for k, g in enumerate(groups)}
    member = np.array([index[g] for g in labels])
    m = len(groups)
    # Aggregation matrix: state i -> column of its group.
    agg = sp.csr_array((np.ones(len(member)), (np.arange(len(member)), member)),
                       shape=(len(member), m))
    for k, g in enumerate(groups):
        ups = chain.up[member == k]
        if ups.any() and not ups.all():
            states = np.asarray(chain.states, dtype=object)[member == k]
            raise ValueError(f"group {g!r} mixes up states {list(states[ups])} and down "
                             f"states {list(states[~ups])}; a group must be all up or all down")
    pi = chain.steady_state()
    prob = pi @ agg.toarray()
    if np.any(prob <= 0):
        empty = [g for g, p in zip(groups, prob) if p <= 0]
        raise ValueError(f"groups {empty} have zero steady-state probability: "
                         "their outgoing rates are undefined")

    Q = chain.Q.tocsr()
    off = Q - sp.diags_array(Q.diagonal())
    weighted = sp.diags_array(pi) @ off  # pi_i q_ij

    def between(flows):
        """Group-to-group flow matrix of a state-to-state flow matrix, diagonal dropped."""
        F = (agg.T @ flows @ agg).toarray()
        np.fill_diagonal(F, 0.0)
        return F

    flow = between(weighted)
    rates = flow / prob[:, None]
    np.fill_diagonal(rates, -rates.sum(axis=1))

    def weights(W):
        """Per lumped transition: the share of its flow that W counts (incidents, events)."""
        counted = between(weighted.multiply(W))
        return np.divide(counted, flow, out=np.zeros_like(flow), where=flow > 0)

    up = np.array([bool(chain.up[member == k].all()) for k in range(m)])
    healthy = [g for k, g in enumerate(groups) if chain.healthy[member == k].any()]
    initial = groups[int(member[int(np.argmax(chain.initial))])]
    return CTMC(rates, up=up, states=groups, initial=initial,
                name=name if name is not None else f"{model.name}, lumped",
                incidents=weights(chain.incidents), healthy=healthy,
                events={k: weights(w) for k, w in chain.events.items()})
