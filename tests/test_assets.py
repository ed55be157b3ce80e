"""Without built browser assets (`pip install -e .` alone) pages say how to build them: 503, not 500."""

from __future__ import annotations

import html

import pytest

from saas import assets
from tests.support import make_tenant, owner_of


@pytest.fixture
def no_assets(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(assets, "DIST", tmp_path / "dist")  # no manifest.json there


@pytest.mark.parametrize("path", ["/", "/login", "/no-such-page"])
def test_a_page_without_built_assets_answers_503_with_the_build_command(client, no_assets, path):
    response = client.get(path)
    assert response.status_code == 503
    assert response.mimetype == "text/html"
    page = html.unescape(response.get_data(as_text=True))
    assert "The browser assets are not built" in page
    assert assets.BUILD_COMMAND in page


def test_a_signed_in_page_without_built_assets_answers_503(client, no_assets):
    tenant = make_tenant("Acme")
    client.login(owner_of(tenant))
    response = client.get(f"/t/{tenant.slug}/roadmaps")
    assert response.status_code == 503
    assert assets.BUILD_COMMAND in html.unescape(response.get_data(as_text=True))


def test_json_and_health_need_no_assets(client, no_assets):
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/openapi.json").status_code == 200
