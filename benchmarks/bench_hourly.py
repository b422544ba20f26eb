"""Benchmark: outages by hour of the day (hm.hour_of_day) on the shipped stacks.

For each shipped stack: the time of `hour_of_day` under a daily schedule (on-call
response 15 min from 09:00 to 17:00 every day, 1 h otherwise: a 24-hour period) and
under a weekly one (weekdays only, 2 h at weekends, with the weekly business traffic
profile: a 168-hour period), and the answer to the night question: outages longer
than 20 minutes per year that start between 00:00 and 06:00.

Side by side, the same night figure from a seeded event-by-event simulation of the
periodic chain (the semantics of hm.OnCall written out for one path at a time, the
reference of tests/test_hourly.py), with its 95 % interval and its time: what a
Monte Carlo answer of that precision costs.

Run it with ``.venv/bin/python benchmarks/bench_hourly.py [--years 2000]``. Not a test.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import warnings
from pathlib import Path

import numpy as np

import hamodel as hm

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


def night_long_outages_by_simulation(stack, oncall, years, seed):
    """Night outages > 20 min per year of a stack by simulating each tier's chain."""
    from test_hourly import _simulate_periodic

    rng = np.random.default_rng(seed)
    horizon = years * hm.HOURS_PER_YEAR
    parts = [_simulate_periodic(b.to_ctmc(), oncall.response_hours(), oncall.threshold,
                                horizon, rng) for b in stack.model.blocks]
    events = sorted([(a, 1) for p in parts for a, _ in p] + [(b, -1) for p in parts for _, b in p])
    depth, since, count = 0, None, 0
    for t, step in events:
        if depth == 0 and step == 1:
            since = t
        depth += step
        if depth == 0 and t - since > 1 / 3 and (since % 24) < 6:
            count += 1
    rate = count / years
    half = 1.96 * math.sqrt(max(count, 1)) / years
    return rate, rate - half, rate + half


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=float, default=2000.0,
                        help="simulated years per stack (default 2000)")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", hm.ApproximationWarning)
    daily = hm.OnCall("09:00-17:00", response="15min", night_response="1h")
    weekly = hm.OnCall("Mon-Fri 09:00-17:00", response="15min", night_response="1h",
                       weekend_response="2h")
    traffic = hm.TrafficProfile.shipped("business")
    print(f"{'stack':28s} {'daily (s)':>9s} {'weekly (s)':>10s} {'night >20min/yr':>16s} "
          f"{'simulated (95 % interval)':>32s} {'sim (s)':>8s} {'ratio':>7s}")
    for name in hm.shipped_stacks().index:
        stack = hm.load_stack(name)
        stack.model.blocks  # load before timing
        t0 = time.perf_counter()
        stack.hour_of_day(daily)
        t1 = time.perf_counter()
        res = stack.hour_of_day(weekly, traffic)
        t2 = time.perf_counter()
        night = res.between(0, 6)["outages > 20 min/yr"]
        rate, lo, hi = night_long_outages_by_simulation(stack, weekly, args.years, seed=1)
        t3 = time.perf_counter()
        print(f"{name:28s} {t1 - t0:9.2f} {t2 - t1:10.2f} {night:16.4f} "
              f"{rate:10.4f} ({lo:.4f}, {hi:.4f}){'':6s} {t3 - t2:8.1f} "
              f"{(t3 - t2) / (t2 - t1):6.0f}x")


if __name__ == "__main__":
    main()
