"""Search test fixtures shared by the product and engine tests."""
import pytest

from kb_portal.search.analysis import Analyzer


@pytest.fixture(scope="session")
def analyzer(tmp_path_factory):
    """An analyzer as an app has one (no site words)."""
    return Analyzer(str(tmp_path_factory.mktemp("jieba")))
