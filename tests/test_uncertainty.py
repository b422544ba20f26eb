"""Tests of hamodel.studies: hm.uncertainty (sampling, tornado, Sobol) and the stack rebuild it relies on."""

from __future__ import annotations

import dataclasses
import math
import sys

import numpy as np
import pandas as pd
import pytest
from scipy.stats import triang

import hamodel as hm
from hamodel import stacks as stacks_module
from hamodel.stacks import STACKS
from hamodel.studies import OUTPUTS, _LogTriangular

SINGLE = STACKS / "single_server.yaml"


# Module level, so that workers=2 can pickle them.
def web_unit(mtbf, mttr=4.0):
    return hm.Component("web", mtbf=mtbf, mttr=mttr)


def db_web_series(db_mttr, web_mttr):
    """Database and web server in series; the database's repairs dominate the downtime."""
    return hm.series(hm.Component("db", mtbf="2y", mttr=db_mttr),
                     hm.Component("web", mtbf="1y", mttr=web_mttr))


def three_in_series(a_mttr, b_mttr, c_mttr):
    return hm.series(hm.Component("a", mtbf="1y", mttr=a_mttr),
                     hm.Component("b", mtbf="2y", mttr=b_mttr),
                     hm.Component("c", mtbf="4y", mttr=c_mttr))


WEB_RANGES = {"mtbf": ("1y", "2y", "10y"), "mttr": ("30min", "2h", "8h")}
SERIES_RANGES = {"db_mttr": ("1h", "4h", "24h"), "web_mttr": ("10min", "30min", "2h")}


# ------------------------------------------------------------ distribution
def _log_triang(low, typical, high):
    """The same distribution from scipy: ln X ~ triang on [ln low, ln high]."""
    a, c, b = math.log(low), math.log(typical), math.log(high)
    return triang(c=(c - a) / (b - a), loc=a, scale=b - a)


@pytest.mark.parametrize("low, typical, high", [
    (1.0, 24.0, 72.0), (4.0, 4.0, 72.0), (4.0, 72.0, 72.0), (0.1, 1.0, 1e4)])
def test_log_triangular_ppf_matches_scipy_triang_on_the_log(low, typical, high):
    # scipy.stats.triang is an independent implementation of the triangular law.
    u = np.linspace(0.0, 1.0, 101)
    ours = _LogTriangular(low, typical, high).ppf(u)
    ref = np.exp(_log_triang(low, typical, high).ppf(u))
    np.testing.assert_allclose(ours, ref, rtol=1e-12)


def test_log_triangular_with_low_equal_high_is_constant():
    assert _LogTriangular(4.0, 4.0, 4.0).ppf([0.0, 0.3, 1.0]).tolist() == [4.0, 4.0, 4.0]


# ------------------------------------------------------------ uncertainty
def test_same_seed_same_result_and_another_seed_differs():
    one = hm.uncertainty(web_unit, WEB_RANGES, n=40, seed=3)
    two = hm.uncertainty(web_unit, WEB_RANGES, n=40, seed=3)
    pd.testing.assert_frame_equal(one.samples, two.samples)
    pd.testing.assert_frame_equal(one.quantiles, two.quantiles)
    other = hm.uncertainty(web_unit, WEB_RANGES, n=40, seed=4)
    assert not np.allclose(one.samples["mtbf"], other.samples["mtbf"])


def test_workers_two_equals_workers_one_for_a_stack():
    stack = hm.load_stack(SINGLE)
    serial = hm.uncertainty(stack, n=8, seed=11)
    parallel = hm.uncertainty(stack, n=8, seed=11, workers=2)
    pd.testing.assert_frame_equal(serial.samples, parallel.samples, check_exact=True)


def test_workers_two_equals_workers_one_for_a_callable_and_sobol():
    serial = hm.sensitivity(db_web_series, SERIES_RANGES, method="sobol", n=8, seed=5)
    parallel = hm.sensitivity(db_web_series, SERIES_RANGES, method="sobol", n=8, seed=5,
                              workers=2)
    pd.testing.assert_frame_equal(serial, parallel, check_exact=True)


def test_quantiles_are_ordered_and_labelled():
    result = hm.uncertainty(hm.load_stack(SINGLE), n=30, seed=1,
                            quantiles=(0.95, 0.05, 0.5))
    q = result.quantiles
    assert list(q.columns) == [0.05, 0.5, 0.95]
    assert list(q.index) == list(OUTPUTS)
    assert (q[0.05] <= q[0.5]).all() and (q[0.5] <= q[0.95]).all()
    assert list(result.summary.columns) == ["mean", "5%", "50%", "95%"]
    assert "Downtime per year (min/yr)" in result.summary.index


