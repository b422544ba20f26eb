"""Benchmark: long-run availability of large chains in hamodel and in Storm (stormpy).

Workload ``cluster`` (the default) is the one both tools can build from their own
description: n nodes tracked one by one (2**n states), each failing at rate lam, and
one shared repair facility of ``crews`` crews that serves the failed nodes by
processor sharing; the cluster is up while a majority of nodes is up. hamodel
builds it with :func:`hamodel.cluster_chain` (vectorised bit operations),
Storm from the PRISM text of ``tests/stormpy_support.prism_cluster_model``. The
chain is reversible, so its stationary law has an exact product form,
``pi(S) ~ prod_{i in S} (lam/mu) * prod_{j<=|S|} j / min(j, crews)``: every
probability, the availability A and the unavailability U (summed, not 1 - A) are
known exactly, and both tools are scored against it.

Storm runs ``LRA=? ["up"]`` and ``LRA=? ["down"]`` with its default environment
(what ``stormpy.model_checking`` uses when given none: sound value iteration,
relative precision 1e-6) and with the adapter's ``"iterative"`` environment
(relative precision 1e-10); its ``"precise"`` environment (sparse LU) only up to
``--precise-max`` nodes, since LU fill on the hypercube grows like ``8**n`` (13
nodes: 27 s). hamodel solves with ``method="auto"`` (Gauss-Seidel here, with its
error estimate).

Workload ``banded`` is a random stiff chain (rates 1e-7..1e2 per hour, targets
within +-20 states: ``stormpy_support.random_stiff_generator``) handed to both as a
matrix; hamodel's ``"auto"`` picks sparse LU, Storm runs ``"precise"`` (Eigen sparse
LU, expected visiting times). The reference is hamodel's ``"banded-gth"`` (GTH in
the band of a reverse Cuthill-McKee ordering, subtraction-free), checked against
dense GTH up to 5,000 states.

Every measurement runs in a fresh process, one at a time, so that the peak
resident memory (``ru_maxrss``) is that of one tool on one chain. Run it with
``.venv/bin/python benchmarks/bench_steady_state.py [--quick] [--n 15 17 19]``
(``--workload banded --sizes 100000 600000`` for the other table). This file is
not a test.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing as mp
import os
import platform
import resource
import sys
import time
from queue import Empty

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.join(os.path.dirname(HERE), "tests")


# ------------------------------------------------------------------ references
def exact_cluster_pi(n, lam, mu, crews):
    """Exact stationary law of the cluster chain (product form), in hamodel's numbering."""
    import numpy as np

    p = np.ones(1)
    for _ in range(n):
        p = np.concatenate([p, p * (lam / mu)])
    g = np.ones(n + 1)
    for j in range(1, n + 1):
        g[j] = g[j - 1] * j / min(j, crews)
    p *= g[np.bitwise_count(np.arange(1 << n))]
    return p / p.sum()


def exact_cluster_au(n, k, lam, mu, crews):
    """(A, U) of the cluster from the lumped birth-death chain, each summed directly."""
    w = [1.0]
    for f in range(n):
        w.append(w[-1] * (n - f) * lam / (min(f + 1, crews) * mu))
    total = math.fsum(w)
    return math.fsum(w[: n - k + 1]) / total, math.fsum(w[n - k + 1:]) / total


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


# ------------------------------------------------------------------ jobs (one process each)
def hamodel_cluster_job(n, k, lam, mu, crews):
    import numpy as np

    import hamodel as hm
    from hamodel import cluster_chain

    node = hm.Component("node", failure_rate=lam, repair_rate=mu)
    t0 = time.perf_counter()
    m = cluster_chain(n, node, crews=crews, k=k)
    t1 = time.perf_counter()
    sol = m.solution
    measures = m.measures()
    t2 = time.perf_counter()
    rss = peak_rss_mib()
    ref = exact_cluster_pi(n, lam, mu, crews)
    big = ref > 1e-12 * ref.max()
    entry = float(np.max(np.abs(sol.pi[big] / ref[big] - 1)))
    return dict(states=m.n_states, transitions=m.Q.nnz - m.n_states, build=t1 - t0,
                solve=t2 - t1, A=measures.availability, U=measures.unavailability,
                entry=entry, residual=sol.residual, estimate=sol.error_estimate,
                sweeps=sol.iterations, method=sol.method, rss=rss)


