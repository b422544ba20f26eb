"""Two-node clusters and their tie-breakers: fencing, a witness, auto_tie_breaker.

A two-node cluster (a DRBD pair under Heartbeat or Pacemaker, say) has no
majority after a partition, so it needs a tie-breaker: fencing (STONITH), a
witness vote (a quorum device, a Galera arbitrator) or corosync's
``auto_tie_breaker``; without one a partition is a split brain. Majority
clusters of any size are in :mod:`hamodel.patterns.quorum`.

:func:`two_node_cluster` generates an exact CTMC from a few stated rules by
exploring the states reachable from "both up", lumped by roles (the two
nodes are identical) so that the chain stays small (at most 24 states).

References
----------
.. [1] ClusterLabs, *Pacemaker Explained*, chapter "Fencing", and the
   corosync ``votequorum(5)`` manual page (``two_node``, ``wait_for_all``,
   ``auto_tie_breaker``).
.. [2] LINBIT, *DRBD User's Guide*, "Dealing with split brain".
.. [3] K. S. Trivedi and A. Bobbio, *Reliability and Availability
   Engineering*, Cambridge University Press, 2017, chapters on Markov
   availability models with imperfect coverage.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..ctmc import CTMC
from ..units import positive_duration, probability
from ._build import checked_component, checked_crews, checked_duration, generate

__all__ = ["Fencing", "two_node_cluster"]

_TIE_BREAKERS = ("none", "stonith", "witness", "auto_tie_breaker")


# =============================================================== fencing
@dataclass(frozen=True)
class Fencing:
    """How a two-node cluster fences (STONITH): success, delay, race, duration.

    Parameters
    ----------
    success : float
        Probability that one fence operation works (the peer is powered off
        and the cluster is told so). A failed fence blocks the cluster until
        an operator steps in (see :func:`two_node_cluster`).
    delay : str or float
        Fencing delay that protects the node running the service (Pacemaker's
        ``priority-fencing-delay``, or ``pcmk_delay_base`` on the device that
        fences the active node). ``0`` means no delay. With a delay, the
        active node always wins a fence race, but every fence of the active
        node, including the one that follows its death, waits this long.
    race : bool
        Whether, with no delay, both nodes can fence each other at the same
        time after a partition (a fence device that serialises requests makes
        this impossible: ``race=False``).
    time : str or float
        How long one fence operation takes (power off and confirm).
    race_probability : float
        Probability that a fence race (no delay, ``race=True``) powers off
        both nodes; otherwise one node wins, each with probability 1/2.

    Durations are stored in hours.

    Examples
    --------
    >>> import hamodel as hm
    >>> f = hm.Fencing(success=0.99, delay="10s")
    >>> f.success, round(f.delay * 3600, 6), f.time * 60
    (0.99, 10.0, 1.0)
    >>> hm.Fencing(success=1.2)
    Traceback (most recent call last):
    ...
    ValueError: Fencing.success = 1.2: expected a probability in [0, 1]
    """

    success: float = 1.0
    delay: float | str = 0.0
    race: bool = True
    time: float | str = "60s"
    race_probability: float = 0.5

    def __post_init__(self):
        object.__setattr__(self, "success", probability(self.success, "Fencing.success"))
        object.__setattr__(self, "delay", checked_duration(self.delay, "Fencing.delay"))
        object.__setattr__(self, "time", checked_duration(self.time, "Fencing.time"))
        if not isinstance(self.race, (bool, np.bool_)):
            raise TypeError(f"Fencing.race = {self.race!r}: expected True or False")
        object.__setattr__(self, "race", bool(self.race))
        object.__setattr__(self, "race_probability",
                           probability(self.race_probability, "Fencing.race_probability"))


# ======================================================== two-node cluster
def two_node_cluster(node, *, link, tie_breaker="none", fencing=None, failover="60s",
                     crews=1, manual_recovery="1h", witness=None, name=None) -> CTMC:
    """An active/passive pair with a heartbeat link and a tie-breaker.

    Parameters
    ----------
    node : Component
        One node; both have its rates.
    link : Component or None
        The cluster interconnect (heartbeat). Its failure is a partition:
        both nodes run but cannot see each other (clients still reach them).
        ``None``: a perfect link.
    tie_breaker : {"none", "stonith", "witness", "auto_tie_breaker"}
        What decides a partition (see Notes).
    fencing : Fencing, optional
        Only with ``"stonith"``; default ``Fencing()``.
    failover : str or float
        Mean time (exponential) for a node to take the service over once it
        may: detect, then start the resources. ``0``: instantaneous.
    crews : int, optional
        Repair crews shared by the two nodes and the witness (data nodes
        first, as in :func:`~hamodel.majority_cluster`); default 1. None: a
        crew each. The link is repaired by its own team.
    manual_recovery : str or float
        Mean time (exponential) for an operator to end a split brain or a
        blocked cluster and restart the service on one node.
    witness : Component, optional
        Only with ``"witness"``; default a copy of `node` named
        ``"<node>-witness"``.
    name : str, optional
        Model name; default ``"<node> two-node (<tie_breaker>)"``.

    Returns
    -------
    CTMC
        Up while a node serves ("run" states). Incidents: node, link and
        witness failures, weight 1 each. Healthy: both nodes, link and
        witness up. Events per year: ``"split_brain"`` (always reported; only
        ``"none"`` can split) and, with ``"stonith"``, ``"fence_race"``
        (partitions in which both nodes fence at once), ``"both_fenced"``
        (races that power off both) and ``"fence_failure"`` (failed fence
        operations).

    Raises
    ------
    TypeError
        If `node`, `link`, `witness` or `fencing` has the wrong type.
    ValueError
        If `tie_breaker` is unknown (the message lists the allowed values),
        `fencing` or `witness` is given for a tie-breaker that does not use
        it, `crews` < 1, or a duration is invalid.

    Notes
    -----
    *Node failures, every tie-breaker.* The failure of the passive node is
    masked (degraded). The failure of the active node starts a takeover by
    the passive one: an outage of mean `failover`, preceded with
    ``"stonith"`` by a fence of the dead node (mean ``fencing.delay +
    fencing.time``: the delay protects the active node, so it also delays
    this fence), which succeeds with probability ``fencing.success`` and
    otherwise blocks the cluster. A node repaired during a takeover joins
    only when the takeover is over (if the node taking over fails first, it
    takes over in turn). After both nodes failed, the first repaired one
    restarts the service at once.

    *A partition (the link fails while both nodes are in the cluster):*

    * ``"none"`` (Heartbeat without quorum or fencing): both nodes serve and
      the data diverge: a split brain (down, event ``"split_brain"``) until
      an operator reconciles the copies (mean `manual_recovery`) and keeps
      one node serving. The other stays out until the link is repaired.
    * ``"stonith"``: with ``fencing.delay > 0`` the active node fences the
      passive one and keeps serving throughout. With no delay and
      ``fencing.race``, both fence at once (event ``"fence_race"``): with
      probability ``race_probability`` both are powered off (``"both_fenced"``,
      down until manual recovery); otherwise either node wins with
      probability 1/2. If the passive node wins, the active one is powered
      off and the winner takes over (an outage of mean `failover`). A fence
      that fails (probability ``1 - success``) blocks the cluster: down until
      manual recovery, no split brain (Pacemaker does not recover resources
      of a peer it could not fence; counting the whole episode as down is
      the conservative reading). The fence duration does not delay service
      here: the active node serves until it is shot. With no delay and
      ``race=False`` one node wins, each with probability 1/2.
    * ``"witness"`` (a third vote): with the witness up, it sides with the
      active node, which keeps serving; the passive node loses quorum. With
      the witness down, neither side has 2 of 3 votes: down until the link
      or the witness is repaired. The same rule holds after node failures:
      a lone node serves only with the witness's vote, so a node failure
      while the witness is down is an outage until a repair. The witness
      serves no clients; it is not used for fencing.
    * ``"auto_tie_breaker"`` (corosync ATB, without ``two_node``): the side
      holding node 1 (the lowest id) keeps quorum, both after a partition
      and after node 2's death, while node 2 alone never has quorum. So the
      service is placed on node 1 (a location preference): node 2's failure
      is masked, node 1's is an outage until node 1's repair (with one crew
      node 1 is repaired first, preemptively), and there is never a
      failover or a split brain. With node 1 repaired first, availability
      is exactly node 1's.

    After a partition the losing (or fenced, or held-out) node is up but out
    of the cluster until the link is repaired; if the active node fails
    meanwhile, the out node cannot take over (``wait_for_all``): the cluster
    is blocked until manual recovery ("witness": the out node takes over
    with the witness's vote). Quorum lost for want of votes ("noquorum")
    returns only through repairs: operator overrides are not modelled.
    Split-brain and blocked periods end only by manual recovery; component
    failures and repairs go on meanwhile.

    Generated states are named ``"<phase> <a><b>"``, plus ``" L1"``/``" L0"``
    (link up/down) when the link is not perfect and ``" W1"``/``" W0"``
    with a witness. ``a`` is the active node (or, in down phases, either
    node) and ``b`` the other, each ``U`` (up, in the cluster), ``O`` (up,
    out of the cluster) or ``D`` (failed); with ``"auto_tie_breaker"`` they
    are node 1 and node 2. Phases:

    ==========  ========  ===============================================
    phase       service   meaning
    ==========  ========  ===============================================
    run         up        ``a`` serves
    fence       down      ``a`` fences the dead active node ("stonith")
    failover    down      ``a`` is taking the service over
    split       down      both served: split brain ("none")
    blocked     down      waiting for an operator ("none", "stonith")
    noquorum    down      no side has quorum ("witness", "auto_tie_breaker")
    dead        down      both nodes failed
    ==========  ========  ===============================================

    With an imperfect link there are 24 states for ``"none"``, 18 for
    ``"stonith"`` (fewer with no fence time), 17 for ``"witness"`` and 8 for
    ``"auto_tie_breaker"``; with ``link=None``, a subset of those with
    ``L1`` (suffix dropped).

    Examples
    --------
    Two database nodes (MTBF 5 years, MTTR 4 hours) with a heartbeat link
    that fails once in 2 years for 4 hours, and no tie-breaker: every
    partition is a split brain lasting about the manual recovery.

    >>> import hamodel as hm
    >>> db = hm.Component("db", mtbf="5y", mttr="4h")
    >>> hb = hm.Component("heartbeat", mtbf="2y", mttr="4h")
    >>> heartbeat = hm.two_node_cluster(db, link=hb)
    >>> heartbeat.states[:4]
    ('run UU L1', 'run UO L0', 'run UD L1', 'run UD L0')
    >>> len(heartbeat.states)
    24
    >>> m = heartbeat.measures()
    >>> round(m.split_brain_per_year, 3), round(m.outages_per_year, 3)
    (0.5, 0.7)

    The same pair with STONITH and a 10 s fencing delay on the active node:
    no split brain, no fence race, and partitions cost nothing; the outages
    are the active node's failures, each a takeover of 10 + 5 + 60 s.

    >>> fenced = hm.two_node_cluster(db, link=hb, tie_breaker="stonith",
    ...                              fencing=hm.Fencing(delay="10s", time="5s"))
    >>> m = fenced.measures()
    >>> m.split_brain_per_year, m.events["fence_race"]
    (0.0, 0.0)
    >>> round(m.outages_per_year, 3), round(m.mean_down_time * 3600)  # seconds
    (0.2, 78)

    With a perfect link, failover 0 and one crew this is the textbook 1-of-2
    pair (T2b):

    >>> u = hm.Component("u", failure_rate=0.001, repair_rate=0.1)
    >>> pair = hm.two_node_cluster(u, link=None, failover=0)
    >>> pair.states
    ('run UU', 'run UD', 'dead DD')
    >>> round(pair.measures().availability, 12)
    0.999803960008
    """
    node = checked_component(node, "node")
    if link is not None:
        link = checked_component(link, "link")
    if not isinstance(tie_breaker, str) or tie_breaker not in _TIE_BREAKERS:
        raise ValueError(f"tie_breaker = {tie_breaker!r}: expected one of "
                         f"{', '.join(map(repr, _TIE_BREAKERS))}")
    if tie_breaker == "stonith":
        if fencing is None:
            fencing = Fencing()
        elif not isinstance(fencing, Fencing):
            raise TypeError(f"fencing = {fencing!r}: expected a hamodel.Fencing")
    elif fencing is not None:
        raise ValueError(f"fencing is only used with tie_breaker='stonith', "
                         f"not {tie_breaker!r}")
    if tie_breaker == "witness":
        witness = (node.renamed(f"{node.name}-witness") if witness is None
                   else checked_component(witness, "witness"))
    elif witness is not None:
        raise ValueError(f"witness is only used with tie_breaker='witness', "
                         f"not {tie_breaker!r}")
    crews = checked_crews(crews)
    failover_h = checked_duration(failover, "failover")
    manual_h = positive_duration(manual_recovery, "manual_recovery")

    params = dict(
        lam=node.failure_rate, mu=node.repair_rate,
        lam_l=None if link is None else link.failure_rate,
        mu_l=None if link is None else link.repair_rate,
        crews=crews,
    )
    if tie_breaker == "auto_tie_breaker":
        rules = _AutoTieBreakerRules(**params)
        events = ("split_brain",)
    else:
        fence_h = 0.0 if fencing is None else fencing.delay + fencing.time
        rules = _TwoNodeRules(
            tie_breaker=tie_breaker, **params,
            lam_w=None if witness is None else witness.failure_rate,
            mu_w=None if witness is None else witness.repair_rate,
            fo_rate=0.0 if failover_h == 0 else 1.0 / failover_h,
            fencing=fencing, fence_rate=0.0 if fence_h == 0 else 1.0 / fence_h,
            manual_rate=1.0 / manual_h,
        )
        events = (("split_brain", "fence_race", "both_fenced", "fence_failure")
                  if tie_breaker == "stonith" else ("split_brain",))
    if name is None:
        name = f"{node.name} two-node ({tie_breaker})"
    start = ("run", _U, _U, 1, 1)
    chain = generate(start, rules.moves, rules.label, events, order=_two_node_order)
    return chain.ctmc(up=lambda s: s[0] == "run", healthy=lambda s: s == start, name=name)


_U, _O, _D = "U", "O", "D"
_RANK = {_U: 0, _O: 1, _D: 2}
_PHASES = ("run", "fence", "failover", "split", "blocked", "noquorum", "dead")
# Phases in which the two nodes play no distinct role: states are sorted.
_SYMMETRIC = ("split", "blocked", "noquorum", "dead")


def _two_node_order(s):
    phase, a, b, L, W = s
    return (_PHASES.index(phase), _RANK[a], _RANK[b], -L, -W)


class _TwoNodeRules:
    """Transitions of a two-node cluster with tie-breaker none, stonith or witness.

    A state is ``(phase, a, b, L, W)``: phase, the active node's and the other
    node's status (U, O or D), link and witness up (1) or down (0); a perfect
    link or an absent witness stays 1.
    """

    def __init__(self, *, tie_breaker, lam, mu, lam_l, mu_l, crews, lam_w, mu_w,
                 fo_rate, fencing, fence_rate, manual_rate):
        self.tb = tie_breaker
        self.lam, self.mu, self.lam_l, self.mu_l = lam, mu, lam_l, mu_l
        self.lam_w, self.mu_w = lam_w, mu_w
        self.crews, self.fo_rate = crews, fo_rate
        self.fencing, self.fence_rate, self.manual_rate = fencing, fence_rate, manual_rate

    # --------------------------------------------------------------- states
    @staticmethod
    def state(phase, a, b, L, W):
        """A canonical state: both failed is "dead"; an out node rejoins when the
        link is up and the service runs; symmetric phases sort the nodes."""
        if a == _D and b == _D:
            phase = "dead"
        if phase == "run" and L == 1 and b == _O:
            b = _U
        if phase in _SYMMETRIC and _RANK[a] > _RANK[b]:
            a, b = b, a
        return (phase, a, b, L, W)

    def label(self, s) -> str:
        phase, a, b, L, W = s
        return (f"{phase} {a}{b}" + ("" if self.lam_l is None else f" L{L}")
                + ("" if self.lam_w is None else f" W{W}"))

    # -------------------------------------------------------------- helpers
    def serve(self, b, L, W):
        """A node takes the service over (failover phase, or run if instantaneous)."""
        return self.state("failover" if self.fo_rate > 0 else "run", _U, b, L, W)

    def blocked(self, a, b, L, W):
        return self.state("blocked", *(_O if x != _D else _D for x in (a, b)), L, W)

    def noquorum(self, a, b, L, W):
        return self.state("noquorum", *(_U if x != _D else _D for x in (a, b)), L, W)

    def resolve_quorum(self, a, b, L, W):
        """Witness: where the service runs after a change in a down state."""
        ups = [x for x in (a, b) if x != _D]
        if not ups:
            return self.state("dead", _D, _D, L, W)
        if len(ups) == 2 and (L == 1 or W == 1):
            return self.state("run", _U, _U if L == 1 else _O, L, W)
        if len(ups) == 1 and W == 1:
            return self.state("run", _U, _D, L, W)
        return self.noquorum(a, b, L, W)

    def restart(self, a, b, L, W):
        """An operator (or the first repair after "dead") starts the service."""
        if self.tb == "witness":
            return self.resolve_quorum(a, b, L, W)
        ups = [x for x in (a, b) if x != _D]
        if not ups:
            return self.state("dead", _D, _D, L, W)
        other = (_U if L == 1 else _O) if len(ups) == 2 else _D
        return self.state("run", _U, other, L, W)

    def takeover(self, b, L, W):
        """Outcomes ``(state, probability, events)`` after the active node fails."""
        if b == _D:
            return [(self.state("dead", _D, _D, L, W), 1.0, ())]
        if self.tb == "witness":
            if W == 1:
                return [(self.serve(_D, L, W), 1.0, ())]
            return [(self.noquorum(_U, _D, L, W), 1.0, ())]
        if b == _O and L == 0:  # cut off from the cluster: cannot take over
            return [(self.blocked(_O, _D, L, W), 1.0, ())]
        if self.tb == "stonith":
            return self.fence_outcomes(_D, L, W)
        return [(self.serve(_D, L, W), 1.0, ())]

    def fence_outcomes(self, b, L, W):
        """Fencing the dead active node: a fence phase, or its outcome at once."""
        if self.fence_rate > 0:
            return [(self.state("fence", _U, b, L, W), 1.0, ())]
        p = self.fencing.success
        return [(self.serve(b, L, W), p, ()),
                (self.blocked(_U, b, L, W), 1.0 - p, ("fence_failure",))]

    def partition(self, W):
        """Outcomes of a link failure while both nodes are in the cluster."""
        if self.tb == "none":
            return [(self.state("split", _U, _U, 0, W), 1.0, ("split_brain",))]
        if self.tb == "witness":
            if W == 1:
                return [(self.state("run", _U, _O, 0, W), 1.0, ())]
            return [(self.noquorum(_U, _U, 0, W), 1.0, ())]
        f = self.fencing
        p = f.success
        failed = (self.blocked(_U, _U, 0, W), 1.0 - p, ("fence_failure",))
        active_wins = [(self.state("run", _U, _O, 0, W), p, ()), failed]
        passive_wins = [(self.serve(_O, 0, W), p, ()), failed]
        if f.delay > 0:
            return active_wins
        race = ("fence_race",) if f.race else ()
        r = f.race_probability if f.race else 0.0
        out = [(self.blocked(_U, _U, 0, W), r, race + ("both_fenced",))]
        for branch in (active_wins, passive_wins):
            out += [(s, 0.5 * (1.0 - r) * q, race + e) for s, q, e in branch]
        return out

    def node_repair_rate(self, a, b) -> float:
        failed = (a == _D) + (b == _D)
        return min(failed, failed if self.crews is None else self.crews) * self.mu

    def witness_moves(self, a, b, W, after):
        """Witness failure and repair; `after(W)` gives the state that follows."""
        if self.lam_w is None:
            return
        if W == 1:
            yield after(0), self.lam_w, 1, ()
        else:
            failed = (a == _D) + (b == _D)
            if self.crews is None or failed < self.crews:
                yield after(1), self.mu_w, 0, ()

    def link_moves(self, L, after):
        """Link failure and repair, for changes that need no special rule."""
        if self.lam_l is None:
            return
        if L == 1:
            yield after(0), self.lam_l, 1, ()
        else:
            yield after(1), self.mu_l, 0, ()

    # ---------------------------------------------------------------- moves
    def moves(self, s):
        phase, a, b, L, W = s
        yield from getattr(self, "_" + phase)(a, b, L, W)

    @staticmethod
    def _spread(outcomes, rate, incidents):
        for state, prob, events in outcomes:
            yield state, rate * prob, incidents, events

    def _run(self, a, b, L, W):
        lam, mu = self.lam, self.mu
        yield from self._spread(self.takeover(b, L, W), lam, 1)
        if b != _D:
            if self.tb == "witness" and W == 0:
                yield self.noquorum(_U, _D, L, W), lam, 1, ()
            else:
                yield self.state("run", _U, _D, L, W), lam, 1, ()
        else:
            yield self.state("run", _U, _U if L == 1 else _O, L, W), mu, 0, ()
        if self.lam_l is not None:
            if L == 1 and b == _U:
                yield from self._spread(self.partition(W), self.lam_l, 1)
            elif L == 1:
                yield self.state("run", _U, b, 0, W), self.lam_l, 1, ()
            else:
                yield self.state("run", _U, b, 1, W), self.mu_l, 0, ()

        def after_witness(w):
            if w == 0 and not (b == _U and L == 1):
                return self.noquorum(_U, b, L, 0)
            return self.state("run", _U, b, L, w)

        yield from self.witness_moves(a, b, W, after_witness)

    def _fence(self, a, b, L, W):
        p = self.fencing.success
        yield self.serve(b, L, W), p * self.fence_rate, 0, ()
        yield self.blocked(_U, b, L, W), (1 - p) * self.fence_rate, 0, ("fence_failure",)
        yield from self._spread(self.takeover(b, L, W), self.lam, 1)
        if b == _O:
            yield self.state("fence", _U, _D, L, W), self.lam, 1, ()
        else:
            yield self.state("fence", _U, _O, L, W), self.mu, 0, ()
        yield from self.link_moves(L, lambda x: self.state("fence", _U, b, x, W))

    def _failover(self, a, b, L, W):
        yield self.state("run", _U, b, L, W), self.fo_rate, 0, ()
        yield from self._spread(self.takeover(b, L, W), self.lam, 1)

        def after(b2, L2, W2):
            if self.tb == "witness" and 1 + (b2 != _D and L2 == 1) + W2 < 2:
                return self.noquorum(_U, b2, L2, W2)
            return self.state("failover", _U, b2, L2, W2)

        if b == _O:
            yield after(_D, L, W), self.lam, 1, ()
        else:
            yield after(_O, L, W), self.mu, 0, ()
        yield from self.link_moves(L, lambda x: after(b, x, W))
        yield from self.witness_moves(a, b, W, lambda w: after(b, L, w))

    def _down(self, phase, a, b, L, W, after):
        """Node, link and witness changes in a down phase; `after` settles the result."""
        for x, y in ((a, b), (b, a)):
            if x != _D:
                yield after(_D, y, L, W), self.lam, 1, ()
        rate = self.node_repair_rate(a, b)
        if rate > 0:
            back = _U if phase in ("noquorum", "dead") else _O
            x, y = (a, b) if a == _D else (b, a)
            yield after(back, y, L, W), rate, 0, ()
        yield from self.link_moves(L, lambda z: after(a, b, z, W))
        yield from self.witness_moves(a, b, W, lambda w: after(a, b, L, w))

    def _manual(self, phase, a, b, L, W):
        yield self.restart(a, b, L, W), self.manual_rate, 0, ()
        yield from self._down(phase, a, b, L, W,
                              lambda x, y, L2, W2: self.state(phase, x, y, L2, W2))

    def _split(self, a, b, L, W):
        yield from self._manual("split", a, b, L, W)

    def _blocked(self, a, b, L, W):
        yield from self._manual("blocked", a, b, L, W)

    def _noquorum(self, a, b, L, W):
        yield from self._down("noquorum", a, b, L, W, self.resolve_quorum)

    def _dead(self, a, b, L, W):
        yield from self._down("dead", a, b, L, W, self.restart)


class _AutoTieBreakerRules:
    """Two nodes under corosync's auto_tie_breaker: only node 1's side is quorate.

    A state is ``(phase, n1, n2, L, 1)`` with the statuses of node 1 and node 2.
    """

    def __init__(self, *, lam, mu, lam_l, mu_l, crews):
        self.lam, self.mu, self.lam_l, self.mu_l, self.crews = lam, mu, lam_l, mu_l, crews

    @staticmethod
    def state(n1, n2, L):
        if n1 == _U:
            phase = "run"
            if n2 != _D:
                n2 = _U if L == 1 else _O
        else:
            phase = "noquorum" if n2 != _D else "dead"
            if n2 != _D:
                n2 = _U
        return (phase, n1, n2, L, 1)

    def label(self, s) -> str:
        phase, n1, n2, L, _ = s
        return f"{phase} {n1}{n2}" + ("" if self.lam_l is None else f" L{L}")

    def moves(self, s):
        _, n1, n2, L, _ = s
        lam, mu = self.lam, self.mu
        if n1 != _D:
            yield self.state(_D, n2, L), lam, 1, ()
        if n2 != _D:
            yield self.state(n1, _D, L), lam, 1, ()
        if n1 == _D:  # node 1 first: preemptive priority with one crew
            yield self.state(_U, n2, L), mu, 0, ()
        if n2 == _D and (n1 != _D or self.crews is None or self.crews >= 2):
            yield self.state(n1, _U, L), mu, 0, ()
        if self.lam_l is not None:
            if L == 1:
                yield self.state(n1, n2, 0), self.lam_l, 1, ()
            else:
                yield self.state(n1, n2, 1), self.mu_l, 0, ()
