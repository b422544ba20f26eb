"""Property tests: invariants every CTMC model must satisfy, on random generators.

Random chains: 3 to 12 states, rates log-uniform in [1e-6, 1e3] per hour (nine
decades, as between a hardware failure rate and a failover rate), irreducible by
construction (a random Hamiltonian cycle plus random extra transitions), and an up
mask with at least one up and one down state. Hypothesis runs the ``ci`` profile of
tests/conftest.py (50 examples, derandomized, no deadline).

The references are identities of Markov renewal theory, not numbers hamodel printed:
probabilities form a distribution; flow across the up/down cut balances; MUT = A/f and
MDT = U/f; the mean of the outage phase-type distribution is MDT; p(t) -> pi; A(0) = 1
from an up state; and two independent solvers (GTH and sparse LU) agree.

Tolerances. GTH is subtraction-free, so every probability it returns is accurate to a
few n*eps relative; identities built from its output (flows, A/f) hold to ~1e-13, and
are checked at rel 1e-9. Sparse LU and expm are only normwise backward stable: a
backward error of eps relative to the largest rate perturbs pi by up to about
n * eps * kappa, where kappa = (largest rate)/(smallest rate) bounds the sensitivity of
the stationary vector of these chains. So GTH vs LU and p(t) vs pi are compared
componentwise with rel 1e-6 plus abs ``10 * n * eps * kappa`` (<= 2.7e-5 at kappa = 1e9;
in 3000 seeded trials the largest difference seen was 0.02 resp. 0.6 of
``n * eps * kappa``, so the factor 10 is margin, not tuning).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import hamodel as hm
from hamodel import solvers

EPS = np.finfo(float).eps
LOG_RATE = st.floats(min_value=-6.0, max_value=3.0, allow_nan=False, allow_infinity=False)


@st.composite
def chains(draw, min_states=3, max_states=12):
    """(Q, up): an irreducible generator with log-uniform rates and a mixed up mask."""
    n = draw(st.integers(min_states, max_states))
    order = draw(st.permutations(range(n)))
    Q = np.zeros((n, n))
    for a, b in zip(order, order[1:] + order[:1]):
        Q[a, b] = 10.0 ** draw(LOG_RATE)
    extra = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), LOG_RATE),
                          max_size=2 * n))
    for i, j, e in extra:
        if i != j:
            Q[i, j] += 10.0**e
    np.fill_diagonal(Q, -Q.sum(axis=1))
    up = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)
                       .filter(lambda mask: any(mask) and not all(mask))))
    return Q, up


def model(Q, up) -> hm.CTMC:
    """The chain with default initial state (0, which may be down) and default healthy."""
    return hm.CTMC(Q, up=up)


def kappa(Q) -> float:
    off = Q[~np.eye(len(Q), dtype=bool)]
    return float(off[off > 0].max() / off[off > 0].min())


def normwise_tolerance(Q) -> float:
    return 10 * len(Q) * EPS * kappa(Q)


@given(chains())
def test_steady_state_is_a_probability_distribution(chain):
    Q, up = chain
    m = model(Q, up)
    pi = m.steady_state()
    assert np.all(pi >= 0)
    assert abs(pi.sum() - 1) <= 1e-12
    assert np.all(pi > 0)  # irreducible: every state is recurrent
    measures = m.measures()
    assert 0.0 <= measures.availability <= 1.0
    assert 0.0 <= measures.unavailability <= 1.0
    assert abs(measures.availability + measures.unavailability - 1) <= 1e-12
    assert m.solution.residual < 1e-9


@given(chains())
def test_frequency_and_duration_identities(chain):
    """f = up->down flow = down->up flow; MUT f = A; MDT f = U."""
    Q, up = chain
    m = model(Q, up)
    pi, measures = m.steady_state(), m.measures()
    up_to_down = pi[up] @ Q[np.ix_(up, ~up)].sum(axis=1)
    down_to_up = pi[~up] @ Q[np.ix_(~up, up)].sum(axis=1)
    assert measures.failure_frequency == pytest.approx(up_to_down, rel=1e-9)
    assert measures.failure_frequency == pytest.approx(down_to_up, rel=1e-9)
    assert measures.mean_up_time * measures.failure_frequency == pytest.approx(
        measures.availability, rel=1e-9)
    assert measures.mean_down_time * measures.failure_frequency == pytest.approx(
        measures.unavailability, rel=1e-9)
    assert measures.outages_per_year == pytest.approx(measures.failure_frequency * 8766, rel=1e-12)


@given(chains())
def test_gth_and_sparse_lu_agree(chain):
    """Componentwise: rel 1e-6, plus the normwise bound 10 n eps kappa (module docstring)."""
    Q, _ = chain
    gth = solvers.steady_state(Q, method="gth")
    lu = solvers.steady_state(Q, method="lu")
    assert gth.method == "gth" and lu.method == "sparse-lu"
    np.testing.assert_allclose(lu.pi, gth.pi, rtol=1e-6, atol=normwise_tolerance(Q))
    assert gth.residual < 1e-9 and lu.residual < 1e-9


@given(chains())
def test_outage_mean_equals_mean_down_time(chain):
    """Renewal-reward: E[one outage] from the phase-type law equals U/f (rel 1e-6)."""
    Q, up = chain
    m = model(Q, up)
    assert m.outage_duration().mean == pytest.approx(m.measures().mean_down_time, rel=1e-6)


@given(chains())
def test_transient_tends_to_steady_state(chain):
    """p(t) -> pi: at t = 50 / (spectral gap) the distance is e^-50 ~ 2e-22 in exact
    arithmetic, so only the normwise rounding bound remains."""
    Q, up = chain
    m = model(Q, up)
    gap = np.sort(np.abs(np.linalg.eigvals(Q).real))[1]
    assume(gap > 1e3 * EPS * np.abs(Q).max())  # eigenvalue reliably separated from 0
    p = m.transient(50.0 / gap)
    np.testing.assert_allclose(p, m.steady_state(), rtol=1e-6, atol=normwise_tolerance(Q))
    assert abs(p.sum() - 1) <= 1e-12


@given(chains(), st.data())
def test_point_availability_and_reliability_start_at_one_from_an_up_state(chain, data):
    Q, up = chain
    start = data.draw(st.sampled_from(np.flatnonzero(up).tolist()))
    m = hm.CTMC(Q, up=up, initial=start)
    assert m.availability_at(0) == 1.0
    assert m.reliability(0) == 1.0
    t = 1.0 / np.abs(np.diag(Q)).max()  # a short time: still mostly up
    reliability, availability = m.reliability(t), m.availability_at(t)
    assert 0.0 <= reliability <= availability + 1e-12  # R(t) <= A(t), up to rounding
    assert availability <= 1.0 + 1e-12


# ------------------------------------------------- a regression example, found by search
def exact_mean_time_to_absorption(off, down, start) -> Fraction:
    """Solve -T m = 1 on the down states in rational arithmetic; T's diagonal is minus the
    exact total rate out of each state (including the exits to up)."""
    T = [[off[i][j] if i != j else -sum(off[i]) for j in down] for i in down]
    k = len(down)
    A = [[-T[r][c] for c in range(k)] + [Fraction(1)] for r in range(k)]
    for col in range(k):
        pivot = next(r for r in range(col, k) if A[r][col] != 0)
        A[col], A[pivot] = A[pivot], A[col]
        A[col] = [v / A[col][col] for v in A[col]]
        for r in range(k):
            if r != col and A[r][col] != 0:
                factor = A[r][col]
                A[r] = [x - factor * y for x, y in zip(A[r], A[col])]
    return A[down.index(start)][k]


def test_outage_mean_on_an_ill_conditioned_down_set():
    """One up state (0) entering down state 4; the only way back up is 2 -> 0 at 2.3e-3/h,
    while 2 -> 1 runs at 200/h. GTH gets U/f right; the phase-type mean must match the
    exact rational solve to rel 1e-6.

    Regression (fixed in 3b98623): the mean came from a dense LU of -T, whose diagonal
    (-200.0024) hid the exit rate in its rounding (rcond 1e-18): 4.906e14 h instead of
    4.896e14 h. Found by a seeded search over chains like those above."""
    rates = {(0, 4): 2.06e-3, (1, 2): 2e-5, (1, 3): 1e-3, (2, 0): 2.3e-3, (2, 1): 200.0,
             (2, 4): 7e-5, (3, 1): 1e-5, (3, 4): 90.0, (4, 3): 0.08}
    Q = np.zeros((5, 5))
    for (i, j), r in rates.items():
        Q[i, j] = r
    np.fill_diagonal(Q, -Q.sum(axis=1))
    off = [[Fraction(Q[i, j]) if i != j else Fraction(0) for j in range(5)] for i in range(5)]
    exact = float(exact_mean_time_to_absorption(off, [1, 2, 3, 4], start=4))
    m = hm.CTMC(Q, up=[True, False, False, False, False])
    assert m.measures().mean_down_time == pytest.approx(exact, rel=1e-9)  # GTH route: right
    assert m.outage_duration().mean == pytest.approx(exact, rel=1e-6)
