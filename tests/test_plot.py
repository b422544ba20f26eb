"""Tests of hamodel.plot: the figure contract and what each figure shows.

The contract of every ``plot_x(obj, ax=None, **kwargs) -> Axes``: exactly one
new figure with ``ax=None``, none with an Axes, never ``plt.show()``, nothing
printed, a title, axis labels with units, a legend when there are several
series. The tests read the returned Axes (patches, texts, labels, colours),
not pixels. Figures are closed after every test by ``conftest._close_figures``.
"""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
import warnings
from pathlib import Path
from types import MappingProxyType

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.patches import FancyArrowPatch
from matplotlib.path import Path as MplPath

import hamodel as hm
from hamodel.plot import style
from hamodel.plot.diagrams import rate_label


# ------------------------------------------------------------------ fixtures
def unit(name, mtbf="1y", mttr="4h"):
    return hm.Component(name, mtbf=mtbf, mttr=mttr)


@pytest.fixture(scope="module")
def designs():
    one = unit("server", "5y", "4h")
    return {
        "single": one,
        "pair": hm.parallel(one, one.renamed("server-2")),
        "2-of-3": hm.k_of_n(2, [unit(f"n{i}") for i in range(3)]),
    }


@pytest.fixture(scope="module")
def stack():
    tiers = {"lb": hm.parallel(unit("lb1"), unit("lb2"), name="lb"),
             "web": hm.k_of_n(2, [unit(f"web{i}") for i in range(3)], name="web"),
             "db": unit("db", "2y", "2h")}
    return hm.Stack(name="demo stack", description="", path=None,
                    tiers=MappingProxyType(tiers), shared=(unit("power", "10y", "2h"),))


@pytest.fixture(scope="module")
def tornado_table():
    table = pd.DataFrame({"low": [40.0, 50.0, 60.0], "high": [80.0, 52.0, 30.0], "base": 51.0},
                         index=["db MTTR", "web MTBF", "failover time"])
    table.attrs["output"] = "downtime_per_year"  # as hm.sensitivity names it
    return table


def _cases(designs, stack, tornado_table):
    """(id, function, object, kwargs) for every public plot function."""
    chain = hm.k_of_n(2, [unit(f"c{i}") for i in range(3)], crews=1)
    return [
        ("frequency_duration", hm.plot_frequency_duration, designs, {}),
        ("incidents", hm.plot_incidents, designs, {}),
        ("availability", hm.plot_availability, designs["single"], {"t_max": "1d"}),
        ("outage_duration", hm.plot_outage_duration, designs, {}),
        ("state_diagram", hm.plot_state_diagram, chain, {}),
        ("lumped_state_diagram", hm.plot_lumped_state_diagram, chain,
         {"group": lambda s: s if s in ("3 up", "2 up") else "down"}),
        ("block_diagram", hm.plot_block_diagram, stack, {}),
        ("breakdown", hm.plot_breakdown, stack, {}),
        ("compare", hm.plot_compare, hm.compare(designs), {}),
        ("tornado", hm.plot_tornado, tornado_table, {}),
        ("downtime_distribution", hm.plot_downtime_distribution, designs, {"slo": "99.95%"}),
        ("slo_curve", hm.plot_slo_curve, designs, {"slo": "99.95%"}),
        ("hour_of_day", hm.plot_hour_of_day,
         {label: hm.hour_of_day(model) for label, model in designs.items()}, {}),
        ("break_even", hm.plot_break_even, _break_even_result(), {"client_cost": 1000.0}),
        ("crossover", hm.plot_crossover, _mttr_sweep(designs),
         {"reference": ("pair", designs["pair"].measures().downtime_per_year),
          "crossings": {"single": 0.5, "2-of-3": "above"},
          "xlabel": "MTTR (h)", "ylabel": "downtime (min/yr)"}),
        ("year_timeline", hm.plot_year_timeline, _simulated(), {}),
        ("run_spread", hm.plot_run_spread, _simulated(), {"exact": _SIMULATED_UNIT}),
    ]


_SIMULATED_UNIT = hm.Component("often", mtbf="30d", mttr="8h")


def _simulated():
    """A small seeded simulation (about 240 outages, no FewOutagesWarning) for the timeline."""
    return hm.simulate(_SIMULATED_UNIT, horizon="1y", runs=20, seed=1, failures=True)


_BREAK_EVEN = []


