"""The ``hamodel`` command: a stack file's answer without opening a notebook.

::

    hamodel measures STACK.yaml            frequency and duration of the stack, and its parts
    hamodel compare A.yaml B.yaml          designs side by side (one file: against its baseline)
    hamodel report STACK.yaml -o x.pdf     the client report of notebook 14, as a PDF
    hamodel stacks                         the stack files that ship with hamodel
    hamodel components                     the component kinds and their field data

``python -m hamodel`` is the same command. Exit status: 0 on success, 1 when
the input is wrong or a tool the command needs is missing (one line on
stderr naming the file and key; ``--debug`` shows the traceback), 2 for a
command line that does not parse.

The commands are thin: they load stacks with :func:`hamodel.load_stack` and
print the tables of :func:`hamodel.compare` and :meth:`hamodel.Stack.breakdown`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["main"]

#: nbconvert options of the client report: those of ``make client-report``
#: (CLIENT_REPORT_TAGS in the Makefile; tests/test_cli.py checks they agree).
REPORT_TAGS = (
    "--TagRemovePreprocessor.enabled=True",
    "--TagRemovePreprocessor.remove_input_tags=hide-input",
    "--TagRemovePreprocessor.remove_input_tags=hide-code",
    "--TagRemovePreprocessor.remove_all_outputs_tags=hide-output",
    "--TagRemovePreprocessor.remove_cell_tags=remove-cell",
    "--TagRemovePreprocessor.remove_cell_tags=interactive",
    "--TagRemovePreprocessor.remove_cell_tags=injected-parameters",
)
#: The parameterised client report, as named in a checkout.
REPORT_NOTEBOOK = "14_client_report.ipynb"

EXAMPLES = """\
examples:
  hamodel measures ha_galera_drbd.yaml                  a shipped stack, by name
  hamodel measures my_stack.yaml --longer-than 20min --format csv > my_stack.csv
  hamodel compare single_server.yaml ha_mmm_nfs.yaml ha_galera_drbd.yaml --longer-than 20min
  hamodel compare ha_mmm_nfs.yaml                       the stack against its own baseline
  hamodel report ha_mmm_nfs.yaml --tolerated 20min --sla 99.9% --cost-per-hour 1000 \\
      --client "Acme Ltd" -o acme.pdf
  hamodel stacks
  hamodel components --format json

