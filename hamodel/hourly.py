"""Outages by hour of the day and of the week, under an on-call schedule and a traffic profile.

"Is a 20-minute outage at 3 AM acceptable?" has an hour in it. Failures
arrive at any hour, but a repair that needs a person starts later at night
(:class:`~hamodel.OnCall`), and an hour down costs in proportion to the
users online (:class:`~hamodel.TrafficProfile`). :func:`hour_of_day` gives,
for each hour of the day (and of the week), how many outages start then,
how long they last, how many last longer than a tolerated length, the
downtime and the user-minutes lost, and their cost.

How exact
---------
Each part of the model (each tier of a stack, or the whole model when it is
not a series) is a Markov chain whose transitions that need a person wait
for someone to respond first (:class:`~hamodel.OnCall` says which, and how
long by hour). Its response rate changes every hour and repeats every day
or week, and its periodic steady state is computed exactly
(:mod:`hamodel._periodic`), with integrals over each hour by an 8-node
Gauss-Legendre rule (tested against the exact homogeneous chain, a chain
with the waiting phase built by hand, and a seeded event simulation).

Parts of a series are independent, so probabilities and outage start rates
of the system follow exactly from the parts'. An outage's length is taken
as the length of the outage of the part that started it: when another part
also fails during it, the outage is longer than that. The chance of this is
bounded in ``length_error_bound`` (about 1e-5 for the shipped stacks): the
length measures of a series are lower bounds off by at most that share.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import _periodic
from .schedule import DAYS, HOURS_PER_WEEK, NIGHT, OnCall, TrafficProfile
from .units import HOURS_PER_YEAR, duration, positive_duration

__all__ = ["hour_of_day", "HourOfDay"]


def _parts(model) -> list:
    """The independent parts of a model, as chains: the blocks of a series, else the model."""
    from .blocks import Series

    inner = getattr(model, "model", model)  # a Stack holds its series in .model
    if isinstance(inner, Series):
        return [b.to_ctmc() for b in inner.blocks]
    if not hasattr(inner, "to_ctmc"):
        raise TypeError(f"hour_of_day: {model!r} is not a model (expected a Component, a block "
                        "diagram, an HA pattern, a CTMC or a Stack)")
    return [inner.to_ctmc()]


def _nonnegative(value, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{what} = {value!r}: expected a number")
    value = float(value)
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{what} = {value!r}: expected a finite number >= 0")
    return value


def hour_of_day(model, oncall: OnCall | None = None, traffic: TrafficProfile | None = None, *,
                longer_than="20min", users: float = 1.0, cost_per_user_minute: float | None = None,
                cost_per_hour: float | None = None) -> "HourOfDay":
    """Outages, downtime and their cost by hour of the day, under a schedule.

    Parameters
    ----------
    model : model or Stack
        A Component, block diagram, HA pattern, CTMC, or a Stack (whose tiers
        are solved one by one).
    oncall : OnCall, optional
        Response times by hour; default ``OnCall()`` (15 min in business
        hours Monday to Friday 09:00-17:00, 1 h otherwise).
    traffic : TrafficProfile, optional
        Users online by hour; default flat.
    longer_than : duration
        The tolerated outage length: outages longer than this are counted
        per hour (default ``"20min"``).
    users : float
        Users online on average over the week (scales user-minutes; default
        1, so that user-minutes are minutes at average traffic).
    cost_per_user_minute, cost_per_hour : float, optional
        What a user-minute lost costs, or what an hour down costs at average
        traffic (``cost_per_hour / 60`` per user-minute with ``users=1``);
        give at most one. Adds cost columns.

    Returns
    -------
    HourOfDay

    Examples
    --------
    >>> import hamodel as hm
    >>> server = hm.Component("server", mtbf="5y", mttr="4h")
    >>> night = hm.OnCall("Mon-Fri 09:00-17:00", response="15min", night_response="1h")
    >>> res = hm.hour_of_day(server, night, longer_than="20min")
    >>> day, three = res.by_hour.loc[12], res.by_hour.loc[3]
    >>> round(day["mean outage (min)"]), round(three["mean outage (min)"])
    (268, 300)
    >>> round(float(res.summary.loc["outages/yr", "value"]), 3)  # failures come at any hour
    0.2
    """
    oncall = OnCall() if oncall is None else oncall
    traffic = TrafficProfile.flat() if traffic is None else traffic
    if not isinstance(oncall, OnCall):
        raise TypeError(f"oncall = {oncall!r}: expected a hamodel.OnCall")
    if not isinstance(traffic, TrafficProfile):
        raise TypeError(f"traffic = {traffic!r}: expected a hamodel.TrafficProfile")
    limit = positive_duration(longer_than, "longer_than")
    users = _nonnegative(users, "users")
    if cost_per_user_minute is not None and cost_per_hour is not None:
        raise ValueError("hour_of_day: give cost_per_user_minute or cost_per_hour, not both")
    if cost_per_hour is not None:
        if users == 0:
            raise ValueError("hour_of_day: cost_per_hour is the cost at the average traffic of "
                             "`users` users; users = 0 leaves nobody to cost")
        per_minute = _nonnegative(cost_per_hour, "cost_per_hour") / 60.0 / users
    elif cost_per_user_minute is not None:
        per_minute = _nonnegative(cost_per_user_minute, "cost_per_user_minute")
    else:
        per_minute = None
    period = 24 if (oncall.is_daily and traffic.is_daily) else HOURS_PER_WEEK
    response = oncall.response_hours()[:period]
    weights = traffic.weekly()[:period]
    chains = [_periodic.PeriodicChain(c, response, oncall.threshold, weights)
              for c in _parts(model)]
    name = getattr(model, "name", "model")
    return HourOfDay._build(name, chains, oncall, traffic, period, limit, users, per_minute)


@dataclass(frozen=True)
class HourOfDay:
    """Outages and their cost by hour, from :func:`hour_of_day`.

    Attributes
    ----------
    by_hour_of_week : pandas.DataFrame
        168 rows (Monday 00:00 first): per year, outages starting in the
        hour, their mean length, how many last longer than ``longer_than``,
        the downtime and user-minutes lost in the hour, incidents (pages)
        in the hour, the traffic weight and the response time.
    by_hour : pandas.DataFrame
        24 rows, the same summed over the days of the week (means are
        weighted by the outages).
    summary : pandas.DataFrame
        Totals per year, the night's share, and costs.
    length_error_bound : float
        Bound on the share of outages whose length is understated (series:
        another part fails during the outage); 0 for one chain.
    """

    name: str
    oncall: OnCall
    traffic: TrafficProfile
    longer_than: float
    users: float
    cost_per_user_minute: float | None
    by_hour_of_week: pd.DataFrame = field(repr=False)
    length_error_bound: float = 0.0
    manual_transitions: int = 0

    # ------------------------------------------------------------ building
    @classmethod
    def _build(cls, name, chains, oncall, traffic, period, limit, users, per_minute):
        w = chains[0].node_weights                                     # (K,)
        logA = [np.log1p(-np.clip(c.U, 0.0, 1.0 - 1e-300)) for c in chains]
        total = np.sum(logA, axis=0)                                   # (P, K)
        down = -np.expm1(total)
        starts = np.zeros(period)
        length = np.zeros(period)
        user_length = np.zeros(period)
        long_ = np.zeros(period)
        pages = np.zeros(period)
        fail_max = 0.0
        for c, la in zip(chains, logA):
            others = np.exp(total - la)                                # P(all other parts up)
            S = c.survival_at_nodes(limit)
            starts += (c.f * others) @ w
            length += (np.einsum("hkd,hkd->hk", c.entry, c.m_node) * others) @ w
            user_length += (np.einsum("hkd,hkd->hk", c.entry, c.mw_node) * others) @ w
            long_ += (np.einsum("hkd,hkd->hk", c.entry, S) * others) @ w
            pages += c.pages @ w
            fail_max += float(c.f.max())
        downtime = down @ w
        per_year = HOURS_PER_YEAR / HOURS_PER_WEEK                    # occurrences of an hour
        reps = HOURS_PER_WEEK // period
        tile = (lambda a: np.tile(a, reps))
        starts, length, user_length, long_, pages, downtime = map(
            tile, (starts, length, user_length, long_, pages, downtime))
        weights = traffic.weekly()
        response = oncall.response_hours()
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(starts > 0, length / starts, np.nan)
            user_mean = np.where(starts > 0, user_length / starts, np.nan)
            p_long = np.where(starts > 0, long_ / starts, np.nan)
        label = _label(limit)
        table = pd.DataFrame({
            "day": [DAYS[h // 24] for h in range(HOURS_PER_WEEK)],
            "hour": np.arange(HOURS_PER_WEEK) % 24,
            "outages/yr": starts * per_year,
            "mean outage (min)": mean * 60.0,
            f"outages > {label}/yr": long_ * per_year,
            f"P(outage > {label})": p_long,
            "downtime (min/yr)": downtime * per_year * 60.0,
            "user-minutes/yr": weights * downtime * per_year * 60.0 * users,
            "user-minutes per outage": user_mean * 60.0 * users,
            "incidents/yr": pages * per_year,
            "traffic": weights,
            "response (min)": response * 60.0,
        })
        table.index.name = "hour of week"
        if per_minute is not None:
            table["cost per outage"] = table["user-minutes per outage"] * per_minute
            table["cost/yr"] = table["user-minutes/yr"] * per_minute
        mean_length = float(length.sum() / starts.sum()) if starts.sum() > 0 else 0.0
        bound = 0.0 if len(chains) == 1 else min(1.0, fail_max * mean_length)
        return cls(name=name, oncall=oncall, traffic=traffic, longer_than=limit, users=users,
                   cost_per_user_minute=per_minute, by_hour_of_week=table,
                   length_error_bound=bound,
                   manual_transitions=sum(c.n_manual for c in chains))

    # ------------------------------------------------------------ views
    @property
    def longer_than_label(self) -> str:
        """``longer_than`` as the column names write it, e.g. ``"20 min"``."""
        return _label(self.longer_than)

    @property
    def by_hour(self) -> pd.DataFrame:
        """The 24 hours of the day, each summed over the seven days."""
        t = self.by_hour_of_week
        L = self.longer_than_label
        sums = ["outages/yr", f"outages > {L}/yr", "downtime (min/yr)", "user-minutes/yr",
                "incidents/yr"] + (["cost/yr"] if "cost/yr" in t else [])
        g = t.groupby("hour")
        out = g[sums].sum()
        n = out["outages/yr"].where(out["outages/yr"] > 0)
        weighted = lambda col: (t[col].fillna(0) * t["outages/yr"]).groupby(t["hour"]).sum()
        out.insert(1, "mean outage (min)", weighted("mean outage (min)") / n)
        out.insert(3, f"P(outage > {L})", out[f"outages > {L}/yr"] / n)
        out["user-minutes per outage"] = weighted("user-minutes per outage") / n
        if "cost per outage" in t:
            out["cost per outage"] = weighted("cost per outage") / n
        out["traffic"] = g["traffic"].mean()
        out["response (min)"] = g["response (min)"].mean()
        return out

    def between(self, start="00:00", end="06:00") -> pd.Series:
        """Outages that start between two times of day (``end`` excluded; may wrap midnight).

        Returns a Series: outages per year, long outages per year, the chance
        of at least one long outage in a year (long outages taken as a
        Poisson stream: they are rare and far apart), mean length, and
        user-minutes (and cost) per outage.
        """
        hours = _hours_between(start, end)
        t = self.by_hour.loc[hours]
        L = self.longer_than_label
        n = float(t["outages/yr"].sum())
        longs = float(t[f"outages > {L}/yr"].sum())
        out = {
            "outages/yr": n,
            f"outages > {L}/yr": longs,
            f"P(an outage > {L} in a year)": -math.expm1(-longs),
            "mean outage (min)": float((t["mean outage (min)"] * t["outages/yr"]).sum() / n)
            if n > 0 else math.nan,
            "user-minutes per outage": float((t["user-minutes per outage"]
                                              * t["outages/yr"]).sum() / n) if n > 0 else math.nan,
            "incidents/yr": float(t["incidents/yr"].sum()),
        }
        if self.cost_per_user_minute is not None:
            out["cost per outage"] = out["user-minutes per outage"] * self.cost_per_user_minute
            out["cost/yr"] = float(t["cost/yr"].sum())
        return pd.Series(out, name=f"{_clock(hours[0])}-{_clock(hours[-1] + 1)}")

    @property
    def summary(self) -> pd.DataFrame:
        """Totals per year, the night (00:00-06:00) and the day (09:00-17:00) side by side."""
        t = self.by_hour
        L = self.longer_than_label
        night = self.between(f"{NIGHT[0]:02d}:00", f"{NIGHT[1]:02d}:00")
        n = float(t["outages/yr"].sum())
        rows = {
            "outages/yr": n,
            "mean outage (min)": float((t["mean outage (min)"] * t["outages/yr"]).sum() / n)
            if n > 0 else math.nan,
            f"outages > {L}/yr": float(t[f"outages > {L}/yr"].sum()),
            "downtime (min/yr)": float(t["downtime (min/yr)"].sum()),
            "user-minutes/yr": float(t["user-minutes/yr"].sum()),
            "incidents/yr": float(t["incidents/yr"].sum()),
            f"night outages > {L}/yr": night[f"outages > {L}/yr"],
            f"P(a night outage > {L} in a year)": night[f"P(an outage > {L} in a year)"],
            "night incidents/yr": night["incidents/yr"],
        }
        if self.cost_per_user_minute is not None:
            rows["cost/yr"] = float(t["cost/yr"].sum())
        frame = pd.DataFrame({"value": rows})
        frame.index.name = self.name
        return frame

    def _repr_html_(self) -> str:
        head = (f"<p><b>{self.name}</b>: outages by hour of the day ({self.oncall.name}, "
                f"{self.traffic.name} traffic)</p>")
        return head + self.summary.to_html(float_format=lambda v: f"{v:.4g}")

    def __repr__(self) -> str:
        s = self.summary["value"]
        return (f"HourOfDay({self.name!r}: {s['outages/yr']:.3g} outages/yr, "
                f"{s.iloc[2]:.3g} longer than {self.longer_than_label}/yr)")


def _label(hours: float) -> str:
    minutes = hours * 60.0
    if minutes < 120 and abs(minutes - round(minutes)) < 1e-9:
        return f"{int(round(minutes))} min"
    return f"{hours:g} h"


def _clock(h: int) -> str:
    return f"{h % 24:02d}:00" if h % 24 or h == 0 else "24:00"


def _hours_between(start, end) -> list:
    def hour(x, what):
        if isinstance(x, (int, np.integer)) and not isinstance(x, bool):
            h = int(x)
        elif isinstance(x, str):
            text = x.strip()
            head, _, tail = text.partition(":")
            if not head.isdigit() or tail not in ("", "00"):
                raise ValueError(f"{what} = {x!r}: expected a whole hour such as '06:00' or 6")
            h = int(head)
        else:
            raise TypeError(f"{what} = {x!r}: expected a whole hour such as '06:00' or 6")
        if not 0 <= h <= 24:
            raise ValueError(f"{what} = {x!r}: expected an hour between 0 and 24")
        return h

    a, b = hour(start, "start"), hour(end, "end")
    if a == b:
        raise ValueError(f"between({start!r}, {end!r}): an empty range of hours")
    return [(a + k) % 24 for k in range((b - a) % 24 or 24)]  # 00:00-24:00: the whole day
