"""Tables of measures: one row per model, one column per measure of the catalogue.

:func:`compare` is the one place where measures become a table: designs side by
side, the parts of a stack (:meth:`hamodel.Stack.breakdown`), the read and
write service of replicas, a simulation beside the exact answer. The columns
come from the catalogue (:data:`hamodel.MEASURES`), which knows each
measure's label, unit and display digits, so every table and every plot
labels a measure the same way.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from .measures import DEFAULT_MEASURES, MEASURES, TIME_UNITS, Measure, latex_fit_width, measure
from .units import duration

__all__ = ["compare", "MeasureTable"]


class MeasureTable(pd.DataFrame):
    """A DataFrame of measures that shows itself with significant digits.

    The values are kept to full precision; only the display (text, HTML
    and LaTeX, hence notebooks and PDF reports) rounds them to ``digits``
    significant digits. :meth:`measure_of` tells which catalogue entry and
    unit a column holds, so that plots need not parse column headers.
    """

    _metadata = ["digits", "columns_measures", "time_unit"]

    @property
    def _constructor(self):
        return MeasureTable

    def measure_of(self, column) -> Measure:
        """The catalogue entry (:class:`~hamodel.Measure`) shown in `column`."""
        try:
            return self.columns_measures[column]
        except (AttributeError, KeyError, TypeError):
            raise KeyError(f"column {column!r} does not hold a measure of the catalogue") \
                from None

    def unit_of(self, column) -> str:
        """The unit of `column` as shown (``"min/yr"``, ``"h"``, ``"1/yr"``, ``""``)."""
        return self.measure_of(column).unit_of(getattr(self, "time_unit", None))

    def formatted(self) -> pd.DataFrame:
        """The table as text for display: each number to its significant digits.

        ``digits`` if the table has them, else each column's own
        (:attr:`Measure.digits`). Numbers from 1e-9 to 1e15 are written
        out in positional notation (``0.0000005591``, not ``5.591e-07``).
        """
        frame = pd.DataFrame(self)
        digits = getattr(self, "digits", None)
        measures = getattr(self, "columns_measures", None) or {}
        out = {}
        for column in frame.columns:
            spec = measures.get(column)
            d = digits if digits is not None else (spec.digits if spec is not None else 6)
            out[column] = [_shown(v, d) for v in frame[column]]
        return pd.DataFrame(out, index=frame.index)

    def __repr__(self) -> str:
        return repr(self.formatted())

    def _repr_html_(self) -> str:
        return self.formatted()._repr_html_()

    def _repr_latex_(self) -> str:
        # escape: labels such as "pair, 99 %"; fit: six measures are wider than the page
        return latex_fit_width(self.formatted().to_latex(escape=True))


def _shown(value, digits: int) -> str:
    """`value` to `digits` significant digits, positional where that stays readable."""
    import numpy as np

    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        return str(value)
    value = float(value)
    if value == 0.0 or not np.isfinite(value):
        return f"{value:g}"
    if 1e-9 <= abs(value) < 1e15:
        return np.format_float_positional(value, precision=digits, unique=False,
                                          fractional=False, trim="-")
    return f"{value:.{digits - 1}e}"


def compare(models, measures=None, *, time_unit: str | None = None, longer_than=None,
            digits: int | None = None) -> MeasureTable:
    """One row per model: frequency and duration side by side.

    Parameters
    ----------
    models : mapping of label to model, or sequence of models
        Anything with a ``measures()`` method (components, blocks, CTMCs, HA
        patterns, stacks, simulation results); a sequence is labelled by
        each model's ``name``.
    measures : sequence of str, optional
        Names from the catalogue (:data:`hamodel.MEASURES`) or of counted
        events (``"split_brain"``), in the order wanted. Default
        :data:`hamodel.DEFAULT_MEASURES`, then every event any model counts.
    time_unit : {"s", "min", "h", "d", "y"}, optional
        Show durations (mean outage, mean up time) in this unit and times
        per year (downtime, degraded time) in this unit per year. Default:
        each measure's own (mean outage in hours, downtime in minutes per
        year).
    longer_than : duration, optional
        Add a column with the outages per year that last longer than this,
        e.g. ``"20min"`` (from each model's outage-duration distribution).
    digits : int, optional
        Significant digits shown in notebooks, text and PDF reports, for
        every column; default each measure's own (seven for availability,
        four for the others). The values themselves are not rounded.

    Returns
    -------
    MeasureTable
        A DataFrame, index: the models' labels, one column per measure,
        headed with its unit (``"mean outage (h)"``, ``"outages/yr"``). A
        model that does not count an event shows 0 for it.

    Raises
    ------
    ValueError
        For a measure name that is neither in the catalogue, nor an event
        one of the models counts, nor one of the events hamodel's patterns
        count (``"split_brain"``, ``"fence_race"``, ...): a misspelt name
        is an error, not a column of zeros.

    Examples
    --------
    >>> import hamodel as hm
    >>> one = hm.Component("server", mtbf="5y", mttr="4h")
    >>> two = hm.parallel(one, one.renamed("server-2"))
    >>> table = hm.compare({"single": one, "pair": two})
    >>> list(table.columns[:3])
    ['availability', 'unavailability', 'outages/yr']
    >>> bool(table.loc["pair", "incidents/yr"] > table.loc["single", "incidents/yr"])
    True
    >>> hm.compare([one], ["mean_down_time", "downtime_per_year"], time_unit="min")
           mean outage (min) downtime (min/yr)
    design
    server               240                48
    """
    items = _items(models)
    if time_unit is not None and time_unit not in TIME_UNITS:
        raise ValueError(f"compare: time_unit = {time_unit!r}; expected one of "
                         f"{list(TIME_UNITS)}")
    if digits is not None and (isinstance(digits, bool) or not isinstance(digits, int)
                               or not 1 <= digits <= 17):
        raise ValueError(f"compare: digits = {digits!r}; expected a whole number from 1 to 17 "
                         "or None")
    computed = {label: _measures_of(label, model) for label, model in items}
    if measures is None:
        events = [e for m in computed.values() for e in m.events]
        names = list(DEFAULT_MEASURES) + list(dict.fromkeys(events))
    elif isinstance(measures, str):
        names = [measures]
    else:
        names = list(measures)
    counted = {e for m in computed.values() for e in m.events}
    unknown = [n for n in names if n not in MEASURES and n not in counted
               and n not in _PATTERN_EVENTS]
    if unknown:
        # A misspelt name would otherwise become a column of zeros.
        raise ValueError(f"compare: unknown measure(s) {unknown}: expected names from "
                         f"hamodel.MEASURES {list(MEASURES)}, an event these models count "
                         f"{sorted(counted)} or one of {list(_PATTERN_EVENTS)} "
                         "(outages longer than X: longer_than=X)")
    specs = [measure(name) for name in names]
    columns = {spec.header(time_unit): spec for spec in specs}
    rows = {label: [spec.value(m, time_unit) for spec in specs] for label, m in computed.items()}
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=list(columns))
    if longer_than is not None:
        hours = duration(longer_than)
        spec = Measure("outages_longer_than", f"Outages longer than {longer_than} per year",
                       f"outages > {longer_than}", "per_year")
        header = spec.header()
        frame[header] = [float(model.outages_longer_than(hours)) for _, model in items]
        columns[header] = spec
    frame.index.name = "design"
    return _table(frame, columns, digits, time_unit)


#: Events that hamodel's patterns count: asked of models that cannot have them, they are 0.
_PATTERN_EVENTS = ("failover", "uncovered_failure", "promotion", "split_brain", "fence_race",
                   "both_fenced", "fence_failure")


def _table(frame, columns, digits, time_unit) -> MeasureTable:
    table = MeasureTable(frame)
    table.columns_measures = dict(columns)
    table.digits = digits
    table.time_unit = time_unit
    return table


def _items(models) -> list:
    if isinstance(models, Mapping):
        items = list(models.items())
    elif hasattr(models, "measures") and not isinstance(models, (list, tuple)):
        items = [(models.name, models)]
    else:
        try:
            items = [(m.name, m) for m in models]
        except (TypeError, AttributeError):
            raise TypeError(f"compare: {models!r}: expected a mapping of label to model or a "
                            "sequence of models (each with a name and measures())") from None
    if not items:
        raise ValueError("compare: no models given")
    labels = [label for label, _ in items]
    if len(set(labels)) != len(labels):
        raise ValueError(f"compare: duplicate design labels {labels}")
    return items


def _measures_of(label, model):
    method = getattr(model, "measures", None)
    if not callable(method):
        raise TypeError(f"compare: {label!r} is {model!r}, not a model: expected an object "
                        "with a measures() method (a Component, block, CTMC, pattern, stack "
                        "or simulation result)")
    return method()
