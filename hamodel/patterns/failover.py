"""Active/standby pairs: a floating IP (keepalived), MySQL-MMM, Pacemaker failover.

The chain is generated from a handful of rules (which unit fails, what the
cluster does about it) by exploring the states reachable from "both up", so
hot, warm and cold standby, one or two crews, instantaneous or timed failover
and imperfect coverage all come from the same code.
"""

from __future__ import annotations

from numbers import Integral

from ..ctmc import CTMC
from ..units import positive_duration, probability
from ._build import checked_component, checked_duration, generate

__all__ = ["active_standby"]

_MODES = ("hot", "warm", "cold")


def active_standby(primary, standby=None, *, failover="60s", coverage=1.0,
                   standby_mode="hot", crews=1, manual_recovery="30min",
                   standby_failure_factor=0.1, name=None) -> CTMC:
    """An active unit backed by a standby that takes over after a failover.

    Parameters
    ----------
    primary : Component
        The unit that is active at the start.
    standby : Component, optional
        The standby unit; default a copy of `primary` named
        ``"<primary>-standby"``. Its name must differ from the primary's.
    failover : str or float
        Mean time to detect the failure of the active unit and move the
        service (exponentially distributed): ``"60s"``, ``"2min"``, or hours.
        ``0`` means an instantaneous switch: the chain then has no
        failing-over state at all.
    coverage : float
        Probability that a unit failure in the both-up state is handled
        automatically (see Notes); ``1 - coverage`` of them are uncovered.
    standby_mode : {"hot", "warm", "cold"}
        How an idle unit (up but not serving) fails: at its full rate
        (hot), at ``standby_failure_factor`` times it (warm), or not at all
        (cold).
    crews : {1, 2}
        Repair crews. With one crew and both units failed, the unit that
        failed first is repaired first (no preemption).
    manual_recovery : str, float or None
        Mean time for an operator to restore service on the surviving unit
        after an uncovered failure (exponential). ``None``: no manual
        recovery, the outage lasts until the failed unit is repaired.
    standby_failure_factor : float
        Failure-rate multiplier of an idle unit in ``"warm"`` mode, in [0, 1].
    name : str, optional
        Model name; default ``"<primary> active/standby"``.

    Returns
    -------
    CTMC
        Up states are those where a unit is serving. Every unit failure is an
        incident (weight 1, masked or not); "both up" is the healthy state.
        Two counted events: ``"failover"`` (completed automatic switch-overs)
        and ``"uncovered_failure"`` (entries into the uncovered state).

    Raises
    ------
    TypeError
        If `primary` or `standby` is not a :class:`~hamodel.Component`.
    ValueError
        If a duration, probability, mode or crew count is invalid, or the
        two units share a name.

    Notes
    -----
    Assumptions, all exponential:

    * The serving unit fails at its full rate; an idle unit (the standby, or
      the survivor during a failover or an uncovered outage) at its idle rate
      (full, ``standby_failure_factor`` times full, or zero).
    * Coverage applies to every unit failure in the both-up state. A failure
      of the active unit starts a failover (an outage of mean `failover`),
      after which the standby serves with probability `coverage`; otherwise
      the outage becomes *uncovered*. With ``failover=0`` the active unit's
      failure goes straight to "one up" with probability `coverage` and to
      "uncovered" otherwise. A failure of the idle standby is masked (an
      incident, no outage) with probability `coverage`; otherwise it takes
      the service down too (say, the standby's failure confuses the cluster
      manager and it fences the active). Counting both units' failures is
      what makes the instantaneous, hot case equal to the textbook 1-of-2
      pair with coverage (Trivedi's T2e, MTTF 8575 h).
    * An uncovered outage ends with manual recovery (rate
      ``1/manual_recovery``), which puts the surviving unit into service, or
      with the repair of the failed unit, which then serves, whichever comes
      first. If the failed unit is repaired during a failover, it serves
      again (the switch-over is abandoned). Monotonicity in `coverage`
      therefore holds when manual recovery is slower than failover.
    * When both units are down, the first one repaired restarts the service
      at once. There is no failback: a repaired unit becomes the standby.
    * A failure in a state where the service is already down (the standby
      failing during a failover or an uncovered outage) is an incident that
      leads to "both down".

    Generated states. When the two units have the same rates the chain is
    lumped exactly by symmetry into

    ==============  ========  ======================================
    state           service   meaning
    ==============  ========  ======================================
    both up         up        one serving, the other idle (healthy)
    failing over    down      active failed, switch-over in progress
    one up          up        one serving, the other in repair
    uncovered       down      one failed, survivor idle, not serving
    both down       down      both in repair
    ==============  ========  ======================================

    ("failing over" only if ``failover > 0``, "uncovered" only if
    ``coverage < 1``.) With different rates the states name the units, e.g.
    ``"db1 active, db2 standby"``, ``"db1 active, db2 failed"``,
    ``"failing over db1 -> db2"``, ``"uncovered, db1 failed"`` and, with one
    crew, ``"both down, repairing db1"`` (else ``"both down"``).

    Examples
    --------
    A keepalived pair of HAProxy load balancers, failing over in 60 s,
    with 2 % of failures needing an operator:

    >>> import hamodel as hm
    >>> lb = hm.Component("lb1", mtbf="1y", mttr="4h")
    >>> pair = hm.active_standby(lb, failover="60s", coverage=0.98)
    >>> pair.states
    ('both up', 'failing over', 'one up', 'uncovered', 'both down')
    >>> m = pair.measures()
    >>> round(m.outages_per_year, 2), round(m.mean_down_time * 60, 1)  # minutes
    (1.02, 2.2)
    >>> round(m.incidents_per_year, 2), round(m.downtime_minutes_per_year, 2)
    (2.0, 2.28)
    >>> round(m.events["uncovered_failure"], 3), round(pair.outages_longer_than("20min"), 3)
    (0.04, 0.02)

    With an instantaneous, perfect switch and one crew it is the textbook
    1-of-2 pair:

    >>> u = hm.Component("u", failure_rate=0.001, repair_rate=0.1)
    >>> ideal = hm.active_standby(u, failover=0)
    >>> ideal.states
    ('both up', 'one up', 'both down')
    >>> round(ideal.measures().availability, 12), round(ideal.mttf())
    (0.999803960008, 51500)
    """
    primary = checked_component(primary, "primary")
    if standby is None:
        standby = primary.renamed(f"{primary.name}-standby")
    standby = checked_component(standby, "standby")
    if standby.name == primary.name:
        raise ValueError(
            f"primary and standby are both named {primary.name!r}; give the standby its own "
            f"name (e.g. standby=primary.renamed('{primary.name}-2')) or omit it"
        )
    failover_h = checked_duration(failover, "failover")
    coverage = probability(coverage, "coverage")
    if standby_mode not in _MODES:
        raise ValueError(f"standby_mode = {standby_mode!r}: expected one of {', '.join(_MODES)}")
    factor = probability(standby_failure_factor, "standby_failure_factor")
    if isinstance(crews, bool) or not isinstance(crews, Integral) or crews not in (1, 2):
        raise ValueError(f"crews = {crews!r}: expected 1 or 2")
    manual_rate = (0.0 if manual_recovery is None
                   else 1.0 / positive_duration(manual_recovery, "manual_recovery"))
    idle = {"hot": 1.0, "warm": factor, "cold": 0.0}[standby_mode]

    units = (primary, standby)
    rules = _PairRules(
        fail={u.name: u.failure_rate for u in units},
        idle_fail={u.name: idle * u.failure_rate for u in units},
        repair={u.name: u.repair_rate for u in units},
        names=(primary.name, standby.name),
        switch_rate=0.0 if failover_h == 0 else 1.0 / failover_h,
        coverage=coverage,
        manual_rate=manual_rate,
        crews=int(crews),
    )
    symmetric = (primary.failure_rate == standby.failure_rate
                 and primary.repair_rate == standby.repair_rate)
    label = _role_label if symmetric else rules.label
    chain = generate(("serving", primary.name, True), rules.moves, label,
                     events=("failover", "uncovered_failure"), lump=symmetric)
    name = f"{primary.name} active/standby" if name is None else str(name)
    return chain.ctmc(
        up=lambda s: s[0] == "serving",
        healthy=lambda s: s[0] == "serving" and s[2],
        name=name,
    )


