"""Two-terminal connectivity of a network as a binary decision diagram.

The diagram is built edge by edge with a frontier (Knuth's "simpath" idea):
after the first ``p`` edges of an order in which every node's edges sit close
together, all that the remaining edges need to know of the past is which of
the *frontier* nodes (touched by a decided edge and by an undecided one) are
already joined, and which of those components hold the source and the
target. Equal such states at one level are one node, so the diagram has at
most (number of edges) x (partitions of the frontier) nodes: polynomial in
the number of edges for a fixed frontier width, however many paths there are.

On the reduced diagram, with independent edges of availability ``a_e`` and
unavailability ``u_e``, one bottom-up pass gives ``P(joined)`` and
``P(not joined)``, each a sum of non-negative products (so a tiny
unavailability keeps its relative accuracy), and one top-down pass gives
every edge's Birnbaum importance. Minimal edge cut sets follow from the
diagram as a zero-suppressed diagram (Rauzy's construction), which counts
them without listing them.
"""

from __future__ import annotations

from collections import deque

import numpy as np

#: Largest decision diagram (in nodes) a network builds before giving up.
MAX_BDD_NODES = 2_000_000

_FALSE, _TRUE = 0, 1


class ConnectivityBDD:
    """Reduced ordered BDD of "source joined to target" over the edges.

    Parameters
    ----------
    ends : sequence of (u, v)
        The edges' end nodes (hashable labels).
    source, target : hashable
    what : str
        Name used in error messages.
    max_nodes : int
        Size guard: raise instead of building a larger diagram.

    Attributes
    ----------
    order : tuple of int
        Edge indices in the order of the diagram's levels (edges that are
        loops are left out: they never matter).
    n_nodes : int
        Internal (non-terminal) nodes of the reduced diagram.
    """

    def __init__(self, ends, source, target, *, what="network", max_nodes=MAX_BDD_NODES):
        self.ends = tuple(tuple(e) for e in ends)
        self.source, self.target = source, target
        self.what = what
        self.order = _choose_order(self.ends, source, target)
        self._build(max_nodes)

    # ------------------------------------------------------------------ build
    def _build(self, max_nodes: int) -> None:
        ends, order, s, t = self.ends, self.order, self.source, self.target
        last: dict = {}
        for p, e in enumerate(order):
            for x in ends[e]:
                last[x] = p
        frontier = [s, t]
        current = [(0, 1)]  # states of level 0
        index = {(0, 1): 0}
        los, his = [], []
        total = 1
        for p, e in enumerate(order):
            u, v = ends[e]
            ext = list(frontier)
            for x in (u, v):
                if x not in ext:
                    ext.append(x)
            n_new = len(ext) - len(frontier)
            iu, iv = ext.index(u), ext.index(v)
            keep = [i for i, x in enumerate(ext) if last.get(x, -1) > p]
            fresh = tuple(range(-1, -1 - n_new, -1))  # labels of nodes entering now
            nxt: dict = {}
            lo_ref, hi_ref = [], []

            def project(labels, nxt=nxt, keep=keep):
                kept = [labels[i] for i in keep]
                if 0 not in kept or 1 not in kept:
                    return _FALSE  # the source's or target's component can grow no more
                relabel = {0: 0, 1: 1}
                for x in kept:
                    if x not in relabel:
                        relabel[x] = len(relabel)
                state = tuple(relabel[x] for x in kept)
                k = nxt.get(state)
                if k is None:
                    k = nxt[state] = len(nxt)
                return k + 2

            for state in current:
                labels = state + fresh
                lo_ref.append(project(labels))
                a, b = labels[iu], labels[iv]
                if a == b:
                    hi_ref.append(lo_ref[-1])
                    continue
                if {a, b} == {0, 1}:
                    hi_ref.append(_TRUE)
                    continue
                keep_label, gone = (a, b) if _rank(a) < _rank(b) else (b, a)
                hi_ref.append(project(tuple(keep_label if x == gone else x for x in labels)))
            los.append(lo_ref)
            his.append(hi_ref)
            total += len(nxt)
            if total > max_nodes:
                raise ValueError(
                    f"{self.what}: its decision diagram passed MAX_BDD_NODES = {max_nodes:,} "
                    f"nodes at edge {p + 1} of {len(order)} (a frontier of {len(keep)} nodes); "
                    "the network is too wide for an exact two-terminal analysis")
            frontier = [ext[i] for i in keep]
            current = list(nxt)
        # Reduce bottom-up: a node whose two branches agree is its branch, and equal
        # (level, lo, hi) are one node. Ids grow bottom-up, so children precede parents.
        var, lo, hi = [-1, -1], [0, 1], [0, 1]
        below: list = []  # reduced ids of the level below
        levels = []
        for p in range(len(order) - 1, -1, -1):
            unique: dict = {}
            ids = []
            for lref, href in zip(los[p], his[p]):
                lid = lref if lref < 2 else below[lref - 2]
                hid = href if href < 2 else below[href - 2]
                if lid == hid:
                    ids.append(lid)
                    continue
                node = unique.get((lid, hid))
                if node is None:
                    node = unique[(lid, hid)] = len(var)
                    var.append(p)
                    lo.append(lid)
                    hi.append(hid)
                ids.append(node)
            if unique:
                levels.append((p, np.fromiter(unique.values(), dtype=np.int64)))
            below = ids
        self.root = below[0] if below else _FALSE
        self.var = np.asarray(var, dtype=np.int64)
        self.lo = np.asarray(lo, dtype=np.int64)
        self.hi = np.asarray(hi, dtype=np.int64)
        self.levels = levels[::-1]  # top (position 0) first
        self.n_nodes = len(var) - 2

    # ------------------------------------------------------------- evaluation
    def _edge_values(self, a, u):
        """Per-level (P(up), P(down)) arrays from per-edge ones, shape (m,) or (m, k)."""
        a = np.asarray(a, dtype=float)
        u = np.asarray(u, dtype=float)
        idx = np.asarray(self.order, dtype=np.int64)
        return a[idx], u[idx]

    def probabilities(self, a, u) -> tuple[np.ndarray, np.ndarray]:
        """P(joined) and P(not joined) at every node (rows), bottom-up.

        `a` and `u` give each edge's P(up) and P(down), indexed like the
        edges; a second axis evaluates several assignments at once.
        """
        a, u = self._edge_values(a, u)
        shape = (len(self.var),) + a.shape[1:]
        A = np.zeros(shape)
        U = np.zeros(shape)
        A[_TRUE] = 1.0
        U[_FALSE] = 1.0
        for p, ids in reversed(self.levels):
            h, low = self.hi[ids], self.lo[ids]
            A[ids] = a[p] * A[h] + u[p] * A[low]
            U[ids] = a[p] * U[h] + u[p] * U[low]
        return A, U

    def pair(self, a, u):
        """(P(joined), P(not joined)) of the network: floats, or arrays for 2-D input."""
        A, U = self.probabilities(a, u)
        if A.ndim == 1:
            return float(A[self.root]), float(U[self.root])
        return A[self.root], U[self.root]

    def birnbaum(self, a, u) -> np.ndarray:
        """``P(joined | e up) - P(joined | e down)`` of every edge (indexed like the edges).

        A sum over the diagram's nodes labelled ``e`` of P(reach the node) times
        the node's own difference of branches, which is never negative (the
        structure is monotone); each node's difference is taken from the
        availabilities or the unavailabilities, whichever are smaller, so
        little is lost to cancellation.
        """
        A, U = self.probabilities(a, u)
        av, uv = self._edge_values(a, u)
        reach = np.zeros(len(self.var))
        reach[self.root] = 1.0
        out = np.zeros(len(self.ends))
        for p, ids in self.levels:
            h, low = self.hi[ids], self.lo[ids]
            r = reach[ids]
            np.add.at(reach, h, r * av[p])
            np.add.at(reach, low, r * uv[p])
            use_a = np.maximum(A[h], A[low]) < np.maximum(U[h], U[low])
            diff = np.where(use_a, A[h] - A[low], U[low] - U[h])
            out[self.order[p]] = float(np.sum(r * np.clip(diff, 0.0, None)))
        return out

    # ----------------------------------------------------------------- cut sets
    def cut_set_family(self, max_nodes: int = MAX_BDD_NODES) -> "CutFamily":
        """The minimal edge cut sets as a zero-suppressed decision diagram."""
        return CutFamily(self, max_nodes)


