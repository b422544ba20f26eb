"""Benchmark: point availability A(t) of large chains in hamodel and in Storm (stormpy).

The workload is the cluster of ``bench_steady_state.py`` (n nodes tracked one by one,
2**n states, one shared repair crew, up while a majority is up), started with every
node up. hamodel computes ``CTMC.transient(t)`` (``scipy.sparse.linalg.expm_multiply``
above 1,000 states); Storm checks ``P=? [F[t,t] "up"]`` and ``P=? [F[t,t] "down"]``
(uniformisation with Fox-Glynn truncation) in its default environment and in the
adapter's ``"precise"`` one (Fox-Glynn precision 1e-12).

Reference: with identical nodes the number of failed nodes is itself a Markov chain
(n + 1 states), solved here by uniformisation in double precision. Uniformisation
adds only non-negative terms, so even the tiny down-state probabilities keep their
relative accuracy (to ~1e-13 for a few hundred terms).

Run it with ``.venv/bin/python benchmarks/bench_transient.py [--quick] [--n 17 19]
[--times 24h 1w 30d]``. Every measurement runs in a fresh process, one at a time.
This file is not a test.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from bench_steady_state import (
    TESTS,
    _fmt,
    _prism_program,
    _single,
    machine,
    peak_rss_mib,
    rel,
    run_isolated,
)


def lumped_transient(n, k, lam, mu, crews, t):
    """(A(t), U(t)) from the chain of the number failed, by uniformisation."""
    import numpy as np
    from scipy.special import gammaln

    Q = np.zeros((n + 1, n + 1))
    for f in range(n):
        Q[f, f + 1] = (n - f) * lam
        Q[f + 1, f] = min(f + 1, crews) * mu
    exits = Q.sum(axis=1)
    rate = 1.05 * exits.max()  # every diagonal of P is then >= 0.05: no loss in 1 - x
    P = Q / rate
    P[np.diag_indices(n + 1)] = 1.0 - exits / rate
    m = rate * t
    last = int(m + 12 * math.sqrt(m) + 60)
    log_w = -m + np.arange(last + 1) * math.log(m) - gammaln(np.arange(last + 1) + 1.0)
    v = np.zeros(n + 1)
    v[0] = 1.0
    p = np.zeros(n + 1)
    for j in range(last + 1):
        p += math.exp(log_w[j]) * v
        v = v @ P
    return math.fsum(p[: n - k + 1]), math.fsum(p[n - k + 1:])


def hamodel_job(n, k, lam, mu, crews, t):
    import hamodel as hm
    from hamodel import cluster_chain

    node = hm.Component("node", failure_rate=lam, repair_rate=mu)
    t0 = time.perf_counter()
    m = cluster_chain(n, node, crews=crews, k=k)
    t1 = time.perf_counter()
    p = m.transient(t)
    t2 = time.perf_counter()
    return dict(states=m.n_states, build=t1 - t0, solve=t2 - t1, A=math.fsum(p[m.up]),
                U=math.fsum(p[~m.up]), rss=peak_rss_mib())


def storm_job(n, k, lam, mu, crews, t, method, label):
    sys.path.insert(0, TESTS)
    import stormpy
    import stormpy_support as S

    t0 = time.perf_counter()
    program = _prism_program(S.prism_cluster_model(n, k, lam, mu, crews))
    target = "up" if label == "A" else "down"
    prop = _single(stormpy.parse_property(f'P=? [F[{t!r},{t!r}] "{target}"]', program))
    model = stormpy.build_model(program, [prop])
    t1 = time.perf_counter()
    result = stormpy.model_checking(model, prop, only_initial_states=True,
                                    environment=S.environment(method, model))
    value = float(result.get_value(model.initial_states[0]))
    t2 = time.perf_counter()
    return dict(build=t1 - t0, check=t2 - t1, value=value, rss=peak_rss_mib())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[17, 19])
    parser.add_argument("--times", nargs="+", default=["24h", "1w", "30d"],
                        help="durations (hamodel syntax: 24h, 1w, 30d, 1y)")
    parser.add_argument("--quick", action="store_true", help="n = 12 and 14 only")
    parser.add_argument("--mtbf", type=float, default=2000.0, help="node MTBF, hours")
    parser.add_argument("--mttr", type=float, default=24.0, help="node MTTR, hours")
    parser.add_argument("--crews", type=int, default=1)
    parser.add_argument("--methods", nargs="*", default=["default", "precise"],
                        help="Storm environments to run (none: hamodel only)")
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args()
    if args.quick:
        args.n = [12, 14]
    import hamodel as hm

    lam, mu = 1.0 / args.mtbf, 1.0 / args.mttr
    print(machine())
    print(f"cluster: n nodes (2**n states), node MTBF {args.mtbf:g} h, MTTR {args.mttr:g} h, "
          f"{args.crews} crew(s), up while a majority is up; all nodes up at t = 0")
    for n in args.n:
        k = n // 2 + 1
        for label in args.times:
            t = hm.duration(label)
            A, U = lumped_transient(n, k, lam, mu, args.crews, t)
            ham = run_isolated(hamodel_job, n, k, lam, mu, args.crews, t, timeout=args.timeout)
            print(f"\n  n={n} ({2**n:,} states), t = {label} ({t:g} h): exact A(t) = {A!r}, "
                  f"U(t) = {U:.10g}")
            if "error" in ham:
                print(f"    hamodel: {ham['error']}")
                continue
            print(f"    hamodel           transient {ham['solve']:7.2f} s  (build "
                  f"{ham['build']:.2f} s)  rel. error A {rel(ham['A'], A):.1e}, "
                  f"U {rel(ham['U'], U):.1e}  peak RSS {ham['rss']:5.0f} MiB")
            for method in args.methods:
                for what in ("A", "U"):
                    r = run_isolated(storm_job, n, k, lam, mu, args.crews, t, method, what,
                                     timeout=args.timeout)
                    name = f"storm {method} {what}"
                    if "error" in r:
                        print(f"    {name:17s} {r['error']}")
                        continue
                    exact = A if what == "A" else U
                    print(f"    {name:17s} check {r['check']:7.2f} s  (build {r['build']:.2f} s, "
                          f"x{r['check'] / ham['solve']:5.2f} hamodel)  rel. error {what} "
                          f"{_fmt(rel(r['value'], exact))}  peak RSS {r['rss']:5.0f} MiB")


if __name__ == "__main__":
    main()