def _break_even_result():
    """Full HA against one server, cost ranges only (no field draws): built once."""
    if not _BREAK_EVEN:
        _BREAK_EVEN.append(hm.break_even(hm.load_stack("ha_galera_drbd.yaml"),
                                         hm.load_stack("single_server.yaml"), field=False,
                                         n=32, seed=1))
    return _BREAK_EVEN[0]


def _mttr_sweep(designs):
    """Downtime of two designs as their MTTR varies: curves for plot_crossover."""
    mttrs = [0.1, 0.3, 1.0, 3.0, 10.0]
    def single(h):
        return hm.Component("server", mtbf="5y", mttr=h)
    def trio(h):
        return hm.k_of_n(2, [unit(f"n{i}", "1y", h) for i in range(3)])
    return {label: pd.Series([build(h).measures().downtime_per_year for h in mttrs],
                             index=mttrs)
            for label, build in (("single", single), ("2-of-3", trio))}


CASE_IDS = ["frequency_duration", "incidents", "availability", "outage_duration",
            "state_diagram", "lumped_state_diagram", "block_diagram", "breakdown", "compare",
            "tornado", "downtime_distribution", "slo_curve", "hour_of_day", "break_even",
            "crossover", "year_timeline", "run_spread"]


@pytest.fixture(params=CASE_IDS)
def case(request, designs, stack, tornado_table):
    cases = {c[0]: c[1:] for c in _cases(designs, stack, tornado_table)}
    return cases[request.param]


def test_every_public_plot_function_is_covered():
    assert sorted(hm.plot.__all__) == sorted(f"plot_{c}" for c in CASE_IDS)
    assert set(hm.plot.__all__) <= set(hm.__all__)


# ------------------------------------------------------------------ the contract
def test_import_hamodel_does_not_import_pyplot():
    code = "import sys, hamodel; print('matplotlib.pyplot' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_ax_none_opens_exactly_one_figure(case):
    func, obj, kwargs = case
    before = len(plt.get_fignums())
    ax = func(obj, **kwargs)
    assert isinstance(ax, Axes)
    assert len(plt.get_fignums()) == before + 1
    plt.close(ax.figure)


def test_given_ax_opens_no_figure(case, ax):
    func, obj, kwargs = case
    before = plt.get_fignums()
    assert func(obj, ax=ax, **kwargs) is ax
    assert plt.get_fignums() == before


def test_nothing_printed_shown_or_warned(case, capsys, monkeypatch):
    func, obj, kwargs = case

    def no_show(*args, **kw):  # pragma: no cover - failing path
        raise AssertionError("plt.show() called by the package")

    monkeypatch.setattr(plt, "show", no_show)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ax = func(obj, **kwargs)
        ax.figure.canvas.draw()
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""
    assert [f"{w.filename}:{w.lineno}: {w.message}" for w in caught if _shown_to_users(w)] == []


def _shown_to_users(w) -> bool:
    """Whether the warning is ours, or one Python shows a user by default.

    A DeprecationWarning raised inside a third-party library about its own
    dependency (matplotlib 3.8's mathtext calling pyparsing 3.3's old names,
    seen at the dependency floors) is hidden by Python's default filters and
    is not ours to fix. A DeprecationWarning attributed to hamodel's code
    (say, a deprecated matplotlib call in a plot function) still fails.
    """
    if not issubclass(w.category, DeprecationWarning):
        return True
    package = Path(hm.__file__).resolve().parent
    return package in Path(w.filename).resolve().parents


def test_every_figure_has_a_title(case):
    func, obj, kwargs = case
    ax = func(obj, **kwargs)
    assert ax.get_title().strip()


UNITS = re.compile(r"\((?:[^)]*?)(1/yr|min/yr|min|h|d|y)\b")


@pytest.mark.parametrize("name, xunit, yunit", [
    ("frequency_duration", "1/yr", "min"),
    ("incidents", "1/yr", None),
    ("availability", "h", None),
    ("outage_duration", "h", None),
    ("breakdown", "min/yr", None),
    ("compare", "1/yr", None),
    ("tornado", "min/yr", None),
    ("downtime_distribution", "min", None),
    ("crossover", "h", "min/yr"),
    ("year_timeline", "h", None),
    ("run_spread", "1/yr", None),
])
def test_axis_labels_carry_units(name, xunit, yunit, designs, stack, tornado_table):
    func, obj, kwargs = {c[0]: c[1:] for c in _cases(designs, stack, tornado_table)}[name]
    ax = func(obj, **kwargs)
    assert UNITS.search(ax.get_xlabel()).group(1) == xunit, ax.get_xlabel()
    assert ax.get_ylabel().strip()
    if yunit:
        assert UNITS.search(ax.get_ylabel()).group(1) == yunit, ax.get_ylabel()


