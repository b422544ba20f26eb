"""Tests of hamodel.blocks: series, parallel, k-of-n and network diagrams.

Every expected value is independent of the code under test:

* textbook rows (``/work/shared/reference/textbook-cases.md``, Trivedi ch. 8), given there
  to 12 significant digits, so they are compared at ``rel=1e-9``;
* closed forms written out here (bridge polynomial, pivotal decomposition);
* brute force: all ``2**L`` up/down patterns of the leaves, weighted with exact rational
  leaf probabilities (``fractions.Fraction``) and judged by a structure function written
  from the diagram's definition in this file (``phi``), so the only rounding left is the
  code's own;
* the CTMC route: ``block.to_ctmc()`` is the product chain of the leaves, solved by GTH,
  which shares no formula with the block route (structure function + Birnbaum sum).
  Both routes are accurate to a few ulps per state probability, so ``rel=1e-9`` leaves
  six orders of magnitude of margin.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import hamodel as hm
from hamodel.blocks import MAX_PRODUCT_STATES

HOURS_PER_YEAR = 365.25 * 24

# Trivedi ch. 8 base case.
LAM, MU = 0.001, 0.1

#: Measures compared between the block route and the CTMC route.
ROUTE_FIELDS = ("availability", "unavailability", "failure_frequency", "incidents_per_year",
                "mean_down_time")


def approx(expected, rel=1e-12, abs=0.0):
    """pytest.approx without its default absolute tolerance of 1e-12, which would pass any
    comparison of the tiny unavailabilities and frequencies tested here."""
    return pytest.approx(expected, rel=rel, abs=abs)


def unit(name, lam=LAM, mu=MU):
    return hm.Component(name, failure_rate=lam, repair_rate=mu)


def units(n, lam=LAM, mu=MU, prefix="n"):
    return [unit(f"{prefix}{i}", lam, mu) for i in range(n)]


def assert_routes_agree(block, fields=ROUTE_FIELDS, rel=1e-9):
    by_blocks = block.measures()
    by_chain = block.to_ctmc().measures()
    for field in fields:
        assert getattr(by_blocks, field) == approx(getattr(by_chain, field), rel=rel), field


# --- random structures ----------------------------------------------------------------------
#
# A spec is a plain description of a diagram over leaf indices:
#   ("leaf", i) | ("series", [spec]) | ("parallel", [spec]) | ("kofn", k, [spec])
#   | ("network", [(u, v, spec)], source, target)
# ``build`` turns it into hamodel blocks; ``phi`` evaluates it independently.

KINDS = ("series", "parallel", "kofn", "network")


def log_uniform(lo, hi):
    return st.floats(math.log10(lo), math.log10(hi)).map(lambda e: 10.0 ** e)


@st.composite
def components(draw, n):
    return [hm.Component(f"c{i}", failure_rate=draw(log_uniform(1e-6, 1e-1)),
                         repair_rate=draw(log_uniform(1e-2, 1e2))) for i in range(n)]


def _reachable(source, pairs):
    reached, changed = {source}, True
    while changed:
        changed = False
        for u, v in pairs:
            if (u in reached) != (v in reached):
                reached |= {u, v}
                changed = True
    return reached


@st.composite
def specs(draw, n_leaves):
    """A random nested series/parallel/k-of-n/network spec over leaves 0..n_leaves-1."""

    def wrap(kind, children):
        m = len(children)
        if kind in ("series", "parallel"):
            return (kind, children)
        if kind == "kofn":
            return ("kofn", draw(st.integers(1, m)), children)
        nodes = ["s", "a", "b", "t"]
        edges = []
        for j, child in enumerate(children):
            if m == 1:
                u, v = "s", "t"
            elif j == 0:
                u, v = "s", draw(st.sampled_from(["a", "b", "t"]))
            elif j == m - 1:
                u, v = draw(st.sampled_from(["s", "a", "b"])), "t"
            else:
                u, v = draw(st.permutations(nodes))[:2]
            edges.append((u, v, child))
        reach = _reachable("s", [(u, v) for u, v, _ in edges[:-1]])
        if m > 1 and "t" not in reach | _reachable("s", [(u, v) for u, v, _ in edges]):
            # Reroute the last edge so that some path joins s and t.
            edges[-1] = (draw(st.sampled_from(sorted(reach))), "t", edges[-1][2])
        return ("network", edges, "s", "t")

    def tree(items, top=False):
        if len(items) == 1:
            leaf = ("leaf", items[0])
            if top or draw(st.integers(0, 5)) == 0:  # sometimes a block of one
                return wrap(draw(st.sampled_from(KINDS)), [leaf])
            return leaf
        m = draw(st.integers(2, min(4, len(items))))
        cuts = sorted(draw(st.lists(st.integers(1, len(items) - 1), min_size=m - 1,
                                    max_size=m - 1, unique=True)))
        bounds = [0, *cuts, len(items)]
        children = [tree(items[a:b]) for a, b in itertools.pairwise(bounds)]
        return wrap(draw(st.sampled_from(KINDS)), children)

    order = draw(st.permutations(range(n_leaves)))
    return tree(list(order), top=True)


@st.composite
def structures(draw, max_leaves=6, min_leaves=1):
    """(spec, components): a random diagram of 1-6 independent Components."""
    n = draw(st.integers(min_leaves, max_leaves))
    return draw(specs(n)), draw(components(n))


def build(spec, comps):
    kind = spec[0]
    if kind == "leaf":
        return comps[spec[1]]
    if kind == "series":
        return hm.series(*[build(s, comps) for s in spec[1]])
    if kind == "parallel":
        return hm.parallel(*[build(s, comps) for s in spec[1]])
    if kind == "kofn":
        return hm.k_of_n(spec[1], [build(s, comps) for s in spec[2]])
    edges, source, target = spec[1:]
    return hm.network([(u, v, build(s, comps)) for u, v, s in edges], source, target)


def phi(spec, up):
    """The structure function of a spec, from the definitions; ``up[i]`` is leaf i's state."""
    kind = spec[0]
    if kind == "leaf":
        return up[spec[1]]
    if kind == "series":
        return all(phi(s, up) for s in spec[1])
    if kind == "parallel":
        return any(phi(s, up) for s in spec[1])
    if kind == "kofn":
        return sum(phi(s, up) for s in spec[2]) >= spec[1]
    edges, source, target = spec[1:]
    reached, frontier = {source}, [source]
    while frontier:
        node = frontier.pop()
        for u, v, s in edges:
            if phi(s, up) and node in (u, v):
                other = v if node == u else u
                if other not in reached:
                    reached.add(other)
                    frontier.append(other)
    return target in reached


