"""Index files read through memory maps, without copying them.

Whoosh maps each compound segment file into memory and then hands every part of it (terms,
postings, stored fields, field lengths) to a ``BufferFile`` — which wraps the part in
``io.BytesIO``, and ``BytesIO`` copies a memory view. So every searcher opened after a commit
copied the whole index into the process's heap, once per worker thread: at 10,000 articles
(56 MB of index) that was the largest single cost of a server under a trainer's saves (a
quarter of its CPU in a profile under load), and a burst of copies each time the index changed.

:class:`MappedStorage` opens every index file as a read-only memory map and gives Whoosh
:class:`WindowFile` views onto it: reading a window slices the map (copying only the bytes
asked for). Whoosh's compound storage asks a file that is not mapped by itself for
``subset()`` windows, which is why the storage says it does not support mmap. A map stays
valid while any window on it is alive, even after its file is deleted or replaced, and is
unmapped by the garbage collector — as an old searcher's files were before.
"""
import mmap
import os

from .whoosh_private import FileStorage, StructFile


class _Window:
    """The file object under a :class:`WindowFile`: a read position in ``[start, end)`` of a
    map. Only the reads Whoosh and ``pickle`` make are needed."""

    __slots__ = ("_end", "_map", "_pos", "_start")

    def __init__(self, mapped, start: int, length: int):
        self._map, self._start, self._end = mapped, start, start + length
        self._pos = start

    def read(self, size: int = -1) -> bytes:
        end = self._end if size is None or size < 0 else min(self._pos + size, self._end)
        data = self._map[self._pos:end]
        self._pos = max(self._pos, end)
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def readline(self, size: int = -1) -> bytes:
        newline = self._map.find(b"\n", self._pos, self._end)
        available = max(0, (self._end if newline < 0 else newline + 1) - self._pos)
        return self.read(available if size is None or size < 0 else min(size, available))

    def peek(self, size: int = 1) -> bytes:
        """What the next read would return, without moving: the C unpickler then reads a
        pickle from one slice instead of calling ``read`` once per opcode."""
        return self._map[self._pos:min(self._pos + max(size, 1), self._end)]

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        # Called for every posting block a search reads: no table built per call.
        base = self._start if whence == os.SEEK_SET else \
            self._pos if whence == os.SEEK_CUR else self._end
        self._pos = max(self._start, base + offset)
        return self._pos - self._start

    def tell(self) -> int:
        return self._pos - self._start

    def close(self) -> None:
        """Nothing to release: the map goes when its last window does."""


class WindowFile(StructFile):
    """A Whoosh ``StructFile`` over part of a memory map (see the module docstring)."""

    def __init__(self, mapped, start: int, length: int, name=None, onclose=None):
        super().__init__(_Window(mapped, start, length), name=name, onclose=onclose)
        self._map, self._start, self._length = mapped, start, length

    def subset(self, position: int, length: int, name=None) -> "WindowFile":
        return WindowFile(self._map, self._start + position, length, name=name or self._name)

    def get(self, position: int, length: int) -> bytes:
        start = self._start + position
        return self._map[start:min(start + length, self._start + self._length)]


class MappedStorage(FileStorage):
    """A Whoosh ``FileStorage`` whose files are read through :class:`WindowFile` views."""

    def __init__(self, path):
        super().__init__(str(path), supports_mmap=False)

    def open_file(self, name, **kwargs):
        with open(os.path.join(self.folder, name), "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size == 0:  # an empty file cannot be mapped (and has nothing to copy)
                return super().open_file(name, **kwargs)
            mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        return WindowFile(mapped, 0, size, name=name, **kwargs)


def open_index(path, schema):
    """The index in ``path`` (as ``whoosh.index.open_dir``), read without copies."""
    return MappedStorage(path).open_index(schema=schema)


def create_index(path, schema):
    """A new empty index in ``path`` (as ``whoosh.index.create_in``)."""
    return MappedStorage(path).create_index(schema)
