"""Uncertainty and sensitivity: what the answers are over the ranges of the data.

Every MTBF and MTTR in ``data/components.csv`` comes as a low, a typical and
a high value, and they often span an order of magnitude. :func:`uncertainty`
draws parameter sets from those ranges and reports the spread of each
result; :func:`sensitivity` says which parameter the spread comes from, one
at a time (a tornado table) or all together (Sobol indices).

The distribution of a parameter
-------------------------------
Each parameter with range ``(low, typical, high)`` is drawn from a
*log-triangular* distribution: its logarithm is triangular on
``[ln low, ln high]`` with mode ``ln typical``. The logarithm is used because
the ranges are wide and multiplicative (an MTBF of 2 to 5 years, an MTTR of
4 to 72 hours): on a linear scale a triangle over 4..72 h would put most of
its weight far above the typical 24 h and almost none near 4 h. Every
parameter must therefore be positive; ``low == high`` fixes it.

Sampling is Latin hypercube (:class:`scipy.stats.qmc.LatinHypercube`): each
parameter's range is cut into ``n`` slices of equal probability and every
slice is sampled exactly once, so the marginal quantiles are right to within
``1 / n`` in probability however the parameters combine.
"""

from __future__ import annotations

import inspect
import math
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType

import numpy as np

from ._parallel import map_chunks
from .measures import MEASURES, latex_fit_width, latex_text, plain_number
from .units import confidence_level, duration

__all__ = ["UncertaintyResult", "sensitivity", "uncertainty"]

#: The results reported for every sample: names from the catalogue of measures
#: (:data:`hamodel.MEASURES`), each in its display unit (mean outage in hours,
#: downtime in minutes per year).
OUTPUTS = ("availability", "outages_per_year", "mean_down_time", "downtime_per_year",
           "incidents_per_year")

_SOBOL_DEFAULT_N = 64
_BOOTSTRAP_RESAMPLES = 1000


# --------------------------------------------------------------- parameters
@dataclass(frozen=True)
class _LogTriangular:
    """ln X is triangular on [ln low, ln high] with mode ln typical."""

    low: float
    typical: float
    high: float

    def ppf(self, u):
        """Quantile function (inverse CDF) at probabilities `u` in [0, 1]."""
        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        a, c, b = math.log(self.low), math.log(self.typical), math.log(self.high)
        if b == a:
            return np.full_like(u, self.low)
        split = (c - a) / (b - a)
        rising = a + np.sqrt(u * (b - a) * (c - a))
        falling = b - np.sqrt((1.0 - u) * (b - a) * (b - c))
        return np.clip(np.exp(np.where(u < split, rising, falling)), self.low, self.high)


@dataclass(frozen=True)
class _StackBuild:
    """Rebuild a stack from its description with sampled ``"<kind> MTBF"`` / ``"<kind> MTTR"``.

    It holds the stack's parsed description (a small mapping), which travels to
    worker processes once; nothing is read from disk per sample.
    """

    document: object
    path: object
    case: str | None

    def __call__(self, **params):
        from .stacks import Stack

        values: dict = {}
        for name, value in params.items():
            kind, quantity = name.rsplit(" ", 1)
            values.setdefault(kind, {})[quantity.lower()] = value
        return Stack.from_dict(self.document, case=self.case, values=values, path=self.path)


