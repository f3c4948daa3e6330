"""The run lock on output folders: one command at a time writes a folder.

``python -m analysis run`` holds ``.run.lock`` in each folder it writes (the processed tables,
the reports); ``python -m analysis ingest`` holds it in the folder of the tables it writes and
``python -m analysis reports`` in the folder of the reports (:func:`locked`). The lock is an
exclusive ``flock`` that the system drops when the process ends, however it ends, and in the
file a record of who holds it (process, host, start). A second command finds the lock taken and
stops at once (:class:`Busy`, saying who holds it; exit status :data:`BUSY`). A command killed
before it could let go leaves its record behind with no lock on it: the next one recognises the
lock as stale, takes it over and says so. On a file system without ``flock`` the record alone
decides: a holder whose process is gone (same host) is stale. ``analysis.ingest.ingest`` and
``analysis.reports.batch.run_batch`` called from Python take no lock.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path

from analysis.errors import AnalysisError
from analysis.messages import _
from analysis.publish import _start_time

LOCK = ".run.lock"
#: the exit status of a command that finds the lock held (the status ``run`` gives when it refuses)
BUSY = 3


class Busy(AnalysisError, RuntimeError):
    """Another run holds the lock on an output folder."""


def _record() -> dict:
    return {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "start": _start_time(os.getpid()),
        "since": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def _read(fd: int) -> dict | None:
    os.lseek(fd, 0, os.SEEK_SET)
    data = b""
    while chunk := os.read(fd, 1 << 16):
        data += chunk
    try:
        record = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {"unreadable": True} if data.strip() else None
    return record if isinstance(record, dict) else {"unreadable": True}


def _alive(record: dict) -> bool:
    """Whether the holder a record names may still run (another host's: assumed so)."""
    if record.get("host") != socket.gethostname():
        return True
    pid = int(record.get("pid") or 0)
    if pid <= 0 or pid == os.getpid():
        return False
    start = _start_time(pid)
    if start is not None:
        return record.get("start") in (None, start)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not Path("/proc").is_dir()


def describe(record: dict | None) -> str:
    if not record or record.get("unreadable"):
        return _("lock.no_record")
    return _("lock.holder", pid=record.get("pid"), host=record.get("host"), since=record.get("since"))


def _take(folder: Path) -> tuple[int, str | None]:
    """Lock ``folder``: the descriptor holding the lock, and a note when a stale lock was taken over."""
    import fcntl

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            flocked = True
        except BlockingIOError:
            raise Busy(_("lock.busy", folder=folder, holder=describe(_read(fd)))) from None
        except OSError as exc:
            if exc.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL):
                raise
            flocked = False  # a file system without flock: the record decides
        previous = _read(fd)
        note = None
        if previous:
            if not flocked and not previous.get("unreadable") and _alive(previous):
                raise Busy(_("lock.busy", folder=folder, holder=describe(previous)))
            note = _("lock.stale", path=path, holder=describe(previous))
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, json.dumps(_record()).encode())
        os.fsync(fd)
        return fd, note
    except BaseException:
        os.close(fd)
        raise


def _release(fd: int) -> None:
    try:
        os.ftruncate(fd, 0)  # an empty lock file: let go of in order (a record left behind: stale)
    finally:
        os.close(fd)


@contextlib.contextmanager
def hold(folders, on_note=None):
    """Hold the run lock of each folder (created when missing) for the block; raises :class:`Busy`
    when another run holds one. ``on_note`` is told of each stale lock taken over."""
    seen: list[Path] = []
    for f in folders:
        p = Path(f).resolve()
        if p not in seen:
            seen.append(p)
    held: list[int] = []
    try:
        for folder in sorted(seen):
            fd, note = _take(folder)
            held.append(fd)
            if note and on_note:
                on_note(note)
        yield
    finally:
        for fd in reversed(held):
            _release(fd)


def locked(folders, body: Callable[[], int]) -> int:
    """``body()`` (a command's work, returning its exit status) with the lock of ``folders`` held:
    a stale lock taken over is said on stderr (``注：…``, ``note: …``); a lock held by another
    command is one line on stderr (``错误：… 已被 … 锁定：另一个运行正在进行，本次运行停止``, ``error:
    … is locked by run …: another run is going; this one stops``) and the status :data:`BUSY`,
    ``body`` not run. A folder where no lock can be made (it cannot be created or written) is left
    to ``body``, which says why it cannot write there."""
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(hold(folders, on_note=lambda note: print(_("lock.note", note=note), file=sys.stderr)))
        except Busy as exc:
            print(_("error.line", error=exc), file=sys.stderr)
            return BUSY
        except OSError:
            pass
        return body()
