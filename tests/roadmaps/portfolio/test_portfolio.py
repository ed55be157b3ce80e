"""The consultant portfolio: which clients it shows, their figures from seeded rows, sorting, the chart."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event

from saas.accounts.models import User
from saas.catalog.models import CatalogModel
from saas.extensions import db
from saas.roadmaps.adoption.models import RoadmapSnapshot
from saas.roadmaps.items.models import ActionItem, ItemStatus
from saas.roadmaps.planning.models import Roadmap, RoadmapStatus
from saas.roadmaps.portfolio.services import portfolio
from saas.tenants import services as tenants
from saas.tenants.models import AuditEvent, Membership, Tenant
from saas.tenants.permissions import Role
from saas.tenants.scoping import scope_session
from tests.roadmaps.conftest import build_roadmap, make_item
from tests.support import add_member, make_tenant, make_user, owner_of

TODAY = datetime.now(UTC).date()


# --- seeding ------------------------------------------------------------------------------------


def snapshot(roadmap: Roadmap, days_ago: int, *, level: int, fi: int, li: int, practices: int, areas=None):
    """A daily snapshot as ratings.snapshot_figures writes it."""
    counts = {"FI": fi, "LI": li, "PI": 0, "NI": 0, "NY": 0, "none": practices - fi - li}
    db.session.add(
        RoadmapSnapshot(
            tenant_id=roadmap.tenant_id,
            roadmap_id=roadmap.id,
            taken_on=TODAY - timedelta(days=days_ago),
            figures={
                "counts": counts,
                "practices": practices,
                "implemented_percent": round(100 * (fi + li) / practices, 1),
                "maturity_level": level,
                "equivalent_staging": level,
                "areas": {code: {"level": cl, "target": 2} for code, cl in (areas or {}).items()},
            },
        )
    )


def client_of(consultant: User, name: str, role: Role = Role.CONSULTANT) -> Tenant:
    tenant = make_tenant(name)
    db.session.add(Membership(tenant=tenant, user=consultant, role=role))
    db.session.flush()
    return tenant


def event_at(tenant: Tenant, at: datetime) -> None:
    db.session.add(AuditEvent(tenant=tenant, actor=owner_of(tenant), action="test.event", created_at=at))


@pytest.fixture
def consultant() -> User:
    return make_user("chris@consulting.example", "Chris Consultant")


@pytest.fixture
def clients(consultant, catalog_model: CatalogModel) -> dict[str, Tenant]:
    """Three clients with known figures, beside an organisation where Chris is only staff and
    one where Chris is nobody.

    Alpha: ML3 programme, ML2 now (5 of 10 at LI/FI), ML1 a week ago: rising; 2 items overdue.
    Bravo: a profile roadmap, 25 % now against 40 % a week ago: falling; an archived roadmap
    whose figures must not count; nothing overdue.
    Charlie: no roadmap yet.
    """
    alpha, bravo, charlie = (client_of(consultant, name) for name in ("Alpha", "Bravo", "Charlie"))
    colleague = make_tenant("Own Firm")
    db.session.add(Membership(tenant=colleague, user=consultant, role=Role.STAFF))
    make_tenant("Stranger Inc")
    scope_session(db.session, [alpha.id, bravo.id, charlie.id])

    plan = build_roadmap(alpha, catalog_model, ["WP", "SD"], name="ML3 programme")
    plan.target_maturity_level = 3
    snapshot(plan, 9, level=1, fi=0, li=1, practices=10, areas={"WP": 0, "SD": 0})
    snapshot(plan, 8, level=1, fi=1, li=1, practices=10, areas={"WP": 1, "SD": 0})
    snapshot(plan, 0, level=2, fi=3, li=2, practices=10, areas={"WP": 2, "SD": 1})
    for days_late in (1, 30, 2, -3):  # the last one is due in three days
        make_item(alpha, plan, title=f"Due {days_late} days ago", due_on=TODAY - timedelta(days=days_late))
    scope_session(db.session, [alpha.id, bravo.id, charlie.id])
    _set_statuses(alpha, {"Due 30 days ago": ItemStatus.BLOCKED, "Due 2 days ago": ItemStatus.DONE})
    event_at(alpha, datetime(2030, 1, 2, 9, 30, tzinfo=UTC))

    profile = build_roadmap(bravo, catalog_model, ["WP"], name="Service profile")
    profile.target_kind, profile.target_maturity_level = "capability_profile", None
    snapshot(profile, 7, level=1, fi=8, li=0, practices=20, areas={"WP": 2})
    snapshot(profile, 0, level=1, fi=2, li=3, practices=20, areas={"WP": 1, "CAM": 3})
    old = build_roadmap(bravo, catalog_model, ["SD"], name="Old programme")
    old.status = RoadmapStatus.ARCHIVED
    snapshot(old, 0, level=5, fi=10, li=0, practices=10, areas={"SD": 3})
    db.session.commit()
    return {"alpha": alpha, "bravo": bravo, "charlie": charlie}


def _set_statuses(tenant: Tenant, statuses: dict[str, ItemStatus]) -> None:
    for item in db.session.scalars(db.select(ActionItem).where(ActionItem.tenant_id == tenant.id)):
        item.status = statuses.get(item.title, item.status)
    db.session.flush()


# --- reading the page ---------------------------------------------------------------------------


def rows(html: str) -> list[str]:
    return re.findall(r'<tr data-client="([^"]+)">', html)


def text_of(html: str) -> str:
    """The words of an HTML fragment, tags dropped and white space collapsed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def cell(html: str, slug: str, column: str) -> str:
    row = html.split(f'<tr data-client="{slug}">', 1)[1].split("</tr>", 1)[0]
    return text_of(re.search(rf'<td data-column="{column}"[^>]*>(.*?)</td>', row, re.S).group(1))


