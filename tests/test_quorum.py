"""Tests of hamodel.patterns.quorum (majority clusters) and hamodel.patterns.two_node (two-node
clusters and fencing).

References: the textbook cases of /work/shared/reference/textbook-cases.md
(Trivedi 2nd ed. ch. 8; Trivedi & Bobbio 2017) with lambda = 0.001/h and
mu = 0.1/h; closed forms for independent units; chains written out by hand from
the documented rules; and the practitioner claims of
/work/shared/reference/field-data.md (Coker & Robertson 2007, Howard 2015,
Paris 1986). The table values are given to 12 digits, so they are compared to
1e-11 relative; closed forms to 1e-9 relative (GTH keeps relative accuracy).
"""

from __future__ import annotations

import dataclasses
import math
import re

import numpy as np
import pytest
from scipy.optimize import brentq

import hamodel as hm
from hamodel.units import HOURS_PER_YEAR, duration

L, MU = 0.001, 0.1
REL = 1e-9
TABLE = 1e-11


@pytest.fixture
def unit():
    return hm.Component("u", failure_rate=L, repair_rate=MU)


@pytest.fixture
def db():
    """The practitioners' node: MTBF 5 years, MTTR 4 hours."""
    return hm.Component("db", mtbf="5y", mttr="4h")


def hand_chain(transitions, up, **kw):
    """A chain from ``(src, dst, rate, unit_failures)``; the first state is healthy."""
    chain = hm.CTMC.from_transitions([t[:3] for t in transitions], up=up)
    Q = chain.Q.toarray()
    w = np.zeros((chain.n_states, chain.n_states))
    for src, dst, r, failures in transitions:  # rate-weighted when pairs repeat
        i, j = chain.index(src), chain.index(dst)
        w[i, j] += r * failures / Q[i, j]
    return hm.CTMC(chain.Q, up=chain.up, states=chain.states, incidents=w,
                   healthy=[chain.states[0]], **kw)


def assert_same_measures(a, b, rel=REL):
    ma, mb = a.measures(), b.measures()
    for attr in ("availability", "unavailability", "failure_frequency", "incidents_per_year",
                 "degraded_fraction"):
        assert getattr(ma, attr) == pytest.approx(getattr(mb, attr), rel=rel, abs=1e-300), attr


# ================================================================ majority
@pytest.mark.parametrize("n, value", [(3, 0.999707852365), (4, 0.999419558262),
                                      (5, 0.999990437675)])
def test_T5_majority_crew_per_unit_rows(unit, n, value):
    """T5, a crew per unit: majority of 3, 4, 5 = 2oo3, 3oo4, 3oo5 (binomial)."""
    assert hm.majority_cluster(n, unit).measures().availability == pytest.approx(value, rel=TABLE)


@pytest.mark.parametrize("n, value", [(3, 0.999411996437), (4, 0.998824230216),
                                      (5, 0.999941817074)])
def test_T5_majority_one_crew_birth_death_rows(unit, n, value):
    """T5, one shared crew: the birth-death chain pi_j ~ n!/(n-j)! (l/mu)^j."""
    m = hm.majority_cluster(n, unit, crews=1).measures()
    assert m.availability == pytest.approx(value, rel=TABLE)


@pytest.mark.parametrize("n", range(1, 9))
def test_majority_is_the_binomial_formula(unit, n):
    """Independent repair: sum_{i > n/2} C(n, i) A^i (1 - A)^(n - i), both A and U."""
    a = unit.availability
    terms = [math.comb(n, i) * a**i * (1 - a) ** (n - i) for i in range(n + 1)]
    m = hm.majority_cluster(n, unit).measures()
    assert m.availability == pytest.approx(sum(t for i, t in enumerate(terms) if 2 * i > n),
                                           rel=REL)
    assert m.unavailability == pytest.approx(sum(t for i, t in enumerate(terms) if 2 * i <= n),
                                             rel=REL)


@pytest.mark.parametrize("n", range(1, 8))
def test_majority_one_crew_is_the_birth_death_formula(unit, n):
    """One crew: pi_j proportional to n!/(n-j)! (l/mu)^j with j failed; up while n - j > n/2."""
    w = [math.perm(n, j) * (L / MU) ** j for j in range(n + 1)]
    down = sum(wj for j, wj in enumerate(w) if 2 * (n - j) <= n) / sum(w)
    assert hm.majority_cluster(n, unit, crews=1).measures().unavailability == pytest.approx(
        down, rel=REL)


def test_majority_states_are_counts(unit):
    assert hm.majority_cluster(3, unit).states == ("3/3", "2/3", "1/3", "0/3")
    with_failover = hm.majority_cluster(3, unit, failover="60s")
    assert set(with_failover.states) == {"3/3", "3/3 failover", "2/3", "2/3 failover",
                                         "1/3", "0/3"}
    up = {s for s, u in zip(with_failover.states, with_failover.up) if u}
    assert up == {"3/3", "2/3"}
    assert len(hm.majority_cluster(2, unit, witness=unit.renamed("w")).states) == 6


