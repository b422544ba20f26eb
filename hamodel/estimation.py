"""Estimating MTBF, MTTR and availability from observed outages, with confidence intervals.

A component observed for a time ``T`` fails ``n`` times; its outages add up
to a down time ``Y`` and its up time is ``S = T - Y``. Under the two-state
exponential model the estimates are ``MTBF = S / n``, ``MTTR = Y / n`` and
``A = S / (S + Y)``, and their confidence intervals follow from the
chi-square and F distributions (Trivedi, *Probability and Statistics with
Reliability, Queuing and Computer Science Applications*, 2nd ed., Wiley,
sections 10.2-10.3, Ex. 10.27).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Mapping
from numbers import Real
from pathlib import Path
from typing import TYPE_CHECKING

from .units import HOURS_PER_YEAR, confidence_level, positive_duration

if TYPE_CHECKING:  # pragma: no cover - pandas is imported when a table is built
    import pandas as pd

__all__ = ["availability_interval", "estimate_rates"]


def _count(n, what: str = "n_failures") -> int:
    if isinstance(n, bool) or not isinstance(n, Real) or n != int(n) or n < 1:
        raise ValueError(f"{what} = {n!r}: expected a whole number of failures >= 1")
    return int(n)


def availability_interval(n_failures: int, up_time: str | float, down_time: str | float,
                          level: float = 0.95) -> tuple[float, float]:
    """Two-sided confidence interval for the steady-state availability.

    The F-distribution method (Trivedi, Ex. 10.27): with ``n`` failures and
    ``n`` repairs observed over a total up time ``S`` and down time ``Y``,
    ``rho = Y / S`` and ``(lambda / lambda_hat) / (mu / mu_hat)`` follows
    ``F(2n, 2n)``, so with ``a = 1 - level``

    ``A`` is in ``[1 / (1 + rho f(1 - a/2)), 1 / (1 + rho f(a/2))]``,

    where ``f(p)`` is the ``p`` quantile of ``F(2n, 2n)``.

    Parameters
    ----------
    n_failures : int
        Number of failures (each followed by a repair), at least 1.
    up_time, down_time : str or float
        Total up time ``S`` and total down time ``Y`` (durations or hours);
        both positive.
    level : float
        Confidence level, 0.95 for a 95 % interval.

    Returns
    -------
    (float, float)
        Lower and upper bound of the availability.

    Raises
    ------
    ValueError
        If ``n_failures < 1``, a time is not positive or `level` is not in
        (0, 1).

    Examples
    --------
    The two rows of Trivedi's Ex. 10.27:

    >>> [round(a, 12) for a in availability_interval(1, "999h", "1h")]
    [0.962427745665, 0.999974333966]
    >>> [round(a, 12) for a in availability_interval(10, 9990, 10)]
    [0.997539119623, 0.999593994334]
    """
    from scipy.stats import f

    n = _count(n_failures)
    level = confidence_level(level)
    s = positive_duration(up_time, "up_time")
    y = positive_duration(down_time, "down_time")
    rho = y / s
    alpha = 1.0 - level
    upper_q = float(f.ppf(1.0 - alpha / 2.0, 2 * n, 2 * n))
    lower_q = float(f.ppf(alpha / 2.0, 2 * n, 2 * n))
    return 1.0 / (1.0 + rho * upper_q), 1.0 / (1.0 + rho * lower_q)


def estimate_rates(log: str | os.PathLike | pd.DataFrame, *,
                   observation: str | float | tuple | Mapping,
                   component_column: str = "component", start: str = "start",
                   end: str = "end", level: float = 0.95) -> pd.DataFrame:
    """MTBF, MTTR and availability per component from an incident log.

    Parameters
    ----------
    log : str, pathlib.Path or pandas.DataFrame
        A CSV file (or a frame) with one row per outage: the component that
        failed and the start and end timestamps of its outage (ISO 8601, such
        as ``2024-03-05 14:10`` or ``2024-03-05T14:10:00+01:00``; timestamps
        without a zone are taken as UTC). Other columns are ignored.
    observation : str, float, (start, end) or mapping
        How long the components were watched: a duration (``"1y"``, or
        hours) for all of them; a ``(start, end)`` pair of timestamps, the
        window for all of them (every outage must lie inside it); or a
        mapping component -> duration when they were watched for different
        times. The up time is the observation time minus the outages.
    component_column, start, end : str
        Column names in the log.
    level : float
        Confidence level of the intervals.

    Returns
    -------
    pandas.DataFrame
        One row per component (sorted by name) with columns

        - ``failures`` (``n``), ``observed_h`` (``T``), ``up_h`` (``S``),
          ``down_h`` (``Y``);
        - ``failure_rate`` (``n / S``, per hour) with ``failure_rate_low`` /
          ``_high``: the chi-square interval of a time-truncated test,
          ``[chi2(a/2; 2n) / 2S, chi2(1 - a/2; 2n + 2) / 2S]``;
        - ``mtbf_h`` (``S / n``) with ``mtbf_low_h`` / ``mtbf_high_h``, the
          reciprocals of the rate bounds;
        - ``mttr_h`` (``Y / n``) with ``mttr_low_h`` / ``mttr_high_h``, from
          ``2 Y / MTTR ~ chi2(2n)`` (``n`` complete exponential repairs);
        - ``availability`` (``S / T``) with ``availability_low`` / ``_high``
          from :func:`availability_interval`;
        - ``outages_per_year`` and ``downtime_minutes_per_year`` as observed.

    Raises
    ------
    ValueError
        For a missing column, an empty log, a missing or blank component
        name, an unparsable timestamp, an outage that ends before it starts,
        two overlapping outages of one component, a component whose outages
        all last 0 (nothing is known of its repair time), outages longer
        than the observation or outside its window, or a component missing
        from an `observation` mapping. The message names the row (data rows
        counted from 1).

    Examples
    --------
    >>> import pandas as pd
    >>> log = pd.DataFrame({
    ...     "component": ["db", "db", "web"],
    ...     "start": ["2024-02-01 10:00", "2024-07-14 03:00", "2024-05-05 12:00"],
    ...     "end": ["2024-02-01 14:00", "2024-07-14 05:00", "2024-05-05 12:30"]})
    >>> table = estimate_rates(log, observation="1y")
    >>> int(table.loc["db", "failures"]), table.loc["db", ["down_h", "mttr_h"]].tolist()
    (2, [6.0, 3.0])
    >>> round(float(table.loc["db", "mtbf_h"]), 1)  # (8766 - 6) / 2
    4380.0
    >>> [round(float(table.loc["web", c]), 6)
    ...  for c in ("availability_low", "availability", "availability_high")]
    [0.99778, 0.999943, 0.999999]
    """
    import pandas as pd
    from scipy.stats import chi2

    level = confidence_level(level)
    frame, source = _read(log)
    missing = [c for c in (component_column, start, end) if c not in frame.columns]
    if missing:
        raise ValueError(f"{source}: missing column(s) {missing}; the log has columns "
                         f"{list(frame.columns)} (set component_column=, start=, end=)")
    if frame.empty:
        raise ValueError(f"{source}: the log has no outages")
    names = _names(frame[component_column], component_column, source)
    begins = _timestamps(frame[start], start, names, source)
    ends = _timestamps(frame[end], end, names, source)
    for i in range(len(frame)):
        if ends.iloc[i] < begins.iloc[i]:
            raise ValueError(f"{source}, row {i + 1} ({names.iloc[i]!r}): the outage ends "
                             f"({frame[end].iloc[i]}) before it starts ({frame[start].iloc[i]})")
    hours = (ends - begins).dt.total_seconds().to_numpy() / 3600.0
    observed = _observation(observation, names, begins, ends, source)

    alpha = 1.0 - level
    rows = []
    for name in sorted(set(names)):
        idx = [i for i in range(len(frame)) if names.iloc[i] == name]
        _check_overlap(idx, begins, ends, name, source)
        n = len(idx)
        t = observed[name]
        y = float(sum(hours[i] for i in idx))
        s = t - y
        if s <= 0:
            raise ValueError(f"{source}: component {name!r} is down {y:.6g} h in an "
                             f"observation of {t:.6g} h; expected a longer observation")
        rate_low = float(chi2.ppf(alpha / 2, 2 * n)) / (2 * s)
        rate_high = float(chi2.ppf(1 - alpha / 2, 2 * n + 2)) / (2 * s)
        if y == 0:
            rows_text = ", ".join(str(i + 1) for i in idx[:5]) + (", ..." if n > 5 else "")
            raise ValueError(
                f"{source}, row(s) {rows_text}: every outage of {name!r} lasts 0; the log "
                "says nothing about its repair time, and an MTTR interval of [0, 0] would "
                "claim a certainty it does not have. Record the end times to the second, or "
                "drop the rows if they were not outages")
        row = {"component": name, "failures": n, "observed_h": t, "up_h": s, "down_h": y,
               "failure_rate": n / s, "failure_rate_low": rate_low,
               "failure_rate_high": rate_high, "mtbf_h": s / n,
               "mtbf_low_h": 1 / rate_high, "mtbf_high_h": 1 / rate_low}
        row.update(mttr_h=y / n,
                   mttr_low_h=2 * y / float(chi2.ppf(1 - alpha / 2, 2 * n)),
                   mttr_high_h=2 * y / float(chi2.ppf(alpha / 2, 2 * n)))
        a_low, a_high = availability_interval(n, s, y, level)
        row.update(availability=s / t, availability_low=a_low, availability_high=a_high,
                   outages_per_year=n / t * HOURS_PER_YEAR,
                   downtime_minutes_per_year=y / t * HOURS_PER_YEAR * 60.0)
        rows.append(row)
    table = pd.DataFrame(rows).set_index("component")
    table.attrs["level"] = level
    return table


def _read(log):
    import pandas as pd

    if isinstance(log, pd.DataFrame):
        return log.reset_index(drop=True), "incident log"
    path = Path(log)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except OSError as exc:
        raise ValueError(f"{path}: cannot read the incident log ({exc.strerror})") from None
    except (ValueError, UnicodeDecodeError) as exc:  # pandas' parser errors are ValueErrors
        raise ValueError(f"{path.name}: not a readable CSV file: {exc}") from None
    return frame, path.name


def _names(column, label: str, source: str) -> pd.Series:
    """Component names as stripped strings; a missing or blank name is refused by row."""
    import pandas as pd

    missing = column.isna().to_numpy()
    names = pd.Series(["" if gone else str(v).strip() for v, gone in zip(column, missing)],
                      index=column.index, dtype=object)
    for i, name in enumerate(names):
        if not name:
            raise ValueError(f"{source}, row {i + 1}, column {label!r}: the component name "
                             f"is missing ({column.iloc[i]!r}); every outage needs the "
                             "component that failed")
    return names


def _timestamps(column, label, names, source):
    """Parse a column of ISO 8601 timestamps to UTC; name the first bad row."""
    import pandas as pd

    text = column.astype(str).str.strip()
    parsed = pd.to_datetime(text, format="ISO8601", errors="coerce", utc=True)
    for i, (raw, value) in enumerate(zip(column, parsed)):
        if pd.isna(value):
            raise ValueError(f"{source}, row {i + 1} ({names.iloc[i]!r}), column {label!r}: "
                             f"cannot parse {raw!r} as a timestamp; expected ISO 8601 such "
                             "as '2024-03-05 14:10'")
    return parsed


def _check_overlap(idx, begins, ends, name, source):
    order = sorted(idx, key=lambda i: begins.iloc[i])
    for a, b in itertools.pairwise(order):
        if begins.iloc[b] < ends.iloc[a]:
            rows = sorted((a + 1, b + 1))
            raise ValueError(f"{source}, rows {rows[0]} and {rows[1]}: outages of {name!r} "
                             "overlap; a component that is down cannot fail again")


def _observation(observation, names, begins, ends, source) -> dict:
    """Observation time in hours per component."""
    import pandas as pd

    components = sorted(set(names))
    if isinstance(observation, Mapping):
        out = {}
        for name in components:
            if name not in observation:
                raise ValueError(f"observation: no entry for component {name!r}, which has "
                                 f"outages in the {source}")
            out[name] = positive_duration(observation[name], f"observation[{name!r}]")
        extra = sorted(set(observation) - set(components))
        if extra:
            raise ValueError(f"observation: {extra} have no outages in the {source}; "
                             "estimate_rates needs at least one outage per component (with "
                             "none, the failure rate has only an upper bound, "
                             "chi2(level; 2) / 2T)")
        return out
    if isinstance(observation, (tuple, list)):
        if len(observation) != 2:
            raise ValueError(f"observation {observation!r}: expected a duration or a "
                             "(start, end) pair of timestamps")
        try:
            first, last = (pd.Timestamp(x) for x in observation)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"observation {observation!r}: {exc}") from None
        first, last = (x.tz_localize("UTC") if x.tzinfo is None else x for x in (first, last))
        if last <= first:
            raise ValueError(f"observation {observation!r}: the window ends before it starts")
        for i in range(len(names)):
            if begins.iloc[i] < first or ends.iloc[i] > last:
                raise ValueError(f"{source}, row {i + 1} ({names.iloc[i]!r}): the outage "
                                 f"is outside the observation window {observation!r}")
        hours = (last - first).total_seconds() / 3600.0
        return dict.fromkeys(components, hours)
    try:
        hours = positive_duration(observation, "observation")
    except TypeError:
        raise TypeError(f"observation {observation!r}: expected a duration such as '1y', "
                        "a (start, end) pair of timestamps or a mapping component -> "
                        "duration") from None
    return dict.fromkeys(components, hours)
