"""Numerical kernels on generator matrices: pure functions on arrays.

Stiff chains (failure rates of 1e-7 per hour beside failover rates of 100
per hour) are the normal case, so the steady state is computed by the
Grassmann-Taksar-Heyman (GTH) algorithm for small chains, which uses no
subtraction and keeps relative accuracy in every probability, and by sparse
LU with one balance equation replaced by normalisation, refined once and
checked by its residual, for large ones. Chains whose LU would fill in too
much (many-dimensional state spaces such as the ``2**n`` states of n nodes
tracked one by one) are solved by Gauss-Seidel sweeps on the balance
equations, stopped by an estimate of the relative error of every probability.
Large stiff chains with local transitions are best solved by GTH inside the
band of a reverse Cuthill-McKee ordering (``method="banded-gth"``): sparse LU
loses their small probabilities, and eventually the large ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.sparse as sp
import scipy.sparse.csgraph as csgraph
import scipy.sparse.linalg as spla
import scipy.special

__all__ = [
    "GTH_LIMIT",
    "SteadyState",
    "banded_gth_solve",
    "closed_classes",
    "gth_solve",
    "iterative_solve",
    "lu_solve",
    "steady_state",
    "transient",
    "propagate",
    "uniformised",
    "mean_time_to_exit",
    "balance_residual",
]

#: Largest chain solved densely with GTH by default; larger ones use sparse LU.
GTH_LIMIT = 1000
#: Largest relative balance residual accepted from a solve.
RESIDUAL_TOLERANCE = 1e-9
#: Largest estimated sparse-LU work (flops of a banded LU in reverse Cuthill-McKee
#: order) for which ``method="auto"`` uses banded GTH; above it, Gauss-Seidel.
LU_WORK_LIMIT = 1e9
#: Largest estimated LU fill (non-zeros) that "auto" falls back to when Gauss-Seidel
#: does not converge (1e8 non-zeros take about 1.2 GB).
LU_FILL_FALLBACK = 1e8
#: Relative error that :func:`iterative_solve` aims at in every probability.
ITERATIVE_TOLERANCE = 1e-12
#: Most Gauss-Seidel sweeps :func:`iterative_solve` makes.
ITERATIVE_MAXITER = 2000
#: Probabilities below this are left out of the iterative convergence test
#: (they are far beyond any measure, and near the end of the double range).
_ITERATIVE_FLOOR = 1e-280


@dataclass(frozen=True)
class SteadyState:
    """A stationary distribution with a record of how it was obtained.

    Attributes
    ----------
    pi : numpy.ndarray
        The distribution, in state order (zero on transient states).
    method : str
        ``"gth"``, ``"sparse-lu"``, ``"gauss-seidel"`` or ``"banded-gth"``.
    residual : float
        Relative balance residual ``||pi Q||_1 / (2 sum_i pi_i |q_ii|)``:
        the share of probability flow that does not balance.
    iterations : int
        Sweeps of an iterative solve; 0 for the direct methods.
    error_estimate : float or None
        For ``"gauss-seidel"``: the estimated largest relative error of any
        probability (above 1e-280), from the last change and the observed
        rate of convergence (see :func:`iterative_solve`). None for the
        direct methods, which are not iterated (their check is `residual`).
    """

    pi: np.ndarray
    method: str
    residual: float
    iterations: int = 0
    error_estimate: float | None = None


def gth_solve(Q) -> np.ndarray:
    """Stationary distribution of an irreducible generator by GTH.

    Only the off-diagonal entries are used, and no subtraction occurs, so
    every probability keeps its relative accuracy however stiff the chain.

    Parameters
    ----------
    Q : array_like, shape (n, n)
        An irreducible generator (dense).

    Returns
    -------
    numpy.ndarray
        The stationary distribution.

    Examples
    --------
    >>> gth_solve([[-3.0, 3.0], [4.0, -4.0]])
    array([0.57142857, 0.42857143])
    """
    A = np.array(Q, dtype=float)
    n = A.shape[0]
    np.fill_diagonal(A, 0.0)
    for k in range(n - 1):
        scale = A[k, k + 1 :].sum()
        if scale <= 0.0:
            raise ValueError(f"GTH: state {k} cannot reach the states after it; chain is reducible")
        A[k + 1 :, k] /= scale
        A[k + 1 :, k + 1 :] += np.outer(A[k + 1 :, k], A[k, k + 1 :])
    x = np.zeros(n)
    x[n - 1] = 1.0
    for k in range(n - 2, -1, -1):
        x[k] = x[k + 1 :] @ A[k + 1 :, k]
        if x[k] > 1e100:  # keep the ratios, avoid overflow on very skewed chains
            x[k:] /= x[k]
    return x / x.sum()


def lu_solve(Q) -> np.ndarray:
    """Stationary distribution of an irreducible sparse generator by sparse LU.

    Fixes ``pi_k = 1`` for one state k and solves the remaining n - 1 balance
    equations (a non-singular M-matrix system, as sparse as Q itself), with
    one step of iterative refinement, then normalises. k is state 0 first;
    if that state turns out to carry little probability the solve is
    repeated with the most likely state as k.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> lu_solve(sp.csr_array([[-3.0, 3.0], [4.0, -4.0]])).round(8)
    array([0.57142857, 0.42857143])
    """
    Q = sp.csr_array(Q, dtype=float)
    n = Q.shape[0]
    QT = sp.csc_array(Q.T)

    def solve_fixing(k: int) -> np.ndarray:
        keep = np.ones(n, dtype=bool)
        keep[k] = False
        A = sp.csc_array(QT[keep][:, keep])
        b = -np.asarray(QT[keep][:, [k]].toarray()).ravel()
        lu = spla.splu(A, permc_spec="COLAMD")
        x = lu.solve(b)
        x += lu.solve(b - A @ x)
        pi = np.empty(n)
        pi[keep] = x
        pi[k] = 1.0
        pi = np.clip(pi, 0.0, None)
        return pi / pi.sum()

    # Fixing a state far below the most likely one makes the reduced system
    # lose its diagonal dominance to rounding: the large probabilities stay
    # right but the small ones do not. So the solve ends by fixing the most
    # likely state of a balanced attempt; candidates to start from are state
    # 0 and the last state.
    tried, last_error = [], None
    for k in (0, n - 1):
        while k not in tried:
            tried.append(k)
            try:
                pi = solve_fixing(k)
            except RuntimeError as exc:  # SuperLU: "Factor is exactly singular"
                last_error = str(exc)
                break
            if not np.all(np.isfinite(pi)):
                break
            mode = int(np.argmax(pi))
            if mode == k and balance_residual(Q, pi) <= RESIDUAL_TOLERANCE:
                return pi
            k = mode
    raise ArithmeticError(
        f"sparse LU did not find a balanced solution (fixed states tried: {tried}"
        + (f"; SuperLU: {last_error}" if last_error else "")
        + "); the chain may be too ill-conditioned for LU: try method='gth'"
    )


def iterative_solve(Q, tol: float = ITERATIVE_TOLERANCE,
                    maxiter: int = ITERATIVE_MAXITER) -> tuple[np.ndarray, int, float]:
    """Stationary distribution of an irreducible sparse generator by Gauss-Seidel.

    Each sweep solves the balance equations ``pi Q = 0`` state by state in
    index order, ``pi_j = sum_{i != j} pi_i q_ij / |q_jj|``, using the values
    already updated in the sweep (one sparse triangular solve with the lower
    part of ``Q^T``, factorised once without fill), then renormalises. Only
    sums of positive terms occur, so small probabilities keep their relative
    accuracy. The sweep's relative change ``d_k = max_j |new_j - old_j| /
    new_j`` is a relative balance residual per state; with the observed rate
    ``r`` (the more pessimistic of the last ratio and the mean ratio over the
    last three sweeps) the relative error left is estimated as
    ``d_k r / (1 - r)``, and the sweeps stop when it is below `tol`.

    The rate depends on the numbering of the states: it is fast when most
    probability flows from lower to higher indices and back in few steps, as
    in a bit-set numbering of failed units (0.2-0.85 per sweep for the
    clusters of :func:`hamodel.large.cluster_chain`), and hopeless on chains
    with slowly mixing parts (stiff, nearly decomposable chains), for which
    sparse LU is the method.

    Parameters
    ----------
    Q : array_like or sparse matrix, shape (n, n)
        An irreducible generator.
    tol : float
        Target for the estimated relative error of every probability.
    maxiter : int
        Most sweeps.

    Returns
    -------
    pi : numpy.ndarray
        The stationary distribution.
    sweeps : int
        Sweeps made.
    error_estimate : float
        Estimated largest relative error of a probability above 1e-280.

    Raises
    ------
    ArithmeticError
        If the estimate does not reach `tol` within `maxiter` sweeps (given
        up early, after 20 sweeps, once the observed rate shows it will not).

    Examples
    --------
    >>> pi, sweeps, error = iterative_solve([[-3.0, 3.0], [4.0, -4.0]])
    >>> pi.round(8), error < 1e-12
    (array([0.57142857, 0.42857143]), True)
    """
    Q = sp.csr_array(Q, dtype=float)
    if not Q.has_sorted_indices:
        Q = Q.sorted_indices()
    n = Q.shape[0]
    # Row j of Q^T is the balance equation of state j. Its lower triangle (with the
    # diagonal), stored by columns, is the upper triangle of Q stored by rows:
    # split Q's CSR arrays instead of transposing.
    rows = np.repeat(np.arange(n), np.diff(Q.indptr))
    on_or_above = Q.indices >= rows

    def part(mask):
        indptr = np.concatenate([[0], np.cumsum(np.bincount(rows[mask], minlength=n))])
        return Q.data[mask], Q.indices[mask], indptr.astype(Q.indptr.dtype)

    lower = sp.csc_array(part(on_or_above), shape=(n, n))  # tril(Q^T)
    diagonal = lower.diagonal()
    if np.any(diagonal >= 0):
        j = int(np.flatnonzero(diagonal >= 0)[0])
        raise ValueError(f"state {j} has no outgoing rate: the chain is not irreducible")
    upper = sp.csr_array(part(~on_or_above), shape=(n, n)).T  # triu(Q^T, 1), a CSC view
    solve = spla.splu(lower, permc_spec="NATURAL", diag_pivot_thresh=0.0,
                      options={"Equil": False, "SymmetricMode": True}).solve
    del on_or_above, lower
    x = np.full(n, 1.0 / n)
    changes: list[float] = []
    slow = np.nan
    for sweep in range(1, maxiter + 1):
        new = solve(-(upper @ x))
        new /= new.sum()
        kept = new > _ITERATIVE_FLOOR
        change = float(np.max(np.abs(new[kept] - x[kept]) / new[kept]))
        x = new
        changes.append(change)
        if change <= 64 * np.finfo(float).eps:  # converged to rounding
            return x, sweep, change
        if sweep < 4:
            continue
        rate = max(changes[-1] / changes[-2], (changes[-1] / changes[-4]) ** (1 / 3))
        if rate < 1:
            estimate = change * rate / (1 - rate)
            if estimate <= tol:
                return x, sweep, estimate
        if sweep >= 20:
            slow = (changes[-1] / changes[-11]) ** 0.1
            if slow >= 1 or sweep + np.log(tol / change) / np.log(slow) > maxiter:
                break
    raise ArithmeticError(
        f"Gauss-Seidel did not converge: after {sweep} sweeps the relative change is "
        f"{changes[-1]:.3g}, multiplied by {slow:.6g} per sweep over the last ten (limit "
        f"{maxiter} sweeps); the chain mixes slowly in this state order: try method='lu'"
    )


def banded_gth_solve(Q) -> np.ndarray:
    """Stationary distribution of an irreducible sparse generator by GTH in a band.

    The states are put in reverse Cuthill-McKee order, in which every
    transition joins states at most ``b`` apart; GTH elimination (see
    :func:`gth_solve`) then fills in only within that band, so it runs in a
    sliding dense ``(b+1) x (b+1)`` window: ``n b^2`` flops, ``n b`` memory,
    and one Python step per state (about 20 microseconds). Like GTH it uses
    no subtraction, so every probability keeps its relative accuracy however
    stiff the chain: on the random stiff banded chains of the benchmarks
    (rates 1e-7..1e2 per hour), where sparse LU with a fixed state loses
    relative accuracy as the chain grows (2e-8 at 5,000 states; wrong in
    the leading digit at 100,000), it agrees with dense GTH to 1e-14.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> banded_gth_solve(sp.csr_array([[-3.0, 3.0], [4.0, -4.0]])).round(8)
    array([0.57142857, 0.42857143])
    """
    Q = sp.csr_array(Q, dtype=float)
    n = Q.shape[0]
    if n == 1:
        return np.ones(1)
    order = csgraph.reverse_cuthill_mckee(sp.csr_array(abs(Q) + abs(Q.T)), symmetric_mode=True)
    R = sp.csr_array(Q[order][:, order])
    R.setdiag(0.0)  # GTH uses the off-diagonal rates only
    R.eliminate_zeros()
    rows = np.repeat(np.arange(n), np.diff(R.indptr))
    b = max(int(np.abs(R.indices - rows).max()), 1) if R.nnz else 1
    del rows
    C = sp.csc_array(R)
    width = b + 1
    window = np.zeros((width, width))  # rates among states k .. k + b, as eliminated so far

    def load(state, first):
        """The original rates of `state` to and from the window's states."""
        at = state - first
        lo, hi = R.indptr[state], R.indptr[state + 1]
        cols = R.indices[lo:hi]
        inside = (cols >= first) & (cols < first + width)
        window[at, cols[inside] - first] = R.data[lo:hi][inside]
        lo, hi = C.indptr[state], C.indptr[state + 1]
        rows_ = C.indices[lo:hi]
        inside = (rows_ >= first) & (rows_ < first + width)
        window[rows_[inside] - first, at] = C.data[lo:hi][inside]

    for state in range(min(width, n)):
        load(state, 0)
    columns = np.zeros((n, b))  # column k of the reduced matrix below k, scaled
    for k in range(n - 1):
        scale = window[0, 1:].sum()
        if scale <= 0.0:
            raise ValueError(f"banded GTH: state {int(order[k])} cannot reach the states after "
                             "it; chain is reducible")
        column = window[1:, 0] / scale
        columns[k] = column
        window[1:, 1:] += np.outer(column, window[0, 1:])
        window = np.roll(window, -1, axis=(0, 1))
        window[-1, :] = 0.0
        window[:, -1] = 0.0
        if k + width < n:
            load(k + width, k + 1)
    x = np.zeros(n)
    x[n - 1] = 1.0
    for k in range(n - 2, -1, -1):
        m = min(b, n - 1 - k)
        x[k] = x[k + 1:k + 1 + m] @ columns[k, :m]
        if x[k] > 1e100:  # keep the ratios, avoid overflow on very skewed chains
            x[k:] /= x[k]
    pi = np.empty(n)
    pi[order] = x / x.sum()
    return pi


