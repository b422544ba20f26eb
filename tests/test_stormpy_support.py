"""Checks of the stormpy reference adapter (``tests/stormpy_support.py``).

The authorities are closed forms (two-state unit, 1-of-2 with one shared
crew, birth-death chains), ``scipy.linalg.expm`` and scipy's direct sparse
solve. Skipped when stormpy is not installed.

Tolerances: the adapter's ``"precise"`` environment solves every linear
system by a direct sparse LU, so on these small, well-conditioned chains the
results agree with the closed forms to a few ulps; ``rel=1e-12`` leaves room
for rounding only. Storm's ``"default"`` (sound) environment stops at a
relative precision of 1e-6, hence ``rel=1e-6`` for it.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.linalg import expm

pytest.importorskip("stormpy")

import stormpy_support as S

pytestmark = pytest.mark.stormpy

LAM, MU = 0.001, 0.1


def one_of_two_shared_crew(lam=LAM, mu=MU):
    """States 0, 1, 2 = number of failed units; one repair crew."""
    return np.array(
        [
            [-2 * lam, 2 * lam, 0.0],
            [mu, -(mu + lam), lam],
            [0.0, mu, -mu],
        ]
    )


def birth_death_availability(n, k, lam, mu, crews):
    """Availability of the lumped n-node cluster (up: at least k nodes up)."""
    weights = [1.0]
    for f in range(n):
        weights.append(weights[-1] * (n - f) * lam / (min(f + 1, crews) * mu))
    weights = np.array(weights)
    return weights[: n - k + 1].sum() / weights.sum()


def test_two_state_unit_closed_form():
    Q = np.array([[-LAM, LAM], [MU, -MU]])
    expected = MU / (LAM + MU)
    assert expected == pytest.approx(0.990099009901, abs=1e-12)
    assert S.long_run_availability(Q, [True, False]) == pytest.approx(
        expected, rel=1e-12
    )
    pi = S.steady_state(sp.csr_matrix(Q))
    np.testing.assert_allclose(pi, [expected, 1 - expected], rtol=1e-12)


def test_one_of_two_shared_crew_availability_closed_form():
    Q = one_of_two_shared_crew()
    num = MU**2 + 2 * LAM * MU
    expected = num / (num + 2 * LAM**2)
    assert expected == pytest.approx(0.999803960008, abs=1e-12)
    up = [True, True, False]
    assert S.long_run_availability(Q, up) == pytest.approx(expected, rel=1e-12)
    assert S.long_run_availability(sp.csr_matrix(Q), up) == pytest.approx(
        expected, rel=1e-12
    )
    # stormpy's default (sound, 1e-6 relative) environment is only approximate
    assert S.long_run_availability(Q, up, method="default") == pytest.approx(
        expected, rel=1e-6
    )


def test_one_of_two_shared_crew_mttf_closed_form():
    expected = (3 * LAM + MU) / (2 * LAM**2)
    assert expected == pytest.approx(51500.0)
    assert S.mttf(one_of_two_shared_crew(), [True, True, False]) == pytest.approx(
        expected, rel=1e-10
    )


@pytest.mark.parametrize("t", [10.0, 1000.0, 1e5])
def test_one_of_two_shared_crew_reliability_vs_expm(t):
    # Storm uses uniformisation (Fox-Glynn, precision 1e-12); expm is a Pade
    # approximant: both are accurate to ~1e-13 relative here.
    Q = one_of_two_shared_crew()
    absorbing = Q.copy()
    absorbing[2, :] = 0.0
    expected = 1.0 - expm(absorbing * t)[0, 2]
    assert S.reliability(Q, [True, True, False], t) == pytest.approx(
        expected, rel=1e-10
    )


def test_prism_cluster_three_nodes_birth_death():
    text = S.prism_cluster_model(3, 2, LAM, MU, crews=1)
    expected = birth_death_availability(3, 2, LAM, MU, 1)
    assert expected == pytest.approx(0.999411996437, abs=1e-12)
    value, n_states = S.solve_prism(text, 'S=? ["up"]')
    assert n_states == 8
    assert value == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("method", "rel"),
    # "iterative" stops value iteration at a relative span of 1e-10.
    [("precise", 1e-12), ("iterative", 1e-9)],
)
def test_prism_cluster_lumps_to_birth_death(method, rel):
    n, k, crews = 6, 4, 2
    timings = {}
    text = S.prism_cluster_model(n, k, LAM, MU, crews)
    value, n_states = S.solve_prism(
        text, 'LRA=? ["up"]', method=method, timings=timings
    )
    assert n_states == 2**n
    assert set(timings) == {"parse", "build", "check"}
    expected = birth_death_availability(n, k, LAM, MU, crews)
    assert value == pytest.approx(expected, rel=rel)


def test_stiff_random_chain_vs_scipy_spsolve():
    # Rates span 1e-7..1e2. Both solvers are direct LU; on this 500-state chain
    # they agree to ~1e-15 in the 1-norm and the residual is at rounding level.
    Q = S.random_stiff_generator(500, seed=3)
    pi = S.steady_state(Q)
    ref = S.scipy_steady_state(Q)
    assert pi.shape == (500,)
    assert pi.sum() == pytest.approx(1.0, abs=1e-13)
    assert S.residual(Q, pi) < 1e-14
    assert np.abs(pi - ref).sum() < 1e-12
    up = np.arange(500) % 7 != 0
    assert S.long_run_availability(Q, up) == pytest.approx(pi[up].sum(), rel=1e-12)


def test_rejects_bad_input():
    with pytest.raises(ValueError):
        S.steady_state(np.zeros((2, 3)))
    with pytest.raises(ValueError):
        S.long_run_availability(np.array([[-1.0, 1.0], [1.0, -1.0]]), [True])
    with pytest.raises(ValueError):
        S.steady_state(np.array([[-1.0, 1.0], [1.0, -1.0]]), method="nope")
