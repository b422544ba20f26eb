"""Monte Carlo simulation of block diagrams with non-exponential lifetimes.

Each leaf :class:`~hamodel.Component` is an alternating renewal process: up
for a draw from ``ttf``, down for a draw from ``ttr``, again and again,
independently of the other leaves. The system is up while the block's
structure function of the leaf states is true.

How it is vectorised
--------------------
Runs are processed in batches of ``B`` runs (about :data:`BATCH_EVENTS` events
each); batch ``i`` draws from child ``i`` of ``numpy.random.SeedSequence(seed)``,
so a batch is the same wherever it runs (``workers=``, ``executor=``). For each
leaf, up and repair times are drawn as ``(B, m)`` arrays (``m`` cycles: the mean
number in the horizon plus two standard deviations; then more, only for the runs
still short of the horizon), interleaved and summed along the rows: the leaf's
event times in every run at once. The leaves' events are merged into one
``(B, M)`` array of int64 keys, the bits of each time with the leaf's index in the
low byte, and sorted row by row (positive doubles order like their bit
patterns). A leaf's state after merged event ``j`` is the parity of its own
events so far, so an XOR accumulation of one bit per leaf gives the set of leaves
down after every event, and a table of the structure function over every such
set (up to 16 leaves; beyond, the structure function on ``(B, M)`` boolean
arrays) gives the system state. Outages are the up -> down changes, paired with
the next down -> up change of the same run; time degraded is time with some leaf
down less down time. No Python loop runs over events or runs.

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

from ._parallel import map_chunks, seeds
from .blocks import Block, KofN
from .component import Component
from .measures import MEASURES, SUMMARY_MEASURES, Measures
from .phasetype import ApproximationWarning
from .units import (HOURS_PER_YEAR, MINUTES_PER_YEAR, confidence_level, duration,
                    positive_duration)

__all__ = ["simulate", "SimulationResult", "FewOutagesWarning"]


class FewOutagesWarning(ApproximationWarning):
    """A simulation saw too few system outages for its outage estimates to be precise.

    Below :data:`FEW_OUTAGES` outages in all runs together, the outage frequency is
    uncertain by more than about 36 % either way at 95 % (``1.96 / sqrt(outages)``; the
    message quotes the exact Poisson factors), and the mean outage and the
    outage-length distribution rest on those few outages. The intervals stay valid
    (they are widened for few events), but wide.

    Examples
    --------
    >>> import warnings
    >>> import hamodel as hm
    >>> a = hm.Component("a", mtbf="10y", mttr="4h")
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     res = hm.simulate(hm.parallel(a, a.renamed("b")), horizon="1y", runs=10, seed=1)
    >>> print(caught[0].message)  # doctest: +ELLIPSIS
    simulate: no system outage in 10 runs of 8766 h of 'parallel(a, b)'...
    """


#: Fewer system outages than this (in all runs) raise a :class:`FewOutagesWarning`.
FEW_OUTAGES = 30


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
#: Target number of failure and repair events in one batch of runs: it bounds the
#: memory of a batch (about 50 bytes an event) and keeps its arrays near the caches.
BATCH_EVENTS = 500_000
# Bytes of working memory per event of a batch (measured peak, with margin).
_BYTES_PER_EVENT = 80


class Estimate(NamedTuple):
    """A simulated estimate with its confidence interval."""

    value: float
    low: float
    high: float


def simulate(model, horizon="10y", runs=1000, seed=None, *, batch=None, workers=1,
             executor=None, progress=False, oncall=None, failures=False) -> "SimulationResult":
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
    seed : int, numpy.random.SeedSequence, numpy.random.Generator or None
        Seed of the runs: batch ``i`` draws from child ``i`` of
        ``numpy.random.SeedSequence(seed)`` (a Generator gives that seed
        from its own stream; None, fresh entropy).
    batch : int, optional
        Runs simulated together in one set of arrays, one task for the
        workers; by default as many as keep a batch near
        :data:`BATCH_EVENTS` events. The result depends on the seed and the
        batch size only: the same for one worker, a process pool or a Dask
        cluster.
    workers : int
        Simulate the batches in this many processes.
    executor : concurrent.futures.Executor, distributed.Client or str, optional
        Where to simulate the batches instead, as for
        :func:`hamodel.uncertainty` (the model is pickled once per batch).
    progress : bool
        Show a progress bar of the runs done (it advances by batches).
    oncall : OnCall, optional
        An on-call schedule (:class:`~hamodel.OnCall`): every repair that needs
        a person (mean repair time at least ``oncall.automatic_below``) first
        waits for the response of the hour the unit failed in (an exponential
        time whose rate follows the hour of the week), then takes its own
        time. Time 0 of every run is Monday 00:00; ``outage_starts`` of the
        result place each outage in the week. Each unit waits for its own
        responder: for a series of single Components this is the process that
        :func:`hamodel.hour_of_day` solves exactly; for a redundant group
        (a parallel or k-of-n block) ``hour_of_day`` has one responder per
        group, who stays while its work lasts, so their figures differ.
    failures : bool
        Also keep every component failure of every run (when, which unit):
        the result's ``failure_starts``, ``failure_runs`` and
        ``failure_units``, one entry per incident (a page to the on-call
        team), as for a timeline of one run. Off by default: they take
        memory in proportion to all the failures simulated. The runs
        themselves do not change (the same random draws, the same outages).

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
        For a bad horizon, number of runs, batch size or number of workers, or
        a simulation too large to run (said before any work starts).

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

    With ``failures=True``, every component failure (each one pages someone):

    >>> res = hm.simulate(pair, horizon="20000h", runs=200, seed=1, failures=True)
    >>> res.units
    ('a', 'b')
    >>> bool(len(res.failure_starts) == res.incidents.sum())
    True
    """
    leaves, structure = _simulable(model)
    if oncall is not None:
        from .schedule import OnCall

        if not isinstance(oncall, OnCall):
            raise TypeError(f"simulate: oncall = {oncall!r}; expected a hamodel.OnCall")
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
        most = max(1, int(BATCH_EVENTS // events_per_run))
        batch = -(-runs // -(-runs // most))  # batches of equal size, each <= most
    elif isinstance(batch, bool) or not isinstance(batch, (int, np.integer)) or batch < 1:
        raise ValueError(f"simulate: batch = {batch!r}; expected None or an integer >= 1")
    batch = int(min(batch, runs))
    need, have = batch * events_per_run * _BYTES_PER_EVENT, _physical_memory()
    if have is not None and need > have / 2:
        raise ValueError(
            f"simulate: a batch of {batch} runs of {model.name!r} needs about {need / 1e9:.3g} "
            f"GB of arrays ({events_per_run:.3g} events a run), more than half of this "
            f"machine's {have / 1e9:.3g} GB: pass a smaller batch= (the default keeps a batch "
            f"near {BATCH_EVENTS:,} events)")

    start = structure({leaf.name: np.ones(1, dtype=bool) for leaf in leaves})
    if not bool(np.all(start)):  # pragma: no cover - blocks are coherent
        raise ValueError(f"simulate: {model.name!r} is down with every component up")

    # Chunk i is runs [i * batch, (i + 1) * batch) with its own random stream, child i
    # of the seed: the same runs whatever executes them, and in whatever order.
    firsts = range(0, runs, batch)
    chunks = [(model, H, min(batch, runs - first), child, oncall, bool(failures))
              for first, child in zip(firsts, seeds(seed, len(firsts)))]
    parts = map_chunks(_simulate_chunk, chunks, sizes=[c[2] for c in chunks],
                       executor=executor, workers=workers, progress=progress,
                       desc=model.name, what="simulate")
    for first, part in zip(firsts, parts):
        part["outage_runs"] += first
        if failures:
            part["failure_runs"] += first
    data = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    for v in data.values():
        v.setflags(write=False)
    _warn_if_few(int(data["outages"].sum()), runs, H, model.name)
    units = tuple(leaf.name for leaf in leaves) if failures else None
    return SimulationResult(model_name=model.name, runs=runs, horizon=H, units=units, **data)


def _warn_if_few(outages: int, runs: int, H: float, name: str) -> None:
    if outages >= FEW_OUTAGES:
        return
    import warnings

    low, high = _garwood(outages, 0.95)
    what = (f"no system outage in {runs} runs of {H:.6g} h of {name!r}: the outage "
            "frequency has only an upper bound, and there is no mean outage"
            if outages == 0 else
            f"only {outages} system outage{'s' * (outages > 1)} in {runs} runs of {H:.6g} h "
            f"of {name!r}: the outage frequency's 95 % interval runs from "
            f"{low / outages:.2g} to {high / outages:.2g} times the estimate, and the mean "
            f"outage and outage lengths rest on {outages} outage{'s' * (outages > 1)}")
    warnings.warn(f"simulate: {what}; for {FEW_OUTAGES} or more, run more runs or a longer "
                  "horizon (see FewOutagesWarning)", FewOutagesWarning, stacklevel=3)


def _physical_memory():
    """Bytes of RAM of this machine, or None where the OS does not say."""
    import os

    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        return None


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


def _cycles(leaf, span: float, margin: float = 4.0) -> int:
    """Cycles that cover `span` hours with high probability (mean + `margin` sd + 2)."""
    cycle = leaf.ttf.mean + leaf.ttr.mean
    n = span / cycle
    sd = math.sqrt(span * (leaf.ttf.var + leaf.ttr.var) / cycle**3)
    return max(1, math.ceil(min(n + margin * sd, 2.0 * n + 10.0) + 2.0))


class _Response:
    """The on-call response of a schedule (:class:`~hamodel.OnCall`), for simulated repairs.

    A repair that needs a person (a leaf whose mean repair time is at least
    ``oncall.automatic_below``) first waits for the response: an exponential
    time whose rate is ``1 / response(hour)`` in each hour of the week, drawn by
    inverting its cumulative hazard over the week. Time 0 is Monday 00:00.
    """

    def __init__(self, oncall):
        from ._periodic import INSTANT_RATE

        r = np.asarray(oncall.response_hours(), dtype=float)
        self.rate = np.where(r > 0, 1.0 / np.where(r > 0, r, 1.0), INSTANT_RATE)
        self.cum = np.concatenate([[0.0], np.cumsum(self.rate)])  # hazard at hour starts
        self.week = float(self.cum[-1])
        self.threshold = oncall.threshold

    def applies(self, leaf) -> bool:
        return leaf.ttr.mean >= self.threshold

    def hazard(self, t: np.ndarray) -> np.ndarray:
        weeks, rest = np.divmod(t, 168.0)
        hour = np.minimum(rest.astype(np.int64), 167)
        return weeks * self.week + self.cum[hour] + self.rate[hour] * (rest - hour)

    def arrival(self, t: np.ndarray, e: np.ndarray) -> np.ndarray:
        """When a person starts work on a failure at `t`, with Exp(1) draws `e`."""
        target = self.hazard(t) + e
        weeks, rest = np.divmod(target, self.week)
        hour = np.clip(np.searchsorted(self.cum, rest, side="right") - 1, 0, 167)
        done = weeks * 168.0 + hour + (rest - self.cum[hour]) / self.rate[hour]
        return np.maximum(done, t)

    def accumulate(self, t: np.ndarray, start: np.ndarray, rng) -> None:
        """Durations (up, repair, up, repair, ...) in `t` to event times, in place."""
        e = rng.exponential(size=(t.shape[0], t.shape[1] // 2))
        now = start.astype(float).copy()
        for k in range(t.shape[1] // 2):
            now += t[:, 2 * k]
            t[:, 2 * k] = now
            now = self.arrival(now, e[:, k]) + t[:, 2 * k + 1]
            t[:, 2 * k + 1] = now


def _leaf_events(leaf, H: float, b: int, rng, wait=None) -> tuple[list, np.ndarray]:
    """Event times of one leaf in `b` runs as blocks of shape (b, m_i); events per run.

    In the first block, column 0 is the first failure, column 1 the end of its
    repair, and so on; each row holds its events before `H`, then times at or after
    it. Up and repair times are drawn for the mean number of cycles plus two
    standard deviations (more would be random numbers drawn for nothing); the runs
    still short of the horizon (about 2 % of them) continue in further blocks,
    ``inf`` in the other rows, rather than in a copy of the first block widened.
    """
    if wait is not None and not wait.applies(leaf):
        wait = None
    m = _cycles(leaf, H, margin=2.0)
    t = np.empty((b, 2 * m))
    t[:, 0::2] = leaf.ttf.sample(rng, (b, m))
    t[:, 1::2] = leaf.ttr.sample(rng, (b, m))
    if wait is None:
        np.cumsum(t, axis=1, out=t)
    else:
        wait.accumulate(t, np.zeros(b), rng)
    blocks = [t]
    short = np.flatnonzero(t[:, -1] < H)
    end = t[short, -1]
    while short.size:
        m = _cycles(leaf, H - end.min())
        more = np.empty((short.size, 2 * m))
        more[:, 0::2] = leaf.ttf.sample(rng, (short.size, m))
        more[:, 1::2] = leaf.ttr.sample(rng, (short.size, m))
        if wait is None:
            np.cumsum(more, axis=1, out=more)
            more += end[:, None]
        else:
            wait.accumulate(more, end, rng)
        block = np.full((b, 2 * m), np.inf)
        block[short] = more
        blocks.append(block)
        going = more[:, -1] < H
        short, end = short[going], more[going, -1]
    counts = [np.count_nonzero(x < H, axis=1) for x in blocks]  # rows are increasing
    return [x[:, : c.max()] for x, c in zip(blocks, counts)], np.sum(counts, axis=0)


#: Leaves up to which the structure function is tabulated over every down-set (2**n
#: entries, evaluated once a batch); beyond, it is evaluated on the event arrays.
_TABLE_LEAVES = 16
#: Low bits of an event time that carry its leaf instead, up to 256 leaves (see _merge).
_OWNER_BITS = 8


def _state_table(leaves, structure):
    """System up (bool) for every down-set bit pattern of the leaves, or None if too many."""
    n = len(leaves)
    if n > _TABLE_LEAVES:
        return None
    codes = np.arange(1 << n, dtype=np.uint32)
    x = {leaf.name: (codes >> np.uint32(j)) & np.uint32(1) == 0 for j, leaf in enumerate(leaves)}
    return np.broadcast_to(np.asarray(structure(x), dtype=bool), codes.shape).copy()


def _merge(times, n_events):
    """All leaves' events of each run in time order: (times, leaf index), shape (b, k).

    `times` holds each leaf's blocks of event times (:func:`_leaf_events`).

    Up to 256 leaves, the leaf index travels in the low byte of the time's IEEE
    pattern (positive doubles sort like their bit patterns as integers), so one
    integer sort per row orders the events, instead of an argsort and two gathers.
    That byte is then cleared: times keep 44 bits of mantissa (a relative change
    below 2**-44, microseconds in a century), integers below 2**44 stay exact, and
    times that differ only in that byte become simultaneous events. Entries past
    a run's last event before the horizon hold times at or after it.
    """
    n = len(times)
    k = int(np.sum(n_events, axis=0).max())
    blocks = [block for leaf in times for block in leaf]
    owner = np.repeat(np.arange(n), [sum(x.shape[1] for x in leaf) for leaf in times])
    if n > 1 << _OWNER_BITS:  # hundreds of leaves: argsort of the exact times
        merged = np.concatenate(blocks, axis=1)
        order = np.argsort(merged, axis=1, kind="stable")[:, :k]
        return np.take_along_axis(merged, order, axis=1), owner.astype(np.uint16)[order]
    low = np.int64((1 << _OWNER_BITS) - 1)
    keys = np.concatenate(blocks, axis=1).view(np.int64)
    keys &= ~low
    keys |= owner
    keys.sort(axis=1)
    keys = keys[:, :k]
    if np.little_endian:  # the low byte of each key, read in place
        who = keys.view(np.uint8)[:, ::8].copy()
    else:  # pragma: no cover - big-endian machines
        who = (keys & low).astype(np.uint8)
    keys &= ~low
    return keys.view(np.float64), who


def _periods(t, up, H: float):
    """Periods with `up` false in each run: (run, start, stop, censored at H).

    `up[r, j]` is the state entered at event j of run r (the state before the first
    event is up); events at or after the horizon `H` are left out.
    """
    if up.shape[1] == 0:  # no event in any run
        none = np.empty(0)
        return none.astype(np.int64), none, none, none.astype(bool)
    change = np.empty_like(up)
    change[:, 0] = ~up[:, 0]
    np.not_equal(up[:, 1:], up[:, :-1], out=change[:, 1:])
    r, c = np.nonzero(change)
    keep = t[r, c] < H
    r, c = r[keep], c[keep]  # row by row: down, up, down, ... (every run starts up)
    first = np.flatnonzero(~up[r, c])
    nxt = first + 1
    ended = nxt < r.size
    ended[ended] = r[nxt[ended]] == r[first[ended]]
    stop = np.full(first.size, H)
    stop[ended] = t[r[nxt[ended]], c[nxt[ended]]]
    return r[first], t[r[first], c[first]], stop, ~ended


def _simulate_chunk(model, H: float, b: int, seed, oncall=None, failures=False) -> dict:
    """`b` runs of `model` with the random stream `seed` (a SeedSequence): one task."""
    leaves, structure = _simulable(model)
    rng = np.random.default_rng(seed)
    wait = None if oncall is None else _Response(oncall)
    return _simulate_batch(leaves, structure, H, b, rng, _state_table(leaves, structure),
                           wait=wait, failures=failures)


def _failure_events(times, H: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every component failure before `H`: (run, time, leaf index), by run then time.

    In each leaf's blocks (:func:`_leaf_events`) the even columns are failures
    (each block starts with an up time); nothing is drawn here.
    """
    runs, starts, units = [], [], []
    for j, blocks in enumerate(times):
        for block in blocks:
            fail = block[:, 0::2]
            r, c = np.nonzero(fail < H)
            runs.append(r)
            starts.append(fail[r, c])
            units.append(np.full(r.size, j, dtype=np.int64))
    run, start, unit = (np.concatenate(x) for x in (runs, starts, units))
    order = np.lexsort((start, run))
    return run[order].astype(np.int64), start[order].astype(float), unit[order]


def _simulate_batch(leaves, structure, H: float, b: int, rng, table=None, wait=None,
                    failures=False) -> dict:
    times, n_events = zip(*(_leaf_events(leaf, H, b, rng, wait) for leaf in leaves))
    incidents = np.sum([(n + 1) // 2 for n in n_events], axis=0)
    extra = {}
    if failures:  # the exact times as drawn (_merge clears their last bits in its copy)
        run, start, unit = _failure_events(times, H)
        extra = {"failure_runs": run, "failure_starts": start, "failure_units": unit}
    t, who = _merge(times, n_events)
    np.minimum(t, H, out=t)  # what happens at or after the horizon is not simulated
    k = t.shape[1]

    # Each leaf's state after every merged event: up after an even number of its
    # own events. One bit per leaf: an XOR accumulation along each row gives the
    # down-set after every event; the system state is a table look-up (or, for
    # many leaves, the structure function of the leaf states).
    if table is not None:
        word = np.uint8 if len(leaves) <= 8 else np.uint16
        down = np.bitwise_xor.accumulate(np.left_shift(word(1), who), axis=1)
        sys_up = table[down]
        some_down = down != 0
    else:
        x, some_down = {}, np.zeros((b, k), dtype=bool)
        for first in range(0, len(leaves), 64):
            group = leaves[first:first + 64]
            word = np.dtype(f"uint{max(8, 1 << math.ceil(math.log2(len(group))))}").type
            mine = (who >= first) & (who < first + len(group))
            shift = np.where(mine, who - first, 0).astype(word)
            flips = np.where(mine, np.left_shift(word(1), shift), word(0))
            down = np.bitwise_xor.accumulate(flips, axis=1)
            some_down |= down != 0
            for j, leaf in enumerate(group):
                x[leaf.name] = (down & word(1 << j)) == 0
        sys_up = np.broadcast_to(np.asarray(structure(x), dtype=bool), (b, k))

    # Simultaneous events (deterministic times can coincide): the state after
    # a group of equal times is the state after its last event.
    tie = t[:, 1:] == t[:, :-1]
    if tie.any():  # padding past the horizon (inf) is equal too: look again before H
        tie &= t[:, 1:] < H
    if tie.any():
        final = np.ones((b, k), dtype=bool)
        final[:, :-1] = ~tie
        idx = np.where(final, np.arange(k), k)
        last = np.minimum.accumulate(idx[:, ::-1], axis=1)[:, ::-1]
        sys_up = np.take_along_axis(sys_up, last, axis=1)
        some_down = np.take_along_axis(some_down, last, axis=1)

    runs, start, stop, censored = _periods(t, sys_up, H)
    downtime = np.bincount(runs, weights=stop - start, minlength=b)
    # Time with some unit down: the time to the next event (or the horizon) after
    # each event that leaves some unit down.
    dt = np.empty((b, k))
    np.subtract(t[:, 1:], t[:, :-1], out=dt[:, :-1])
    dt[:, -1:] = H - t[:, -1:]
    np.multiply(dt, some_down, out=dt)
    some_down_time = dt.sum(axis=1)
    return {
        "downtime": downtime,
        "outages": np.bincount(runs, minlength=b).astype(np.int64),
        "incidents": incidents.astype(np.int64),
        # The system is down only when some unit is: the rest of that time is degraded.
        "degraded": np.maximum(some_down_time - downtime, 0.0),
        "outage_durations": stop - start,
        "outage_censored": censored,
        "outage_runs": runs.astype(np.int64),
        "outage_starts": start,
        **extra,
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
    outage_starts : numpy.ndarray
        When each outage began, in hours from the start of its run (hour 0 is
        Monday 00:00 for a schedule's clock).
    units : tuple of str or None
        The simulated components' names, when the simulation kept its
        failures (``simulate(..., failures=True)``); None otherwise, and the
        three ``failure_`` fields are None too.
    failure_starts, failure_runs, failure_units : numpy.ndarray or None
        Every component failure (an incident: someone is paged), sorted by
        run and time: when it happened (hours from the start of its run), in
        which run, and which unit failed (an index into `units`).

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
    outage_starts: np.ndarray
    units: tuple | None = None
    failure_starts: np.ndarray | None = None
    failure_runs: np.ndarray | None = None
    failure_units: np.ndarray | None = None

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

    def outage_duration(self):
        """The law of one outage's length as simulated: Kaplan-Meier, with a band.

        Outages still going on at the horizon count as censored (longer than
        seen). Like :meth:`hamodel.CTMC.outage_duration`, the result has
        ``sf``, ``cdf``, ``quantile`` and ``mean``, so a simulation can be drawn by
        :func:`hamodel.plot_outage_duration` next to the analytic models; its
        ``interval(t, level)`` and ``table(at, level)`` give the pointwise band.

        Returns
        -------
        EmpiricalDuration

        Examples
        --------
        >>> import hamodel as hm
        >>> unit = hm.Component("u", mtbf="200h", mttr="4h")
        >>> res = hm.simulate(unit, horizon="1y", runs=50, seed=3)
        >>> lo, hi = res.outage_duration().interval("8h", level=0.99)
        >>> bool(lo <= unit.outage_duration().sf(8.0) <= hi)  # exp(-2)
        True
        """
        from .empirical import EmpiricalDuration

        return EmpiricalDuration(self.outage_durations, self.outage_censored)

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

    def night_and_day(self, night=("22:00", "07:00")):
        """Outages that start at night against those that start by day.

        The clock of every run starts on Monday 00:00 (as for an on-call
        schedule), so an outage's start time gives its hour of the day. The
        night is the same hours every day; an outage belongs to the hour it
        starts in, with all its length.

        Parameters
        ----------
        night : (str, str) or str
            First and last hour of the night, ``("22:00", "07:00")`` (the
            default) or ``"22:00-07:00"``; whole hours, and the night may
            cross midnight.

        Returns
        -------
        pandas.DataFrame
            Rows ``"night"`` and ``"day"``; columns ``hours/day`` (how many
            hours of the day that is), ``outages/yr``, ``share of outages``,
            ``mean outage (min)`` (NaN with no outage there), ``downtime
            (min/yr)`` and ``share of downtime``; and ``pages/yr``
            (component failures in those hours) when the simulation kept its
            failures (``failures=True``).

        Examples
        --------
        An outage that begins at 23:00 on the first Monday and one at noon:

        >>> import hamodel as hm
        >>> unit = hm.Component("u", mtbf="100d", mttr="2h")
        >>> res = hm.simulate(unit, horizon="1y", runs=200, seed=4)
        >>> table = res.night_and_day(("22:00", "07:00"))
        >>> table["hours/day"].tolist()
        [9, 15]
        >>> bool(abs(table.loc["night", "share of outages"] - 9 / 24) < 0.05)
        True
        """
        import pandas as pd

        mask = night_hours(night)[:24]
        is_night = mask[(np.floor(self.outage_starts).astype(np.int64)) % 24]
        years = self.total_time / HOURS_PER_YEAR
        rows = {}
        total_n, total_d = self.outage_durations.size, float(self.outage_durations.sum())
        for label, sel in (("night", is_night), ("day", ~is_night)):
            lengths = self.outage_durations[sel]
            rows[label] = {
                "hours/day": int(mask.sum()) if label == "night" else int(24 - mask.sum()),
                "outages/yr": lengths.size / years,
                "share of outages": lengths.size / total_n if total_n else math.nan,
                "mean outage (min)": 60.0 * float(lengths.mean()) if lengths.size else math.nan,
                "downtime (min/yr)": 60.0 * float(lengths.sum()) / years,
                "share of downtime": float(lengths.sum()) / total_d if total_d > 0 else math.nan,
            }
            if self.failure_starts is not None:
                at_night = mask[np.floor(self.failure_starts).astype(np.int64) % 24]
                chosen = at_night if label == "night" else ~at_night
                rows[label]["pages/yr"] = int(np.count_nonzero(chosen)) / years
        return pd.DataFrame.from_dict(rows, orient="index")

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


def night_hours(night=("22:00", "07:00")) -> np.ndarray:
    """The hours of the week that are night, a boolean mask of 168 (hour 0: Monday 00:00).

    Parameters
    ----------
    night : (str, str) or str
        ``("22:00", "07:00")`` or ``"22:00-07:00"``: every day from the first
        hour to the second, across midnight if need be (whole hours).

    Examples
    --------
    >>> from hamodel.montecarlo import night_hours
    >>> mask = night_hours(("22:00", "07:00"))
    >>> int(mask[:24].sum()), bool(mask[3]), bool(mask[12]), bool(mask[23])
    (9, True, False, True)
    """
    from .schedule import parse_business_hours

    if isinstance(night, (tuple, list)) and len(night) == 2 and all(
            isinstance(x, str) for x in night):
        text = f"{night[0]}-{night[1]}"
    elif isinstance(night, str):
        text = night
    else:
        raise ValueError(f"night = {night!r}: expected two hours such as ('22:00', '07:00') "
                         "or '22:00-07:00'")
    if text.strip().lower() in ("24/7", "never", "none", "") or ";" in text or " " in text.strip():
        raise ValueError(f"night = {night!r}: expected two hours such as ('22:00', '07:00')")
    try:
        return parse_business_hours(text)
    except ValueError as exc:
        raise ValueError(f"night = {night!r}: {exc}") from None


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
