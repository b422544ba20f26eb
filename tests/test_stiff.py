"""A stiff active/standby chain: failure 1e-7/h per unit, repair 1/h, failover 360/h.

shared/reference/textbook-cases.md ("Numerical trap") says such chains lose digits in
solvers that form I - P or subtract nearly equal numbers, while GTH and sparse LU on
the generator keep them. The reference here is exact: the balance equations are
solved in rational arithmetic (``fractions.Fraction``) on the very binary values of
the float rates hamodel receives, and, separately, by hand in closed form.

States (hot standby, one crew per unit, the switch itself cannot fail):

    both up   (up)   --l (active fails)-->   failover  (down, switching)
    both up   (up)   --l (standby fails)-->  one up    (up, degraded)
    failover  (down) --phi = 360-->          one up
    one up    (up)   --mu-->                 both up
    one up    (up)   --l-->                  both down (down)
    both down (down) --mu-->                 one up

Balance equations, solved by hand:
    pi_failover  = (l/phi) pi_bothup
    pi_oneup     = (2l/mu) pi_bothup
    pi_bothdown  = (l/mu) pi_oneup = (2 l^2/mu^2) pi_bothup
    pi_bothup    = 1 / (1 + l/phi + 2l/mu + 2 l^2/mu^2)
so pi = (1 - 2e-7, 2.8e-10, 2.0e-7, 2.0e-14) roughly: five orders of magnitude between
the smallest probability and the next, twenty between the rates' ratio extremes.

Why rel 1e-9 is the right tolerance: GTH has no subtraction, so every probability
keeps relative accuracy of a few n*eps (~1e-15); sparse LU after one refinement step
is backward stable and, on this 4-state chain, also lands within a few ulps. 1e-9
leaves six orders of margin for platform differences yet fails any method that loses
the small probabilities (the traps below miss by 1e-7 to 1e-1).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

import hamodel as hm
from hamodel import solvers

LAM, MU, PHI = 1e-7, 1.0, 360.0
STATES = ("both up", "failover", "one up", "both down")
UP = np.array([True, False, True, False])
REL = 1e-9


def generator(lam=LAM, mu=MU, phi=PHI, zero=0.0) -> list[list]:
    """Q in state order STATES; with Fraction arguments it is exact."""
    return [
        [-(lam + lam), lam, lam, zero],
        [zero, -phi, phi, zero],
        [mu, zero, -(mu + lam), lam],
        [zero, zero, mu, -mu],
    ]


def exact_stationary(Q) -> list[Fraction]:
    """Solve pi Q = 0, sum(pi) = 1 by Gauss-Jordan elimination in exact rational arithmetic."""
    n = len(Q)
    A = [[Q[j][i] for j in range(n)] + [Fraction(0)] for i in range(n)]  # rows of Q^T | b
    A[-1] = [Fraction(1)] * n + [Fraction(1)]  # last balance equation -> normalisation
    for col in range(n):
        pivot = next(r for r in range(col, n) if A[r][col] != 0)
        A[col], A[pivot] = A[pivot], A[col]
        A[col] = [v / A[col][col] for v in A[col]]
        for r in range(n):
            if r != col and A[r][col] != 0:
                factor = A[r][col]
                A[r] = [a - factor * b for a, b in zip(A[r], A[col])]
    return [A[i][n] for i in range(n)]


# The rationals of the float inputs: Fraction(1e-7) is the exact binary value hamodel sees.
L_, M_, P_ = Fraction(LAM), Fraction(MU), Fraction(PHI)
EXACT = exact_stationary(generator(L_, M_, P_, Fraction(0)))
PI_EXACT = np.array([float(p) for p in EXACT])
U_EXACT = float(EXACT[1] + EXACT[3])
F_EXACT = float(L_ * (EXACT[0] + EXACT[2]))  # up->down flow: active failure or last unit


def chain(**kwargs) -> hm.CTMC:
    return hm.CTMC(generator(), up=UP, states=STATES, **kwargs)


def test_hand_closed_form_equals_exact_rational_solve():
    """The hand derivation (module docstring) and Gaussian elimination agree exactly."""
    pi0 = 1 / (1 + L_ / P_ + 2 * L_ / M_ + 2 * L_**2 / M_**2)
    closed = [pi0, L_ / P_ * pi0, 2 * L_ / M_ * pi0, 2 * L_**2 / M_**2 * pi0]
    assert closed == EXACT
    assert sum(EXACT) == 1
    assert PI_EXACT[3] == pytest.approx(2e-14, rel=1e-6)  # the tiny one is really tiny


@pytest.mark.parametrize("method", ["gth", "lu"])
def test_every_probability_to_rel_1e9(method):
    """GTH and sparse LU recover all four probabilities, down to 2e-14, to rel 1e-9."""
    solution = solvers.steady_state(np.array(generator()), method=method)
    np.testing.assert_allclose(solution.pi, PI_EXACT, rtol=REL, atol=0)
    assert solution.pi[1] + solution.pi[3] == pytest.approx(U_EXACT, rel=REL)
    assert solution.residual < 1e-12


@pytest.mark.parametrize("method", ["gth", "lu"])
def test_sparse_input_every_probability_to_rel_1e9(method):
    import scipy.sparse as sp

    solution = solvers.steady_state(sp.csr_array(np.array(generator())), method=method)
    np.testing.assert_allclose(solution.pi, PI_EXACT, rtol=REL, atol=0)


def test_ctmc_measures_against_exact_values():
    """A, U (computed directly, not 1 - A), f, MDT and the residual of the default solve."""
    m = chain()
    assert m.solution.method == "gth"
    assert m.solution.residual < 1e-12
    np.testing.assert_allclose(m.steady_state(), PI_EXACT, rtol=REL, atol=0)
    measures = m.measures()
    assert measures.unavailability == pytest.approx(U_EXACT, rel=REL)
    assert measures.availability == pytest.approx(float(EXACT[0] + EXACT[2]), rel=REL)
    assert measures.failure_frequency == pytest.approx(F_EXACT, rel=REL)
    assert measures.mean_down_time == pytest.approx(U_EXACT / F_EXACT, rel=REL)
    assert measures.degraded_fraction == pytest.approx(float(EXACT[2]), rel=REL)
    assert measures.downtime_minutes_per_year == pytest.approx(U_EXACT * 8766 * 60, rel=REL)


def test_ctmc_lu_route_from_transitions_matches():
    """The same chain from named transitions, solved by sparse LU through the public API."""
    m = hm.CTMC.from_transitions(
        [("both up", "failover", LAM), ("both up", "one up", LAM), ("failover", "one up", PHI),
         ("one up", "both up", MU), ("one up", "both down", LAM), ("both down", "one up", MU)],
        up=["both up", "one up"],
    )
    order = [m.index(s) for s in STATES]
    np.testing.assert_allclose(m.steady_state()[order], PI_EXACT, rtol=REL, atol=0)
    lu = solvers.steady_state(m.Q, method="lu", names=m.states)
    np.testing.assert_allclose(lu.pi[order], PI_EXACT, rtol=REL, atol=0)


def test_mttf_and_outage_duration_closed_forms():
    """MTTF from "both up" is exactly 1/l (first-step analysis: m0 = 1/(2l) + m2/2,
    m2 = (1 + mu m0)/(mu + l)); an outage is failover (rate phi) with probability
    pi0 l/f, else a repair (rate mu), so its mean is (pi0/phi + pi2/mu) l/f."""
    m = chain()
    assert m.mttf() == pytest.approx(1 / LAM, rel=REL)
    mean = float((EXACT[0] / P_ + EXACT[2] / M_) * L_) / F_EXACT
    outage = m.outage_duration()
    assert outage.mean == pytest.approx(mean, rel=REL)
    assert outage.mean == pytest.approx(m.measures().mean_down_time, rel=REL)
    # Mixture of two exponentials: P(outage > 1 h) = w e^-phi + (1 - w) e^-mu.
    w = float(EXACT[0] * L_) / F_EXACT
    assert outage.sf("1h") == pytest.approx(w * np.exp(-PHI) + (1 - w) * np.exp(-MU), rel=REL)


# ------------------------------------------------------------------ the traps
def test_trap_demo_one_minus_availability_loses_the_unavailability():
    """Demonstration: U as 1 - A is off by ~2e-7 relative, because doubles near 1 are
    1.1e-16 apart, i.e. 4e-7 of U = 2.8e-10. hamodel sums the down states instead.

    If this starts failing, 1 - A happens to round exactly on this platform; the
    demonstration is then moot, not hamodel wrong (the assertion on hamodel stays).
    """
    measures = chain().measures()
    naive = 1.0 - measures.availability
    assert abs(naive / U_EXACT - 1) > 1e-9
    assert measures.unavailability == pytest.approx(U_EXACT, rel=REL)


def test_trap_demo_inverting_i_minus_p_loses_the_small_probabilities():
    """Demonstration: the textbook formula pi = 1^T (I - P + 1 1^T)^-1 on the uniformised
    chain P = I + Q/phi forms I - P, which is Q/phi again but now with its tiny entries
    (l/phi ~ 3e-10) added to O(1) numbers, so they keep only ~6 significant digits; the
    inverse then gets pi(both down) = 2e-14 wrong in the first digit (observed ~40 %).

    The assertion is that the naive error is large (> 1e-3 relative on the smallest
    probability, and > 1e-9 on pi(failover)); it fails if the trap disappears, e.g. if
    LAPACK got componentwise-accurate, in which case this demonstration needs a stiffer chain.
    """
    Q = np.array(generator())
    P = np.eye(4) + Q / PHI
    naive = np.ones(4) @ np.linalg.inv(np.eye(4) - P + np.ones((4, 4)))
    error = np.abs(naive / PI_EXACT - 1)
    assert error[3] > 1e-3
    assert error[1] > 1e-9
    hamodel_error = np.abs(chain().steady_state() / PI_EXACT - 1)
    assert hamodel_error.max() < REL
