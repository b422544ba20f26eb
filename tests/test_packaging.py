"""hamodel as a package: import cost, the wheel and the sdist, the declared floors.

The wheel test builds the sdist and the wheel the way a release would (``python -m
build --no-isolation``: offline, with this venv's setuptools), installs the wheel
into a fresh venv outside the checkout and runs a stack end to end there. The new venv
sees this venv's site-packages through a ``.pth`` file, so numpy, scipy and the rest
are not downloaded again; hamodel itself comes only from the wheel (this venv's
editable hamodel is a finder hook that a ``.pth`` path does not load).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

import hamodel

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())

#: Modules that ``import hamodel`` must not load: each costs a large part of a second
#: (scipy.stats, scipy.optimize), or is optional (stormpy), or opens a GUI backend.
HEAVY = ("scipy.stats", "scipy.optimize", "stormpy", "matplotlib.pyplot")
#: Lenient bound for a loaded CI machine; an idle one imports hamodel in under 1 s.
IMPORT_SECONDS = 1.5


def _run(cmd, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, check=False, **kwargs)


def _check(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, (
        f"{' '.join(map(str, result.args))} exited {result.returncode}\n"
        f"--- stdout\n{result.stdout[-3000:]}\n--- stderr\n{result.stderr[-3000:]}")
    return result


# --- import cost ---------------------------------------------------------------------


_PROBE = f"""
import json, sys, time
t = time.perf_counter()
import hamodel
seconds = time.perf_counter() - t
print(json.dumps({{"seconds": seconds,
                  "loaded": [m for m in {HEAVY!r} if m in sys.modules]}}))
"""


def test_import_hamodel_loads_no_heavy_module():
    out = json.loads(_check(_run([sys.executable, "-c", _PROBE], cwd=ROOT)).stdout)
    assert out["loaded"] == [], f"import hamodel loads {out['loaded']}; import them where used"


def test_import_hamodel_is_fast():
    # Best of three fresh interpreters: the first one may pay for a cold disk cache.
    times = [json.loads(_check(_run([sys.executable, "-c", _PROBE], cwd=ROOT)).stdout)["seconds"]
             for _ in range(3)]
    assert min(times) < IMPORT_SECONDS, f"import hamodel took {min(times):.2f} s (best of 3)"