@pytest.mark.parametrize("name, entries", [
    ("frequency_duration", 3),     # one per design
    ("incidents", 2),              # incidents, outages
    ("availability", 2),           # A(t), steady state
    ("outage_duration", 4),        # 3 designs + the tolerated length
    ("state_diagram", 5),          # up, down, healthy, failure, recovery
    ("breakdown", 2),              # tier, shared infrastructure
    ("compare", 3),                # one per column
    ("tornado", 3),                # raises, lowers, base
    ("downtime_distribution", 4),  # 3 designs + the error budget
    ("slo_curve", 4),              # 3 designs + the SLO marked
    ("break_even", 6),             # 2 designs x (line, band) + break-even + client's cost
    ("crossover", 3),             # 2 designs + the reference
    ("year_timeline", 4),          # night, weekend, outage, page
    ("run_spread", 4),             # runs, interval, simulated mean, exact mean
])
def test_legend_when_several_series(name, entries, designs, stack, tornado_table):
    func, obj, kwargs = {c[0]: c[1:] for c in _cases(designs, stack, tornado_table)}[name]
    legend = func(obj, **kwargs).get_legend()
    assert legend is not None
    assert len(legend.get_texts()) == entries


# ------------------------------------------------------------------ frequency
def test_frequency_duration_isolines_are_labelled(designs):
    ax = hm.plot_frequency_duration(designs, isolines=(1, 10, 60))
    texts = {t.get_text() for t in ax.texts}
    assert {"1 min/yr", "10 min/yr", "1 h/yr"} <= texts
    assert ax.get_xscale() == ax.get_yscale() == "log"


def test_frequency_duration_keeps_the_notebook_figure_size(designs):
    # notebooks/00_tour.ipynb stores "<Figure size 700x500 with 1 Axes>".
    ax = hm.plot_frequency_duration(designs)
    assert tuple(ax.figure.get_size_inches()) == (7.0, 5.0)


def test_incidents_bars_match_measures(designs):
    ax = hm.plot_incidents(designs)
    widths = sorted(round(p.get_width(), 12) for p in ax.patches)
    expected = sorted(round(v, 12) for m in designs.values()
                      for v in (m.measures().incidents_per_year, m.measures().outages_per_year))
    assert widths == expected


def test_availability_of_several_models_draws_unavailability_on_log_axis(designs):
    ax = hm.plot_availability(designs, t_max="2d")
    assert ax.get_yscale() == "log"
    assert ax.get_ylabel().startswith("unavailability")
    single = designs["single"].measures()
    line = ax.get_lines()[0]
    assert line.get_ydata()[-1] == pytest.approx(single.unavailability, rel=1e-3)


def test_outage_duration_marks_the_tolerated_length(designs):
    ax = hm.plot_outage_duration(designs, longer_than="30min", logx=False)
    assert any("tolerated 30min" == t.get_text() for t in ax.get_legend().get_texts())
    assert ax.get_xlabel() == "outage length t (h)"


# ------------------------------------------------------------------ state diagram
def _nodes(ax):
    return {p.get_label(): p for p in ax.patches if p.get_gid() == "state"}


def test_state_diagram_one_node_per_state_with_up_down_colours():
    chain = hm.CTMC.from_transitions(
        [("ok", "degraded", 2 / hm.HOURS_PER_YEAR), ("degraded", "ok", 0.25),
         ("degraded", "down", 1 / hm.HOURS_PER_YEAR), ("down", "degraded", 0.25)],
        up=["ok", "degraded"])
    ax = hm.plot_state_diagram(chain)
    nodes = _nodes(ax)
    assert set(nodes) == {"ok", "degraded", "down"}
    assert to_hex(nodes["ok"].get_facecolor()) == style.PALETTE["up"]
    assert to_hex(nodes["degraded"].get_facecolor()) == style.PALETTE["up"]
    assert to_hex(nodes["down"].get_facecolor()) == style.PALETTE["down"]
    assert to_hex(nodes["ok"].get_edgecolor()) == style.PALETTE["healthy"]  # the initial state
    assert to_hex(nodes["degraded"].get_edgecolor()) != style.PALETTE["healthy"]
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(arrows) == 4
    assert {"2 per y", "1 per 4 h", "1 per y"} <= {t.get_text() for t in ax.texts}


