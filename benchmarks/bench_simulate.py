"""Benchmark: hm.simulate against a straightforward SimPy simulation of the same model.

Two workloads (``--model``): ``web``, a small web stack, series(parallel(2 load
balancers), 2-of-3 web servers, parallel(2 databases)), with Weibull (wear-out) up
times and lognormal repairs for some units; and ``pair``, two exponential units in
parallel (MTBF 1000 h, MTTR 10 h). Both simulators run the same number of runs of the
same horizon, so the same total simulated time. The SimPy version is the textbook one:
one process per component alternating up and repair times, and a shared monitor that
re-evaluates the system state at every component event (a hand-written Python
structure function).

The random-number floor is the time numpy takes to draw, alone, as many up and repair
times of the same distributions as the simulation needs (the expected number of
cycles that start before the horizon, per component): no simulator built on numpy's
generators can be faster. hamodel's time is printed as a multiple of it.

Run it with ``.venv/bin/python benchmarks/bench_simulate.py [--model web] [--runs N]
[--horizon 10y]`` (``make bench`` runs both models with the defaults). SimPy is
optional: without it only the hamodel timings are printed. This file is not a test.
"""

from __future__ import annotations

import argparse
import math
import random
import time
import warnings

import numpy as np

import hamodel as hm


def build_model():
    lb = [hm.Component(f"lb{i}", ttf=hm.Weibull(1.5, "2y"),
                       ttr=hm.Lognormal.from_mean_cv("2h", 1.5)) for i in range(2)]
    web = [hm.Component(f"web{i}", mtbf="3000h", ttr=hm.Lognormal.from_mean_cv("6h", 2.0))
           for i in range(3)]
    db = [hm.Component(f"db{i}", ttf=hm.Weibull(2.0, "1y"), mttr="12h") for i in range(2)]
    return hm.series(hm.parallel(*lb), hm.k_of_n(2, web), hm.parallel(*db), name="web stack")


def build_pair():
    return hm.parallel(hm.Component("a", mtbf="1000h", mttr="10h"),
                       hm.Component("b", mtbf="1000h", mttr="10h"), name="two units")


def system_up(s) -> bool:
    """The stack's structure function written out for plain Python booleans."""
    return (s[0] or s[1]) and (s[2] + s[3] + s[4] >= 2) and (s[5] or s[6])


def pair_up(s) -> bool:
    return s[0] or s[1]


#: --model: (build, leaf names in order, structure function for plain booleans)
WORKLOADS = {
    "web": (build_model, ["lb0", "lb1", "web0", "web1", "web2", "db0", "db1"], system_up),
    "pair": (build_pair, ["a", "b"], pair_up),
}


def python_sampler(dist, rnd: random.Random):
    """A scalar sampler from the standard library (what a SimPy model would use)."""
    if isinstance(dist, hm.Exponential):
        return lambda: rnd.expovariate(1.0 / dist.mean)
    if isinstance(dist, hm.Weibull):
        return lambda: rnd.weibullvariate(dist.scale, dist.shape)
    if isinstance(dist, hm.Lognormal):
        return lambda: rnd.lognormvariate(dist.mu, dist.sigma)
    if isinstance(dist, hm.Deterministic):
        return lambda: dist.value
    raise TypeError(f"no sampler for {dist!r}")


def simpy_simulate(model, order, system_up, horizon: float, runs: int, seed: int) -> dict:
    """Per-run down time and outage counts from a SimPy event simulation."""
    import simpy

    leaves = model.leaves
    assert [leaf.name for leaf in leaves] == order
    rnd = random.Random(seed)
    samplers = [(python_sampler(leaf.ttf, rnd), python_sampler(leaf.ttr, rnd))
                for leaf in leaves]

    downtime = np.zeros(runs)
    outages = np.zeros(runs, dtype=int)
    for r in range(runs):
        env = simpy.Environment()
        state = [True] * len(leaves)
        book = {"up": True, "since": 0.0, "down": 0.0, "outages": 0}

        def changed(now):
            up = system_up(state)
            if up != book["up"]:
                if not up:
                    book["outages"] += 1
                else:
                    book["down"] += now - book["since"]
                book["up"], book["since"] = up, now

        def unit(env, i, ttf, ttr):
            while True:
                yield env.timeout(ttf())
                state[i] = False
                changed(env.now)
                yield env.timeout(ttr())
                state[i] = True
                changed(env.now)

        for i, (ttf, ttr) in enumerate(samplers):
            env.process(unit(env, i, ttf, ttr))
        env.run(until=horizon)
        if not book["up"]:
            book["down"] += horizon - book["since"]
        downtime[r], outages[r] = book["down"], book["outages"]
    return {"downtime": downtime, "outages": outages}


