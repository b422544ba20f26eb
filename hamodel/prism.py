"""PRISM and Storm models in and out of hamodel.

A user who already has a model of their system in the PRISM language, or
exported by PRISM or Storm as explicit files, can bring it into the workbook
as a :class:`~hamodel.CTMC` and get its frequency-duration measures, compare
it with hamodel's own patterns, and send hamodel's chains the other way:

* :func:`from_prism` (``CTMC.from_prism``) reads a PRISM model (``.sm``,
  ``.prism``) through Storm's Python bindings, stormpy, an optional extra:
  ``pip install 'hamodel[storm]'``. stormpy is imported only when called.
* :func:`from_explicit` (``CTMC.from_explicit``) reads PRISM's explicit files
  (``.tra`` transitions, ``.lab`` labels, ``.sta`` state valuations, as written
  by ``prism -exportmodel out.tra,lab,sta``) and Storm's explicit dialect
  (``.tra`` starting with ``ctmc``, ``.lab`` with ``#DECLARATION``), with
  numpy, scipy and pandas only.
* :func:`to_explicit` (``CTMC.to_explicit``) writes them.

Rates in PRISM files have no unit; hamodel works per hour, so both directions
take ``time_unit`` (default ``"1h"``: the file's rates are per hour).

The explicit formats
--------------------
``.tra`` (PRISM)
    First line ``n m`` (states, transitions), then one line ``i j rate`` per
    transition (an optional fourth field, an action name, is ignored).
    States are numbered from 0. Storm's dialect has the model type ``ctmc``
    as its first line instead and no counts. Every state must have a line;
    an absorbing state has a self-loop (PRISM writes ``i i 1``). Self-loops
    do not change a CTMC and are dropped.
``.lab``
    PRISM: a first line declaring the labels, ``0="init" 1="deadlock"
    2="up"``, then ``i: 0 2`` (state ``i`` carries labels 0 and 2). Storm:
    ``#DECLARATION``, the label names, ``#END``, then ``i init up``.
    The ``init`` label gives the initial state(s).
``.sta``
    First line ``(x,y,b)``, the variable names; then ``i:(1,0,true)``.

State names
-----------
With state valuations (a ``.sta`` file, or any PRISM model), each state is
named by a :func:`~collections.namedtuple` ``State`` of its variable values,
so ``m.states[0].left_n`` reads a variable, ``pandas.DataFrame(m.states)``
is the table of valuations, and a state can be given as a plain tuple in
the PRISM variable order (``m.index((5, True))``). Variable names that are
not valid Python field names (keywords, a leading underscore) are renamed
``_0``, ``_1``... by position. Without valuations, states are ``0 .. n-1``.
"""

from __future__ import annotations

import collections
import contextlib
import gc
import itertools
import json
import os
import re
import tarfile
import tempfile
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from .ctmc import CTMC
from .units import positive_duration

__all__ = ["ModelFileError", "from_explicit", "from_prism", "to_explicit"]

#: What to install for :func:`from_prism`.
STORM_EXTRA = "pip install 'hamodel[storm]'"

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_LABEL_DECLARATION = re.compile(r'(\d+)="([^"]*)"\Z')
_STATE_LINE = re.compile(r"\s*([^:\s]+)\s*:\s*\((.*)\)\s*\Z")
_STORM_LINE = re.compile(r"at (\d+):(\d+)")
_STA_TABLE = bytes.maketrans(b":(),", b"    ")


class ModelFileError(ValueError):
    """A model file that does not parse, or does not describe a CTMC.

    The message starts with the file and, when one line is at fault, its
    number: ``"cluster.tra, line 12: negative rate -0.5 from state 3 to state 4"``.

    Attributes
    ----------
    path : pathlib.Path
        The file.
    line : int or None
        The offending line (counted from 1), when there is one.
    """

    def __init__(self, path, message: str, line: int | None = None):
        self.path = Path(path)
        self.line = line
        where = str(path) if line is None else f"{path}, line {line}"
        super().__init__(f"{where}: {message}")


class _Retry(Exception):
    """The vectorised parser cannot tell which line is wrong: parse line by line."""


# =====================================================================
# from_prism: through stormpy
# =====================================================================
def _import_stormpy():
    try:
        import stormpy
    except ImportError as exc:
        raise ImportError("CTMC.from_prism needs stormpy (Storm's Python bindings), which is "
                          f"not installed: {STORM_EXTRA}") from exc
    return stormpy


@contextlib.contextmanager
def _quiet(stormpy):
    """Silence Storm's log (it prints warnings and errors on stderr) for a while.

    Storm's errors still reach the caller as exceptions, whose message we pass on.
    """
    try:
        import stormpy.developer as developer

        old = developer.get_log_level()
        developer.set_log_level(developer.LogLevel.OFF)
    except (ImportError, AttributeError):  # pragma: no cover - other stormpy versions
        developer = None
    try:
        yield
    finally:
        if developer is not None:
            developer.set_log_level(old)


def _storm_message(exc) -> str:
    text = str(exc).strip()
    text = re.sub(r"^\w*(Exception|Error):\s*", "", text)
    text = re.sub(r"\s*\^\s*$", "", text)  # the caret under a quoted source line
    return " ".join(text.split())


