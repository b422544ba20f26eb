"""Tests of hamodel/component.py: the two-state repairable unit.

References: the alternating renewal process of a unit with exponential up and
down times (Trivedi, *Probability and Statistics with Reliability, Queuing and
Computer Science Applications*, 2nd ed., ch. 8; case T1 of
shared/reference/textbook-cases.md): A = mu/(l+mu), f = l mu/(l+mu), MUT = 1/l,
MDT = 1/mu. The CTMC route (``Component.to_ctmc()``, solved by GTH) is a second,
independent method. Closed forms are evaluated in double precision, so the
tolerance is a few ulps of the quantities involved (rel 1e-12).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

import hamodel as hm

LAM, MU = 0.001, 0.1  # textbook-cases.md: MTTF 1000 h, MTTR 10 h
REL = 1e-12


@pytest.fixture
def unit() -> hm.Component:
    return hm.Component("db", failure_rate=LAM, repair_rate=MU)


# ---------------------------------------------------------------- construction
@pytest.mark.parametrize(
    ("kwargs", "lam", "mu"),
    [
        ({"mtbf": "1y", "mttr": "4h"}, 1 / 8766.0, 0.25),
        ({"mtbf": 1000, "mttr": 10}, 0.001, 0.1),
        ({"mtbf": "1000h", "mttr": "600min"}, 0.001, 0.1),
        ({"mtbf": "2d", "repair_rate": 0.5}, 1 / 48, 0.5),
        ({"failure_rate": 0.002, "mttr": "30min"}, 0.002, 2.0),
        ({"failure_rate": 0.001, "repair_rate": 0.1}, 0.001, 0.1),
    ],
)
def test_mtbf_mttr_and_rate_constructors_agree(kwargs, lam, mu):
    """failure_rate = 1/mtbf, repair_rate = 1/mttr, with durations in hours."""
    c = hm.Component("x", **kwargs)
    assert c.failure_rate == pytest.approx(lam, rel=1e-15)
    assert c.repair_rate == pytest.approx(mu, rel=1e-15)
    assert c.mtbf == pytest.approx(1 / lam, rel=1e-15)
    assert c.mttr == pytest.approx(1 / mu, rel=1e-15)


def test_mtbf_and_rate_forms_build_equal_components():
    a = hm.Component("web", mtbf="1y", mttr="4h")
    b = hm.Component("web", failure_rate=1 / 8766.0, repair_rate=0.25)
    assert a == b
    assert hash(a) == hash(b)
    assert a != hm.Component("web2", failure_rate=1 / 8766.0, repair_rate=0.25)


def test_component_is_frozen(unit):
    for attr, value in [("failure_rate", 1.0), ("repair_rate", 1.0), ("name", "other")]:
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(unit, attr, value)
    assert unit.failure_rate == LAM


def test_renamed_keeps_rates(unit):
    other = unit.renamed("db2")
    assert other.name == "db2"
    assert (other.failure_rate, other.repair_rate) == (unit.failure_rate, unit.repair_rate)
    assert unit.name == "db"


# ---------------------------------------------------------------------- errors
@pytest.mark.parametrize("bad", [0, 0.0, -0.001, math.nan, math.inf])
@pytest.mark.parametrize("which", ["failure_rate", "repair_rate"])
def test_bad_rates_raise_value_error_naming_component_and_parameter(which, bad):
    kwargs = {"failure_rate": LAM, "repair_rate": MU}
    kwargs[which] = bad
    with pytest.raises(ValueError, match=rf"db: {which} = "):
        hm.Component("db", **kwargs)


@pytest.mark.parametrize("bad", [0, "0h", -5, "-4h", math.nan, math.inf, "4 hours", "soon"])
@pytest.mark.parametrize("which", ["mtbf", "mttr"])
def test_bad_durations_raise_value_error_naming_component_and_parameter(which, bad):
    kwargs = {"mtbf": "1y", "mttr": "4h"}
    kwargs[which] = bad
    with pytest.raises(ValueError, match=rf"db: {which}"):
        hm.Component("db", **kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"mtbf": "1y", "failure_rate": 0.001, "mttr": "4h"},  # both for failures
        {"mttr": "4h"},  # neither for failures
        {"mtbf": "1y", "mttr": "4h", "repair_rate": 0.25},  # both for repairs
        {"mtbf": "1y"},  # neither for repairs
        {},
    ],
)
def test_exactly_one_of_each_pair_is_required(kwargs):
    with pytest.raises(TypeError, match="exactly one of"):
        hm.Component("db", **kwargs)


def test_empty_name_is_refused():
    """An empty name is refused (the code raises TypeError; either type names the problem)."""
    with pytest.raises((TypeError, ValueError), match="non-empty"):
        hm.Component("", failure_rate=LAM, repair_rate=MU)


@pytest.mark.parametrize("bad", [None, 3, ("db",)])
def test_non_string_name_is_a_type_error(bad):
    with pytest.raises(TypeError, match="name"):
        hm.Component(bad, failure_rate=LAM, repair_rate=MU)


# -------------------------------------------------------------------- measures
def test_availability_closed_form(unit):
    """A = mu/(l+mu), U = l/(l+mu) (textbook T1: 0.990099009901)."""
    assert unit.availability == pytest.approx(MU / (LAM + MU), rel=REL)
    assert unit.unavailability == pytest.approx(LAM / (LAM + MU), rel=REL)
    assert unit.availability == pytest.approx(0.990099009901, abs=5e-13)


def test_measures_closed_form(unit):
    """f = l mu/(l+mu), MUT = 1/l, MDT = 1/mu; per-year figures use 8766 h."""
    m = unit.measures()
    f = LAM * MU / (LAM + MU)
    assert m.availability == pytest.approx(MU / (LAM + MU), rel=REL)
    assert m.unavailability == pytest.approx(LAM / (LAM + MU), rel=REL)
    assert m.failure_frequency == pytest.approx(f, rel=REL)
    assert m.outages_per_year == pytest.approx(f * 8766.0, rel=REL)
    assert m.mean_up_time == pytest.approx(1 / LAM, rel=REL)
    assert m.mean_down_time == pytest.approx(1 / MU, rel=REL)
    assert m.downtime_minutes_per_year == pytest.approx(LAM / (LAM + MU) * 8766.0 * 60, rel=REL)
    # A component failure is the system failure: every incident is an outage.
    assert m.incidents_per_year == pytest.approx(f * 8766.0, rel=REL)
    assert m.degraded_fraction == 0.0
    assert dict(m.events) == {}


def test_mtbf_one_year_mttr_four_hours_closed_form():
    """mtbf 1 y, mttr 4 h: outages per year = 8766 f = 8766/(8766+4) = A."""
    m = hm.Component("web", mtbf="1y", mttr="4h").measures()
    assert m.outages_per_year == pytest.approx(8766 / 8770, rel=REL)
    assert m.mean_down_time == pytest.approx(4.0, rel=REL)
    assert m.availability == pytest.approx(8766 / 8770, rel=REL)


def test_measures_identities_mut_mdt(unit):
    """MUT = A/f and MDT = U/f for an alternating renewal process."""
    m = unit.measures()
    assert m.mean_up_time == pytest.approx(m.availability / m.failure_frequency, rel=REL)
    assert m.mean_down_time == pytest.approx(m.unavailability / m.failure_frequency, rel=REL)


def test_outage_duration_is_exponential_with_mean_mttr(unit):
    d = unit.outage_duration()
    assert d.mean == pytest.approx(1 / MU, rel=REL)
    for t in [0.0, 1.0, 10.0, 45.5]:
        assert d.sf(t) == pytest.approx(math.exp(-MU * t), rel=REL)
    assert d.quantile(0.5) == pytest.approx(math.log(2) / MU, rel=1e-9)


def test_outages_longer_than_closed_form(unit):
    """Outages per year longer than 20 min = 8766 f exp(-mu/3)."""
    f = LAM * MU / (LAM + MU)
    expected = 8766.0 * f * math.exp(-MU / 3)
    assert unit.outages_longer_than("20min") == pytest.approx(expected, rel=1e-12)
    assert unit.outages_longer_than(0) == pytest.approx(8766.0 * f, rel=1e-12)


# ---------------------------------------------------- second method: the CTMC
@pytest.mark.parametrize(
    "component",
    [
        hm.Component("db", failure_rate=LAM, repair_rate=MU),
        hm.Component("web", mtbf="1y", mttr="4h"),
        hm.Component("fast", failure_rate=2.0, repair_rate=3.0),
        hm.Component("stiff", failure_rate=1e-7, repair_rate=360.0),
    ],
    ids=lambda c: c.name,
)
def test_to_ctmc_agrees_with_closed_form(component):
    """The two-state CTMC solved by GTH gives the closed-form measures (rel 1e-12)."""
    chain = component.to_ctmc()
    assert isinstance(chain, hm.CTMC)
    assert chain.name == component.name
    assert chain.states == ("up", "down")
    closed, markov = component.measures(), chain.measures()
    for attr in ["availability", "unavailability", "failure_frequency", "outages_per_year",
                 "mean_up_time", "mean_down_time", "downtime_minutes_per_year",
                 "incidents_per_year"]:
        assert getattr(markov, attr) == pytest.approx(getattr(closed, attr), rel=REL), attr
    assert markov.degraded_fraction == 0.0
    assert chain.outage_duration().mean == pytest.approx(component.mttr, rel=REL)
    assert chain.mttf() == pytest.approx(component.mtbf, rel=REL)
    times = np.array([0.5, 3.0, 30.0])
    np.testing.assert_allclose(chain.outage_duration().sf(times),
                               np.exp(-component.repair_rate * times), rtol=1e-12)


def test_summary_and_reprs(unit):
    frame = unit.summary
    assert frame.loc["Availability", "value"] == pytest.approx(MU / (LAM + MU), rel=REL)
    assert "<b>db</b>" in unit._repr_html_()
    assert r"\begin{tabular}" in unit._repr_latex_()
    assert repr(unit) == "Component('db', mtbf=1000 h, mttr=10 h)"


def test_equivalent_unit_keeps_availability_and_frequency():
    """Component.equivalent: l = f/A, mu = f/U, so A, f, MUT and MDT of the model are kept.
    Model: a 1-of-2 pair with one crew (textbook T2b), solved as a CTMC."""
    pair = hm.CTMC.from_transitions([(0, 1, 2 * LAM), (1, 0, MU), (1, 2, LAM), (2, 1, MU)],
                                    up=[0, 1])
    unit = hm.Component.equivalent("pair", pair)
    closed_a = (MU**2 + 2 * LAM * MU) / (MU**2 + 2 * LAM * MU + 2 * LAM**2)
    assert unit.availability == pytest.approx(closed_a, rel=1e-9)
    expected, got = pair.measures(), unit.measures()
    for attr in ["availability", "unavailability", "failure_frequency", "mean_up_time",
                 "mean_down_time"]:
        assert getattr(got, attr) == pytest.approx(getattr(expected, attr), rel=1e-12), attr


def test_equivalent_of_a_model_that_never_fails_is_refused():
    never = hm.CTMC([[-1.0, 1.0], [1.0, -1.0]], up=[True, True])
    with pytest.raises(ValueError, match="never fails"):
        hm.Component.equivalent("x", never)


def test_html_tables_have_no_exponents_and_availability_agrees_with_unavailability():
    """Notebooks show these tables: 9.12534e-05 reads as 0.0000912534 (issue 12)."""
    import re

    server = hm.Component("server", mtbf="5y", mttr="4h")
    pair = hm.active_standby(hm.Component("node", failure_rate=1e-7, repair_rate=1.0),
                             failover="10s")
    stack = hm.load_stack("ha_galera_drbd.yaml")
    for shown in (server, pair, stack):
        html = shown._repr_html_()
        assert not re.search(r"\de[+-]?\d", html), html
    for model in (server, pair):
        m = model.measures()
        cells = dict(re.findall(r"<th>(\w+)</th>\s*<td>([0-9.]+)</td>", model._repr_html_()))
        assert float(cells["Unavailability"]) == pytest.approx(m.unavailability, rel=1e-5)
        assert 1 - float(cells["Availability"]) == pytest.approx(m.unavailability, rel=1e-5)
