"""Tests of hamodel.patterns.failover (active/standby pairs).

References are the textbook cases of /work/shared/reference/textbook-cases.md
(Trivedi 2nd ed. ch. 8; Trivedi & Bobbio 2017), with lambda = 0.001/h,
mu = 0.1/h, c = 0.95, plus closed forms for independent units and chains
written out by hand from the documented rules. Unless a test says otherwise
the tolerance is 1e-9 relative: the closed-form values in the table are given
to 12 digits and confirmed to 1e-9, and the GTH solve keeps relative accuracy.
"""

from __future__ import annotations

import math

import pytest

import hamodel as hm
from hamodel.units import HOURS_PER_YEAR

L, MU, C = 0.001, 0.1, 0.95
REL = 1e-9


@pytest.fixture
def unit():
    return hm.Component("u", failure_rate=L, repair_rate=MU)


def instant(unit, **kw):
    """A pair with an instantaneous switch (no failover state)."""
    return hm.active_standby(unit, failover="0s", **kw)


# ------------------------------------------------------- textbook limits
def test_T2b_hot_instant_perfect_one_crew_availability(unit):
    """T2b: 1-of-2 active, one shared crew = hot standby, failover 0, coverage 1."""
    pair = instant(unit)
    assert pair.states == ("both up", "one up", "both down")
    closed = (MU**2 + 2 * L * MU) / (MU**2 + 2 * L * MU + 2 * L**2)
    assert pair.measures().availability == pytest.approx(0.999803960008, rel=1e-12)
    assert pair.measures().availability == pytest.approx(closed, rel=1e-12)
    u_closed = 2 * L**2 / (MU**2 + 2 * L * MU + 2 * L**2)
    assert pair.measures().unavailability == pytest.approx(u_closed, rel=REL)


def test_T2b_frequency_and_duration(unit):
    """T2b chain: outages enter 'both down' from 'one up' at rate lambda; one crew ends
    them at mu."""
    m = instant(unit).measures()
    d = MU**2 + 2 * L * MU + 2 * L**2
    pi1 = 2 * L * MU / d
    assert m.failure_frequency == pytest.approx(pi1 * L, rel=REL)
    assert m.mean_down_time == pytest.approx(1 / MU, rel=REL)
    assert m.degraded_fraction == pytest.approx(pi1, rel=REL)


@pytest.mark.parametrize("failover", ["1ms", 1e-6])
def test_T2b_failover_to_zero_limit(unit, failover):
    """A vanishing failover time converges to the instantaneous switch (T2b).

    The extra unavailability is about lambda * failover (<= 3e-10 here) on
    top of U = 1.96e-4, so 1e-5 relative on U is a loose bound.
    """
    u = hm.active_standby(unit, failover=failover).measures().unavailability
    assert u == pytest.approx(instant(unit).measures().unavailability, rel=1e-5)


def test_T2c_mttf_hot_one_crew(unit):
    """T2c: 1-of-2 active, MTTF with repair (one crew) = (3l + mu) / (2 l^2) = 51500 h."""
    assert instant(unit).mttf() == pytest.approx(51500.0, rel=REL)
    assert instant(unit).mttf() == pytest.approx((3 * L + MU) / (2 * L**2), rel=REL)


def test_T2a_hot_two_crews(unit):
    """T2a: 1-of-2 active, a crew per unit: 1 - (l/(l+mu))^2."""
    m = instant(unit, crews=2).measures()
    assert m.availability == pytest.approx(0.999901970395, rel=1e-12)
    assert m.unavailability == pytest.approx((L / (L + MU)) ** 2, rel=REL)
    assert m.mean_down_time == pytest.approx(1 / (2 * MU), rel=REL)
    assert m.degraded_fraction == pytest.approx(2 * unit.availability * unit.unavailability,
                                                rel=REL)


def test_T3a_cold_standby_perfect_switch(unit):
    """T3a: cold standby, perfect switch, one crew: (mu^2 + l mu)/(mu^2 + l mu + l^2)."""
    m = instant(unit, standby_mode="cold").measures()
    assert m.availability == pytest.approx(0.999900999901, rel=1e-12)
    d = MU**2 + L * MU + L**2
    assert m.unavailability == pytest.approx(L**2 / d, rel=REL)
    assert m.degraded_fraction == pytest.approx(L * MU / d, rel=REL)
    assert m.mean_down_time == pytest.approx(1 / MU, rel=REL)


