"""Tests of hamodel.patterns.replicas (a primary with read replicas).

References: with a crew per unit the units are independent alternating
renewal processes, so reads are a 1-of-(n+1) parallel system with
A = 1 - prod(U_i), f = sum_i f_i prod_{j != i} U_j (frequency of a coherent
structure, textbook-cases.md) and outages that end at the first repair
(mean 1 / sum mu_i); incidents are sum_i lambda_i A_i. With one shared crew
and equal units the number failed is the birth-death chain of T5. The
tolerance is 1e-9 relative (GTH keeps relative accuracy; the closed forms
are exact) unless a test says otherwise.
"""

from __future__ import annotations

import dataclasses
import math

import pytest

import hamodel as hm
from hamodel.units import HOURS_PER_YEAR

REL = 1e-9
PRIMARY = hm.Component("db-primary", failure_rate=0.001, repair_rate=0.1)
REPLICA = hm.Component("db-replica", failure_rate=0.002, repair_rate=0.25)
PROMOTIONS = [None, 0, "1min", "5min", "2h"]


def parallel_unavailability(units):
    return math.prod(u.unavailability for u in units)


def units(n):
    return [PRIMARY] + [REPLICA] * n


# ----------------------------------------------------------------- reads
@pytest.mark.parametrize("promotion", PROMOTIONS)
@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_reads_are_1_of_n_plus_1_with_independent_repair(n, promotion):
    """Reads need any one copy; promotion moves the writer role but not the copies."""
    read = hm.read_replicas(PRIMARY, REPLICA, n, promotion=promotion).read
    m = read.measures()
    us = units(n)
    u = parallel_unavailability(us)
    f = sum(x.failure_rate * x.availability * u / x.unavailability for x in us)
    assert m.unavailability == pytest.approx(u, rel=REL)
    assert m.availability == pytest.approx(1 - u, rel=REL)
    assert m.failure_frequency == pytest.approx(f, rel=REL)
    assert m.mean_down_time == pytest.approx(1 / sum(x.repair_rate for x in us), rel=REL)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_reads_one_shared_crew_equal_units_T5_birth_death(n):
    """T5 (one shared crew): pi_j ~ N!/(N-j)! (l/mu)^j with N = n + 1 copies."""
    u = hm.Component("u", failure_rate=0.001, repair_rate=0.1)
    big_n = n + 1
    rho = u.failure_rate / u.repair_rate
    weights = [math.factorial(big_n) / math.factorial(big_n - j) * rho**j
               for j in range(big_n + 1)]
    rr = hm.read_replicas(u, u.renamed("r"), n, promotion=None, crews=1)
    assert rr.read.measures().unavailability == pytest.approx(weights[-1] / sum(weights),
                                                              rel=REL)


# ---------------------------------------------------------------- writes
@pytest.mark.parametrize("crews", [None, 1, 2])
@pytest.mark.parametrize("n", [0, 1, 3])
def test_writes_without_promotion_are_the_primary(n, crews):
    """The LDAP case: writes wait for the primary's repair. The primary is the
    writer throughout and first in the repair queue, so even a shared crew
    leaves it a two-state unit."""
    rr = hm.read_replicas(PRIMARY, REPLICA, n, promotion=None, crews=crews)
    m = rr.write.measures()
    assert len(rr.states) == 2 * (n + 1)
    assert m.availability == pytest.approx(PRIMARY.availability, rel=REL)
    assert m.unavailability == pytest.approx(PRIMARY.unavailability, rel=REL)
    assert m.failure_frequency == pytest.approx(
        PRIMARY.failure_rate * PRIMARY.availability, rel=REL)
    assert m.mean_down_time == pytest.approx(1 / PRIMARY.repair_rate, rel=REL)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_writes_with_instant_promotion_equal_reads(n):
    """promotion=0: whenever any copy is up a writer is up, so writes = reads exactly."""
    rr = hm.read_replicas(PRIMARY, REPLICA, n, promotion=0)
    w, r = rr.write.measures(), rr.read.measures()
    assert w.unavailability == pytest.approx(r.unavailability, rel=REL)
    assert w.failure_frequency == pytest.approx(r.failure_frequency, rel=REL)


def test_T2a_writes_one_replica_instant_promotion_equal_units():
    """Equal units, one replica, instant promotion: the T2a pair (a crew each)."""
    u = hm.Component("u", failure_rate=0.001, repair_rate=0.1)
    rr = hm.read_replicas(u, u.renamed("r"), 1, promotion=0)
    assert rr.write.measures().availability == pytest.approx(0.999901970395, rel=1e-12)


