"""kb_portal.bulk: the collector settings for bulk work are undone afterwards, also on error."""
import gc

import pytest

from kb_portal.bulk import BULK_THRESHOLD, fewer_collections


def test_settings_apply_inside_and_are_restored_after_nesting_and_errors():
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), fewer_collections():
        assert gc.get_threshold()[0] == BULK_THRESHOLD
        assert gc.get_freeze_count() > 0
        with fewer_collections():
            assert gc.get_threshold()[0] == BULK_THRESHOLD
        assert gc.get_threshold()[0] == BULK_THRESHOLD  # the inner exit keeps the outer's
        raise RuntimeError("an import failing halfway")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
