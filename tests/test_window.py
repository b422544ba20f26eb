"""Tests of downtime and outages per window (hamodel.window, hamodel._occupation,
hamodel._outage_count).

References, none of which shares code with the split uniformisation under test:

* Takacs' closed form for the two-state unit: the total up time ``U(s)`` in ``[0, s]``
  of an alternating renewal process with exponential up (rate alpha) and down (rate
  beta) times, started up, has ``P(U(s) <= x) = sum_n e^(-beta(s-x)) (beta(s-x))^n / n!
  [1 - sum_(k<=n) e^(-alpha x) (alpha x)^k / k!]`` (L. Takacs, Acta Math. Acad. Sci.
  Hungar. 8, 1957; as Theorem 8.3.1 and, from steady state, Corollary 8.3.2 of H. C.
  Tijms, A First Course in Stochastic Models, Wiley 2003). The double sums are
  evaluated here term by term.
* De Souza e Silva and Gail's randomization (IEEE Trans. Computers C-35, 1986): one
  uniformisation rate for the whole chain, a Binomial mixture over the visits spent
  down; written here from the paper's formula, O((L t)^2), so only on short windows.
* Dense matrix exponentials (scipy's Pade scaling and squaring): the Laplace transform
  ``1 - E[exp(-s D)]`` as one block exponential (Feynman-Kac, Van Loan) and the second moment by
  Van Loan's block exponential.
* For outage counts of the two-state unit: the k-th failure time is a sum of Gamma
  variables, integrated here with scipy.integrate.quad.
* Seeded Monte Carlo: a Gillespie simulation of the chain written here (from steady
  state), and hm.simulate (from every unit up); tolerances are four standard errors of
  the sample size (plus the rigorous error bound of the exact answer).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import scipy.integrate
import scipy.linalg
import scipy.stats

import hamodel as hm
import hamodel._occupation as occ
from hamodel.window import (DowntimeDistribution, downtime_distribution,
                            outage_count_distribution, slo_breach_probability)

MONTH = 720.0


# ------------------------------------------------------------------ references
def _poisson_pmf(k, m):
    return math.exp(k * math.log(m) - m - math.lgamma(k + 1)) if m > 0 else float(k == 0)


def takacs_up_cdf(alpha, beta, s, x, start_up=True):
    """P(U(s) <= x), 0 <= x < s, by Tijms' Theorem 8.3.1 (start up) or Corollary 8.3.2."""
    a, b = alpha * x, beta * (s - x)

    def series(shift):
        # sum_n Pois(b; n) [1 - sum_(k <= n - shift) Pois(a; k)]. Past the mode the
        # Poisson terms fall at least geometrically (ratio b / (n + 1)), so the terms
        # left out sum to at most pb / (1 - b / (n + 1)): stop when that is below 1e-18.
        # (Stopping on 1 - sum_n pb instead never ends: that sum rounds to 1 - 1e-16.)
        total, n = 0.0, 0
        cdf_a = 0.0  # sum_(k <= n - shift) Pois(a; k)
        while True:
            pb = _poisson_pmf(n, b)
            if n - shift >= 0:
                cdf_a += _poisson_pmf(n - shift, a)
            total += pb * max(0.0, 1.0 - cdf_a)
            n += 1
            if n > 2 * b + 1 and pb / (1.0 - b / n) < 1e-18:
                return total
    if start_up:
        return series(0)
    return beta / (alpha + beta) * series(0) + alpha / (alpha + beta) * series(1)


def desouza_gail_sf(Q, up, p0, t, x):
    """P(D_t > x) by de Souza e Silva and Gail's single-rate randomization."""
    Q = np.asarray(Q, dtype=float)
    down = ~np.asarray(up)
    L = float(np.max(-np.diag(Q)))
    P = np.eye(len(Q)) + Q / L
    N = int(L * t + 12 * math.sqrt(L * t) + 30)
    g = np.zeros((N + 3, len(Q)))  # g[k, s]: k down visits so far, now in s
    g[0] = np.where(down, 0.0, p0)
    g[1] = np.where(down, p0, 0.0)
    u = x / t
    sf = 0.0  # summed directly (1 - cdf would lose the digits of a 1e-7 answer)
    for n in range(N + 1):
        a = g[: n + 2].sum(axis=1)  # alpha(n, k), k = 0..n+1
        ks = np.arange(n + 2)
        # P(D > x | n events, k of the n + 1 intervals down) = P(Binomial(n, x / t) < k)
        inner = np.where(ks == 0, 0.0, np.where(ks == n + 1, 1.0,
                                                scipy.stats.binom.cdf(ks - 1, n, u)))
        sf += scipy.stats.poisson.pmf(n, L * t) * float(a @ inner)
        moved = g[: n + 2] @ P
        g[: n + 3] = 0.0
        g[: n + 2] += np.where(down, 0.0, moved)
        g[1: n + 3] += np.where(down, moved, 0.0)
    return sf


