"""Tests of hamodel.data: the components.csv loader and its field-data values."""

from __future__ import annotations

import csv
import math
import os
import re
from pathlib import Path

import pytest

import hamodel
from hamodel.component import Component
from hamodel.data import CASES, DATA_DIR, DEFAULT_PATH, component, components
from hamodel.units import HOURS_PER_YEAR, duration

TABLE = components()
KINDS = list(TABLE.index)
LEVELS = ("low", "typical", "high")

#: Kinds the notebooks and stacks rely on.
REQUIRED_KINDS = [
    "physical_server", "disk", "raid_controller", "haproxy", "keepalived", "web_server",
    "mysql", "galera_node", "nfs_server", "drbd_link", "heartbeat_link", "switch",
    "load_balancer_appliance", "power_feed", "hypervisor", "site", "ldap", "operator_error",
    "stonith_device",
]


# --- the shipped table ------------------------------------------------------------------


def test_required_kinds_present():
    assert set(REQUIRED_KINDS) <= set(KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_every_row_parses_and_is_ordered(kind):
    row = TABLE.loc[kind]
    for q in ("mtbf", "mttr"):
        hours = [duration(row[f"{q}_{lvl}"]) for lvl in LEVELS]
        assert all(h > 0 for h in hours)
        assert hours == sorted(hours), f"{kind}: {q} not low <= typical <= high"
        assert hours == [row[f"{q}_{lvl}_h"] for lvl in LEVELS]
        assert all(isinstance(row[f"{q}_{lvl}_h"], float) for lvl in LEVELS)


@pytest.mark.parametrize("kind", KINDS)
def test_every_row_has_sources(kind):
    # A source is a citation with a year, or an explicit assumption.
    row = TABLE.loc[kind]
    for col in ("failure_source", "repair_source"):
        text = row[col]
        assert text.strip(), f"{kind}: empty {col}"
        assert re.search(r"assumption|\b(19|20)\d\d\b", text), f"{kind}: {col} = {text!r}"
    assert row["description"].strip()
    assert row["notes"].strip()


@pytest.mark.parametrize("kind", KINDS)
def test_pessimistic_below_typical_below_optimistic(kind):
    a = {case: component(kind, case).availability for case in ("pessimistic", "typical", "optimistic")}
    assert a["pessimistic"] < a["typical"] < a["optimistic"]


def test_components_returns_a_copy():
    table = components()
    table.loc["disk", "mtbf_typical_h"] = -1.0
    table.loc["site", "kind_note"] = "changed"
    fresh = components()
    assert fresh.loc["disk", "mtbf_typical_h"] == duration(fresh.loc["disk", "mtbf_typical"]) > 0
    assert "kind_note" not in fresh.columns
    assert component("disk").mtbf > 0


def test_default_path_is_inside_the_package():
    # The data ship in the wheel: the folder is found next to the package's own modules.
    package = Path(hamodel.__file__).resolve().parent
    assert DEFAULT_PATH.parent == DATA_DIR
    assert DATA_DIR.resolve() == package / "_data"
    assert DEFAULT_PATH.is_file()


def test_checkout_data_folder_is_the_package_data():
    # One copy of each file: the checkout's data/ is a link to hamodel/_data, not a twin.
    data = Path(__file__).resolve().parent.parent / "data"
    if not data.exists():
        pytest.skip("not a checkout (no data/ next to tests/)")
    assert data.resolve() == DATA_DIR.resolve()


# --- values derived from the sources (field-data.md) ---------------------------------------
# Each expected value is recomputed from the published figure with the conversion stated in
# the row's notes; the CSV holds it rounded to 2-3 significant figures, hence rel=0.02.


def _afr_years(p):
    """MTBF in years of a unit failing with annual probability p (exponential)."""
    return 1.0 / -math.log1p(-p)


DERIVED = [
    # Schroeder & Gibson, FAST 2007: 2-4 % field replacement rate, 3 % taken as typical.
    ("disk", "mtbf_typical", _afr_years(0.03)),
    # Pinheiro, Weber & Barroso, FAST 2007: 8.6 % for 3-year-old drives.
    ("disk", "mtbf_low", _afr_years(0.086)),
    # Datasheet MTTF 1,000,000 h (Schroeder & Gibson).
    ("disk", "mtbf_high", 1e6 / HOURS_PER_YEAR),
    # Vishwanath & Nagappan, SoCC 2010: controller/disk replacements = 5/78; 4 disks at 3 %.
    ("raid_controller", "mtbf_typical", 1 / (5 / 78 * 4 * -math.log1p(-0.03))),
    # Gill, Jain & Nagappan, SIGCOMM 2011: ToR < 5 %, AggS ~10 %, load balancers ~1 in 5.
    ("switch", "mtbf_typical", _afr_years(0.05)),
    ("switch", "mtbf_low", _afr_years(0.10)),
    ("load_balancer_appliance", "mtbf_typical", _afr_years(0.2)),
    ("haproxy", "mtbf_typical", _afr_years(0.2)),
    # Dean, LADIS 2009: ~1000 machine failures per ~3000 machines; 20 rack failures among
    # 3000/60 racks; 1 PDU failure among 3000/750 PDUs; 50 % chance of overheating.
    ("physical_server", "mtbf_typical", 3000 / 1000),
    ("rack", "mtbf_typical", (3000 / 60) / 20),
    ("power_feed", "mtbf_typical", 3000 / 750),
    ("site", "mtbf_low", _afr_years(0.5)),
    # Kadav et al., SOSP 2009: 8 % adapter faults (per year: assumption), two NICs; plus ToR.
    ("drbd_link", "mtbf_typical", 1 / (2 * -math.log1p(-0.08))),
    ("heartbeat_link", "mtbf_typical", 1 / (2 * -math.log1p(-0.08) - math.log1p(-0.05))),
]


@pytest.mark.parametrize(("kind", "column", "years"), DERIVED)
def test_field_data_conversions(kind, column, years):
    assert TABLE.loc[kind, f"{column}_h"] / HOURS_PER_YEAR == pytest.approx(years, rel=0.02)


# --- component(): cases, names, errors ----------------------------------------------------------


@pytest.mark.parametrize("case", list(CASES))
def test_case_selects_columns(case):
    mtbf_level, mttr_level = {
        "low": ("low", "low"),
        "typical": ("typical", "typical"),
        "high": ("high", "high"),
        "pessimistic": ("low", "high"),
        "optimistic": ("high", "low"),
    }[case]
    c = component("physical_server", case)
    assert isinstance(c, Component)
    assert c.name == "physical_server"
    # Component keeps rates, so mtbf = 1 / (1 / mtbf) may differ in the last bit.
    assert c.mtbf == pytest.approx(TABLE.loc["physical_server", f"mtbf_{mtbf_level}_h"], rel=1e-12)
    assert c.mttr == pytest.approx(TABLE.loc["physical_server", f"mttr_{mttr_level}_h"], rel=1e-12)


def test_default_case_is_typical():
    assert component("mysql") == component("mysql", "typical")
    assert component("mysql").mttr == pytest.approx(1.0, rel=1e-12)


def test_name_overrides_kind():
    c = component("web_server", name="web2")
    assert c.name == "web2"
    assert c.mtbf == component("web_server").mtbf


def test_unknown_kind_lists_kinds_and_suggests():
    with pytest.raises(ValueError, match="unknown component kind 'web_sever'") as info:
        component("web_sever")
    message = str(info.value)
    assert "did you mean 'web_server'?" in message
    for kind in KINDS:
        assert kind in message


def test_unknown_kind_without_close_match():
    with pytest.raises(ValueError) as info:
        component("quantum_flux_capacitor")
    assert "did you mean" not in str(info.value)
    assert "physical_server" in str(info.value)


@pytest.mark.parametrize("case", ["worst", "Typical", "", None, 1])
def test_bad_case_names_allowed_values(case):
    with pytest.raises(ValueError, match="expected one of") as info:
        component("disk", case)
    for allowed in CASES:
        assert repr(allowed) in str(info.value)


def test_kind_must_be_a_string():
    with pytest.raises(TypeError, match="expected a string"):
        component(42)


# --- validation of a CSV on load -------------------------------------------------------------------


def _rows():
    with open(DEFAULT_PATH, newline="") as fh:
        return list(csv.DictReader(fh))


def _write(path, rows, fieldnames=None):
    fieldnames = fieldnames or list(rows[0])
    with open(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fieldnames)
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_custom_path_loads(tmp_path):
    rows = _rows()[:2]
    table = components(_write(tmp_path / "two.csv", rows))
    assert list(table.index) == [r["kind"] for r in rows]
    mtbf = component(rows[1]["kind"], path=tmp_path / "two.csv").mtbf
    assert mtbf == pytest.approx(duration(rows[1]["mtbf_typical"]), rel=1e-12)


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("mtbf_typical", "3 fortnights", "malformed duration"),
        ("mttr_high", "", "malformed duration"),
        ("mttr_low", "0h", "positive"),
        ("mtbf_high", "1h", "low <= typical <= high"),
        ("mttr_low", "1000h", "low <= typical <= high"),
        ("failure_source", "  ", "empty"),
        ("repair_source", "", "empty"),
        ("description", "", "empty"),
        ("kind", "Web Server", "snake_case"),
    ],
)
def test_bad_row_is_named(tmp_path, column, value, expected):
    rows = _rows()[:3]
    rows[1][column] = value
    path = _write(tmp_path / "bad.csv", rows)
    with pytest.raises(ValueError, match=re.escape(expected)) as info:
        components(path)
    message = str(info.value)
    assert "bad.csv, row 2" in message
    if column != "kind":
        assert repr(rows[1]["kind"]) in message
    assert column in message or column.split("_")[0] in message


