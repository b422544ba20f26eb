"""Reliability block diagrams over independent sub-models.

A block combines models (components, CTMCs, HA patterns, other blocks) whose
failures and repairs are independent of each other. Its availability is the
exact probability of its structure function (no rare-event approximation),
its failure frequency is ``f = sum_i I_B(i) f_i`` over its leaf models with
Birnbaum importance ``I_B(i)``, and :meth:`Block.to_ctmc` builds the exact
product chain, so the two routes can be checked against each other.

A k-of-n group whose units share repair crews, or that has a common-cause
factor ``beta``, is not a group of independent units: it becomes one CTMC
and acts as a single leaf of the diagram.

A meshed :func:`network` is evaluated on a binary decision diagram of its
two-terminal connectivity (:mod:`hamodel._network_bdd`), built edge by edge
over a narrow frontier, so its cost grows with the number of edges times the
partitions of the frontier, not with the ``2**m`` edge states.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from . import solvers
from ._model import Model
from ._network_bdd import MAX_BDD_NODES, ConnectivityBDD  # noqa: F401 (MAX_BDD_NODES: public)
from .component import Component
from .ctmc import CTMC
from .measures import Measures
from .units import probability

# Public: the builders and the base class. The block classes (Series, Parallel,
# KofN, Network) and the size limits stay importable from hamodel.blocks.
__all__ = ["Block", "series", "parallel", "k_of_n", "network"]

#: Largest product chain :meth:`Block.to_ctmc` builds.
MAX_PRODUCT_STATES = 2_000_000
#: Most minimal cut sets a network lists (``minimal_cut_sets(max_order=k)`` lists fewer).
MAX_CUT_SETS = 200_000


def _is_model(obj) -> bool:
    return isinstance(obj, Model) and hasattr(obj, "measures") and hasattr(obj, "name")


def _check_blocks(blocks, what: str) -> tuple:
    if _is_model(blocks) or isinstance(blocks, (str, bytes)):
        raise TypeError(f"{what}: {blocks!r} is one model, not a sequence of models; put the "
                        f"blocks in a list (e.g. {what}(..., [a, b, c]))")
    try:
        blocks = tuple(blocks)
    except TypeError:
        raise TypeError(f"{what}: {blocks!r}: expected a sequence of models") from None
    if not blocks:
        raise ValueError(f"{what}: the block list is empty; expected at least one block")
    for b in blocks:
        if not _is_model(b):
            raise TypeError(f"{what}: {b!r} is not a model (Component, CTMC or block)")
    return blocks


def _check_unique(leaves, what: str) -> None:
    seen, dupes = set(), []
    for leaf in leaves:
        names = [leaf.name]
        if isinstance(leaf, KofN) and leaf.is_leaf:  # its units are units of the diagram too
            names += [unit.name for unit in leaf.blocks]
        for name in names:
            if name in seen:
                dupes.append(name)
            seen.add(name)
    if dupes:
        raise ValueError(
            f"{what}: duplicate component names {sorted(set(dupes))}; every unit of a "
            "diagram needs its own name (Component.renamed gives a copy under another name)"
        )


def _cut_key(cut) -> tuple:
    return (len(cut), sorted(cut))


def _check_order(max_order):
    if max_order is None:
        return None
    if isinstance(max_order, bool) or not isinstance(max_order, (int, np.integer)) \
            or max_order < 1:
        raise ValueError(f"minimal_cut_sets: max_order = {max_order!r}; expected None or an "
                         "integer >= 1")
    return int(max_order)


def _minimise(cuts, max_order=None) -> list[frozenset]:
    """Drop every cut set that contains another one (and those above `max_order`)."""
    unique = sorted({c for c in cuts if max_order is None or len(c) <= max_order},
                    key=_cut_key)
    kept: list[frozenset] = []
    for c in unique:
        if not any(k <= c for k in kept):
            kept.append(c)
    return kept


def _leaf_cuts(model, max_order=None) -> list[frozenset]:
    if isinstance(model, Block) and not model.is_leaf:
        return model.minimal_cut_sets(max_order=max_order)
    return [frozenset([model.name])]


def _pair(model, values: dict) -> tuple[float, float]:
    """(availability, unavailability) of a child from the leaf values."""
    if isinstance(model, Block) and not model.is_leaf:
        return model._pair(values)
    return values[model.name]


def _struct(model, x: dict):
    if isinstance(model, Block) and not model.is_leaf:
        return model.structure(x)
    return x[model.name]


class Block(Model):
    """Base of the block diagrams: leaves, exact measures, product chain.

    Subclasses define ``blocks`` (children), ``_pair(values)`` (exact
    availability and unavailability from the leaves' ``(A, U)`` pairs),
    ``structure(x)`` and ``minimal_cut_sets()``.
    """

    __slots__ = ()
    is_leaf = False

    @cached_property
    def leaves(self) -> tuple:
        """The independent leaf models below this block, depth first."""
        if self.is_leaf:
            return (self,)
        out = []
        for b in self.blocks:
            out.extend(b.leaves if isinstance(b, Block) else (b,))
        return tuple(out)

    @cached_property
    def leaf_measures(self) -> dict:
        """The measures of each independent leaf model, by name."""
        return {leaf.name: _leaf_measures(leaf) for leaf in self.leaves}

    def _leaf_pairs(self) -> dict:
        return {n: (m.availability, m.unavailability) for n, m in self.leaf_measures.items()}

    def birnbaum(self) -> dict:
        """Birnbaum importance ``dA_sys / dA_i`` of each leaf, by name.

        Computed exactly as ``A(i up) - A(i down)``, from whichever of the
        availability or unavailability differences keeps more digits.
        """
        values = self._leaf_pairs()
        out = {}
        for name in values:
            a1, u1 = self._pair({**values, name: (1.0, 0.0)})
            a0, u0 = self._pair({**values, name: (0.0, 1.0)})
            out[name] = (a1 - a0) if max(a1, a0) < max(u0, u1) else (u0 - u1)
        return out

    def measures(self) -> Measures:
        """Exact steady-state measures from the structure function.

        Examples
        --------
        >>> import hamodel as hm
        >>> a = hm.Component("a", failure_rate=0.001, repair_rate=0.1)
        >>> pair = hm.parallel(a, a.renamed("b"))
        >>> round(pair.measures().availability, 12)  # Trivedi T2a
        0.999901970395
        """
        return self._measures

    @cached_property
    def _measures(self) -> Measures:
        leaf = self.leaf_measures
        availability, unavailability = self._pair(self._leaf_pairs())
        importance = self.birnbaum()
        freq = sum(importance[n] * m.failure_frequency for n, m in leaf.items())
        # P(up and some leaf not healthy), split by the first unhealthy leaf in
        # leaf order: every term is >= 0, so tiny fractions keep their digits.
        values = self._leaf_pairs()
        variants, terms = [], []
        weight = 1.0
        for n, m in leaf.items():
            if m.degraded_fraction > 0 or m.unavailability > 0:
                variants += [{**values, n: (1.0, 0.0)}, {**values, n: (0.0, 1.0)}]
                terms.append((weight, m))
            values[n] = (1.0, 0.0)  # healthy, hence up, for the leaves after it
            weight *= m.availability - m.degraded_fraction
        conditional = self._pairs(variants)
        degraded = 0.0
        for j, (w, m) in enumerate(terms):
            a_up, a_down = conditional[2 * j][0], conditional[2 * j + 1][0]
            degraded += w * (m.degraded_fraction * a_up + m.unavailability * a_down)
        events: dict = {}
        for m in leaf.values():
            for k, v in m.events.items():
                events[k] = events.get(k, 0.0) + v
        return Measures.from_rates(
            availability=availability,
            unavailability=unavailability,
            failure_frequency=freq,
            incidents_per_year=sum(m.incidents_per_year for m in leaf.values()),
            degraded_fraction=min(degraded, availability),
            events=events,
        )

    @property
    def availability(self) -> float:
        """Steady-state availability."""
        return self.measures().availability

    def to_ctmc(self) -> CTMC:
        """The exact product chain of the leaves' chains (a Kronecker sum).

        Raises
        ------
        ValueError
            If the product has more than :data:`MAX_PRODUCT_STATES` states.
        """
        return self._ctmc

    @cached_property
    def _ctmc(self) -> CTMC:
        chains = [leaf.to_ctmc() for leaf in self.leaves]
        sizes = [c.n_states for c in chains]
        total = math.prod(sizes)
        if total > MAX_PRODUCT_STATES:
            raise ValueError(
                f"{self.name!r}: the product chain would have {total:,} states "
                f"(leaf chains of {sizes} states), more than MAX_PRODUCT_STATES = "
                f"{MAX_PRODUCT_STATES:,}; use measures(), which needs no product chain"
            )
        Q = sp.csr_array((1, 1))
        W = sp.csr_array((1, 1))
        events: dict = {}
        p0 = np.ones(1)
        healthy = np.ones(1, dtype=bool)
        for c in chains:
            n_prev, n_c = Q.shape[0], c.n_states
            eye_prev, eye_c = sp.eye_array(n_prev), sp.eye_array(n_c)
            Q = sp.kron(Q, eye_c) + sp.kron(eye_prev, c.Q)
            W = sp.kron(W, eye_c) + sp.kron(eye_prev, c.incidents)
            for k in set(events) | set(c.events):
                old = events.get(k, sp.csr_array((n_prev, n_prev)))
                new = c.events.get(k, sp.csr_array((n_c, n_c)))
                events[k] = sp.kron(old, eye_c) + sp.kron(eye_prev, new)
            p0 = np.kron(p0, c.initial)
            healthy = np.kron(healthy, c.healthy).astype(bool)
        # Each leaf's up indicator over the product states.
        x, stride = {}, total
        for leaf, c in zip(self.leaves, chains):
            stride //= c.n_states
            x[leaf.name] = np.tile(np.repeat(c.up, stride), total // (stride * c.n_states))
        up = np.asarray(self.structure(x), dtype=bool)
        names = None
        if total <= 200_000:
            names = list(itertools.product(*[c.states for c in chains]))
        chain = CTMC(sp.csr_array(Q), up, states=names, initial=p0, name=self.name,
                     incidents=sp.csr_array(W), healthy=healthy & up,
                     events={k: sp.csr_array(v) for k, v in events.items()})
        # Independent leaves: the product chain's stationary law is the product
        # of theirs (exact, and no LU fill-in on a many-dimensional grid).
        pi = np.ones(1)
        for c in chains:
            pi = np.kron(pi, c.solution.pi)
        chain.__dict__["solution"] = solvers.SteadyState(
            pi=pi, method="product of leaf solutions",
            residual=solvers.balance_residual(chain.Q, pi))
        return chain

    def minimal_cut_sets(self, max_order=None) -> list[frozenset]:  # pragma: no cover
        raise NotImplementedError

    def structure(self, x: dict):  # pragma: no cover - abstract
        raise NotImplementedError

    def _pair(self, values: dict) -> tuple[float, float]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _pairs(self, variants) -> list[tuple[float, float]]:
        """:meth:`_pair` of several value assignments (a block may batch them)."""
        return [self._pair(v) for v in variants]


def _all_of(pairs) -> tuple[float, float]:
    """(P(all up), P(not all up)) of independent parts given as (P(up), P(down)).

    The second is ``-expm1(sum log1p(-P(down)))``, so it keeps its digits when
    tiny; a part whose P(down) rounds to 1 (P(up) tiny) would make log1p fail.
    """
    a = math.prod(p[0] for p in pairs)
    if any(p[0] == 0.0 or p[1] >= 1.0 for p in pairs):
        return a, 1.0
    return a, -math.expm1(sum(math.log1p(-p[1]) for p in pairs))


def _leaf_measures(leaf) -> Measures:
    return leaf.measures()


@dataclass(frozen=True, eq=False)
class Series(Block):
    """Up while every block is up. Build it with :func:`series`."""

    blocks: tuple
    name: str

    def _pair(self, values):
        return _all_of([_pair(b, values) for b in self.blocks])

    def outage_duration(self):
        """Distribution of one outage of the series (a :class:`~hamodel.PhaseType`).

        The outage of a series of independent parts ends when every part is
        up again. It is computed on the product of the parts' chains, with
        identical parts lumped: all of its down states when they fit, else
        the states with at most ``K`` parts down at once for the smallest
        ``K`` whose cut-off (the chance that a ``K + 1``-th part fails during
        the outage) is at most ``hamodel._outage.OUTAGE_TOLERANCE``. The
        result's ``note`` says which, with the bound.

        Where neither fits (see ``OUTAGE_PHASES`` and ``OUTAGE_PRODUCT_STATES``
        in :mod:`hamodel._outage`) each outage is taken to last as long as the
        part's that started it: a lower bound, off by at most the chance that a
        second part fails during it. Unless that chance is within the
        tolerance the result has ``exact = False``, the bound in its ``note``,
        and an :class:`~hamodel.ApproximationWarning` is raised.

        Examples
        --------
        Fifteen identical parts, each down 9 % of the time: outages overlap, so
        one lasts about twice as long as a part's own repair.

        >>> import hamodel as hm
        >>> parts = [hm.Component(f"p{i}", mtbf="20h", mttr="2h") for i in range(15)]
        >>> d = hm.series(*parts).outage_duration()
        >>> d.exact, d.n_phases, round(d.mean, 4), round(float(d.sf(10)), 4)
        (True, 15, 4.2363, 0.1189)
        """
        from ._outage import mixture_outage, series_outage

        parts = self._series_parts()
        if len(parts) == 1:
            return parts[0].outage_duration()
        exact_mean = self.measures().mean_down_time
        try:
            chains = [p.to_ctmc() for p in parts]
        except ValueError as err:  # a part's own product chain is too large
            dist, reason = None, str(err)
        else:
            dist, reason = series_outage(chains, exact_mean, self.name)
        if dist is None:
            dist = mixture_outage(parts, exact_mean, self.name, reason)
        return dist

    def _series_parts(self) -> list:
        """Children, with nested series opened up (a series of series is one series)."""
        out = []
        for b in self.blocks:
            out.extend(b._series_parts() if isinstance(b, Series) else [b])
        return out

    def structure(self, x):
        """Structure function: all children up (works elementwise on arrays)."""
        return np.logical_and.reduce([np.asarray(_struct(b, x)) for b in self.blocks])

    def minimal_cut_sets(self, max_order=None):
        """Minimal cut sets: any child's cut set cuts the series.

        Parameters
        ----------
        max_order : int, optional
            List only the cut sets of at most this many leaves.
        """
        max_order = _check_order(max_order)
        return _minimise((c for b in self.blocks for c in _leaf_cuts(b, max_order)), max_order)


@dataclass(frozen=True, eq=False)
class Parallel(Block):
    """Up while any block is up. Build it with :func:`parallel`."""

    blocks: tuple
    name: str

    def _pair(self, values):
        # A parallel block is down when all of its children are down: the dual.
        u, a = _all_of([(u, a) for a, u in (_pair(b, values) for b in self.blocks)])
        return a, u

    def structure(self, x):
        """Structure function: some child up."""
        return np.logical_or.reduce([np.asarray(_struct(b, x)) for b in self.blocks])

    def minimal_cut_sets(self, max_order=None):
        """Minimal cut sets: one cut set from every child, united (at most `max_order` leaves)."""
        max_order = _check_order(max_order)
        combos = itertools.product(*[_leaf_cuts(b, max_order) for b in self.blocks])
        return _minimise((frozenset().union(*combo) for combo in combos), max_order)


def _count_distribution(pairs) -> tuple[np.ndarray, np.ndarray]:
    """P(exactly j children up) computed twice, from A and from U sides.

    Returns the distribution (length n + 1); all terms are non-negative
    products, so both tails keep their relative accuracy.
    """
    dist = np.zeros(len(pairs) + 1)
    dist[0] = 1.0
    for a, u in pairs:
        dist[1:] = dist[1:] * u + dist[:-1] * a
        dist[0] *= u
    return dist


@dataclass(frozen=True, eq=False)
class KofN(Block):
    """Up while at least k of its n blocks are up. Build it with :func:`k_of_n`.

    With ``crews`` or ``beta`` set the units interact, so the group is one
    CTMC (see :attr:`ctmc`) and acts as a single leaf.
    """

    k: int
    blocks: tuple
    crews: int | None
    beta: float
    name: str

    @property
    def is_leaf(self) -> bool:
        return self.crews is not None or self.beta > 0

    @property
    def n(self) -> int:
        """Number of units."""
        return len(self.blocks)

    def _pair(self, values):
        if self.is_leaf:
            return values[self.name]
        dist = _count_distribution([_pair(b, values) for b in self.blocks])
        return float(dist[self.k:].sum()), float(dist[: self.k].sum())

    def structure(self, x):
        """Structure function: at least k children up."""
        if self.is_leaf:
            return x[self.name]
        return np.sum([np.asarray(_struct(b, x), dtype=int) for b in self.blocks], axis=0) >= self.k

    def minimal_cut_sets(self, max_order=None):
        """Minimal cut sets: one cut set from each of any n - k + 1 children.

        A group with crews or common cause is one leaf of the diagram, but its
        cut sets are those of its units (at most `max_order` of them).
        """
        max_order = _check_order(max_order)
        out = []
        for group in itertools.combinations(self.blocks, self.n - self.k + 1):
            for combo in itertools.product(*[_leaf_cuts(b, max_order) for b in group]):
                out.append(frozenset().union(*combo))
        return _minimise(out, max_order)

    @cached_property
    def ctmc(self) -> CTMC:
        """The group's own chain (only for groups with crews or beta)."""
        from .patterns.kofn import kofn_chain

        return kofn_chain(self.k, self.blocks, self.crews, self.beta, self.name)

    def measures(self) -> Measures:
        return self.ctmc.measures() if self.is_leaf else self._measures

    def to_ctmc(self) -> CTMC:
        return self.ctmc if self.is_leaf else self._ctmc


@dataclass(frozen=True, eq=False)
class Network(Block):
    """Up while an up path joins source and target. Build it with :func:`network`.

    Availability, unavailability (each a sum of non-negative terms, so a tiny
    one keeps its digits), Birnbaum importances and minimal cut sets all come
    from one reduced BDD of the connectivity over the edges; its size is
    capped by :data:`MAX_BDD_NODES` and the cut sets listed by
    :data:`MAX_CUT_SETS`, each with a clear error.
    """

    edges: tuple
    source: object
    target: object
    name: str

    @property
    def blocks(self) -> tuple:
        return tuple(e[2] for e in self.edges)

    def _connected(self, usable) -> bool:
        parent: dict = {}

        def find(a):
            parent.setdefault(a, a)
            while parent[a] != a:
                parent[a] = parent[parent[a]]
                a = parent[a]
            return a

        for (u, v, _), ok in zip(self.edges, usable):
            if ok:
                parent[find(u)] = find(v)
        return find(self.source) == find(self.target)

    @cached_property
    def _bdd(self) -> ConnectivityBDD:
        return ConnectivityBDD([(u, v) for u, v, _ in self.edges], self.source, self.target,
                               what=f"network {self.name!r}", max_nodes=MAX_BDD_NODES)

    def _edge_pairs(self, values) -> np.ndarray:
        return np.array([_pair(b, values) for b in self.blocks], dtype=float).reshape(-1, 2)

    def _pair(self, values):
        pairs = self._edge_pairs(values)
        return self._bdd.pair(pairs[:, 0], pairs[:, 1])

    def _pairs(self, variants):
        if not variants:
            return []
        pairs = np.stack([self._edge_pairs(v) for v in variants], axis=-1)  # (edges, 2, k)
        A, U = self._bdd.pair(pairs[:, 0], pairs[:, 1])
        return list(zip(A.tolist(), U.tolist()))

    def birnbaum(self) -> dict:
        """Birnbaum importance of each leaf, from one pass over the decision diagram.

        An edge's importance is a sum of non-negative terms over the diagram's
        nodes (see :class:`hamodel._network_bdd.ConnectivityBDD`); a leaf inside
        an edge's block gets the edge's importance times its importance in
        that block (the network is linear in each edge's availability).
        """
        pairs = self._edge_pairs(self._leaf_pairs())
        edge = self._bdd.birnbaum(pairs[:, 0], pairs[:, 1])
        out = {}
        for b, importance in zip(self.blocks, edge.tolist()):
            if isinstance(b, Block) and not b.is_leaf:
                out.update({n: importance * v for n, v in b.birnbaum().items()})
            else:
                out[b.name] = importance
        return out

    def structure(self, x):
        """Structure function: source and target joined by up edges (elementwise)."""
        ups = [np.asarray(_struct(b, x), dtype=bool) for b in self.blocks]
        shape = np.broadcast(*ups).shape
        nodes = {n for u, v, _ in self.edges for n in (u, v)}
        reach = {n: np.zeros(shape, dtype=bool) for n in nodes}
        reach[self.source] = np.ones(shape, dtype=bool)
        for _ in range(len(nodes)):
            for (u, v, _), ok in zip(self.edges, ups):
                reach[v] = reach[v] | (reach[u] & ok)
                reach[u] = reach[u] | (reach[v] & ok)
        return reach[self.target]

    def minimal_cut_sets(self, max_order=None):
        """Minimal cut sets: minimal edge cuts, each edge replaced by its block's cuts.

        The minimal edge cuts come from the network's decision diagram as a
        zero-suppressed diagram, which counts them before any is listed.

        Parameters
        ----------
        max_order : int, optional
            List only the cut sets of at most this many leaves.

        Raises
        ------
        ValueError
            If there are more than :data:`MAX_CUT_SETS` cut sets to list; the
            message gives their number by order, so a `max_order` can be chosen.

        Examples
        --------
        >>> import hamodel as hm
        >>> c = lambda n: hm.Component(n, failure_rate=1.0, repair_rate=9.0)
        >>> bridge = hm.network([("s", "a", c("e1")), ("s", "b", c("e2")), ("a", "b", c("e3")),
        ...                      ("a", "t", c("e4")), ("b", "t", c("e5"))], "s", "t")
        >>> [sorted(cut) for cut in bridge.minimal_cut_sets()]
        [['e1', 'e2'], ['e4', 'e5'], ['e1', 'e3', 'e5'], ['e2', 'e3', 'e4']]
        """
        max_order = _check_order(max_order)
        family = self._cut_family
        children = [_leaf_cuts(b, max_order) for b in self.blocks]
        if max_order is None:
            total = family.count([len(c) for c in children])
            if total > MAX_CUT_SETS:
                by_order = ", ".join(f"{n:,} of {k} edges" for k, n in family.sizes().items())
                raise ValueError(
                    f"network {self.name!r} has {total:,} minimal cut sets, more than "
                    f"MAX_CUT_SETS = {MAX_CUT_SETS:,} (edge cuts: {by_order}); list the "
                    "smallest with minimal_cut_sets(max_order=k)")
        # Edge cuts are minimal and the edges' leaves are disjoint, so the expanded
        # sets are minimal and distinct already: no pairwise minimisation is needed.
        out = []
        for edge_cut in family.sets(max_order):
            for combo in itertools.product(*[children[i] for i in edge_cut]):
                cut = frozenset().union(*combo)
                if max_order is None or len(cut) <= max_order:
                    out.append(cut)
            if len(out) > MAX_CUT_SETS:
                raise ValueError(
                    f"network {self.name!r}: more than MAX_CUT_SETS = {MAX_CUT_SETS:,} minimal "
                    f"cut sets of order <= {max_order}; ask for a smaller max_order")
        return sorted(out, key=_cut_key)

    @cached_property
    def _cut_family(self):
        return self._bdd.cut_set_family(max_nodes=MAX_BDD_NODES)


def _default_name(kind: str, blocks) -> str:
    inner = ", ".join(b.name for b in blocks[:4]) + (", ..." if len(blocks) > 4 else "")
    return f"{kind}({inner})"


def series(*blocks, name=None) -> Series:
    """Blocks that must all be up.

    Examples
    --------
    >>> import hamodel as hm
    >>> a = hm.Component("a", failure_rate=0.001, repair_rate=0.1)
    >>> b = hm.Component("b", failure_rate=0.002, repair_rate=0.5)
    >>> round(hm.series(a, b).measures().availability, 12)  # Trivedi T6
    0.986154392332
    """
    blocks = _check_blocks(blocks, "series")
    block = Series(blocks, name or _default_name("series", blocks))
    _check_unique(block.leaves, block.name)
    return block


def parallel(*blocks, name=None) -> Parallel:
    """Blocks of which one suffices, each repaired independently.

    Examples
    --------
    >>> import hamodel as hm
    >>> a = hm.Component("a", mtbf="1y", mttr="4h")
    >>> pair = hm.parallel(a, a.renamed("b"))
    >>> pair.measures().mean_down_time  # both down: the first repair ends it
    2.0
    """
    blocks = _check_blocks(blocks, "parallel")
    block = Parallel(blocks, name or _default_name("parallel", blocks))
    _check_unique(block.leaves, block.name)
    return block


def k_of_n(k, blocks, crews=None, *, beta=0.0, name=None) -> KofN:
    """Up while at least `k` of the `blocks` are up.

    Parameters
    ----------
    k : int
        Units needed, ``1 <= k <= n``.
    blocks : sequence of models
        The n units.
    crews : int, optional
        ``None``: every unit is repaired independently (exact block formula).
        ``r``: at most r repairs at a time, in order of failure; the units
        must then be Components and the group becomes a CTMC.
    beta : float
        Beta-factor common cause: a share `beta` of each unit's failure rate
        is one shared event that fails every unit of the group at once (rate
        ``beta`` times the mean unit failure rate); the rest stays
        independent. Needs Components.
    name : str, optional

    Examples
    --------
    >>> import hamodel as hm
    >>> units = [hm.Component(f"n{i}", failure_rate=0.001, repair_rate=0.1) for i in range(3)]
    >>> round(hm.k_of_n(2, units).measures().availability, 12)  # Trivedi T5
    0.999707852365
    >>> round(hm.k_of_n(2, units, crews=1).measures().availability, 12)
    0.999411996437
    """
    blocks = _check_blocks(blocks, "k_of_n")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"k_of_n: k = {k!r}; expected an integer")
    if not 1 <= k <= len(blocks):
        raise ValueError(f"k_of_n: k = {k} with n = {len(blocks)} blocks; expected 1 <= k <= n")
    if crews is not None:
        if isinstance(crews, bool) or not isinstance(crews, (int, np.integer)) or crews < 1:
            raise ValueError(f"k_of_n: crews = {crews!r}; expected None or an integer >= 1")
        crews = int(crews)
    beta = probability(beta, "k_of_n: beta")
    if (crews is not None or beta > 0) and not all(isinstance(b, Component) for b in blocks):
        raise TypeError("k_of_n: with crews or beta the units must be Components")
    block = KofN(int(k), blocks, crews, beta,
                 name or _default_name(f"{k}-of-{len(blocks)}", blocks))
    _check_unique(block.blocks if block.is_leaf else block.leaves, block.name)
    return block