def laplace_complement(Q, up, p0, w, s):
    """1 - E[exp(-s D_w)] = int_0^w p0 expm(u (Q - s R)) s R 1 du (Feynman-Kac), dense.

    Computed as one block exponential (Van Loan), not as 1 - p0 expm(w (Q - s R)) 1:
    that difference of numbers near 1 loses the digits of a 1e-5 answer after the 18
    squarings a 360/h rate over a month needs."""
    Q = np.asarray(Q, dtype=float)
    n = len(Q)
    down = (~np.asarray(up)).astype(float)
    big = np.zeros((n + 1, n + 1))
    big[:n, :n] = Q - s * np.diag(down)
    big[:n, n] = s * down
    return float(p0 @ scipy.linalg.expm(w * big)[:n, n])


def second_moment(Q, up, p0, w):
    """E[D_w^2] = 2 p0 [expm(w [[Q, R, 0], [0, Q, R], [0, 0, Q]])]_(0, 2) 1 (Van Loan)."""
    Q = np.asarray(Q, dtype=float)
    n = len(Q)
    R = np.diag((~np.asarray(up)).astype(float))
    big = np.zeros((3 * n, 3 * n))
    for i in range(3):
        big[i * n:(i + 1) * n, i * n:(i + 1) * n] = Q
    big[:n, n:2 * n] = R
    big[n:2 * n, 2 * n:] = R
    return 2.0 * float(p0 @ scipy.linalg.expm(w * big)[:n, 2 * n:].sum(axis=1))


def gamma_sum_cdf(a, lam, b, mu, w):
    """P(Gamma(a, lam) + Gamma(b, mu) <= w) by quadrature (b may be 0)."""
    if b == 0:
        return float(scipy.stats.gamma.cdf(w, a, scale=1 / lam))
    # Integrate over the repair time y (density of Gamma(b, mu)), which lives on a
    # scale of b / mu: with mu = 360/h the other order puts a step of width 0.01 h at
    # the end of a 720-h interval, and quad misses it by 1e-6.
    f = lambda y: (scipy.stats.gamma.pdf(y, b, scale=1 / mu)
                   * scipy.stats.gamma.cdf(w - y, a, scale=1 / lam))
    scale = b / mu
    pts = [p for p in (scale, 10 * scale, 100 * scale) if p < w]
    return scipy.integrate.quad(f, 0, w, points=pts, limit=400, epsabs=1e-15,
                                epsrel=1e-13)[0]


def gillespie_downtimes(chain, w, runs, rng, longer_than=None):
    """Downtime in [0, w] of `runs` windows of a CTMC started from its steady state, and
    the number of outages longer than `longer_than` that start in [0, w] (followed past
    w until they end or pass that length)."""
    Q = chain.Q.toarray()
    up = np.asarray(chain.up)
    pi = chain.steady_state()
    exits = -np.diag(Q)
    jump = np.clip(Q, 0.0, None)
    np.fill_diagonal(jump, 0.0)
    cum = np.cumsum(jump, axis=1)
    down_time = np.zeros(runs)
    long_counts = np.zeros(runs, dtype=int)
    for r in range(runs):
        s = rng.choice(len(pi), p=pi)
        t, start = 0.0, None  # start: when the current outage began, if inside the window
        while True:
            end = t + (rng.exponential(1.0 / exits[s]) if exits[s] > 0 else math.inf)
            if not up[s] and t < w:
                down_time[r] += min(end, w) - t
            if start is not None and end - start > longer_than:
                long_counts[r] += 1
                start = None
            if end >= w and start is None:
                break
            nxt = int(np.searchsorted(cum[s], rng.random() * cum[s, -1], side="right"))
            if longer_than is not None and up[s] and not up[nxt] and end <= w:
                start = end
            elif up[nxt]:
                start = None
            s, t = nxt, end
    return down_time, long_counts


def two_state(lam, mu, name="unit"):
    return hm.CTMC([[-lam, lam], [mu, -mu]], up=[True, False], name=name)


