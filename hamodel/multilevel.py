"""Multilevel aggregation for the stationary distribution of large chains.

Gauss-Seidel sweeps damp the error between neighbouring states quickly but
move probability across a chain only one transition per sweep: on a chain
that takes many transitions to mix (a long queue, a nearly decomposable
chain of fast and slow events) they stall at a rate near one per sweep.
Aggregation fixes that. States joined by heavy transitions are grouped into
aggregates, the aggregates into larger ones, and so on; each level is a
smaller chain whose rates are the current iterate's conditional flows
between aggregates (the exact aggregated chain when the iterate is exact).
One cycle smooths with Gauss-Seidel, solves the next level by the same
cycle (GTH on the last, a few hundred states), scales every state of an
aggregate by the ratio of the coarse solution to the aggregate's current
mass, and smooths again. This is iterative aggregation-disaggregation
(Takahashi; Koury, McAllister and Stewart) applied recursively, as in the
multi-level method of Horton and Leutenegger and the multilevel adaptive
aggregation of De Sterck et al.

Every operation adds or multiplies non-negative numbers: the coarse rates
are weighted sums of rates, the corrections are ratios of probabilities and
Gauss-Seidel computes ``pi_j = sum_i pi_i q_ij / |q_jj|``. So the iterate
never turns negative and small probabilities converge in relative terms;
the stopping rule is the entrywise one of
:func:`hamodel.solvers.iterative_solve`.

References
----------
.. [1] Y. Takahashi, "A lumping method for numerical calculations of
   stationary distributions of Markov chains", Research Report B-18,
   Tokyo Institute of Technology, 1975.
.. [2] J. R. Koury, D. F. McAllister and W. J. Stewart, "Iterative methods
   for computing stationary distributions of nearly completely decomposable
   Markov chains", SIAM J. Algebraic Discrete Methods 5(2), 1984.
.. [3] G. Horton and S. T. Leutenegger, "A multi-level solution algorithm
   for steady-state Markov chains", ACM SIGMETRICS 1994.
.. [4] H. De Sterck, T. A. Manteuffel, S. F. McCormick, Q. Nguyen and
   J. Ruge, "Multilevel adaptive aggregation for Markov chains, with
   application to web ranking", SIAM J. Sci. Comput. 30(5), 2008.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from pyamg import amg_core

from .convergence import Convergence, relative_change
from .elimination import gth_solve

__all__ = ["multilevel_solve", "MULTILEVEL_MAXCYCLES"]

#: Most cycles :func:`multilevel_solve` makes.
MULTILEVEL_MAXCYCLES = 500
#: Chains of at most this many states are solved by GTH at the coarsest level.
_COARSEST = 400
#: A level with more states than this that no longer coarsens is smoothed,
#: not eliminated (dense GTH would cost more than the cycles it saves).
_DENSE_LIMIT = 1500
#: Smallest share of its aggregate's mass a state is given when the coarse rates
#: are formed (see _Level.restrict): thirty orders below the convergence floor.
_SHARE_FLOOR = 1e-280
#: Smallest Gauss-Seidel change that the final check treats as imbalance.
_CHECK_FLOOR = 1e-13
#: Times the cycles are resumed when a Gauss-Seidel sweep disagrees with them.
_CHECKS = 4
#: Heavy-edge matching rounds per pairing pass.
_ROUNDS = 8
#: A link is strong, and may be matched, when its weight is at least this
#: share of the heaviest link of both its states.
_STRONG = 0.1


def multilevel_solve(Q, tol: float = 1e-12, maxcycles: int = MULTILEVEL_MAXCYCLES,
                     sweeps: int = 2) -> tuple[np.ndarray, int, float]:
    """Stationary distribution of an irreducible sparse generator by multilevel aggregation.

    Parameters
    ----------
    Q : array_like or sparse matrix, shape (n, n)
        An irreducible generator.
    tol : float
        Target for the estimated relative error of every probability above
        1e-250.
    maxcycles : int
        Most cycles.
    sweeps : int
        Gauss-Seidel sweeps before and after each coarse correction.

    Returns
    -------
    pi : numpy.ndarray
        The stationary distribution.
    cycles : int
        Cycles made.
    error_estimate : float
        Estimated largest relative error of a probability above 1e-250:
        the last cycle's largest relative change ``d`` times ``r / (1 - r)``,
        ``r`` the observed contraction per cycle (the more pessimistic of the
        last ratio and the mean ratio over the last three cycles), or the
        relative change of a final Gauss-Seidel sweep if that is larger.

    Raises
    ------
    ArithmeticError
        If the estimate does not reach `tol` within `maxcycles` cycles, the
        cycles stop contracting, or the point they settle on is not balanced
        (a Gauss-Seidel sweep still changes it by more than ten times the
        estimate, after the cycles were resumed three times with a ten times
        smaller target): aggregation is not guaranteed to converge, and this
        is how a failure shows.

    Examples
    --------
    Two independent queues of 30 places each (900 states; loads 0.5 and
    0.8), on which Gauss-Seidel stalls (0.987 per sweep). Their law is a
    product of truncated geometric laws:

    >>> import scipy.sparse as sp
    >>> def queue(m, load):
    ...     Q = sp.diags_array([np.full(m - 1, load), np.ones(m - 1)], offsets=[1, -1])
    ...     return Q - sp.diags_array(np.asarray(Q.sum(axis=1)).ravel())
    >>> Q = sp.kronsum(queue(30, 0.5), queue(30, 0.8), format="csr")
    >>> pi, cycles, error = multilevel_solve(Q)
    >>> law = lambda r: r ** np.arange(30) * (1 - r) / (1 - r**30)
    >>> exact = np.kron(law(0.8), law(0.5))
    >>> bool(np.max(np.abs(pi / exact - 1)) < 1e-11), error < 1e-12
    (True, True)
    """
    R = _off_diagonal(Q)
    n = R.shape[0]
    if n == 1:
        return np.ones(1), 0, 0.0
    exits = np.asarray(R.sum(axis=1)).ravel()
    if np.any(exits <= 0):
        j = int(np.flatnonzero(exits <= 0)[0])
        raise ValueError(f"state {j} has no outgoing rate: the chain is not irreducible")
    levels = _hierarchy(R)
    x = np.full(n, 1.0 / n)
    watch = Convergence(tol, maxcycles, "cycle", patience=40)
    # Aggregation with point smoothing can settle on a point that is not the
    # solution (pre- and post-smoothing undo each other across the coarse
    # correction; seen on one random chain in a few dozen), and the rate read
    # from the changes can flatter the far tail (1e-216 entries of the tandem
    # queue were off by 1e-11 when the estimate said 1e-13). A balanced point
    # is left unchanged by a Gauss-Seidel sweep, to within its error: the
    # cycles go on, asking ten times more, until a sweep agrees.
    for _ in range(_CHECKS):
        try:
            while True:
                new = _cycle(levels, 0, x.copy(), sweeps)
                done = watch.update(x, new)
                x = new
                if done:
                    break
        except ArithmeticError as exc:
            raise ArithmeticError(f"multilevel aggregation {exc}") from None
        check = relative_change(x, levels[0].smooth(x.copy(), 1))
        if check <= max(10.0 * watch.estimate, _CHECK_FLOOR):
            return x, watch.steps, max(watch.estimate, check)
        watch.tol = min(watch.tol, watch.estimate) / 10.0
    raise ArithmeticError(
        f"multilevel aggregation settled after {watch.steps} cycles on a point that is not "
        f"balanced: a Gauss-Seidel sweep still changes it by {check:.3g} (relative)")


# ----------------------------------------------------------------- internals
def _off_diagonal(Q) -> sp.csr_array:
    """The positive off-diagonal rates of `Q`, canonical CSR."""
    coo = sp.coo_array(Q, dtype=float)
    keep = (coo.row != coo.col) & (coo.data > 0)
    n = coo.shape[0]
    R = sp.csr_array((coo.data[keep], (coo.row[keep], coo.col[keep])), shape=(n, n))
    R.sum_duplicates()
    R.sort_indices()
    return R


class _Level:
    """One level of the hierarchy: a chain with a fixed pattern of transitions.

    The rates (``data``, in the CSR order of the pattern) change from cycle
    to cycle on every level but the finest.
    """

    def __init__(self, R: sp.csr_array):
        n = self.n = R.shape[0]
        self.indptr, self.indices = R.indptr, R.indices
        self.rows = np.repeat(np.arange(n), np.diff(R.indptr))
        # Gauss-Seidel works on the balance equations, the rows of Q^T with
        # its diagonal: A.data = concatenate([rates, -exits])[order].
        r = np.concatenate([self.indices, np.arange(n)])
        c = np.concatenate([self.rows, np.arange(n)])
        self.order = np.lexsort((c, r))
        self.a_indices = c[self.order].astype(np.int32)
        self.a_indptr = np.concatenate(
            [[0], np.cumsum(np.bincount(r, minlength=n))]).astype(np.int32)
        self.zeros = np.zeros(n)
        self.coarse = None
        self.set_rates(R.data)

    def set_rates(self, data: np.ndarray) -> None:
        self.data = data
        self.exits = np.bincount(self.rows, weights=data, minlength=self.n)
        self.a_data = np.concatenate([data, -self.exits])[self.order]
        if self.coarse is not None:
            self.inter_data = data[self.inter]

    def smooth(self, x: np.ndarray, sweeps: int) -> np.ndarray:
        """Forward Gauss-Seidel sweeps on the balance equations, renormalised."""
        for _ in range(sweeps):
            amg_core.gauss_seidel(self.a_indptr, self.a_indices, self.a_data, x, self.zeros,
                                  0, self.n, 1)
            x /= x.sum()
        return x

    def solve_exactly(self) -> np.ndarray:
        Q = sp.csr_array((self.data, self.indices, self.indptr), shape=(self.n, self.n)).toarray()
        np.fill_diagonal(Q, -self.exits)
        return gth_solve(Q)

    def link(self, agg: np.ndarray, m: int) -> sp.csr_array:
        """Aggregate the states (``agg[i]`` in 0..m-1); the pattern of the next level."""
        self.agg, self.size = agg, np.bincount(agg, minlength=m)
        ci, cj = agg[self.rows], agg[self.indices]
        self.inter = ci != cj
        key = ci[self.inter].astype(np.int64) * m + cj[self.inter]
        unique, self.slot = np.unique(key, return_inverse=True)
        self.coarse_entries = unique.size
        self.inter_rows = self.rows[self.inter]
        self.inter_data = self.data[self.inter]
        self.coarse = m
        pattern = sp.csr_array((np.ones(unique.size), ((unique // m), (unique % m))),
                               shape=(m, m))
        pattern.sort_indices()
        return pattern

    def restrict(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Rates of the aggregated chain given the iterate, and the aggregates' masses."""
        mass = np.bincount(self.agg, weights=x, minlength=self.coarse)
        share = mass[self.agg]
        with np.errstate(divide="ignore", invalid="ignore"):
            weight = np.where(share > 0, x / share, 1.0 / self.size[self.agg])
        # A floor keeps every transition of the aggregated chain when parts of
        # the iterate underflow, so that it stays irreducible. It must stay far
        # below any probability that matters: a floor of 1e-100 lent states
        # whose true share is 1e-300 enough flow to keep the tail of a long
        # queue from converging.
        np.maximum(weight, _SHARE_FLOOR, out=weight)
        flows = weight[self.inter_rows] * self.inter_data
        return np.bincount(self.slot, weights=flows, minlength=self.coarse_entries), mass

    def prolong(self, x: np.ndarray, mass: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Scale each aggregate of `x` to its coarse probability `y`."""
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(mass > 0, y / mass, 0.0)
        out = x * factor[self.agg]
        empty = mass[self.agg] <= 0
        if empty.any():  # an aggregate whose iterate underflowed: spread evenly
            out[empty] = (y / self.size)[self.agg[empty]]
        return out / out.sum()


def _row_argmax(W: sp.csr_array) -> np.ndarray:
    """Column of the largest entry of each row of `W` (-1 for an empty row)."""
    n = W.shape[0]
    counts = np.diff(W.indptr)
    best = np.full(n, -1)
    nonempty = np.flatnonzero(counts)
    if nonempty.size:
        top = np.zeros(n)
        top[nonempty] = np.maximum.reduceat(W.data, W.indptr[nonempty])
        rows = np.repeat(np.arange(n), counts)
        hit = np.flatnonzero(W.data == top[rows])
        first_rows, first = np.unique(rows[hit], return_index=True)
        best[first_rows] = W.indices[hit[first]]
    return best


def _pairs(W: sp.csr_array) -> tuple[np.ndarray, int]:
    """Heavy-edge matching of a symmetric non-negative weight matrix.

    Each round pairs the states that are each other's heaviest free
    neighbour along a strong link; states left over join the pair of their
    heaviest neighbour. Ties are broken by a fixed pseudo-random perturbation
    of each link (a hash of its two states), so the result is reproducible.
    """
    n = W.shape[0]
    W = sp.csr_array(W, copy=True)
    W.sort_indices()
    rows = np.repeat(np.arange(n), np.diff(W.indptr))
    # The perturbation is a hash of the unordered pair, so W stays symmetric.
    low = np.minimum(rows, W.indices).astype(np.uint64)
    high = np.maximum(rows, W.indices).astype(np.uint64)
    mixed = (low * np.uint64(0x9E3779B97F4A7C15) ^ high * np.uint64(0xC2B2AE3D27D4EB4F))
    W.data *= 1.0 + 0.01 * ((mixed >> np.uint64(11)).astype(float) / 2.0**53)
    # Only strong links are matched: a state whose strong partners are taken
    # must not be paired across a weak link, or a nearly decomposable chain
    # gets an aggregate straddling two of its blocks, whose split between the
    # blocks no coarse level can correct.
    top = np.zeros(n)
    nonempty = np.flatnonzero(np.diff(W.indptr))
    top[nonempty] = np.maximum.reduceat(W.data, W.indptr[nonempty])
    strong = (W.data >= _STRONG * top[rows]) & (W.data >= _STRONG * top[W.indices])
    agg = np.full(n, -1)
    free = np.ones(n, dtype=bool)
    count = 0
    states = np.arange(n)
    for _ in range(_ROUNDS):
        keep = strong & free[rows] & free[W.indices]
        indptr = np.concatenate([[0], np.cumsum(np.bincount(rows[keep], minlength=n))])
        best = _row_argmax(sp.csr_array((W.data[keep], W.indices[keep], indptr), shape=(n, n)))
        mutual = best >= 0
        mutual[mutual] = best[best[mutual]] == states[mutual]
        mutual &= states < best
        first, second = states[mutual], best[mutual]
        if first.size == 0:
            break
        agg[first] = agg[second] = count + np.arange(first.size)
        count += first.size
        free[first] = free[second] = False
    left = np.flatnonzero(free)
    if left.size:
        best = _row_argmax(W)[left]
        join = best >= 0
        join[join] = agg[best[join]] >= 0
        agg[left[join]] = agg[best[join]]
        alone = left[~join]
        agg[alone] = count + np.arange(alone.size)
        count += alone.size
    return agg, count


def _hierarchy(R: sp.csr_array) -> list[_Level]:
    """Levels down to a chain GTH can solve, aggregating by heavy rates."""
    levels = [_Level(R)]
    while levels[-1].n > _COARSEST:
        level = levels[-1]
        W = sp.csr_array(R + R.T)
        first, m1 = _pairs(W)
        P = sp.csr_array((np.ones(level.n), (np.arange(level.n), first)), shape=(level.n, m1))
        W2 = sp.csr_array(P.T @ W @ P)
        W2.setdiag(0.0)
        W2.eliminate_zeros()
        second, m = _pairs(W2)
        if m > 0.8 * level.n:  # no longer coarsens: stop here
            break
        pattern = level.link(second[first], m)
        data, _ = level.restrict(np.full(level.n, 1.0 / level.n))
        R = sp.csr_array((data, pattern.indices, pattern.indptr), shape=(m, m))
        levels.append(_Level(R))
    return levels


def _cycle(levels: list[_Level], k: int, x: np.ndarray, sweeps: int) -> np.ndarray:
    level = levels[k]
    if level.coarse is None:
        if level.n <= _DENSE_LIMIT:
            try:
                return level.solve_exactly()
            except ArithmeticError:  # probabilities beyond the double range: GTH overflows
                pass
        return level.smooth(x, 10 * sweeps)
    x = level.smooth(x, sweeps)
    data, mass = level.restrict(x)
    levels[k + 1].set_rates(data)
    y = _cycle(levels, k + 1, mass / mass.sum(), sweeps)
    return level.smooth(level.prolong(x, mass, y), sweeps)
