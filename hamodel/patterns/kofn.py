"""The CTMC of a k-of-n group whose units interact (shared crews, common cause)."""

from __future__ import annotations

import itertools
from collections import defaultdict

import scipy.sparse as sp

from ..ctmc import CTMC

__all__ = ["kofn_chain"]

_MAX_DISTINCT_UNITS = 8


def kofn_chain(k: int, units, crews: int | None, beta: float, name: str) -> CTMC:
    """Build the chain of a k-of-n group of Components.

    Failures: each up unit fails on its own at ``(1 - beta) * lambda_i``; a
    common-cause event at ``beta * mean(lambda)`` fails every unit still up.
    Repairs: with ``crews = r`` the first r failed units, in order of
    failure, are under repair; with ``crews = None`` every failed unit is.

    Identical units are lumped by the number failed (a birth-death chain
    when beta = 0); distinct units are tracked one by one (the ordered tuple
    of failed units when crews are shared, the set otherwise).
    """
    lam = [u.failure_rate for u in units]
    mu = [u.repair_rate for u in units]
    n = len(units)
    common = beta * sum(lam) / n
    rates: dict = defaultdict(float)  # (src, dst) -> rate
    weighted: dict = defaultdict(float)  # (src, dst) -> rate x units failed

    def add(src, dst, rate, failures):
        if rate > 0:
            rates[src, dst] += rate
            weighted[src, dst] += rate * failures

    if len(set(lam)) == 1 and len(set(mu)) == 1:
        label = [f"{n - j} up" for j in range(n + 1)]
        for j in range(n + 1):
            if j < n:
                add(label[j], label[j + 1], (n - j) * (1 - beta) * lam[0], 1)
                add(label[j], label[n], common, n - j)
            if j > 0:
                busy = j if crews is None else min(j, crews)
                add(label[j], label[j - 1], busy * mu[0], 0)
        up = [label[j] for j in range(n + 1) if n - j >= k]
        healthy = [label[0]]
    else:
        if n > _MAX_DISTINCT_UNITS:
            raise ValueError(f"k_of_n {name!r}: {n} distinct units with crews or beta would make "
                             f"too large a chain; at most {_MAX_DISTINCT_UNITS} are supported")
        names = [u.name for u in units]
        ordered = crews is not None
        states = [()]
        for size in range(1, n + 1):
            source = itertools.permutations(range(n), size) if ordered else \
                itertools.combinations(range(n), size)
            states.extend(source)
        for failed in states:
            alive = [i for i in range(n) if i not in failed]
            for i in alive:
                dst = failed + (i,) if ordered else tuple(sorted(failed + (i,)))
                add(failed, dst, (1 - beta) * lam[i], 1)
            if alive:
                dst = failed + tuple(alive) if ordered else tuple(range(n))
                add(failed, dst, common, len(alive))
            in_repair = failed if crews is None else failed[:crews]
            for i in in_repair:
                add(failed, tuple(f for f in failed if f != i), mu[i], 0)
        pretty = {s: "all up" if not s else "failed: " + ", ".join(names[i] for i in s)
                  for s in states}
        rates = {(pretty[s], pretty[d]): r for (s, d), r in rates.items()}
        weighted = {(pretty[s], pretty[d]): w for (s, d), w in weighted.items()}
        up = [pretty[s] for s in states if n - len(s) >= k]
        healthy = [pretty[()]]
    transitions = [(s, d, r) for (s, d), r in rates.items()]
    chain = CTMC.from_transitions(transitions, up=up, initial=healthy[0], name=name,
                                  healthy=healthy)
    index = {s: i for i, s in enumerate(chain.states)}
    rows = [index[s] for s, _ in weighted]
    cols = [index[d] for _, d in weighted]
    vals = [weighted[key] / rates[key] for key in weighted]
    incidents = sp.csr_array((vals, (rows, cols)), shape=chain.Q.shape)
    return CTMC(chain.Q, chain.up, states=chain.states, initial=chain.initial, name=name,
                incidents=incidents, healthy=healthy)