def _rank(label: int) -> tuple:
    # Components holding the source (0) or the target (1) keep their label on a merge.
    return (label not in (0, 1), label)


def _choose_order(ends, source, target) -> tuple:
    """An edge order with a narrow frontier: the best of a few breadth-first orders."""
    m = len(ends)
    usable = [i for i in range(m) if ends[i][0] != ends[i][1]]
    adjacency: dict = {}
    for i in usable:
        u, v = ends[i]
        adjacency.setdefault(u, []).append(v)
        adjacency.setdefault(v, []).append(u)
    candidates = [tuple(usable)]
    for start in (source, target):
        rank = {start: 0}
        queue = deque([start])
        while queue:
            x = queue.popleft()
            for y in adjacency.get(x, ()):
                if y not in rank:
                    rank[y] = len(rank)
                    queue.append(y)
        big = len(rank)
        key = lambda i: (max(rank.get(ends[i][0], big), rank.get(ends[i][1], big)),  # noqa: E731
                         min(rank.get(ends[i][0], big), rank.get(ends[i][1], big)), i)
        candidates.append(tuple(sorted(usable, key=key)))
    return min(candidates, key=lambda order: _width(ends, order, source, target))


def _width(ends, order, source, target) -> tuple[int, int]:
    """(largest, total) frontier size along an edge order."""
    first, last = {source: -1, target: -1}, {}
    for p, e in enumerate(order):
        for x in ends[e]:
            first.setdefault(x, p)
            last[x] = p
    delta = np.zeros(len(order) + 2, dtype=np.int64)
    for x, f in first.items():
        if x in last and last[x] > f:
            delta[f + 1] += 1
            delta[last[x] + 1] -= 1
    sizes = np.cumsum(delta)
    return int(sizes.max(initial=0)), int(sizes.sum())


