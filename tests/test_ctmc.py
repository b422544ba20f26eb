"""Tests of hamodel/ctmc.py: validation, steady state, transient, reliability, measures.

Independent references: the two-state unit (A(t) = mu/(l+mu) + l/(l+mu) e^-(l+mu)t,
R(t) = e^-lt, outage ~ Exp(mu)), the 1-of-2 pair of independent units (pi_j binomial),
the hypoexponential / Erlang-2 outage (sf = (b e^-at - a e^-bt)/(b - a), (1 + at) e^-at),
the textbook no-repair reliabilities of shared/reference/textbook-cases.md (T2f, T3c,
T4c; Trivedi 2002, ch. 8) and the truncated geometric law of a birth-death chain.
Closed forms are evaluated in double precision; hamodel's dense expm / GTH on chains
of a few states is accurate to ~1e-14, so rel 1e-9 is a generous but still sharp bound.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import subprocess
import sys
import textwrap
import time

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import hamodel as hm

L, MU = 0.001, 0.1
REL = 1e-9


def two_state(lam=L, mu=MU, **kwargs) -> hm.CTMC:
    return hm.CTMC([[-lam, lam], [mu, -mu]], up=[True, False], states=["up", "down"], **kwargs)


def pair(**kwargs) -> hm.CTMC:
    """1-of-2 active pair, a crew per unit; state = number of failed units."""
    return hm.CTMC.from_transitions(
        [(0, 1, 2 * L), (1, 0, MU), (1, 2, L), (2, 1, 2 * MU)], up=[0, 1], **kwargs)


def availability_closed(t, lam=L, mu=MU):
    return mu / (lam + mu) + lam / (lam + mu) * np.exp(-(lam + mu) * np.asarray(t, dtype=float))


# ================================================================ construction
@pytest.mark.parametrize(
    ("Q", "match"),
    [
        (np.zeros((2, 3)), r"shape \(2, 3\)"),
        (np.zeros((2, 2, 2)), "3 dimension"),
        (np.zeros(3), "1 dimension"),
        (np.zeros((0, 0)), "empty"),
        ([[-1.0, np.nan], [1.0, -1.0]], r"Q\[0, 1\] = nan .*expected a finite rate"),
        ([[-np.inf, np.inf], [1.0, -1.0]], r"Q\[0, 0\] = -inf \(state 0\)"),
        ([[-1e308, 1e308], [1.0, -1.0]], r"Q\[0, 0\] = -1e\+308 .*at most 1e\+18 per hour"),
    ],
    ids=["non-square", "3-D", "1-D", "empty", "nan", "inf", "1e308"],
)
def test_malformed_generator_raises_value_error(Q, match):
    with pytest.raises(ValueError, match=match):
        hm.CTMC(Q, up=[0])


def test_complex_generator_is_refused():
    with pytest.raises(TypeError, match="complex"):
        hm.CTMC(np.array([[-1 + 1j, 1], [1, -1]]), up=[True, False])
    with pytest.raises(TypeError, match="complex"):
        hm.CTMC(sp.csr_array(np.array([[-1 + 0j, 1], [1, -1]])), up=[True, False])


@pytest.mark.parametrize("up", [[1, 0], np.array([1, 0]), np.array([1.0, 0.0]), (0, 1)])
def test_a_zero_one_sequence_as_long_as_the_chain_is_refused_as_ambiguous(up):
    """Read as indices, up=[1, 0] made both states of the chain up: availability 1."""
    with pytest.raises(ValueError, match="ambiguous.*booleans for a mask"):
        hm.CTMC([[-0.001, 0.001], [0.1, -0.1]], up=up)


@pytest.mark.parametrize("up, mask", [([True, False], [True, False]), ({0}, [True, False]),
                                      (0, [True, False]), ([1], [False, True])])
def test_masks_sets_and_single_states_are_read_as_documented(up, mask):
    assert hm.CTMC([[-0.001, 0.001], [0.1, -0.1]], up=up).up.tolist() == mask


@pytest.mark.parametrize("up, error, match", [(None, TypeError, "up = None: expected"),
                                              (5, ValueError, "unknown state 5")])
def test_missing_or_unknown_up_is_named(up, error, match):
    with pytest.raises(error, match=match):
        hm.CTMC([[-0.001, 0.001], [0.1, -0.1]], up=up)


def test_boolean_initial_is_refused():
    with pytest.raises(TypeError, match="initial = True"):
        hm.CTMC([[-0.001, 0.001], [0.1, -0.1]], up=[True, False], initial=True)


def test_point_availability_never_exceeds_one():
    m = hm.CTMC([[-1e-9, 1e-9], [1.0, -1.0]], up=[True, False])
    assert all(m.availability_at(t) <= 1.0 for t in np.linspace(0, 1e-3, 50))


def test_non_numeric_generator_raises_type_error():
    with pytest.raises(TypeError, match="numeric"):
        hm.CTMC([["a", "b"], ["c", "d"]], up=[0])


def test_negative_off_diagonal_names_row_column_and_states():
    Q = [[-1.0, 1.0, 0.0], [0.5, 0.0, -0.5], [0.0, 2.0, -2.0]]
    # The value is printed as np.float64(-0.5) under numpy 2 (reported); match either form.
    with pytest.raises(ValueError, match=r"Q\[1, 2\] = \S*-0\.5\S* \(from state 'b' to 'c'\)"):
        hm.CTMC(Q, up=["a"], states=["a", "b", "c"])
    with pytest.raises(ValueError, match=r"Q\[1, 2\] = \S*-0\.5\S* \(from state 1 to 2\)"):
        hm.CTMC(Q, up=[0])


def test_row_not_summing_to_zero_names_the_row():
    Q = [[-1.0, 1.0, 0.0], [0.5, -0.4, 0.0], [0.0, 2.0, -2.0]]
    with pytest.raises(ValueError, match=r"row 1 \(state 'b'\) of Q sums to \S*0\.0999"):
        hm.CTMC(Q, up=["a"], states=["a", "b", "c"])


@pytest.mark.parametrize("diagonal", [[0.0, 0.0], [1.0, -1.0]])
def test_missing_or_positive_diagonal_is_refused(diagonal):
    Q = np.array([[0.0, 1.0], [1.0, 0.0]]) + np.diag(diagonal)
    with pytest.raises(ValueError, match="row 0"):
        hm.CTMC(Q, up=[0])


def test_row_tolerance_is_relative_to_the_row_scale():
    """A row with rates 1e6 and a rounding error of 1e-8 passes (1e-14 relative);
    a row with rates 1e-7 and an error of 1e-9 fails (1 % relative)."""
    big = np.array([[-1e6 - 1e-8, 1e6], [1.0, -1.0]])
    hm.CTMC(big, up=[0])
    small = np.array([[-1e-7 - 1e-9, 1e-7], [1.0, -1.0]])
    with pytest.raises(ValueError, match="row 0"):
        hm.CTMC(small, up=[0])


def test_state_names_must_match_and_be_unique():
    with pytest.raises(ValueError, match="3 state names"):
        hm.CTMC([[-1, 1], [1, -1]], up=["a"], states=["a", "b", "c"])
    with pytest.raises(ValueError, match="unique"):
        hm.CTMC([[-1, 1], [1, -1]], up=["a"], states=["a", "a"])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"up": ["nope"]}, r"up: unknown state 'nope'"),
        ({"up": ["up"], "initial": "nope"}, r"initial: unknown state 'nope'"),
        ({"up": ["up"], "healthy": ["nope"]}, r"healthy: unknown state 'nope'"),
        ({"up": ["up"], "incidents": [("up", "nope")]}, r"incidents: unknown state 'nope'"),
        ({"up": ["up"], "events": {"split": [("nope", "up")]}}, r"unknown state 'nope'"),
    ],
)
def test_unknown_state_names_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        hm.CTMC([[-L, L], [MU, -MU]], states=["up", "down"], **kwargs)


def test_incident_pair_that_is_not_a_transition_is_refused():
    with pytest.raises(ValueError, match="no transition 'down' -> 'down'"):
        two_state(incidents=[("down", "down")])
    with pytest.raises(ValueError, match="expected \\(src, dst\\) pairs"):
        two_state(incidents=[42])


@pytest.mark.parametrize("up", [[], [False, False], np.zeros(2, dtype=bool)])
def test_no_up_state_is_refused(up):
    with pytest.raises(ValueError, match="no up state"):
        hm.CTMC([[-1, 1], [1, -1]], up=up)


def test_boolean_mask_of_wrong_length_is_refused():
    with pytest.raises(ValueError, match="length 3 for 2 states"):
        hm.CTMC([[-1, 1], [1, -1]], up=[True, False, True])


def test_healthy_state_must_be_up():
    with pytest.raises(ValueError, match=r"healthy states must be up.*'down'"):
        two_state(healthy=["down"])


@pytest.mark.parametrize("initial", [[0.5, 0.6], [1.5, -0.5], [np.nan, 1.0], [1.0]])
def test_bad_initial_distribution_is_refused(initial):
    with pytest.raises(ValueError, match="initial"):
        two_state(initial=initial)


def test_reducible_chain_names_its_closed_classes():
    """Two absorbing states: no unique stationary distribution; both are named."""
    m = hm.CTMC.from_transitions([("start", "A", 1.0), ("start", "B", 2.0)], up=["start", "A"])
    with pytest.raises(ValueError, match=r"2 closed classes.*\[\['A'\], \['B'\]\]"):
        m.steady_state()
    with pytest.raises(ValueError, match="closed classes"):
        m.measures()


def test_transient_states_get_zero_probability():
    """A start-up state never re-entered, and a state feeding only into the closed class."""
    m = hm.CTMC.from_transitions(
        [("install", "up", 5.0), ("install", "burn-in", 1.0), ("burn-in", "up", 1.0),
         ("up", "down", L), ("down", "up", MU)], up=["install", "burn-in", "up"])
    pi = m.steady_state()
    assert pi[m.index("install")] == 0.0
    assert pi[m.index("burn-in")] == 0.0
    assert pi[m.index("up")] == pytest.approx(MU / (L + MU), rel=REL)
    assert m.measures().availability == pytest.approx(MU / (L + MU), rel=REL)


# ============================================================ from_transitions
@pytest.mark.parametrize(
    ("transitions", "error", "match"),
    [
        ([("a", "a", 1.0)], ValueError, "cannot move to itself"),
        ([("a", "b", 0.0)], ValueError, r"rate of transition 'a' -> 'b' = 0\.0"),
        ([("a", "b", -1.0)], ValueError, r"rate of transition 'a' -> 'b' = -1\.0"),
        ([("a", "b", math.nan)], ValueError, "rate of transition 'a' -> 'b'"),
        ([("a", "b", math.inf)], ValueError, "rate of transition 'a' -> 'b'"),
        ([("a", "b", "fast")], TypeError, "rate of transition 'a' -> 'b'"),
        ([("a", "b")], ValueError, r"transition 0 = \('a', 'b'\): expected \(src, dst, rate\)"),
        ([("b", "a", 1.0), ("a", "b", 1.0, 2.0)], ValueError, "transition 1 = "),
        ([42], ValueError, "transition 0 = 42"),
        ([], ValueError, "no transitions"),
    ],
    ids=["self-loop", "zero", "negative", "nan", "inf", "string", "pair", "4-tuple",
         "not-iterable", "empty"],
)
def test_from_transitions_errors(transitions, error, match):
    with pytest.raises(error, match=match):
        hm.CTMC.from_transitions(transitions, up=["a"])


def test_from_transitions_sums_duplicates_and_orders_states_by_first_appearance():
    m = hm.CTMC.from_transitions([("b", "a", 3.0), ("a", "b", 1.0), ("a", "b", 2.0)], up=["a"],
                                 initial="a")
    assert m.states == ("b", "a")
    np.testing.assert_array_equal(m.Q.toarray(), [[-3.0, 3.0], [3.0, -3.0]])
    assert m.measures().availability == pytest.approx(0.5, rel=REL)


def test_from_transitions_equals_dense_constructor():
    a = hm.CTMC.from_transitions([("up", "down", L), ("down", "up", MU)], up=["up"])
    b = two_state()
    np.testing.assert_array_equal(a.Q.toarray(), b.Q.toarray())
    assert a.states == b.states


# =================================================================== transient
def test_transient_scalar_string_and_array_against_closed_form():
    m = two_state()
    p = m.transient("90min")
    assert p.shape == (2,)
    assert p[0] == pytest.approx(availability_closed(1.5), rel=REL)
    assert p[1] == pytest.approx(1 - availability_closed(1.5), rel=REL)
    times = [0, "30min", 2.5, "1d", "1w"]
    hours = np.array([0, 0.5, 2.5, 24, 168])
    P = m.transient(times)
    assert P.shape == (5, 2)
    np.testing.assert_allclose(P[:, 0], availability_closed(hours), rtol=REL)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=1e-14)
    np.testing.assert_allclose(m.transient(hours), P, rtol=1e-14)
    np.testing.assert_allclose(m.availability_at(hours), availability_closed(hours), rtol=REL)
    assert isinstance(m.availability_at(3), float)


def test_transient_at_zero_is_the_initial_distribution():
    np.testing.assert_array_equal(two_state().transient(0), [1.0, 0.0])
    np.testing.assert_array_equal(two_state(initial="down").transient(0),
                                  [0.0, 1.0])
    np.testing.assert_allclose(two_state(initial=[0.25, 0.75]).transient(0),
                               [0.25, 0.75])


def test_transient_from_down_against_closed_form():
    """From down: P(up at t) = mu/(l+mu) (1 - e^-(l+mu)t)."""
    m = two_state(initial="down")
    for t in [0.1, 5.0, 50.0]:
        assert m.availability_at(t) == pytest.approx(MU / (L + MU) * (1 - math.exp(-(L + MU) * t)),
                                                     rel=REL)


@pytest.mark.parametrize("bad", [-1.0, "-1h", "soon", math.nan])
def test_transient_refuses_bad_times(bad):
    with pytest.raises(ValueError):
        two_state().transient(bad)


def test_transient_tends_to_steady_state():
    m = pair()
    np.testing.assert_allclose(m.transient("10y"), m.steady_state(), rtol=1e-9)


# ================================================================= reliability
def test_reliability_of_one_unit_is_exponential():
    m = two_state()
    assert m.reliability(0) == 1.0
    assert m.reliability("1000h") == pytest.approx(math.exp(-1.0), rel=REL)
    times = np.array([1.0, 100.0, 2500.0])
    np.testing.assert_allclose(m.reliability(times), np.exp(-L * times), rtol=REL)
    np.testing.assert_allclose(m.reliability(["1h", "100h"]), np.exp(-L * times[:2]), rtol=REL)
    assert m.reliability(5) == pytest.approx(math.exp(-L * 5), rel=REL)


def test_reliability_starting_down_is_zero():
    assert two_state(initial="down").reliability("1h") == 0.0


@pytest.mark.parametrize("build", [
    lambda: two_state(initial="down"),
    lambda: hm.CTMC.from_transitions([("down", "up", MU), ("up", "down", L)], up=["up"]),
], ids=["initial-down", "first-named-state-down"])
def test_chain_starting_in_a_down_state_builds_without_healthy(build):
    """Regression (fixed in 3b98623): `healthy` defaulted to the initial state even when it
    was down, and then failed its own 'healthy states must be up' check."""
    m = build()
    assert m.healthy[m.index("up")] and not m.healthy[m.index("down")]
    assert m.measures().availability == pytest.approx(MU / (L + MU), rel=REL)


NO_REPAIR = {
    # Trivedi ch. 8, textbook-cases.md rows T2f, T3c, T4c.
    "T2f-parallel-2": ([(0, 1, 2 * L), (1, 2, L)], [0, 1],
                       lambda t: 2 * np.exp(-L * t) - np.exp(-2 * L * t)),
    "T3c-cold-standby": ([(0, 1, L), (1, 2, L)], [0, 1],
                         lambda t: (1 + L * t) * np.exp(-L * t)),
    "T4c-2oo3": ([(0, 1, 3 * L), (1, 2, 2 * L)], [0, 1],
                 lambda t: 3 * np.exp(-2 * L * t) - 2 * np.exp(-3 * L * t)),
}


@pytest.mark.parametrize(("transitions", "up", "closed"), NO_REPAIR.values(), ids=NO_REPAIR.keys())
def test_reliability_without_repair_against_textbook_closed_forms(transitions, up, closed):
    m = hm.CTMC.from_transitions(transitions, up=up, initial=0)
    times = np.array([0.0, 10.0, 500.0, 1000.0, 3000.0])
    np.testing.assert_allclose(m.reliability(times), closed(times), rtol=REL)
    # Without repair, reliability equals point availability.
    np.testing.assert_allclose(m.availability_at(times), closed(times), rtol=REL)


def test_reliability_with_repair_is_below_availability():
    """Repair brings the system back but does not undo a failure: R(t) <= A(t)."""
    m = pair()
    times = np.array([100.0, 1e4, 1e5])
    assert np.all(m.reliability(times) <= m.availability_at(times))
    # MTTF 1-of-2 with crews: (3l + mu)/(2l^2) (Trivedi; repair out of the down state irrelevant)
    assert m.mttf() == pytest.approx((3 * L + MU) / (2 * L**2), rel=REL)


# ======================================================================== mttf
def test_mttf_of_one_unit_is_mtbf():
    assert two_state().mttf() == pytest.approx(1 / L, rel=REL)


def test_mttf_from_an_initial_distribution_is_the_mixture():
    """1-of-2 without repair: MTTF 3/(2l) from 0 failed, 1/l from 1 failed."""
    m = hm.CTMC.from_transitions([(0, 1, 2 * L), (1, 2, L)], up=[0, 1], initial=[0.5, 0.5, 0.0])
    assert m.mttf() == pytest.approx(0.5 * 1.5 / L + 0.5 / L, rel=REL)


def test_mttf_without_down_state_is_refused():
    m = hm.CTMC([[-1, 1], [1, -1]], up=[True, True])
    with pytest.raises(ValueError, match="no down state"):
        m.mttf()


def test_mttf_infinite_when_no_up_state_can_fail_singular_case():
    """Up states 'A', 'B' form a closed class: from 'A' the system never fails (exactly
    singular sub-generator, detected)."""
    m = hm.CTMC.from_transitions(
        [("A", "B", 1.0), ("B", "A", 1.0), ("s", "A", 1.0), ("s", "d", 1.0), ("d", "s", 1.0)],
        up=["A", "B", "s"], initial="s")
    with pytest.raises(ValueError, match="infinite"):
        m.mttf()


def test_mttf_infinite_when_no_up_state_can_fail_rounding_case():
    """Same structure as above, rates chosen so that a dense LU of the up block leaves a
    ~1e-17 pivot instead of 0. Regression (fixed in 3b98623): mttf() returned ~4e15 h
    instead of raising; infinity is now found structurally."""
    rates = [6.7, 9.4, 1.5, 2.7]  # a closed cycle u0 -> u1 -> u2 -> u3 -> u0 among up states
    tr = [(f"u{i}", f"u{(i + 1) % 4}", r) for i, r in enumerate(rates)]
    tr += [("u0", "u2", 0.029), ("s", "u0", 1.0), ("s", "d", 1.0), ("d", "s", 1.0)]
    m = hm.CTMC.from_transitions(tr, up=["u0", "u1", "u2", "u3", "s"], initial="s")
    with pytest.raises(ValueError, match="infinite"):
        m.mttf()


def test_mttf_ignores_up_states_unreachable_from_the_start():
    """From 's' the system fails at rate 1, so MTTF = 1 h (= integral of R(t) = e^-t);
    the separate closed pair A <-> B of up states is never visited."""
    m = hm.CTMC.from_transitions(
        [("s", "d", 1.0), ("d", "s", 1.0), ("A", "B", 1.0), ("B", "A", 1.0)],
        up=["s", "A", "B"], initial="s")
    assert m.reliability(1.0) == pytest.approx(math.exp(-1.0), rel=REL)
    assert m.mttf() == pytest.approx(1.0, rel=REL)


# ===================================================== incidents, health, events
def test_incidents_default_to_system_failures():
    m = pair()
    assert m.measures().incidents_per_year == pytest.approx(m.measures().outages_per_year, rel=REL)


def test_incidents_given_as_pairs_count_component_failures():
    """Two independent units each fail l A1 times per hour: incidents = 2 l A1 x 8766."""
    m = pair(incidents=[(0, 1), (1, 2)])
    a1 = MU / (L + MU)
    assert m.measures().incidents_per_year == pytest.approx(2 * L * a1 * 8766, rel=REL)


def test_incidents_given_as_a_weight_matrix():
    """A common-cause transition 0 -> 2 (rate g) counts two component failures."""
    g = 1e-4
    Q = np.array([[-(2 * L + g), 2 * L, g], [MU, -(MU + L), L], [0.0, 2 * MU, -2 * MU]])
    W = np.zeros((3, 3))
    W[0, 1], W[0, 2], W[1, 2] = 1, 2, 1
    m = hm.CTMC(Q, up=[0, 1], incidents=W)
    pi = m.steady_state()
    expected = (pi[0] * (2 * L + 2 * g) + pi[1] * L) * 8766
    assert m.measures().incidents_per_year == pytest.approx(expected, rel=REL)
    with pytest.raises(ValueError, match="shape"):
        hm.CTMC(Q, up=[0, 1], incidents=np.ones((2, 2)))
    with pytest.raises(ValueError, match=">= 0"):
        hm.CTMC(Q, up=[0, 1], incidents=-W)


def test_degraded_fraction_of_one_of_two_is_probability_one_failed():
    """Healthy defaults to the initial state; degraded = P(one failed) = 2 A1 U1."""
    a1, u1 = MU / (L + MU), L / (L + MU)
    m = pair()
    np.testing.assert_array_equal(m.healthy, [True, False, False])
    assert m.measures().degraded_fraction == pytest.approx(2 * a1 * u1, rel=REL)
    explicit = pair(healthy=[0])
    assert explicit.measures().degraded_fraction == pytest.approx(2 * a1 * u1, rel=REL)
    assert pair(healthy=[0, 1]).measures().degraded_fraction == 0.0


def test_states_given_as_a_generator_expression():
    """Regression (fixed in 3b98623): a generator was consumed by a first pass, leaving
    `healthy` empty, so degraded_fraction silently equalled A."""
    a1, u1 = MU / (L + MU), L / (L + MU)
    m = pair(healthy=(s for s in [0]))
    assert m.measures().degraded_fraction == pytest.approx(2 * a1 * u1, rel=REL)


def test_state_names_that_are_tuples_of_booleans():
    """Component up-vectors as state names. Regression (fixed in 3b98623): they were read
    as a 2-D boolean mask and refused."""
    T, F = True, False
    tr = [((T, T), (F, T), L), ((T, T), (T, F), L), ((F, T), (T, T), MU), ((T, F), (T, T), MU),
          ((F, T), (F, F), L), ((T, F), (F, F), L), ((F, F), (F, T), MU), ((F, F), (T, F), MU)]
    m = hm.CTMC.from_transitions(tr, up=[(T, T), (F, T), (T, F)], initial=(T, T))
    assert m.measures().availability == pytest.approx(1 - (L / (L + MU)) ** 2, rel=REL)


def test_events_are_counted_per_year():
    """Split brain: pi_ok x rate x 8766 per year; shown in measures, events and summary."""
    s = 1e-5
    m = hm.CTMC.from_transitions(
        [("ok", "down", L), ("down", "ok", MU), ("ok", "split", s), ("split", "ok", 1.0)],
        up=["ok"], events={"split_brain": [("ok", "split")]})
    pi_ok = m.steady_state()[m.index("ok")]
    expected = pi_ok * s * 8766
    measures = m.measures()
    assert measures.events["split_brain"] == pytest.approx(expected, rel=REL)
    assert measures.split_brain_per_year == pytest.approx(expected, rel=REL)
    assert m.summary.loc["Split brain per year", "value"] == pytest.approx(expected, rel=REL)
    assert two_state().measures().split_brain_per_year is None


# ============================================================ outage duration
def test_outage_duration_of_one_unit_is_exponential():
    d = two_state().outage_duration()
    assert d.n_phases == 1
    assert d.mean == pytest.approx(1 / MU, rel=REL)
    t = np.array([0.0, 1.0, 10.0, 30.0])
    np.testing.assert_allclose(d.sf(t), np.exp(-MU * t), rtol=REL)
    np.testing.assert_allclose(d.cdf(t), 1 - np.exp(-MU * t), rtol=REL, atol=1e-15)
    assert d.sf("20min") == pytest.approx(math.exp(-MU / 3), rel=REL)
    for q in [0.0, 0.1, 0.5, 0.9, 0.999]:
        assert d.quantile(q) == pytest.approx(-math.log1p(-q) / MU, rel=REL, abs=1e-12)


def hypoexponential_chain(a, b) -> hm.CTMC:
    """An outage goes through two repair steps, rates a then b."""
    return hm.CTMC.from_transitions(
        [("up", "diagnose", L), ("diagnose", "repair", a), ("repair", "up", b)], up=["up"])


@pytest.mark.parametrize(
    ("a", "b", "sf"),
    [
        (0.5, 0.2, lambda t: (0.2 * np.exp(-0.5 * t) - 0.5 * np.exp(-0.2 * t)) / (0.2 - 0.5)),
        (0.25, 0.25, lambda t: (1 + 0.25 * t) * np.exp(-0.25 * t)),
    ],
    ids=["hypoexponential", "erlang-2"],
)
def test_outage_duration_two_phases_against_closed_form(a, b, sf):
    m = hypoexponential_chain(a, b)
    d = m.outage_duration()
    assert d.n_phases == 2
    np.testing.assert_allclose(d.alpha, [1.0, 0.0])
    assert d.mean == pytest.approx(1 / a + 1 / b, rel=REL)
    assert m.measures().mean_down_time == pytest.approx(1 / a + 1 / b, rel=REL)
    t = np.array([0.5, 2.0, 8.0, 20.0])
    np.testing.assert_allclose(d.sf(t), sf(t), rtol=REL)
    np.testing.assert_allclose(d.cdf(t), 1 - sf(t), rtol=REL)
    for q in [0.05, 0.5, 0.95, 0.999]:
        x = d.quantile(q)
        assert sf(x) == pytest.approx(1 - q, rel=1e-9)


def test_outages_longer_than_closed_forms():
    """Outages/yr longer than 20 min: 8766 f e^-mu/3 (one unit); 8766 f sf(1/3) (two phases)."""
    f = L * MU / (L + MU)
    assert two_state().outages_longer_than("20min") == pytest.approx(
        8766 * f * math.exp(-MU / 3), rel=REL)
    a, b = 0.5, 0.2
    m = hypoexponential_chain(a, b)
    f2 = L * 1 / (1 + L * (1 / a + 1 / b))  # pi_up l with pi_up = MUT/(MUT + MDT)
    t = 1 / 3
    sf = (b * math.exp(-a * t) - a * math.exp(-b * t)) / (b - a)
    assert m.measures().failure_frequency == pytest.approx(f2, rel=REL)
    assert m.outages_longer_than("20min") == pytest.approx(8766 * f2 * sf, rel=REL)


def test_outage_duration_needs_a_down_state():
    with pytest.raises(ValueError, match="no down state"):
        hm.CTMC([[-1, 1], [1, -1]], up=[True, True]).outage_duration()


# ============================================================== presentation
def test_summary_has_the_measure_rows():
    m = pair()
    frame = m.summary
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == ["value", "unit"]
    measures = m.measures()
    expected = {
        "Availability": measures.availability,
        "Unavailability": measures.unavailability,
        "Outages per year": measures.outages_per_year,
        "Mean outage duration": measures.mean_down_time,
        "Downtime per year": measures.downtime_minutes_per_year,
        "Mean time between outages (up time)": measures.mean_up_time,
        "System failure frequency": measures.failure_frequency,
        "Component incidents per year": measures.incidents_per_year,
        "Time up with redundancy lost": measures.degraded_fraction,
    }
    for label, value in expected.items():
        assert frame.loc[label, "value"] == value
    assert frame.loc["Downtime per year", "unit"] == "min/yr"


def test_notebook_reprs_are_strings():
    m = pair(name="db pair")
    html, latex = m._repr_html_(), m._repr_latex_()
    assert isinstance(html, str) and "<b>db pair</b>" in html and "<table" in html
    assert isinstance(latex, str) and latex.startswith(r"\begin{tabular}")
    assert "Availability" in latex
    assert repr(m) == "CTMC('db pair', n_states=3, up=2, transitions=4)"


def test_ctmc_is_frozen():
    m = pair()
    for attr in ["Q", "up", "states", "initial", "name", "incidents", "healthy", "events"]:
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(m, attr, None)
    for array in [m.up, m.initial, m.healthy]:
        with pytest.raises(ValueError, match="read-only"):
            array[0] = array[1]
    assert m.to_ctmc() is m
    renamed = m.renamed("other")
    assert renamed.name == "other" and m.name == "ctmc"
    assert renamed.measures().availability == m.measures().availability


def test_steady_state_returns_a_copy():
    m = pair()
    pi = m.steady_state()
    pi[:] = 0
    assert m.steady_state().sum() == pytest.approx(1.0)


def test_sparse_input_is_copied():
    """The frozen model must not share data with the caller's matrix. Regression (fixed in
    3b98623): a float CSR input was not copied, so mutating it changed the model."""
    S = sp.csr_array(np.array([[-L, L], [MU, -MU]]))
    m = hm.CTMC(S, up=[True, False])
    S.data[:] = 1.0
    np.testing.assert_array_equal(m.Q.toarray(), [[-L, L], [MU, -MU]])


def test_index_of_unknown_state():
    with pytest.raises(ValueError, match="unknown state 'x'"):
        pair().index("x")


# ========================================================== sparse vs dense
@pytest.mark.parametrize("to_sparse", [sp.csr_array, sp.csc_array, sp.coo_array, sp.csr_matrix])
def test_sparse_and_dense_input_give_the_same_answers(to_sparse):
    Q = np.array([[-2 * L, 2 * L, 0.0], [MU, -(MU + L), L], [0.0, 2 * MU, -2 * MU]])
    dense = hm.CTMC(Q, up=[0, 1], incidents=[(0, 1), (1, 2)])
    sparse = hm.CTMC(to_sparse(Q), up=[0, 1], incidents=[(0, 1), (1, 2)])
    np.testing.assert_allclose(sparse.steady_state(), dense.steady_state(), rtol=1e-14)
    assert sparse.measures().as_dict() == pytest.approx(dense.measures().as_dict(), rel=1e-14)
    times = [1.0, 100.0, 1e4]
    np.testing.assert_allclose(sparse.transient(times), dense.transient(times), rtol=1e-14)
    np.testing.assert_allclose(sparse.reliability(times), dense.reliability(times), rtol=1e-14)
    assert sparse.mttf() == pytest.approx(dense.mttf(), rel=1e-14)
    assert sparse.outage_duration().sf(3.0) == pytest.approx(dense.outage_duration().sf(3.0),
                                                             rel=1e-14)


# ================================================================= large chains
def birth_death(n, birth, death) -> sp.csr_array:
    i = np.arange(n - 1)
    off = sp.coo_array((np.r_[np.full(n - 1, birth), np.full(n - 1, death)],
                        (np.r_[i, i + 1], np.r_[i + 1, i])), shape=(n, n)).tocsr()
    return off - sp.diags_array(np.asarray(off.sum(axis=1)).ravel())


def test_default_method_above_gth_limit_is_sparse_lu_and_exact():
    """3000-state birth-death chain (default method = sparse LU): truncated geometric law
    pi_j = (1 - rho) rho^j / (1 - rho^n), rho = birth/death."""
    n, birth, death = 3000, 0.05, 0.1
    m = hm.CTMC(birth_death(n, birth, death), up=np.arange(n) < 10)
    assert m.solution.method == "banded-gth"
    assert m.solution.residual < 1e-9
    rho = birth / death
    exact = (1 - rho) * rho ** np.arange(n) / (1 - rho**n)
    keep = exact > 1e-250
    np.testing.assert_allclose(m.steady_state()[keep], exact[keep], rtol=1e-9)
    assert m.measures().unavailability == pytest.approx(rho**10, rel=1e-9)


def test_gth_on_a_large_k_of_n_pool_does_not_overflow():
    """150-of-200 units, a crew per unit (lambda = 1e-3, mu = 0.1): independent units, so the
    number failed is Binomial(200, l/(l+mu)) (Trivedi ch. 8; row T5 generalised). 201 states,
    so GTH by default; U ~ 1.9e-55 must still come out to rel 1e-9."""
    n, k = 200, 150
    tr = [(j, j + 1, (n - j) * L) for j in range(n)] + [(j, j - 1, j * MU) for j in range(1, n + 1)]
    m = hm.CTMC.from_transitions(tr, up=[j for j in range(n + 1) if n - j >= k])
    a1, u1 = MU / (L + MU), L / (L + MU)
    unavailability = sum(math.comb(n, i) * a1**i * u1 ** (n - i) for i in range(k))
    assert m.measures().unavailability == pytest.approx(unavailability, rel=1e-9)


@pytest.mark.parametrize("rho", [0.5, 0.97, 1.02, 1.05, 1.2, 1.5, 2.0])
def test_default_method_when_state_zero_is_far_from_the_mode(rho):
    """1500-state birth-death chain (sparse LU by default), pi_j ~ rho^j: for rho > 1 state 0
    is the least likely (rho^-1499: 1e-13 at rho = 1.02, 1e-32 at 1.05, 1e-451 at 2).
    Reference: the geometric law, normalised in log space."""
    n = 1500
    m = hm.CTMC(birth_death(n, rho, 1.0), up=np.arange(n) < n // 2)
    log_p = np.arange(n) * math.log(rho)
    exact = np.exp(log_p - log_p.max())
    exact /= exact.sum()
    keep = exact > 1e-250
    assert m.solution.method == "banded-gth"
    np.testing.assert_allclose(m.steady_state()[keep], exact[keep], rtol=1e-9)


_LARGE_CHAIN_SCRIPT = textwrap.dedent("""
    import json, resource, sys, time
    # Cap the address space so a solver that fills in densely fails fast instead of
    # driving the machine out of memory.
    resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, resource.RLIM_INFINITY))
    import numpy as np, scipy.sparse as sp
    import hamodel as hm
    n, birth, death = 100_000, 0.5, 1.0
    i = np.arange(n - 1)
    off = sp.coo_array((np.r_[np.full(n - 1, birth), np.full(n - 1, death)],
                        (np.r_[i, i + 1], np.r_[i + 1, i])), shape=(n, n)).tocsr()
    Q = off - sp.diags_array(np.asarray(off.sum(axis=1)).ravel())
    start = time.perf_counter()
    m = hm.CTMC(Q, up=np.arange(n) < n // 2)
    solution = m.solution
    seconds = time.perf_counter() - start
    rho = birth / death
    exact = (1 - rho) * rho ** np.arange(n)  # 1 - rho^n == 1 in double precision
    keep = exact > 1e-250
    error = float(np.max(np.abs(solution.pi[keep] / exact[keep] - 1)))
    json.dump(dict(seconds=seconds, method=solution.method, residual=solution.residual,
                   error=error), sys.stdout)
""")


def test_100k_state_chain_solves_quickly_by_default():
    """A 100,000-state birth-death chain through the default method: residual < 1e-9,
    every probability above 1e-250 within 1e-9 of the geometric law, and under 30 s
    (a sanity guard, not a benchmark). Run in a subprocess with a 2 GiB address-space cap
    (single-threaded BLAS, so the cap measures the solver, not thread buffers).

    Regression (fixed in 3b98623): lu_solve replaced a balance equation by a dense row of
    ones, and SuperLU filled in O(n^2) (n^2/2 nonzeros in U; ~60 GB at n = 1e5)."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, "-c", _LARGE_CHAIN_SCRIPT], check=False,
                          capture_output=True, text=True, timeout=300, env=env)
    if proc.returncode != 0:
        pytest.fail(f"100k-state solve failed: {proc.stderr.strip().splitlines()[-1]}")
    result = json.loads(proc.stdout)
    assert result["method"] == "banded-gth"
    assert result["residual"] < 1e-9
    assert result["error"] < 1e-9
    assert result["seconds"] < 30


