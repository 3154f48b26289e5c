"""Finding damaged segments before a search trips over them.

A segment never changes once committed (deletions live in the table of contents), so a
damaged one — a disk error, a stray write, 4 KB of random bytes — is found in two ways:

* **decoding** (:func:`read_segment`): every stored document, every column, every field
  length, and every term with all its postings (ids, weights, values) is read through Whoosh's
  public reader interface; this is what ``flask kb check-index`` does for every segment, and
  start-up for a segment it has no checksum of;
* **checksums** (:data:`CHECKSUM_FILE`): after a segment was decoded without error, or right
  after it was committed, the BLAKE2 digest of each of its files is recorded; start-up reads
  every byte of every segment and compares. Reading 50 MB this way takes about a tenth of a
  second, decoding it several seconds, so this is what keeps start-up fast.
"""
import hashlib
import json
import os
from pathlib import Path

from whoosh.index import TOC

from .interface import SegmentProblem

CHECKSUM_FILE = "kb_segments.json"
CHUNK = 1 << 20


def digest(path: Path) -> str:
    h = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def committed_segments(ix, schema) -> list:
    """The segments of the latest committed generation (Whoosh's table of contents)."""
    return list(TOC.read(ix.storage, ix.indexname, schema=schema).segments)


class Checksums:
    """The recorded digests of one index directory: ``{segment id: {file: digest}}``."""

    def __init__(self, path: Path):
        self.file = Path(path) / CHECKSUM_FILE

    def load(self) -> dict:
        try:
            data = json.loads(self.file.read_text())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def save(self, data: dict) -> None:
        tmp = self.file.with_name(f".{self.file.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, sort_keys=True))
        os.replace(tmp, self.file)


def segment_digests(storage, path: Path, segment) -> dict[str, str]:
    return {name: digest(Path(path) / name) for name in sorted(segment.list_files(storage))}


def read_segment(reader) -> None:
    """Read everything one segment holds (see the module docstring); raises what Whoosh
    raises on damaged data."""
    schema = reader.schema
    count = reader.doc_count_all()
    for docnum in range(count):
        reader.stored_fields(docnum)
    for name, field in schema.items():
        if field.scorable:
            for docnum in range(count):
                reader.doc_field_length(docnum, name, 0)
        if field.column_type and reader.has_column(name):
            list(reader.column_reader(name))
    for fieldname, btext in reader.all_terms():
        reader.term_info(fieldname, btext).doc_frequency()
        matcher = reader.postings(fieldname, btext)
        while matcher.is_active():
            matcher.id()
            matcher.weight()
            matcher.value()
            matcher.next()


def verify_segments(ix, schema, path: Path, full: bool) -> list[SegmentProblem]:
    """Check every committed segment: by checksum when one is recorded (unless ``full``),
    else by decoding it; record the checksums of segments found sound."""
    from whoosh.reading import SegmentReader

    checksums = Checksums(path)
    recorded = checksums.load()
    kept: dict = {}
    problems: list[SegmentProblem] = []
    try:
        segments = committed_segments(ix, schema)
    except Exception as exc:  # the table of contents itself is unreadable
        return [SegmentProblem("(table of contents)", _reason(exc))]
    for segment in segments:
        sid = segment.segment_id()
        try:
            digests = segment_digests(ix.storage, path, segment)
        except OSError as exc:
            problems.append(SegmentProblem(sid, _reason(exc)))
            continue
        if sid in recorded and recorded[sid] != digests:
            problems.append(SegmentProblem(sid, "its files changed after they were written "
                                                "(checksum mismatch)"))
            continue
        if sid not in recorded or full:
            try:
                reader = SegmentReader(ix.storage, schema, segment)
                try:
                    read_segment(reader)
                finally:
                    reader.close()
            except Exception as exc:  # any failure to decode means: damaged
                problems.append(SegmentProblem(sid, _reason(exc)))
                continue
        kept[sid] = digests
    if not problems and kept != recorded:
        checksums.save(kept)
    return problems


def record_new_segments(ix, schema, path: Path) -> None:
    """After a commit: record checksums of committed segments that have none (just written,
    so what is on disk now is what was meant)."""
    checksums = Checksums(path)
    recorded = checksums.load()
    segments = committed_segments(ix, schema)
    current = {s.segment_id(): s for s in segments}
    data = {sid: recorded[sid] for sid in current if sid in recorded}
    for sid, segment in current.items():
        if sid not in data:
            try:
                data[sid] = segment_digests(ix.storage, path, segment)
            except OSError:  # merged away by a newer commit meanwhile
                continue
    if data != recorded:
        checksums.save(data)


def _reason(exc: Exception) -> str:
    return f"{exc.__class__.__name__}: {str(exc)[:200]}"