def from_prism(path, constants=None, *, up, initial=None, healthy=None, time_unit="1h",
               name=None, **kwargs) -> CTMC:
    """Build a CTMC from a PRISM model file (``.sm``, ``.prism``) with Storm.

    The parameters, results and errors are those of :meth:`hamodel.CTMC.from_prism`,
    which calls this.

    Examples
    --------
    The embedded control system of the PRISM case studies has rates per
    second; its mean time to shut down, in hours:

    >>> import pathlib, stormpy  # doctest: +SKIP
    >>> path = pathlib.Path(stormpy.__file__).parent / "examples/files/ctmc/embedded2.sm"  # doctest: +SKIP
    >>> system = from_prism(path, up='!"down"', time_unit="s")  # doctest: +SKIP
    >>> round(system.mttf(), 2)  # doctest: +SKIP
    424.14
    """
    stormpy = _import_stormpy()
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"PRISM model file not found: {path}")
    unit = _time_unit(time_unit)
    with _quiet(stormpy):
        try:
            program = stormpy.parse_prism_program(str(path), prism_compatibility=True)
        except Exception as exc:  # Storm raises RuntimeError or StormError
            message = _storm_message(exc)
            where = _STORM_LINE.search(message)
            raise ModelFileError(path, f"not a valid PRISM model: {message}",
                                 int(where.group(1)) if where else None) from None
        kind = str(program.model_type).rsplit(".", 1)[-1]
        if kind != "CTMC":
            raise ModelFileError(path, f"a {kind} model; hamodel reads CTMCs (a PRISM file "
                                 "that starts with 'ctmc')")
        program = _instantiate(stormpy, program, constants, path)
        labels = sorted({lab.name for lab in program.labels} | {"init", "deadlock"})
        specs = {"up": up, "healthy": healthy}
        formulas = {what: _formula(stormpy, program, spec, what, path, labels)
                    for what, spec in specs.items()
                    if isinstance(spec, str) and spec not in labels}
        options = stormpy.BuilderOptions([wrapped for _, wrapped in formulas.values()])
        options.set_build_state_valuations()
        options.set_build_all_labels()
        options.set_exploration_checks(True)  # else out-of-bounds updates wrap around silently
        try:
            model = stormpy.build_model(program, options=options)
        except Exception as exc:
            raise ModelFileError(path, "Storm could not build the model: "
                                 f"{_storm_message(exc)}") from None
        n = int(model.nr_states)
        src, dst, rates = _storm_rates(model)
        masks = {}
        for what, spec in specs.items():
            if what in formulas:
                masks[what] = _check_formula(stormpy, model, formulas[what][0], spec, what,
                                             path, labels)
            elif isinstance(spec, str):
                masks[what] = _bits(model.labeling.get_states(spec), n)
        states = _storm_states(model, program)
        init = _bits(model.labeling.get_states("init"), n)
    names = states if states is not None else range(n)
    resolved = {what: masks[what] if what in masks else _callable_mask(spec, names, n)
                for what, spec in specs.items()}
    _check_some(resolved["up"], up, "up", path)
    return _build(n, src, dst, rates / unit, up=resolved["up"], healthy=resolved["healthy"],
                  states=states, initial=_initial_from(init, initial, path),
                  name=name or path.stem, **kwargs)


def _instantiate(stormpy, program, constants, path):
    """Give the undefined constants their values; name unknown or missing ones."""
    constants = dict(constants or {})
    known = {c.name: c for c in program.constants}

    def describe():
        return ", ".join(f"{c.name} = {c.definition}" if c.defined else f"{c.name} (undefined)"
                         for c in known.values()) or "none"

    for key in constants:
        if key not in known:
            raise ValueError(f"{path} has no constant {key!r}; its constants: {describe()}")
        if known[key].defined:
            raise ValueError(f"constant {key!r} is already defined in {path} "
                             f"({key} = {known[key].definition}); only undefined constants "
                             f"can be set (declare it as 'const {_prism_type(known[key])} "
                             f"{key};')")
    if constants:
        try:
            program, _ = stormpy.instantiate_constants(program, constants)
        except Exception as exc:
            raise ValueError(f"constants={constants!r} for {path}: {_storm_message(exc)}") from None
    if program.has_undefined_constants:
        missing = [c for c in program.constants if not c.defined]
        listed = ", ".join(f"{c.name} ({_prism_type(c)})" for c in missing)
        example = ", ".join(f"{c.name!r}: ..." for c in missing)
        raise ValueError(f"{path} leaves constants without a value: {listed}; "
                         f"give them as constants={{{example}}}")
    return program


def _prism_type(constant) -> str:
    kind = str(constant.type)
    return {"rational": "double"}.get(kind, kind)


def _program_variables(program) -> list:
    """Variables of a PRISM program: globals, then module by module (Booleans first)."""
    groups = [list(program.global_boolean_variables) + list(program.global_integer_variables)]
    groups += [list(m.boolean_variables) + list(m.integer_variables) for m in program.modules]
    return [v for group in groups for v in group]


