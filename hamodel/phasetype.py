"""The length of one outage as a phase-type distribution."""

from __future__ import annotations

from functools import cached_property

import numpy as np
import scipy.linalg
import scipy.optimize
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from .solvers import mean_time_to_absorption
from .units import duration

__all__ = ["PhaseType"]

_DENSE_LIMIT = 400


class PhaseType:
    """Time to absorption of a CTMC started in a distribution over transient states.

    An outage of a CTMC model enters the down states with the probabilities
    ``alpha`` (the steady-state flow from up into each down state, normalised)
    and moves among them with the sub-generator ``T`` (the generator restricted
    to down states) until it returns to an up state.

    Parameters
    ----------
    alpha : array_like, shape (m,)
        Entry distribution over the transient states; sums to 1.
    T : array_like or sparse matrix, shape (m, m)
        Sub-generator: non-negative off-diagonals, rows summing to <= 0, and
        absorption certain from every state.

    Examples
    --------
    An outage ended by a single repair at rate 0.1 per hour is exponential:

    >>> d = PhaseType([1.0], [[-0.1]])
    >>> d.mean()
    10.0
    >>> round(d.sf("20h"), 6), round(d.quantile(0.5), 4)
    (0.135335, 6.9315)
    """

    def __init__(self, alpha, T):
        alpha = np.asarray(alpha, dtype=float).ravel()
        T = sp.csr_array(T, dtype=float) if sp.issparse(T) else np.asarray(T, dtype=float)
        m = alpha.size
        if m == 0:
            raise ValueError("a phase-type distribution needs at least one phase")
        if T.shape != (m, m):
            raise ValueError(f"T has shape {T.shape}; expected ({m}, {m}) to match alpha")
        if np.any(~np.isfinite(alpha)) or np.any(alpha < -1e-12) or abs(alpha.sum() - 1) > 1e-9:
            raise ValueError(f"alpha must be a probability vector; got sum {alpha.sum()!r}")
        self.alpha = np.clip(alpha, 0.0, None)
        self.alpha.flags.writeable = False
        self.T = T
        if sp.issparse(T):
            self._dense = T.toarray() if m <= _DENSE_LIMIT else None
        else:
            self._dense = T
        # Absorption must be certain: the mean time has to be finite.
        try:
            self._mean_times
        except ValueError:
            raise ValueError(
                "some down state never returns to an up state: the outage would never end"
            ) from None

    @property
    def n_phases(self) -> int:
        """Number of transient phases."""
        return self.alpha.size

    @cached_property
    def _mean_times(self) -> np.ndarray:
        return mean_time_to_absorption(self._dense if self._dense is not None else self.T)

    def mean(self) -> float:
        """Mean time to absorption (hours)."""
        return float(self.alpha @ self._mean_times)

    def _survival(self, t: float) -> float:
        if t == 0:
            return 1.0
        if self._dense is not None:
            vec = self.alpha @ scipy.linalg.expm(self._dense * t)
        else:
            vec = spla.expm_multiply(self.T.T * t, self.alpha)
        return float(min(max(vec.sum(), 0.0), 1.0))

    def sf(self, t):
        """P(outage lasts longer than t); `t` a duration or an array of them."""
        if np.ndim(t) == 0:
            return self._survival(duration(t) if isinstance(t, str) else _check_time(t))
        return np.array([self.sf(x) for x in np.asarray(t, dtype=object).ravel()]).reshape(
            np.shape(t)
        )

    def cdf(self, t):
        """P(outage lasts at most t)."""
        return 1.0 - self.sf(t)

    def quantile(self, q: float) -> float:
        """The outage length (hours) that a share `q` of outages does not exceed."""
        q = float(q)
        if not 0.0 <= q < 1.0:
            raise ValueError(f"quantile level q = {q!r}: expected 0 <= q < 1")
        if q == 0.0:
            return 0.0
        target = 1.0 - q
        hi = self.mean()
        while self._survival(hi) > target:
            hi *= 2.0
        return float(scipy.optimize.brentq(lambda t: self._survival(t) - target, 0.0, hi,
                                           xtol=1e-12 * hi, rtol=1e-12))

    def __repr__(self) -> str:
        return f"PhaseType(n_phases={self.n_phases}, mean={self.mean():.6g} h)"


def _check_time(t) -> float:
    return duration(float(t))
