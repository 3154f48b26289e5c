"""schemathesis against /api/v1/openapi.json: generated valid and invalid requests for every
operation; no 5xx, and every answer (status, headers, body) matches the document.

The document is loaded from the running app with a real token, and the cases are run through
Hypothesis directly (``as_strategy``): schemathesis' lazy-fixture ``parametrize`` does not work
with this pytest. Examples are bounded so the test stays well under a minute.
"""
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from kb_portal.accounts.services import create_token
from tests import factories

EXAMPLES = 40  # per operation and mode


@pytest.fixture
def api_token(app, users):
    factories.article("refund-policy", "退款政策", "## 到账时限\n3个工作日到账。",
                      category="policy", tags=["退款"])
    factories.article("complaint-intake", "投诉受理", "## 受理\n先记录再解释。", tags=["投诉"])
    factories.training_samples(users["agent"])
    return create_token(users["agent"], "schemathesis")


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_keeps_the_promises_of_its_openapi_document(app, api_token, mode):
    headers = {"Authorization": f"Bearer {api_token}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, headers=headers)
    operations = [result.ok() for result in schema.get_all_operations()]
    # every operation but the document itself, which schemathesis leaves out
    assert {op.path for op in operations} == set(schema.raw_schema["paths"]) - {"/openapi.json"}

    for operation in operations:
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            case.call_and_validate(headers=headers)

        run()