def _triple(name: str, value) -> tuple:
    """(low, typical, high) as positive floats in hours; strings are durations."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or len(value) != 3:
        raise ValueError(f"parameter {name!r}: range {value!r}; expected (low, typical, high)")
    out = []
    for label, v in zip(("low", "typical", "high"), value):
        try:
            x = duration(v) if isinstance(v, str) else float(v)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"parameter {name!r}: {label} = {v!r}: {exc}") from None
        if isinstance(v, bool) or not math.isfinite(x) or x <= 0:
            raise ValueError(f"parameter {name!r}: {label} = {v!r}; expected a finite, "
                             "positive value (the distribution is log-triangular)")
        out.append(x)
    low, typical, high = out
    if low > high:
        raise ValueError(f"parameter {name!r}: low {value[0]!r} > high {value[2]!r}")
    if not low <= typical <= high:
        raise ValueError(f"parameter {name!r}: typical {value[1]!r} is outside "
                         f"[{value[0]!r}, {value[2]!r}]")
    return low, typical, high


def _stack_ranges(stack) -> dict:
    """Default ranges of a stack: low..high MTBF and MTTR of every kind it uses."""
    from .data import components

    table = components()
    out = {}
    for kind in stack.kinds():
        for q in ("mtbf", "mttr"):
            out[f"{kind} {q.upper()}"] = tuple(float(table.loc[kind, f"{q}_{lvl}_h"])
                                              for lvl in ("low", "typical", "high"))
    return out


def _setup(model, ranges):
    """(build callable, name, {parameter: (low, typical, high)}) for either kind of model."""
    from .stacks import Stack

    if isinstance(model, Stack):
        if model.document is None:
            raise ValueError(f"stack {model.name!r} was put together from models, so it has "
                             "no description to vary: build it with hm.Stack.from_dict(...) "
                             "or hm.load_stack(...), or pass a build(**params) callable")
        known = _stack_ranges(model)
        if not known:
            raise ValueError(f"stack {model.name!r} uses no component kinds from the data, "
                             "so it has no default ranges")
        if ranges is None:
            chosen = dict(known)
        else:
            items = ranges.items() if isinstance(ranges, Mapping) else (
                (name, None) for name in _names(ranges))
            chosen = {}
            for name, value in items:
                if name not in known:
                    raise ValueError(f"unknown parameter {name!r} for stack {model.name!r}; "
                                     f"known parameters: {', '.join(known)}")
                chosen[name] = known[name] if value is None else value
        build, label = _StackBuild(model.document, model.path, model.case), model.name
    elif callable(model):
        if not isinstance(ranges, Mapping) or not ranges:
            raise ValueError("with a build callable, give ranges={'param': (low, typical, "
                             "high), ...}")
        _check_signature(model, ranges)
        chosen, build = dict(ranges), model
        label = getattr(model, "__name__", type(model).__name__)
    else:
        raise TypeError(f"model {model!r}: expected a Stack (hm.load_stack) or a callable "
                        "build(**params) -> model; a fixed model has nothing to vary")
    if not chosen:
        raise ValueError("ranges is empty: give at least one parameter")
    params = {name: _triple(name, value) for name, value in chosen.items()}
    return build, label, params


def _names(ranges) -> list:
    if isinstance(ranges, str):
        return [ranges]
    try:
        return list(ranges)
    except TypeError:
        raise TypeError(f"ranges {ranges!r}: expected a mapping of parameter -> "
                        "(low, typical, high) or a list of parameter names") from None


def _check_signature(build, ranges) -> None:
    try:
        sig = inspect.signature(build)
    except (TypeError, ValueError):  # builtins without a signature: trust the caller
        return
    kinds = {p.kind for p in sig.parameters.values()}
    if inspect.Parameter.VAR_KEYWORD in kinds:
        return
    accepted = [n for n, p in sig.parameters.items()
                if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    for name in ranges:
        if name not in accepted:
            raise ValueError(f"unknown parameter {name!r}: {getattr(build, '__name__', build)}"
                             f" accepts {accepted}")


def _check_n(n, *, power_of_two=False) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n = {n!r}: expected an integer number of samples >= 2")
    if power_of_two and n & (n - 1):
        raise ValueError(f"n = {n}: Sobol indices need n to be a power of 2 "
                         "(32, 64, 128, ...); the model is run n * (parameters + 2) times")
    return int(n)


# ------------------------------------------------------------- evaluation
def _evaluate(build, params: dict) -> tuple:
    """The outputs of one parameter set (a top-level function, so workers can run it)."""
    model = build(**params)
    if not hasattr(model, "measures"):
        raise TypeError(f"build(**{params!r}) returned {model!r}; expected a model with "
                        ".measures() (a Component, block, pattern or Stack)")
    m = model.measures()
    return tuple(MEASURES[out].value(m) for out in OUTPUTS)


def _evaluate_chunk(build, rows: list) -> list:
    """The outputs of a chunk of parameter sets: `build` travels once per chunk."""
    return [_evaluate(build, row) for row in rows]


#: Rows per chunk of work: about this many chunks whatever the study's size, so that
#: a pool or a cluster has work to balance and the bar moves, while `build` is sent
#: once per chunk. Chunk boundaries depend on the number of rows only.
_CHUNKS = 64


def _run(build, rows: list, *, workers: int, progress: bool, desc: str, executor=None,
         what: str = "uncertainty") -> np.ndarray:
    """Evaluate every row (a dict of parameter values), in order; shape (len(rows), outputs)."""
    size = max(1, math.ceil(len(rows) / _CHUNKS))
    chunks = [(build, rows[i:i + size]) for i in range(0, len(rows), size)]
    parts = map_chunks(_evaluate_chunk, chunks, sizes=[len(c[1]) for c in chunks],
                       executor=executor, workers=workers, progress=progress, desc=desc,
                       what=what)
    results = [out for part in parts for out in part]
    return np.array(results, dtype=float).reshape(len(rows), len(OUTPUTS))


def _progress_bar(total: int, desc: str):
    """A tqdm bar (a minimal text bar without tqdm) on stderr, or in place in a notebook.

    In a Jupyter kernel the bar is one display output updated in place, so an
    executed notebook keeps only the bar's final state, not every redraw.
    """
    out, interval = (_DisplayLine(), 0.5) if _in_kernel() else (sys.stderr, 0.1)
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover - tqdm is a dependency
        return _TextBar(total, desc, out)
    # No padding before the percentage, so that every state of the bar has
    # the same shape: "<desc>: <n>%|<bar>| <i>/<total> [<times>]".
    return tqdm(total=total, desc=desc, file=out, ascii=True, leave=True, mininterval=interval,
                bar_format="{desc}: {percentage:.0f}%|{bar}| {n_fmt}/{total_fmt} "
                           "[{elapsed}<{remaining}, {rate_fmt}]")


def _in_kernel() -> bool:
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return getattr(shell, "kernel", None) is not None


class _DisplayLine:
    """A file-like object showing the last line written as one notebook output."""

    def __init__(self):
        self._handle = None

    def write(self, text: str) -> int:
        line = text.replace("\n", "").split("\r")[-1]
        if line.strip():
            from IPython.display import display

            data = {"text/plain": line}
            if self._handle is None:
                self._handle = display(data, raw=True, display_id=True)
            else:
                self._handle.update(data, raw=True)
        return len(text)

    def flush(self) -> None:
        pass


class _TextBar:
    """``desc: 40%|########            | 80/200``, redrawn in place."""

    def __init__(self, total: int, desc: str, out, width: int = 20):
        self.total, self.desc, self.out, self.width, self.done = total, desc, out, width, 0
        self._draw()

    def _draw(self) -> None:
        share = self.done / self.total if self.total else 1.0
        fill = round(share * self.width)
        self.out.write(f"\r{self.desc}: {share:.0%}|{'#' * fill}{' ' * (self.width - fill)}"
                       f"| {self.done}/{self.total}")
        self.out.flush()

    def update(self, k: int = 1) -> None:
        self.done += k
        self._draw()

    def close(self) -> None:
        self.out.write("\n")
        self.out.flush()


