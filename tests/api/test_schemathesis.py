"""schemathesis over the OpenAPI document (ASVS 13.1.5): no server error, no answer outside the schema.

Every operation of /api/v1/openapi.json is fuzzed in-process (WSGI) with a real owner token against
seeded data: valid inputs (path ids fixed to seeded rows, then generated freely) and invalid ones
(negative mode). Each response must not be a 5xx, must have a documented status and content type,
and must match its documented schema. Bounded and derandomised so it runs in well under a minute;
API_FUZZ_EXAMPLES=200 (say) explores further, with fresh randomness.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from saas.extensions import db
from saas.roadmaps.adoption.services import assessments
from saas.roadmaps.items.services import items
from saas.roadmaps.planning.services import phases
from saas.tenants.permissions import Role
from tests.api.conftest import token_for
from tests.roadmaps.assessing import enter, line_named

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "0"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# (mode, examples per operation, whether path ids are the seeded rows' or generated)
PASSES = [
    (GenerationMode.POSITIVE, EXAMPLES or 12, True),
    (GenerationMode.NEGATIVE, EXAMPLES or 8, True),
    (GenerationMode.POSITIVE, EXAMPLES or 3, False),
]


@pytest.fixture
def seeded(tenant, people, roadmap) -> dict[str, Any]:
    """Rows for the fuzzer to find: items (one assigned), a phase, a recorded assessment."""
    owner = people[Role.OWNER]
    enter(tenant)
    wp = next(selected for selected in roadmap.areas if selected.area.code == "WP")
    phase = phases.phase_create(
        tenant=tenant,
        actor=owner,
        roadmap=roadmap,
        name="Wave 1",
        starts_on=None,
        ends_on=None,
        area_ids=[wp.id],
    )
    item = items.item_create(
        tenant=tenant,
        actor=owner,
        roadmap=roadmap,
        title="Seeded",
        area_code="WP",
        assignee=people[Role.STAFF],
    )
    items.item_create(tenant=tenant, actor=owner, roadmap=roadmap, title="Another")
    assessment = assessments.assessment_set(
        tenant=tenant,
        actor=owner,
        roadmap=roadmap,
        service_line=line_named(roadmap, "Help desk"),
        area_code="WP",
        practice_code="SP 1.1",
        characterisation="PI",
        notes="Seeded",
    )
    db.session.commit()
    return {
        "tenant_slug": tenant.slug,
        "model_key": "cmmi-svc",
        "area_code": "WP",
        "roadmap_id": roadmap.id,
        "roadmap_area_id": wp.id,
        "phase_id": phase.id,
        "item_id": item.id,
        "assessment_id": assessment.id,
    }


def _destructive_last(operation) -> tuple[bool, str]:
    return (operation.method.upper() in {"DELETE"} or operation.path.endswith("/archive"), operation.label)


def test_schemathesis_finds_no_server_error_and_no_response_outside_the_schema(
    app, client, people, seeded, monkeypatch
):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "100000 per minute")  # the fuzzer is one busy token
    # The token is sent with every call, so the generator leaves the Authorization header alone.
    config = schemathesis.Config.from_dict({"generation": {"with-security-parameters": False}})
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)
    operations = sorted((result.ok() for result in schema.get_all_operations()), key=_destructive_last)
    assert len(operations) >= 30
    headers = {"Authorization": f"Bearer {token_for(people[Role.OWNER])}"}
    calls: list[int] = []

    for mode, examples, fixed_ids in PASSES:
        checks = CHECKS + ([negative_data_rejection] if mode is GenerationMode.NEGATIVE else [])
        for operation in operations:
            names = {parameter.name for parameter in operation.path_parameters}
            fixed = {name: value for name, value in seeded.items() if name in names}
            if not fixed_ids:
                fixed = {name: value for name, value in fixed.items() if name in {"tenant_slug", "model_key"}}
            if mode is GenerationMode.NEGATIVE and not _has_inputs(operation, fixed):
                continue
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=fixed)
            _fuzz(
                strategy,
                examples,
                lambda case, checks=checks: _call_and_check(case, client, headers, checks, calls),
            )

    assert len(calls) > 300  # the fuzzer really ran


def _fuzz(strategy: Any, examples: int, send: Callable[[Any], None]) -> None:
    """Run `send` on up to `examples` cases drawn from `strategy` (failures are shrunk and raised)."""

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=not EXAMPLES,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        send(case)

    run()


def _call_and_check(case: Any, client: Any, headers: dict[str, str], checks: list, calls: list[int]) -> None:
    response = case.call(session=client, headers=headers)
    calls.append(response.status_code)
    case.validate_response(response, checks=checks, headers=headers)


def _has_inputs(operation, fixed: dict[str, Any]) -> bool:
    """Negative mode needs something to break: a body, a query parameter or a generated path part."""
    generated_path = {p.name for p in operation.path_parameters} - set(fixed)
    return bool(operation.body) or bool(list(operation.query)) or bool(generated_path)
