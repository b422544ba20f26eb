"""Time units: every time in hamodel is in hours, every rate is per hour.

A year is 365.25 days (:data:`HOURS_PER_YEAR`), so that "per year" figures
do not depend on whether a leap year is meant.
"""

from __future__ import annotations

import math
import re
from datetime import timedelta
from numbers import Real

# Public: the unit of a year and the duration parser. The checkers (rate,
# probability, positive_duration, confidence_level) are for hamodel's own modules.
__all__ = ["HOURS_PER_YEAR", "MINUTES_PER_YEAR", "duration"]

#: Hours in a year of 365.25 days.
HOURS_PER_YEAR = 8766.0
#: Minutes in a year of 365.25 days.
MINUTES_PER_YEAR = HOURS_PER_YEAR * 60.0

_UNIT_HOURS = {
    "ms": 1.0 / 3_600_000.0,
    "s": 1.0 / 3600.0,
    "sec": 1.0 / 3600.0,
    "min": 1.0 / 60.0,
    "m": 1.0 / 60.0,
    "h": 1.0,
    "hr": 1.0,
    "d": 24.0,
    "w": 168.0,
    "y": HOURS_PER_YEAR,
    "yr": HOURS_PER_YEAR,
}
_ACCEPTED = "ms, s (or sec), min (or m), h (or hr), d, w, y (or yr)"
#: Words people write for a unit, and the unit hamodel wants instead.
_SPELLED_OUT = {
    "msec": "ms", "millisecond": "ms", "milliseconds": "ms",
    "secs": "s", "second": "s", "seconds": "s",
    "mins": "min", "minute": "min", "minutes": "min",
    "hrs": "h", "hour": "h", "hours": "h",
    "day": "d", "days": "d", "week": "w", "weeks": "w",
    "yrs": "y", "year": "y", "years": "y",
}
_PATTERN = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([a-zA-Z]+)\s*$")
_NUMBER_ONLY = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*$")


def duration(x: str | Real | timedelta) -> float:
    """Convert a duration to hours.

    Parameters
    ----------
    x : str, real number or datetime.timedelta
        A string made of a non-negative number and a unit: ``ms``, ``s``
        (or ``sec``), ``min`` (or ``m``), ``h`` (or ``hr``), ``d``, ``w`` or
        ``y`` (or ``yr``, 365.25 days), such as ``"90s"``, ``"20min"``,
        ``"4h"``, ``"2d"``, ``"1w"`` or ``"5y"``. Units are case-insensitive,
        except that ``"M"`` is refused: it reads as minutes or as months.
        Or a plain non-negative number, taken as hours; or a
        :class:`datetime.timedelta`.

    Returns
    -------
    float
        The duration in hours.

    Raises
    ------
    ValueError
        If the string is not a number followed by a known unit (the message
        lists the units), or the value is negative, infinite or NaN. The
        message names the input.
    TypeError
        If `x` is neither a string, a real number nor a timedelta.

    Examples
    --------
    >>> duration("90s")
    0.025
    >>> duration("20min"), duration("2d"), duration(4)
    (0.3333333333333333, 48.0, 4.0)
    >>> duration("5y") == 5 * HOURS_PER_YEAR
    True
    >>> from datetime import timedelta
    >>> duration(timedelta(minutes=30))
    0.5
    >>> duration("5 M")
    Traceback (most recent call last):
    ...
    ValueError: ambiguous duration '5 M': 'M' reads as minutes or as months; write '5min' for minutes (a month has no fixed length: write days, such as '30d')
    """
    if isinstance(x, bool):
        raise TypeError(f"duration {x!r}: expected a string such as '20min' or a number of hours")
    if isinstance(x, str):
        value = _parse(x)
    elif isinstance(x, timedelta):
        value = x.total_seconds() / 3600.0
    elif isinstance(x, Real):
        try:
            value = float(x)
        except OverflowError:  # an int beyond float range
            value = math.inf
    else:
        raise TypeError(
            f"duration {_show(x)} of type {type(x).__name__}: expected a string such as "
            "'20min', a number of hours or a datetime.timedelta"
        )
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"duration {_show(x)}: expected a finite, non-negative time")
    return value


