"""Continuous-time Markov chains with an up/down partition of the states."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from . import solvers
from ._model import Model
from .measures import Measures
from .phasetype import PhaseType
from .units import HOURS_PER_YEAR, duration, rate

__all__ = ["CTMC"]

_ROW_TOLERANCE = 1e-9
#: Largest rate (per hour) a generator may hold: one event every 4e-12 seconds.
#: Larger ones are a unit error, and sums of them overflow.
MAX_RATE = 1e18
#: Horizons of more uniformisation steps than this stop at the steady state.
_EARLY_STOP_STEPS = 200.0


@dataclass(frozen=True, eq=False, init=False)
class CTMC(Model):
    """A CTMC model of a repairable system.

    Parameters
    ----------
    Q : array_like or scipy.sparse matrix, shape (n, n)
        Generator: non-negative off-diagonal rates per hour, rows summing to
        zero (checked relative to each row's total rate).
    up : array_like of bool, or collection of states
        The up states: a boolean mask of length n, or a collection of state
        names (when `states` is given) or of indices.
    states : sequence of hashable, optional
        State names; default ``0 .. n-1``.
    initial : state, or array_like, optional
        A state name/index or a distribution; default state 0.
    name : str
        Name of the model inside block diagrams.
    incidents : collection of (src, dst), or array_like / sparse (n, n), optional
        Which transitions are component failures (the pages the on-call team
        gets), or a matrix of how many failures each transition is. By
        default only system failures (up -> down transitions) count, since
        a bare generator does not say which transitions are component
        failures.
    healthy : collection of states, optional
        States with nothing failed; default the initial state. Time in up
        states that are not healthy is reported as ``degraded_fraction``.
    events : mapping of str to transitions, optional
        Other events to count per year, in the same forms as `incidents`,
        e.g. ``{"split_brain": [("ok", "split")]}``.

    Examples
    --------
    One unit with failure rate 0.001 and repair rate 0.1 per hour:

    >>> m = CTMC([[-0.001, 0.001], [0.1, -0.1]], up=[True, False])
    >>> m.steady_state()
    array([0.99009901, 0.00990099])
    >>> m.measures().mean_down_time
    10.0

    The same from named transitions:

    >>> m = CTMC.from_transitions([("up", "down", 0.001), ("down", "up", 0.1)],
    ...                           up=["up"])
    >>> round(m.availability_at("10h"), 10)
    0.9937051384
    >>> m.mttf()
    1000.0
    """

    Q: sp.csr_array
    up: np.ndarray
    states: tuple
    initial: np.ndarray
    name: str
    incidents: sp.csr_array
    healthy: np.ndarray
    events: Mapping = field(default_factory=dict)

    def __init__(self, Q, up, states=None, initial=None, *, name="ctmc", incidents=None,
                 healthy=None, events=None):
        Q = _check_generator(Q, states)
        n = Q.shape[0]
        states = tuple(range(n)) if states is None else tuple(states)
        if len(states) != n:
            raise ValueError(f"{len(states)} state names given for a {n}-state generator")
        if len(set(states)) != n:
            raise ValueError("state names must be unique")
        index = {s: i for i, s in enumerate(states)}
        up_mask = _state_mask(up, index, n, "up")
        if not up_mask.any():
            raise ValueError("no up state: at least one state must be up")
        p0 = _initial(initial, index, n)
        if healthy is None:
            # The most likely up state to start from, else the first up state.
            healthy_mask = np.zeros(n, dtype=bool)
            weights = p0 * up_mask
            healthy_mask[int(np.argmax(weights)) if weights.any() else int(np.argmax(up_mask))] = True
        else:
            healthy_mask = _state_mask(healthy, index, n, "healthy")
        if np.any(healthy_mask & ~up_mask):
            bad = [states[i] for i in np.flatnonzero(healthy_mask & ~up_mask)]
            raise ValueError(f"healthy states must be up; these are down: {bad}")
        if incidents is None:
            weights = _transition_mask(Q, up_mask, ~up_mask)
        else:
            weights = _weights(incidents, index, Q, "incidents")
        event_weights = {str(k): _weights(v, index, Q, f"events[{k!r}]")
                         for k, v in (events or {}).items()}
        for arr in (up_mask, p0, healthy_mask):
            arr.flags.writeable = False
        object.__setattr__(self, "Q", Q)
        object.__setattr__(self, "up", up_mask)
        object.__setattr__(self, "states", states)
        object.__setattr__(self, "initial", p0)
        object.__setattr__(self, "name", str(name))
        object.__setattr__(self, "incidents", weights)
        object.__setattr__(self, "healthy", healthy_mask)
        object.__setattr__(self, "events", event_weights)

    @classmethod
    def from_transitions(cls, transitions, up, initial=None, **kwargs) -> "CTMC":
        """Build a chain from ``(src, dst, rate)`` triples; the diagonal is computed.

        States are numbered in order of first appearance; rates given twice
        for the same pair are added. Keyword arguments go to :class:`CTMC`.

        Examples
        --------
        >>> m = CTMC.from_transitions([("ok", "failed", 2.0), ("failed", "ok", 3.0)],
        ...                           up=["ok"])
        >>> m.states, m.steady_state().round(2).tolist()
        (('ok', 'failed'), [0.6, 0.4])
        """
        names: dict = {}
        rows, cols, vals = [], [], []
        for k, item in enumerate(transitions):
            try:
                src, dst, value = item
            except (TypeError, ValueError):
                raise ValueError(f"transition {k} = {item!r}: expected (src, dst, rate)") from None
            if src == dst:
                raise ValueError(f"transition {k} = {item!r}: a state cannot move to itself")
            value = rate(value, f"rate of transition {src!r} -> {dst!r}")
            for s in (src, dst):
                names.setdefault(s, len(names))
            rows.append(names[src])
            cols.append(names[dst])
            vals.append(value)
        if not names:
            raise ValueError("no transitions given")
        n = len(names)
        off = sp.coo_array((vals, (rows, cols)), shape=(n, n)).tocsr()
        Q = off - sp.diags_array(np.asarray(off.sum(axis=1)).ravel())
        return cls(Q, up, states=list(names), initial=initial, **kwargs)

    # ------------------------------------------------------ PRISM and Storm
    @classmethod
    def from_prism(cls, path, constants=None, *, up, initial=None, healthy=None,
                   time_unit="1h", name=None, **kwargs) -> "CTMC":
        """Read a PRISM model file (``ctmc``) through Storm: ``pip install 'hamodel[storm]'``.

        Storm (stormpy, imported only here) parses the file and builds its
        reachable states; the chain keeps Storm's state order, its initial
        state and the values of the variables in every state.

        Parameters
        ----------
        path : str or path-like
            A PRISM model file whose model type is ``ctmc``.
        constants : mapping of str to value, optional
            Values of the file's undefined constants (``const int N;``), such
            as ``{"N": 64}``. As in PRISM, a constant the file defines cannot
            be overridden.
        up : str, callable, array_like of bool or collection of states
            The up states: a label of the file (``"minimum"``), a Boolean
            PRISM expression over its variables, where labels appear in
            quotes (``"left_n >= 3 & toleft_n"``, ``'!"down"'``), a function
            of a state name returning a bool, or any form :class:`CTMC` takes.
        initial : state or array_like, optional
            Default: the file's initial state; several initial states share
            the probability equally.
        healthy : same forms as `up`, optional
            States with nothing failed (see :class:`CTMC`).
        time_unit : duration, default ``"1h"``
            What the file's rates are per: ``"1h"``, ``"s"``, ``"1min"``...
        name : str, optional
            Default: the file name without its suffix.
        **kwargs
            ``incidents``, ``events``: as for :class:`CTMC`.

        Returns
        -------
        CTMC
            States named by ``State`` namedtuples of the variable values
            (globals, then module by module, Booleans before integers), e.g.
            ``m.states[0].left_n``; ``pandas.DataFrame(m.states)`` tabulates
            them.

        Raises
        ------
        ImportError
            stormpy is not installed; the message says what to install.
        ModelFileError
            The file does not parse (the line is named), is not a CTMC, or
            Storm cannot build it.
        ValueError
            An unknown constant or one without a value (the constants are
            listed), a label that does not exist (the labels and variables
            are listed), or an expression that is not Boolean.

        Examples
        --------
        The fault-tolerant workstation cluster of the PRISM case studies (a
        copy ships with stormpy; rates per hour), up while its "minimum"
        quality of service holds, next to an active/standby pair:

        >>> import pathlib, stormpy  # doctest: +SKIP
        >>> import hamodel as hm
        >>> path = pathlib.Path(stormpy.__file__).parent / "examples/files/ctmc/cluster2.sm"  # doctest: +SKIP
        >>> cluster = CTMC.from_prism(path, up="minimum")  # doctest: +SKIP
        >>> cluster  # doctest: +SKIP
        CTMC('cluster2', n_states=276, up=132, transitions=1120)
        >>> cluster.states[1].left_n, cluster.states[1].toleft_n  # doctest: +SKIP
        (1, True)
        >>> pair = hm.active_standby(hm.Component("ws", mtbf="500h", mttr="2h"))
        >>> hm.compare({"cluster": cluster, "pair": pair},  # doctest: +SKIP
        ...            digits=3)[["outages/yr", "mean outage (h)"]]
                 outages/yr  mean outage (h)
        design
        cluster      0.0051           4.0200
        pair        17.5000           0.0323

        (The doctests skip what needs stormpy; ``tests/test_prism.py`` runs it.)
        """
        from . import prism

        return prism.from_prism(path, constants, up=up, initial=initial, healthy=healthy,
                                time_unit=time_unit, name=name, **kwargs)

    @classmethod
    def from_explicit(cls, tra, lab=None, sta=None, *, up, initial=None, healthy=None,
                      states=None, time_unit="1h", name=None, **kwargs) -> "CTMC":
        """Read PRISM's explicit files: ``.tra`` transitions, ``.lab`` labels, ``.sta`` states.

        These are what ``prism model.sm -exportmodel model.tra,lab,sta``
        writes (and :meth:`to_explicit`); Storm's explicit dialect (``ctmc``
        on the first line of the ``.tra``, ``#DECLARATION`` in the ``.lab``)
        is read too. No extra package is needed; a three-million-line
        ``.tra`` loads in a few seconds.

        Parameters
        ----------
        tra : str or path-like
            Transitions: first line ``n m`` (states, transitions), then
            ``i j rate`` per line, states numbered from 0. Every state needs a
            line; an absorbing state a self-loop ``i i 1`` (self-loops are
            dropped: they do not change a CTMC).
        lab : str or path-like, optional
            Labels, such as ``0="init" 1="deadlock" 2="down"`` then ``0: 0``;
            the ``init`` label gives the initial state(s).
        sta : str or path-like, optional
            State valuations, ``(x,y)`` then ``0:(1,true)``; the states are
            then named by ``State`` namedtuples of these values.
        up : str, callable, array_like of bool or collection of states
            A label (``"up"``), a negated label (``"!down"`` or ``'!"down"'``),
            a function of a state name (a ``State``, or an index without
            `sta`) returning a bool, or any form :class:`CTMC` takes.
        initial, healthy, name, **kwargs
            As for :meth:`from_prism`.
        states : sequence, optional
            State names to use instead of the `sta` valuations.
        time_unit : duration, default ``"1h"``
            What the file's rates are per.

        Raises
        ------
        ModelFileError
            A malformed file; the message names the file, the line and the
            value: a negative or non-numeric rate, a state index out of range,
            a transition listed twice, a state without any line, a header
            count that does not match, an undeclared label.
        ValueError
            `up` or `healthy` names a label the file does not have (the labels
            are listed).

        Examples
        --------
        Two servers and one repair crew, exported from PRISM:

        >>> import pathlib, tempfile
        >>> import hamodel as hm
        >>> tmp = tempfile.TemporaryDirectory()
        >>> d = pathlib.Path(tmp.name)
        >>> _ = (d / "pair.tra").write_text("3 4\\n0 1 0.002\\n1 0 0.25\\n1 2 0.001\\n2 1 0.25\\n")
        >>> _ = (d / "pair.lab").write_text('0="init" 1="deadlock" 2="down"\\n0: 0\\n2: 2\\n')
        >>> _ = (d / "pair.sta").write_text("(failed)\\n0:(0)\\n1:(1)\\n2:(2)\\n")
        >>> pair = CTMC.from_explicit(d / "pair.tra", d / "pair.lab", d / "pair.sta", up="!down")
        >>> pair.states
        (State(failed=0), State(failed=1), State(failed=2))
        >>> pair.measures().mean_down_time
        4.0

        The same design built by hamodel gives the same answers:

        >>> s = hm.Component("s", mtbf="1000h", mttr="4h")
        >>> table = hm.compare({"PRISM pair": pair,
        ...                     "1-of-2": hm.k_of_n(1, [s.renamed("a"), s.renamed("b")], crews=1)},
        ...                    digits=3)
        >>> table[["outages/yr", "mean outage (h)", "downtime (min/yr)"]]
                    outages/yr  mean outage (h)  downtime (min/yr)
        design
        PRISM pair      0.0696                4               16.7
        1-of-2          0.0696                4               16.7

        A bare generator does not say which transitions are component
        failures; name them to count incidents (plain tuples name the states):

        >>> pair = CTMC.from_explicit(d / "pair.tra", d / "pair.lab", d / "pair.sta", up="!down",
        ...                           incidents=[((0,), (1,)), ((1,), (2,))])
        >>> round(pair.measures().incidents_per_year, 1)
        17.5
        >>> tmp.cleanup()
        """
        from . import prism

        return prism.from_explicit(tra, lab, sta, up=up, initial=initial, healthy=healthy,
                                   states=states, time_unit=time_unit, name=name, **kwargs)

    def to_explicit(self, path, *, labels=None, dialect="prism", time_unit="1h") -> dict:
        """Write the chain as explicit files for PRISM or Storm.

        Parameters
        ----------
        path : str or path-like
            Base name: ``path.tra``, ``path.lab`` and, when every state name is
            a tuple of integers and Booleans (such as the states
            :meth:`from_prism` gives), ``path.sta``.
        labels : mapping of str to states, optional
            Labels to add, each a boolean mask or a collection of states.
            ``init`` (where the initial distribution is positive), ``deadlock``
            (absorbing states, written with a self-loop ``i i 1``), ``up`` and
            ``down`` are always written.
        dialect : {"prism", "storm"}
            ``"storm"`` writes ``ctmc`` as the first line of the ``.tra`` and
            Storm's ``#DECLARATION`` labels (``storm --explicit path.tra
            path.lab``).
        time_unit : duration, default ``"1h"``
            What the written rates are per.

        Returns
        -------
        dict
            ``{"tra": Path, "lab": Path}``, and ``"sta"`` when written:
            ``CTMC.from_explicit(**files, up="up")`` reads them back, with
            the same generator, up states, state names and, when the initial
            distribution is a state or uniform over some states, the same
            initial distribution. Incidents, events and healthy states are not
            part of PRISM's formats.

        Examples
        --------
        >>> import pathlib, tempfile
        >>> m = CTMC.from_transitions([("ok", "failed", 0.001), ("failed", "ok", 0.1)],
        ...                           up=["ok"])
        >>> tmp = tempfile.TemporaryDirectory()
        >>> files = m.to_explicit(pathlib.Path(tmp.name) / "unit")
        >>> print(files["tra"].read_text(), end="")
        2 2
        0 1 0.001
        1 0 0.1
        >>> print(files["lab"].read_text(), end="")
        0="init" 1="deadlock" 2="up" 3="down"
        0: 0 2
        1: 3
        >>> back = CTMC.from_explicit(**files, up="up")
        >>> back.measures().mean_down_time
        10.0
        >>> tmp.cleanup()
        """
        from . import prism

        return prism.to_explicit(self, path, labels=labels, dialect=dialect,
                                 time_unit=time_unit)

    # ----------------------------------------------------------------- basics
    @property
    def n_states(self) -> int:
        """Number of states."""
        return self.Q.shape[0]

    def index(self, state) -> int:
        """Index of a state name."""
        try:
            return self._index[state]
        except KeyError:
            raise ValueError(f"unknown state {state!r}") from None

    @cached_property
    def _index(self) -> dict:
        return {s: i for i, s in enumerate(self.states)}

    def renamed(self, name: str) -> "CTMC":
        """The same chain under another name."""
        copy = object.__new__(CTMC)
        for f in ("Q", "up", "states", "initial", "incidents", "healthy", "events"):
            object.__setattr__(copy, f, getattr(self, f))
        object.__setattr__(copy, "name", str(name))
        return copy

    def to_ctmc(self) -> "CTMC":
        """The chain itself."""
        return self

    # ----------------------------------------------------------- steady state
    @cached_property
    def solution(self) -> solvers.SteadyState:
        """The steady state with its solver and relative balance residual."""
        return solvers.steady_state(self.Q, names=self.states)

    def steady_state(self) -> np.ndarray:
        """Stationary distribution in state order.

        Solved by the portfolio of :func:`hamodel.solvers.steady_state`
        (GTH, banded GTH, Gauss-Seidel, multilevel aggregation, sparse LU);
        :attr:`solution` tells which method answered, the residuals, the
        error estimate of an iterative answer and every method tried.

        Raises
        ------
        ValueError
            If the chain has several closed classes (they are named).
        """
        return self.solution.pi.copy()

    @cached_property
    def _measures(self) -> Measures:
        pi = self.solution.pi
        up = self.up
        availability = float(pi[up].sum())
        unavailability = float(pi[~up].sum())
        return Measures.from_rates(
            availability=availability,
            unavailability=unavailability,
            failure_frequency=self._flow(_transition_mask(self.Q, up, ~up)),
            incidents_per_year=self._flow(self.incidents) * HOURS_PER_YEAR,
            degraded_fraction=float(pi[up & ~self.healthy].sum()),
            events={k: self._flow(w) * HOURS_PER_YEAR for k, w in self.events.items()},
        )

    def _flow(self, weights: sp.csr_array) -> float:
        """Steady-state rate of transitions, weighted per transition."""
        return float(self.solution.pi @ (self.Q.multiply(weights)).sum(axis=1))

    def measures(self) -> Measures:
        """Steady-state frequency and duration measures."""
        return self._measures

    def outage_duration(self) -> PhaseType:
        """Length of one outage: entered by the steady-state flow from up to down.

        Raises
        ------
        ValueError
            If the model has no down state, or no flow into one.
        """
        down = ~self.up
        if not down.any():
            raise ValueError(f"model {self.name!r} has no down state, so no outages")
        pi = self.solution.pi
        entry = pi[self.up] @ self.Q[self.up][:, down]
        total = entry.sum()
        if total <= 0:
            raise ValueError(f"model {self.name!r} never enters a down state in steady state")
        exits = np.asarray(self.Q[down][:, self.up].sum(axis=1)).ravel()
        return PhaseType(entry / total, self.Q[down][:, down], exits=exits)

    # -------------------------------------------------------------- transient
    def transient(self, t) -> np.ndarray:
        """State probabilities at time `t` (a duration), or a 2-D array for many times.

        Examples
        --------
        >>> m = CTMC([[-1.0, 1.0], [1.0, -1.0]], up=[True, False])
        >>> m.transient([0, "1h"]).round(4)
        array([[1.    , 0.    ],
               [0.5677, 0.4323]])
        """
        if np.ndim(t) == 0:
            t = duration(_scalar(t))
            pi, rtol = self._stationary_for(t)
            return solvers.transient(self.Q, self.initial, t, stationary=pi, rtol=rtol)
        return np.array([self.transient(x) for x in _times(t)])

    def _stationary_for(self, t: float):
        """The steady state and its relative accuracy, when a horizon `t` is long
        enough for the early stop of uniformisation to pay (and the chain has a
        steady state); else (None, None)."""
        if t * float(np.max(-self.Q.diagonal())) <= _EARLY_STOP_STEPS:
            return None, None
        try:
            solution = self.solution
        except ValueError:  # several closed classes: no unique steady state
            return None, None
        accuracy = max(solvers.STATIONARY_RTOL, 10.0 * (solution.error_estimate or 0.0))
        return solution.pi, accuracy

    def availability_at(self, t):
        """Point availability at time `t` from the initial distribution."""
        if np.ndim(t) == 0:
            return min(float(self.transient(t)[self.up].sum()), 1.0)
        return np.array([self.availability_at(x) for x in _times(t)])

    def reliability(self, t):
        """P(no system failure in [0, t]) from the initial distribution.

        Examples
        --------
        >>> m = CTMC.from_transitions([("up", "down", 0.001), ("down", "up", 0.1)],
        ...                           up=["up"])
        >>> round(m.reliability("1000h"), 6)
        0.367879
        """
        if np.ndim(t) != 0:
            return np.array([self.reliability(x) for x in _times(t)])
        t = duration(_scalar(t))
        up = self.up
        p0 = self.initial[up]
        if p0.sum() == 0.0:
            return 0.0
        sub = self.Q[up][:, up]
        # Probability mass that has not yet left the up set.
        p = solvers.propagate(sub, p0, t)
        return float(p.sum())

    def mttf(self) -> float:
        """Mean time to the first system failure from the initial distribution (hours).

        Raises
        ------
        ValueError
            If some up state can never fail (infinite MTTF).
        """
        up = self.up
        if not (~up).any():
            raise ValueError(f"model {self.name!r} has no down state: the MTTF is infinite")
        start = self.initial[up]
        if start.sum() == 0.0:
            return 0.0
        exits = np.asarray(self.Q[up][:, ~up].sum(axis=1)).ravel()
        try:
            mean = solvers.mean_time_to_exit(self.Q[up][:, up], exits, start)
        except ValueError:
            raise ValueError(f"model {self.name!r}: some up state reachable from the initial "
                             "state can never fail, so the MTTF is infinite") from None
        return float(start.sum() * mean)

    def __repr__(self) -> str:
        return (f"CTMC({self.name!r}, n_states={self.n_states}, "
                f"up={int(self.up.sum())}, transitions={self.Q.nnz - self.n_states})")


# ------------------------------------------------------------------ helpers
def _scalar(t):
    return t if isinstance(t, str) else float(t)


def _times(t):
    return list(t) if isinstance(t, (list, tuple)) else list(np.asarray(t).ravel())


def _check_generator(Q, states) -> sp.csr_array:
    """Validate a generator and return it as a CSR array with explicit diagonal."""
    if sp.issparse(Q):
        if np.iscomplexobj(Q.data):
            raise TypeError("Q has complex entries; expected real rates per hour")
        Q = sp.csr_array(Q, dtype=float, copy=True)
    else:
        if np.iscomplexobj(Q) or (isinstance(Q, (list, tuple)) and any(
                isinstance(x, complex) for row in Q for x in np.ravel(row))):
            raise TypeError("Q has complex entries; expected real rates per hour")
        try:
            arr = np.asarray(Q, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"Q: expected a square numeric array or scipy.sparse matrix, "
                            f"got {type(Q).__name__}") from None
        if arr.ndim != 2:
            raise ValueError(f"Q has {arr.ndim} dimension(s); expected a square 2-D matrix")
        Q = sp.csr_array(arr)
    n, m = Q.shape
    if n != m:
        raise ValueError(f"Q has shape {Q.shape}; expected a square matrix")
    if n == 0:
        raise ValueError("Q is empty; expected at least one state")
    Q.sum_duplicates()
    name = (lambda i: repr(states[i])) if states is not None and len(states) == n else str
    coo = Q.tocoo()
    bad = ~np.isfinite(coo.data) | (np.abs(coo.data) > MAX_RATE)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        i, j = int(coo.row[k]), int(coo.col[k])
        where = f"state {name(i)}" if i == j else f"from state {name(i)} to {name(j)}"
        raise ValueError(f"Q[{i}, {j}] = {float(coo.data[k])!r} ({where}): expected a finite "
                         f"rate of at most {MAX_RATE:g} per hour")
    off = coo.row != coo.col
    negative = off & (coo.data < 0)
    if negative.any():
        k = int(np.flatnonzero(negative)[0])
        i, j = int(coo.row[k]), int(coo.col[k])
        raise ValueError(f"Q[{i}, {j}] = {coo.data[k]!r} (from state {name(i)} to {name(j)}): "
                         "off-diagonal rates must be >= 0")
    row_sum = np.asarray(Q.sum(axis=1)).ravel()
    scale = np.zeros(n)
    np.add.at(scale, coo.row[off], coo.data[off])
    bad = np.abs(row_sum) > _ROW_TOLERANCE * np.maximum(scale, np.abs(Q.diagonal()))
    bad &= np.abs(row_sum) > 0
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"row {i} (state {name(i)}) of Q sums to {row_sum[i]!r}, not 0: "
                         "a generator's diagonal must be minus the row's total rate")
    return Q


def _resolve(state, index: dict, n: int, what: str) -> int:
    if state in index:
        return index[state]
    raise ValueError(f"{what}: unknown state {state!r}")


def _state_mask(spec, index: dict, n: int, what: str) -> np.ndarray:
    """A boolean mask from a mask or from a collection of states.

    A sequence of 0s and 1s as long as the chain is refused: it could be a
    mask or a list of state indices (``up=[1, 0]`` read as indices makes
    every state of a two-state chain up).
    """
    if spec is None:
        raise TypeError(f"{what} = None: expected a boolean mask of length {n} or a "
                        "collection of states")
    if isinstance(spec, (str, bytes)) or not isinstance(spec, Iterable) or (
            isinstance(spec, tuple) and spec in index):
        spec = [spec]  # one state: a name, an index, or a tuple naming a state
    spec = [x.item() if isinstance(x, np.generic) else x
            for x in (spec.ravel() if isinstance(spec, np.ndarray) else spec)]
    if spec and all(isinstance(x, (bool, np.bool_)) for x in spec):
        if len(spec) != n:
            raise ValueError(f"{what}: a boolean mask of length {len(spec)} for {n} states")
        return np.array(spec, dtype=bool)
    if n > 1 and len(spec) == n and all(
            isinstance(x, (int, float, np.integer, np.floating)) and x in (0, 1) for x in spec):
        raise ValueError(
            f"{what} = {spec!r} is ambiguous: a sequence of 0s and 1s as long as the chain "
            "could be a mask or a list of state indices; pass booleans for a mask "
            f"({what}=[True, False, ...]) or a set of states ({what}={{0}})")
    mask = np.zeros(n, dtype=bool)
    for state in spec:
        mask[_resolve(state, index, n, what)] = True
    return mask


def _initial(initial, index: dict, n: int) -> np.ndarray:
    p0 = np.zeros(n)
    if initial is None:
        p0[0] = 1.0
        return p0
    if isinstance(initial, (bool, np.bool_)):
        raise TypeError(f"initial = {initial!r}: expected a state or a probability vector")
    if isinstance(initial, (str, bytes, tuple)) or np.ndim(initial) == 0:
        p0[_resolve(initial, index, n, "initial")] = 1.0
        return p0
    arr = np.asarray(initial, dtype=float).ravel()
    if arr.size != n or np.any(~np.isfinite(arr)) or np.any(arr < 0) or abs(arr.sum() - 1) > 1e-9:
        raise ValueError(f"initial: expected a state or a probability vector of length {n} "
                         f"summing to 1, got {initial!r}")
    return arr / arr.sum()


def _transition_mask(Q: sp.csr_array, src: np.ndarray, dst: np.ndarray) -> sp.csr_array:
    """Weights 1 on transitions from a `src` state to a `dst` state."""
    coo = Q.tocoo()
    keep = src[coo.row] & dst[coo.col] & (coo.row != coo.col) & (coo.data > 0)
    return sp.csr_array((np.ones(int(keep.sum())), (coo.row[keep], coo.col[keep])), shape=Q.shape)


def _weights(spec, index: dict, Q: sp.csr_array, what: str) -> sp.csr_array:
    n = Q.shape[0]
    if sp.issparse(spec) or isinstance(spec, np.ndarray):
        W = sp.csr_array(spec, dtype=float)
        if W.shape != (n, n):
            raise ValueError(f"{what}: weight matrix of shape {W.shape}; expected ({n}, {n})")
        if np.any(~np.isfinite(W.data)) or np.any(W.data < 0):
            raise ValueError(f"{what}: weights must be finite and >= 0")
        return W
    rows, cols = [], []
    for pair in spec:
        try:
            src, dst = pair
        except (TypeError, ValueError):
            raise ValueError(f"{what}: expected (src, dst) pairs, got {pair!r}") from None
        i, j = _resolve(src, index, n, what), _resolve(dst, index, n, what)
        if Q[i, j] <= 0 or i == j:
            raise ValueError(f"{what}: there is no transition {src!r} -> {dst!r}")
        rows.append(i)
        cols.append(j)
    return sp.csr_array((np.ones(len(rows)), (rows, cols)), shape=(n, n))
