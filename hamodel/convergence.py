"""When to stop an iteration for a stationary distribution, and how wrong it still is.

Both iterative methods of hamodel (Gauss-Seidel sweeps and multilevel
cycles) produce iterates whose every entry is a sum of non-negative terms.
The largest relative change of an entry from one step to the next, ``d_k``
(measured as ``|log(new / old)|``, see :func:`relative_change`),
measures how far the iterate is from balance state by state, large and small
probabilities alike. If the error contracts by a factor ``r`` per step, the
error left after step k is at most about ``d_k r / (1 - r)``. The rate is
taken as the more pessimistic of the last ratio ``d_k / d_{k-1}`` and the
mean ratio over the last three steps.
"""

from __future__ import annotations

import numpy as np

__all__ = ["FLOOR", "Convergence", "relative_change"]

#: Probabilities below this are left out of the convergence test: they are far
#: beyond any measure, and near the end of the double range, where the multilevel
#: method's own floor (1e-280, far below) makes them wobble by 1e-10.
FLOOR = 1e-250


def relative_change(old: np.ndarray, new: np.ndarray) -> float:
    """Largest ``|log(new_j / old_j)|`` over the entries above :data:`FLOOR`.

    For small changes this is the relative change ``|new_j - old_j| /
    new_j``; unlike it, it treats a fall by a factor of 1e15 (the tail of a
    chain still collapsing from a uniform start) like a rise by the same
    factor, so that the rate of convergence stays readable. An entry that
    rises from below the floor counts as a change of 700 (``e^700`` is near
    the end of the double range).

    Examples
    --------
    >>> round(relative_change(np.array([0.5, 0.5]), np.array([0.5, 0.5 * (1 + 1e-9)])), 15)
    1e-09
    """
    kept = new > FLOOR
    with np.errstate(divide="ignore"):
        ratio = np.log(new[kept] / old[kept])
    return float(min(np.max(np.abs(ratio), initial=0.0), 700.0))


class Convergence:
    """The entrywise stopping rule, step by step.

    Parameters
    ----------
    tol : float
        Target for the estimated largest relative error.
    limit : int
        Most steps.
    step : str
        What one step is called in messages ("sweep", "cycle").
    patience : int
        From this step on, the iteration is given up as soon as the rate
        over the last ``patience // 2`` steps shows that it cannot reach
        `tol` within `limit` steps.

    Examples
    --------
    An iteration whose error halves at every step:

    >>> exact = np.array([0.75, 0.25])
    >>> watch, x = Convergence(tol=1e-6, limit=100, step="step"), exact * 1.5
    >>> while True:
    ...     new = exact + (x - exact) / 2
    ...     if watch.update(x, new):
    ...         break
    ...     x = new
    >>> watch.steps, watch.estimate < 1e-6
    (19, True)
    """

    def __init__(self, tol: float, limit: int, step: str, patience: int = 20):
        self.tol, self.limit, self.step, self.patience = tol, limit, step, patience
        self.changes: list[float] = []
        self.estimate = np.inf
        self.rate = np.nan

    @property
    def steps(self) -> int:
        """Steps made."""
        return len(self.changes)

    def update(self, old: np.ndarray, new: np.ndarray) -> bool:
        """Record one step; True when the iterate `new` is accurate to `tol`.

        Raises
        ------
        ArithmeticError
            When the steps run out, or the rate shows they will.
        """
        change = relative_change(old, new)
        changes = self.changes
        changes.append(change)
        k = len(changes)
        if change <= 64 * np.finfo(float).eps:  # converged to rounding
            self.estimate = change
            return True
        if k >= 4:
            self.rate = max(changes[-1] / changes[-2], (changes[-1] / changes[-4]) ** (1 / 3))
            if self.rate < 1:
                self.estimate = change * self.rate / (1 - self.rate)
                if self.estimate <= self.tol:
                    return True
        if k >= self.limit:
            raise self._failure()
        if k >= self.patience:
            span = self.patience // 2
            slow = (changes[-1] / changes[-1 - span]) ** (1 / span)
            if slow >= 1 or k + np.log(self.tol / change) / np.log(slow) > self.limit:
                self.rate = slow
                raise self._failure()
        return False

    def _failure(self) -> ArithmeticError:
        return ArithmeticError(
            f"did not converge: after {self.steps} {self.step}s the largest relative change "
            f"is {self.changes[-1]:.3g}, contracting by {self.rate:.6g} per {self.step} "
            f"(limit {self.limit} {self.step}s)")