def _show(x) -> str:
    """``repr(x)``, cut short for a one-line message."""
    text = repr(x)
    return text if len(text) <= 60 else text[:57] + "..."


def _parse(text: str) -> float:
    """Hours of a duration string; a ValueError says what is wrong and what is accepted."""
    match = _PATTERN.match(text)
    if match is not None:
        number, unit = match.groups()
        if unit == "M" or unit.lower() in ("mo", "mos", "month", "months"):
            raise ValueError(
                f"ambiguous duration {_show(text)}: {unit!r} reads as minutes or as months; "
                f"write '{number}min' for minutes (a month has no fixed length: write days, "
                "such as '30d')")
        if unit.lower() in _UNIT_HOURS:
            return float(number) * _UNIT_HOURS[unit.lower()]
        if unit.lower() in _SPELLED_OUT:
            raise ValueError(f"malformed duration {_show(text)}: write the unit as "
                             f"{_SPELLED_OUT[unit.lower()]!r}, such as "
                             f"'{number}{_SPELLED_OUT[unit.lower()]}'; units: {_ACCEPTED}")
    elif _NUMBER_ONLY.match(text):
        raise ValueError(f"malformed duration {_show(text)}: a number in a string needs a "
                         f"unit, such as '{text.strip()}s', '{text.strip()}min' or "
                         f"'{text.strip()}h'; units: {_ACCEPTED}")
    raise ValueError(f"malformed duration {_show(text)}: expected a non-negative number and "
                     f"a unit, such as '90s', '20min', '4h' or '5y'; units: {_ACCEPTED}")


def positive_duration(x: str | Real | timedelta, what: str = "duration") -> float:
    """Like :func:`duration`, but zero is refused too.

    Examples
    --------
    >>> positive_duration("4h", "mttr")
    4.0
    >>> positive_duration(0, "mttr")
    Traceback (most recent call last):
    ...
    ValueError: mttr = 0: expected a positive time
    """
    try:
        value = duration(x)
    except (ValueError, TypeError) as exc:
        raise type(exc)(f"{what}: {exc}") from None
    if value <= 0:
        raise ValueError(f"{what} = {x!r}: expected a positive time")
    return value


def rate(x: Real, what: str = "rate") -> float:
    """Check a rate per hour: a finite, positive real number.

    Examples
    --------
    >>> rate(0.5)
    0.5
    >>> rate(-1, "failure_rate")
    Traceback (most recent call last):
    ...
    ValueError: failure_rate = -1: expected a finite, positive rate per hour
    """
    if isinstance(x, bool) or not isinstance(x, Real):
        raise TypeError(f"{what} = {x!r}: expected a real number (per hour)")
    value = float(x)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{what} = {x!r}: expected a finite, positive rate per hour")
    return value


def probability(x: Real, what: str = "probability") -> float:
    """Check a probability: a real number in [0, 1].

    Examples
    --------
    >>> probability(0.95, "coverage")
    0.95
    >>> probability(1.5, "coverage")
    Traceback (most recent call last):
    ...
    ValueError: coverage = 1.5: expected a probability in [0, 1]
    """
    if isinstance(x, bool) or not isinstance(x, Real):
        raise TypeError(f"{what} = {x!r}: expected a real number in [0, 1]")
    value = float(x)
    if not (0.0 <= value <= 1.0):
        raise ValueError(f"{what} = {x!r}: expected a probability in [0, 1]")
    return value


def confidence_level(x: Real, what: str = "level") -> float:
    """Check a confidence level: a real number strictly between 0 and 1.

    Examples
    --------
    >>> confidence_level(0.95)
    0.95
    >>> confidence_level(95)
    Traceback (most recent call last):
    ...
    ValueError: level = 95: expected a confidence level in (0, 1), such as 0.95
    """
    if isinstance(x, bool) or not isinstance(x, Real):
        raise TypeError(f"{what} = {x!r}: expected a confidence level in (0, 1), such as 0.95")
    value = float(x)
    if not 0.0 < value < 1.0:
        raise ValueError(f"{what} = {x!r}: expected a confidence level in (0, 1), such as 0.95")
    return value