def leaf_indices(spec):
    if spec[0] == "leaf":
        return [spec[1]]
    children = spec[2] if spec[0] == "kofn" else (
        [s for _, _, s in spec[1]] if spec[0] == "network" else spec[1])
    return [i for c in children for i in leaf_indices(c)]


def exact_pair(comp):
    """(A, U) of a Component as exact rationals of its float rates."""
    lam, mu = Fraction(comp.failure_rate), Fraction(comp.repair_rate)
    return mu / (lam + mu), lam / (lam + mu)


def brute_force(spec, comps, fixed=None):
    """Exact (P(up), P(down)) by enumerating every up/down pattern of the leaves."""
    fixed = fixed or {}
    pairs = [exact_pair(c) for c in comps]
    free = [i for i in range(len(comps)) if i not in fixed]
    p_up = p_down = Fraction(0)
    for pattern in itertools.product((True, False), repeat=len(free)):
        up = dict(fixed)
        up.update(zip(free, pattern))
        weight = math.prod((pairs[i][0] if up[i] else pairs[i][1] for i in free), start=Fraction(1))
        if phi(spec, up):
            p_up += weight
        else:
            p_down += weight
    return p_up, p_down


def brute_force_birnbaum(spec, comps, i):
    """P(leaf i is critical): a sum of non-negative terms, so no cancellation."""
    pairs = [exact_pair(c) for c in comps]
    others = [j for j in range(len(comps)) if j != i]
    total = Fraction(0)
    for pattern in itertools.product((True, False), repeat=len(others)):
        up = dict(zip(others, pattern))
        if phi(spec, {**up, i: True}) and not phi(spec, {**up, i: False}):
            total += math.prod((pairs[j][0] if up[j] else pairs[j][1] for j in others),
                               start=Fraction(1))
    return total


def brute_force_cut_sets(spec, comps):
    """Minimal cut sets by enumeration: sets whose failure alone brings the system down."""
    names = [c.name for c in comps]
    cuts = []
    for size in range(1, len(names) + 1):
        for down in itertools.combinations(range(len(names)), size):
            if any(c <= set(down) for c in cuts):
                continue
            if not phi(spec, {i: i not in down for i in range(len(names))}):
                cuts.append(set(down))
    return {frozenset(names[i] for i in c) for c in cuts}


def states_with_down(block, down):
    return {leaf.name: leaf.name not in down for leaf in block.leaves}


# --- textbook rows (Trivedi ch. 8; values given to 12 digits, hence rel=1e-9) -----------------


def test_trivedi_T2a_parallel_of_two_with_a_crew_each():
    pair = hm.parallel(*units(2))
    assert pair.measures().availability == approx(0.999901970395, rel=1e-9)


@pytest.mark.parametrize(("k", "n", "expected"), [
    (2, 3, 0.999707852365), (3, 4, 0.999419558262), (3, 5, 0.999990437675)])
def test_trivedi_T5_k_of_n_with_a_crew_per_unit(k, n, expected):
    assert hm.k_of_n(k, units(n)).measures().availability == approx(expected, rel=1e-9)


@pytest.mark.parametrize(("k", "n", "expected"), [
    (2, 3, 0.999411996437), (3, 4, 0.998824230216), (3, 5, 0.999941817074)])
def test_trivedi_T5_k_of_n_with_one_shared_crew(k, n, expected):
    group = hm.k_of_n(k, units(n), crews=1)
    assert group.measures().availability == approx(expected, rel=1e-9)


def test_trivedi_T6_series_of_two():
    system = hm.series(unit("a"), unit("b", lam=0.002, mu=0.5))
    assert system.measures().availability == approx(0.986154392332, rel=1e-9)


def test_trivedi_T2b_one_of_two_with_one_shared_crew():
    group = hm.k_of_n(1, units(2), crews=1)
    assert group.measures().availability == approx(0.999803960008, rel=1e-9)


def test_trivedi_T4b_two_of_three_mttf_with_one_crew():
    # 5/(6 l) + mu/(6 l^2) = 17500 h; the MTTF solve is a 3x3 linear system.
    assert hm.k_of_n(2, units(3), crews=1).to_ctmc().mttf() == approx(17500.0, rel=1e-9)


def test_trivedi_T2c_one_of_two_mttf_with_one_crew():
    # (3 l + mu) / (2 l^2) = 51500 h.
    assert hm.k_of_n(1, units(2), crews=1).to_ctmc().mttf() == approx(51500.0, rel=1e-9)


