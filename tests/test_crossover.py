"""Tests of hamodel.crossing (hm.crossover): break-even values against closed forms and a grid search."""

from __future__ import annotations

import numpy as np
import pytest

import hamodel as hm
from hamodel.crossing import NoCrossover

YEAR = hm.HOURS_PER_YEAR


def unit(name, mtbf, mttr):
    return hm.Component(name, mtbf=mtbf, mttr=mttr)


# ------------------------------------------------------------------ closed forms
@pytest.mark.parametrize("mtbf_a, mtbf_b, mttr_b", [(2.0, 1.0, 4.0), (5.0, 3.0, 24.0),
                                                    (3.0, 0.5, 1.0)])
def test_unavailability_closed_form_mttr(mtbf_a, mtbf_b, mttr_b):
    """Two-state units: U = MTTR / (MTBF + MTTR), so A (MTBF a) loses as many minutes as
    B when MTTR_a / (a + MTTR_a) = MTTR_b / (b + MTTR_b), i.e. MTTR_a = MTTR_b * a / b.
    Brent's method stops at rtol = 1e-9, so 1e-8 relative is a safe margin."""
    reference = unit("b", mtbf_b * YEAR, mttr_b)
    found = hm.crossover(lambda h: unit("a", mtbf_a * YEAR, h), "downtime_per_year",
                          0.01, 1000.0, reference=reference)
    assert found == pytest.approx(mttr_b * mtbf_a / mtbf_b, rel=1e-8)


def test_failure_frequency_closed_form_on_a_log_scale():
    """f = 1 / (MTBF + MTTR) per hour: a unit with a 1 h repair has B's outage frequency
    (MTBF 2 y, MTTR 24 h) when its MTBF is 2 y + 23 h. Searched in log10(MTBF) over
    five decades; rtol = 1e-9 in log10(x) is a relative error of about 2.3e-9."""
    reference = unit("b", 2 * YEAR, 24.0)
    found = hm.crossover(lambda m: unit("a", m, 1.0), "outages_per_year",
                          10.0, 1e6, reference=reference, log=True)
    assert found == pytest.approx(2 * YEAR + 23.0, rel=1e-8)


def test_a_number_as_reference_and_a_callable_measure():
    """Downtime 60 min/yr = 8766 h * 60/60 ... : U = 1/8766, so MTTR = MTBF / 8765."""
    mtbf = 5 * YEAR
    found = hm.crossover(lambda h: unit("a", mtbf, h), "downtime_per_year", 0.1, 100.0,
                          reference=60.0)
    assert found == pytest.approx(mtbf / (YEAR - 1.0), rel=1e-8)
    same = hm.crossover(lambda h: unit("a", mtbf, h),
                         lambda m: m.measures().unavailability, 0.1, 100.0,
                         reference=1.0 / YEAR)
    assert same == pytest.approx(found, rel=1e-8)


# ------------------------------------------------------------------ a quorum case
def _pair(link_years, fence_failure=0.0):
    node = unit("node", 5 * YEAR, 4.0)
    link = unit("heartbeat", link_years * YEAR, 4.0)
    return hm.two_node_cluster(node, link=link, tie_breaker="stonith",
                               fencing=hm.Fencing(time="30s", delay="10s",
                                                  success=1.0 - fence_failure))


def _three():
    return hm.majority_cluster(3, unit("node", 5 * YEAR, 4.0), crews=1, failover="60s")


def _grid_crossing(f, lo, hi, n):
    """Brute force: the first sign change of f on a log grid, refined by a second grid."""
    xs = np.geomspace(lo, hi, n)
    gaps = np.array([f(x) for x in xs])
    i = int(np.flatnonzero(np.sign(gaps[:-1]) != np.sign(gaps[1:]))[0])
    fine = np.geomspace(xs[i], xs[i + 1], n)
    fine_gaps = np.array([f(x) for x in fine])
    j = int(np.flatnonzero(np.sign(fine_gaps[:-1]) != np.sign(fine_gaps[1:]))[0])
    return fine[j], fine[j + 1]


