"""Sensitivity figures: which input moves the answer the most."""

from __future__ import annotations

import numpy as np

from . import style

__all__ = ["plot_tornado"]


def plot_tornado(table, ax=None, *, base=None, unit=None, quantity=None):
    """A tornado chart: one bar per parameter, from its low to its high setting.

    Each parameter's bar runs from the model output with that parameter at
    its low setting to the output at its high setting, all others at their
    base values; bars are centred on the base output and sorted by swing
    (``|high - low|``), widest on top. The part of a bar that raises the
    output is red, the part that lowers it blue; both ends are labelled with
    the setting and the value.

    Parameters
    ----------
    table : pandas.DataFrame
        Index: parameter label; columns ``low`` and ``high`` (the output with
        the parameter at its low / high setting), optionally ``base``.
    ax : matplotlib Axes, optional
    base : float, optional
        The output with every parameter at its base value. Default: the
        table's ``base`` column (which must then hold one value).
    unit : str, optional
        Unit of the output, for the axis label and the bar labels. Default:
        from the catalogue of measures, for a table from
        :func:`hamodel.sensitivity` (which names its output in
        ``table.attrs["output"]``); else none.
    quantity : str, optional
        What the output is, for the axis label and the title; default as
        for `unit` (``"downtime"``), else ``"output"``.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If the columns are missing, there is no base value, or the ``base``
        column holds different values.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> import hamodel as hm
    >>> table = pd.DataFrame({"low": [40.0, 50.0], "high": [80.0, 52.0]},
    ...                      index=["db MTTR", "web MTBF"])
    >>> ax = hm.plot_tornado(table, base=51.0, unit="min/yr", quantity="downtime")
    >>> [t.get_text() for t in ax.get_yticklabels()]  # widest swing on top
    ['db MTTR', 'web MTBF']
    >>> ax.get_xlabel()
    'downtime (min/yr)'
    >>> plt.close(ax.figure)
    """
    output = table.attrs.get("output")
    if output is not None and (unit is None or quantity is None):
        from ..measures import measure

        spec = measure(output)
        unit = spec.unit_of() if unit is None else unit
        quantity = spec.column if quantity is None else quantity
    unit = "" if unit is None else unit
    quantity = "output" if quantity is None else quantity
    missing = [c for c in ("low", "high") if c not in table.columns]
    if missing:
        raise ValueError(f"plot_tornado: the table needs columns 'low' and 'high'; "
                         f"missing {missing} (it has {list(table.columns)})")
    if base is None:
        if "base" not in table.columns:
            raise ValueError("plot_tornado: give base= or a 'base' column with the output "
                             "at the base parameter values")
        bases = np.unique(table["base"].astype(float).to_numpy())
        if bases.size != 1:
            raise ValueError(f"plot_tornado: the 'base' column holds several values "
                             f"{bases.tolist()}; expected one base output")
        base = float(bases[0])
    base = float(base)
    low = table["low"].astype(float)
    high = table["high"].astype(float)
    swing = (high - low).abs()
    order = swing.sort_values(ascending=False, kind="stable").index
    labels = [str(i).replace("_", " ") for i in order]  # "operator_error MTTR": words
    ax = style.new_axes(ax, (7.0, 1.4 + 0.45 * len(labels)))
    y = np.arange(len(labels))[::-1]
    pal = style.PALETTE
    suffix = f" {unit}" if unit else ""
    for yi, name in zip(y, order):
        for setting, value in (("low", low[name]), ("high", high[name])):
            color = pal["failure"] if value > base else pal["decrease"]
            ax.barh(yi, value - base, left=base, height=0.6, color=color, alpha=0.85,
                    gid=f"tornado-{setting}")
            if value == base:
                continue
            right = value > base
            ax.annotate(f"{setting}: {_number(value)}{suffix}", (value, yi),
                        xytext=(4 if right else -4, 0), textcoords="offset points",
                        ha="left" if right else "right", va="center", fontsize=8)
    ax.axvline(base, color="black", lw=1.0)
    ends = np.concatenate([low.to_numpy(), high.to_numpy(), [base]])
    span = max(ends.max() - ends.min(), abs(base) * 0.05, 1e-12)
    ax.set_xlim(ends.min() - 0.35 * span, ends.max() + 0.35 * span)
    if ends.min() >= 0:  # a downtime, a count: room for the labels, but no negative ticks
        ax.set_xticks([t for t in ax.get_xticks() if 0 <= t <= ax.get_xlim()[1]])
    ax.set_yticks(y, labels)
    ax.set_ylim(-0.7, len(labels) - 0.3)
    ax.set_xlabel(f"{quantity} ({unit})" if unit else quantity)
    ax.set_ylabel("parameter")
    ax.set_title(f"What moves the {quantity}: base {_number(base)}{suffix}", pad=22)
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    style.legend_above(ax, handles=[
        Patch(color=pal["failure"], alpha=0.85, label=f"raises {quantity}"),
        Patch(color=pal["decrease"], alpha=0.85, label=f"lowers {quantity}"),
        Line2D([], [], color="black", lw=1.0, label=f"base {_number(base)}{suffix}")])
    ax.grid(True, axis="x", color=style.PALETTE["grid"], lw=0.4, alpha=0.6)
    ax.set_axisbelow(True)
    return ax


def _number(x: float) -> str:
    """Three significant digits without an exponent for the usual sizes: 1,080, 243, 0.52."""
    return f"{x:,.0f}" if 1000 <= abs(x) < 1e9 else f"{x:.3g}"
