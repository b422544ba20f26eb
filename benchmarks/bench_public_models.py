"""Benchmark: steady state of public models (the PRISM benchmark suite) in hamodel and in Storm.

The models are standard CTMC case studies that nobody in this project designed
(``tests/public_models.py``; origins in ``benchmarks/models/README.md``): the
workstation cluster, the flexible manufacturing system (fms), the tandem queue, the
Kanban system, the polling server, and the embedded control system. Each is read
from its PRISM text by both tools, at sizes from 10^4 to 7 x 10^5 states.

Per case, each measurement in a fresh process, one after the other, so that every
peak resident memory (``ru_maxrss``) is one tool on one chain:

``hamodel``
    ``hm.CTMC.from_prism`` (timed as "build"; it parses and explores the model
    through stormpy), then ``.measures()`` (timed as "solve": the steady state by
    ``method="auto"`` plus the frequency measures). The method that answered, every
    method tried and why it was left, the iterations and the error estimate.
``reference A``
    hamodel's multilevel aggregation forced, with target 1e-14 (1e-13, 1e-12 if it
    cannot get there).
``reference B``
    an independent method, the first affordable of: banded GTH (estimated work at
    most 2e9 flops), scipy's sparse LU (estimated fill at most 1e8; accepted only with
    a componentwise residual <= 1e-8), banded GTH (work at most 3e10), Gauss-Seidel
    forced to 1e-13. The agreement of A and B is reported; every error is against A.
``Storm default``
    ``stormpy.build_model`` then ``LRA=? [goal]`` with ``stormpy.environments.default``
    (sound value iteration, relative precision 1e-6): what a Storm user gets.
``Storm precise``
    the same check with ``tests/stormpy_support.environment("precise")`` (gain/bias
    equations by Eigen's sparse LU), then Storm's steady-state distribution (expected
    visiting times, sparse LU) on hamodel's matrix, for the error of every
    probability. Sparse LU fills in badly on the large models: it runs only under
    ``--precise-timeout`` and the memory cap.

Errors: the relative error of the goal probability (a small long-run probability,
see ``tests/public_models.MODELS``) and the largest relative error of every
probability above 1e-12 of the largest. The embedded system has no repair (no
unique steady state): its measure is the mean time to shut down, ``T=? [F "down"]``,
against Storm precise and a plain scipy solve.

Every child process runs under an address-space cap (``--memory-limit``, default 8
GiB), so that a sparse LU that fills in fails with an allocation error instead of
taking the shared machine's memory. Run
``.venv/bin/python benchmarks/bench_public_models.py [--quick] [--cases cluster128 fms6]
[--timeout 600] [--json out.json]``. This file is not a test.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from queue import Empty

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TESTS = os.path.join(ROOT, "tests")
sys.path.insert(0, TESTS)

#: The full run: sizes from ~1e4 to ~7e5 states (published counts in
#: tests/public_models.PUBLISHED_STATES). The embedded system exists only up to
#: 8,548 states (MAX_COUNT = 8).
CASES = ["cluster16", "cluster64", "cluster128", "fms3", "fms5", "fms6", "tandem63",
         "tandem255", "tandem511", "kanban2", "kanban3", "kanban4", "polling10", "polling13",
         "polling15", "embedded8"]
QUICK = ["cluster16", "fms3", "tandem63", "kanban2", "polling10", "embedded2"]

#: Reference B: banded GTH while its estimated work is at most this (fast)...
BANDED_FAST = 2e9
#: ... else sparse LU while its estimated fill is at most this ...
LU_FILL = 1e8
#: ... else banded GTH up to this work ...
BANDED_SLOW = 3e10
#: ... else Gauss-Seidel forced to this target.
GAUSS_SEIDEL_TOL = 1e-13


def split_case(case: str) -> tuple[str, int]:
    name = case.rstrip("0123456789")
    return name, int(case[len(name):])


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


# ------------------------------------------------------------------ jobs (one process each)
def hamodel_job(name, size, workdir):
    """from_prism, then measures() (or mttf()); saves Q, up, initial and pi for the others."""
    import numpy as np
    import scipy.sparse as sp

    import public_models as P

    model = P.MODELS[name]
    t0 = time.perf_counter()
    m = P.load(name, size)
    t1 = time.perf_counter()
    out = dict(states=m.n_states, transitions=int(m.Q.nnz - m.n_states), build=t1 - t0)
    if model.measure == "mttf":
        value = m.mttf()
        t2 = time.perf_counter()
        out.update(solve=t2 - t1, value=value, method="mean_time_to_exit", rss=peak_rss_mib())
    else:
        sol = m.solution
        t_sol = time.perf_counter()
        measures = m.measures()
        t2 = time.perf_counter()
        out.update(solve=t2 - t1, steady=t_sol - t1, rss=peak_rss_mib(), method=sol.method,
                   attempts=[(a, r[:160]) for a, r in sol.attempts],
                   iterations=sol.iterations, estimate=sol.error_estimate,
                   residual=sol.residual, componentwise=sol.componentwise_residual,
                   value=measures.unavailability)
        np.save(os.path.join(workdir, "hamodel.npy"), sol.pi)
    sp.save_npz(os.path.join(workdir, "Q.npz"), sp.csr_matrix(m.Q))
    np.save(os.path.join(workdir, "up.npy"), m.up)
    np.save(os.path.join(workdir, "initial.npy"), m.initial)
    return out


def _load_Q(workdir):
    import scipy.sparse as sp

    return sp.csr_array(sp.load_npz(os.path.join(workdir, "Q.npz")))


def reference_a_job(workdir):
    """hamodel's multilevel aggregation, forced, to 1e-14 (or the tightest it reaches)."""
    import numpy as np

    from hamodel.multilevel import multilevel_solve

    Q = _load_Q(workdir)
    failures = []
    for tol in (1e-14, 1e-13, 1e-12):
        t0 = time.perf_counter()
        try:
            pi, cycles, estimate = multilevel_solve(Q, tol=tol)
        except ArithmeticError as exc:
            failures.append(f"tol {tol:g}: {str(exc)[:120]}")
            continue
        np.save(os.path.join(workdir, "ref_a.npy"), pi)
        return dict(method=f"multilevel, tol {tol:g}", time=time.perf_counter() - t0,
                    iterations=cycles, estimate=estimate, failures=failures,
                    rss=peak_rss_mib())
    return dict(error="multilevel did not converge: " + "; ".join(failures))


