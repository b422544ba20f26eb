"""A repairable component with exponential up and down times."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from ._model import Model
from .measures import Measures
from .phasetype import PhaseType
from .units import HOURS_PER_YEAR, positive_duration, rate

__all__ = ["Component"]


@dataclass(frozen=True, init=False, eq=True)
class Component(Model):
    """A repairable unit that fails at a constant rate and is repaired at one.

    Give either ``mtbf`` and ``mttr`` (durations: ``"5y"``, ``"4h"``, or
    hours) or ``failure_rate`` and ``repair_rate`` (per hour). ``mtbf`` is
    the mean up time between a repair and the next failure, so
    ``failure_rate = 1 / mtbf``.

    Parameters
    ----------
    name : str
        Unique name of the component within a model.
    mtbf, mttr : str or float, optional
        Mean time between failures (up time) and mean time to repair.
    failure_rate, repair_rate : float, optional
        Rates per hour.

    Examples
    --------
    >>> web = Component("web", mtbf="1y", mttr="4h")
    >>> round(web.availability, 6)
    0.999544
    >>> m = web.measures()
    >>> round(m.outages_per_year, 6), round(m.mean_down_time, 12)
    (0.999544, 4.0)
    >>> Component("db", failure_rate=0.001, repair_rate=0.1).availability
    0.9900990099009901
    """

    name: str
    failure_rate: float
    repair_rate: float

    def __init__(self, name, mtbf=None, mttr=None, *, failure_rate=None, repair_rate=None):
        if not isinstance(name, str) or not name:
            raise TypeError(f"component name {name!r}: expected a non-empty string")
        if (mtbf is None) == (failure_rate is None):
            raise TypeError(f"component {name!r}: give exactly one of mtbf= and failure_rate=")
        if (mttr is None) == (repair_rate is None):
            raise TypeError(f"component {name!r}: give exactly one of mttr= and repair_rate=")
        lam = (1.0 / positive_duration(mtbf, f"{name}: mtbf") if failure_rate is None
               else rate(failure_rate, f"{name}: failure_rate"))
        mu = (1.0 / positive_duration(mttr, f"{name}: mttr") if repair_rate is None
              else rate(repair_rate, f"{name}: repair_rate"))
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "failure_rate", lam)
        object.__setattr__(self, "repair_rate", mu)

    @property
    def mtbf(self) -> float:
        """Mean up time in hours (``1 / failure_rate``)."""
        return 1.0 / self.failure_rate

    @property
    def mttr(self) -> float:
        """Mean repair time in hours (``1 / repair_rate``)."""
        return 1.0 / self.repair_rate

    @property
    def availability(self) -> float:
        """Steady-state availability ``mu / (lambda + mu)``."""
        return self.repair_rate / (self.failure_rate + self.repair_rate)

    @property
    def unavailability(self) -> float:
        """Steady-state unavailability ``lambda / (lambda + mu)``."""
        return self.failure_rate / (self.failure_rate + self.repair_rate)

    def renamed(self, name: str) -> "Component":
        """The same component under another name (for a second unit of a kind)."""
        return Component(name, failure_rate=self.failure_rate, repair_rate=self.repair_rate)

    @classmethod
    def equivalent(cls, name: str, model) -> "Component":
        """The two-state unit with the same availability and failure frequency as `model`.

        ``failure_rate = f / A`` and ``repair_rate = f / U``, so the mean up
        and down times are exact; the shape of the down-time distribution is
        not (it becomes exponential). Useful to fold a host (hardware, OS,
        daemon in series) into one unit of a redundant pair.

        Examples
        --------
        >>> import hamodel as hm
        >>> host = hm.series(hm.Component("hw", mtbf="3y", mttr="24h"),
        ...                  hm.Component("haproxy", mtbf="4y", mttr="30min"))
        >>> unit = hm.Component.equivalent("lb", host)
        >>> abs(unit.availability - host.measures().availability) < 1e-15
        True
        """
        m = model.measures()
        if m.failure_frequency <= 0 or m.unavailability <= 0:
            raise ValueError(f"{name!r}: the model never fails, so it has no equivalent unit")
        return cls(name, failure_rate=m.failure_frequency / m.availability,
                   repair_rate=m.failure_frequency / m.unavailability)

    def measures(self) -> Measures:
        """Closed-form measures of the two-state unit."""
        return self._measures

    @cached_property
    def _measures(self) -> Measures:
        freq = self.failure_rate * self.availability
        return Measures.from_rates(
            availability=self.availability,
            unavailability=self.unavailability,
            failure_frequency=freq,
            incidents_per_year=freq * HOURS_PER_YEAR,
        )

    def to_ctmc(self):
        """The two-state chain ``up <-> down``."""
        from .ctmc import CTMC

        return CTMC.from_transitions(
            [("up", "down", self.failure_rate), ("down", "up", self.repair_rate)],
            up=["up"],
            name=self.name,
        )

    def outage_duration(self) -> PhaseType:
        """An outage lasts one repair: exponential with mean ``mttr``."""
        return PhaseType([1.0], [[-self.repair_rate]])

    def __repr__(self) -> str:
        return f"Component({self.name!r}, mtbf={self.mtbf:.6g} h, mttr={self.mttr:.6g} h)"