def storm_cluster_job(n, k, lam, mu, crews, method, label):
    """Build the PRISM model and check LRA=? ["up"] (A) or LRA=? ["down"] (U) once."""
    sys.path.insert(0, TESTS)
    import stormpy
    import stormpy_support as S

    t0 = time.perf_counter()
    program = _prism_program(S.prism_cluster_model(n, k, lam, mu, crews))
    prop = _single(stormpy.parse_property(f'LRA=? ["{"up" if label == "A" else "down"}"]',
                                          program))
    model = stormpy.build_model(program, [prop])
    t1 = time.perf_counter()
    env = S.environment(method, model)
    result = stormpy.model_checking(model, prop, only_initial_states=True, environment=env)
    value = float(result.get_value(model.initial_states[0]))
    t2 = time.perf_counter()
    return dict(states=model.nr_states, transitions=model.nr_transitions, build=t1 - t0,
                check=t2 - t1, value=value, rss=peak_rss_mib())


def _single(parsed):
    """parse_property gives one Property (stormpy 2.0) or a list of them (older)."""
    return parsed[0] if isinstance(parsed, list) else parsed


def _prism_program(text):
    import tempfile

    import stormpy

    fd, path = tempfile.mkstemp(suffix=".prism", text=True)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        return stormpy.parse_prism_program(path, prism_compatibility=True)
    finally:
        os.unlink(path)


def banded_chain(size, seed):
    sys.path.insert(0, TESTS)
    import numpy as np
    import stormpy_support as S

    Q = S.random_stiff_generator(size, bandwidth=20, seed=seed)
    up = np.random.default_rng(seed).random(size) < 0.7
    up[0] = True
    return Q, up


def hamodel_banded_job(size, seed, path, method):
    import numpy as np

    import hamodel as hm
    from hamodel import solvers

    Q, up = banded_chain(size, seed)
    t0 = time.perf_counter()
    m = hm.CTMC(Q, up)
    t1 = time.perf_counter()
    try:
        sol = solvers.steady_state(m.Q, method=method)
    except ArithmeticError as exc:
        return {"error": str(exc)[:160], "build": t1 - t0, "solve": time.perf_counter() - t1,
                "rss": peak_rss_mib()}
    t2 = time.perf_counter()
    np.save(path, sol.pi)
    return {"states": size, "transitions": Q.nnz - size, "build": t1 - t0, "solve": t2 - t1,
            "A": math.fsum(sol.pi[up]), "U": math.fsum(sol.pi[~up]), "residual": sol.residual,
            "method": sol.method, "rss": peak_rss_mib()}


def storm_banded_job(size, seed, path):
    sys.path.insert(0, TESTS)
    import numpy as np
    import stormpy.analysis
    import stormpy_support as S

    Q, up = banded_chain(size, seed)
    t0 = time.perf_counter()
    model = S.build_ctmc(Q, up)
    t1 = time.perf_counter()
    pi = np.asarray(stormpy.analysis.compute_steady_state_distribution(
        model, environment=S.environment("precise", model)).get_value_vector())
    t2 = time.perf_counter()
    np.save(path, pi)
    return dict(build=t1 - t0, solve=t2 - t1, A=math.fsum(pi[up]), U=math.fsum(pi[~up]),
                residual=float(S.residual(Q, pi)), negative=int((pi < 0).sum()),
                rss=peak_rss_mib())