@pytest.mark.parametrize("crews", [None, 1])
def test_paris_two_nodes_and_identical_witness_is_exactly_2oo3(unit, crews):
    """Paris 1986: 2 copies + 1 witness ~ 3 copies. With the witness at the node's rates
    it is exactly 2-of-3 over three units: a majority of 3 votes that includes the
    witness has a data node, and (with one crew, nodes first) the number of failed
    units is the same birth-death chain."""
    pair = hm.majority_cluster(2, unit, witness=unit.renamed("w"), crews=crews)
    three = hm.majority_cluster(3, unit, crews=crews)
    assert_same_measures(pair, three)
    row = 0.999707852365 if crews is None else 0.999411996437
    assert pair.measures().availability == pytest.approx(row, rel=TABLE)


def test_paris_better_witness_closed_form_and_bounds(unit):
    """A witness 10x more reliable: A = A^2 + 2 A (1 - A) A_w (independent repair).

    It lies between 2-of-3 (witness as bad as a node) and 1-of-2 (perfect
    witness). Here U falls from 2.92e-4 (2oo3) to 1.18e-4, above the 9.80e-5
    floor of 1-of-2: "about the availability of 3 copies" means within a
    factor 3 of it in U, and 2 A U (A - A_w) in absolute terms.
    """
    w = hm.Component("w", failure_rate=L / 10, repair_rate=MU)
    a, aw = unit.availability, w.availability
    m = hm.majority_cluster(2, unit, witness=w).measures()
    assert m.availability == pytest.approx(a**2 + 2 * a * (1 - a) * aw, rel=REL)
    u_2oo3 = hm.majority_cluster(3, unit).measures().unavailability
    u_1oo2 = (1 - a) ** 2
    assert u_1oo2 < m.unavailability < u_2oo3 < 3 * m.unavailability
    assert u_2oo3 - m.unavailability == pytest.approx(2 * a * (1 - a) * (aw - a), rel=1e-6)


@pytest.mark.parametrize("crews", [None, 1])
@pytest.mark.parametrize("n", [1, 3, 5])
def test_howard_even_n_adds_no_availability_but_more_incidents(unit, n, crews):
    """Howard 2015: an (n+1)-th node (n odd) adds no availability, only incidents."""
    odd = hm.majority_cluster(n, unit, crews=crews).measures()
    even = hm.majority_cluster(n + 1, unit, crews=crews).measures()
    assert even.availability <= odd.availability + 1e-15
    assert even.incidents_per_year > odd.incidents_per_year


def test_incidents_closed_form_independent_repair(unit):
    """Every unit failure is an incident: (n A lambda + A_w lambda_w) per hour."""
    w = hm.Component("w", failure_rate=3 * L, repair_rate=2 * MU)
    m = hm.majority_cluster(4, unit, witness=w, failover="60s").measures()
    expected = (4 * unit.availability * L + w.availability * w.failure_rate) * HOURS_PER_YEAR
    assert m.incidents_per_year == pytest.approx(expected, rel=REL)


@pytest.mark.parametrize("beta", [0.0, 0.1, 1.0])
@pytest.mark.parametrize("crews", [None, 1])
def test_common_cause_counts_every_failed_node(unit, beta, crews):
    """A common-cause event failing k nodes counts k incidents, so incidents per hour
    are E[nodes up] * lambda whatever beta is (the independent part (1-beta) lambda
    per node plus beta lambda times the nodes it takes down)."""
    model = hm.majority_cluster(5, unit, beta=beta, crews=crews)
    pi = model.steady_state()
    nodes_up = np.array([int(s.split("/")[0]) for s in model.states])
    assert model.measures().incidents_per_year == pytest.approx(
        float(pi @ nodes_up) * L * HOURS_PER_YEAR, rel=REL)


def test_common_cause_beta_one_is_the_hand_built_chain(unit):
    """beta = 1: the three nodes only fail together (rate lambda, counting every node
    it takes down), and are repaired independently."""
    assert_same_measures(hm.majority_cluster(3, unit, beta=1.0), hand_chain([
        ("3", "0", L, 3), ("2", "0", L, 2), ("1", "0", L, 1),
        ("0", "1", 3 * MU, 0), ("1", "2", 2 * MU, 0), ("2", "3", MU, 0)], up=["3", "2"]))


def test_common_cause_lowers_availability(unit):
    u = [hm.majority_cluster(3, unit, beta=b).measures().unavailability
         for b in (0.0, 0.01, 0.1, 0.5)]
    assert u == sorted(u) and u[0] < u[-1]


def test_failover_zero_has_no_failover_states(unit):
    a = hm.majority_cluster(3, unit, failover=0)
    assert not any("failover" in s for s in a.states)
    tiny = hm.majority_cluster(3, unit, failover="1ms").measures().unavailability
    # extra unavailability about 3 lambda * 1 ms = 8e-10 on top of U = 2.9e-4
    assert tiny == pytest.approx(a.measures().unavailability, rel=1e-5)