A STACK is a YAML file (see `hamodel stacks` and the stacks module of hamodel), or
the bare name of a stack that ships with hamodel. Durations take a unit: 90s, 20min, 4h.
exit status: 0 ok, 1 error in the input (or a missing tool), 2 bad command line.
"""


class CommandError(Exception):
    """An error the command reports in one line (exit status 1)."""


# ------------------------------------------------------------------ parser
def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hamodel",
        description="Availability of high-availability stacks as frequency and duration: how "
                    "often the service goes down, for how long, and how often someone is paged.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    parser.add_argument("--debug", action="store_true",
                        help="show the full traceback of an error")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, help: str, examples: str):
        sub = commands.add_parser(name, help=help, description=help,
                                  epilog="examples:\n" + examples,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
        sub.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                         help="show the full traceback of an error")
        return sub

    def table_options(sub, *, models: bool = True):
        sub.add_argument("--format", choices=("table", "csv", "json"), default="table",
                         help="table (default, rounded for reading), or csv / json (full "
                              "precision, one row per design or part)")
        if models:
            sub.add_argument("--longer-than", metavar="DURATION",
                             help="add the outages per year longer than this, e.g. 20min")
            sub.add_argument("--time-unit", choices=("s", "min", "h", "d", "y"),
                             help="show durations in this unit (and per-year times in it per "
                                  "year); default: mean outage in hours, downtime in min/yr")
            sub.add_argument("--case", choices=("typical", "low", "high", "pessimistic",
                                                "optimistic"),
                             help="field-data case for every component (default: each "
                                  "file's own, typical unless it says otherwise)")

    sub = command("measures", "frequency and duration of a stack, and where its downtime "
                              "comes from",
                  "  hamodel measures ha_galera_drbd.yaml\n"
                  "  hamodel measures stack.yaml --longer-than 20min --time-unit min\n"
                  "  hamodel measures stack.yaml --parts --format csv\n")
    sub.add_argument("stack", metavar="STACK", help="stack file (YAML), or a shipped stack's name")
    sub.add_argument("--parts", action="store_true",
                     help="csv: the table of parts (Stack.breakdown) instead of the whole "
                          "stack (the table and json formats show both)")
    table_options(sub)

    sub = command("compare", "designs side by side: one row per stack file",
                  "  hamodel compare single_server.yaml ha_galera_drbd.yaml --longer-than 20min\n"
                  "  hamodel compare ha_mmm_nfs.yaml        (against its baseline)\n")
    sub.add_argument("stacks", metavar="STACK", nargs="+",
                     help="stack files; a single file is compared with its `baseline`")
    table_options(sub)

    sub = command("report", "the client report (notebook 14) of a stack, as a PDF "
                            "(needs hamodel[notebooks], XeLaTeX and pandoc)",
                  '  hamodel report ha_mmm_nfs.yaml --tolerated 20min --cost-per-hour 1000 '
                  '--client "Acme" -o acme.pdf\n'
                  "  hamodel report mine.yaml --baseline single_server.yaml --ha-cost 12000\n")
    sub.add_argument("stack", metavar="STACK", help="the HA design (stack file or shipped name)")
    sub.add_argument("--baseline", metavar="STACK",
                     help="the design to beat (default: the stack's own `baseline`)")
    sub.add_argument("--tolerated", metavar="DURATION", default="20min",
                     help="the longest outage the client can live with (default 20min)")
    sub.add_argument("--sla", metavar="PERCENT", default="99.95%",
                     help="the availability promised to the client, per month and per quarter "
                          "(default 99.95%%)")
    sub.add_argument("--traffic", metavar="PROFILE", default="business",
                     help="users online by hour: business, consumer or flat (default business)")
    sub.add_argument("--night-response", metavar="DURATION", default="1h",
                     help="on-call response outside business hours, Mon-Fri 09-17 "
                          "(default 1h)")
    sub.add_argument("--cost-per-hour", metavar="AMOUNT", type=float, default=1000.0,
                     help="cost of one hour of downtime (default 1000)")
    sub.add_argument("--incident-cost", metavar="AMOUNT", type=float,
                     help="cost of one incident (default: hours per incident times the "
                          "engineer's rate, from data/costs.csv)")
    sub.add_argument("--ha-cost", metavar="AMOUNT", type=float,
                     help="extra yearly cost of running the HA design; replaces the estimate "
                          "from the stacks' hosts, licences and upkeep (data/costs.csv)")
    sub.add_argument("--client", default="Example client", help="the client's name")
    sub.add_argument("-o", "--output", metavar="PDF",
                     help="the PDF to write (default 14_client_report-<stack>.pdf here)")
    sub.add_argument("--notebook", metavar="IPYNB",
                     help="also keep the executed notebook at this path")

    sub = command("stacks", "the stack files that ship with hamodel",
                  "  hamodel stacks\n  hamodel stacks --format json\n")
    table_options(sub, models=False)

    sub = command("components", "component kinds and their failure and repair data",
                  "  hamodel components\n  hamodel components --sources --format csv\n")
    sub.add_argument("--sources", action="store_true",
                     help="add the published source of every value")
    table_options(sub, models=False)
    return parser


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("hamodel")
    except Exception:  # noqa: BLE001 - a checkout that was never installed
        return "unknown"


# ---------------------------------------------------------------- commands
def _load(name: str, case: str | None = None):
    import hamodel as hm

    return hm.load_stack(name, case=case)


def _measures(args) -> list[tuple[str, Any]]:
    import hamodel as hm

    stack = _load(args.stack, args.case)
    whole = hm.compare({stack.name: stack}, longer_than=args.longer_than,
                       time_unit=args.time_unit)
    parts = stack.breakdown(time_unit=args.time_unit)
    title = f"{stack.name} ({stack.path})"
    if args.format == "table":
        return [(title, _transposed(whole)), ("Where the downtime comes from", parts)]
    if args.format == "json":
        return [("", {"stack": _records(whole)[0], "parts": _records(parts)})]
    return [("", parts if args.parts else whole)]


def _compare(args) -> list[tuple[str, Any]]:
    import hamodel as hm

    stacks = [_load(name, args.case) for name in args.stacks]
    if len(stacks) == 1:
        if stacks[0].baseline is None:
            raise CommandError(f"{stacks[0].path}: has no `baseline` to compare with; name "
                               "two or more stack files")
        stacks.insert(0, _load(str(stacks[0].baseline), args.case))
    labels = [s.name for s in stacks]
    if len(set(labels)) != len(labels):  # two files of one name: tell them apart by file
        labels = [f"{s.name} ({s.path.name})" for s in stacks]
    table = hm.compare(dict(zip(labels, stacks)), longer_than=args.longer_than,
                       time_unit=args.time_unit)
    if args.format == "table":
        return [("", _transposed(table))]
    return [("", table)]


def _stacks(args) -> list[tuple[str, Any]]:
    import hamodel as hm
    from hamodel.stacks import STACKS

    frame = hm.shipped_stacks().drop(columns="path")
    if args.format == "table":
        frame = frame.assign(description=[_cut(d, 60) for d in frame["description"]])
        return [(f"Stacks in {STACKS} (load one by its file name)", frame)]
    return [("", frame)]


def _components(args) -> list[tuple[str, Any]]:
    import hamodel as hm

    table = hm.components()
    columns = ["description", "mtbf_low", "mtbf_typical", "mtbf_high",
               "mttr_low", "mttr_typical", "mttr_high"]
    if args.sources:
        columns += ["failure_source", "repair_source"]
    if args.format != "table":
        columns += [c for c in table.columns if c.endswith("_h")]
    frame = table[columns]
    if args.format == "table":
        frame = frame.assign(description=[_cut(d, 40) for d in frame["description"]])
        return [("Component kinds (data/components.csv); durations as written there", frame)]
    return [("", frame)]


def _report(args) -> list[tuple[str, Any]]:
    from .units import duration

    stack = _load(args.stack)  # a bad stack fails here, in one line, not in the notebook
    baseline = _load(args.baseline) if args.baseline else None
    try:
        duration(args.tolerated)
    except (ValueError, TypeError) as exc:
        raise CommandError(f"--tolerated: {exc}") from None
    sla = _sla(args.sla)
    from .schedule import OnCall, TrafficProfile

    try:
        OnCall(night_response=args.night_response)
    except (ValueError, TypeError) as exc:
        raise CommandError(f"--night-response: {exc}") from None
    if args.traffic != "flat":
        try:
            TrafficProfile.shipped(args.traffic)
        except ValueError:
            raise CommandError(f"--traffic {args.traffic}: expected business, consumer or "
                               "flat") from None
    for name in ("cost_per_hour", "incident_cost", "ha_cost"):
        value = getattr(args, name)
        if value is not None and not (math.isfinite(value) and value >= 0):
            raise CommandError(f"--{name.replace('_', '-')} = {value:g}: expected an amount "
                               ">= 0")
    notebook = _report_notebook()
    _require_report_tools()

    output = Path(args.output or f"14_client_report-{stack.path.stem}.pdf").resolve()
    if output.suffix.lower() != ".pdf":
        raise CommandError(f"-o {args.output}: expected a file name ending in .pdf")
    parameters = {"stack_file": str(stack.path.resolve()), "tolerated_outage": args.tolerated,
                  "cost_per_hour_down": args.cost_per_hour, "client": args.client,
                  "sla": sla, "traffic": args.traffic, "night_response": args.night_response}
    if baseline is not None:
        parameters["baseline_file"] = str(baseline.path.resolve())
    if args.incident_cost is not None:
        parameters["cost_per_incident"] = args.incident_cost
    if args.ha_cost is not None:
        parameters["ha_extra_cost_per_year"] = args.ha_cost

    import papermill

    with tempfile.TemporaryDirectory(prefix="hamodel-report-") as tmp:
        executed = Path(args.notebook).resolve() if args.notebook else Path(tmp) / notebook.name
        executed.parent.mkdir(parents=True, exist_ok=True)
        try:
            with _stderr_to(Path(tmp) / "kernel.log"):  # the kernel's own start-up chatter
                papermill.execute_notebook(str(notebook), str(executed), parameters=parameters,
                                           cwd=str(notebook.parent), progress_bar=False,
                                           log_output=False)
        except papermill.PapermillExecutionError as exc:
            raise CommandError(f"{notebook.name}: the report failed in cell "
                               f"{exc.exec_count}: {exc.ename}: {exc.evalue}") from None
        output.parent.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "jupyter", "nbconvert", "--to", "pdf", *REPORT_TAGS,
               "--output-dir", str(output.parent), "--output", output.stem, str(executed)]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0 or not output.is_file():
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise CommandError(f"{executed.name}: nbconvert could not make the PDF: {last}")
    return [("", f"wrote {output}")]


def _sla(text: str) -> str:
    """``--sla`` as the percentage the notebook takes: '99.95%', '99.95' and '0.9995' alike."""
    from .window import error_budget

    value = text.strip()
    if not value.endswith("%"):
        try:
            number = float(value)
        except ValueError:
            raise CommandError(f"--sla {text}: expected a percentage such as 99.95%") from None
        value = f"{number:.10g}%" if number >= 1 else f"{100 * number:.10g}%"
    try:
        error_budget(value)
    except (ValueError, TypeError) as exc:
        raise CommandError(f"--sla {text}: {exc}") from None
    if float(value.rstrip("% ")) < 50:
        raise CommandError(f"--sla {text}: read as {value}, an SLA below 50 %; write the "
                           "availability promised, such as 99.95% (or 0.9995)")
    return value


@contextlib.contextmanager
def _stderr_to(path: Path):
    """Send file descriptor 2 (so also a child process's stderr) to `path` meanwhile."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(path, "wb") as log:
            os.dup2(log.fileno(), 2)
            yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


def _report_notebook() -> Path:
    """Notebook 14: in the checkout beside the package, or where the wheel installed it
    (``<prefix>/share/hamodel/notebooks``, wherever pip put that prefix)."""
    candidates = [Path(__file__).resolve().parent.parent / "notebooks" / REPORT_NOTEBOOK]
    try:
        from importlib.metadata import PackageNotFoundError, distribution

        files = distribution("hamodel").files or []
        candidates += [Path(distribution("hamodel").locate_file(f)) for f in files
                       if f.name == REPORT_NOTEBOOK]
    except (ImportError, PackageNotFoundError):
        pass
    candidates.append(Path(sys.prefix) / "share" / "hamodel" / "notebooks" / REPORT_NOTEBOOK)
    for path in candidates:
        if path.is_file():
            return path.resolve()
    raise CommandError(f"{REPORT_NOTEBOOK}: not found (looked in "
                       f"{', '.join(str(p.parent) for p in candidates)}); reinstall hamodel")


def _require_report_tools() -> None:
    """Name everything `hamodel report` lacks, in one message."""
    import importlib.util

    needs = []
    modules = [m for m in ("papermill", "nbconvert", "ipykernel")
               if importlib.util.find_spec(m) is None]
    if modules:
        needs.append(f"{', '.join(modules)} (pip install 'hamodel[notebooks]')")
    tools = [t for t in ("xelatex", "pandoc") if shutil.which(t) is None]
    if tools:
        needs.append(f"{' and '.join(tools)} for the PDF (TeX Live with XeLaTeX, and pandoc: "
                     "`make tex` on Debian or Ubuntu)")
    if needs:
        raise CommandError(f"hamodel report needs {'; and '.join(needs)}")


# ----------------------------------------------------------------- output
def _transposed(table: pd.DataFrame):
    """Measures as rows and designs as columns: a terminal is taller than it is wide."""
    shown = table.formatted() if hasattr(table, "formatted") else table
    out = shown.T
    out.index.name = "measure"
    out.columns.name = None
    return out


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 3].rstrip() + "..."


