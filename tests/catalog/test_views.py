"""The model explorer pages and the catalog's JSON, for signed-in users only."""

from __future__ import annotations

import re

import pytest

SD_PRACTICES = [
    "Analyze Existing Agreements and Service Data",
    "Establish the Service Agreement",
    "Establish the Service Delivery Approach",
    "Prepare for Service System Operations",
    "Establish a Request Management System",
    "Receive and Process Service Requests",
    "Operate the Service System",
    "Maintain the Service System",
]


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def assert_no_inline_script(html: str) -> None:
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert not re.search(r"\son[a-z]+=", html)


@pytest.mark.parametrize(
    "path",
    ["/catalog/", "/catalog/cmmi-svc/areas/SD", "/catalog/cmmi-svc/search?q=SD"],
)
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("path", ["/catalog/cmmi-svc.json", "/catalog/cmmi-svc/areas/SD.json"])
def test_anonymous_json_gets_401_json(client, path):
    response = client.get(path)
    assert response.status_code == 401
    assert response.json["status"] == 401


def test_index_groups_areas_by_category(signed_in):
    html = html_of(signed_in.get("/catalog/"))

    for heading in ("Process Management", "Project and Work Management", "Support"):
        assert heading in html
    assert html.count('href="/catalog/cmmi-svc/areas/') >= 2 * 24
    assert re.search(r'class="nav-link active"\s+href="[^"]*group=category"\s+aria-current="page"', html)
    assert "Incident Resolution and Prevention" in html
    assert_no_inline_script(html)


def test_index_groups_areas_by_maturity_level(signed_in):
    html = html_of(signed_in.get("/catalog/?group=level"))

    for heading in ("Maturity level 2: Managed", "Maturity level 5: Optimizing"):
        assert heading in html
    assert re.search(r'href="[^"]*group=level"\s+aria-current="page"', html)


def test_unknown_grouping_falls_back_to_category(signed_in):
    html = html_of(signed_in.get("/catalog/?group=<script>"))
    assert "Service Establishment and Delivery" in html
    assert "<script>" not in html.split("<main", 1)[1]


def test_area_page_shows_goals_practices_and_generic_goals(signed_in):
    html = html_of(signed_in.get("/catalog/cmmi-svc/areas/SD"))

    assert "<h1" in html
    assert html.count('<h3 class="h6 mb-0" id="sg-') == 3
    for title in ("Establish Service Agreements", "Prepare for Service Delivery", "Deliver Services"):
        assert title in html
    for title in SD_PRACTICES:
        assert title in html
    assert html.count('id="sp-') == 8
    assert "GG 2 → CL2" in html
    assert "GG 3 → CL3" in html
    assert "Review Status with Higher Level Management" in html
    assert "Being ready to deliver" in html
    assert_no_inline_script(html)


def test_unknown_area_or_model_is_404(signed_in):
    assert signed_in.get("/catalog/cmmi-svc/areas/NOPE").status_code == 404
    assert signed_in.get("/catalog/no-model/").status_code == 404
    assert signed_in.get("/catalog/no-model/areas/SD").status_code == 404


def test_search_page_finds_codes_and_words(signed_in):
    html = html_of(signed_in.get("/catalog/cmmi-svc/search?q=SD"))
    assert 'href="/catalog/cmmi-svc/areas/SD"' in html

    html = html_of(signed_in.get("/catalog/cmmi-svc/search?q=incident"))
    assert "Incident Resolution and Prevention" in html
    assert "/catalog/cmmi-svc/areas/IRP#sp-2-3" in html


def test_search_page_has_an_empty_state_and_a_prompt(signed_in):
    assert "Nothing matches" in html_of(signed_in.get("/catalog/cmmi-svc/search?q=zzzqqq"))
    assert "Type an area code" in html_of(signed_in.get("/catalog/cmmi-svc/search"))


@pytest.mark.parametrize("query", ["%", "'", "%25%27%22", "a" * 5000, "<b>x</b>"])
def test_search_page_survives_odd_input(signed_in, query):
    html = html_of(signed_in.get(f"/catalog/cmmi-svc/search?q={query}"))
    assert "<b>x</b>" not in html


def test_a_nul_in_the_search_is_refused_with_a_message(signed_in):
    response = signed_in.get("/catalog/cmmi-svc/search?q=%00")
    assert response.status_code == 400
    assert "NUL character" in response.get_data(as_text=True)


def test_default_model_has_one_canonical_address(signed_in):
    response = signed_in.get("/catalog/cmmi-svc/?group=level")
    assert response.status_code == 308
    assert response.headers["Location"].endswith("/catalog/?group=level")


def test_navbar_links_to_the_model_when_signed_in(signed_in):
    assert 'href="/catalog/">Model</a>' in html_of(signed_in.get("/catalog/cmmi-svc/areas/SD"))


def test_navbar_has_no_model_link_for_visitors(client):
    # A separate test: requests share the test's app context, so flask-login's cached
    # anonymous user would outlive a later client.login() in the same test.
    assert ">Model</a>" not in html_of(client.get("/"))


def test_model_json_holds_areas_goals_and_practices(signed_in):
    response = signed_in.get("/catalog/cmmi-svc.json")

    assert response.status_code == 200
    body = response.json
    assert (body["key"], body["version"]) == ("cmmi-svc", "1.3")
    assert len(body["areas"]) == 24
    assert sum(len(goal["practices"]) for area in body["areas"] for goal in area["goals"]) == 181
    assert [goal["code"] for goal in body["generic_goals"]] == ["GG 1", "GG 2", "GG 3"]
    assert [scale["code"] for scale in body["characterisations"]] == ["FI", "LI", "PI", "NI", "NY"]
    sd = next(area for area in body["areas"] if area["code"] == "SD")
    assert set(sd) == {
        "id", "code", "name", "category", "maturity_level", "purpose",
        "suggested_order", "optional_in_staging", "themes", "goals",
    }  # fmt: skip
    assert sd["category"] == {
        "key": "service-establishment-and-delivery",
        "name": "Service Establishment and Delivery",
    }


def test_area_json_holds_its_goals_and_practices(signed_in):
    body = signed_in.get("/catalog/cmmi-svc/areas/SD.json").json

    assert (body["model"], body["code"], body["maturity_level"]) == ("cmmi-svc", "SD", 2)
    assert [goal["code"] for goal in body["goals"]] == ["SG 1", "SG 2", "SG 3"]
    assert [p["title"] for goal in body["goals"] for p in goal["practices"]] == SD_PRACTICES
    assert set(body["goals"][0]["practices"][0]) == {"id", "key", "code", "title", "summary", "kind"}


@pytest.mark.parametrize(
    "path", ["/catalog/cmmi-svc/areas/NOPE.json", "/catalog/no-model.json", "/catalog/x/areas/SD.json"]
)
def test_unknown_json_is_a_404_json_body(signed_in, path):
    response = signed_in.get(path)
    assert response.status_code == 404
    assert response.json["status"] == 404
    assert response.json["message"]
