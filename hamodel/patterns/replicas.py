"""A primary with read replicas: reads survive while any copy is up, writes need a writer.

An LDAP directory with read-only replicas (writes wait for the master's
repair) and a MySQL primary with replica promotion are the same chain with
different up sets: one exact CTMC is built and read and write models share
its generator.

References
----------
.. [1] OpenLDAP Foundation, *OpenLDAP Software Administrator's Guide*,
   chapter "Replication" (syncrepl consumers are read-only).
.. [2] Oracle, *MySQL Reference Manual*, chapter "Replication", section on
   switching sources during failover.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..ctmc import CTMC
from ._build import (
    checked_component,
    checked_count,
    checked_crews,
    checked_duration,
    generate,
)

__all__ = ["ReadReplicas", "read_replicas"]


@dataclass(frozen=True)
class ReadReplicas:
    """Read and write service of a primary with replicas (from :func:`read_replicas`).

    Attributes
    ----------
    read, write : CTMC
        The same chain (same generator, states, incidents) with different up
        sets: reads are up while any copy is up, writes while the writer is.
    name : str
        Name of the system.
    n : int
        Number of replicas.
    promotion : float or None
        Mean promotion time in hours, or None (no automatic promotion).
    crews : int or None
        Repair crews (None: each unit has its own).
    """

    read: CTMC
    write: CTMC
    name: str
    n: int
    promotion: float | None
    crews: int | None

    @property
    def states(self) -> tuple:
        """State names of the shared chain."""
        return self.read.states

    def measures(self):
        """The measures of the read service, the one the replicas are there for.

        The write service's are ``self.write.measures()``; :attr:`summary`
        shows both.
        """
        return self.read.measures()

    def to_ctmc(self) -> CTMC:
        """The chain of the read service."""
        return self.read

    def outage_duration(self):
        """Length of one outage of the read service."""
        return self.read.outage_duration()

    def outages_longer_than(self, longer_than) -> float:
        """Outages per year of the read service that last longer than `longer_than`."""
        return self.read.outages_longer_than(longer_than)

    def downtime_distribution(self, window="30d", initial=None, **kwargs):
        """Law of the read service's downtime in a window (``self.write`` has its own)."""
        return self.read.downtime_distribution(window, initial, **kwargs)

    def slo_breach_probability(self, slo=None, window="30d", **kwargs) -> float:
        """Chance that a window's read downtime exceeds the SLO's error budget."""
        return self.read.slo_breach_probability(slo, window, **kwargs)

    def slo_breaches_per_year(self, slo=None, window="30d", **kwargs) -> float:
        """Expected number of breached windows per year of the read service."""
        return self.read.slo_breaches_per_year(slo, window, **kwargs)

    def outage_count_distribution(self, window="30d", longer_than=None, **kwargs):
        """How many read outages (longer than `longer_than`) start in a window."""
        return self.read.outage_count_distribution(window, longer_than, **kwargs)

    @property
    def summary(self):
        """One row each for read and write: the headline frequency-duration figures."""
        from ..tables import compare

        table = compare({"read": self.read, "write": self.write}, _SUMMARY)
        table.index.name = self.name
        return table

    def _repr_html_(self) -> str:
        return f"<p><b>{self.name}</b></p>" + self.summary._repr_html_()


# The measures of ReadReplicas.summary.
_SUMMARY = ("availability", "outages_per_year", "mean_down_time", "downtime_per_year",
            "incidents_per_year")


