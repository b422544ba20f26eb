"""Monte Carlo simulation of block diagrams with non-exponential lifetimes.

Each leaf :class:`~hamodel.Component` is an alternating renewal process: up
for a draw from ``ttf``, down for a draw from ``ttr``, again and again,
independently of the other leaves. The system is up while the block's
structure function of the leaf states is true.

How it is vectorised
--------------------
Runs are processed in batches of ``B`` runs. For each leaf, up and repair
times are drawn as ``(B, m)`` arrays (``m`` cycles, enough for the horizon
with high probability; more chunks are drawn while some run is short),
interleaved and summed along the rows: the leaf's event times in every run
at once. The leaves' event arrays are concatenated into one ``(B, M)`` array
(events past the horizon become ``inf``) and sorted row by row with
``argsort``. The system state can change only at those merged events. A
leaf's state after merged event ``j`` is the parity of its own events so
far (a ``cumsum`` along the row), so the structure function is evaluated
once, elementwise, on ``(B, M)`` boolean arrays. Down time, outages
(up -> down changes), time spent degraded and outage lengths then follow
from array differences; no Python loop runs over events or runs.

Estimates are over ``[0, horizon]`` starting with every unit new (up) at
time 0, with no warm-up. They differ from steady-state values by a transient
of relative size about ``(mean cycle) / horizon``; choose the horizon long
against the units' up-plus-repair cycles when steady state is wanted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

import numpy as np

from .blocks import Block, KofN
from .component import Component
from .measures import MEASURES, SUMMARY_MEASURES, Measures
from .units import (HOURS_PER_YEAR, MINUTES_PER_YEAR, confidence_level, duration,
                    positive_duration)

__all__ = ["simulate", "SimulationResult"]


def _interval_rows() -> list:
    """(field of Measures, label, unit) of the measures with an interval, in order."""
    fields = {"downtime_per_year": "downtime_minutes_per_year"}
    return [(fields.get(name, name), MEASURES[name].label, MEASURES[name].unit_of())
            for name in SUMMARY_MEASURES]

#: Below this many events in all runs together, the interval of a count
#: measure is widened to contain the exact Poisson (Garwood) interval.
SMALL_COUNT = 100

#: Most failure and repair events one run may hold (its arrays take about 50
#: bytes an event).
MAX_EVENTS_PER_RUN = 2e7
#: Most events a whole simulation may hold (about ten minutes of work).
MAX_EVENTS = 2e9
# Target number of merged events per batch (array elements), to bound memory.
_BATCH_EVENTS = 2_000_000


class Estimate(NamedTuple):
    """A simulated estimate with its confidence interval."""

    value: float
    low: float
    high: float


def simulate(model, horizon="10y", runs=1000, seed=None, *, batch=None) -> "SimulationResult":
    """Simulate a component or a block diagram of components.

    Parameters
    ----------
    model : Component or Block
        A :class:`~hamodel.Component`, or a series / parallel / k-of-n /
        network block whose leaves are all Components. Each leaf uses its
        ``ttf`` and ``ttr`` distributions.
    horizon : str or float
        Simulated time per run (``"10y"`` or hours).
    runs : int
        Independent runs, at least 2 (the intervals are over runs).
    seed : int, numpy.random.Generator or None
        Passed to :func:`numpy.random.default_rng`.
    batch : int, optional
        Runs simulated together in one set of arrays; by default as many as
        keep a batch near two million events. The result for a given seed
        depends on the batch size.

    Returns
    -------
    SimulationResult

    Raises
    ------
    TypeError
        If the model is not a Component or a block of Components (a CTMC
        leaf, an HA pattern, a k-of-n group with shared crews or a common
        cause): its units interact, which a product of independent renewal
        processes cannot represent.
    ValueError
        For a bad horizon, number of runs or batch size.

    Notes
    -----
    Estimates are over ``[0, horizon]`` from new (every unit up at time 0).
    The work is about ``runs * sum(2 * horizon / (mtbf + mttr))`` events over
    the leaves, whatever the system's own outage rate, so rare system
    outages of redundant designs cost nothing extra.

    Examples
    --------
    >>> import hamodel as hm
    >>> a = hm.Component("a", failure_rate=0.01, repair_rate=0.1)
    >>> pair = hm.parallel(a, a.renamed("b"))
    >>> res = hm.simulate(pair, horizon="20000h", runs=200, seed=1)
    >>> res.runs, res.horizon
    (200, 20000.0)
    >>> lo, hi = res.interval("availability", level=0.999)
    >>> bool(lo <= pair.measures().availability <= hi)
    True
    """
    leaves, structure = _simulable(model)
    H = positive_duration(horizon, "simulate: horizon")
    if isinstance(runs, bool) or not isinstance(runs, (int, np.integer)):
        raise TypeError(f"simulate: runs = {runs!r}; expected an integer")
    if runs < 2:
        raise ValueError(f"simulate: runs = {runs!r}; expected at least 2 runs "
                         "(the confidence intervals are computed over runs)")
    runs = int(runs)
    events_per_run = sum(2.0 * H / (leaf.ttf.mean + leaf.ttr.mean) + 2.0 for leaf in leaves)
    if events_per_run > MAX_EVENTS_PER_RUN or events_per_run * runs > MAX_EVENTS:
        raise ValueError(
            f"simulate: {runs} runs of {H:.6g} h of {model.name!r} are about "
            f"{events_per_run * runs:.3g} failure and repair events ({events_per_run:.3g} per "
            f"run); the limits are {MAX_EVENTS_PER_RUN:.0e} per run and {MAX_EVENTS:.0e} in "
            "all (memory and hours of work): shorten the horizon or run fewer runs")
    if batch is None:
        batch = int(min(runs, max(1, _BATCH_EVENTS // events_per_run)))
    elif isinstance(batch, bool) or not isinstance(batch, (int, np.integer)) or batch < 1:
        raise ValueError(f"simulate: batch = {batch!r}; expected None or an integer >= 1")
    rng = np.random.default_rng(seed)

    start = structure({leaf.name: np.ones(1, dtype=bool) for leaf in leaves})
    if not bool(np.all(start)):  # pragma: no cover - blocks are coherent
        raise ValueError(f"simulate: {model.name!r} is down with every component up")

    parts = []
    for first in range(0, runs, batch):
        b = min(batch, runs - first)
        part = _simulate_batch(leaves, structure, H, b, rng)
        part["outage_runs"] += first
        parts.append(part)
    data = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    for v in data.values():
        v.setflags(write=False)
    return SimulationResult(model_name=model.name, runs=runs, horizon=H, **data)


def _simulable(model):
    """(leaves, structure function) of a model made of independent Components."""
    if isinstance(model, Component):
        return (model,), lambda x: x[model.name]
    name = getattr(model, "name", None)
    if isinstance(model, Block):
        for leaf in model.leaves:
            if isinstance(leaf, Component):
                continue
            if isinstance(leaf, KofN):
                why = (f"its k-of-n group {leaf.name!r} has shared repair crews or a "
                       "common-cause beta, so its units interact")
            else:
                why = (f"its leaf {getattr(leaf, 'name', leaf)!r} is a {type(leaf).__name__}, "
                       "not a Component")
            raise TypeError(
                f"simulate: cannot simulate {model.name!r}: {why}. simulate() handles "
                "Components and series/parallel/k_of_n/network blocks of Components "
                "(independent units); use the analytic route, model.measures(), for this model"
            )
        return model.leaves, model.structure
    raise TypeError(
        f"simulate: cannot simulate {name if name is not None else model!r} "
        f"({type(model).__name__}): simulate() handles Components and "
        "series/parallel/k_of_n/network blocks of Components; use the analytic route, "
        "model.measures(), for Markov models and HA patterns"
    )


def _cycles(leaf, span: float) -> int:
    """Cycles that cover `span` hours with high probability (mean + 4 sd + 2)."""
    cycle = leaf.ttf.mean + leaf.ttr.mean
    n = span / cycle
    sd = math.sqrt(span * (leaf.ttf.var + leaf.ttr.var) / cycle**3)
    return max(1, math.ceil(min(n + 4.0 * sd, 2.0 * n + 10.0) + 2.0))


def _leaf_events(leaf, H: float, b: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """Event times of one leaf in `b` runs, shape (b, m), inf past `H`; failures per run.

    Column 0 is the first failure, column 1 the end of its repair, and so on.
    """
    chunks, end, m = [], np.zeros(b), _cycles(leaf, H)
    while True:
        d = np.empty((b, 2 * m))
        d[:, 0::2] = leaf.ttf.sample(rng, (b, m))
        d[:, 1::2] = leaf.ttr.sample(rng, (b, m))
        t = np.cumsum(d, axis=1)
        t += end[:, None]
        chunks.append(t)
        end = t[:, -1]
        if end.min() >= H:
            break
        m = _cycles(leaf, H - end.min())
    t = chunks[0] if len(chunks) == 1 else np.concatenate(chunks, axis=1)
    n_events = np.count_nonzero(t < H, axis=1)  # rows are increasing
    t = t[:, : n_events.max()]
    t[t >= H] = np.inf
    return t, (n_events + 1) // 2


def _simulate_batch(leaves, structure, H: float, b: int, rng) -> dict:
    times, failures = zip(*(_leaf_events(leaf, H, b, rng) for leaf in leaves))
    widths = [t.shape[1] for t in times]
    incidents = np.sum(failures, axis=0)
    owner = np.repeat(np.arange(len(leaves), dtype=np.int32), widths)
    merged = np.concatenate(times, axis=1)
    order = np.argsort(merged, axis=1, kind="stable")
    t = np.take_along_axis(merged, order, axis=1)
    k = int(np.isfinite(t).sum(axis=1).max()) if t.size else 0
    t, who = t[:, :k], owner[order[:, :k]]
    valid = np.isfinite(t)

    # Each leaf's state after every merged event: up after an even number of
    # its own events. One bit per leaf (up to 64 leaves a word): an XOR
    # accumulation along each row gives the down-set after every event.
    x, all_up = {}, np.ones((b, k), dtype=bool)
    for first in range(0, len(leaves), 64):
        group = leaves[first:first + 64]
        word = np.dtype(f"uint{max(8, 1 << math.ceil(math.log2(len(group))))}").type
        if len(leaves) <= 64:
            flips = np.left_shift(word(1), who.astype(word))
        else:
            mine = (who >= first) & (who < first + len(group))
            shift = np.where(mine, who - first, 0).astype(word)
            flips = np.where(mine, np.left_shift(word(1), shift), word(0))
        down = np.bitwise_xor.accumulate(flips, axis=1)
        all_up &= down == 0
        for j, leaf in enumerate(group):
            x[leaf.name] = (down & word(1 << j)) == 0
    sys_up = np.broadcast_to(np.asarray(structure(x), dtype=bool), (b, k))

    # Simultaneous events (deterministic times can coincide): the state after
    # a group of equal times is the state after its last event.
    final = np.ones((b, k), dtype=bool)
    final[:, :-1] = t[:, 1:] != t[:, :-1]
    if not np.all(final | ~valid):
        idx = np.where(final, np.arange(k), k)
        last = np.minimum.accumulate(idx[:, ::-1], axis=1)[:, ::-1]
        sys_up = np.take_along_axis(sys_up, last, axis=1)

    tf = np.where(valid, t, H)
    nxt = np.empty_like(tf)
    nxt[:, :-1] = tf[:, 1:]
    nxt[:, -1:] = H
    dt = nxt - tf  # time spent in the state entered at each event
    downtime = np.where(sys_up, 0.0, dt).sum(axis=1)
    degraded = np.where(sys_up & ~all_up, dt, 0.0).sum(axis=1)

    prev = np.ones((b, k), dtype=bool)  # every unit new: the system starts up
    prev[:, 1:] = sys_up[:, :-1]
    starts = prev & ~sys_up & valid
    ends = ~prev & sys_up & valid
    outages = starts.sum(axis=1)

    # Pair the j-th outage start of a run with its j-th end; a run's last
    # outage may still be going on at the horizon (censored there).
    s_run, s_col = np.nonzero(starts)
    e_run, e_col = np.nonzero(ends)
    s_off = np.concatenate([[0], np.cumsum(outages)[:-1]]).astype(np.int64)
    e_count = ends.sum(axis=1)
    e_off = np.concatenate([[0], np.cumsum(e_count)[:-1]]).astype(np.int64)
    slot = s_off[e_run] + (np.arange(e_run.size) - e_off[e_run])
    stop = np.full(s_run.size, H)
    stop[slot] = t[e_run, e_col]
    censored = np.ones(s_run.size, dtype=bool)
    censored[slot] = False
    return {
        "downtime": downtime,
        "outages": outages.astype(np.int64),
        "incidents": incidents.astype(np.int64),
        "degraded": degraded,
        "outage_durations": stop - t[s_run, s_col],
        "outage_censored": censored,
        "outage_runs": s_run.astype(np.int64),
    }


@dataclass(frozen=True, eq=False)
class SimulationResult:
    """Runs of a Monte Carlo simulation and the estimates they give.

    Attributes
    ----------
    model_name : str
    runs : int
        Number of independent runs.
    horizon : float
        Simulated hours per run, from new (every unit up at time 0).
    downtime, degraded : numpy.ndarray, shape (runs,)
        Hours the system was down, and up with some component down, in each
        run.
    outages, incidents : numpy.ndarray of int, shape (runs,)
        System outages (up -> down changes) and component failures in each run.
    outage_durations : numpy.ndarray
        Every outage of every run, pooled (hours). An outage still going on
        at the horizon is cut there and flagged in `outage_censored`.
    outage_censored : numpy.ndarray of bool
    outage_runs : numpy.ndarray of int
        The run each outage belongs to.

    Notes
    -----
    Point estimates pool all runs: availability is total up time over total
    time, the failure frequency total outages over total time, and so on;
    :meth:`measures` derives the other fields as :meth:`Measures.from_rates`
    does. Intervals (:meth:`interval`) use the runs as independent
    replications:

    * Measures that are a mean per hour of a per-run quantity (unavailability,
      availability, downtime per year, degraded fraction, outages and
      incidents per year, failure frequency) get the normal interval
      ``mean +- t sd / sqrt(runs)`` of that quantity over runs (``t`` the
      Student quantile with ``runs - 1`` degrees of freedom: with a normal
      quantile, a nominal 95 % interval covered 71 % at 2 runs). This makes no
      Poisson or independence assumption within a run (outage counts of a
      renewal process are not Poisson).
    * With fewer than :data:`SMALL_COUNT` events in all runs together the
      standard deviation is poorly estimated (and zero with no event), so the
      interval is widened to contain the exact Poisson (Garwood) interval for
      that many events: for counts directly, for down time and degraded time
      by the same relative factor (the count's uncertainty alone is a lower
      bound on theirs). With no outage at all, the down-time measures get the
      only honest interval, ``[0, 1]`` for the unavailability.
    * ``mean_down_time`` and ``mean_up_time`` are ratios of two means over
      runs (down or up time over outages); their intervals use the delta
      method, ``sd(D_r - R N_r) / (sqrt(runs) mean(N))``. ``mean_up_time``
      also contains the exact Poisson interval of up time over the outage
      count when outages are few; ``mean_down_time`` contains the Student
      interval of the mean of the outages themselves when they are few or
      fall in fewer than two runs (the delta method then has no spread to
      measure), and ``[0, inf)`` after a single outage.

    The intervals cover sampling error only, not the start-from-new transient
    (relative size about a cycle over the horizon).
    """

    model_name: str
    runs: int
    horizon: float
    downtime: np.ndarray
    outages: np.ndarray
    incidents: np.ndarray
    degraded: np.ndarray
    outage_durations: np.ndarray
    outage_censored: np.ndarray
    outage_runs: np.ndarray

    @property
    def total_time(self) -> float:
        """Simulated hours over all runs, ``runs * horizon``."""
        return self.runs * self.horizon

    @property
    def name(self) -> str:
        """The simulated model's name (so that :func:`hamodel.compare` can label it)."""
        return self.model_name

    def measures(self) -> Measures:
        """Pooled point estimates as :class:`~hamodel.Measures`."""
        return self._measures

    @cached_property
    def _measures(self) -> Measures:
        total = self.total_time
        down = float(self.downtime.sum())
        up = float((self.horizon - self.downtime).sum())
        return Measures.from_rates(
            availability=up / total,
            unavailability=down / total,
            failure_frequency=float(self.outages.sum()) / total,
            incidents_per_year=float(self.incidents.sum()) / total * HOURS_PER_YEAR,
            degraded_fraction=float(self.degraded.sum()) / total,
        )

    def interval(self, name: str, level: float = 0.95) -> tuple[float, float]:
        """Confidence interval ``(low, high)`` of a measure.

        Parameters
        ----------
        name : str
            A :class:`~hamodel.Measures` field: ``availability``,
            ``unavailability``, ``outages_per_year``, ``failure_frequency``,
            ``mean_down_time``, ``mean_up_time``, ``downtime_minutes_per_year``,
            ``incidents_per_year`` or ``degraded_fraction``.
        level : float
            Confidence level, in (0, 1).

        Returns
        -------
        tuple of float
            See the class notes for how each interval is built.
        """
        z = _quantile(level, self.runs - 1)
        H = self.horizon
        k_out = int(self.outages.sum())
        if name in ("failure_frequency", "outages_per_year", "incidents_per_year"):
            counts = self.incidents if name == "incidents_per_year" else self.outages
            lo, hi = self._count_interval(counts, z, level)
            scale = 1.0 if name == "failure_frequency" else HOURS_PER_YEAR
            return lo * scale, hi * scale
        if name in ("unavailability", "availability", "downtime_minutes_per_year"):
            lo, hi = self._share_interval(self.downtime, k_out, z, level)
            if name == "availability":
                return 1.0 - hi, 1.0 - lo
            scale = MINUTES_PER_YEAR if name == "downtime_minutes_per_year" else 1.0
            return lo * scale, hi * scale
        if name == "degraded_fraction":
            return self._share_interval(self.degraded, int(self.incidents.sum()), z, level)
        if name in ("mean_down_time", "mean_up_time"):
            amount = self.downtime if name == "mean_down_time" else H - self.downtime
            if k_out == 0:
                low = 0.0 if name == "mean_down_time" else float(amount.sum()) / _garwood(
                    0, level)[1]
                return low, math.inf
            lo, hi = _ratio_interval(amount, self.outages, z)
            if name == "mean_down_time" and (
                    k_out < SMALL_COUNT or np.count_nonzero(self.outages) < 2):
                if k_out == 1:
                    return 0.0, math.inf
                lengths = self.outage_durations
                lo2, hi2 = _mean_interval(lengths, _quantile(level, lengths.size - 1))
                lo, hi = min(lo, max(lo2, 0.0)), max(hi, hi2)
                plo, phi = _garwood(k_out, level)
                total_up = float(amount.sum())
                lo, hi = min(lo, total_up / phi), max(hi, total_up / plo)
            return lo, hi
        valid = ", ".join(attr for attr, _, _ in _interval_rows())
        raise ValueError(f"interval: unknown measure {name!r}; expected one of {valid}")

    def outages_longer_than(self, longer_than, level: float = 0.95) -> Estimate:
        """Outages per year that last longer than `longer_than`, with an interval.

        An outage counts once its length has passed `longer_than` within the
        horizon (so one still going on at the horizon counts if it is
        already longer), which makes the per-run counts exact for
        ``[0, horizon]``. The interval is that of a count measure (see the
        class notes).

        Parameters
        ----------
        longer_than : str or float
            A duration, such as ``"20min"``.
        level : float
            Confidence level.

        Returns
        -------
        Estimate
            ``(value, low, high)`` in outages per year.
        """
        limit = duration(longer_than)
        z = _quantile(level, self.runs - 1)
        counts = np.bincount(self.outage_runs[self.outage_durations > limit],
                             minlength=self.runs)
        value = float(counts.sum()) / self.total_time * HOURS_PER_YEAR
        lo, hi = self._count_interval(counts, z, level)
        return Estimate(value, lo * HOURS_PER_YEAR, hi * HOURS_PER_YEAR)

    def _count_interval(self, counts, z: float, level: float) -> tuple[float, float]:
        """Interval of a rate per hour from per-run event counts."""
        lo, hi = _mean_interval(counts / self.horizon, z)
        total = int(counts.sum())
        if total < SMALL_COUNT:
            plo, phi = _garwood(total, level)
            lo, hi = min(lo, plo / self.total_time), max(hi, phi / self.total_time)
        return max(lo, 0.0), hi

    def _share_interval(self, hours, count: int, z: float, level: float):
        """Interval of a share of time from per-run hours, widened for few events."""
        if count == 0:
            return 0.0, 1.0
        lo, hi = _mean_interval(hours / self.horizon, z)
        if count < SMALL_COUNT:
            est = float(hours.sum()) / self.total_time
            plo, phi = _garwood(count, level)
            lo, hi = min(lo, est * plo / count), max(hi, est * phi / count)
        return max(lo, 0.0), min(hi, 1.0)

    def table(self, level: float = 0.95):
        """Estimates and intervals as a pandas DataFrame (estimate, low, high, unit)."""
        import pandas as pd

        m = self.measures()
        rows = [(label, getattr(m, attr), *self.interval(attr, level), unit)
                for attr, label, unit in _interval_rows()]
        frame = pd.DataFrame(rows, columns=["measure", "estimate", "low", "high", "unit"])
        return frame.set_index("measure")

    @property
    def summary(self):
        """:meth:`table` at the 95 % level."""
        return self.table()

    def _repr_html_(self) -> str:
        head = (f"<p><b>{self.model_name}</b>: {self.runs} runs of {self.horizon:.6g} h "
                "(95 % intervals)</p>")
        return head + self.summary.to_html(float_format=lambda v: f"{v:.6g}")

    def __repr__(self) -> str:
        lo, hi = self.interval("availability")
        return (f"SimulationResult({self.model_name!r}, runs={self.runs}, "
                f"horizon={self.horizon:.6g} h, availability={self.measures().availability:.6g} "
                f"[{lo:.6g}, {hi:.6g}], outages={int(self.outages.sum())})")