# ------------------------------------------------------------------ Takacs
@pytest.mark.parametrize("lam, mu, w", [
    (0.01, 0.5, MONTH),          # a chatty unit
    (1 / (5 * 8766), 0.25, MONTH),  # a server: MTBF 5 y, MTTR 4 h
    (1e-7, 360.0, MONTH),        # stiff: rare failures, 10-second repairs
    (0.2, 0.2, 10.0),            # as often down as up
])
@pytest.mark.parametrize("steady", [True, False])
def test_two_state_unit_matches_takacs_closed_form(lam, mu, w, steady):
    """Takacs / Tijms Thm 8.3.1 (start up) and Cor. 8.3.2 (steady state); both sides are
    sums of non-negative terms, so they agree to rounding: 1e-12 absolute."""
    unit = two_state(lam, mu)
    d = unit.downtime_distribution(w, None if steady else 0, tol=1e-12)
    mean_down = 1.0 / mu
    xs = np.array([1e-3, 0.1, 0.5, 1.0, 3.0]) * mean_down
    xs = xs[xs < w]
    got = d.sf(xs)
    want = [takacs_up_cdf(lam, mu, w, w - x, start_up=not steady) for x in xs]
    assert got == pytest.approx(want, abs=1e-12)
    assert d.error <= 1e-12


@pytest.mark.parametrize("lam, mu", [(0.01, 0.5), (1e-7, 360.0), (2.0, 0.1)])
def test_no_downtime_chance_of_two_state_unit_is_availability_times_survival(lam, mu):
    """P(D = 0) = A e^(-lam w) from steady state (start up, and no failure), e^(-lam w)
    from up: closed forms, to the stated error bound."""
    unit = two_state(lam, mu)
    a = mu / (lam + mu)
    steady = unit.downtime_distribution(MONTH, tol=1e-12)
    assert steady.p_zero == pytest.approx(a * math.exp(-lam * MONTH), abs=1e-12)
    fresh = unit.downtime_distribution(MONTH, initial=0, tol=1e-12)
    assert fresh.p_zero == pytest.approx(math.exp(-lam * MONTH), abs=1e-12)


def test_mean_from_up_start_of_two_state_unit_is_the_closed_form():
    """E[D] from up = U w - U (1 - e^(-(lam + mu) w)) / (lam + mu) (integral of the point
    unavailability U (1 - e^(-(lam + mu) s)))."""
    lam, mu, w = 0.01, 0.5, 100.0
    d = two_state(lam, mu).downtime_distribution(w, initial=0)
    u = lam / (lam + mu)
    assert d.mean == pytest.approx(u * w - u * (1 - math.exp(-(lam + mu) * w)) / (lam + mu),
                                   rel=1e-12)
    assert d.start == "given initial distribution"


# ------------------------------------------------------------------ mean identity
def _quadrature_mean(d, top):
    """Integral of sf over [0, top] by 20-point Gauss-Legendre on panels that grow
    geometrically from 1e-5 h (a 60-s failover decays on 0.017 h; a repair on hours)."""
    nodes, weights = np.polynomial.legendre.leggauss(20)
    edges = np.concatenate([[0.0], np.geomspace(1e-5, top, 240)])
    x = ((edges[1:, None] - edges[:-1, None]) * (nodes[None, :] + 1) / 2 + edges[:-1, None])
    wts = (edges[1:, None] - edges[:-1, None]) / 2 * weights[None, :]
    return float((d.sf(x.ravel()) * wts.ravel()).sum())


@pytest.mark.parametrize("model", [
    hm.active_standby(hm.Component("db", mtbf="3000h", mttr="4h"), failover="60s"),
    hm.majority_cluster(3, hm.Component("node", mtbf="2000h", mttr="8h")),
    hm.load_stack("single_server.yaml"),
], ids=["active_standby", "majority_cluster", "single_server_stack"])
def test_mean_of_the_distribution_is_window_times_unavailability(model):
    """E[D] = w U from a steady-state start (stationarity), against the integral of the
    computed survival function over the whole window (D <= w, so that integral is E[D]
    exactly): quadrature error ~1e-10 relative, plus the error bound times the window."""
    w = 30 * 24.0
    d = model.downtime_distribution(w, tol=1e-9)
    u = model.measures().unavailability
    assert _quadrature_mean(d, w) == pytest.approx(w * u, rel=1e-8, abs=w * d.error)
    assert d.mean == pytest.approx(w * u, rel=1e-14)


