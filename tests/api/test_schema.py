"""Schemathesis against the API's own OpenAPI document: generated calls (valid and invalid) to every
operation, as an administrator (who sees everything) and as a customer (who sees least): never a
server error, and every answer (status, content type, headers, body) is one the document declares.

Driven with hypothesis directly (schemathesis' pytest plugin reads a node attribute pytest 9 no
longer has): one hypothesis run per operation, all against one seeded database per role."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi import checks as openapi_checks

from portal.api_tokens.service import SCOPES, issue_token
from tests import factories

CHECKS = [
    schemathesis.checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.response_schema_conformance,
]
EXAMPLES = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))


@pytest.fixture
def world(app, people):
    """A few real cases, so generated references and ids sometimes meet something."""
    group = factories.workgroup(people.agent, people.supervisor)
    for owner in (people.customer, people.other_customer):
        factories.case(owner, workgroup=group)
    return people


def _fuzz(app, user) -> list[str]:
    headers = {"Authorization": "Bearer " + issue_token(user, user, name="fuzz", scopes=list(SCOPES), days=1)[1]}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    covered = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @EXAMPLES
        def run(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        run()
        covered.append(operation.label)
    return covered


@pytest.mark.parametrize("role", ["admin", "customer"])
def test_every_answer_is_declared_and_none_is_a_server_error(app, world, role):
    covered = _fuzz(app, world.by_role(role))
    assert "GET /api/v1/me" in covered
