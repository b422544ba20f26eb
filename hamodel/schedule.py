"""The week as the on-call team and the users live it: response times and traffic by hour.

An outage costs more when many users are online, and a repair that needs a
person starts later when that person is asleep. Two small objects describe
the week, hour by hour (hour 0 is Monday 00:00-01:00, hour 167 Sunday
23:00-24:00, local time):

* :class:`OnCall`: how long it takes for someone to start work on a failure,
  in business hours, at night and at weekends;
* :class:`TrafficProfile`: how many users are online in each hour, relative
  to the weekly average (24 weights for every day alike, or 168 for a week).

:func:`hamodel.hour_of_day` applies them to a model (see
:mod:`hamodel.hourly`).
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .units import duration

__all__ = ["OnCall", "TrafficProfile"]

HOURS_PER_WEEK = 168
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY_INDEX = {d.lower(): i for i, d in enumerate(DAYS)}
_WEEKEND = (5, 6)
#: Night hours of the day (00:00-06:00) used when a report speaks of "night".
NIGHT = (0, 6)

_RANGE = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*-\s*(\d{1,2})(?::(\d{2}))?$")


def _hour(text: str, minutes: str | None, spec: str) -> int:
    h = int(text)
    if minutes not in (None, "00"):
        raise ValueError(f"business_hours = {spec!r}: {text}:{minutes} is not on the hour; "
                         "the schedule has a resolution of one hour (write e.g. '09:00')")
    if not 0 <= h <= 24:
        raise ValueError(f"business_hours = {spec!r}: hour {h} is outside 0-24")
    return h


def _days(text: str, spec: str) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        ends = [p.strip().lower()[:3] for p in part.split("-")]
        if len(ends) > 2 or any(e not in _DAY_INDEX for e in ends):
            raise ValueError(f"business_hours = {spec!r}: cannot read the days {part.strip()!r};"
                             " expected names such as 'Mon-Fri' or 'Mon,Wed,Fri'")
        first, last = _DAY_INDEX[ends[0]], _DAY_INDEX[ends[-1]]
        if last < first:
            raise ValueError(f"business_hours = {spec!r}: the day range {part.strip()!r} runs "
                             "backwards; write it Monday first, e.g. 'Mon-Fri'")
        out.extend(range(first, last + 1))
    return out


def parse_business_hours(spec: str) -> np.ndarray:
    """The hours of the week a schedule covers, as a boolean mask of length 168.

    Parameters
    ----------
    spec : str
        ``"24/7"``, ``"never"``, or ranges separated by ``;``, each
        ``[days] HH[:00]-HH[:00]``: ``"Mon-Fri 09:00-17:00"``,
        ``"08-20"`` (every day), ``"Mon-Fri 08:00-18:00; Sat 10-14"``. A range
        may cross midnight (``"Mon-Fri 22:00-06:00"``: from 22:00 on the day
        named to 06:00 the next morning).

    Examples
    --------
    >>> from hamodel.schedule import parse_business_hours
    >>> mask = parse_business_hours("Mon-Fri 09:00-17:00")
    >>> int(mask.sum()), bool(mask[9]), bool(mask[17]), bool(mask[5 * 24 + 10])
    (40, True, False, False)
    """
    if not isinstance(spec, str):
        raise TypeError(f"business_hours = {spec!r}: expected a string such as "
                        "'Mon-Fri 09:00-17:00'")
    text = spec.strip()
    mask = np.zeros(HOURS_PER_WEEK, dtype=bool)
    if text.lower() == "24/7":
        mask[:] = True
        return mask
    if text.lower() in ("never", "none", ""):
        if text == "":
            raise ValueError("business_hours = '': expected ranges such as 'Mon-Fri 09:00-17:00',"
                             " '24/7' or 'never'")
        return mask
    for item in text.split(";"):
        item = item.strip()
        days_text, _, hours_text = item.rpartition(" ")
        days = _days(days_text, spec) if days_text.strip() else list(range(7))
        m = _RANGE.match(hours_text.strip())
        if m is None:
            raise ValueError(f"business_hours = {spec!r}: cannot read {item!r}; expected "
                             "'[days] HH:00-HH:00', such as 'Mon-Fri 09:00-17:00'")
        start, end = _hour(m[1], m[2], spec), _hour(m[3], m[4], spec)
        if start == end:
            raise ValueError(f"business_hours = {spec!r}: the range {hours_text!r} is empty")
        length = end - start if end > start else end - start + 24  # may cross midnight
        for d in days:
            for k in range(length):
                mask[(d * 24 + start + k) % HOURS_PER_WEEK] = True
    return mask


def _positive_or_zero(value, what: str) -> float:
    try:
        hours = duration(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} = {value!r}: {exc}") from None
    if not math.isfinite(hours) or hours < 0:
        raise ValueError(f"{what} = {value!r}: expected a duration >= 0, such as '15min'")
    return hours


@dataclass(frozen=True)
class OnCall:
    """How quickly a person starts work on a failure, by hour of the week.

    Repairs that need a person (replacing a disk, restarting a database,
    resolving a split brain) wait for someone to respond; failovers do not.
    With a schedule, such a repair first waits for the response (an
    exponential time whose mean is the response time of the current hour:
    it speeds up when business hours begin) and then takes its own time, as
    in the model without a schedule. Whoever responds stays while manual
    work is left in that part of the system (a second failure during a
    repair does not wait again). A 4 h repair then takes 4 h 15 min on
    average when the failure comes in business hours, and about 5 h at night
    with a 1 h response.

    Parameters
    ----------
    business_hours : str
        When the team is at work, e.g. ``"Mon-Fri 09:00-17:00"`` (the
        default), ``"24/7"`` (a staffed operations centre) or ``"never"``;
        see :func:`parse_business_hours`.
    response : duration
        Mean time to start work in business hours (default ``"15min"``).
    night_response : duration
        Mean time on weekday evenings and nights (default ``"1h"``).
    weekend_response : duration, optional
        Mean time outside business hours on Saturdays and Sundays; default
        the night response.
    automatic_below : duration
        Transitions faster than this on average (failovers, restarts by a
        cluster manager) never wait for a person (default ``"10min"``), nor
        does anything that leaves a state the system passes through faster
        than this (the outcomes of a failover, successful or not).
        Component failures and transitions from up to down states never
        wait either.
    name : str
        Shown in tables and legends.

    Examples
    --------
    >>> import hamodel as hm
    >>> oc = hm.OnCall("Mon-Fri 09:00-17:00", response="15min", night_response="1h",
    ...                weekend_response="2h")
    >>> r = oc.response_hours()
    >>> float(r[10]), float(r[3]), float(r[6 * 24 + 12])  # Mon 10:00, Mon 03:00, Sun 12:00
    (0.25, 1.0, 2.0)
    """

    business_hours: str = "Mon-Fri 09:00-17:00"
    response: object = "15min"
    night_response: object = "1h"
    weekend_response: object = None
    automatic_below: object = "10min"
    name: str = "on call"
    _hours: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        mask = parse_business_hours(self.business_hours)
        day = _positive_or_zero(self.response, "response")
        night = _positive_or_zero(self.night_response, "night_response")
        weekend = night if self.weekend_response is None else _positive_or_zero(
            self.weekend_response, "weekend_response")
        try:
            auto = duration(self.automatic_below)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"automatic_below = {self.automatic_below!r}: {exc}") from None
        if not (math.isfinite(auto) and auto > 0):
            raise ValueError(f"automatic_below = {self.automatic_below!r}: expected a positive "
                             "duration such as '10min'")
        hours = np.where(mask, day, night)
        for d in _WEEKEND:
            block = slice(d * 24, (d + 1) * 24)
            hours[block] = np.where(mask[block], day, weekend)
        hours.setflags(write=False)
        object.__setattr__(self, "_hours", hours)

    @classmethod
    def flat(cls, response="15min", **kwargs) -> "OnCall":
        """The same response around the clock (a staffed operations centre)."""
        return cls("24/7", response=response, night_response=response, **kwargs)

    def response_hours(self) -> np.ndarray:
        """Mean response time in hours for each of the 168 hours of the week."""
        return self._hours

    @property
    def threshold(self) -> float:
        """``automatic_below`` in hours."""
        return duration(self.automatic_below)

    @property
    def is_daily(self) -> bool:
        """Whether every day of the week has the same responses (a 24-hour period)."""
        h = self._hours.reshape(7, 24)
        return bool(np.all(h == h[0]))

    @property
    def mean_response(self) -> float:
        """Response time averaged over the week, in hours."""
        return float(self._hours.mean())


@dataclass(frozen=True)
class TrafficProfile:
    """Users online by hour, relative to the weekly average.

    Parameters
    ----------
    weights : sequence of float
        24 non-negative weights (every day alike, hour 0 = 00:00-01:00) or
        168 (Monday 00:00 first). They are rescaled to average 1 over the
        week, so a weight of 2 means twice the average number of users.
    name : str

    Examples
    --------
    >>> import hamodel as hm
    >>> tp = hm.TrafficProfile([1] * 8 + [3] * 12 + [1] * 4, name="office")
    >>> round(float(tp.weekly()[12]), 4), round(float(tp.weekly().mean()), 12)
    (1.5, 1.0)
    """

    weights: tuple
    name: str = "traffic"
    _weekly: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        try:
            w = np.asarray(self.weights, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"TrafficProfile: weights = {self.weights!r}: expected 24 or 168 "
                            "numbers") from None
        if w.ndim != 1 or w.size not in (24, HOURS_PER_WEEK):
            raise ValueError(f"TrafficProfile {self.name!r}: {w.size} weights; expected 24 "
                             "(one per hour of the day) or 168 (one per hour of the week)")
        bad = np.flatnonzero(~np.isfinite(w) | (w < 0))
        if bad.size:
            raise ValueError(f"TrafficProfile {self.name!r}: weight {float(w[bad[0]])!r} at hour "
                             f"{bad[0]}; expected finite weights >= 0")
        if not w.sum() > 0:
            raise ValueError(f"TrafficProfile {self.name!r}: every weight is 0; expected some "
                             "traffic in at least one hour")
        object.__setattr__(self, "weights", tuple(float(x) for x in w))
        weekly = np.tile(w, 7) if w.size == 24 else w.copy()
        weekly = weekly / weekly.mean()
        weekly.setflags(write=False)
        object.__setattr__(self, "_weekly", weekly)

    @classmethod
    def flat(cls) -> "TrafficProfile":
        """The same traffic at every hour."""
        return cls((1.0,) * 24, name="flat")

    @classmethod
    def shipped(cls, name: str = "business") -> "TrafficProfile":
        """A profile from ``data/traffic_profiles.csv`` (its sources are in the file).

        ``"business"``: a site used from work (busy 09:00-17:00 on weekdays,
        quiet weekends); ``"consumer"``: a site used from home (evening peak,
        busy weekends).
        """
        from .data import DATA_DIR

        return cls.from_csv(DATA_DIR / "traffic_profiles.csv", name)

    @classmethod
    def from_csv(cls, path, name: str) -> "TrafficProfile":
        """Read one profile from a CSV with columns ``profile, day, hour, weight``.

        ``day`` is ``all`` (24 rows), a weekday name (``Mon`` .. ``Sun``, 168
        rows), or ``weekday`` / ``weekend`` (24 rows each). Other columns
        (``source``) are ignored.
        """
        path = Path(path)
        rows = {}
        with path.open(newline="") as fh:
            reader = csv.DictReader(row for row in fh if not row.startswith("#"))
            missing = {"profile", "day", "hour", "weight"} - set(reader.fieldnames or ())
            if missing:
                raise ValueError(f"{path}: missing column(s) {sorted(missing)}; expected "
                                 "profile, day, hour, weight")
            for line, row in enumerate(reader, start=2):
                if row["profile"] != name:
                    continue
                try:
                    hour, weight = int(row["hour"]), float(row["weight"])
                except ValueError:
                    raise ValueError(f"{path}, row {line}: hour {row['hour']!r} / weight "
                                     f"{row['weight']!r}: expected an integer and a number") from None
                if not 0 <= hour < 24:
                    raise ValueError(f"{path}, row {line}: hour {hour}; expected 0-23")
                rows[(row["day"].strip().lower(), hour)] = weight
        if not rows:
            names = _profile_names(path)
            raise ValueError(f"{path}: no profile {name!r}; the file has {names}")
        days = {d for d, _ in rows}
        if days == {"all"}:
            weights = [rows.get(("all", h), math.nan) for h in range(24)]
        elif days == {"weekday", "weekend"}:
            weights = [rows.get(("weekend" if d in _WEEKEND else "weekday", h), math.nan)
                       for d in range(7) for h in range(24)]
        elif days == {d.lower() for d in DAYS}:
            weights = [rows.get((DAYS[d].lower(), h), math.nan)
                       for d in range(7) for h in range(24)]
        else:
            raise ValueError(f"{path}: profile {name!r} has days {sorted(days)}; expected "
                             "'all', or 'weekday' and 'weekend', or Mon .. Sun")
        if any(math.isnan(w) for w in weights):
            raise ValueError(f"{path}: profile {name!r} misses some hours; every day it names "
                             "needs hours 0-23")
        return cls(tuple(weights), name=name)

    def weekly(self) -> np.ndarray:
        """The 168 hourly weights of the week (Monday 00:00 first), averaging 1."""
        return self._weekly

    @property
    def is_daily(self) -> bool:
        """Whether every day has the same profile (a 24-hour period)."""
        h = self._weekly.reshape(7, 24)
        return bool(np.all(h == h[0]))


def _profile_names(path: Path) -> list:
    with path.open(newline="") as fh:
        reader = csv.DictReader(row for row in fh if not row.startswith("#"))
        return sorted({row["profile"] for row in reader})