def test_two_node_against_three_nodes_matches_a_grid_search_on_downtime():
    """The pair (STONITH, 10 s delay) loses more minutes than three serving nodes only
    when its heartbeat link fails about weekly: the brute-force bracket from two
    geometric grids of 25 points must contain Brent's root."""
    three = _three()
    target = three.measures().downtime_per_year
    found = hm.crossover(_pair, "downtime_per_year", 1e-3, 10.0, reference=three, log=True)
    below, above = _grid_crossing(lambda y: _pair(y).measures().downtime_per_year - target,
                                  1e-3, 10.0, 25)
    assert below <= found <= above
    assert 1 / 365.25 < found < 30 / 365.25  # days to weeks, as notebook 06 says


def test_fence_failure_matches_a_grid_search_on_long_outages():
    """Outages longer than 20 min: the pair with the typical link (4.6 y) loses to three
    nodes once a fence fails with a probability of a few in ten thousand."""
    three = _three()
    target = three.outages_longer_than("20min")
    found = hm.crossover(lambda q: _pair(4.6, q), "outages_longer_than", 1e-7, 0.1,
                          reference=three, longer_than="20min", log=True)
    below, above = _grid_crossing(
        lambda q: _pair(4.6, q).outages_longer_than("20min") - target, 1e-7, 0.1, 21)
    assert below <= found <= above


# ------------------------------------------------------------------ no crossing, bad input
@pytest.mark.parametrize("hi, side", [(6.0, "below"), (24.0, None)])
def test_no_crossing_says_which_side(hi, side):
    other = unit("other", YEAR, 4.0)

    def build(h):
        return unit("a", 2 * YEAR, h)

    if side is None:
        assert hm.crossover(build, "downtime_per_year", 1.0, hi, reference=other) > 7.99
        return
    with pytest.raises(NoCrossover, match=r"no crossing between lo = 1 and hi = 6") as err:
        hm.crossover(build, "downtime_per_year", 1.0, hi, reference=other)
    assert err.value.side == side and isinstance(err.value, ValueError)
    assert all(g < 0 for g in err.value.gaps)


def test_always_above_is_reported_as_above():
    other = unit("other", 10 * YEAR, 1.0)
    with pytest.raises(NoCrossover, match="above the reference") as err:
        hm.crossover(lambda h: unit("a", YEAR, h), "downtime_per_year", 2.0, 5.0,
                      reference=other)
    assert err.value.side == "above"


@pytest.mark.parametrize("kwargs, match", [
    ({"lo": 5.0, "hi": 1.0}, r"lo = 5.0 must be less than hi = 1.0"),
    ({"lo": 0.0, "hi": 1.0, "log": True}, r"lo = 0.0; a search with log=True needs lo > 0"),
    ({"lo": float("nan"), "hi": 1.0}, r"lo = nan; expected a finite number"),
    ({"measure": "downtime"}, r"unknown measure 'downtime'"),
    ({"measure": "outages_longer_than"}, r"needs longer_than="),
])
def test_bad_input_names_the_value(kwargs, match):
    args = {"build": lambda h: unit("a", YEAR, h), "measure": "downtime_per_year",
            "lo": 1.0, "hi": 10.0, "reference": unit("b", YEAR, 4.0), **kwargs}
    with pytest.raises(ValueError, match=match):
        hm.crossover(**args)


def test_reference_must_be_a_model_or_a_number():
    with pytest.raises(TypeError, match=r"reference = 'three'"):
        hm.crossover(lambda h: unit("a", YEAR, h), "downtime_per_year", 1.0, 10.0,
                      reference="three")


# ------------------------------------------------------------------ the table
def test_table_agrees_with_break_even_and_names_sides():
    other = unit("other", YEAR, 4.0)
    builds = {"2 y": lambda h: unit("a", 2 * YEAR, h),
              "8 y": lambda h: unit("b", 8 * YEAR, h),
              "0.1 y": lambda h: unit("c", 0.1 * YEAR, h)}
    table = hm.crossover_table(builds, ["downtime_per_year", "outages_per_year"], 1.0, 24.0,
                                reference=other)
    assert list(table.columns) == ["downtime (min/yr)", "outages/yr"]
    assert table.loc["2 y", "downtime (min/yr)"] == pytest.approx(8.0, rel=1e-8)
    assert table.loc["8 y", "downtime (min/yr)"] == "below"
    assert table.loc["0.1 y", "downtime (min/yr)"] == "above"
    assert table.loc["2 y", "outages/yr"] == "below"  # fails half as often at any MTTR here