def _rng(seed):
    return np.random.default_rng(seed)


def _qmc(engine, d: int, rng):
    """A scipy.stats.qmc engine seeded with `rng` (``rng=`` since SciPy 1.15, ``seed=`` before)."""
    try:
        return engine(d, rng=rng)
    except TypeError:  # pragma: no cover - SciPy < 1.15
        return engine(d, seed=rng)


# ------------------------------------------------------------------ result
@dataclass(frozen=True, eq=False)
class UncertaintyResult:
    """The outputs of a model over sampled parameter sets.

    Attributes
    ----------
    name : str
        The stack's or build callable's name.
    samples : pandas.DataFrame
        One row per sample: the parameter values (hours for durations), then
        the outputs ``availability``, ``outages_per_year``,
        ``mean_down_time`` (h), ``downtime_per_year`` (min/yr) and
        ``incidents_per_year``, named and scaled as in the catalogue of
        measures (:data:`hamodel.MEASURES`).
    ranges : Mapping[str, tuple]
        Parameter -> ``(low, typical, high)`` as sampled (hours for durations).
    levels : tuple of float
        The quantile levels of :attr:`quantiles`.
    seed : int or None
        The seed the samples were drawn with.
    """

    name: str
    samples: object
    ranges: Mapping = field(repr=False)
    levels: tuple = (0.05, 0.5, 0.95)
    seed: int | None = None

    @property
    def n(self) -> int:
        """Number of samples."""
        return len(self.samples)

    @cached_property
    def quantiles(self):
        """pandas.DataFrame: one row per output, one column per quantile level."""
        table = self.samples[list(OUTPUTS)].quantile(list(self.levels)).T
        table.columns = list(self.levels)
        table.index.name = "output"
        table.columns.name = "quantile"
        return table

    @property
    def summary(self):
        """pandas.DataFrame: mean and quantiles of each output, labelled with units."""
        table = self.quantiles.copy()
        table.columns = [_percent(q) for q in self.levels]
        table.insert(0, "mean", self.samples[list(OUTPUTS)].mean())
        table.index = [_labelled(MEASURES[out]) for out in OUTPUTS]
        table.index.name = "output"
        return table

    def _caption(self) -> str:
        seed = "" if self.seed is None else f", seed {self.seed}"
        return (f"{self.name}: {self.n} Latin hypercube samples of {len(self.ranges)} "
                f"parameters (log-triangular){seed}")

    def _repr_html_(self) -> str:
        return (f"<p><b>{self._caption()}</b></p>"
                + self.summary.to_html(float_format=lambda v: plain_number(v, 6)))

    def _repr_latex_(self) -> str:
        cols = list(self.summary.columns)
        lines = [r"\begin{tabular}{l" + "r" * len(cols) + "}", r"\hline",
                 "output & " + " & ".join(latex_text(c) for c in cols) + r" \\",
                 r"\hline"]
        for label, row in self.summary.iterrows():
            lines.append(latex_text(label) + " & " + " & ".join(plain_number(v, 6) for v in row)
                         + r" \\")
        lines += [r"\hline", r"\end{tabular}"]
        return latex_text(self._caption()) + "\n\n" + latex_fit_width("\n".join(lines))

    def __repr__(self) -> str:
        return f"UncertaintyResult({self._caption()})\n{self.summary.to_string(float_format=_g6)}"


