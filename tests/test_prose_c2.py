"""Numbers quoted in the prose of notebooks 04 and 05, recomputed.

Notebook 06 writes its quoted numbers from the computation (hide-input Markdown
cells that nbval compares); 04 and 05 quote theirs in Markdown, so each quoted
number is recomputed here with the notebook's models and compared with the
text at the precision it is quoted.
"""

from __future__ import annotations

import math

import nbformat
import pytest
from notebook_support import ROOT

import hamodel as hm

NB04 = ROOT / "notebooks" / "04_quorum_and_split_brain.ipynb"
NB05 = ROOT / "notebooks" / "05_two_nodes_or_three.ipynb"


def _markdown(path) -> str:
    nb = nbformat.read(path, as_version=4)
    return " ".join(" ".join(c.source.split()) for c in nb.cells if c.cell_type == "markdown")


@pytest.fixture(scope="module")
def m():
    node = hm.Component.from_data("physical_server", "optimistic", name="node")
    link = hm.Component.from_data("heartbeat_link")
    qdevice = hm.Component("qdevice", mtbf="2y", mttr="1h")

    def pair(**kw):
        return hm.two_node_cluster(node, link=link, **kw).measures()

    def majority(n, **kw):
        return hm.majority_cluster(n, node, crews=1, **kw).measures()

    return {
        "none": pair(tie_breaker="none"),
        "race": pair(tie_breaker="stonith", fencing=hm.Fencing(time="30s")),
        "delay": pair(tie_breaker="stonith", fencing=hm.Fencing(time="30s", delay="10s")),
        "witness": pair(tie_breaker="witness", witness=qdevice),
        "atb": pair(tie_breaker="auto_tie_breaker"),
        **{f"q{n}": majority(n) for n in (3, 4, 5)},
        "blips5": majority(5, failover="60s"),
        "blips3": majority(3, failover="60s"),
        "qdev_q": majority(2, witness=qdevice),
        "qdev_blips": majority(2, witness=qdevice, failover="60s"),
        "wit_blips": majority(2, witness=node.renamed("witness"), failover="60s"),
        "link_rate": 1 / link.mtbf * hm.HOURS_PER_YEAR,
    }


def test_04_five_ways_to_break_a_tie(m):
    text = _markdown(NB04)
    sb = m["none"].events["split_brain"]
    assert f"= {sb:.3f} a year, one every {1 / sb:.1f} years" in text
    assert f"$\\lambda + \\lambda_L$ = {m['none'].outages_per_year:.2f} a year" in text
    assert f"both nodes are powered off ({m['race'].events['both_fenced']:.3f} a year" in text
    assert f"(\\tfrac12 + \\tfrac14)$ = {m['race'].outages_per_year:.2f} a year" in text
    assert f"Only node failures remain, {m['delay'].outages_per_year:.1f} a year" in text
    mean_s = m["delay"].mean_down_time * 3600
    assert "each about 100 s long" in text and abs(mean_s - 100) < 5, mean_s
    assert (f"{m['witness'].incidents_per_year:.2f} incidents a year instead of "
            f"{m['delay'].incidents_per_year:.2f}") in text
    assert f"({m['atb'].downtime_per_year * 60:.0f} min/yr in four-hour outages)" in text


def test_04_majority_quorum(m):
    text = _markdown(NB04)
    q3, q4 = m["q3"].outages_per_year, m["q4"].outages_per_year
    assert (f"(${q3 * 1e4:.1f}\\times10^{{-4}}$ to ${q4 * 1e4:.1f}\\times10^{{-4}}$ a year)"
            in text)
    assert round(m["q4"].incidents_per_year - m["q3"].incidents_per_year, 1) == 0.2
    assert "once-in-ten-million-years event" in text
    assert round(math.log10(m["q5"].outages_per_year)) == -7
    assert f"the most outages ({m['blips5'].outages_per_year:.1f} a year)" in text


def test_05_witness(m):
    text = _markdown(NB05)
    more = m["qdev_q"].outages_per_year / m["q3"].outages_per_year - 1
    assert f"about {100 * more:.0f} % more often" in text
    once = 1 / m["qdev_q"].outages_per_year
    assert f"once in {round(once, -3):,.0f} years" in text
    assert (f"give {m['wit_blips'].outages_per_year:.1f} blips a year against "
            f"{m['blips3'].outages_per_year:.1f} for three") in text
    assert (f"({m['qdev_blips'].incidents_per_year:.1f} against "
            f"{m['blips3'].incidents_per_year:.1f} incidents a year)") in text


def test_05_debate(m):
    text = _markdown(NB05)
    two, three = m["delay"], m["blips3"]
    assert f"({two.outages_per_year:.1f} against {three.outages_per_year:.1f} a year)" in text
    assert round(two.downtime_per_year / three.downtime_per_year, 1) == 0.5  # "about half"
    assert f"worth about $10^{{{math.floor(math.log10(m['q3'].outages_per_year))}}}$" in text
    assert f"link's {m['link_rate']:.2f} for the pair" in text