def test_many_transient_states_are_classified_quickly():
    """100,000 states, all but two transient (a long start-up path into a repairable unit):
    closed-class detection must be near-linear (it was quadratic: ~1 s at 8,000 states,
    minutes at 100,000)."""
    n = 100_000
    i = np.arange(n - 2)
    rows = np.r_[i, n - 2, n - 1]
    cols = np.r_[i + 1, n - 1, n - 2]
    vals = np.r_[np.ones(n - 2), L, MU]
    off = sp.coo_array((vals, (rows, cols)), shape=(n, n)).tocsr()
    Q = off - sp.diags_array(np.asarray(off.sum(axis=1)).ravel())
    up = np.ones(n, dtype=bool)
    up[-1] = False
    start = time.perf_counter()
    m = hm.CTMC(Q, up=up)
    pi = m.steady_state()
    assert time.perf_counter() - start < 30
    assert pi[:-2].max() == 0.0
    assert m.measures().availability == pytest.approx(MU / (L + MU), rel=REL)


@pytest.mark.parametrize("grid", ["even", "uneven"])
def test_large_phase_type_sf_on_a_grid_matches_the_erlang_law(grid):
    """An Erlang(500, 100/h) outage as a sparse 500-phase distribution: its survival on a
    grid (one expm_multiply call when evenly spaced, stepwise otherwise) against
    scipy.stats.gamma, the independent closed form."""
    import scipy.stats

    k, r = 500, 100.0
    T = sp.diags_array([np.full(k, -r), np.full(k - 1, r)], offsets=[0, 1]).tocsr()
    alpha = np.zeros(k)
    alpha[0] = 1.0
    dist = hm.PhaseType(alpha, T)
    times = np.linspace(3.0, 7.0, 41) if grid == "even" else np.array([6.1, 3.5, 5.0, 4.9])
    expected = scipy.stats.gamma(a=k, scale=1 / r).sf(times)
    np.testing.assert_allclose(dist.sf(times), expected, rtol=1e-7, atol=1e-13)
    assert dist.quantile(0.5) == pytest.approx(scipy.stats.gamma(a=k, scale=1 / r).median(),
                                               rel=1e-8)