def test_T3b_cold_standby_mttf(unit):
    """T3b: cold standby MTTF with repair = (2l + mu)/l^2 = 102000 h."""
    assert instant(unit, standby_mode="cold").mttf() == pytest.approx(102000.0, rel=REL)


@pytest.mark.parametrize("manual_recovery", ["30min", "2h", None])
def test_T2e_coverage_mttf(unit, manual_recovery):
    """T2e: 1-of-2 with coverage c, uncovered failure = system failure, one crew: 8575 h.

    Coverage applies to both units' failures in 'both up'; how the uncovered
    outage ends does not affect the time to the first one.
    """
    pair = instant(unit, coverage=C, manual_recovery=manual_recovery)
    closed = (L * (1 + 2 * C) + MU) / (2 * L * (L + MU * (1 - C)))
    assert pair.mttf() == pytest.approx(8575.0, rel=REL)
    assert pair.mttf() == pytest.approx(closed, rel=REL)


def test_coverage_one_has_no_uncovered_state(unit):
    pair = hm.active_standby(unit, failover="60s", coverage=1.0)
    assert pair.states == ("both up", "failing over", "one up", "both down")
    assert pair.measures().events["uncovered_failure"] == 0.0


# ----------------------------------------------- chains written by hand
def _hand_built(l, mu, phi, c, m, idle, crews=1):
    """The documented table for two equal units, written out transition by transition."""
    down_rate = mu if crews == 1 else 2 * mu
    t = [
        ("both up", "failing over", l),                 # active fails
        ("both up", "one up", c * idle * l),            # standby fails, covered
        ("both up", "uncovered", (1 - c) * idle * l),   # standby fails, uncovered
        ("failing over", "one up", c * phi),            # switch succeeds
        ("failing over", "uncovered", (1 - c) * phi),   # switch fails
        ("failing over", "both up", mu),                # failed unit repaired first
        ("failing over", "both down", idle * l),        # idle survivor fails
        ("uncovered", "one up", m),                     # operator starts the survivor
        ("uncovered", "both up", mu),                   # failed unit repaired first
        ("uncovered", "both down", idle * l),
        ("one up", "both up", mu),
        ("one up", "both down", l),
        ("both down", "one up", down_rate),
    ]
    return hm.CTMC.from_transitions([x for x in t if x[2] > 0],
                                    up=["both up", "one up"], initial="both up")


@pytest.mark.parametrize("mode, idle", [("hot", 1.0), ("warm", 0.1), ("cold", 0.0)])
@pytest.mark.parametrize("crews", [1, 2])
def test_generated_chain_matches_hand_built_table(unit, mode, idle, crews):
    """Failover 1 min, c = 0.95, manual recovery 30 min, against the 5-state table by hand."""
    pair = hm.active_standby(unit, failover="1min", coverage=C, manual_recovery="30min",
                             standby_mode=mode, crews=crews)
    ref = _hand_built(L, MU, 60.0, C, 2.0, idle, crews)
    assert pair.states == ("both up", "failing over", "one up", "uncovered", "both down")
    a, b = pair.measures(), ref.measures()
    assert a.unavailability == pytest.approx(b.unavailability, rel=REL)
    assert a.failure_frequency == pytest.approx(b.failure_frequency, rel=REL)
    assert a.degraded_fraction == pytest.approx(b.degraded_fraction, rel=REL)
    assert pair.outage_duration().mean == pytest.approx(ref.outage_duration().mean, rel=REL)
    assert pair.mttf() == pytest.approx(ref.mttf(), rel=REL)


# -------------------------------------------------- durations and trends
def test_mean_outage_is_the_failover_time_when_failover_dominates():
    """MTBF 20 y, MTTR 2 h, failover 60 s: nearly every outage is one failover.

    Two corrections, both small here: a repair can end a failover early
    (shortens it by about failover/MTTR = 0.8 %), and double failures last a
    repair (add about 2 MTTR/MTBF * MTTR/failover = 0.3 %). Hence 2 %.
    """
    u = hm.Component("app", mtbf="20y", mttr="2h")
    m = hm.active_standby(u, failover="60s").measures()
    assert m.mean_down_time == pytest.approx(1 / 60, rel=0.02)
    assert m.outages_per_year == pytest.approx(HOURS_PER_YEAR / (20 * HOURS_PER_YEAR), rel=0.01)


