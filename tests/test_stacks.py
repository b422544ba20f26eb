"""Stacks from YAML: loading, error messages, breakdowns, and the HA trade-off per stack pair."""

from __future__ import annotations

import textwrap

import pytest

import hamodel as hm

STACK_FILES = sorted(hm.STACKS.glob("*.yaml"))
HA_STACKS = [p for p in STACK_FILES if hm.load_stack(p).baseline is not None]


def write(tmp_path, text: str, name: str = "stack.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


MINIMAL = """
name: tiny
tiers:
  - {name: web, model: single, unit: web_server}
"""


# ------------------------------------------------------------------ loading
@pytest.mark.parametrize("path", STACK_FILES, ids=lambda p: p.stem)
def test_every_stack_file_loads_and_solves(path):
    stack = hm.load_stack(path)
    m = stack.measures()
    assert 0.0 < m.availability < 1.0
    assert m.outages_per_year > 0 and m.incidents_per_year >= m.outages_per_year * 0.5
    table = stack.breakdown()
    assert list(table.index) == list(stack.parts)
    assert table["share of downtime"].sum() == pytest.approx(1.0)


@pytest.mark.parametrize("path", STACK_FILES, ids=lambda p: p.stem)
def test_stack_model_is_the_series_of_its_parts(path):
    """Independent route: the series of the parts' availabilities, multiplied by hand."""
    stack = hm.load_stack(path)
    product = 1.0
    for part in stack.parts.values():
        product *= part.measures().availability
    assert stack.measures().availability == pytest.approx(product, rel=1e-12)
    incidents = sum(p.measures().incidents_per_year for p in stack.parts.values())
    assert stack.measures().incidents_per_year == pytest.approx(incidents, rel=1e-12)


def test_case_override_orders_availability():
    path = hm.STACKS / "single_server.yaml"
    a = {case: hm.load_stack(path, case=case).measures().availability
         for case in ("pessimistic", "typical", "optimistic")}
    assert a["pessimistic"] < a["typical"] < a["optimistic"]


def test_component_overrides_and_explicit_components(tmp_path):
    path = write(tmp_path, """
        name: custom
        shared:
          - {name: feed, mtbf: 10y, mttr: 2h}
        tiers:
          - name: web
            model: single
            unit: {kind: web_server, mttr: 2h}
        """)
    stack = hm.load_stack(path)
    web = stack.tiers["web"]
    assert web.mttr == pytest.approx(2.0)
    assert web.mtbf == pytest.approx(hm.component("web_server").mtbf)
    assert stack.shared[0].mtbf == pytest.approx(10 * hm.HOURS_PER_YEAR)


def test_host_list_is_folded_into_an_equivalent_unit(tmp_path):
    """A host [hardware, daemon] keeps the series' availability and failure frequency."""
    path = write(tmp_path, """
        name: host
        tiers:
          - {name: lb, model: single, unit: [physical_server, haproxy]}
        """)
    unit = hm.load_stack(path).tiers["lb"]
    host = hm.series(hm.component("physical_server"), hm.component("haproxy"))
    assert unit.availability == pytest.approx(host.measures().availability, rel=1e-12)
    assert unit.measures().failure_frequency == pytest.approx(
        host.measures().failure_frequency, rel=1e-12)


def test_compare_accepts_stacks():
    stacks = [hm.load_stack(p) for p in STACK_FILES]
    table = hm.compare(stacks)
    assert list(table.index) == [s.name for s in stacks]


# ------------------------------------------------------------------- errors
ERRORS = {
    "unknown top-level key": ("name: x\ntiers: []\ncolour: red\n", "unknown key(s) ['colour']"),
    "missing tiers": ("name: x\n", "missing key(s) ['tiers']"),
    "empty tiers": ("name: x\ntiers: []\n", "tiers: expected a non-empty list"),
    "not a mapping": ("- just\n- a list\n", "top level: expected a mapping"),
    "unknown model": ("name: x\ntiers:\n  - {name: a, model: magic, unit: disk}\n",
                      "tiers[0].model: 'magic'; expected one of"),
    "unknown tier key": ("name: x\ntiers:\n  - {name: a, model: single, unit: disk, k: 2}\n",
                         "tiers[0]: unknown key(s) ['k']"),
    "missing tier key": ("name: x\ntiers:\n  - {name: a, model: k_of_n, k: 2, unit: disk}\n",
                         "tiers[0]: missing key(s) ['n']"),
    "k greater than n": ("name: x\ntiers:\n  - {name: a, model: k_of_n, k: 4, n: 3, unit: disk}\n",
                         "tiers[0].k: k = 4 with n = 3"),
    "wrong type for n": ("name: x\ntiers:\n  - {name: a, model: parallel, n: two, unit: disk}\n",
                         "tiers[0].n: expected an integer, got 'two'"),
    "unknown kind": ("name: x\ntiers:\n  - {name: a, model: single, unit: dsik}\n",
                     "tiers[0].unit: unknown component kind 'dsik'"),
    "unknown component key": ("name: x\ntiers:\n  - name: a\n    model: single\n"
                              "    unit: {kind: disk, colour: red}\n",
                              "tiers[0].unit: unknown key(s) ['colour']"),
    "bad duration": ("name: x\ntiers:\n  - name: a\n    model: active_standby\n"
                     "    unit: disk\n    failover: fast\n",
                     "tiers[0].failover: malformed duration 'fast'"),
    "bad probability": ("name: x\ntiers:\n  - name: a\n    model: active_standby\n"
                        "    unit: disk\n    coverage: 1.5\n", "coverage"),
    "duplicate tier": ("name: x\ntiers:\n  - {name: a, model: single, unit: disk}\n"
                       "  - {name: a, model: single, unit: ldap}\n",
                       "tiers[1].name: duplicate tier name 'a'"),
    "bad case": ("name: x\ntiers:\n  - name: a\n    model: single\n"
                 "    unit: {kind: disk, case: awful}\n", "tiers[0].unit"),
    "component without kind or times": ("name: x\ntiers:\n  - name: a\n    model: single\n"
                                        "    unit: {name: u, mtbf: 1y}\n",
                                        "expected a kind, or both mtbf and mttr"),
    "missing baseline file": ("name: x\nbaseline: nowhere.yaml\n"
                              "tiers:\n  - {name: a, model: single, unit: disk}\n",
                              "baseline: no stack file"),
}


@pytest.mark.parametrize("text, message", list(ERRORS.values()), ids=list(ERRORS))
def test_stack_errors_name_file_key_and_expectation(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(hm.StackError) as info:
        hm.load_stack(path)
    assert str(path) in str(info.value)
    assert message in str(info.value)


def test_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(hm.StackError, match="cannot read"):
        hm.load_stack(tmp_path / "absent.yaml")
    with pytest.raises(hm.StackError, match="not valid YAML"):
        hm.load_stack(write(tmp_path, "name: [unclosed\n"))


def test_stack_error_is_a_value_error():
    assert issubclass(hm.StackError, ValueError)


def test_case_argument_is_checked(tmp_path):
    with pytest.raises(hm.StackError, match="case = 'awful'"):
        hm.load_stack(write(tmp_path, MINIMAL), case="awful")


# ------------------------------------------------- the trade-off per pair
@pytest.mark.parametrize("path", HA_STACKS, ids=lambda p: p.stem)
def test_ha_stack_trades_more_incidents_for_fewer_long_outages(path):
    """HA breeds incidents but shortens outages: checked against each stack's baseline."""
    ha = hm.load_stack(path)
    base = hm.load_stack(ha.baseline)
    assert ha.measures().incidents_per_year > base.measures().incidents_per_year
    assert ha.measures().downtime_minutes_per_year < base.measures().downtime_minutes_per_year
    assert ha.outages_longer_than("20min") < base.outages_longer_than("20min")


@pytest.mark.parametrize("path", STACK_FILES, ids=lambda p: p.stem)
def test_breakdown_names_the_dominant_part(path):
    table = hm.load_stack(path).breakdown()
    top = table["share of downtime"].idxmax()
    assert table.loc[top, "downtime (min/yr)"] == table["downtime (min/yr)"].max()


def test_single_points_of_failure_are_the_unreplicated_parts():
    """In the one-server stack every part but the mirrored disks is a single point of failure."""
    stack = hm.load_stack(hm.STACKS / "single_server.yaml")
    assert stack.single_points_of_failure() == [
        label for label in stack.parts if label != "disks"]
    ha = hm.load_stack(hm.STACKS / "ha_galera_drbd.yaml")
    assert ha.single_points_of_failure() == ["shared: power", "shared: switch", "operator error"]
