"""Geometry of a block diagram, computed by walking the block tree that is solved.

Units are "leaf boxes": a leaf is ``W`` by ``H``. A block occupies
``[x, x + width]`` horizontally and ``[y - below, y + above]`` vertically,
where ``y`` is the line its input and output connect on. No matplotlib here:
:func:`hamodel.plot.plot_block_diagram` draws what this module places.
"""

from __future__ import annotations

from collections import deque

from ..blocks import Block, KofN, Network, Parallel, Series

W, H = 2.3, 1.15         # leaf box
GAP = 0.55               # between blocks in series
VGAP = 0.3               # between blocks in parallel
RAIL = 0.4               # room for the rails of a parallel group
PAD, TOP = 0.18, 0.42    # frame padding, room for a frame's label
STUB = 0.45              # input and output lines of the whole diagram
ROW_GAP = 0.9            # between the rows of a wrapped top-level series
MAX_ROW = 8.6            # a top-level series wider than this wraps onto rows (3 boxes:
                         # 6.5 in at 0.72 in a box unit, so 9-pt text stays 8 pt in a PDF)


def is_leaf(b) -> bool:
    """A box of its own: not a block, or a block solved as one chain."""
    return not isinstance(b, Block) or b.is_leaf


def default_name(b) -> bool:
    """Whether a block kept the name its constructor made up (``series(a, b)``)."""
    prefix = {Series: "series(", Parallel: "parallel(", Network: "network("}.get(type(b))
    if isinstance(b, KofN):
        prefix = f"{b.k}-of-{b.n}("
    return prefix is not None and b.name.startswith(prefix)


def framed(b, root: bool = False) -> bool:
    """k-of-n groups and networks get a labelled frame, and so do named sub-groups."""
    if is_leaf(b):
        return False
    return isinstance(b, (KofN, Network)) or (not root and not default_name(b))


def group_label(b) -> str:
    kind = f"{b.k}-of-{b.n}" if isinstance(b, KofN) else None
    if default_name(b):
        return kind or "network"
    return f"{b.name} ({kind})" if kind else b.name