def _child(queue, fn, args):
    try:
        queue.put(("ok", fn(*args)))
    except BaseException as exc:  # report, do not hang the parent
        queue.put(("error", f"{type(exc).__name__}: {exc}"[:200]))


def run_isolated(fn, *args, timeout=1800.0):
    """fn(*args) in a fresh process (its own peak RSS); None and a note on timeout."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(queue, fn, args))
    proc.start()
    try:
        status, value = queue.get(timeout=timeout)
    except Empty:
        proc.terminate()
        proc.join()
        return dict(error=f"timeout after {timeout:.0f} s")
    proc.join()
    return value if status == "ok" else dict(error=value)


# ------------------------------------------------------------------ report
def machine():
    import numpy
    import scipy

    try:
        import stormpy
        storm = stormpy.__version__
    except ImportError:
        storm = "not installed"
    model = "?"
    try:
        with open("/proc/cpuinfo") as fh:
            model = next(line.split(":", 1)[1].strip() for line in fh if "model name" in line)
        with open("/proc/meminfo") as fh:
            ram = int(next(line.split()[1] for line in fh if line.startswith("MemTotal"))) / 2**20
    except (OSError, StopIteration):
        ram = float("nan")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"machine: {model}, {os.cpu_count()} CPUs, {ram:.0f} GiB RAM, load avg {load:.1f}; "
            f"Python {platform.python_version()}, numpy {numpy.__version__}, "
            f"scipy {scipy.__version__}, stormpy {storm}")


def _fmt(x):
    return "-" if x is None else f"{x:.1e}"


def rel(x, ref):
    return abs(x / ref - 1.0) if ref else float("nan")


#: Storm checks per chain: (environment, measure). The sound "iterative" environment
#: is not asked for U: its relative stopping test on a value of 1e-6 does not stop
#: (over a minute on 1,024 states), as the adapter warns.
STORM_CHECKS = [("default", "A"), ("default", "U"), ("iterative", "A"), ("precise", "A"),
                ("precise", "U")]


def cluster_table(args):
    lam, mu = 1.0 / args.mtbf, 1.0 / args.mttr
    print(f"cluster: n nodes (2**n states), node MTBF {args.mtbf:g} h, MTTR {args.mttr:g} h, "
          f"{args.crews} crew(s), up while a majority is up")
    rows = []
    for n in args.n:
        k = n // 2 + 1
        A, U = exact_cluster_au(n, k, lam, mu, args.crews)
        ham = run_isolated(hamodel_cluster_job, n, k, lam, mu, args.crews)
        storm = {}
        for method, label in STORM_CHECKS:
            if args.no_storm or (method == "precise" and n > args.precise_max):
                continue
            storm[method, label] = run_isolated(storm_cluster_job, n, k, lam, mu, args.crews,
                                                method, label, timeout=args.timeout)
        rows.append((n, A, U, ham, storm))
        _print_cluster_row(n, A, U, ham, storm)
    return rows


def _print_cluster_row(n, A, U, ham, storm):
    if "error" in ham:
        print(f"  n={n}: hamodel failed: {ham['error']}")
        return
    print(f"\n  n={n}: {ham['states']:,} states, {ham['transitions']:,} transitions; "
          f"exact A = {A!r}, U = {U:.10g}")
    print(f"    hamodel          build {ham['build']:6.2f} s  solve {ham['solve']:6.2f} s "
          f"({ham['method']}, {ham['sweeps']} sweeps)  peak RSS {ham['rss']:5.0f} MiB")
    print(f"      rel. error: A {rel(ham['A'], A):.1e}  U {rel(ham['U'], U):.1e}  "
          f"max entry {ham['entry']:.1e}; estimate {_fmt(ham['estimate'])}, "
          f"residual {ham['residual']:.1e}")
    for (method, label), r in storm.items():
        name = f"storm {method} {label}"
        if "error" in r:
            print(f"    {name:16s} {r['error']}")
            continue
        exact = A if label == "A" else U
        line = (f"    {name:16s} build {r['build']:6.2f} s  check {r['check']:6.2f} s "
                f"(x{r['check'] / ham['solve']:5.2f} hamodel's solve)  peak RSS {r['rss']:5.0f} MiB"
                f"\n      rel. error: {label} {rel(r['value'], exact):.1e}")
        if label == "A":
            line += f"  U as 1 - A {rel(1 - r['value'], U):.1e}"
        print(line)
    r = storm.get(("default", "A"), {})
    if "check" in r:
        theirs, ours = r["build"] + r["check"], ham["build"] + ham["solve"]
        print(f"    end to end (build + availability): storm default {theirs:.2f} s, hamodel "
              f"{ours:.2f} s, ratio {theirs / ours:.2f}")


def banded_table(args):
    import numpy as np

    print(f"banded: random stiff chains (rates 1e-7..1e2 /h, targets within +-20), seed {args.seed}"
          "\nreference: hamodel banded-gth (GTH in the RCM band; equals dense GTH to 1e-14 where "
          "that runs)")
    for size in args.sizes:
        tag = f"/tmp/bench_banded_{os.getpid()}"
        runs = {
            "hamodel banded-gth": run_isolated(hamodel_banded_job, size, args.seed,
                                               f"{tag}_gth.npy", "banded-gth"),
            "hamodel auto": run_isolated(hamodel_banded_job, size, args.seed, f"{tag}_auto.npy",
                                         "auto"),
            "storm precise": run_isolated(storm_banded_job, size, args.seed, f"{tag}_storm.npy"),
        }
        paths = dict(zip(runs, (f"{tag}_gth.npy", f"{tag}_auto.npy", f"{tag}_storm.npy")))
        print(f"\n  {size:,} states")
        ref = np.load(paths["hamodel banded-gth"]) if os.path.exists(
            paths["hamodel banded-gth"]) else None
        for who, r in runs.items():
            if "error" in r:
                print(f"    {who:18s} failed: {r['error']}")
                continue
            line = (f"    {who:18s} solve {r['solve']:6.2f} s  U {r['U']:.6e}  "
                    f"peak RSS {r['rss']:5.0f} MiB" + (f"  ({r['method']})" if "method" in r else
                                                      f"  negative entries {r['negative']}"))
            if ref is not None and who != "hamodel banded-gth":
                pi = np.load(paths[who])
                errors = []
                for floor in (1e-3, 1e-12):
                    big = ref > floor * ref.max()
                    errors.append(f"{np.max(np.abs(pi[big] / ref[big] - 1)):.1e}")
                line += f"\n{'':23s}max rel. error over entries > 1e-3 / 1e-12 x max: " \
                        + " / ".join(errors)
            print(line)
        for p in paths.values():
            if os.path.exists(p):
                os.unlink(p)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", choices=["cluster", "banded"], default="cluster")
    parser.add_argument("--n", type=int, nargs="+", default=[15, 16, 17, 18, 19],
                        help="cluster sizes (nodes); 19 nodes = 524,288 states")
    parser.add_argument("--quick", action="store_true", help="small sizes only (n = 10, 12, 14)")
    parser.add_argument("--mtbf", type=float, default=2000.0, help="node MTBF, hours")
    parser.add_argument("--mttr", type=float, default=24.0, help="node MTTR, hours")
    parser.add_argument("--crews", type=int, default=1)
    parser.add_argument("--precise-max", type=int, default=12,
                        help="largest n for Storm's sparse-LU environment")
    parser.add_argument("--no-storm", action="store_true")
    parser.add_argument("--timeout", type=float, default=600.0,
                        help="seconds allowed to one Storm check (build included)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 600_000],
                        help="banded workload: numbers of states")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.quick:
        args.n, args.sizes = [10, 12, 14], [20_000]
    print(machine())
    if args.workload == "cluster":
        cluster_table(args)
    else:
        banded_table(args)


if __name__ == "__main__":
    main()
