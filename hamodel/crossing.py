"""Break-even points: where one design stops being better than another.

A ranking of two designs usually holds over a range of some input (a link's
MTBF, a fence's failure probability, a repair time) and flips at one value of
it. :func:`crossover` finds that value: the root, in the input, of the design's
measure minus the reference's, bracketed by the range the caller gives and
refined with Brent's method. :func:`crossover_table` does it for several
designs and measures at once and says, where there is no root in the range,
on which side of the reference the design stays.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

__all__ = ["NoCrossover", "crossover", "crossover_table"]

#: The measure name that means "outages per year longer than `longer_than`".
LONGER_THAN = "outages_longer_than"


class NoCrossover(ValueError):
    """The design and the reference do not cross in the range searched.

    Attributes
    ----------
    side : {"above", "below"}
        Where the design's measure stays relative to the reference's over the
        range (judged at its two ends).
    gaps : tuple of float
        The design's value minus the reference's at the low and the high end.
    """

    def __init__(self, message: str, side: str, gaps: tuple):
        super().__init__(message)
        self.side = side
        self.gaps = gaps


def _header(name: str, longer_than) -> str:
    from .measures import measure

    if name == LONGER_THAN:
        return f"outages > {longer_than}/yr"
    return measure(name).header()


def _evaluator(measure, longer_than) -> Callable:
    """A function model -> float for `measure` (a name or a callable)."""
    if callable(measure):
        return lambda model: float(measure(model))
    if measure == LONGER_THAN:
        if longer_than is None:
            raise ValueError(f"crossover: measure {LONGER_THAN!r} needs longer_than= "
                             "(a duration such as '20min')")
        return lambda model: float(model.outages_longer_than(longer_than))
    from .measures import MEASURES
    from .measures import measure as spec_of
    from .tables import _PATTERN_EVENTS

    spec = spec_of(measure)  # raises for a name that cannot be a measure

    def value(model):
        computed = model.measures()
        if measure not in MEASURES and measure not in computed.events \
                and measure not in _PATTERN_EVENTS:
            # A misspelt event name would otherwise be a silent zero.
            raise ValueError(f"crossover: unknown measure {measure!r}: expected a name from "
                             f"hamodel.MEASURES {list(MEASURES)} or an event the model counts "
                             f"{sorted(computed.events)}")
        return spec.value(computed)

    return value


def _check_range(lo, hi, log: bool) -> tuple[float, float]:
    for name, value in (("lo", lo), ("hi", hi)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not math.isfinite(value):
            raise ValueError(f"crossover: {name} = {value!r}; expected a finite number")
    if not lo < hi:
        raise ValueError(f"crossover: lo = {lo!r} must be less than hi = {hi!r}")
    if log and lo <= 0:
        raise ValueError(f"crossover: lo = {lo!r}; a search with log=True needs lo > 0")
    return float(lo), float(hi)


def crossover(build, measure, lo, hi, *, reference, longer_than=None, log=False,
               rtol=1e-9) -> float:
    """The value of a parameter at which a design equals a reference on a measure.

    Finds `x` in ``[lo, hi]`` where ``measure(build(x)) == measure(reference)``
    by bracketing (the difference must change sign between `lo` and `hi`) and
    Brent's method (:func:`scipy.optimize.brentq`).

    Parameters
    ----------
    build : callable
        ``build(x) -> model``: the design with the parameter set to `x`
        (anything with ``measures()``; with ``outages_longer_than()`` too for
        that measure).
    measure : str or callable
        A name from :data:`hamodel.MEASURES` (``"downtime_per_year"``), a
        counted event (``"split_brain"``), ``"outages_longer_than"`` (with
        `longer_than`), or a function ``model -> float``.
    lo, hi : float
        The range searched, ``lo < hi``, in the parameter's own unit.
    reference : model or float
        The design to break even with, or the value of the measure to reach
        (in the measure's display unit, as :func:`hamodel.compare` shows it:
        downtime in minutes per year).
    longer_than : duration, optional
        For ``measure="outages_longer_than"``, e.g. ``"20min"``.
    log : bool, default False
        Search in ``log10(x)`` (``lo > 0``): better when the range spans
        decades.
    rtol : float, default 1e-9
        Tolerance of the root: relative to `x`, or in ``log10(x)`` with
        `log`.

    Returns
    -------
    float
        The break-even value of the parameter. If the difference changes sign
        more than once in the range, one of the crossings; narrow the range to
        choose.

    Raises
    ------
    NoCrossover
        (a ``ValueError``) If the design is above (or below) the reference at
        both ends of the range: its ``side`` says which, and the message
        gives both values.
    ValueError
        For a range that is not ``lo < hi`` (or ``lo <= 0`` with `log`), or an
        unknown measure name.

    Examples
    --------
    One server against another that fails twice as often: the first has as
    much downtime when its repair takes twice as long.

    >>> import hamodel as hm
    >>> other = hm.Component("other", mtbf="1y", mttr="4h")
    >>> mttr = hm.crossover(lambda h: hm.Component("one", mtbf="2y", mttr=h),
    ...                      "downtime_per_year", 1.0, 24.0, reference=other)
    >>> round(mttr, 6)
    8.0
    >>> hm.crossover(lambda h: hm.Component("one", mtbf="2y", mttr=h),
    ...               "downtime_per_year", 1.0, 6.0, reference=other)
    Traceback (most recent call last):
    ...
    hamodel.crossing.NoCrossover: crossover: no crossing between lo = 1 and hi = 6: ...
    """
    from scipy.optimize import brentq

    lo, hi = _check_range(lo, hi, log)
    value = _evaluator(measure, longer_than)
    if isinstance(reference, (int, float)) and not isinstance(reference, bool):
        target = float(reference)
    elif hasattr(reference, "measures"):
        target = value(reference)
    else:
        raise TypeError(f"crossover: reference = {reference!r}; expected a model (with "
                        "measures()) or a number")
    if not callable(build):
        raise TypeError(f"crossover: build = {build!r}; expected a function x -> model")

    def to_x(u):
        return 10.0 ** u if log else u

    def gap(u):
        return value(build(to_x(u))) - target

    a, b = (math.log10(lo), math.log10(hi)) if log else (lo, hi)
    g_a, g_b = gap(a), gap(b)
    if g_a == 0.0:
        return lo
    if g_b == 0.0:
        return hi
    if (g_a > 0) == (g_b > 0):
        side = "above" if g_a > 0 else "below"
        name = measure if isinstance(measure, str) else getattr(measure, "__name__", "measure")
        raise NoCrossover(
            f"crossover: no crossing between lo = {lo:g} and hi = {hi:g}: the design's "
            f"{name} is {side} the reference's ({target:.4g}) at both ends "
            f"({target + g_a:.4g} and {target + g_b:.4g}); widen the range or compare "
            "other designs", side, (g_a, g_b))
    xtol = rtol if log else rtol * max(abs(a), abs(b))
    return float(to_x(brentq(gap, a, b, xtol=xtol, rtol=max(rtol, 4 * 2.2e-16))))


def crossover_table(builds, measures, lo, hi, *, reference, longer_than=None, log=False,
                     rtol=1e-9):
    """Break-even values of several designs on several measures, as a table.

    Parameters
    ----------
    builds : mapping of label to callable
        ``{label: build}``, each ``build(x) -> model`` as for
        :func:`crossover`.
    measures : sequence of str
        Measure names as for :func:`crossover`.
    lo, hi, reference, longer_than, log, rtol
        As for :func:`crossover`.

    Returns
    -------
    pandas.DataFrame
        One row per design, one column per measure (headed as in
        :func:`hamodel.compare`: ``"downtime (min/yr)"``). Each cell is the
        break-even value (a float) or, where there is none in the range, the
        string ``"above"`` or ``"below"``: the side of the reference the
        design stays on.

    Examples
    --------
    >>> import hamodel as hm
    >>> other = hm.Component("other", mtbf="1y", mttr="4h")
    >>> builds = {"2 y MTBF": lambda h: hm.Component("a", mtbf="2y", mttr=h),
    ...           "8 y MTBF": lambda h: hm.Component("b", mtbf="8y", mttr=h)}
    >>> hm.crossover_table(builds, ["downtime_per_year"], 1.0, 24.0,
    ...                     reference=other).map(
    ...     lambda v: v if isinstance(v, str) else round(v, 3))
             downtime (min/yr)
    2 y MTBF               8.0
    8 y MTBF             below
    """
    import pandas as pd

    if not isinstance(builds, Mapping) or not builds:
        raise TypeError(f"crossover_table: builds = {builds!r}; expected a non-empty "
                        "mapping of label to build function")
    names = [measures] if isinstance(measures, str) else list(measures)
    rows = {}
    for label, build in builds.items():
        row = {}
        for name in names:
            try:
                row[_header(name, longer_than)] = crossover(
                    build, name, lo, hi, reference=reference, longer_than=longer_than,
                    log=log, rtol=rtol)
            except NoCrossover as none:
                row[_header(name, longer_than)] = none.side
        rows[label] = row
    return pd.DataFrame.from_dict(rows, orient="index", dtype=object)