def read_replicas(primary, replica, n, *, promotion="5min", crews=None, name=None) -> ReadReplicas:
    """A primary that takes writes, with `n` replicas that serve reads.

    Parameters
    ----------
    primary : Component
        The writer at the start.
    replica : Component
        One replica; there are `n` copies of it.
    n : int
        Number of replicas (>= 0).
    promotion : str, float or None
        Mean time to promote a replica to writer once the writer has failed
        (exponential): ``"5min"``, hours, or ``0`` for an instantaneous
        promotion. ``None``: no automatic promotion, so writes wait for the
        primary's repair (LDAP read-only slaves).
    crews : int, optional
        Repair crews shared by all units; default None: each unit is repaired
        independently.
    name : str, optional
        System name; default ``"<primary> + <n> replicas"``.

    Returns
    -------
    ReadReplicas
        ``.read`` and ``.write`` models (CTMCs over the same states) and a
        ``.summary`` table.

    Raises
    ------
    TypeError
        If `primary` or `replica` is not a :class:`~hamodel.Component`.
    ValueError
        If `n` or `crews` is not a valid count or `promotion` not a duration.

    Notes
    -----
    Assumptions, all exponential. Every unit fails at its own rate whatever
    its role, and every failure is an incident (weight 1). Reads are up while
    at least one copy (the writer or any replica) is up; writes while the
    writer is up.

    Promotion. When the writer fails and another copy is up, a promotion
    completes at rate ``1/promotion`` (counted as the ``"promotion"`` event).
    If the failed writer is repaired first, it simply resumes writing. The
    promoted replica is the writer from then on; the old primary, once
    repaired, rejoins as a replica (no failback). If a promoted writer fails,
    the old primary is promoted back if it is up, else another replica.
    Because a promoted writer has the replica's rates and the old primary
    keeps its own, the chain tracks where the primary unit is, so it is
    exact for any two rate pairs.

    Repair. With ``crews=None`` each failed unit is in repair. With ``k``
    crews at most ``k`` units are in repair, by preemptive priority: the
    writer's unit, then the old primary, then replicas.

    Generated states (at most ``6 n + 2``):

    * ``"primary up, k/n replicas up"`` and ``"primary down, k/n replicas
      up"``: the primary holds the writer role;
    * ``"promoted up, old primary down, j/(n-1) other replicas up"`` (each
      of up/down for the promoted writer and the old primary): a replica
      holds the writer role; only present when promotion is automatic.

    With ``promotion=0`` the states where the writer is down while another
    copy is up are never entered (the promotion happens with the failure).

    Examples
    --------
    An LDAP directory with a master and two read-only slaves, no promotion.

    >>> import hamodel as hm
    >>> master = hm.Component("ldap-master", mtbf="1y", mttr="8h")
    >>> slave = hm.Component("ldap-slave", mtbf="1y", mttr="8h")
    >>> ldap = hm.read_replicas(master, slave, 2, promotion=None)
    >>> len(ldap.states), ldap.states[:2]
    (6, ('primary up, 2/2 replicas up', 'primary down, 2/2 replicas up'))
    >>> ldap.summary[["outages/yr", "mean outage (h)", "downtime (min/yr)"]]
                             outages/yr mean outage (h) downtime (min/yr)
    ldap-master + 2 replicas
    read                     0.000002492           2.667         0.0003987
    write                        0.9991               8             479.6

    Reads fail only when all three copies are down (about once in 400,000
    years); writes fail with the master, for its whole 8-hour repair.
    With promotion in 5 minutes, writes lose only the promotion time:

    >>> mmm = hm.read_replicas(master, slave, 2, promotion="5min")
    >>> w = mmm.write.measures()
    >>> round(w.outages_per_year, 3), round(w.mean_down_time * 60, 2)  # minutes
    (1.0, 4.95)
    >>> len(mmm.states), round(w.events["promotion"], 3)
    (14, 0.99)
    """
    primary = checked_component(primary, "primary")
    replica = checked_component(replica, "replica")
    n = checked_count(n, "n", minimum=0, of="replicas")
    crews = checked_crews(crews)
    promote_h = None if promotion is None else checked_duration(promotion, "promotion")
    rules = _ReplicaRules(
        n=n,
        lam_p=primary.failure_rate, mu_p=primary.repair_rate,
        lam_r=replica.failure_rate, mu_r=replica.repair_rate,
        promotion=promote_h,
        crews=crews,
    )
    chain = generate(rules.settle(("primary", True, n)), rules.moves, rules.label,
                     events=("promotion",))
    name = f"{primary.name} + {n} replicas" if name is None else str(name)
    healthy = rules.all_up
    read = chain.ctmc(up=rules.read_up, healthy=healthy, name=f"{name} reads")
    write = chain.ctmc(up=rules.write_up, healthy=healthy, name=f"{name} writes")
    return ReadReplicas(read=read, write=write, name=name, n=n, promotion=promote_h,
                        crews=rules.crews)