def _formula(stormpy, program, spec, what, path, labels):
    """Parse a PRISM Boolean expression (a state formula) for `up` or `healthy`.

    Returns the formula and the same inside a long-run ``S=? [...]``, which is
    what Storm's builder is given: built for the bare state formula, it would
    stop exploring at the states that decide it (its "terminal states").
    """
    variables = ", ".join(v.name for v in _program_variables(program))
    try:
        properties = stormpy.parse_properties(spec, program)
    except Exception as exc:
        if _IDENTIFIER.match(spec.strip()):
            raise ValueError(f"{what}={spec!r}: {path} has no label {spec!r}; its labels: "
                             f"{', '.join(labels)} (or give a Boolean expression over its "
                             f"variables: {variables})") from None
        raise ValueError(f"{what}={spec!r} is neither a label of {path} ({', '.join(labels)}) "
                         f"nor a Boolean PRISM expression over its variables ({variables}): "
                         f"{_storm_message(exc)}") from None
    try:
        if len(properties) != 1:
            raise ValueError(f"{len(properties)} properties")
        wrapped = stormpy.parse_properties(f"S=? [ {spec} ]", program)
    except Exception as exc:
        raise ValueError(f"{what}={spec!r} is not one Boolean expression over the variables of "
                         f"{path} ({variables}): {_storm_message(exc)}") from None
    return properties[0].get_raw_formula(), wrapped[0].get_raw_formula()


def _check_formula(stormpy, model, formula, spec, what, path, labels) -> np.ndarray:
    try:
        result = stormpy.model_checking(model, formula, only_initial_states=False)
        qualitative = result.is_qualitative
        if not (qualitative() if callable(qualitative) else qualitative):
            raise ValueError("it has a numerical value, not true or false")
        return _bits(result.get_truth_values_vector(), int(model.nr_states))
    except Exception as exc:
        raise ValueError(f"{what}={spec!r} cannot be evaluated on the states of {path}: "
                         f"{_storm_message(exc)} (labels: {', '.join(labels)})") from None


def _bits(bitvector, n: int) -> np.ndarray:
    """A Storm BitVector (iterating over its set bits) as a boolean mask."""
    mask = np.zeros(n, dtype=bool)
    mask[np.fromiter(bitvector, dtype=np.int64)] = True
    return mask


def _storm_rates(model):
    """Transition rates of a built Storm CTMC as (source, target, rate) arrays.

    Through a UMB export when this stormpy can write one (binary arrays: about
    80x faster than walking the matrix row by row from Python); rates are then
    exit rate times branch probability, exact to one rounding.
    """
    try:
        return _umb_rates(model)
    except _Retry:  # pragma: no cover - a stormpy without a usable UMB export
        return _row_rates(model)


def _umb_rates(model):
    n = int(model.nr_states)
    try:
        import stormpy.io as sio

        with tempfile.TemporaryDirectory(prefix="hamodel-") as tmp:
            archive = os.path.join(tmp, "model.umb")
            options = sio.UmbExportOptions()
            options.compression = sio.CompressionMode.NO_COMPRESSION
            sio.export_to_umb(model, archive, options=options)
            with tarfile.open(archive) as tar:
                index = json.load(tar.extractfile("index.json"))
                system = index["transition-system"]
                double = {"size": 64, "type": "double"}
                if (index.get("format-version") != 1 or system.get("time") != "stochastic"
                        or system["#states"] != n or system["#choices"] != n
                        or system.get("branch-probability-type") != double
                        or system.get("exit-rate-type") != double):
                    raise _Retry
                names = set(tar.getnames())

                def read(member, dtype):
                    return np.frombuffer(tar.extractfile(member).read(), dtype=dtype)

                if "state-to-choices.bin" in names and not np.array_equal(
                        read("state-to-choices.bin", "<u8"), np.arange(n + 1)):
                    raise _Retry
                offsets = read("choice-to-branches.bin", "<u8").astype(np.int64)
                targets = read("branch-to-target.bin", "<u8").astype(np.int64)
                probabilities = read("branch-to-probability.bin", "<f8")
                exits = read("state-to-exit-rate.bin", "<f8")
    except _Retry:
        raise
    except Exception:  # pragma: no cover - no UMB support in this stormpy
        raise _Retry from None
    if (offsets.size != n + 1 or offsets[0] != 0 or offsets[-1] != targets.size
            or probabilities.size != targets.size or exits.size != n):
        raise _Retry  # pragma: no cover
    sources = np.repeat(np.arange(n, dtype=np.int64), np.diff(offsets))
    return sources, targets, exits[sources] * probabilities


def _row_rates(model):
    """Rates read entry by entry (slow: about 3 s per million transitions)."""
    matrix = model.transition_matrix
    src, dst, rates = [], [], []
    for row in range(int(model.nr_states)):
        for entry in matrix.get_row(row):
            src.append(row)
            dst.append(entry.column)
            rates.append(entry.value)
    return (np.array(src, dtype=np.int64), np.array(dst, dtype=np.int64),
            np.array(rates, dtype=float))