def test_trivedi_T5_single_crew_inside_series_is_product_of_availabilities():
    system = hm.series(unit("c", lam=0.002, mu=0.5), hm.k_of_n(2, units(3), crews=1))
    expected = 0.5 / 0.502 * 0.999411996437
    assert system.measures().availability == approx(expected, rel=1e-9)
    assert_routes_agree(system)


# --- closed forms of frequency and duration ---------------------------------------------------


def test_parallel_of_two_frequency_and_duration_closed_form():
    # f = 2 U A f_unit... written out: both down is entered from one-down at rate lambda.
    a, b = unit("a", 0.001, 0.1), unit("b", 0.003, 0.2)
    m = hm.parallel(a, b).measures()
    ua, ub = 0.001 / 0.101, 0.003 / 0.203
    f = ub * 0.001 * (1 - ua) + ua * 0.003 * (1 - ub)
    assert m.unavailability == approx(ua * ub, rel=1e-12)
    assert m.failure_frequency == approx(f, rel=1e-12)
    assert m.mean_down_time == approx(1 / (0.1 + 0.2), rel=1e-12)  # min of two repairs
    assert m.incidents_per_year == approx(
        (0.001 * (1 - ua) + 0.003 * (1 - ub)) * HOURS_PER_YEAR, rel=1e-12)


def test_series_mean_up_time_is_inverse_of_total_failure_rate():
    comps = [unit("a", 0.001, 0.1), unit("b", 0.002, 0.5), unit("c", 0.0005, 2.0)]
    m = hm.series(*comps).measures()
    assert m.mean_up_time == approx(1 / 0.0035, rel=1e-12)
    assert m.degraded_fraction == 0.0


# --- block route vs CTMC route ----------------------------------------------------------------


@given(structures())
def test_block_and_ctmc_routes_agree_on_random_structures(case):
    spec, comps = case
    assert_routes_agree(build(spec, comps))


@given(structures())
def test_block_and_ctmc_routes_agree_on_degraded_fraction(case):
    # The block route computes A_sys - prod(A_i), which cancels when every leaf is reliable
    # (U_i ~ 1e-8 leaves degraded ~ 3e-8 with ~8 good digits); these random draws rarely make
    # every leaf that reliable, see test_degraded_fraction_keeps_digits_with_reliable_units.
    spec, comps = case
    block = build(spec, comps)
    assert block.measures().degraded_fraction == approx(
        block.to_ctmc().measures().degraded_fraction, rel=1e-9)


def test_degraded_fraction_keeps_digits_with_reliable_units():
    # Fails today (see above). Exact: P(up and some unit failed) for parallel(c0, series(c1,
    # c2)) with U = u each: 3 u (1-u)^2 + 3 u^2 (1-u) - u (1 - (1-u)^2)  [= P(up) - (1-u)^3].
    comps = [hm.Component(f"c{i}", failure_rate=1e-6, repair_rate=100.0) for i in range(3)]
    block = hm.parallel(comps[0], hm.series(comps[1], comps[2]))
    u = Fraction(1e-6) / (Fraction(1e-6) + Fraction(100.0))
    exact = 1 - u * (1 - (1 - u) ** 2) - (1 - u) ** 3
    assert block.to_ctmc().measures().degraded_fraction == approx(float(exact), rel=1e-12)
    assert block.measures().degraded_fraction == approx(float(exact), rel=1e-12)


@st.composite
def interacting_groups(draw):
    """A k-of-n group with crews and/or common cause, nested with another Component."""
    n = draw(st.integers(2, 4))
    if draw(st.booleans()):
        lam, mu = draw(log_uniform(1e-6, 1e-1)), draw(log_uniform(1e-2, 1e2))
        group_units = [hm.Component(f"u{i}", failure_rate=lam, repair_rate=mu) for i in range(n)]
    else:
        group_units = draw(components(n))
        group_units = [c.renamed(f"u{i}") for i, c in enumerate(group_units)]
    crews = draw(st.sampled_from([1, 2, None]))
    beta = draw(st.one_of(st.just(0.0), st.floats(0.001, 1.0)))
    assume(crews is not None or beta > 0)
    group = hm.k_of_n(draw(st.integers(1, n)), group_units, crews=crews, beta=beta, name="g")
    (other,) = draw(components(1))
    outer = draw(st.sampled_from([hm.series, hm.parallel]))
    return outer(group, other)


@given(interacting_groups())
def test_block_and_ctmc_routes_agree_with_interacting_group_inside(system):
    assert_routes_agree(system, ROUTE_FIELDS + ("degraded_fraction",))


def test_routes_agree_for_one_shared_crew_with_common_cause_in_series():
    system = hm.series(hm.k_of_n(2, units(3), crews=1, beta=0.1), unit("lb", 0.0002, 1.0))
    assert_routes_agree(system, ROUTE_FIELDS + ("degraded_fraction",))


# --- brute-force enumeration ------------------------------------------------------------------


@given(structures())
def test_structure_function_matches_its_definition(case):
    spec, comps = case
    block = build(spec, comps)
    for pattern in itertools.product((True, False), repeat=len(comps)):
        x = {c.name: up for c, up in zip(comps, pattern)}
        assert bool(block.structure(x)) == phi(spec, dict(enumerate(pattern)))


@given(structures())
def test_availability_matches_brute_force_enumeration(case):
    spec, comps = case
    p_up, p_down = brute_force(spec, comps)
    m = build(spec, comps).measures()
    assert m.availability == approx(float(p_up), rel=1e-12)
    assert m.unavailability == approx(float(p_down), rel=1e-12)