@pytest.mark.parametrize("crews", [None, 1])
@pytest.mark.parametrize("failover", ["0s", "60s", "2h"])
def test_serving_one_two_nodes_and_witness_equals_two_node_witness_cluster(unit, crews,
                                                                           failover):
    """Two generators written independently: a majority of 2 nodes + witness with a
    single primary is the two-node cluster with a witness tie-breaker and a perfect
    link (same quorum rule, same failover rule, same crew priority)."""
    w = hm.Component("w", failure_rate=2 * L, repair_rate=0.5 * MU)
    a = hm.majority_cluster(2, unit, witness=w, failover=failover, crews=crews, serving="one")
    b = hm.two_node_cluster(unit, link=None, tie_breaker="witness", witness=w,
                            failover=failover, crews=crews)
    assert_same_measures(a, b)


def test_serving_all_fails_over_n_times_as_often(db):
    """Multi-primary: every node failure is a failover (3 lambda); single primary: only
    the primary's (lambda). Corrections are of order lambda * MTTR = 9e-5."""
    all_ = hm.majority_cluster(3, db, failover="60s").measures().outages_per_year
    one = hm.majority_cluster(3, db, failover="60s", serving="one").measures().outages_per_year
    lam_year = HOURS_PER_YEAR / db.mtbf
    assert all_ == pytest.approx(3 * lam_year, rel=1e-3)
    assert one == pytest.approx(lam_year, rel=1e-3)


def test_majority_never_splits(unit):
    assert hm.majority_cluster(3, unit).measures().split_brain_per_year == 0.0


def test_majority_outage_duration_agrees_with_measures(db):
    model = hm.majority_cluster(3, db, failover="60s", crews=1)
    assert model.outage_duration().mean == pytest.approx(model.measures().mean_down_time,
                                                           rel=REL)


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(n=0), ValueError, "n = 0"),
    (dict(n=2.5), ValueError, "n = 2.5"),
    (dict(n=True), ValueError, "n = True"),
    (dict(crews=0), ValueError, "crews = 0"),
    (dict(crews=1.5), ValueError, "crews = 1.5"),
    (dict(beta=-0.1), ValueError, "beta = -0.1"),
    (dict(beta=1.5), ValueError, "beta = 1.5"),
    (dict(failover="-1s"), ValueError, "failover"),
    (dict(failover="soon"), ValueError, "failover"),
    (dict(serving="some"), ValueError, "serving = 'some'"),
    (dict(witness="garbd"), TypeError, "witness = 'garbd'"),
])
def test_majority_bad_arguments_raise(unit, kwargs, exc, match):
    args = dict(n=3)
    args.update(kwargs)
    with pytest.raises(exc, match=re.escape(match)):
        hm.majority_cluster(args.pop("n"), unit, **args)


def test_majority_node_must_be_a_component():
    with pytest.raises(TypeError, match="node = 0.001"):
        hm.majority_cluster(3, 0.001)


# ================================================================ fencing
def test_fencing_defaults_and_units():
    f = hm.Fencing()
    assert (f.success, f.delay, f.race, f.race_probability) == (1.0, 0.0, True, 0.5)
    assert f.time == pytest.approx(duration("60s"))
    g = hm.Fencing(success=0.9, delay="15s", race=False, time=0.01, race_probability=1)
    assert (g.success, g.race, g.time, g.race_probability) == (0.9, False, 0.01, 1.0)
    assert g.delay == pytest.approx(15 / 3600)


def test_fencing_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        hm.Fencing().success = 0.5


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(success=1.01), ValueError, "Fencing.success = 1.01"),
    (dict(success=-0.5), ValueError, "Fencing.success"),
    (dict(success="high"), TypeError, "Fencing.success"),
    (dict(delay="-5s"), ValueError, "Fencing.delay"),
    (dict(delay="5 parsecs"), ValueError, "Fencing.delay"),
    (dict(time=-1.0), ValueError, "Fencing.time"),
    (dict(race="yes"), TypeError, "Fencing.race = 'yes'"),
    (dict(race_probability=2), ValueError, "Fencing.race_probability = 2"),
])
def test_fencing_bad_arguments_raise(kwargs, exc, match):
    with pytest.raises(exc, match=re.escape(match)):
        hm.Fencing(**kwargs)


# ======================================================= two-node: limits
def perfect_fencing(**kw):
    return hm.Fencing(time="0s", **kw)


@pytest.mark.parametrize("tie_breaker, extra", [
    ("none", {}), ("stonith", {"fencing": hm.Fencing(time=0)}),
    ("stonith", {"fencing": hm.Fencing(time=0, delay=0, race=False)}),
])
@pytest.mark.parametrize("crews, value", [(1, 0.999803960008), (None, 0.999901970395),
                                          (2, 0.999901970395)])