@pytest.mark.parametrize("coverage", [1.0, C])
def test_availability_decreases_as_failover_grows(unit, coverage):
    values = [hm.active_standby(unit, failover=f, coverage=coverage).measures().availability
              for f in ["0s", "10s", "60s", "5min", "30min", "2h"]]
    assert all(a > b for a, b in zip(values, values[1:])), values


@pytest.mark.parametrize("failover", ["0s", "60s"])
def test_availability_decreases_as_coverage_drops(unit, failover):
    """Holds because manual recovery (30 min) is slower than the failover (<= 60 s)."""
    values = [hm.active_standby(unit, failover=failover, coverage=c).measures().availability
              for c in [1.0, 0.99, 0.95, 0.8, 0.5, 0.0]]
    assert all(a > b for a, b in zip(values, values[1:])), values


def test_outage_duration_mean_agrees_with_measures(unit):
    pair = hm.active_standby(unit, failover="60s", coverage=C, standby_mode="warm")
    assert pair.outage_duration().mean == pytest.approx(pair.measures().mean_down_time,
                                                          rel=REL)


# -------------------------------------------------------------- incidents
def test_incidents_hot_instant_closed_form(unit):
    """Hot: both units fail at rate l whenever up: l (2 pi_both_up + pi_one_up) per hour,
    with the T2b steady state."""
    d = MU**2 + 2 * L * MU + 2 * L**2
    expected = L * (2 * MU**2 + 2 * L * MU) / d * HOURS_PER_YEAR
    assert instant(unit).measures().incidents_per_year == pytest.approx(expected, rel=REL)


def test_incidents_cold_closed_form(unit):
    """Cold: only the serving unit can fail: l * A per hour (T3a availability)."""
    m = instant(unit, standby_mode="cold").measures()
    d = MU**2 + L * MU + L**2
    expected = L * (MU**2 + L * MU) / d * HOURS_PER_YEAR
    assert m.incidents_per_year == pytest.approx(expected, rel=REL)
    assert m.incidents_per_year == pytest.approx(L * m.availability * HOURS_PER_YEAR, rel=REL)


@pytest.mark.parametrize("failover, coverage", [("0s", 1.0), ("0s", C), ("60s", 1.0),
                                                ("5min", 0.5), ("60s", 0.0)])
def test_incidents_hot_two_crews_are_two_independent_units(unit, failover, coverage):
    """Hot with a crew each: each unit alternates up/down on its own, whatever the
    cluster does, so incidents = 2 l A1 per hour exactly."""
    m = hm.active_standby(unit, failover=failover, coverage=coverage, crews=2).measures()
    expected = 2 * L * unit.availability * HOURS_PER_YEAR
    assert m.incidents_per_year == pytest.approx(expected, rel=REL)


def test_events_count_failovers(unit):
    """Covered switch-overs + uncovered failures of the active = active failures in 'both up'."""
    pair = instant(unit, coverage=C)
    m = pair.measures()
    pi_both_up = pair.steady_state()[pair.index("both up")]
    per_year = L * pi_both_up * HOURS_PER_YEAR
    assert m.events["failover"] == pytest.approx(C * per_year, rel=REL)
    # Uncovered failures come from both units in 'both up' (hot: both at rate l).
    assert m.events["uncovered_failure"] == pytest.approx(2 * (1 - C) * per_year, rel=REL)


# ---------------------------------------------------------- standby modes
@pytest.mark.parametrize("failover", ["0s", "60s"])
def test_warm_factor_limits(unit, failover):
    def avail(**kw):
        return hm.active_standby(unit, failover=failover, coverage=C, **kw).measures().availability

    assert avail(standby_mode="warm", standby_failure_factor=1.0) == pytest.approx(
        avail(standby_mode="hot"), rel=1e-12)
    assert avail(standby_mode="warm", standby_failure_factor=0.0) == pytest.approx(
        avail(standby_mode="cold"), rel=1e-12)
    assert avail(standby_mode="hot") < avail(standby_mode="warm") < avail(standby_mode="cold")


