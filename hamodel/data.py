"""Field data for component kinds: the loader for ``data/components.csv``.

The data files ship inside the package, in ``hamodel/_data`` (the folder
``data/`` of a checkout is a link to it), so an installed wheel finds them
too: :data:`DATA_DIR` is that folder, wherever hamodel is installed.

Each row of ``data/components.csv`` is one kind of component (a server, a
disk, a HAProxy process, a whole site, operator error, ...) with a low, a
typical and a high value of its mean time between failures (MTBF) and of its
mean time to repair (MTTR), and the published source or stated assumption
behind each value. ``data/README.md`` explains the columns and conventions.

"low", "typical" and "high" are literally the low, typical and high value of
each quantity. The *pessimistic* case of a kind pairs the low MTBF with the
high MTTR; the *optimistic* case pairs the high MTBF with the low MTTR.

The values assume exponential, independent up and down times. The field
studies behind them show correlated and non-exponential failures, so models
built from these rows tend to be optimistic about redundancy.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from .component import Component
from .units import duration

if TYPE_CHECKING:  # pragma: no cover - pandas is imported when a table is built
    import pandas as pd

__all__ = ["components", "data_file"]

#: The package's data folder (``hamodel/_data``; ``data/`` in a checkout links to it):
#: components.csv, incidents_example.csv and the stack files in ``stacks/``. Found
#: through :mod:`importlib.resources`, so it is the installed copy in a wheel install.
DATA_DIR = Path(str(files("hamodel") / "_data"))
#: The field-data table read by default.
DEFAULT_PATH = DATA_DIR / "components.csv"

#: Values accepted for ``case`` and the (mtbf, mttr) columns each one selects.
CASES = {
    "low": ("low", "low"),
    "typical": ("typical", "typical"),
    "high": ("high", "high"),
    "pessimistic": ("low", "high"),
    "optimistic": ("high", "low"),
}

_LEVELS = ("low", "typical", "high")
_DURATION_COLUMNS = [f"{q}_{lvl}" for q in ("mtbf", "mttr") for lvl in _LEVELS]
_REQUIRED_TEXT = ["description", "failure_source", "repair_source"]
_COLUMNS = ["kind", "description", *_DURATION_COLUMNS, "failure_source", "repair_source", "notes"]
_KIND = re.compile(r"^[a-z][a-z0-9_]*$")


def components(path: str | Path | None = None) -> pd.DataFrame:
    """The component table: one row per kind, with durations also in hours.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A CSV with the columns of ``data/components.csv``. By default the
        table that ships with hamodel (:data:`DEFAULT_PATH`).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``kind``. The columns of the CSV as strings (``mtbf_low``
        ... ``mttr_high`` are duration strings such as ``"5y"``), plus float
        columns ``mtbf_low_h`` ... ``mttr_high_h`` holding the same durations
        in hours. The file is read and validated once (until it changes on
        disk); each call returns a fresh copy, so changing the result does
        not change later calls.

    Raises
    ------
    FileNotFoundError
        If the CSV does not exist.
    ValueError
        If a column is missing, a kind is malformed or repeated, a duration
        does not parse or is zero, ``low <= typical <= high`` fails, or a
        description or source is empty. The message names the file, the row
        (counting data rows from 1, with its kind) and the column.

    Examples
    --------
    >>> table = components()
    >>> table.loc["disk", "mtbf_typical"]
    '33y'
    >>> hours = table.loc["physical_server", ["mttr_low_h", "mttr_typical_h", "mttr_high_h"]]
    >>> [float(h) for h in hours]
    [4.0, 24.0, 72.0]
    >>> bool((table["mtbf_low_h"] <= table["mtbf_high_h"]).all())
    True
    """
    return _table(path).copy()


def data_file(name: str) -> Path:
    """The path of a file that ships with hamodel's data, such as the example incident log.

    Examples
    --------
    >>> data_file("incidents_example.csv").name
    'incidents_example.csv'
    >>> data_file("nope.csv")
    Traceback (most recent call last):
    ...
    ValueError: no data file 'nope.csv'; the data files are: components.csv, costs.csv, incidents_example.csv, traffic_profiles.csv
    """
    path = DATA_DIR / str(name)
    if not path.is_file() or path.parent != DATA_DIR:
        known = sorted(p.name for p in DATA_DIR.iterdir() if p.is_file() and p.name != "README.md")
        raise ValueError(f"no data file {name!r}; the data files are: {', '.join(known)}")
    return path


@lru_cache(maxsize=8)
def _load(path: str, mtime_ns: int) -> pd.DataFrame:
    # mtime_ns is part of the cache key only: an edited file is read again.
    import pandas as pd

    name = Path(path).name
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (ValueError, UnicodeDecodeError) as exc:  # pandas' parser errors are ValueErrors
        raise ValueError(f"{name}: not a readable CSV file: {exc}") from None
    missing = [c for c in _COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{name}: missing column(s) {missing}; expected columns {_COLUMNS}")
    frame = frame[_COLUMNS].fillna("").apply(lambda col: col.str.strip())

    hours = {f"{c}_h": [] for c in _DURATION_COLUMNS}
    seen = {}
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        row = row._asdict()
        kind = row["kind"]
        where = f"{name}, row {i} (kind {kind!r})"
        if not _KIND.match(kind):
            raise ValueError(f"{where}, column 'kind': expected a snake_case id such as 'web_server'")
        if kind in seen:
            raise ValueError(f"{where}, column 'kind': {kind!r} repeats row {seen[kind]}")
        seen[kind] = i
        for col in _REQUIRED_TEXT:
            if not row[col]:
                raise ValueError(f"{where}, column {col!r}: empty; every value needs a source or a stated assumption")
        for col in _DURATION_COLUMNS:
            try:
                value = duration(row[col])
            except (ValueError, TypeError) as exc:
                raise ValueError(f"{where}, column {col!r}: {exc}") from None
            if value <= 0:
                raise ValueError(f"{where}, column {col!r}: {row[col]!r}: expected a positive time")
            hours[f"{col}_h"].append(value)
        for q in ("mtbf", "mttr"):
            lo, typ, hi = (hours[f"{q}_{lvl}_h"][-1] for lvl in _LEVELS)
            if not lo <= typ <= hi:
                raise ValueError(
                    f"{where}, columns '{q}_low', '{q}_typical', '{q}_high': expected low <= typical <= high, "
                    f"got {row[f'{q}_low']!r}, {row[f'{q}_typical']!r}, {row[f'{q}_high']!r}"
                )
    if not seen:
        raise ValueError(f"{name}: no component rows")

    for col, values in hours.items():
        frame[col] = [float(v) for v in values]
    return frame.set_index("kind")  # kinds were checked unique above


def component(kind: str, case: str = "typical", name: str | None = None, *,
              path: str | Path | None = None) -> Component:
    """A :class:`~hamodel.Component` with the field-data values of a kind.

    Users call it as :meth:`hamodel.Component.from_data`.

    Parameters
    ----------
    kind : str
        A row of ``data/components.csv``, such as ``"physical_server"``,
        ``"disk"`` or ``"haproxy"``; :func:`components` lists them all.
    case : {"typical", "low", "high", "pessimistic", "optimistic"}
        ``"low"``, ``"typical"`` and ``"high"`` take that column of both MTBF
        and MTTR. ``"pessimistic"`` takes the low MTBF and the high MTTR,
        ``"optimistic"`` the high MTBF and the low MTTR: the least and most
        available unit the data allow.
    name : str, optional
        The component's name in a model; defaults to `kind`.
    path : str or pathlib.Path, optional
        Another CSV to read (see :func:`components`).

    Returns
    -------
    Component
        With ``mtbf`` and ``mttr`` in hours.

    Raises
    ------
    ValueError
        If `kind` is not in the table (the message lists the known kinds and
        suggests the closest one) or `case` is not one of the values above.

    Examples
    --------
    >>> component("physical_server").mttr
    24.0
    >>> round(component("physical_server").mtbf / 8766, 6)  # years
    3.0
    >>> component("disk", "pessimistic", name="disk_a")
    Component('disk_a', mtbf=96426 h, mttr=72 h)
    >>> component("switch", "optimistic").mttr
    1.0
    >>> component("web_sever")
    Traceback (most recent call last):
    ...
    ValueError: unknown component kind 'web_sever' (did you mean 'web_server'?); known kinds: ...
    """
    if not isinstance(case, str) or case not in CASES:
        raise ValueError(f"case {case!r}: expected one of {', '.join(repr(c) for c in CASES)}")
    if not isinstance(kind, str):
        raise TypeError(f"component kind {kind!r}: expected a string such as 'physical_server'")
    table = _table(path)
    if kind not in table.index:
        known = sorted(table.index)
        close = difflib.get_close_matches(kind, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"unknown component kind {kind!r}{hint}; known kinds: {', '.join(known)}")
    mtbf_level, mttr_level = CASES[case]
    row = table.loc[kind]
    return Component(
        kind if name is None else name,
        mtbf=float(row[f"mtbf_{mtbf_level}_h"]),
        mttr=float(row[f"mttr_{mttr_level}_h"]),
    )


def _table(path: str | Path | None) -> pd.DataFrame:
    """The cached, validated frame itself: read-only for this module's use."""
    path = (DEFAULT_PATH if path is None else Path(path)).resolve()
    if not path.is_file():
        hint = (" (it ships inside the package: reinstall hamodel)"
                if path == DEFAULT_PATH.resolve() else "")
        raise FileNotFoundError(f"component data file not found: {path}{hint}")
    return _load(str(path), path.stat().st_mtime_ns)