def test_stack_mean_and_delegation():
    stack = hm.load_stack("single_server.yaml")
    d = stack.downtime_distribution("30d")
    assert d.mean == pytest.approx(MONTH * stack.measures().unavailability, rel=1e-14)
    assert stack.slo_breach_probability("99.95%") == pytest.approx(
        stack.model.slo_breach_probability("99.95%"), abs=0)


# ------------------------------------------------------------------ budgets
BUDGETS = ["0min", "30s", "5min", "21.6min", "1h", "4h", "12h", "48h", "30d"]


@pytest.mark.parametrize("model", [
    hm.Component("server", mtbf="5y", mttr="4h"),
    hm.active_standby(hm.Component("lb", mtbf="1y", mttr="4h"), failover="10s"),
    hm.load_stack("ha_mmm_nfs.yaml"),
], ids=["component", "active_standby", "ha_mmm_nfs_stack"])
def test_breach_probability_does_not_increase_with_the_budget(model):
    """P(D > b) is non-increasing in b, to twice the bound, and P(D > window) = 0."""
    d = model.downtime_distribution("30d")
    p = list(d.sf(BUDGETS))  # one sweep for all (up to 48 h: ~20 s for the stack)
    assert all(later <= earlier + 2 * d.error for earlier, later in zip(p, p[1:]))
    assert p[-1] == 0.0 and d.breach_probability("30d") == 0.0
    assert p[3] == pytest.approx(d.breach_probability("21.6min"), abs=1e-13)
    slos = ["99%", "99.9%", "99.95%", "99.99%", "99.999%"]
    q = [model.slo_breach_probability(s) for s in slos]
    assert all(later >= earlier - 2 * d.error for earlier, later in zip(q, q[1:]))


def test_breaches_per_year_counts_calendar_windows_back_to_back():
    server = hm.Component("server", mtbf="5y", mttr="4h")
    p = server.slo_breach_probability("99.95%", "30d")
    assert server.slo_breaches_per_year("99.95%", "30d") == pytest.approx(8766 / 720 * p,
                                                                         rel=1e-14)
    assert server.slo_breach_probability(budget="21.6min") == pytest.approx(p, abs=1e-13)


# ------------------------------------------------------------------ stiff chains
def _stiff_pair():
    unit = hm.Component("u", failure_rate=1e-7, repair_rate=0.25)
    return hm.active_standby(unit, failover="10s").to_ctmc()  # failover at 360/h


def test_stiff_pair_matches_de_souza_e_silva_gail_on_a_short_window():
    """Failures at 1e-7/h beside a 360/h failover over 2 h (the single-rate method needs
    (360 * 2)^2 / 2 products, fine here, 3.4e10 for a month). The answers are ~1e-7;
    both are sums of non-negative terms: agreement to 1e-9 relative."""
    chain = _stiff_pair()
    pi = chain.steady_state()
    d = chain.downtime_distribution(2.0, tol=1e-15)
    xs = np.array([0.0, 1e-3, 5e-3, 0.02])
    want = np.array([desouza_gail_sf(chain.Q.toarray(), chain.up, pi, 2.0, x) for x in xs])
    assert d.sf(xs) == pytest.approx(want, rel=1e-9, abs=1e-15)


