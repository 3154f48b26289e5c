"""Who holds the index's write lock, and breaking it when its holder is dead.

Whoosh's write lock is an ``flock`` on ``MAIN_WRITELOCK``: the kernel releases it when every
process holding the file open is gone. A writer that dies releases it — unless a child forked
while it held the lock lives on (the parallel writer's helpers did, until they learnt to die
with their parent, ``kb_portal/children.py``): then the lock stays taken by a process that will
never write, and every later write waits for ever.

So whoever takes the lock records itself next to it (:data:`OWNER_FILE`: pid, start time and
boot id — see :class:`~kb_portal.children.ProcessId` — the command, when, and the helper
processes it starts). A writer that cannot get the lock reads the record: when the recorded
owner is gone, its recorded helpers are leftovers holding the lock for nothing, and are killed
(with a log line); a live owner is waited for, then named in the :class:`IndexBusyError` message.
Nothing else is ever killed, and a lock whose holder lives is never taken.
"""
import json
import logging
import os
import time
from pathlib import Path

from ...children import ProcessId
from .interface import IndexBusyError

OWNER_FILE = "kb_writer.json"
log = logging.getLogger(__name__)


class LockOwner:
    """The owner record of one index directory's write lock."""

    def __init__(self, path: Path):
        self.file = Path(path) / OWNER_FILE
        self._mine: dict | None = None

    def read(self) -> dict | None:
        try:
            data = json.loads(self.file.read_text())
            ProcessId.from_dict(data["owner"])
            return data
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _write(self, data: dict) -> None:
        tmp = self.file.with_name(f".{self.file.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data))
        os.replace(tmp, self.file)

    def claimed(self) -> None:
        """Called right after taking the lock: note a dead predecessor, record ourselves."""
        previous = self.read()
        if previous is not None:
            owner = ProcessId.from_dict(previous["owner"])
            if owner.pid != os.getpid() and not owner.alive():
                log.warning("search index %s: %s died while holding the write lock (since "
                            "%s); its unfinished files are cleaned up by the next commit",
                            self.file.parent, owner.describe(), _when(previous))
        self._mine = {"owner": ProcessId.of().as_dict(), "since": time.time(), "helpers": []}
        self._write(self._mine)

    def add_helpers(self, pids) -> None:
        """Record helper processes started while holding the lock (they inherit it)."""
        if self._mine is None:
            return
        self._mine["helpers"] += [ProcessId.of(pid).as_dict() for pid in pids]
        self._write(self._mine)

    def released(self) -> None:
        """Called right before the lock is released."""
        if self._mine is not None and self.read() == self._mine:
            self.file.unlink(missing_ok=True)
        self._mine = None

    def holder(self) -> str | None:
        """Who holds the lock according to the record, for messages."""
        record = self.read()
        if record is None:
            return None
        owner = ProcessId.from_dict(record["owner"])
        return f"{owner.describe()}, since {_when(record)}"

    def break_stale(self) -> bool:
        """When the recorded owner is dead, kill its recorded helpers that still run (they
        hold the lock for nothing). Returns True when one was killed."""
        record = self.read()
        if record is None:
            return False
        owner = ProcessId.from_dict(record["owner"])
        if owner.alive():
            return False
        killed = [helper for helper in map(ProcessId.from_dict, record.get("helpers", []))
                  if helper.kill()]
        if killed:
            log.warning("search index %s: broke a stale write lock: its owner %s is gone; "
                        "killed %d leftover helper process(es): %s", self.file.parent,
                        owner.describe(), len(killed), ", ".join(str(h.pid) for h in killed))
        return bool(killed)


def _when(record: dict) -> str:
    since = record.get("since")
    if not isinstance(since, int | float):
        return "?"
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(since))


def acquire(owner: LockOwner, make_writer, lock_error: type, timeout: float, path) -> object:
    """``make_writer()`` until it stops raising ``lock_error`` (Whoosh's LockError), waiting
    up to ``timeout`` seconds with growing pauses; leftovers of a dead owner are cleared on
    the way (see the module docstring).

    :raise IndexBusyError: when the lock stays taken by a live process.
    """
    deadline = time.monotonic() + timeout
    delay, checked = 0.02, False
    while True:
        try:
            writer = make_writer()
        except lock_error:
            if not checked or time.monotonic() >= deadline:
                checked = True
                if owner.break_stale():
                    time.sleep(0.05)  # the kernel releases the lock as the helpers exit
                    deadline = max(deadline, time.monotonic() + 2.0)
                    continue
            if time.monotonic() >= deadline:
                holder = owner.holder()
                raise IndexBusyError(f"the search index {path} is being written by "
                                f"{holder or 'another process'}", holder) from None
            time.sleep(delay)
            delay = min(delay * 2, 0.25)
            continue
        owner.claimed()
        return writer