def test_state_diagram_probabilities_are_written_without_e_notation():
    """probabilities=True: π of a state rarely reached reads 1.37 × 10⁻¹⁰, not 1.37e-10."""
    chain = hm.CTMC.from_transitions(
        [("ok", "degraded", 2 / hm.HOURS_PER_YEAR), ("degraded", "ok", 0.25),
         ("degraded", "down", 1 / hm.HOURS_PER_YEAR), ("down", "degraded", 0.25)],
        up=["ok", "degraded"])
    pi = dict(zip(chain.states, chain.steady_state()))
    assert pi["down"] < 1e-6
    ax = hm.plot_state_diagram(chain, probabilities=True)
    text = " ".join(t.get_text() for t in ax.texts)
    assert "π\u00a0=" in text and not re.search(r"\de[-+]?\d", text)
    mantissa, power = f"{pi['down']:.3g}".split("e")
    superscript = "".join("⁰¹²³⁴⁵⁶⁷⁸⁹"[int(d)] for d in str(-int(power)))
    assert f"π\u00a0=\u00a0{mantissa}\u00a0×\u00a010⁻{superscript}" in text  # one line
    plt.close(ax.figure)


def test_state_diagram_of_a_block_draws_its_product_chain():
    model = hm.series(unit("lb"), hm.parallel(unit("a"), unit("b")))
    ax = hm.plot_state_diagram(model)
    nodes = _nodes(ax)
    assert len(nodes) == model.to_ctmc().n_states == 8
    labels = {t.get_text().replace("\n", " ") for t in ax.texts}
    assert "all healthy" in labels and "a, b: down" in labels
    down = [p for p in nodes.values() if to_hex(p.get_facecolor()) == style.PALETTE["down"]]
    assert len(down) == int((~model.to_ctmc().up).sum()) == 5


def test_state_diagram_refuses_more_than_max_states():
    model = hm.series(*[unit(f"u{i}") for i in range(6)])  # 2**6 = 64 states
    with pytest.raises(ValueError, match=r"64 states, more than max_states = 40"):
        hm.plot_state_diagram(model)
    assert plt.get_fignums() == []  # refused before opening a figure
    small = hm.series(*[unit(f"u{i}") for i in range(4)])  # 16 states
    with pytest.raises(ValueError, match=r"16 states, more than max_states = 15"):
        hm.plot_state_diagram(small, max_states=15)
    ax = hm.plot_state_diagram(small, max_states=16, edge_labels=False)
    assert len(_nodes(ax)) == 16


@pytest.mark.parametrize("per_hour, text", [
    (1 / (5 * hm.HOURS_PER_YEAR), "1/5y"),
    (2 / hm.HOURS_PER_YEAR, "2/y"),
    (3 / (2 * hm.HOURS_PER_YEAR), "3/2y"),
    (0.25, "1/4h"),
    (60.0, "1/min"),
    (120.0, "1/30s"),
    (1 / 1.234, "1/1.23h"),
])
def test_rates_are_written_as_count_per_mean_time(per_hour, text):
    assert style.format_rate(per_hour) == text


@pytest.mark.parametrize("per_hour, text", [
    (1 / (23 * hm.HOURS_PER_YEAR), "1 per 23 y"),   # once in 23 years
    (1 / (5 * hm.HOURS_PER_YEAR), "1 per 5 y"),
    (2 / hm.HOURS_PER_YEAR, "2 per y"),
    (3 / (2 * hm.HOURS_PER_YEAR), "3 per 2 y"),      # three units, each once in 2 years
    (0.25, "1 per 4 h"),
    (0.001, "1 per 1,000 h"),                        # was '6/250d'
    (1 / 1000.5, "1 per 41.7 d"),                    # no round time: three digits
    (1e-7, "1 per 1,140 y"),
    (60.0, "1 per min"),
    (120.0, "1 per 30 s"),
    (3600 / 7500, "1 per 2.08 h"),                   # not '1 per 7,500 s'
])
def test_state_diagram_rates_read_as_count_per_mean_time(per_hour, text):
    assert rate_label(per_hour) == text
    # the mean time in the label gives back the rate to three digits
    count, _, rest = text.partition(" per ")
    number, _, suffix = rest.rpartition(" ")
    size = dict(style.TIME_UNITS)[suffix]
    mean = float(number.replace(",", "") or 1) * size / int(count)
    assert 1 / mean == pytest.approx(per_hour, rel=5e-3)


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), float("inf")])
def test_rate_label_refuses_a_rate_that_is_not_positive_and_finite(bad):
    with pytest.raises(ValueError, match=re.escape(repr(bad))):
        rate_label(bad)


