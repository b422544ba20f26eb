"""Large chains built without a Python loop per state.

A cluster of ``n`` nodes that are tracked one by one has ``2**n`` states:
state ``s`` is a bit set whose bit ``i`` says that node ``i`` is failed.
Every transition of the chain flips one bit, so the generator can be written
down for all states at once with numpy integer bit operations: a 20-node
cluster (1,048,576 states, 21 million non-zeros) takes a few seconds. The
steady state of such chains is solved by :func:`hamodel.solvers.steady_state`
(``method="auto"`` switches from sparse LU, whose fill-in on such chains is
hopeless, to Gauss-Seidel sweeps with an error estimate), and the
transient by uniformisation (:func:`hamodel.solvers.uniformised`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from ..component import Component
from ..ctmc import CTMC
from ._build import checked_crews

__all__ = ["cluster_chain"]

#: Largest cluster built node by node (2**24 states need about 5 GB for Q alone).
MAX_CLUSTER_NODES = 24


def cluster_chain(n: int, node, *, k: int | None = None, crews: int | None = None,
                  name: str = "cluster") -> CTMC:
    """The ``2**n``-state chain of n nodes tracked individually, with shared repair.

    Node ``i`` fails at its own rate ``lambda_i`` while up. Failed nodes share
    a repair facility of ``crews`` crews by processor sharing: with ``f``
    nodes failed the facility works at ``min(f, crews)`` crews, split equally,
    so failed node ``i`` is repaired at rate ``mu_i * min(f, crews) / f``.
    This is exactly the PRISM model of ``tests/stormpy_support.py``
    (``prism_cluster_model``) when all nodes are alike. ``crews=None`` (or
    ``crews >= n``) gives each failed node its own crew: independent nodes.

    State ``s`` (an integer in ``0 .. 2**n - 1``) has bit ``i`` set when node
    ``i`` is failed (:func:`failed_nodes` lists them); state 0, all up, is the
    initial and healthy state. The generator is built for all states at once
    with integer bit operations: no Python loop runs per state. Incidents are
    the node failures.

    Parameters
    ----------
    n : int
        Number of nodes, 1 to :data:`MAX_CLUSTER_NODES`.
    node : Component or sequence of n Components
        One node type for all, or one Component per node (distinct nodes).
        Their means are used as exponential rates.
    k : int, optional
        The cluster is up while at least ``k`` nodes are up; default a
        majority, ``n // 2 + 1``.
    crews : int or None
        Repair crews shared by the nodes; default None: one crew per node
        (as in :func:`hamodel.k_of_n` and :func:`hamodel.majority_cluster`).
    name : str
        Name of the model.

    Returns
    -------
    CTMC
        ``2**n`` states, ``n * 2**n`` transitions.

    Examples
    --------
    Three alike nodes, one crew, 2 of 3 needed:

    >>> import hamodel as hm
    >>> node = hm.Component("node", failure_rate=0.01, repair_rate=1.0)
    >>> m = cluster_chain(3, node, k=2, crews=1)
    >>> m.n_states, int(m.up.sum())
    (8, 4)
    >>> rho = 0.01  # failed nodes: a birth-death chain with weights 1, 3 rho, 6 rho^2, 6 rho^3
    >>> exact = (6 * rho**2 + 6 * rho**3) / (1 + 3 * rho + 6 * rho**2 + 6 * rho**3)
    >>> abs(m.measures().unavailability / exact - 1) < 1e-12
    True
    """
    n, lam, mu, crews, k = _checked(n, node, crews, k)
    size = 1 << n
    s = np.arange(size, dtype=np.int64)
    bit = np.int64(1) << np.arange(n, dtype=np.int64)            # (n,)
    failed = np.bitwise_count(s).astype(np.int64)                # nodes failed in each state
    is_failed = (s[:, None] & bit[None, :]) != 0                 # (size, n)
    # Share of a crew's work each failed node gets: min(f, crews) / f.
    f = np.maximum(failed, 1)
    share = np.minimum(f, crews) / f
    rates = np.where(is_failed, mu[None, :] * share[:, None], lam[None, :])
    del is_failed
    cols = s[:, None] ^ bit[None, :]                             # flip one bit per node
    # Rows of the CSR: n off-diagonal entries and the diagonal, in column order.
    cols = np.concatenate([cols, s[:, None]], axis=1)
    vals = np.concatenate([rates, -rates.sum(axis=1, keepdims=True)], axis=1)
    del rates
    order = np.argsort(cols, axis=1, kind="stable")
    index_type = np.int32 if size * (n + 1) < 2**31 else np.int64
    cols = np.take_along_axis(cols, order, axis=1).astype(index_type).ravel()
    vals = np.take_along_axis(vals, order, axis=1).ravel()
    del order
    indptr = np.arange(0, size * (n + 1) + 1, n + 1, dtype=index_type)
    Q = sp.csr_array((vals, cols, indptr), shape=(size, size))
    Q.has_sorted_indices = True
    Q.has_canonical_format = True
    # Incidents: the failure transitions (a bit switched on), one node each.
    rows = np.repeat(s, n).reshape(size, n)
    targets = s[:, None] | bit[None, :]
    mask = targets != rows
    incidents = sp.csr_array(
        (np.ones(int(mask.sum())), (rows[mask], targets[mask])), shape=(size, size))
    del rows, targets, mask
    up = failed <= n - k
    return CTMC(Q, up, initial=0, name=name, incidents=incidents, healthy=[0])


def failed_nodes(state: int, n: int) -> list[int]:
    """The nodes failed in a state of :func:`cluster_chain` (its set bits).

    Examples
    --------
    >>> failed_nodes(5, 4)
    [0, 2]
    """
    return [i for i in range(n) if (int(state) >> i) & 1]


def _checked(n, node, crews, k):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) \
            or not 1 <= n <= MAX_CLUSTER_NODES:
        raise ValueError(f"n = {n!r}: expected a whole number of nodes from 1 to "
                         f"{MAX_CLUSTER_NODES}")
    n = int(n)
    if isinstance(node, Component):
        nodes = [node] * n
    elif isinstance(node, Sequence) and all(isinstance(x, Component) for x in node):
        nodes = list(node)
        if len(nodes) != n:
            raise ValueError(f"node: {len(nodes)} Components given for n = {n} nodes")
    else:
        raise TypeError(f"node = {node!r}: expected a hamodel.Component or a sequence of them")
    lam = np.array([x.failure_rate for x in nodes], dtype=float)
    mu = np.array([x.repair_rate for x in nodes], dtype=float)
    crews = checked_crews(crews)
    if crews is None:
        crews = n
    k = n // 2 + 1 if k is None else k
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= n:
        raise ValueError(f"k = {k!r}: expected a whole number of nodes from 1 to n = {n}")
    return n, lam, mu, min(int(crews), n), int(k)
