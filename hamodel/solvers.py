"""Numerical kernels on generator matrices: pure functions on arrays.

Stiff chains (failure rates of 1e-7 per hour beside failover rates of 100
per hour) are the normal case, so the steady state is computed by the
Grassmann-Taksar-Heyman (GTH) algorithm for small chains, which uses no
subtraction and keeps relative accuracy in every probability, and by sparse
LU with one balance equation replaced by normalisation, refined once and
checked by its residual, for large ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.sparse as sp
import scipy.sparse.csgraph as csgraph
import scipy.sparse.linalg as spla

__all__ = [
    "GTH_LIMIT",
    "SteadyState",
    "closed_classes",
    "gth_solve",
    "lu_solve",
    "steady_state",
    "transient",
    "propagate",
    "mean_time_to_exit",
    "balance_residual",
]

#: Largest chain solved densely with GTH by default; larger ones use sparse LU.
GTH_LIMIT = 1000
#: Largest relative balance residual accepted from a solve.
RESIDUAL_TOLERANCE = 1e-9


@dataclass(frozen=True)
class SteadyState:
    """A stationary distribution with a record of how it was obtained.

    Attributes
    ----------
    pi : numpy.ndarray
        The distribution, in state order (zero on transient states).
    method : str
        ``"gth"`` or ``"sparse-lu"``.
    residual : float
        Relative balance residual ``||pi Q||_1 / (2 sum_i pi_i |q_ii|)``:
        the share of probability flow that does not balance.
    """

    pi: np.ndarray
    method: str
    residual: float


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
    method : {"auto", "gth", "lu"}
        ``"auto"`` uses GTH up to :data:`GTH_LIMIT` states in the closed
        class, sparse LU above.
    names : sequence, optional
        State names, used in error messages.

    Raises
    ------
    ValueError
        If the chain has more than one closed class (no unique stationary
        distribution); the message lists them.
    ArithmeticError
        If the solution's balance residual exceeds 1e-9.

    Examples
    --------
    Transient states get probability zero:

    >>> steady_state([[-1.0, 1.0, 0.0], [0.0, -2.0, 2.0], [0.0, 3.0, -3.0]]).pi.round(3)
    array([0. , 0.6, 0.4])
    """
    if method not in ("auto", "gth", "lu"):
        raise ValueError(f"method = {method!r}: expected 'auto', 'gth' or 'lu'")
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
    sub = Qs[idx][:, idx]
    if method == "auto":
        method = "gth" if idx.size <= GTH_LIMIT else "lu"
    if idx.size == 1:
        part = np.ones(1)
    elif method == "gth":
        part = gth_solve(sub.toarray())
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
    return SteadyState(pi=pi, method="gth" if method == "gth" else "sparse-lu", residual=residual)


def transient(Q, p0, t) -> np.ndarray:
    """State probabilities at time `t` from the initial distribution `p0`.

    Dense ``expm`` (scaling and squaring) up to :data:`GTH_LIMIT` states,
    ``scipy.sparse.linalg.expm_multiply`` above. Round-off negatives are
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
        return spla.expm_multiply(sp.csr_array(Q).T * t, p0)
    dense = Q.toarray() if sp.issparse(Q) else np.asarray(Q, dtype=float)
    return np.clip(p0 @ scipy.linalg.expm(dense * t), 0.0, None)


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
