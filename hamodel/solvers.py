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
    "mean_time_to_absorption",
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
    return x / x.sum()


def lu_solve(Q) -> np.ndarray:
    """Stationary distribution of an irreducible sparse generator by sparse LU.

    Solves ``pi Q = 0`` with the balance equation of the most connected state
    replaced by ``sum(pi) = 1``, then applies one step of iterative
    refinement with the same factors.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> lu_solve(sp.csr_array([[-3.0, 3.0], [4.0, -4.0]])).round(8)
    array([0.57142857, 0.42857143])
    """
    Q = sp.csr_array(Q, dtype=float)
    n = Q.shape[0]
    A = sp.lil_array(Q.T)
    row = int(np.argmax(np.abs(Q.diagonal())))
    A[row, :] = np.ones(n)
    A = sp.csc_array(A)
    b = np.zeros(n)
    b[row] = 1.0
    lu = spla.splu(A, permc_spec="COLAMD")
    x = lu.solve(b)
    x += lu.solve(b - A @ x)
    x = np.clip(x, 0.0, None)
    return x / x.sum()


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
    closed = [c for c in range(n_comp) if c not in set(open_classes.tolist())]
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


def mean_time_to_absorption(T) -> np.ndarray:
    """Mean time to leave the transient set, from each of its states.

    Parameters
    ----------
    T : array_like or sparse, shape (m, m)
        Sub-generator on the transient states.

    Raises
    ------
    ValueError
        If some state never leaves (the mean time is infinite).

    Examples
    --------
    >>> mean_time_to_absorption([[-0.5]])
    array([2.])
    """
    m = T.shape[0] if sp.issparse(T) else np.asarray(T).shape[0]
    ones = np.ones(m)
    with np.errstate(all="ignore"):
        try:
            if sp.issparse(T) and m > GTH_LIMIT:
                times = spla.splu(sp.csc_array(-T)).solve(ones)
            else:
                dense = T.toarray() if sp.issparse(T) else np.asarray(T, dtype=float)
                times = scipy.linalg.solve(-dense, ones)
        except (RuntimeError, np.linalg.LinAlgError, scipy.linalg.LinAlgError):
            times = np.full(m, np.inf)
    if not np.all(np.isfinite(times)) or np.any(times < 0):
        raise ValueError("some state never reaches the target set: the mean time is infinite")
    return times
