"""Tests of hamodel/distributions.py and of Component(ttf=, ttr=).

References: scipy.stats (``expon``, ``weibull_min``, ``lognorm``) for means, variances
and survival functions, an independent implementation compared at rel 1e-12 (both are
closed forms in double precision). Sample moments are checked against the stated
moments within 4.4 standard errors (two-sided 1e-5), seeded; the standard error of the
sample mean is sd / sqrt(n), that of the sample variance is estimated from the fourth
central moment of the same sample.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from scipy import stats

import hamodel as hm

DISTRIBUTIONS = {
    "exponential": (hm.Exponential("4h"), stats.expon(scale=4.0)),
    "weibull-wearout": (hm.Weibull(2.5, "100h"), stats.weibull_min(2.5, scale=100.0)),
    "weibull-infant": (hm.Weibull(0.7, 100.0), stats.weibull_min(0.7, scale=100.0)),
    "lognormal": (hm.Lognormal(1.0, 0.8), stats.lognorm(0.8, scale=math.e)),
    "lognormal-cv2": (hm.Lognormal.from_mean_cv("10h", 2.0),
                      stats.lognorm(math.sqrt(math.log(5.0)), scale=10.0 / math.sqrt(5.0))),
}


@pytest.mark.parametrize("case", list(DISTRIBUTIONS))
def test_moments_and_sf_match_scipy(case):
    dist, ref = DISTRIBUTIONS[case]
    assert dist.mean == pytest.approx(ref.mean(), rel=1e-12)
    assert dist.var == pytest.approx(ref.var(), rel=1e-12)
    t = np.array([0.0, 0.5, 3.0, 10.0, 100.0, 400.0])
    np.testing.assert_allclose(dist.sf(t), ref.sf(t), rtol=1e-12, atol=1e-300)
    assert dist.sf(10.0) == pytest.approx(float(ref.sf(10.0)), rel=1e-12)
    assert isinstance(dist.sf("10h"), float)


@pytest.mark.parametrize("case", list(DISTRIBUTIONS))
def test_sample_moments(case, rng):
    dist, _ = DISTRIBUTIONS[case]
    x = dist.sample(rng, (400, 500))
    assert x.shape == (400, 500) and x.dtype == float and (x >= 0).all()
    x = x.ravel()
    n = x.size
    assert abs(x.mean() - dist.mean) < 4.4 * math.sqrt(dist.var / n)
    m4 = np.mean((x - x.mean()) ** 4)
    assert abs(x.var() - dist.var) < 4.4 * math.sqrt((m4 - x.var() ** 2) / n)


def test_sample_matches_sf_kolmogorov_smirnov(rng):
    """KS test of each sampler against its own sf (p > 1e-4 with a fixed seed)."""
    for dist, _ in DISTRIBUTIONS.values():
        x = dist.sample(rng, 5000)
        assert stats.kstest(x, lambda t, d=dist: 1.0 - d.sf(np.asarray(t))).pvalue > 1e-4


def test_lognormal_from_mean_cv_closed_form():
    d = hm.Lognormal.from_mean_cv("4h", 0.5)
    s2 = math.log(1.25)
    assert d.sigma == pytest.approx(math.sqrt(s2), rel=1e-15)
    assert d.mu == pytest.approx(math.log(4.0) - s2 / 2, rel=1e-15)
    assert (d.mean, d.cv) == (pytest.approx(4.0, rel=1e-14), pytest.approx(0.5, rel=1e-14))


def test_deterministic():
    d = hm.Deterministic("90min")
    assert (d.mean, d.var, d.cv) == (1.5, 0.0, 0.0)
    np.testing.assert_array_equal(d.sample(np.random.default_rng(0), 3), [1.5, 1.5, 1.5])
    np.testing.assert_array_equal(d.sf([0.0, 1.0, 1.5, 2.0]), [1.0, 1.0, 0.0, 0.0])


def test_weibull_shape_one_is_exponential():
    w, e = hm.Weibull(1.0, "50h"), hm.Exponential("50h")
    assert (w.mean, w.var) == (pytest.approx(e.mean), pytest.approx(e.var))
    np.testing.assert_allclose(w.sf([1.0, 50.0, 200.0]), e.sf([1.0, 50.0, 200.0]), rtol=1e-14)


def test_frozen_hashable_and_durations_normalised():
    assert hm.Exponential("4h") == hm.Exponential(4) == hm.Exponential("240min")
    assert hash(hm.Weibull(2, "1y")) == hash(hm.Weibull(2.0, 8766.0))
    with pytest.raises(dataclasses.FrozenInstanceError):
        hm.Exponential(4).mean = 5.0


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (lambda: hm.Exponential(0), "Exponential: mean"),
        (lambda: hm.Exponential("-4h"), "Exponential: mean"),
        (lambda: hm.Exponential("soon"), "Exponential: mean"),
        (lambda: hm.Weibull(0, 10), "Weibull: shape = 0"),
        (lambda: hm.Weibull(-1.5, 10), "Weibull: shape = -1.5"),
        (lambda: hm.Weibull(math.nan, 10), "Weibull: shape"),
        (lambda: hm.Weibull(2, 0), "Weibull: scale"),
        (lambda: hm.Weibull(1e-4, 10), "overflows"),
        (lambda: hm.Lognormal(0.0, 0.0), "Lognormal: sigma = 0.0"),
        (lambda: hm.Lognormal(math.inf, 1.0), "Lognormal: mu"),
        (lambda: hm.Lognormal(800.0, 1.0), "overflows"),
        (lambda: hm.Lognormal.from_mean_cv("4h", 0), "Lognormal: cv = 0"),
        (lambda: hm.Lognormal.from_mean_cv(0, 1), "Lognormal: mean"),
        (lambda: hm.Deterministic(0), "Deterministic: value"),
    ],
)
def test_bad_parameters_raise_value_error(build, match):
    with pytest.raises(ValueError, match=match):
        build()


def test_bad_arguments():
    d = hm.Exponential(4)
    with pytest.raises(ValueError, match="non-negative"):
        d.sf([1.0, -1.0])
    with pytest.raises(ValueError):
        d.sf(-1.0)
    with pytest.raises(TypeError, match="Generator"):
        d.sample(42, 3)
    with pytest.raises(TypeError, match="shape"):
        hm.Weibull("2", 10)


# ------------------------------------------------------- Component(ttf=, ttr=)
def test_component_rates_are_inverse_means():
    ttf, ttr = hm.Weibull(2.0, "3y"), hm.Lognormal.from_mean_cv("8h", 2.0)
    c = hm.Component("disk", ttf=ttf, ttr=ttr)
    assert (c.ttf, c.ttr) == (ttf, ttr)
    assert c.failure_rate == 1.0 / ttf.mean and c.repair_rate == 1.0 / ttr.mean
    assert c.mtbf == pytest.approx(ttf.mean, rel=1e-15)
    assert not c.is_exponential
    # Renewal theory: a lone unit's A and f depend on the means only.
    assert c.availability == pytest.approx(ttf.mean / (ttf.mean + ttr.mean), rel=1e-12)
    assert c.measures().failure_frequency == pytest.approx(1 / (ttf.mean + ttr.mean), rel=1e-12)


def test_component_default_distributions_are_exponential():
    c = hm.Component("web", mtbf="1y", mttr="4h")
    assert c.ttf == hm.Exponential("1y") and c.ttr == hm.Exponential("4h")
    assert c.is_exponential
    assert hm.Component("w", ttf=hm.Weibull(1, 10), mttr=1).is_exponential


@pytest.mark.parametrize(
    "other",
    [
        dict(failure_rate=1 / 8766.0, repair_rate=0.25),
        dict(ttf=hm.Exponential("1y"), mttr="4h"),
        dict(mtbf="1y", ttr=hm.Exponential(4.0)),
        dict(ttf=hm.Exponential(8766.0), ttr=hm.Exponential("240min")),
    ],
)
def test_exponential_forms_are_equal_and_hash_equal(other):
    a = hm.Component("web", mtbf="1y", mttr="4h")
    b = hm.Component("web", **other)
    assert a == b and hash(a) == hash(b)


def test_non_exponential_component_differs_from_exponential_one():
    a = hm.Component("web", mtbf="10h", mttr="1h")
    b = hm.Component("web", ttf=hm.Weibull(1.0, 10.0), mttr="1h")
    c = hm.Component("web", mtbf="10h", ttr=hm.Deterministic("1h"))
    assert a != c and a.measures().availability == c.measures().availability
    assert b != a  # equality compares descriptions, not laws
    assert len({a, b, c}) == 3


def test_renamed_keeps_distributions_and_rates():
    c = hm.Component("a", ttf=hm.Weibull(1.5, 100.0), ttr=hm.Deterministic(2.0))
    d = c.renamed("b")
    assert (d.name, d.ttf, d.ttr) == ("b", c.ttf, c.ttr)
    assert (d.failure_rate, d.repair_rate) == (c.failure_rate, c.repair_rate)
    e = hm.Component("x", failure_rate=0.001, repair_rate=0.1).renamed("y")
    assert (e.failure_rate, e.repair_rate) == (0.001, 0.1)
    with pytest.raises(TypeError, match="non-empty"):
        c.renamed("")


def test_component_frozen_with_new_fields():
    c = hm.Component("a", ttf=hm.Weibull(1.5, 100.0), mttr=1)
    for attr in ("ttf", "ttr"):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(c, attr, hm.Exponential(1))


def test_component_repr_shows_non_exponential_distributions():
    assert repr(hm.Component("db", failure_rate=0.001, repair_rate=0.1)) == \
        "Component('db', mtbf=1000 h, mttr=10 h)"
    assert repr(hm.Component("db", mtbf=1000, ttr=hm.Deterministic(10))) == \
        "Component('db', mtbf=1000 h, mttr=10 h, ttr=Deterministic(value=10.0))"


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(mtbf="1y", ttf=hm.Exponential("1y"), mttr="4h"),
        dict(failure_rate=0.1, ttf=hm.Exponential("1y"), mttr="4h"),
        dict(mtbf="1y", mttr="4h", ttr=hm.Exponential("4h")),
        dict(ttf=hm.Exponential("1y")),
    ],
)
def test_component_exactly_one_description_per_time(kwargs):
    with pytest.raises(TypeError, match="exactly one of"):
        hm.Component("db", **kwargs)


@pytest.mark.parametrize("bad", [4.0, "4h", stats.expon(scale=4)])
def test_component_distribution_must_be_a_distribution(bad):
    with pytest.raises(TypeError, match="ttr = .*expected a distribution"):
        hm.Component("db", mtbf="1y", ttr=bad)