def _storm_states(model, program):
    """Namedtuple state names from Storm's state valuations (None without them)."""
    if not model.has_state_valuations():
        return None  # pragma: no cover - we always ask Storm for them
    valuations = model.state_valuations
    n = int(model.nr_states)
    by_name = {v.name: v for v in valuations.get_all_variables()}
    names, columns = [], []
    for var in _program_variables(program):
        variable = by_name.get(var.name)
        if variable is None:  # pragma: no cover
            continue
        names.append(var.name)
        if variable.has_boolean_type():
            columns.append(_bits(valuations.get_boolean_values(variable), n).tolist())
        else:
            columns.append(list(valuations.get_int64_values(variable)))
    if not names:
        return None
    return _named_states(names, columns)


# =====================================================================
# shared helpers
# =====================================================================
def _time_unit(time_unit) -> float:
    """Hours per time unit of the file's rates ("1h", "s", "1min", 1.0 ...)."""
    if isinstance(time_unit, str) and time_unit.strip().isalpha():
        time_unit = "1" + time_unit.strip()
    return positive_duration(time_unit, "time_unit")


def _named_states(names, columns) -> list:
    State = collections.namedtuple("State", names, rename=True)
    # Half a million new tuples would set off the cyclic garbage collector
    # again and again (5x the time); none of them can be part of a cycle.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return list(map(tuple.__new__, itertools.repeat(State), zip(*columns)))
    finally:
        if enabled:
            gc.enable()


def _callable_mask(spec, names, n):
    """A label mask stays; a callable is evaluated on every state name; else as given."""
    if spec is None or isinstance(spec, np.ndarray) or not callable(spec):
        return spec
    return np.fromiter((bool(spec(s)) for s in names), dtype=bool, count=n)


def _check_some(mask, spec, what, source):
    if isinstance(mask, np.ndarray) and mask.dtype == bool and not mask.any():
        raise ValueError(f"{what}={spec!r} holds in no state of {source}")


def _initial_from(init: np.ndarray | None, initial, source):
    """The user's `initial`, else the "init" states (uniform when several), else None."""
    if initial is not None:
        return initial
    if init is None:
        return None
    if not init.any():
        raise ModelFileError(source, "the 'init' label holds in no state")
    return init / init.sum()


def _build(n, src, dst, rates, *, up, states, initial, name, **kwargs) -> CTMC:
    keep = (src != dst) & (rates > 0)
    off = sp.csr_array((rates[keep], (src[keep], dst[keep])), shape=(n, n))
    off.sum_duplicates()
    Q = off - sp.diags_array(np.asarray(off.sum(axis=1)).ravel())
    return CTMC(sp.csr_array(Q), up, states=states, initial=initial, name=name, **kwargs)


def _open(path):
    return open(path, encoding="utf-8", errors="strict")


def _lines(path):
    """(line number, text) of every line, decoding errors named."""
    try:
        with _open(path) as f:
            yield from enumerate(f, 1)
    except UnicodeDecodeError as exc:
        raise ModelFileError(path, f"not a text file ({exc.reason} at byte {exc.start})") from None


def _integer(token: str):
    """An integer field; integral floats ("3.0", "1e3") pass, as in the fast parser."""
    try:
        return int(token)
    except ValueError:
        value = float(token)  # raises ValueError for non-numbers
        if not value.is_integer():
            raise
        return int(value)


def _field(path, token, what, line, convert):
    try:
        return convert(token)
    except (ValueError, OverflowError):
        kind = "an integer" if convert in (int, _integer) else "a number"
        raise ModelFileError(path, f"{what} {token!r} is not {kind}", line) from None


def _pandas_options() -> dict:
    import pandas as pd

    # Older pandas parse floats to within an ulp unless asked for round trips
    # (pandas 3 is exact and deprecates the option).
    return {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}


# =====================================================================
# from_explicit: .tra, .lab, .sta
# =====================================================================
def from_explicit(tra, lab=None, sta=None, *, up, initial=None, healthy=None, states=None,
                  time_unit="1h", name=None, **kwargs) -> CTMC:
    """Build a CTMC from PRISM's (or Storm's) explicit files.

    The parameters, results and errors are those of
    :meth:`hamodel.CTMC.from_explicit`, which calls this.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> tra = pathlib.Path(tmp.name) / "unit.tra"
    >>> _ = tra.write_text("2 2\\n0 1 0.001\\n1 0 0.1\\n")
    >>> from_explicit(tra, up=[0]).measures().mean_down_time
    10.0
    >>> _ = tra.write_text("2 2\\n0 1 0.001\\n1 0 -0.1\\n")
    >>> from_explicit(tra, up=[0])
    Traceback (most recent call last):
    ...
    hamodel.prism.ModelFileError: .../unit.tra, line 3: negative rate -0.1 from state 1 to state 0
    >>> tmp.cleanup()
    """
    tra = Path(tra)
    unit = _time_unit(time_unit)
    n, src, dst, rates = _read_tra(tra)
    labels = _read_lab(lab, n) if lab is not None else {}
    if states is None and sta is not None:
        states = _read_sta(sta, n)
    names = states if states is not None else range(n)
    source = Path(lab) if lab is not None else tra
    resolved = {}
    for what, spec in (("up", up), ("healthy", healthy)):
        if isinstance(spec, str):
            resolved[what] = _label_mask(spec, labels, what, source)
        else:
            resolved[what] = _callable_mask(spec, names, n)
    _check_some(resolved["up"], up, "up", source)
    return _build(n, src, dst, rates / unit, up=resolved["up"], healthy=resolved["healthy"],
                  states=states, initial=_initial_from(labels.get("init"), initial, source),
                  name=name or tra.stem, **kwargs)


