"""Tests of the outage-length distribution of series blocks (hamodel._outage).

References: closed forms of the mean (U / f of independent parts), the product chain of
the leaves (``to_ctmc().outage_duration()``, which shares no code with the lumped or
truncated routes), and a seeded Monte Carlo of the outage itself, written here, whose
tolerance is four standard errors of its sample size.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import hamodel as hm
import hamodel._outage as outage

TIMES = [0.1, 1.0, 3.0, 10.0, 30.0]


def parts15():
    return [hm.Component(f"p{i}", mtbf="20h", mttr="2h") for i in range(15)]


def simulate_outages(lams, mus, n, rng):
    """Lengths of n outages of a series of two-state parts, from the steady-state entry:
    part j fails (chance proportional to lam_j, all parts being up), then every part
    fails and is repaired at its own rate until all are up at once."""
    lams, mus = np.asarray(lams), np.asarray(mus)
    out = np.empty(n)
    for k in range(n):
        down = np.zeros(lams.size, dtype=bool)
        down[rng.choice(lams.size, p=lams / lams.sum())] = True
        t = 0.0
        while down.any():
            rates = np.where(down, mus, lams)
            total = rates.sum()
            t += rng.exponential(1.0 / total)
            i = rng.choice(lams.size, p=rates / total)
            down[i] = not down[i]
        out[k] = t
    return out


def test_fifteen_parts_down_nine_percent_mean_is_the_closed_form():
    # The case: U = 1 - A^15, f = 15 lam A^15 with A = 10/11, lam = 1/20 h.
    d = hm.series(*parts15()).outage_duration()
    a, lam = 20 / 22, 1 / 20
    assert d.exact
    assert d.n_phases == 15  # fifteen identical parts lumped: 1..15 down
    assert d.mean == pytest.approx((1 - a**15) / (15 * lam * a**15), rel=1e-12)
    assert d.mean == pytest.approx(4.2364, abs=1e-4)
    assert float(d.sf(10)) == pytest.approx(0.1189, abs=1e-4)


def test_fifteen_parts_survival_matches_seeded_monte_carlo(rng):
    n = 4000
    lengths = simulate_outages([1 / 20] * 15, [1 / 2] * 15, n, rng)
    d = hm.series(*parts15()).outage_duration()
    for t in (1.0, 4.0, 10.0):
        p = float(d.sf(t))
        se = math.sqrt(p * (1 - p) / n)
        assert abs(np.mean(lengths > t) - p) < 4 * se, t
    se_mean = lengths.std(ddof=1) / math.sqrt(n)
    assert abs(lengths.mean() - d.mean) < 4 * se_mean


@pytest.mark.parametrize("copies", [2, 5])
def test_lumped_identical_parts_match_the_product_chain(copies):
    comps = [hm.Component(f"u{i}", failure_rate=0.05, repair_rate=0.4) for i in range(copies)]
    system = hm.series(*comps, hm.Component("other", failure_rate=0.01, repair_rate=2.0))
    lumped = system.outage_duration()
    full = system.to_ctmc().outage_duration()
    assert lumped.n_phases < full.n_phases
    np.testing.assert_allclose(lumped.sf(TIMES), full.sf(TIMES), rtol=1e-9)
    assert lumped.mean == pytest.approx(full.mean, rel=1e-9)


def test_heterogeneous_parts_with_chains_match_the_product_chain():
    pair = hm.active_standby(hm.Component("db", mtbf="30d", mttr="6h"), failover="60s")
    system = hm.series(pair, hm.Component("lb", mtbf="60d", mttr="1h"),
                       hm.parallel(hm.Component("w1", mtbf="20d", mttr="3h"),
                                   hm.Component("w2", mtbf="25d", mttr="3h")))
    d = system.outage_duration()
    assert d.exact and d.note.startswith("exact")
    full = system.to_ctmc().outage_duration()
    np.testing.assert_allclose(d.sf(TIMES), full.sf(TIMES), rtol=1e-9)
    assert d.mean == pytest.approx(system.measures().mean_down_time, rel=1e-9)


def test_nested_series_is_one_series():
    a, b, c = (hm.Component(n, mtbf="10h", mttr="2h") for n in "abc")
    nested = hm.series(hm.series(a, b), c).outage_duration()
    flat = hm.series(a, b, c).outage_duration()
    np.testing.assert_allclose(nested.sf(TIMES), flat.sf(TIMES), rtol=1e-12)


def reliable_parts(n=10):
    return [hm.Component(f"r{i}", failure_rate=1e-5 * (1 + i), repair_rate=0.5 + i / 10)
            for i in range(n)]


def test_truncated_outage_is_within_its_stated_bound(monkeypatch):
    # 10 parts: 1023 down states; with at most 100 phases only the states with <= 2 parts
    # down (55) are kept, and the cut-off chance is stated and honoured.
    monkeypatch.setattr(outage, "OUTAGE_PHASES", 100)
    monkeypatch.setattr(outage, "OUTAGE_TOLERANCE", 1e-6)
    system = hm.series(*reliable_parts())
    d = system.outage_duration()
    assert d.exact and d.n_phases == 55
    bound = float(d.note.split("sf(t) + ")[1])
    assert 0 < bound <= 1e-6
    exact = system.to_ctmc().outage_duration().sf(TIMES)
    assert np.all(d.sf(TIMES) <= exact + 1e-15)
    assert np.all(exact <= d.sf(TIMES) + bound + 1e-15)


def test_approximation_warns_and_says_so_with_a_bound_that_holds(monkeypatch):
    monkeypatch.setattr(outage, "OUTAGE_PHASES", 5)
    comps = [hm.Component(f"p{i}", mtbf=f"{20 + 3 * i}h", mttr=f"{1 + i / 4}h") for i in range(6)]
    system = hm.series(*comps)
    with pytest.warns(hm.ApproximationWarning, match=r"is an approximation.*OUTAGE_PHASES = 5"):
        d = system.outage_duration()
    assert not d.exact
    assert "approximate" in repr(d)
    bound = float(d.note.split("sf(t) + ")[1].split(";")[0])
    exact = system.to_ctmc().outage_duration().sf(TIMES)
    assert np.all(d.sf(TIMES) <= exact + 1e-12)  # a lower bound
    assert np.all(exact <= d.sf(TIMES) + bound)
    assert d.mean < system.measures().mean_down_time


def test_mixture_of_reliable_parts_is_exact_within_tolerance(monkeypatch):
    # A second failure during a 1 h outage is a 7e-14 chance here (7 other parts failing
    # at 1e-14 per hour): below the tolerance, so no warning.
    monkeypatch.setattr(outage, "OUTAGE_PHASES", 5)
    comps = [hm.Component(f"q{i}", failure_rate=1e-14, repair_rate=1.0) for i in range(8)]
    d = hm.series(*comps).outage_duration()
    assert d.exact and d.note.startswith("exact to 7.0e-14")


def test_phase_type_is_exact_unless_told_and_mixture_inherits_it():
    one = hm.PhaseType([1.0], [[-1.0]])
    rough = hm.PhaseType([1.0], [[-2.0]], exact=False, note="a guess")
    assert one.exact and not rough.exact
    assert not hm.PhaseType.mixture([1, 1], [one, rough]).exact
    assert hm.PhaseType.mixture([1, 1], [one, one]).exact
    assert issubclass(hm.ApproximationWarning, UserWarning)
