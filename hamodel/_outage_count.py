"""How many outages start in a window: the kernels behind ``outage_count_distribution``.

Both exact routes compute ``expm(t (M0 + z M1))`` with ``z`` a formal
variable, as a matrix polynomial truncated at degree ``K`` (coefficients
``(K + 1, n, n)``, products truncated convolutions). ``M0`` has non-negative
off-diagonal entries and ``M1`` is non-negative, so uniformisation
(``B = I + (M0 + z M1) / L``) and scaling and squaring add non-negative terms
only: small probabilities keep their digits however stiff the chain (a
360/h failover beside 1e-7/h failures), and what the truncations leave out
is read off the mass that is missing.

All outages
-----------
Split ``Q = Q0 + Q1`` with ``Q1`` the up -> down transitions (the outage
starts). The coefficient of ``z^k`` in ``alpha expm(w (Q0 + z Q1)) 1`` is
``P(N = k)`` for the number ``N`` of starts in ``[0, w]``. The coefficients
sum to 1 but for ``P(N > K)`` and the Taylor tails: that deficit is the
error bound.

Outages longer than X
---------------------
Whether an outage is longer than ``X`` depends on its future, so that count
is not read off a Markov chain directly; its binomial moments are.
``B_s = E[C(N_X, s)]`` is the integral, over ``s`` start times with gaps of at
least ``X``, of ``alpha e^(t1 Q) G e^((t2 - t1 - X) Q) G ...``, where
``G = Q1 expm(X Q_DD)`` starts an outage and keeps it down for ``X``. Taking
the ``X`` of every counted outage out of the clock makes it the ``z^s``
coefficient of ``alpha expm(T_s (Q + z G)) 1`` with ``T_s = w - (s - 1) X``.
Then ``P(N_X = k) = sum_s (-1)^(s - k) C(s, k) B_s``, and by the Bonferroni
inequalities each partial sum is within its next term of the answer: the
error bound (plus rounding of the alternating sum, ``1e-15 * sum_s 2^s B_s``).

Series of independent parts (bounded)
-------------------------------------
A system outage of a series is a part's outage that starts while every
other part is up. So unless two parts are down at once somewhere in the
window, the system's count is the sum of the parts' counts, each exact on
its own small chain. The chance that two parts are down at once is at most
``P(two down at 0) + w sum_k f_k (1 - prod_(i != k) A_i)``: the stated bound.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp

#: Largest chain whose outage count is computed with dense matrix polynomials.
COUNT_DENSE_STATES = 120
#: Largest degree (number of outages) of the truncated polynomials.
MAX_COUNT = 512
# Rounding of the non-negative sums, relative.
_ROUNDING = 1e-13


def _dense(Q) -> np.ndarray:
    return Q.toarray() if sp.issparse(Q) else np.asarray(Q, dtype=float)


def _split(Q: np.ndarray, up: np.ndarray):
    """(Q0, Q1): Q1 holds the up -> down transitions, Q0 the rest (and the diagonal)."""
    Q1 = np.zeros_like(Q)
    rows, cols = np.ix_(up, ~up)
    Q1[rows, cols] = Q[rows, cols]
    return Q - Q1, Q1


def _poly_mul(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Product of polynomials (coefficients along axis 0), truncated to A's degree.

    A's coefficients are matrices ``(K, n, n)`` or row vectors ``(K, n)``; B's are matrices.
    """
    K = A.shape[0]
    out = np.zeros_like(A)
    for i in range(K):
        if A[i].any():
            for j in range(K - i):
                out[i + j] += A[i] @ B[j]
    return out


def poly_expm(M0: np.ndarray, M1: np.ndarray, t: float, degree: int) -> np.ndarray:
    """``expm(t (M0 + z M1))`` truncated at ``z^degree``: an array ``(degree + 1, n, n)``.

    ``M0`` must have non-negative off-diagonal entries and ``M1`` be
    non-negative; then every term added is non-negative.
    """
    n = M0.shape[0]
    K = degree + 1
    lam = max(float(np.max(-np.diagonal(M0), initial=0.0)), 1e-300)
    p = max(0, math.ceil(math.log2(max(lam * t, 1e-300) / 0.5)))
    h = t / 2.0**p
    x = lam * h
    step = np.zeros((K, n, n))
    step[0] = np.eye(n) + M0 / lam
    if K > 1:
        step[1] = M1 / lam
    growth = max(1.0, float((step[0].sum(axis=1) + (step[1].sum(axis=1) if K > 1 else 0)).max()))
    term = np.zeros((K, n, n))
    term[0] = np.eye(n)
    E = term.copy()
    k = 0
    while True:
        k += 1
        nxt = term @ step[0]  # step has degree 1: two products per coefficient
        if K > 1:
            nxt[1:] += term[:-1] @ step[1]
        term = nxt * (x / k)
        E += term
        if k > 3 * x * growth + 10 and (x * growth) ** k / math.factorial(k) < 1e-18:
            break
    E *= math.exp(-x)
    for _ in range(p):
        E = _poly_mul(E, E)
    return E


