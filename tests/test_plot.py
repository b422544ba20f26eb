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
from types import MappingProxyType

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.patches import FancyArrowPatch

import hamodel as hm
from hamodel.plot import style


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
        ("block_diagram", hm.plot_block_diagram, stack, {}),
        ("breakdown", hm.plot_breakdown, stack, {}),
        ("compare", hm.plot_compare, hm.compare(designs), {}),
        ("tornado", hm.plot_tornado, tornado_table, {}),
        ("downtime_distribution", hm.plot_downtime_distribution, designs, {"slo": "99.95%"}),
        ("slo_curve", hm.plot_slo_curve, designs, {"slo": "99.95%"}),
        ("hour_of_day", hm.plot_hour_of_day,
         {label: hm.hour_of_day(model) for label, model in designs.items()}, {}),
        ("year_timeline", hm.plot_year_timeline, _simulated(), {}),
        ("run_spread", hm.plot_run_spread, _simulated(), {"exact": _SIMULATED_UNIT}),
    ]


_SIMULATED_UNIT = hm.Component("often", mtbf="30d", mttr="8h")


def _simulated():
    """A small seeded simulation (about 240 outages, no FewOutagesWarning) for the timeline."""
    return hm.simulate(_SIMULATED_UNIT, horizon="1y", runs=20, seed=1, failures=True)


CASE_IDS = ["frequency_duration", "incidents", "availability", "outage_duration",
            "state_diagram", "block_diagram", "breakdown", "compare", "tornado",
            "downtime_distribution", "slo_curve", "hour_of_day", "year_timeline", "run_spread"]


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
    assert [str(w.message) for w in caught] == []


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
    assert {"2/y", "1/4h", "1/y"} <= {t.get_text() for t in ax.texts}


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


# ------------------------------------------------------------------ block diagram
def _leaf_boxes(ax):
    return sorted(p.get_label() for p in ax.patches if p.get_gid() == "leaf")


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