def test_single_component_availability_quantiles_match_the_lhs_marginal_closed_form():
    # A = mtbf / (mtbf + mttr) is increasing in mtbf, so its q-quantile is A at the
    # q-quantile of mtbf, which is exp(triang.ppf(q)) on the log scale (scipy.stats.triang).
    # Latin hypercube sampling puts exactly one sample in each of the n strata
    # [k/n, (k+1)/n) of probability, so the k-th smallest sample has CDF within 1/n of
    # k/n, and numpy's linear interpolation between neighbours adds at most another 1/n:
    # the empirical q-quantile lies between the true (q - 2/n)- and (q + 2/n)-quantiles.
    # (Independent sampling would need about 1.645 sqrt(q(1-q)/n) instead.)
    n, mttr = 200, 4.0
    ranges = {"mtbf": ("1y", "2y", "10y"), "mttr": (mttr, mttr, mttr)}
    result = hm.uncertainty(web_unit, ranges, n=n, seed=7, quantiles=(0.05, 0.5, 0.95))
    law = _log_triang(*result.ranges["mtbf"])

    def availability_at(p):
        mtbf = math.exp(law.ppf(min(max(p, 0.0), 1.0)))
        return mtbf / (mtbf + mttr)

    for q in (0.05, 0.5, 0.95):
        got = result.quantiles.loc["availability", q]
        assert availability_at(q - 2 / n) <= got <= availability_at(q + 2 / n)
    assert (result.samples["mttr"] == mttr).all()


def test_stack_default_ranges_are_the_data_low_typical_high():
    stack = hm.load_stack(SINGLE)
    result = hm.uncertainty(stack, n=4, seed=0)
    table = hm.components()
    assert set(result.ranges) == {f"{k} {q}" for k in stack.kinds() for q in ("MTBF", "MTTR")}
    assert result.ranges["disk MTBF"] == tuple(
        table.loc["disk", [f"mtbf_{lvl}_h" for lvl in ("low", "typical", "high")]])
    assert list(result.samples.columns[-len(OUTPUTS):]) == list(OUTPUTS)


def test_stack_sample_equals_a_direct_rebuild_with_the_same_values():
    stack = hm.load_stack(SINGLE)
    names = ["physical_server MTTR", "operator_error MTBF"]
    result = hm.uncertainty(stack, names, n=3, seed=2)
    row = result.samples.iloc[1]
    direct = hm.load_stack(SINGLE, values={
        "physical_server": {"mttr": row["physical_server MTTR"]},
        "operator_error": {"mtbf": row["operator_error MTBF"]}}).measures()
    assert row["downtime_per_year"] == pytest.approx(direct.downtime_minutes_per_year, rel=1e-15)


