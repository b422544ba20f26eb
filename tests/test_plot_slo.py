"""Tests of hamodel.plot.slo: the SLO figures draw the model's own numbers.

The figure contract (one figure, none with an Axes, title, units, legend) is
checked for these two functions with every other plot in tests/test_plot.py.
Here: the values read back from the lines (Line2D data) are those of
``downtime_distribution`` / ``slo_breach_probability``, the budget and the SLO
are where they should be, and bad input fails naming the value.
"""

from __future__ import annotations

import numpy as np
import pytest

import hamodel as hm


@pytest.fixture(scope="module")
def designs():
    return {
        "single": hm.Component("server", mtbf="5y", mttr="4h"),
        "pair": hm.active_standby(hm.Component("db", mtbf="1y", mttr="4h"), failover="10s"),
    }


def _curves(ax):
    """The lines drawn with a label (the curves, not markers or the budget line)."""
    return {line.get_label(): line for line in ax.get_lines()
            if not line.get_label().startswith("_") and len(line.get_xdata()) > 2}


# ---------------------------------------------------------- downtime distribution
def test_downtime_curves_are_the_models_survival_function(designs):
    ax = hm.plot_downtime_distribution(designs, slo="99.95%")
    curves = _curves(ax)
    assert len(curves) == 2
    for (label, model), line in zip(designs.items(), curves.values()):
        assert line.get_label().startswith(f"{label}: ")
        x_min, y = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
        expected = model.downtime_distribution("30d").sf(x_min / 60.0)
        np.testing.assert_allclose(y, expected, rtol=1e-12, atol=0)


def test_downtime_budget_line_and_breach_marks(designs):
    ax = hm.plot_downtime_distribution(designs, slo="99.95%")
    budget_min = hm.error_budget("99.95%", "30d") * 60.0
    budget = [line for line in ax.get_lines() if line.get_label().startswith("budget of")]
    assert len(budget) == 1
    assert budget[0].get_label() == "budget of 99.95% over 30d: 21.6 min"
    assert np.allclose(budget[0].get_xdata(), budget_min)
    marks = [line for line in ax.get_lines() if len(line.get_xdata()) == 1]
    breach = [m.slo_breach_probability("99.95%", "30d") for m in designs.values()]
    assert [float(m.get_xdata()[0]) for m in marks] == pytest.approx([budget_min] * 2)
    assert [float(m.get_ydata()[0]) for m in marks] == pytest.approx(breach, rel=1e-12)
    # ... and written beside the marks.
    assert len(ax.texts) == 2


def test_downtime_legend_states_the_atom_at_zero(designs):
    """P(any downtime) = 1 - p_zero: the atom at 0 that a log axis cannot show."""
    ax = hm.plot_downtime_distribution(designs["single"], slo="99.95%")
    d = designs["single"].downtime_distribution("30d")
    text = ax.get_legend().get_texts()[0].get_text()
    assert text == (f"server: P(any downtime) {1 - d.p_zero:.1%}, "
                    f"P(breach) {d.sf(hm.error_budget('99.95%', '30d')):.1%}")
    assert ax.get_xscale() == ax.get_yscale() == "log"
    assert ax.get_title() == "Downtime in a 30d window: the chance of more than x"
    assert ax.get_ylabel() == "P(downtime in the window > x)"


def test_downtime_takes_distributions_and_a_budget(designs):
    d = designs["pair"].downtime_distribution("90d")
    ax = hm.plot_downtime_distribution([d], budget="1h", x_max="2h")
    (line,) = _curves(ax).values()
    assert line.get_label().startswith("db active/standby: ")
    assert np.asarray(line.get_xdata()).max() == pytest.approx(120.0)
    np.testing.assert_allclose(line.get_ydata(), d.sf(np.asarray(line.get_xdata()) / 60.0))
    assert ax.get_title().startswith("Downtime in a 90d window")
    assert [t.get_text() for t in ax.get_legend().get_texts()][-1] == "error budget: 60 min"


def test_downtime_without_budget_and_linear_axes(designs):
    ax = hm.plot_downtime_distribution({"one": designs["single"]}, logx=False, logy=False)
    (line,) = _curves(ax).values()
    assert line.get_xdata()[0] == 0.0
    assert line.get_ydata()[0] == pytest.approx(1 - designs["single"]
                                                .downtime_distribution("30d").p_zero)
    assert ax.get_xscale() == ax.get_yscale() == "linear"
    assert len(ax.get_legend().get_texts()) == 1


def test_downtime_of_a_stack_reads_back_its_breach_probability():
    """A shipped stack, over a short downtime range (a stack's sweep grows with x)."""
    stack = hm.load_stack("ha_mmm_nfs.yaml")
    ax = hm.plot_downtime_distribution({"mmm": stack}, slo="99.95%", x_max="40min", points=20)
    (mark,) = [line for line in ax.get_lines() if len(line.get_xdata()) == 1]
    assert float(mark.get_ydata()[0]) == pytest.approx(
        stack.slo_breach_probability("99.95%", "30d"), rel=1e-12)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"slo": "99.9%", "budget": "20min"}, TypeError, "give exactly one of slo="),
    ({"budget": "31d"}, ValueError, "budget = '31d'"),
    ({"slo": 99.9}, ValueError, "slo = 99.9"),
    ({"x_min": "1h", "x_max": "10min"}, ValueError, "expected 0 < x_min < x_max"),
    ({"window": "0d"}, ValueError, "window"),
    ({"points": 1}, ValueError, "points = 1"),
], ids=["slo-and-budget", "budget-over-window", "slo-as-percent-number", "x-range",
        "zero-window", "one-point"])