def _lu_cost(Q) -> tuple[float, float]:
    """Rough (fill, flops) of a sparse LU of `Q`: upper estimates for local chains.

    The envelope of a reverse Cuthill-McKee ordering of the symmetrised
    pattern, with rows of more than ten times the mean degree (hubs such as
    a "repair all" target) set aside as a dense border, as COLAMD does. A
    banded chain gets ``n * bandwidth`` fill; a ``2**n`` hypercube gets a
    width of ``C(n, n/2)`` states, its true, hopeless fill.
    """
    Q = sp.csr_array(Q)
    n = Q.shape[0]
    P = sp.csr_array(Q + Q.T)  # off-diagonal rates are >= 0: no cancellation
    degree = np.diff(P.indptr)
    dense = degree > max(16.0, 10.0 * degree.mean())
    n_dense = int(dense.sum())
    if n_dense:
        keep = np.flatnonzero(~dense)
        P = sp.csr_array(P[keep][:, keep])
    m = P.shape[0]
    rank = np.empty(m, dtype=np.int64)
    rank[csgraph.reverse_cuthill_mckee(P, symmetric_mode=True)] = np.arange(m)
    first = rank.copy()
    rows = np.flatnonzero(np.diff(P.indptr) > 0)
    if rows.size:
        first[rows] = np.minimum(rank[rows], np.minimum.reduceat(rank[P.indices],
                                                                   P.indptr[rows]))
    width = (rank - first).astype(float)
    fill = n + 2.0 * width.sum() + 2.0 * n_dense * n
    work = float((width**2).sum()) + float(n_dense) ** 2 * n
    return fill, work


