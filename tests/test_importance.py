"""Tests of hamodel.ranking (hm.importance): Birnbaum, criticality, Fussell-Vesely and frequency shares.

Expected values are closed forms for series and parallel pairs (independent units:
``A(series) = A_a A_b``, ``U(parallel) = U_a U_b``), exact rationals of the float rates
(``fractions.Fraction``), and brute-force enumeration of all leaf up/down patterns judged
by a structure function written here from the diagram's definition.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import hamodel as hm

HOURS_PER_YEAR = 365.25 * 24
LAM, MU = 0.001, 0.1
COLUMNS = ["availability", "birnbaum", "criticality", "fussell_vesely", "frequency_share",
           "incidents_per_year"]


def approx(expected, rel=1e-12, abs=0.0):
    """pytest.approx without its default absolute tolerance of 1e-12."""
    return pytest.approx(expected, rel=rel, abs=abs)


def unit(name, lam=LAM, mu=MU):
    return hm.Component(name, failure_rate=lam, repair_rate=mu)


def exact_pair(comp):
    """(A, U) of a Component as exact rationals of its float rates."""
    lam, mu = Fraction(comp.failure_rate), Fraction(comp.repair_rate)
    return mu / (lam + mu), lam / (lam + mu)


# --- random structures (a compact version of the generator in test_blocks.py) ---------------


def log_uniform(lo, hi):
    return st.floats(math.log10(lo), math.log10(hi)).map(lambda e: 10.0 ** e)


@st.composite
def structures(draw, max_leaves=5):
    """(spec, components); spec: ("leaf", i) | (kind, k, [spec]) with kind series/parallel/kofn,
    or ("bridge", [5 specs]) for the bridge network s-a, s-b, a-b, a-t, b-t."""
    n = draw(st.integers(1, max_leaves))
    comps = [hm.Component(f"c{i}", failure_rate=draw(log_uniform(1e-6, 1e-1)),
                          repair_rate=draw(log_uniform(1e-2, 1e2))) for i in range(n)]

    def tree(items):
        if len(items) == 1:
            return ("leaf", items[0])
        if len(items) == 5 and draw(st.booleans()):
            return ("bridge", [("leaf", i) for i in items])
        m = draw(st.integers(2, min(3, len(items))))
        cuts = sorted(draw(st.lists(st.integers(1, len(items) - 1), min_size=m - 1,
                                    max_size=m - 1, unique=True)))
        bounds = [0, *cuts, len(items)]
        children = [tree(items[a:b]) for a, b in itertools.pairwise(bounds)]
        kind = draw(st.sampled_from(["series", "parallel", "kofn"]))
        k = {"series": m, "parallel": 1}.get(kind) or draw(st.integers(1, m))
        return ("kofn", k, children)

    spec = tree(list(draw(st.permutations(range(n)))))
    if spec[0] == "leaf":
        spec = ("kofn", 1, [spec])
    return spec, comps


BRIDGE = [("s", "a"), ("s", "b"), ("a", "b"), ("a", "t"), ("b", "t")]


def build(spec, comps):
    if spec[0] == "leaf":
        return comps[spec[1]]
    if spec[0] == "bridge":
        return hm.network([(u, v, build(s, comps)) for (u, v), s in zip(BRIDGE, spec[1])],
                          "s", "t")
    _, k, children = spec
    blocks = [build(s, comps) for s in children]
    if k == len(blocks) and len(blocks) > 1:
        return hm.series(*blocks)
    if k == 1 and len(blocks) > 1:
        return hm.parallel(*blocks)
    return hm.k_of_n(k, blocks)


def phi(spec, up):
    if spec[0] == "leaf":
        return up[spec[1]]
    if spec[0] == "bridge":
        e = [phi(s, up) for s in spec[1]]
        return (e[0] and e[3]) or (e[1] and e[4]) or (e[0] and e[2] and e[4]) or (
            e[1] and e[2] and e[3])
    _, k, children = spec
    return sum(phi(s, up) for s in children) >= k


def patterns(comps):
    """Every up/down pattern with its exact probability."""
    pairs = [exact_pair(c) for c in comps]
    for pattern in itertools.product((True, False), repeat=len(comps)):
        weight = math.prod((pairs[i][0] if up else pairs[i][1] for i, up in enumerate(pattern)),
                           start=Fraction(1))
        yield dict(enumerate(pattern)), weight


def minimal_cut_sets(spec, n):
    cuts = []
    for size in range(1, n + 1):
        for down in itertools.combinations(range(n), size):
            if not any(c <= set(down) for c in cuts) and not phi(
                    spec, {i: i not in down for i in range(n)}):
                cuts.append(set(down))
    return cuts


def brute_force_fussell_vesely(spec, comps):
    """{name: P(some minimal cut set containing it is all down) / P(system down)}."""
    cuts = minimal_cut_sets(spec, len(comps))
    down_sys = sum(w for up, w in patterns(comps) if not phi(spec, up))
    out = {}
    for i, c in enumerate(comps):
        mine = [cut for cut in cuts if i in cut]
        p = sum(w for up, w in patterns(comps) if any(all(not up[j] for j in cut) for cut in mine))
        out[c.name] = p / down_sys
    return out, cuts


# --- closed forms -----------------------------------------------------------------------------


def test_birnbaum_in_series_of_two_is_the_other_availability():
    a, b = unit("a", 0.001, 0.1), unit("b", 0.002, 0.5)
    table = hm.importance(hm.series(a, b))
    assert table.loc["a", "birnbaum"] == approx(0.5 / 0.502)
    assert table.loc["b", "birnbaum"] == approx(0.1 / 0.101)


def test_birnbaum_in_parallel_of_two_is_the_other_unavailability():
    a, b = unit("a", 0.001, 0.1), unit("b", 0.002, 0.5)
    table = hm.importance(hm.parallel(a, b))
    assert table.loc["a", "birnbaum"] == approx(0.002 / 0.502)
    assert table.loc["b", "birnbaum"] == approx(0.001 / 0.101)


def test_birnbaum_in_parallel_keeps_digits_when_the_other_unit_is_reliable():
    # I_B(a) = U_b ~ 1e-9: the code must take the unavailability side of the difference.
    a, b = unit("a", 0.001, 0.1), unit("b", 1e-9, 1.0)
    table = hm.importance(hm.parallel(a, b))
    assert table.loc["a", "birnbaum"] == approx(1e-9 / (1.0 + 1e-9))


def test_parallel_of_two_criticality_and_fussell_vesely_are_one():
    # The only minimal cut set is {a, b}: every system outage needs both units down.
    table = hm.importance(hm.parallel(unit("a", 0.001, 0.1), unit("b", 0.002, 0.5)))
    for name in ("a", "b"):
        assert table.loc[name, "criticality"] == approx(1.0)
        assert table.loc[name, "fussell_vesely"] == approx(1.0)


def test_series_criticality_and_fussell_vesely_closed_forms():
    comps = [unit("a", 0.001, 0.1), unit("b", 0.002, 0.5), unit("c", 0.01, 0.2)]
    pairs = {c.name: exact_pair(c) for c in comps}
    u_sys = 1 - math.prod((a for a, _ in pairs.values()), start=Fraction(1))
    table = hm.importance(hm.series(*comps))
    for name, (a_i, u_i) in pairs.items():
        others = math.prod((a for n, (a, _) in pairs.items() if n != name), start=Fraction(1))
        # FV: the cut set {i} is down exactly when i is down.
        assert table.loc[name, "fussell_vesely"] == approx(float(u_i / u_sys))
        # Criticality: i is critical when every other unit is up.
        assert table.loc[name, "criticality"] == approx(float(others * u_i / u_sys))
        assert table.loc[name, "birnbaum"] == approx(float(others))


def test_fussell_vesely_of_an_interacting_group_inside_series():
    # Regression: a k-of-n group with a shared crew is one leaf; its cut set is {group}, so
    # FV = U_group / U_sys (it was 0 when the group's cut sets were spelled in its units).
    a = unit("a", 0.002, 0.5)
    group = hm.k_of_n(2, [unit(f"g{i}") for i in range(3)], crews=1, name="g")
    # Trivedi T5 birth-death chain: pi_j ~ n!/(n-j)! r^j with j failed, r = l/mu; down j >= 2.
    r = Fraction(LAM) / Fraction(MU)
    weights = [1, 3 * r, 6 * r**2, 6 * r**3]
    u_g = (weights[2] + weights[3]) / sum(weights)
    a_a, u_a = exact_pair(a)
    u_sys = 1 - a_a * (1 - u_g)
    table = hm.importance(hm.series(a, group))
    assert set(table.index) == {"a", "g"}
    # The group's U comes from a GTH solve (a few ulps), the rest are closed forms.
    assert table.loc["g", "fussell_vesely"] == approx(float(u_g / u_sys), rel=1e-9)
    assert table.loc["a", "fussell_vesely"] == approx(float(u_a / u_sys), rel=1e-9)
    assert table.loc["g", "criticality"] == approx(float(a_a * u_g / u_sys), rel=1e-9)
    assert table.loc["a", "criticality"] == approx(float((1 - u_g) * u_a / u_sys), rel=1e-9)


def test_component_alone_is_one_row_of_ones():
    c = unit("db", 0.001, 0.1)
    table = hm.importance(c)
    assert list(table.index) == ["db"]
    assert list(table.columns) == COLUMNS
    row = table.loc["db"]
    for col in ("birnbaum", "criticality", "fussell_vesely", "frequency_share"):
        assert row[col] == 1.0
    assert row["availability"] == approx(0.1 / 0.101)
    assert row["incidents_per_year"] == approx(0.001 * 0.1 / 0.101 * HOURS_PER_YEAR)


@pytest.mark.parametrize("model", [
    unit("db").to_ctmc(),
    hm.k_of_n(2, [unit(f"n{i}") for i in range(3)], crews=1, name="grp"),
], ids=["ctmc", "k_of_n with crews"])
def test_a_single_leaf_model_is_one_row_of_ones(model):
    table = hm.importance(model)
    assert list(table.index) == [model.name]
    for col in ("birnbaum", "criticality", "fussell_vesely", "frequency_share"):
        assert table.loc[model.name, col] == 1.0


def test_rows_are_ordered_by_frequency_share():
    # In a series of same-MTTR units, share_i = f_i prod_{j!=i} A_j / f_sys ~ lambda_i.
    comps = [unit("a", 0.003), unit("b", 0.001), unit("c", 0.002)]
    table = hm.importance(hm.series(*comps))
    assert list(table.index) == ["a", "c", "b"]
    assert table["frequency_share"].is_monotonic_decreasing
    shares = table["frequency_share"]
    assert shares["a"] / shares["b"] == approx(3.0, rel=1e-12)


def test_columns_and_index():
    table = hm.importance(hm.series(unit("a"), unit("b")))
    assert list(table.columns) == COLUMNS
    assert table.index.name == "name"


# --- random structures ------------------------------------------------------------------------


@given(structures())
def test_frequency_shares_sum_to_one(case):
    spec, comps = case
    table = hm.importance(build(spec, comps))
    assert float(table["frequency_share"].sum()) == approx(1.0, rel=1e-12)
    assert table["frequency_share"].is_monotonic_decreasing
    assert set(table.index) == {c.name for c in comps}


@given(structures())
def test_fussell_vesely_matches_brute_force_union_of_cut_sets(case):
    spec, comps = case
    expected, cuts = brute_force_fussell_vesely(spec, comps)
    assume(len(cuts) <= 12)  # exact inclusion-exclusion up to 12 cut sets (documented)
    table = hm.importance(build(spec, comps))
    for name, fv in expected.items():
        # Inclusion-exclusion alternates signs over up to 2^12 terms of similar size when
        # units are unreliable; 1e-9 leaves room for that cancellation.
        assert table.loc[name, "fussell_vesely"] == approx(float(fv), rel=1e-9), name


def test_fussell_vesely_beyond_twelve_cut_sets_is_the_rare_event_upper_bound():
    # parallel(X, Y, z) with X, Y series of four: minimal cut sets {x_i, y_j, z}. z is in all
    # 16 (more than the exact limit of 12), so its exact FV is 1 and the documented
    # rare-event sum gives (sum U_x)(sum U_y) / (U_X U_Y) >= 1 instead. Each x_i is in only
    # 4 cut sets, so its FV is exact: P(x_i down, Y down, z down) / U_sys = U_xi / U_X.
    xs = [unit(f"x{i}", 0.01 * (i + 1), 0.1) for i in range(4)]
    ys = [unit(f"y{i}", 0.02 * (i + 1), 0.2) for i in range(4)]
    z = unit("z", 0.005, 0.25)
    system = hm.parallel(hm.series(*xs), hm.series(*ys), z)
    assert len(system.minimal_cut_sets()) == 16
    table = hm.importance(system)
    u = {c.name: exact_pair(c)[1] for c in [*xs, *ys, z]}
    u_x = 1 - math.prod((exact_pair(c)[0] for c in xs), start=Fraction(1))
    u_y = 1 - math.prod((exact_pair(c)[0] for c in ys), start=Fraction(1))
    rare_event = sum(u[c.name] for c in xs) * sum(u[c.name] for c in ys) / (u_x * u_y)
    assert table.loc["z", "fussell_vesely"] == approx(float(rare_event), rel=1e-12)
    assert table.loc["z", "fussell_vesely"] > 1.0
    for c in xs:
        assert table.loc[c.name, "fussell_vesely"] == approx(float(u[c.name] / u_x), rel=1e-12)


@given(structures())
def test_criticality_is_birnbaum_times_unavailability_share(case):
    # Criticality from its definition with brute-force Birnbaum importance (a sum of
    # non-negative terms). birnbaum() itself is a difference of two conditional
    # availabilities, so allow its cancellation error: a few ulps of the smaller operand.
    spec, comps = case
    table = hm.importance(build(spec, comps))
    down_sys = sum(w for up, w in patterns(comps) if not phi(spec, up))
    for i, c in enumerate(comps):
        ib = Fraction(0)
        a1 = u0 = Fraction(0)
        for up, w in patterns(comps):
            if up[i]:
                other = {**up, i: False}
                a1 += w if phi(spec, up) else 0
                if phi(spec, up) and not phi(spec, other):
                    ib += w / exact_pair(c)[0]
            elif not phi(spec, up):
                u0 += w
        a1 /= exact_pair(c)[0]
        u0 /= exact_pair(c)[1]
        scale = min(a1, u0)
        u_i = exact_pair(c)[1]
        expected = ib * u_i / down_sys
        assert table.loc[c.name, "criticality"] == approx(
            float(expected), rel=1e-12, abs=float(1e-14 * scale * u_i / down_sys)), c.name