class _ReplicaRules:
    """Transitions of a primary with `n` replicas.

    A state is either ``("primary", p_up, k)``: the primary unit writes (up or
    down), ``k`` of the ``n`` replicas are up; or ``("promoted", w_up, p_up,
    j)``: a replica unit writes (up or down), the old primary is a replica
    (up or down) and ``j`` of the other ``n - 1`` replica units are up.
    """

    def __init__(self, *, n, lam_p, mu_p, lam_r, mu_r, promotion, crews):
        self.n = n
        self.lam_p, self.mu_p, self.lam_r, self.mu_r = lam_p, mu_p, lam_r, mu_r
        self.promotion, self.crews = promotion, crews

    # ------------------------------------------------------------ predicates
    @staticmethod
    def write_up(s) -> bool:
        return s[1]

    @staticmethod
    def read_up(s) -> bool:
        return s[1] or s[-1] > 0 or (s[0] == "promoted" and s[2])

    def all_up(self, s) -> bool:
        if s[0] == "primary":
            return s[1] and s[2] == self.n
        return s[1] and s[2] and s[3] == self.n - 1

    # ------------------------------------------------------------- promotion
    def promoted(self, s):
        """The state right after a promotion from `s`, or None if none is possible."""
        if s[1]:
            return None
        if s[0] == "primary":
            _, _, k = s
            return ("promoted", True, False, k - 1) if k > 0 else None
        _, _, p_up, j = s
        if p_up:  # the old primary takes the writer role back
            return ("primary", True, j)
        return ("promoted", True, False, j - 1) if j > 0 else None

    def settle(self, s):
        """With instantaneous promotion, a state that would wait for one is skipped."""
        if self.promotion == 0:
            nxt = self.promoted(s)
            if nxt is not None:
                return nxt
        return s

    # ----------------------------------------------------------------- moves
    def _repair_rates(self, failed):
        """Repair rate of each failed group, given in priority order as (key, count, mu)."""
        left = float("inf") if self.crews is None else self.crews
        rates = {}
        for key, count, mu in failed:
            busy = min(int(count), left)
            if busy > 0:
                rates[key] = busy * mu
            left -= busy
        return rates

    def moves(self, s):
        """Yield ``(next_state, rate, unit_failures, event)`` from `s`."""
        for nxt, rate, failures in self._changes(s):
            if rate <= 0.0:
                continue
            settled = self.settle(nxt)
            yield settled, rate, failures, ("promotion" if settled != nxt else None)
        if self.promotion is not None and self.promotion > 0:
            nxt = self.promoted(s)
            if nxt is not None:
                yield nxt, 1.0 / self.promotion, 0, "promotion"

    def _changes(self, s):
        """Unit failures and repairs from `s`: ``(next_state, rate, unit_failures)``."""
        if s[0] == "primary":
            _, p_up, k = s
            rep = self._repair_rates([("p", not p_up, self.mu_p), ("r", self.n - k, self.mu_r)])
            if p_up:
                yield ("primary", False, k), self.lam_p, 1
            else:
                yield ("primary", True, k), rep.get("p", 0.0), 0
            if k > 0:
                yield ("primary", p_up, k - 1), k * self.lam_r, 1
            if k < self.n:
                yield ("primary", p_up, k + 1), rep.get("r", 0.0), 0
            return
        _, w_up, p_up, j = s
        rep = self._repair_rates([("w", not w_up, self.mu_r), ("p", not p_up, self.mu_p),
                                  ("r", self.n - 1 - j, self.mu_r)])
        if w_up:
            yield ("promoted", False, p_up, j), self.lam_r, 1
        else:
            yield ("promoted", True, p_up, j), rep.get("w", 0.0), 0
        if p_up:
            yield ("promoted", w_up, False, j), self.lam_p, 1
        else:
            yield ("promoted", w_up, True, j), rep.get("p", 0.0), 0
        if j > 0:
            yield ("promoted", w_up, p_up, j - 1), j * self.lam_r, 1
        if j < self.n - 1:
            yield ("promoted", w_up, p_up, j + 1), rep.get("r", 0.0), 0

    def label(self, s) -> str:
        updown = {True: "up", False: "down"}
        if s[0] == "primary":
            _, p_up, k = s
            return f"primary {updown[p_up]}, {k}/{self.n} replicas up"
        _, w_up, p_up, j = s
        return (f"promoted {updown[w_up]}, old primary {updown[p_up]}, "
                f"{j}/{self.n - 1} other replicas up")
