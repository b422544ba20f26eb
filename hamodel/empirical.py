"""The distribution of simulated outage lengths: Kaplan-Meier with a confidence band.

A simulation's outages are lengths observed in full, except the last outage of a run
when it is still going on at the horizon: that one is only known to be longer than
what was seen (right-censored). The Kaplan-Meier estimator uses both; without
censoring it is the plain empirical survival function ``P(length > t)``.

The band is pointwise: at each t, Greenwood's variance on the log(-log) scale (it
stays inside [0, 1] and is accurate down to a few tens of outages), at the normal
quantile of the level. Outages are treated as independent of each other; where
consecutive outages of one run are correlated (a unit that stays down across two
system outages), the band is somewhat too narrow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .units import confidence_level, duration

__all__ = ["EmpiricalDuration"]


@dataclass(frozen=True, eq=False)
class EmpiricalDuration:
    """Kaplan-Meier estimate of a duration's law from observed, partly censored, lengths.

    Parameters
    ----------
    lengths : array_like
        Observed lengths (hours).
    censored : array_like of bool, optional
        True where the length is only a lower bound (still going on at the horizon).

    Examples
    --------
    Four outages, one still going on after 3 h:

    >>> import hamodel as hm
    >>> d = hm.EmpiricalDuration([1.0, 2.0, 3.0, 4.0], [False, False, True, False])
    >>> float(d.sf(2.5)), float(d.sf(3.5))
    (0.5, 0.5)
    >>> d.quantile(0.5)
    2.0
    """

    lengths: np.ndarray
    censored: np.ndarray = None

    def __post_init__(self):
        lengths = np.asarray(self.lengths, dtype=float).ravel()
        censored = (np.zeros(lengths.shape, dtype=bool) if self.censored is None
                    else np.asarray(self.censored, dtype=bool).ravel())
        if censored.shape != lengths.shape:
            raise ValueError(f"EmpiricalDuration: {lengths.size} lengths but "
                             f"{censored.size} censoring flags; expected one per length")
        if lengths.size and not (np.all(np.isfinite(lengths)) and lengths.min() >= 0):
            raise ValueError("EmpiricalDuration: lengths must be finite and >= 0 hours")
        lengths.setflags(write=False)
        censored.setflags(write=False)
        object.__setattr__(self, "lengths", lengths)
        object.__setattr__(self, "censored", censored)

    @property
    def n(self) -> int:
        """Number of lengths, censored ones included."""
        return int(self.lengths.size)

    @cached_property
    def _steps(self):
        """(distinct complete lengths, survival after each, Greenwood sum after each)."""
        order = np.argsort(self.lengths, kind="stable")
        x, cens = self.lengths[order], self.censored[order]
        times = np.unique(x[~cens])
        at_risk = x.size - np.searchsorted(x, times, side="left")
        ends = np.searchsorted(x[~cens], times, side="right") - np.searchsorted(
            x[~cens], times, side="left")
        factor = 1.0 - ends / at_risk
        surv = np.cumprod(factor)
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(at_risk > ends, ends / (at_risk * np.maximum(at_risk - ends, 1)),
                             np.inf)
        return times, surv, np.cumsum(terms)

    def sf(self, t):
        """``P(length > t)``, a step function of `t` (durations or hours)."""
        t = _hours(t)
        times, surv, _ = self._steps
        i = np.searchsorted(times, t, side="right")
        out = np.where(i > 0, surv[np.maximum(i - 1, 0)] if surv.size else 1.0, 1.0)
        return float(out) if np.ndim(out) == 0 else out

    def cdf(self, t):
        """``P(length <= t)``."""
        return 1.0 - self.sf(t)

    def quantile(self, q: float) -> float:
        """Smallest observed complete length ``t`` with ``P(length <= t) >= q``.

        ``inf`` when censoring leaves the estimate short of `q`.
        """
        if isinstance(q, bool) or not 0.0 <= float(q) <= 1.0:
            raise ValueError(f"quantile: q = {q!r}; expected a probability in [0, 1]")
        times, surv, _ = self._steps
        hit = np.flatnonzero(1.0 - surv >= float(q) - 1e-12)
        return float(times[hit[0]]) if hit.size else math.inf

    @property
    def mean(self) -> float:
        """Mean length: the area under the estimated survival function.

        Restricted to the longest observed length when that one is censored (the
        estimate says nothing beyond it), so then a lower bound.
        """
        times, surv, _ = self._steps
        if not times.size:
            return math.nan if not self.n else float(self.lengths.max())
        widths = np.diff(np.concatenate([[0.0], times]))
        before = np.concatenate([[1.0], surv[:-1]])
        area = float(np.sum(widths * before))
        tail = float(self.lengths.max()) - float(times[-1])
        return area + max(tail, 0.0) * float(surv[-1])

    def interval(self, t, level: float = 0.95):
        """Pointwise confidence interval ``(low, high)`` of ``P(length > t)``.

        Greenwood's variance on the log(-log) scale; ``(0, 1)``-bounded. Where the
        estimate is 1 (before the first complete length) the interval is
        ``[1 - p, 1]`` with ``p`` the level's one-sided binomial bound for no
        event among those at risk; where it is 0, ``[0, same bound]``.
        """
        level = confidence_level(level)
        from scipy import stats

        z = float(stats.norm.ppf(0.5 + level / 2.0))
        t = _hours(t)
        scalar = np.ndim(t) == 0
        t = np.atleast_1d(t)
        times, surv, green = self._steps
        i = np.searchsorted(times, t, side="right")
        s = np.where(i > 0, surv[np.maximum(i - 1, 0)] if surv.size else 1.0, 1.0)
        g = np.where(i > 0, green[np.maximum(i - 1, 0)] if green.size else 0.0, 0.0)
        low, high = np.empty_like(s), np.empty_like(s)
        inner = (s > 0) & (s < 1) & np.isfinite(g)
        with np.errstate(divide="ignore"):
            log_s = np.log(s[inner])
            half = z * np.sqrt(g[inner]) / np.abs(log_s)
        low[inner] = s[inner] ** np.exp(half)
        high[inner] = s[inner] ** np.exp(-half)
        at_risk = np.maximum(self.n - np.searchsorted(np.sort(self.lengths), t, side="right"), 1)
        edge = 1.0 - (1.0 - level) ** (1.0 / at_risk)  # no event in n: p <= 1 - alpha^(1/n)
        one = s >= 1
        low[one], high[one] = 1.0 - edge[one], 1.0
        zero = ~inner & ~one
        low[zero], high[zero] = 0.0, np.maximum(edge[zero], s[zero])
        if scalar:
            return float(low[0]), float(high[0])
        return low, high

    def table(self, at=None, level: float = 0.95):
        """``P(length > t)`` with its band, as a pandas DataFrame indexed by t (hours).

        Parameters
        ----------
        at : sequence of durations, optional
            Where to evaluate; default every distinct complete length.
        level : float
            Confidence level of the pointwise band.
        """
        import pandas as pd

        times = self._steps[0] if at is None else np.atleast_1d(_hours(at)).astype(float)
        low, high = self.interval(times, level)
        frame = pd.DataFrame({"sf": np.atleast_1d(self.sf(times)), "low": np.atleast_1d(low),
                              "high": np.atleast_1d(high)},
                             index=pd.Index(times, name="length (h)"))
        return frame

    def __repr__(self) -> str:
        k = int(self.censored.sum())
        return (f"EmpiricalDuration({self.n} lengths, {k} censored, "
                f"median {self.quantile(0.5):.6g} h)")


def _hours(t):
    """A duration, or an array of hours, as hours."""
    if isinstance(t, str):
        return duration(t)
    if isinstance(t, (list, tuple)):
        return np.array([duration(v) if isinstance(v, str) else float(v) for v in t])
    return t if isinstance(t, np.ndarray) else float(t)
