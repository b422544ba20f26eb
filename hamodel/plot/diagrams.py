"""State diagrams and block diagrams, drawn from the very objects that are solved.

:func:`plot_state_diagram` draws ``model.to_ctmc()`` (the chain whose steady
state gives the measures); :func:`plot_block_diagram` walks the block tree
(``Series.blocks``, ``Parallel.blocks``, ``KofN.k``/``blocks``/``is_leaf``,
``Network.edges``), so a figure can never disagree with the numbers.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np

from ..blocks import Block, KofN
from ..component import Component
from ..measures import readable_number
from . import _blocklayout as _bl
from . import style

__all__ = ["plot_state_diagram", "plot_block_diagram"]


# ============================================================ state diagram
_LEGEND_ROOM = 0.45  # rows of space kept under the states for the legend
#: Font size of the rates on the arrows, in points: small, but readable in print.
EDGE_FONT = 8.0

def plot_state_diagram(model, ax=None, *, max_states=40, probabilities=False, edge_labels=True):
    """Draw the CTMC of a model: states as boxes, transitions as arrows with their rates.

    States are laid out in columns by their distance (fewest transitions)
    from the initial state, so failures read left to right and repairs right
    to left. Up states are green, down states red, healthy states (nothing
    failed) have a blue outline. Failures that take the system down are red
    arrows, repairs that bring it back are green. A rate is written as a
    count per mean time (see :func:`rate_label`): ``1 per 5 y`` is once in
    five years on average, ``2 per y`` twice a year, ``1 per 4 h`` a
    four-hour mean repair. Each rate sits beside its arrow, on the outer side
    of its curve, in 8-point type; a label that would cover another label or
    a state slides along its arrow until it is free.

    Parameters
    ----------
    model : model
        Anything with ``.to_ctmc()`` (Component, CTMC, block, pattern), or an
        object with a ``.model`` (a Stack).
    ax : matplotlib Axes, optional
        Where to draw; by default a new figure sized to the chain.
    max_states : int
        Refuse chains larger than this (a larger diagram is unreadable).
    probabilities : bool
        Add each state's steady-state probability to its label.
    edge_labels : bool
        Write the rate on every arrow.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If the chain has more than `max_states` states.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import hamodel as hm
    >>> units = [hm.Component(f"n{i}", mtbf="2y", mttr="8h") for i in range(3)]
    >>> ax = hm.plot_state_diagram(hm.k_of_n(2, units, crews=1))
    >>> sum(p.get_gid() == "state" for p in ax.patches)  # 3, 2, 1 and 0 up
    4
    >>> ax.get_title().splitlines()[0]
    'State diagram of 2-of-3(n0, n1, n2): 4 states'
    >>> plt.close(ax.figure)
    """
    model = _model_of(model)
    n = _product_size(model)
    if n > max_states:
        raise ValueError(f"model {model.name!r} has a chain of {n:,} states, more than "
                         f"max_states = {max_states}; a diagram that large is unreadable "
                         "(raise max_states, or draw a smaller part of the model)")
    chain = model.to_ctmc()
    if chain.n_states > max_states:  # pragma: no cover - caught by _product_size
        raise ValueError(f"model {model.name!r} has {chain.n_states} states, more than "
                         f"max_states = {max_states}")
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch

    n = chain.n_states
    layer, row, width, height = _layered_layout(chain)
    if ax is None:
        fig_h = min(10.0, max(3.0, 1.3 * height + 1.5))
        ax = style.new_axes(None, (min(14.0, max(5.0, 2.2 * width)), fig_h))
        ax.figure.subplots_adjust(left=0.02, right=0.98, bottom=0.1 / fig_h,
                                  top=1 - 0.75 / fig_h)
    box_w, box_h = 0.6, 0.5
    xspan, yspan = width, max(height, 1.5) + _LEGEND_ROOM
    ax.set_xlim(-0.5, width - 0.5)
    ax.set_ylim(-max(height, 1.5) / 2 - _LEGEND_ROOM, max(height, 1.5) / 2)
    ax.set_axis_off()
    sx, sy = style.points_per_unit(ax, xspan, yspan)
    labels = _state_labels(model, chain)
    paragraphs = [[lab] for lab in labels]
    if probabilities:
        pi = chain.steady_state()
        # No-break spaces: "π = 4.16 × 10⁻⁷" stays on one line of the box.
        paragraphs = [[lab, ("π = " + readable_number(p, 3)).replace(" ", "\u00a0")]
                      for lab, p in zip(labels, pi)]
    size, texts = style.fit_labels(paragraphs, box_w * sx, box_h * sy, max_size=10)
    pal = style.PALETTE
    boxes = []
    xy = np.column_stack([layer.astype(float), row])
    for i in range(n):
        up, healthy = bool(chain.up[i]), bool(chain.healthy[i])
        box = FancyBboxPatch((xy[i, 0] - box_w / 2, xy[i, 1] - box_h / 2), box_w, box_h,
                             boxstyle="round,pad=0,rounding_size=0.06", mutation_aspect=sx / sy,
                             fc=pal["up"] if up else pal["down"],
                             ec=pal["healthy"] if healthy else (pal["up_edge"] if up else pal["down_edge"]),
                             lw=2.4 if healthy else 1.0, zorder=2, gid="state",
                             label=str(chain.states[i]))
        ax.add_patch(box)
        boxes.append(box)
        ax.text(*xy[i], texts[i], ha="center", va="center", fontsize=size, zorder=3,
                linespacing=1.1)
    Q = chain.Q.tocoo()
    rates = {(int(i), int(j)): float(q) for i, j, q in zip(Q.row, Q.col, Q.data) if i != j and q > 0}
    curves = []
    for (i, j), q in rates.items():
        if chain.up[i] and not chain.up[j]:
            color = pal["failure"]
        elif not chain.up[i] and chain.up[j]:
            color = pal["recovery"]
        else:
            color = pal["neutral"]
        gap = abs(int(layer[i]) - int(layer[j]))
        rad = 0.3 if gap != 1 else (0.18 if (j, i) in rates else 0.0)
        ax.add_patch(FancyArrowPatch(xy[i], xy[j], connectionstyle=f"arc3,rad={rad}",
                                     arrowstyle="-|>", mutation_scale=10, lw=1.0, color=color,
                                     patchA=boxes[i], patchB=boxes[j], shrinkA=1, shrinkB=1,
                                     zorder=1))
        curves.append((i, j, q, rad, color))
    if edge_labels:
        _place_rate_labels(ax, xy, boxes, curves, fontsize=EDGE_FONT)
    handles = [Patch(fc=pal["up"], ec=pal["up_edge"], label="up")]
    if (~chain.up).any():
        handles.append(Patch(fc=pal["down"], ec=pal["down_edge"], label="down"))
    handles.append(Patch(fc="white", ec=pal["healthy"], lw=2.4, label="healthy (nothing failed)"))
    if any(chain.up[i] and not chain.up[j] for i, j in rates):
        handles.append(Line2D([], [], color=pal["failure"], label="system failure"))
    if any(not chain.up[i] and chain.up[j] for i, j in rates):
        handles.append(Line2D([], [], color=pal["recovery"], label="recovery"))
    ax.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=8,
              frameon=False, handlelength=1.5, borderaxespad=0.1, columnspacing=1.2)
    ax.set_title(f"State diagram of {model.name}: {n} states\n"
                 "rates per mean time (1 per 5 y: once in five years on average)",
                 fontsize=10)
    return ax


def rate_label(per_hour: float) -> str:
    """A transition rate per hour as a reader says it: ``1 per 23 y``, ``2 per y``, ``1 per 4 h``.

    The rate is a count per a round mean time: ``1 per 5 y`` is once in five
    years on average, ``3 per 2 y`` three units that each fail once in two
    years. The count is at most 4; when no round time fits, the count is 1
    and the mean time has three digits (``1 per 41.7 d``, ``1 per 1,140 y``). Units: ``y``
    (365.25 days), ``d``, ``h``, ``min``, ``s``.

    Parameters
    ----------
    per_hour : float
        A positive, finite rate per hour.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        If the rate is not positive and finite.

    Examples
    --------
    >>> import hamodel as hm
    >>> rate_label(1 / (23 * hm.HOURS_PER_YEAR)), rate_label(2 / hm.HOURS_PER_YEAR)
    ('1 per 23 y', '2 per y')
    >>> rate_label(0.25), rate_label(120.0), rate_label(0.001), rate_label(1 / 1000.5)
    ('1 per 4 h', '1 per 30 s', '1 per 1,000 h', '1 per 41.7 d')
    >>> rate_label(1e-7), rate_label(3600 / 7500)  # not '1 per 7,500 s'
    ('1 per 1,140 y', '1 per 2.08 h')
    """
    if not (isinstance(per_hour, (int, float, np.floating)) and math.isfinite(per_hour)
            and per_hour > 0):
        raise ValueError(f"a rate must be a positive, finite number per hour, got {per_hour!r}")
    mean = 1.0 / float(per_hour)
    units = style.TIME_UNITS
    for n in range(1, 5):
        # The largest unit in which the time is at least 1; for a count of 1 also
        # the next one down, up to 1,000 (1,000 h, but not 7,500 s).
        k = next((k for k, (_, size) in enumerate(units) if n * mean >= size), len(units) - 1)
        for suffix, size in units[k:k + (2 if n == 1 else 1)]:
            v = n * mean / size
            if 1 <= v <= 1000 and _whole_and_round(v):
                v = round(v)
                return f"{n} per {suffix}" if v == 1 else f"{n} per {v:,} {suffix}"
    suffix, size = next(((s, z) for s, z in style.TIME_UNITS if mean >= z), style.TIME_UNITS[-1])
    return f"1 per {_three_digits(mean / size)} {suffix}"


def _whole_and_round(v: float) -> bool:
    """A whole number below 10 000 with at most two significant digits (1, 36, 500, 1000)."""
    r = round(v)
    return abs(v - r) <= 1e-6 * v and 1 <= r < 10_000 and len(str(r).rstrip("0")) <= 2


def _three_digits(v: float) -> str:
    """`v` to three significant digits without an exponent: 41.7, 1,140, 0.25."""
    if v >= 100:
        return f"{round(v, 2 - int(math.floor(math.log10(v)))):,.0f}"
    return f"{v:.3g}"


#: Where along an arrow (Bezier parameter from the source) a rate label may go, best first.
_ALONG = (0.5, 0.4, 0.6, 0.3, 0.7, 0.22, 0.78)


def _place_rate_labels(ax, xy, boxes, curves, *, fontsize):
    """Write each rate beside its arrow where it covers no other label and no state.

    `curves` holds ``(i, j, rate, rad, colour)`` per arrow, drawn as
    matplotlib's ``arc3`` from state i to state j. Each label is tried at
    several points along its arrow, beside it on the outer side of its curve
    (the side arc3 bends to, or the right of travel for a straight arrow, so
    the two directions between a pair of states part), then on the other
    side. A position that overlaps a state or a label placed before is
    refused; among the others the one crossing the fewest other arrows wins,
    the middle of the arrow first. Everything is computed on screen, where
    arc3 works.
    """
    from matplotlib.transforms import Bbox

    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    to_display = ax.transData
    pt = fig.dpi / 72.0
    pad = 1.5 * pt  # white margin kept around a label, in pixels
    taken = [b.get_window_extent(renderer) for b in boxes]
    taken = [Bbox.from_extents(b.x0 - pad, b.y0 - pad, b.x1 + pad, b.y1 + pad) for b in taken]
    geometry = []
    for i, j, _, rad, _ in curves:
        p0, p2 = to_display.transform(xy[[i, j]])
        d = p2 - p0
        ctrl = (p0 + p2) / 2 + rad * np.array([d[1], -d[0]])
        geometry.append((p0, ctrl, p2))
    ts = np.linspace(0.12, 0.88, 25)[:, None]
    samples = [(1 - ts) ** 2 * p0 + 2 * ts * (1 - ts) * c + ts ** 2 * p2 for p0, c, p2 in geometry]
    # Short arrows first: they have the least room to move.
    order = sorted(range(len(curves)), key=lambda k: np.hypot(*(geometry[k][2] - geometry[k][0])))
    for k in order:
        i, j, q, rad, color = curves[k]
        p0, ctrl, p2 = geometry[k]
        text = ax.text(0, 0, rate_label(q), fontsize=fontsize, color=color, ha="center",
                       va="center", zorder=4, gid="rate",
                       bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                             "alpha": 0.9})
        ext = text.get_window_extent(renderer)
        w, h = ext.width + 2 * pad, ext.height + 2 * pad
        others = [pts for m, pts in enumerate(samples) if m != k]
        best, best_box, best_cost = None, None, math.inf
        rank = 0
        for t in _ALONG:
            at = (1 - t) ** 2 * p0 + 2 * t * (1 - t) * ctrl + t ** 2 * p2
            tangent = 2 * (1 - t) * (ctrl - p0) + 2 * t * (p2 - ctrl)
            normal = np.array([tangent[1], -tangent[0]]) / max(float(np.hypot(*tangent)), 1e-9)
            if rad < 0:
                normal = -normal
            beside = (w * abs(normal[0]) + h * abs(normal[1])) / 2 + 1.0 * pt
            for side in (1.0, -1.0):
                c = at + side * beside * normal
                box = Bbox.from_extents(c[0] - w / 2, c[1] - h / 2, c[0] + w / 2, c[1] + h / 2)
                overlap = sum(style.overlap_area(box, o) for o in taken)
                crossed = sum(bool(((pts[:, 0] > box.x0) & (pts[:, 0] < box.x1) & (pts[:, 1] > box.y0)
                                     & (pts[:, 1] < box.y1)).any()) for pts in others)
                cost = 1e6 * overlap + 10 * crossed + rank + (5 if side < 0 else 0)
                rank += 1
                if cost < best_cost:
                    best, best_box, best_cost = c, box, cost
        text.set_position(to_display.inverted().transform(best))
        taken.append(best_box)


def _model_of(obj):
    """The model to draw: the object itself, or its ``.model`` (a Stack)."""
    if not hasattr(obj, "to_ctmc") and hasattr(obj, "model"):
        return obj.model
    if not hasattr(obj, "to_ctmc"):
        raise TypeError(f"{obj!r} is not a model: expected a Component, CTMC, block, "
                        "pattern or an object with a .model")
    return obj


def _product_size(model) -> int:
    """States of ``model.to_ctmc()`` without building it (blocks multiply their leaves)."""
    if isinstance(model, Block) and not model.is_leaf:
        return math.prod(leaf.to_ctmc().n_states for leaf in model.leaves)
    return model.to_ctmc().n_states


def _state_labels(model, chain) -> list[str]:
    """State names; a product state of a block is named by what differs from the start."""
    start = chain.states[int(np.argmax(chain.initial))]
    names = None
    if isinstance(model, Block) and not model.is_leaf:
        names = [leaf.name for leaf in model.leaves]
    out = []
    for s in chain.states:
        if names and isinstance(s, tuple) and len(s) == len(names):
            # Group the leaves that left their start state by where they are: "a, b: down".
            moved: dict = {}
            for n, v, r in zip(names, s, start):
                if v != r:
                    moved.setdefault(v, []).append(n)
            out.append("; ".join(f"{', '.join(ns)}: {v}" for v, ns in moved.items())
                       or "all healthy")
        else:
            out.append(str(s))
    return out


def _layered_layout(chain):
    """Columns by BFS distance from the initial state, rows ordered by barycentres.

    Returns ``(layer, y, n_layers, max_layer_size)``, with y centred on 0
    (first state of a column on top).
    """
    n = chain.n_states
    Q = chain.Q.tocoo()
    out = [[] for _ in range(n)]
    nbrs = [set() for _ in range(n)]
    for i, j, q in zip(Q.row, Q.col, Q.data):
        if i != j and q > 0:
            out[i].append(int(j))
            nbrs[i].add(int(j))
            nbrs[j].add(int(i))
    layer = np.full(n, -1)
    start = int(np.argmax(chain.initial))
    layer[start] = 0
    todo = deque([start])
    while True:
        while todo:
            i = todo.popleft()
            for j in out[i]:
                if layer[j] < 0:
                    layer[j] = layer[i] + 1
                    todo.append(j)
        rest = np.flatnonzero(layer < 0)
        if not rest.size:
            break
        layer[rest[0]] = layer.max() + 1  # unreachable from the start: a new column
        todo.append(int(rest[0]))
    n_layers = int(layer.max()) + 1
    columns = [list(np.flatnonzero(layer == k)) for k in range(n_layers)]
    rank = np.zeros(n)
    for col in columns:
        for r, i in enumerate(col):
            rank[i] = r - (len(col) - 1) / 2
    # Barycentre sweeps: order each column by the mean row of its neighbours.
    for _ in range(4):
        for k in list(range(1, n_layers)) + list(range(n_layers - 2, -1, -1)):
            col = columns[k]

            def key(i, k=k):
                near = [rank[j] for j in nbrs[i] if abs(layer[j] - k) == 1]
                return (np.mean(near) if near else rank[i], i)

            col.sort(key=key)
            for r, i in enumerate(col):
                rank[i] = r - (len(col) - 1) / 2
    height = max(len(c) for c in columns)
    return layer, -rank, n_layers, height


# ============================================================ block diagram
def _leaf_lines(leaf) -> list[str]:
    """Paragraphs of a leaf box: name, what it is, its availability."""
    m = leaf.measures()
    if isinstance(leaf, Component):
        # No-break spaces keep each figure with its name when the line wraps.
        what = (f"MTBF\u00a0{style.format_duration(leaf.mtbf)}, "
                f"MTTR\u00a0{style.format_duration(leaf.mttr)}")
    elif isinstance(leaf, KofN):
        extra = [f"{leaf.crews} crew" + ("s" if leaf.crews != 1 else "")] if leaf.crews else []
        extra += [f"β = {leaf.beta:g}"] if leaf.beta > 0 else []
        what = ", ".join([f"{leaf.k}-of-{leaf.n} CTMC"] + extra)
    else:
        what = f"CTMC, {leaf.to_ctmc().n_states} states"
    return [leaf.name, what, f"A = {style.format_availability(m.availability, m.unavailability)}"]


def plot_block_diagram(model, ax=None):
    """Draw the reliability block diagram of a model, from the model object itself.

    Series blocks run left to right, parallel blocks are stacked between two
    rails, a k-of-n group is a parallel group in a frame labelled ``k-of-n``,
    a network is drawn as its graph with each edge's block on the edge.
    Every leaf (Component, CTMC, pattern, or a k-of-n group with shared crews
    or common cause, which is solved as one chain) is one box with its name,
    what it is and its availability.

    Parameters
    ----------
    model : Block, Component, CTMC, or object with ``.model`` (a Stack)
    ax : matplotlib Axes, optional
        Where to draw; by default a new figure sized to the diagram.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import hamodel as hm
    >>> c = lambda name: hm.Component(name, mtbf="1y", mttr="4h")
    >>> web = hm.k_of_n(2, [c("web1"), c("web2"), c("web3")])
    >>> system = hm.series(c("lb"), hm.parallel(c("db1"), c("db2")), web)
    >>> ax = hm.plot_block_diagram(system)
    >>> sum(p.get_gid() == "leaf" for p in ax.patches)  # one box per leaf
    6
    >>> plt.close(ax.figure)
    """
    from matplotlib.patches import Circle, FancyBboxPatch, Rectangle

    title_name = getattr(model, "name", "model")
    model = _model_of(model)
    layout = _bl.Layout()
    layout.place_root(model)
    xmin, xmax, ymin, ymax = layout.bounds
    margin = 0.3
    width, height = xmax - xmin + 2 * margin, ymax - ymin + 2 * margin
    if ax is None:
        # Inches per leaf-box unit. At most 6.5 in wide: a PDF page scales a figure to
        # about 5.9 in, and the 9-pt text of the boxes must stay readable there.
        scale = min(0.72, 6.5 / width, 10.0 / height)
        fig_w, fig_h = max(4.5, width * scale + 0.2), max(2.2, height * scale + 0.8)
        ax = style.new_axes(None, (fig_w, fig_h))
        ax.figure.subplots_adjust(left=0.1 / fig_w, right=1 - 0.1 / fig_w, bottom=0.1 / fig_h,
                                  top=1 - 0.7 / fig_h)
    ax.set_xlim(xmin - margin, xmax + margin)
    ax.set_ylim(ymin - margin, ymax + margin)
    ax.set_aspect("equal")
    ax.set_axis_off()
    sx, sy = style.points_per_unit(ax, width, height)
    unit = min(sx, sy)  # equal aspect: the tighter direction sets the scale
    size, texts = style.fit_labels([_leaf_lines(leaf) for *_, leaf in layout.leaves],
                                   (_bl.W - 0.12) * unit, (_bl.H - 0.1) * unit, max_size=9.5)
    pal = style.PALETTE
    for line in layout.lines:
        xs, ys = zip(*line)
        ax.plot(xs, ys, color=pal["neutral"], lw=1.2, zorder=1, solid_joinstyle="miter")
    for x, y, bw, bh in layout.mask:
        ax.add_patch(Rectangle((x, y), bw, bh, fc="white", ec="none", zorder=1.5))
    for x0, y0, x1, y1, label in layout.frames:
        ax.add_patch(FancyBboxPatch((x0, y0), x1 - x0, y1 - y0,
                                    boxstyle="round,pad=0,rounding_size=0.12", fc="none",
                                    ec=pal["group"], ls="--", lw=1.0, zorder=1.6, gid="group"))
        ax.text(x0 + 0.1, y1 - 0.06, label, ha="left", va="top", color=pal["group"],
                fontsize=max(size, 7.5), fontweight="bold", zorder=3)
    for (x, y, leaf), text in zip(layout.leaves, texts):
        ax.add_patch(FancyBboxPatch((x - _bl.W / 2, y - _bl.H / 2), _bl.W, _bl.H,
                                    boxstyle="round,pad=0,rounding_size=0.08",
                                    fc=pal["leaf"], ec=pal["leaf_edge"], lw=1.0, zorder=2,
                                    gid="leaf", label=leaf.name))
        ax.text(x, y, text, ha="center", va="center", fontsize=size, zorder=3, linespacing=1.15)
    small = max(size - 0.5, 8.0)
    for x, y, label in layout.nodes:
        ax.add_patch(Circle((x, y), 0.09, fc="white", ec="black", lw=1.0, zorder=3))
        ax.text(x - 0.1, y + 0.1, label, ha="right", va="bottom", fontsize=small, zorder=3)
    for (x, y), label in ((layout.inlet, "in"), (layout.outlet, "out")):
        ax.add_patch(Circle((x, y), 0.07, fc="black", ec="black", zorder=3))
        ax.text(x, y - 0.14, label, ha="center", va="top", fontsize=small)
    m = model.measures()
    ax.set_title(f"Block diagram of {title_name}\n"
                 f"A = {style.format_availability(m.availability, m.unavailability)}, "
                 f"{m.downtime_minutes_per_year:.3g} min/yr downtime, "
                 f"{m.outages_per_year:.3g} outages/yr", fontsize=10)
    return ax
