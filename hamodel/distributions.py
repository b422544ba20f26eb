"""Lifetime distributions for up times (time to failure) and repair times.

Every distribution is a small frozen dataclass with a ``mean`` and ``var`` in
hours, a vectorised :meth:`~Distribution.sample` and a survival function
:meth:`~Distribution.sf`. Durations (means, scales, values) accept the
strings of :func:`hamodel.duration` (``"4h"``, ``"2d"``, ``"5y"``).

The analytic models use only a distribution's mean (a
:class:`~hamodel.Component` built from ``ttf=`` / ``ttr=`` gets
``failure_rate = 1 / ttf.mean``); :func:`hamodel.simulate` uses the whole
distribution.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real

import numpy as np
from scipy import special

from .units import duration, positive_duration

__all__ = ["Exponential", "Weibull", "Lognormal", "Deterministic"]


def _positive(x, what: str) -> float:
    """A finite, positive real number (not a duration)."""
    if isinstance(x, bool) or not isinstance(x, Real):
        raise TypeError(f"{what} = {x!r}: expected a real number")
    value = float(x)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{what} = {x!r}: expected a finite, positive number")
    return value


def _times(t):
    """`t` as hours: a float for a scalar (number or duration string), else an array."""
    if isinstance(t, str) or np.ndim(t) == 0:
        return duration(t if isinstance(t, str) else float(t)), True
    arr = np.asarray(t, dtype=float)
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        bad = arr[~(np.isfinite(arr) & (arr >= 0))][0]
        raise ValueError(f"time {bad!r} in t: expected finite, non-negative times (hours)")
    return arr, False


def _check_finite_moment(value: float, what: str, dist: str) -> float:
    if not math.isfinite(value):
        raise ValueError(f"{dist}: the {what} overflows (is not finite); parameters too extreme")
    return value


class Distribution:
    """Base of the lifetime distributions: ``mean``, ``var``, ``sample``, ``sf``.

    Subclasses define ``mean`` and ``var`` (hours and hours squared),
    ``_sample(rng, size)`` and ``_sf(t)`` (``t`` a non-negative float array).
    """

    __slots__ = ()

    mean: float

    @property
    def var(self) -> float:  # pragma: no cover - abstract
        """Variance in hours squared."""
        raise NotImplementedError

    @property
    def is_exponential(self) -> bool:
        """True for an exponential law, whatever class describes it (a Weibull of
        shape 1 is one)."""
        return isinstance(self, Exponential) or (isinstance(self, Weibull)
                                                 and self.shape == 1.0)

    @property
    def cv(self) -> float:
        """Coefficient of variation ``sqrt(var) / mean`` (1 for the exponential)."""
        return math.sqrt(self.var) / self.mean

    def sample(self, rng: np.random.Generator, size) -> np.ndarray:
        """Draw independent samples (hours).

        Parameters
        ----------
        rng : numpy.random.Generator
            The random source, e.g. ``numpy.random.default_rng(seed)``.
        size : int or tuple of int
            Shape of the returned array.

        Returns
        -------
        numpy.ndarray
            Float array of shape `size`.
        """
        if not isinstance(rng, np.random.Generator):
            raise TypeError(
                f"rng = {rng!r}: expected a numpy.random.Generator "
                "(numpy.random.default_rng(seed))"
            )
        return np.asarray(self._sample(rng, size), dtype=float)

    def sf(self, t):
        """Survival function ``P(X > t)``.

        Parameters
        ----------
        t : str, float or array_like
            A duration (``"4h"`` or hours) or an array of hours, non-negative.

        Returns
        -------
        float or numpy.ndarray
            A float for a scalar `t`, else an array of the shape of `t`.
        """
        times, scalar = _times(t)
        out = self._sf(np.asarray(times, dtype=float))
        return float(out) if scalar else out

    def _sample(self, rng, size):  # pragma: no cover - abstract
        raise NotImplementedError

    def _sf(self, t):  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(frozen=True)
class Exponential(Distribution):
    """Exponential lifetime: memoryless, the CTMC assumption.

    Parameters
    ----------
    mean : str or float
        Mean duration (``"1y"``, ``"4h"``, or hours); the rate is ``1 / mean``.

    Examples
    --------
    >>> d = Exponential("4h")
    >>> d.mean, d.var, d.cv
    (4.0, 16.0, 1.0)
    >>> round(d.sf("4h"), 6)  # exp(-1)
    0.367879
    >>> import numpy as np
    >>> d.sample(np.random.default_rng(1), 3).shape
    (3,)
    """

    mean: float

    def __post_init__(self):
        object.__setattr__(self, "mean", positive_duration(self.mean, "Exponential: mean"))

    @property
    def var(self) -> float:
        """Variance ``mean ** 2``."""
        return self.mean**2

    def _sample(self, rng, size):
        return rng.exponential(self.mean, size)

    def _sf(self, t):
        return np.exp(-t / self.mean)


@dataclass(frozen=True)
class Weibull(Distribution):
    """Weibull lifetime, ``P(X > t) = exp(-(t / scale) ** shape)``.

    ``shape < 1``: infant mortality (decreasing hazard); ``shape = 1``: the
    exponential; ``shape > 1``: wear-out (increasing hazard).

    Parameters
    ----------
    shape : float
        Shape parameter k > 0.
    scale : str or float
        Scale parameter (a duration): the time by which a share ``1 - 1/e``
        (63 %) has failed.

    Examples
    --------
    >>> d = Weibull(2.0, "1000h")
    >>> round(d.mean, 6)  # scale * Gamma(1 + 1/shape)
    886.226925
    >>> round(d.sf(1000), 6)
    0.367879
    >>> Weibull(1.0, 50).mean == Exponential(50).mean
    True
    >>> Weibull(0, 50)
    Traceback (most recent call last):
    ...
    ValueError: Weibull: shape = 0: expected a finite, positive number
    """

    shape: float
    scale: float

    def __post_init__(self):
        object.__setattr__(self, "shape", _positive(self.shape, "Weibull: shape"))
        object.__setattr__(self, "scale", positive_duration(self.scale, "Weibull: scale"))
        self.var  # noqa: B018 - raises ValueError now if the moments overflow

    @property
    def mean(self) -> float:
        """Mean ``scale * Gamma(1 + 1/shape)`` in hours."""
        try:
            value = self.scale * math.gamma(1.0 + 1.0 / self.shape)
        except OverflowError:
            value = math.inf
        return _check_finite_moment(value, "mean", f"Weibull(shape={self.shape})")

    @property
    def var(self) -> float:
        """Variance ``scale**2 * (Gamma(1 + 2/shape) - Gamma(1 + 1/shape)**2)``."""
        try:
            g1 = math.gamma(1.0 + 1.0 / self.shape)
            g2 = math.gamma(1.0 + 2.0 / self.shape)
            value = self.scale**2 * (g2 - g1 * g1)
        except OverflowError:
            value = math.inf
        return _check_finite_moment(value, "variance", f"Weibull(shape={self.shape})")

    def _sample(self, rng, size):
        return self.scale * rng.weibull(self.shape, size)

    def _sf(self, t):
        return np.exp(-((t / self.scale) ** self.shape))


@dataclass(frozen=True)
class Lognormal(Distribution):
    """Lognormal lifetime: ``log X`` is normal with mean `mu` and sd `sigma`.

    A common model of repair times: most repairs are quick, a few take very
    long. Build it from the mean and coefficient of variation with
    :meth:`from_mean_cv`.

    Parameters
    ----------
    mu : float
        Mean of ``log X``, with X in hours (so ``exp(mu)`` is the median).
    sigma : float
        Standard deviation of ``log X``, > 0.

    Examples
    --------
    >>> d = Lognormal.from_mean_cv("4h", 2.0)
    >>> round(d.mean, 12), round(d.cv, 12)
    (4.0, 2.0)
    >>> round(d.sf(d.median), 12)
    0.5
    >>> Lognormal(0.0, -1.0)
    Traceback (most recent call last):
    ...
    ValueError: Lognormal: sigma = -1.0: expected a finite, positive number
    """

    mu: float
    sigma: float

    def __post_init__(self):
        mu = self.mu
        if isinstance(mu, bool) or not isinstance(mu, Real) or not math.isfinite(mu):
            raise ValueError(f"Lognormal: mu = {mu!r}: expected a finite real number "
                             "(the mean of log X, X in hours)")
        object.__setattr__(self, "mu", float(mu))
        object.__setattr__(self, "sigma", _positive(self.sigma, "Lognormal: sigma"))
        self.var  # noqa: B018 - raises ValueError now if the moments overflow

    @classmethod
    def from_mean_cv(cls, mean, cv: float) -> "Lognormal":
        """The lognormal with the given mean (a duration) and coefficient of variation.

        ``sigma**2 = log(1 + cv**2)`` and ``mu = log(mean) - sigma**2 / 2``.
        """
        m = positive_duration(mean, "Lognormal: mean")
        c = _positive(cv, "Lognormal: cv")
        s2 = math.log1p(c * c)
        return cls(math.log(m) - s2 / 2.0, math.sqrt(s2))

    @property
    def median(self) -> float:
        """Median ``exp(mu)`` in hours."""
        return math.exp(self.mu)

    @property
    def mean(self) -> float:
        """Mean ``exp(mu + sigma**2 / 2)`` in hours."""
        try:
            value = math.exp(self.mu + self.sigma**2 / 2.0)
        except OverflowError:
            value = math.inf
        return _check_finite_moment(value, "mean", "Lognormal")

    @property
    def var(self) -> float:
        """Variance ``(exp(sigma**2) - 1) * exp(2 mu + sigma**2)``."""
        try:
            value = math.expm1(self.sigma**2) * math.exp(2.0 * self.mu + self.sigma**2)
        except OverflowError:
            value = math.inf
        return _check_finite_moment(value, "variance", "Lognormal")

    def _sample(self, rng, size):
        return rng.lognormal(self.mu, self.sigma, size)

    def _sf(self, t):
        out = np.ones_like(t, dtype=float)
        pos = t > 0
        out[pos] = special.ndtr(-(np.log(t[pos]) - self.mu) / self.sigma)
        return out


@dataclass(frozen=True)
class Deterministic(Distribution):
    """A fixed duration: every repair (or up time) lasts exactly `value`.

    Parameters
    ----------
    value : str or float
        The duration (``"30min"`` or hours), > 0.

    Examples
    --------
    >>> d = Deterministic("30min")
    >>> d.mean, d.var
    (0.5, 0.0)
    >>> d.sf(0.25), d.sf(0.5)
    (1.0, 0.0)
    """

    value: float

    def __post_init__(self):
        object.__setattr__(self, "value", positive_duration(self.value, "Deterministic: value"))

    @property
    def mean(self) -> float:
        """The value, in hours."""
        return self.value

    @property
    def var(self) -> float:
        """Zero."""
        return 0.0

    def _sample(self, rng, size):
        return np.full(size, self.value, dtype=float)

    def _sf(self, t):
        return (t < self.value).astype(float)


