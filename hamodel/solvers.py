"""Numerical kernels on generator matrices: pure functions on arrays.

Stiff chains (failure rates of 1e-7 per hour beside failover rates of 100
per hour) are the normal case. The steady state is found by a portfolio of
methods (:func:`steady_state`), each checked by its balance residual and,
when iterative, stopped by an estimate of the relative error of every
probability: GTH on small chains and inside the band of large local ones
(:mod:`hamodel.elimination`: no subtraction, full relative accuracy),
Gauss-Seidel sweeps on chains that mix in few sweeps, multilevel
aggregation (:mod:`hamodel.multilevel`) on stiff, slowly mixing chains too
wide for a band, and sparse LU as a fallback. The transient is computed by
uniformisation (sums of non-negative terms), and mean times to leave a set
by a regenerative GTH.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.sparse as sp
import scipy.sparse.csgraph as csgraph
import scipy.sparse.linalg as spla
import scipy.special

from .convergence import FLOOR, Convergence
from .elimination import banded_gth_cost, banded_gth_solve, elimination_cost, gth_solve
from .multilevel import multilevel_solve

__all__ = [
    "GTH_LIMIT",
    "METHODS",
    "SteadyState",
    "banded_gth_cost",
    "banded_gth_solve",
    "closed_classes",
    "componentwise_residual",
    "elimination_cost",
    "gth_solve",
    "iterative_solve",
    "multilevel_solve",
    "lu_solve",
    "steady_state",
    "transient",
    "propagate",
    "uniformised",
    "mean_time_to_exit",
    "balance_residual",
]

#: Largest chain solved densely with GTH by default.
GTH_LIMIT = 1000
#: Largest relative balance residual accepted from a solve.
RESIDUAL_TOLERANCE = 1e-9
#: Largest work (flops of GTH inside the reverse Cuthill-McKee band,
#: :func:`banded_gth_cost`) for which ``method="auto"`` uses banded GTH first;
#: above it, the iterative methods come first.
LU_WORK_LIMIT = 1e9
#: Largest estimated LU fill (non-zeros) that "auto" falls back to when the
#: iterative methods do not converge (1e8 non-zeros take about 1.2 GB).
LU_FILL_FALLBACK = 1e8
#: Largest componentwise residual (:func:`componentwise_residual`) accepted
#: from sparse LU.
LU_COMPONENTWISE_TOLERANCE = 1e-8
#: Largest band (bytes) that "auto" eliminates by banded GTH as its last resort.
BAND_MEMORY_LIMIT = 4 * 2**30
#: Most Gauss-Seidel sweeps "auto" lets a chain take before trying multilevel
#: aggregation (one of its cycles costs about five sweeps).
AUTO_GAUSS_SEIDEL_SWEEPS = 300
#: Relative error that :func:`iterative_solve` aims at in every probability.
ITERATIVE_TOLERANCE = 1e-12
#: Most Gauss-Seidel sweeps :func:`iterative_solve` makes.
ITERATIVE_MAXITER = 2000


@dataclass(frozen=True)
class SteadyState:
    """A stationary distribution with a record of how it was obtained.

    Attributes
    ----------
    pi : numpy.ndarray
        The distribution, in state order (zero on transient states).
    method : str
        The method that answered: ``"gth"``, ``"banded-gth"``,
        ``"gauss-seidel"``, ``"multilevel"``, ``"sparse-lu"``, or
        ``"trivial"`` (one state).
    residual : float
        Relative balance residual ``||pi Q||_1 / (2 sum_i pi_i |q_ii|)``:
        the share of probability flow that does not balance.
    iterations : int
        Sweeps (Gauss-Seidel) or cycles (multilevel) of an iterative solve;
        0 for the direct methods.
    error_estimate : float or None
        For the iterative methods: the estimated largest relative error of
        any probability (above 1e-250), from the last change and the
        observed rate of convergence (see :func:`iterative_solve`). None for
        the direct methods, which are not iterated (their check is
        `residual`).
    componentwise_residual : float
        ``max_j |(pi Q)_j| / (pi_j |q_jj|)`` over the probabilities above
        1e-250: how far each state is from balance, relative to its own
        flow. Unlike `residual`, which the large probabilities dominate, it
        shows a small probability that is wrong.
    attempts : tuple of (str, str)
        Every method tried or passed over, in order, with why it was left
        (or ``"answered"`` for the last).
    """

    pi: np.ndarray
    method: str
    residual: float
    iterations: int = 0
    error_estimate: float | None = None
    componentwise_residual: float = 0.0
    attempts: tuple = ()


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
    clusters of :func:`hamodel.cluster_chain`), and hopeless on chains
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
        Estimated largest relative error of a probability above 1e-250.

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
    watch = Convergence(tol, maxiter, "sweep")
    try:
        while True:
            new = solve(-(upper @ x))
            new /= new.sum()
            done = watch.update(x, new)
            x = new
            if done:
                return x, watch.steps, watch.estimate
    except ArithmeticError as exc:
        raise ArithmeticError(f"Gauss-Seidel {exc}; the chain mixes slowly in this state "
                              "order: try method='multilevel'") from None


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


def componentwise_residual(Q, pi) -> float:
    """``max_j |(pi Q)_j| / (pi_j |q_jj|)`` over the states with ``pi_j > 1e-250``.

    The off-diagonal inflow of each state is summed from non-negative terms
    and compared with its outflow, so the measure is as accurate for a
    probability of 1e-200 as for one of 0.5.

    Examples
    --------
    >>> componentwise_residual([[-3.0, 3.0], [4.0, -4.0]], np.array([4 / 7, 3 / 7])) < 1e-15
    True
    """
    Q = sp.csr_array(Q, dtype=float)
    out = -Q.diagonal()
    off = Q - sp.diags_array(Q.diagonal())
    inflow = pi @ off
    kept = (pi > FLOOR) & (out > 0)
    if not kept.any():
        return 0.0
    return float(np.max(np.abs(inflow[kept] - pi[kept] * out[kept]) / (pi[kept] * out[kept])))


def balance_residual(Q, pi) -> float:
    """Relative balance residual ``||pi Q||_1 / (2 sum_i pi_i |q_ii|)``."""
    Q = sp.csr_array(Q, dtype=float) if sp.issparse(Q) else np.asarray(Q, dtype=float)
    flow = np.abs(pi @ Q).sum()
    scale = 2.0 * (pi * np.abs(Q.diagonal())).sum()
    return float(flow / scale) if scale > 0 else float(flow)


#: Names accepted by :func:`steady_state` and the method each stands for.
METHODS = {"auto": "auto", "gth": "gth", "banded-gth": "banded-gth", "multilevel": "multilevel",
           "iterative": "gauss-seidel", "gauss-seidel": "gauss-seidel", "lu": "sparse-lu",
           "sparse-lu": "sparse-lu"}


def steady_state(Q, method: str = "auto", names=None) -> SteadyState:
    """Unique stationary distribution of a generator, with a record of how it was found.

    Parameters
    ----------
    Q : array_like or sparse matrix, shape (n, n)
        A valid generator.
    method : str
        ``"auto"`` (default) tries a portfolio of methods in order and keeps
        the first answer that passes its checks, recording every method
        tried and why it was left in :attr:`SteadyState.attempts`:

        1. ``"gth"``: dense GTH, up to :data:`GTH_LIMIT` states in the closed
           class (exact, subtraction-free);
        2. ``"banded-gth"``: GTH inside the band of a reverse Cuthill-McKee
           ordering, while its work (:func:`banded_gth_cost`) is at most
           :data:`LU_WORK_LIMIT` flops;
        3. ``"gauss-seidel"`` (:func:`iterative_solve`), given up as soon as
           its observed rate shows that it would need more than
           :data:`AUTO_GAUSS_SEIDEL_SWEEPS` sweeps; it is the fastest route on
           chains that mix in few sweeps, such as ``2**n`` node clusters;
        4. ``"multilevel"``: aggregation multigrid
           (:func:`hamodel.multilevel.multilevel_solve`), for stiff, slowly
           mixing chains too wide for a band; then Gauss-Seidel again, up to
           :data:`ITERATIVE_MAXITER` sweeps, for the chains on which
           aggregation does not converge;
        5. ``"sparse-lu"`` (:func:`lu_solve`) while its estimated fill is at
           most :data:`LU_FILL_FALLBACK` non-zeros (accurate normwise only:
           on large stiff chains its small probabilities can be wrong);
        6. ``"banded-gth"`` after all, whatever its work, while its band
           fits in :data:`BAND_MEMORY_LIMIT` bytes: exact, but it can take
           hours.

        Any one of them can be asked for by name (``"iterative"`` is
        ``"gauss-seidel"``, ``"lu"`` is ``"sparse-lu"``).
    names : sequence, optional
        State names, used in error messages.

    Raises
    ------
    ValueError
        If the chain has more than one closed class (no unique stationary
        distribution); the message lists them.
    ArithmeticError
        If no method answers: every one tried failed its checks (a balance
        residual above :data:`RESIDUAL_TOLERANCE`, no convergence) or would
        not fit in memory; the message lists the attempts.

    Examples
    --------
    Transient states get probability zero:

    >>> steady_state([[-1.0, 1.0, 0.0], [0.0, -2.0, 2.0], [0.0, 3.0, -3.0]]).pi.round(3)
    array([0. , 0.6, 0.4])
    """
    if method not in METHODS:
        raise ValueError(f"method = {method!r}: expected one of {sorted(METHODS)}")
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
    if idx.size == 1:
        return SteadyState(pi=_embed(np.ones(1), idx, n), method="trivial", residual=0.0)
    plan = [METHODS[method]] if method != "auto" else _auto_plan(sub)
    attempts: list[tuple[str, str]] = []
    for step in plan:
        name, run = _SOLVERS[step[0] if isinstance(step, tuple) else step]
        if isinstance(step, tuple):  # (method, reason not to try it)
            attempts.append((name, step[1]))
            continue
        try:
            part, iterations, estimate = run(sub)
        except ArithmeticError as exc:
            attempts.append((name, str(exc)))
            if method != "auto":
                raise
            continue
        residual = balance_residual(sub, part)
        local = componentwise_residual(sub, part)
        reason = None
        if not residual <= RESIDUAL_TOLERANCE:
            reason = (f"left a relative balance residual of {residual:.3g} > "
                      f"{RESIDUAL_TOLERANCE:g}")
        elif name == "sparse-lu" and not local <= LU_COMPONENTWISE_TOLERANCE:
            # LU is accurate normwise only: on stiff chains its small probabilities
            # can be wrong by orders of magnitude while the residual is 1e-17.
            reason = (f"left a componentwise residual of {local:.3g} > "
                      f"{LU_COMPONENTWISE_TOLERANCE:g} (its small probabilities are wrong)")
        if reason is not None:
            attempts.append((name, reason))
            if method != "auto":
                raise ArithmeticError(f"steady-state solve ({name}) {reason}")
            continue
        attempts.append((name, "answered"))
        return SteadyState(pi=_embed(part, idx, n), method=name, residual=residual,
                           iterations=iterations, error_estimate=estimate,
                           componentwise_residual=local, attempts=tuple(attempts))
    raise ArithmeticError("no steady-state method answered; " + "; ".join(
        f"{name}: {reason}" for name, reason in attempts))


def _embed(part, idx, n) -> np.ndarray:
    pi = np.zeros(n)
    pi[idx] = part
    return pi


def _auto_plan(Q) -> list:
    """The methods "auto" tries on an irreducible chain, in order.

    A method that is not affordable appears as ``(method, reason)``.
    """
    n = Q.shape[0]
    if n <= GTH_LIMIT:
        return ["gth"]
    # Banded GTH pays for its whole band (a hub linked to every state makes it n wide);
    # sparse LU's estimate sets hubs aside as a dense border, as COLAMD does.
    band, band_work = banded_gth_cost(Q)
    if band_work <= LU_WORK_LIMIT:
        return ["banded-gth"]
    plan: list = [("banded-gth", f"work {band_work:.2g} flops > {LU_WORK_LIMIT:.2g}: "
                                 "kept as the last resort"),
                  "gauss-seidel-auto", "multilevel", "gauss-seidel"]
    fill, _ = elimination_cost(Q)
    if fill <= LU_FILL_FALLBACK:
        plan.append("sparse-lu")
    else:
        plan.append(("sparse-lu", f"estimated fill {fill:.2g} non-zeros > "
                                  f"{LU_FILL_FALLBACK:.2g}: would not fit in memory"))
    if 8.0 * band <= BAND_MEMORY_LIMIT:
        plan.append("banded-gth")
    else:
        plan.append(("banded-gth", f"its band needs about {8 * band / 2**30:.3g} GiB > "
                                   f"{BAND_MEMORY_LIMIT / 2**30:.3g} GiB"))
    return plan


def _direct(solve):
    return lambda Q: (solve(Q), 0, None)


_SOLVERS = {
    "gth": ("gth", _direct(lambda Q: gth_solve(Q.toarray()))),
    "banded-gth": ("banded-gth", _direct(banded_gth_solve)),
    "gauss-seidel": ("gauss-seidel", lambda Q: iterative_solve(Q)),
    "gauss-seidel-auto": ("gauss-seidel",
                          lambda Q: iterative_solve(Q, maxiter=AUTO_GAUSS_SEIDEL_SWEEPS)),
    "multilevel": ("multilevel", lambda Q: multilevel_solve(Q, tol=ITERATIVE_TOLERANCE)),
    "sparse-lu": ("sparse-lu", _direct(lu_solve)),
}


def transient(Q, p0, t, stationary=None, rtol: float = None) -> np.ndarray:
    """State probabilities at time `t` from the initial distribution `p0`.

    Dense ``expm`` (scaling and squaring) up to :data:`GTH_LIMIT` states,
    uniformisation (:func:`uniformised`) above. Given the chain's
    `stationary` distribution, uniformisation stops as soon as its
    iterate is within :data:`STATIONARY_RTOL` of it in every entry, so a long
    horizon costs the chain's mixing time, not ``max rate * t`` steps
    (`rtol`: see :func:`uniformised`).
    Round-off negatives are clipped and the result renormalised.

    Examples
    --------
    >>> transient([[-1.0, 1.0], [1.0, -1.0]], [1.0, 0.0], 0.0)
    array([1., 0.])
    >>> transient([[-1.0, 1.0], [1.0, -1.0]], [1.0, 0.0], 1e300, stationary=[0.5, 0.5])
    array([0.5, 0.5])
    """
    p0 = np.asarray(p0, dtype=float)
    t = float(t)
    if stationary is not None and t > 0.0 and sp.issparse(Q) and Q.shape[0] > GTH_LIMIT:
        p = uniformised(Q, p0, t, stationary=np.asarray(stationary, dtype=float), rtol=rtol)
        p = np.clip(p, 0.0, None)
        return p / p.sum()
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
    fastest = float(np.max(-np.diagonal(dense), initial=0.0))
    if t * fastest <= _DENSE_STEPS_LIMIT:
        return np.clip(p0 @ scipy.linalg.expm(dense * t), 0.0, None)
    # A horizon of more than 1e8 mean holding times: expm's scaling would overflow
    # (availability_at(1e300) was NaN). P(t) = P(t / 2^k)^(2^k), squaring a
    # (sub)stochastic matrix, and stopping once a squaring changes nothing (more
    # would only compound the rounding of the row sums, by a factor 2 each time).
    # A generator's P is stochastic: its rows are renormalised at every squaring.
    squarings = int(np.ceil(np.log2(t * fastest / _DENSE_STEPS_LIMIT)))
    P = np.clip(scipy.linalg.expm(dense * (t / 2.0**squarings)), 0.0, None)
    exits = -np.diagonal(dense)
    stochastic = np.all(np.abs(dense.sum(axis=1)) <= 1e-12 * np.maximum(exits, 1e-300))
    for _ in range(squarings):
        squared = np.clip(P @ P, 0.0, None)
        if stochastic:
            squared /= squared.sum(axis=1, keepdims=True)
        if np.allclose(squared, P, rtol=4 * np.finfo(float).eps, atol=0.0):
            break
        P = squared
    return np.clip(p0 @ P, 0.0, None)


#: Poisson mass left out by :func:`uniformised` (an absolute error bound).
UNIFORMISATION_TAIL = 1e-20
#: Entrywise relative distance to the stationary distribution at which
#: :func:`uniformised` stops early (when it is given that distribution).
STATIONARY_RTOL = 1e-13
#: Most uniformisation steps (``max exit rate * t``) integrated step by step.
MAX_UNIFORMISATION_STEPS = 1e8
#: Longest horizon, in mean holding times of the fastest state, given to dense
#: expm in one piece; longer ones are reached by squaring.
_DENSE_STEPS_LIMIT = 1e8


def uniformised(Q, p0, t, stationary=None, rtol: float = None) -> np.ndarray:
    """``p0 @ expm(Q t)`` by uniformisation (Jensen's method).

    With ``L`` slightly above the largest exit rate, ``P = I + Q / L`` has no
    negative entry (its diagonal is at least 1/51) and ``p(t) = sum_k
    Poisson(k; L t) p0 P^k``: every term is non-negative, so small
    probabilities keep their relative accuracy, and at most
    :data:`UNIFORMISATION_TAIL` of probability is dropped with the Poisson
    tail. It takes about ``L t + 10 sqrt(L t) + 20`` sparse products.

    Given the `stationary` distribution ``pi`` of the chain, it stops at the
    first step K whose iterate ``v_K = p0 P^K`` satisfies ``|v_K - pi| <=
    rtol pi`` entrywise, and counts the
    Poisson mass of every later step as ``pi``. This is sound: ``P`` is
    non-negative and ``pi P = pi``, so ``|v_k - pi| <= |v_K - pi| P^(k-K) <=
    rtol pi`` for every k > K, and the result is within ``rtol pi`` of the
    full sum in every entry (plus the error of `stationary` itself).

    Parameters
    ----------
    Q : array_like or sparse, shape (n, n)
        A generator, or a sub-generator (rows summing to <= 0).
    p0 : array_like, shape (n,)
        Initial (sub-)distribution.
    t : float
        Time, in the unit of the rates.
    stationary : array_like, shape (n,), optional
        The stationary distribution of `Q` (a generator), for the early stop.
    rtol : float, optional
        Entrywise relative distance to `stationary` that stops the sum;
        default :data:`STATIONARY_RTOL`. Give at least the relative error of
        `stationary` itself, or the stop may never come.

    Raises
    ------
    ValueError
        If ``L t`` exceeds :data:`MAX_UNIFORMISATION_STEPS` and no early stop
        is possible (no `stationary` given, or the iterate never reaches it).

    Examples
    --------
    >>> p = uniformised([[-1.0, 1.0], [1.0, -1.0]], [1.0, 0.0], 1.0)
    >>> bool(abs(p[1] - (1 - np.exp(-2.0)) / 2) < 1e-15)
    True

    A year of a chain that forgets its start in hours stops after a few
    dozen steps instead of 17,000:

    >>> Q = [[-1.0, 1.0], [1.0, -1.0]]
    >>> p = uniformised(Q, [1.0, 0.0], 8766.0, stationary=[0.5, 0.5])
    >>> bool(np.all(np.abs(p - 0.5) <= 1e-13 * 0.5))
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
    if stationary is not None:
        pi = np.asarray(stationary, dtype=float)
        margin = (STATIONARY_RTOL if rtol is None else float(rtol)) * pi
    elif mean > MAX_UNIFORMISATION_STEPS:
        raise ValueError(f"t = {t:g} needs {mean:.3g} uniformisation steps (more than "
                         f"{MAX_UNIFORMISATION_STEPS:.0e}) and no steady state to stop at")
    # The first k with P(Poisson(mean) > k) below the tail (about mean + 9.5 sqrt(mean)).
    last = _poisson_last(mean)
    out = np.zeros_like(p0)
    v = p0
    log_mean = np.log(mean)
    for j in range(0, last + 1):
        if j > 0:
            v = PT @ v
        if stationary is not None and np.all(np.abs(v - pi) <= margin):
            # Poisson mass of the steps j, j + 1, ...: every later iterate is pi.
            return out + scipy.special.pdtrc(j - 1, mean) * pi if j > 0 else pi.copy()
        if j > MAX_UNIFORMISATION_STEPS:
            raise ValueError(f"t = {t:g} needs {mean:.3g} uniformisation steps and the "
                             "iterate has not reached the steady state after "
                             f"{MAX_UNIFORMISATION_STEPS:.0e}")
        weight = np.exp(j * log_mean - mean - scipy.special.gammaln(j + 1.0))
        if weight > 0.0:
            out += weight * v
        elif j > mean:
            break  # the rest of the Poisson weights underflow too
    return out


def _poisson_last(mean: float) -> int:
    """The first k with ``P(Poisson(mean) > k) <= UNIFORMISATION_TAIL``."""
    lo, hi = int(mean), int(mean + 20.0 * np.sqrt(mean) + 60.0)
    while hi - lo > 1:  # bisection: the tail decreases in k
        mid = (lo + hi) // 2
        if scipy.special.pdtrc(mid, mean) <= UNIFORMISATION_TAIL:
            hi = mid
        else:
            lo = mid
    return hi


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