def _stiff_pair():
    lam, mu, phi = 1e-7, 1.0, 360.0
    return hm.CTMC.from_transitions(
        [("both up", "failing over", lam), ("both up", "one up", lam),
         ("failing over", "one up", phi), ("one up", "both up", mu),
         ("one up", "both down", lam), ("both down", "one up", mu)],
        up=["both up", "one up"], name="stiff pair")


@pytest.mark.parametrize("model, n_labels", [
    (unit("one"), 2),                                                   # 2 states, both ways
    (_stiff_pair(), 6),                                                 # 4 states
    (hm.active_standby(unit("a", "5y", "4h"), failover="5min"), 8),    # 4 states
    (hm.k_of_n(2, [unit(f"c{i}") for i in range(3)], crews=1), 6),      # 4 states in a row
])
def test_state_diagram_rate_labels_overlap_neither_each_other_nor_states(model, n_labels):
    ax = hm.plot_state_diagram(model)
    renderer = ax.figure.canvas.get_renderer()
    labels = [t for t in ax.texts if t.get_gid() == "rate"]
    assert len(labels) == n_labels == model.to_ctmc().Q.nnz - model.to_ctmc().n_states
    assert all(t.get_fontsize() >= 8 for t in labels)  # readable at the figure's size
    ax.figure.canvas.draw()  # lays out each label's white box
    boxes = [t.get_bbox_patch().get_window_extent(renderer) for t in labels]
    states = [p.get_window_extent(renderer) for p in ax.patches if p.get_gid() == "state"]
    for a in range(len(boxes)):
        for b in range(a + 1, len(boxes)):
            assert not boxes[a].overlaps(boxes[b]), (labels[a].get_text(), labels[b].get_text())
        assert not any(boxes[a].overlaps(s) for s in states), labels[a].get_text()


# ------------------------------------------------------------------ block diagram
def _leaf_boxes(ax):
    return sorted(p.get_label() for p in ax.patches if p.get_gid() == "leaf")


@pytest.mark.parametrize("n", [3, 6, 9, 12])
def test_block_diagram_text_stays_readable_when_scaled_to_a_pdf_page(n):
    # nbconvert's PDF fits a figure into about 5.9 in (0.9 of a 6.5-in text
    # width); a long series wraps onto rows so its text stays about 8 pt there.
    model = hm.series(*[unit(f"tier {i}") for i in range(n - 1)],
                      hm.parallel(unit("a"), unit("b"), name="pair"))
    ax = hm.plot_block_diagram(model)
    width = ax.figure.get_figwidth()
    assert width <= 7.0
    smallest = min(t.get_fontsize() for t in ax.texts)
    assert smallest >= 8.0
    assert smallest * min(1.0, 5.85 / width) >= 7.0


def test_block_diagram_one_box_per_leaf_of_a_nested_structure():
    model = hm.series(hm.parallel(unit("a"), unit("b")),
                      hm.k_of_n(2, [unit("c"), unit("d"), unit("e")]))
    ax = hm.plot_block_diagram(model)
    assert _leaf_boxes(ax) == ["a", "b", "c", "d", "e"] == sorted(x.name for x in model.leaves)
    assert "2-of-3" in {t.get_text() for t in ax.texts}
    assert sum(p.get_gid() == "group" for p in ax.patches) == 1
    assert any("A = 0.99954" in t.get_text() for t in ax.texts)


def test_block_diagram_draws_a_shared_crew_group_as_one_leaf():
    group = hm.k_of_n(2, [unit(f"n{i}") for i in range(3)], crews=1, name="quorum")
    ax = hm.plot_block_diagram(hm.series(unit("lb"), group))
    assert _leaf_boxes(ax) == ["lb", "quorum"]


def test_block_diagram_of_a_network_draws_its_nodes_and_edges():
    def c(name):
        return hm.Component(name, failure_rate=1.0, repair_rate=9.0)

    bridge = hm.network([("s", "a", c("e1")), ("s", "b", c("e2")), ("a", "b", c("e3")),
                         ("a", "t", c("e4")), ("b", "t", c("e5")), ("s", "t", c("e6"))], "s", "t")
    ax = hm.plot_block_diagram(bridge)
    assert _leaf_boxes(ax) == ["e1", "e2", "e3", "e4", "e5", "e6"]
    assert {"s", "a", "b", "t"} <= {t.get_text() for t in ax.texts}