def test_stiff_pair_over_a_month_matches_dense_laplace_transform_and_moments():
    """30 days of the same pair (2.6e5 single-rate steps): the computed law against the
    Laplace transform alpha expm(w (Q - s R)) 1 and E[D^2] by Van Loan's block
    exponential, both dense scaling and squaring. Failovers (~10 s) make D small, but
    both units down (a 4-h repair, pi ~ 3e-13, ~6e-11 per month) gives P(D > 0.1 h) ~
    6e-11 and half of E[D^2]: the law is integrated on [0, 0.2 h] (failover scale) and
    [0.2 h, 100 h] (repair scale); beyond 100 h it is below 1e-18, and the parts left
    out, sf(100) e^(-100 s) and sf(100) w^2, are far below the tolerances."""
    chain = _stiff_pair()
    pi = chain.steady_state()
    w = MONTH
    d = chain.downtime_distribution(w, tol=1e-12)
    assert 1e-11 < d.sf(0.1) < 1e-10  # both units down: ~ pi_DD + w * pi_1up * 1e-7
    top = 100.0
    assert d.sf(top) * w**2 < 1e-12
    nodes, weights = np.polynomial.legendre.leggauss(40)
    edges = np.concatenate([np.linspace(0.0, 0.2, 101), np.linspace(0.2, top, 101)[1:]])
    x = ((edges[1:, None] - edges[:-1, None]) * (nodes[None, :] + 1) / 2 + edges[:-1, None]).ravel()
    wts = ((edges[1:, None] - edges[:-1, None]) / 2 * weights[None, :]).ravel()
    sf = d.sf(x)
    for s in (10.0, 100.0, 1000.0):
        # 1 - E[exp(-s D)] = int s e^(-s x) P(D > x) dx
        got = float((s * np.exp(-s * x) * sf * wts).sum())
        want = laplace_complement(chain.Q.toarray(), chain.up, pi, w, s)
        assert got == pytest.approx(want, rel=1e-8)
    got2 = float((2 * x * sf * wts).sum())
    assert got2 == pytest.approx(second_moment(chain.Q.toarray(), chain.up, pi, w), rel=1e-8)
    # P(no downtime) = pi_U expm(w Q_UU) 1
    up = chain.up
    want0 = float(pi[up] @ scipy.linalg.expm(w * chain.Q.toarray()[np.ix_(up, up)]).sum(axis=1))
    assert d.p_zero == pytest.approx(want0, abs=1e-14)


def test_stiff_month_costs_the_downtime_looked_at_not_the_window():
    """The sweep covers L_D x (x the largest downtime asked, here 5 min: ~80 down
    visits) by L_U w (0.25/h repairs over 720 h: ~290 up visits) grid points, about
    2.3e4, where one rate for the whole chain would need (360 * 720)^2 / 2 = 3.4e10."""
    d = _stiff_pair().downtime_distribution("30d")
    d.sf("5min")
    sweep = d._backend
    assert sweep.lam_d > 360 and sweep.lam_u < 1
    assert sweep.M * (sweep.J + 1) < 30_000


# ------------------------------------------------------------------ the cut
def test_cut_to_likely_states_stays_within_its_stated_bound():
    """The stack's product cut to its likely states against the whole product chain
    (1,024 states, started from its exact steady state through initial=)."""
    stack = hm.load_stack("single_server.yaml")
    cut = stack.downtime_distribution("30d", tol=1e-7)
    assert "cut to" in cut.note and cut.error <= 1e-7
    whole = stack.model.to_ctmc()
    full = whole.downtime_distribution("30d", initial=whole.steady_state(), tol=1e-12)
    xs = [0.0, 0.1, 0.36, 1.0, 4.0, 24.0]
    assert cut.sf(xs) == pytest.approx(full.sf(xs), abs=cut.error + full.error)


# ------------------------------------------------------------------ Monte Carlo
def test_pattern_matches_seeded_monte_carlo(rng):
    """An active/standby pair with failures every 200 h (so that a month has outages),
    simulated from steady state by Gillespie: four standard errors of 4,000 windows."""
    pair = hm.active_standby(hm.Component("u", mtbf="200h", mttr="6h"), failover="5min")
    chain = pair.to_ctmc()
    w, n = 240.0, 4000
    down, _ = gillespie_downtimes(chain, w, n, rng)
    d = pair.downtime_distribution(w)
    for x in [0.0, 0.05, 0.2, 1.0, 5.0, 10.0]:
        p = float(d.sf(x))
        se = math.sqrt(max(p * (1 - p), 1 / n) / n)
        assert np.mean(down > x) == pytest.approx(p, abs=4 * se + d.error)


def test_stack_from_new_matches_hm_simulate(rng):
    """The single-server stack from every unit up (initial = the product chain's new
    state) against hm.simulate's windows from new: 4 standard errors of 20,000 runs."""
    stack = hm.load_stack("single_server.yaml")
    w, n = 2000.0, 20000
    chain = stack.model.to_ctmc()
    d = stack.downtime_distribution(w, initial=chain.initial)
    res = hm.simulate(stack.model, horizon=w, runs=n, seed=7)
    for x in [0.0, 0.5, 2.0, 8.0]:
        p = float(d.sf(x))
        se = math.sqrt(max(p * (1 - p), 1 / n) / n)
        assert np.mean(res.downtime > x) == pytest.approx(p, abs=4 * se + d.error)