def test_T2_perfect_link_failover_zero_is_one_of_two(unit, tie_breaker, extra, crews, value):
    """T2b (one crew) and T2a (a crew each): 1-of-2 active with a perfect link."""
    pair = hm.two_node_cluster(unit, link=None, tie_breaker=tie_breaker, failover=0,
                               crews=crews, **extra)
    assert pair.states == ("run UU", "run UD", "dead DD")
    assert pair.measures().availability == pytest.approx(value, rel=TABLE)


def test_T2c_perfect_link_mttf(unit):
    """T2c: MTTF of 1-of-2 with one crew = (3l + mu) / (2 l^2) = 51500 h."""
    assert hm.two_node_cluster(unit, link=None, failover=0).mttf() == pytest.approx(51500,
                                                                                     rel=REL)


def one_of_two_with_takeover(lam, mu, failover, fence=0.0):
    """1-of-2, one crew, written by hand from the documented rules: the active node's
    failure starts a fence of mean `fence` (if > 0) and then a failover of mean
    `failover`; a node repaired meanwhile waits ("+") and takes over in turn (fencing
    first) if the node taking over fails; the passive node's failure is masked."""
    phi = 1.0 / failover
    t = [("both", "one", lam, 1), ("one", "both", mu, 0), ("one", "none", lam, 1),
         ("none", "one", mu, 0),
         ("fo", "one", phi, 0), ("fo", "none", lam, 1), ("fo", "fo+", mu, 0),
         ("fo+", "both", phi, 0), ("fo+", "fo", lam, 1)]
    if fence > 0:
        # a takeover by the waiting node fences the node that died first
        t += [("both", "fence", lam, 1), ("fence", "fo", 1.0 / fence, 0),
              ("fence", "none", lam, 1), ("fence", "fence+", mu, 0),
              ("fence+", "fo+", 1.0 / fence, 0), ("fence+", "fence", 2 * lam, 1),
              ("fo+", "fence", lam, 1)]
    else:
        t += [("both", "fo", lam, 1), ("fo+", "fo", lam, 1)]
    return hand_chain(t, up=["both", "one"])


@pytest.mark.parametrize("tie_breaker", ["none", "stonith"])
@pytest.mark.parametrize("failover", ["60s", "2h"])
def test_perfect_link_reduces_to_hand_built_one_of_two_with_failover(unit, tie_breaker,
                                                                     failover):
    extra = {"fencing": perfect_fencing()} if tie_breaker == "stonith" else {}
    model = hm.two_node_cluster(unit, link=None, tie_breaker=tie_breaker, failover=failover,
                                **extra)
    hand = one_of_two_with_takeover(L, MU, duration(failover))
    assert_same_measures(model, hand)


def test_fencing_delay_and_time_precede_the_failover(unit):
    """Fencing the dead active node takes delay + time (one exponential phase)."""
    f = hm.Fencing(delay="30min", time="30min")
    model = hm.two_node_cluster(unit, link=None, tie_breaker="stonith", fencing=f,
                                failover="2h")
    assert_same_measures(model, one_of_two_with_takeover(L, MU, 2.0, fence=1.0))


@pytest.mark.parametrize("tie_breaker", ["none", "stonith", "witness", "auto_tie_breaker"])
def test_perfect_link_is_the_limit_of_a_reliable_link(db, tie_breaker):
    """link=None against a link failing once in 1e18 hours: each partition costs at
    most a manual recovery or a link repair (<= 4 h), so the link adds <= 4e-18 of
    unavailability against U >= 3e-7: 1e-9 relative is generous. (The stiff chain,
    rates from 1e-18 to 60 per hour, is also a test of the GTH solve.)"""
    solid = hm.Component("link", failure_rate=1e-18, repair_rate=0.25)
    ma = hm.two_node_cluster(db, link=None, tie_breaker=tie_breaker).measures()
    mb = hm.two_node_cluster(db, link=solid, tie_breaker=tie_breaker).measures()
    assert mb.unavailability == pytest.approx(ma.unavailability, rel=1e-9)
    assert mb.outages_per_year == pytest.approx(ma.outages_per_year, rel=1e-9)


def test_cross_check_active_standby_from_failover_module(unit):
    """hm.active_standby (written independently) differs only when the failed node is
    repaired during a failover: there it serves again, here the takeover goes on. That
    happens in a share mu * failover of failovers, so U agrees to that relative
    bound; at failover 0 both are exactly T2b."""
    if not hasattr(hm, "active_standby"):
        pytest.skip("hm.active_standby not available")
    for failover in ("0s", "60s", "10min"):
        ours = hm.two_node_cluster(unit, link=None, failover=failover).measures()
        theirs = hm.active_standby(unit, failover=failover).measures()
        bound = max(MU * duration(failover), 1e-12)
        assert ours.unavailability == pytest.approx(theirs.unavailability, rel=bound)
        assert ours.incidents_per_year == pytest.approx(theirs.incidents_per_year, rel=REL)


