"""Numbers quoted in the prose of notebooks 01, 02, 03 and 15, checked against hamodel.

Most numbers in these notebooks are printed by code or written by hide-input
cells; these are the few that sit in Markdown (model answers to the questions
to discuss). Each test recomputes the number from the model, independently of
the notebook's stored outputs, and looks for the rounded value in the text.
"""

from __future__ import annotations

import math

import nbformat
import pytest
from notebook_support import ROOT

import hamodel as hm


def _markdown(stem: str) -> str:
    nb = nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown").replace("\n", " ")


def _server():
    return hm.Component.from_data("physical_server", case="optimistic", name="server")


def test_15_one_minus_a_of_a_pair_without_failover_is_off_by_the_stated_share():
    node = hm.Component("node", failure_rate=1e-7, repair_rate=1.0)
    m = hm.k_of_n(1, [node, node.renamed("node 2")], crews=1).measures()
    r = 1e-7
    closed = 2 * r**2 / (1 + 2 * r + 2 * r**2)   # the independent closed form
    assert m.unavailability == pytest.approx(closed, rel=1e-9)
    error = abs((1 - m.availability) / closed - 1)
    assert f"off by {100 * error:.2f} %" in _markdown("15_appendix_stiff_chains")


def test_15_a_double_failure_of_the_stiff_pair_comes_once_in_about_six_billion_years():
    lam, mu = 1e-7, 1.0
    per_hour = (2 * lam / mu) * lam        # pi(one up) x lambda, from the closed form
    years = 1 / per_hour / hm.HOURS_PER_YEAR
    assert round(years / 1e9) == 6
    assert "about six billion years" in _markdown("15_appendix_stiff_chains")


def test_01_a_datasheet_mtbf_and_a_replacement_rate_in_the_answer():
    text = _markdown("01_markov_basics")
    assert f"{100 * hm.HOURS_PER_YEAR / 1e6:.1f} % of disks" in text   # 0.9 %
    assert f"about {1 / 0.03:.0f} years" in text                         # 33


def test_02_ha_loses_three_to_five_times_less_in_every_case():
    ratios = []
    for case in ("optimistic", "typical", "pessimistic"):
        one = hm.load_stack("single_server.yaml", case=case).measures()
        ha = hm.load_stack("ha_galera_drbd.yaml", case=case).measures()
        ratios.append(one.downtime_minutes_per_year / ha.downtime_minutes_per_year)
    assert {round(r) for r in ratios} <= {3, 4, 5}, ratios
    assert "three to five times less" in _markdown("02_tiers_and_spofs")


def test_02_operator_error_causes_about_half_the_ha_stacks_downtime():
    galera = hm.load_stack("ha_galera_drbd.yaml")
    share = hm.importance(galera.model).loc["operator error", "criticality"]
    assert 0.4 <= share <= 0.6
    assert "about half of the remaining downtime" in _markdown("02_tiers_and_spofs")


def test_03_long_outages_of_2_of_3_against_the_hot_pair():
    server = _server()
    trio = hm.k_of_n(2, [server.renamed(f"node{i}") for i in (1, 2, 3)], crews=1)
    pair = hm.active_standby(server, failover="60s", coverage=0.99)
    trio_long, pair_long = trio.outages_longer_than("20min"), pair.outages_longer_than("20min")
    assert round(math.log10(trio_long)) == -4
    assert f"{pair_long:.0e}" == "2e-03"
    assert "about $10^{-4}$ a year against $2 \\times 10^{-3}$" in _markdown("03_redundancy_tradeoff")
