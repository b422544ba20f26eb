"""What a design costs a year, and the cost of an hour down at which HA pays for itself.

A design's yearly cost has four parts:

* **running**: its hosts, hosted load balancers and optional support
  subscriptions, plus the engineering time to keep its hosts and its
  clustered tiers running (upgrades, failover tests);
* **incidents**: component failures per year (masked or not, every one pages
  someone) times the engineering time of an incident times the hourly rate,
  or a given cost per incident;
* **downtime**: hours down per year times the cost of an hour down.

The counts come from the stack itself (:func:`inventory`: hosts, clustered
tiers, units of each component kind) and the prices from ``data/costs.csv``
(:func:`cost_items`), where each item has a low, a typical and a high value
and a source. Since both designs' costs are straight lines in the cost of an
hour down ``c``, ``C(c) = R + I + D c``, the HA design is cheaper above

.. math:: c^* = \\frac{(R_\\mathrm{HA} + I_\\mathrm{HA}) - (R_\\mathrm{base} + I_\\mathrm{base})}
                     {D_\\mathrm{base} - D_\\mathrm{HA}},

the break-even cost of an hour down (:func:`break_even`), with a band from
the ranges of the cost items and of the field data.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from types import MappingProxyType

import numpy as np

from .data import DATA_DIR
from .units import HOURS_PER_YEAR

__all__ = ["BreakEven", "Inventory", "RunningCost", "break_even", "cost_items", "inventory",
           "yearly_cost"]

#: The cost items of ``data/costs.csv``, for the loader's checks.
COSTS_PATH = DATA_DIR / "costs.csv"
_COLUMNS = ["item", "description", "unit", "low", "typical", "high", "optional", "source",
            "notes"]
_ITEMS = ("host", "hosted_load_balancer", "support_subscription", "engineer_rate",
          "hours_per_incident", "upkeep_per_host", "upkeep_per_cluster")
_LEVELS = ("low", "typical", "high")
#: Component kinds that make a unit a host (a server or a VM host) of its own.
HOST_KINDS = ("physical_server", "hypervisor")
#: Tier models that are run as a cluster (failover, quorum, replication): each needs
#: failover tests and coordinated upgrades. A pool behind a load balancer does not.
CLUSTER_MODELS = ("active_standby", "majority_cluster", "two_node_cluster", "read_replicas")


# ------------------------------------------------------------------ the data
def cost_items(path: str | Path | None = None):
    """The yearly cost items of ``data/costs.csv``, checked, indexed by item.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A CSV with the columns of ``data/costs.csv`` (default: that file).

    Returns
    -------
    pandas.DataFrame
        Columns ``description``, ``unit``, ``low``, ``typical``, ``high``
        (floats), ``optional`` (bool), ``source`` and ``notes``.

    Raises
    ------
    ValueError
        For a missing column or item, an empty source, a value that is not a
        number >= 0, or ``low <= typical <= high`` broken; the message names
        the row and the column.

    Examples
    --------
    >>> import hamodel as hm
    >>> table = hm.cost_items()
    >>> table.loc["engineer_rate", ["low", "typical", "high"]].astype(float).tolist()
    [45.0, 70.0, 120.0]
    >>> bool(table.loc["support_subscription", "optional"])
    True
    """
    path = Path(COSTS_PATH if path is None else path)
    return _load(str(path), path.stat().st_mtime_ns).copy()


@lru_cache(maxsize=4)
def _load(path: str, mtime_ns: int):
    import pandas as pd

    name = Path(path).name
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"{name}: not a readable CSV file: {exc}") from None
    missing = [c for c in _COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{name}: missing column(s) {missing}; expected columns {_COLUMNS}")
    frame = frame[_COLUMNS].apply(lambda col: col.str.strip())
    numbers = {lvl: [] for lvl in _LEVELS}
    for i, row in enumerate(frame.to_dict("records"), start=1):
        where = f"{name}, row {i} (item {row['item']!r})"
        for col in ("item", "description", "unit", "source"):
            if not row[col]:
                raise ValueError(f"{where}, column {col!r}: empty; every value needs a "
                                 "source or a stated assumption")
        for lvl in _LEVELS:
            try:
                value = float(row[lvl].replace(",", ""))
            except ValueError:
                raise ValueError(f"{where}, column {lvl!r}: {row[lvl]!r}; expected a "
                                 "number") from None
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"{where}, column {lvl!r}: {row[lvl]!r}; expected a "
                                 "cost or a time >= 0")
            numbers[lvl].append(value)
        low, typical, high = (numbers[lvl][-1] for lvl in _LEVELS)
        if not low <= typical <= high:
            raise ValueError(f"{where}: expected low <= typical <= high, got {row['low']}, "
                             f"{row['typical']}, {row['high']}")
        if row["optional"] not in ("yes", "no"):
            raise ValueError(f"{where}, column 'optional': {row['optional']!r}; expected "
                             "'yes' or 'no'")
    absent = [item for item in _ITEMS if item not in set(frame["item"])]
    if absent:
        raise ValueError(f"{name}: missing item(s) {absent}; hamodel.costs needs {list(_ITEMS)}")
    if frame["item"].duplicated().any():
        raise ValueError(f"{name}: item {frame['item'][frame['item'].duplicated()].iloc[0]!r} "
                         "repeats")
    for lvl in _LEVELS:
        frame[lvl] = numbers[lvl]
    frame["optional"] = frame["optional"] == "yes"
    return frame.set_index("item")


def _item_values(values, case: str, optional) -> dict:
    """{item: value}: the `case` column of the data, optional items left out at 0, overrides."""
    if case not in _LEVELS:
        raise ValueError(f"case = {case!r}; expected one of {list(_LEVELS)}")
    table = cost_items()
    chosen = _optional(optional, table)
    out = {item: (float(row[case]) if not row["optional"] or item in chosen else 0.0)
           for item, row in table.iterrows()}
    return {**out, **_overrides(values, table)}


def _optional(optional, table) -> set:
    names = [optional] if isinstance(optional, str) else list(optional or ())
    for item in names:
        if item not in table.index or not table.loc[item, "optional"]:
            known = [i for i in table.index if table.loc[i, "optional"]]
            raise ValueError(f"optional item {item!r}: expected one of {known} (the rows of "
                             "data/costs.csv marked optional)")
    return set(names)


def _overrides(values, table) -> dict:
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        raise TypeError(f"values = {values!r}; expected a mapping {{item: amount}}, items "
                        f"from data/costs.csv: {list(table.index)}")
    out = {}
    for item, value in values.items():
        if item not in table.index:
            raise ValueError(f"unknown cost item {item!r}; expected one of {list(table.index)}")
        out[item] = _amount(value, f"values[{item!r}]")
    return out


def _amount(value, name: str) -> float:
    """A finite number >= 0, or a ValueError naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} = {value!r}; expected a number >= 0")
    value = float(value)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} = {value!r}; expected a finite amount >= 0")
    return value