def reference_b_job(workdir):
    """An independent check of reference A: banded GTH, sparse LU or Gauss-Seidel."""
    import numpy as np

    from hamodel import solvers
    from hamodel.elimination import banded_gth_cost, elimination_cost

    Q = _load_Q(workdir)
    fill = elimination_cost(Q)[0]  # sparse LU's estimate
    work = banded_gth_cost(Q)[1]  # banded GTH's true cost: its whole band
    t0 = time.perf_counter()
    estimate = None
    if work <= BANDED_FAST or (fill > LU_FILL and work <= BANDED_SLOW):
        method = f"banded-gth ({work:.1e} flops)"
        pi = solvers.steady_state(Q, method="banded-gth").pi
    elif fill <= LU_FILL:
        method = f"sparse-lu (fill {fill:.1e})"
        pi = solvers.steady_state(Q, method="sparse-lu").pi  # raises on a bad residual
    else:
        method = f"gauss-seidel, tol {GAUSS_SEIDEL_TOL:g}"
        pi, sweeps, estimate = solvers.iterative_solve(Q, tol=GAUSS_SEIDEL_TOL,
                                                       maxiter=200_000)
        method += f" ({sweeps} sweeps)"
    np.save(os.path.join(workdir, "ref_b.npy"), pi)
    return dict(method=method, time=time.perf_counter() - t0, estimate=estimate,
                rss=peak_rss_mib())


def mttf_reference_job(workdir):
    """Mean time to the goal by one sparse LU solve of the up block (scipy, no hamodel)."""
    import numpy as np
    import scipy.sparse.linalg as spla

    Q = _load_Q(workdir)
    up = np.load(os.path.join(workdir, "up.npy"))
    initial = np.load(os.path.join(workdir, "initial.npy"))
    t0 = time.perf_counter()
    A = Q[up][:, up].tocsc()
    times = spla.spsolve(-A, np.ones(int(up.sum())))
    return dict(method="scipy spsolve on -Q_uu t = 1", value=float(initial[up] @ times),
                time=time.perf_counter() - t0, rss=peak_rss_mib())


