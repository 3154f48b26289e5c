"""``page`` and ``limit`` are ASCII digits only (issue 11, point 13): ``١`` (Arabic-Indic one),
``1_0`` and ``+5`` are typos or probes, not numbers; the page says so, the API answers 400."""
import pytest

from kb_portal.params import whole_number
from tests import factories

ODD = ["١", "1_0", "+5", " 7", "٣", "0x10", "1e3", "５"]


@pytest.mark.parametrize("value", ODD)
def test_only_ascii_digits_are_numbers(value):
    assert whole_number(value) is None


def test_plain_digits_are_numbers():
    assert whole_number("12") == 12 and whole_number("007") == 7


@pytest.mark.parametrize("value", ODD)
def test_search_refuses_odd_numbers(app, as_role, value):
    factories.article("refund-flow", "退款流程", "客户可以申请退款。")
    client = as_role("agent")
    page = client.get("/search", query_string={"q": "退款", "page": value})
    assert page.status_code == 200 and "flash-error" in page.get_data(as_text=True)
    api = client.get("/api/v1/search", query_string={"q": "退款", "limit": value})
    assert api.status_code == 400


def test_category_pages_read_page_numbers_as_digits_only(app, as_role):
    factories.article("refund-flow", "退款流程", "客户可以申请退款。")
    client = as_role("agent")
    page = client.get("/c/sop", query_string={"page": "٢"})  # not page 2: the first page
    assert page.status_code == 200 and "退款流程" in page.get_data(as_text=True)