# ------------------------------------------------------------------ counting
@dataclass(frozen=True)
class Inventory:
    """What a stack is made of, counted from its description.

    Attributes
    ----------
    name : str
    hosts : int
        Units that run on a server or VM host of their own (a unit whose
        components include ``physical_server`` or ``hypervisor``).
    clustered_tiers : int
        Tiers run as a cluster (models in :data:`CLUSTER_MODELS`).
    clustered_hosts : int
        Hosts in those tiers.
    kinds : Mapping[str, int]
        Component kind -> units of it in the stack (a standby or a replica
        counts as many times as it runs).

    Examples
    --------
    >>> import hamodel as hm
    >>> inv = hm.inventory(hm.load_stack("ha_galera_drbd.yaml"))
    >>> inv.hosts, inv.clustered_tiers, inv.clustered_hosts
    (12, 4, 10)
    >>> inv.kinds["galera_node"]
    3
    """

    name: str
    hosts: int
    clustered_tiers: int
    clustered_hosts: int
    kinds: Mapping = field(default_factory=dict)

    @property
    def summary(self):
        """pandas.DataFrame: the counts, one row each."""
        import pandas as pd

        rows = {"hosts": self.hosts, "clustered tiers": self.clustered_tiers,
                "hosts in clustered tiers": self.clustered_hosts,
                **{f"units of {k}": v for k, v in self.kinds.items()}}
        return pd.DataFrame({"count": rows}).rename_axis("what")


