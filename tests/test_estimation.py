"""Tests of hamodel.estimation: availability intervals and rates from an incident log."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2

import hamodel as hm

EXAMPLE = hm.data_file("incidents_example.csv")


# Trivedi, Probability and Statistics with Reliability, Queuing and Computer Science
# Applications, 2nd ed., Ex. 10.27 (/work/shared/reference/textbook-cases.md). The values
# are given to 12 digits, so 1e-9 relative leaves room only for the F quantile's own
# rounding.
@pytest.mark.parametrize("n, up, down, expected", [
    (1, 999.0, 1.0, (0.962427745665, 0.999974333966)),
    (10, 9990.0, 10.0, (0.997539119623, 0.999593994334)),
])
def test_trivedi_ex_10_27_availability_interval(n, up, down, expected):
    low, high = hm.availability_interval(n, up, down, level=0.95)
    assert low == pytest.approx(expected[0], rel=1e-9)
    assert high == pytest.approx(expected[1], rel=1e-9)
    assert isinstance(low, float) and isinstance(high, float)


def test_availability_interval_accepts_durations_and_widens_with_level():
    assert hm.availability_interval(1, "999h", "60min") == hm.availability_interval(1, 999, 1)
    lo95, hi95 = hm.availability_interval(3, "1y", "10h", 0.95)
    lo99, hi99 = hm.availability_interval(3, "1y", "10h", 0.99)
    assert lo99 < lo95 < hi95 < hi99


@pytest.mark.parametrize("args, message", [
    ((0, 100, 1), "n_failures = 0"),
    ((1.5, 100, 1), "n_failures = 1.5"),
    ((1, 0, 1), "up_time = 0"),
    ((1, 100, -1), "down_time"),
    ((1, 100, 1, 1.0), "level = 1.0"),
])
def test_availability_interval_rejects_bad_input(args, message):
    with pytest.raises(ValueError) as info:
        hm.availability_interval(*args)
    assert message in str(info.value)


def _log(rows):
    return pd.DataFrame(rows, columns=["component", "start", "end"])


def test_chi_square_intervals_by_hand():
    # Three outages of 1 h, 2 h and 3 h of "db" in a 1000 h window; the intervals are
    # written out from scipy.stats.chi2 (time-truncated test for the rate: 2n and 2n + 2
    # degrees of freedom; n complete repairs: 2n for the repair time).
    log = _log([("db", "2024-01-02 00:00", "2024-01-02 01:00"),
                ("db", "2024-01-10 00:00", "2024-01-10 02:00"),
                ("db", "2024-01-20 00:00", "2024-01-20 03:00")])
    row = hm.estimate_rates(log, observation=1000.0, level=0.9).loc["db"]
    n, y = 3, 6.0
    s = 1000.0 - y
    assert row["failures"] == n and row["up_h"] == s and row["down_h"] == y
    assert row["failure_rate"] == pytest.approx(n / s, rel=1e-15)
    assert row["failure_rate_low"] == pytest.approx(chi2.ppf(0.05, 2 * n) / (2 * s), rel=1e-12)
    assert row["failure_rate_high"] == pytest.approx(chi2.ppf(0.95, 2 * n + 2) / (2 * s),
                                                     rel=1e-12)
    assert row["mtbf_low_h"] == pytest.approx(2 * s / chi2.ppf(0.95, 2 * n + 2), rel=1e-12)
    assert row["mtbf_high_h"] == pytest.approx(2 * s / chi2.ppf(0.05, 2 * n), rel=1e-12)
    assert row["mttr_h"] == pytest.approx(2.0, rel=1e-15)
    assert row["mttr_low_h"] == pytest.approx(2 * y / chi2.ppf(0.95, 2 * n), rel=1e-12)
    assert row["mttr_high_h"] == pytest.approx(2 * y / chi2.ppf(0.05, 2 * n), rel=1e-12)
    assert (row["availability_low"], row["availability_high"]) == pytest.approx(
        hm.availability_interval(n, s, y, 0.9), rel=1e-15)
    assert row["availability"] == pytest.approx(s / 1000.0, rel=1e-15)
    assert row["outages_per_year"] == pytest.approx(3 / 1000 * hm.HOURS_PER_YEAR, rel=1e-15)


def test_observation_window_equals_its_duration_and_mapping():
    log = _log([("web", "2024-03-01 10:00", "2024-03-01 10:30"),
                ("db", "2024-06-01 00:00", "2024-06-01 02:00")])
    window = hm.estimate_rates(log, observation=("2024-01-01", "2025-01-01"))
    hours = hm.estimate_rates(log, observation=366 * 24)
    mapping = hm.estimate_rates(log, observation={"web": "366d", "db": 8784})
    pd.testing.assert_frame_equal(window, hours)
    pd.testing.assert_frame_equal(window, mapping)


def test_example_log_reads_and_its_intervals_cover_the_generating_values():
    # data/incidents_example.csv was drawn from the means stated in data/README.md;
    # a snapshot check of that file, not a statistical guarantee.
    table = hm.estimate_rates(EXAMPLE, observation=("2023-01-01", "2025-01-01"))
    assert list(table.index) == ["db1", "lb1", "web1", "web2"]
    assert table["failures"].sum() == len(pd.read_csv(EXAMPLE))
    truth = {"web1": (2190, 0.5), "web2": (2190, 0.5), "db1": (4383, 1.0), "lb1": (8766, 0.5)}
    for name, (mtbf, mttr) in truth.items():
        row = table.loc[name]
        assert row["mtbf_low_h"] <= mtbf <= row["mtbf_high_h"]
        assert row["mttr_low_h"] <= mttr <= row["mttr_high_h"]


@pytest.mark.parametrize("rows, kwargs, message", [
    ([("db", "2024-01-02 00:00", "2024-01-02 01:00")], {"start": "begin"},
     "missing column(s) ['begin']"),
    ([("db", "2024-01-02 00:00", "2024-01-02 01:00"),
      ("db", "2024-01-05 03:00", "2024-01-05 02:00")], {}, "row 2 ('db'): the outage ends"),
    ([("db", "2024-01-02 00:00", "2024-01-02 01:00"),
      ("web", "yesterday", "2024-01-05 02:00")], {},
     "row 2 ('web'), column 'start': cannot parse 'yesterday'"),
    ([("db", "2024-01-02 00:00", "2024-01-02 05:00"),
      ("db", "2024-01-02 03:00", "2024-01-02 06:00")], {},
     "rows 1 and 2: outages of 'db' overlap"),
    ([("db", "2023-12-31 23:00", "2024-01-01 01:00")],
     {"observation": ("2024-01-01", "2024-02-01")}, "row 1 ('db'): the outage is outside"),
    ([("db", "2024-01-02 00:00", "2024-01-02 01:00")], {"observation": {"web": "1y"}},
     "no entry for component 'db'"),
    ([("db", "2024-01-02 00:00", "2024-01-04 01:00")], {"observation": "1d"},
     "expected a longer observation"),
    ([], {}, "the log has no outages"),
])
def test_bad_logs_raise_errors_that_name_the_row(rows, kwargs, message):
    kwargs = {"observation": "1y", **kwargs}
    with pytest.raises(ValueError) as info:
        hm.estimate_rates(_log(rows), **kwargs)
    assert message in str(info.value)


def test_csv_errors_name_the_file(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("unit,start,end\ndb,2024-01-02 00:00,2024-01-02 01:00\n")
    with pytest.raises(ValueError, match=r"missing column\(s\) \['component'\]"):
        hm.estimate_rates(path, observation="1y")
    ok = hm.estimate_rates(path, component_column="unit", observation="1y")
    assert ok.index.tolist() == ["db"]
    with pytest.raises(ValueError, match="cannot read the incident log"):
        hm.estimate_rates(tmp_path / "missing.csv", observation="1y")


# ------------------------------------------------- malformed logs (issue 10, part 4)
@pytest.mark.parametrize("name", [np.nan, None, "", "   "], ids=["nan", "None", "empty", "blank"])
def test_missing_component_name_is_refused_naming_the_row(name):
    # A NaN name raised ZeroDivisionError (pandas 2) or TypeError (pandas 3) from deep inside.
    log = _log([("db", "2024-01-02 00:00", "2024-01-02 01:00"),
                (name, "2024-03-02 00:00", "2024-03-02 01:00")])
    with pytest.raises(ValueError, match=r"incident log, row 2, column 'component': the "
                                         r"component name is missing"):
        hm.estimate_rates(log, observation="1y")


def test_component_whose_outages_all_last_zero_is_refused():
    # Its MTTR interval came out as [0, 0] and its availability interval as [1, 1].
    log = _log([("db", "2024-01-02 00:00", "2024-01-02 01:00"),
                ("web", "2024-03-02 00:00", "2024-03-02 00:00"),
                ("web", "2024-05-02 00:00", "2024-05-02 00:00")])
    with pytest.raises(ValueError, match=r"row\(s\) 2, 3: every outage of 'web' lasts 0; the "
                                         r"log says nothing about its repair time"):
        hm.estimate_rates(log, observation="1y")


def test_zero_length_outage_beside_longer_ones_counts_as_a_failure():
    log = _log([("db", "2024-01-02 00:00", "2024-01-02 02:00"),
                ("db", "2024-03-02 00:00", "2024-03-02 00:00")])
    row = hm.estimate_rates(log, observation="1y").loc["db"]
    assert row["failures"] == 2 and row["mttr_h"] == pytest.approx(1.0)
    assert 0 < row["mttr_low_h"] < 1.0 < row["mttr_high_h"]
    assert row["availability_low"] < row["availability"] < row["availability_high"] < 1.0
