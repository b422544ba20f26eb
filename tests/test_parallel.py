"""Tests of hamodel/_parallel.py: studies and simulations in processes and on Dask.

The reference for every parallel run is the same call with ``workers=1`` in this
process: results must be bit-identical (``check_exact``), because chunk boundaries and
random streams do not depend on where the chunks run. Fault tolerance is tested by a
build function that kills its own worker process (``os._exit``) on its first call
anywhere, claimed through a marker file created with ``O_EXCL`` (so exactly one call
dies); the study must still finish with every sample present once and a progress bar
that counts each chunk once.

The Dask tests use a real ``distributed.LocalCluster`` of two worker processes on
loopback; they are skipped, with the reason, where the ``dask`` extra is not installed
(``make test`` installs it with the test extra).
"""

from __future__ import annotations

import os
import re
import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
from conftest import SEED

import hamodel as hm
from hamodel import _parallel

try:
    import distributed
except ImportError:  # pragma: no cover - the test extra installs it
    distributed = None

needs_dask = pytest.mark.skipif(
    distributed is None, reason="dask.distributed is not installed: pip install 'hamodel[dask]'")

RANGES = {"mtbf": ("1y", "2y", "10y"), "mttr": ("30min", "2h", "8h")}

# Short simulations with few system outages: the warning is tested in test_simulate.py.
pytestmark = pytest.mark.filterwarnings("ignore::hamodel.FewOutagesWarning")


# Module level, so that worker processes can unpickle them.
def web_unit(mtbf, mttr):
    return hm.Component("web", mtbf=mtbf, mttr=mttr)