def _label_mask(spec: str, labels: dict, what: str, source) -> np.ndarray:
    """A label ("up", '"up"') or a negated one ("!down", '!"down"') as a mask."""
    text = spec.strip()
    negate = text.startswith("!")
    label = text[1:].strip() if negate else text
    if len(label) >= 2 and label[0] == label[-1] == '"':
        label = label[1:-1]
    if label not in labels:
        known = (", ".join(labels) if labels
                 else "none, since no labels file was given (lab=None)")
        raise ValueError(f"{what}={spec!r}: {source} has no label {label!r}; its labels: {known}")
    return ~labels[label] if negate else labels[label]


def _read_tra(path):
    """Parse a ``.tra`` file: ``(n, source, target, rate)`` after every check.

    Vectorised (pandas' C parser, about a second for three million lines); on
    anything unexpected the file is read again line by line, which names the
    offending line.
    """
    path = Path(path)
    dialect, n, m, header = _tra_header(path)
    parsed = _tra_fast(path, header)
    if parsed is not None:
        try:
            return _check_tra(path, dialect, n, m, header, *parsed, lines=None)
        except _Retry:
            pass
    return _check_tra(path, dialect, n, m, header, *_tra_slow(path, header))


def _tra_header(path):
    with contextlib.closing(_lines(path)) as lines:
        for number, line in lines:
            tokens = line.split()
            if tokens:
                break
        else:
            raise ModelFileError(path, "empty transitions file: expected a first line "
                                 "'n_states n_transitions' (PRISM) or 'ctmc' (Storm)")
    if len(tokens) == 1 and tokens[0].isalpha():
        if tokens[0].lower() == "ctmc":
            return "storm", None, None, number
        raise ModelFileError(path, f"a {tokens[0]!r} model; hamodel reads CTMCs "
                             "(first line 'ctmc')", number)
    if len(tokens) in (2, 3) and all(t.isdigit() for t in tokens):
        if len(tokens) == 3:
            raise ModelFileError(path, f"header {line.strip()!r} (states, choices, "
                                 "transitions) is that of an MDP; hamodel reads CTMCs", number)
        n, m = int(tokens[0]), int(tokens[1])
        if n == 0:
            raise ModelFileError(path, "the header declares 0 states", number)
        return "prism", n, m, number
    raise ModelFileError(path, f"first line {line.strip()!r}: expected 'n_states n_transitions' "
                         "(PRISM) or the model type 'ctmc' (Storm)", number)


def _tra_fast(path, header):
    import pandas as pd

    options = dict(header=None, skiprows=header, engine="c", skip_blank_lines=True,
                   dtype={0: np.int64, 1: np.int64, 2: np.float64}, **_pandas_options())
    for sep in (" ", r"\s+"):
        try:
            frame = pd.read_csv(path, sep=sep, **options)
        except (ValueError, OverflowError, TypeError, UnicodeDecodeError):
            continue  # pandas.errors.ParserError and EmptyDataError are ValueErrors
        if frame.shape[1] not in (3, 4):
            continue
        return (frame[0].to_numpy(np.int64), frame[1].to_numpy(np.int64),
                frame[2].to_numpy(np.float64))
    return None


def _tra_slow(path, header):
    src, dst, rates, lines = [], [], [], []
    for number, line in _lines(path):
        if number <= header:
            continue
        tokens = line.split()
        if not tokens:
            continue
        if len(tokens) not in (3, 4):
            hint = (" (PRISM's row form, -exportrows, is not read: export without it)"
                    if ":" in line else "")
            raise ModelFileError(path, f"expected 'source target rate' (and an optional "
                                 f"action), got {line.strip()!r}{hint}", number)
        src.append(_field(path, tokens[0], "source state", number, _integer))
        dst.append(_field(path, tokens[1], "target state", number, _integer))
        rates.append(_field(path, tokens[2], "rate", number, float))
        lines.append(number)
    return (np.array(src, dtype=np.int64), np.array(dst, dtype=np.int64),
            np.array(rates, dtype=float), np.array(lines, dtype=np.int64))


def _first(path, bad, lines, message):
    """Raise for the first flagged entry (or retry line by line, without line numbers)."""
    if lines is None:
        raise _Retry
    k = int(np.flatnonzero(bad)[0])
    raise ModelFileError(path, message(k), int(lines[k]))


