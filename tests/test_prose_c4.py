"""Numbers quoted in the markdown of notebooks 10 and 12, against their stored outputs.

Most numbers in these notebooks are written by hide-input cells from the computed
values (nbval keeps those honest); these tests cover the few typed into markdown.
"""

from __future__ import annotations

import re

import nbformat
import pytest
from notebook_support import ROOT

NB10 = ROOT / "notebooks" / "10_the_stack_step_by_step.ipynb"
NB12 = ROOT / "notebooks" / "12_a_year_in_the_life.ipynb"


def _cells(path):
    return nbformat.read(path, as_version=4).cells


def _output_text(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        data = out.get("data", {})
        parts.append(data.get("text/markdown") or data.get("text/plain") or out.get("text", ""))
    return "".join(parts)


def _row(text: str, label: str) -> list[float]:
    line = next(l for l in text.splitlines() if l.startswith(label))
    return [float(x.replace(",", "")) for x in re.findall(r"-?[\d,]+\.?\d*", line[len(label):])]


def test_12_opening_quotes_the_single_servers_averages():
    cells = _cells(NB12)
    opening = cells[0].source
    table = next(_output_text(c) for c in cells if c.cell_type == "code"
                 and "hm.compare(designs" in c.source)
    outages, _, down_min, _ = _row(table, "one server")
    assert "4.3 outages a year" in opening and round(outages, 1) == 4.3
    assert "13 hours down" in opening and round(down_min / 60) == 13


@pytest.mark.parametrize("words, row", [
    ("One or two years in a hundred have no outage", "simulated share of years without"),
])
def test_12_exercise_answers_match_the_solution_outputs(words, row):
    cells = _cells(NB12)
    text = next(_output_text(c) for c in cells if c.cell_type == "code" and row in
                _output_text(c))
    share = float(re.search(r"without an outage: ([\d.]+)", text).group(1))
    assert any(words in c.source for c in cells if c.cell_type == "markdown")
    assert 0.01 <= share <= 0.02


def test_12_rota_saving_is_about_two_and_a_half_hours():
    cells = _cells(NB12)
    text = next(_output_text(c) for c in cells if "saved by the 24/7 team" in _output_text(c))
    simulated, exact = map(float, re.findall(r"(\d+) min/yr", text))
    assert any("about two and a half hours a year" in c.source.lower() for c in cells)
    assert 2.2 <= simulated / 60 <= 2.7 and 2.2 <= exact / 60 <= 2.7


def test_10_last_step_is_the_shipped_full_ha_stack():
    cells = _cells(NB10)
    assert "exactly the full HA stack" in cells[0].source
    text = next(_output_text(c) for c in cells if "last step = ha_galera_drbd" in c.source)
    assert text.strip().endswith("True")


def test_10_operator_error_leads_the_last_designs_downtime():
    cells = _cells(NB10)
    text = next(_output_text(c) for c in cells if c.cell_type == "code"
                and "ldap.breakdown()" in c.source)
    rows = {label: _row(text, label)[0] for label in ("shared: power", "operator error")}
    assert rows["operator error"] > rows["shared: power"]
    assert any("Operator error, the largest share" in c.source for c in cells)


def test_10_what_is_left_at_the_last_step_is_what_the_model_says():
    """The paragraph after the path chart: who causes the outages and the downtime left."""
    import warnings

    import hamodel as hm

    text = " ".join(next(c.source for c in _cells(NB10) if "About half" in c.source).split())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", hm.ApproximationWarning)
        parts = hm.load_stack("ha_galera_drbd.yaml").breakdown()
    outages = parts["outages/yr"]
    assert "(4.0 of 7.6 a year)" in text
    assert (round(outages["database"], 1), round(outages.sum(), 1)) == (4.0, 7.6)
    assert 0.4 <= outages["database"] / outages.sum() <= 0.6  # "about half"
    assert "30 s each" in text and "a minute on average" in text
    assert 0.75 <= parts.loc["database", "mean outage (h)"] * 60 <= 1.25
    series = parts.loc[["operator error", "shared: power", "shared: switch"],
                       "downtime (min/yr)"].sum()
    total = parts["downtime (min/yr)"].sum()
    assert "(235 of 243 min/yr)" in text and (round(series), round(total)) == (235, 243)
    assert round(parts.loc["operator error", "mean outage (h)"]) == 1  # "about an hour"
