"""Independent reference CTMC solver built on stormpy (Storm's Python bindings).

This module is test/benchmark support, not part of :mod:`hamodel`. It hands a
CTMC generator matrix ``Q`` (rates per hour, rows summing to zero) to the
Storm probabilistic model checker and asks Storm for steady-state and
transient/reachability measures, so that hamodel's own solvers can be checked
against an implementation that shares no code with them.

Everything is written against the stormpy 2.x API (checked with stormpy 2.0.0):

* the rate matrix (off-diagonal part of ``Q``) is put into a
  ``stormpy.datastructures.SparseMatrixBuilder[float]`` with
  ``add_next_values`` (bulk, row-major order);
* ``stormpy.models.SparseModelComponents[float](transition_matrix=...,
  state_labeling=..., rate_transitions=True)`` turns it into a
  ``stormpy.models.SparseCtmc[float]`` (Storm derives the exit rates);
* states are labelled ``"init"`` (the initial state), ``"up"`` and ``"down"``;
* measures are computed with ``stormpy.analysis.compute_steady_state_distribution``
  and ``stormpy.model_checking`` on PRISM-style properties
  (``LRA=? ["up"]``, ``P=? [F<=t "down"]``, ``T=? [F "down"]``).

Solver environments (the ``method=`` argument)
----------------------------------------------
``"precise"`` (default)
    Storm's sparse engine with the Eigen library's **sparse LU** direct solver
    for every linear equation system (``--eqsolver eigen --eigen:method
    sparselu``), Fox-Glynn precision ``1e-12`` for time-bounded reachability,
    and the steady-state distribution computed with Storm's
    *expected-visiting-times* (EVT) algorithm: one state of the (bottom) SCC
    is a regeneration point, the expected visits of the embedded DTMC are
    solved for, divided by the exit rates and normalised (no normalisation
    row, no cancellation). Direct LU means no convergence test is involved,
    which is what stiff chains (rates 1e-7 .. 1e3) need. Against GTH
    (subtraction-free elimination) on stiff random chains of 1,000-2,000
    states, EVT+LU was the most accurate option we found (entrywise relative
    error 1e-13 .. 1e-9; Storm's equation-system algorithm and scipy's
    ``spsolve`` were 10x-100x worse) and the fastest, so
    :func:`long_run_availability` sums this distribution. Model-checked
    long-run properties (``S=?``/``LRA=?`` in :func:`solve_prism`) use Storm's
    gain/bias equations, also by sparse LU: exact to ~1e-14 on the cluster
    model, but 1e-9 .. 1e-4 relative off on stiff chains. **Limits:** no
    LU-based solver is a trustworthy reference for very stiff *large* chains.
    On a 100,000-state banded chain with rates 1e-7 .. 1e2 EVT+LU was 5e-7
    relative off in the down probability; with narrower bands (a long,
    nearly decomposable chain) Storm, scipy ``spsolve`` and every other LU
    variant returned negative entries and O(1) errors while their residuals
    ``||pi Q||_1`` were ~1e-17. Check such chains against GTH, and judge
    accuracy by a componentwise backward error, never by the residual. Cost:
    the LU fill-in. Local, banded-like chains are fine; expander-like graphs
    (uniformly random targets, or the ``2**n`` hypercube of
    :func:`prism_cluster_model`) fill in quadratically, so
    beyond ~20,000 states (hypercube: ~5,000) use ``"iterative"``.
``"iterative"``
    The same settings with Storm's soundness flag on: long-run averages by
    value iteration on the uniformised chain, stopping when the span of the
    per-step increments (a two-sided bound on the gain) is below ``1e-10``
    relative; linear systems by the topological solver with optimistic value
    iteration, relative precision 1e-10. Use it for large, not too stiff
    models such as the PRISM cluster (2**20 states). On very stiff chains the
    iterations converge extremely slowly. (LRA precision ``1e-12`` stalls in
    double precision when the long-run value is small, hence 1e-10.)
``"default"``
    Exactly what ``stormpy.model_checking`` uses when no environment is given:
    ``stormpy.environments.default(model)``, which for floating-point models is
    the *sound* environment (topological solver, optimistic value iteration,
    relative precision 1e-6; long-run averages by value iteration; steady
    state by EVT). Use this to benchmark "stormpy out of the box". On stiff
    chains it practically never finishes (a stiff 2,000-state long-run
    availability ran for over 2 minutes; a 10,000-state steady state for over
    6 minutes).
``"plain"``
    ``stormpy.environments.Environment()``: Storm's built-in defaults without
    the soundness requirement (what the ``storm`` command line tool does).
    Its steady-state computation (gmm++ GMRES with ILU) does not converge on
    stiff chains and returns wrong results with only a log warning; do not
    use it as a reference.

Storm's settings are process-global and can be set only once per option, so
``"precise"`` and ``"iterative"`` are built by one call of
``stormpy.developer.set_from_exploded_string`` (:data:`STORM_SETTINGS`),
then ``EnvironmentBuilder.build_environment()`` plus Python-side tweaks.
Environments from ``stormpy.environments.sound()``/``Environment()`` are not
affected by those settings.

A ``stormpy.environments.Environment`` instance may also be passed as
``method``.
"""

