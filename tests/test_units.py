"""Tests of hamodel/units.py: durations in hours, rate and probability checks.

Expected values are the unit definitions themselves (1 s = 1/3600 h, a year of
365.25 days = 8766 h), so every comparison is exact or to one rounding.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

import numpy as np
import pytest

import hamodel as hm
from hamodel import units
from hamodel.units import positive_duration


# ------------------------------------------------------------------ constants
def test_hours_per_year_is_365_25_days():
    """A year is 365.25 days of 24 hours (STYLE.md convention)."""
    assert hm.HOURS_PER_YEAR == 8766.0
    assert hm.HOURS_PER_YEAR == 365.25 * 24
    assert isinstance(hm.HOURS_PER_YEAR, float)


def test_minutes_per_year():
    assert hm.MINUTES_PER_YEAR == 8766.0 * 60


# ------------------------------------------------------------ duration strings
@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("90s", 90 / 3600),
        ("20min", 20 / 60),
        ("4h", 4.0),
        ("2d", 48.0),
        ("1w", 168.0),
        ("5y", 5 * 8766.0),
        ("250ms", 0.25 / 3600),
        ("30sec", 30 / 3600),
        ("15m", 0.25),  # "m" is minutes, not months
        ("3hr", 3.0),
        ("2yr", 2 * 8766.0),
        ("0h", 0.0),
        (".5h", 0.5),
        ("1.5d", 36.0),
        ("1e3s", 1000 / 3600),
        ("2.5E-1h", 0.25),
    ],
)
def test_duration_string_units(text, hours):
    """Each unit is its definition in hours (1 min = 1/60 h, 1 w = 7 x 24 h, ...)."""
    assert hm.duration(text) == pytest.approx(hours, rel=1e-15, abs=0.0)


@pytest.mark.parametrize("text", ["4h", " 4h", "4h ", "  4h  ", "4 h", "\t4h\n", "4H", "4Hr"])
def test_duration_whitespace_and_case(text):
    """Surrounding and inner whitespace are ignored, units are case-insensitive."""
    assert hm.duration(text) == 4.0


@pytest.mark.parametrize(
    ("value", "hours"),
    [(4, 4.0), (0, 0.0), (2.5, 2.5), (np.float64(3.25), 3.25), (np.int64(7), 7.0),
     (Fraction(1, 4), 0.25)],
)
def test_duration_number_is_hours(value, hours):
    """A plain real number is already a time in hours."""
    result = hm.duration(value)
    assert result == hours
    assert type(result) is float


@pytest.mark.parametrize(
    "bad",
    ["", "   ", "h", "4", "4x", "4 hours", "four h", "-4h", "+4h", "4h4", "4.h", "inf h",
     "nan h", "1e999h"],
)
def test_duration_malformed_or_nonfinite_string_raises_value_error_naming_input(bad):
    """Not a number followed by a known unit, negative, or overflowing: ValueError.

    "4 hours" is refused: only the short units (ms, s/sec, min/m, h/hr, d, w, y/yr)
    are known. "4" (no unit) is refused in a string, although the number 4 is hours.
    """
    with pytest.raises(ValueError, match=re.escape(repr(bad))):
        hm.duration(bad)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, -4, -0.5, -1e-300])
def test_duration_bad_number_raises_value_error_naming_input(bad):
    with pytest.raises(ValueError, match=re.escape(repr(bad))):
        hm.duration(bad)


@pytest.mark.parametrize("bad", [None, [4], ["4h"], (4,), {"h": 4}, True, False, b"4h", 1 + 2j])
def test_duration_wrong_type_raises_type_error(bad):
    """bool is refused although it is an int: True hours is a bug, not a time."""
    with pytest.raises(TypeError, match=re.escape(repr(bad))):
        hm.duration(bad)


def test_positive_duration_refuses_zero_and_names_the_parameter():
    assert positive_duration("4h", "mttr") == 4.0
    with pytest.raises(ValueError, match="mttr"):
        positive_duration(0, "mttr")
    with pytest.raises(ValueError, match=r"mttr.*'-4h'"):
        positive_duration("-4h", "mttr")
    with pytest.raises(TypeError, match="mttr"):
        positive_duration(None, "mttr")


# ----------------------------------------------------------------------- rate
@pytest.mark.parametrize("value", [1e-12, 0.001, 1, 360.0, np.float64(2.5), Fraction(1, 3)])
def test_rate_accepts_finite_positive_numbers(value):
    assert units.rate(value) == float(value)
    assert type(units.rate(value)) is float


@pytest.mark.parametrize("bad", [0, 0.0, -1, -1e-9, math.nan, math.inf, -math.inf])
def test_rate_refuses_non_positive_or_non_finite_with_value_error(bad):
    with pytest.raises(ValueError, match=r"failure_rate = " + re.escape(repr(bad))):
        units.rate(bad, "failure_rate")


@pytest.mark.parametrize("bad", [None, "0.1", True, [0.1]])
def test_rate_refuses_non_numbers_with_type_error(bad):
    with pytest.raises(TypeError, match="repair_rate"):
        units.rate(bad, "repair_rate")


# ---------------------------------------------------------------- probability
@pytest.mark.parametrize("value", [0, 0.0, 0.95, 1, 1.0, np.float64(0.5), Fraction(1, 3)])
def test_probability_accepts_closed_unit_interval(value):
    assert units.probability(value) == float(value)


@pytest.mark.parametrize("bad", [-1e-12, -0.1, 1.0000001, 1.5, math.nan, math.inf])
def test_probability_refuses_values_outside_unit_interval(bad):
    with pytest.raises(ValueError, match=r"coverage = " + re.escape(repr(bad))):
        units.probability(bad, "coverage")


@pytest.mark.parametrize("bad", [None, "0.5", True, False, [0.5]])
def test_probability_refuses_non_numbers_with_type_error(bad):
    with pytest.raises(TypeError, match="coverage"):
        units.probability(bad, "coverage")


# ------------------------------------------------- odd duration strings (issue 10, part 4)
@pytest.mark.parametrize("text", ["5 M", "5M", "5mo", "2 months", "1 Month"])
def test_duration_refuses_capital_m_and_months_as_ambiguous(text):
    # "5 M" was read as 5 minutes; in a stack file it may well have meant months.
    with pytest.raises(ValueError, match=rf"ambiguous duration {re.escape(repr(text))}: .* "
                                         "minutes or as months"):
        hm.duration(text)


@pytest.mark.parametrize("text", ["5m", "5min", "5 MIN", "5Min"])
def test_duration_lower_case_m_and_min_are_minutes(text):
    assert hm.duration(text) == pytest.approx(5 / 60, rel=1e-15)


@pytest.mark.parametrize("text", ["4x", "4 fortnights", "four h", "4h4", "1,5h", "4.h", "", "-4h"])
def test_duration_error_lists_the_accepted_units(text):
    with pytest.raises(ValueError) as info:
        hm.duration(text)
    message = str(info.value)
    assert repr(text) in message
    assert "units: ms, s (or sec), min (or m), h (or hr), d, w, y (or yr)" in message


@pytest.mark.parametrize("text, unit", [("4 hours", "h"), ("30 minutes", "min"),
                                        ("2days", "d"), ("10 secs", "s"), ("1 year", "y")])
def test_duration_spelled_out_unit_names_the_short_one(text, unit):
    number = re.match(r"\d+", text).group()
    with pytest.raises(ValueError, match=f"write the unit as {unit!r}, such as "
                                         f"'{number}{unit}'"):
        hm.duration(text)


def test_duration_number_in_a_string_asks_for_a_unit():
    with pytest.raises(ValueError, match=r"'60': a number in a string needs a unit, such as "
                                         r"'60s', '60min' or '60h'"):
        hm.duration("60")


def test_duration_of_an_int_beyond_float_range_is_a_value_error():
    # float(10**400) raised OverflowError.
    with pytest.raises(ValueError, match="expected a finite, non-negative time"):
        hm.duration(10**400)


def test_duration_accepts_a_timedelta():
    from datetime import timedelta

    assert hm.duration(timedelta(minutes=20)) == pytest.approx(1 / 3, rel=1e-15)
    with pytest.raises(ValueError, match="non-negative"):
        hm.duration(timedelta(hours=-1))


def test_duration_message_cuts_a_long_input():
    with pytest.raises(ValueError) as info:
        hm.duration("9" * 10_000 + "parsecs")
    assert len(str(info.value)) < 300
