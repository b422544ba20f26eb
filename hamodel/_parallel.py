"""Run independent chunks of work in this process, in processes, or on a Dask cluster.

One place for the ``workers=`` / ``executor=`` arguments of :func:`hamodel.uncertainty`,
:func:`hamodel.sensitivity` and :func:`hamodel.simulate`. The caller cuts its work into
chunks whose boundaries do not depend on where they run, and a top-level function
evaluates one chunk; :func:`map_chunks` returns the chunks' results in chunk order, so
a result is the same for one worker, a process pool or a cluster.

Where the chunks run
--------------------
``executor=None, workers=1``
    In this process, one chunk after the other.
``executor=None, workers=N``
    A :class:`concurrent.futures.ProcessPoolExecutor` of N processes, made and shut
    down here. If a worker process dies (killed, out of memory), the pool is made
    again and the chunks not yet finished are sent again, at most
    :data:`RETRIES` times.
a :class:`concurrent.futures.Executor`
    Used as it is and left open (a process pool, a thread pool, an MPI pool, ...).
a ``distributed.Client``
    Its :meth:`~distributed.Client.get_executor`; the Dask scheduler itself
    reschedules the tasks of a worker that dies.
``"dask"`` or a scheduler address (``"tcp://10.0.0.5:8786"``)
    The current Dask client, or a client connected to that address for this call
    (needs the ``dask`` extra: ``pip install 'hamodel[dask]'``).

Chunks go to the workers in at most :data:`MAX_TASKS` tasks of consecutive chunks.
Every task is counted exactly once, whichever attempt finished it: the progress bar
advances when a task is done, by the number of items (samples, runs) it holds.
"""

from __future__ import annotations

import pickle
from contextlib import ExitStack, contextmanager

# concurrent.futures.process (and multiprocessing) are imported where used: they would
# add to the time of `import hamodel`.

__all__: list = []  # private: the public names are the arguments of the studies

#: How many times a pool made here is rebuilt after one of its processes died.
RETRIES = 3
#: Most tasks one call submits: consecutive chunks are grouped into tasks beyond that,
#: so that thousands of small chunks (batches of runs) do not each pay a task's
#: scheduling and transfer. Grouping changes what travels together, never a result.
MAX_TASKS = 64

_DASK_HINT = ("Dask is not installed: install the extra with pip install 'hamodel[dask]' "
              "(dask and distributed)")


def check_workers(workers) -> int:
    """`workers` as an int >= 1, or a ValueError naming it."""
    if isinstance(workers, bool) or not hasattr(workers, "__index__") or int(workers) < 1:
        raise ValueError(f"workers = {workers!r}: expected an integer >= 1")
    return int(workers)


