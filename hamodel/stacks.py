"""Whole stacks described in YAML: tiers of HA building blocks over shared infrastructure.

A stack file names its tiers (load balancers, web, database, files, ...),
each built by one of hamodel's models from component kinds in
``data/components.csv``, plus shared infrastructure (power feed, switch,
hypervisor, site) that every tier depends on. The stack's model is the
series of the shared components and the tiers; tiers are taken as
independent of each other.

Schema (keys in brackets are optional)::

    name: Full HA stack
    [description: free text]
    [baseline: other_stack.yaml]   # the design this one should beat
    [shared: [component, ...]]     # in series with every tier
    tiers:
      - name: web
        model: single | series | parallel | k_of_n | active_standby |
               majority_cluster | two_node_cluster | read_replicas
        ...model parameters, see TIER_MODELS

A component is a kind name (``haproxy``) or a mapping
``{kind: haproxy, [case: typical|low|high|pessimistic|optimistic],
[mtbf: 2y], [mttr: 30min], [name: lb]}``; or ``{name: x, mtbf: .., mttr: ..}``
with no kind at all. A list of components is a host (say hardware, OS and
daemon in series), folded into one unit with the same availability and
failure frequency (:meth:`Component.equivalent`).

Rules a stack file must follow beyond the schema:

* Every duration carries its unit (``failover: 60s``, ``mttr: 4h``): a bare
  number is refused, since it would silently mean hours. ``0`` needs none.
* The file is UTF-8; a key appears once in its mapping; an alias (``*a``)
  may repeat an anchored value but not refer to the value that contains it.
* ``link: null`` gives a two-node cluster a perfect interconnect; ``null``
  for another optional component (``standby``, ``witness``) means the default.
* Size: at most 200 tiers, 500 units in one tier and 10,000 components in
  all, so that a typo cannot start an hour-long solve.
"""

from __future__ import annotations

import copy
import inspect
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from .blocks import k_of_n, series
from .component import Component
from .data import CASES, DATA_DIR, component as data_component
from .measures import Measure
from .units import duration, positive_duration

if TYPE_CHECKING:  # pragma: no cover - annotations only
    import pandas as pd

    from .blocks import Series
    from .measures import Measures
    from .phasetype import PhaseType

__all__ = ["Stack", "StackError", "load_stack", "shipped_stacks"]

#: The folder of the stack descriptions that ship with hamodel (``data/stacks`` in a
#: checkout, ``hamodel/_data/stacks`` in an installed package).
STACKS = DATA_DIR / "stacks"


class StackError(ValueError):
    """A stack description is wrong; the message names the file, key path and expectation."""


#: Tier models and their parameters: (required, optional). Component-valued
#: parameters are marked by :data:`_COMPONENT_KEYS`.
TIER_MODELS = {
    "single": ({"unit"}, set()),
    "series": ({"units"}, set()),
    "parallel": ({"n", "unit"}, {"crews", "beta"}),
    "k_of_n": ({"k", "n", "unit"}, {"crews", "beta"}),
    "active_standby": ({"unit"}, {"standby", "failover", "coverage", "standby_mode", "crews",
                                  "manual_recovery"}),
    "majority_cluster": ({"n", "node"}, {"witness", "crews", "failover", "beta", "serving"}),
    "two_node_cluster": ({"node", "link"}, {"tie_breaker", "fencing", "failover", "crews",
                                            "manual_recovery", "witness"}),
    "read_replicas": ({"primary", "replica", "n"}, {"promotion", "crews", "use"}),
}
_COMPONENT_KEYS = {"unit", "standby", "node", "witness", "link", "primary", "replica"}
_COMPONENT_FIELDS = {"kind", "case", "mtbf", "mttr", "name"}
#: Tier parameters (and Fencing fields) that are durations: a stack file gives their unit.
_DURATION_KEYS = ("failover", "manual_recovery", "promotion")
_FENCING_DURATIONS = ("delay", "time")
# Size guards: far above any real stack, far below an hour-long solve (1,000 units in
# one k-of-n tier take 15 s, 3,000 several minutes; a stack's cost grows with its tiers).
_MAX_TIERS = 200
_MAX_UNITS = 500
_MAX_COMPONENTS = 10_000


_SHARE_OF_DOWNTIME = Measure("share_of_downtime", "Share of the stack's downtime",
                             "share of downtime", "share")
# The measures of Stack.breakdown by default.
_BREAKDOWN = ("availability", "outages_per_year", "mean_down_time", "downtime_per_year",
              "incidents_per_year")