def test_block_diagram_of_a_stack_draws_its_model(stack):
    ax = hm.plot_block_diagram(stack)
    assert _leaf_boxes(ax) == sorted(x.name for x in stack.model.leaves)
    assert "demo stack" in ax.get_title()


def test_block_diagram_wraps_a_long_series_and_keeps_every_leaf():
    model = hm.series(*[unit(f"u{i}") for i in range(12)])
    ax = hm.plot_block_diagram(model)
    assert len(_leaf_boxes(ax)) == 12
    rows = {round(p.get_y(), 6) for p in ax.patches if p.get_gid() == "leaf"}
    assert len(rows) > 1


# ------------------------------------------------------------------ breakdown
def test_breakdown_of_a_stack_sorted_largest_on_top(stack):
    table = stack.breakdown()
    ax = hm.plot_breakdown(stack)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == list(table["downtime (min/yr)"].sort_values(ascending=False).index)
    assert ax.get_xlabel() == "downtime (min/yr)"
    assert "demo stack" in ax.get_title()


def test_breakdown_other_column_and_bad_column(stack):
    ax = hm.plot_breakdown(stack.breakdown(), column="incidents/yr", sort=False)
    assert ax.get_xlabel() == "incidents/yr"  # the unit is in the header already
    assert [t.get_text() for t in ax.get_yticklabels()] == list(stack.breakdown().index)
    with pytest.raises(ValueError, match="no column 'nope'"):
        hm.plot_breakdown(stack, column="nope")


def test_compare_grouped_bars(designs):
    table = hm.compare(designs)
    ax = hm.plot_compare(table, columns=("outages/yr", "incidents/yr"))
    assert len(ax.patches) == 2 * len(designs)
    assert [t.get_text() for t in ax.get_yticklabels()] == list(designs)
    with pytest.raises(ValueError, match="no column"):
        hm.plot_compare(table, columns=("nope",))


# ------------------------------------------------------------------ tornado
def test_tornado_sorted_by_swing_and_centred_on_base(tornado_table):
    ax = hm.plot_tornado(tornado_table)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["db MTTR", "failover time", "web MTBF"]  # swings 40, 30, 2
    bars = [p for p in ax.patches if p.get_gid() in ("tornado-low", "tornado-high")]
    assert len(bars) == 6
    assert all(p.get_x() == pytest.approx(51.0) for p in bars)
    for p in bars:
        end = p.get_x() + p.get_width()
        expected = style.PALETTE["failure"] if end > 51.0 else style.PALETTE["decrease"]
        assert to_hex(p.get_facecolor()) == expected