def _labelled(spec) -> str:
    unit = spec.unit_of()
    return f"{spec.label} ({unit})" if unit else spec.label


def _g6(v: float) -> str:
    return f"{v:.6g}"


def _percent(q: float) -> str:
    return f"{100 * q:g}%"


# --------------------------------------------------------------- analyses
def uncertainty(model, ranges=None, *, n: int = 200, seed=None,
                quantiles=(0.05, 0.5, 0.95), progress: bool = False,
                workers: int = 1, executor=None) -> UncertaintyResult:
    """Availability, outages and downtime over sampled parameter values.

    Draws `n` parameter sets by Latin hypercube sampling, each parameter from
    a log-triangular distribution on ``[low, high]`` with mode ``typical``
    (see the module notes), builds the model for each set and records its
    measures.

    Parameters
    ----------
    model : Stack or callable
        A stack from :func:`hamodel.load_stack`: its parameters are the MTBF
        and MTTR of every component kind it uses, named ``"<kind> MTBF"`` and
        ``"<kind> MTTR"`` (``"physical_server MTTR"``), and each sample
        rebuilds the stack from its file with those values for every
        component of the kind (``load_stack(path, values=...)``; an
        ``mtbf`` / ``mttr`` written in the file for one component still wins,
        and the ``case`` it was loaded with applies to kinds not varied).
        Or a callable ``build(**params) -> model`` returning anything with
        ``.measures()``.
    ranges : mapping or list, optional
        ``{"param": (low, typical, high)}``; durations may be strings
        (``"4h"``) and reach `build` as hours. For a stack the default is
        the low, typical and high values of ``data/components.csv`` for
        every parameter; a list of parameter names (or a value ``None``)
        varies only those, at their data ranges, and a tuple replaces a
        parameter's range.
    n : int
        Number of samples (>= 2).
    seed : int, optional
        Seed of the sampling: the same seed gives the same samples and
        results, whatever `workers`.
    quantiles : sequence of float
        Quantile levels reported by :attr:`UncertaintyResult.quantiles`.
    progress : bool
        Show a progress bar (tqdm) on stderr; it advances as each chunk of
        samples finishes.
    workers : int
        Evaluate in this many processes (:class:`concurrent.futures.ProcessPoolExecutor`).
        The build callable is then pickled, once per chunk of samples: it
        must be defined at module level, not a lambda or a nested function
        (a stack travels as its parsed description, not re-read from disk).
        A function defined in a notebook works only where workers are forked
        (Linux before Python 3.14); elsewhere (spawn or forkserver) put it in
        an importable module. A process that dies is replaced and its chunks
        run again. Results are the same as with ``workers=1``.
    executor : concurrent.futures.Executor, distributed.Client or str, optional
        Where to evaluate instead: any :class:`concurrent.futures.Executor`
        (left open), a Dask ``distributed.Client``, ``"dask"`` (the current
        Dask client) or a Dask scheduler address such as
        ``"tcp://10.0.0.5:8786"``; the last three need the ``dask`` extra
        (``pip install 'hamodel[dask]'``). Give either `executor` or
        `workers`. Results are the same as with ``workers=1``.

    Returns
    -------
    UncertaintyResult

    Raises
    ------
    ValueError
        For an unknown parameter, a range that is not ``(low, typical,
        high)`` with ``0 < low <= typical <= high``, or ``n < 2``.
    TypeError
        If `model` is neither a Stack nor a callable.

    Examples
    --------
    >>> import hamodel as hm
    >>> def web(mtbf, mttr):
    ...     return hm.Component("web", mtbf=mtbf, mttr=mttr)
    >>> result = hm.uncertainty(web, {"mtbf": ("1y", "2y", "5y"),
    ...                               "mttr": ("30min", "2h", "8h")}, n=100, seed=1)
    >>> result.quantiles.loc["downtime_per_year"].round(0).tolist()
    [19.0, 58.0, 156.0]
    >>> list(result.samples.columns[:3])
    ['mtbf', 'mttr', 'availability']

    A stack varies the MTBF and MTTR of every kind it uses:

    >>> stack = hm.load_stack("single_server.yaml")
    >>> hm.uncertainty(stack, n=20, seed=1).ranges["physical_server MTTR"]
    (4.0, 24.0, 72.0)
    """
    n = _check_n(n)
    levels = tuple(sorted(float(q) for q in quantiles))
    if not levels or not all(0.0 <= q <= 1.0 for q in levels):
        raise ValueError(f"quantiles {quantiles!r}: expected levels in [0, 1]")
    build, label, params = _setup(model, ranges)
    names = list(params)
    rng = _rng(seed)
    unit = _qmc(_qmc_engine("LatinHypercube"), len(names), rng).random(n)
    values = np.column_stack([_LogTriangular(*params[p]).ppf(unit[:, j])
                              for j, p in enumerate(names)])
    rows = [dict(zip(names, map(float, v))) for v in values]
    outputs = _run(build, rows, workers=workers, progress=progress, desc=label,
                   executor=executor)

    import pandas as pd

    samples = pd.DataFrame(values, columns=names)
    for j, out in enumerate(OUTPUTS):
        samples[out] = outputs[:, j]
    return UncertaintyResult(name=label, samples=samples, ranges=MappingProxyType(params),
                             levels=levels, seed=seed)