def inventory(stack) -> Inventory:
    """Count the hosts, clustered tiers and component units of a stack.

    Parameters
    ----------
    stack : Stack
        From :func:`hamodel.load_stack` or :meth:`hamodel.Stack.from_dict`:
        the counts are read from its description, so a stack put together
        from models directly is refused.

    Returns
    -------
    Inventory

    Examples
    --------
    >>> import hamodel as hm
    >>> hm.inventory(hm.load_stack("single_server.yaml")).hosts
    1
    """
    from .stacks import Stack

    if not isinstance(stack, Stack):
        raise TypeError(f"stack = {stack!r}; expected a Stack (hm.load_stack)")
    doc = stack.document
    if doc is None:
        raise ValueError(f"stack {stack.name!r} was put together from models, so there is no "
                         "description to count hosts in; build it with hm.load_stack(...) or "
                         "hm.Stack.from_dict(...)")
    kinds: dict = {}
    hosts = clustered_tiers = clustered_hosts = 0
    for spec in doc.get("shared") or []:
        hosts += _count(spec, 1, kinds)
    for tier in doc["tiers"]:
        found = sum(_count(spec, times, kinds) for spec, times in _units(tier))
        hosts += found
        if tier["model"] in CLUSTER_MODELS:
            clustered_tiers += 1
            clustered_hosts += found
    return Inventory(stack.name, hosts, clustered_tiers, clustered_hosts,
                     MappingProxyType(kinds))


def _units(tier: dict) -> list:
    """[(component spec, how many units of it run), ...] of one tier of a stack file."""
    model = tier["model"]
    if model == "single":
        return [(tier["unit"], 1)]
    if model == "series":
        return [(u, 1) for u in tier["units"]]
    if model in ("parallel", "k_of_n"):
        return [(tier["unit"], tier["n"])]
    if model == "active_standby":  # the standby defaults to a copy of the unit
        standby = tier.get("standby")
        return [(tier["unit"], 1), (tier["unit"] if standby is None else standby, 1)]
    if model == "majority_cluster":
        return [(tier["node"], tier["n"]), (tier.get("witness"), 1)]
    if model == "two_node_cluster":
        return [(tier["node"], 2), (tier.get("link"), 1), (tier.get("witness"), 1)]
    if model == "read_replicas":
        return [(tier["primary"], 1), (tier["replica"], tier["n"])]
    raise ValueError(f"tier model {model!r}: unknown")  # pragma: no cover - load_stack checks


def _count(spec, times: int, kinds: dict) -> int:
    """Add a component spec's kinds `times` over; return the hosts it makes (0 or `times`)."""
    if spec is None:
        return 0
    parts = spec if isinstance(spec, list) else [spec]
    is_host = False
    for part in parts:
        if isinstance(part, list):  # a nested host list: count its parts, one host at most
            is_host |= _count(part, times, kinds) > 0
            continue
        kind = part if isinstance(part, str) else part.get("kind")
        if kind is None:
            continue
        kinds[kind] = kinds.get(kind, 0) + times
        is_host |= kind in HOST_KINDS
    return times if is_host else 0