# ----------------------------------------------------------------- the rules
class _PairRules:
    """Transitions of an active/standby pair.

    A state is ``(phase, unit, flag)``:

    * ``("serving", X, True)``: X serves, the other unit is idle and up;
    * ``("serving", X, False)``: X serves, the other is in repair;
    * ``("failover", X, None)``: X failed, switching to the other;
    * ``("uncovered", X, None)``: X failed, the other up but not serving;
    * ``("down", X, None)``: both failed, X in repair (one crew) or X = None
      (two crews).
    """

    def __init__(self, *, fail, idle_fail, repair, names, switch_rate, coverage,
                 manual_rate, crews):
        self.fail, self.idle_fail, self.repair = fail, idle_fail, repair
        self.names = names
        self.switch_rate, self.coverage = switch_rate, coverage
        self.manual_rate, self.crews = manual_rate, crews

    def other(self, x):
        return self.names[1] if x == self.names[0] else self.names[0]

    def both_down(self, first_failed):
        return ("down", first_failed if self.crews == 1 else None, None)

    def moves(self, state):
        """Yield ``(next_state, rate, unit_failures, event)`` from `state`."""
        phase, x, flag = state
        c = self.coverage
        if phase == "serving":
            y = self.other(x)
            if flag:  # both up
                if self.switch_rate > 0:
                    yield ("failover", x, None), self.fail[x], 1, None
                else:
                    yield ("serving", y, False), c * self.fail[x], 1, "failover"
                    yield ("uncovered", x, None), (1 - c) * self.fail[x], 1, "uncovered_failure"
                yield ("serving", x, False), c * self.idle_fail[y], 1, None
                yield ("uncovered", y, None), (1 - c) * self.idle_fail[y], 1, "uncovered_failure"
            else:  # y in repair
                yield ("serving", x, True), self.repair[y], 0, None
                yield self.both_down(y), self.fail[x], 1, None
        elif phase == "failover":
            y = self.other(x)
            yield ("serving", y, False), c * self.switch_rate, 0, "failover"
            yield ("uncovered", x, None), (1 - c) * self.switch_rate, 0, "uncovered_failure"
            yield ("serving", x, True), self.repair[x], 0, None
            yield self.both_down(x), self.idle_fail[y], 1, None
        elif phase == "uncovered":
            y = self.other(x)
            yield ("serving", y, False), self.manual_rate, 0, None
            yield ("serving", x, True), self.repair[x], 0, None
            yield self.both_down(x), self.idle_fail[y], 1, None
        else:  # both down
            for unit in (self.names if x is None else (x,)):
                yield ("serving", unit, False), self.repair[unit], 0, None

    def label(self, state):
        """State name that tells the units apart."""
        phase, x, flag = state
        if phase == "serving":
            return f"{x} active, {self.other(x)} {'standby' if flag else 'failed'}"
        if phase == "failover":
            return f"failing over {x} -> {self.other(x)}"
        if phase == "uncovered":
            return f"uncovered, {x} failed"
        return "both down" if x is None else f"both down, repairing {x}"


def _role_label(state):
    """State name by roles only: lumps states that differ by swapping two equal units."""
    phase, _, flag = state
    if phase == "serving":
        return "both up" if flag else "one up"
    return {"failover": "failing over", "uncovered": "uncovered", "down": "both down"}[phase]