def test_monte_carlo_route_is_labelled_and_its_band_holds():
    series = hm.series(*[hm.Component(f"c{i}", mtbf=f"{500 + 37 * i}h", mttr="3h")
                         for i in range(6)])
    exact = series.downtime_distribution(MONTH)
    with pytest.warns(hm.ApproximationWarning, match="Monte Carlo"):
        mc = series.downtime_distribution(MONTH, method="monte carlo", runs=4000, seed=3)
    assert (mc.exact, mc.method, mc.level) == (False, "monte carlo", 0.95)
    assert exact.exact and exact.method == "split uniformisation"
    xs = [0.0, 1.0, 3.0, 10.0]
    assert np.all(np.abs(mc.cdf(xs) - exact.cdf(xs)) <= mc.error)
    assert mc.mean == pytest.approx(exact.mean, rel=1e-14)


def test_block_too_large_for_the_exact_route_falls_back_to_monte_carlo(monkeypatch):
    monkeypatch.setattr(occ, "MAX_CUT_STATES", 10)
    series = hm.series(*[hm.Component(f"c{i}", mtbf="400h", mttr="3h") for i in range(8)])
    with pytest.warns(hm.ApproximationWarning, match="exceed"):
        d = series.downtime_distribution(MONTH, runs=500, seed=1)
    assert not d.exact and "monte carlo" in d.note
    with pytest.raises(ValueError, match="method='monte carlo'"):
        series.downtime_distribution(MONTH, method="exact")


# ------------------------------------------------------------------ outage counts
@pytest.mark.parametrize("lam, mu", [(1 / 8766, 0.25), (0.01, 0.5), (1e-3, 360.0)])
def test_outage_count_of_two_state_unit_matches_gamma_sum_closed_form(lam, mu):
    """From steady state: P(N >= k) = A P(Gamma(k, lam) + Gamma(k-1, mu) <= w)
    + U P(Gamma(k, lam) + Gamma(k, mu) <= w) (start up: k up times and k-1 repairs before
    the k-th failure; start down: the residual repair is exponential too)."""
    w = MONTH
    a, u = mu / (lam + mu), lam / (lam + mu)
    n = two_state(lam, mu).outage_count_distribution(w, tol=1e-12)
    assert n.error < 1e-9
    for k in range(1, 6):
        want = a * gamma_sum_cdf(k, lam, k - 1, mu, w) + u * gamma_sum_cdf(k, lam, k, mu, w)
        # quad is good to ~1e-13 here; the count states its own bound
        assert abs(n.sf(k - 1) - want) <= n.error + 1e-12
    assert float(np.arange(n._pmf.size) @ n._pmf) == pytest.approx(w * lam * a, rel=1e-9)
    assert n.mean == pytest.approx(w * lam * a, rel=1e-12)


@pytest.mark.parametrize("model", [
    hm.active_standby(hm.Component("db", mtbf="300h", mttr="4h"), failover="60s"),
    hm.majority_cluster(3, hm.Component("node", mtbf="500h", mttr="8h")),
], ids=["active_standby", "majority_cluster"])
@pytest.mark.parametrize("longer_than", [None, "30s", "20min", "4h"])
def test_mean_outage_count_is_window_times_frequency(model, longer_than):
    """E[N] = w f, and E[N_X] = w f P(outage > X) by stationarity; the count's own mean
    agrees to its error bound."""
    n = model.outage_count_distribution(MONTH, longer_than, tol=1e-10)
    f = model.measures().failure_frequency
    share = 1.0 if longer_than is None else float(model.outage_duration().sf(longer_than))
    own = float(np.arange(n._pmf.size) @ n._pmf)
    assert own == pytest.approx(MONTH * f * share, rel=1e-7, abs=1e-9)


def test_long_outage_count_matches_seeded_monte_carlo(rng):
    """Outages longer than 8 h of a two-state unit (repairs of mean 6 h) that start in a
    240-h window, simulated from steady state: four standard errors of 4,000 windows."""
    chain = two_state(1 / 40, 1 / 6)
    w, X, n = 240.0, 8.0, 4000
    _, counts = gillespie_downtimes(chain, w, n, rng, longer_than=X)
    dist = chain.outage_count_distribution(w, longer_than=X)
    for k in range(4):
        p = dist.pmf(k)
        se = math.sqrt(max(p * (1 - p), 1 / n) / n)
        assert np.mean(counts == k) == pytest.approx(p, abs=4 * se + dist.error)