@pytest.mark.parametrize("n", [1, 2])
def test_writes_with_fast_promotion_approach_reads(n):
    """A 0.1 s promotion adds about (failures/h) * 0.1 s of write downtime:
    lambda_p * 2.8e-5 h ~ 3e-8 on top of the read unavailability, so compare
    the availabilities to 1e-7."""
    rr = hm.read_replicas(PRIMARY, REPLICA, n, promotion="100ms")
    assert rr.write.measures().availability == pytest.approx(
        rr.read.measures().availability, abs=1e-7)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_write_availability_decreases_with_promotion_time(n):
    values = [hm.read_replicas(PRIMARY, REPLICA, n, promotion=p).write.measures().availability
              for p in [0, "1s", "1min", "5min", "1h", None]]
    assert all(a > b for a, b in zip(values, values[1:])), values


@pytest.mark.parametrize("crews", [None, 1, 2])
@pytest.mark.parametrize("promotion", PROMOTIONS)
@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_write_availability_at_most_read(n, promotion, crews):
    rr = hm.read_replicas(PRIMARY, REPLICA, n, promotion=promotion, crews=crews)
    assert rr.write.measures().availability <= rr.read.measures().availability + 1e-15
    assert rr.write.measures().unavailability >= rr.read.measures().unavailability


# ---------------------------------------------------- promotion semantics
def _hand_built_one_replica(p, r, promotion_rate):
    """n = 1 written out: P = primary unit, R = replica unit; states (writer, P, R)."""
    lp, mp, lr, mr, g = p.failure_rate, p.repair_rate, r.failure_rate, r.repair_rate, \
        promotion_rate
    t = [
        # the primary unit writes
        ("P:P+R+", "P:P-R+", lp), ("P:P+R+", "P:P+R-", lr),
        ("P:P-R+", "P:P+R+", mp), ("P:P-R+", "P:P-R-", lr), ("P:P-R+", "R:P-R+", g),
        ("P:P+R-", "P:P+R+", mr), ("P:P+R-", "P:P-R-", lp),
        ("P:P-R-", "P:P+R-", mp), ("P:P-R-", "P:P-R+", mr),
        # the replica unit writes; the old primary is a replica
        ("R:P-R+", "R:P+R+", mp), ("R:P-R+", "R:P-R-", lr),
        ("R:P+R+", "R:P-R+", lp), ("R:P+R+", "R:P+R-", lr),
        ("R:P+R-", "R:P+R+", mr), ("R:P+R-", "R:P-R-", lp), ("R:P+R-", "P:P+R-", g),
        ("R:P-R-", "R:P+R-", mp), ("R:P-R-", "R:P-R+", mr),
    ]
    writes = ["P:P+R+", "P:P+R-", "R:P-R+", "R:P+R+"]
    return hm.CTMC.from_transitions(t, up=writes, initial="P:P+R+")


@pytest.mark.parametrize("promotion", ["5min", "2h"])
def test_one_replica_matches_hand_built_chain(promotion):
    """The documented rules for n = 1, transition by transition, with unequal units."""
    rr = hm.read_replicas(PRIMARY, REPLICA, 1, promotion=promotion)
    ref = _hand_built_one_replica(PRIMARY, REPLICA, 1 / hm.duration(promotion))
    assert len(rr.states) == 8 == 6 * 1 + 2
    a, b = rr.write.measures(), ref.measures()
    assert a.unavailability == pytest.approx(b.unavailability, rel=REL)
    assert a.failure_frequency == pytest.approx(b.failure_frequency, rel=REL)
    assert rr.write.mttf() == pytest.approx(ref.mttf(), rel=REL)


def test_old_primary_rejoins_as_replica():
    rr = hm.read_replicas(PRIMARY, REPLICA, 2, promotion="5min")
    Q = rr.write.Q
    src = rr.write.index("promoted up, old primary down, 1/1 other replicas up")
    dst = rr.write.index("promoted up, old primary up, 1/1 other replicas up")
    assert Q[src, dst] == pytest.approx(PRIMARY.repair_rate)
    assert rr.write.up[dst] and rr.read.up[dst]
    # No failback: the only ways back to the primary writing are a failure of the
    # promoted writer followed by a promotion.
    primary_states = [i for i, s in enumerate(rr.states) if s.startswith("primary")]
    assert Q[[src]][:, primary_states].sum() == 0.0  # 2-D slices: scipy < 1.15 has no 1-D