def _uniformised_transpose(Q, exits, rate) -> sp.csr_array:
    """``(I + Q / rate)^T`` as CSR, its diagonal ``(rate - exit) / rate`` formed
    without cancellation."""
    n = Q.shape[0]
    QT = sp.csc_array(Q)  # the CSC arrays of Q are the CSR arrays of Q^T
    rows = np.repeat(np.arange(n), np.diff(QT.indptr))
    diagonal = QT.indices == rows
    if np.count_nonzero(diagonal) == n:
        data = QT.data / rate
        data[diagonal] = (rate - exits[rows[diagonal]]) / rate
        return sp.csr_array((data, QT.indices, QT.indptr), shape=(n, n))
    off = ~diagonal  # some diagonal entries are not stored: assemble from triplets
    return sp.csr_array((np.concatenate([QT.data[off] / rate, (rate - exits) / rate]),
                         (np.concatenate([rows[off], np.arange(n)]),
                          np.concatenate([QT.indices[off], np.arange(n)]))), shape=(n, n))


def closed_classes(Q) -> tuple[list[np.ndarray], np.ndarray]:
    """Closed communicating classes of a generator, and its transient states.

    Returns
    -------
    classes : list of numpy.ndarray
        State indices of each closed class (a class that no transition leaves).
    transient : numpy.ndarray
        Indices of states in no closed class.

    Examples
    --------
    >>> classes, transient = closed_classes([[-1, 1, 0], [0, 0, 0], [0, 0, 0]])
    >>> [c.tolist() for c in classes], transient.tolist()
    ([[1], [2]], [0])
    """
    Q = sp.csr_array(Q, dtype=float)
    off = Q - sp.diags_array(Q.diagonal())
    off.eliminate_zeros()
    n_comp, labels = csgraph.connected_components(off, directed=True, connection="strong")
    coo = off.tocoo()
    leaving = labels[coo.row] != labels[coo.col]
    open_classes = np.unique(labels[coo.row[leaving]])
    closed = np.setdiff1d(np.arange(n_comp), open_classes).tolist()
    classes = [np.flatnonzero(labels == c) for c in closed]
    classes.sort(key=lambda idx: idx[0])
    closed_mask = np.isin(labels, closed)
    return classes, np.flatnonzero(~closed_mask)