from __future__ import annotations

import math
import os
import tempfile
import time

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

try:  # pragma: no cover - depends on the environment
    import stormpy
    import stormpy.analysis
    import stormpy.developer
    from stormpy import datastructures as _ds
    from stormpy import environments as _envs
    from stormpy import models as _models

    HAVE_STORMPY = True
except ImportError:  # pragma: no cover
    stormpy = None
    HAVE_STORMPY = False

__all__ = [
    "HAVE_STORMPY",
    "STORM_SETTINGS",
    "build_ctmc",
    "environment",
    "long_run_availability",
    "mttf",
    "prism_cluster_model",
    "random_stiff_generator",
    "reliability",
    "residual",
    "scipy_steady_state",
    "solve_prism",
    "steady_state",
]

#: Storm command-line settings applied (once per process: Storm refuses to set
#: an option twice) before building the ``"precise"`` and ``"iterative"``
#: environments with ``EnvironmentBuilder``. The LRA method is deliberately
#: left at its default so that it follows the soundness flag: gain/bias
#: equations when not sound (``"precise"``), value iteration when sound
#: (``"iterative"``).
STORM_SETTINGS = {
    "--eqsolver": "eigen",
    "--eigen:method": "sparselu",
    "--eigen:precision": "1e-12",
    "--gmm++:precision": "1e-12",
    "--native:precision": "1e-12",
    "--lra:precision": "1e-10",
    "--timebounded:precision": "1e-12",
}

_METHODS = ("precise", "iterative", "default", "plain")
_settings_applied = False


def _require_stormpy():
    if not HAVE_STORMPY:
        raise ImportError("stormpy is not installed (pip install stormpy)")


def _settings_environment():
    global _settings_applied
    if not _settings_applied:
        args = [word for item in STORM_SETTINGS.items() for word in item]
        stormpy.developer.set_from_exploded_string(args)
        _settings_applied = True
    return stormpy.developer.EnvironmentBuilder.build_environment()


