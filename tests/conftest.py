"""Shared fixtures and the test conventions of hamodel.

Conventions
-----------
* Layout. ``tests/test_<module>.py`` tests ``hamodel/<module>.py``. ``tests/`` is
  not a package, so test file basenames must be unique; shared helpers live in
  plain modules next to this file (imported by name, e.g. ``import
  stormpy_support``).
* What runs. ``make test`` (= ``python -m pytest`` from the repository root) runs
  the unit tests here, the docstring Examples of every module in ``hamodel/``
  (``--doctest-modules``; option flags NUMBER, NORMALIZE_WHITESPACE and ELLIPSIS)
  and every ``notebooks/*.ipynb`` under nbval (``--nbval``; volatile output is
  sanitized by ``tests/nbval_sanitize.cfg``). Settings are in ``pyproject.toml``.
* References vs snapshots. A test against an outside authority (a closed form, a
  textbook case, another solver such as Storm) is named after that authority and
  states why its tolerance is what it is. A test whose expected value is what the
  code printed once is a snapshot: put ``snapshot`` in its name.
* Parametrize over small exact cases (``pytest.mark.parametrize``) rather than
  writing loops inside one test.
* Randomness is seeded. Use the ``rng`` fixture (a ``numpy.random.Generator``
  seeded with ``SEED``); never call the global ``np.random.*`` functions. The
  legacy global generators are also re-seeded before every test, so code that
  still uses them is reproducible. Statistical tolerances are derived from the
  sample size (e.g. a few standard errors), not tuned until the test passes.
* Hypothesis. The ``ci`` profile (``deadline=None``, 50 examples, derandomized)
  is loaded by default; choose another with ``HYPOTHESIS_PROFILE=dev`` (more
  examples, random) or ``HYPOTHESIS_PROFILE=debug``.
* Plots. matplotlib uses the non-interactive Agg backend (set here, before any
  ``pyplot`` import); figures are closed after every test. Plot tests check the
  returned ``Axes`` (lines, labels, limits), not pixels. Notebooks under nbval
  run in their own kernel and keep the inline backend.
* Markers are strict (``--strict-markers``): ``slow`` and ``stormpy`` are
  declared in ``pyproject.toml``; declare any new one there.
* Warnings: ``RuntimeWarning`` (division by zero, invalid value) is an error, as
  are Deprecation/FutureWarnings raised from hamodel code. Bad input must raise a
  clear exception, never produce a silent NaN.
"""

from __future__ import annotations

import os
import random
import sys

import matplotlib

matplotlib.use("Agg")  # before anything imports matplotlib.pyplot

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, Verbosity, settings  # noqa: E402

#: The one seed used by every randomized test.
SEED = 20240611

settings.register_profile(
    "ci",
    deadline=None,
    max_examples=50,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, max_examples=200)
settings.register_profile("debug", deadline=None, max_examples=10, verbosity=Verbosity.verbose)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def rng() -> np.random.Generator:
    """A fresh ``numpy.random.Generator`` seeded with ``SEED`` for each test."""
    return np.random.default_rng(SEED)


@pytest.fixture(autouse=True)
def _seed_global_generators() -> None:
    """Re-seed the legacy global generators so stray uses stay reproducible."""
    random.seed(SEED)
    np.random.seed(SEED)  # noqa: NPY002 (legacy API, on purpose)


@pytest.fixture(autouse=True)
def _close_figures():
    """Close every matplotlib figure a test opened."""
    yield
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


@pytest.fixture
def ax():
    """A fresh Axes on an Agg figure, for ``plot_x(obj, ax=ax)`` tests."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    return ax