@pytest.mark.parametrize("crews", [None, 1])
def test_witness_with_identical_rates_and_no_failover_is_2oo3(unit, crews):
    """Two nodes + a witness (a copy of the node by default), perfect link, failover 0:
    exactly 2-of-3 (Paris 1986), T5 rows."""
    model = hm.two_node_cluster(unit, link=None, tie_breaker="witness", failover=0,
                                crews=crews)
    row = 0.999707852365 if crews is None else 0.999411996437
    assert model.measures().availability == pytest.approx(row, rel=TABLE)


@pytest.mark.parametrize("crews", [None, 1])
@pytest.mark.parametrize("link_mtbf", [None, "1y", "1w"])
def test_auto_tie_breaker_is_exactly_node_one(unit, crews, link_mtbf):
    """Only node 1's side can hold quorum, the service is placed there and node 1 is
    repaired first, so availability is node 1's whatever node 2 and the link do."""
    link = None if link_mtbf is None else hm.Component("hb", mtbf=link_mtbf, mttr="4h")
    m = hm.two_node_cluster(unit, link=link, tie_breaker="auto_tie_breaker",
                            crews=crews).measures()
    assert m.availability == pytest.approx(unit.availability, rel=REL)
    assert m.failure_frequency == pytest.approx(L * unit.availability, rel=REL)
    assert m.mean_down_time == pytest.approx(1 / MU, rel=REL)
    assert m.split_brain_per_year == 0.0


# ============================================= two-node: partitions, events
@pytest.fixture
def heartbeat():
    return hm.Component("heartbeat", mtbf="1y", mttr="4h")


def test_no_tie_breaker_split_brain_rate_bounds(db, heartbeat):
    """Every partition of a running pair is a split brain: link failures per year
    times the share of time in 'run UU L1', which is at least
    1 - 2 U_node - U_link - U_model (union bound) and at most A_link."""
    model = hm.two_node_cluster(db, link=heartbeat)
    m = model.measures()
    lam_l = heartbeat.failure_rate * HOURS_PER_YEAR
    share_low = 1 - 2 * db.unavailability - heartbeat.unavailability - m.unavailability
    assert lam_l * share_low <= m.split_brain_per_year <= lam_l * heartbeat.availability
    assert m.split_brain_per_year == pytest.approx(
        lam_l * model.steady_state()[model.index("run UU L1")], rel=REL)


def test_split_brain_lasts_the_manual_recovery(heartbeat):
    """With nodes that (almost) never fail, every outage is a split brain, ended only
    by the operator: exponential with mean manual_recovery. (Node failovers, at
    1e-14/h against 1.1e-4/h of partitions, shift the mean by 1e-10 relative.)"""
    solid = hm.Component("solid", failure_rate=1e-14, repair_rate=0.25)
    model = hm.two_node_cluster(solid, link=heartbeat, manual_recovery="90min")
    assert model.measures().mean_down_time == pytest.approx(1.5, rel=1e-6)
    assert model.outage_duration().sf("90min") == pytest.approx(math.exp(-1), rel=1e-6)


@pytest.mark.parametrize("tie_breaker", ["stonith", "witness", "auto_tie_breaker"])
def test_tie_breakers_prevent_split_brain(db, heartbeat, tie_breaker):
    m = hm.two_node_cluster(db, link=heartbeat, tie_breaker=tie_breaker).measures()
    assert m.split_brain_per_year == 0.0
    assert hm.two_node_cluster(db, link=heartbeat).measures().split_brain_per_year > 0.4


@pytest.mark.parametrize("r", [0.0, 0.3, 1.0])
def test_fence_race_powers_off_both_with_race_probability(db, heartbeat, r):
    """'both_fenced' and 'fence_race' flow on the same transitions, the former with
    weight race_probability: their ratio is exact."""
    f = hm.Fencing(race_probability=r, success=0.9)
    m = hm.two_node_cluster(db, link=heartbeat, tie_breaker="stonith", fencing=f).measures()
    assert m.events["fence_race"] > 0
    assert m.events["both_fenced"] == pytest.approx(r * m.events["fence_race"], rel=REL,
                                                    abs=1e-300)


@pytest.mark.parametrize("fencing", [hm.Fencing(delay="10s"), hm.Fencing(race=False)])
def test_no_fence_race_with_a_delay_or_a_serialising_device(db, heartbeat, fencing):
    m = hm.two_node_cluster(db, link=heartbeat, tie_breaker="stonith",
                            fencing=fencing).measures()
    assert m.events["fence_race"] == 0.0 and m.events["both_fenced"] == 0.0


def test_fence_failures_per_year_first_order(db):
    """Perfect link: the dead active node is fenced once per active failure (rate lambda
    while both run, up to O(lambda MTTR) = 9e-5), failing with probability 1 - p."""
    p = 0.95
    m = hm.two_node_cluster(db, link=None, tie_breaker="stonith",
                            fencing=hm.Fencing(success=p)).measures()
    assert m.events["fence_failure"] == pytest.approx(
        (1 - p) * db.failure_rate * HOURS_PER_YEAR, rel=1e-3)


