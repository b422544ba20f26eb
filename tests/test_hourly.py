"""Outages by hour of the day under an on-call schedule (hamodel.schedule, hamodel.hourly).

References, none of them the code under test:

* a flat schedule with no response is the time-homogeneous model: its exact
  steady-state measures (GTH, series product formulas, exact outage laws);
* a flat response ``r`` adds ``r`` to every repair that needs a person: the
  same model rebuilt with ``mttr + r`` and ``manual_recovery + r``;
* a seeded event-by-event simulation of the periodic chain, written here in
  plain Python (Gillespie steps through piecewise-constant hourly rates), for
  schedules that differ by hour.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import hamodel as hm
from hamodel import _periodic
from hamodel.schedule import parse_business_hours
from hamodel.units import HOURS_PER_YEAR

SERVER = hm.Component("server", mtbf="5y", mttr="4h")


def _summary(res, key):
    return float(res.summary.loc[key, "value"])


# ------------------------------------------------------------------ schedules
def test_business_hours_parse():
    m = parse_business_hours("Mon-Fri 09:00-17:00")
    assert m.sum() == 40 and m[9] and not m[8] and not m[17] and not m[5 * 24 + 12]
    assert parse_business_hours("24/7").all() and not parse_business_hours("never").any()
    every_day = parse_business_hours("08-20")
    assert every_day.sum() == 7 * 12 and every_day[6 * 24 + 8]
    night_shift = parse_business_hours("Fri 22:00-06:00")
    assert night_shift[4 * 24 + 23] and night_shift[5 * 24 + 5] and not night_shift[5 * 24 + 6]
    wrap = parse_business_hours("Sun 22-02")
    assert wrap[167] and wrap[0] and wrap[1] and not wrap[2]
    two = parse_business_hours("Mon-Fri 08:00-18:00; Sat 10-14")
    assert two.sum() == 50 + 4
    # A whole day is 00-24, not an empty range (24 % 24 == 0 once made it one).
    assert parse_business_hours("Mon-Sun 00:00-24:00").all()
    assert parse_business_hours("Sat 00-24").sum() == 24


@pytest.mark.parametrize("spec, match", [
    ("Mon-Fri 9:30-17:00", "not on the hour"),
    ("Mon-Fry 09:00-17:00", "cannot read the days"),
    ("Fri-Mon 09:00-17:00", "backwards"),
    ("Mon-Fri nine to five", "cannot read"),
    ("Mon 09:00-09:00", "empty"),
    ("Mon 25:00-26:00", "outside 0-24"),
    ("", "expected ranges"),
])
def test_business_hours_errors(spec, match):
    with pytest.raises(ValueError, match=match):
        hm.OnCall(spec)


def test_oncall_responses_and_errors():
    oc = hm.OnCall("Mon-Fri 09:00-17:00", response="10min", night_response="1h",
                   weekend_response="3h")
    r = oc.response_hours()
    assert r.shape == (168,) and r[9] == pytest.approx(1 / 6) and r[2] == 1.0
    assert r[5 * 24 + 12] == 3.0 and not oc.is_daily
    assert hm.OnCall().is_daily is False  # weekends have no business hours
    assert hm.OnCall("08-20").is_daily
    assert hm.OnCall.flat("5min").mean_response == pytest.approx(5 / 60)
    with pytest.raises(ValueError, match=r"response = '-5min'.*non-negative"):
        hm.OnCall(response="-5min")
    with pytest.raises(ValueError, match="night_response"):
        hm.OnCall(night_response="soon")
    with pytest.raises(ValueError, match="automatic_below"):
        hm.OnCall(automatic_below=0)
    with pytest.raises(TypeError, match="business_hours"):
        hm.OnCall(9)


def test_traffic_profile_normalised_and_errors():
    tp = hm.TrafficProfile([1.0] * 12 + [3.0] * 12)
    assert tp.weekly().mean() == pytest.approx(1.0) and tp.is_daily
    assert tp.weekly()[12] == pytest.approx(1.5)
    with pytest.raises(ValueError, match="23 weights; expected 24"):
        hm.TrafficProfile([1.0] * 23)
    with pytest.raises(ValueError, match=r"weight -1.0 at hour 3"):
        hm.TrafficProfile([1, 1, 1, -1] + [1] * 20)
    with pytest.raises(ValueError, match="every weight is 0"):
        hm.TrafficProfile([0] * 24)
    with pytest.raises(TypeError, match="24 or 168 numbers"):
        hm.TrafficProfile(["a", object()] * 12)


def test_shipped_traffic_profiles_have_sources(tmp_path):
    for name in ("business", "consumer"):
        tp = hm.TrafficProfile.shipped(name)
        w = tp.weekly()
        assert w.shape == (168,) and w.mean() == pytest.approx(1.0) and not tp.is_daily
        assert w[3] < 0.5 < 1.0 < w.max()  # quiet at 03:00 on a Monday, peaks above average
    import pandas as pd

    table = pd.read_csv(hm.data.DATA_DIR / "traffic_profiles.csv")
    assert table["source"].str.len().min() > 40
    with pytest.raises(ValueError, match="no profile 'mobile'.*business"):
        hm.TrafficProfile.shipped("mobile")
    bad = tmp_path / "t.csv"
    bad.write_text("profile,day,hour,weight\nx,all,0,1\n")
    with pytest.raises(ValueError, match="misses some hours"):
        hm.TrafficProfile.from_csv(bad, "x")
    bad.write_text("profile,hour,weight\nx,0,1\n")
    with pytest.raises(ValueError, match=r"missing column\(s\) \['day'\]"):
        hm.TrafficProfile.from_csv(bad, "x")


# ------------------------------------------------------------------ which transitions wait
def test_manual_transitions_of_active_standby():
    pair = hm.active_standby(SERVER, failover="60s", coverage=0.9)
    mask = _periodic.manual_mask(pair, hm.OnCall().threshold)
    names = pair.states
    manual = {(names[i], names[j]) for i, j in zip(*np.nonzero(mask))}
    # Failures never wait, nor does the 60 s failover or anything that ends it
    # (a repair finishing during those 60 s, the failover failing); repairs and
    # the 30-minute manual recovery after an uncovered failure do.
    Q = pair.Q.toarray()
    for i, j in zip(*np.nonzero(Q)):
        if i == j:
            continue
        is_repair = np.isclose(Q[i, j], 1 / 4, rtol=1e-9)
        is_recovery = np.isclose(Q[i, j], 2.0, rtol=1e-9)
        expected = (is_repair or is_recovery) and names[i] != "failing over"
        assert ((names[i], names[j]) in manual) == bool(expected), (names[i], names[j])
    assert len(manual) >= 3


# ------------------------------------------------------------------ exact references
@pytest.mark.parametrize("model", [
    SERVER,
    hm.active_standby(SERVER, failover="60s", coverage=0.95),
    hm.majority_cluster(3, hm.Component("node", mtbf="2y", mttr="6h")),
])
def test_no_response_is_the_homogeneous_chain(model):
    res = hm.hour_of_day(model, hm.OnCall.flat("0min"), longer_than="20min")
    m = model.measures()
    assert _summary(res, "outages/yr") == pytest.approx(m.outages_per_year, rel=1e-9)
    assert _summary(res, "downtime (min/yr)") == pytest.approx(m.downtime_minutes_per_year,
                                                                rel=1e-9)
    assert _summary(res, "incidents/yr") == pytest.approx(m.incidents_per_year, rel=1e-9)
    assert _summary(res, "mean outage (min)") == pytest.approx(
        model.outage_duration().mean * 60, rel=1e-8)
    assert _summary(res, "outages > 20 min/yr") == pytest.approx(
        model.outages_longer_than("20min"), rel=1e-8)
    assert res.length_error_bound == 0.0
    # Failures and repairs do not depend on the hour: every hour alike.
    by = res.by_hour["outages/yr"].to_numpy()
    np.testing.assert_allclose(by, by.mean(), rtol=1e-9)


@pytest.mark.parametrize("stack", ["single_server.yaml", "ha_galera_drbd.yaml"])
def test_stack_without_response_matches_exact_measures(stack):
    s = hm.load_stack(stack)
    res = s.hour_of_day(hm.OnCall.flat("0min"))
    m = s.measures()
    assert _summary(res, "outages/yr") == pytest.approx(m.outages_per_year, rel=1e-9)
    assert _summary(res, "downtime (min/yr)") == pytest.approx(m.downtime_minutes_per_year,
                                                                rel=1e-9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", hm.ApproximationWarning)
        exact_mean = s.outage_duration().mean * 60
        exact_long = s.outages_longer_than("20min")
    # Lengths are those of the part that started the outage: a lower bound,
    # short by at most length_error_bound of the outages.
    bound = res.length_error_bound
    assert 0 < bound < 2e-3
    mean = _summary(res, "mean outage (min)")
    assert exact_mean * (1 - 2 * bound) <= mean <= exact_mean * (1 + 1e-9)
    assert _summary(res, "outages > 20 min/yr") == pytest.approx(exact_long, rel=2 * bound)


def test_flat_response_is_a_waiting_phase_before_the_repair():
    # Reference: the unit with an explicit waiting state, built by hand.
    r = 0.75  # hours
    by_hand = hm.CTMC.from_transitions(
        [("up", "waiting", 1 / (5 * 8766)), ("waiting", "working", 1 / r),
         ("working", "up", 1 / 4)], up=["up"], incidents=[("up", "waiting")])
    res = hm.hour_of_day(SERVER, hm.OnCall.flat(r))
    m = by_hand.measures()
    assert _summary(res, "downtime (min/yr)") == pytest.approx(m.downtime_minutes_per_year,
                                                                rel=1e-9)
    assert _summary(res, "outages/yr") == pytest.approx(m.outages_per_year, rel=1e-9)
    assert _summary(res, "mean outage (min)") == pytest.approx(60 * (4 + r), rel=1e-9)
    assert _summary(res, "outages > 20 min/yr") == pytest.approx(
        by_hand.outages_longer_than("20min"), rel=1e-9)
    assert _summary(res, "incidents/yr") == pytest.approx(m.incidents_per_year, rel=1e-9)


def test_traffic_weights_user_minutes():
    tp = hm.TrafficProfile.shipped("business")
    res = hm.hour_of_day(SERVER, hm.OnCall.flat("0min"), tp, users=200)
    t = res.by_hour_of_week
    # Without a schedule the downtime is spread evenly over the week.
    np.testing.assert_allclose(t["user-minutes/yr"], 200 * tp.weekly() * t["downtime (min/yr)"],
                               rtol=1e-12)
    assert _summary(res, "user-minutes/yr") == pytest.approx(
        200 * SERVER.measures().downtime_minutes_per_year, rel=1e-9)
    # An outage that starts at 03:00 runs into the morning peak; one at noon into
    # the afternoon: both are weighted by the traffic they actually meet.
    per = res.by_hour["user-minutes per outage"]
    assert per[12] > per[3]
    # User-minutes by the hour they are lost in and by the hour their outage began agree.
    total_by_start = float((t["user-minutes per outage"] * t["outages/yr"]).sum())
    assert total_by_start == pytest.approx(_summary(res, "user-minutes/yr"), rel=1e-8)


def test_costs_and_night_question():
    tp = hm.TrafficProfile.shipped("business")
    oc = hm.OnCall("Mon-Fri 09:00-17:00", response="15min", night_response="1h")
    res = hm.hour_of_day(SERVER, oc, tp, cost_per_hour=600)
    night, noon = res.between("00:00", "06:00"), res.between(12, 13)
    assert night["mean outage (min)"] > noon["mean outage (min)"]  # slower response
    assert night["cost per outage"] < noon["cost per outage"]     # but fewer users
    longs = night["outages > 20 min/yr"]
    assert night["P(an outage > 20 min in a year)"] == pytest.approx(1 - math.exp(-longs))
    assert _summary(res, "cost/yr") == pytest.approx(
        600 / 60 * _summary(res, "user-minutes/yr"), rel=1e-12)
    assert res.by_hour["outages/yr"].sum() == pytest.approx(_summary(res, "outages/yr"))
    assert "night outages > 20 min/yr" in res.summary.index
    assert "<table" in res._repr_html_() and "HourOfDay('server'" in repr(res)
    whole = res.between("00:00", "24:00")
    assert whole["outages/yr"] == pytest.approx(_summary(res, "outages/yr"))
    wrapped = res.between("22:00", "02:00")
    assert wrapped.name == "22:00-02:00"
    assert wrapped["outages/yr"] == pytest.approx(res.by_hour["outages/yr"].loc[[22, 23, 0, 1]].sum())


@pytest.mark.parametrize("kwargs, error, match", [
    ({"longer_than": "0min"}, ValueError, "longer_than"),
    ({"longer_than": "soon"}, ValueError, "soon"),
    ({"users": -1}, ValueError, "users = -1"),
    ({"cost_per_hour": 1, "cost_per_user_minute": 1}, ValueError, "not both"),
    ({"cost_per_hour": float("nan")}, ValueError, "cost_per_hour"),
    ({"cost_per_hour": 100, "users": 0}, ValueError, "users = 0 leaves nobody"),
    ({"oncall": "nights"}, TypeError, "hamodel.OnCall"),
    ({"traffic": [1] * 24}, TypeError, "TrafficProfile"),
])
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        hm.hour_of_day(SERVER, **kwargs)


def test_bad_between_and_model():
    res = hm.hour_of_day(SERVER)
    with pytest.raises(ValueError, match="empty range"):
        res.between(3, 3)
    with pytest.raises(ValueError, match="whole hour"):
        res.between("03:30", "05:00")
    with pytest.raises(TypeError, match="not a model"):
        hm.hour_of_day("server")
    big = hm.CTMC.from_transitions([(i, i + 1, 1.0) for i in range(700)]
                                   + [(i + 1, i, 2.0) for i in range(700)], up=[0])
    with pytest.raises(ValueError, match="701 states; hourly schedules"):
        hm.hour_of_day(big)


# ------------------------------------------------------------------ simulation reference
def _simulate_periodic(chain, response, threshold, horizon, rng):
    """Plain event-by-event simulation: manual moves wait for a person (168-hour `response`).

    The semantics of hm.OnCall written out for one path: in a state with manual
    work and nobody at work, a person arrives at rate 1 / response(hour); manual
    moves fire only while someone is at work, who stays while manual work is
    left. Returns the down intervals [(start, end), ...].
    """
    Q = chain.Q.toarray()
    np.fill_diagonal(Q, 0.0)
    n = Q.shape[0]
    manual = _periodic.manual_mask(chain, threshold)
    auto, work = np.where(manual, 0.0, Q), np.where(manual, Q, 0.0)
    needs = manual.any(axis=1)
    up = np.asarray(chain.up)
    state, person, t = int(np.argmax(chain.initial)), False, 0.0
    down_since, intervals = None, []
    while t < horizon:
        moves = auto[state] + (work[state] if person else 0.0)
        fixed = moves.sum()
        waiting = needs[state] and not person
        need = rng.exponential()
        while True:  # spend Exp(1) of hazard through hourly pieces
            call = 1.0 / max(response[int(t) % 168], 1e-9) if waiting else 0.0
            total = fixed + call
            left = math.floor(t) + 1.0 - t
            if total * left >= need:
                t += need / total
                break
            need -= total * left
            t = math.floor(t) + 1.0
        if rng.random() * total < call:
            person = True
            continue
        new = int(rng.choice(n, p=moves / fixed))
        person = person and bool(needs[new])
        if up[state] and not up[new]:
            down_since = t
        elif not up[state] and up[new] and down_since is not None:
            intervals.append((down_since, t))
            down_since = None
        state = new
    return intervals


def test_periodic_solution_agrees_with_simulation():
    # A unit that fails often, so that a seeded run sees thousands of outages.
    unit = hm.Component("unit", mtbf="60h", mttr="1h")
    oc = hm.OnCall("Mon-Fri 09:00-17:00", response="5min", night_response="2h",
                   weekend_response="3h")
    res = hm.hour_of_day(unit, oc, longer_than="90min")
    years = 40
    horizon = years * HOURS_PER_YEAR
    rng = np.random.default_rng(20261203)
    out = np.array(_simulate_periodic(unit.to_ctmc(), oc.response_hours(), oc.threshold,
                                      horizon, rng))
    start_hour = (out[:, 0] % 168).astype(int)
    length = out[:, 1] - out[:, 0]
    t = res.by_hour_of_week
    # Outages starting in business hours vs outside them: counts, mean length, long share.
    business = parse_business_hours(oc.business_hours)
    for name, hours in (("business", business), ("other", ~business)):
        sel = business[start_hour] if name == "business" else ~business[start_hour]
        n = sel.sum()
        expected_n = t.loc[hours, "outages/yr"].sum() * years
        assert abs(n - expected_n) < 4 * math.sqrt(expected_n), name
        mean = length[sel].mean() * 60
        expected_mean = (t.loc[hours, "mean outage (min)"] * t.loc[hours, "outages/yr"]).sum() \
            / t.loc[hours, "outages/yr"].sum()
        sd = length[sel].std() * 60 / math.sqrt(n)
        assert abs(mean - expected_mean) < 4 * sd, (name, mean, expected_mean)
        p = (length[sel] > 1.5).mean()
        expected_p = t.loc[hours, "outages > 90 min/yr"].sum() / t.loc[hours, "outages/yr"].sum()
        assert abs(p - expected_p) < 4 * math.sqrt(expected_p * (1 - expected_p) / n), name
    # Downtime in each block of 6 hours of the day, against the by-hour table.
    down = np.zeros(168)
    for a, b in out:
        h = math.floor(a)
        while a < b:
            edge = min(b, h + 1.0)
            down[h % 168] += edge - a
            a, h = edge, h + 1
    sim = down.reshape(7, 4, 6).sum(axis=(0, 2)) / years * 60
    exact = res.by_hour["downtime (min/yr)"].to_numpy().reshape(4, 6).sum(axis=1)
    np.testing.assert_allclose(sim, exact, rtol=0.08)
    # The night response shows: outages starting at 03:00 last longer than at 11:00.
    assert res.by_hour.loc[3, "mean outage (min)"] > 1.5 * res.by_hour.loc[11, "mean outage (min)"]


def test_series_of_patterns_agrees_with_simulation():
    node = hm.Component("node", mtbf="300h", mttr="3h")
    pair = hm.active_standby(node, failover="2min", coverage=0.8, manual_recovery="20min")
    web = hm.Component("web", mtbf="200h", mttr="1h")
    model = hm.series(pair, web)
    oc = hm.OnCall("Mon-Fri 08:00-18:00", response="10min", night_response="90min")
    res = hm.hour_of_day(model, oc, longer_than="20min")
    years = 30
    rng = np.random.default_rng(7)
    parts = [_simulate_periodic(b.to_ctmc(), oc.response_hours(), oc.threshold,
                                years * HOURS_PER_YEAR, rng) for b in model.blocks]
    # Union of the parts' down intervals: the system's outages.
    events = sorted([(a, 1) for p in parts for a, _ in p] + [(b, -1) for p in parts for _, b in p])
    outages, depth, since = [], 0, None
    for time_, step in events:
        if depth == 0 and step == 1:
            since = time_
        depth += step
        if depth == 0:
            outages.append((since, time_))
    out = np.array(outages)
    length = out[:, 1] - out[:, 0]
    n = len(out)
    expected_n = _summary(res, "outages/yr") * years
    assert abs(n - expected_n) < 4 * math.sqrt(expected_n)
    expected_mean = _summary(res, "mean outage (min)")
    assert abs(length.mean() * 60 - expected_mean) < 4 * length.std() * 60 / math.sqrt(n)
    p = (length > 1 / 3).mean()
    expected_p = _summary(res, "outages > 20 min/yr") / _summary(res, "outages/yr")
    assert abs(p - expected_p) < 4 * math.sqrt(expected_p * (1 - expected_p) / n)
    night = (out[:, 0] % 24) < 6
    expected_night = res.between(0, 6)["outages > 20 min/yr"] * years
    observed_night = int(((length > 1 / 3) & night).sum())
    assert abs(observed_night - expected_night) < 4 * math.sqrt(expected_night)


# ------------------------------------------------------------------ the chart
def test_plot_hour_of_day_draws_the_table():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    oc = hm.OnCall(weekend_response="2h")
    a = hm.hour_of_day(SERVER, oc, hm.TrafficProfile.shipped("consumer"), cost_per_hour=100)
    b = hm.hour_of_day(hm.active_standby(SERVER), oc, cost_per_hour=100)
    fig, ax = plt.subplots()
    before = plt.get_fignums()
    out = hm.plot_hour_of_day({"one": a, "pair": b}, ax=ax, column="cost per outage")
    assert out is ax and plt.get_fignums() == before
    steps = [p for p in ax.patches if type(p).__name__ == "StepPatch"]
    assert len(steps) == 2
    np.testing.assert_allclose(steps[0].get_data().values, a.by_hour["cost per outage"])
    np.testing.assert_allclose(steps[1].get_data().values, b.by_hour["cost per outage"])
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("night (00:00-06:00)" in t for t in labels)
    assert any(t.startswith("traffic (consumer") for t in labels)
    assert ax.get_title() and "hour of the day" in ax.get_xlabel()
    plt.close(fig)
    wrapped = hm.plot_hour_of_day(a, traffic=False, night=(22, 6))
    spans = [p.get_path().transformed(p.get_patch_transform()).vertices[:, 0]
             for p in wrapped.patches if type(p).__name__ in ("Polygon", "Rectangle")]
    shaded = sorted((float(x.min()), float(x.max())) for x in spans)
    assert shaded == [(0, 6), (22, 24)], shaded
    plt.close(wrapped.figure)
    default = hm.plot_hour_of_day(a, traffic=False, night=None)
    assert "outages > 20 min" in default.get_ylabel() and "per year" in default.get_ylabel()
    plt.close(default.figure)
    with pytest.raises(ValueError, match="column 'pages' is not in the results"):
        hm.plot_hour_of_day(a, column="pages")
    with pytest.raises(TypeError, match="expected hamodel.hour_of_day"):
        hm.plot_hour_of_day({"x": SERVER})
    with pytest.raises(ValueError, match="no results"):
        hm.plot_hour_of_day([])
    plt.close("all")


# ------------------------------------------------------------------ hm.simulate, same schedule
def test_simulate_with_the_same_schedule_agrees():
    parts = [hm.Component("lb", mtbf="150h", mttr="2h"),
             hm.Component("app", mtbf="80h", mttr="40min"),
             hm.Component("restart", mtbf="60h", mttr="3min")]  # automatic: never waits
    model = hm.series(*parts)
    oc = hm.OnCall("Mon-Fri 09:00-17:00", response="10min", night_response="90min",
                   weekend_response="3h")
    exact = hm.hour_of_day(model, oc, longer_than="1h")
    sim = hm.simulate(model, horizon="5y", runs=40, seed=11, oncall=oc)
    years = sim.total_time / HOURS_PER_YEAR
    starts, lengths = sim.outage_starts, sim.outage_durations
    n = starts.size
    assert abs(n / years - _summary(exact, "outages/yr")) < 4 * math.sqrt(n) / years
    assert sim.downtime.sum() / years * 60 == pytest.approx(
        _summary(exact, "downtime (min/yr)"), rel=0.05)
    hour = (starts % 168).astype(int)
    business = parse_business_hours(oc.business_hours)
    t = exact.by_hour_of_week
    for name, sel, hours in (("business", business[hour], business),
                             ("other", ~business[hour], ~business)):
        mean = lengths[sel].mean() * 60
        expected = (t.loc[hours, "mean outage (min)"] * t.loc[hours, "outages/yr"]).sum() \
            / t.loc[hours, "outages/yr"].sum()
        assert abs(mean - expected) < 4 * lengths[sel].std() * 60 / math.sqrt(sel.sum()), name
    night_long = ((starts % 24 < 6) & (lengths > 1)).sum()
    expected = exact.between(0, 6)["outages > 60 min/yr"] * years
    assert abs(night_long - expected) < 4 * math.sqrt(expected)


def test_simulate_flat_response_adds_to_each_repair():
    unit = hm.Component("u", mtbf="100h", mttr="2h")
    sim = hm.simulate(unit, horizon="10y", runs=20, seed=3, oncall=hm.OnCall.flat("30min"))
    lengths = sim.outage_durations[~sim.outage_censored]
    assert abs(lengths.mean() - 2.5) < 4 * lengths.std() / math.sqrt(lengths.size)
    plain = hm.simulate(unit, horizon="10y", runs=20, seed=3)
    assert plain.outage_starts.shape == plain.outage_durations.shape
    with pytest.raises(TypeError, match="expected a hamodel.OnCall"):
        hm.simulate(unit, oncall="nights")