def test_result_is_frozen_and_displays():
    result = hm.uncertainty(web_unit, WEB_RANGES, n=10, seed=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.seed = 2
    assert "10 Latin hypercube samples of 2 parameters" in result._repr_html_()
    assert r"\begin{tabular}" in result._repr_latex_()
    assert "Downtime per year" in repr(result)


def test_progress_bar_goes_to_stderr(capsys):
    hm.uncertainty(web_unit, WEB_RANGES, n=5, seed=1, progress=True)
    err = capsys.readouterr().err
    assert "100%" in err and "5/5" in err


def test_progress_bar_in_a_notebook_is_one_output_updated_in_place(monkeypatch):
    import IPython.display

    shown = []

    class Handle:
        def update(self, data, raw):
            shown[-1] = data["text/plain"]

    def display(data, raw, display_id):
        assert raw and display_id
        shown.append(data["text/plain"])
        return Handle()

    # hm.uncertainty, the function, hides the module of the same name: patch the module.
    monkeypatch.setattr(sys.modules["hamodel.studies"], "_in_kernel", lambda: True)
    monkeypatch.setattr(IPython.display, "display", display)
    hm.uncertainty(web_unit, WEB_RANGES, n=5, seed=1, progress=True)
    assert len(shown) == 1
    assert shown[0].startswith("web_unit: 100%|##########| 5/5 [")


def test_progress_bar_without_tqdm(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # import tqdm now raises ImportError
    hm.uncertainty(web_unit, WEB_RANGES, n=4, seed=1, progress=True)
    err = capsys.readouterr().err
    assert "web_unit: 100%|" in err and "4/4" in err


# ---------------------------------------------------------------- tornado
def test_tornado_ranks_the_bigger_effect_first_and_matches_direct_evaluations():
    table = hm.sensitivity(db_web_series, SERIES_RANGES)
    assert list(table.index) == ["db_mttr", "web_mttr"]

    def downtime(db_mttr, web_mttr):
        return db_web_series(db_mttr, web_mttr).measures().downtime_minutes_per_year

    assert table.loc["db_mttr", "low"] == downtime("1h", "30min")
    assert table.loc["db_mttr", "high"] == downtime("24h", "30min")
    assert table.loc["web_mttr", "low"] == downtime("4h", "10min")
    assert table.loc["web_mttr", "high"] == downtime("4h", "2h")
    assert (table["base"] == downtime("4h", "30min")).all()
    assert (table["swing"] == (table["high"] - table["low"]).abs()).all()
    assert table.loc["db_mttr", ["value_low", "value_high"]].tolist() == [1.0, 24.0]


def test_tornado_table_draws_with_plot_tornado():
    table = hm.sensitivity(db_web_series, SERIES_RANGES, output="availability")
    ax = hm.plot_tornado(table, unit="", quantity="availability")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["db mttr", "web mttr"]  # words


def test_tornado_of_a_stack_uses_readable_labels_and_the_typical_stack_as_base():
    table = hm.sensitivity(hm.load_stack(SINGLE))
    assert "physical_server MTBF" in table.index
    base = hm.load_stack(SINGLE, case="typical").measures().downtime_minutes_per_year
    assert table["base"].iloc[0] == pytest.approx(base, rel=1e-12)
    low = hm.load_stack(SINGLE, values={"physical_server": {"mttr": 4.0}}).measures()
    assert table.loc["physical_server MTTR", "low"] == pytest.approx(
        low.downtime_minutes_per_year, rel=1e-12)


# ------------------------------------------------------------------ Sobol
def test_sobol_on_a_nearly_additive_series_sums_to_one_and_matches_variance_shares():
    # Downtime of independent units in series is 1 - prod(1 - U_i), which for small U_i
    # is the additive sum of U_i. For an additive f = sum g_i(x_i), S1_i = ST_i =
    # Var g_i / sum_j Var g_j; the variances are computed here by quadrature against
    # scipy.stats.triang on the log scale. Tolerances are the estimator's own bootstrap
    # intervals (95 %, n = 512 base samples).
    ranges = {"a_mttr": ("30min", "2h", "8h"), "b_mttr": ("1h", "4h", "24h"),
              "c_mttr": ("1h", "2h", "4h")}
    table = hm.sensitivity(three_in_series, ranges, method="sobol", n=512, seed=13)
    half_widths = (table["S1_high"] - table["S1_low"]) / 2
    assert abs(table["S1"].sum() - 1.0) <= half_widths.sum()

    mtbf = {"a_mttr": hm.duration("1y"), "b_mttr": hm.duration("2y"), "c_mttr": hm.duration("4y")}
    u = (np.arange(20000) + 0.5) / 20000
    var = {}
    for name, r in ranges.items():
        x = np.exp(_log_triang(*(hm.duration(v) for v in r)).ppf(u))
        var[name] = np.var(x / (x + mtbf[name]))  # unavailability of the unit
    total = sum(var.values())
    for name in ranges:
        share = var[name] / total
        assert table.loc[name, "S1_low"] <= share <= table.loc[name, "S1_high"]
        assert table.loc[name, "ST_low"] <= share <= table.loc[name, "ST_high"]
    assert table.index[0] == "b_mttr"
    assert table.attrs["evaluations"] == 512 * (3 + 2)


# ----------------------------------------------------------------- errors
@pytest.mark.parametrize("call, message", [
    (lambda: hm.uncertainty(web_unit, {"mtbff": (1, 2, 3)}), "unknown parameter 'mtbff'"),
    (lambda: hm.uncertainty(hm.load_stack(SINGLE), ["disk MTBFF"]),
     "unknown parameter 'disk MTBFF'"),
    (lambda: hm.uncertainty(web_unit, {"mtbf": ("5y", "2y", "1y")}), "low '5y' > high '1y'"),
    (lambda: hm.uncertainty(web_unit, {"mtbf": ("1y", "6y", "5y")}), "typical '6y' is outside"),
    (lambda: hm.uncertainty(web_unit, {"mtbf": (0, 1, 2)}), "positive"),
    (lambda: hm.uncertainty(web_unit, {"mtbf": (1, 2)}), "expected (low, typical, high)"),
    (lambda: hm.uncertainty(web_unit, WEB_RANGES, n=1), "n = 1"),
    (lambda: hm.uncertainty(web_unit), "ranges="),
    (lambda: hm.uncertainty(web_unit, WEB_RANGES, workers=0), "workers = 0"),
    (lambda: hm.sensitivity(web_unit, WEB_RANGES, method="sobol", n=100), "power of 2"),
    (lambda: hm.sensitivity(web_unit, WEB_RANGES, output="uptime"), "output 'uptime'"),
    (lambda: hm.sensitivity(web_unit, WEB_RANGES, method="morris"), "method 'morris'"),
])
def test_bad_input_raises_a_clear_value_error(call, message):
    with pytest.raises(ValueError, match=None) as info:
        call()
    assert message in str(info.value)


def test_a_fixed_model_is_refused():
    with pytest.raises(TypeError, match="nothing to vary"):
        hm.uncertainty(hm.Component("web", mtbf="1y", mttr="1h"), WEB_RANGES)


def test_an_unpicklable_build_with_workers_is_refused():
    with pytest.raises(TypeError, match="cannot be pickled"):
        hm.uncertainty(lambda mtbf, mttr: web_unit(mtbf, mttr), WEB_RANGES, n=4, workers=2)


# ------------------------------------------------ load_stack(values=), kinds()
def test_stack_records_its_kinds_in_order_of_first_use():
    stack = hm.load_stack(SINGLE)
    assert stack.kinds() == ("power_feed", "switch", "physical_server", "web_server", "mysql",
                             "disk", "raid_controller", "ldap", "operator_error")
    assert hm.load_stack(SINGLE, case="low").case == "low"


def test_stack_kinds_follow_the_file_whatever_the_hash_seed():
    # The files tier lists node (physical_server, nfs_server) before link
    # (heartbeat_link). Parameter order decides which Latin hypercube column a
    # parameter gets, so it must not depend on set iteration order.
    kinds = hm.load_stack(STACKS / "ha_galera_drbd.yaml").kinds()
    assert kinds.index("nfs_server") < kinds.index("heartbeat_link")


def test_values_override_the_data_for_every_component_of_the_kind():
    stack = hm.load_stack(SINGLE, case="pessimistic",
                          values={"disk": {"mtbf": "10y", "mttr": "2h"},
                                  "haproxy": {"mtbf": "1y"}})  # unused kind: ignored
    for unit in stack.tiers["disks"].blocks:
        assert (unit.mtbf, unit.mttr) == (hm.duration("10y"), 2.0)
    assert stack.tiers["server"].mtbf == hm.Component.from_data("physical_server", "pessimistic").mtbf


def test_explicit_mtbf_in_the_yaml_wins_over_values(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("name: s\ntiers:\n"
                    "  - {name: a, model: single, unit: {kind: haproxy, mttr: 1h}}\n"
                    "  - {name: b, model: single, unit: haproxy}\n")
    stack = hm.load_stack(path, values={"haproxy": {"mttr": "3h"}})
    assert stack.tiers["a"].mttr == 1.0
    assert stack.tiers["b"].mttr == 3.0


@pytest.mark.parametrize("values, message", [
    ({"web_sever": {"mtbf": 1}}, "did you mean 'web_server'"),
    ({"disk": {"mtbf": 1, "rate": 2}}, "keys 'mtbf' and/or 'mttr'"),
    ({"disk": {"mttr": 0}}, "expected a positive time"),
    ([("disk", {})], "expected a mapping"),
])
def test_bad_values_raise_stack_error(values, message):
    with pytest.raises(hm.StackError) as info:
        hm.load_stack(SINGLE, values=values)
    assert message in str(info.value)


def test_a_stack_described_in_code_is_varied_without_any_file(monkeypatch):
    """uncertainty() used to turn a stack back into its path and re-read the YAML for
    every sample; a stack built with Stack.from_dict has no file at all."""
    shop = hm.Stack.from_dict({
        "name": "shop", "shared": [{"kind": "power_feed"}],
        "tiers": [{"name": "db", "model": "parallel", "n": 2,
                   "unit": {"kind": "physical_server"}}]})
    assert shop.path is None

    def no_reading(*args, **kwargs):  # pragma: no cover - fails the test if called
        raise AssertionError("a stack file was read")

    monkeypatch.setattr(stacks_module, "load_stack", no_reading)
    monkeypatch.setattr(stacks_module.Path, "read_bytes", no_reading)
    result = hm.uncertainty(shop, ["physical_server MTTR"], n=4, seed=3)
    row = result.samples.iloc[2]
    direct = shop.with_values({"physical_server": {"mttr": row["physical_server MTTR"]}})
    assert row["downtime_per_year"] == pytest.approx(direct.measures().downtime_minutes_per_year,
                                                     rel=1e-12)


def test_a_stack_put_together_from_models_says_how_to_make_it_variable():
    stack = hm.Stack("adhoc", "", None, tiers={"u": hm.Component("u", mtbf="1y", mttr="1h")},
                     shared=())
    with pytest.raises(ValueError, match="Stack.from_dict"):
        hm.uncertainty(stack, n=4)