def environment(method="precise", model=None):
    """Return the Storm environment selected by ``method``.

    Parameters
    ----------
    method : {"precise", "iterative", "default", "plain"} or Environment
        See the module docstring. An ``Environment`` instance is returned
        unchanged.
    model : stormpy model, optional
        Needed for ``"default"`` only (``stormpy.environments.default`` picks
        the environment from the model's value type); without a model the
        floating-point default, ``stormpy.environments.sound()``, is used.

    Returns
    -------
    stormpy.environments.Environment
        A fresh environment (callers may modify it).
    """
    _require_stormpy()
    if isinstance(method, _envs.Environment):
        return method
    if method in ("precise", "iterative"):
        env = _settings_environment()
        env.modelchecker().steady_state_distribution_algorithm = (
            _envs.SteadyStateDistributionAlgorithm.EXPECTED_VISITING_TIMES
        )
        if method == "iterative":
            solver = env.solver()
            solver.force_soundness = True
            solver.set_linear_equation_solver_type(_envs.EquationSolverType.TOPOLOGICAL)
            solver.native().precision = stormpy.Rational("1/10000000000")
        return env
    if method == "default":
        return _envs.default(model) if model is not None else _envs.sound()
    if method == "plain":
        return _envs.Environment()
    raise ValueError(
        f"method must be one of {_METHODS} or an Environment, got {method!r}"
    )


def _rate_matrix(Q):
    """Off-diagonal, strictly positive part of ``Q`` as sorted CSR."""
    Q = sp.csr_matrix(Q, dtype=float)
    if Q.shape[0] != Q.shape[1]:
        raise ValueError(f"Q must be square, got shape {Q.shape}")
    R = (Q - sp.diags(Q.diagonal())).tocsr()
    R.eliminate_zeros()
    R.sort_indices()
    if R.nnz and R.data.min() < 0:
        raise ValueError("Q has negative off-diagonal entries")
    return R


def _as_mask(mask, n, name):
    mask = np.asarray(mask, dtype=bool)
    if mask.shape != (n,):
        raise ValueError(
            f"{name} must be a boolean vector of length {n}, got shape {mask.shape}"
        )
    return mask


def build_ctmc(Q, up_mask=None, initial=0):
    """Build a Storm sparse CTMC from a generator matrix.

    Parameters
    ----------
    Q : scipy.sparse matrix or array_like, shape (n, n)
        Generator: non-negative off-diagonal rates, rows summing to zero. Only
        the off-diagonal part is used (Storm computes exit rates itself).
        States without outgoing transitions become absorbing (exit rate 0).
    up_mask : array_like of bool, shape (n,), optional
        States labelled ``"up"``; their complement is labelled ``"down"``.
        Default: all states up.
    initial : int, optional
        State labelled ``"init"`` (Storm's initial state), default 0.

    Returns
    -------
    stormpy.models.SparseCtmc
        CTMC with labels ``"init"``, ``"up"`` and ``"down"``.
    """
    _require_stormpy()
    R = _rate_matrix(Q)
    n = R.shape[0]
    if not 0 <= initial < n:
        raise ValueError(f"initial state {initial} out of range for {n} states")
    up = np.ones(n, dtype=bool) if up_mask is None else _as_mask(up_mask, n, "up_mask")

    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(R.indptr))
    builder = _ds.SparseMatrixBuilder[float](rows=n, columns=n, entries=R.nnz)
    builder.add_next_values(rows.tolist(), R.indices.tolist(), R.data.tolist(), [])
    matrix = builder.build()

    labeling = _models.StateLabeling(n)
    for label, states in (
        ("init", [int(initial)]),
        ("up", np.flatnonzero(up).tolist()),
        ("down", np.flatnonzero(~up).tolist()),
    ):
        labeling.add_label(label)
        labeling.set_states(label, _ds.BitVector(n, states))

    components = _models.SparseModelComponents[float](
        transition_matrix=matrix, state_labeling=labeling, rate_transitions=True
    )
    return _models.SparseCtmc[float](components)


def _check_initial(model, formula, method):
    prop = stormpy.parse_property(formula)
    env = environment(method, model)
    result = stormpy.model_checking(
        model, prop, only_initial_states=True, environment=env
    )
    return float(result.get_value(model.initial_states[0]))


