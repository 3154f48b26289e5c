"""Every Whoosh internal the fast engine relies on, in one place.

The fast engine (``engine/fast/``) writes Whoosh's own W3 format faster and scores straight
from its posting blocks; for that it subclasses Whoosh's writer classes and reads some of their
private attributes. Nothing in Whoosh promises those names, so an upgrade (whoosh-reloaded
renames its package upstream) could break the fast paths — and some breakage would be silent:
a renamed matcher method would send scoring down the slow generic path.

So: every Whoosh class or function the fast engine needs that is not part of Whoosh's
documented interface is imported here, and :data:`PRIVATE_NAMES` lists every private method or
attribute the fast engine touches on them. :func:`missing` checks them all;
``tests/search/engine/test_whoosh_private.py`` fails naming each one that is gone. The
reference engine (``engine/reference/``) uses none of this; both engines read their files
through ``engine/storage.py``, whose file classes are imported here too.
"""
import inspect
import re

from whoosh.codec.whoosh3 import (
    W3Codec,
    W3FieldWriter,
    W3LeafMatcher,
    W3PostingsWriter,
)
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile
from whoosh.matching.mcore import ListMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

# Class → names used on it (methods called or overridden, attributes read or written).
PRIVATE_NAMES: dict[type, tuple[str, ...]] = {
    SegmentWriter: (
        "_check_state", "_merge_segments", "_finalize_segment", "_close_segment",
        "_commit_toc", "_finish", "_check_fields", "_flush_segment", "_added", "docnum",
        "perdocwriter", "fieldwriter", "per_document_reader", "writelock", "storage",
        "indexname",
    ),
    W3Codec: ("_blocklimit", "_compression", "_inlinelimit"),
    W3FieldWriter: ("_postwriter", "start_field", "start_term", "finish_term", "finish_field"),
    W3PostingsWriter: (
        "_blocklimit", "_ids", "_weights", "_values", "_maxweight", "_minlength",
        "_maxlength", "_write_block", "written", "_terminfo", "_inlinelimit",
        "finish_postings",
    ),
    W3LeafMatcher: ("_read_ids", "_read_weights", "_next_block", "_ids", "_weights"),
    ListMatcher: ("_ids", "_weights", "_all_weights"),
    FilterMatcher: ("child",),
    StructFile: ("_name", "file"),  # engine/storage.py's windows onto memory maps
    FileStorage: ("folder", "supports_mmap"),
}


def _defines(cls: type, name: str) -> bool:
    """Whether ``cls`` (or a base) has ``name`` as a class attribute, or assigns it to
    ``self`` in its source (instance attributes exist only on live objects)."""
    if hasattr(cls, name):
        return True
    pattern = re.compile(rf"self\.{re.escape(name)}\s*(?::[^=]+)?=(?!=)")
    for klass in cls.__mro__:
        if klass is object:
            continue
        try:
            source = inspect.getsource(klass)
        except (OSError, TypeError):
            continue
        if pattern.search(source):
            return True
    return False


def missing() -> list[str]:
    """``Class.name`` for every listed name this Whoosh no longer has ([] when all exist)."""
    return [f"{cls.__module__}.{cls.__qualname__}.{name}"
            for cls, names in PRIVATE_NAMES.items() for name in names
            if not _defines(cls, name)]


__all__ = [
    "PRIVATE_NAMES", "FileStorage", "FilterMatcher", "ListMatcher", "SegmentWriter",
    "StructFile", "W3Codec",
    "W3FieldWriter", "W3LeafMatcher", "W3PostingsWriter", "byte_to_length", "length_to_byte",
    "missing", "pack_uint",
]