@given(structures())
def test_failure_frequency_matches_brute_force_birnbaum_sum(case):
    # f = sum_i (A(i up) - A(i down)) f_i with f_i = lambda_i A_i, all exact rationals.
    spec, comps = case
    freq = sum(brute_force_birnbaum(spec, comps, i) * Fraction(c.failure_rate) * exact_pair(c)[0]
               for i, c in enumerate(comps))
    assert build(spec, comps).measures().failure_frequency == approx(float(freq), rel=1e-12)


@given(structures())
def test_birnbaum_matches_brute_force_within_its_cancellation_bound(case):
    # birnbaum() subtracts two conditional availabilities (or unavailabilities, whichever are
    # smaller), so its absolute error is a few ulps of those operands; a small importance
    # beside a large conditional availability keeps fewer relative digits than 1e-12.
    spec, comps = case
    importance = build(spec, comps).birnbaum()
    for i, c in enumerate(comps):
        a1, u1 = brute_force(spec, comps, {i: True})
        a0, u0 = brute_force(spec, comps, {i: False})
        scale = float(min(max(a1, a0), max(u1, u0)))
        assert importance[c.name] == approx(float(a1 - a0), rel=1e-12,
                                                   abs=1e-14 * scale), c.name


# --- unavailability keeps its digits ----------------------------------------------------------


def test_three_way_parallel_unavailability_is_product_not_one_minus_availability():
    comps = [unit(f"n{i}", lam=1e-6 * (1 + i / 10), mu=1.0) for i in range(3)]
    expected = math.prod(c.failure_rate / (c.failure_rate + c.repair_rate) for c in comps)
    assert expected < 1e-17  # 1 - A would round to 0 here
    assert hm.parallel(*comps).measures().unavailability == approx(expected, rel=1e-12)
    assert hm.k_of_n(1, comps).measures().unavailability == approx(expected, rel=1e-12)


def test_three_way_parallel_unavailability_keeps_digits_on_ctmc_route():
    comps = [unit(f"n{i}", lam=1e-6 * (1 + i / 10), mu=1.0) for i in range(3)]
    expected = math.prod(c.failure_rate / (c.failure_rate + c.repair_rate) for c in comps)
    # GTH is subtraction-free, so the 1e-18 state probability is relatively accurate.
    assert hm.parallel(*comps).to_ctmc().measures().unavailability == approx(
        expected, rel=1e-9)


def test_nested_parallel_whose_availability_rounds_to_one():
    # Regression: the inner parallel's A rounds to 1.0 (U ~ 1e-18), and the outer parallel
    # took log1p(-A) -> "math domain error". Closed forms for independent units in parallel:
    # U = prod U_i, and the system leaves "all down" by any repair: f = U * sum mu_i.
    comps = [unit(f"n{i}", lam=1e-6 * (1 + i / 10), mu=1.0 + i) for i in range(4)]
    u = math.prod(c.failure_rate / (c.failure_rate + c.repair_rate) for c in comps)
    for system in (hm.parallel(hm.parallel(*comps[:3]), comps[3]),
                   hm.parallel(comps[0], hm.k_of_n(1, comps[1:]))):
        m = system.measures()
        assert m.unavailability == approx(u, rel=1e-12)
        assert m.failure_frequency == approx(u * sum(c.repair_rate for c in comps), rel=1e-12)


def test_nested_series_whose_unavailability_rounds_to_one():
    # The mirror case: units almost always down; A = prod A_i, f = A * sum lambda_i.
    comps = [unit(f"n{i}", lam=1e3 * (1 + i / 10), mu=1e-6) for i in range(4)]
    a = math.prod(c.repair_rate / (c.failure_rate + c.repair_rate) for c in comps)
    m = hm.series(hm.series(*comps[:3]), comps[3]).measures()
    assert m.availability == approx(a, rel=1e-12)
    assert m.failure_frequency == approx(a * sum(c.failure_rate for c in comps), rel=1e-12)


def test_series_of_reliable_units_unavailability_keeps_digits():
    comps = [unit(f"n{i}", lam=1e-9 * (i + 1), mu=1.0) for i in range(3)]
    pairs = [exact_pair(c) for c in comps]
    exact = 1 - math.prod((a for a, _ in pairs), start=Fraction(1))
    assert hm.series(*comps).measures().unavailability == approx(float(exact), rel=1e-12)


# --- networks ---------------------------------------------------------------------------------


def bridge(make):
    """The bridge: e1 s-a, e2 s-b, e3 a-b, e4 a-t, e5 b-t."""
    ends = [("s", "a"), ("s", "b"), ("a", "b"), ("a", "t"), ("b", "t")]
    return hm.network([(u, v, make(f"e{i + 1}")) for i, (u, v) in enumerate(ends)], "s", "t")


@pytest.mark.parametrize(("lam", "mu"), [(1.0, 9.0), (0.001, 0.1), (1e-5, 2.0), (0.3, 0.05)])
def test_bridge_network_matches_closed_form_polynomial(lam, mu):
    p = Fraction(mu) / (Fraction(lam) + Fraction(mu))
    a_exact = 2 * p**2 + 2 * p**3 - 5 * p**4 + 2 * p**5
    m = bridge(lambda n: unit(n, lam, mu)).measures()
    assert m.availability == approx(float(a_exact), rel=1e-12)
    assert m.unavailability == approx(float(1 - a_exact), rel=1e-12)