def test_stack_outage_count_is_the_sum_of_its_parts_within_the_overlap_bound():
    stack = hm.load_stack("ha_mmm_nfs.yaml")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", hm.ApproximationWarning)
        n = stack.outage_count_distribution("30d")
    assert n.method == "sum over series parts" and n.error < 1e-3
    assert n.mean == pytest.approx(MONTH * stack.measures().failure_frequency, rel=1e-12)
    assert float(np.arange(n._pmf.size) @ n._pmf) == pytest.approx(n.mean, abs=n.error * 5)
    with pytest.warns(hm.ApproximationWarning, match="exact only to"):
        stack.outage_count_distribution("30d", tol=1e-9)


def test_small_stack_outage_count_is_exact():
    n = hm.load_stack("single_server.yaml").outage_count_distribution("30d")
    assert n.exact and n.method == "matrix exponential" and n.error <= 1e-6


# ------------------------------------------------------------------ results
def test_distribution_is_vectorised_and_reads_durations():
    d = hm.Component("server", mtbf="5y", mttr="4h").downtime_distribution("30d")
    assert isinstance(d, DowntimeDistribution)
    assert d.window == 720.0
    both = d.sf(["21.6min", 0.36])
    assert both.shape == (2,) and both[0] == pytest.approx(both[1], abs=1e-15)
    grid = d.cdf(np.array([[0.0, 1.0], [2.0, 720.0]]))
    assert grid.shape == (2, 2) and grid[1, 1] == 1.0
    assert isinstance(d.sf("1h"), float)
    assert d.quantile(0.0) == 0.0 and d.quantile(d.p_zero / 2) == 0.0
    q = d.quantile(0.995)
    assert d.cdf(q) == pytest.approx(0.995, abs=1e-9)


def test_summary_and_html_show_the_figures():
    d = hm.Component("server", mtbf="5y", mttr="4h").downtime_distribution("30d")
    table = d.summary
    assert list(table.columns) == ["value", "unit"]
    assert table.loc["P(no downtime)", "value"] == pytest.approx(d.p_zero)
    assert "server" in d._repr_html_() and "split uniformisation" in d._repr_html_()
    assert "DowntimeDistribution('server'" in repr(d)
    n = hm.Component("server", mtbf="5y", mttr="4h").outage_count_distribution("30d")
    assert n.summary.loc[0, "P(N = k)"] == pytest.approx(n.p_zero)
    assert "server" in n._repr_html_() and "OutageCountDistribution" in repr(n)


def test_results_are_frozen():
    d = hm.Component("server", mtbf="5y", mttr="4h").downtime_distribution("30d")
    with pytest.raises(AttributeError):
        d.window = 1.0


def test_error_budget_reads_percent_strings_and_fractions():
    assert hm.error_budget("99.95%", "30d") == pytest.approx(0.36, rel=1e-12)
    assert hm.error_budget(0.999, 1000) == pytest.approx(1.0, rel=1e-12)


# ------------------------------------------------------------------ bad input
SERVER = hm.Component("server", mtbf="5y", mttr="4h")


@pytest.mark.parametrize("slo, match", [
    ("100%", "strictly between 0 and 100"),
    ("0%", "strictly between 0 and 100"),
    ("101%", "strictly between 0 and 100"),
    (0.0, "strictly between 0 and 100"),
    (-0.5, "strictly between 0 and 100"),
    (1.0, "fraction in \\(0, 1\\)"),
    (99.95, "'99.95%'"),
    ("99.95", "percentage with its sign"),
    ("abc%", "percentage such as"),
])
def test_slo_outside_zero_and_hundred_percent_is_refused(slo, match):
    with pytest.raises(ValueError, match=match):
        SERVER.slo_breach_probability(slo, "30d")


def test_slo_of_the_wrong_type_is_refused():
    with pytest.raises(TypeError, match="slo = None|slo= "):
        SERVER.slo_breach_probability(None, "30d")
    with pytest.raises(TypeError, match="slo = \\[0.9\\]"):
        hm.error_budget([0.9])


@pytest.mark.parametrize("window", ["0h", 0, -1.0, "-3d"])
def test_window_of_zero_or_negative_length_is_refused(window):
    with pytest.raises(ValueError, match="window"):
        SERVER.downtime_distribution(window)
    with pytest.raises(ValueError, match="window"):
        SERVER.outage_count_distribution(window)


def test_budget_longer_than_the_window_is_refused():
    with pytest.raises(ValueError, match="budget = '31d' .* longer than the window"):
        SERVER.slo_breach_probability(budget="31d", window="30d")
    d = SERVER.downtime_distribution("30d")
    with pytest.raises(ValueError, match="longer than the window"):
        d.breach_probability("800h")


