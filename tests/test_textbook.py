"""Textbook reference cases (shared/reference/textbook-cases.md), each built by hand as a CTMC.

Authority: K. S. Trivedi, *Probability and Statistics with Reliability, Queuing and
Computer Science Applications*, 2nd ed., Wiley 2002, ch. 8 (availability and MTTF
of two-unit, standby and k-of-n systems); K. S. Trivedi and A. Bobbio, *Reliability
and Availability Engineering*, CUP 2017. lambda = 0.001/h, mu = 0.1/h, c = 0.95.

Every test builds the generator by hand (``hm.CTMC`` or ``hm.CTMC.from_transitions``),
never through a hamodel pattern, and compares hamodel's answer with the closed form
evaluated in double precision at ``rel=1e-9``: the closed forms lose at most a few
ulps, and GTH / expm / a dense solve on chains of at most 6 states keep ~1e-14
relative accuracy here (condition numbers below mu/lambda^2 = 1e5), so 1e-9 leaves
four orders of margin while still catching any modelling slip (those change the
answer in the 3rd to 5th digit). Each closed form is also checked against the value
printed in the table, to within half a unit of its last printed digit, so a typo
in either place is caught.

The availability confidence-interval row (Trivedi Ex. 10.27) is not a CTMC
computation; it belongs to the uncertainty module and is skipped here.
"""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np
import pytest
import scipy.integrate

import hamodel as hm

L, MU, C = 0.001, 0.1, 0.95
REL = 1e-9


def printed(text: str) -> object:
    """The table value `text` as pytest.approx within half a unit of its last digit."""
    decimals = len(text.split(".")[1]) if "." in text else 0
    return pytest.approx(float(text), abs=0.5 * 10.0**-decimals, rel=0)


def two_state(lam=L, mu=MU) -> hm.CTMC:
    return hm.CTMC([[-lam, lam], [mu, -mu]], up=[True, False], states=["up", "down"])


def one_of_two(repair_from_1, repair_from_2, lam=L) -> hm.CTMC:
    """States = number of failed units of an active 1-of-2 pair; down when 2 failed."""
    tr = [(0, 1, 2 * lam), (1, 2, lam)]
    if repair_from_1:
        tr.append((1, 0, repair_from_1))
    if repair_from_2:
        tr.append((2, 1, repair_from_2))
    return hm.CTMC.from_transitions(tr, up=[0, 1], initial=0)


def cold_standby(mu=MU, lam=L) -> hm.CTMC:
    """Only the active unit fails; a perfect switch; one crew (mu=None: no repair)."""
    tr = [(0, 1, lam), (1, 2, lam)]
    if mu:
        tr += [(1, 0, mu), (2, 1, mu)]
    return hm.CTMC.from_transitions(tr, up=[0, 1], initial=0)


def k_of_n(k, n, repair, lam=L) -> hm.CTMC:
    """Birth-death chain on j = number failed; repair(j) is the repair rate out of j."""
    tr = [(j, j + 1, (n - j) * lam) for j in range(n)]
    tr += [(j, j - 1, repair(j)) for j in range(1, n + 1) if repair(j)]
    return hm.CTMC.from_transitions(tr, up=[j for j in range(n + 1) if n - j >= k], initial=0)


# ========================================================================== T1
def test_T1_single_unit_steady_state():
    """A = mu/(l+mu) = 0.990099009901."""
    closed = MU / (L + MU)
    assert closed == printed("0.990099009901")
    m = two_state().measures()
    assert m.availability == pytest.approx(closed, rel=REL)
    assert m.unavailability == pytest.approx(L / (L + MU), rel=REL)


def test_T1_single_unit_point_availability():
    """A(t) = mu/(l+mu) + l/(l+mu) exp(-(l+mu)t); A(10 h) = 0.9937051384116."""
    def closed(t):
        return MU / (L + MU) + L / (L + MU) * math.exp(-(L + MU) * t)

    assert closed(10.0) == printed("0.9937051384116")
    chain = two_state()
    assert chain.availability_at("10h") == pytest.approx(closed(10.0), rel=REL)
    for t in [0.0, 0.5, 3.0, 25.0, 400.0]:
        assert chain.availability_at(t) == pytest.approx(closed(t), rel=REL)