def _qmc_engine(name: str):
    from scipy.stats import qmc

    return getattr(qmc, name)


def sensitivity(model, ranges=None, *, output: str = "downtime_per_year",
                method: str = "tornado", n: int | None = None, seed=None,
                level: float = 0.95, progress: bool = False, workers: int = 1,
                executor=None):
    """Which parameter moves an output most: one at a time, or Sobol indices.

    Parameters
    ----------
    model, ranges
        As for :func:`uncertainty`: a Stack (default ranges from the data)
        or a callable ``build(**params)`` with ``ranges``.
    output : str
        One of ``"availability"``, ``"outages_per_year"``,
        ``"mean_down_time"``, ``"downtime_per_year"`` (min/yr),
        ``"incidents_per_year"``.
    method : {"tornado", "sobol"}
        ``"tornado"``: each parameter at its low and at its high value with
        all others at their typical values (``2 * parameters + 1`` runs).
        ``"sobol"``: first-order and total Sobol indices by the Saltelli
        (2010) estimator of :func:`scipy.stats.sobol_indices` over the
        log-triangular distributions (``n * (parameters + 2)`` runs).
    n : int, optional
        Sobol only: base sample size, a power of 2 (default 64).
    seed : int, optional
        Sobol only: seed of the scrambled Sobol sequence and the bootstrap.
    level : float
        Sobol only: confidence level of the bootstrap intervals.
    progress, workers, executor
        As for :func:`uncertainty`.

    Returns
    -------
    pandas.DataFrame
        Indexed by parameter (``"physical_server MTTR"`` for a stack).

        - tornado: ``low`` and ``high`` (the output with the parameter at its
          low / high value), ``base`` (all typical), ``swing``
          (``|high - low|``), ``value_low`` and ``value_high`` (the parameter
          values, hours for durations); sorted by swing, widest first. Ready
          for :func:`hamodel.plot_tornado`.
        - sobol: ``S1`` (first order: the share of the output's variance
          that the parameter explains alone), ``ST`` (total: alone and
          through interactions), each with ``_low`` / ``_high`` bounds from
          a seeded percentile bootstrap over the ``n`` base samples; sorted
          by ``ST``. For an additive model the ``S1`` sum to 1 and equal the
          ``ST``.

    Examples
    --------
    >>> import hamodel as hm
    >>> def pair(db_mttr, web_mttr):
    ...     return hm.series(hm.Component("db", mtbf="2y", mttr=db_mttr),
    ...                      hm.Component("web", mtbf="1y", mttr=web_mttr))
    >>> ranges = {"db_mttr": ("1h", "4h", "24h"), "web_mttr": ("10min", "30min", "2h")}
    >>> table = hm.sensitivity(pair, ranges)
    >>> table.index.tolist()  # the database's repairs move the downtime most
    ['db_mttr', 'web_mttr']
    >>> table.loc["db_mttr", ["low", "base", "high"]].round(1).tolist()  # min/yr
    [60.0, 150.0, 749.0]
    >>> s = hm.sensitivity(pair, ranges, method="sobol", n=256, seed=1)
    >>> s.index[0], bool(s.loc["db_mttr", "S1"] > 0.8)
    ('db_mttr', True)
    """
    if output not in OUTPUTS:
        raise ValueError(f"output {output!r}: expected one of {list(OUTPUTS)} (names from "
                         "the catalogue of measures, hm.MEASURES)")
    if method not in ("tornado", "sobol"):
        raise ValueError(f"method {method!r}: expected 'tornado' or 'sobol'")
    build, label, params = _setup(model, ranges)
    if method == "tornado":
        return _tornado(build, label, params, output, progress=progress, workers=workers,
                        executor=executor)
    level = confidence_level(level)
    n = _check_n(_SOBOL_DEFAULT_N if n is None else n, power_of_two=True)
    return _sobol(build, label, params, output, n=n, seed=seed, level=level,
                  progress=progress, workers=workers, executor=executor)


