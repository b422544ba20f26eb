"""Outage-length distribution of a series of independent parts.

The series is down while any part is down; one outage is the excursion of
the product chain outside the product of the parts' up sets. Three facts
keep it small:

* identical parts are lumped: ``m`` copies of an ``n``-state chain become one
  chain on the multisets of their states (exact, by symmetry), so 15 equal
  components are 16 states, not 32,768;
* the product chain's stationary law is the product of the parts' own, and
  the outage starts with the steady-state flow from "all up" into the down
  set;
* during an outage the number of parts down at once is small with high
  probability. Keeping only the states with at most ``K`` parts down and
  counting a move to ``K + 1`` as the end of the outage gives a distribution
  that is stochastically smaller than the true one, by at most the chance
  ``P_K`` that an outage ever has ``K + 1`` parts down:
  ``sf_K(t) <= sf(t) <= sf_K(t) + P_K`` for every t. Every such move happens
  during an outage, so ``P_K`` is at most the expected number per outage,
  the steady-state flow from ``K`` to ``K + 1`` parts down over the failure
  frequency: a bound that needs no solve. The smallest ``K`` with
  ``P_K <= OUTAGE_TOLERANCE`` is used.

When nothing fits, the outage is taken to last as long as that of the part
that started it: a lower bound, exact unless a second part fails during the
outage (again bounded by a steady-state flow). It carries ``exact = False``
and raises an :class:`~hamodel.ApproximationWarning` unless that bound is
within the tolerance.
"""

from __future__ import annotations

import math
import warnings
from itertools import combinations_with_replacement

import numpy as np
import scipy.sparse as sp

from .phasetype import ApproximationWarning, PhaseType

#: Largest number of phases an exact (or truncated) series outage may have.
OUTAGE_PHASES = 50_000
#: Largest product of the lumped parts' state counts that is built at all.
OUTAGE_PRODUCT_STATES = 2_000_000
#: Bound on the error of the outage's survival function below which it counts as exact.
OUTAGE_TOLERANCE = 1e-12


class _Part:
    """A part's chain as (Q, up, pi) arrays; lumped copies of identical chains."""

    def __init__(self, Q, up, pi, copies=1):
        self.Q = sp.csr_array(Q)
        self.up = np.asarray(up, dtype=bool)
        self.pi = np.asarray(pi, dtype=float)
        self.copies = copies

    @property
    def n(self) -> int:
        return self.up.size


def _key(chain) -> tuple:
    Q = sp.csr_array(chain.Q)
    Q.sort_indices()
    return (Q.shape, Q.data.tobytes(), Q.indices.tobytes(), Q.indptr.tobytes(),
            chain.up.tobytes())


def _lumped(chain, m: int) -> _Part:
    """The chain of m independent copies of `chain`, lumped to multisets of states."""
    Q = sp.csr_array(chain.Q).tocoo()
    n = chain.n_states
    pi1 = chain.solution.pi
    states = [tuple(np.bincount(c, minlength=n)) for c in
              combinations_with_replacement(range(n), m)]
    index = {s: i for i, s in enumerate(states)}
    off = Q.row != Q.col
    rows, cols, vals = [], [], []
    for i, s in enumerate(states):
        for a, b, rate in zip(Q.row[off], Q.col[off], Q.data[off]):
            if s[a] and rate > 0:
                t = list(s)
                t[a] -= 1
                t[b] += 1
                rows.append(i)
                cols.append(index[tuple(t)])
                vals.append(s[a] * rate)
    k = len(states)
    L = sp.csr_array((vals, (rows, cols)), shape=(k, k))
    L = L - sp.diags_array(np.asarray(L.sum(axis=1)).ravel())
    up = np.array([all(c == 0 or chain.up[a] for a, c in enumerate(s)) for s in states])
    log_pi = np.log(np.where(pi1 > 0, pi1, 1.0))
    pi = np.array([math.exp(math.lgamma(m + 1) - sum(math.lgamma(c + 1) for c in s)
                            + sum(c * log_pi[a] for a, c in enumerate(s)))
                   if all(c == 0 or pi1[a] > 0 for a, c in enumerate(s)) else 0.0
                   for s in states])
    return _Part(L, up, pi / pi.sum(), copies=m)