def steady_state(Q, method="precise"):
    """Steady-state (long-run) distribution of a CTMC computed by Storm.

    Uses ``stormpy.analysis.compute_steady_state_distribution`` (Storm's
    sparse engine) with the expected-visiting-times algorithm; the linear
    systems are solved by Eigen's sparse LU (``"precise"``) or by optimistic
    value iteration (``"iterative"``: relative precision 1e-10, ``"default"``:
    1e-6). For a reducible chain the result is the long-run distribution from
    state 0.

    Parameters
    ----------
    Q : scipy.sparse matrix or array_like, shape (n, n)
        CTMC generator (rates per hour).
    method : {"precise", "iterative", "default", "plain"} or Environment, optional
        Storm environment, see the module docstring.

    Returns
    -------
    numpy.ndarray, shape (n,)
        Steady-state probabilities.
    """
    model = build_ctmc(Q)
    result = stormpy.analysis.compute_steady_state_distribution(
        model, environment=environment(method, model)
    )
    return np.asarray(result.get_value_vector(), dtype=float)


def long_run_availability(Q, up_mask, method="precise", initial=0):
    """Long-run probability of being in an ``"up"`` state.

    With ``method="precise"`` this is the sum over the up states of Storm's
    steady-state distribution (EVT algorithm, sparse LU), which is more
    accurate on stiff chains than Storm's ``LRA=? ["up"]`` (gain/bias
    equations). Any other method model-checks ``LRA=? ["up"]``.

    Parameters
    ----------
    Q : scipy.sparse matrix or array_like, shape (n, n)
        CTMC generator (rates per hour).
    up_mask : array_like of bool, shape (n,)
        Up states.
    method : {"precise", "iterative", "default", "plain"} or Environment, optional
        Storm environment, see the module docstring.
    initial : int, optional
        Initial state (matters only for reducible chains), default 0.

    Returns
    -------
    float
        Steady-state availability.
    """
    model = build_ctmc(Q, up_mask, initial)
    if isinstance(method, str) and method == "precise":
        pi = stormpy.analysis.compute_steady_state_distribution(
            model, environment=environment(method, model)
        ).get_value_vector()
        up = np.asarray(up_mask, dtype=bool)
        return float(math.fsum(np.asarray(pi)[up]))
    return _check_initial(model, 'LRA=? ["up"]', method)


def reliability(Q, up_mask, t, initial=0, method="precise"):
    """Reliability ``R(t) = 1 - P=? [F<=t "down"]`` from state ``initial``.

    Storm computes time-bounded reachability on CTMCs by uniformisation with
    Fox-Glynn truncation; its cost grows with ``max exit rate * t``.

    Parameters
    ----------
    Q : scipy.sparse matrix or array_like, shape (n, n)
        CTMC generator (rates per hour).
    up_mask : array_like of bool, shape (n,)
        Up states; the first entrance into a down state is a system failure.
    t : float
        Mission time in hours.
    initial : int, optional
        Initial state, default 0.
    method : {"precise", "iterative", "default", "plain"} or Environment, optional
        Storm environment, see the module docstring.

    Returns
    -------
    float
        Probability of no failure during ``[0, t]``.
    """
    formula = f'P=? [F<={float(t)!r} "down"]'
    return 1.0 - _check_initial(build_ctmc(Q, up_mask, initial), formula, method)


def mttf(Q, up_mask, initial=0, method="precise"):
    """Mean time to first failure, ``T=? [F "down"]``, from state ``initial``.

    Parameters
    ----------
    Q : scipy.sparse matrix or array_like, shape (n, n)
        CTMC generator (rates per hour).
    up_mask : array_like of bool, shape (n,)
        Up states.
    initial : int, optional
        Initial state, default 0.
    method : {"precise", "iterative", "default", "plain"} or Environment, optional
        Storm environment, see the module docstring.

    Returns
    -------
    float
        Expected time (hours) until a down state is first entered
        (``inf`` if that is not almost sure).
    """
    return _check_initial(build_ctmc(Q, up_mask, initial), 'T=? [F "down"]', method)