def balance_residual(Q, pi) -> float:
    """Relative balance residual ``||pi Q||_1 / (2 sum_i pi_i |q_ii|)``."""
    Q = sp.csr_array(Q, dtype=float) if sp.issparse(Q) else np.asarray(Q, dtype=float)
    flow = np.abs(pi @ Q).sum()
    scale = 2.0 * (pi * np.abs(Q.diagonal())).sum()
    return float(flow / scale) if scale > 0 else float(flow)


def steady_state(Q, method: str = "auto", names=None) -> SteadyState:
    """Unique stationary distribution of a generator, with its residual.

    Parameters
    ----------
    Q : array_like or sparse matrix, shape (n, n)
        A valid generator.
    method : {"auto", "gth", "lu", "iterative", "banded-gth"}
        ``"auto"`` uses GTH up to :data:`GTH_LIMIT` states in the closed
        class, banded GTH above while the estimated work of a banded
        elimination (see ``_lu_cost``) is at most :data:`LU_WORK_LIMIT`
        (subtraction-free: sparse LU was seen to return U = 0.53 for a true
        0.108 on a 100,000-state stiff banded chain), and Gauss-Seidel
        (:func:`iterative_solve`) beyond; should that not converge, sparse LU
        after all if its estimated fill is at most :data:`LU_FILL_FALLBACK`.
        ``"iterative"`` asks for Gauss-Seidel, ``"banded-gth"`` for GTH in
        a band (:func:`banded_gth_solve`): the choice for large stiff chains
        with local transitions, where sparse LU loses relative accuracy.
    names : sequence, optional
        State names, used in error messages.

    Raises
    ------
    ValueError
        If the chain has more than one closed class (no unique stationary
        distribution); the message lists them.
    ArithmeticError
        If the solution's balance residual exceeds 1e-9, or Gauss-Seidel
        does not converge (and LU is not an option).

    Examples
    --------
    Transient states get probability zero:

    >>> steady_state([[-1.0, 1.0, 0.0], [0.0, -2.0, 2.0], [0.0, 3.0, -3.0]]).pi.round(3)
    array([0. , 0.6, 0.4])
    """
    if method not in ("auto", "gth", "lu", "iterative", "banded-gth"):
        raise ValueError(f"method = {method!r}: expected 'auto', 'gth', 'lu', 'iterative' or "
                         "'banded-gth'")
    Qs = sp.csr_array(Q, dtype=float)
    n = Qs.shape[0]
    classes, _ = closed_classes(Qs)
    if len(classes) != 1:
        shown = [[names[i] if names is not None else int(i) for i in c[:10]] for c in classes[:10]]
        raise ValueError(
            f"the chain has {len(classes)} closed classes, so no unique stationary "
            f"distribution; closed classes (first states of each): {shown}"
        )
    idx = classes[0]
    sub = Qs if idx.size == n else Qs[idx][:, idx]
    cost = None
    if method == "auto":
        if idx.size <= GTH_LIMIT:
            method = "gth"
        else:
            cost = _lu_cost(sub)
            method = "banded-gth" if cost[1] <= LU_WORK_LIMIT else "iterative"
    sweeps, estimate = 0, None
    if idx.size == 1:
        part = np.ones(1)
    elif method == "gth":
        part = gth_solve(sub.toarray())
    elif method == "banded-gth":
        part = banded_gth_solve(sub)
    elif method == "iterative":
        try:
            part, sweeps, estimate = iterative_solve(sub)
        except ArithmeticError as exc:
            if cost is None:
                raise
            if cost[0] > LU_FILL_FALLBACK:
                raise ArithmeticError(f"{exc} (its fill is estimated at {cost[0]:.2g} "
                                      "non-zeros)") from None
            method, part = "lu", lu_solve(sub)  # "auto": slow mixing, affordable LU
    else:
        part = lu_solve(sub)
    pi = np.zeros(n)
    pi[idx] = part
    residual = balance_residual(sub, part)
    if residual > RESIDUAL_TOLERANCE:
        raise ArithmeticError(
            f"steady-state solve ({method}) left a relative balance residual of "
            f"{residual:.3g} > {RESIDUAL_TOLERANCE:g}"
        )
    label = {"gth": "gth", "lu": "sparse-lu", "iterative": "gauss-seidel",
             "banded-gth": "banded-gth"}[method]
    return SteadyState(pi=pi, method=label, residual=residual, iterations=sweeps,
                       error_estimate=estimate)


