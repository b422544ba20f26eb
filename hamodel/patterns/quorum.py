"""Majority clusters: Galera/Percona XtraDB Cluster, etcd, Pacemaker with three or more nodes.

A majority cluster serves while a strict majority of its votes is up; a
witness (an arbitrator or quorum device) adds a vote without data.
:func:`majority_cluster` generates an exact CTMC from a few stated rules by
exploring the states reachable from "all up", lumped by counts (the nodes are
identical) so that the chain stays small: at most ``4 (n + 1)`` states. Two
nodes without a witness need a tie-breaker instead: see
:mod:`hamodel.patterns.two_node`.
"""

from __future__ import annotations

from ..ctmc import CTMC
from ..units import probability
from ._build import (
    checked_component,
    checked_count,
    checked_crews,
    checked_duration,
    generate,
)

__all__ = ["majority_cluster"]

_SERVING = ("all", "one")


# ======================================================= majority cluster
def majority_cluster(n, node, *, witness=None, crews=None, failover="0s", beta=0.0,
                     serving="all", name=None) -> CTMC:
    """`n` identical data nodes, and optionally a witness, serving by majority vote.

    Parameters
    ----------
    n : int
        Number of data nodes (>= 1).
    node : Component
        One data node; all `n` have its rates.
    witness : Component, optional
        A witness or arbitrator (Galera's ``garbd``, a corosync quorum
        device): one vote, no data, serves no clients.
    crews : int, optional
        Repair crews shared by the nodes and the witness. Default None: every
        failed unit is repaired independently. With ``r`` crews at most ``r``
        units are in repair, by preemptive priority to data nodes: the
        witness is repaired only while a crew has no data node to repair.
    failover : str or float
        Mean length (exponential) of the brief outage caused by a data-node
        failure that leaves quorum intact (see `serving`): clients reconnect
        to another node, and the cluster pauses while it evicts the failed
        node. ``0`` means no such outage.
    beta : float
        Beta-factor common cause, in [0, 1]: of each node's failure rate
        ``lambda``, the part ``(1 - beta) * lambda`` is independent and the
        part ``beta * lambda`` is a single shared event (rate
        ``beta * lambda`` for the group, not per node) that fails every data
        node that is up (a bad binary push, a shared rack). The witness is
        not part of the group.
    serving : {"all", "one"}
        ``"all"`` (multi-primary, e.g. Galera behind a load balancer): every
        data node serves, so the failure of any data node causes a failover
        outage. ``"one"`` (single primary, e.g. a Pacemaker resource or a
        Raft leader): only the primary's failure does; the other nodes'
        failures are masked.
    name : str, optional
        Model name; default ``"<n> x <node>"`` (plus ``" + <witness>"``).

    Returns
    -------
    CTMC
        Up while a strict majority of the ``n`` (+1 with a witness) votes is
        up, at least one data node is up and no failover is in progress.
        Incidents: every unit failure (a common-cause event that fails ``k``
        nodes counts ``k``). Healthy: everything up. The event
        ``"split_brain"`` is reported as 0: a majority cannot split.

    Raises
    ------
    TypeError
        If `node` or `witness` is not a :class:`~hamodel.Component`.
    ValueError
        If `n` < 1, `crews` < 1, `beta` is outside [0, 1], `failover` is
        not a duration or `serving` is not "all" or "one".

    Notes
    -----
    Generated states, lumped by counts (exact, since the nodes are
    identical): ``"i/n"`` with ``i`` data nodes up, followed by ``" W1"`` or
    ``" W0"`` (witness up or down) when there is a witness, and by
    ``" failover"`` while a failover outage is in progress (only in states
    that have quorum, and only if ``failover > 0``). For example three nodes
    with a failover time: ``3/3``, ``3/3 failover`` (a node failed and was
    repaired within the failover), ``2/3``, ``2/3 failover``, ``1/3``,
    ``0/3``: at most ``2 (n + 1)`` states, twice that with a witness.

    Rules, all exponential:

    * A failover starts when a data node fails (any node with
      ``serving="all"``; the primary, at rate ``(1 - beta) * lambda``, with
      ``"one"``) in an up state and quorum survives. A failure during a
      failover keeps it going; a repair does not end it.
    * When quorum is regained (a repair, or the witness's repair) the
      service resumes at once: the outage was a repair long, and restarting
      is neglected beside it.
    * With a witness and ``n >= 2``, a majority of votes implies a data node
      is up. Two nodes and a witness with the node's rates is therefore
      exactly 2-of-3 (Paris 1986); a better witness gives
      ``A^2 + 2 A (1 - A) A_w`` with independent repair, between 2-of-3 and
      1-of-2.
    * A majority of an even ``n`` is ``n / 2 + 1`` votes, so it tolerates
      as many failures as ``n - 1`` nodes do, with one more node to fail:
      no gain in availability, more incidents (Howard 2015).

    Examples
    --------
    Three nodes, failure rate 0.001/h, repair rate 0.1/h, a crew each: the
    binomial 2-of-3 (textbook case T5).

    >>> import hamodel as hm
    >>> u = hm.Component("u", failure_rate=0.001, repair_rate=0.1)
    >>> m3 = hm.majority_cluster(3, u)
    >>> m3.states
    ('3/3', '2/3', '1/3', '0/3')
    >>> round(m3.measures().availability, 12)
    0.999707852365

    A Galera cluster of three nodes (MTBF 5 years, MTTR 4 hours) whose
    clients need 60 s to reconnect after any node failure:

    >>> db = hm.Component("db", mtbf="5y", mttr="4h")
    >>> galera = hm.majority_cluster(3, db, failover="60s")
    >>> galera.states
    ('3/3', '3/3 failover', '2/3', '2/3 failover', '1/3', '0/3')
    >>> m = galera.measures()
    >>> round(m.outages_per_year, 3), round(m.mean_down_time * 3600, 1)  # seconds
    (0.6, 61.3)
    >>> round(m.incidents_per_year, 3), m.split_brain_per_year
    (0.6, 0.0)

    Two nodes and an arbitrator:

    >>> garbd = hm.Component("garbd", mtbf="5y", mttr="4h")
    >>> hm.majority_cluster(2, db, witness=garbd).states
    ('2/2 W1', '2/2 W0', '1/2 W1', '1/2 W0', '0/2 W1', '0/2 W0')
    """
    n = checked_count(n, "n", minimum=1, of="data nodes")
    if n > 10_000:  # the chain has 2 (n + 1) states, generated one by one: 10,000 take 1 s
        raise ValueError(f"n = {n:,}: at most 10,000 data nodes in a majority cluster (a "
                         "million would take minutes to build)")
    node = checked_component(node, "node")
    if witness is not None:
        witness = checked_component(witness, "witness")
    crews = checked_crews(crews)
    failover_h = checked_duration(failover, "failover")
    beta = probability(beta, "beta")
    if serving not in _SERVING:
        raise ValueError(f"serving = {serving!r}: expected one of "
                         f"{', '.join(map(repr, _SERVING))}")
    rules = _MajorityRules(
        n=n, lam=node.failure_rate, mu=node.repair_rate,
        lam_w=None if witness is None else witness.failure_rate,
        mu_w=None if witness is None else witness.repair_rate,
        crews=crews, fo_rate=0.0 if failover_h == 0 else 1.0 / failover_h,
        beta=beta, serving=serving,
    )
    if name is None:
        name = f"{n} x {node.name}" + ("" if witness is None else f" + {witness.name}")
    start = (n, 1, False)
    chain = generate(start, rules.moves, rules.label, ("split_brain",),
                     order=lambda s: (-s[0], -s[1], s[2]))
    return chain.ctmc(up=rules.up, healthy=lambda s: s == start, name=name)


