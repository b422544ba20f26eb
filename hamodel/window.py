"""Downtime in a window (a month, a quarter) as a distribution, and outages per window.

An SLO or a contract is measured per window: "99.95 % monthly" allows 21.6
minutes of downtime in 30 days. The mean downtime of a window is ``window *
unavailability``; whether the budget is broken depends on the whole
distribution, which has an atom at 0 (no outage at all) and a long tail
(one slow repair). These functions give it for every model:

* :func:`downtime_distribution` (``model.downtime_distribution(...)``): the
  law of the total downtime ``D`` of a window that starts at a random time
  in steady state, or from a given initial distribution, as a
  :class:`DowntimeDistribution` (``cdf``, ``sf``, ``quantile``, ``mean``,
  ``p_zero``);
* :func:`slo_breach_probability` and :func:`slo_breaches_per_year`;
* :func:`outage_count_distribution`: how many outages (or outages longer than
  X) start in a window, as an :class:`OutageCountDistribution`;
* :func:`error_budget`: ``(1 - slo) * window``.

How exact
---------
For a Markov chain (a component, an HA pattern, a CTMC) and for a block
diagram of independent blocks, the distribution is exact to a stated
absolute error bound (``.error``, at most ``tol``), by split uniformisation
(:mod:`hamodel._occupation`): a randomization method in the line of de
Souza e Silva and Gail (1986) in which up and down states run on their own
Poisson clocks, so that a 360/h failover beside 1e-7/h failures costs
``L_D * x`` steps in the downtime looked at, not ``L * window``. A block
diagram is solved on the product of its leaves' chains restricted to its
likely states (never building the whole product). A block of Components
whose likely product does not fit (``_occupation.MAX_CUT_STATES``) is
simulated with :func:`hamodel.simulate` instead: ``exact = False``,
``method = "monte carlo"``, an interval instead of a bound, and an
:class:`~hamodel.ApproximationWarning`.

Durations are strings (``"30d"``, ``"21.9min"``) or hours; an SLO is a
percentage string (``"99.95%"``) or a fraction (``0.9995``), strictly
between 0 and 100 %.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from datetime import timedelta
from numbers import Real

import numpy as np

from . import _occupation as occ
from . import _outage_count as cnt
from .phasetype import ApproximationWarning
from .measures import plain_number
from .units import HOURS_PER_YEAR, duration, positive_duration

__all__ = ["DowntimeDistribution", "OutageCountDistribution", "error_budget"]

#: Default bound on the absolute error of every probability a result gives.
DEFAULT_TOL = 1e-6
#: Poisson tails left out by the sweep (each); the rest of ``tol`` goes to the cut.
_TAIL = 1e-13
#: Largest sweep (multiply-adds, about a minute) and visit grid (cells, 1.6 GB) allowed.
MAX_WORK = 1e11
MAX_GRID_CELLS = 2e8
#: Monte Carlo runs when a block is too large for the exact route.
DEFAULT_RUNS = 20_000
#: SLO targets whose breach probability the summaries show.
_SUMMARY_SLOS = ("99.9%", "99.95%", "99.99%")


# ------------------------------------------------------------------ inputs
def _window(window) -> float:
    return positive_duration(window, "window")


def _tolerance(tol) -> float:
    if isinstance(tol, bool) or not isinstance(tol, Real) or not 0.0 < float(tol) < 1.0:
        raise ValueError(f"tol = {tol!r}: expected an absolute error bound in (0, 1), "
                         "such as 1e-6")
    return max(float(tol), 8 * _TAIL)


def _slo(slo) -> float:
    """An SLO as a fraction in (0, 1): ``"99.95%"`` or ``0.9995``."""
    if isinstance(slo, str):
        text = slo.strip()
        if not text.endswith("%"):
            raise ValueError(f"slo = {slo!r}: write a percentage with its sign, such as "
                             "'99.95%', or a fraction such as 0.9995")
        try:
            value = float(text[:-1]) / 100.0
        except ValueError:
            raise ValueError(f"slo = {slo!r}: expected a percentage such as '99.95%'") from None
    elif isinstance(slo, Real) and not isinstance(slo, bool):
        value = float(slo)
        if value >= 1.0 and math.isfinite(value):
            raise ValueError(f"slo = {slo!r}: a number is a fraction in (0, 1), such as "
                             f"0.9995; for a percentage write the string '{slo:g}%'")
    else:
        raise TypeError(f"slo = {slo!r}: expected a percentage string such as '99.95%' or a "
                        "fraction such as 0.9995")
    if not 0.0 < value < 1.0:
        raise ValueError(f"slo = {slo!r}: an SLO must be strictly between 0 and 100 %")
    return value


def error_budget(slo, window="30d") -> float:
    """The downtime an SLO allows in a window, in hours: ``(1 - slo) * window``.

    Parameters
    ----------
    slo : str or float
        ``"99.95%"`` or ``0.9995``; strictly between 0 and 100 %. A number of
        1 or more is refused (is 99.95 a percentage or a mistake?).
    window : duration, default ``"30d"``

    Examples
    --------
    >>> import hamodel as hm
    >>> round(hm.error_budget("99.95%", "30d") * 60, 6)  # minutes
    21.6
    >>> round(hm.error_budget(0.999, "1h"), 12) == 0.001
    True
    >>> hm.error_budget(99.95)
    Traceback (most recent call last):
    ...
    ValueError: slo = 99.95: a number is a fraction in (0, 1), such as 0.9995; for a percentage write the string '99.95%'
    """
    return (1.0 - _slo(slo)) * _window(window)


def _budget(slo, budget, w: float) -> float:
    if (slo is None) == (budget is None):
        raise TypeError("give exactly one of slo= (such as '99.95%') and budget= (such as "
                        f"'21.6min'); got slo={slo!r}, budget={budget!r}")
    if budget is None:
        return (1.0 - _slo(slo)) * w
    b = duration(budget)
    if b > w * (1.0 + 1e-12):
        raise ValueError(f"budget = {budget!r} ({b:.6g} h) is longer than the window "
                         f"({w:.6g} h)")
    return min(b, w)


def _times(x):
    """(array of hours, was a scalar) from durations: strings, numbers, timedeltas."""
    if isinstance(x, (str, bytes, timedelta)) or np.ndim(x) == 0:
        return np.array([duration(x if isinstance(x, (str, timedelta)) else _real(x))]), True
    arr = np.asarray(x, dtype=object)
    flat = [duration(v if isinstance(v, (str, timedelta)) else _real(v)) for v in arr.ravel()]
    return np.array(flat, dtype=float).reshape(arr.shape), False


def _real(v):
    if isinstance(v, (bool, np.bool_)):
        raise TypeError(f"duration {v!r}: expected a string such as '20min' or hours")
    return float(v) if isinstance(v, (Real, np.number)) else v


def _level(q) -> float:
    if isinstance(q, (bool, str, bytes)) or not isinstance(q, (Real, np.number)):
        raise TypeError(f"quantile level q = {q!r}: expected a number with 0 <= q < 1")
    q = float(q)
    if not 0.0 <= q < 1.0:
        raise ValueError(f"quantile level q = {q!r}: expected 0 <= q < 1")
    return q


# ------------------------------------------------------------------ backends
class _Sweep:
    """The exact route: a prepared chain and its visit grid, grown on demand."""

    def __init__(self, chain: occ.PreparedChain, w: float):
        self.chain, self.w = chain, w
        self.lam_u, self.lam_d = chain.rates(w)
        self.J = occ.poisson_cut(self.lam_u * w, _TAIL) - 1
        self.M = 0
        self.A = None

    def work(self, x: float) -> float:
        """Estimated multiply-adds of a sweep covering downtimes up to `x`."""
        M = occ.poisson_cut(self.lam_d * x, _TAIL)
        return float(M) * (self.J + 1) * max(self.chain.Q.nnz, 1)

    def _largest_M(self) -> int:
        per_row = (self.J + 1) * max(self.chain.Q.nnz, 1)
        return int(min(MAX_WORK // per_row, MAX_GRID_CELLS // (self.J + 1)))

    def _check_size(self, x: float, M: int) -> None:
        """Refuse, naming the cause, a sweep that would take minutes or gigabytes."""
        work = float(M) * (self.J + 1) * max(self.chain.Q.nnz, 1)
        cells = float(M) * (self.J + 1)
        if work > MAX_WORK or cells > MAX_GRID_CELLS:
            raise ValueError(
                f"P(D > {x:.6g} h) by split uniformisation needs {M:,} down visits (down "
                f"states leave at up to {self.lam_d:.6g}/h) by {self.J + 1:,} up visits (up "
                f"states leave at up to {self.lam_u:.6g}/h over {self.w:.6g} h) on "
                f"{self.chain.Q.nnz:,} transitions: {work:.2g} multiply-adds and "
                f"{cells * 8 / 1e9:.2g} GB, beyond the limits ({MAX_WORK:.0e}, "
                f"{MAX_GRID_CELLS * 8 / 1e9:.2g} GB); ask for shorter downtimes or use "
                "method='monte carlo'")

    def sf(self, x: np.ndarray) -> np.ndarray:
        out = np.zeros(x.shape)
        inside = x < self.w
        if inside.any():
            top = float(x[inside].max())
            need = occ.poisson_cut(self.lam_d * top, _TAIL)
            if need > self.M:
                self._check_size(top, need)
                # Double (a budget at a time costs at most twice the last sweep), but never
                # past what the whole window needs or the limits allow.
                whole = occ.poisson_cut(self.lam_d * self.w, _TAIL)
                self.M = max(need, min(2 * self.M, whole, self._largest_M()))
                self.A = occ.visit_grid(self.chain, self.lam_u, self.lam_d, self.M, self.J)
            out[inside] = occ.survival(self.A, self.lam_u, self.lam_d, self.w, x[inside])
        return out


class _Samples:
    """The Monte Carlo route: downtimes of independent simulated windows."""

    def __init__(self, downtimes: np.ndarray, w: float):
        self.sorted = np.sort(np.asarray(downtimes, dtype=float))
        self.w = w

    def sf(self, x: np.ndarray) -> np.ndarray:
        n = self.sorted.size
        return (n - np.searchsorted(self.sorted, x, side="right")) / n


# ------------------------------------------------------------------ results
@dataclass(frozen=True, eq=False)
class DowntimeDistribution:
    """Law of the total downtime ``D`` in a window: from :func:`downtime_distribution`.

    ``D`` has an atom at 0 (no downtime at all, :attr:`p_zero`), a continuous
    part on ``(0, window)`` and a (usually negligible) atom at ``window``.

    Attributes
    ----------
    model_name : str
    window : float
        Length of the window, hours.
    start : str
        ``"steady state"`` (the window starts at a random time) or ``"given
        initial distribution"``.
    exact : bool
        True when every probability is within :attr:`error` of the true one
        (a rigorous bound); False for a Monte Carlo estimate.
    method : str
        ``"split uniformisation"`` or ``"monte carlo"``.
    error : float
        Exact route: bound on the absolute error of every ``cdf``, ``sf``,
        ``p_zero`` value (the quantiles are those of the computed cdf).
        Monte Carlo: half-width of a simultaneous confidence band at
        :attr:`level` for the whole cdf (Dvoretzky-Kiefer-Wolfowitz) plus
        the distance between a steady-state start and the simulated start
        with every unit up.
    level : float or None
        Confidence level of the Monte Carlo band; None for the exact route.
    note : str
        How it was computed: states, cut, rates, runs.

    Examples
    --------
    A server that fails every five years and is repaired in four hours,
    over a 30-day window:

    >>> import hamodel as hm
    >>> server = hm.Component("server", mtbf="5y", mttr="4h")
    >>> d = server.downtime_distribution("30d")
    >>> round(d.p_zero, 4), round(d.mean * 60, 3)  # P(no downtime), minutes
    (0.9836, 3.942)
    >>> round(d.sf("21.6min"), 4)  # P(more than a 99.95 % budget)
    0.0149
    >>> round(d.quantile(0.99) * 60, 1)  # minutes
    118.8
    >>> d.exact, d.error < 1e-6
    (True, True)
    """

    model_name: str
    window: float
    start: str
    exact: bool
    method: str
    error: float
    note: str
    level: float | None = None
    _backend: object = field(default=None, repr=False)
    _mean: object = field(default=None, repr=False)

    # ---------------------------------------------------------- probabilities
    def sf(self, x):
        """``P(D > x)``; `x` a duration or an array of them (strings or hours)."""
        hours, scalar = _times(x)
        out = np.clip(self._backend.sf(hours.ravel()), 0.0, 1.0).reshape(hours.shape)
        return float(out[0]) if scalar else out

    def cdf(self, x):
        """``P(D <= x)``; `x` a duration or an array of them."""
        s = self.sf(x)
        return 1.0 - s if isinstance(s, float) else 1.0 - s

    @property
    def p_zero(self) -> float:
        """``P(D = 0)``: the chance of a window without any downtime."""
        return 1.0 - self.sf(0.0)

    @property
    def mean(self) -> float:
        """Mean downtime of the window, hours (``window * unavailability`` from steady state)."""
        value = self._mean
        return float(value() if callable(value) else value)

    def quantile(self, q: float) -> float:
        """Smallest downtime ``x`` (hours) with ``cdf(x) >= q``; 0 while ``q <= p_zero``.

        Raises
        ------
        ValueError
            If `q` is outside ``[0, 1)``.
        """
        q = _level(q)
        if q <= self.p_zero:
            return 0.0
        if isinstance(self._backend, _Samples):
            s = self._backend.sorted
            return float(s[min(int(math.ceil(q * s.size)) - 1, s.size - 1)])
        w = self.window
        hi = min(w, max(self.mean, 1e-6 * w))
        while hi < w and self.cdf(hi) < q:
            hi = min(w, 2.0 * hi)
        if self.cdf(hi) < q:  # only an atom at the window length is left
            return w
        lo = 0.0
        import scipy.optimize  # here: 0.2 s of `import hamodel`

        return float(scipy.optimize.brentq(lambda x: self.cdf(x) - q, lo, hi,
                                           xtol=1e-12 * w, rtol=1e-12))

    # ------------------------------------------------------------- SLOs
    def breach_probability(self, budget) -> float:
        """``P(D > budget)``: the chance that this window breaks an error budget."""
        b = duration(budget)
        if b > self.window * (1.0 + 1e-12):
            raise ValueError(f"budget = {budget!r} ({b:.6g} h) is longer than the window "
                             f"({self.window:.6g} h)")
        return self.sf(min(b, self.window))

    def breaches_per_year(self, budget) -> float:
        """Expected breached windows per year: ``(HOURS_PER_YEAR / window) * P(D > budget)``.

        Windows are counted as calendar windows back to back (a year holds
        ``8766 h / window`` of them), each starting in steady state.
        Consecutive windows are dependent (a long outage can straddle two),
        but the expected number of breaches is exact all the same, by
        linearity of expectation.

        Raises
        ------
        ValueError
            If the distribution is not from a steady-state start.
        """
        if self.start != "steady state":
            raise ValueError("breaches_per_year needs windows that start in steady state; "
                             f"this distribution starts from a {self.start}")
        return HOURS_PER_YEAR / self.window * self.breach_probability(budget)

    # ----------------------------------------------------------- display
    @property
    def summary(self):
        """Mean, P(no downtime), breach probabilities of common SLOs and quantiles (DataFrame)."""
        import pandas as pd

        rows = [("Window", self.window, "h"),
                ("Mean downtime", self.mean * 60.0, "min"),
                ("P(no downtime)", self.p_zero, "")]
        for slo in _SUMMARY_SLOS:
            b = error_budget(slo, self.window)
            rows.append((f"P(downtime > {b * 60:.4g} min), a {slo} SLO", self.sf(b), ""))
        for q in (0.5, 0.9, 0.99):
            rows.append((f"{q:.0%} quantile", self.quantile(q) * 60.0, "min"))
        rows.append(("Error bound" if self.exact else f"Half-width at {self.level:.0%}",
                     self.error, ""))
        frame = pd.DataFrame(rows, columns=["measure", "value", "unit"])
        return frame.set_index("measure")

    def _repr_html_(self) -> str:
        kind = "exact" if self.exact else "approximate"
        head = (f"<p><b>{self.model_name}</b>: downtime in a {self.window:.6g} h window "
                f"from {self.start} ({self.method}, {kind})</p>")
        return head + self.summary.to_html(float_format=plain_number)

    def __repr__(self) -> str:
        return (f"DowntimeDistribution({self.model_name!r}, window={self.window:.6g} h, "
                f"start={self.start!r}, mean={self.mean:.6g} h, p_zero={self.p_zero:.6g}, "
                f"method={self.method!r}, error={self.error:.2g})")


@dataclass(frozen=True, eq=False)
class OutageCountDistribution:
    """Law of the number ``N`` of outages that start in a window.

    From :func:`outage_count_distribution`. With `longer_than` only the
    outages that last longer than it count (their whole length, also the
    part after the window).

    Attributes
    ----------
    model_name : str
    window : float
        Hours.
    longer_than : float or None
        Hours, or None (every outage).
    start : str
        ``"steady state"`` or ``"given initial distribution"``.
    exact : bool
    method : str
        ``"matrix exponential"`` (exact) or ``"sum over series parts"``
        (exact unless two parts are down at once, a chance bounded by
        :attr:`error`).
    error : float
        Bound on the absolute error of every ``pmf``, ``cdf`` and ``sf``
        value.
    note : str

    Examples
    --------
    Failures of a unit that fails about once a year, in 30 days:

    >>> import hamodel as hm
    >>> unit = hm.Component("unit", mtbf="1y", mttr="4h")
    >>> n = unit.outage_count_distribution("30d")
    >>> round(n.pmf(0), 4), round(n.pmf(1), 4), round(n.mean, 4)
    (0.9211, 0.0757, 0.0821)
    >>> round(unit.outage_count_distribution("30d", longer_than="8h").mean, 4)
    0.0111
    """

    model_name: str
    window: float
    longer_than: float | None
    start: str
    exact: bool
    method: str
    error: float
    note: str
    _pmf: np.ndarray = field(default=None, repr=False)
    _mean: float = field(default=None, repr=False)

    def pmf(self, k):
        """``P(N = k)``; `k` an integer or an array of them."""
        k_arr = self._counts(k)
        p = self._pmf
        out = np.where(k_arr < p.size, p[np.minimum(k_arr, p.size - 1)], 0.0)
        return float(out) if np.ndim(k) == 0 else out

    def cdf(self, k):
        """``P(N <= k)``."""
        k_arr = self._counts(k)
        c = np.minimum(np.cumsum(self._pmf), 1.0)
        out = np.where(k_arr < c.size, c[np.minimum(k_arr, c.size - 1)], 1.0)
        return float(out) if np.ndim(k) == 0 else out

    def sf(self, k):
        """``P(N > k)``."""
        c = self.cdf(k)
        return 1.0 - c

    @property
    def p_zero(self) -> float:
        """``P(N = 0)``: a window without any (long) outage starting in it."""
        return self.pmf(0)

    @property
    def mean(self) -> float:
        """Mean number: ``window * f`` (times ``P(outage > longer_than)``) from steady state."""
        return float(self._mean)

    @staticmethod
    def _counts(k):
        arr = np.asarray(k)
        if arr.dtype.kind not in "iu" and not (arr.dtype.kind == "f" and np.all(arr == np.floor(arr))):
            raise TypeError(f"k = {k!r}: expected a whole number of outages")
        if np.any(arr < 0):
            raise ValueError(f"k = {k!r}: expected a number of outages >= 0")
        return arr.astype(np.int64)

    @property
    def summary(self):
        """``P(N = k)`` and ``P(N >= k)`` for the likely k (DataFrame indexed by k)."""
        import pandas as pd

        last = int(np.flatnonzero(self._pmf > max(self.error, 1e-12))[-1]) if np.any(
            self._pmf > max(self.error, 1e-12)) else 0
        ks = np.arange(last + 1)
        frame = pd.DataFrame({"k": ks, "P(N = k)": self.pmf(ks),
                              "P(N >= k)": np.concatenate([[1.0], self.sf(ks[1:] - 1)])})
        return frame.set_index("k")

    def _repr_html_(self) -> str:
        what = ("outages" if self.longer_than is None
                else f"outages longer than {self.longer_than:.6g} h")
        head = (f"<p><b>{self.model_name}</b>: {what} starting in a {self.window:.6g} h "
                f"window from {self.start}; mean {self.mean:.6g} ({self.method}, error "
                f"&le; {self.error:.2g})</p>")
        return head + self.summary.to_html(float_format=plain_number)

    def __repr__(self) -> str:
        longer = "" if self.longer_than is None else f", longer_than={self.longer_than:.6g} h"
        return (f"OutageCountDistribution({self.model_name!r}, window={self.window:.6g} h"
                f"{longer}, mean={self.mean:.6g}, p_zero={self.p_zero:.6g}, "
                f"method={self.method!r}, error={self.error:.2g})")


# ------------------------------------------------------------------ models
def _target(model):
    """The model that answers: a Stack's block, a ReadReplicas' read service."""
    inner = getattr(model, "model", None)
    if inner is not None and hasattr(model, "tiers"):  # a Stack
        return inner
    read = getattr(model, "read", None)
    if read is not None and hasattr(model, "write"):  # ReadReplicas
        return read
    if not (hasattr(model, "to_ctmc") and hasattr(model, "measures")):
        raise TypeError(f"{model!r} is not a model: expected a Component, CTMC, block, HA "
                        "pattern or stack")
    return model


def _is_product(model) -> bool:
    from .blocks import Block

    return isinstance(model, Block) and not model.is_leaf


def _start(chain, initial):
    """(alpha, steady) for a chain: its stationary law, or a given state or vector."""
    if initial is None:
        return np.asarray(chain.solution.pi, dtype=float), True
    from .ctmc import CTMC

    probe = CTMC(chain.Q, chain.up, states=chain.states, initial=initial, name=chain.name)
    return np.asarray(probe.initial, dtype=float), False


def _mean_from(chain, alpha, w):
    """``E[D]`` from `alpha`: ``w U + (alpha - alpha e^(wQ)) (1 pi - Q)^-1 1_D``."""
    from . import solvers

    pi = np.asarray(chain.solution.pi, dtype=float)
    down = (~np.asarray(chain.up)).astype(float)
    Q = chain.Q
    later = solvers.transient(Q, alpha, w, stationary=pi)
    n = Q.shape[0]
    if n <= 2000:
        y = np.linalg.solve(np.outer(np.ones(n), pi) - Q.toarray(), down)
    else:
        import scipy.sparse as sp
        import scipy.sparse.linalg as spla

        # -Q y = 1_D - U with pi y = U: replace the equation of the likeliest state.
        r = int(np.argmax(pi))
        A = sp.lil_array(-Q)
        A[[r], :] = pi[None, :]
        rhs = down - float(pi @ down)
        rhs[r] = float(pi @ down)
        y = spla.spsolve(sp.csc_array(A), rhs)
    return float(w * (pi @ down) + (alpha - later) @ y)


def downtime_distribution(model, window="30d", initial=None, *, tol=DEFAULT_TOL,
                          method=None, runs=DEFAULT_RUNS, seed=None,
                          level=0.95) -> DowntimeDistribution:
    """Law of the total downtime in a window (``model.downtime_distribution(...)``).

    Parameters
    ----------
    model : Component, CTMC, block, HA pattern or Stack
    window : duration, default ``"30d"``
        Length of the window (``"30d"``, ``"90d"``, or hours).
    initial : state or array_like, optional
        None (default): the window starts at a random time in steady state.
        Otherwise a state of ``model.to_ctmc()`` or a probability vector over
        its states (``model.to_ctmc().initial`` is "every unit up").
    tol : float, default 1e-6
        Bound on the absolute error of every probability of the result; the
        exact route states the bound it reached in ``.error``.
    method : {None, "exact", "monte carlo"}
        None: exact while the model's likely states fit, else Monte Carlo
        (blocks of Components only).
    runs, seed, level
        Monte Carlo only: windows simulated, seed, confidence level of the
        band in ``.error``.

    Returns
    -------
    DowntimeDistribution

    Raises
    ------
    ValueError
        For a window of zero or negative length, a tolerance outside (0, 1),
        an unknown method, or a model too large for the exact route that
        cannot be simulated.

    Notes
    -----
    The work of the exact route is about ``(L_D x + 10 sqrt(L_D x)) * (L_U w +
    10 sqrt(L_U w)) * transitions`` multiply-adds for downtimes up to ``x``,
    with ``L_U`` and ``L_D`` the largest exit rates of an up and of a down
    state: long windows of fast-repairing up states, or long downtimes of
    fast-failing-over down states, cost the most.

    Examples
    --------
    An active/standby pair whose failover takes about ten seconds (360/h):

    >>> import hamodel as hm
    >>> pair = hm.active_standby(hm.Component("db", mtbf="1y", mttr="4h"), failover="10s")
    >>> d = pair.downtime_distribution("30d")
    >>> round(d.p_zero, 4), round(d.mean * 3600, 2)  # seconds
    (0.9211, 1.9)
    >>> round(d.sf("1min"), 5)  # a minute or more: a slow failover or a double failure
    0.00032
    """
    w = _window(window)
    tol = _tolerance(tol)
    if method not in (None, "exact", "monte carlo"):
        raise ValueError(f"method = {method!r}: expected None, 'exact' or 'monte carlo'")
    target = _target(model)
    name = str(getattr(model, "name", getattr(target, "name", "model")))
    if method == "monte carlo":
        return _simulated(target, name, w, runs, seed, level, initial, "asked for")
    budget = tol - 2 * _TAIL - 2 * occ.ROW_TAIL
    if _is_product(target) and initial is None:
        leaves = target.leaves
        chains = [leaf.to_ctmc() for leaf in leaves]
        chain = occ.prepare_product(chains, target.structure, [leaf.name for leaf in leaves],
                                    t=w, loss_budget=budget)
        if chain is None:
            if method == "exact":
                raise ValueError(f"{name!r}: even cut to its likely states, the product of its "
                                 f"{len(leaves)} leaves' chains has more than "
                                 f"{occ.MAX_CUT_STATES:,} states; use method='monte carlo'")
            return _simulated(target, name, w, runs, seed, level, initial,
                              f"the likely product states exceed {occ.MAX_CUT_STATES:,}")
        mean = w * target.measures().unavailability
        start = "steady state"
    else:
        ctmc = target.to_ctmc()
        alpha, steady = _start(ctmc, initial)
        chain = occ.prepare_chain(ctmc.Q, ctmc.up, alpha, ctmc.solution.pi if steady else None,
                                  t=w, loss_budget=budget)
        if steady:
            mean = w * target.measures().unavailability
            start = "steady state"
        else:
            cache = {}

            def mean():
                if "v" not in cache:
                    cache["v"] = _mean_from(ctmc, alpha, w)
                return cache["v"]
            start = "given initial distribution"
    sweep = _Sweep(chain, w)
    cut = (f"cut to the {chain.kept:,} states of stationary probability above a threshold "
           f"(of {chain.total:,}), mass lost through the cut <= {chain.loss:.2g}"
           if chain.kept < chain.total else f"all {chain.total:,} states")
    note = (f"split uniformisation: {cut}; up states at {sweep.lam_u:.6g}/h, down states at "
            f"{sweep.lam_d:.6g}/h; {sweep.J + 1} up visits; Poisson tails <= {_TAIL:.0e} each")
    return DowntimeDistribution(model_name=name, window=w, start=start, exact=True,
                                method="split uniformisation",
                                error=float(chain.loss + 2 * _TAIL + 2 * occ.ROW_TAIL), note=note,
                                _backend=sweep, _mean=mean)


def _simulated(model, name, w, runs, seed, level, initial, why) -> DowntimeDistribution:
    """Monte Carlo with hm.simulate: windows from new, widened to a steady-state start."""
    from .montecarlo import FewOutagesWarning, simulate
    from .units import confidence_level

    if initial is not None:
        raise ValueError(f"{name!r}: the Monte Carlo route starts every unit up; it takes no "
                         "initial= (the exact route does, for models whose chain fits)")
    level = confidence_level(level)
    with warnings.catch_warnings():  # most windows hold no outage: that is the point
        warnings.simplefilter("ignore", FewOutagesWarning)
        result = simulate(model, horizon=w, runs=runs, seed=seed)
    n = result.runs
    band = math.sqrt(math.log(2.0 / (1.0 - level)) / (2.0 * n))
    leaves = getattr(model, "leaves", (model,))
    all_up = math.prod(leaf.measures().availability for leaf in leaves)
    error = band + (1.0 - all_up)
    note = (f"monte carlo ({why}): {n:,} windows of {w:.6g} h simulated by hm.simulate from "
            f"every unit up; +-{band:.2g} simultaneous band at {level:.0%} "
            f"(Dvoretzky-Kiefer-Wolfowitz) plus {1.0 - all_up:.2g} for a steady-state start "
            "(the chance that some unit is down at the start)")
    warnings.warn(f"the downtime distribution of {name!r} is a Monte Carlo estimate: {note}",
                  ApproximationWarning, stacklevel=3)
    return DowntimeDistribution(model_name=name, window=w, start="steady state", exact=False,
                                method="monte carlo", error=float(min(error, 1.0)), note=note,
                                level=level, _backend=_Samples(result.downtime, w),
                                _mean=w * model.measures().unavailability)


def slo_breach_probability(model, slo=None, window="30d", *, budget=None, initial=None,
                           tol=DEFAULT_TOL) -> float:
    """Chance that a window's downtime exceeds its error budget, ``P(D > budget)``.

    Parameters
    ----------
    model : Component, CTMC, block, HA pattern or Stack
    slo : str or float
        ``"99.95%"`` or ``0.9995`` (strictly between 0 and 100 %): the budget
        is ``(1 - slo) * window``. Give `slo` or `budget`, not both.
    window : duration, default ``"30d"``
    budget : duration, optional
        The allowed downtime itself (``"21.6min"``); at most the window.
    initial, tol
        As for :func:`downtime_distribution`.

    Examples
    --------
    >>> import hamodel as hm
    >>> server = hm.Component("server", mtbf="5y", mttr="4h")
    >>> round(server.slo_breach_probability("99.95%", "30d"), 4)
    0.0149
    >>> round(server.slo_breach_probability(budget="1h", window="30d"), 4)
    0.0129
    """
    w = _window(window)
    b = _budget(slo, budget, w)
    return downtime_distribution(model, w, initial, tol=tol).breach_probability(b)


def slo_breaches_per_year(model, slo=None, window="30d", *, budget=None,
                          tol=DEFAULT_TOL) -> float:
    """Expected number of breached windows per year.

    Calendar windows back to back, ``HOURS_PER_YEAR / window`` of them, each
    starting in steady state: ``(8766 h / window) * P(D > budget)``.
    Consecutive windows are dependent, but the expectation is exact.

    Examples
    --------
    >>> import hamodel as hm
    >>> server = hm.Component("server", mtbf="5y", mttr="4h")
    >>> round(server.slo_breaches_per_year("99.95%", "30d"), 4)
    0.1823
    """
    w = _window(window)
    b = _budget(slo, budget, w)
    return downtime_distribution(model, w, tol=tol).breaches_per_year(b)


def outage_count_distribution(model, window="30d", longer_than=None, *, initial=None,
                              tol=DEFAULT_TOL) -> OutageCountDistribution:
    """Law of the number of outages (or of outages longer than X) that start in a window.

    Parameters
    ----------
    model : Component, CTMC, block, HA pattern or Stack
    window : duration, default ``"30d"``
    longer_than : duration, optional
        Count only outages that last longer than this (``"20min"``), their
        whole length counting, also after the window.
    initial : state or array_like, optional
        As for :func:`downtime_distribution` (chains small enough for the
        exact route only).
    tol : float

    Returns
    -------
    OutageCountDistribution

    Notes
    -----
    Exact (matrix exponentials, see :mod:`hamodel._outage_count`) for chains
    of up to ``COUNT_DENSE_STATES`` states, and for blocks whose likely
    product states are that few. A larger series (a stack) is counted part
    by part: exact unless two of its parts are down at the same time in the
    window, whose chance is the stated error; an
    :class:`~hamodel.ApproximationWarning` says so when it exceeds `tol`.

    Examples
    --------
    >>> import hamodel as hm
    >>> pair = hm.active_standby(hm.Component("db", mtbf="1y", mttr="4h"), failover="10s")
    >>> n = pair.outage_count_distribution("30d")
    >>> round(n.mean, 4), round(n.pmf(0), 4), round(n.pmf(2), 5)
    (0.0821, 0.9211, 0.00311)
    >>> pair.outage_count_distribution("30d", longer_than="1min").mean < 1e-3
    True
    """
    w = _window(window)
    tol = _tolerance(tol)
    X = None if longer_than is None else duration(longer_than)
    target = _target(model)
    name = str(getattr(model, "name", getattr(target, "name", "model")))
    chain = None
    if _is_product(target) and initial is None:
        leaves = target.leaves
        prep = occ.prepare_product([leaf.to_ctmc() for leaf in leaves], target.structure,
                                   [leaf.name for leaf in leaves], t=w, loss_budget=tol / 2,
                                   limit=cnt.COUNT_DENSE_STATES)
        if prep is not None and prep.n_states <= cnt.COUNT_DENSE_STATES:
            chain = prep
    else:
        ctmc = target.to_ctmc()
        alpha, steady = _start(ctmc, initial)
        if ctmc.n_states <= cnt.COUNT_DENSE_STATES:
            chain = occ.prepare_chain(ctmc.Q, ctmc.up, alpha, None, t=w, loss_budget=0.0)
        elif steady:
            prep = occ.prepare_chain(ctmc.Q, ctmc.up, alpha, ctmc.solution.pi, t=w,
                                     loss_budget=tol / 2)
            if prep.n_states <= cnt.COUNT_DENSE_STATES:
                chain = prep
        if chain is None and not steady:
            raise ValueError(f"{name!r}: the exact outage count from a given initial "
                             f"distribution needs at most {cnt.COUNT_DENSE_STATES} states; "
                             f"the chain has {ctmc.n_states:,}")
    start = "steady state" if initial is None else "given initial distribution"
    mean = None
    if initial is None:
        m = target.measures()
        mean = w * m.failure_frequency
        if X is not None and mean > 0:
            mean *= float(target.outage_duration().sf(X))
    if chain is not None:
        pmf, err = _count(chain, w, X, tol, 1.0 if mean is None else mean)
        err += chain.loss
        note = (f"matrix exponential: {chain.kept:,} of {chain.total:,} states"
                + (f", mass lost through the cut <= {chain.loss:.2g}" if chain.loss else ""))
        method, exact = "matrix exponential", True
    else:
        pmf, err, note = _count_by_parts(target, name, w, X, tol)
        method, exact = "sum over series parts", err <= tol
    if mean is None:
        mean = float(np.arange(pmf.size) @ pmf)
    return OutageCountDistribution(model_name=name, window=w, longer_than=X, start=start,
                                   exact=exact, method=method, error=float(min(err, 1.0)),
                                   note=note, _pmf=pmf, _mean=mean)


def _count(chain: occ.PreparedChain, w: float, X, tol: float, guess: float = 1.0):
    up = np.zeros(chain.n_states, dtype=bool)
    up[:chain.n_up] = True
    if chain.n_up == chain.n_states:  # no down state: never an outage
        return np.ones(1), 0.0
    tail = min(tol / 4, 1e-12)
    if X is None or X == 0.0:
        return cnt.count_all(chain.Q, up, chain.alpha, w, tail, guess)
    return cnt.count_longer(chain.Q, up, chain.alpha, w, X, tail, guess)


def _count_by_parts(block, name, w, X, tol):
    from .blocks import Series

    if not isinstance(block, Series):
        raise ValueError(f"{name!r}: its likely product states are more than "
                         f"{cnt.COUNT_DENSE_STATES} and it is not a series of parts, so its "
                         "outage count has no exact route here")
    pmfs, errors = [], []
    for part in block.blocks:
        sub = outage_count_distribution(part, w, X, tol=tol)
        if not sub.exact:
            raise ValueError(f"{name!r}: part {part.name!r} is too large for an exact count")
        pmfs.append(sub._pmf)
        errors.append(sub.error)
    bound = cnt.overlap_bound([p.measures() for p in block.blocks], w)
    error = bound + sum(errors)
    note = (f"sum over the {len(pmfs)} series parts' own counts (each exact); they add up "
            f"unless two parts are down at the same time in the window, a chance <= "
            f"{bound:.2g}")
    if error > tol:
        warnings.warn(f"the outage count of {name!r} is exact only to {error:.2g}: {note}",
                      ApproximationWarning, stacklevel=3)
    return cnt.convolve(pmfs), error, note