def chart_of(html: str) -> dict:
    found = re.search(r"data-chart='([^']+)'", html)
    return json.loads(unescape(found.group(1)))


# --- which clients ------------------------------------------------------------------------------


def test_a_consultant_with_three_clients_sees_exactly_those_three(client, consultant, clients):
    page = client.login(consultant).get("/portfolio").get_data(as_text=True)

    assert rows(page) == ["alpha", "bravo", "charlie"]
    assert "Own Firm" not in page.split("<table", 1)[1]  # Chris is staff there, not its consultant
    assert "Stranger Inc" not in page
    assert '<a href="/t/alpha/">Alpha</a>' in page  # click through to the client's dashboard
    assert 'class="nav-link active" aria-current="page" href="/portfolio">Portfolio</a>' in page


def test_the_figures_come_from_the_seeded_snapshots_items_and_audit_events(client, consultant, clients):
    page = client.login(consultant).get("/portfolio").get_data(as_text=True)

    assert [cell(page, "alpha", c) for c in ("target", "level", "adoption", "overdue", "activity", "trend")] == [
        "ML3", "ML2", "50.0 %", "2 overdue items of Alpha", "2030-01-02 09:30 UTC", "↑ improving",
    ]  # fmt: skip
    assert [cell(page, "bravo", c) for c in ("target", "level", "adoption", "overdue", "trend")] == [
        "—", "ML1", "25.0 %", "0", "↓ declining",
    ]  # fmt: skip
    assert [cell(page, "charlie", c) for c in ("target", "level", "adoption", "overdue", "trend")] == [
        "—", "—", "—", "0", "— no figures from a week ago",
    ]  # fmt: skip
    assert "Old programme" not in page  # archived: not on the portfolio
    assert "ML3 programme : ML2, target ML3 · 50.0 % ↑ improving" in text_of(page)
    assert "/t/alpha/items?due=overdue" in page


def test_the_service_reads_the_figures_in_one_pass(consultant, clients):
    memberships = tenants.client_memberships(user=consultant)
    scope_session(db.session, [membership.tenant_id for membership in memberships])

    board = portfolio.portfolio_build(memberships=memberships, sort="client")

    alpha, bravo, charlie = board.rows
    assert (alpha.target_level, alpha.current_level, alpha.adoption_percent) == (3, 2, 50.0)
    assert (alpha.overdue_items, alpha.trend, alpha.roadmaps[0].trend) == (
        2,
        portfolio.Trend.UP,
        portfolio.Trend.UP,
    )
    assert alpha.roadmaps[0].week_ago.implemented == 2  # the snapshot of 8 days ago, not 9
    assert (bravo.target_level, bravo.current_level, bravo.trend) == (None, 1, portfolio.Trend.DOWN)
    assert [line.name for line in bravo.roadmaps] == ["Service profile"]
    assert (charlie.roadmaps, charlie.trend, charlie.last_activity is not None) == (
        [],
        portfolio.Trend.UNKNOWN,
        True,
    )
    assert board.area_codes == ["SD", "WP", "CAM"]  # ML2 areas first, then ML3


def test_a_week_old_snapshot_on_the_same_figures_is_steady(consultant, clients, catalog_model):
    alpha = clients["alpha"]
    scope_session(db.session, [alpha.id])
    roadmap = build_roadmap(alpha, catalog_model, ["CAM"], name="Second")
    snapshot(roadmap, 10, level=1, fi=1, li=0, practices=4)
    snapshot(roadmap, 1, level=1, fi=1, li=0, practices=4)
    memberships = [m for m in tenants.client_memberships(user=consultant) if m.tenant_id == alpha.id]

    [row] = portfolio.portfolio_build(memberships=memberships).rows

    assert [line.trend for line in row.roadmaps] == [portfolio.Trend.UP, portfolio.Trend.FLAT]
    assert row.adoption_percent == round(100 * 6 / 14, 1)  # weighted by practices over both roadmaps


