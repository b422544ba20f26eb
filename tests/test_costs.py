"""Tests of hamodel.costs: counting a stack's hosts, yearly costs, and the break-even."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from scipy.optimize import brentq

import hamodel as hm
from hamodel.costs import COSTS_PATH, cost_items

ITEMS = cost_items()


# ------------------------------------------------------------------ the data
@pytest.mark.parametrize("item", list(ITEMS.index))
def test_every_cost_item_has_a_source_and_an_ordered_range(item):
    row = ITEMS.loc[item]
    assert 0 <= row["low"] <= row["typical"] <= row["high"], item
    # A source is a citation with a year or a named price page, or an explicit assumption.
    assert re.search(r"assumption|\b(19|20)\d\d\b|\.com", row["source"]), row["source"]
    assert row["description"].strip() and row["unit"].strip() and row["notes"].strip()


def test_costs_csv_is_documented_in_the_data_readme():
    readme = (COSTS_PATH.parent / "README.md").read_text()
    assert "costs.csv" in readme
    for item in ITEMS.index:
        assert f"`{item}`" in readme, item


@pytest.mark.parametrize("edit, message", [
    (lambda s: s.replace("host,", "host,", 1).replace(",400,1000,3000,", ",400,1000,-3000,", 1),
     "column 'high': '-3000'; expected a cost or a time >= 0"),
    (lambda s: s.replace(",400,1000,3000,", ",400,5000,3000,", 1),
     "expected low <= typical <= high, got 400, 5000, 3000"),
    (lambda s: s.replace(",400,1000,3000,", ",400,lots,3000,", 1),
     "column 'typical': 'lots'; expected a number"),
])
def test_a_bad_costs_file_names_the_row_and_column(tmp_path, edit, message):
    path = tmp_path / "costs.csv"
    path.write_text(edit(COSTS_PATH.read_text()))
    with pytest.raises(ValueError, match=re.escape(message)) as info:
        cost_items(path)
    assert "row 1 (item 'host')" in str(info.value)


# ------------------------------------------------------------------ counting
# Hosts counted by hand from the YAML files: a unit listing physical_server is one host; an
# active/standby pair is two, a majority cluster n (+ a witness host), a two-node cluster two,
# read replicas a primary and n replicas, a parallel pool n.
BY_HAND = {
    # server
    "single_server.yaml": (1, 0, 0),
    # lb 2 + web 2 + galera 3 + files 2 + ldap 1 + 2 = 12; clustered: lb, db, files, ldap
    "ha_galera_drbd.yaml": (12, 4, 2 + 3 + 2 + 3),
    # lb 2 + web 2 + galera 2 + arbitrator 1 + files 2 + ldap 3 = 12
    "ha_galera_arbitrator.yaml": (12, 4, 2 + 3 + 2 + 3),
    # lb 2 + web 2 + mysql pair 2 + one NFS server 1 + ldap 3 = 10; clustered: lb, db, ldap
    "ha_mmm_nfs.yaml": (10, 3, 2 + 2 + 3),
}


def test_every_shipped_stack_is_counted_by_hand():
    assert set(BY_HAND) == set(hm.shipped_stacks().index)


@pytest.mark.parametrize("name", sorted(BY_HAND))
def test_host_count_of_each_shipped_stack(name):
    inv = hm.inventory(hm.load_stack(name))
    assert (inv.hosts, inv.clustered_tiers, inv.clustered_hosts) == BY_HAND[name]
    assert inv.kinds["physical_server"] == inv.hosts  # every host of these is a physical_server
    assert inv.summary.loc["hosts", "count"] == inv.hosts


def test_counts_follow_the_models_and_an_explicit_standby():
    stack = hm.Stack.from_dict({"name": "x", "tiers": [
        {"name": "lb", "model": "active_standby", "unit": ["physical_server", "haproxy"],
         "standby": {"kind": "load_balancer_appliance"}},
        {"name": "web", "model": "k_of_n", "k": 2, "n": 3, "unit": ["hypervisor", "web_server"]},
        {"name": "db", "model": "single", "unit": "mysql"}]})
    inv = hm.inventory(stack)
    # the standby is an appliance, not a host; three VM hosts in the pool
    assert (inv.hosts, inv.clustered_tiers, inv.clustered_hosts) == (4, 1, 1)
    assert inv.kinds["load_balancer_appliance"] == 1 and inv.kinds["web_server"] == 3
    cost = hm.yearly_cost(stack)
    assert cost.summary.loc["hosted load balancers", "per year"] == ITEMS.loc[
        "hosted_load_balancer", "typical"]


def test_a_stack_built_from_models_cannot_be_counted():
    stack = hm.Stack("m", "", None, tiers={"a": hm.Component("a", mtbf="1y", mttr="1h")},
                     shared=())
    with pytest.raises(ValueError, match="put together from models"):
        hm.inventory(stack)


# ------------------------------------------------------------------ yearly cost
@pytest.fixture(scope="module")
def ha():
    return hm.load_stack("ha_galera_drbd.yaml")


@pytest.fixture(scope="module")
def one():
    return hm.load_stack("single_server.yaml")


def test_yearly_cost_adds_up(ha):
    cost = hm.yearly_cost(ha, cost_per_hour_down=500.0)
    v = {item: ITEMS.loc[item, "typical"] for item in ITEMS.index}
    m = ha.measures()
    running = 12 * v["host"] + (12 * v["upkeep_per_host"] + 4 * v["upkeep_per_cluster"]) \
        * v["engineer_rate"]
    assert cost.running == pytest.approx(running)
    assert cost.cost_per_incident == pytest.approx(v["hours_per_incident"] * v["engineer_rate"])
    assert cost.incident_cost == pytest.approx(m.incidents_per_year * cost.cost_per_incident)
    assert cost.downtime_cost == pytest.approx(m.downtime_minutes_per_year / 60 * 500.0)
    assert cost.summary.loc["total", "per year"] == pytest.approx(cost.total)
    assert cost.summary.loc["licences and support", "per year"] == 0  # open source


def test_optional_support_and_overrides(ha):
    base = hm.yearly_cost(ha)
    support = hm.yearly_cost(ha, optional=["support_subscription"], case="high")
    assert support.summary.loc["licences and support", "per year"] == pytest.approx(
        10 * ITEMS.loc["support_subscription", "high"])
    mine = hm.yearly_cost(ha, values={"host": 0, "engineer_rate": 0}, cost_per_incident=10)
    assert mine.running == 0 and mine.cost_per_incident == 10
    assert base.running > mine.running


@pytest.mark.parametrize("kwargs, error, message", [
    ({"cost_per_hour_down": -5}, ValueError, "cost_per_hour_down = -5.0; expected a finite amount >= 0"),
    ({"cost_per_incident": float("nan")}, ValueError, "cost_per_incident = nan"),
    ({"values": {"host": -1}}, ValueError, "values['host'] = -1.0; expected a finite amount >= 0"),
    ({"values": {"hosts": 100}}, ValueError, "unknown cost item 'hosts'; expected one of"),
    ({"values": {"host": "cheap"}}, TypeError, "values['host'] = 'cheap'; expected a number"),
    ({"optional": ["host"]}, ValueError, "optional item 'host': expected one of ['support_subscription']"),
    ({"case": "pessimistic"}, ValueError, "case = 'pessimistic'; expected one of"),
], ids=["negative-hour", "nan-incident", "negative-item", "unknown-item", "text-item",
        "not-optional", "bad-case"])
def test_bad_cost_inputs_name_the_value(one, kwargs, error, message):
    with pytest.raises(error, match=re.escape(message)):
        hm.yearly_cost(one, **kwargs)


# ------------------------------------------------------------------ break-even
@pytest.fixture(scope="module")
def result(ha, one):
    return hm.break_even(ha, one, field=False, n=64, seed=3)


def test_break_even_closed_form_matches_a_root_find(result):
    """The closed form against brentq on the difference of the two cost lines."""
    def gap(c):
        return float(result.total(c, "ha") - result.total(c, "baseline"))

    root = brentq(gap, 1e-6, 1e9, xtol=1e-9, rtol=1e-12)
    assert result.value == pytest.approx(root, rel=1e-9)
    assert gap(result.value * 0.9) > 0 > gap(result.value * 1.1)  # HA dearer below, cheaper above


def test_break_even_per_draw_matches_a_root_find(result):
    s = result.samples
    for i in (0, 17, 63):
        a = s.loc[i, "running_ha"] + s.loc[i, "incidents_ha"]
        b = s.loc[i, "running_base"] + s.loc[i, "incidents_base"]
        root = brentq(lambda c: a + s.loc[i, "downtime_ha"] * c - b - s.loc[i, "downtime_base"] * c,
                      0.0, 1e9, xtol=1e-9)
        assert s.loc[i, "break_even"] == pytest.approx(root, rel=1e-9)


def test_break_even_band_and_verdicts(result):
    q = result.quantiles
    assert q.iloc[0] <= result.value <= q.iloc[-1]
    assert result.cheaper(q.iloc[0] / 2) == "baseline"
    assert result.cheaper(q.iloc[-1] * 2) == "ha"
    assert result.cheaper(result.value) == "close"
    typical, low, high = result.net_saving(result.value)
    assert typical == pytest.approx(0.0, abs=1e-6) and low < 0 < high
    assert list(result.summary.index)[-1] == "break-even cost of an hour down"


def test_given_extra_running_cost_replaces_the_estimate(ha, one):
    given = hm.break_even(ha, one, field=False, n=16, extra_running=0.0)
    assert given.extra_running == 0.0
    assert (given.samples["running_ha"] == given.samples["running_base"]).all()
    # with no extra running cost, only the extra pages stand between HA and a saving
    assert given.value == pytest.approx(given.extra_incidents / given.downtime_saved)


def test_no_downtime_saved_never_breaks_even(one):
    same = hm.break_even(one, one, field=False, n=8, values={"host": 1.0})
    assert same.downtime_saved == 0 and same.value == 0.0  # no extra cost either: a tie
    assert hm.costs._break_even(100.0, 0.0) == math.inf
    assert hm.costs._break_even(-100.0, 2.0) == 0.0
    assert np.isinf(hm.costs._break_even(np.array([5.0]), np.array([-1.0]))).all()


def test_break_even_with_field_draws(ha, one):
    field = (hm.uncertainty(ha, n=16, seed=2), hm.uncertainty(one, n=16, seed=2))
    r = hm.break_even(ha, one, field=field)
    assert len(r.samples) == 16
    assert r.samples["downtime_ha"].tolist() == pytest.approx(
        (field[0].samples["downtime_per_year"] / 60).tolist())
    with pytest.raises(ValueError, match="16 draws for the HA design, 8 for the baseline"):
        hm.break_even(ha, one, field=(field[0], hm.uncertainty(one, n=8, seed=2)))
