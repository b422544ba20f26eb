"""A simulated year as a calendar (plot_year_timeline), the spread of simulated years
(plot_run_spread), and what they read from simulate(..., failures=True).

References: the result's own outage and failure arrays (the bars must be the
outages, cut only at week boundaries and the span), the structure of the model
(in a series system every failure while up starts an outage; in one component
every failure is an outage), and renewal theory for the failure counts.
"""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.patches import Rectangle

import hamodel as hm
from hamodel.montecarlo import night_hours

WEEK = 168.0


@pytest.fixture(scope="module")
def busy():
    a = hm.Component("a", mtbf="20d", mttr="10h")
    b = hm.Component("b", mtbf="30d", mttr="30h")
    model = hm.series(hm.parallel(a, a.renamed("a2")), b)
    return model, hm.simulate(model, horizon="1y", runs=30, seed=5, failures=True)


def _bars(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle) and p.get_gid() == "outage"]


@pytest.mark.parametrize("run", [0, 7])
def test_drawn_bars_are_the_runs_outages(busy, run):
    _, res = busy
    ax = hm.plot_year_timeline(res, run=run)
    bars = _bars(ax)
    mine = res.outage_runs == run
    starts, lengths = res.outage_starts[mine], res.outage_durations[mine]
    # Put the pieces back on one time line: week row * 168 h + left edge.
    pieces = sorted((p.get_y() + p.get_height() / 2) * WEEK + p.get_x() for p in bars)
    widths = np.array([p.get_width() for p in sorted(
        bars, key=lambda p: (p.get_y() + p.get_height() / 2) * WEEK + p.get_x())])
    assert np.sum(widths) == pytest.approx(np.sum(lengths), rel=1e-12)
    # Every outage starts a piece; the other pieces start on a week boundary.
    for s in starts:
        assert min(abs(np.array(pieces) - s)) < 1e-9
    others = [p for p in pieces if min(abs(starts - p)) > 1e-9]
    assert all(abs(p / WEEK - round(p / WEEK)) < 1e-9 for p in others)
    assert f"{starts.size} outages" in ax.get_title()


def test_pages_are_the_runs_failures(busy):
    _, res = busy
    ax = hm.plot_year_timeline(res, run=3)
    (pages,) = [line for line in ax.get_lines() if line.get_gid() == "pages"]
    assert len(pages.get_xdata()) == res.incidents[3]
    x, y = pages.get_xdata(), pages.get_ydata()
    when = np.sort(np.round(y + 0.42) * WEEK + x)
    assert when == pytest.approx(np.sort(res.failure_starts[res.failure_runs == 3]))


def test_outages_longer_than_the_span_are_cut_there():
    slow = hm.Component("slow", mtbf="20d", mttr="20d")
    res = hm.simulate(slow, horizon="1y", runs=4, seed=2)
    ax = hm.plot_year_timeline(res, run=1, span="8w")
    shown = sum(p.get_width() for p in _bars(ax))
    mine = res.outage_runs == 1
    ends = np.minimum(res.outage_starts[mine] + res.outage_durations[mine], 8 * WEEK)
    expected = np.clip(ends - res.outage_starts[mine], 0, None)
    assert shown == pytest.approx(expected[res.outage_starts[mine] < 8 * WEEK].sum())
    assert ax.get_ylim()[0] == pytest.approx(7.5)


def test_shading_covers_night_and_weekend_hours(busy):
    _, res = busy
    ax = hm.plot_year_timeline(res, night=("23:00", "05:00"))
    labels = ax.get_legend_handles_labels()[1]
    assert "night (23:00-05:00)" in labels and "weekend" in labels
    assert int(night_hours(("23:00", "05:00"))[:24].sum()) == 6


def test_failures_keep_every_failure_and_change_no_run(busy):
    model, res = busy
    plain = hm.simulate(model, horizon="1y", runs=30, seed=5)
    for name in ("downtime", "outages", "incidents", "degraded", "outage_durations",
                 "outage_starts", "outage_runs"):
        np.testing.assert_array_equal(getattr(plain, name), getattr(res, name))
    assert plain.failure_starts is None and plain.units is None
    assert res.units == ("a", "a2", "b")
    assert np.array_equal(np.bincount(res.failure_runs, minlength=res.runs), res.incidents)
    # Sorted by run, then by time; every time inside the horizon.
    key = res.failure_runs * 1e7 + res.failure_starts
    assert np.all(np.diff(key) >= 0) and np.all(res.failure_starts < res.horizon)
    # Renewal theory: each unit fails about horizon / (MTBF + MTTR) times a run.
    for j, unit in enumerate(model.leaves):
        count = np.count_nonzero(res.failure_units == j)
        mean = res.runs * res.horizon / (unit.mtbf + unit.mttr)
        assert abs(count - mean) < 5 * np.sqrt(mean)


