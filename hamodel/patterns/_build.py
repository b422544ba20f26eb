"""Shared machinery of the HA patterns: state-space generation and argument checks.

A pattern describes its rules as a function from a state to the moves out of
it; :func:`generate` explores the reachable states breadth first and builds
the generator, the incident weights and the counted events.
"""

from __future__ import annotations

import numpy as np

from ..component import Component
from ..ctmc import CTMC
from ..units import duration

__all__: list[str] = []


class Generated:
    """States reachable from a start state, with the rates between them."""

    def __init__(self, labels, reps, Q, failures, events):
        self.labels, self.reps = labels, reps
        self.Q, self.failures, self.events = Q, failures, events

    def mask(self, predicate) -> np.ndarray:
        return np.array([bool(predicate(s)) for s in self.reps])

    def ctmc(self, *, up, healthy, name) -> CTMC:
        """The chain with `up` and `healthy` given as predicates on representatives."""
        return CTMC(self.Q, up=self.mask(up), states=self.labels, initial=self.labels[0],
                    name=name, incidents=self.failures, healthy=self.mask(healthy),
                    events=self.events)


def generate(start, moves, label, events=()) -> Generated:
    """Explore the states reachable from `start` and build the generator.

    `moves(state)` yields ``(next_state, rate, unit_failures, event_or_None)``;
    zero rates are skipped. States are identified by ``label(state)``: states
    with the same label are merged and only the first one met (the
    representative) is expanded, which is exact when the label groups states
    that a symmetry of the rules maps onto each other (strong lumpability).
    Several moves between the same two states are added; the incident and
    event weights of a transition are the rate-weighted averages of its
    moves, so the steady-state flows count them exactly. Every name in
    `events` is reported, even if no transition carries it.
    """
    labels = [label(start)]
    index = {labels[0]: 0}
    reps = [start]
    entries = []
    k = 0
    while k < len(reps):
        for dst, r, failures, event in moves(reps[k]):
            if r <= 0.0:
                continue
            lab = label(dst)
            j = index.get(lab)
            if j is None:
                j = index[lab] = len(labels)
                labels.append(lab)
                reps.append(dst)
            if j == k:  # pragma: no cover - the rules never loop on themselves
                raise AssertionError(f"transition from {lab!r} to itself")
            entries.append((k, j, r, failures, event))
        k += 1
    n = len(labels)
    Q = np.zeros((n, n))
    fail_flow = np.zeros((n, n))
    event_names = list(events) + sorted({e for *_, e in entries if e is not None} - set(events))
    event_flow = {e: np.zeros((n, n)) for e in event_names}
    for i, j, r, failures, event in entries:
        Q[i, j] += r
        fail_flow[i, j] += r * failures
        if event is not None:
            event_flow[event][i, j] += r
    positive = Q > 0
    weights = np.zeros_like(Q)
    weights[positive] = fail_flow[positive] / Q[positive]
    event_weights = {}
    for e, flow in event_flow.items():
        w = np.zeros_like(Q)
        w[positive] = flow[positive] / Q[positive]
        event_weights[e] = w
    np.fill_diagonal(Q, -Q.sum(axis=1))
    return Generated(labels, reps, Q, weights, event_weights)


def checked_duration(value, what) -> float:
    try:
        return duration(value)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{what}: {exc}") from None


def checked_component(unit, what):
    if not isinstance(unit, Component):
        raise TypeError(f"{what} = {unit!r}: expected a hamodel.Component")
    return unit