def _value(v):
    """A JSON value: Python floats at full precision; NaN and inf as null."""
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def _records(frame: pd.DataFrame) -> list[dict]:
    import pandas as pd

    frame = pd.DataFrame(frame)  # a MeasureTable's own display is for people
    key = frame.index.name or "name"
    return [{key: _value(label), **{str(c): _value(v) for c, v in row.items()}}
            for label, row in frame.iterrows()]


def _emit(blocks: list[tuple[str, Any]], fmt: str) -> None:
    import pandas as pd

    for i, (title, item) in enumerate(blocks):
        if isinstance(item, str):
            print(item)
        elif fmt == "json":
            data = item if not isinstance(item, pd.DataFrame) else _records(item)
            print(json.dumps(data, indent=2, ensure_ascii=False))
        elif fmt == "csv":
            sys.stdout.write(pd.DataFrame(item).to_csv())
        else:
            if i:
                print()
            if title:
                print(title)
            shown = item.formatted() if hasattr(item, "formatted") else item
            print(shown.to_string())


_COMMANDS = {"measures": _measures, "compare": _compare, "report": _report,
             "stacks": _stacks, "components": _components}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``hamodel`` command; returns its exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after ``hamodel``; default ``sys.argv[1:]``.

    Returns
    -------
    int
        0 on success, 1 for an error in the input (or a missing tool), 2 for a
        command line that does not parse (argparse exits with it).

    Examples
    --------
    The error goes to stderr, as one line naming the file; the status comes back:

    >>> main(["measures", "no_such_stack.yaml"])
    1
    """
    parser = _parser()
    args = parser.parse_args(argv)
    debug = getattr(args, "debug", False)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            blocks = _COMMANDS[args.command](args)
        for message in dict.fromkeys(str(w.message) for w in caught):
            print(f"hamodel: note: {' '.join(message.split())}", file=sys.stderr)
        _emit(blocks, getattr(args, "format", "table"))
        sys.stdout.flush()
    except BrokenPipeError:  # `hamodel components | head`: the reader has all it wants
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("hamodel: interrupted", file=sys.stderr)
        return 130
    except (CommandError, ValueError, TypeError, OSError, KeyError) as exc:
        if debug:
            raise
        print(f"hamodel: error: {_one_line(exc)}", file=sys.stderr)
        return 1
    return 0


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, KeyError):
        text = f"{type(exc).__name__}: {text}"
    return text


if __name__ == "__main__":  # pragma: no cover - `python -m hamodel.cli`
    sys.exit(main())
