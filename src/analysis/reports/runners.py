"""Where the report runs go: a local process pool, or a dask.distributed cluster."""
from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
from dataclasses import asdict

from analysis.reports.plan import Result, Task
from analysis.reports.render import KERNEL, describe_error, render_one


def _quiet_worker() -> None:
    """In a pool worker: send the kernels' console chatter to /dev/null (errors come back in the Result)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)


def run_local(tasks: list[Task], jobs: int, timeout, kernel: str, on_done) -> None:
    if jobs <= 1:
        for t in tasks:
            on_done(render_one(t, timeout, kernel))
        return
    ctx = multiprocessing.get_context("spawn")
    with cf.ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_quiet_worker) as pool:
        futures = {pool.submit(render_one, asdict(t), timeout, kernel): t for t in tasks}
        for fut in cf.as_completed(futures):
            t = futures[fut]
            try:
                on_done(fut.result())
            except Exception as exc:  # the worker process itself died
                on_done(Result(t.kind, t.name, t.stem, "failed", error=describe_error(exc), out_ipynb=t.out_ipynb))


def render_in_fresh_thread(task: dict, timeout=None, kernel: str = KERNEL) -> Result:
    """:func:`render_one` in a new thread with its own event loop.

    A dask worker runs tasks in threads that may share or already run an asyncio loop, which
    the kernel client (nbclient) cannot use; a fresh thread per notebook avoids that.
    """
    import threading

    box: list = []

    def target():
        import asyncio

        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            box.append(render_one(task, timeout, kernel))
        finally:
            asyncio.set_event_loop(None)
            loop.close()

    thread = threading.Thread(target=target, name=f"report-{task.get('stem', '')}")
    thread.start()
    thread.join()
    return box[0]


def run_dask(tasks: list[Task], scheduler: str, jobs: int, timeout, kernel: str, on_done) -> None:
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler == "local":
        cluster = LocalCluster(n_workers=max(jobs, 1), threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        futures = {
            client.submit(render_in_fresh_thread, asdict(t), timeout, kernel, pure=False, key=f"report-{t.kind}-{t.stem}-{t.key[:8]}"): t
            for t in tasks
        }
        for fut in as_completed(list(futures)):
            t = futures[fut]
            try:
                on_done(fut.result())
            except Exception as exc:  # lost worker, unpicklable result, ...
                on_done(Result(t.kind, t.name, t.stem, "failed", error=describe_error(exc), out_ipynb=t.out_ipynb))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


