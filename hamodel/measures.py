"""Frequency-and-duration measures of a repairable system in steady state."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

from .units import HOURS_PER_YEAR, MINUTES_PER_YEAR

__all__ = ["Measures"]

# (attribute, label, unit) in the order a reader wants them.
_ROWS = (
    ("availability", "Availability", ""),
    ("unavailability", "Unavailability", ""),
    ("outages_per_year", "Outages per year", "1/yr"),
    ("mean_down_time", "Mean outage duration", "h"),
    ("downtime_minutes_per_year", "Downtime per year", "min/yr"),
    ("mean_up_time", "Mean time between outages (up time)", "h"),
    ("failure_frequency", "System failure frequency", "1/h"),
    ("incidents_per_year", "Component incidents per year", "1/yr"),
    ("degraded_fraction", "Time up with redundancy lost", "share"),
)


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
    def split_brain_per_year(self) -> float | None:
        """Split-brain events per year, or None for models that cannot split."""
        value = self.events.get("split_brain")
        return None if value is None else float(value)

    @property
    def summary(self):
        """The measures as a pandas DataFrame (index: measure; value, unit)."""
        import pandas as pd

        rows = [(label, getattr(self, attr), unit) for attr, label, unit in _ROWS]
        rows += [(f"{name.replace('_', ' ').capitalize()} per year", value, "1/yr")
                 for name, value in self.events.items()]
        frame = pd.DataFrame(rows, columns=["measure", "value", "unit"])
        return frame.set_index("measure")

    def as_dict(self) -> dict:
        """The measures as a flat dict (events as ``<name>_per_year``)."""
        out = {attr: getattr(self, attr) for attr, _, _ in _ROWS}
        out.update({f"{name}_per_year": value for name, value in self.events.items()})
        return out

    def _repr_html_(self) -> str:
        return self.summary.to_html(float_format=lambda v: f"{v:.6g}")

    def _repr_latex_(self) -> str:
        lines = [r"\begin{tabular}{lrl}", r"\hline", r"measure & value & unit \\", r"\hline"]
        for label, (value, unit) in self.summary.iterrows():
            lines.append(f"{label} & {_latex_number(value)} & {unit} \\\\")
        lines += [r"\hline", r"\end{tabular}"]
        return "\n".join(lines)

    def __repr__(self) -> str:
        parts = ", ".join(f"{attr}={getattr(self, attr):.6g}" for attr, _, _ in _ROWS)
        return f"Measures({parts})"


def _latex_number(value: float) -> str:
    text = f"{value:.6g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"${mantissa} \\times 10^{{{int(exponent)}}}$"
    return text
