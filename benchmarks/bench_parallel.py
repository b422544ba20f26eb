"""Benchmark: the same study in one process, in two processes and on a local Dask cluster.

Two workloads, each run in a fresh interpreter per configuration so that its memory
figures are its own:

* ``mc``: ``hm.simulate`` of the web stack of ``bench_simulate.py`` (7 components,
  Weibull and lognormal times), ``--runs`` runs of 10 years;
* ``sobol``: ``hm.sensitivity(method="sobol")`` of the ``ha_galera_drbd.yaml`` stack
  over its four most influential parameters (its tornado's top four, as in notebook
  08), base sample ``--n`` (``n * 6`` stack evaluations of about 14 ms each).

Configurations: ``workers=1``, ``workers=2`` (a process pool) and ``executor=client``
on a ``distributed.LocalCluster`` of two single-threaded worker processes, whose
workers have imported hamodel before the clock starts (as in a cluster already in use;
a process pool's workers are forked with it imported). For each it
prints the wall time, the peak resident memory of the parent and of the largest child
process, and a SHA-256 of the results, which must be the same in every configuration.

Run it with ``.venv/bin/python benchmarks/bench_parallel.py [--runs 1000000] [--n 1024]``
(the ``dask`` extra must be installed). This file is not a test.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _warm_up() -> None:
    import hamodel as hm

    hm.load_stack("single_server.yaml").measures()


def child(workload: str, config: str, runs: int, n: int) -> dict:
    import numpy as np

    import hamodel as hm

    sys.path.insert(0, str(HERE))
    from bench_simulate import build_model

    cluster = client = None
    if config == "dask":
        import distributed

        cluster = distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                           dashboard_address=None, host="127.0.0.1")
        client = distributed.Client(cluster)
        client.wait_for_workers(2)
        # A cluster in use has hamodel imported already: the workers (spawned, not
        # forked like a process pool's) import it before the clock starts.
        client.run(_warm_up)
    how = {"serial": {}, "processes": {"workers": 2}, "dask": {"executor": client}}[config]
    digest = hashlib.sha256()
    if workload == "mc":
        model = build_model()
        t0 = time.perf_counter()
        res = hm.simulate(model, horizon="10y", runs=runs, seed=1, **how)
        seconds = time.perf_counter() - t0
        for name in ("downtime", "outages", "incidents", "degraded", "outage_durations"):
            digest.update(np.ascontiguousarray(getattr(res, name)).tobytes())
        summary = f"availability {res.measures().availability:.8f}"
    else:
        stack = hm.load_stack("ha_galera_drbd.yaml")
        top4 = ["operator_error MTTR", "power_feed MTTR", "operator_error MTBF",
                "physical_server MTTR"]
        t0 = time.perf_counter()
        table = hm.sensitivity(stack, top4, method="sobol", n=n, seed=1, **how)
        seconds = time.perf_counter() - t0
        digest.update(table.to_numpy().tobytes())
        summary = f"top ST {table.index[0]} {table['ST'].iloc[0]:.4f}"
    if client is not None:
        client.close()
        cluster.close()
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"seconds": seconds, "parent_mb": self_kb / 1024, "child_mb": child_kb / 1024,
            "sha256": digest.hexdigest()[:16], "summary": summary}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", choices=["mc", "sobol", "all"], default="all")
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--n", type=int, default=1024)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child, runs=args.runs, n=args.n)))
        return
    for workload in ["mc", "sobol"] if args.workload == "all" else [args.workload]:
        size = f"{args.runs:,} runs" if workload == "mc" else f"n = {args.n}"
        print(f"{workload} ({size}):")
        for config in ("serial", "processes", "dask"):
            out = subprocess.run([sys.executable, __file__, "--runs", str(args.runs),
                                  "--n", str(args.n), "--child", workload, config],
                                 capture_output=True, text=True, check=True)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"  {config:9s} {r['seconds']:8.2f} s  parent {r['parent_mb']:6.0f} MB  "
                  f"largest child {r['child_mb']:6.0f} MB  sha256 {r['sha256']}  "
                  f"{r['summary']}")


if __name__ == "__main__":
    main()
