"""Tests of hamodel/empirical.py: the Kaplan-Meier law of simulated outage lengths.

The reference with censoring is the textbook one: the 6-MP arm of the leukaemia
remission trial (Freireich et al. 1963) as worked in Klein and Moeschberger,
*Survival Analysis* (2nd ed.), Examples 4.1 and 4.2: Kaplan-Meier estimates and
Greenwood standard errors printed to three decimals, and the log(-log) 95 % interval
at 6 weeks, (0.620, 0.952). Tolerance: half a unit of the printed third decimal.
Without censoring the estimator must be the plain empirical survival function.
"""

from __future__ import annotations

import numpy as np
import pytest

import hamodel as hm

WEEKS = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
CENSORED = [0, 0, 0, 1, 0, 1, 0, 1, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1]
TIMES = [6, 7, 10, 13, 16, 22, 23]
KM = [0.857, 0.807, 0.753, 0.690, 0.627, 0.538, 0.448]
GREENWOOD_SE = [0.076, 0.087, 0.096, 0.107, 0.114, 0.128, 0.135]


def test_klein_moeschberger_6mp_estimates_and_standard_errors():
    law = hm.EmpiricalDuration(WEEKS, CENSORED)
    np.testing.assert_allclose(law.sf(np.array(TIMES, dtype=float)), KM, atol=5e-4)
    times, surv, green = law._steps
    np.testing.assert_allclose(times, TIMES)
    np.testing.assert_allclose(surv * np.sqrt(green), GREENWOOD_SE, atol=5e-4)
    assert law.interval(6.0) == pytest.approx((0.620, 0.952), abs=5e-4)
    assert law.quantile(0.5) == 23.0
    assert law.sf(5.9) == 1.0 and law.sf(23.0) == pytest.approx(0.448, abs=5e-4)


def test_without_censoring_it_is_the_empirical_survival_function(rng):
    lengths = rng.exponential(2.0, 500)
    law = hm.EmpiricalDuration(lengths)
    grid = np.linspace(0.0, 10.0, 41)
    np.testing.assert_allclose(law.sf(grid), (lengths[None, :] > grid[:, None]).mean(axis=1))
    assert law.mean == pytest.approx(lengths.mean(), rel=1e-12)
    lo, hi = law.interval(grid)
    assert np.all((lo <= law.sf(grid)) & (law.sf(grid) <= hi))
    assert np.all((lo >= 0) & (hi <= 1))


def test_bounds_where_the_estimate_is_zero_or_one():
    law = hm.EmpiricalDuration([1.0, 2.0, 3.0])
    assert law.interval(0.5)[1] == 1.0 and law.interval(0.5)[0] < 1.0
    assert law.interval(5.0)[0] == 0.0 and law.interval(5.0)[1] > 0.0


def test_strings_are_durations():
    law = hm.EmpiricalDuration([0.25, 0.75, 2.0])
    assert law.sf("30min") == pytest.approx(2 / 3)
    assert list(law.table(["30min", "1h"]).index) == [0.5, 1.0]


@pytest.mark.parametrize("lengths, censored, match", [
    ([1.0, -1.0], None, "finite and >= 0"),
    ([1.0, np.nan], None, "finite and >= 0"),
    ([1.0, 2.0], [True], "2 lengths but 1 censoring flags"),
])
def test_bad_lengths_are_named(lengths, censored, match):
    with pytest.raises(ValueError, match=match):
        hm.EmpiricalDuration(lengths, censored)


def test_quantile_level_is_checked():
    with pytest.raises(ValueError, match="q = 1.5"):
        hm.EmpiricalDuration([1.0]).quantile(1.5)