def test_fencing_delay_makes_partitions_cost_no_outages(db):
    """With a delay the active node wins every partition and keeps serving, so link
    failures add (almost) no outages: a node failure during a partition is blocked
    instead of failed over, one outage either way."""
    f = hm.Fencing(delay="10s", time="0s")
    base = hm.two_node_cluster(db, link=None, tie_breaker="stonith", fencing=f).measures()
    for mtbf in ("10y", "1y", "1w"):
        link = hm.Component("hb", mtbf=mtbf, mttr="4h")
        m = hm.two_node_cluster(db, link=link, tie_breaker="stonith", fencing=f).measures()
        bound = db.failure_rate * link.unavailability * HOURS_PER_YEAR
        assert abs(m.outages_per_year - base.outages_per_year) <= bound
        assert m.downtime_minutes_per_year >= base.downtime_minutes_per_year


def test_witness_down_and_partition_loses_quorum(db):
    """With a flaky witness, partitions (and lone nodes) lose quorum; with a perfect one
    (almost) nothing is lost beyond node failures."""
    link = hm.Component("hb", mtbf="1y", mttr="4h")
    good = hm.Component("qdevice", failure_rate=1e-12, repair_rate=1.0)
    flaky = hm.Component("qdevice", mtbf="1w", mttr="1d")
    u_good = hm.two_node_cluster(db, link=link, tie_breaker="witness",
                                 witness=good).measures().unavailability
    u_flaky = hm.two_node_cluster(db, link=link, tie_breaker="witness",
                                  witness=flaky).measures().unavailability
    u_perfect_link = hm.two_node_cluster(db, link=None, tie_breaker="witness",
                                         witness=good).measures().unavailability
    assert u_good == pytest.approx(u_perfect_link, rel=1e-3)
    assert u_flaky > 10 * u_good


def test_incidents_count_nodes_link_and_witness(db):
    """Independent repair (crews=None): failures per hour are A_i lambda_i summed."""
    link = hm.Component("hb", mtbf="1y", mttr="4h")
    w = hm.Component("qdevice", mtbf="2y", mttr="1d")
    m = hm.two_node_cluster(db, link=link, tie_breaker="witness", witness=w,
                            crews=None).measures()
    expected = sum(c.availability * c.failure_rate for c in (db, db, link, w))
    assert m.incidents_per_year == pytest.approx(expected * HOURS_PER_YEAR, rel=REL)


CONFIGS = [
    dict(tie_breaker="none"),
    dict(tie_breaker="stonith"),
    dict(tie_breaker="stonith", fencing=hm.Fencing(success=0.9, delay="10s", time="5s")),
    dict(tie_breaker="stonith", fencing=hm.Fencing(success=0.5, race=False, time=0)),
    dict(tie_breaker="stonith", fencing=hm.Fencing(race_probability=1.0), failover=0),
    dict(tie_breaker="witness"),
    dict(tie_breaker="witness", crews=None, failover=0),
    dict(tie_breaker="auto_tie_breaker"),
]


@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("link_mtbf", [None, "2y", "1w"])
def test_every_two_node_chain_is_consistent(db, config, link_mtbf):
    """Irreducible, finite, up iff 'run', one healthy state, outage lengths agreeing."""
    link = None if link_mtbf is None else hm.Component("hb", mtbf=link_mtbf, mttr="4h")
    model = hm.two_node_cluster(db, link=link, **config)
    m = model.measures()
    assert 0 < m.unavailability < 1 and np.all(np.isfinite(model.steady_state()))
    assert [s.startswith("run ") for s in model.states] == model.up.tolist()
    assert model.healthy.sum() == 1 and model.states[0].startswith("run UU")
    assert model.outage_duration().mean == pytest.approx(m.mean_down_time, rel=1e-8)
    assert model.solution.residual < 1e-12


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(tie_breaker="quorum"), ValueError,
     "tie_breaker = 'quorum': expected one of 'none', 'stonith', 'witness', "
     "'auto_tie_breaker'"),
    (dict(tie_breaker=None), ValueError, "tie_breaker = None"),
    (dict(link="eth1"), TypeError, "link = 'eth1'"),
    (dict(tie_breaker="stonith", fencing=0.99), TypeError, "fencing = 0.99"),
    (dict(tie_breaker="none", fencing=hm.Fencing()), ValueError, "fencing is only used"),
    (dict(tie_breaker="stonith", witness=hm.Component("w", mtbf="1y", mttr="1h")),
     ValueError, "witness is only used"),
    (dict(tie_breaker="witness", witness="qdevice"), TypeError, "witness = 'qdevice'"),
    (dict(crews=0), ValueError, "crews = 0"),
    (dict(crews=True), ValueError, "crews = True"),
    (dict(manual_recovery=0), ValueError, "manual_recovery = 0"),
    (dict(failover="fast"), ValueError, "failover"),
])
def test_two_node_bad_arguments_raise(db, kwargs, exc, match):
    args = dict(link=None)
    args.update(kwargs)
    with pytest.raises(exc, match=re.escape(match)):
        hm.two_node_cluster(db, **args)