def test_downtime_bad_options_name_the_value(designs, kwargs, error, match):
    with pytest.raises(error, match=match):
        hm.plot_downtime_distribution(designs["single"], **kwargs)


def test_downtime_refuses_distributions_over_other_windows(designs):
    month = designs["single"].downtime_distribution("30d")
    quarter = designs["pair"].downtime_distribution("90d")
    with pytest.raises(ValueError, match="different windows"):
        hm.plot_downtime_distribution([month, quarter])
    with pytest.raises(ValueError, match=r"window = '90d' \(2160 h\), but the distribution"):
        hm.plot_downtime_distribution(month, window="90d")


@pytest.mark.parametrize("bad, error, match", [
    ({}, ValueError, "no models given"),
    ("server", TypeError, "'server': expected a model"),
    ([42], TypeError, "42: expected a model"),
    ({"x": 42}, TypeError, "42 is not a model"),
], ids=["empty", "string", "number-in-list", "number-in-mapping"])
def test_downtime_refuses_what_is_not_a_model(bad, error, match):
    with pytest.raises(error, match=match):
        hm.plot_downtime_distribution(bad)


# ---------------------------------------------------------- SLO curve
def test_slo_curve_is_the_breach_probability_per_target(designs):
    slos = ["99%", "99.9%", "99.95%", "99.99%"]
    ax = hm.plot_slo_curve(designs, slos=slos, window=("30d", "90d"))
    curves = _curves(ax)
    assert list(curves) == ["single, per 30d", "single, per 90d", "pair, per 30d",
                            "pair, per 90d"]
    for label, line in curves.items():
        name, window = label.split(", per ")
        x, y = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
        assert x == pytest.approx([0.99, 0.999, 0.9995, 0.9999])
        expected = [designs[name].slo_breach_probability(s, window) for s in sorted(slos)]
        np.testing.assert_allclose(y, expected, rtol=1e-12)
    # one colour per design, one line style per window
    assert curves["single, per 30d"].get_color() == curves["single, per 90d"].get_color()
    assert curves["single, per 30d"].get_color() != curves["pair, per 30d"].get_color()
    assert curves["pair, per 30d"].get_linestyle() == "-"
    assert curves["pair, per 90d"].get_linestyle() == "--"


def test_slo_curve_axes_and_mark(designs):
    ax = hm.plot_slo_curve(designs["single"], slo="99.95%")
    assert ax.get_xscale() == "logit" and ax.get_yscale() == "log"
    ax.figure.canvas.draw()
    ticks = {t.get_text() for t in ax.get_xticklabels()}
    assert {"99%", "99.9%", "99.99%", "99.999%"} <= ticks
    assert "%" in ax.get_xlabel() and ax.get_ylabel()
    assert ax.get_title() == "Chance of breaking the SLO in a 30d window"
    (mark,) = [line for line in ax.get_lines() if len(line.get_xdata()) == 1]
    p = designs["single"].slo_breach_probability("99.95%", "30d")
    assert float(mark.get_xdata()[0]) == pytest.approx(0.9995)
    assert float(mark.get_ydata()[0]) == pytest.approx(p, rel=1e-12)
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == [f"server: {p:.1%} at 99.95%", "SLO 99.95%"]


def test_slo_curve_draws_a_distribution_in_its_own_window(designs):
    d = designs["pair"].downtime_distribution("90d")
    ax = hm.plot_slo_curve({"pair": d}, slos=[0.999, 0.9999])
    (line,) = ax.get_lines()  # two targets: a two-point line, and no mark
    assert line.get_label() == "pair"
    np.testing.assert_allclose(line.get_ydata(), d.sf(np.array([0.001, 0.0001]) * 2160.0))
    assert ax.get_title() == "Chance of breaking the SLO in a 90d window"


def test_slo_curve_takes_one_designs_distributions_over_several_windows(designs):
    model = designs["single"]
    ds = [model.downtime_distribution(w) for w in ("30d", "90d")]
    ax = hm.plot_slo_curve({"one": ds}, slos=["99.9%", "99.99%"], slo="99.95%")
    curves = [line for line in ax.get_lines() if line.get_label().startswith("one")]
    assert [line.get_label() for line in curves] == [
        f"one, per {w}: {model.slo_breach_probability('99.95%', w):.1%} at 99.95%"
        for w in ("30d", "90d")]
    assert curves[0].get_color() == curves[1].get_color()
    assert [line.get_linestyle() for line in curves] == ["-", "--"]


@pytest.mark.parametrize("kwargs, error, match", [
    ({"slos": ["99.9%"]}, ValueError, "at least two different SLO targets"),
    ({"slos": "99.9%"}, TypeError, "slos = '99.9%': expected a sequence"),
    ({"slos": ["99.9%", "100%"]}, ValueError, "strictly between 0 and 100"),
    ({"slo": "99.9"}, ValueError, "slo = '99.9': write a percentage"),
    ({"window": []}, ValueError, r"window = \[\]"),
    ({"window": ("30d", "-1d")}, ValueError, "window"),
], ids=["one-target", "string-targets", "target-100", "slo-without-sign", "no-window",
        "negative-window"])
def test_slo_curve_bad_options_name_the_value(designs, kwargs, error, match):
    with pytest.raises(error, match=match):
        hm.plot_slo_curve(designs["single"], **kwargs)
