"""The ``hamodel`` command, run as a user runs it: in a subprocess, from outside the checkout.

Each test reads what the command prints and its exit status (0 ok, 1 error in the
input or a missing tool, 2 usage). Values printed as csv or json are compared with
hamodel's own API (the command must add nothing to the numbers, only show them).
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest

import hamodel as hm
from hamodel.stacks import STACKS
from hamodel.cli import REPORT_TAGS

ROOT = Path(__file__).resolve().parent.parent
MMM = "ha_mmm_nfs.yaml"


def read_csv(text: str) -> pd.DataFrame:
    """A CSV the command wrote, parsed to the last bit (pandas < 3 parses within an ulp)."""
    exact = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}
    return pd.read_csv(StringIO(text), index_col=0, keep_default_na=False, **exact)


def hamodel(*args: str, cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    """``python -m hamodel ARGS`` in `cwd` (a folder outside the checkout)."""
    return subprocess.run([sys.executable, "-m", "hamodel", *args], cwd=cwd,
                          capture_output=True, text=True, check=False, **kwargs)


@pytest.fixture
def here(tmp_path: Path) -> Path:
    """An empty working folder, so that stacks are found by name, not by the checkout."""
    return tmp_path


def one_line_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 1, result
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert lines[0].startswith("hamodel: error: ")
    return lines[0]


# ------------------------------------------------------------ usage and help
def test_help_lists_the_commands_with_examples(here):
    result = hamodel("--help", cwd=here)
    assert result.returncode == 0
    for command in ("measures", "compare", "report", "stacks", "components"):
        assert command in result.stdout
    assert "examples:" in result.stdout and "hamodel compare" in result.stdout
    sub = hamodel("report", "--help", cwd=here)
    assert sub.returncode == 0 and "--tolerated" in sub.stdout and "examples:" in sub.stdout


def test_console_script_is_installed():
    script = Path(sys.executable).with_name("hamodel")
    if not script.exists():
        pytest.skip("hamodel is not installed in this environment (no console script)")
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0 and result.stdout.startswith("hamodel ")


@pytest.mark.parametrize("args", [[], ["frobnicate"], ["measures"], ["measures", MMM, "--bogus"],
                                  ["compare", MMM, "--format", "xml"]],
                         ids=["no command", "unknown command", "missing stack",
                              "unknown option", "unknown format"])
def test_bad_command_line_is_a_usage_error(here, args):
    result = hamodel(*args, cwd=here)
    assert result.returncode == 2
    assert "usage: hamodel" in result.stderr
    assert "Traceback" not in result.stderr


# ------------------------------------------------------------------- measures
def test_measures_of_a_shipped_stack_by_name(here):
    result = hamodel("measures", MMM, "--longer-than", "20min", cwd=here)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    stack = hm.load_stack(MMM)
    assert stack.name in out and "Where the downtime comes from" in out
    for label in ("availability", "outages/yr", "mean outage (h)", "downtime (min/yr)",
                  "outages > 20min/yr", *stack.parts):
        assert label in out


def test_measures_csv_holds_the_values_of_compare(here):
    result = hamodel("measures", MMM, "--format", "csv", "--longer-than", "1h", cwd=here)
    assert result.returncode == 0, result.stderr
    table = read_csv(result.stdout)
    stack = hm.load_stack(MMM)
    expected = hm.compare({stack.name: stack}, longer_than="1h")
    assert list(table.index) == [stack.name]
    for column in expected.columns:
        assert table.loc[stack.name, column] == pytest.approx(
            expected.loc[stack.name, column], rel=1e-15, abs=0), column


def test_measures_parts_csv_is_the_breakdown(here):
    result = hamodel("measures", MMM, "--format", "csv", "--parts", cwd=here)
    assert result.returncode == 0, result.stderr
    table = read_csv(result.stdout)
    breakdown = hm.load_stack(MMM).breakdown()
    assert list(table.index) == list(breakdown.index)
    assert table["share of downtime"].sum() == pytest.approx(1.0)


def test_measures_json_has_the_stack_and_its_parts(here):
    result = hamodel("measures", MMM, "--format", "json", "--time-unit", "min", cwd=here)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    stack = hm.load_stack(MMM)
    assert data["stack"]["design"] == stack.name
    assert data["stack"]["mean outage (min)"] == pytest.approx(
        stack.measures().mean_down_time * 60, rel=1e-12)
    assert [p["part"] for p in data["parts"]] == list(stack.parts)


def test_measures_of_a_file_given_by_path(here):
    path = here / "tiny.yaml"
    path.write_text("name: tiny\ntiers:\n  - {name: web, model: single, unit: web_server}\n")
    result = hamodel("measures", str(path), "--format", "json", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["stack"]["design"] == "tiny"


# ------------------------------------------------------------------- compare
def test_compare_two_stacks_with_longer_than(here):
    result = hamodel("compare", "single_server.yaml", MMM, "--longer-than", "20min",
                     "--format", "csv", cwd=here)
    assert result.returncode == 0, result.stderr
    table = read_csv(result.stdout)
    single, mmm = hm.load_stack("single_server.yaml"), hm.load_stack(MMM)
    assert list(table.index) == [single.name, mmm.name]
    assert table.loc[mmm.name, "outages > 20min/yr"] == pytest.approx(
        mmm.outages_longer_than("20min"), rel=1e-12)


def test_compare_one_stack_against_its_baseline(here):
    result = hamodel("compare", MMM, cwd=here)
    assert result.returncode == 0, result.stderr
    header = result.stdout.splitlines()[0]
    assert hm.load_stack("single_server.yaml").name in header
    assert hm.load_stack(MMM).name in header


def test_compare_one_stack_without_baseline_is_an_input_error(here):
    line = one_line_error(hamodel("compare", "single_server.yaml", cwd=here))
    assert "single_server.yaml: has no `baseline` to compare with" in line


# -------------------------------------------------------------- bad input
def test_missing_file_is_one_line_naming_it(here):
    line = one_line_error(hamodel("measures", "nowhere.yaml", cwd=here))
    assert line == ("hamodel: error: nowhere.yaml: cannot read the stack file (No such file "
                    "or directory)")


def test_malformed_yaml_is_one_line_naming_file_and_line(here):
    path = here / "broken.yaml"
    path.write_text("name: x\ntiers: [\n  {name: a, model: single\n")
    line = one_line_error(hamodel("measures", str(path), cwd=here))
    assert line.startswith(f"hamodel: error: {path}, line ")
    assert "not valid YAML" in line


def test_wrong_key_is_one_line_naming_file_and_key(here):
    path = here / "typo.yaml"
    path.write_text("name: x\ntiers:\n  - {name: a, model: single, unit: web_sever}\n")
    line = one_line_error(hamodel("compare", str(path), MMM, cwd=here))
    assert f"{path}: tiers[0].unit: unknown component kind 'web_sever'" in line
    assert "did you mean 'web_server'" in line


def test_duration_without_unit_in_a_stack_file_is_one_line(here):
    path = here / "hours.yaml"
    path.write_text("name: x\ntiers:\n  - {name: a, model: active_standby, unit: haproxy, "
                    "failover: 60}\n")
    line = one_line_error(hamodel("measures", str(path), cwd=here))
    assert f"{path}: tiers[0].failover: 60 has no unit" in line


def test_bad_longer_than_is_one_line_naming_the_value(here):
    line = one_line_error(hamodel("measures", MMM, "--longer-than", "20 M", cwd=here))
    assert "'20 M'" in line and "minutes or as months" in line


def test_debug_shows_the_traceback(here):
    result = hamodel("--debug", "measures", "nowhere.yaml", cwd=here)
    assert result.returncode == 1
    assert "Traceback" in result.stderr and "StackError" in result.stderr
    after = hamodel("measures", "nowhere.yaml", "--debug", cwd=here)
    assert "Traceback" in after.stderr


# ------------------------------------------------------- what ships with hamodel
def test_stacks_lists_the_shipped_stack_files(here):
    result = hamodel("stacks", "--format", "json", cwd=here)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [r["file"] for r in rows] == sorted(p.name for p in STACKS.glob("*.yaml"))
    assert {r["name"] for r in rows} == {hm.load_stack(p).name for p in STACKS.glob("*.yaml")}
    table = hamodel("stacks", cwd=here)
    assert table.returncode == 0 and MMM in table.stdout


def test_components_lists_every_kind_with_its_data(here):
    result = hamodel("components", "--sources", "--format", "csv", cwd=here)
    assert result.returncode == 0, result.stderr
    table = read_csv(result.stdout)
    data = hm.components()
    assert list(table.index) == list(data.index)
    assert table.loc["disk", "mtbf_typical"] == data.loc["disk", "mtbf_typical"]
    assert table.loc["disk", "mtbf_typical_h"] == data.loc["disk", "mtbf_typical_h"]
    assert "failure_source" in table.columns


def test_output_into_a_closed_pipe_is_quiet(here):
    result = subprocess.run(f"{shlex.quote(sys.executable)} -m hamodel components | head -1",
                            shell=True, cwd=here, capture_output=True, text=True, check=False)
    assert result.stdout.startswith("Component kinds")
    assert result.stderr == ""


# -------------------------------------------------------------------- report
def test_report_tags_are_those_of_make_client_report():
    if shutil.which("make") is None:
        pytest.skip("GNU make not found: the Makefile's options cannot be read")
    out = subprocess.run(["make", "-s", "--no-print-directory", "print-CLIENT_REPORT_TAGS"],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert sorted(shlex.split(out)) == sorted(REPORT_TAGS)


def test_report_without_tex_says_what_is_missing(here):
    # PATH without xelatex and pandoc (whether or not this machine has them).
    empty = here / "bin"
    empty.mkdir()
    result = hamodel("report", MMM, "-o", str(here / "x.pdf"), cwd=here,
                     env={"PATH": str(empty), "HOME": str(here)})
    line = one_line_error(result)
    assert "needs" in line and "xelatex and pandoc" in line


def test_report_of_a_bad_stack_fails_before_the_notebook_runs(here):
    path = here / "dup.yaml"
    path.write_text("name: x\nname: y\ntiers:\n  - {name: a, model: single, unit: disk}\n")
    line = one_line_error(hamodel("report", str(path), cwd=here))
    assert f"{path}, line 2" in line and "key 'name' repeats line 1" in line


def test_report_refuses_a_bad_tolerated_outage(here):
    line = one_line_error(hamodel("report", MMM, "--tolerated", "soon", cwd=here))
    assert line.startswith("hamodel: error: --tolerated: malformed duration 'soon'")


@pytest.mark.parametrize("sla, message", [
    ("high", "--sla high: expected a percentage such as 99.95%"),
    ("100%", "--sla 100%: slo = '100%': an SLO must be strictly between 0 and 100 %"),
    ("0", "--sla 0: slo = '0%': an SLO must be strictly between 0 and 100 %"),
    ("1", "--sla 1: read as 1%, an SLA below 50 %; write the availability promised, such as "
          "99.95% (or 0.9995)"),
], ids=["word", "hundred", "zero", "one"])
def test_report_refuses_a_bad_sla_before_the_notebook_runs(here, sla, message):
    line = one_line_error(hamodel("report", MMM, "--sla", sla, cwd=here))
    assert line == f"hamodel: error: {message}"


@pytest.mark.parametrize("given, passed", [("99.95%", "99.95%"), (" 99.9 % ", "99.9 %"),
                                           ("99.95", "99.95%"), ("0.999", "99.9%")])
def test_report_sla_reaches_the_notebook_as_a_percentage(given, passed):
    from hamodel.cli import _sla

    assert _sla(given) == passed
    assert hm.error_budget(passed) == pytest.approx(hm.error_budget(passed.replace(" ", "")))


@pytest.mark.parametrize("option, value, message", [
    ("--traffic", "mobile", "--traffic mobile: expected business, consumer or flat"),
    ("--night-response", "soon", "--night-response: night_response = 'soon': malformed"),
    ("--night-response=-1h", None, "--night-response: night_response = '-1h': malformed"),
], ids=["traffic", "night-word", "night-negative"])
def test_report_refuses_a_bad_schedule_before_the_notebook_runs(here, option, value, message):
    args = (option,) if value is None else (option, value)
    line = one_line_error(hamodel("report", MMM, *args, cwd=here))
    assert line.startswith(f"hamodel: error: {message}")


def test_make_client_report_passes_sla_and_schedule_to_the_command():
    if shutil.which("make") is None:
        pytest.skip("GNU make not found: the Makefile cannot be read")
    out = subprocess.run(["make", "-n", "--no-print-directory", "client-report", "SLA=99.9%",
                          "TRAFFIC=consumer", "NIGHT_RESPONSE=45min",
                          "VENV=.venv-that-is-not-built"], cwd=ROOT, capture_output=True,
                         text=True, check=False).stdout.replace("\\\n", " ")
    (command,) = [line for line in out.splitlines() if "hamodel report" in line]
    assert "--sla '99.9%'" in command
    assert "--traffic 'consumer'" in command and "--night-response '45min'" in command


def test_make_client_report_leaves_the_costs_to_the_data_unless_given():
    """Without INCIDENT_COST and HA_COST the report estimates both from data/costs.csv."""
    if shutil.which("make") is None:
        pytest.skip("GNU make not found: the Makefile cannot be read")

    def command(*variables):
        out = subprocess.run(["make", "-n", "--no-print-directory", "client-report", *variables,
                              "VENV=.venv-that-is-not-built"], cwd=ROOT, capture_output=True,
                             text=True, check=False).stdout.replace("\\\n", " ")
        (line,) = [line for line in out.splitlines() if "hamodel report" in line]
        return line

    default = command()
    assert "--incident-cost" not in default and "--ha-cost" not in default
    given = command("HA_COST=5000", "INCIDENT_COST=90")
    assert "--ha-cost 5000" in given and "--incident-cost 90" in given


def test_report_help_says_the_ha_cost_replaces_the_estimate(here):
    text = " ".join(hamodel("report", "--help", cwd=here).stdout.split())
    assert "replaces the estimate from the stacks" in text
    assert "data/costs.csv" in text


_PDF_TOOLS = [t for t in ("xelatex", "pandoc", "pdftotext") if shutil.which(t) is None]


@pytest.mark.slow
@pytest.mark.skipif(bool(_PDF_TOOLS), reason=f"the PDF report needs {', '.join(_PDF_TOOLS)} "
                                             "(TeX: `make tex`; pdftotext: poppler-utils)")
def test_report_writes_the_client_pdf(here):
    pytest.importorskip("papermill")
    pdf = here / "out" / "acme.pdf"
    kept = here / "acme.ipynb"
    result = hamodel("report", MMM, "--tolerated", "30min", "--cost-per-hour", "5000",
                     "--client", "Acme Ltd", "-o", str(pdf), "--notebook", str(kept), cwd=here)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"wrote {pdf}"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    text = " ".join(text.split())
    assert "Acme Ltd" in text and "Summary and recommendation" in text
    assert "30 minutes" in text
    assert "import hamodel" not in text  # every cell's input is hidden
    assert kept.is_file()