def transient(Q, p0, t) -> np.ndarray:
    """State probabilities at time `t` from the initial distribution `p0`.

    Dense ``expm`` (scaling and squaring) up to :data:`GTH_LIMIT` states,
    uniformisation (:func:`uniformised`) above. Round-off negatives are
    clipped and the result renormalised.

    Examples
    --------
    >>> transient([[-1.0, 1.0], [1.0, -1.0]], [1.0, 0.0], 0.0)
    array([1., 0.])
    """
    p = propagate(Q, p0, t)
    p = np.clip(p, 0.0, None)
    return p / p.sum()


def propagate(Q, p0, t) -> np.ndarray:
    """``p0 @ expm(Q t)`` for a generator or a sub-generator (mass may leak out).

    Dense ``expm`` up to :data:`GTH_LIMIT` states; above, uniformisation
    (:func:`uniformised`), which adds non-negative terms only and costs one
    sparse product per unit of ``max exit rate * t`` (``expm_multiply`` took
    about ten).

    Examples
    --------
    >>> float(propagate([[-0.5]], [1.0], 2.0)[0])  # exp(-1)
    0.36787944117144233
    """
    p0 = np.asarray(p0, dtype=float)
    t = float(t)
    if t == 0.0:
        return p0.copy()
    if sp.issparse(Q) and Q.shape[0] > GTH_LIMIT:
        return uniformised(Q, p0, t)
    dense = Q.toarray() if sp.issparse(Q) else np.asarray(Q, dtype=float)
    return np.clip(p0 @ scipy.linalg.expm(dense * t), 0.0, None)


