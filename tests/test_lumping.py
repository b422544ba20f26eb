"""hm.lumped_chain and hm.plot_lumped_state_diagram: groups of states as one state.

References: a chain that is exactly lumpable (identical independent units
grouped by how many are up) must give the birth-death generator written by
hand; any grouping that keeps up and down apart must keep the availability,
the outage frequency and the mean outage length of the full chain (the flow
across the up/down cut is a sum of group-to-group flows, Kemeny and Snell ch. 6).
"""

from __future__ import annotations

import numpy as np
import pytest

import hamodel as hm

LAM, MU = 0.01, 0.5


@pytest.fixture(scope="module")
def drbd():
    node = hm.Component("nfs", mtbf="1.5y", mttr="12h")
    link = hm.Component("ring", mtbf="4.6y", mttr="4h")
    return hm.two_node_cluster(node, link=link, tie_breaker="stonith",
                               fencing=hm.Fencing(success=0.99, delay="15s"), failover="60s")


def role(state):
    phase, nodes, _link = state.split()
    if phase == "run":
        return "both in" if nodes == "UU" else "one in"
    return phase


def test_identical_units_by_count_give_the_birth_death_chain():
    pool = hm.parallel(*[hm.Component(f"n{i}", failure_rate=LAM, repair_rate=MU)
                         for i in range(3)])
    lumped = hm.lumped_chain(pool, lambda s: 3 - s.count("up"))  # units down
    assert lumped.states == (0, 1, 2, 3)
    by_hand = np.array([[-3 * LAM, 3 * LAM, 0, 0],
                        [MU, -(MU + 2 * LAM), 2 * LAM, 0],
                        [0, 2 * MU, -(2 * MU + LAM), LAM],
                        [0, 0, 3 * MU, -3 * MU]])
    np.testing.assert_allclose(lumped.Q.toarray(), by_hand, rtol=1e-10, atol=1e-15)
    assert lumped.up.tolist() == [True, True, True, False]
    assert lumped.healthy.tolist() == [True, False, False, False]


def test_any_grouping_keeps_availability_frequency_and_mean_outage(drbd):
    full, lumped = drbd.measures(), hm.lumped_chain(drbd, role).measures()
    assert lumped.availability == pytest.approx(full.availability, rel=1e-12)
    assert lumped.outages_per_year == pytest.approx(full.outages_per_year, rel=1e-10)
    assert lumped.mean_down_time == pytest.approx(full.mean_down_time, rel=1e-8)


def test_one_group_per_state_is_the_chain_itself(drbd):
    chain = drbd.to_ctmc()
    same = hm.lumped_chain(chain, {s: s for s in chain.states})
    np.testing.assert_allclose(same.Q.toarray(), chain.Q.toarray(), rtol=1e-9, atol=1e-12)
    assert same.measures().incidents_per_year == pytest.approx(
        chain.measures().incidents_per_year, rel=1e-10)
    assert same.measures().events == pytest.approx(chain.measures().events, rel=1e-9, abs=1e-15)


def test_groups_that_mix_up_and_down_are_refused(drbd):
    with pytest.raises(ValueError, match=r"group 'all' mixes up states .*run UU L1"):
        hm.lumped_chain(drbd, lambda s: "all")


def test_a_mapping_without_a_state_names_it(drbd):
    with pytest.raises(KeyError, match="run UU L1"):
        hm.lumped_chain(drbd, {})


def test_not_a_model_is_refused():
    with pytest.raises(TypeError, match="is not a model"):
        hm.lumped_chain(42, str)


def test_diagram_draws_one_box_per_group_and_leaves_out_rare_moves(drbd):
    ax = hm.plot_lumped_state_diagram(drbd, role)
    assert sum(p.get_gid() == "state" for p in ax.patches) == 6
    assert "18 states in 6 groups" in ax.get_title()
    every = sum(p.get_gid() != "state" for p in ax.patches)
    ax = hm.plot_lumped_state_diagram(drbd, role, min_frequency="10000y")
    assert sum(p.get_gid() != "state" for p in ax.patches) < every
    assert "rarer than once in 10,000 years not drawn" in ax.get_title()


def test_diagram_refuses_a_negative_threshold(drbd):
    with pytest.raises(ValueError, match="min_frequency must be >= 0, got -1"):
        hm.plot_lumped_state_diagram(drbd, role, min_frequency=-1)