# ------------------------------------------------------------------ one design
@dataclass(frozen=True)
class RunningCost:
    """The yearly cost of one design, item by item (see :func:`yearly_cost`).

    Attributes
    ----------
    name : str
    inventory : Inventory
    values : Mapping[str, float]
        The cost items used (``data/costs.csv``'s, overridden by ``values=``).
    cost_per_hour_down : float
    cost_per_incident : float
        As given, or hours per incident times the engineer's rate.
    incidents_per_year, downtime_hours_per_year : float
        From the design's model.
    """

    name: str
    inventory: Inventory
    values: Mapping
    cost_per_hour_down: float
    cost_per_incident: float
    incidents_per_year: float
    downtime_hours_per_year: float

    @cached_property
    def items(self) -> dict:
        """{row: (count, unit cost, yearly cost, basis)} of the cost table."""
        v, inv = self.values, self.inventory
        rate = v["engineer_rate"]
        upkeep_hours = (inv.hosts * v["upkeep_per_host"]
                        + inv.clustered_tiers * v["upkeep_per_cluster"])
        lbs = inv.kinds.get("load_balancer_appliance", 0)
        return {
            "hosts": (inv.hosts, v["host"], inv.hosts * v["host"], "per host"),
            "hosted load balancers": (lbs, v["hosted_load_balancer"],
                                      lbs * v["hosted_load_balancer"], "per load balancer"),
            "licences and support": (inv.clustered_hosts, v["support_subscription"],
                                     inv.clustered_hosts * v["support_subscription"],
                                     "per clustered host"),
            "engineering upkeep": (upkeep_hours, rate, upkeep_hours * rate,
                                   "engineer hours a year"),
            "incidents": (self.incidents_per_year, self.cost_per_incident,
                          self.incidents_per_year * self.cost_per_incident, "per incident"),
            "downtime": (self.downtime_hours_per_year, self.cost_per_hour_down,
                         self.downtime_hours_per_year * self.cost_per_hour_down,
                         "per hour down"),
        }

    @property
    def running(self) -> float:
        """Hosts, load balancers, licences and engineering upkeep, per year."""
        return float(sum(self.items[k][2] for k in ("hosts", "hosted load balancers",
                                                     "licences and support",
                                                     "engineering upkeep")))

    @property
    def incident_cost(self) -> float:
        return float(self.items["incidents"][2])

    @property
    def downtime_cost(self) -> float:
        return float(self.items["downtime"][2])

    @property
    def total(self) -> float:
        """Running, incident and downtime cost, per year."""
        return self.running + self.incident_cost + self.downtime_cost

    @property
    def summary(self):
        """pandas.DataFrame: one row per item and a total; count, unit cost, per year."""
        import pandas as pd

        rows = dict(self.items)
        table = pd.DataFrame.from_dict(rows, orient="index",
                                       columns=["count", "unit cost", "per year", "basis"])
        table.loc["total"] = [np.nan, np.nan, self.total, ""]
        table.index.name = "item"
        return table

    def _repr_html_(self) -> str:
        return f"<p><b>{self.name}: yearly cost</b></p>" + self.summary.to_html(
            float_format=lambda x: f"{x:,.2f}", na_rep="")


def yearly_cost(stack, *, cost_per_hour_down: float = 0.0, cost_per_incident=None,
                values: Mapping | None = None, case: str = "typical", optional=()) -> RunningCost:
    """The yearly cost of a design: running it, its incidents and its downtime.

    Parameters
    ----------
    stack : Stack
        The design; hosts and clustered tiers are counted from its
        description (:func:`inventory`), incidents and downtime per year come
        from its model.
    cost_per_hour_down : float
        The cost of one hour of downtime (0: leave downtime out).
    cost_per_incident : float, optional
        The cost of one incident; default ``hours_per_incident *
        engineer_rate`` from ``data/costs.csv``.
    values : mapping, optional
        ``{item: amount}`` replacing items of ``data/costs.csv`` (``{"host":
        2500}`` for the client's own server price).
    case : {"typical", "low", "high"}
        Which column of ``data/costs.csv`` to use.
    optional : sequence of str
        Optional items to count (``["support_subscription"]``); left out
        (0) otherwise.

    Returns
    -------
    RunningCost

    Raises
    ------
    ValueError, TypeError
        For a negative or non-numeric amount, an unknown item or case.

    Examples
    --------
    >>> import hamodel as hm
    >>> one = hm.yearly_cost(hm.load_stack("single_server.yaml"), cost_per_hour_down=1000)
    >>> one.summary.loc["hosts", ["count", "unit cost", "per year"]].astype(float).tolist()
    [1.0, 1000.0, 1000.0]
    >>> round(one.running)  # 1 host + 12 h of upkeep at 70 an hour
    1840
    >>> hm.yearly_cost(hm.load_stack("single_server.yaml"), values={"host": -1})
    Traceback (most recent call last):
    ...
    ValueError: values['host'] = -1.0; expected a finite amount >= 0
    """
    cost_per_hour_down = _amount(cost_per_hour_down, "cost_per_hour_down")
    v = _item_values(values, case, optional)
    per_incident = (v["hours_per_incident"] * v["engineer_rate"] if cost_per_incident is None
                    else _amount(cost_per_incident, "cost_per_incident"))
    inv = inventory(stack)
    m = stack.measures()
    return RunningCost(stack.name, inv, MappingProxyType(v), cost_per_hour_down, per_incident,
                       float(m.incidents_per_year), float(m.downtime_minutes_per_year / 60.0))