def test_T1_single_unit_expected_up_time():
    """E[up time in [0, t]] = mu t/(l+mu) + l/(l+mu)^2 (1 - e^-(l+mu)t); t = 10 h: 9.963315461271.

    hamodel gives it as the integral of availability_at over [0, 10], computed here
    by adaptive Gauss-Kronrod (scipy.integrate.quad) with epsabs = epsrel = 1e-13: the
    integrand is analytic and accurate to ~1e-15 (a 2x2 expm), so the integral is
    good to ~1e-13 relative, far inside rel 1e-9.
    """
    t = 10.0
    closed = MU * t / (L + MU) + L / (L + MU) ** 2 * (1 - math.exp(-(L + MU) * t))
    assert closed == printed("9.963315461271")
    chain = two_state()
    value, error = scipy.integrate.quad(chain.availability_at, 0.0, t, epsabs=1e-13, epsrel=1e-13)
    assert error < 1e-11
    assert value == pytest.approx(closed, rel=REL)


# ========================================================================== T2
def test_T2a_one_of_two_crew_per_unit():
    """Independent units: A = 1 - (l/(l+mu))^2 = 0.999901970395; repair 2 mu from 2 failed."""
    closed = 1 - (L / (L + MU)) ** 2
    assert closed == printed("0.999901970395")
    chain = one_of_two(repair_from_1=MU, repair_from_2=2 * MU)
    m = chain.measures()
    assert m.availability == pytest.approx(closed, rel=REL)
    assert m.unavailability == pytest.approx((L / (L + MU)) ** 2, rel=REL)
    # f = P(one failed) x l = 2 A1 U1 l; an outage ends when either crew finishes: 1/(2 mu).
    a1, u1 = MU / (L + MU), L / (L + MU)
    assert m.failure_frequency == pytest.approx(2 * a1 * u1 * L, rel=REL)
    assert m.mean_down_time == pytest.approx(1 / (2 * MU), rel=REL)


def test_T2b_one_shared_crew():
    """One crew: A = (mu^2 + 2 l mu)/(mu^2 + 2 l mu + 2 l^2) = 0.999803960008."""
    closed = (MU**2 + 2 * L * MU) / (MU**2 + 2 * L * MU + 2 * L**2)
    assert closed == printed("0.999803960008")
    m = one_of_two(repair_from_1=MU, repair_from_2=MU).measures()
    assert m.availability == pytest.approx(closed, rel=REL)
    assert m.unavailability == pytest.approx(2 * L**2 / (MU**2 + 2 * L * MU + 2 * L**2), rel=REL)
    # pi_1 = 2 l mu / D; f = pi_1 l; one crew ends the outage: MDT = 1/mu.
    assert m.failure_frequency == pytest.approx(
        2 * L * MU / (MU**2 + 2 * L * MU + 2 * L**2) * L, rel=REL)
    assert m.mean_down_time == pytest.approx(1 / MU, rel=REL)


def test_T2c_one_of_two_mttf_with_repair_one_crew():
    """MTTF = (3l + mu)/(2 l^2) = 51500 h (the repair out of the down state is irrelevant)."""
    closed = (3 * L + MU) / (2 * L**2)
    assert closed == printed("51500")
    assert one_of_two(repair_from_1=MU, repair_from_2=MU).mttf() == pytest.approx(closed, rel=REL)
    assert one_of_two(repair_from_1=MU, repair_from_2=None).mttf() == pytest.approx(closed, rel=REL)


def test_T2d_one_of_two_mttf_without_repair():
    """MTTF = 1/(2l) + 1/l = 3/(2l) = 1500 h."""
    closed = 3 / (2 * L)
    assert closed == printed("1500")
    assert one_of_two(None, None).mttf() == pytest.approx(closed, rel=REL)


