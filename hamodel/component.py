"""A repairable component: up and down times, exponential unless told otherwise."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from ._model import Model
from .distributions import Distribution, Exponential
from .measures import Measures
from .phasetype import PhaseType
from .units import HOURS_PER_YEAR, positive_duration, rate

__all__ = ["Component"]


@dataclass(frozen=True, init=False, eq=True)
class Component(Model):
    """A repairable unit that alternates between up times and repairs.

    Give the up time as one of ``mtbf`` (a duration: ``"5y"``, ``"4h"``, or
    hours), ``failure_rate`` (per hour) or ``ttf`` (a distribution), and the
    repair time as one of ``mttr``, ``repair_rate`` or ``ttr``. ``mtbf`` is
    the mean up time between a repair and the next failure, so
    ``failure_rate = 1 / mtbf``. Without ``ttf`` / ``ttr`` the times are
    exponential (the unit is a two-state CTMC).

    With ``ttf`` / ``ttr`` the rates are ``1 / ttf.mean`` and
    ``1 / ttr.mean``, and every analytic result (:meth:`measures`,
    :meth:`to_ctmc`, block diagrams, patterns) uses those means as if the
    times were exponential. For one unit alone that is exact in the long run:
    an alternating renewal process has availability ``MUT / (MUT + MDT)`` and
    failure frequency ``1 / (MUT + MDT)`` whatever the distributions, and so
    do block diagrams of independent units (series, parallel, k-of-n,
    networks), whose long-run availability, frequency and mean outage depend
    on each unit's means only. What does depend on the shapes: the
    outage-duration *distribution* (:meth:`outage_duration` is exponential
    with mean ``mttr``; a lone unit's true one is ``ttr``, and a redundant
    group's outages get long tails from long-tailed repairs), behaviour over
    a finite time from new, and availability itself wherever units interact
    (shared repair crews, standby, failover). :func:`hamodel.simulate` shows
    the first two for block diagrams of Components.

    Parameters
    ----------
    name : str
        Unique name of the component within a model.
    mtbf, mttr : str or float, optional
        Mean time between failures (up time) and mean time to repair.
    failure_rate, repair_rate : float, optional
        Rates per hour.
    ttf, ttr : Distribution, optional
        Distributions of the up time (time to failure) and of the repair
        time, such as :class:`~hamodel.Weibull` or
        :class:`~hamodel.Lognormal`.

    Attributes
    ----------
    ttf, ttr : Distribution
        The up-time and repair-time distributions; :class:`~hamodel.Exponential`
        with the given means unless given.

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

    Wear-out failures and long-tailed repairs keep the same means, so the
    same analytic measures; :func:`hamodel.simulate` uses the shapes:

    >>> import hamodel as hm
    >>> disk = Component("disk", ttf=hm.Weibull(2.0, "3y"),
    ...                  ttr=hm.Lognormal.from_mean_cv("8h", 2.0))
    >>> round(disk.mtbf / hm.HOURS_PER_YEAR, 4), round(disk.mttr, 12), disk.is_exponential
    (2.6587, 8.0, False)
    >>> web = Component("web", mtbf="1y", mttr="4h")
    >>> web == Component("web", mtbf="1y", ttr=hm.Exponential("4h")), web.is_exponential
    (True, True)
    """

    name: str
    failure_rate: float
    repair_rate: float
    ttf: Distribution
    ttr: Distribution

    def __init__(self, name, mtbf=None, mttr=None, *, failure_rate=None, repair_rate=None,
                 ttf=None, ttr=None):
        if not isinstance(name, str) or not name:
            raise TypeError(f"component name {name!r}: expected a non-empty string")
        lam, ttf = _time_distribution(name, "ttf", mtbf, failure_rate, ttf, "mtbf", "failure_rate")
        mu, ttr = _time_distribution(name, "ttr", mttr, repair_rate, ttr, "mttr", "repair_rate")
        self._set(name, lam, mu, ttf, ttr)

    def _set(self, name, lam, mu, ttf, ttr) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "failure_rate", lam)
        object.__setattr__(self, "repair_rate", mu)
        object.__setattr__(self, "ttf", ttf)
        object.__setattr__(self, "ttr", ttr)

    @property
    def is_exponential(self) -> bool:
        """True when both up and repair times are exponential (a two-state CTMC)."""
        return self.ttf.is_exponential and self.ttr.is_exponential

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

    @classmethod
    def from_data(cls, kind: str, case: str = "typical", name: str | None = None, *,
                  path=None) -> "Component":
        """A component with the field-data MTBF and MTTR of a kind (``data/components.csv``).

        See :func:`hamodel.data.component` for the parameters; every value
        there names its source, and :func:`hamodel.components` lists them.

        Examples
        --------
        >>> Component.from_data("physical_server")
        Component('physical_server', mtbf=26298 h, mttr=24 h)
        >>> Component.from_data("disk", "pessimistic", name="disk_a").mttr
        72.0
        """
        from .data import component

        return component(kind, case, name, path=path)

    def renamed(self, name: str) -> "Component":
        """The same component under another name (for a second unit of a kind)."""
        if not isinstance(name, str) or not name:
            raise TypeError(f"component name {name!r}: expected a non-empty string")
        other = object.__new__(Component)
        other._set(name, self.failure_rate, self.repair_rate, self.ttf, self.ttr)
        return other

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
        """An outage lasts one repair: exponential with mean ``mttr``.

        For a non-exponential ``ttr`` this is the exponential with the same
        mean (the analytic route); the true distribution is ``self.ttr``.
        """
        return PhaseType([1.0], [[-self.repair_rate]])

    def __repr__(self) -> str:
        parts = [f"mtbf={self.mtbf:.6g} h", f"mttr={self.mttr:.6g} h"]
        parts += [f"{k}={d!r}" for k, d in (("ttf", self.ttf), ("ttr", self.ttr))
                  if not isinstance(d, Exponential)]
        return f"Component({self.name!r}, {', '.join(parts)})"


def _time_distribution(name, which, mean, rate_, dist, mean_kw, rate_kw):
    """(rate, distribution) from exactly one of a mean, a rate and a distribution.

    An exponential is stored as ``Exponential(1 / rate)`` however it was given,
    so that ``mtbf=``, ``failure_rate=`` and ``ttf=Exponential(...)`` forms of
    the same unit compare (and hash) equal, and the rate is the one given.
    """
    given = [kw for kw, v in ((mean_kw, mean), (rate_kw, rate_), (which, dist)) if v is not None]
    if len(given) != 1:
        raise TypeError(f"component {name!r}: give exactly one of {mean_kw}=, {rate_kw}= "
                        f"and {which}=" + (f" (got {', '.join(given)})" if given else ""))
    if dist is not None:
        if not isinstance(dist, Distribution):
            raise TypeError(f"component {name!r}: {which} = {dist!r}; expected a "
                            "distribution such as hm.Weibull(2, '3y') or hm.Exponential('4h')")
        if not isinstance(dist, Exponential):
            return 1.0 / dist.mean, dist
        r = 1.0 / dist.mean
    elif rate_ is None:
        r = 1.0 / positive_duration(mean, f"{name}: {mean_kw}")
    else:
        r = rate(rate_, f"{name}: {rate_kw}")
    return r, Exponential(1.0 / r)