def network(edges, source, target, *, name=None) -> Network:
    """A two-terminal network: up while up edges join `source` and `target`.

    Parameters
    ----------
    edges : sequence of (u, v, block)
        Undirected edges between hashable node labels; each edge is a model.
        Nodes are perfect.
    source, target : hashable
        The two terminals.

    Examples
    --------
    The bridge network, with five identical links of availability 0.9:

    >>> import hamodel as hm
    >>> c = lambda n: hm.Component(n, failure_rate=1.0, repair_rate=9.0)
    >>> bridge = hm.network([("s", "a", c("e1")), ("s", "b", c("e2")), ("a", "b", c("e3")),
    ...                      ("a", "t", c("e4")), ("b", "t", c("e5"))], "s", "t")
    >>> round(bridge.measures().availability, 10)  # 2p^2 + 2p^3 - 5p^4 + 2p^5, p = 0.9
    0.97848

    A 6 x 6 grid of links (60 edges, corner to corner) is quick:

    >>> link = lambda n: hm.Component(n, failure_rate=0.001, repair_rate=0.1)
    >>> grid = hm.network([((i, j), (i + di, j + dj), link(f"{i}{j}{di}"))
    ...                    for i in range(6) for j in range(6) for di, dj in ((0, 1), (1, 0))
    ...                    if i + di < 6 and j + dj < 6], (0, 0), (5, 5))
    >>> len(grid.edges), f"{grid.measures().unavailability:.6e}"
    (60, '1.999708e-04')
    """
    edges = tuple(edges)
    if not edges:
        raise ValueError("network: the edge list is empty; expected (u, v, block) triples")
    for e in edges:
        if not (isinstance(e, tuple) and len(e) == 3):
            raise ValueError(f"network: edge {e!r}; expected a (u, v, block) triple")
    _check_blocks([e[2] for e in edges], "network")
    nodes = {n for u, v, _ in edges for n in (u, v)}
    for terminal, label in ((source, "source"), (target, "target")):
        if terminal not in nodes:
            raise ValueError(f"network: {label} {terminal!r} is not a node of any edge")
    if source == target:
        raise ValueError(f"network: source and target are the same node {source!r}")
    block = Network(edges, source, target, name or f"network({source}-{target})")
    if not block._connected([True] * len(edges)):
        raise ValueError(f"network: no path joins source {source!r} and target {target!r} "
                         "even with every edge up, so the system could never be up")
    _check_unique(block.leaves, block.name)
    return block
