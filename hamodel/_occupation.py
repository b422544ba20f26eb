"""Total time in the down states during a window: split uniformisation.

The kernel behind :mod:`hamodel.window`. It computes the law of the
occupation time ``D_t`` of the down set over ``[0, t]`` of a CTMC, to a
rigorous absolute error bound, in a form that stays fast when down states are
left at 360/h while up states change at 1e-7/h.

The method
----------
De Souza e Silva and Gail (1986) uniformise the whole chain at one rate
``L >= max exit rate``: given ``n`` Poisson events in ``[0, t]`` their times
are uniform, the embedded chain decides how many of the ``n + 1`` intervals
are spent down, and ``D_t / t`` is a Beta mixture. It costs about
``(L t)^2 / 2`` vector products: 3.4e10 for a 30-day window of a chain with a
360/h failover.

Here the up states and the down states are uniformised at their own rates,
``L_U >= max exit rate of an up state`` and ``L_D >= max exit rate of a down
state`` (``P = I + diag(1/L) Q`` row by row). This is the same chain: a visit
to a state holds for an exponential time of the rate of its class and ends
with a move by ``P``, self-loops included. Up-time and down-time then run on
two independent Poisson clocks. The down clock passes ``x`` during the
``m``-th down visit exactly when its first ``m - 1`` holding times sum to at
most ``x`` and ``m`` do not, probability ``Poisson(L_D x; m - 1)``; that
happens before real time ``t`` exactly when the up time spent before that
visit, ``Gamma(j, L_U)`` for ``j`` earlier up visits, is below ``t - x``. So

    P(D_t > x) = sum_{m >= 1, j >= 0} Poisson(L_D x; m - 1) A(m, j) P(N_U(t - x) >= j)

with ``A(m, j)`` the probability that the ``m``-th down visit of the embedded
chain comes after exactly ``j`` up visits and ``N_U`` a Poisson process of
rate ``L_U``: ``P(D_t > x) = P(C(t - x) > N_D(x))`` with ``C`` the down visits
begun by up-time ``t - x``. For the two-state unit this is Takacs' formula
(Tijms 2003, Theorem 8.3.1); with ``L_U = L_D`` it is de Souza e Silva and
Gail's. ``A`` needs ``m`` up to ``L_D x`` (plus a Poisson tail) and ``j`` up to
``L_U t``: about ``L_D x * L_U t`` visits of the grid instead of
``(max(L_U, L_D) t)^2 / 2``. The fast rates of the down states multiply the
downtime looked at (minutes), not the window (a month). The grid is swept by
anti-diagonals (visits ``m - 1 + j = s``), each a sparse product with a block
of vectors, and does not depend on ``x``: one sweep gives the whole curve up
to the largest ``x``.

Error bound
-----------
Every term is non-negative. Stopping ``m`` at ``M`` leaves out at most
``P(Poisson(L_D x) >= M)``; stopping ``j`` at ``J`` at most
``P(Poisson(L_U t) > J)``. Both are chosen below a share of the tolerance. When
the chain is cut to its likely states (below) the mass lost through the cut is
at most ``P(start outside) + t * (stationary flow out of the kept states)``.
Their sum is the stated bound; rounding adds about 1e-13 relative.

Cutting the state space
-----------------------
A window that starts in steady state seldom visits states of stationary
probability 1e-30. The chain is restricted to the states with ``pi >= theta``
(for a block of independent leaves, the product states, enumerated without
building the product), and leaving them is a loss counted in the bound
above, with ``theta`` the largest of 1e-4, 10^-4.5, 1e-5, ... that keeps that loss
within its share of the tolerance.

References
----------
E. de Souza e Silva and H. R. Gail, "Calculating cumulative operational time
distributions of repairable computer systems", IEEE Transactions on
Computers C-35(4), 1986. L. Takacs, "On certain sojourn time problems in the
theory of stochastic processes", Acta Math. Acad. Sci. Hungar. 8, 1957.
H. C. Tijms, A First Course in Stochastic Models, Wiley 2003, section 8.3.
G. Rubino and B. Sericola, "Interval availability distribution computation",
FTCS-23, 1993.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import scipy.special

#: Chains up to this many states are used whole (no cut to likely states).
WHOLE_CHAIN_STATES = 1000
#: Stationary-probability thresholds tried, in order, for the cut.
THRESHOLDS = tuple(10.0 ** (-k / 2) for k in range(8, 84))
#: Largest number of states of a cut chain (or a product of leaves) that is built.
MAX_CUT_STATES = 2_000_000
#: Below this many states the sweep uses dense products.
_DENSE_STATES = 48
#: Cells of the per-chunk weight arrays in :func:`survival` (4e6 doubles: 32 MB).
_WEIGHT_CELLS = 4_000_000
#: Poisson mass of the rows of the grid left out on each side for one downtime.
ROW_TAIL = 1e-16


@dataclass(frozen=True)
class PreparedChain:
    """A chain ready for the sweep: up states first, possibly cut to likely states.

    Attributes
    ----------
    Q : scipy.sparse.csr_array
        Generator restricted to the kept states; the diagonal keeps the whole
        exit rate, so leaving the kept states loses mass.
    n_up : int
        The first ``n_up`` states are up.
    alpha : numpy.ndarray
        Initial (sub-)distribution over the kept states.
    loss : float
        Bound on the probability of ever leaving the kept states in the
        window (0 when nothing is cut).
    kept, total : int
        States kept and states of the whole chain (or product).
    """

    Q: sp.csr_array
    n_up: int
    alpha: np.ndarray
    loss: float
    kept: int
    total: int

    @property
    def n_states(self) -> int:
        return self.Q.shape[0]

    def rates(self, t: float) -> tuple[float, float]:
        """Uniformisation rates of the up and of the down states (positive)."""
        exits = -self.Q.diagonal()
        floor = 1.0 / t  # any positive rate does for a class that never moves
        lam_u = float(exits[:self.n_up].max(initial=0.0))
        lam_d = float(exits[self.n_up:].max(initial=0.0))
        return max(lam_u, floor), max(lam_d, floor)


def _ordered(Q, up, alpha, loss, total) -> PreparedChain:
    order = np.concatenate([np.flatnonzero(up), np.flatnonzero(~up)])
    Q = sp.csr_array(sp.csr_array(Q)[order][:, order])
    return PreparedChain(Q=Q, n_up=int(np.count_nonzero(up)), alpha=np.asarray(alpha)[order],
                         loss=float(loss), kept=Q.shape[0], total=int(total))


def prepare_chain(Q, up, alpha, pi=None, *, t: float, loss_budget: float) -> PreparedChain:
    """The chain ready for the sweep; cut to ``pi >= theta`` when `pi` is the start.

    With `pi` given (a steady-state start, ``alpha == pi``) a chain of more
    than :data:`WHOLE_CHAIN_STATES` states is cut to its likely states while
    the bound on the lost mass stays within `loss_budget`.
    """
    Q = sp.csr_array(Q, dtype=float)
    up = np.asarray(up, dtype=bool)
    n = Q.shape[0]
    if pi is None or n <= WHOLE_CHAIN_STATES:
        return _ordered(Q, up, alpha, 0.0, n)
    pi = np.asarray(pi, dtype=float)
    exits = -Q.diagonal()
    for theta in THRESHOLDS:
        keep = pi >= theta
        if keep.all():
            break
        idx = np.flatnonzero(keep)
        sub = Q[idx][:, idx]
        inside = np.asarray(sub.sum(axis=1)).ravel() - sub.diagonal()
        loss = float(pi[~keep].sum()) + t * float(pi[idx] @ np.clip(exits[idx] - inside, 0, None))
        if loss <= loss_budget:
            return _ordered(sub, up[idx], pi[idx], loss, n)
    return _ordered(Q, up, alpha, 0.0, n)


def prepare_product(chains, structure, names, *, t: float, loss_budget: float,
                    limit: int | None = None) -> PreparedChain | None:
    """The product chain of independent leaf chains in steady state, cut to likely states.

    Parameters
    ----------
    chains : list of CTMC
        The leaves' chains (their stationary laws are known).
    structure : callable
        The block's structure function: a dict of leaf name -> up indicator
        arrays to the system's up indicator.
    names : list of str
        The leaves' names, in the order of `chains`.

    Returns
    -------
    PreparedChain or None
        None when no cut within the loss budget has at most `limit` states.
    """
    if limit is None:  # read at call time, so that the module setting applies
        limit = MAX_CUT_STATES
    sizes = [c.n_states for c in chains]
    total = math.prod(sizes)
    pis = [np.asarray(c.solution.pi, dtype=float) for c in chains]
    thresholds = (0.0,) if total <= WHOLE_CHAIN_STATES else THRESHOLDS + (0.0,)
    for theta in thresholds:
        states, pi = _likely_states(pis, theta, limit)
        if states is None:
            return None
        Q, exits = _product_generator(chains, states, sizes)
        inside = np.asarray(Q.sum(axis=1)).ravel() + exits
        loss = max(0.0, 1.0 - float(pi.sum())) + t * float(pi @ np.clip(exits - inside, 0, None))
        if theta == 0.0 or loss <= loss_budget:
            x = {name: np.asarray(c.up)[states[:, i]] for i, (name, c) in
                 enumerate(zip(names, chains))}
            up = np.broadcast_to(np.asarray(structure(x), dtype=bool), (pi.size,))
            return _ordered(Q, up, pi, loss if theta > 0.0 else 0.0, total)
    return None  # pragma: no cover - theta = 0 always returns


def _likely_states(pis, theta: float, limit: int):
    """Product states (rows of leaf-state indices) with probability >= theta."""
    best = [float(p.max()) for p in pis]
    rest = np.ones(len(pis) + 1)
    for i in range(len(pis) - 1, -1, -1):
        rest[i] = rest[i + 1] * best[i]
    states = np.zeros((1, 0), dtype=np.int64)
    prob = np.ones(1)
    for i, p in enumerate(pis):
        support = np.flatnonzero(p > 0) if theta > 0 else np.arange(p.size)
        cand = np.multiply.outer(prob, p[support]).ravel()
        keep = cand * rest[i + 1] >= theta if theta > 0 else np.ones(cand.size, dtype=bool)
        rows = np.repeat(np.arange(prob.size), support.size)[keep]
        cols = np.tile(support, prob.size)[keep]
        if rows.size > limit:
            return None, None
        states = np.column_stack([states[rows], cols])
        prob = cand[keep]
    return states, prob


def _product_generator(chains, states, sizes):
    """Generator of the product restricted to `states`, and the full exit rates."""
    n, width = states.shape
    strides = np.ones(width, dtype=object)
    for i in range(width - 2, -1, -1):
        strides[i] = strides[i + 1] * sizes[i + 1]
    codes = None
    if math.prod(sizes) < 2**62:
        codes = states @ np.asarray(strides, dtype=np.int64)
        key = codes
    else:  # a product too large for int64 codes: compare the rows as bytes
        key = np.ascontiguousarray(states).view(np.dtype((np.void, 8 * width))).ravel()
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    rows, cols, vals = [], [], []
    exits = np.zeros(n)
    for i, chain in enumerate(chains):
        Qi = sp.csr_array(chain.Q).tocoo()
        off = (Qi.row != Qi.col) & (Qi.data > 0)
        leaf_exit = np.zeros(sizes[i])
        np.add.at(leaf_exit, Qi.row[off], Qi.data[off])
        exits += leaf_exit[states[:, i]]
        by_state = np.argsort(states[:, i], kind="stable")
        bounds = np.searchsorted(states[by_state, i], np.arange(sizes[i] + 1))
        for a, b, r in zip(Qi.row[off], Qi.col[off], Qi.data[off]):
            src = by_state[bounds[a]:bounds[a + 1]]
            if src.size == 0:
                continue
            if codes is not None:
                target = codes[src] + (int(b) - int(a)) * int(strides[i])
            else:
                moved = states[src].copy()
                moved[:, i] = b
                target = np.ascontiguousarray(moved).view(sorted_key.dtype).ravel()
            pos = np.searchsorted(sorted_key, target)
            pos = np.minimum(pos, n - 1)
            hit = sorted_key[pos] == target
            rows.append(src[hit])
            cols.append(order[pos[hit]])
            vals.append(np.full(int(hit.sum()), r))
    rows = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    cols = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    vals = np.concatenate(vals) if vals else np.zeros(0)
    Q = sp.coo_array((vals, (rows, cols)), shape=(n, n)).tocsr()
    Q = sp.csr_array(Q - sp.diags_array(exits))
    return Q, exits


# ------------------------------------------------------------------ the sweep
def poisson_pmf(k, mean):
    """P(Poisson(mean) = k), elementwise (0 for k < 0; mean 0 allowed)."""
    k = np.asarray(k, dtype=float)
    mean = np.asarray(mean, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        logp = k * np.log(np.where(mean > 0, mean, 1.0)) - mean - scipy.special.gammaln(k + 1.0)
        out = np.where(mean > 0, np.exp(logp), (k == 0).astype(float))
    return np.where(k < 0, 0.0, out)


def poisson_at_least(k, mean):
    """P(Poisson(mean) >= k), elementwise (1 for k <= 0)."""
    k = np.asarray(k, dtype=float)
    mean = np.asarray(mean, dtype=float)
    safe = np.maximum(k - 1.0, 0.0)
    return np.where(k <= 0, 1.0, scipy.special.pdtrc(safe, np.maximum(mean, 0.0)))


def poisson_cut(mean: float, tail: float) -> int:
    """Smallest K with ``P(Poisson(mean) >= K) <= tail``."""
    if mean <= 0.0:
        return 1
    lo, hi = 0, int(mean + 40.0 * math.sqrt(mean) + 200.0)
    while float(poisson_at_least(hi, mean)) > tail:
        hi *= 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if float(poisson_at_least(mid, mean)) <= tail:
            hi = mid
        else:
            lo = mid
    return hi


def visit_grid(chain: PreparedChain, lam_u: float, lam_d: float, M: int, J: int) -> np.ndarray:
    """``A[d, j]``: probability that the visit after ``d`` down and ``j`` up visits is down.

    ``A[m - 1, j]`` is the ``A(m, j)`` of the module notes; ``d < M``,
    ``j <= J``. The sweep goes by anti-diagonals ``s = d + j``: the block
    ``F`` holds, column by column (one column per ``d``), the distribution of
    visit ``s + 1`` over the states.
    """
    Q, n_up = chain.Q, chain.n_up
    n = Q.shape[0]
    lam = np.concatenate([np.full(n_up, lam_u), np.full(n - n_up, lam_d)])
    P = sp.csr_array(sp.eye_array(n) + sp.diags_array(1.0 / lam) @ Q)
    step_up = sp.csr_array(P[:n_up].T)  # (n, n_up): column block of up rows
    step_down = sp.csr_array(P[n_up:].T)  # (n, n_down)
    if n <= _DENSE_STATES:
        step_up, step_down = step_up.toarray(), step_down.toarray()
    A = np.zeros((M, J + 1))
    F = np.asarray(chain.alpha, dtype=float)[:, None].copy()
    lo = 0  # d of F's first column
    for s in range(M + J):
        width = F.shape[1]
        d = np.arange(lo, lo + width)
        A[d, s - d] = F[n_up:].sum(axis=0)
        new_lo, new_hi = max(0, s + 1 - J), min(M - 1, s + 1)
        if new_lo > new_hi:
            break
        stay = step_up @ F[:n_up]  # visit s + 2 after an up visit: same d
        moved = step_down @ F[n_up:]  # after a down visit: d + 1
        # Column c of G is d = new_lo + c: stay's column d - lo plus moved's d - 1 - lo.
        G = np.empty((n, new_hi - new_lo + 1))
        shift = new_lo - lo  # 0 or 1
        both = width - 1  # columns where stay and moved overlap
        if shift == 0:
            G[:, 0] = stay[:, 0]
            np.add(stay[:, 1:], moved[:, :both], out=G[:, 1:width])
        else:
            np.add(stay[:, 1:], moved[:, :both], out=G[:, :both])
        if new_hi == lo + width:  # one more column: only moved reaches it
            G[:, -1] = moved[:, -1]
        F, lo = G, new_lo
        if not (s & 63) and not F.any():
            break
    return A


def survival(A: np.ndarray, lam_u: float, lam_d: float, t: float, x) -> np.ndarray:
    """``P(D_t > x)`` for an array of `x` in ``[0, t)`` from the grid (module notes).

    For each `x` only the rows ``d`` inside the bulk of ``Poisson(lam_d x)`` are
    read: each row's terms sum to at most its Poisson weight (``sum_j A[d, j] <= 1``),
    so the rows left out on either side cost at most :data:`ROW_TAIL` each. The
    `x` are taken in sorted chunks that share one row range, so that a month of a
    360/h down state (2.6e5 rows) costs a few thousand rows per `x`, not all.
    """
    x = np.asarray(x, dtype=float)
    M, J1 = A.shape
    j = np.arange(J1)
    flat = x.ravel()
    res = np.empty(flat.size)
    order = np.argsort(flat, kind="stable")
    import scipy.stats  # here, not at import: `import hamodel` stays light

    lo_of = lambda m: int(scipy.stats.poisson.ppf(ROW_TAIL, m)) if m > 0 else 0
    chunk = 256
    pos = 0
    while pos < order.size:
        first = flat[order[pos]]
        lo = lo_of(lam_d * first)
        take = 1
        # Grow the chunk while its row range stays small enough for the weights.
        while pos + take < order.size and take < chunk:
            top = flat[order[pos + take]]
            hi = min(M, poisson_cut(lam_d * top, ROW_TAIL))
            if (take + 1) * max(hi - lo, 1) > _WEIGHT_CELLS:
                break
            take += 1
        idx = order[pos:pos + take]
        xs = flat[idx]
        hi = min(M, poisson_cut(lam_d * float(xs.max()), ROW_TAIL))
        lo = min(lo, max(hi - 1, 0))
        d = np.arange(lo, hi)
        wd = poisson_pmf(d[None, :], lam_d * xs[:, None])
        wu = poisson_at_least(j[None, :], lam_u * (t - xs)[:, None])
        res[idx] = np.einsum("xd,xd->x", wd, wu @ A[lo:hi].T)
        pos += take
    return np.clip(res.reshape(x.shape), 0.0, 1.0)