def test_bridge_routes_agree():
    comps = iter([unit("x", 0.001, 0.1), unit("x", 0.002, 0.3), unit("x", 0.01, 1.0),
                  unit("x", 0.0005, 0.05), unit("x", 0.004, 0.4)])
    assert_routes_agree(bridge(lambda n: next(comps).renamed(n)),
                        ROUTE_FIELDS + ("degraded_fraction",))


def test_network_in_a_line_equals_series():
    a, b, c = unit("a"), unit("b", 0.002, 0.5), unit("c", 0.01, 1.0)
    net = hm.network([("s", "m1", a), ("m1", "m2", b), ("m2", "t", c)], "s", "t")
    for field in ROUTE_FIELDS + ("degraded_fraction",):
        assert getattr(net.measures(), field) == approx(
            getattr(hm.series(a, b, c).measures(), field), rel=1e-12), field


def test_series_parallel_network_equals_series_parallel_block():
    a, b, c = unit("a"), unit("b", 0.002, 0.5), unit("c", 0.01, 1.0)
    net = hm.network([("s", "m", a), ("m", "t", b), ("m", "t", c)], "s", "t")
    block = hm.series(a, hm.parallel(b, c))
    for field in ROUTE_FIELDS + ("degraded_fraction",):
        assert getattr(net.measures(), field) == approx(
            getattr(block.measures(), field), rel=1e-12), field
    assert set(net.minimal_cut_sets()) == set(block.minimal_cut_sets())


def test_bridge_minimal_cut_sets():
    cuts = bridge(unit).minimal_cut_sets()
    assert len(cuts) == 4
    assert set(cuts) == {frozenset({"e1", "e2"}), frozenset({"e4", "e5"}),
                         frozenset({"e1", "e3", "e5"}), frozenset({"e2", "e3", "e4"})}


def test_bridge_whose_middle_edge_is_a_parallel_block():
    # Pivot on the middle edge (Trivedi's conditioning): up -> (e1||e2) then (e4||e5);
    # down -> (e1 e4) || (e2 e5).
    outer = [unit("e1", 0.001, 0.1), unit("e2", 0.002, 0.2), unit("e4", 0.003, 0.1),
             unit("e5", 0.0015, 0.3)]
    x, y = unit("x", 0.01, 0.5), unit("y", 0.02, 0.25)
    e1, e2, e4, e5 = outer
    net = hm.network([("s", "a", e1), ("s", "b", e2), ("a", "b", hm.parallel(x, y)),
                      ("a", "t", e4), ("b", "t", e5)], "s", "t")
    A = {c.name: exact_pair(c)[0] for c in [*outer, x, y]}
    U = {n: 1 - v for n, v in A.items()}
    p3 = 1 - U["x"] * U["y"]
    given_up = (1 - U["e1"] * U["e2"]) * (1 - U["e4"] * U["e5"])
    given_down = 1 - (1 - A["e1"] * A["e4"]) * (1 - A["e2"] * A["e5"])
    exact = p3 * given_up + (1 - p3) * given_down
    assert net.measures().availability == approx(float(exact), rel=1e-12)
    assert net.measures().unavailability == approx(float(1 - exact), rel=1e-12)
    assert set(net.minimal_cut_sets()) == {
        frozenset({"e1", "e2"}), frozenset({"e4", "e5"}),
        frozenset({"e1", "x", "y", "e5"}), frozenset({"e2", "x", "y", "e4"})}
    assert_routes_agree(net, ROUTE_FIELDS + ("degraded_fraction",))


def test_network_ignores_an_edge_off_every_path():
    a, b, c = unit("a"), unit("b", 0.002, 0.5), unit("dangling", 0.5, 0.01)
    net = hm.network([("s", "t", a), ("s", "t", b), ("t", "z", c)], "s", "t")
    assert net.measures().availability == approx(
        hm.parallel(a, b).measures().availability, rel=1e-12)
    assert net.birnbaum()["dangling"] == 0.0
    assert set(net.minimal_cut_sets()) == {frozenset({"a", "b"})}


# --- minimal cut sets -------------------------------------------------------------------------


def cut_set_cases():
    a, b, c, d = (unit(n) for n in "abcd")
    g = hm.k_of_n(2, units(3, prefix="g"), crews=1, name="g")
    S = lambda *names: frozenset(names)
    return [
        ("series", hm.series(a, b, c), {S("a"), S("b"), S("c")}),
        ("parallel", hm.parallel(a, b, c), {S("a", "b", "c")}),
        ("2-of-3", hm.k_of_n(2, [a, b, c]), {S("a", "b"), S("a", "c"), S("b", "c")}),
        ("1-of-3", hm.k_of_n(1, [a, b, c]), {S("a", "b", "c")}),
        ("3-of-3", hm.k_of_n(3, [a, b, c]), {S("a"), S("b"), S("c")}),
        ("series of parallel", hm.series(a, hm.parallel(b, c)), {S("a"), S("b", "c")}),
        ("parallel of series", hm.parallel(hm.series(a, b), hm.series(c, d)),
         {S("a", "c"), S("a", "d"), S("b", "c"), S("b", "d")}),
        ("2-of-3 of a series", hm.k_of_n(2, [hm.series(a, b), c, d]),
         {S("a", "c"), S("b", "c"), S("a", "d"), S("b", "d"), S("c", "d")}),
        ("interacting group is one leaf", hm.series(a, g), {S("a"), S("g")}),
        ("interacting group alone: its units", g, {S("g0", "g1"), S("g0", "g2"), S("g1", "g2")}),
    ]