def _quantile(level, df: int) -> float:
    """The two-sided Student quantile of a confidence `level` with `df` degrees of freedom."""
    level = confidence_level(level)
    from scipy import stats  # here, not at the top: scipy.stats costs 1 s of `import hamodel`

    return float(stats.t.ppf(0.5 + level / 2.0, df))


def _mean_interval(values: np.ndarray, z: float) -> tuple[float, float]:
    """Student interval of the mean of independent values (`z`: the t quantile)."""
    mean = float(values.mean())
    half = z * float(values.std(ddof=1)) / math.sqrt(values.size)
    return mean - half, mean + half


def _ratio_interval(num: np.ndarray, den: np.ndarray, z: float) -> tuple[float, float]:
    """Delta-method interval of ``sum(num) / sum(den)`` over independent runs."""
    ratio = float(num.sum()) / float(den.sum())
    resid = num - ratio * den
    half = z * float(resid.std(ddof=1)) / (math.sqrt(num.size) * float(den.mean()))
    return max(ratio - half, 0.0), ratio + half


def _garwood(count: int, level: float) -> tuple[float, float]:
    """Exact (Garwood) Poisson interval for the mean of an observed `count`."""
    from scipy import stats

    alpha = 1.0 - level
    lo = 0.0 if count == 0 else float(stats.chi2.ppf(alpha / 2.0, 2 * count)) / 2.0
    hi = float(stats.chi2.ppf(1.0 - alpha / 2.0, 2 * count + 2)) / 2.0
    return lo, hi