# ---------------------------------------------------- two different units
def test_different_units_hot_two_crews_are_independent_parallel():
    """Hot, a crew each, instant perfect switch = two independent units in parallel:
    A = 1 - U_a U_b, f = f_a U_b + f_b U_a (frequency of a coherent structure)."""
    a = hm.Component("db1", failure_rate=0.001, repair_rate=0.1)
    b = hm.Component("db2", failure_rate=0.003, repair_rate=0.5)
    pair = hm.active_standby(a, b, failover=0, crews=2)
    assert set(pair.states) == {"db1 active, db2 standby", "db1 active, db2 failed",
                                "db2 active, db1 failed", "db2 active, db1 standby",
                                "both down"}
    m = pair.measures()
    fa, fb = a.failure_rate * a.availability, b.failure_rate * b.availability
    assert m.unavailability == pytest.approx(a.unavailability * b.unavailability, rel=REL)
    assert m.failure_frequency == pytest.approx(fa * b.unavailability + fb * a.unavailability,
                                                rel=REL)
    assert m.mean_down_time == pytest.approx(1 / (a.repair_rate + b.repair_rate), rel=REL)
    assert m.incidents_per_year == pytest.approx((fa + fb) * HOURS_PER_YEAR, rel=REL)


def test_different_units_one_crew_repairs_first_failed_first():
    a = hm.Component("a", mtbf="1y", mttr="4h")
    b = hm.Component("b", mtbf="2y", mttr="8h")
    pair = hm.active_standby(a, b, failover="60s", coverage=C)
    assert len(pair.states) == 10
    Q = pair.Q
    i = pair.index("a active, b failed")
    j = pair.index("both down, repairing b")
    assert Q[i, j] == pytest.approx(a.failure_rate)
    k = pair.index("b active, a failed")
    assert Q[pair.index("both down, repairing b"), k] == pytest.approx(b.repair_rate)
    assert pair.states[0] == "a active, b standby"
    healthy = {s for s, h in zip(pair.states, pair.healthy) if h}
    assert healthy == {"a active, b standby", "b active, a standby"}


@pytest.mark.parametrize("mode", ["hot", "warm", "cold"])
@pytest.mark.parametrize("failover, coverage", [("0s", 1.0), ("60s", C), ("0s", C)])
def test_lumping_by_symmetry_is_exact(unit, mode, failover, coverage):
    """Equal units give the 5-state lumped chain; a standby a hair different (1e-12)
    gives the full 10-state chain that tells the units apart. They must agree."""
    twin = hm.Component("v", failure_rate=L * (1 + 1e-12), repair_rate=MU)
    kw = dict(failover=failover, coverage=coverage, standby_mode=mode)
    lumped = hm.active_standby(unit, **kw)
    full = hm.active_standby(unit, twin, **kw)
    assert len(full.states) > len(lumped.states)
    a, b = lumped.measures(), full.measures()
    assert b.unavailability == pytest.approx(a.unavailability, rel=1e-9)
    assert b.failure_frequency == pytest.approx(a.failure_frequency, rel=1e-9)
    assert b.incidents_per_year == pytest.approx(a.incidents_per_year, rel=1e-9)
    assert b.degraded_fraction == pytest.approx(a.degraded_fraction, rel=1e-9)


def test_default_standby_is_a_copy(unit):
    a = hm.active_standby(unit, failover="60s")
    b = hm.active_standby(unit, unit.renamed("u-standby"), failover="60s")
    assert a.states == b.states
    assert a.measures().availability == b.measures().availability
    assert a.name == "u active/standby"
    assert hm.active_standby(unit, name="lb").name == "lb"


# ----------------------------------------------------------------- errors
@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(coverage=1.5), ValueError, "coverage"),
    (dict(coverage=-0.1), ValueError, "coverage"),
    (dict(standby_mode="lukewarm"), ValueError, "lukewarm"),
    (dict(crews=3), ValueError, "crews"),
    (dict(crews=0), ValueError, "crews"),
    (dict(failover="-1s"), ValueError, "failover"),
    (dict(failover="soon"), ValueError, "failover"),
    (dict(manual_recovery=0), ValueError, "manual_recovery"),
    (dict(standby_failure_factor=2.0), ValueError, "standby_failure_factor"),
])
def test_bad_arguments_raise(unit, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        hm.active_standby(unit, **kwargs)


def test_same_names_raise(unit):
    with pytest.raises(ValueError, match="both named"):
        hm.active_standby(unit, unit)


def test_non_component_raises():
    with pytest.raises(TypeError, match="Component"):
        hm.active_standby("web")


def test_finite_results_in_a_stiff_case():
    """Rates from 1e-7/h to 3600/h (1 s failover): GTH keeps every digit."""
    u = hm.Component("x", failure_rate=1e-7, repair_rate=1.0)
    m = hm.active_standby(u, failover="1s", coverage=0.999).measures()
    assert math.isfinite(m.mean_down_time) and 0 < m.unavailability < 1e-9
