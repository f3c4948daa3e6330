"""Where the report runs go: local worker processes, or a dask.distributed cluster.

Both keep a :class:`~analysis.reports.render.Renderer` per worker (a warm kernel, one HTML
exporter) that renders report after report.

Local (:func:`run_local`): ``jobs`` worker processes, each sent one report at a time.  A
worker that dies (killed, out of memory, a crash in native code) costs only the report it was
running: that report is tried once more in a fresh worker, then given up as failed; the
other workers and reports go on.  Workers end when the batch ends, killed or not (their
parent's death signal on Linux, else a watchdog), and their kernels with them.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import threading
from collections import deque
from dataclasses import asdict
from multiprocessing.connection import wait

from analysis.reports.plan import Result, Task
from analysis.reports.render import KERNEL, Renderer, describe_error

#: a report whose worker died is tried this many times more in a fresh worker
RETRIES = 1


def _quiet_worker() -> None:
    """In a worker: send the kernels' console chatter to /dev/null (errors come back in the Result)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)


def _worker_main(conn, parent: int, timeout, kernel: str, quiet: bool) -> None:
    """A worker process: render the tasks received on ``conn`` until told to stop."""
    from analysis.processes import die_with_parent

    die_with_parent(parent, signal.SIGTERM)
    if quiet:
        _quiet_worker()
    renderer = Renderer(kernel, timeout)

    def stop(signum, frame):  # the parent died or we were told to end: take the kernel with us, at once
        renderer.kill_kernel()
        os._exit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    code = 0
    try:
        renderer.warm_up()  # before the first report arrives: kernel, imports, exporter
        while True:
            try:
                task = conn.recv()
            except (EOFError, OSError):
                break
            if task is None:
                break
            conn.send(renderer.render(task))
    except BaseException:  # noqa: BLE001 - KeyboardInterrupt and the like: end as below
        code = 1
    finally:
        renderer.close()
        conn.close()
    # end here: the kernel client's threads (zmq, asyncio) can hang the interpreter's own shutdown
    os._exit(code)