@pytest.mark.parametrize(("label", "block", "expected"), cut_set_cases(),
                         ids=[c[0] for c in cut_set_cases()])
def test_minimal_cut_sets_of_small_structures(label, block, expected):
    cuts = block.minimal_cut_sets()
    assert len(cuts) == len(set(cuts))
    assert set(cuts) == expected


@given(structures())
def test_minimal_cut_sets_cut_and_are_minimal(case):
    spec, comps = case
    block = build(spec, comps)
    for cut in block.minimal_cut_sets():
        assert not block.structure(states_with_down(block, cut)), cut
        for member in cut:
            assert block.structure(states_with_down(block, cut - {member})), (cut, member)


@given(structures())
def test_minimal_cut_sets_match_brute_force_enumeration(case):
    spec, comps = case
    cuts = build(spec, comps).minimal_cut_sets()
    assert len(cuts) == len(set(cuts))
    assert set(cuts) == brute_force_cut_sets(spec, comps)


# --- errors -----------------------------------------------------------------------------------

_a, _b, _c = unit("a"), unit("b"), unit("c")

ERROR_CASES = [
    ("k greater than n", lambda: hm.k_of_n(4, [_a, _b, _c]), ValueError, r"k = 4.*n = 3"),
    ("k below one", lambda: hm.k_of_n(0, [_a, _b, _c]), ValueError, r"k = 0"),
    ("negative k", lambda: hm.k_of_n(-1, [_a, _b]), ValueError, r"k = -1"),
    ("float k", lambda: hm.k_of_n(2.0, [_a, _b, _c]), TypeError, r"k = 2\.0.*integer"),
    ("string k", lambda: hm.k_of_n("2", [_a, _b, _c]), TypeError, r"k = '2'"),
    ("bool k", lambda: hm.k_of_n(True, [_a, _b]), TypeError, r"k = True"),
    ("empty series", lambda: hm.series(), ValueError, r"series.*empty"),
    ("empty parallel", lambda: hm.parallel(), ValueError, r"parallel.*empty"),
    ("empty k_of_n", lambda: hm.k_of_n(1, []), ValueError, r"k_of_n.*empty"),
    ("empty network", lambda: hm.network([], "s", "t"), ValueError, r"network.*empty"),
    ("same object twice in series", lambda: hm.series(_a, _a), ValueError,
     r"duplicate component names \['a'\]"),
    ("same name twice in parallel", lambda: hm.parallel(_a, _b.renamed("a")), ValueError,
     r"duplicate component names \['a'\]"),
    ("same object in k_of_n", lambda: hm.k_of_n(2, [_a, _a, _b]), ValueError,
     r"duplicate component names \['a'\]"),
    ("same object in k_of_n with crews", lambda: hm.k_of_n(2, [_a, _a, _b], crews=1),
     ValueError, r"duplicate component names \['a'\]"),
    ("duplicate across nested blocks", lambda: hm.series(_a, hm.parallel(_b, _a)), ValueError,
     r"duplicate component names \['a'\]"),
    ("duplicate across sibling blocks",
     lambda: hm.parallel(hm.series(_a, _b), hm.series(_c, _b)), ValueError,
     r"duplicate component names \['b'\]"),
    ("duplicate across network edges",
     lambda: hm.network([("s", "m", _a), ("m", "t", hm.parallel(_b, _a))], "s", "t"),
     ValueError, r"duplicate component names \['a'\]"),
    ("crews zero", lambda: hm.k_of_n(1, [_a, _b], crews=0), ValueError, r"crews = 0"),
    ("crews negative", lambda: hm.k_of_n(1, [_a, _b], crews=-1), ValueError, r"crews = -1"),
    ("crews not an integer", lambda: hm.k_of_n(1, [_a, _b], crews=1.5), ValueError,
     r"crews = 1\.5"),
    ("beta above one", lambda: hm.k_of_n(1, [_a, _b], beta=1.5), ValueError, r"beta = 1\.5"),
    ("beta negative", lambda: hm.k_of_n(1, [_a, _b], beta=-0.1), ValueError, r"beta = -0\.1"),
    ("beta not a number", lambda: hm.k_of_n(1, [_a, _b], beta="0.1"), TypeError, r"beta"),
    ("crews with a block unit", lambda: hm.k_of_n(1, [_a, hm.series(_b)], crews=1), TypeError,
     r"must be Components"),
    ("beta with a CTMC unit", lambda: hm.k_of_n(1, [_a, _b.to_ctmc()], beta=0.1), TypeError,
     r"must be Components"),
    ("unknown source", lambda: hm.network([("s", "t", _a)], "x", "t"), ValueError,
     r"source 'x'"),
    ("unknown target", lambda: hm.network([("s", "t", _a)], "s", "y"), ValueError,
     r"target 'y'"),
    ("source is target", lambda: hm.network([("s", "t", _a)], "s", "s"), ValueError,
     r"same node 's'"),
    ("source and target never joined",
     lambda: hm.network([("s", "a", _a), ("b", "t", _b)], "s", "t"), ValueError,
     r"no path joins source 's' and target 't'"),
    ("edge of two items", lambda: hm.network([("s", "t")], "s", "t"), ValueError,
     r"edge \('s', 't'\)"),
    ("edge of four items", lambda: hm.network([("s", "t", _a, 1)], "s", "t"), ValueError,
     r"edge"),
    ("edge that is not a tuple", lambda: hm.network([_a], "s", "t"), ValueError, r"edge"),
    ("float block in series", lambda: hm.series(_a, 0.5), TypeError, r"0\.5 is not a model"),
    ("float block in parallel", lambda: hm.parallel(0.5), TypeError, r"0\.5 is not a model"),
    ("string block in k_of_n", lambda: hm.k_of_n(1, [_a, "b"]), TypeError,
     r"'b' is not a model"),
    ("float block on a network edge", lambda: hm.network([("s", "t", 0.5)], "s", "t"),
     TypeError, r"0\.5 is not a model"),
]