def test_T2e_one_of_two_with_coverage_mttf():
    """Coverage c: a failure in "2 up" is covered (-> "1 up") with prob. c, else the system fails.

    MTTF = (l(1+2c) + mu)/(2 l (l + mu(1-c))) = 8575 h.
    """
    closed = (L * (1 + 2 * C) + MU) / (2 * L * (L + MU * (1 - C)))
    assert closed == printed("8575")
    chain = hm.CTMC.from_transitions(
        [("2 up", "1 up", 2 * L * C), ("2 up", "down", 2 * L * (1 - C)),
         ("1 up", "2 up", MU), ("1 up", "down", L)],
        up=["2 up", "1 up"], initial="2 up",
    )
    assert chain.mttf() == pytest.approx(closed, rel=REL)


def test_T2f_one_of_two_unreliability_without_repair():
    """F(t) = 1 - (2 e^-lt - e^-2lt); F(1000 h) = 0.399576400894."""
    def closed(t):
        return 1 - (2 * math.exp(-L * t) - math.exp(-2 * L * t))

    assert closed(1000.0) == printed("0.399576400894")
    chain = one_of_two(None, None)
    assert 1 - chain.reliability("1000h") == pytest.approx(closed(1000.0), rel=REL)


# ========================================================================== T3
def test_T3a_cold_standby_one_crew():
    """A = (mu^2 + l mu)/(mu^2 + l mu + l^2) = 0.999900999901."""
    closed = (MU**2 + L * MU) / (MU**2 + L * MU + L**2)
    assert closed == printed("0.999900999901")
    m = cold_standby().measures()
    assert m.availability == pytest.approx(closed, rel=REL)
    assert m.unavailability == pytest.approx(L**2 / (MU**2 + L * MU + L**2), rel=REL)
    assert m.mean_down_time == pytest.approx(1 / MU, rel=REL)


def test_T3b_cold_standby_mttf_with_repair():
    """MTTF = (2l + mu)/l^2 = 102000 h."""
    closed = (2 * L + MU) / L**2
    assert closed == printed("102000")
    assert cold_standby().mttf() == pytest.approx(closed, rel=REL)


def test_T3c_cold_standby_unreliability_without_repair():
    """Erlang-2 lifetime: F(t) = 1 - (1 + lt) e^-lt; F(1000 h) = 0.264241117657."""
    closed = 1 - (1 + L * 1000.0) * math.exp(-L * 1000.0)
    assert closed == printed("0.264241117657")
    assert 1 - cold_standby(mu=None).reliability(1000.0) == pytest.approx(closed, rel=REL)


# ========================================================================== T4
def test_T4a_two_of_three_mttf_without_repair():
    """MTTF = 1/(3l) + 1/(2l) = 5/(6l) = 833.333 h."""
    closed = 5 / (6 * L)
    assert closed == printed("833.333")
    assert k_of_n(2, 3, repair=lambda j: 0.0).mttf() == pytest.approx(closed, rel=REL)


def test_T4b_two_of_three_mttf_one_crew():
    """MTTF = 5/(6l) + mu/(6 l^2) = 17500 h."""
    closed = 5 / (6 * L) + MU / (6 * L**2)
    assert closed == printed("17500")
    assert k_of_n(2, 3, repair=lambda j: MU).mttf() == pytest.approx(closed, rel=REL)


def test_T4c_two_of_three_unreliability_without_repair():
    """F(t) = 1 - (3 e^-2lt - 2 e^-3lt); F(1000 h) = 0.693568287026."""
    closed = 1 - (3 * math.exp(-2 * L * 1000) - 2 * math.exp(-3 * L * 1000))
    assert closed == printed("0.693568287026")
    chain = k_of_n(2, 3, repair=lambda j: 0.0)
    assert 1 - chain.reliability("1000h") == pytest.approx(closed, rel=REL)


# ========================================================================== T5
@pytest.mark.parametrize(
    ("k", "n", "table"),
    [(2, 3, "0.999707852365"), (3, 4, "0.999419558262"), (3, 5, "0.999990437675")],
    ids=["2oo3", "3oo4", "3oo5"],
)
def test_T5_k_of_n_crew_per_unit(k, n, table):
    """Independent units: A = sum_{i=k..n} C(n,i) A1^i U1^(n-i); repair rate j mu out of j failed.

    f = P(exactly n-k failed) x k l (the next failure of one of the k working units).
    """
    a1, u1 = MU / (L + MU), L / (L + MU)
    closed = sum(math.comb(n, i) * a1**i * u1 ** (n - i) for i in range(k, n + 1))
    assert closed == printed(table)
    m = k_of_n(k, n, repair=lambda j: j * MU).measures()
    assert m.availability == pytest.approx(closed, rel=REL)
    unavail = sum(math.comb(n, i) * a1**i * u1 ** (n - i) for i in range(k))
    assert m.unavailability == pytest.approx(unavail, rel=REL)
    f = math.comb(n, n - k) * a1**k * u1 ** (n - k) * k * L
    assert m.failure_frequency == pytest.approx(f, rel=REL)
    assert m.mean_down_time == pytest.approx(unavail / f, rel=REL)


