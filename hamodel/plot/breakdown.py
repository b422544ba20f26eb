"""Where the downtime comes from: per-tier breakdowns and side-by-side designs.

Both functions draw tables the package already computes: ``Stack.breakdown()``
and :func:`hamodel.compare`. Each column's unit comes from the measures
catalogue through the table (:meth:`hamodel.MeasureTable.unit_of`), and the
axis labels repeat it.
"""

from __future__ import annotations

import numpy as np

from . import style

__all__ = ["plot_breakdown", "plot_compare"]


def _unit(table, column: str) -> str:
    """The unit of a column as shown: ``min/yr``, ``1/yr``, ``h`` or ``""``."""
    unit_of = getattr(table, "unit_of", None)
    try:
        return unit_of(column) if unit_of is not None else ""
    except KeyError:  # a column that holds no measure of the catalogue
        return ""


def _value_label(value: float, unit: str) -> str:
    """``0.2/yr``, ``48 min/yr``, ``0.5`` (no unit or a share)."""
    if unit == "1/yr":
        return f"{value:.3g}/yr"
    if unit in ("", "share"):
        return f"{value:.3g}"
    return f"{value:.3g} {unit}"


def _with_unit(table, column: str) -> str:
    """An axis label: the column name, with its unit made explicit if it has none."""
    unit = _unit(table, column)
    if not unit or f"({unit})" in column or column.endswith(f"/{unit.split('/')[-1]}"):
        return column
    return f"{column} ({unit})"


def plot_breakdown(stack_or_table, ax=None, *, column="downtime (min/yr)", sort=True, color=None):
    """Horizontal bars, one per part of a stack: which tier costs the most.

    Parameters
    ----------
    stack_or_table : Stack or MeasureTable
        A stack (its ``breakdown()`` is drawn) or such a table, indexed by
        part, with the column to draw. Parts whose ``role`` column says
        ``"shared"`` are shared infrastructure and drawn grey.
    ax : matplotlib Axes, optional
    column : str
        Column to draw: ``"downtime (min/yr)"``, ``"outages/yr"``,
        ``"incidents/yr"``, ``"mean outage (h)"``, ...
    sort : bool
        Largest bar on top (else the table's order, top to bottom).
    color : matplotlib colour, optional
        Colour of the tier bars (default the first series colour): give
        each design its own, as in the other charts of a report.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import hamodel as hm
    >>> shop = hm.Stack("shop", "", None, tiers={
    ...     "db": hm.Component("db", mtbf="1y", mttr="8h"),
    ...     "web": hm.Component("web", mtbf="2y", mttr="1h")},
    ...     shared=(hm.Component("power", mtbf="5y", mttr="4h"),))
    >>> ax = hm.plot_breakdown(shop)
    >>> [t.get_text() for t in ax.get_yticklabels()]  # largest on top
    ['db', 'shared: power', 'web']
    >>> ax.get_xlabel()
    'downtime (min/yr)'
    >>> plt.close(ax.figure)
    """
    table = stack_or_table.breakdown() if hasattr(stack_or_table, "breakdown") else stack_or_table
    if column not in table.columns:
        raise ValueError(f"plot_breakdown: no column {column!r}; the table has "
                         f"{list(table.columns)}")
    name = getattr(stack_or_table, "name", None)
    values = table[column].astype(float)
    if sort:
        values = values.sort_values(ascending=False)
    labels = [str(i) for i in values.index]
    ax = style.new_axes(ax, (7.0, 1.3 + 0.42 * len(labels)))
    y = np.arange(len(labels))[::-1]
    roles = table["role"] if "role" in table.columns else None
    shared = np.array([roles is not None and roles[part] == "shared" for part in values.index])
    tier_color = style.color(0) if color is None else color
    colors = [style.PALETTE["shared"] if s else tier_color for s in shared]
    bars = ax.barh(y, values.to_numpy(), color=colors, height=0.65)
    share = table["share of downtime"] if "share of downtime" in table.columns else None
    unit = _unit(table, column)
    texts = []
    for part, v in values.items():
        text = _value_label(v, unit)
        if share is not None and column == "downtime (min/yr)":
            text += f" ({share[part]:.0%})" if share[part] >= 0.005 or share[part] == 0 else " (<1%)"
        texts.append(text)
    ax.bar_label(bars, labels=texts, padding=3, fontsize=8)
    ax.set_yticks(y, labels)
    top = float(values.max()) if len(values) else 1.0
    ax.set_xlim(0, top * 1.3 if top > 0 else 1.0)
    ax.set_xlabel(_with_unit(table, column))
    ax.set_ylabel("part of the stack")
    what = column.split(" (")[0]
    legend = shared.any() and not shared.all()
    ax.set_title(f"{name}: {what} by part" if name else f"{what.capitalize()} by part",
                 pad=22 if legend else 6)
    if legend:
        from matplotlib.patches import Patch

        style.legend_above(ax, handles=[Patch(color=tier_color, label="tier"),
                                        Patch(color=style.PALETTE["shared"],
                                              label="shared infrastructure")])
    ax.grid(True, axis="x", color=style.PALETTE["grid"], lw=0.4, alpha=0.6)
    ax.set_axisbelow(True)
    return ax