def _tornado(build, label, params, output, *, progress, workers, executor):
    import pandas as pd

    typical = {p: r[1] for p, r in params.items()}
    rows = [dict(typical)]
    for p, (low, _, high) in params.items():
        rows += [{**typical, p: low}, {**typical, p: high}]
    column = list(OUTPUTS).index(output)
    values = _run(build, rows, workers=workers, progress=progress, desc=label,
                  executor=executor, what="sensitivity")[:, column]
    base = values[0]
    table = pd.DataFrame({
        "low": values[1::2], "high": values[2::2], "base": base,
        "value_low": [r[0] for r in params.values()],
        "value_high": [r[2] for r in params.values()],
    }, index=pd.Index(list(params), name="parameter"))
    table.insert(3, "swing", (table["high"] - table["low"]).abs())
    table = table.sort_values("swing", ascending=False, kind="stable")
    table.attrs["output"] = output  # for plot_tornado's labels
    return table


def _sobol(build, label, params, output, *, n, seed, level, progress, workers, executor):
    import pandas as pd
    from scipy.stats import sobol_indices  # SciPy >= 1.11

    names = list(params)
    d = len(names)
    rng = _rng(seed)
    dists = [_LogTriangular(*params[p]) for p in names]
    base = _qmc(_qmc_engine("Sobol"), 2 * d, rng).random(n)
    a = np.column_stack([dists[j].ppf(base[:, j]) for j in range(d)])
    b = np.column_stack([dists[j].ppf(base[:, d + j]) for j in range(d)])
    ab = []
    for i in range(d):  # A with its column i taken from B
        m = a.copy()
        m[:, i] = b[:, i]
        ab.append(m)
    stacked = np.vstack([a, b, *ab])
    rows = [dict(zip(names, map(float, v))) for v in stacked]
    column = list(OUTPUTS).index(output)
    f = _run(build, rows, workers=workers, progress=progress, desc=label,
             executor=executor, what="sensitivity")[:, column]
    f_a, f_b, f_ab = f[:n], f[n:2 * n], f[2 * n:].reshape(d, 1, n)

    def indices(idx):
        res = sobol_indices(func={"f_A": f_a[None, idx], "f_B": f_b[None, idx],
                                  "f_AB": f_ab[:, :, idx]}, n=n)
        return np.atleast_1d(res.first_order), np.atleast_1d(res.total_order)

    s1, st = indices(np.arange(n))
    boot = [indices(rng.integers(0, n, n)) for _ in range(_BOOTSTRAP_RESAMPLES)]
    s1_boot = np.array([x[0] for x in boot])
    st_boot = np.array([x[1] for x in boot])
    tail = 100 * (1 - level) / 2
    table = pd.DataFrame({
        "S1": s1,
        "S1_low": np.percentile(s1_boot, tail, axis=0),
        "S1_high": np.percentile(s1_boot, 100 - tail, axis=0),
        "ST": st,
        "ST_low": np.percentile(st_boot, tail, axis=0),
        "ST_high": np.percentile(st_boot, 100 - tail, axis=0),
    }, index=pd.Index(names, name="parameter"))
    table.attrs.update(n=n, evaluations=len(rows), output=output, level=level, seed=seed)
    return table.sort_values("ST", ascending=False, kind="stable")