def best_of(repeat: int, fn):
    """(fastest wall time, last result) over `repeat` calls: a shared machine's noise
    only ever adds time."""
    times, out = [], None
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def rng_floor(model, horizon: float, runs: int, seed: int, repeat: int) -> float:
    """Fastest time to draw, alone, the up and repair times `runs` runs need."""
    def draw():
        rng = np.random.default_rng(seed)
        for leaf in model.leaves:
            cycles = runs * horizon / (leaf.ttf.mean + leaf.ttr.mean)
            leaf.ttf.sample(rng, round(cycles) + runs)  # + the up time that crosses H
            leaf.ttr.sample(rng, round(cycles))
    return best_of(repeat, draw)[0]


def describe(label, downtime, outages, horizon):
    runs = downtime.size
    u = downtime / horizon
    half = 1.96 * u.std(ddof=1) / math.sqrt(runs)
    f = outages / horizon * hm.HOURS_PER_YEAR
    fhalf = 1.96 * f.std(ddof=1) / math.sqrt(runs)
    print(f"  {label:8s} availability {1 - u.mean():.6f} +- {half:.6f}   "
          f"outages/yr {f.mean():.4f} +- {fhalf:.4f}")


def run(name: str, args) -> None:
    build, order, structure = WORKLOADS[name]
    model = build()
    horizon = hm.duration(args.horizon)
    events = sum(2 * horizon / (leaf.ttf.mean + leaf.ttr.mean) for leaf in model.leaves)
    print(f"model: {model.name} ({len(model.leaves)} components); {args.runs} runs of "
          f"{horizon:.6g} h = {args.runs * horizon:.3g} simulated hours, "
          f"~{events * args.runs:,.0f} component events")
    analytic = model.measures()
    print(f"  analytic (means only, exponential): availability {analytic.availability:.6f}, "
          f"outages/yr {analytic.outages_per_year:.4f}")

    with warnings.catch_warnings():  # two runs see few outages: that is not the point
        warnings.simplefilter("ignore", hm.FewOutagesWarning)
        hm.simulate(model, horizon=horizon, runs=2, seed=0)  # warm up imports and caches
    t_hm, res = best_of(args.repeat, lambda: hm.simulate(model, horizon=horizon,
                                                          runs=args.runs, seed=args.seed))
    print(f"hamodel.simulate: {t_hm:.3f} s (best of {args.repeat})")
    describe("hamodel", np.asarray(res.downtime), np.asarray(res.outages), horizon)
    t_rng = rng_floor(model, horizon, args.runs, args.seed, args.repeat)
    print(f"random-number floor: {t_rng:.3f} s (numpy drawing the up and repair times "
          f"alone); hamodel takes {t_hm / t_rng:.1f}x that")

    try:
        import simpy  # noqa: F401
    except ImportError:
        print("simpy is not installed (pip install simpy, or the 'bench' extra: pip install -e .[bench]): "
              "skipping the SimPy comparison")
        return
    t_simpy, ref = best_of(args.repeat, lambda: simpy_simulate(
        model, order, structure, horizon, args.runs, args.seed))
    print(f"simpy:            {t_simpy:.3f} s (best of {args.repeat})")
    describe("simpy", ref["downtime"], ref["outages"], horizon)
    print(f"speed-up: {t_simpy / t_hm:.0f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=[*WORKLOADS, "all"], default="all")
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--horizon", default="10y")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3,
                        help="time each simulator this many times and report the fastest")
    args = parser.parse_args()
    for name in WORKLOADS if args.model == "all" else [args.model]:
        run(name, args)


if __name__ == "__main__":
    main()