def prism_cluster_model(n, k, lam, mu, crews):
    """PRISM source of an ``n``-node cluster with a shared repair facility.

    Every node is its own module with a boolean-like state ``s_i`` (0 up,
    1 failed), so the model has ``2**n`` states. Nodes fail independently at
    rate ``lam``. The facility has ``crews`` crews each repairing at rate
    ``mu``; when ``f`` nodes are failed the total repair rate
    ``min(f, crews) * mu`` is shared equally among them (processor sharing),
    i.e. each failed node is repaired at rate ``mu * min(f, crews) / f``. The
    number of failed nodes is therefore the birth-death chain with birth rate
    ``(n - f) * lam`` and death rate ``min(f, crews) * mu``.

    Parameters
    ----------
    n : int
        Number of nodes.
    k : int
        Label ``"up"`` holds when at least ``k`` nodes are up; ``"down"`` is
        its negation.
    lam, mu : float
        Per-node failure rate and per-crew repair rate (per hour).
    crews : int
        Number of repair crews.

    Returns
    -------
    str
        PRISM CTMC model text; initial state: all nodes up.
    """
    if not (1 <= k <= n and crews >= 1):
        raise ValueError("need 1 <= k <= n and crews >= 1")
    lines = [
        "ctmc",
        "",
        f"const int N = {int(n)};",
        f"const int K = {int(k)};",
        f"const int CREWS = {int(crews)};",
        f"const double lam = {float(lam)!r};",
        f"const double mu = {float(mu)!r};",
        "",
        "formula nfailed = " + " + ".join(f"s{i}" for i in range(1, n + 1)) + ";",
        "formula rep = mu * min(nfailed, CREWS) / nfailed;",
        "",
    ]
    # Modules are written out rather than renamed ("module node2 = node1
    # [s1=s2]"): renaming would also rewrite s1 inside the expanded formula.
    for i in range(1, n + 1):
        lines += [
            f"module node{i}",
            f"  s{i} : [0..1] init 0;",
            f"  [] s{i}=0 -> lam : (s{i}'=1);",
            f"  [] s{i}=1 -> rep : (s{i}'=0);",
            "endmodule",
            "",
        ]
    lines += [
        'label "up" = nfailed <= N - K;',
        'label "down" = nfailed > N - K;',
        "",
    ]
    return "\n".join(lines)


def solve_prism(text, property, method="precise", timings=None):
    """Build a PRISM model with stormpy and check one property on it.

    Parameters
    ----------
    text : str
        PRISM model source (e.g. from :func:`prism_cluster_model`).
    property : str
        PRISM-style property, e.g. ``'S=? ["up"]'`` or ``'LRA=? ["up"]'``.
    method : {"precise", "iterative", "default", "plain"} or Environment, optional
        Storm environment for model checking, see the module docstring.
    timings : dict, optional
        If given, filled with wall-clock seconds for ``"parse"``, ``"build"``
        and ``"check"``.

    Returns
    -------
    value : float
        Value of the property in the initial state.
    n_states : int
        Number of reachable states of the built model.
    """
    _require_stormpy()
    t0 = time.perf_counter()
    fd, path = tempfile.mkstemp(suffix=".prism", text=True)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        program = stormpy.parse_prism_program(path, prism_compatibility=True)
    finally:
        os.unlink(path)
    prop = stormpy.parse_property(property, program)
    t1 = time.perf_counter()
    model = stormpy.build_model(program, [prop])
    t2 = time.perf_counter()
    env = environment(method, model)
    result = stormpy.model_checking(
        model, prop, only_initial_states=True, environment=env
    )
    value = float(result.get_value(model.initial_states[0]))
    t3 = time.perf_counter()
    if timings is not None:
        timings.update(parse=t1 - t0, build=t2 - t1, check=t3 - t2)
    return value, int(model.nr_states)


# ---------------------------------------------------------------------------
# Benchmark workload and plain-scipy reference
# ---------------------------------------------------------------------------