@dataclass(frozen=True, eq=False)
class Stack:
    """A loaded stack: tiers of models over shared infrastructure.

    Attributes
    ----------
    name, description : str
    path : pathlib.Path or None
    tiers : Mapping[str, model]
        Tier name -> its model, in file order.
    shared : tuple of Component
        Shared infrastructure, in series with every tier.
    baseline : pathlib.Path or None
        The stack file this design is meant to be compared against (the
        ``baseline`` key), such as the all-on-one-server stack.
    component_kinds : tuple of str
        The kinds of ``data/components.csv`` named in the file, in order of
        first use (see :meth:`kinds`).
    case : str or None
        The ``case=`` the stack was loaded with, so that it can be rebuilt
        (:func:`hamodel.uncertainty` does).
    document : mapping or None
        The description it was built from (the YAML file's content, or the
        mapping given to :meth:`from_dict`); :meth:`with_values`,
        :meth:`with_tier` and :meth:`without_tiers` rebuild the stack from it
        without reading any file. None for a stack put together from models
        directly.
    values : mapping or None
        The ``values=`` the stack was loaded with, kept so that
        :meth:`with_tier` and :meth:`without_tiers` rebuild it with them.

    Examples
    --------
    A stack described in code, with components from the field data:

    >>> import hamodel as hm
    >>> shop = hm.Stack.from_dict({
    ...     "name": "shop", "shared": [{"kind": "power_feed"}],
    ...     "tiers": [{"name": "db", "model": "parallel", "n": 2,
    ...                "unit": {"kind": "physical_server"}}]})
    >>> shop.kinds()
    ('power_feed', 'physical_server')
    >>> slower = shop.with_values({"physical_server": {"mttr": "72h"}})
    >>> slower.tiers["db"].measures().mean_down_time > shop.tiers["db"].measures().mean_down_time
    True
    """

    name: str
    description: str
    path: Path | None
    tiers: MappingProxyType
    shared: tuple
    baseline: Path | None = None
    component_kinds: tuple = ()
    case: str | None = None
    document: object = field(default=None, repr=False)
    values: object = field(default=None, repr=False)

    @classmethod
    def from_dict(cls, document, *, case: str | None = None, values=None,
                  path=None) -> "Stack":
        """A stack from a mapping with the keys of a stack file (``name``, ``tiers``, ...).

        The same rules and checks as :func:`load_stack`, without reading a
        file; `case` and `values` as there. `path`, if given, is where the
        description came from: errors name it and a ``baseline`` is found
        beside it.
        """
        return _build_stack(copy.deepcopy(document), None if path is None else Path(path),
                            case, values)

    def with_values(self, values=None, *, case: str | None = None) -> "Stack":
        """The same stack with other field-data values or another data case.

        Rebuilt from :attr:`document` (nothing is read from disk), with
        ``values`` = ``{kind: {"mtbf": ..., "mttr": ...}}`` as in
        :func:`load_stack`, and `case` (default: the stack's own).

        Raises
        ------
        ValueError
            For a stack put together from models directly, which has no
            description to rebuild from.
        """
        if self.document is None:
            raise ValueError(f"stack {self.name!r} was put together from models, so it has no "
                             "description to rebuild with other values; build it with "
                             "hm.Stack.from_dict(...) or hm.load_stack(...)")
        return _build_stack(copy.deepcopy(self.document), self.path,
                            self.case if case is None else case, values)

    def with_tier(self, tier: Mapping, *, before: str | None = None,
                  name: str | None = None) -> "Stack":
        """The same stack with one tier added, or replaced by another design.

        Build a design up step by step from a baseline: split a tier onto a
        host of its own, then make it redundant, and so on, each step a new
        stack (the stack itself is not changed).

        Parameters
        ----------
        tier : mapping
            One tier as in a stack file: ``name``, ``model`` and the model's
            parameters. If the stack has a tier of that name, the new one
            takes its place; otherwise it is added at the end, or just before
            the tier named `before`.
        before : str, optional
            Where a new tier goes: before this tier. Not allowed when `tier`
            replaces an existing tier, which keeps its place.
        name : str, optional
            The new stack's name; default the stack's own.

        Returns
        -------
        Stack
            Rebuilt from :attr:`document` with the same ``case`` and
            ``values`` (nothing is read from disk), so every rule and check of
            :func:`load_stack` applies to the new tier.

        Raises
        ------
        ValueError
            For a stack put together from models directly (no description),
            a `tier` without a ``name``, or a `before` that names no tier.
        StackError
            For a tier the stack file rules refuse (an unknown model, a
            duration without its unit, ...).

        Examples
        --------
        >>> import hamodel as hm
        >>> one = hm.load_stack("single_server.yaml")
        >>> pair = one.with_tier({"name": "web", "model": "parallel", "n": 2,
        ...                       "unit": ["physical_server", "web_server"]}, name="web pair")
        >>> list(pair.tiers) == list(one.tiers), pair.name
        (True, 'web pair')
        >>> lb = pair.with_tier({"name": "lb", "model": "single", "unit": "haproxy"},
        ...                     before="server")
        >>> list(lb.tiers)[:2]
        ['lb', 'server']
        """
        doc = self._document_for("with_tier")
        if not isinstance(tier, Mapping) or "name" not in tier:
            raise ValueError(f"with_tier: tier = {_short(tier)}; expected a mapping with a "
                             "'name' and a 'model', as a tier of a stack file")
        tiers = list(doc.get("tiers") or [])
        names = [t.get("name") if isinstance(t, Mapping) else None for t in tiers]
        new = copy.deepcopy(dict(tier))
        if new["name"] in names:
            if before is not None:
                raise ValueError(f"with_tier: tier {new['name']!r} replaces the stack's tier of "
                                 f"that name in its place; before = {before!r} is not allowed")
            tiers[names.index(new["name"])] = new
        elif before is None:
            tiers.append(new)
        elif before in names:
            tiers.insert(names.index(before), new)
        else:
            raise ValueError(f"with_tier: before = {before!r}; the stack's tiers are {names}")
        doc["tiers"] = tiers
        if name is not None:
            doc["name"] = name
        return _build_stack(doc, self.path, self.case, self.values)

    def without_tiers(self, *names: str, name: str | None = None) -> "Stack":
        """The same stack without the tiers named (say, once their work moves to other hosts).

        Parameters
        ----------
        *names : str
            Tiers to leave out; each must be a tier of the stack.
        name : str, optional
            The new stack's name; default the stack's own.

        Returns
        -------
        Stack
            Rebuilt from :attr:`document` as by :meth:`with_tier`.

        Raises
        ------
        ValueError
            For a name that is not a tier of the stack, or for leaving no tier.

        Examples
        --------
        >>> import hamodel as hm
        >>> one = hm.load_stack("single_server.yaml")
        >>> list(one.without_tiers("disks", "raid controller").tiers)
        ['server', 'web', 'database', 'ldap', 'operator error']
        """
        doc = self._document_for("without_tiers")
        tiers = list(doc.get("tiers") or [])
        have = [t.get("name") if isinstance(t, Mapping) else None for t in tiers]
        for gone in names:
            if gone not in have:
                raise ValueError(f"without_tiers: {gone!r} is not a tier of {self.name!r}; "
                                 f"its tiers are {have}")
        doc["tiers"] = [t for t, n in zip(tiers, have) if n not in names]
        if not doc["tiers"]:
            raise ValueError(f"without_tiers: leaving out {list(names)} leaves {self.name!r} "
                             "with no tier")
        if name is not None:
            doc["name"] = name
        return _build_stack(doc, self.path, self.case, self.values)

    def _document_for(self, what: str) -> dict:
        """A fresh copy of the description to edit, or a clear error when there is none."""
        if self.document is None:
            raise ValueError(f"{what}: stack {self.name!r} was put together from models, so it "
                             "has no description to rebuild; build it with "
                             "hm.Stack.from_dict(...) or hm.load_stack(...)")
        return copy.deepcopy(dict(self.document))

    def kinds(self) -> tuple:
        """The component kinds the stack uses, in order of first use.

        Examples
        --------
        >>> import hamodel as hm
        >>> hm.load_stack("single_server.yaml").kinds()[:3]
        ('power_feed', 'switch', 'physical_server')
        """
        return tuple(self.component_kinds)

    @cached_property
    def model(self) -> Series:
        """The whole stack as one block: shared components and tiers in series."""
        return series(*self.shared, *self.tiers.values(), name=self.name)

    def measures(self) -> Measures:
        """Measures of the whole stack."""
        return self.model.measures()

    def outage_duration(self) -> PhaseType:
        """Distribution of one outage of the whole stack (needs its product chain)."""
        return self.model.outage_duration()

    def outages_longer_than(self, longer_than: str | float) -> float:
        """Outages per year longer than `longer_than`."""
        return self.model.outages_longer_than(longer_than)

    def downtime_distribution(self, window="30d", initial=None, **kwargs):
        """Law of the stack's total downtime in a window (see ``Model.downtime_distribution``)."""
        return self.model.downtime_distribution(window, initial, **kwargs)

    def slo_breach_probability(self, slo=None, window="30d", **kwargs) -> float:
        """Chance that a window's downtime exceeds the SLO's error budget."""
        return self.model.slo_breach_probability(slo, window, **kwargs)

    def slo_breaches_per_year(self, slo=None, window="30d", **kwargs) -> float:
        """Expected number of breached windows per year (windows back to back)."""
        return self.model.slo_breaches_per_year(slo, window, **kwargs)

    def outage_count_distribution(self, window="30d", longer_than=None, **kwargs):
        """How many outages (longer than `longer_than`) of the stack start in a window."""
        return self.model.outage_count_distribution(window, longer_than, **kwargs)

    def hour_of_day(self, oncall=None, traffic=None, **kwargs):
        """Outages and their cost by hour of the day, tier by tier (see :func:`hamodel.hour_of_day`)."""
        from .hourly import hour_of_day

        return hour_of_day(self, oncall, traffic, **kwargs)

    @property
    def parts(self) -> dict:
        """Every part of the stack by label: shared components first, then tiers."""
        out = {f"shared: {c.name}": c for c in self.shared}
        out.update(self.tiers)
        return out

    def single_points_of_failure(self) -> list[str]:
        """Parts whose one failure takes the whole stack down.

        These are the shared components and the tiers made of one unit. A
        tier built from a redundant block or an HA pattern is not listed,
        even though the diagram holds its chain as one box: inside it, one
        failure is masked.

        Examples
        --------
        >>> import hamodel as hm
        >>> hm.load_stack("ha_mmm_nfs.yaml").single_points_of_failure()
        ['shared: power', 'shared: switch', 'files', 'operator error']
        """
        singles = {next(iter(c)) for c in self.model.minimal_cut_sets(max_order=1) if len(c) == 1}
        return [label for label, part in self.parts.items()
                if isinstance(part, Component) and part.name in singles]

    def breakdown(self, measures=_BREAKDOWN, *, time_unit=None, digits=None):
        """One row per tier (and shared component): where downtime and incidents come from.

        A :func:`hamodel.compare` table of the parts (by default
        availability, outages/yr, mean outage (h), downtime (min/yr) and
        incidents/yr; `measures`, `time_unit` and `digits` as there), with
        two more columns: ``role`` (``"shared"`` for infrastructure in
        series with every tier, ``"tier"`` otherwise) and ``share of
        downtime`` (the part's unavailability over the sum of all parts':
        parts are in series, so this is their share of the stack's downtime
        up to the rare overlaps of two parts down at once).
        """
        from .tables import compare

        parts = self.parts
        table = compare(parts, measures, time_unit=time_unit, digits=digits)
        unavailability = [parts[label].measures().unavailability for label in table.index]
        total = sum(unavailability)
        table["share of downtime"] = [u / total if total > 0 else 0.0 for u in unavailability]
        table.columns_measures["share of downtime"] = _SHARE_OF_DOWNTIME
        shared = {f"shared: {c.name}" for c in self.shared}
        table.insert(0, "role", ["shared" if label in shared else "tier" for label in table.index])
        table.index.name = "part"
        return table

    @property
    def summary(self) -> pd.DataFrame:
        """The measures of the whole stack as a table (:attr:`Measures.summary`)."""
        return self.measures().summary

    def _repr_html_(self) -> str:
        from .measures import plain_number

        return f"<p><b>{self.name}</b></p>" + self.breakdown().to_html(
            float_format=lambda v: plain_number(v, 4))

    def __repr__(self) -> str:
        return f"Stack({self.name!r}, tiers={list(self.tiers)}, shared={[c.name for c in self.shared]})"