@pytest.mark.parametrize("n, promotion, count", [(1, "5min", 8), (2, "5min", 14),
                                                 (3, "5min", 20), (2, None, 6), (0, "5min", 2)])
def test_state_counts(n, promotion, count):
    assert len(hm.read_replicas(PRIMARY, REPLICA, n, promotion=promotion).states) == count


# -------------------------------------------------------------- incidents
@pytest.mark.parametrize("promotion", PROMOTIONS)
@pytest.mark.parametrize("n", [0, 1, 3])
def test_incidents_are_every_units_failures(n, promotion):
    """Each unit fails at its own rate whatever its role: sum_i lambda_i A_i per hour."""
    rr = hm.read_replicas(PRIMARY, REPLICA, n, promotion=promotion)
    expected = sum(u.failure_rate * u.availability for u in units(n)) * HOURS_PER_YEAR
    assert rr.read.measures().incidents_per_year == pytest.approx(expected, rel=REL)
    assert rr.write.measures().incidents_per_year == pytest.approx(expected, rel=REL)


@pytest.mark.parametrize("n", [1, 3])
def test_degraded_fraction_closed_form(n):
    """Degraded = up with some unit failed = A - P(all up); P(all up) = prod A_i."""
    rr = hm.read_replicas(PRIMARY, REPLICA, n, promotion=None)
    all_up = math.prod(u.availability for u in units(n))
    read, write = rr.read.measures(), rr.write.measures()
    assert read.degraded_fraction == pytest.approx(read.availability - all_up, rel=REL)
    assert write.degraded_fraction == pytest.approx(PRIMARY.availability - all_up, rel=REL)


def test_promotion_events():
    """Promotions are counted when automatic, and never without automatic promotion."""
    rr = hm.read_replicas(PRIMARY, REPLICA, 2, promotion="5min")
    assert rr.write.measures().events["promotion"] > 0
    assert hm.read_replicas(PRIMARY, REPLICA, 2, promotion=None).write.measures() \
        .events["promotion"] == 0.0


# ---------------------------------------------------------------- objects
def test_read_and_write_share_one_chain():
    rr = hm.read_replicas(PRIMARY, REPLICA, 2)
    assert rr.read.states == rr.write.states
    assert (rr.read.Q != rr.write.Q).nnz == 0
    assert (rr.read.incidents != rr.write.incidents).nnz == 0
    assert rr.read.name == "db-primary + 2 replicas reads"
    assert rr.write.name == "db-primary + 2 replicas writes"
    for model in (rr.read, rr.write):
        assert model.to_ctmc() is model
        assert model.outage_duration().mean == pytest.approx(
            model.measures().mean_down_time, rel=REL)


def test_summary_table():
    rr = hm.read_replicas(PRIMARY, REPLICA, 2, name="mysql")
    s = rr.summary
    assert list(s.index) == ["read", "write"]
    assert list(s.columns) == ["availability", "outages/yr", "mean outage (h)",
                               "downtime (min/yr)", "incidents/yr"]
    w = rr.write.measures()
    assert s.loc["write", "availability"] == w.availability
    assert s.loc["write", "outages/yr"] == w.outages_per_year
    assert s.loc["write", "mean outage (h)"] == w.mean_down_time
    assert s.loc["write", "downtime (min/yr)"] == w.downtime_minutes_per_year
    assert s.loc["read", "incidents/yr"] == rr.read.measures().incidents_per_year
    assert "mysql" in rr._repr_html_()


def test_read_replicas_is_frozen():
    rr = hm.read_replicas(PRIMARY, REPLICA, 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        rr.n = 3  # type: ignore[misc]


@pytest.mark.parametrize("args, kwargs, exc, match", [
    ((PRIMARY, REPLICA, -1), {}, ValueError, "n = -1"),
    ((PRIMARY, REPLICA, 1.5), {}, ValueError, "n = 1.5"),
    ((PRIMARY, REPLICA, 2), {"crews": 0}, ValueError, "crews"),
    ((PRIMARY, REPLICA, 2), {"promotion": "soon"}, ValueError, "promotion"),
    ((PRIMARY, REPLICA, 2), {"promotion": "-5min"}, ValueError, "promotion"),
    (("db", REPLICA, 2), {}, TypeError, "Component"),
])
def test_bad_arguments_raise(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        hm.read_replicas(*args, **kwargs)
