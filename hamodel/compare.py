"""Side-by-side tables of several designs."""

from __future__ import annotations

__all__ = ["compare"]

_COLUMNS = {
    "availability": "availability",
    "unavailability": "unavailability",
    "outages_per_year": "outages/yr",
    "mean_down_time": "mean outage (h)",
    "downtime_minutes_per_year": "downtime (min/yr)",
    "incidents_per_year": "incidents/yr",
    "degraded_fraction": "time degraded",
}


def compare(models, *, longer_than=None, digits=None):
    """One row per design: frequency and duration side by side.

    Parameters
    ----------
    models : mapping of label to model, or sequence of models
        Anything with ``.measures()`` (components, blocks, CTMCs, stacks);
        a sequence is labelled by each model's ``name``.
    longer_than : duration, optional
        Add a column with the outages per year that last longer than this,
        e.g. ``"20min"`` (needs each model's outage-duration distribution).
    digits : int, optional
        Round every value to this many significant digits, for display
        (stored notebook outputs then do not depend on the last bits).

    Returns
    -------
    pandas.DataFrame
        Index: design; columns: availability, unavailability, outages/yr,
        mean outage (h), downtime (min/yr), incidents/yr, time degraded, and
        the optional ``outages > <longer_than>/yr``. Counted events (split
        brain, failovers) get a column each, 0 for designs without them.

    Examples
    --------
    >>> import hamodel as hm
    >>> one = hm.Component("server", mtbf="5y", mttr="4h")
    >>> two = hm.parallel(one, one.renamed("server-2"))
    >>> table = hm.compare({"single": one, "pair": two})
    >>> list(table.columns[:3])
    ['availability', 'unavailability', 'outages/yr']
    >>> bool(table.loc["pair", "incidents/yr"] > table.loc["single", "incidents/yr"])
    True
    >>> float(hm.compare({"single": one}, digits=3).loc["single", "downtime (min/yr)"])
    48.0
    """
    import pandas as pd

    from .units import duration

    if hasattr(models, "items"):
        items = list(models.items())
    else:
        items = [(m.name, m) for m in models]
    if not items:
        raise ValueError("compare: no models given")
    labels = [label for label, _ in items]
    if len(set(labels)) != len(labels):
        raise ValueError(f"compare: duplicate design labels {labels}")
    rows = []
    for label, model in items:
        m = model.measures()
        row = {"design": label}
        row.update({col: getattr(m, attr) for attr, col in _COLUMNS.items()})
        if longer_than is not None:
            hours = duration(longer_than)
            row[f"outages > {longer_than}/yr"] = model.outages_longer_than(hours)
        for name, value in m.events.items():
            row[f"{name.replace('_', ' ')}/yr"] = value
        rows.append(row)
    # A design without an event (a single server cannot split its brain) has none of it.
    table = pd.DataFrame(rows).set_index("design").fillna(0.0)
    if digits is not None:
        table = table.map(lambda v: float(f"{v:.{int(digits)}g}"))
    return table
