"""Helper processes that die with their parent, and telling live processes from dead ones.

Bulk work forks helpers (rendering an import, indexing on several cores). When the parent is
killed (``kill -9``, the OOM killer), an ordinary forked child lives on: it keeps its memory
(~200 MB with jieba's dictionary) and every file it inherited open — the search index's write
lock among them, so nothing could be indexed until someone found and killed it. On Linux a
child asks the kernel to kill it when its parent dies (``prctl(PR_SET_PDEATHSIG)``); where that
is not available, the helpers' own loops notice that their parent changed.

:class:`ProcessId` names one process in a way that survives pid reuse: the pid, the process's
start time (clock ticks after boot, ``/proc/<pid>/stat`` field 22) and the boot id. Stdlib only,
so the search engine can use it without knowing the app.
"""
import ctypes
import ctypes.util
import os
import signal
from dataclasses import asdict, dataclass

PR_SET_PDEATHSIG = 1
_PROC = "/proc"


def die_with_parent(parent_pid: int | None = None) -> bool:
    """Ask the kernel to SIGKILL this process when its parent dies; exit at once when the
    parent (``parent_pid``, default the current one) is already gone. Returns whether the
    kernel took the request (False off Linux)."""
    taken = False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        taken = libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        taken = False
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(1)  # the parent died before the request above: nothing to help any more
    return taken


def parent_alive(parent_pid: int) -> bool:
    """For loops in helpers: False once the parent is gone (the helper was re-parented)."""
    return os.getppid() == parent_pid


def _boot_id() -> str:
    try:
        with open(f"{_PROC}/sys/kernel/random/boot_id") as fh:
            return fh.read().strip()
    except OSError:
        return ""


def _start_ticks(pid: int) -> int | None:
    """Field 22 of ``/proc/<pid>/stat`` (start time in clock ticks), None when no process."""
    try:
        with open(f"{_PROC}/{pid}/stat") as fh:
            stat = fh.read()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after the last ')'.
    fields = stat[stat.rfind(")") + 2:].split()
    try:
        state, ticks = fields[0], int(fields[19])
    except (IndexError, ValueError):
        return None
    return None if state in ("Z", "X") else ticks  # a zombie has finished


def _command(pid: int) -> str:
    try:
        with open(f"{_PROC}/{pid}/cmdline", "rb") as fh:
            parts = fh.read().split(b"\0")
    except OSError:
        return ""
    return " ".join(p.decode("utf-8", "replace") for p in parts if p)[:200]


@dataclass(frozen=True)
class ProcessId:
    """One process, robust to pid reuse (see the module docstring)."""

    pid: int
    start: int | None
    boot: str
    command: str = ""

    @classmethod
    def of(cls, pid: int | None = None) -> "ProcessId":
        pid = os.getpid() if pid is None else pid
        return cls(pid, _start_ticks(pid), _boot_id(), _command(pid))

    @classmethod
    def from_dict(cls, data: dict) -> "ProcessId":
        return cls(int(data["pid"]), data.get("start"), str(data.get("boot", "")),
                   str(data.get("command", "")))

    def as_dict(self) -> dict:
        return asdict(self)

    def alive(self) -> bool:
        """Whether this very process still runs: same boot, same pid, same start time.
        Without ``/proc`` (not Linux) a process that exists counts as alive."""
        if self.boot and _boot_id() and self.boot != _boot_id():
            return False
        ticks = _start_ticks(self.pid)
        if ticks is None:
            if os.path.isdir(_PROC):
                return False
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                return False
            except PermissionError:
                return True
            return True
        return self.start is None or ticks == self.start

    def kill(self) -> bool:
        """SIGKILL this process if it is still the same one; True when a signal was sent."""
        if not self.alive():
            return False
        try:
            os.kill(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            return False
        return True

    def describe(self) -> str:
        name = self.command.split(" -m ")[-1] if self.command else "?"
        return f"pid {self.pid} ({name[:80]})"