class Layout:
    """Positions of every leaf box, connector, frame and network node of a block tree."""

    def __init__(self):
        self.leaves = []   # (x, y, leaf): centre of every leaf box
        self.lines = []    # polylines: lists of (x, y)
        self.frames = []   # (x0, y0, x1, y1, label)
        self.nodes = []    # (x, y, label): network nodes
        self.mask = []     # (x, y, w, h) white backgrounds behind sub-diagrams on edges
        self.inlet = self.outlet = (0.0, 0.0)
        self.bounds = (0.0, 0.0, 0.0, 0.0)   # xmin, xmax, ymin, ymax

    # ------------------------------------------------------------ sizes
    def size(self, b, root=False) -> tuple[float, float, float]:
        """``(width, above, below)`` of a block."""
        if is_leaf(b):
            return W, H / 2, H / 2
        if isinstance(b, Network):
            grid = self.network_grid(b)
            w, above, below = grid["width"], grid["above"], grid["below"]
        else:
            sizes = [self.size(c) for c in b.blocks]
            if isinstance(b, Series):
                w = sum(s[0] for s in sizes) + GAP * (len(sizes) - 1)
                above, below = max(s[1] for s in sizes), max(s[2] for s in sizes)
            elif isinstance(b, (Parallel, KofN)):
                w = max(s[0] for s in sizes) + 2 * RAIL
                above = below = (sum(s[1] + s[2] for s in sizes) + VGAP * (len(sizes) - 1)) / 2
            else:
                raise TypeError(f"cannot draw a block of type {type(b).__name__}")
        if framed(b, root):
            w, above, below = w + 2 * PAD, above + PAD + TOP, below + PAD
        return w, above, below

    # ------------------------------------------------------------ the whole diagram
    def place_root(self, model) -> None:
        """Lay out the whole model with input and output stubs; wrap a long series."""
        rows = self._rows(model)
        if rows is None:
            w, above, below = self.size(model, root=True)
            self.place(model, STUB, 0.0, root=True)
            self.lines += [[(0.0, 0.0), (STUB, 0.0)], [(STUB + w, 0.0), (2 * STUB + w, 0.0)]]
            self.inlet, self.outlet = (0.0, 0.0), (2 * STUB + w, 0.0)
            self.bounds = (0.0, 2 * STUB + w, -below, above)
            return
        y, right, prev = 0.0, 0.0, None
        top = None
        for row in rows:
            sizes = [self.size(c) for c in row]
            above = max(s[1] for s in sizes)
            below = max(s[2] for s in sizes)
            if prev is None:
                top = above
            else:
                y -= prev[1] + ROW_GAP + above
            x = STUB
            for i, (c, s) in enumerate(zip(row, sizes)):
                if i:
                    self.lines.append([(x - GAP, y), (x, y)])
                self.place(c, x, y)
                x += s[0] + GAP
            end = x - GAP
            if prev is None:
                self.lines.append([(0.0, y), (STUB, y)])
                self.inlet = (0.0, y)
            else:
                # From the end of the previous row, back to the start of this one.
                (px, py), pb = prev[0], prev[1]
                mid = py - pb - ROW_GAP / 2
                self.lines.append([(px, py), (px + STUB / 2, py), (px + STUB / 2, mid),
                                   (STUB / 2, mid), (STUB / 2, y), (STUB, y)])
            right = max(right, end)
            prev = ((end, y), below)
        (ex, ey), eb = prev
        self.lines.append([(ex, ey), (ex + STUB, ey)])
        self.outlet = (ex + STUB, ey)
        self.bounds = (0.0, right + STUB, ey - eb, top)

    def _rows(self, model):
        """Rows of a top-level series too wide for a page, else None.

        As few rows as fit in :data:`MAX_ROW`, then balanced: the narrowest
        row limit that still needs no more rows.
        """
        total = self.size(model, root=True)[0] if isinstance(model, Series) else 0.0
        if total <= MAX_ROW:
            return None
        widths = [self.size(c)[0] for c in model.blocks]

        def fill(limit):
            rows, row, width = [], [], 0.0
            for c, w in zip(model.blocks, widths):
                if row and width + GAP + w > limit:
                    rows.append(row)
                    row, width = [], 0.0
                width += (GAP if row else 0.0) + w
                row.append(c)
            return rows + [row]

        rows = fill(MAX_ROW)
        for k in range(1, 41):
            limit = total / len(rows) + k * (MAX_ROW - total / len(rows)) / 40
            balanced = fill(limit)
            if len(balanced) <= len(rows):
                return balanced if len(balanced) > 1 else None
        return rows

    # ------------------------------------------------------------ one block
    def place(self, b, x, y, root=False) -> None:
        """Lay out block `b` with its left end at `x` on the connection line `y`."""
        w, above, below = self.size(b, root)
        if is_leaf(b):
            self.leaves.append((x + w / 2, y, b))
            return
        if framed(b, root):
            self.frames.append((x + 0.04, y - below + 0.04, x + w - 0.04, y + above - 0.04,
                                group_label(b)))
            self.lines += [[(x, y), (x + PAD, y)], [(x + w - PAD, y), (x + w, y)]]
            x, w, above = x + PAD, w - 2 * PAD, above - PAD - TOP
        if isinstance(b, Series):
            cx = x
            for i, c in enumerate(b.blocks):
                if i:
                    self.lines.append([(cx - GAP, y), (cx, y)])
                self.place(c, cx, y)
                cx += self.size(c)[0] + GAP
        elif isinstance(b, (Parallel, KofN)):
            inner = w - 2 * RAIL
            left, right = x + RAIL / 2, x + w - RAIL / 2
            top = y + above
            ys = []
            for c in b.blocks:
                cw, ca, cb = self.size(c)
                cy = top - ca
                cx = x + RAIL + (inner - cw) / 2
                self.place(c, cx, cy)
                self.lines += [[(left, cy), (cx, cy)], [(cx + cw, cy), (right, cy)]]
                ys.append(cy)
                top -= ca + cb + VGAP
            self.lines += [[(left, min(ys)), (left, max(ys))], [(right, min(ys)), (right, max(ys))],
                           [(x, y), (left, y)], [(right, y), (x + w, y)]]
        elif isinstance(b, Network):
            self._place_network(b, x, y)

    # ------------------------------------------------------------ networks
    def network_grid(self, b) -> dict:
        """Nodes in columns by hop distance from the source (target last).

        Edges between neighbouring columns or within a column carry their
        block at their midpoint; longer edges run in lanes above the grid.
        """
        adj: dict = {}
        for u, v, _ in b.edges:
            adj.setdefault(u, []).append(v)
            adj.setdefault(v, []).append(u)
        dist = {b.source: 0}
        todo = deque([b.source])
        while todo:
            u = todo.popleft()
            for v in adj[u]:
                if v not in dist:
                    dist[v] = dist[u] + 1
                    todo.append(v)
        others = [d for n, d in dist.items() if n != b.target]
        dist[b.target] = max(dist[b.target], max(others) + 1)
        cols = max(dist.values()) + 1
        columns = [[n for n in dist if dist[n] == k] for k in range(cols)]
        sizes = [self.size(e[2]) for e in b.edges]
        ew = max(s[0] for s in sizes)
        eh = max(max(s[1], s[2]) for s in sizes)
        vertical = any(dist[u] == dist[v] for u, v, _ in b.edges)
        cx = 2 * ew + 0.7 if vertical else ew + 1.2
        ry = 4 * eh + 0.5 if vertical else 2 * eh + 0.6
        pos = {}
        for k, col in enumerate(columns):
            for r, node in enumerate(col):
                pos[node] = (RAIL + k * cx, ((len(col) - 1) / 2 - r) * ry)
        rows = max(len(c) for c in columns)
        half = (rows - 1) * ry / 2 + eh
        long_edges = [i for i, (u, v, _) in enumerate(b.edges) if abs(dist[u] - dist[v]) > 1]
        lane = 2 * eh + 0.4
        lanes = {i: half + 0.2 + eh + k * lane for k, i in enumerate(long_edges)}
        return {"pos": pos, "lanes": lanes, "width": (cols - 1) * cx + 2 * RAIL,
                "above": half + lane * len(long_edges), "below": half}

    def _place_network(self, b, x, y) -> None:
        grid = self.network_grid(b)
        at = {n: (x + px, y + py) for n, (px, py) in grid["pos"].items()}
        (sx, sy), (tx, ty) = at[b.source], at[b.target]
        self.lines += [[(x, y), (sx, sy)], [(tx, ty), (x + grid["width"], y)]]
        for i, (u, v, block) in enumerate(b.edges):
            (ux, uy), (vx, vy) = at[u], at[v]
            bw, ba, bb = self.size(block)
            if i in grid["lanes"]:
                ly = y + grid["lanes"][i]
                mx, my = (ux + vx) / 2, ly
                self.lines += [[(ux, uy), (ux, ly), (mx - bw / 2, ly)],
                               [(mx + bw / 2, ly), (vx, ly), (vx, vy)]]
            else:
                mx, my = (ux + vx) / 2, (uy + vy) / 2
                if ux == vx:  # same column: the edge runs vertically behind its block
                    self.lines.append([(ux, uy), (vx, vy)])
                else:
                    self.lines += [[(ux, uy), (mx - bw / 2, my)], [(mx + bw / 2, my), (vx, vy)]]
            if not is_leaf(block):
                self.mask.append((mx - bw / 2, my - bb, bw, ba + bb))
            self.place(block, mx - bw / 2, my)
        for node, (nx, ny) in at.items():
            self.nodes.append((nx, ny, str(node)))
