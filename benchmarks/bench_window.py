"""Issue 11 part 1 speed targets: python benchmarks/bench_window.py (from the repository root).

Measured 2026-12-03 on 2 shared cores: ha_mmm_nfs stack monthly 99.95 % breach 0.3 s
(P(D > 48 h) ~20 s: the sweep grows with L_D x, L_D = 420/h from failovers); the
stiff pair (1e-7/h vs 360/h) monthly breach 0.01 s, its whole law to 720 h 6.5 s,
0.8 GB; a 10,000-state chain 1 s cut to its likely states (0.6 s of it the steady state),
2.5-6 s whole.
"""

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # this checkout's hamodel first

import hamodel as hm  # noqa: E402
from test_window import _grid_chain, _stiff_pair  # noqa: E402


def timed(label, f):
    t0 = time.perf_counter()
    value = f()
    print(f"{label:55s} {time.perf_counter() - t0:7.2f} s   {value:.6g}")


if __name__ == "__main__":
    stack = hm.load_stack("ha_mmm_nfs.yaml")
    timed("stack ha_mmm_nfs, P(breach 99.95 %, 30d)", lambda: stack.slo_breach_probability("99.95%"))
    pair = _stiff_pair()
    timed("stiff pair 1e-7/h vs 360/h, P(breach 99.95 %, 30d)",
          lambda: pair.slo_breach_probability("99.95%"))
    grid = _grid_chain()
    timed("10,000 states, steady start (cut)", lambda: grid.slo_breach_probability("99.95%"))
    timed("10,000 states, from state 0 (whole chain)",
          lambda: grid.slo_breach_probability("99.95%", initial=0))