def test_two_node_node_must_be_a_component():
    with pytest.raises(TypeError, match="node = 'db1'"):
        hm.two_node_cluster("db1", link=None)


def test_two_node_link_is_required_keyword(db):
    with pytest.raises(TypeError):
        hm.two_node_cluster(db)


# ============================== the headline: two nodes vs a 2-of-3 majority
def headline_models(db, link=None, fencing=None, crews=1):
    """Node MTBF 5 y, MTTR 4 h, failover 60 s, one crew each; the two-node cluster
    fences in no time (its 60 s failover includes fencing) so that both designs
    have the same mean outage."""
    two = hm.two_node_cluster(db, link=link, tie_breaker="stonith",
                              fencing=fencing or perfect_fencing(), failover="60s",
                              crews=crews)
    three = hm.majority_cluster(3, db, failover="60s", crews=crews)
    return two.measures(), three.measures()


@pytest.mark.parametrize("crews", [1, None])
def test_headline_two_node_fencing_has_a_third_of_the_outages_of_2oo3(db, crews):
    """Coker & Robertson 2007: on node failures alone, what users see is the failover.

    The two-node cluster has an outage when its *active* node fails (rate lambda;
    the passive node's failures are masked). In a 2-of-3 Galera-style cluster every
    node serves clients, and the failure of *any* of the 3 nodes interrupts them and
    stalls the cluster while it evicts the node (rate 3 lambda). Both outages last
    the failover, so the two-node cluster has a third of the outages and of the
    downtime. A second failure during a repair (probability ~ lambda * MTTR = 9e-5)
    is what separates the ratio from 1/3, so 1e-3 relative is a loose tolerance.
    """
    two, three = headline_models(db, crews=crews)
    ratio = two.outages_per_year / three.outages_per_year
    assert ratio == pytest.approx(1 / 3, rel=1e-3)
    assert two.mean_down_time == pytest.approx(three.mean_down_time, rel=1e-3)
    assert two.mean_down_time * 3600 == pytest.approx(60, rel=0.05)
    assert two.downtime_minutes_per_year / three.downtime_minutes_per_year == pytest.approx(
        1 / 3, rel=1e-3)
    # With a single-primary majority (only the primary's failure fails over) the
    # outage frequencies are about equal instead.
    one = hm.majority_cluster(3, db, failover="60s", crews=crews,
                              serving="one").measures()
    assert two.outages_per_year / one.outages_per_year == pytest.approx(1, rel=1e-3)


def link_flip(db, metric, fencing=None, tie_breaker="stonith", lo=1e-4, hi=1e4):
    """Link MTBF (years; MTTR 4 h) at which the two-node cluster's `metric` equals the
    2-of-3 majority's, by bisection on a log scale."""
    _, three = headline_models(db)

    def gap(log_years):
        link = hm.Component("hb", mtbf=10**log_years * HOURS_PER_YEAR, mttr="4h")
        two = hm.two_node_cluster(db, link=link, tie_breaker=tie_breaker,
                                  fencing=fencing, failover="60s", crews=1).measures()
        return getattr(two, metric) - getattr(three, metric)

    return 10 ** brentq(gap, math.log10(lo), math.log10(hi), xtol=1e-12), gap


def test_split_brain_flips_the_ranking_below_a_link_mtbf_of_144_years(db):
    """No tie-breaker: every partition is an outage of about manual_recovery (1 h)
    instead of nothing. The two-node design's 0.42 min/yr downtime advantage is
    gone at lambda_link * 60 min = 0.42 min/yr, a link MTBF of about 144 years;
    its third-of-the-outages advantage (0.4 outages/yr) at a link MTBF of 2.5
    years. The first-order estimates neglect terms of order lambda * MTTR and the
    link's unavailability (both < 1e-3), hence the 1 % tolerance."""
    two, three = headline_models(db)
    years, gap = link_flip(db, "downtime_minutes_per_year", tie_breaker="none")
    estimate = 60 / (three.downtime_minutes_per_year - two.downtime_minutes_per_year)
    assert years == pytest.approx(estimate, rel=0.01)
    assert 140 < years < 148
    assert gap(math.log10(years * 1.1)) < 0 < gap(math.log10(years / 1.1))
    years_f, gap_f = link_flip(db, "outages_per_year", tie_breaker="none")
    assert years_f == pytest.approx(1 / (three.outages_per_year - two.outages_per_year),
                                    rel=0.01)
    assert 2.4 < years_f < 2.6
    assert gap_f(math.log10(years_f * 1.1)) < 0 < gap_f(math.log10(years_f / 1.1))