def storm_job(name, size, env_name, fallback=False):
    """Build the PRISM model in Storm and check the goal (or the fallback) in one environment."""
    import stormpy
    import stormpy_support as S

    import public_models as P

    model = P.MODELS[name]
    t0 = time.perf_counter()
    program = P.storm_program(name, size)
    formula = (f"LRA=? [{model.fallback}]" if fallback
               else f"T=? [F {model.goal}]" if model.measure == "mttf"
               else f"LRA=? [{model.goal}]")
    prop = stormpy.parse_properties(formula, program)[0]
    built = stormpy.build_model(program, [prop])
    t1 = time.perf_counter()
    env = S.environment(env_name, built)
    result = stormpy.model_checking(built, prop, only_initial_states=True, environment=env)
    value = float(result.get_value(built.initial_states[0]))
    t2 = time.perf_counter()
    if model.measure == "mttf":
        value /= 3600.0 if model.time_unit == "s" else 1.0  # hours, like hamodel
    return dict(states=int(built.nr_states), build=t1 - t0, check=t2 - t1, value=value,
                formula=formula, rss=peak_rss_mib())


def storm_distribution_job(workdir):
    """Storm's precise steady-state distribution (EVT, sparse LU) of hamodel's matrix."""
    import numpy as np
    import stormpy_support as S

    Q = _load_Q(workdir)
    t0 = time.perf_counter()
    pi = S.steady_state(Q, "precise")
    np.save(os.path.join(workdir, "storm_pi.npy"), pi)
    return dict(time=time.perf_counter() - t0, negative=int((pi < 0).sum()),
                rss=peak_rss_mib())


# ------------------------------------------------------------------ isolation
def _child(queue, fn, args, memory_limit):
    try:
        if memory_limit:
            resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
        queue.put(("ok", fn(*args)))
    except MemoryError:
        queue.put(("error", f"out of memory (cap {memory_limit / 2**30:.0f} GiB)"))
    except BaseException as exc:  # report, do not hang the parent
        queue.put(("error", f"{type(exc).__name__}: {exc}"[:240]))