def _squaring_rounding(M0: np.ndarray, t: float) -> float:
    """Rounding allowance of :func:`poly_expm` over `t`: each of its ``p`` squarings can
    double the relative rounding error of the last, so ``4 n 2^p eps`` (an estimate,
    not a proof: 2e-10 for a 360/h rate over a month, where a closed form shows 1.5e-10)."""
    n = M0.shape[0]
    lam = max(float(np.max(-np.diagonal(M0), initial=0.0)), 1e-300)
    p = max(0, math.ceil(math.log2(max(lam * t, 1e-300) / 0.5)))
    return 4.0 * n * 2.0**p * np.finfo(float).eps


def count_all(Q, up, alpha, w: float, tail: float, guess: float = 1.0):
    """``(pmf, error)`` of the number of outage starts in ``[0, w]`` (dense chain)."""
    Q = _dense(Q)
    up = np.asarray(up, dtype=bool)
    alpha = np.asarray(alpha, dtype=float)
    Q0, Q1 = _split(Q, up)
    # Mass still in the chain at w (less than 1 when the chain is cut to likely states).
    total = float(alpha @ poly_expm(Q, np.zeros_like(Q), w, 0)[0].sum(axis=1))
    degree = int(min(MAX_COUNT, max(8, guess + 8 * math.sqrt(guess) + 8)))
    while True:
        E = poly_expm(Q0, Q1, w, degree)
        pmf = np.clip(np.einsum("i,kij->k", alpha, E), 0.0, None)
        missing = max(0.0, total - float(pmf.sum()))  # P(N > degree), and Taylor tails
        if missing <= tail or degree >= MAX_COUNT:
            return pmf, missing + _ROUNDING + _squaring_rounding(Q0, w)
        degree = min(MAX_COUNT, 2 * degree)


def count_longer(Q, up, alpha, w: float, X: float, tail: float, guess: float = 1.0):
    """``(pmf, error)`` of the number of outages longer than `X` starting in ``[0, w]``."""
    Q = _dense(Q)
    up = np.asarray(up, dtype=bool)
    alpha = np.asarray(alpha, dtype=float)
    _, Q1 = _split(Q, up)
    down = ~up
    survive = np.zeros_like(Q)
    sub = Q[np.ix_(down, down)]
    survive[np.ix_(down, down)] = poly_expm(sub, np.zeros_like(sub), X, 0)[0]
    G = Q1 @ survive
    last = int(w // X) + 1  # s such outages need (s - 1) X <= w
    S = int(min(MAX_COUNT, last, max(6, guess + 8 * math.sqrt(guess) + 6)))
    while True:
        # B_s for s <= S + 1 (the last one bounds the Bonferroni error).
        degree = S + 1
        top = min(degree, last)  # B_s = 0 beyond: no room for s such outages
        forward = poly_expm(Q, G, X, degree)
        vec = np.einsum("i,kij->kj", alpha, poly_expm(Q, G, w - (top - 1) * X, degree))
        B = np.zeros(degree + 1)
        B[0] = float(alpha.sum())
        for s in range(top, 0, -1):  # at T_s = w - (s - 1) X, from the shortest up
            B[s] = float(vec[s].sum())
            if s > 1:
                vec = _poly_mul(vec, forward)
        bonferroni = max(math.comb(S + 1, k) * B[S + 1] for k in range(S + 2))
        if bonferroni <= tail or S >= min(MAX_COUNT, last):
            break
        S = min(MAX_COUNT, last, 2 * S)
    pmf = np.zeros(S + 1)
    for k in range(S + 1):
        pmf[k] = sum((-1) ** (s - k) * math.comb(s, k) * B[s] for s in range(k, S + 1))
    spread = sum(2.0**s * B[s] for s in range(S + 1))
    return (np.clip(pmf, 0.0, 1.0),
            bonferroni + 1e-15 * spread + _ROUNDING + spread * _squaring_rounding(Q, w))


def overlap_bound(parts_measures, w: float) -> float:
    """Bound on P(two parts of a series are down at once in a window of `w` hours)."""
    A = np.array([m.availability for m in parts_measures])
    U = np.array([m.unavailability for m in parts_measures])
    f = np.array([m.failure_frequency for m in parts_measures])
    all_up = float(np.prod(A))
    one_down = sum(U[j] * np.prod(np.delete(A, j)) for j in range(A.size))
    start = max(0.0, 1.0 - all_up - one_down)
    flow = sum(f[k] * (1.0 - np.prod(np.delete(A, k))) for k in range(A.size))
    return min(1.0, start + w * flow)


def convolve(pmfs) -> np.ndarray:
    """Distribution of a sum of independent counts."""
    out = np.ones(1)
    for p in pmfs:
        out = np.convolve(out, p)
    return out
