"""What every model shares: measures, outage durations and notebook display."""

from __future__ import annotations

from .units import duration

__all__ = ["Model"]


class Model:
    """Mixin for every model (component, block, CTMC, HA pattern).

    A subclass provides ``name``, ``measures()`` and ``to_ctmc()``; the
    outage-duration distribution and the display follow from those.
    """

    __slots__ = ()

    def measures(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def to_ctmc(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def outage_duration(self):
        """Distribution of one outage's length (a :class:`~hamodel.PhaseType`)."""
        return self.to_ctmc().outage_duration()

    def outages_longer_than(self, longer_than) -> float:
        """Outages per year that last longer than `longer_than` (e.g. ``"20min"``)."""
        limit = duration(longer_than)
        per_year = self.measures().outages_per_year
        if per_year == 0.0:
            return 0.0
        return per_year * float(self.outage_duration().sf(limit))

    # Downtime and outages per window (an SLO's month or quarter): hamodel.window.
    def downtime_distribution(self, window="30d", initial=None, *, tol=1e-6, method=None,
                              runs=20_000, seed=None, level=0.95):
        """Law of the total downtime in a window (a :class:`~hamodel.DowntimeDistribution`).

        See :func:`hamodel.window.downtime_distribution`.
        """
        from .window import downtime_distribution

        return downtime_distribution(self, window, initial, tol=tol, method=method, runs=runs,
                                     seed=seed, level=level)

    def slo_breach_probability(self, slo=None, window="30d", *, budget=None, initial=None,
                               tol=1e-6) -> float:
        """Chance that a window's downtime exceeds the SLO's error budget.

        See :func:`hamodel.window.slo_breach_probability`.
        """
        from .window import slo_breach_probability

        return slo_breach_probability(self, slo, window, budget=budget, initial=initial, tol=tol)

    def slo_breaches_per_year(self, slo=None, window="30d", *, budget=None, tol=1e-6) -> float:
        """Expected number of breached windows per year (windows back to back).

        See :func:`hamodel.window.slo_breaches_per_year`.
        """
        from .window import slo_breaches_per_year

        return slo_breaches_per_year(self, slo, window, budget=budget, tol=tol)

    def outage_count_distribution(self, window="30d", longer_than=None, *, initial=None,
                                  tol=1e-6):
        """How many outages (longer than `longer_than`) start in a window.

        See :func:`hamodel.window.outage_count_distribution`.
        """
        from .window import outage_count_distribution

        return outage_count_distribution(self, window, longer_than, initial=initial, tol=tol)

    def hour_of_day(self, oncall=None, traffic=None, **kwargs):
        """Outages and their cost by hour of the day under an on-call schedule.

        See :func:`hamodel.hour_of_day`.
        """
        from .hourly import hour_of_day

        return hour_of_day(self, oncall, traffic, **kwargs)

    @property
    def summary(self):
        """The model's measures as a pandas DataFrame."""
        return self.measures().summary

    def _repr_html_(self) -> str:
        return f"<p><b>{self.name}</b></p>" + self.measures()._repr_html_()

    def _repr_latex_(self) -> str:
        return self.measures()._repr_latex_()
