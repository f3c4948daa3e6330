"""Reading files in worker processes that can be stopped, one file's fault costing only that file.

:func:`run_files` hands the files out to ``jobs`` worker processes (in chunks, to keep the
overhead small) and yields one result per file, in the order of the files. It holds three
promises a plain process pool does not:

- **a deadline per file**: a worker still busy with one file after
  :meth:`~analysis.ingest.limits.Limits.hard_deadline` seconds is killed; the file becomes a
  ``file-timeout`` problem and the rest of its chunk goes to a fresh worker;
- **a dead worker costs only its own file**: a worker that dies (killed, out of memory, a crash
  in a C library) is replaced; the file it was reading is tried once more, alone, in a fresh
  worker, and when that dies too it is a ``parse-failed`` problem;
- **workers die with their parent**: each worker asks the kernel for a death signal when the
  ingest process goes (:func:`analysis.processes.die_with_parent`), so killing the ingest
  leaves no worker writing or reading behind.

With a ``reader`` (:class:`ChunkReader`), each worker reads through it and calls its
``end()`` after every chunk (the ingest's readers write the chunk's rows to a Parquet part
there). The results of a chunk are yielded only once its ``end()`` has returned: when a worker
dies or is stopped in the middle of a chunk, the files of that chunk it had already read are
read again by a fresh worker, so no result refers to a part that was never written.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Iterator
from multiprocessing.connection import wait
from typing import Protocol

from analysis.ingest.limits import Limits
from analysis.processes import die_with_parent

Item = tuple[int, str, str]  # index, path, name shown


class ChunkReader(Protocol):
    """Reads files one by one in a worker and finishes each chunk of them (see the module)."""

    def read(self, idx: int, path: str, rel: str, limits: Limits) -> object: ...

    def end(self) -> object: ...


#: collections of the youngest generation every this many allocations (Python's default is 700):
#: the parser makes millions of short-lived objects and keeps memo tables of long-lived ones,
#: which frequent collections walk again and again (a tenth of the reading's time)
GC_THRESHOLD = (50_000, 20, 10)


def settle_gc(freeze: bool = False) -> None:
    """Collect garbage less often (:data:`GC_THRESHOLD`); with ``freeze``, leave what the
    process holds so far (a forked worker's inheritance) out of every later collection."""
    if freeze:
        gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)


def _context():
    methods = mp.get_all_start_methods()
    return mp.get_context("fork" if "fork" in methods else "spawn")


def _worker(conn, parent: int, read: Callable, limits: Limits, reader: ChunkReader | None = None) -> None:
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what an interrupt ends
    settle_gc(freeze=True)
    while True:
        try:
            chunk = conn.recv()
        except (EOFError, OSError):
            return
        if chunk is None:
            return
        try:
            for idx, path, rel in chunk:
                res = reader.read(idx, path, rel, limits) if reader is not None else read(path, rel, limits)
                conn.send((idx, res))
            if reader is not None:
                conn.send((None, reader.end()))
        except (BrokenPipeError, OSError):
            return