@pytest.mark.parametrize(("label", "call", "error", "match"), ERROR_CASES,
                         ids=[c[0] for c in ERROR_CASES])
def test_bad_input_raises_naming_the_problem(label, call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_duplicate_inside_and_outside_an_interacting_group_is_rejected():
    # Fails today: a k-of-n group with crews is one leaf, so the uniqueness check sees only
    # its group name and lets the same Component be both a unit of the group and a leaf
    # beside it (two "independent" copies of one box).
    with pytest.raises(ValueError, match=r"duplicate component names \['a'\]"):
        hm.series(_a, hm.k_of_n(2, [_a, _b, _c], crews=1))


def test_product_chain_too_large_names_the_state_count():
    system = hm.series(*units(22))
    assert 2**22 > MAX_PRODUCT_STATES
    with pytest.raises(ValueError, match=r"4,194,304 states"):
        system.to_ctmc()
    # The block route needs no product chain.
    assert system.measures().availability == approx((MU / (LAM + MU)) ** 22, rel=1e-12)


# --- invariants -------------------------------------------------------------------------------


def replace_leaf(spec, i, new):
    """The spec with leaf i replaced by `new`."""
    kind = spec[0]
    if kind == "leaf":
        return new if spec[1] == i else spec
    if kind in ("series", "parallel"):
        return (kind, [replace_leaf(s, i, new) for s in spec[1]])
    if kind == "kofn":
        return ("kofn", spec[1], [replace_leaf(s, i, new) for s in spec[2]])
    return ("network", [(u, v, replace_leaf(s, i, new)) for u, v, s in spec[1]], *spec[2:])


@given(structures(max_leaves=5), st.data())
def test_adding_a_parallel_unit_anywhere_never_lowers_availability(case, data):
    spec, comps = case
    (extra,) = data.draw(components(1))
    extra = extra.renamed("extra")
    i = data.draw(st.integers(0, len(comps) - 1))
    bigger = replace_leaf(spec, i, ("parallel", [("leaf", i), ("leaf", len(comps))]))
    before = build(spec, comps).measures()
    after = build(bigger, [*comps, extra]).measures()
    # Monotone in exact arithmetic; an irrelevant leaf may move the result by an ulp or two.
    assert after.availability >= before.availability * (1 - 1e-14)
    assert after.unavailability <= before.unavailability * (1 + 1e-14)


@given(structures(max_leaves=5), st.data())
def test_adding_a_series_unit_anywhere_never_raises_availability(case, data):
    spec, comps = case
    (extra,) = data.draw(components(1))
    extra = extra.renamed("extra")
    i = data.draw(st.integers(0, len(comps) - 1))
    bigger = replace_leaf(spec, i, ("series", [("leaf", i), ("leaf", len(comps))]))
    before = build(spec, comps).measures()
    after = build(bigger, [*comps, extra]).measures()
    # Monotone in exact arithmetic; an irrelevant leaf may move the result by an ulp or two.
    assert after.availability <= before.availability * (1 + 1e-14)
    assert after.unavailability >= before.unavailability * (1 - 1e-14)


@given(structures())
def test_measures_are_consistent(case):
    spec, comps = case
    m = build(spec, comps).measures()
    assert 0.0 <= m.availability <= 1.0
    assert 0.0 <= m.unavailability <= 1.0
    assert m.availability + m.unavailability == approx(1.0, abs=1e-12)
    assert m.mean_up_time * m.failure_frequency == approx(m.availability, rel=1e-12)
    assert m.mean_down_time * m.failure_frequency == approx(m.unavailability, rel=1e-12)
    assert 0.0 <= m.degraded_fraction <= m.availability


@given(structures())
def test_incidents_are_the_sum_of_leaf_failures(case):
    spec, comps = case
    expected = sum(c.failure_rate * c.repair_rate / (c.failure_rate + c.repair_rate)
                   for c in comps) * HOURS_PER_YEAR
    m = build(spec, comps).measures()
    assert m.incidents_per_year == approx(expected, rel=1e-12)
    assert m.outages_per_year <= m.incidents_per_year * (1 + 1e-12)


@given(st.integers(2, 5), st.data())
def test_independent_repair_is_at_least_as_good_as_shared_crews(n, data):
    k = data.draw(st.integers(1, n))
    comps = data.draw(components(n))
    if data.draw(st.booleans()):  # identical units take the lumped birth-death chain
        comps = [comps[0].renamed(f"c{i}") for i in range(n)]
    crews = data.draw(st.integers(1, n))
    independent = hm.k_of_n(k, comps).measures().availability
    shared = hm.k_of_n(k, comps, crews=crews).measures().availability
    assert independent >= shared * (1 - 1e-12)


@given(st.integers(2, 4), st.data())
def test_as_many_crews_as_units_is_independent_repair(n, data):
    # With a crew per unit and no common cause the units are independent, so the group's own
    # chain (ordered failure tuples for distinct units) must give the block formula.
    k = data.draw(st.integers(1, n))
    comps = data.draw(components(n))
    if data.draw(st.booleans()):
        comps = [comps[0].renamed(f"c{i}") for i in range(n)]
    chain = hm.k_of_n(k, comps, crews=n).measures()
    formula = hm.k_of_n(k, comps).measures()
    for field in ROUTE_FIELDS + ("degraded_fraction",):
        assert getattr(chain, field) == approx(getattr(formula, field), rel=1e-9), field


# --- common cause and shared crews against hand-built chains ----------------------------------


def test_beta_factor_pair_matches_hand_built_chain():
    # 1-of-2 identical units, a crew each, beta-factor common cause (docstring semantics):
    # independent failures at (1-beta) l per up unit, a shared event at beta*l failing every
    # unit still up (counted as that many incidents).
    lam, mu, beta = 0.002, 0.1, 0.2
    chain = hm.CTMC.from_transitions(
        [("2 up", "1 up", 2 * (1 - beta) * lam), ("2 up", "0 up", beta * lam),
         ("1 up", "0 up", lam), ("1 up", "2 up", mu), ("0 up", "1 up", 2 * mu)],
        up=["2 up", "1 up"],
        incidents=_incident_weights(),
        healthy=["2 up"])
    group = hm.k_of_n(1, units(2, lam, mu), beta=beta)
    for field in ROUTE_FIELDS + ("degraded_fraction",):
        assert getattr(group.measures(), field) == approx(
            getattr(chain.measures(), field), rel=1e-12), field


def _incident_weights():
    # States in order of first appearance: "2 up", "1 up", "0 up".
    # 2->1 one failure, 2->0 two failures (common cause), 1->0 one failure.
    return np.array([[0.0, 1.0, 2.0], [0.0, 0.0, 1.0], [0.0, 0.0, 0.0]])


def test_distinct_pair_with_one_crew_and_common_cause_matches_hand_built_chain():
    # Ordered failure tuples: the first failed unit is under repair.
    la, lb, ma, mb, beta = 0.001, 0.004, 0.1, 0.3, 0.1
    cc = beta * (la + lb) / 2
    trans = [
        ("ok", "a", (1 - beta) * la), ("ok", "b", (1 - beta) * lb), ("ok", "ab", cc),
        ("a", "ab", (1 - beta) * lb + cc), ("a", "ok", ma),
        ("b", "ba", (1 - beta) * la + cc), ("b", "ok", mb),
        ("ab", "b", ma), ("ba", "a", mb),
    ]
    names = ["ok", "a", "b", "ab", "ba"]
    weights = np.zeros((5, 5))
    for src, dst, count in [("ok", "a", 1), ("ok", "b", 1), ("ok", "ab", 2), ("a", "ab", 1),
                            ("b", "ba", 1)]:
        weights[names.index(src), names.index(dst)] = count
    chain = hm.CTMC.from_transitions(trans, up=["ok", "a", "b"], incidents=weights,
                                     healthy=["ok"])
    assert list(chain.states) == names
    group = hm.k_of_n(1, [unit("a", la, ma), unit("b", lb, mb)], crews=1, beta=beta)
    for field in ROUTE_FIELDS + ("degraded_fraction",):
        assert getattr(group.measures(), field) == approx(
            getattr(chain.measures(), field), rel=1e-12), field


# --- CTMCs as blocks --------------------------------------------------------------------------


def test_component_chain_renamed_behaves_like_the_component_in_series():
    a, b = unit("a", 0.001, 0.1), unit("b", 0.002, 0.5)
    with_chain = hm.series(a.to_ctmc().renamed("x"), b)
    with_component = hm.series(a.renamed("x"), b)
    for field in ROUTE_FIELDS + ("degraded_fraction",):
        expected = getattr(with_component.measures(), field)
        assert getattr(with_chain.measures(), field) == approx(expected, rel=1e-12)
        assert getattr(with_chain.to_ctmc().measures(), field) == approx(expected,
                                                                                rel=1e-9)


def cold_standby(lam=LAM, mu=MU, name="standby"):
    """Two units, one active, cold spare, perfect switch, one crew (Trivedi T3a)."""
    return hm.CTMC.from_transitions(
        [("2", "1", lam), ("1", "0", lam), ("1", "2", mu), ("0", "1", mu)],
        up=["2", "1"], name=name)


def test_trivedi_T3a_hand_made_standby_chain():
    assert cold_standby().measures().availability == approx(0.999900999901, rel=1e-9)


def test_hand_made_standby_chain_inside_parallel_block():
    c = unit("c", 0.002, 0.5)
    system = hm.parallel(cold_standby(), c)
    r = LAM / MU
    pi = [1 / (1 + r + r**2), r / (1 + r + r**2), r**2 / (1 + r + r**2)]  # 2, 1, 0 up
    u_sb, f_sb = pi[2], pi[1] * LAM
    u_c, f_c = 0.002 / 0.502, 0.002 * 0.5 / 0.502
    m = system.measures()
    assert m.unavailability == approx(u_sb * u_c, rel=1e-12)
    assert m.failure_frequency == approx(u_c * f_sb + u_sb * f_c, rel=1e-12)
    assert_routes_agree(system, ROUTE_FIELDS + ("degraded_fraction",))


# --- snapshots --------------------------------------------------------------------------------


def test_snapshot_default_names():
    a, b = unit("a"), unit("b")
    assert hm.series(a, b).name == "series(a, b)"
    assert hm.k_of_n(1, [a, b]).name == "1-of-2(a, b)"
    assert hm.network([("s", "t", a)], "s", "t").name == "network(s-t)"