def run_isolated(fn, *args, timeout=600.0, memory_limit=None):
    """fn(*args) in a fresh process (its own peak RSS); a dict with "error" if it fails."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(queue, fn, args, memory_limit))
    start = time.perf_counter()
    proc.start()
    while True:
        try:
            status, value = queue.get(timeout=1.0)
            break
        except Empty:
            if not proc.is_alive():
                code = proc.exitcode
                cap = f" (memory cap {memory_limit / 2**30:.0f} GiB)" if memory_limit else ""
                return dict(error=f"died with exit code {code}{cap} after "
                                  f"{time.perf_counter() - start:.0f} s")
            if time.perf_counter() - start > timeout:
                proc.terminate()
                proc.join()
                return dict(error=f"did not finish in {timeout:.0f} s", timeout=timeout)
    proc.join()
    return value if status == "ok" else dict(error=value)


# ------------------------------------------------------------------ one case
def _errors(pi, ref, up):
    """(goal relative error, max relative error above 1e-12 of the largest)."""
    import numpy as np

    goal, goal_ref = math.fsum(pi[~up]), math.fsum(ref[~up])
    big = ref > 1e-12 * ref.max()
    entry = float(np.max(np.abs(pi[big] / ref[big] - 1.0)))
    return abs(goal / goal_ref - 1.0), entry


def run_case(case, args):
    import public_models as P

    name, size = split_case(case)
    model = P.MODELS[name]
    cap = int(args.memory_limit * 2**30) if args.memory_limit else None
    row = dict(case=case, model=name, size=size, parameter=model.parameter,
               published=P.PUBLISHED_STATES[name].get(size), goal=model.goal)
    work = tempfile.mkdtemp(prefix=f"bench_public_{case}_")
    try:
        row["hamodel"] = ham = run_isolated(hamodel_job, name, size, work, timeout=args.timeout,
                                            memory_limit=cap)
        _progress(case, "hamodel", ham)
        if "error" in ham:
            return row
        if model.measure == "mttf":
            row["ref_a"] = run_isolated(mttf_reference_job, work, timeout=args.timeout,
                                        memory_limit=cap)
        else:
            row["ref_a"] = run_isolated(reference_a_job, work, timeout=args.timeout,
                                        memory_limit=cap)
            row["ref_b"] = run_isolated(reference_b_job, work, timeout=args.timeout,
                                        memory_limit=cap)
            _progress(case, "reference B", row["ref_b"])
        _progress(case, "reference A", row["ref_a"])
        if not args.no_storm:
            row["storm_default"] = run_isolated(storm_job, name, size, "default",
                                                timeout=args.timeout, memory_limit=cap)
            _progress(case, "storm default", row["storm_default"])
            if row["storm_default"].get("timeout") and model.fallback:
                row["storm_fallback"] = run_isolated(storm_job, name, size, "default", True,
                                                     timeout=args.timeout, memory_limit=cap)
                _progress(case, f"storm default on {model.fallback}", row["storm_fallback"])
            row["storm_precise"] = run_isolated(storm_job, name, size, "precise",
                                                timeout=args.precise_timeout, memory_limit=cap)
            _progress(case, "storm precise", row["storm_precise"])
            if model.measure != "mttf" and "error" not in row["storm_precise"]:
                row["storm_pi"] = run_isolated(storm_distribution_job, work,
                                               timeout=args.precise_timeout, memory_limit=cap)
                _progress(case, "storm precise distribution", row["storm_pi"])
        _score(row, work, model)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return row


def _score(row, work, model):
    """Errors of everything against reference A; agreement of A with B and with Storm."""
    import numpy as np

    ham, ref_a = row["hamodel"], row["ref_a"]
    if "error" in ref_a:
        return
    if model.measure == "mttf":
        reference = ref_a["value"]
        row["reference_value"] = reference
        ham["goal_error"] = abs(ham["value"] / reference - 1.0)
        for key in ("storm_default", "storm_precise"):
            if key in row and "error" not in row[key]:
                row[key]["goal_error"] = abs(row[key]["value"] / reference - 1.0)
        return
    up = np.load(os.path.join(work, "up.npy"))
    ref = np.load(os.path.join(work, "ref_a.npy"))
    row["reference_value"] = math.fsum(ref[~up])
    ham["goal_error"], ham["entry_error"] = _errors(np.load(os.path.join(work, "hamodel.npy")),
                                                    ref, up)
    if "error" not in row.get("ref_b", {"error": 1}):
        goal, entry = _errors(np.load(os.path.join(work, "ref_b.npy")), ref, up)
        row["ref_b"].update(goal_agreement=goal, entry_agreement=entry)
    for key in ("storm_default", "storm_precise"):
        if key in row and "error" not in row[key]:
            row[key]["goal_error"] = abs(row[key]["value"] / row["reference_value"] - 1.0)
    if "storm_pi" in row and "error" not in row["storm_pi"]:
        pi = np.load(os.path.join(work, "storm_pi.npy"))
        goal, entry = _errors(pi, ref, up)
        big = ref > 1e-6 * ref.max()
        row["storm_pi"].update(goal_error=goal, entry_error=entry,
                               entry_error_1e6=float(np.max(np.abs(pi[big] / ref[big] - 1))))


def _progress(case, what, r):
    if "error" in r:
        print(f"  [{case}] {what}: {r['error']}", flush=True)
    else:
        keys = ("build", "solve", "check", "time", "method", "value", "rss")
        print(f"  [{case}] {what}: " + ", ".join(
            f"{k} {r[k]:.4g}" if isinstance(r[k], float) else f"{k} {r[k]}"
            for k in keys if k in r), flush=True)


# ------------------------------------------------------------------ report
def machine() -> str:
    import numpy
    import scipy

    versions = {"Python": platform.python_version(), "numpy": numpy.__version__,
                "scipy": scipy.__version__}
    for module in ("stormpy", "pyamg"):
        try:
            versions[module] = __import__(module).__version__
        except ImportError:
            versions[module] = "not installed"
    import importlib.util

    spec = importlib.util.find_spec("hamodel")
    source = os.path.dirname(os.path.dirname(spec.origin)) if spec and spec.origin else "?"
    try:
        commit = subprocess.run(["git", "-C", source, "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, check=False).stdout.strip()
        dirty = subprocess.run(["git", "-C", source, "status", "--porcelain", "hamodel"],
                               capture_output=True, text=True, check=False).stdout.strip()
        commit = (f"{commit}{' + uncommitted changes in hamodel/' if dirty else ''}"
                  if commit else f"not a git checkout: {source}")
    except OSError:
        commit = "?"
    model, ram = "?", float("nan")
    try:
        with open("/proc/cpuinfo") as fh:
            model = next(line.split(":", 1)[1].strip() for line in fh if "model name" in line)
        with open("/proc/meminfo") as fh:
            ram = int(next(line.split()[1] for line in fh if line.startswith("MemTotal"))) / 2**20
    except (OSError, StopIteration):
        pass
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"machine: {model}, {os.cpu_count()} CPUs, {ram:.0f} GiB RAM, load avg {load} "
            f"(1/5/15 min); hamodel {commit}; "
            + ", ".join(f"{k} {v}" for k, v in versions.items()))


def _e(x):
    return "-" if x is None else f"{x:.1e}"


def _s(x):
    return f"{x:.2f}" if x < 10 else f"{x:.1f}"


def _attempts(ham):
    left = [a for a, reason in ham.get("attempts", []) if reason != "answered"
            and not reason.startswith("estimated") and not reason.startswith("its band")]
    return f" (after {', '.join(left)})" if left else ""


def table(rows) -> str:
    head = ("| model | size | states | hamodel build / solve | method | goal probability | "
            "hamodel rel. error goal / max entry (estimate) | peak RSS hamodel / Storm default | "
            "Storm default build / check | Storm default rel. error goal | "
            "Storm precise check, rel. error goal | ratio check Storm default / hamodel solve "
            "| ratio end to end | reference B, agreement with A goal / max entry |")
    lines = [head, "|" + " --- |" * (head.count("|") - 1)]
    for r in rows:
        ham = r.get("hamodel", {})
        states = ham.get("states")
        size = f"{r['parameter']} = {r['size']}"
        if "error" in ham:
            lines.append(f"| {r['model']} | {size} | {r['published']:,} | failed: {ham['error']} "
                         + "| " * 10 + "|")
            continue
        mark = "" if states == r["published"] else f" (published {r['published']:,}!)"
        method = f"{ham['method']}{_attempts(ham)}"
        if ham.get("iterations"):
            method += f", {ham['iterations']} it."
        est = f" ({_e(ham.get('estimate'))})" if ham.get("estimate") is not None else ""
        err = f"{_e(ham.get('goal_error'))} / {_e(ham.get('entry_error'))}{est}"
        sd, spr = r.get("storm_default", {"error": "not run"}), r.get("storm_precise",
                                                                        {"error": "not run"})
        if "error" in sd:
            sd_time, sd_err, sd_rss, ratio, e2e = (sd["error"], "-", "-", "-", "-")
            if sd.get("timeout"):
                ratio = f"> {sd['timeout'] / ham['solve']:.0f}"
                fb = r.get("storm_fallback", {})
                if "check" in fb:
                    sd_time += (f" (on {fb['formula'][7:-1]}, probability {fb['value']:.4g}: "
                                f"{_s(fb['build'])} / {_s(fb['check'])} s)")
                    ratio += f" ({fb['check'] / ham['solve']:.2f} on it)"
                    sd_rss = f"{fb['rss']:.0f}"
        else:
            sd_time = f"{_s(sd['build'])} / {_s(sd['check'])} s"
            sd_err, sd_rss = _e(sd.get("goal_error")), f"{sd['rss']:.0f}"
            ratio = f"{sd['check'] / ham['solve']:.2f}"
            e2e = f"{(sd['build'] + sd['check']) / (ham['build'] + ham['solve']):.2f}"
        if "error" in spr:
            sp_cell = "did not finish" if spr.get("timeout") else spr["error"]
        else:
            sp_cell = f"{_s(spr['check'])} s, {_e(spr.get('goal_error'))}"
            spi = r.get("storm_pi", {})
            if "entry_error" in spi:
                sp_cell += (f" (distribution {_s(spi['time'])} s: max entry {_e(spi['entry_error'])}"
                            f", above 1e-6 {_e(spi['entry_error_1e6'])})")
        rb = r.get("ref_b")
        if rb is None:
            ref_cell = f"{r['ref_a'].get('method', '-')}"
        elif "error" in rb:
            ref_cell = f"none ({rb['error'][:60]})"
        else:
            ref_cell = (f"{rb['method']}: {_e(rb.get('goal_agreement'))} / "
                        f"{_e(rb.get('entry_agreement'))}")
        goal = r.get("reference_value")
        goal = ("-" if goal is None else f"MTTF {goal:.6g} h" if ham["method"] ==
                "mean_time_to_exit" else f"{goal:.3e}")
        lines.append(
            f"| {r['model']} | {size} | {states:,}{mark} | {_s(ham['build'])} / "
            f"{_s(ham['solve'])} s | {method} | {goal} | {err} | "
            f"{ham['rss']:.0f} / {sd_rss} MiB | {sd_time} | {sd_err} | {sp_cell} | {ratio} | "
            f"{e2e} | {ref_cell} |")
    return "\n".join(lines)


def targets(rows) -> list[str]:
    """The issue's target on every case of at least 1e5 states."""
    notes = []
    for r in rows:
        ham = r.get("hamodel", {})
        if ham.get("states", 0) < 100_000:
            continue
        misses = []
        if "error" in ham:
            misses.append(f"hamodel failed ({ham['error']})")
        else:
            for key in ("goal_error", "entry_error"):
                if ham.get(key) is None or not ham[key] <= 1e-9:
                    misses.append(f"{key} {_e(ham.get(key))} > 1e-9")
            sd = r.get("storm_default", {})
            if "check" in sd and not ham["solve"] <= sd["check"]:
                misses.append(f"solve {ham['solve']:.1f} s > Storm default check "
                              f"{sd['check']:.1f} s")
            fb = r.get("storm_fallback", {})
            if "check" in fb and not ham["solve"] <= fb["check"]:
                misses.append(f"solve {ham['solve']:.1f} s > Storm default check of "
                              f"{fb['formula']} {fb['check']:.1f} s (it did not finish the goal)")
        notes.append(f"{r['case']}: " + ("target met" if not misses else "MISSES: "
                                         + "; ".join(misses)))
    return notes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=CASES,
                        help=f"model and size, e.g. cluster128 (default: {' '.join(CASES)})")
    parser.add_argument("--quick", action="store_true", help=f"small cases only: {QUICK}")
    parser.add_argument("--timeout", type=float, default=600.0,
                        help="seconds allowed to one measurement (default 600)")
    parser.add_argument("--precise-timeout", type=float, default=300.0,
                        help="seconds allowed to Storm's precise engine (default 300)")
    parser.add_argument("--memory-limit", type=float, default=8.0,
                        help="address-space cap of every child process, GiB (0: none)")
    parser.add_argument("--no-storm", action="store_true")
    parser.add_argument("--json", help="also write the raw results to this file")
    parser.add_argument("--table-from", metavar="JSON",
                        help="print the table of an earlier run's --json file and exit")
    args = parser.parse_args()
    if args.table_from:
        with open(args.table_from) as fh:
            saved = json.load(fh)
        print(saved["machine"] + "\n\n" + table(saved["rows"]) + "\n")
        for note in targets(saved["rows"]):
            print("  " + note)
        return
    cases = QUICK if args.quick else args.cases
    print(machine(), flush=True)
    rows = []
    started = time.perf_counter()
    for case in cases:
        print(f"\n{case}", flush=True)
        rows.append(run_case(case, args))
        if args.json:
            with open(args.json, "w") as fh:
                json.dump(dict(machine=machine(), rows=rows), fh, indent=1, default=str)
    print(f"\n{machine()}\ntotal {time.perf_counter() - started:.0f} s\n")
    print(table(rows))
    print("\nTarget (at least 1e5 states: relative error <= 1e-9, hamodel solve <= Storm "
          "default check):")
    for note in targets(rows):
        print("  " + note)


if __name__ == "__main__":
    main()