class _Slot:
    def __init__(self, ctx, read, limits, reader=None):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(child, os.getpid(), read, limits, reader), daemon=True)
        self.proc.start()
        child.close()
        self.queue: deque[Item] = deque()
        #: files of the current chunk read but not yet committed (``reader.end()`` not returned)
        self.pending: list[tuple[Item, object]] = []
        self.started = 0.0

    def idle(self) -> bool:
        return not self.queue and not self.pending

    def take_back(self) -> list[Item]:
        """The files read but not committed, and those not read yet after the current one: to
        be read again when the worker is lost. The current one stays at the head of ``queue``."""
        rest = [item for item, _ in self.pending] + list(self.queue)[1:]
        self.pending.clear()
        return rest

    def send(self, chunk: list[Item]) -> None:
        self.queue.extend(chunk)
        self.started = time.monotonic()
        self.conn.send(chunk)

    def stop(self, kill: bool = False) -> None:
        if kill and self.proc.is_alive():
            self.proc.kill()
        else:
            try:
                self.conn.send(None)
            except OSError:
                pass
        self.proc.join(5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()

    def death(self) -> str:
        self.proc.join(5)
        code = self.proc.exitcode
        if code is not None and code < 0:
            try:
                return f"killed by signal {signal.Signals(-code).name}"
            except ValueError:
                return f"killed by signal {-code}"
        return f"exited with status {code}"


def run_files(  # noqa: C901, PLR0915 - the worker pool's event loop: deadlines, dead workers and results handled where they arrive
    items: list[tuple[str, str]],
    read: Callable,
    limits: Limits,
    jobs: int,
    chunk: int,
    failed: Callable[[str, str, str], object],
    reader: ChunkReader | None = None,
) -> Iterator:
    """Yield ``read(path, name, limits)`` for each ``(path, name)`` of ``items``, in order,
    computed in ``jobs`` worker processes. ``failed(name, code, message)`` makes the result of
    a file whose worker had to be killed (``file-timeout``) or died twice (``parse-failed``).
    With ``reader``, ``reader.read(index, path, name, limits)`` instead, and ``reader.end()``
    after each chunk (in the worker)."""
    n = len(items)
    if n == 0:
        return
    ctx = _context()
    todo: deque[list[Item]] = deque()
    work = [(i, p, r) for i, (p, r) in enumerate(items)]
    for s in range(0, n, chunk):
        todo.append(work[s : s + chunk])
    hard = limits.hard_deadline()
    retried: set[int] = set()
    done: dict[int, object] = {}
    window = max(4 * jobs * chunk, 64)  # results waiting for an earlier one: at most this many
    slots = [_Slot(ctx, read, limits, reader) for _ in range(min(jobs, len(todo)))]
    next_out = 0
    try:
        while next_out < n:
            for i, slot in enumerate(slots):
                # results wait for an earlier one at most ``window`` deep; with no worker busy the
                # earliest file is in ``todo`` and must go out whatever waits
                if slot.idle() and todo and (len(done) < window or all(s.idle() for s in slots)):
                    chunk_ = todo.popleft()
                    try:
                        slot.send(chunk_)
                    except OSError:  # the worker died while idle: a fresh one takes the chunk
                        slot.queue.clear()
                        slot.stop(kill=True)
                        slots[i] = _Slot(ctx, read, limits, reader)
                        slots[i].send(chunk_)
            busy = [s for s in slots if not s.idle()]
            timeout = None
            if hard is not None and busy:
                timeout = max(0.0, min(s.started + hard for s in busy) - time.monotonic()) + 0.05
            ready = wait([s.conn for s in busy], timeout) if busy else []
            for slot in busy:
                if slot.conn not in ready:
                    continue
                try:
                    idx, res = slot.conn.recv()
                except (EOFError, OSError):  # the worker died
                    why = slot.death()
                    rest = slot.take_back()
                    slots[slots.index(slot)] = _Slot(ctx, read, limits, reader)
                    slot.conn.close()
                    if not slot.queue:  # it died finishing the chunk (writing its part): read it again, once
                        for item in rest:
                            if item[0] in retried:
                                done[item[0]] = failed(
                                    item[2],
                                    "parse-failed",
                                    f"the worker that read the file died twice ({why}); "
                                    f"none of its declarations are in the tables",
                                )
                        rest = [item for item in rest if item[0] not in retried]
                        retried.update(item[0] for item in rest)
                        if rest:
                            todo.appendleft(rest)
                        continue
                    head = slot.queue.popleft()
                    slot.queue.clear()
                    if rest:
                        todo.appendleft(rest)
                    if head[0] in retried:
                        done[head[0]] = failed(
                            head[2],
                            "parse-failed",
                            f"the worker reading the file died twice ({why}); "
                            f"none of its declarations are in the tables",
                        )
                    else:
                        retried.add(head[0])
                        todo.appendleft([head])
                    continue
                slot.started = time.monotonic()
                if idx is None:  # the chunk's end: its results are committed
                    for (i, _p, _r), r in slot.pending:
                        done[i] = r
                    slot.pending.clear()
                elif reader is not None:
                    slot.pending.append((slot.queue.popleft(), res))
                else:
                    slot.queue.popleft()
                    done[idx] = res
            if hard is not None:
                now = time.monotonic()
                for slot in list(slots):
                    if slot.queue and now - slot.started > hard:
                        rest = slot.take_back()
                        head = slot.queue.popleft()
                        slot.queue.clear()
                        slot.stop(kill=True)
                        if rest:
                            todo.appendleft(rest)
                        done[head[0]] = failed(
                            head[2],
                            "file-timeout",
                            f"still not read after {hard:g} s; the worker reading it was stopped "
                            f"and none of its declarations are in the tables",
                        )
                        slots[slots.index(slot)] = _Slot(ctx, read, limits, reader)
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
    finally:
        for slot in slots:
            slot.stop(kill=next_out < n or not slot.idle())