# --- revoking, read-only consultants, nobody's consultant ---------------------------------------


def test_revoking_removes_the_client_at_once_and_its_urls_give_404(client, consultant, clients):
    bravo = clients["bravo"]
    roadmap_id = db.session.scalar(db.select(Roadmap.id).where(Roadmap.tenant_id == bravo.id).limit(1))
    assert client.login(consultant).get(f"/t/bravo/roadmaps/{roadmap_id}").status_code == 200
    owner = owner_of(bravo)
    membership = tenants.membership_get(tenant=bravo, user=consultant)

    client.login(owner)
    response = client.submit(f"/t/bravo/members/{membership.id}/remove", token_page="/account")
    assert response.status_code == 302

    client.login(consultant)
    assert rows(client.get("/portfolio").get_data(as_text=True)) == ["alpha", "charlie"]
    for url in ("/t/bravo/", f"/t/bravo/roadmaps/{roadmap_id}", "/t/bravo/items", "/t/bravo/audit"):
        assert client.get(url).status_code == 404, url


def test_a_read_only_consultant_is_on_the_portfolio_and_marked(client, consultant, clients):
    viewer_client = client_of(consultant, "Delta", Role.CONSULTANT_VIEWER)
    db.session.commit()

    page = client.login(consultant).get("/portfolio").get_data(as_text=True)

    assert rows(page) == ["alpha", "bravo", "charlie", viewer_client.slug]
    assert "read-only</span>" in page.split(f'data-client="{viewer_client.slug}"', 1)[1].split("</th>", 1)[0]


def test_someone_who_consults_for_nobody_gets_an_empty_portfolio_with_a_hint(client):
    owner = owner_of(make_tenant("Solo"))

    response = client.login(owner).get("/portfolio")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "No organisation has made you its consultant yet" in page
    assert "Consultant (read-only)" in page
    assert 'href="/portfolio"' not in page  # no navigation link for non-consultants


def test_the_portfolio_needs_a_signed_in_user(client):
    response = client.get("/portfolio")

    assert response.status_code == 302
    assert response.location.startswith("/login")


# --- sorting and the comparison -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "expected", "aria"),
    [
        ("", ["alpha", "bravo", "charlie"], ("Client", "ascending")),
        ("-client", ["charlie", "bravo", "alpha"], ("Client", "descending")),
        ("adoption", ["bravo", "alpha", "charlie"], ("Practices LI/FI", "ascending")),
        ("-adoption", ["alpha", "bravo", "charlie"], ("Practices LI/FI", "descending")),  # no figures: last
        ("-overdue", ["alpha", "bravo", "charlie"], ("Overdue items", "descending")),
        ("trend", ["bravo", "alpha", "charlie"], ("Trend", "ascending")),
        ("-level", ["alpha", "bravo", "charlie"], ("Current level", "descending")),
        ("target", ["alpha", "bravo", "charlie"], ("Target", "ascending")),
        ("activity", ["bravo", "charlie", "alpha"], ("Last activity", "ascending")),
        ("nonsense", ["alpha", "bravo", "charlie"], ("Client", "ascending")),
    ],
)
def test_the_portfolio_sorts_by_each_column(client, consultant, clients, sort, expected, aria):
    page = client.login(consultant).get(f"/portfolio?sort={sort}").get_data(as_text=True)

    assert rows(page) == expected
    label, direction = aria
    header = re.search(rf'<th scope="col" aria-sort="{direction}">\s*<a [^>]*>([^<]+)</a>', page)
    assert header
    assert header.group(1) == label
    assert page.count("aria-sort=") == 1


def test_column_headers_are_links_that_reverse_the_current_order(client, consultant, clients):
    page = client.login(consultant).get("/portfolio?sort=overdue").get_data(as_text=True)

    assert 'href="/portfolio?sort=-overdue">Overdue items</a>' in page
    assert 'href="/portfolio?sort=adoption">Practices LI/FI</a>' in page


def test_capability_profiles_of_all_clients_side_by_side(client, consultant, clients):
    page = client.login(consultant).get("/portfolio").get_data(as_text=True)

    chart = chart_of(page)
    assert chart["type"] == "bar"
    assert chart["data"]["labels"] == ["SD", "WP", "CAM"]
    datasets = {dataset["label"]: dataset["data"] for dataset in chart["data"]["datasets"]}
    assert datasets == {"Alpha": [1, 2, None], "Bravo": [None, 1, 3]}  # Charlie has no figures yet
    assert "<script" not in page.split("<main", 1)[1]


# --- a fixed number of queries ------------------------------------------------------------------


