"""The length of one outage as a phase-type distribution."""

from __future__ import annotations

from functools import cached_property

import numpy as np
import scipy.linalg
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from .solvers import mean_time_to_exit
from .units import duration

__all__ = ["PhaseType", "ApproximationWarning"]

_DENSE_LIMIT = 400


class ApproximationWarning(UserWarning):
    """A result is an approximation, not exact: its ``note`` gives the bound or interval.

    Examples
    --------
    Turn it into an error where only exact answers will do:

    >>> import warnings
    >>> import hamodel as hm
    >>> warnings.simplefilter("error", hm.ApproximationWarning)
    >>> warnings.resetwarnings()
    """


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
    exits : array_like, shape (m,), optional
        Exit (absorption) rate of each phase. By default ``-T.sum(axis=1)``;
        pass them when known, since a small exit rate beside large internal
        rates is lost in the rounding of T's diagonal.
    note : str
        How the distribution was obtained: for an approximation, which one and
        its bound or interval.
    exact : bool
        False when the distribution is an approximation of the outage it
        stands for (its ``note`` then says how far off it may be).

    Examples
    --------
    An outage ended by a single repair at rate 0.1 per hour is exponential:

    >>> d = PhaseType([1.0], [[-0.1]])
    >>> d.mean
    10.0
    >>> round(d.sf("20h"), 6), round(d.quantile(0.5), 4)
    (0.135335, 6.9315)
    """

    def __init__(self, alpha, T, *, exits=None, note: str = "", exact: bool = True):
        alpha = np.asarray(alpha, dtype=float).ravel()
        T = sp.csr_array(T, dtype=float) if sp.issparse(T) else np.asarray(T, dtype=float)
        m = alpha.size
        if m == 0:
            raise ValueError("a phase-type distribution needs at least one phase")
        if T.shape != (m, m):
            raise ValueError(f"T has shape {T.shape}; expected ({m}, {m}) to match alpha")
        values = T.data if sp.issparse(T) else T
        if not np.all(np.isfinite(values)):
            raise ValueError("T has NaN or infinite entries; expected finite rates per hour")
        if np.any(~np.isfinite(alpha)) or np.any(alpha < -1e-12) or abs(alpha.sum() - 1) > 1e-9:
            raise ValueError(f"alpha must be a probability vector; got sum {alpha.sum()!r}")
        self.alpha = np.clip(alpha, 0.0, None)
        self.alpha.flags.writeable = False
        self.T = T
        if sp.issparse(T):
            self._dense = T.toarray() if m <= _DENSE_LIMIT else None
        else:
            self._dense = T
        self.note = note
        self.exact = bool(exact)
        if exits is None:
            exits = -np.asarray((self.T if sp.issparse(self.T) else sp.csr_array(self.T))
                                .sum(axis=1)).ravel()
        exits = np.clip(np.asarray(exits, dtype=float).ravel(), 0.0, None)
        if exits.size != m:
            raise ValueError(f"exits has {exits.size} entries; expected {m}")
        self.exits = exits
        # Absorption must be certain: every phase must be able to reach the exit.
        if not _exit_reachable(self.T if sp.issparse(self.T) else sp.csr_array(self.T), exits):
            raise ValueError(
                "some down state never returns to an up state: the outage would never end"
            )

    @classmethod
    def mixture(cls, weights, parts, *, note: str = "", exact=None) -> "PhaseType":
        """The mixture of phase-type distributions (itself phase type, block diagonal).

        It is ``exact`` when every part is, unless `exact` says otherwise.

        Examples
        --------
        >>> fast, slow = PhaseType([1.0], [[-60.0]]), PhaseType([1.0], [[-0.25]])
        >>> PhaseType.mixture([0.9, 0.1], [fast, slow]).mean  # 0.9/60 + 0.1*4
        0.415
        """
        weights = np.asarray(weights, dtype=float)
        if weights.size != len(parts) or np.any(weights < 0) or weights.sum() <= 0:
            raise ValueError("mixture: expected one non-negative weight per part, not all zero")
        weights = weights / weights.sum()
        alpha = np.concatenate([w * p.alpha for w, p in zip(weights, parts)])
        exits = np.concatenate([p.exits for p in parts])
        T = sp.block_diag([sp.csr_array(p.T) if sp.issparse(p.T) else sp.csr_array(p._dense)
                           for p in parts], format="csr")
        if exact is None:
            exact = all(p.exact for p in parts)
        return cls(alpha, T, exits=exits, note=note, exact=exact)

    @property
    def n_phases(self) -> int:
        """Number of transient phases."""
        return self.alpha.size

    @cached_property
    def mean(self) -> float:
        """Mean time to absorption (hours): a property, like ``Distribution.mean``."""
        return mean_time_to_exit(self.T, self.exits, self.alpha)

    def _step(self, vec: np.ndarray, dt: float) -> np.ndarray:
        """Phase probabilities `dt` hours after `vec` (mass that left is gone)."""
        if dt == 0:
            return vec
        if self._dense is not None:
            return vec @ scipy.linalg.expm(self._dense * dt)
        return spla.expm_multiply(self.T.T * dt, vec)

    def _survival(self, t: float) -> float:
        return float(min(max(self._step(self.alpha, t).sum(), 0.0), 1.0))

    def sf(self, t):
        """P(outage lasts longer than t); `t` a duration or an array of them.

        For an array the times are visited in increasing order and each step
        starts from the previous one, so a curve costs about as much as its
        last point.
        """
        if np.ndim(t) == 0:
            return self._survival(duration(t) if isinstance(t, str) else _check_time(t))
        times = np.array([duration(x) if isinstance(x, str) else _check_time(x)
                          for x in np.asarray(t, dtype=object).ravel()])
        out = np.empty(times.size)
        gaps = np.diff(times)
        if self._dense is None and times.size > 2 and times[0] >= 0 and np.allclose(
                gaps, gaps[0], rtol=1e-9, atol=0) and gaps[0] > 0:
            # An evenly spaced grid (a plotted curve): one call for every point.
            vecs = spla.expm_multiply(self.T.T, self.alpha, start=times[0], stop=times[-1],
                                      num=times.size, endpoint=True)
            return np.clip(vecs.sum(axis=1), 0.0, 1.0).reshape(np.shape(t))
        vec, now = self.alpha, 0.0
        for i in np.argsort(times, kind="stable"):
            vec, now = self._step(vec, times[i] - now), times[i]
            out[i] = min(max(vec.sum(), 0.0), 1.0)
        return out.reshape(np.shape(t))

    def cdf(self, t):
        """P(outage lasts at most t)."""
        return 1.0 - self.sf(t)

    def quantile(self, q: float) -> float:
        """The outage length (hours) that a share `q` of outages does not exceed."""
        if isinstance(q, (bool, str, bytes)) or not isinstance(q, (int, float, np.number)):
            raise TypeError(f"quantile level q = {q!r}: expected a number with 0 <= q < 1")
        q = float(q)
        if not 0.0 <= q < 1.0:
            raise ValueError(f"quantile level q = {q!r}: expected 0 <= q < 1")
        if q == 0.0:
            return 0.0
        target = 1.0 - q
        # Bracket on a doubling grid, carrying the phase vector along, then
        # refine inside the bracket from the vector at its lower end.
        lo, vec_lo = 0.0, self.alpha
        hi = self.mean
        vec_hi = self._step(vec_lo, hi)
        while vec_hi.sum() > target:
            lo, vec_lo = hi, vec_hi
            vec_hi = self._step(vec_hi, hi)
            hi *= 2.0
        import scipy.optimize  # here, not at the top: it costs 0.2 s of `import hamodel`

        return float(scipy.optimize.brentq(
            lambda t: self._step(vec_lo, t - lo).sum() - target, lo, hi,
            xtol=1e-10 * hi, rtol=1e-10))

    def __repr__(self) -> str:
        approximate = "" if self.exact else ", approximate"
        return f"PhaseType(n_phases={self.n_phases}, mean={self.mean:.6g} h{approximate})"


def _exit_reachable(T, exit_rates) -> bool:
    """True when every phase can reach a phase with a positive exit rate."""
    import scipy.sparse.csgraph as csgraph

    m = T.shape[0]
    exits = np.flatnonzero(exit_rates > 0)
    if exits.size == m:
        return True
    # Reverse graph with an extra node m that every exit phase leads to.
    coo = T.tocoo()
    keep = (coo.row != coo.col) & (coo.data > 0)
    rows = np.concatenate([coo.col[keep], np.full(exits.size, m)])
    cols = np.concatenate([coo.row[keep], exits])
    reverse = sp.csr_array((np.ones(rows.size), (rows, cols)), shape=(m + 1, m + 1))
    seen = csgraph.breadth_first_order(reverse, m, directed=True, return_predecessors=False)
    return seen.size == m + 1


def _check_time(t) -> float:
    return duration(float(t))