class CutFamily:
    """Minimal edge cut sets of a connectivity BDD, held as a ZDD.

    Node 0 is the empty family, node 1 the family holding only the empty set;
    node ``k >= 2`` is ``(var, lo, hi)``: the sets without the level's edge
    (``lo``) and, with it, ``hi``. For a monotone function with branches
    ``f0`` (edge down) and ``f1`` (edge up), the minimal cut sets are those of
    ``f1`` and, with the edge added, those of ``f0`` that hold none of ``f1``'s
    (Rauzy 1993).
    """

    def __init__(self, bdd: ConnectivityBDD, max_nodes: int = MAX_BDD_NODES):
        self.bdd = bdd
        self.max_nodes = max_nodes
        self.var, self.lo, self.hi = [-1, -1], [0, 0], [0, 0]
        self._unique: dict = {}
        self._without_memo: dict = {}
        of_node = {_FALSE: 1, _TRUE: 0}
        for node in range(2, len(bdd.var)):  # children precede parents
            h = of_node[int(bdd.hi[node])]
            low = self._without(of_node[int(bdd.lo[node])], h)
            of_node[node] = self._make(int(bdd.var[node]), h, low)
        self.root = of_node[bdd.root]

    def _make(self, var: int, lo: int, hi: int) -> int:
        if hi == 0:
            return lo
        key = (var, lo, hi)
        node = self._unique.get(key)
        if node is None:
            if len(self.var) > self.max_nodes:
                raise ValueError(
                    f"{self.bdd.what}: the diagram of its minimal cut sets passed "
                    f"MAX_BDD_NODES = {self.max_nodes:,} nodes; they are too many to work with")
            node = self._unique[key] = len(self.var)
            self.var.append(var)
            self.lo.append(lo)
            self.hi.append(hi)
        return node

    def _without(self, P: int, Q: int) -> int:
        """Sets of P that contain no set of Q (iterative, memoised)."""
        memo = self._without_memo
        stack = [(P, Q)]
        while stack:
            P0, Q0 = stack[-1]
            if (P0, Q0) in memo:
                stack.pop()
                continue
            if Q0 == 0 or P0 == 0:
                memo[(P0, Q0)] = P0
            elif Q0 == 1 or P0 == Q0:
                memo[(P0, Q0)] = 0  # the empty set is in every set; P \ P is empty
            elif P0 == 1:
                memo[(P0, Q0)] = self._without_empty(Q0)
            else:
                vp, vq = self.var[P0], self.var[Q0]
                if vq < vp:  # Q's top edge is in no set of P: only Q's other sets matter
                    sub = (P0, self.lo[Q0])
                    if sub not in memo:
                        stack.append(sub)
                        continue
                    memo[(P0, Q0)] = memo[sub]
                    stack.pop()
                    continue
                if vp < vq:
                    subs = [(self.hi[P0], Q0), (self.lo[P0], Q0)]
                else:
                    subs = [(self.hi[P0], self.lo[Q0]), (self.lo[P0], self.lo[Q0])]
                missing = [k for k in subs if k not in memo]
                if missing:
                    stack.extend(missing)
                    continue
                h = memo[subs[0]]
                if vp == vq:
                    key2 = (h, self.hi[Q0])
                    if key2 not in memo:
                        stack.append(key2)
                        continue
                    h = memo[key2]
                memo[(P0, Q0)] = self._make(vp, memo[subs[1]], h)
            stack.pop()
        return memo[(P, Q)]

    def _without_empty(self, Q: int) -> int:
        # P = {{}}: the empty set survives unless Q holds the empty set.
        while Q > 1:
            Q = self.lo[Q]
        return 0 if Q == 1 else 1

    def count(self, weights=None) -> int:
        """Number of sets; with `weights` (per edge), the sum over sets of the product."""
        w = None if weights is None else [weights[e] for e in self.bdd.order]
        counts = [0, 1]
        for k in range(2, len(self.var)):
            factor = 1 if w is None else w[self.var[k]]
            counts.append(counts[self.lo[k]] + factor * counts[self.hi[k]])
        return counts[self.root]

    def sizes(self) -> dict:
        """Number of sets of each size."""
        polys = [{}, {0: 1}]
        for k in range(2, len(self.var)):
            poly = dict(polys[self.lo[k]])
            for size, n in polys[self.hi[k]].items():
                poly[size + 1] = poly.get(size + 1, 0) + n
            polys.append(poly)
        return dict(sorted(polys[self.root].items()))

    def sets(self, max_size=None):
        """Yield every set as a tuple of edge indices (depth first)."""
        order = self.bdd.order
        limit = len(order) if max_size is None else max_size
        stack = [(self.root, ())]
        while stack:
            node, chosen = stack.pop()
            if node == 1:
                yield chosen
                continue
            if node == 0:
                continue
            stack.append((self.lo[node], chosen))
            if len(chosen) < limit:
                stack.append((self.hi[node], chosen + (order[self.var[node]],)))