def plot_compare(table, ax=None, *, columns=("outages/yr", "downtime (min/yr)", "incidents/yr"),
                 logx=None):
    """Grouped horizontal bars: designs side by side on a few columns of :func:`hamodel.compare`.

    The columns have different units, so the bars share a log axis by
    default (when the values span more than two decades) and every bar is
    labelled with its value.

    Parameters
    ----------
    table : MeasureTable
        From ``hm.compare(...)``: index design, one column per measure.
    ax : matplotlib Axes, optional
    columns : sequence of str
        Columns to draw, one bar colour each.
    logx : bool, optional
        Log scale for the value axis (x); by default when needed.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import hamodel as hm
    >>> one = hm.Component("server", mtbf="5y", mttr="4h")
    >>> table = hm.compare({"single": one, "pair": hm.parallel(one, one.renamed("b"))})
    >>> ax = hm.plot_compare(table)
    >>> len(ax.patches), len(ax.get_legend().get_texts())  # 2 designs x 3 columns
    (6, 3)
    >>> plt.close(ax.figure)
    """
    columns = list(columns)
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"plot_compare: no column(s) {missing}; the table has "
                         f"{list(table.columns)}")
    data = table[columns].astype(float)
    designs = [str(i) for i in data.index]
    ax = style.new_axes(ax, (7.0, 1.4 + 0.3 * len(designs) * len(columns)))
    values = data.to_numpy()
    positive = values[values > 0]
    if logx is None:
        logx = positive.size > 0 and positive.max() / positive.min() > 100
    n = len(columns)
    h = 0.8 / n
    y = np.arange(len(designs))[::-1].astype(float)
    for k, col in enumerate(columns):
        pos = y + 0.4 - h * (k + 0.5)
        vals = data[col].to_numpy()
        bars = ax.barh(pos, vals, height=h * 0.92, color=style.color(k),
                       label=_with_unit(table, col))
        unit = _unit(table, col)
        ax.bar_label(bars, labels=[_value_label(v, unit) for v in vals], padding=3, fontsize=7.5)
    if logx and positive.size:
        ax.set_xscale("log")
        ax.set_xlim(positive.min() / 3, positive.max() * 20)
        ax.xaxis.set_major_formatter(style.log_tick_formatter())
    else:
        ax.set_xlim(0, max(values.max(), 1e-12) * 1.35)
    ax.set_yticks(y, designs)
    units = list(dict.fromkeys(u for u in (_unit(table, c) for c in columns) if u))
    ax.set_xlabel(f"value ({', '.join(units)})" + (", log scale" if logx else ""))
    ax.set_ylabel("design")
    ax.set_title("Designs compared: " + ", ".join(c.split(" (")[0] for c in columns), pad=22)
    style.legend_above(ax)
    ax.grid(True, axis="x", color=style.PALETTE["grid"], lw=0.4, alpha=0.6)
    ax.set_axisbelow(True)
    return ax