@pytest.mark.parametrize(
    ("k", "n", "table"),
    [(2, 3, "0.999411996437"), (3, 4, "0.998824230216"), (3, 5, "0.999941817074")],
    ids=["2oo3", "3oo4", "3oo5"],
)
def test_T5_k_of_n_one_shared_crew(k, n, table):
    """Birth-death with repair mu: pi_j ~ n!/(n-j)! (l/mu)^j, j failed; up when j <= n-k."""
    weights = [math.factorial(n) / math.factorial(n - j) * (L / MU) ** j for j in range(n + 1)]
    total = sum(weights)
    closed = sum(weights[: n - k + 1]) / total
    assert closed == printed(table)
    chain = k_of_n(k, n, repair=lambda j: MU)
    np.testing.assert_allclose(chain.steady_state(), np.array(weights) / total, rtol=REL)
    m = chain.measures()
    assert m.availability == pytest.approx(closed, rel=REL)
    assert m.unavailability == pytest.approx(sum(weights[n - k + 1:]) / total, rel=REL)
    assert m.failure_frequency == pytest.approx(weights[n - k] / total * k * L, rel=REL)


# ========================================================================== T6
L2, MU2 = 0.002, 0.5


def series_of_two() -> hm.CTMC:
    """Product chain of two independent units, each with its own crew; up only when both are."""
    states = ["11", "01", "10", "00"]  # unit 1 then unit 2: 1 = up
    tr = [("11", "01", L), ("11", "10", L2), ("01", "11", MU), ("10", "11", MU2),
          ("01", "00", L2), ("10", "00", L), ("00", "10", MU), ("00", "01", MU2)]
    chain = hm.CTMC.from_transitions(tr, up=["11"], initial="11")
    assert set(chain.states) == set(states)
    return chain


def test_T6_series_of_two():
    """A = A1 A2 = 0.986154392332; f = I_B(1) f1 + I_B(2) f2 = A2 f1 + A1 f2 (Birnbaum)."""
    a1, a2 = MU / (L + MU), MU2 / (L2 + MU2)
    closed = a1 * a2
    assert closed == printed("0.986154392332")
    m = series_of_two().measures()
    assert m.availability == pytest.approx(closed, rel=REL)
    f1, f2 = L * MU / (L + MU), L2 * MU2 / (L2 + MU2)
    assert m.failure_frequency == pytest.approx(a2 * f1 + a1 * f2, rel=REL)
    assert m.unavailability == pytest.approx(1 - closed, rel=REL)


# ============================================== non-repairable structures: MTTF
def non_repairable(rates, works) -> hm.CTMC:
    """CTMC over the sets of failed units, no repair; `works(failed)` is the structure function.

    Down states are absorbing, so mttf() is the mean time to the first down state.
    """
    units = range(len(rates))
    tr = []
    for size in range(len(rates)):
        for failed in map(frozenset, combinations(units, size)):
            if works(failed):
                tr += [(failed, failed | {i}, rates[i]) for i in units if i not in failed]
    states = {s for a, b, _ in tr for s in (a, b)}
    return hm.CTMC.from_transitions(tr, up=[s for s in states if works(s)], initial=frozenset())