def random_stiff_generator(
    n, out_degree=5, log10_range=(-7.0, 2.0), bandwidth=None, seed=0
):
    """Random irreducible, stiff CTMC generator.

    Each state gets ``out_degree`` random targets with rates ``10**u``, ``u``
    normal with mean the middle of ``log10_range`` and standard deviation a
    quarter of its width, clipped to the range (a lognormal spread). A cycle
    ``i -> i+1 (mod n)`` with rates drawn the same way makes it irreducible.

    With uniformly random targets (``bandwidth=None``) the transition graph is
    an expander, on which any direct sparse LU (scipy's SuperLU, Eigen's
    SparseLU) suffers roughly quadratic fill-in and cubic time: beyond ~20,000
    states use ``bandwidth``. Then targets are drawn within ``+-bandwidth``
    of the source state, giving the local, banded-like structure of real
    reliability models and fill-in of order ``n * bandwidth``. Narrow bands
    on many states make a long, nearly decomposable chain whose stationary
    vector spans tens of orders of magnitude (1e-68 .. 1e-1 for 600,000
    states, ``bandwidth=10``): LU-based solvers, Storm's included, fail on
    it (see the module docstring).

    Parameters
    ----------
    n : int
        Number of states.
    out_degree : int, optional
        Random transitions per state (before merging duplicates).
    log10_range : tuple of float, optional
        Range of ``log10(rate)``.
    bandwidth : int, optional
        If given, random targets lie within ``+-bandwidth`` of the source
        (wrapping around modulo ``n``).
    seed : int, optional
        Seed for ``numpy.random.default_rng``.

    Returns
    -------
    scipy.sparse.csr_matrix, shape (n, n)
        Generator with rows summing to zero.
    """
    rng = np.random.default_rng(seed)
    lo, hi = log10_range

    def rates(size):
        u = rng.normal((lo + hi) / 2.0, (hi - lo) / 4.0, size)
        return 10.0 ** np.clip(u, lo, hi)

    src = np.repeat(np.arange(n), out_degree)
    if bandwidth is None:
        dst = rng.integers(0, n, src.size)
    else:
        dst = (src + rng.integers(-bandwidth, bandwidth + 1, src.size)) % n
    src = np.concatenate([src, np.arange(n)])
    dst = np.concatenate([dst, (np.arange(n) + 1) % n])
    keep = src != dst
    src, dst = src[keep], dst[keep]
    R = sp.csr_matrix((rates(src.size), (src, dst)), shape=(n, n))
    R.sum_duplicates()
    return (R - sp.diags(np.asarray(R.sum(axis=1)).ravel())).tocsr()


def scipy_steady_state(Q):
    """Steady state by direct sparse LU (``scipy.sparse.linalg.spsolve``).

    Solves ``Q^T pi = 0`` with the last equation replaced by ``sum(pi) = 1``.

    Parameters
    ----------
    Q : scipy.sparse matrix or array_like, shape (n, n)
        Irreducible CTMC generator.

    Returns
    -------
    numpy.ndarray, shape (n,)
        Steady-state probabilities.
    """
    A = sp.csr_matrix(Q, dtype=float).T.tolil()
    n = A.shape[0]
    A[n - 1, :] = np.ones(n)
    b = np.zeros(n)
    b[-1] = 1.0
    return spla.spsolve(A.tocsc(), b)


def residual(Q, pi):
    """Residual ``||pi Q||_1`` of a candidate stationary vector.

    Parameters
    ----------
    Q : scipy.sparse matrix or array_like, shape (n, n)
        CTMC generator.
    pi : array_like, shape (n,)
        Candidate distribution.

    Returns
    -------
    float
        1-norm of ``pi Q``.
    """
    Q = sp.csr_matrix(Q, dtype=float)
    return float(np.abs(Q.T @ np.asarray(pi, dtype=float)).sum())
