"""Frequency-and-duration measures of a repairable system in steady state."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

from .units import HOURS_PER_YEAR, MINUTES_PER_YEAR

__all__ = ["MEASURES", "Measure", "Measures"]

#: Display units of time and their length in hours.
TIME_UNITS = MappingProxyType({"s": 1.0 / 3600.0, "min": 1.0 / 60.0, "h": 1.0, "d": 24.0,
                               "y": HOURS_PER_YEAR})


@dataclass(frozen=True)
class Measure:
    """One entry of the catalogue of measures: what it is and how it is shown.

    Attributes
    ----------
    name : str
        Its name: the attribute of :class:`Measures` that holds it, in
        hours, per hour or per year (``"mean_down_time"``,
        ``"downtime_per_year"``), or the event's name for counted events
        (``"split_brain"``).
    label : str
        A sentence-case label for tables with one row per measure.
    column : str
        A short label for a column, without the unit (``"mean outage"``).
    kind : str
        How the value scales with the display unit of time:
        ``"share"`` (a share of time, no unit), ``"per_year"`` (events per
        year), ``"per_hour"`` (events per hour), ``"duration"`` (hours,
        shown in the chosen unit of time) or ``"time_per_year"`` (hours per
        year, shown in the chosen unit per year).
    unit : str
        The unit of time it is shown in by default, for the two time kinds
        (``"h"``, ``"min"``); empty for the others.
    digits : int
        Significant digits shown by default.

    Examples
    --------
    >>> MEASURES["downtime_per_year"].header()
    'downtime (min/yr)'
    >>> MEASURES["mean_down_time"].header("min"), MEASURES["outages_per_year"].header()
    ('mean outage (min)', 'outages/yr')
    """

    name: str
    label: str
    column: str
    kind: str
    unit: str = ""
    digits: int = 4

    def unit_of(self, time_unit: str | None = None) -> str:
        """The unit the values are shown in: ``"min/yr"``, ``"h"``, ``"1/yr"``, ``""``."""
        if self.kind in ("duration", "time_per_year"):
            unit = _time_unit(time_unit) if time_unit is not None else self.unit
            return unit if self.kind == "duration" else f"{unit}/yr"
        return {"per_year": "1/yr", "per_hour": "1/h"}.get(self.kind, "")

    def header(self, time_unit: str | None = None) -> str:
        """The column header: the short label and its unit."""
        unit = self.unit_of(time_unit)
        if self.kind == "per_year":
            return f"{self.column}/yr"
        if self.kind == "per_hour":
            return f"{self.column}/h"
        return f"{self.column} ({unit})" if unit else self.column

    def scale(self, time_unit: str | None = None) -> float:
        """Factor from the stored value (hours, per hour, per year) to the shown one."""
        if self.kind in ("duration", "time_per_year"):
            unit = _time_unit(time_unit) if time_unit is not None else self.unit
            return 1.0 / TIME_UNITS[unit]
        return 1.0

    def value(self, measures: "Measures", time_unit: str | None = None) -> float:
        """This measure of `measures`, in its display unit."""
        if self.name in MEASURES:
            raw = getattr(measures, self.name)
        else:
            raw = measures.events.get(self.name, 0.0)
        return float(raw) * self.scale(time_unit)


def _time_unit(unit) -> str:
    if unit not in TIME_UNITS:
        raise ValueError(f"time_unit = {unit!r}: expected one of {list(TIME_UNITS)}")
    return unit


#: The catalogue of measures, in the order a reader wants them (see :class:`Measure`).
MEASURES = MappingProxyType({m.name: m for m in (
    Measure("availability", "Availability", "availability", "share", digits=7),
    Measure("unavailability", "Unavailability", "unavailability", "share"),
    Measure("outages_per_year", "Outages per year", "outages", "per_year"),
    Measure("mean_down_time", "Mean outage duration", "mean outage", "duration", "h"),
    Measure("downtime_per_year", "Downtime per year", "downtime", "time_per_year", "min"),
    Measure("mean_up_time", "Mean time between outages (up time)", "mean up time",
            "duration", "h"),
    Measure("failure_frequency", "System failure frequency", "failures", "per_hour"),
    Measure("incidents_per_year", "Component incidents per year", "incidents", "per_year"),
    Measure("degraded_fraction", "Time up with redundancy lost", "time degraded", "share"),
    Measure("degraded_per_year", "Hours up with redundancy lost per year", "degraded",
            "time_per_year", "h"),
)})

#: What :func:`hamodel.compare` shows by default (events are added after them).
DEFAULT_MEASURES = ("availability", "unavailability", "outages_per_year", "mean_down_time",
                    "downtime_per_year", "incidents_per_year", "degraded_fraction")


def measure(name: str) -> Measure:
    """The catalogue entry of a measure, or of a counted event by its name.

    Examples
    --------
    >>> measure("split_brain").header()
    'split brain/yr'
    >>> measure("Outages")
    Traceback (most recent call last):
    ...
    ValueError: unknown measure 'Outages': expected one of the catalogue (availability, ...) or the name of a counted event (lower case with underscores)
    """
    if not isinstance(name, str):
        raise TypeError(f"measure {name!r}: expected a name such as 'mean_down_time'")
    if name in MEASURES:
        return MEASURES[name]
    if re.fullmatch(r"[a-z][a-z0-9_]*", name) and not name.endswith("_per_year"):
        words = name.replace("_", " ")
        return Measure(name, f"{words.capitalize()} per year", words, "per_year")
    raise ValueError(f"unknown measure {name!r}: expected one of the catalogue "
                     f"({', '.join(list(MEASURES)[:1])}, ...) or the name of a counted "
                     "event (lower case with underscores)")


@dataclass(frozen=True)
class Measures:
    """Steady-state availability, frequency and duration of outages.

    Build it with :meth:`from_rates`; every other field follows from the
    inputs, so the fields never contradict each other.

    Attributes
    ----------
    availability, unavailability : float
        Long-run share of time the system is up / down. The unavailability is
        computed directly (not as ``1 - availability``) so that it keeps its
        digits when it is tiny.
    failure_frequency : float
        System failures (up -> down transitions) per hour.
    outages_per_year : float
        ``failure_frequency * HOURS_PER_YEAR``.
    mean_up_time, mean_down_time : float
        Mean length of an up period and of an outage, in hours
        (``A / f`` and ``U / f``). With no outages at all they are ``inf``
        and ``0``.
    downtime_minutes_per_year : float
        ``unavailability * MINUTES_PER_YEAR``.
    incidents_per_year : float
        Component failures per year, whether redundancy masked them or not:
        the pages the on-call team receives.
    degraded_fraction : float
        Share of time the system is up but some component is failed.
    events : Mapping[str, float]
        Other counted events per year, such as ``"split_brain"``.

    Examples
    --------
    >>> m = Measures.from_rates(availability=0.99, unavailability=0.01,
    ...                         failure_frequency=0.001)
    >>> m.mean_down_time, round(m.outages_per_year, 3)
    (10.0, 8.766)
    """

    availability: float
    unavailability: float
    failure_frequency: float
    outages_per_year: float
    mean_up_time: float
    mean_down_time: float
    downtime_minutes_per_year: float
    incidents_per_year: float
    degraded_fraction: float
    events: Mapping[str, float] = field(default_factory=dict)

    @classmethod
    def from_rates(
        cls,
        availability: float,
        unavailability: float,
        failure_frequency: float,
        incidents_per_year: float | None = None,
        degraded_fraction: float = 0.0,
        events: Mapping[str, float] | None = None,
    ) -> "Measures":
        """Derive every measure from A, U, the failure frequency and counts.

        Parameters
        ----------
        availability, unavailability : float
            Share of time up and down; they must sum to 1 within 1e-9.
        failure_frequency : float
            System failures per hour.
        incidents_per_year : float, optional
            Component failures per year; defaults to the system's outages
            per year (a model that knows of no components below it).
        degraded_fraction : float
            Share of time up with some component failed.
        events : mapping, optional
            Other events per year, by name.
        """
        values = {
            "availability": availability,
            "unavailability": unavailability,
            "failure_frequency": failure_frequency,
            "degraded_fraction": degraded_fraction,
        }
        for name, value in values.items():
            if not math.isfinite(value) or value < -1e-12:
                raise ValueError(f"{name} = {value!r}: expected a finite, non-negative number")
        if abs(availability + unavailability - 1.0) > 1e-9:
            raise ValueError(
                f"availability {availability!r} and unavailability {unavailability!r} "
                "do not sum to 1"
            )
        availability = min(max(availability, 0.0), 1.0)
        unavailability = min(max(unavailability, 0.0), 1.0)
        failure_frequency = max(failure_frequency, 0.0)
        outages = failure_frequency * HOURS_PER_YEAR
        if failure_frequency > 0:
            mut = availability / failure_frequency
            mdt = unavailability / failure_frequency
        else:
            mut, mdt = math.inf, 0.0
        if incidents_per_year is None:
            incidents_per_year = outages
        if not math.isfinite(incidents_per_year) or incidents_per_year < 0:
            raise ValueError(
                f"incidents_per_year = {incidents_per_year!r}: expected a finite, "
                "non-negative number"
            )
        events = MappingProxyType(dict(events or {}))
        return cls(
            availability=float(availability),
            unavailability=float(unavailability),
            failure_frequency=float(failure_frequency),
            outages_per_year=float(outages),
            mean_up_time=float(mut),
            mean_down_time=float(mdt),
            downtime_minutes_per_year=float(unavailability * MINUTES_PER_YEAR),
            incidents_per_year=float(incidents_per_year),
            degraded_fraction=float(min(max(degraded_fraction, 0.0), 1.0)),
            events=events,
        )

    @property
    def downtime_per_year(self) -> float:
        """Hours down per year, ``unavailability * HOURS_PER_YEAR``."""
        return self.unavailability * HOURS_PER_YEAR

    @property
    def degraded_per_year(self) -> float:
        """Hours up with redundancy lost per year, ``degraded_fraction * HOURS_PER_YEAR``."""
        return self.degraded_fraction * HOURS_PER_YEAR

    @property
    def split_brain_per_year(self) -> float | None:
        """Split-brain events per year, or None for models that cannot split."""
        value = self.events.get("split_brain")
        return None if value is None else float(value)

    @property
    def summary(self):
        """The measures as a pandas DataFrame (index: measure; value, unit).

        One row per measure of the catalogue (:data:`MEASURES`) that is a
        field of this object, then one per counted event.
        """
        import pandas as pd

        rows = [(m.label, m.value(self), m.unit_of()) for m in self._catalogue()]
        frame = pd.DataFrame(rows, columns=["measure", "value", "unit"])
        return frame.set_index("measure")

    def _catalogue(self) -> list:
        shown = [m for name, m in MEASURES.items() if name in SUMMARY_MEASURES]
        return shown + [measure(name) for name in self.events]

    def as_dict(self) -> dict:
        """The fields as a flat dict (events as ``<name>_per_year``)."""
        out = {name: getattr(self, name) for name in _FIELDS}
        out.update({f"{name}_per_year": value for name, value in self.events.items()})
        return out

    def _repr_html_(self) -> str:
        return self.summary.to_html(float_format=plain_number)

    def _repr_latex_(self) -> str:
        lines = [r"\begin{tabular}{lrl}", r"\hline", r"measure & value & unit \\", r"\hline"]
        for label, (value, unit) in self.summary.iterrows():
            lines.append(f"{latex_text(label)} & {_latex_number(value)} & {latex_text(unit)} \\\\")
        lines += [r"\hline", r"\end{tabular}"]
        return "\n".join(lines)

    def __repr__(self) -> str:
        parts = ", ".join(f"{name}={getattr(self, name):.6g}" for name in _FIELDS)
        return f"Measures({parts})"


#: The measures of :attr:`Measures.summary`, in order.
SUMMARY_MEASURES = ("availability", "unavailability", "outages_per_year", "mean_down_time",
            "downtime_per_year", "mean_up_time", "failure_frequency", "incidents_per_year",
            "degraded_fraction")
# The numeric fields of Measures.
_FIELDS = ("availability", "unavailability", "outages_per_year", "mean_down_time",
           "downtime_minutes_per_year", "mean_up_time", "failure_frequency",
           "incidents_per_year", "degraded_fraction")


_LATEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                  "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
                  "^": r"\textasciicircum{}"}


def latex_text(text) -> str:
    """`text` with LaTeX's special characters escaped, for the tables of a PDF report.

    A design label such as ``"pair, 99 %"`` would otherwise start a comment and
    swallow the rest of its table row.

    Examples
    --------
    >>> print(latex_text("pair, 99 % & more_x"))
    pair, 99 \\% \\& more\\_x
    """
    return re.sub(r"[\\&%$#_{}~^]", lambda m: _LATEX_SPECIAL[m.group()], str(text))


def latex_fit_width(tabular: str) -> str:
    r"""`tabular` shrunk to the text width when it is wider, for the tables of a PDF report.

    LaTeX measures the table and scales it down (graphicx's ``\resizebox``)
    only if it is wider than ``\linewidth``; a narrow table is left as it
    is. Without it a table of six measures ran off the page and lost its
    last column.

    Examples
    --------
    >>> print(latex_fit_width(r"\begin{tabular}{l}x\end{tabular}"))
    \begingroup\setbox0=\hbox{\begin{tabular}{l}x\end{tabular}}%
    \ifdim\wd0>\linewidth\resizebox{\linewidth}{!}{\usebox0}\else\usebox0\fi\endgroup
    """
    return ("\\begingroup\\setbox0=\\hbox{" + tabular.strip() + "}%\n"
            "\\ifdim\\wd0>\\linewidth\\resizebox{\\linewidth}{!}{\\usebox0}"
            "\\else\\usebox0\\fi\\endgroup")


def plain_number(value: float, digits: int = 6) -> str:
    """`value` to `digits` significant figures, written out without an exponent.

    The tables that notebooks and reports show use it: ``9.12534e-05`` reads as
    ``0.0000912534``. A value just below 1 (an availability) keeps enough
    decimals to show `digits` figures of its distance from 1, so that it agrees
    with the unavailability beside it.

    Examples
    --------
    >>> [plain_number(v) for v in (9.12534e-05, 0.9999087466, 43830.0, 47.99561, 0.0, 2e-12)]
    ['0.0000912534', '0.9999087466', '43830', '47.9956', '0', '0.000000000002']
    >>> plain_number(float("nan"))
    'nan'
    """
    import math

    import numpy as np

    value = float(value)
    if not math.isfinite(value) or value == 0:
        return "0" if value == 0 else str(value)
    gap = 1.0 - value
    if 0 < gap < 1e-2:  # an availability: as many decimals as the unavailability needs
        decimals = digits - 1 - math.floor(math.log10(gap))
        return f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    return np.format_float_positional(value, precision=digits, unique=True,
                                      fractional=False, trim="-")


_SUPERSCRIPT = str.maketrans("-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076"
                                              "\u2077\u2078\u2079")


def readable_number(value: float, digits: int = 4) -> str:
    """A number as a reader takes it in: 366,742; 0.0009122; 2 × 10⁻¹⁴ (never e-notation).

    Large numbers get thousands separators, tiny ones (below 1e-6) a power of
    ten written with superscripts, the rest :func:`plain_number`. Used where
    text is read rather than copied: self-check messages, state diagrams.

    Examples
    --------
    >>> [readable_number(v) for v in (366742.2, 9.122e-4, 2.0e-14, 13.49)]
    ['366,742', '0.0009122', '2 × 10⁻¹⁴', '13.49']
    >>> readable_number(7.0213e-10, 3)
    '7.02 × 10⁻¹⁰'
    """
    if abs(value) >= 1e4:
        return f"{value:,.0f}"
    if value != 0 and abs(value) < 1e-6:
        mantissa, exponent = f"{value:.{digits}g}".split("e")
        return f"{mantissa} × 10{str(int(exponent)).translate(_SUPERSCRIPT)}"
    return plain_number(value, digits)


def _latex_number(value: float) -> str:
    text = f"{value:.6g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"${mantissa} \\times 10^{{{int(exponent)}}}$"
    return text