def _parts(chains) -> list[_Part]:
    groups: dict = {}
    for c in chains:
        groups.setdefault(_key(c), []).append(c)
    out = []
    for members in groups.values():
        c = members[0]
        out.append(_Part(c.Q, c.up, c.solution.pi) if len(members) == 1
                   else _lumped(c, len(members)))
    return out


def series_outage(chains, exact_mean: float, name: str):
    """The outage of a series of independent `chains`, exact or exact to a stated bound.

    Returns ``(PhaseType, "")`` or, when no such distribution fits in
    :data:`OUTAGE_PHASES` phases, ``(None, reason)``.
    """
    parts = _parts(chains)
    total = math.prod(p.n for p in parts)
    # Sizes and cut-off bounds of the truncations come from the parts alone, so no
    # product chain is built only to be thrown away.
    K = _truncation(parts)
    if K is None:
        return None, (f"the {total - math.prod(int(p.up.sum()) for p in parts):,} down states "
                      f"are more than OUTAGE_PHASES = {OUTAGE_PHASES:,} and no truncation to "
                      "fewer parts down at once fits within OUTAGE_TOLERANCE = "
                      f"{OUTAGE_TOLERANCE:.0e}")
    if total > OUTAGE_PRODUCT_STATES:
        return None, (f"the product of the parts' chains has {total:,} states, more than "
                      f"OUTAGE_PRODUCT_STATES = {OUTAGE_PRODUCT_STATES:,}")
    # The product chain of the (lumped) parts; the stationary law is the product.
    Q = sp.csr_array((1, 1))
    pi = np.ones(1)
    level = np.zeros(1, dtype=np.int64)  # number of parts down
    for p in parts:
        n_prev = Q.shape[0]
        Q = sp.kron(Q, sp.eye_array(p.n)) + sp.kron(sp.eye_array(n_prev), p.Q)
        pi = np.kron(pi, p.pi)
        level = np.add.outer(level, (~p.up).astype(np.int64)).ravel()
    Q = sp.csr_array(Q)
    up = level == 0
    entry = (pi * up) @ Q
    flow = float(entry[~up].sum())
    if flow <= 0:
        raise ValueError(f"model {name!r} never enters a down state in steady state")
    lumped = [p.copies for p in parts if p.copies > 1]
    how = (f"product chain of {len(parts)} parts" +
           (f" (identical parts lumped: {', '.join(map(str, lumped))} copies)" if lumped else ""))
    if K >= len(parts):
        keep = level >= 1
        dist = _restricted(Q, keep, up, np.zeros(int(keep.sum())), entry, flow)
        dist.note = f"exact: {how}, {dist.n_phases:,} down states"
        return dist, ""
    # Every move to K + 1 parts down happens during an outage, so the expected number
    # per outage, (steady-state flow from K to K + 1 parts down) / f, bounds the chance
    # that an outage ever has K + 1 parts down.
    bound = float(pi[level == K] @ Q[level == K][:, level == K + 1].sum(axis=1)) / flow
    keep = (level >= 1) & (level <= K)
    over = np.asarray(Q[keep][:, level > K].sum(axis=1)).ravel()
    dist = _restricted(Q, keep, up, over, entry, flow)
    dist.note = (f"exact to {bound:.1e}: {how}, the {dist.n_phases:,} states with at most {K} "
                 f"parts down; a {_ordinal(K + 1)} part failing ends this distribution, so "
                 f"sf(t) <= P(outage > t) <= sf(t) + {bound:.1e}")
    return dist, ""


