"""hamodel against Storm, an independent CTMC solver (via stormpy), on generated chains.

Storm shares no code with hamodel: it builds its own sparse model from the
rate matrix and solves with Eigen's sparse LU (see ``stormpy_support``). On
stiff random chains (rates spread over 1e-7..1e2 per hour) both solvers are
expected to agree to about 1e-9 relative in every quantity of size; Storm's
own accuracy on these chains is 1e-13..1e-9 entrywise (measured in
``stormpy_support``), which sets the tolerance.
"""

from __future__ import annotations

import numpy as np
import pytest

import hamodel as hm

stormpy_support = pytest.importorskip("stormpy_support")
if not stormpy_support.HAVE_STORMPY:
    pytest.skip("stormpy is not installed (it comes with the test extra)", allow_module_level=True)

pytestmark = pytest.mark.stormpy

SIZES_AND_SEEDS = [(8, 1), (30, 2), (200, 3), (1500, 4)]


def chain(n, seed, up_share=0.7):
    Q = stormpy_support.random_stiff_generator(n, seed=seed, bandwidth=None if n < 2000 else 20)
    rng = np.random.default_rng(seed)
    up = rng.random(n) < up_share
    up[0] = True
    if up.all():
        up[-1] = False
    return Q, up


@pytest.mark.parametrize("n, seed", SIZES_AND_SEEDS)
def test_steady_state_agrees_with_storm(n, seed):
    Q, up = chain(n, seed)
    ours = hm.CTMC(Q, up).steady_state()
    theirs = stormpy_support.steady_state(Q)
    big = theirs > 1e-12 * theirs.max()
    np.testing.assert_allclose(ours[big], theirs[big], rtol=1e-8)


@pytest.mark.parametrize("n, seed", SIZES_AND_SEEDS)
def test_long_run_availability_agrees_with_storm(n, seed):
    Q, up = chain(n, seed)
    m = hm.CTMC(Q, up).measures()
    storm_a = stormpy_support.long_run_availability(Q, up)
    assert m.availability == pytest.approx(storm_a, rel=1e-9)
    storm_u = stormpy_support.steady_state(Q)[~up].sum()
    assert m.unavailability == pytest.approx(storm_u, rel=1e-8)


@pytest.mark.parametrize("n, seed", [(8, 5), (30, 6), (200, 7)])
def test_mttf_agrees_with_storm(n, seed):
    Q, up = chain(n, seed)
    assert hm.CTMC(Q, up).mttf() == pytest.approx(stormpy_support.mttf(Q, up), rel=1e-8)


@pytest.mark.parametrize("n, seed, t", [(8, 8, 0.5), (30, 9, 2.0), (100, 10, 1.0)])
def test_reliability_agrees_with_storm(n, seed, t):
    """Storm uses uniformisation with Fox-Glynn truncation at 1e-12; hamodel uses expm."""
    Q, up = chain(n, seed)
    ours = hm.CTMC(Q, up).reliability(t)
    assert ours == pytest.approx(stormpy_support.reliability(Q, up, t), rel=1e-8, abs=1e-11)


@pytest.mark.parametrize("model", [
    hm.active_standby(hm.Component("a", mtbf="5y", mttr="4h"), failover="60s", coverage=0.95),
    hm.majority_cluster(3, hm.Component("n", mtbf="2y", mttr="6h"), crews=1, failover="30s"),
    hm.two_node_cluster(hm.Component("n", mtbf="3y", mttr="4h"),
                        link=hm.Component("l", mtbf="4y", mttr="4h"), tie_breaker="stonith",
                        fencing=hm.Fencing(success=0.99, delay="15s")),
], ids=["active_standby", "majority_cluster", "two_node_stonith"])
def test_pattern_chains_agree_with_storm(model):
    """Unavailability summed from Storm's distribution (no 1 - A cancellation)."""
    chain_ = model.to_ctmc()
    storm_u = stormpy_support.steady_state(chain_.Q)[~chain_.up].sum()
    assert chain_.measures().unavailability == pytest.approx(storm_u, rel=1e-8)