def test_duplicate_kind_is_named(tmp_path):
    rows = _rows()[:3]
    rows[2]["kind"] = rows[0]["kind"]
    with pytest.raises(ValueError, match=r"row 3 .* repeats row 1"):
        components(_write(tmp_path / "dup.csv", rows))


def test_missing_column_is_named(tmp_path):
    rows = [{k: v for k, v in r.items() if k != "repair_source"} for r in _rows()[:2]]
    with pytest.raises(ValueError, match="missing column.*repair_source"):
        components(_write(tmp_path / "cols.csv", rows))


def test_header_only_is_refused(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text(",".join(_rows()[0]) + "\n")
    with pytest.raises(ValueError, match="no component rows"):
        components(path)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere.csv"):
        components(tmp_path / "nowhere.csv")


def test_edited_file_is_read_again(tmp_path):
    rows = _rows()[:2]
    path = _write(tmp_path / "edit.csv", rows)
    assert components(path).loc[rows[0]["kind"], "mttr_typical_h"] == duration(rows[0]["mttr_typical"])
    rows[0]["mttr_typical"] = rows[0]["mttr_high"]
    _write(path, rows)
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))  # a visibly newer mtime
    assert components(path).loc[rows[0]["kind"], "mttr_typical_h"] == duration(rows[0]["mttr_high"])


def test_the_component_table_is_read_once():
    """Building a stack reads components.csv once, not once per component: a lost
    @lru_cache once made every stack evaluation of a study 20 times slower."""
    from hamodel import data

    hamodel.load_stack("ha_galera_drbd.yaml")
    before = data._load.cache_info()
    hamodel.load_stack("ha_galera_drbd.yaml").with_values({})
    after = data._load.cache_info()
    assert after.misses == before.misses and after.hits > before.hits
