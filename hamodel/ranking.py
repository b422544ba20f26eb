"""Importance measures: which component matters for the system's outages."""

from __future__ import annotations

import itertools
import math

from .blocks import Block

__all__ = ["importance"]

_INCLUSION_EXCLUSION_LIMIT = 12


def importance(model):
    """Importance of each leaf model for the system's availability and outages.

    Parameters
    ----------
    model : Component, CTMC or block
        A model; a Component or CTMC is its own single leaf.

    Returns
    -------
    pandas.DataFrame
        One row per leaf (index: name) with columns

        - ``availability``: the leaf's own availability;
        - ``birnbaum``: ``dA_sys / dA_i``, the chance the leaf is critical;
        - ``criticality``: ``I_B(i) U_i / U_sys``, the share of system
          unavailability the leaf's failure is critical for;
        - ``fussell_vesely``: ``P(some minimal cut set containing i is
          down) / U_sys`` (exact by inclusion-exclusion over up to 12 cut
          sets, the rare-event sum above that);
        - ``frequency_share``: ``I_B(i) f_i / f_sys``, the leaf's share of
          system failures (these shares sum to 1);
        - ``incidents_per_year``: the leaf's own failures per year.

        Rows are sorted by ``frequency_share``, largest first.

    Examples
    --------
    >>> import hamodel as hm
    >>> lb = hm.Component("lb", mtbf="1y", mttr="1h")
    >>> web = [hm.Component(f"web{i}", mtbf="4380h", mttr="4h")
    ...        for i in range(2)]
    >>> table = hm.importance(hm.series(lb, hm.parallel(*web)))
    >>> table.index[0], round(float(table["frequency_share"].sum()), 12)
    ('lb', 1.0)
    """
    import pandas as pd

    if not callable(getattr(model, "measures", None)):
        raise TypeError(f"importance: {model!r} is not a model: expected a block diagram (or "
                        "a Component, CTMC or pattern, which is its own only part)")
    if not isinstance(model, Block) or model.is_leaf:
        m = model.measures()
        rows = [dict(name=model.name, availability=m.availability, birnbaum=1.0,
                     criticality=1.0, fussell_vesely=1.0, frequency_share=1.0,
                     incidents_per_year=m.incidents_per_year)]
        return pd.DataFrame(rows).set_index("name")
    system = model.measures()
    leaves = model.leaf_measures
    birnbaum = model.birnbaum()
    cuts = model.minimal_cut_sets()
    unavail = {n: m.unavailability for n, m in leaves.items()}
    rows = []
    for name, m in leaves.items():
        containing = [c for c in cuts if name in c]
        rows.append(dict(
            name=name,
            availability=m.availability,
            birnbaum=birnbaum[name],
            criticality=_ratio(birnbaum[name] * m.unavailability, system.unavailability),
            fussell_vesely=_ratio(_union_probability(containing, unavail), system.unavailability),
            frequency_share=_ratio(birnbaum[name] * m.failure_frequency, system.failure_frequency),
            incidents_per_year=m.incidents_per_year,
        ))
    frame = pd.DataFrame(rows).set_index("name")
    return frame.sort_values("frequency_share", ascending=False, kind="stable")


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else 0.0


def _union_probability(cuts, unavail: dict) -> float:
    """P(at least one cut set has all its members down), members independent."""
    def p_all_down(names) -> float:
        return math.prod(unavail.get(n, 0.0) for n in names)

    if len(cuts) > _INCLUSION_EXCLUSION_LIMIT:
        return min(1.0, sum(p_all_down(c) for c in cuts))
    total = 0.0
    for size in range(1, len(cuts) + 1):
        sign = 1.0 if size % 2 else -1.0
        for group in itertools.combinations(cuts, size):
            total += sign * p_all_down(frozenset().union(*group))
    return max(total, 0.0)