def test_fence_race_flips_the_ranking_below_a_link_mtbf_of_72_years(db):
    """STONITH with no delay: a partition is a race. Half the races power off both
    nodes (1 h manual recovery); of the rest, half leave the active node serving and
    half fail over (60 s). So a partition costs 0.5 * 60 + 0.25 * 1 = 30.25 min
    and 0.75 outages on average: the downtime ranking flips at a link MTBF of
    about 72 years, the outage-frequency ranking at about 1.9 years (first-order
    estimates, 1 % as above)."""
    two, three = headline_models(db)
    race = perfect_fencing(race_probability=0.5)
    years, gap = link_flip(db, "downtime_minutes_per_year", fencing=race)
    per_partition = 0.5 * 60 + 0.25 * 1
    assert years == pytest.approx(
        per_partition / (three.downtime_minutes_per_year - two.downtime_minutes_per_year),
        rel=0.01)
    assert 70 < years < 75
    assert gap(math.log10(years * 1.1)) < 0 < gap(math.log10(years / 1.1))
    years_f, _ = link_flip(db, "outages_per_year", fencing=race)
    assert years_f == pytest.approx(0.75 / (three.outages_per_year - two.outages_per_year),
                                    rel=0.01)
    assert 1.8 < years_f < 1.95


def test_fencing_delay_removes_the_flip_until_the_link_is_down_3_percent_of_the_time(db):
    """With a 10 s delay the active node wins every partition: the outage frequency
    never flips (checked from a link MTBF of 1 hour to 1000 years), and downtime
    only flips when an active-node failure during a partition (blocked: 1 h instead
    of a 70 s takeover) becomes common: lambda * U_link * (60 - 70/60) min equal to
    the downtime gap, at U_link of about 3.3 %, a link MTBF of about 118 hours with
    a 4 h repair. U_link is no longer small there, so the first-order estimate is
    checked to 10 %."""
    delay = perfect_fencing(delay="10s")
    two, three = headline_models(db, fencing=delay)
    for log_years in np.linspace(math.log10(1 / HOURS_PER_YEAR), 3, 25):
        link = hm.Component("hb", mtbf=10**log_years * HOURS_PER_YEAR, mttr="4h")
        m = hm.two_node_cluster(db, link=link, tie_breaker="stonith", fencing=delay,
                                failover="60s", crews=1).measures()
        assert m.outages_per_year < three.outages_per_year
    years, gap = link_flip(db, "downtime_minutes_per_year", fencing=delay, lo=1e-4, hi=1e3)
    lam_year = HOURS_PER_YEAR / db.mtbf
    u_link = (three.downtime_minutes_per_year - two.downtime_minutes_per_year) / (
        lam_year * (60 - (60 + 10) / 60))
    estimate_hours = 4 * (1 - u_link) / u_link
    assert years * HOURS_PER_YEAR == pytest.approx(estimate_hours, rel=0.1)
    assert 100 < years * HOURS_PER_YEAR < 140
    assert gap(math.log10(years * 1.1)) < 0 < gap(math.log10(years / 1.1))


def test_fencing_failures_flip_the_ranking_below_96_5_percent_success(db):
    """Perfect link: a failed fence of the dead active node blocks the cluster for the
    manual recovery (60 min) instead of a 1 min failover, at rate lambda (1 - p).
    The downtime ranking flips when 0.2/yr * (1 - p) * 59 min equals the 0.42 min/yr
    gap: p of about 0.965. The outage frequency does not change (one outage
    either way)."""
    _, three = headline_models(db)

    def gap(p):
        two, _ = headline_models(db, fencing=perfect_fencing(success=p))
        return two.downtime_minutes_per_year - three.downtime_minutes_per_year

    p_flip = brentq(gap, 0.5, 1.0, xtol=1e-12)
    two, _ = headline_models(db)
    lam_year = HOURS_PER_YEAR / db.mtbf
    estimate = 1 - (three.downtime_minutes_per_year - two.downtime_minutes_per_year) / (
        lam_year * 59)
    assert p_flip == pytest.approx(estimate, abs=1e-3)
    assert 0.96 < p_flip < 0.97
    assert gap(p_flip + 0.005) < 0 < gap(p_flip - 0.005)
    # The count barely moves: only the time at risk changes, by the share of time
    # spent blocked, lambda (1 - p) * 1 h = 1.1e-5 at p = 0.5.
    worse, _ = headline_models(db, fencing=perfect_fencing(success=0.5))
    assert worse.outages_per_year == pytest.approx(two.outages_per_year, rel=1e-4)


def test_majority_cluster_of_a_million_nodes_is_refused_at_once():
    # Building the 2 (n + 1)-state chain of 10**6 nodes ran for minutes (issue 10).
    node = hm.Component("node", mtbf="5y", mttr="4h")
    with pytest.raises(ValueError, match=r"n = 1,000,000: at most 10,000 data nodes"):
        hm.majority_cluster(10**6, node)
