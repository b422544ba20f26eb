"""Stacks from YAML: loading, error messages, breakdowns, and the HA trade-off per stack pair."""

from __future__ import annotations

import textwrap
import time

import pytest

import hamodel as hm
from hamodel.stacks import STACKS
from hamodel.data import component as data_component

STACK_FILES = sorted(STACKS.glob("*.yaml"))
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
    path = STACKS / "single_server.yaml"
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
    assert web.mtbf == pytest.approx(hm.Component.from_data("web_server").mtbf)
    assert stack.shared[0].mtbf == pytest.approx(10 * hm.HOURS_PER_YEAR)


def test_host_list_is_folded_into_an_equivalent_unit(tmp_path):
    """A host [hardware, daemon] keeps the series' availability and failure frequency."""
    path = write(tmp_path, """
        name: host
        tiers:
          - {name: lb, model: single, unit: [physical_server, haproxy]}
        """)
    unit = hm.load_stack(path).tiers["lb"]
    host = hm.series(hm.Component.from_data("physical_server"), hm.Component.from_data("haproxy"))
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
# The Galera stacks' outage-length law is approximate (warned, with a bound of ~4e-4 on
# P(outage > t)); the long-outage comparison below has margins far wider than that.
@pytest.mark.filterwarnings("ignore::hamodel.ApproximationWarning")
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
    stack = hm.load_stack(STACKS / "single_server.yaml")
    assert stack.single_points_of_failure() == [
        label for label in stack.parts if label != "disks"]
    ha = hm.load_stack(STACKS / "ha_galera_drbd.yaml")
    assert ha.single_points_of_failure() == ["shared: power", "shared: switch", "operator error"]


# ------------------------------------------------- malformed files (issue 10, part 4)
def test_recursive_alias_is_refused_naming_the_line(tmp_path):
    # PyYAML builds a list that contains itself; the loader recursed until RecursionError.
    path = write(tmp_path, "name: x\ntiers:\n  - {name: a, model: single, unit: &a [*a]}\n")
    with pytest.raises(hm.StackError, match=r"line 3, column \d+: alias \*a refers to the "
                                            r"value that contains it"):
        hm.load_stack(path)


def test_alias_that_repeats_a_finished_value_is_allowed(tmp_path):
    path = write(tmp_path, """
        name: x
        tiers:
          - {name: a, model: parallel, n: 2, unit: &host [physical_server, web_server]}
          - {name: b, model: single, unit: *host}
          - name: c
            model: single
            unit: &base {kind: disk, mttr: 2h}
          - name: d
            model: single
            unit: {<<: *base, mttr: 3h}
        """)
    stack = hm.load_stack(path)
    host = hm.Component.from_data("physical_server").availability * hm.Component.from_data("web_server").availability
    assert stack.tiers["b"].availability == pytest.approx(host, rel=1e-12)
    assert stack.tiers["c"].mttr == pytest.approx(2.0)
    assert stack.tiers["d"].mttr == pytest.approx(3.0)
    assert stack.tiers["d"].mtbf == pytest.approx(hm.Component.from_data("disk").mtbf)


def test_alias_explosion_fails_fast(tmp_path):
    # Each level doubles the hosts: 2**20 components from a file of two dozen lines.
    lines = ["name: x", "tiers:", "  - name: a", "    model: single", "    unit:",
             "      - &l0 [{name: a, mtbf: 1y, mttr: 1h}, {name: b, mtbf: 1y, mttr: 1h}]"]
    lines += [f"      - &l{i} [*l{i - 1}, *l{i - 1}]" for i in range(1, 20)]
    path = write(tmp_path, "\n".join(lines) + "\n")
    started = time.perf_counter()
    with pytest.raises(hm.StackError, match=r"tiers\[0\]\.unit"):
        hm.load_stack(path)
    assert time.perf_counter() - started < 1.0


def test_more_than_10000_components_are_refused(tmp_path):
    # 200 tiers (the most allowed) of one aliased 51-unit series: 10,200 components.
    units = ", ".join(f"{{name: u{j}, mtbf: 1y, mttr: 1h}}" for j in range(51))
    tiers = [f"  - {{name: t0, model: series, units: &units [{units}]}}"]
    tiers += [f"  - {{name: t{i}, model: series, units: *units}}" for i in range(1, 200)]
    path = write(tmp_path, "name: x\ntiers:\n" + "\n".join(tiers) + "\n")
    with pytest.raises(hm.StackError, match=r"tiers\[196\]\.units\[4\]: more than 10,000 "
                                            "components in the stack"):
        hm.load_stack(path)


def test_non_utf8_file_is_refused_naming_the_file_and_line(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: caf\u00e9\ntiers: []\n".encode("latin-1"))
    with pytest.raises(hm.StackError) as info:
        hm.load_stack(path)
    assert str(info.value) == (f"{path}, line 1: not UTF-8 text (byte 0xe9); save the stack "
                               "file as UTF-8")


def test_utf8_with_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + textwrap.dedent(MINIMAL).encode())
    assert hm.load_stack(path).name == "tiny"


@pytest.mark.parametrize("text, key, line", [
    ("name: x\nname: y\ntiers:\n  - {name: a, model: single, unit: disk}\n", "'name'", 2),
    ("name: x\ntiers:\n  - name: a\n    model: active_standby\n    unit: disk\n"
     "    failover: 10s\n    failover: 60s\n", "'failover'", 7),
    ("name: x\ntiers:\n  - {name: a, model: single, unit: {kind: disk, mttr: 2h, mttr: 4h}}\n",
     "'mttr'", 3),
], ids=["top level", "tier parameter", "flow mapping"])
def test_duplicate_key_is_refused_naming_the_key_and_line(tmp_path, text, key, line):
    path = write(tmp_path, text)
    with pytest.raises(hm.StackError) as info:
        hm.load_stack(path)
    message = str(info.value)
    assert message.startswith(f"{path}, line {line}, column ")
    assert f"key {key} repeats line" in message