def test_budget_and_slo_both_or_neither_are_refused():
    with pytest.raises(TypeError, match="exactly one of slo= .* and budget="):
        SERVER.slo_breach_probability("99.9%", budget="10min")
    with pytest.raises(TypeError, match="exactly one of slo="):
        SERVER.slo_breach_probability()
    with pytest.raises(TypeError, match="exactly one of slo="):
        SERVER.slo_breaches_per_year()


@pytest.mark.parametrize("q", [1.0, 1.5, -0.1, float("nan")])
def test_quantile_levels_outside_zero_one_are_refused(q):
    d = SERVER.downtime_distribution("30d")
    with pytest.raises(ValueError, match="quantile level q"):
        d.quantile(q)


def test_quantile_level_that_is_not_a_number_is_refused():
    with pytest.raises(TypeError, match="quantile level q = '0.5'"):
        SERVER.downtime_distribution("30d").quantile("0.5")


def test_other_bad_arguments_name_the_value():
    with pytest.raises(ValueError, match="tol = 0"):
        SERVER.downtime_distribution("30d", tol=0)
    with pytest.raises(ValueError, match="method = 'fast'"):
        SERVER.downtime_distribution("30d", method="fast")
    with pytest.raises(ValueError, match="duration -1"):
        SERVER.downtime_distribution("30d").sf(-1)
    with pytest.raises(ValueError, match="k = -1"):
        SERVER.outage_count_distribution("30d").pmf(-1)
    with pytest.raises(ValueError, match="unknown state 'broken'"):
        SERVER.downtime_distribution("30d", initial="broken")
    with pytest.raises(TypeError, match="not a model"):
        downtime_distribution("server", "30d")
    d = SERVER.downtime_distribution("30d", initial="up")
    with pytest.raises(ValueError, match="start in steady state"):
        d.breaches_per_year("10min")
    assert slo_breach_probability(SERVER, "99.9%") == SERVER.slo_breach_probability("99.9%")
    assert outage_count_distribution(SERVER).mean == pytest.approx(
        MONTH * SERVER.measures().failure_frequency)


# ------------------------------------------------------------------ size
def _grid_chain(n1=100, lam=1e-3, mu=0.5, crews=4, limit=3):
    """Two pools of n1 - 1 servers (failures lam each, `crews` repairs at mu per pool);
    state (i, j) = failed in each pool, down when a pool has more than `limit` failed:
    n1^2 = 10,000 states."""
    i, j = np.divmod(np.arange(n1 * n1), n1)
    src, dst, rate = [], [], []
    for a, b, r in [(i < n1 - 1, n1, (n1 - 1 - i) * lam), (j < n1 - 1, 1, (n1 - 1 - j) * lam),
                    (i > 0, -n1, np.minimum(i, crews) * mu), (j > 0, -1, np.minimum(j, crews) * mu)]:
        s = np.flatnonzero(a)
        src.append(s), dst.append(s + b), rate.append(r[s])
    import scipy.sparse as sp

    Q = sp.csr_array((np.concatenate(rate), (np.concatenate(src), np.concatenate(dst))),
                     shape=(n1 * n1, n1 * n1))
    Q = Q - sp.diags_array(np.asarray(Q.sum(axis=1)).ravel())
    return hm.CTMC(Q, up=(i <= limit) & (j <= limit), name="grid")


def test_ten_thousand_state_chain_in_seconds_and_its_cut_within_bound():
    """Issue 11's size target: a 10,000-state chain's monthly breach probability, cut to
    its likely states (steady state) and whole (started from pi through initial=), the
    two within the sum of their stated bounds."""
    import time

    chain = _grid_chain()
    assert chain.n_states == 10_000
    t0 = time.perf_counter()
    cut = chain.downtime_distribution("30d")
    p_cut = cut.sf("21.6min")
    t_cut = time.perf_counter() - t0
    t0 = time.perf_counter()
    whole = chain.downtime_distribution("30d", initial=chain.steady_state())
    p_whole = whole.sf("21.6min")
    t_whole = time.perf_counter() - t0
    assert "cut to" in cut.note and "all 10,000 states" in whole.note
    assert abs(p_cut - p_whole) <= cut.error + whole.error
    assert 0.01 < p_cut < 0.5
    assert t_cut < 5.0 and t_whole < 30.0  # measured 0.1 s and 2.5 s
