"""Shared machinery of the HA patterns: state-space generation and argument checks.

A pattern describes its rules as a function from a state to the moves out of
it; :func:`generate` explores the reachable states breadth first and builds
the sparse generator, the incident weights and the counted events, and
:meth:`Generated.ctmc` turns them into a :class:`~hamodel.CTMC`. The
``checked_*`` functions validate the arguments the patterns have in common,
with the same messages everywhere.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
import scipy.sparse as sp

from ..component import Component
from ..ctmc import CTMC
from ..units import duration

__all__: list[str] = []


# ======================================================= chain generation
class Generated:
    """States reachable from a start state, with the rates and counted flows between them.

    Attributes
    ----------
    labels : list of str
        State names, the start first.
    reps : list
        One state per label (the first met, or the only one without lumping).
    Q : scipy.sparse.csr_array
        Generator, diagonal included.
    incidents : scipy.sparse.csr_array
        Unit failures per transition (rate-weighted mean over its moves).
    events : dict of str to scipy.sparse.csr_array
        Per event name, the share of each transition's rate that counts it.
    """

    def __init__(self, labels, reps, Q, incidents, events):
        self.labels, self.reps = labels, reps
        self.Q, self.incidents, self.events = Q, incidents, events

    def mask(self, predicate) -> np.ndarray:
        """Boolean array: `predicate` applied to each representative state."""
        return np.array([bool(predicate(s)) for s in self.reps])

    def ctmc(self, *, up, healthy, name) -> CTMC:
        """The chain with `up` and `healthy` given as predicates on representatives."""
        return CTMC(self.Q, up=self.mask(up), states=self.labels, initial=self.labels[0],
                    name=str(name), incidents=self.incidents, healthy=self.mask(healthy),
                    events=self.events)


def generate(start, moves, label, events=(), *, order=None, lump=False) -> Generated:
    """Explore the states reachable from `start` and build the generator.

    Parameters
    ----------
    start : hashable
        The initial state; it is listed first.
    moves : callable
        ``moves(state)`` yields ``(next_state, rate, unit_failures, events)``,
        where `events` is None, one event name or a tuple of names counted by
        the move. Moves with a rate <= 0 are skipped.
    label : callable
        ``label(state)`` gives the state's name; states are identified by it.
    events : sequence of str
        The event names the moves may count, all reported (in this order)
        even if no transition carries them.
    order : callable, optional
        Sort key on states: the states are listed in this order, which must
        put `start` first. Default: the order in which they are met.
    lump : bool
        Whether different states may share a label. If True, they are merged
        and only the first one met (the representative) is expanded, which is
        exact when a symmetry of the rules maps them onto each other (strong
        lumpability). If False (default), labels must be one-to-one.

    Returns
    -------
    Generated
        Several moves between the same two states are added; the incident
        and event weights of the resulting transition are the rate-weighted
        means of its moves', so that steady-state flows count them exactly.

    Raises
    ------
    AssertionError
        If a move leads back to its own state, names an event not in
        `events`, two states share a label without `lump`, or `order` does
        not put `start` first: errors in a pattern's rules, not in user input.

    Examples
    --------
    A unit that fails at rate 0.01/h and is repaired at rate 1/h; every
    failure is an incident and a ``"page"`` event, so both occur
    ``8766 * 0.01 / 1.01`` times a year (the up probability is 1/1.01):

    >>> def moves(up):
    ...     if up:
    ...         yield False, 0.01, 1, "page"
    ...     else:
    ...         yield True, 1.0, 0, None
    >>> g = generate(True, moves, lambda up: "up" if up else "down", ("page",))
    >>> g.labels, g.Q.toarray().tolist()
    (['up', 'down'], [[-0.01, 0.01], [1.0, -1.0]])
    >>> m = g.ctmc(up=bool, healthy=bool, name="unit").measures()
    >>> round(m.incidents_per_year, 3), round(m.events["page"], 3)
    (86.792, 86.792)
    """
    known = tuple(events)
    reps, labels = [start], [label(start)]
    index = {labels[0]: 0}
    flows: dict = {}  # (i, j) -> [rate, rate * unit failures, {event: rate}]
    k = 0
    while k < len(reps):
        for dst, r, failures, counted in moves(reps[k]):
            if r <= 0.0:
                continue
            lab = label(dst)
            j = index.get(lab)
            if j is None:
                j = index[lab] = len(reps)
                reps.append(dst)
                labels.append(lab)
            elif not lump and dst != reps[j]:  # pragma: no cover - rules' labels are 1:1
                raise AssertionError(f"states {reps[j]!r} and {dst!r} share the label {lab!r}")
            if j == k:  # pragma: no cover - the rules never loop on themselves
                raise AssertionError(f"transition from {lab!r} to itself")
            flow = flows.setdefault((k, j), [0.0, 0.0, {}])
            flow[0] += r
            flow[1] += r * failures
            for e in _event_names(counted):
                if e not in known:  # pragma: no cover - a rule names an undeclared event
                    raise AssertionError(f"unknown event {e!r}")
                flow[2][e] = flow[2].get(e, 0.0) + r
        k += 1
    if order is not None:
        perm = sorted(range(len(reps)), key=lambda i: order(reps[i]))
        if perm[0] != 0:  # pragma: no cover - the order must put the start first
            raise AssertionError("the start state must sort first")
        new = {old: i for i, old in enumerate(perm)}
        reps, labels = [reps[i] for i in perm], [labels[i] for i in perm]
        flows = {(new[i], new[j]): v for (i, j), v in flows.items()}
    return _matrices(labels, reps, flows, known)


def _event_names(counted) -> tuple:
    if counted is None:
        return ()
    if isinstance(counted, str):
        return (counted,)
    return tuple(counted)


def _matrices(labels, reps, flows, event_names) -> Generated:
    """Sparse generator, incident and event weights from the accumulated flows."""
    n = len(reps)

    def csr(entries):
        entries = list(entries)
        rows = np.array([i for i, _, _ in entries], dtype=int)
        cols = np.array([j for _, j, _ in entries], dtype=int)
        vals = np.array([w for _, _, w in entries], dtype=float)
        return sp.csr_array((vals, (rows, cols)), shape=(n, n))

    off = csr((i, j, v[0]) for (i, j), v in flows.items())
    Q = off - sp.diags_array(np.asarray(off.sum(axis=1)).ravel())
    incidents = csr((i, j, v[1] / v[0]) for (i, j), v in flows.items() if v[1])
    events = {e: csr((i, j, v[2][e] / v[0]) for (i, j), v in flows.items() if e in v[2])
              for e in event_names}
    return Generated(labels, reps, Q, incidents, events)


# ============================================================== arguments
def checked_component(unit, what) -> Component:
    """`unit`, if it is a :class:`~hamodel.Component`; else TypeError naming `what`."""
    if not isinstance(unit, Component):
        raise TypeError(f"{what} = {unit!r}: expected a hamodel.Component")
    return unit


def checked_duration(value, what) -> float:
    """`value` in hours (see :func:`hamodel.units.duration`); errors name `what`."""
    try:
        return duration(value)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{what}: {exc}") from None


def checked_count(value, what, *, minimum, of) -> int:
    """`value` as an int >= `minimum`; else ValueError naming `what` (a count `of` ...)."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
        raise ValueError(f"{what} = {value!r}: expected a whole number of {of} >= {minimum}")
    return int(value)


def checked_crews(crews) -> int | None:
    """Repair crews: None (a crew per unit) or an int >= 1."""
    if crews is None:
        return None
    if isinstance(crews, bool) or not isinstance(crews, Integral) or crews < 1:
        raise ValueError(f"crews = {crews!r}: expected None or a whole number >= 1")
    return int(crews)