@pytest.mark.parametrize("tier, where", [
    ("{name: a, model: active_standby, unit: disk, failover: 60}", "tiers[0].failover"),
    ("{name: a, model: single, unit: {kind: disk, mttr: 4}}", "tiers[0].unit.mttr"),
    ("{name: a, model: single, unit: {name: u, mtbf: 2.5, mttr: 4h}}", "tiers[0].unit.mtbf"),
    ("{name: a, model: two_node_cluster, node: disk, link: heartbeat_link, "
     "fencing: {delay: 15}}", "tiers[0].fencing.delay"),
    ("{name: a, model: read_replicas, primary: ldap, replica: ldap, n: 2, promotion: 5}",
     "tiers[0].promotion"),
], ids=["failover", "mttr", "mtbf", "fencing delay", "promotion"])
def test_duration_without_unit_is_refused_naming_key_and_value(tmp_path, tier, where):
    # A bare number used to mean hours: `failover: 60` was a 60-hour failover.
    path = write(tmp_path, f"name: x\ntiers:\n  - {tier}\n")
    with pytest.raises(hm.StackError) as info:
        hm.load_stack(path)
    message = str(info.value)
    assert message.startswith(f"{path}: {where}: ")
    assert "has no unit" in message and "s' or '" in message and "min'" in message


def test_zero_duration_needs_no_unit(tmp_path):
    path = write(tmp_path, """
        name: x
        tiers:
          - {name: a, model: majority_cluster, n: 3, node: galera_node, failover: 0}
        """)
    galera = hm.load_stack(path).tiers["a"]
    assert not any("failover" in str(s) for s in galera.states)


def test_two_node_cluster_link_null_is_a_perfect_link(tmp_path):
    path = write(tmp_path, """
        name: x
        tiers:
          - name: files
            model: two_node_cluster
            node: nfs_server
            link: null
            failover: 60s
        """)
    tier = hm.load_stack(path).tiers["files"]
    node = hm.Component.from_data("nfs_server", name="files/node")
    direct = hm.two_node_cluster(node, link=None, failover="60s", name="files")
    assert tier.measures().availability == pytest.approx(direct.measures().availability,
                                                         rel=1e-12)
    assert len(tier.states) == len(direct.states)


def test_null_optional_component_means_the_default(tmp_path):
    with_null = write(tmp_path, """
        name: x
        tiers:
          - {name: db, model: majority_cluster, n: 3, node: galera_node, witness: null}
          - {name: lb, model: active_standby, unit: haproxy, standby: null}
        """, "null.yaml")
    without = write(tmp_path, """
        name: x
        tiers:
          - {name: db, model: majority_cluster, n: 3, node: galera_node}
          - {name: lb, model: active_standby, unit: haproxy}
        """, "plain.yaml")
    a, b = hm.load_stack(with_null), hm.load_stack(without)
    assert a.measures().availability == b.measures().availability


@pytest.mark.parametrize("model", ["parallel", "k_of_n", "majority_cluster"])
def test_tier_with_a_million_units_is_refused_at_once(tmp_path, model):
    unit = "node" if model == "majority_cluster" else "unit"
    k = "k: 2, " if model == "k_of_n" else ""
    path = write(tmp_path, f"name: x\ntiers:\n  - {{name: a, model: {model}, {k}n: 1000000, "
                           f"{unit}: web_server}}\n")
    with pytest.raises(hm.StackError, match=r"tiers\[0\]\.n: n = 1,000,000; at most 500 units"):
        hm.load_stack(path)


def test_stack_with_3000_tiers_is_refused_at_once(tmp_path):
    tiers = "\n".join(f"  - {{name: t{i}, model: single, unit: web_server}}" for i in range(3000))
    path = write(tmp_path, f"name: x\ntiers:\n{tiers}\n")
    with pytest.raises(hm.StackError, match="tiers: 3,000 tiers; at most 200"):
        hm.load_stack(path)


def test_empty_file_says_it_holds_no_stack(tmp_path):
    with pytest.raises(hm.StackError, match="top level: the file holds no stack"):
        hm.load_stack(write(tmp_path, "# nothing yet\n"))


def test_yaml_syntax_error_is_one_line_with_its_position(tmp_path):
    path = write(tmp_path, "name: x\ntiers: [\n  {name: a\n")
    with pytest.raises(hm.StackError) as info:
        hm.load_stack(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}, line ") and "not valid YAML" in message


def test_bare_name_loads_the_shipped_stack(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    stack = hm.load_stack("ha_mmm_nfs.yaml")
    assert stack.path == STACKS / "ha_mmm_nfs.yaml"
    assert stack.baseline == STACKS / "single_server.yaml"


def test_file_in_the_current_folder_wins_over_a_shipped_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, MINIMAL, "ha_mmm_nfs.yaml")
    assert hm.load_stack("ha_mmm_nfs.yaml").name == "tiny"


def test_copied_stack_finds_its_shipped_baseline(tmp_path):
    # A user copies a shipped stack elsewhere to edit it; `baseline: single_server.yaml`
    # still names the shipped baseline when no such file lies beside the copy.
    copy = tmp_path / "mine.yaml"
    copy.write_text((STACKS / "ha_mmm_nfs.yaml").read_text())
    assert hm.load_stack(copy).baseline == STACKS / "single_server.yaml"