def test_tornado_base_argument_and_errors(tornado_table):
    ax = hm.plot_tornado(tornado_table[["low", "high"]], base=45.0, unit="outages/yr",
                         quantity="outages")
    assert ax.get_xlabel() == "outages (outages/yr)"
    with pytest.raises(ValueError, match="give base="):
        hm.plot_tornado(tornado_table[["low", "high"]])
    with pytest.raises(ValueError, match="several values"):
        hm.plot_tornado(tornado_table.assign(base=[1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match="'low' and 'high'"):
        hm.plot_tornado(tornado_table[["low"]], base=1.0)


def test_plot_functions_handle_an_empty_selection():
    with pytest.raises(ValueError, match="no models given"):
        hm.plot_frequency_duration({})
    assert plt.get_fignums() == []


def test_frequency_duration_styles_stay_distinct_and_legend_can_go_outside():
    """Fifteen designs: no two share both colour and marker; legend_loc='outside' leaves the axes."""
    import matplotlib.pyplot as plt

    designs = {f"d{i}": hm.Component(f"c{i}", mtbf=f"{i + 1}y", mttr="4h") for i in range(15)}
    ax = hm.plot_frequency_duration(designs, annotate=False, legend_loc="outside")
    styles = set()
    for coll in ax.collections:
        marker = tuple(map(tuple, coll.get_paths()[0].vertices.round(3)))
        styles.add((tuple(coll.get_facecolor()[0]), marker))
    assert len(styles) == 15
    anchor = ax.get_legend().get_bbox_to_anchor().transformed(ax.transAxes.inverted())
    assert anchor.x0 > 1.0
    plt.close(ax.figure)


def test_tornado_reads_as_words_and_never_below_zero():
    table = pd.DataFrame({"low": [2.0, 9.0], "high": [30.0, 11.0], "base": 10.0},
                         index=["operator_error MTTR", "web_server MTBF"])
    table.attrs["output"] = "downtime_per_year"
    ax = hm.plot_tornado(table)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["operator error MTTR",
                                                           "web server MTBF"]
    assert min(ax.get_xticks()) >= 0  # no negative downtime on the axis
    plt.close(ax.figure)


def test_frequency_duration_draws_the_tolerated_outage():
    one = hm.Component("server", mtbf="5y", mttr="4h")
    ax = hm.plot_frequency_duration({"one": one}, tolerated="20min")
    lines = [l for l in ax.get_lines() if l.get_label().startswith("tolerated outage")]
    assert len(lines) == 1 and lines[0].get_ydata()[0] == pytest.approx(20.0)
    assert ax.get_ylim()[0] < 20.0 < ax.get_ylim()[1]
    assert any("tolerated outage: 20min" in t.get_text() for t in ax.get_legend().get_texts())
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="tolerated"):
        hm.plot_frequency_duration({"one": one}, tolerated="0min")


# ------------------------------------------------------------------ costs
def test_break_even_marks_the_crossing_and_the_clients_cost():
    result = _break_even_result()
    colors = {result.ha.name: "#123456", result.baseline.name: "#abcdef"}
    ax = hm.plot_break_even(result, client_cost=500.0, colors=colors)
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert ax.get_xlabel() == "cost of an hour down (per hour, log scale)"
    assert ax.get_ylabel() == "total cost (per year)"
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert to_hex(lines[result.ha.name].get_color()) == "#123456"
    assert to_hex(lines[result.baseline.name].get_color()) == "#abcdef"
    (mark,) = [line for label, line in lines.items() if label.startswith("break-even")]
    assert mark.get_xdata()[0] == pytest.approx(result.value)
    client = lines["your cost of an hour down: 500"]
    assert list(client.get_xdata()) == [500.0, 500.0]
    # the two lines meet at the marked point
    assert float(result.total(result.value, "ha")) == pytest.approx(
        float(result.total(result.value, "baseline")))
    with pytest.raises(ValueError, match="x_range"):
        hm.plot_break_even(result, x_range=(10, 1))


def test_one_colour_per_design_in_incidents_and_breakdown(designs, stack):
    colors = {label: style.color(i + 3).lower() for i, label in enumerate(designs)}
    ax = hm.plot_incidents(designs, colors=colors)
    bars = [p for p in ax.patches]
    # bars are drawn incidents first, then outages, designs in order within each
    n = len(designs)
    for i, label in enumerate(designs):
        assert to_hex(bars[i].get_facecolor()[:3]) == colors[label]
        assert to_hex(bars[n + i].get_facecolor()[:3]) == colors[label]
    with pytest.raises(ValueError, match="no colour for design 'pair'"):
        hm.plot_incidents(designs, colors={"single": "red"})
    ax = hm.plot_breakdown(stack, color="#112233")
    tiers = [p for p in ax.patches if to_hex(p.get_facecolor()) != style.PALETTE["shared"]]
    assert tiers and all(to_hex(p.get_facecolor()) == "#112233" for p in tiers)


@pytest.mark.parametrize("name", ["frequency_duration", "outage_duration",
                                  "downtime_distribution", "slo_curve", "hour_of_day"])
def test_design_colours_are_kept(name, designs, stack, tornado_table):
    func, obj, kwargs = {c[0]: c[1:] for c in _cases(designs, stack, tornado_table)}[name]
    colors = {label: c for label, c in zip(designs, ("#111111", "#222222", "#333333"))}
    ax = func(obj, colors=colors, **kwargs)
    drawn = set()
    for artist in [*ax.get_lines(), *ax.collections, *ax.patches]:
        if isinstance(artist, plt.Line2D):
            drawn.add(to_hex(artist.get_color()))
            continue
        for getter in ("get_facecolor", "get_edgecolor"):
            rgba = np.atleast_2d(getattr(artist, getter)())
            drawn |= {to_hex(c) for c in rgba if len(c)}
    assert set(colors.values()) <= drawn, drawn
    with pytest.raises(ValueError, match="no colour for design"):
        func(obj, colors={"single": "red"}, **kwargs)
# ------------------------------------------------------------------ break even
def test_crossover_marks_crossings_on_the_reference_line(designs):
    curves = _mttr_sweep(designs)
    level = designs["pair"].measures().downtime_per_year
    ax = hm.plot_crossover(curves, reference=("pair", level),
                            crossings={"single": 0.5, "2-of-3": "above"},
                            xlabel="MTTR (h)", ylabel="downtime (min/yr)")
    circles = [ln for ln in ax.lines if ln.get_marker() == "o"]
    assert [(tuple(c.get_xdata()), tuple(c.get_ydata())) for c in circles] == [((0.5,), (level,))]
    assert [t.get_text() for t in ax.texts] == ["0.5"]


def test_crossover_labels_a_short_log_axis_with_several_values():
    """Less than three decades on a log axis: 1, 2 and 5 times each power of ten are
    labelled (a single '1' cannot be read), as plain numbers."""
    curve = pd.Series([0.3, 0.5, 1.2, 4.0], index=[1e-6, 1e-4, 1e-2, 1e-1])
    ax = hm.plot_crossover({"pair": curve}, reference=("three nodes", 0.6),
                            xlabel="probability (1)", ylabel="downtime (min/yr)")
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels()
              if t.get_text() and ax.get_ylim()[0] <= t.get_position()[1] <= ax.get_ylim()[1]]
    assert len(labels) >= 3, labels
    assert "1" in labels and "0.5" in labels