@contextmanager
def counted_queries() -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_connection, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def seed_clients(consultant: User, model: CatalogModel, count: int, start: int) -> None:
    """`count` clients, each with a roadmap, two snapshots, an overdue item and audit events."""
    for number in range(start, start + count):
        tenant = client_of(consultant, f"Client {number:02d}")
        roadmap = build_roadmap(tenant, model, ["WP", "SD"], name=f"Plan {number}")
        snapshot(roadmap, 8, level=1, fi=number % 3, li=0, practices=10, areas={"WP": 1})
        snapshot(
            roadmap, 0, level=1 + number % 2, fi=number % 5, li=1, practices=10, areas={"WP": 2, "SD": 1}
        )
        make_item(tenant, roadmap, title="Late", due_on=TODAY - timedelta(days=3))
    db.session.commit()


def portfolio_queries(client, consultant: User) -> tuple[int, list[str]]:
    client.login(consultant)
    client.get("/portfolio")  # warm up: first-use lookups are not what is measured
    with counted_queries() as statements:
        page = client.get("/portfolio?sort=-adoption").get_data(as_text=True)
    return len(statements), rows(page)


def test_the_portfolio_costs_the_same_queries_for_3_and_30_clients(client, catalog_model):
    few, many = make_user("few@consulting.example", "Few"), make_user("many@consulting.example", "Many")
    seed_clients(few, catalog_model, 3, start=0)
    seed_clients(many, catalog_model, 30, start=10)

    few_count, few_rows = portfolio_queries(client, few)
    many_count, many_rows = portfolio_queries(client, many)

    assert (len(few_rows), len(many_rows)) == (3, 30)
    assert few_count == many_count
    assert few_count <= 10  # sign-in, clients, scope, roadmaps, 2 x snapshots, overdue, activity, areas, nav


def test_a_staff_member_of_a_client_is_not_its_consultant(client, consultant, clients):
    sam = add_member(clients["alpha"], Role.STAFF, "sam@alpha.example")
    db.session.commit()

    assert tenants.client_memberships(user=sam) == []
    assert [m.tenant.slug for m in tenants.client_memberships(user=consultant)] == [
        "alpha",
        "bravo",
        "charlie",
    ]


def test_overdue_is_counted_against_each_clients_own_today(consultant, clients, catalog_model):
    """Overdue means due before the client's today, in its time zone (UTC+14 here), not UTC's."""
    alpha = clients["alpha"]
    ahead = client_of(consultant, "Kiribati Co")
    ahead.timezone = "Pacific/Kiritimati"  # UTC+14
    scope_session(db.session, [alpha.id, ahead.id])
    roadmap = build_roadmap(ahead, catalog_model, ["WP"])
    local_today = datetime.now(ZoneInfo("Pacific/Kiritimati")).date()
    make_item(ahead, roadmap, title="Due yesterday there", due_on=local_today - timedelta(days=1))
    make_item(ahead, roadmap, title="Due today there", due_on=local_today)
    memberships = [
        m for m in tenants.client_memberships(user=consultant) if m.tenant_id in {alpha.id, ahead.id}
    ]
    scope_session(db.session, [alpha.id, ahead.id])

    board = portfolio.portfolio_build(memberships=memberships)

    assert {row.tenant.name: row.overdue_items for row in board.rows} == {"Alpha": 2, "Kiribati Co": 1}


def test_sorting_keeps_clients_without_a_value_last_either_way():
    def row(name: str, overdue: int, percent: float | None) -> portfolio.ClientRow:
        tenant = Tenant(id=hash(name) % 1000, name=name, slug=name.lower())
        line = portfolio.RoadmapLine(
            1,
            "Plan",
            2,
            portfolio.Figures(1, 10, int(percent / 10), {}) if percent is not None else None,
            None,
        )
        return portfolio.ClientRow(tenant, Role.CONSULTANT, [line], overdue, None)

    rows_ = [row("b", 1, 30.0), row("a", 1, None), row("c", 5, 60.0)]

    assert [r.tenant.name for r in portfolio.sort_rows(rows_, "adoption")] == ["b", "c", "a"]
    assert [r.tenant.name for r in portfolio.sort_rows(rows_, "-adoption")] == ["c", "b", "a"]
    assert [r.tenant.name for r in portfolio.sort_rows(rows_, "overdue")] == ["a", "b", "c"]
    assert [r.tenant.name for r in portfolio.sort_rows(rows_, "-overdue")] == ["c", "a", "b"]  # ties by name


def test_missing_figures_read_as_nothing_rather_than_failing():
    assert portfolio.trend_between([], []) is portfolio.Trend.UNKNOWN
    assert portfolio.percent(0, 0) is None
    assert portfolio.Figures.from_snapshot({}) == portfolio.Figures(1, 0, 0, {})
    assert portfolio.Figures.from_snapshot({"practices": 8, "implemented_percent": 25.0}).implemented == 2