def shipped_stacks() -> "pd.DataFrame":
    """The stack descriptions that ship with hamodel, one row per file.

    Returns
    -------
    pandas.DataFrame
        Index: the file name, which :func:`load_stack` takes as it is;
        columns ``name``, ``baseline`` (the file it is meant to be compared
        with, or empty), ``tiers`` (how many), ``description`` and ``path``.

    Examples
    --------
    >>> import hamodel as hm
    >>> table = hm.shipped_stacks()
    >>> "ha_mmm_nfs.yaml" in table.index, table.loc["ha_mmm_nfs.yaml", "baseline"]
    (True, 'single_server.yaml')
    >>> hm.load_stack(table.index[0]).name == table["name"].iloc[0]
    True
    """
    import pandas as pd

    rows = []
    for path in sorted(STACKS.glob("*.yaml")):
        stack = load_stack(path)
        rows.append({"file": path.name, "name": stack.name,
                     "baseline": stack.baseline.name if stack.baseline else "",
                     "tiers": len(stack.tiers),
                     "description": " ".join(stack.description.split()), "path": path})
    return pd.DataFrame(rows).set_index("file")


def load_stack(path: str | os.PathLike, *, case: str | None = None,
               values: Mapping | None = None) -> Stack:
    """Load a stack description from a YAML file.

    Parameters
    ----------
    path : str or pathlib.Path
        The YAML file. A bare file name that is not in the current folder
        is looked up among the stacks that ship with hamodel (:data:`STACKS`),
        so ``load_stack("ha_mmm_nfs.yaml")`` works anywhere.
    case : str, optional
        Use this data case (low, typical, high, pessimistic, optimistic) for
        every component drawn from ``data/components.csv``, overriding the
        file's own ``case`` entries.
    values : mapping, optional
        ``{kind: {"mtbf": ..., "mttr": ...}}``: use these values (durations
        or hours; either key may be left out) instead of the data for every
        component of that kind, whatever its ``case``. An ``mtbf`` or
        ``mttr`` written in the file for one component still wins for that
        component. Kinds the stack does not use are ignored, so one mapping
        can be applied to several stacks.

    Returns
    -------
    Stack

    Raises
    ------
    StackError
        For a missing file, a file that is not UTF-8, bad YAML (with the
        line), a key repeated in one mapping (with the line), a recursive
        alias, an unknown or missing key, a value of the wrong type, a
        duration without a unit, an unknown component kind, a stack above
        the size limits, or model parameters the model refuses (such as
        k > n). The message is one line naming the file and the key path.

    Examples
    --------
    >>> import hamodel as hm
    >>> stack = hm.load_stack("single_server.yaml")  # one of hm.shipped_stacks()
    >>> list(stack.tiers)[:2]
    ['server', 'web']
    >>> slow = hm.load_stack("single_server.yaml",
    ...                      values={"physical_server": {"mttr": "72h"}})
    >>> slow.tiers["server"].mttr
    72.0
    """
    import yaml

    path = _shipped_if_bare(Path(path))
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise StackError(f"{path}: cannot read the stack file ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise StackError(f"{path}, line {line}: not UTF-8 text (byte {raw[exc.start]:#04x}); "
                         "save the stack file as UTF-8") from None
    try:
        doc = copy.deepcopy(_parse(text))  # a copy: the cached document stays as read
    except yaml.YAMLError as exc:
        raise StackError(_yaml_message(path, exc)) from None
    return _build_stack(doc, path, case, values)


def _build_stack(doc, path: Path | None, case, values) -> Stack:
    """A Stack from a parsed description (a fresh copy: it is kept in the stack)."""
    where = path if path is not None else "stack description"
    if case is not None and case not in CASES:
        raise StackError(f"{where}: case = {case!r}; expected one of {sorted(CASES)}")
    kept = copy.deepcopy(doc)
    stack = _Loader(path, case, _values(where, values)).stack(doc)
    object.__setattr__(stack, "document", kept)
    object.__setattr__(stack, "values", copy.deepcopy(values))
    return stack


@lru_cache(maxsize=32)
def _parse(text: str):
    """The YAML document of a file's text, parsed once (stacks are reloaded many times
    by :func:`hamodel.uncertainty`); keyed by the text itself, so never stale."""
    return _strict_yaml_loader().load_document(text)


def _shipped_if_bare(path: Path) -> Path:
    """`path`, or the shipped stack of that name when `path` is a bare name not found here."""
    if len(path.parts) == 1 and not path.exists() and (STACKS / path).is_file():
        return STACKS / path
    return path


def _short(value, limit: int = 60) -> str:
    """``repr(value)`` cut to `limit` characters, for one-line messages."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _yaml_message(path: Path, exc) -> str:
    """One line for a YAML error: file, line and column, and what is wrong there."""
    mark = getattr(exc, "problem_mark", None)
    where = f"{path}, line {mark.line + 1}, column {mark.column + 1}" if mark else str(path)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    text = f"{context}: {problem}" if context and context not in problem else problem
    if getattr(exc, "stack_rule", False):  # valid YAML that a stack file may not use
        return f"{where}: {' '.join(str(text).split())}"
    return f"{where}: not valid YAML: {' '.join(str(text).split())}"


@lru_cache(maxsize=1)
def _strict_yaml_loader():
    """A SafeLoader that refuses repeated keys and recursive aliases.

    PyYAML keeps the last of two equal keys without a word, and builds a
    recursive alias (``unit: &a [*a]``) as a list that contains itself, on
    which the loader would recurse until RecursionError.
    """
    import yaml
    from yaml.constructor import ConstructorError
    from yaml.composer import ComposerError

    class StrictLoader(yaml.SafeLoader):
        def __init__(self, stream):
            super().__init__(stream)
            self._open_anchors: set = set()

        @classmethod
        def load_document(cls, text: str):
            loader = cls(text)
            try:
                return loader.get_single_data()
            finally:
                loader.dispose()

        def compose_node(self, parent, index):
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                if event.anchor in self._open_anchors:
                    error = ComposerError(None, None, f"alias *{event.anchor} refers to the "
                                          "value that contains it (a recursive alias)",
                                          event.start_mark)
                    error.stack_rule = True
                    raise error
                return super().compose_node(parent, index)
            event = self.peek_event()
            anchor = getattr(event, "anchor", None)
            if anchor is None or not isinstance(event, (yaml.SequenceStartEvent,
                                                        yaml.MappingStartEvent)):
                return super().compose_node(parent, index)
            self._open_anchors.add(anchor)
            try:
                return super().compose_node(parent, index)
            finally:
                self._open_anchors.discard(anchor)

        def construct_mapping(self, node, deep=False):
            if isinstance(node, yaml.MappingNode):
                seen: dict = {}
                for key_node, _ in node.value:
                    if key_node.tag == "tag:yaml.org,2002:merge":
                        continue  # `<<: *base` merges keys; a key given here overrides them
                    key = self.construct_object(key_node, deep=True)
                    try:
                        first = seen.setdefault(key, key_node)
                    except TypeError:  # an unhashable key: PyYAML's own error names it
                        continue
                    if first is not key_node:
                        error = ConstructorError(
                            None, None, f"key {_short(key)} repeats line "
                            f"{first.start_mark.line + 1}: each key may appear once in its "
                            "mapping (YAML readers would keep the last silently)",
                            key_node.start_mark)
                        error.stack_rule = True
                        raise error
            return super().construct_mapping(node, deep=deep)

    return StrictLoader


def _values(path: Path, values) -> dict:
    """Check a ``values=`` mapping: known kinds, mtbf/mttr keys, positive durations."""
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        raise StackError(f"{path}: values = {values!r}; expected a mapping "
                         "{kind: {'mtbf': ..., 'mttr': ...}}")
    out = {}
    for kind, entry in values.items():
        where = f"{path}: values[{kind!r}]"
        try:
            data_component(kind)  # an unknown kind raises, naming the closest one
        except (ValueError, TypeError) as exc:
            raise StackError(f"{where}: {exc}") from None
        if not isinstance(entry, Mapping) or not set(entry) <= {"mtbf", "mttr"}:
            raise StackError(f"{where}: {entry!r}; expected a mapping with keys 'mtbf' "
                             "and/or 'mttr'")
        try:
            out[kind] = {k: positive_duration(v, f"values[{kind!r}][{k!r}]")
                         for k, v in entry.items()}
        except (ValueError, TypeError) as exc:
            raise StackError(f"{where}: {exc}") from None
    return out


class _Loader:
    def __init__(self, path: Path, case: str | None, values: dict | None = None):
        self.path = path
        self.case = case
        self.values = values or {}
        self.kinds: dict = {}  # kinds in order of first use
        self.count = 0  # components read so far (a guard against alias explosions)

    def error(self, where: str, message: str) -> StackError:
        source = self.path if self.path is not None else "stack description"
        return StackError(f"{source}: {where}: {message}")

    def mapping(self, value, where: str, required: set, optional: set) -> dict:
        if value is None and where == "top level":
            raise self.error(where, "the file holds no stack; expected a mapping with keys "
                                    "'name' and 'tiers'")
        if not isinstance(value, dict):
            raise self.error(where, f"expected a mapping, got {type(value).__name__} "
                                    f"{_short(value)}")
        missing = sorted(required - value.keys())
        if missing:
            raise self.error(where, f"missing key(s) {missing}")
        unknown = sorted(set(value) - required - optional, key=str)
        if unknown:
            raise self.error(where, f"unknown key(s) {unknown}; expected keys: "
                                    f"{sorted(required | optional)}")
        return value

    def text(self, value, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.error(where, f"expected a non-empty string, got {_short(value)}")
        return value

    def duration(self, value, where: str, *, positive: bool = False):
        """A duration as written in the file: with a unit (a bare 0 needs none)."""
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value != 0:
            raise self.error(where, f"{value!r} has no unit; write it with one, such as "
                                    f"'{value:g}s' or '{value:g}min' (a bare number would "
                                    "mean hours)")
        try:
            key = where.rsplit(".", 1)[-1]
            hours = positive_duration(value, key) if positive else duration(value)
        except (ValueError, TypeError) as exc:
            raise self.error(where, str(exc)) from None
        return value if isinstance(value, str) else hours

    def stack(self, doc) -> Stack:
        doc = self.mapping(doc, "top level", {"name", "tiers"},
                           {"description", "shared", "baseline"})
        name = self.text(doc["name"], "name")
        description = doc.get("description", "")
        if not isinstance(description, str):
            raise self.error("description", f"expected a string, got {description!r}")
        shared_list = doc.get("shared", []) or []
        if not isinstance(shared_list, list):
            raise self.error("shared", "expected a list of components")
        shared = tuple(self.component(c, f"shared[{i}]", default_name=None)
                       for i, c in enumerate(shared_list))
        tiers_list = doc["tiers"]
        if not isinstance(tiers_list, list) or not tiers_list:
            raise self.error("tiers", "expected a non-empty list of tiers")
        if len(tiers_list) > _MAX_TIERS:
            raise self.error("tiers", f"{len(tiers_list):,} tiers; at most {_MAX_TIERS} "
                                      "(group units into tiers: each tier is solved on its own)")
        tiers: dict = {}
        for i, tier in enumerate(tiers_list):
            where = f"tiers[{i}]"
            if not isinstance(tier, dict):
                raise self.error(where, f"expected a mapping, got {tier!r}")
            model_kind = tier.get("model")
            if model_kind not in TIER_MODELS:
                raise self.error(f"{where}.model", f"{model_kind!r}; expected one of "
                                                   f"{sorted(TIER_MODELS)}")
            required, optional = TIER_MODELS[model_kind]
            tier = self.mapping(tier, where, required | {"name", "model"}, optional)
            tier_name = self.text(tier["name"], f"{where}.name")
            if tier_name in tiers:
                raise self.error(f"{where}.name", f"duplicate tier name {tier_name!r}")
            tiers[tier_name] = self.tier(model_kind, tier, where, tier_name)
        baseline = doc.get("baseline")
        if baseline is not None:
            named = self.text(baseline, "baseline")
            baseline = (self.path.parent if self.path is not None else Path.cwd()) / named
            if not baseline.is_file() and len(Path(named).parts) == 1:
                baseline = _shipped_if_bare(Path(named))  # a copy of a shipped stack
            if not baseline.is_file():
                raise self.error("baseline", f"no stack file {baseline}")
        try:
            stack = Stack(name, description, self.path, MappingProxyType(tiers), shared,
                          baseline, tuple(self.kinds), self.case)
            stack.model  # checks that names are unique across the stack
        except (ValueError, TypeError) as exc:
            raise self.error("stack", str(exc)) from None
        return stack

    # ---------------------------------------------------------- components
    def component(self, spec, where: str, default_name: str | None) -> Component:
        self.count += 1
        if self.count > _MAX_COMPONENTS:
            raise self.error(where, f"more than {_MAX_COMPONENTS:,} components in the stack "
                                    "(aliases that repeat lists of lists multiply them)")
        if isinstance(spec, list):
            # A host: several components in series, folded into one unit.
            if not spec:
                raise self.error(where, "expected a component or a non-empty list of them")
            parts = [self.component(s, f"{where}[{i}]", None) for i, s in enumerate(spec)]
            try:
                host = series(*parts)
            except (ValueError, TypeError) as exc:
                raise self.error(where, str(exc)) from None
            return Component.equivalent(default_name or "+".join(p.name for p in parts), host)
        if isinstance(spec, str):
            spec = {"kind": spec}
        spec = self.mapping(spec, where, set(), _COMPONENT_FIELDS)
        kind = spec.get("kind")
        name = spec.get("name") or default_name or kind
        if name is None:
            raise self.error(where, "a component without a kind needs a name")
        name = self.text(name, f"{where}.name")
        try:
            if kind is None:
                if "mtbf" not in spec or "mttr" not in spec:
                    raise self.error(where, "expected a kind, or both mtbf and mttr")
            for key in ("mtbf", "mttr"):
                if key in spec:
                    spec[key] = self.duration(spec[key], f"{where}.{key}", positive=True)
            if kind is None:
                return Component(name, mtbf=spec["mtbf"], mttr=spec["mttr"])
            case = self.case or spec.get("case", "typical")
            base = data_component(self.text(kind, f"{where}.kind"), case=case, name=name)
            self.kinds.setdefault(kind, None)
            given = self.values.get(kind, {})
            return Component(name,
                             mtbf=spec.get("mtbf", given.get("mtbf", base.mtbf)),
                             mttr=spec.get("mttr", given.get("mttr", base.mttr)))
        except StackError:
            raise
        except (ValueError, TypeError) as exc:
            raise self.error(where, str(exc)) from None

    # --------------------------------------------------------------- tiers
    def tier(self, model_kind: str, tier: dict, where: str, name: str):
        params = {k: v for k, v in tier.items() if k not in ("name", "model")}
        comps = {}
        for key in [k for k in params if k in _COMPONENT_KEYS]:  # file order: deterministic
            spec = params.pop(key)
            if spec is None and key in TIER_MODELS[model_kind][1] | {"link"}:
                comps[key] = None  # link: a perfect interconnect; others: the default
                continue
            comps[key] = self.component(spec, f"{where}.{key}", default_name=f"{name}/{key}")
        try:
            return self.build(model_kind, name, params, comps, where)
        except StackError:
            raise
        except (ValueError, TypeError) as exc:
            raise self.error(where, str(exc)) from None

    def integer(self, params: dict, key: str, where: str) -> int:
        value = params[key]
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(f"{where}.{key}", f"expected an integer, got {_short(value)}")
        if key == "n" and value > _MAX_UNITS:
            raise self.error(f"{where}.n", f"n = {value:,}; at most {_MAX_UNITS} units in one "
                                           "tier (the chain of a tier grows with n)")
        return value

    def build(self, model_kind: str, name: str, params: dict, comps: dict, where: str):
        from . import patterns

        for key in _DURATION_KEYS:
            if key in params and params[key] is not None:
                params[key] = self.duration(params[key], f"{where}.{key}")
        if model_kind == "single":
            return comps["unit"].renamed(name)
        if model_kind == "series":
            units = params["units"]
            if not isinstance(units, list) or not units:
                raise self.error(f"{where}.units", "expected a non-empty list of components")
            if len(units) > _MAX_UNITS:
                raise self.error(f"{where}.units", f"{len(units):,} units; at most {_MAX_UNITS} "
                                                   "units in one tier")
            parts = [self.component(u, f"{where}.units[{i}]", None) for i, u in enumerate(units)]
            parts = [p.renamed(f"{name}/{p.name}") for p in parts]
            return series(*parts, name=name)
        if model_kind in ("parallel", "k_of_n"):
            n = self.integer(params, "n", where)
            k = 1 if model_kind == "parallel" else self.integer(params, "k", where)
            if n < 1:
                raise self.error(f"{where}.n", f"n = {n}; expected n >= 1")
            if not 1 <= k <= n:
                raise self.error(f"{where}.k", f"k = {k} with n = {n}; expected 1 <= k <= n")
            units = [comps["unit"].renamed(f"{name}/{i + 1}") for i in range(n)]
            return k_of_n(k, units, params.get("crews"), beta=params.get("beta", 0.0), name=name)
        if model_kind == "active_standby":
            return patterns.active_standby(comps["unit"], comps.get("standby"), name=name, **params)
        comps = {k: v for k, v in comps.items() if v is not None or k == "link"}
        if model_kind == "majority_cluster":
            n = self.integer(params, "n", where)
            rest = {k: v for k, v in params.items() if k != "n"}
            if "witness" in comps:
                rest["witness"] = comps["witness"]
            return patterns.majority_cluster(n, comps["node"], name=name, **rest)
        if model_kind == "two_node_cluster":
            rest = dict(params)
            if "fencing" in rest and rest["fencing"] is not None:
                rest["fencing"] = self.fencing(rest["fencing"], f"{where}.fencing")
            if "witness" in comps:
                rest["witness"] = comps["witness"]
            return patterns.two_node_cluster(comps["node"], link=comps["link"], name=name, **rest)
        if model_kind == "read_replicas":
            n = self.integer(params, "n", where)
            use = params.get("use", "read")
            if use not in ("read", "write"):
                raise self.error(f"{where}.use", f"{use!r}; expected 'read' or 'write'")
            rest = {k: v for k, v in params.items() if k not in ("n", "use")}
            replicas = patterns.read_replicas(comps["primary"], comps["replica"], n,
                                              name=name, **rest)
            return getattr(replicas, use)
        raise AssertionError(model_kind)  # pragma: no cover - TIER_MODELS is exhaustive

    def fencing(self, spec, where: str):
        from .patterns import Fencing

        allowed = set(inspect.signature(Fencing).parameters)
        spec = dict(self.mapping(spec, where, set(), allowed))
        for key in _FENCING_DURATIONS:
            if key in spec:
                spec[key] = self.duration(spec[key], f"{where}.{key}")
        return Fencing(**spec)