@pytest.mark.parametrize(
    ("rates", "works", "mttf"),
    [
        ((0.5, 0.5), lambda failed: len(failed) < 2, 3.0),
        ((0.5, 0.5), lambda failed: len(failed) == 0, 1.0),
        ((0.1, 0.2, 0.3), lambda failed: len(failed) == 0, 5 / 3),
        ((0.3, 0.4, 1.0), lambda failed: len(failed) <= 1, 2685 / 1547),
        ((1.0, 1.0, 1.0), lambda failed: len(failed) <= 1, 5 / 6),
    ],
    ids=["parallel-2", "series-2", "series-3", "2oo3-unequal", "2oo3-equal"],
)
def test_non_repairable_mttf_table(rates, works, mttf):
    """MTTF of static structures with exponential lifetimes (table in textbook-cases.md).

    Independent check of the table: MTTF = integral of the structure's reliability,
    e.g. parallel 1/l1 + 1/l2 - 1/(l1+l2); 2-of-3 = 1/L + sum_i (l_i/L)/(L - l_i), L = sum l.
    """
    assert non_repairable(rates, works).mttf() == pytest.approx(mttf, rel=REL)


def test_non_repairable_table_values_from_first_step_analysis():
    """The table's 2-of-3 value 2685/1547 from first-step analysis, and its decimal expansion."""
    lam = (0.3, 0.4, 1.0)
    total = sum(lam)
    first_step = 1 / total + sum(li / total / (total - li) for li in lam)
    assert first_step == pytest.approx(2685 / 1547, rel=1e-14)
    assert 2685 / 1547 == printed("1.735617323852618")


# ====================================== renewal identities on the chains above
CHAINS = {
    "T1": two_state,
    "T2a": lambda: one_of_two(MU, 2 * MU),
    "T2b": lambda: one_of_two(MU, MU),
    "T3a": cold_standby,
    "T5-2oo3-crews": lambda: k_of_n(2, 3, repair=lambda j: j * MU),
    "T5-3oo5-crew": lambda: k_of_n(3, 5, repair=lambda j: MU),
    "T6": series_of_two,
    "T2e-repairable": lambda: hm.CTMC.from_transitions(
        [("2 up", "1 up", 2 * L * C), ("2 up", "down", 2 * L * (1 - C)),
         ("1 up", "2 up", MU), ("1 up", "down", L), ("down", "1 up", MU)],
        up=["2 up", "1 up"]),
}


@pytest.mark.parametrize("build", CHAINS.values(), ids=CHAINS.keys())
def test_mut_and_mdt_are_availability_over_frequency(build):
    """Alternating renewal process: MUT = A/f, MDT = (1-A)/f, with f the up->down flow.

    f is recomputed here from the stationary vector and Q directly (sum over up i, down j
    of pi_i q_ij) and also as the down->up flow, which must be equal in steady state.
    """
    chain = build()
    pi, Q, up = chain.steady_state(), chain.Q.toarray(), chain.up
    f_up_down = pi[up] @ Q[np.ix_(up, ~up)].sum(axis=1)
    f_down_up = pi[~up] @ Q[np.ix_(~up, up)].sum(axis=1)
    assert f_down_up == pytest.approx(f_up_down, rel=REL)
    m = chain.measures()
    assert m.failure_frequency == pytest.approx(f_up_down, rel=REL)
    a = pi[up].sum()
    assert m.mean_up_time == pytest.approx(a / f_up_down, rel=REL)
    assert m.mean_down_time == pytest.approx((1 - a) / f_up_down, rel=REL)


@pytest.mark.parametrize("build", CHAINS.values(), ids=CHAINS.keys())
def test_outage_duration_mean_equals_mean_down_time(build):
    """Renewal-reward: the mean of one outage (phase-type, entered by the steady-state
    up->down flow) equals the long-run MDT = U/f."""
    chain = build()
    assert chain.outage_duration().mean == pytest.approx(
        chain.measures().mean_down_time, rel=REL)


@pytest.mark.parametrize("n, up, down, expected", [
    (1, 999.0, 1.0, (0.962427745665, 0.999974333966)),
    (10, 9990.0, 10.0, (0.997539119623, 0.999593994334)),
])
def test_availability_confidence_interval_trivedi_10_27(n, up, down, expected):
    """Trivedi Ex. 10.27, F-distribution method: the last row of the reference table."""
    low, high = hm.availability_interval(n, up, down, level=0.95)
    assert (low, high) == (pytest.approx(expected[0], rel=1e-9), pytest.approx(expected[1], rel=1e-9))