def _check_tra(path, dialect, n, m, header, src, dst, rates, lines):
    def at(k):  # Python numbers for the messages
        return int(src[k]), int(dst[k]), float(rates[k])

    if dialect == "storm":
        if src.size == 0:
            raise ModelFileError(path, "no transitions")
        bad = (src < 0) | (dst < 0)
        if bad.any():
            _first(path, bad, lines, lambda k: "negative state index in {} -> {}".format(*at(k)))
        n = int(max(src.max(), dst.max())) + 1
    for what, index in (("source", src), ("target", dst)):
        bad = (index < 0) | (index >= n)
        if bad.any():
            _first(path, bad, lines, lambda k: f"{what} state {int(index[k])} is out of range: "
                   f"the header declares {n} states, 0 to {n - 1}")
    bad = ~np.isfinite(rates)
    if bad.any():
        _first(path, bad, lines, lambda k: "rate {2!r} of {0} -> {1} is not a finite "
               "number".format(*at(k)))
    bad = rates < 0
    if bad.any():
        _first(path, bad, lines, lambda k: "negative rate {2!r} from state {0} to state "
               "{1}".format(*at(k)))
    key = src * n + dst
    order = np.argsort(key, kind="stable")
    repeat = np.zeros(key.size, dtype=bool)
    repeat[order[1:]] = key[order[1:]] == key[order[:-1]]
    if repeat.any():
        def message(k):
            earlier = int(np.flatnonzero(key == key[k])[0])
            return ("transition {} -> {} is listed twice ".format(*at(k))
                    + f"(first on line {int(lines[earlier])})")
        _first(path, repeat, lines, message)
    if m is not None and src.size != m:
        raise ModelFileError(path, f"the header announces {m} transitions but the file lists "
                             f"{src.size}", header)
    missing = np.bincount(src, minlength=n) == 0
    if missing.any():
        s = int(np.flatnonzero(missing)[0])
        more = int(missing.sum()) - 1
        raise ModelFileError(path, f"state {s} has no transition line"
                             + (f" (nor do {more} other states)" if more else "")
                             + f": every state needs one; write an absorbing state as a "
                             f"self-loop '{s} {s} 1'")
    return n, src, dst, rates


def _read_lab(path, n: int) -> dict:
    """Parse a ``.lab`` file (PRISM's or Storm's dialect): label name -> mask of n states."""
    path = Path(path)
    lines = iter(_lines(path))
    for number, line in lines:
        if line.strip():
            break
    else:
        raise ModelFileError(path, "empty labels file")
    if line.strip() == "#DECLARATION":
        return _lab_storm(path, n, lines)
    names = {}
    for token in line.split():
        match = _LABEL_DECLARATION.match(token)
        if match is None or not _IDENTIFIER.match(match.group(2)):
            raise ModelFileError(path, f"label declaration {token!r}: expected index=\"name\", "
                                 'as in 0="init" 1="deadlock"', number)
        index, label = int(match.group(1)), match.group(2)
        if index in names or label in names.values():
            raise ModelFileError(path, f"label declaration {token!r} repeats an index or a name",
                                 number)
        names[index] = label
    masks = {label: np.zeros(n, dtype=bool) for label in names.values()}
    seen = {}
    for number, line in lines:
        head, colon, rest = line.partition(":")
        if not colon:
            if line.strip():
                raise ModelFileError(path, f"expected 'state: label indices', got "
                                     f"{line.strip()!r}", number)
            continue
        state = _lab_state(path, head.strip(), n, number, seen)
        for token in rest.split():
            index = _field(path, token, "label index", number, int)
            if index not in names:
                raise ModelFileError(path, f"label index {index} is not declared on the first "
                                     f"line ({_declared(names)})", number)
            masks[names[index]][state] = True
    return masks


def _declared(names: dict) -> str:
    return " ".join(f'{k}="{v}"' for k, v in names.items())


def _lab_state(path, token, n, number, seen) -> int:
    state = _field(path, token, "state", number, int)
    if not 0 <= state < n:
        raise ModelFileError(path, f"state {state} is out of range: the model has {n} states, "
                             f"0 to {n - 1}", number)
    if state in seen:
        raise ModelFileError(path, f"state {state} is listed twice (first on line "
                             f"{seen[state]})", number)
    seen[state] = number
    return state


def _lab_storm(path, n, lines) -> dict:
    names = []
    for number, line in lines:
        if line.strip() == "#END":
            break
        for label in line.split():
            if not _IDENTIFIER.match(label) or label in names:
                raise ModelFileError(path, f"label {label!r} is not a new identifier", number)
            names.append(label)
    else:
        raise ModelFileError(path, "no '#END' after '#DECLARATION'")
    masks = {label: np.zeros(n, dtype=bool) for label in names}
    seen = {}
    for number, line in lines:
        tokens = line.split()
        if not tokens:
            continue
        state = _lab_state(path, tokens[0], n, number, seen)
        for label in tokens[1:]:
            if label not in masks:
                raise ModelFileError(path, f"label {label!r} is not declared "
                                     f"(declared: {', '.join(names)})", number)
            masks[label][state] = True
    return masks


def _read_sta(path, n: int) -> list:
    """Parse a ``.sta`` file into the n state names (namedtuples of variable values)."""
    path = Path(path)
    with contextlib.closing(_lines(path)) as lines:
        return _read_sta_lines(path, lines, n)


