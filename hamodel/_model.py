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

    @property
    def summary(self):
        """The model's measures as a pandas DataFrame."""
        return self.measures().summary

    def _repr_html_(self) -> str:
        return f"<p><b>{self.name}</b></p>" + self.measures()._repr_html_()

    def _repr_latex_(self) -> str:
        return self.measures()._repr_latex_()
