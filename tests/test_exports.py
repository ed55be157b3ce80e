"""Every export, report file and download goes through one gate (`tenants.context.export_view`):
each route x role answers exactly as the permission table says, and never to a cache."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from saas.extensions import db
from saas.tenants.context import TENANT_PREFIX
from saas.tenants.models import Membership
from saas.tenants.permissions import Role, can
from tests.support import make_user
from tests.walker import all_rules, build_path, build_world, values_for

LOOKS_LIKE_A_FILE = re.compile(r"\.(csv|xlsx|pdf|zip|ics)$|/(download|export)")


def export_rules(app: Flask) -> list:
    return [
        rule
        for rule in all_rules(app)
        if rule.rule.startswith(TENANT_PREFIX)
        and getattr(app.view_functions[rule.endpoint], "is_export", False)
    ]


def test_every_tenant_file_route_goes_through_the_export_gate(app: Flask):
    files = [
        rule
        for rule in all_rules(app)
        if rule.rule.startswith(TENANT_PREFIX) and LOOKS_LIKE_A_FILE.search(rule.rule)
    ]
    unmarked = [
        rule.rule for rule in files if not getattr(app.view_functions[rule.endpoint], "is_export", False)
    ]

    assert files
    assert unmarked == []


@pytest.mark.parametrize("role", list(Role))
def test_each_export_answers_each_role_as_the_permission_table_says(app: Flask, role: Role):
    world = build_world("Acme")
    member = make_user(f"{role.value}@member.example", role.label)
    db.session.add(Membership(tenant=world.tenant, user=member, role=role))
    db.session.commit()
    client = app.test_client().login(member)
    rules = export_rules(app)
    assert {rule.endpoint for rule in rules} >= {
        "roadmaps.readiness_csv",
        "roadmaps.appraisal_pack_csv",
        "roadmaps.appraisal_pack_xlsx",
        "roadmaps.items_export",
        "roadmaps.evidence_download",
    }

    for rule in rules:
        permission = app.view_functions[rule.endpoint].required_permission
        path = build_path(app, rule, values_for(rule, world), "GET")
        response = client.get(path)
        expected = 200 if can(role, permission) else 403
        assert response.status_code == expected, (role, rule.rule, response.status_code)
        assert response.headers["Cache-Control"] == "no-store", rule.rule