def test_crossover_refuses_crossings_of_unknown_designs():
    curve = pd.Series([1.0, 2.0], index=[1.0, 2.0])
    with pytest.raises(ValueError, match=r"crossings for \['other'\]"):
        hm.plot_crossover({"pair": curve}, crossings={"other": 1.5})


def test_frequency_duration_path_joins_the_steps_in_order(designs):
    """path=True: one arrow from each design's point to the next, in the order given."""
    ax = hm.plot_frequency_duration(designs, path=True)
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(arrows) == len(designs) - 1
    points = [(m.outages_per_year, m.mean_down_time * 60.0)
              for m in (model.measures() for model in designs.values())]
    for arrow, (start, end) in zip(arrows, itertools.pairwise(points)):
        assert arrow._posA_posB == [pytest.approx(start), pytest.approx(end)]
    assert ax.get_title().strip() and ax.get_legend() is not None
    plt.close(ax.figure)
    plain = hm.plot_frequency_duration(designs)
    assert not [p for p in plain.patches if isinstance(p, FancyArrowPatch)]


@pytest.mark.parametrize("path", [False, True])
def test_frequency_duration_names_cover_no_marker_no_name_and_no_arrow(path):
    """Crowded steps (close in frequency and duration, as in notebook 10): every
    name stays inside the axes, off every marker, off the other names and, along a
    path, off the arrows. Before, names sat at a fixed offset and printed over
    arrows and neighbours."""
    steps = {f"{k} step with a long name": unit(f"s{k}", f"{mtbf}y", f"{mttr}h")
             for k, (mtbf, mttr) in enumerate([(1, 3), (0.7, 7), (0.68, 6), (0.85, 6),
                                                (0.84, 4), (0.5, 2.5), (0.5, 1.5), (0.55, 0.5)])}
    ax = hm.plot_frequency_duration(steps, path=path)
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    names = [t.get_window_extent(renderer) for t in ax.texts if t.get_text() in steps]
    assert len(names) == len(steps)
    frame = ax.get_window_extent(renderer)
    markers = [c.get_offsets()[0] for c in ax.collections if len(c.get_offsets()) == 1]
    markers = ax.transData.transform(np.array(markers))
    r = 4.0 * fig.dpi / 72.0  # the marker's radius
    for i, box in enumerate(names):
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 <= box.y1 <= frame.y1
        assert not any(box.overlaps(other) for other in names[i + 1:])
        near = [(x, y) for x, y in markers
                if box.x0 - r < x < box.x1 + r and box.y0 - r < y < box.y1 + r]
        assert not near, f"name {i} covers a marker"
        for arrow in (p for p in ax.patches if isinstance(p, FancyArrowPatch)):
            outline = arrow.get_path()
            drawn = outline.codes != MplPath.CLOSEPOLY  # its vertex is a placeholder (0, 0)
            path_px = MplPath(outline.vertices[drawn], outline.codes[drawn]).transformed(
                arrow.get_transform())
            assert not path_px.intersects_bbox(box, filled=False), f"name {i} covers an arrow"
    plt.close(fig)