#: Poisson mass left out by :func:`uniformised` (an absolute error bound).
UNIFORMISATION_TAIL = 1e-20


def uniformised(Q, p0, t) -> np.ndarray:
    """``p0 @ expm(Q t)`` by uniformisation (Jensen's method).

    With ``L`` slightly above the largest exit rate, ``P = I + Q / L`` has no
    negative entry (its diagonal is at least 1/51) and ``p(t) = sum_k
    Poisson(k; L t) p0 P^k``: every term is non-negative, so small
    probabilities keep their relative accuracy, and at most
    :data:`UNIFORMISATION_TAIL` of probability is dropped with the Poisson
    tail. It takes about ``L t + 10 sqrt(L t) + 20`` sparse products.

    Parameters
    ----------
    Q : array_like or sparse, shape (n, n)
        A generator, or a sub-generator (rows summing to <= 0).
    p0 : array_like, shape (n,)
        Initial (sub-)distribution.
    t : float
        Time, in the unit of the rates.

    Examples
    --------
    >>> p = uniformised([[-1.0, 1.0], [1.0, -1.0]], [1.0, 0.0], 1.0)
    >>> bool(abs(p[1] - (1 - np.exp(-2.0)) / 2) < 1e-15)
    True
    """
    Q = sp.csr_array(Q, dtype=float)
    p0 = np.asarray(p0, dtype=float)
    exits = np.asarray(-Q.diagonal())
    rate = 1.02 * float(exits.max())
    if rate <= 0.0 or t <= 0.0:
        return p0.copy()
    PT = _uniformised_transpose(Q, exits, rate)
    mean = rate * float(t)
    # The first k with P(Poisson(mean) > k) below the tail (about mean + 9.5 sqrt(mean)).
    candidates = np.arange(int(mean), int(mean + 20.0 * np.sqrt(mean) + 60.0))
    last = int(candidates[np.argmax(scipy.special.pdtrc(candidates, mean)
                                    <= UNIFORMISATION_TAIL)])
    k = np.arange(last + 1)
    weights = np.exp(k * np.log(mean) - mean - scipy.special.gammaln(k + 1.0))
    out = weights[0] * p0
    v = p0
    for j in range(1, last + 1):
        v = PT @ v
        if weights[j] > 0.0:
            out += weights[j] * v
        elif j > mean:
            break  # the rest of the Poisson weights underflow too
    return out


