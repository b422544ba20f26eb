"""Numbers quoted in the prose of notebooks 07, 08, 09 and 13 against their stored outputs.

Most numbers in these notebooks are computed (hide-input cells, kept honest by
nbval); these are the ones still written in the prose. Each test reads the
markdown for the quoted words and the stored output of the cell that computes
the number, so a change of data or model that moves the number past what the
sentence says fails here.
"""

from __future__ import annotations

import nbformat
import pytest

from notebook_support import ROOT

NB = ROOT / "notebooks"


def _cells(name):
    return nbformat.read(NB / name, as_version=4).cells


def _prose(cells, words):
    """Assert that some markdown cell quotes `words` (the sentence tested is still there)."""
    text = "\n".join(" ".join(c.source.split()) for c in cells if c.cell_type == "markdown")
    assert words in text, f"the prose no longer says {words!r}: update this test"


def _output(cells, marker):
    """The stored text output (text/plain or stream) of the code cell whose source has `marker`."""
    for c in cells:
        if c.cell_type == "code" and marker in c.source:
            out = []
            for o in c.outputs:
                if o.output_type == "stream":
                    out.append(o.text)
                elif "text/plain" in o.get("data", {}):
                    out.append(o.data["text/plain"])
            return "\n".join(out)
    raise AssertionError(f"no code cell with {marker!r}")


def _row(text, label):
    """The numbers at the end of the table row that starts with `label`."""
    for line in text.splitlines():
        if line.strip().startswith(label):
            return [float(t.replace(",", "")) for t in line.strip()[len(label):].split()]
    raise AssertionError(f"no row {label!r} in\n{text}")


def test_07_database_tier_coverage_sweep():
    cells = _cells("07_database_tier.ipynb")
    _prose(cells, "With perfect coverage the pair loses under two minutes a year; every five "
                  "points of coverage lost add about two and a half minutes")
    table = _output(cells, "for c in (1.0, 0.99, 0.95, 0.9, 0.8)")
    perfect, c95 = _row(table, "1.0"), _row(table, "0.95")
    assert perfect[2] < 2.0
    assert 2.0 < c95[2] - perfect[2] < 3.0
    assert 20 < 1 / (c95[3] - perfect[3]) < 30  # "a long outage every twenty-odd years"


def test_08_files_and_load_balancers_files_tier():
    cells = _cells("08_files_and_load_balancers.ipynb")
    table = _output(cells, "files_table.formatted().T")  # single NFS, DRBD delay, race, none
    _prose(cells, "each about four and a half minutes long on average: downtime drops from "
                  "over eight hours a year to three minutes")
    assert 4.2 < _row(table, "mean outage (min)")[1] < 4.7
    single, delay = _row(table, "downtime (min/yr)")[:2]
    assert single > 8 * 60 and 2.5 < delay < 3.5
    _prose(cells, "the fences that fail (once a century)")
    assert 70 < 1 / _row(table, "fence failure/yr")[1] < 150
    _prose(cells, "the race adds one long outage every nine years or so")
    assert 8 < 1 / _row(table, "both fenced/yr")[2] < 10.5
    _prose(cells, "about 17 hours a year (the table's 1,040-odd minutes)")
    assert all(1030 < d < 1060 for d in _row(table, "degraded (min/yr)")[1:])


def test_08_files_and_load_balancers_balancers():
    cells = _cells("08_files_and_load_balancers.ipynb")
    table = _output(cells, 'hm.compare(balancers, HEADLINE + ["failover"]')
    _prose(cells, "its mean outage is over fourteen hours")
    assert 14 * 60 < _row(table, "mean outage (min)")[0] < 15 * 60
    _prose(cells, "about one outage every six years longer than 20 minutes")
    assert 5.5 < 1 / _row(table, "outages > 20min/yr")[2] < 6.5


def test_09_disaster_recovery_hypervisor_and_site():
    cells = _cells("09_disaster_recovery_common_cause.ipynb")
    _prose(cells, "Adding the hypervisor and the site gives back about ninety minutes a year")
    table = _output(cells, "stacks = {")
    ha, more = _row(table, "downtime (min/yr)")[1:]
    assert 80 < more - ha < 100


def test_09_disaster_recovery_beta_sweep():
    cells = _cells("09_disaster_recovery_common_cause.ipynb")
    _prose(cells, "One percent of common cause multiplies the 2-of-3 group's downtime by four; "
                  "five percent by fifteen")
    table = _output(cells, "sweep.round(4)")
    base, one, five = (_row(table, b)[2] for b in ("0.00", "0.01", "0.05"))
    assert 3.5 < one / base < 4.5 and 14 < five / base < 16.5
    _prose(cells, "the DR site at the same provider loses about 70 % more downtime")
    providers = _output(cells, "provider_sweep = {}")
    down = _row(providers, "downtime (min/yr)")
    assert 1.65 < down[3] / down[0] < 1.75


def test_13_slo_quarter_against_month():
    cells = _cells("13_slo_and_the_3am_question.ipynb")
    _prose(cells, "cuts the number of breaches a year by a quarter to a half")
    text = _output(cells, "breaches.round(3)")
    # The stored table wraps: first the two breach probabilities of each row,
    # then the breached months and quarters per year of each row.
    rows = []
    for line in text.splitlines():
        tokens = [t for t in line.split() if t != "\\"]
        if any(t in ("99.95%", "99.99%") for t in tokens):
            rows.append(tuple(float(t) for t in tokens[-2:]))
    assert len(rows) == 12
    for breached_months, breached_quarters in rows[6:]:
        assert 0.5 <= breached_quarters / breached_months <= 0.75