# ------------------------------------------------------------------ break-even
def _triangular_ppf(u, low, typical, high):
    """Quantiles of the linear triangular law (for items whose low is 0)."""
    if high == low:
        return np.full_like(u, low)
    split = (typical - low) / (high - low)
    return np.where(u < split, low + np.sqrt(u * (high - low) * (typical - low)),
                    high - np.sqrt((1 - u) * (high - low) * (high - typical)))


@dataclass(frozen=True, eq=False)
class BreakEven:
    """Two designs' yearly costs against the cost of an hour down (see :func:`break_even`).

    Each design's yearly cost is the line ``running + incidents + downtime_hours * c``
    in the cost of an hour down ``c``.

    Attributes
    ----------
    ha, baseline : RunningCost
        The two designs at typical values.
    samples : pandas.DataFrame
        One row per draw: ``running``, ``incidents`` (cost per year) and
        ``downtime`` (hours per year) of each design (columns suffixed
        ``_ha`` and ``_base``), and ``break_even``.
    extra_running_given : float or None
        The HA design's extra running cost when it was given rather than
        estimated.
    levels : tuple of float
        Quantile levels of the bands (5 %, 50 %, 95 % by default).
    """

    ha: RunningCost
    baseline: RunningCost
    samples: object = field(repr=False)
    extra_running_given: float | None = None
    levels: tuple = (0.05, 0.5, 0.95)

    # --- typical values
    @property
    def extra_running(self) -> float:
        """The HA design's running cost minus the baseline's, per year."""
        if self.extra_running_given is not None:
            return self.extra_running_given
        return self.ha.running - self.baseline.running

    @property
    def extra_incidents(self) -> float:
        return self.ha.incident_cost - self.baseline.incident_cost

    @property
    def downtime_saved(self) -> float:
        """Hours of downtime a year the HA design saves (negative: it adds)."""
        return self.baseline.downtime_hours_per_year - self.ha.downtime_hours_per_year

    @property
    def value(self) -> float:
        """The break-even cost of an hour down at typical values (see :func:`break_even`)."""
        return _break_even(self.extra_running + self.extra_incidents, self.downtime_saved)

    def total(self, cost_per_hour_down, design: str = "ha"):
        """Yearly total cost of ``"ha"`` or ``"baseline"`` at typical values (array in, array out)."""
        r = self.ha if design == "ha" else self.baseline
        if design not in ("ha", "baseline"):
            raise ValueError(f"design = {design!r}; expected 'ha' or 'baseline'")
        running = (self.baseline.running + self.extra_running if design == "ha"
                   else self.baseline.running)
        c = np.asarray(cost_per_hour_down, dtype=float)
        return running + r.incident_cost + r.downtime_hours_per_year * c

    def total_band(self, cost_per_hour_down, design: str = "ha"):
        """(low, high) quantiles of the yearly total over the draws, at each cost."""
        s = self._suffix(design)
        c = np.atleast_1d(np.asarray(cost_per_hour_down, dtype=float))
        draws = (self.samples[f"running{s}"].to_numpy()[:, None]
                 + self.samples[f"incidents{s}"].to_numpy()[:, None]
                 + self.samples[f"downtime{s}"].to_numpy()[:, None] * c[None, :])
        return (np.quantile(draws, self.levels[0], axis=0),
                np.quantile(draws, self.levels[-1], axis=0))

    def net_saving(self, cost_per_hour_down: float) -> tuple:
        """(typical, low, high): the baseline's yearly total minus the HA design's."""
        c = _amount(cost_per_hour_down, "cost_per_hour_down")
        typical = float(self.total(c, "baseline") - self.total(c, "ha"))
        s = self.samples
        draws = (s["running_base"] + s["incidents_base"] + s["downtime_base"] * c
                 - s["running_ha"] - s["incidents_ha"] - s["downtime_ha"] * c)
        return typical, float(draws.quantile(self.levels[0])), float(draws.quantile(self.levels[-1]))

    def cheaper(self, cost_per_hour_down: float) -> str:
        """``"ha"`` or ``"baseline"`` when that design is cheaper across the band, else ``"close"``."""
        _, low, high = self.net_saving(cost_per_hour_down)
        return "ha" if low > 0 else "baseline" if high < 0 else "close"

    @cached_property
    def quantiles(self):
        """pandas.Series: the break-even cost of an hour down at the band's levels."""
        import pandas as pd

        values = np.quantile(self.samples["break_even"].to_numpy(), self.levels,
                             method="inverted_cdf")
        return pd.Series(values, index=list(self.levels), name="break_even")

    @property
    def summary(self):
        """pandas.DataFrame: extra running and incident cost, downtime saved, break-even."""
        import pandas as pd

        s = self.samples
        draws = {
            "extra running cost (per year)": s["running_ha"] - s["running_base"],
            "extra incident cost (per year)": s["incidents_ha"] - s["incidents_base"],
            "downtime saved (h/yr)": s["downtime_base"] - s["downtime_ha"],
            "break-even cost of an hour down": s["break_even"],
        }
        typical = [self.extra_running, self.extra_incidents, self.downtime_saved, self.value]
        table = pd.DataFrame(
            {"typical": typical,
             **{f"{100 * q:g}%": [float(np.quantile(d.to_numpy(), q, method="inverted_cdf"))
                                  for d in draws.values()] for q in self.levels}},
            index=pd.Index(list(draws), name="quantity"))
        return table

    def _suffix(self, design: str) -> str:
        if design not in ("ha", "baseline"):
            raise ValueError(f"design = {design!r}; expected 'ha' or 'baseline'")
        return "_ha" if design == "ha" else "_base"

    def _repr_html_(self) -> str:
        return (f"<p><b>{self.ha.name} against {self.baseline.name}</b></p>"
                + self.summary.to_html(float_format=lambda x: f"{x:,.4g}"))