class DieOnce:
    """A build function whose first call, in whichever process, kills that process."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __call__(self, mtbf, mttr):
        try:
            os.close(os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return web_unit(mtbf, mttr)
        os._exit(3)  # the worker process dies mid-chunk, without cleaning up


def square_chunk(values):
    return [v * v for v in values]


def stack_model():
    web = [hm.Component(f"web{i}", ttf=hm.Weibull(1.5, "3000h"),
                        ttr=hm.Lognormal.from_mean_cv("6h", 2.0)) for i in range(3)]
    db = [hm.Component(f"db{i}", mtbf="1y", mttr="12h") for i in range(2)]
    return hm.series(hm.k_of_n(2, web), hm.parallel(*db), name="stack")


def assert_same_simulation(a, b):
    for field in ("downtime", "outages", "incidents", "degraded", "outage_durations",
                  "outage_censored", "outage_runs"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field), err_msg=field)


# ------------------------------------------------------------------ map_chunks
@pytest.mark.parametrize("how", [dict(workers=1), dict(workers=2),
                                 dict(executor=ThreadPoolExecutor(2))],
                         ids=["serial", "processes", "threads"])
def test_chunks_come_back_in_order(how):
    chunks = [(list(range(i, i + 3)),) for i in range(0, 30, 3)]
    out = _parallel.map_chunks(square_chunk, chunks, what="test", **how)
    assert [v for part in out for v in part] == [i * i for i in range(30)]


def test_workers_and_executor_together_are_refused():
    with pytest.raises(ValueError, match="workers = 2 and executor = .*give one of them"):
        hm.uncertainty(web_unit, RANGES, n=4, workers=2, executor=ThreadPoolExecutor(1))


@pytest.mark.parametrize("executor, error, match", [
    (5, TypeError, "executor = 5; expected None, a concurrent.futures.Executor"),
    ("threads", ValueError, "executor = 'threads'; expected 'dask' or a Dask scheduler"),
])
def test_bad_executor_is_named(executor, error, match):
    with pytest.raises(error, match=match):
        hm.simulate(hm.Component("u", mtbf="1y", mttr="4h"), runs=4, executor=executor)


def test_a_dask_request_without_dask_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    with pytest.raises(ImportError, match=re.escape("pip install 'hamodel[dask]'")):
        hm.uncertainty(web_unit, RANGES, n=4, executor="tcp://127.0.0.1:8786")


def test_a_study_survives_a_killed_worker_process(tmp_path, capsys):
    """The pool made for workers=2 is rebuilt once and the unfinished chunks run again."""
    reference = hm.uncertainty(web_unit, RANGES, n=12, seed=SEED)
    result = hm.uncertainty(DieOnce(tmp_path / "died"), RANGES, n=12, seed=SEED,
                            workers=2, progress=True)
    assert (tmp_path / "died").exists()  # a worker did die
    pd.testing.assert_frame_equal(reference.samples, result.samples, check_exact=True)
    err = capsys.readouterr().err
    assert "12/12" in err and not re.search(r"1[3-9]/12|2\d/12", err)


def test_a_given_pool_that_breaks_is_reported(tmp_path):
    with ProcessPoolExecutor(2) as pool, pytest.raises(RuntimeError, match="worker process died"):
        hm.uncertainty(DieOnce(tmp_path / "died"), RANGES, n=8, seed=1, executor=pool)


# -------------------------------------------------------------------- simulate
def test_simulate_is_the_same_in_one_process_and_in_two():
    model = stack_model()
    one = hm.simulate(model, horizon="5y", runs=300, seed=SEED, batch=64)
    two = hm.simulate(model, horizon="5y", runs=300, seed=SEED, batch=64, workers=2)
    threads = hm.simulate(model, horizon="5y", runs=300, seed=SEED, batch=64,
                          executor=ThreadPoolExecutor(3))
    assert_same_simulation(one, two)
    assert_same_simulation(one, threads)


def test_a_batch_depends_on_its_index_only():
    """Batch i draws from child i of the seed: the first 128 runs of a longer simulation
    are the 128 runs of a shorter one with the same batch size."""
    model = stack_model()
    short = hm.simulate(model, horizon="2y", runs=128, seed=SEED, batch=64)
    long = hm.simulate(model, horizon="2y", runs=320, seed=SEED, batch=64)
    np.testing.assert_array_equal(short.downtime, long.downtime[:128])
    np.testing.assert_array_equal(short.incidents, long.incidents[:128])


def test_simulate_progress_counts_runs(capsys):
    hm.simulate(stack_model(), horizon="1y", runs=50, seed=1, batch=20, progress=True)
    err = capsys.readouterr().err
    assert "stack: 100%|" in err and "50/50" in err


# ------------------------------------------------------------------------ Dask
@pytest.fixture(scope="module")
def client():
    if distributed is None:  # pragma: no cover
        pytest.skip("dask.distributed is not installed: pip install 'hamodel[dask]'")
    import cloudpickle

    # Worker processes do not import this test module: send its functions by value.
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    cluster = distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                       dashboard_address=None, host="127.0.0.1")
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()
    cloudpickle.unregister_pickle_by_value(sys.modules[__name__])


@needs_dask
def test_dask_cluster_gives_the_same_study_as_one_process(client):
    serial = hm.uncertainty(web_unit, RANGES, n=40, seed=SEED)
    on_dask = hm.uncertainty(web_unit, RANGES, n=40, seed=SEED, executor=client)
    by_address = hm.uncertainty(web_unit, RANGES, n=40, seed=SEED,
                                executor=client.scheduler.address)
    pd.testing.assert_frame_equal(serial.samples, on_dask.samples, check_exact=True)
    pd.testing.assert_frame_equal(serial.samples, by_address.samples, check_exact=True)
    current = hm.uncertainty(web_unit, RANGES, n=40, seed=SEED, executor="dask")
    pd.testing.assert_frame_equal(serial.samples, current.samples, check_exact=True)
    assert client.status == "running"  # the current client is used, not closed
    tornado = hm.sensitivity(web_unit, RANGES, executor=client.get_executor())
    pd.testing.assert_frame_equal(hm.sensitivity(web_unit, RANGES), tornado, check_exact=True)


@needs_dask
def test_dask_cluster_gives_the_same_simulation_as_one_process(client):
    model = stack_model()
    serial = hm.simulate(model, horizon="5y", runs=300, seed=SEED, batch=64)
    on_dask = hm.simulate(model, horizon="5y", runs=300, seed=SEED, batch=64, executor=client)
    assert_same_simulation(serial, on_dask)


@needs_dask
def test_dask_study_survives_a_killed_worker(client, tmp_path, capsys):
    """Dask reschedules the chunk of the dead worker; it is counted once."""
    reference = hm.uncertainty(web_unit, RANGES, n=20, seed=SEED)
    result = hm.uncertainty(DieOnce(tmp_path / "died"), RANGES, n=20, seed=SEED,
                            executor=client, progress=True)
    assert (tmp_path / "died").exists()
    pd.testing.assert_frame_equal(reference.samples, result.samples, check_exact=True)
    err = capsys.readouterr().err
    assert "20/20" in err and not re.search(r"2[1-9]/20|[3-9]\d/20", err)
    client.wait_for_workers(2, timeout=60)  # the nanny restarted the dead worker