def map_chunks(fn, chunks, *, sizes=None, executor=None, workers=1, progress=False,
               desc: str = "", what: str = "") -> list:
    """``[fn(*chunk) for chunk in chunks]``, computed where `executor` / `workers` say.

    Parameters
    ----------
    fn : callable
        A module-level function (it is pickled with each chunk for other processes).
    chunks : sequence of tuple
        The arguments of each call.
    sizes : sequence of int, optional
        Items in each chunk, for the progress bar (default 1 each).
    executor, workers
        See the module notes.
    progress : bool
        Show a progress bar (:func:`hamodel.studies._progress_bar`).
    desc : str
        The bar's label.
    what : str
        The caller's name, for error messages.

    Returns
    -------
    list
        One result per chunk, in chunk order.
    """
    workers = check_workers(workers)
    if executor is not None and workers != 1:
        raise ValueError(f"{what}: workers = {workers} and executor = {executor!r}: give "
                         "one of them (the executor decides how many workers run)")
    chunks = list(chunks)
    sizes = [1] * len(chunks) if sizes is None else list(sizes)
    from .studies import _progress_bar  # the one progress bar of the package

    bar = _progress_bar(sum(sizes), desc) if progress else None
    try:
        if executor is None and workers == 1:
            out = []
            for chunk, size in zip(chunks, sizes):
                out.append(fn(*chunk))
                if bar is not None:
                    bar.update(size)
            return out
        from concurrent.futures import ProcessPoolExecutor

        per = -(-len(chunks) // MAX_TASKS) if chunks else 1
        tasks = [(fn, _Chunks(chunks[i:i + per])) for i in range(0, len(chunks), per)]
        weights = [sum(sizes[i:i + per]) for i in range(0, len(chunks), per)]
        with _executor(executor, workers, what) as (pool, remake):
            if isinstance(pool, ProcessPoolExecutor) and chunks:
                _check_pickle(fn, chunks[0], what)
            parts = _gather(pool, remake, _run_task, tasks, weights, bar, what)
        return [out for part in parts for out in part]
    finally:
        if bar is not None:
            bar.close()


@contextmanager
def _executor(executor, workers, what):
    """Yield (an Executor, a function that replaces a broken one or None)."""
    from concurrent.futures import Executor, ProcessPoolExecutor

    with ExitStack() as stack:
        if executor is None:
            pools = []

            def remake():
                pools.append(ProcessPoolExecutor(max_workers=workers))
                stack.callback(pools[-1].shutdown, wait=True, cancel_futures=True)
                return pools[-1]

            yield remake(), remake
            return
        if isinstance(executor, str):
            executor, owned = _dask_client(executor, what)
            if owned:  # connected for this call only
                stack.callback(executor.close)
        if _is_dask_client(executor):
            pool = executor.get_executor(pure=False)
            stack.callback(pool.shutdown, wait=False)
            yield pool, None
            return
        if isinstance(executor, Executor):
            yield executor, None
            return
        raise TypeError(f"{what}: executor = {executor!r}; expected None, a "
                        "concurrent.futures.Executor, a distributed.Client, 'dask' or a "
                        "Dask scheduler address ('tcp://host:8786')")


def _is_dask_client(obj) -> bool:
    return type(obj).__module__.startswith("distributed") and hasattr(obj, "get_executor")


def _dask_client(name: str, what: str):
    """(client, made here): the current Dask client for ``"dask"``, else a new one."""
    if name != "dask" and "://" not in name:
        raise ValueError(f"{what}: executor = {name!r}; expected 'dask' or a Dask scheduler "
                         "address such as 'tcp://10.0.0.5:8786'")
    try:
        import distributed
    except ImportError:
        raise ImportError(f"{what}: executor = {name!r} needs Dask. {_DASK_HINT}") from None
    if name == "dask":
        try:
            return distributed.get_client(), False
        except ValueError:
            raise ValueError(f"{what}: executor = 'dask' but no Dask client is running: "
                             "start one (distributed.Client(...)) or pass the scheduler "
                             "address") from None
    return distributed.Client(name), True


class _Chunks:
    """Consecutive chunks of one task, in a box that Dask does not look into.

    Before dask 2024.12, a tuple whose first item is callable, anywhere in a task's
    arguments, is a task to run: a chunk ``(build, rows)`` with a callable build
    was called as ``build(rows)`` on the worker.
    """

    __slots__ = ("items",)

    def __init__(self, items):
        self.items = items


def _run_task(fn, chunks: _Chunks) -> list:
    """One task: consecutive chunks, one after the other (in a worker)."""
    return [fn(*chunk) for chunk in chunks.items]


def _check_pickle(fn, chunk, what) -> None:
    try:
        pickle.dumps((fn, chunk))
    except Exception as exc:  # noqa: BLE001 - any pickling failure means the same
        raise TypeError(
            f"{what}: the work goes to other processes, but {chunk[0]!r} cannot be "
            f"pickled ({exc}); define the build callable at module level (not a lambda or "
            "a nested function), or use workers=1") from None


def _gather(pool, remake, fn, chunks, sizes, bar, what) -> list:
    """Submit every chunk, collect each result once, resubmit after a broken pool."""
    from concurrent.futures import FIRST_COMPLETED, wait
    from concurrent.futures.process import BrokenProcessPool

    results: dict = {}
    attempts = 0
    while len(results) < len(chunks):
        running = {pool.submit(fn, *chunks[i]): i
                   for i in range(len(chunks)) if i not in results}
        try:
            while running:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    i = running.pop(future)
                    value = future.result()
                    if i not in results:  # each chunk counted once
                        results[i] = value
                        if bar is not None:
                            bar.update(sizes[i])
        except BrokenProcessPool:
            attempts += 1
            if remake is None or attempts > RETRIES:
                raise RuntimeError(
                    f"{what}: a worker process died ({len(chunks) - len(results)} of "
                    f"{len(chunks)} chunks unfinished"
                    + (f", after {RETRIES} new pools)" if remake is not None else
                       "); the executor was given, so it cannot be rebuilt here")) from None
            for future in running:
                future.cancel()
            pool = remake()
    return [results[i] for i in range(len(chunks))]


def seeds(seed, n: int) -> list:
    """`n` independent :class:`numpy.random.SeedSequence` children of `seed`.

    Child ``i`` depends only on `seed` and ``i`` (not on `n`, nor on where it runs).
    `seed` is an int, a sequence of ints, a SeedSequence, None (fresh entropy) or a
    Generator (whose stream then gives the entropy).
    """
    import numpy as np

    if isinstance(seed, np.random.Generator):
        seed = np.random.SeedSequence(seed.integers(0, 2**32, size=4, dtype=np.uint64))
    elif isinstance(seed, np.random.SeedSequence):
        # A copy: spawn() advances the object, and the caller's may be used again.
        seed = np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key,
                                      pool_size=seed.pool_size)
    else:
        seed = np.random.SeedSequence(seed)
    return seed.spawn(n)