def _break_even(extra, saved):
    """Cost of an hour down above which HA is cheaper; inf if never, 0 if always."""
    extra, saved = np.asarray(extra, dtype=float), np.asarray(saved, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = extra / saved
    out = np.where(saved > 0, np.maximum(ratio, 0.0), np.where(extra > 0, np.inf, 0.0))
    return float(out) if out.ndim == 0 else out


def break_even(ha, baseline, *, cost_per_incident=None, values=None, optional=(),
               extra_running=None, field=None, n: int = 200, seed=1,
               quantiles=(0.05, 0.5, 0.95)) -> BreakEven:
    """The cost of an hour down at which the HA design's yearly cost equals the baseline's.

    Both designs' yearly costs are lines in the cost of an hour down ``c``:
    ``C(c) = R + I + D c`` (running cost, incident cost, hours down a
    year). They cross at ``c* = (R_HA + I_HA - R_base - I_base) / (D_base -
    D_HA)``: above it HA is cheaper. If HA saves no downtime, ``c*`` is
    infinite (HA never pays) unless it is also no dearer to run.

    Parameters
    ----------
    ha, baseline : Stack
        The two designs (:func:`hamodel.load_stack`).
    cost_per_incident, values, optional
        As for :func:`yearly_cost`. A given `cost_per_incident` is fixed in
        the band; otherwise hours per incident and the rate vary.
    extra_running : float, optional
        The HA design's extra yearly running cost, when the client knows
        it: replaces the estimate from the stacks (and its range).
    field : tuple of UncertaintyResult, optional
        ``(ha_result, baseline_result)`` from :func:`hamodel.uncertainty`:
        their draws of downtime and incidents per year are paired, draw by
        draw, with draws of the cost items. Default: computed here with `n`
        and `seed`; ``False`` varies the cost items only.
    n : int
        Draws of the cost items (Latin hypercube, log-triangular over each
        item's low..high, linear where low is 0); with `field` given, its
        number of draws.
    seed : int, optional
        Seed of the draws.
    quantiles : sequence of float
        Levels of the bands; the first and last bound them.

    Returns
    -------
    BreakEven

    Examples
    --------
    >>> import hamodel as hm
    >>> ha, one = hm.load_stack("ha_galera_drbd.yaml"), hm.load_stack("single_server.yaml")
    >>> result = hm.break_even(ha, one, field=False, n=50, seed=1)
    >>> round(result.extra_running)  # 11 more hosts, their upkeep, 4 clustered tiers
    26960
    >>> closed = (result.extra_running + result.extra_incidents) / result.downtime_saved
    >>> bool(abs(result.value - closed) < 1e-9)
    True
    >>> result.cheaper(20), result.cheaper(1e6)
    ('baseline', 'ha')
    """
    from .studies import _LogTriangular, _check_n, _qmc, _qmc_engine, _rng

    typical_ha = yearly_cost(ha, cost_per_incident=cost_per_incident, values=values,
                             optional=optional)
    typical_base = yearly_cost(baseline, cost_per_incident=cost_per_incident, values=values,
                               optional=optional)
    if extra_running is not None:
        extra_running = float(np.asarray(extra_running, dtype=float)) if isinstance(
            extra_running, np.generic) else extra_running
        if not isinstance(extra_running, (int, float)) or isinstance(extra_running, bool) \
                or not math.isfinite(extra_running):
            raise TypeError(f"extra_running = {extra_running!r}; expected a number")
        extra_running = float(extra_running)
    if field is None:
        from .studies import uncertainty

        n = _check_n(n)
        field = (uncertainty(ha, n=n, seed=seed), uncertainty(baseline, n=n, seed=seed))
    if field is not False:
        if not (isinstance(field, (tuple, list)) and len(field) == 2):
            raise TypeError(f"field = {field!r}; expected (ha_result, baseline_result) from "
                            "hm.uncertainty, None or False")
        n = len(field[0].samples)
        if len(field[1].samples) != n:
            raise ValueError(f"field: {n} draws for the HA design, {len(field[1].samples)} "
                             "for the baseline; expected the same number")
    n = _check_n(n)
    levels = tuple(sorted(float(q) for q in quantiles))
    if not levels or not all(0.0 < q < 1.0 for q in levels):
        raise ValueError(f"quantiles {quantiles!r}: expected levels strictly between 0 and 1")

    # Draws of the cost items: common to both designs (one engineer's rate, one host price).
    table = cost_items()
    chosen = _optional(optional, table)
    fixed = _overrides(values, table)
    varied = [item for item, row in table.iterrows()
              if item not in fixed and (not row["optional"] or item in chosen)
              and row["low"] < row["high"]]
    unit = _qmc(_qmc_engine("LatinHypercube"), max(1, len(varied)), _rng(seed)).random(n)
    draws = {}
    for item, row in table.iterrows():
        if item in fixed:
            draws[item] = np.full(n, fixed[item])
        elif item in varied:
            u = unit[:, varied.index(item)]
            lo, typ, hi = float(row["low"]), float(row["typical"]), float(row["high"])
            draws[item] = (_LogTriangular(lo, typ, hi).ppf(u) if lo > 0
                           else _triangular_ppf(u, lo, typ, hi))
        else:
            draws[item] = np.full(n, typical_ha.values[item])

    def running(inv):
        return (inv.hosts * draws["host"]
                + inv.kinds.get("load_balancer_appliance", 0) * draws["hosted_load_balancer"]
                + inv.clustered_hosts * draws["support_subscription"]
                + (inv.hosts * draws["upkeep_per_host"]
                   + inv.clustered_tiers * draws["upkeep_per_cluster"]) * draws["engineer_rate"])

    per_incident = (draws["hours_per_incident"] * draws["engineer_rate"]
                    if cost_per_incident is None else np.full(n, typical_ha.cost_per_incident))
    import pandas as pd

    cols = {}
    for suffix, result, typical in (("_ha", field and field[0], typical_ha),
                                    ("_base", field and field[1], typical_base)):
        if result:
            incidents = result.samples["incidents_per_year"].to_numpy()
            downtime = result.samples["downtime_per_year"].to_numpy() / 60.0
        else:
            incidents = np.full(n, typical.incidents_per_year)
            downtime = np.full(n, typical.downtime_hours_per_year)
        cols[f"running{suffix}"] = running(typical.inventory)
        cols[f"incidents{suffix}"] = incidents * per_incident
        cols[f"downtime{suffix}"] = downtime
    if extra_running is not None:
        cols["running_ha"] = cols["running_base"] + extra_running
    samples = pd.DataFrame(cols)
    samples["break_even"] = _break_even(
        samples["running_ha"] + samples["incidents_ha"]
        - samples["running_base"] - samples["incidents_base"],
        samples["downtime_base"] - samples["downtime_ha"])
    return BreakEven(typical_ha, typical_base, samples, extra_running, levels)