class _MajorityRules:
    """A state is ``(i, w, f)``: data nodes up, witness up (1 if none), failing over."""

    def __init__(self, *, n, lam, mu, lam_w, mu_w, crews, fo_rate, beta, serving):
        self.n, self.lam, self.mu = n, lam, mu
        self.lam_w, self.mu_w = lam_w, mu_w
        self.has_w = lam_w is not None
        self.crews, self.fo_rate, self.beta, self.serving = crews, fo_rate, beta, serving

    def quorum(self, i, w) -> bool:
        votes = i + (w if self.has_w else 0)
        return i >= 1 and 2 * votes > self.n + self.has_w

    def up(self, s) -> bool:
        i, w, f = s
        return self.quorum(i, w) and not f

    def target(self, i, w, failing_over):
        """The state with `i` nodes and witness `w` up; a failover only if quorum holds."""
        if not self.quorum(i, w):
            return (i, w, False)
        return (i, w, bool(failing_over) and self.fo_rate > 0)

    def moves(self, s):
        i, w, f = s
        n, lam, mu = self.n, self.lam, self.mu
        serving = self.up(s)
        indep = (1.0 - self.beta) * lam
        if i > 0:
            if serving and self.serving == "one":
                yield self.target(i - 1, w, True), indep, 1, ()
                yield self.target(i - 1, w, False), (i - 1) * indep, 1, ()
            else:
                # "all": any node's failure starts a failover; during one it goes on.
                yield self.target(i - 1, w, serving or f), i * indep, 1, ()
            yield (0, w, False), self.beta * lam, i, ()
        failed = n - i
        busy = failed if self.crews is None else min(failed, self.crews)
        if busy:
            yield self.target(i + 1, w, f), busy * mu, 0, ()
        if self.has_w:
            if w:
                yield self.target(i, 0, f), self.lam_w, 1, ()
            elif self.crews is None or failed < self.crews:
                yield self.target(i, 1, f), self.mu_w, 0, ()
        if f:
            yield (i, w, False), self.fo_rate, 0, ()

    def label(self, s) -> str:
        i, w, f = s
        return (f"{i}/{self.n}" + (f" W{w}" if self.has_w else "")
                + (" failover" if f else ""))

