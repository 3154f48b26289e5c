"""Faster writing for Whoosh's own on-disk format (W3), through Whoosh's extension points.

Whoosh is pure Python and spends most of an index build in three per-posting loops. The
classes here keep the file format byte for byte (they subclass Whoosh's W3 codec and only
override write paths) and make those loops cheaper:

* :class:`KbFieldWriter.add_postings` — Whoosh looks up the document's field length for
  every posting through a column reader (and, for fields without lengths, a ``stat()`` call
  each time). Here each field's lengths are read once into a list, and each term's postings
  are handed to the postings writer as one batch.
* :class:`KbPostingsWriter.add_postings` — a whole term's postings are appended in slices of
  the block size instead of one call (with four type assertions) per posting.
* :class:`KbSegmentWriter` — adds a document's postings to the pool with one ``extend`` per
  field instead of one method call (with assertions and size arithmetic) per posting.

Segments written with :class:`KbCodec` are read by the inherited W3 readers; the codec is
pickled into the index's table of contents, so this module's path is part of the index (like
the analyzer's). ``tests/search/test_codec.py`` checks the output is identical to Whoosh's.
"""
from itertools import groupby
from operator import itemgetter

from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter, W3PostingsWriter
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import PostingPool, SegmentWriter

_TERM_KEY = itemgetter(0, 1)


class KbCodec(W3Codec):
    """Whoosh's W3 codec with the batched write paths of this module."""

    def field_writer(self, storage, segment):
        return KbFieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        return KbPostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                                compression=self._compression, inlinelimit=self._inlinelimit)


class KbFieldWriter(W3FieldWriter):
    def add_postings(self, schema, lengths, items):
        """Write sorted ``(fieldname, btext, docnum, weight, value)`` postings (what
        ``FieldWriter.add_postings`` does, with lengths read once per field)."""
        fieldname = None
        field_lengths: list = []
        for (name, btext), group in groupby(items, _TERM_KEY):
            if name != fieldname:
                if fieldname is not None:
                    self.finish_field()
                fieldname = name
                self.start_field(name, schema[name])
                field_lengths = _field_lengths(lengths, name, schema[name])
            postings = [p for p in group if p[2] != -1]  # -1: spelling-only entries
            if not postings:
                continue
            self.start_term(btext)
            self._postwriter.add_postings(
                [p[2] for p in postings], [p[3] for p in postings],
                [p[4] or b"" for p in postings],
                [field_lengths[p[2]] for p in postings] if field_lengths else None)
            self.finish_term()
        if fieldname is not None:
            self.finish_field()


def _field_lengths(lengths, fieldname: str, fieldobj) -> list:
    """Every document's length of ``fieldname`` in the segment being written ([] if none)."""
    if lengths is None or not fieldobj.scorable:
        return []
    count = lengths.doc_count_all()
    # Lengths are stored as one byte (a log scale); decoding through the byte keeps the
    # values exactly what Whoosh's own writer records in the block statistics.
    return [byte_to_length(length_to_byte(lengths.doc_field_length(n, fieldname, 0) or 0))
            or None for n in range(count)]


class KbPostingsWriter(W3PostingsWriter):
    def add_postings(self, ids, weights, values, lengths) -> None:
        """Add one term's postings (ascending ids) in slices of the block size."""
        limit = self._blocklimit
        start = 0
        while start < len(ids):
            if len(self._ids) >= limit:
                self._write_block()
            room = limit - len(self._ids)
            end = start + room
            self._ids.extend(ids[start:end])
            chunk_weights = weights[start:end]
            self._weights.extend(chunk_weights)
            self._maxweight = max(self._maxweight, max(chunk_weights))
            chunk_values = [v for v in values[start:end] if v]
            self._values.extend(chunk_values)
            if lengths is not None:
                present = [n for n in lengths[start:end] if n]
                if present:
                    low, high = min(present), max(present)
                    if self._minlength is None or low < self._minlength:
                        self._minlength = low
                    self._maxlength = max(self._maxlength, high)
            start = end


class LeanPostingPool(PostingPool):
    """Whoosh's posting pool, filled a document field at a time."""

    def add_many(self, items: list, size: int) -> None:
        """Add postings whose approximate memory ``size`` the caller computed."""
        self.currentsize += size
        if self.currentsize > self.limit:
            self.save()
        self.current.extend(items)


class KbSegmentWriter(SegmentWriter):
    """``SegmentWriter`` whose ``add_document`` feeds the pool one field at a time."""

    def __init__(self, ix, **kwargs):
        kwargs.setdefault("codec", KbCodec())
        super().__init__(ix, **kwargs)
        self.pool = LeanPostingPool(self._tempstorage, self.newsegment,
                                    limitmb=kwargs.get("limitmb", 128))
        self._helpers: list = []

    def attach_helpers(self, helpers) -> None:
        """Let ``helpers`` (a :class:`~kb_portal.search.parallel.ParallelAdder`) add the
        segments its processes wrote to this writer's commit, or stop them on cancel."""
        self._helpers.append(helpers)

    def commit(self, mergetype=None, optimize=None, merge=None):
        """``SegmentWriter.commit``, plus the helpers' segments: this process finishes its
        own segment while the helpers finish theirs, then all join one table of contents."""
        self._check_state()
        segments = self._merge_segments(mergetype, optimize, merge)
        if self._added:
            segments.append(self._finalize_segment())
        else:
            self._close_segment()
        try:
            for helpers in self._helpers:
                segments.extend(helpers.collect())
        except BaseException:
            self._stop_helpers()
            self._finish()
            raise
        self._commit_toc(segments)
        self._finish()

    def cancel(self):
        self._stop_helpers()
        super().cancel()

    def _stop_helpers(self) -> None:
        for helpers in self._helpers:
            helpers.stop()

    def add_document(self, **fields):
        """Index one document (no ``_boost``/``_stored_*`` keys or vector fields: the schema
        of :mod:`kb_portal.search.index` uses none)."""
        self._check_state()
        schema, docnum, perdoc = self.schema, self.docnum, self.perdocwriter
        names = sorted(fields)
        self._check_fields(schema, names)
        perdoc.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is not None:
                    self._add_field(name, schema[name], value, docnum)
        except Exception:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _add_field(self, name: str, field, value, docnum: int) -> None:
        length = 0
        if field.indexed:
            postings = []
            for tbytes, freq, weight, vbytes in field.index(value):
                postings.append((name, tbytes, docnum, weight, vbytes))
                length += freq
            if not field.scorable:
                length = 0
            # The same memory estimate as PostingPool.add, summed for the field.
            size = len(postings) * (150 + len(name)) + 2 * sum(len(p[1]) for p in postings)
            self.pool.fieldnames.add(name)
            self.pool.add_many(postings, size)
        self.perdocwriter.add_field(name, field, value if field.stored else None, length)
        if field.column_type:
            self.perdocwriter.add_column_value(name, field.column_type,
                                               field.to_column_value(value))