def _reachable(T, sources) -> np.ndarray:
    """Boolean mask of the states reachable from `sources` along positive rates."""
    m = T.shape[0]
    coo = sp.csr_array(T).tocoo()
    keep = (coo.row != coo.col) & (coo.data > 0)
    rows = np.concatenate([coo.row[keep], np.full(sources.size, m)])
    cols = np.concatenate([coo.col[keep], sources])
    graph = sp.csr_array((np.ones(rows.size), (rows, cols)), shape=(m + 1, m + 1))
    seen = csgraph.breadth_first_order(graph, m, directed=True, return_predecessors=False)
    mask = np.zeros(m + 1, dtype=bool)
    mask[seen] = True
    return mask[:m]


def mean_time_to_exit(T, exits, alpha) -> float:
    """Mean time until a chain started in `alpha` leaves a set of states.

    The set's internal rates are the off-diagonal entries of `T`; its exit
    rates are given separately (``exits``), never recovered from T's
    diagonal, where an exit rate of 1e-3 beside internal rates of 200 would
    live in the rounding. The time is computed without subtraction from a
    regenerative chain: every exit returns to `alpha` at rate 1, and the mean
    time in the set per cycle is ``(1 - pi_exit) / pi_exit``, with pi from
    GTH (or sparse LU for large sets).

    Parameters
    ----------
    T : array_like or sparse, shape (m, m)
        Rates among the states of the set (the diagonal is ignored).
    exits : array_like, shape (m,)
        Total rate out of the set from each state.
    alpha : array_like, shape (m,)
        Starting distribution over the set.

    Raises
    ------
    ValueError
        If some state reachable from `alpha` can never leave the set.

    Examples
    --------
    Two phases in sequence, each of mean 1 hour:

    >>> mean_time_to_exit([[0.0, 1.0], [0.0, 0.0]], [0.0, 1.0], [1.0, 0.0])
    2.0
    """
    T = sp.csr_array(T, dtype=float)
    exits = np.asarray(exits, dtype=float).ravel()
    alpha = np.asarray(alpha, dtype=float).ravel()
    m = T.shape[0]
    if exits.size != m or alpha.size != m or np.any(exits < 0) or np.any(alpha < 0):
        raise ValueError("mean_time_to_exit: exits and alpha must be non-negative, one per state")
    alpha = alpha / alpha.sum()
    # Only the states reachable from the start matter.
    reach = _reachable(T, np.flatnonzero(alpha > 0))
    if not reach.all():
        idx = np.flatnonzero(reach)
        T, exits, alpha = T[idx][:, idx], exits[idx], alpha[idx]
        m = idx.size
    coo = T.tocoo()
    off = (coo.row != coo.col) & (coo.data > 0)
    rows = np.concatenate([coo.row[off], np.flatnonzero(exits), np.full(m, m)])
    cols = np.concatenate([coo.col[off], np.full(np.count_nonzero(exits), m), np.arange(m)])
    vals = np.concatenate([coo.data[off], exits[exits > 0], alpha])
    keep = vals > 0
    aug = sp.csr_array((vals[keep], (rows[keep], cols[keep])), shape=(m + 1, m + 1))
    aug = aug - sp.diags_array(np.asarray(aug.sum(axis=1)).ravel())
    try:
        pi = steady_state(aug).pi
    except ValueError:
        pi = np.zeros(m + 1)
    if pi[m] <= 0.0:
        raise ValueError("some state never leaves the set: the mean time is infinite")
    return float(pi[:m].sum() / pi[m])