def _read_sta_lines(path, lines, n):
    for header, line in lines:
        if line.strip():
            break
    else:
        raise ModelFileError(path, "empty states file")
    text = line.strip()
    variables = [v.strip() for v in text[1:-1].split(",")]
    if not (text.startswith("(") and text.endswith(")")
            and all(_IDENTIFIER.match(v) for v in variables)):
        raise ModelFileError(path, f"first line {text!r}: expected the variable names, "
                             "as in (x,y,z)", header)
    k = len(variables)
    columns = _sta_fast(path, header, k, n)
    if columns is None:
        columns = _sta_slow(path, lines, variables, n)
    return _named_states(variables, columns)


def _sta_fast(path, header, k, n):
    """Columns of values, or None when the file needs the line-by-line parser."""
    import io

    import pandas as pd

    with open(path, "rb") as f:
        body = f.read().split(b"\n", header)[-1]
    first = body.lstrip().split(b"\n", 1)[0].decode("ascii", "replace")
    match = _STATE_LINE.match(first)
    if match is None:
        return None
    is_bool = np.array([v.strip() in ("true", "false") for v in match.group(2).split(",")])
    if is_bool.size != k:
        return None
    rows = body.count(b":")
    if body.count(b"true") + body.count(b"false") != rows * int(is_bool.sum()):
        return None
    body = body.replace(b"true", b"1").replace(b"false", b"0").translate(_STA_TABLE)
    try:
        frame = pd.read_csv(io.BytesIO(body), sep=r"\s+", header=None, dtype=np.int64,
                            engine="c")
    except (ValueError, OverflowError, TypeError):
        return None
    values = frame.to_numpy()
    if values.shape != (rows, k + 1) or rows != n:
        return None
    index = values[:, 0]
    if np.any((index < 0) | (index >= n)) or np.any(np.bincount(index, minlength=n) != 1):
        return None
    if not np.array_equal(index, np.arange(n)):
        values = values[np.argsort(index)]
    flags = values[:, 1:][:, is_bool]
    if np.any((flags != 0) & (flags != 1)):
        return None
    return [values[:, c + 1].astype(bool).tolist() if is_bool[c] else values[:, c + 1].tolist()
            for c in range(k)]


def _sta_slow(path, lines, variables, n):
    k = len(variables)
    rows: list = [None] * n
    seen = {}
    kinds = [None] * k
    for number, line in lines:
        if not line.strip():
            continue
        match = _STATE_LINE.match(line)
        if match is None:
            raise ModelFileError(path, f"expected 'state:(values)', got {line.strip()!r}", number)
        state = _lab_state(path, match.group(1), n, number, seen)
        tokens = [t.strip() for t in match.group(2).split(",")]
        if len(tokens) != k:
            raise ModelFileError(path, f"{len(tokens)} values for the {k} variables "
                                 f"({', '.join(variables)})", number)
        values = []
        for c, token in enumerate(tokens):
            kind = "bool" if token in ("true", "false") else "int"
            kinds[c] = kinds[c] or kind
            if kind != kinds[c]:
                raise ModelFileError(path, f"value {token!r} of variable {variables[c]} is not "
                                     f"of type {kinds[c]}", number)
            values.append(token == "true" if kind == "bool"
                          else _field(path, token, f"value of {variables[c]}", number, int))
        rows[state] = values
    missing = [s for s, row in enumerate(rows) if row is None]
    if missing:
        raise ModelFileError(path, f"state {missing[0]} is missing"
                             + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else "")
                             + f": the transitions file has {n} states")
    return [list(column) for column in zip(*rows)]


# =====================================================================
# to_explicit
# =====================================================================
_SUFFIXES = (".tra", ".lab", ".sta", ".all")
_RESERVED = ("init", "deadlock", "up", "down")