def _truncation(parts):
    """Smallest K (parts down at once) whose states fit and whose cut-off is within tolerance.

    ``len(parts)`` means the whole down set; None means no K qualifies. The
    number of states with k parts down is the x^k coefficient of
    ``prod(u_i + d_i x)`` (u_i, d_i: a part's up and down states), and the
    steady-state flow from K to K + 1 parts down is
    ``sum_k f_k prod_(i != k) A_i e_K(U_i / A_i, i != k)``.
    """
    n = len(parts)
    counts = np.zeros(n + 1)
    counts[0] = 1.0
    for p in parts:
        u, d = float(p.up.sum()), float((~p.up).sum())
        counts[1:] = counts[1:] * u + counts[:-1] * d
        counts[0] *= u
    if counts[1:].sum() <= OUTAGE_PHASES:
        return n
    A = np.array([p.pi[p.up].sum() for p in parts])
    U = np.array([p.pi[~p.up].sum() for p in parts])
    f = np.array([float(p.pi[p.up] @ p.Q[p.up][:, ~p.up].sum(axis=1)) for p in parts])
    if np.any(A <= 0):
        return None
    r = U / A
    freq = sum(f[k] * math.prod(np.delete(A, k)) for k in range(n))
    for K in range(1, n):
        if counts[1:K + 1].sum() > OUTAGE_PHASES:
            return None
        crossing = 0.0
        for k in range(n):
            e = np.zeros(K + 1)
            e[0] = 1.0
            for i in range(n):
                if i != k:
                    e[1:] = e[1:] + e[:-1] * r[i]
            crossing += f[k] * math.prod(np.delete(A, k)) * e[K]
        if freq > 0 and crossing / freq <= OUTAGE_TOLERANCE:
            return K
    return None


def _restricted(Q, keep, up, over, entry, flow) -> PhaseType:
    rows = Q[keep]
    exits = np.asarray(rows[:, up].sum(axis=1)).ravel()
    return PhaseType(entry[keep] / flow, rows[:, keep], exits=exits + over)


def mixture_outage(children, exact_mean: float, name: str, reason: str):
    """Each outage taken to last as long as the part's own outage that started it.

    A lower bound: the series is down at least until that part is up. It is
    the true length unless another part fails during the outage, whose chance
    is at most ``F_12 / f``: the steady-state rate at which a second part fails
    while one is down, ``sum_j U_j sum_(k != j) f_k prod_(i != j, k) A_i``, over
    the series' failure frequency ``f``.
    """
    measures = [c.measures() for c in children]
    A = [m.availability for m in measures]
    parts, weights = [], []
    for j, (child, m) in enumerate(zip(children, measures)):
        if m.failure_frequency <= 0:
            continue
        weights.append(m.failure_frequency * _prod_except(A, {j}))
        parts.append(child.outage_duration())
    f = float(sum(weights))
    second = sum(mj.unavailability * mk.failure_frequency * _prod_except(A, {j, k})
                 for j, mj in enumerate(measures) for k, mk in enumerate(measures) if k != j)
    bound = min(second / f, 1.0)
    dist = PhaseType.mixture(weights, parts)
    head = ("mixture of the parts' own outages; an outage lasts at least as long as the "
            "part's that started it, and exactly as long unless a second part fails during "
            f"it (chance at most {bound:.2e}), so sf(t) <= P(outage > t) <= sf(t) + "
            f"{bound:.2e}; mean {dist.mean:.6g} h against the exact {exact_mean:.6g} h")
    if bound <= OUTAGE_TOLERANCE and dist.exact:
        dist.note = f"exact to {bound:.1e}: {head}"
        return dist
    dist.exact = False
    dist.note = f"approximate ({reason}): {head}"
    warnings.warn(f"the outage duration of {name!r} is an approximation: {dist.note}",
                  ApproximationWarning, stacklevel=3)
    return dist


def _prod_except(values, skip) -> float:
    return math.prod(v for i, v in enumerate(values) if i not in skip)


def _ordinal(k: int) -> str:
    return {1: "first", 2: "second", 3: "third", 4: "fourth"}.get(k, f"{k}th")
