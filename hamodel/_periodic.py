"""A CTMC whose repair rates follow a periodic (hourly) schedule: its periodic steady state.

The kernel behind :func:`hamodel.hour_of_day`. A chain's transitions that
need a person (see :class:`hamodel.OnCall`) wait until someone is at work:
the chain gets a flag (:func:`expand`), set at the response rate of the
hour (``1 / response(h)``) in states with manual work pending, cleared when
no such work is left; manual transitions fire only while it is set, at
their own rates. The generator is constant within each hour and repeats
every period (24 or 168 hours). The periodic steady state is the
distribution ``pi_0`` at the start of the period that one period maps to
itself: ``pi_0 = pi_0 E_0 E_1 ... E_{P-1}`` with ``E_h = expm(G_h * 1 h)``,
found by GTH on the period's stochastic matrix; the distributions at the
start of later hours follow by one multiplication each.

Within an hour, everything the measures need is evaluated at ``K``
Gauss-Legendre nodes: the functions of time involved (state probabilities,
outage start rates, expected remaining outage lengths) are analytic within
an hour, so the rule is accurate to many digits (the tests compare it with
the exact steady state under a flat schedule). Expected remaining outage
lengths come from a backward recursion over the hours, closed over the
period by one linear solve.

Only dense chains of up to :data:`MAX_STATES` states are handled: the
parts of a stack are chains of 2 to a few dozen states.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg as sla

from .elimination import gth_solve

__all__: list = []

#: Largest chain (states) solved this way (dense matrix exponentials).
MAX_STATES = 600
#: (with the on-call flag a chain has up to twice as many states.)
#: Gauss-Legendre nodes per hour.
NODES = 8


def manual_mask(chain, threshold: float) -> np.ndarray:
    """Which transitions of `chain` wait for a person (dense boolean matrix).

    A transition needs a person when it is not a component failure (its
    incident weight is 0), does not take the system from up to down, takes
    on average at least `threshold` hours (faster ones are automatic:
    failovers, cluster-manager restarts), and leaves a state whose mean
    sojourn is at least `threshold` (the rare outcomes of a fast automatic
    step, such as a failover that fails, are part of that step).
    """
    Q = chain.Q.toarray()
    n = Q.shape[0]
    inc = chain.incidents.toarray() > 0
    up = np.asarray(chain.up, dtype=bool)
    off = ~np.eye(n, dtype=bool)
    rates = np.where(off, Q, 0.0)
    slow = (rates > 0) & (rates * threshold <= 1.0)
    slow_state = rates.sum(axis=1) * threshold <= 1.0
    fails = up[:, None] & ~up[None, :]
    return slow & slow_state[:, None] & ~inc & ~fails


#: Response rate used for a response time of 0 in some hours of a schedule (3.6 ms).
INSTANT_RATE = 1e6


def expand(chain, manual: np.ndarray):
    """The chain with a flag "a person is at work": ``(Q_auto, R, up, incidents, n_waiting)``.

    State ``i`` keeps its index (nobody there yet); a state with pending
    manual work also gets a copy ``n + k`` (someone at work). Manual
    transitions leave only the copies; the response moves ``i`` to its copy
    (``R``, rate 1 per hour of mean response); any move into a state with
    no manual work left sends the person home.
    """
    Q = chain.Q.toarray()
    n = Q.shape[0]
    np.fill_diagonal(Q, 0.0)
    inc = chain.incidents.toarray()
    needs = manual.any(axis=1)
    copies = np.flatnonzero(needs)
    where = np.full(n, -1)
    where[copies] = n + np.arange(copies.size)
    N = n + copies.size
    A = np.zeros((N, N))
    W = np.zeros((N, N))
    R = np.zeros((N, N))
    auto = np.where(manual, 0.0, Q)
    work = np.where(manual, Q, 0.0)
    # Nobody there: automatic moves only, to the state itself (still nobody there).
    A[:n, :n] = auto
    W[:n, :n] = inc
    # Someone at work: automatic and manual moves; they stay while work is left.
    dest = np.where(needs, where, np.arange(n))
    for i in copies:
        row = where[i]
        np.add.at(A[row], dest, auto[i] + work[i])
        np.add.at(W[row], dest, np.where(auto[i] + work[i] > 0, inc[i], 0.0))
        R[i, row] = 1.0
    up = np.concatenate([chain.up, np.asarray(chain.up)[copies]]).astype(bool)
    return A, R, up, W, copies.size


class PeriodicChain:
    """One chain under one schedule: per-hour, per-node quantities.

    Parameters
    ----------
    chain : CTMC
    response : ndarray, shape (P,)
        Mean response time (hours) in each hour of the period.
    threshold : float
        ``OnCall.automatic_below`` in hours.
    weights : ndarray, shape (P,)
        Traffic weight in each hour (for user-weighted outage lengths).
    """

    def __init__(self, chain, response: np.ndarray, threshold: float, weights: np.ndarray):
        n = chain.n_states
        if n > MAX_STATES:
            raise ValueError(
                f"hour_of_day: the part {chain.name!r} has {n:,} states; hourly schedules are "
                f"solved for chains of at most {MAX_STATES} states (dense matrix exponentials)")
        self.name = chain.name
        self.P = len(response)
        manual = manual_mask(chain, threshold)
        self.n_manual = int(manual.sum())
        response = np.asarray(response, dtype=float)
        if not response.any():
            # No waiting at any hour: the chain itself, exactly.
            A = chain.Q.toarray()
            np.fill_diagonal(A, 0.0)
            R, up, W = np.zeros_like(A), np.asarray(chain.up, dtype=bool), \
                chain.incidents.toarray()
        else:
            A, R, up, W, _ = expand(chain, manual)
        self.up, self.down = up, ~up
        self.weights = np.asarray(weights, dtype=float)
        inc_rates = W * A
        self.incident_rate = inc_rates.sum(axis=1)           # pages per hour, by state
        fail = np.where(up[:, None] & ~up[None, :], A, 0.0)
        self.fail_rate = fail.sum(axis=1)                      # up -> down rate, by state
        self.fail_to = fail[:, ~up]                            # entry rates into down states
        x, w = np.polynomial.legendre.leggauss(NODES)
        self.nodes, self.node_weights = (x + 1.0) / 2.0, w / 2.0
        # One generator per distinct response time.
        values, self._keys = np.unique(response, return_inverse=True)
        gens = []
        for r in values:
            G = A + R * (1.0 / r if r > 0 else INSTANT_RATE)
            np.fill_diagonal(G, -G.sum(axis=1))
            gens.append(G)
        self._ops = [self._operators(G) for G in gens]
        self._solve()

    # ------------------------------------------------------------ building
    def _operators(self, G: np.ndarray) -> dict:
        """expm over the hour and at the nodes; the down block's expm and integrals."""
        d = self.down
        D = G[np.ix_(d, d)]
        nd = D.shape[0]
        ops = {"G": G, "E": _expm(G), "E_nodes": [_expm(G * u) for u in self.nodes]}
        # Down block: ED(t) = expm(D t), FD(t) = int_0^t expm(D s) ds, from one
        # expm of the block matrix [[D, I], [0, 0]] (Van Loan).
        def down_ops(t):
            A = np.zeros((2 * nd, 2 * nd))
            A[:nd, :nd], A[:nd, nd:] = D * t, np.eye(nd) * t
            X = _expm(A)
            return X[:nd, :nd], X[:nd, nd:]

        ops["ED"], ops["FD"] = down_ops(1.0)
        ops["ED_rest"], ops["FD_rest"] = zip(*(down_ops(1.0 - u) for u in self.nodes))
        ops["D"] = D
        return ops

    def op(self, hour: int) -> dict:
        return self._ops[self._keys[hour % self.P]]

    # ------------------------------------------------------------ solving
    def _solve(self):
        P = self.P
        M = np.eye(len(self.up))
        for h in range(P):
            M = M @ self.op(h)["E"]
        T = M.copy()
        np.fill_diagonal(T, 0.0)
        T = np.clip(T, 0.0, None)
        np.fill_diagonal(T, -T.sum(axis=1))
        pi = gth_solve(T)
        starts = np.empty((P, len(pi)))
        for h in range(P):
            starts[h] = pi
            pi = _clean(pi @ self.op(h)["E"])
        self.start = starts                                   # (P, n): at each hour's start
        # Distribution at every node of every hour: (P, K, n).
        self.at_nodes = np.stack([
            np.stack([_clean(starts[h] @ E) for E in self.op(h)["E_nodes"]]) for h in range(P)])
        self.U = self.at_nodes[..., self.down].sum(axis=-1)  # (P, K) P(part down)
        self.f = self.at_nodes @ self.fail_rate              # (P, K) outage start rate
        self.pages = self.at_nodes @ self.incident_rate      # (P, K) incident rate
        self.entry = self.at_nodes @ self.fail_to           # (P, K, nd) entry rates
        self._remaining()

    def _remaining(self):
        """Expected remaining down time (plain and traffic-weighted) from each down state."""
        P = self.P
        nd = int(self.down.sum())
        ones = np.ones(nd)

        def close(weights):
            # m_h = w_h FD_h 1 + ED_h m_{h+1}, periodic: solve for m_0, then sweep back.
            A, c = np.eye(nd), np.zeros(nd)
            for h in range(P):
                o = self.op(h)
                c = c + A @ (weights[h] * (o["FD"] @ ones))
                A = A @ o["ED"]
            m0 = np.linalg.solve(np.eye(nd) - A, c)
            m = np.empty((P + 1, nd))
            m[P] = m0
            for h in range(P - 1, -1, -1):
                o = self.op(h)
                m[h] = weights[h] * (o["FD"] @ ones) + o["ED"] @ m[h + 1]
            return m

        self.m_start = close(np.ones(P))                     # (P+1, nd)
        self.mw_start = close(self.weights)
        # From each node of hour h: the rest of hour h, then m from hour h+1.
        K = len(self.nodes)
        self.m_node = np.empty((P, K, nd))
        self.mw_node = np.empty((P, K, nd))
        for h in range(P):
            o = self.op(h)
            for k in range(K):
                rest = o["FD_rest"][k] @ ones
                self.m_node[h, k] = rest + o["ED_rest"][k] @ self.m_start[h + 1]
                self.mw_node[h, k] = (self.weights[h] * rest
                                      + o["ED_rest"][k] @ self.mw_start[h + 1])

    def _down_expm(self, hour: int, t: float) -> np.ndarray:
        key = (int(self._keys[hour % self.P]), round(t, 12))
        cache = self.__dict__.setdefault("_down_cache", {})
        if key not in cache:
            cache[key] = _expm(self.op(hour)["D"] * t)
        return cache[key]

    def survival_at_nodes(self, x: float) -> np.ndarray:
        """P(remaining down time > x) from each down state, at each node: (P, K, nd)."""
        P, K = self.P, len(self.nodes)
        nd = int(self.down.sum())
        out = np.empty((P, K, nd))
        for h in range(P):
            for k, u in enumerate(self.nodes):
                v = np.ones(nd)
                # Backward: S = expm(D_h t1) expm(D_{h+1} t2) ... 1; build right to left.
                pieces = []
                left, hour, first = x, h, 1.0 - u
                step = min(first, left)
                pieces.append((hour, step))
                left -= step
                while left > 0:
                    hour += 1
                    step = min(1.0, left)
                    pieces.append((hour, step))
                    left -= step
                for hh, t in reversed(pieces):
                    v = self._down_expm(hh, t) @ v
                out[h, k] = v
        return np.clip(out, 0.0, 1.0)


def _expm(A: np.ndarray) -> np.ndarray:
    return sla.expm(A)


def _clean(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 0.0, None)
    return p / p.sum()