def to_explicit(model, path, *, labels=None, dialect="prism", time_unit="1h") -> dict:
    """Write a model's chain as explicit files for PRISM or Storm.

    `model` is a :class:`~hamodel.CTMC` or any model with ``to_ctmc()``; the
    other parameters and the result are those of :meth:`hamodel.CTMC.to_explicit`.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import hamodel as hm
    >>> tmp = tempfile.TemporaryDirectory()
    >>> server = hm.Component("server", mtbf="5y", mttr="4h")
    >>> files = to_explicit(server, pathlib.Path(tmp.name) / "server", dialect="storm")
    >>> print(files["tra"].read_text(), end="")
    ctmc
    0 1 2.2815423226100844e-05
    1 0 0.25
    >>> tmp.cleanup()
    """
    chain = model.to_ctmc()
    if dialect not in ("prism", "storm"):
        raise ValueError(f"dialect={dialect!r}: expected 'prism' or 'storm'")
    base = Path(path)
    if base.suffix in _SUFFIXES:
        base = base.with_suffix("")
    unit = _time_unit(time_unit)
    n = chain.n_states
    coo = chain.Q.tocoo()
    keep = (coo.row != coo.col) & (coo.data > 0)
    src, dst, rates = coo.row[keep].astype(np.int64), coo.col[keep].astype(np.int64), coo.data[keep]
    absorbing = np.bincount(src, minlength=n) == 0
    loops = np.flatnonzero(absorbing)
    src = np.concatenate([src, loops])
    dst = np.concatenate([dst, loops])
    rates = np.concatenate([rates * unit, np.ones(loops.size)])
    order = np.lexsort((dst, src))
    src, dst, rates = src[order], dst[order], rates[order]
    files = {"tra": base.with_suffix(".tra"), "lab": base.with_suffix(".lab")}
    head = f"{n} {src.size}\n" if dialect == "prism" else "ctmc\n"
    _write(files["tra"], head, map("{} {} {}".format, src.tolist(), dst.tolist(),
                                   _repr_floats(rates)))
    masks = {"init": chain.initial > 0, "deadlock": absorbing, "up": chain.up, "down": ~chain.up}
    index = chain._index if labels else {}
    for label, spec in (labels or {}).items():
        if not isinstance(label, str) or not _IDENTIFIER.match(label) or label in _RESERVED:
            raise ValueError(f"labels: {label!r} is not a label name to add (an identifier "
                             f"other than {', '.join(_RESERVED)})")
        masks[label] = _mask_of(spec, index, n, label)
    _write_labels(files["lab"], masks, dialect)
    valuations = _valuations(chain.states)
    if valuations is not None:
        files["sta"] = base.with_suffix(".sta")
        names, columns = valuations
        rows = map(",".join, zip(*columns))
        _write(files["sta"], f"({','.join(names)})\n", map("{}:({})".format, range(n), rows))
    return files


def _write(path, head: str, lines) -> None:
    lines = iter(lines)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(head)
        while chunk := list(itertools.islice(lines, 1 << 16)):
            f.write("\n".join(chunk))
            f.write("\n")


def _repr_floats(values: np.ndarray) -> list:
    """Shortest round-trip decimal of each value; real models repeat few distinct rates."""
    sample = values[:: max(1, values.size // 4096)]
    if np.unique(sample).size > sample.size // 4:  # mostly distinct: format them all
        return list(map(float.__repr__, values.tolist()))
    unique, inverse = np.unique(values, return_inverse=True)
    text = np.array(list(map(float.__repr__, unique.tolist())), dtype=object)
    return text[inverse.ravel()].tolist()


def _mask_of(spec, index, n, label) -> np.ndarray:
    if isinstance(spec, np.ndarray) and spec.dtype == bool:
        if spec.shape != (n,):
            raise ValueError(f"labels[{label!r}]: a mask of shape {spec.shape} for {n} states")
        return spec
    mask = np.zeros(n, dtype=bool)
    for state in ([spec] if isinstance(spec, str) else spec):
        if state not in index:
            raise ValueError(f"labels[{label!r}]: unknown state {state!r}")
        mask[index[state]] = True
    return mask


def _write_labels(path, masks: dict, dialect: str) -> None:
    names = list(masks)
    table = np.column_stack([masks[k] for k in names])
    states = np.flatnonzero(table.any(axis=1))
    if len(names) < 63:  # one integer code per combination of labels: a fast unique
        codes, inverse = np.unique(table[states] @ (1 << np.arange(len(names), dtype=np.int64)),
                                   return_inverse=True)
        combos = (codes[:, None] >> np.arange(len(names))) & 1 == 1
    else:  # pragma: no cover - more than 62 labels
        combos, inverse = np.unique(table[states], axis=0, return_inverse=True)
    if dialect == "prism":
        head = " ".join(f'{k}="{name}"' for k, name in enumerate(names)) + "\n"
        text = [" ".join(str(k) for k in np.flatnonzero(c)) for c in combos]
        fmt = "{}: {}"
    else:
        head = "#DECLARATION\n" + " ".join(names) + "\n#END\n"
        text = [" ".join(names[k] for k in np.flatnonzero(c)) for c in combos]
        fmt = "{} {}"
    suffix = np.array(text, dtype=object)[inverse.ravel()].tolist()
    _write(path, head, map(fmt.format, states.tolist(), suffix))


def _valuations(states):
    """(variable names, text columns) when every state is a tuple of ints/bools; else None."""
    first = states[0]
    if not isinstance(first, tuple) or not first:
        return None
    k = len(first)
    if not all(map(isinstance, states, itertools.repeat(tuple))) or {len(s) for s in states} != {k}:
        return None
    columns = []
    for column in zip(*states):
        try:
            values = np.asarray(column)
        except (ValueError, TypeError, OverflowError):  # pragma: no cover - ragged values
            return None
        if values.dtype == bool:
            columns.append(np.where(values, "true", "false").tolist())
        elif values.dtype.kind in "iu":
            columns.append(values.astype(str).tolist())
        else:
            return None  # strings, floats, objects: not PRISM variable values
    fields = list(getattr(first, "_fields", None) or [f"x{c}" for c in range(k)])
    fields = [f if _IDENTIFIER.match(f) and not f.startswith("_") else f"x{c}"
              for c, f in enumerate(fields)]
    return fields, columns

