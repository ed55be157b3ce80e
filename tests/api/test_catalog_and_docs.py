"""The catalog and members through the API, the OpenAPI document and the docs page."""

from __future__ import annotations

from saas.tenants.permissions import Role


def test_the_catalog_lists_models_and_areas_and_shows_one_area(owner_api):
    models = owner_api.get("/catalog/models").json
    model = owner_api.get("/catalog/models/cmmi-svc").json
    areas = owner_api.get("/catalog/models/cmmi-svc/areas").json
    area = owner_api.get("/catalog/models/cmmi-svc/areas/wp").json

    assert [m["key"] for m in models["items"]] == ["cmmi-svc"]
    assert [level["level"] for level in model["maturity_levels"]] == [1, 2, 3, 4, 5]
    assert [goal["code"] for goal in model["generic_goals"]][:2] == ["GG 1", "GG 2"]
    assert areas["total"] == 24
    assert {"code": "WP"}.items() <= next(a for a in areas["items"] if a["code"] == "WP").items()
    assert area["code"] == "WP"
    assert area["model"] == "cmmi-svc"
    assert area["category"]["name"] == "Project and Work Management"
    assert area["goals"][0]["practices"][0]["code"] == "SP 1.1"


def test_unknown_models_and_areas_are_404_in_json(owner_api):
    assert owner_api.get("/catalog/models/cmmi-dev").status_code == 404
    missing = owner_api.get("/catalog/models/cmmi-svc/areas/XYZ")
    assert missing.status_code == 404
    assert missing.json["message"] == "No such process area."


def test_members_are_listed_with_their_roles(api_as, tenant, people):
    members = api_as(Role.VIEWER).get(f"/t/{tenant.slug}/members").json

    assert {(m["user_id"], m["role"]) for m in members["items"]} == {
        (user.id, role.value) for role, user in people.items()
    }
    assert members["total"] == len(people)


def test_the_openapi_document_describes_every_operation_with_bearer_auth(client):
    spec = client.get("/api/v1/openapi.json").json

    assert spec["openapi"].startswith("3.")
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal API token (cmmi_...).",
    }
    assert spec["security"] == [{"bearerAuth": []}]
    paths = spec["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/t/{tenant_slug}/items"])
    assert {"get", "patch", "delete"} <= set(paths["/api/v1/t/{tenant_slug}/items/{item_id}"])
    assert {"get", "post"} <= set(paths["/api/v1/t/{tenant_slug}/roadmaps/{roadmap_id}/assessments"])
    error = spec["components"]["schemas"]["ErrorOut"]
    assert set(error["required"]) == {"status", "message", "errors"}
    for item in paths.values():
        for method, operation in item.items():
            if method != "parameters":
                assert "default" in operation["responses"], operation["summary"]


def test_the_docs_page_lists_the_operations_from_the_document(client):
    page = client.get("/api/docs")
    html = page.get_data(as_text=True)

    assert page.status_code == 200
    assert "/api/v1/t/{tenant_slug}/items/{item_id}/status" in html
    assert "Action items" in html
    assert "ItemCreateIn" in html
    assert 'href="/api/v1/openapi.json"' in html
    assert "cdn" not in html.lower()


def test_the_account_page_links_to_api_tokens(client, people):
    client.login(people[Role.OWNER])

    assert "/account/api-tokens" in client.get("/account").get_data(as_text=True)