class _Worker:
    def __init__(self, ctx, timeout, kernel: str, quiet: bool):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(
            target=_worker_main, args=(child, os.getpid(), timeout, kernel, quiet), name="report-worker", daemon=True
        )
        self.proc.start()
        child.close()
        self.task: Task | None = None
        self.attempt = 0

    def send(self, task: Task, attempt: int) -> None:
        self.task, self.attempt = task, attempt
        self.conn.send(asdict(task))

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (OSError, ValueError):
            pass

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.terminate()
        self.proc.join(5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()


def _died(task: Task, proc) -> Result:
    code = proc.exitcode
    how = f"signal {-code} ({signal.Signals(-code).name})" if code is not None and code < 0 else f"exit code {code}"
    return Result(
        task.kind,
        task.name,
        task.stem,
        "failed",
        out_ipynb=task.out_ipynb,
        error=f"WorkerDied: the worker running this report ended ({how}), twice",
    )


def run_local(tasks: list[Task], jobs: int, timeout, kernel: str, on_done, quiet: bool = True) -> None:  # noqa: PLR0915 - the local pool's event loop: results, time limits and dead workers handled where they arrive
    """Render ``tasks`` in ``jobs`` worker processes, calling ``on_done(result)`` as each ends."""
    ctx = multiprocessing.get_context("spawn")
    todo: deque[tuple[Task, int]] = deque((t, 0) for t in tasks)
    workers: list[_Worker] = []
    stopped: list[_Worker] = []

    def start_one() -> None:
        """A fresh worker with the next task (a worker found dead before it took the task is replaced)."""
        for _ in range(3):
            if not todo:
                return
            w = _Worker(ctx, timeout, kernel, quiet)
            task, attempt = todo.popleft()
            try:
                w.send(task, attempt)
            except (OSError, ValueError):
                todo.appendleft((task, attempt))
                w.task = None
                w.kill()
                continue
            workers.append(w)
            return
        raise RuntimeError("three report workers in a row died as they started")

    try:
        for _ in range(min(max(jobs, 1), len(todo))):
            start_one()
        while workers:
            ready = wait([w.conn for w in workers] + [w.proc.sentinel for w in workers])
            for w in list(workers):
                if w.conn not in ready and w.proc.sentinel not in ready:
                    continue
                result = None
                try:
                    if w.conn.poll():
                        result = w.conn.recv()
                except (EOFError, OSError):
                    result = None
                if result is not None:
                    w.task = None
                    on_done(result)
                    if todo:
                        task, attempt = todo.popleft()
                        try:
                            w.send(task, attempt)
                        except (OSError, ValueError):  # it died after its last report: the task never started
                            todo.appendleft((task, attempt))
                            w.task = None
                            w.kill()
                            workers.remove(w)
                            start_one()
                    else:
                        w.stop()
                        workers.remove(w)
                        stopped.append(w)
                    continue
                if w.proc.is_alive() and w.conn not in ready:
                    continue
                # the worker died (or closed its end) while running w.task
                w.kill()
                workers.remove(w)
                if w.task is not None:
                    if w.attempt < RETRIES:
                        todo.appendleft((w.task, w.attempt + 1))
                    else:
                        on_done(_died(w.task, w.proc))
                if todo:
                    start_one()
    finally:
        for w in workers:
            w.stop()
        for w in workers + stopped:
            w.proc.join(15)
            if w.proc.is_alive():
                w.kill()


# ----------------------------------------------------------------------------- dask


class _Host:
    """A thread that owns a :class:`Renderer` (its kernel client and event loop belong to the thread)."""

    def __init__(self, kernel: str, timeout):
        self.key = (kernel, timeout)
        self.jobs: queue.Queue = queue.Queue()
        self.thread = threading.Thread(target=self._loop, args=(kernel, timeout), name="report-kernel", daemon=True)
        self.thread.start()

    def _loop(self, kernel, timeout) -> None:
        import asyncio

        asyncio.set_event_loop(asyncio.new_event_loop())
        renderer = Renderer(kernel, timeout)
        while True:
            job = self.jobs.get()
            if job is None:
                break
            task, box, done = job
            try:
                box.append(renderer.render(task))
            except BaseException as exc:  # noqa: BLE001
                box.append(exc)
            finally:
                done.set()
        renderer.close()

    def render(self, task: dict) -> Result:
        box: list = []
        done = threading.Event()
        self.jobs.put((task, box, done))
        done.wait()
        if isinstance(box[0], BaseException):
            raise box[0]
        return box[0]

    def close(self) -> None:
        self.jobs.put(None)
        self.thread.join(30)


_idle_hosts: list[_Host] = []
_all_hosts: list[_Host] = []
_hosts_lock = threading.Lock()


def _close_hosts() -> None:
    with _hosts_lock:
        hosts = list(_all_hosts)
        _all_hosts.clear()
        _idle_hosts.clear()
    for h in hosts:
        h.close()


def render_on_worker(task: dict, timeout=None, kernel: str = KERNEL) -> Result:
    """A dask task: render ``task`` with a warm kernel of this worker process.

    Each worker process keeps its kernels (one per task running at the same time, each owned
    by its own thread) between tasks and batches, so the same warm state serves every report.
    """
    import atexit

    key = (kernel, timeout)
    with _hosts_lock:
        host = next((h for h in _idle_hosts if h.key == key), None)
        if host is not None:
            _idle_hosts.remove(host)
        else:
            if not _all_hosts:
                atexit.register(_close_hosts)
            host = _Host(kernel, timeout)
            _all_hosts.append(host)
    try:
        return host.render(task)
    finally:
        with _hosts_lock:
            if host in _all_hosts:
                _idle_hosts.append(host)


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
            client.submit(
                render_on_worker, asdict(t), timeout, kernel, pure=False, key=f"report-{t.kind}-{t.stem}-{t.key[:8]}"
            ): t
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