def test_one_component_fails_exactly_when_its_outages_start():
    unit = hm.Component("u", mtbf="10d", mttr="1d")
    res = hm.simulate(unit, horizon="1y", runs=5, seed=9, failures=True)
    np.testing.assert_allclose(res.failure_starts, res.outage_starts, rtol=1e-12)
    np.testing.assert_array_equal(res.failure_runs, res.outage_runs)


def test_every_outage_of_a_series_system_starts_with_a_failure(busy):
    _, res = busy
    for run in range(res.runs):
        fails = res.failure_starts[res.failure_runs == run]
        for s in res.outage_starts[res.outage_runs == run]:
            assert np.min(np.abs(fails - s)) <= 1e-9 * max(s, 1.0)


def test_failures_with_an_oncall_schedule_and_batches():
    unit = hm.Component("u", mtbf="10d", mttr="4h")
    kw = {"horizon": "1y", "runs": 12, "seed": 3, "oncall": hm.OnCall(), "failures": True}
    one, many = hm.simulate(unit, batch=12, **kw), hm.simulate(unit, batch=5, **kw)
    for res in (one, many):
        assert np.array_equal(np.bincount(res.failure_runs, minlength=12), res.incidents)
        np.testing.assert_allclose(res.failure_starts, res.outage_starts, rtol=1e-12)


def test_night_and_day_counts_outages_by_their_start_hour(busy):
    _, res = busy
    table = res.night_and_day(("22:00", "07:00"))
    hour = np.floor(res.outage_starts).astype(int) % 24
    night = (hour >= 22) | (hour < 7)
    years = res.runs * res.horizon / 8766.0
    assert table.loc["night", "outages/yr"] == pytest.approx(night.sum() / years)
    assert table.loc["day", "mean outage (min)"] == pytest.approx(
        60 * res.outage_durations[~night].mean())
    assert table["share of outages"].sum() == pytest.approx(1.0)
    assert table["share of downtime"].sum() == pytest.approx(1.0)
    assert list(table["hours/day"]) == [9, 15]
    # Pages: every component failure, by the hour it happened in.
    fhour = np.floor(res.failure_starts).astype(int) % 24
    fnight = (fhour >= 22) | (fhour < 7)
    assert table.loc["night", "pages/yr"] == pytest.approx(fnight.sum() / years)
    assert table["pages/yr"].sum() * years == pytest.approx(res.incidents.sum())
    plain = hm.simulate(hm.Component("u", mtbf="30d", mttr="4h"), horizon="1y", runs=20, seed=1)
    assert "pages/yr" not in plain.night_and_day().columns


def test_run_spread_bars_count_every_run(busy):
    model, res = busy
    ax = hm.plot_run_spread(res, "incidents", exact=model)
    assert sum(p.get_height() for p in ax.patches if isinstance(p, Rectangle)
               and p.get_width() == pytest.approx(1.0)) == res.runs
    exact = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert exact[0].get_xdata()[0] == pytest.approx(model.measures().incidents_per_year)
    ax = hm.plot_run_spread(res, "downtime", exact=123.0)
    assert "min/yr" in ax.get_xlabel()


def test_bad_input_is_named(busy):
    _, res = busy
    with pytest.raises(ValueError, match="run = 30"):
        hm.plot_year_timeline(res, run=30)
    with pytest.raises(ValueError, match="night = 'dusk'"):
        hm.plot_year_timeline(res, night="dusk")
    with pytest.raises(ValueError, match="span"):
        hm.plot_year_timeline(res, span="0d")
    with pytest.raises(TypeError, match="hamodel.simulate"):
        hm.plot_year_timeline(hm.Component("u", mtbf="1y", mttr="1h"))
    with pytest.raises(ValueError, match="measure = 'pages'"):
        hm.plot_run_spread(res, "pages")
