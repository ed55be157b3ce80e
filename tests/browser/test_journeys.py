"""The main journeys, as people click through them in Chromium against the real app.

1. An organisation signs up, builds an ML2 roadmap, invites a program manager and a staff
   member, gives the staff member an action item; the staff member signs in and completes it;
   the program manager characterises REQM's practices on the assessment grid (htmx saves
   each row in place) and the roadmap's dashboard shows REQM at its new capability level.
2. A consultant with two clients switches between them with the tenant switcher.

Every page is watched for console errors (CSP violations included), uncaught script errors
and 5xx answers; key pages are kept as screenshots under test-artifacts/browser/.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from saas.catalog.models import Practice, ProcessArea
from saas.extensions import db
from saas.tenants.models import Membership
from saas.tenants.permissions import Role
from tests.browser.conftest import screenshot
from tests.mailbox import Mailbox, body_text
from tests.support import PASSWORD, make_tenant, make_user, run_jobs

OWNER = ("Olivia Owner", "olivia@northwind.example")
MANAGER = ("Paul Manager", "paul@northwind.example")
STAFF = ("Sam Staff", "sam@northwind.example")


def sign_up(page: Page, mailbox: Mailbox) -> str:
    """Sign up a new organisation, confirm the address from the email and sign in; returns the
    tenant URL prefix (/t/<slug>)."""
    page.goto("/")
    page.get_by_role("link", name="Start free trial").click()
    page.get_by_label("Organisation name").fill("Northwind Service Desk")
    page.get_by_label("Your name").fill(OWNER[0])
    page.get_by_label("Work email").fill(OWNER[1])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create organisation").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    run_jobs()
    [confirmation] = mailbox.to(OWNER[1])
    page.goto(re.search(r"https?://\S+/verify/\S+", body_text(confirmation)).group(0))
    page.get_by_label("Email").fill(OWNER[1])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Northwind Service Desk")).to_be_visible()
    match = re.search(r"/t/[^/]+", page.url)
    assert match, page.url
    return match.group(0)


def create_ml2_roadmap(page: Page, tenant: str) -> str:
    """The guided form with a target maturity level of 2; returns the roadmap's URL."""
    page.goto(f"{tenant}/roadmaps")
    page.goto(f"{tenant}/roadmaps/new")
    effect = page.locator("#selection-effect")
    # The htmx fragment under the form says what the choice reaches, before anything is saved
    # (one change at a time, as a person makes them: a newer change cancels the request in flight).
    expect(effect).to_contain_text("maturity level 2")
    page.get_by_label("Name", exact=True).fill("Reach ML2 by summer")
    expect(page.get_by_label(re.compile("^A target maturity level"))).to_be_checked()
    level = page.get_by_label("Target maturity level", exact=True)
    for wanted in ("3", "2"):
        with page.expect_response(lambda response: response.url.endswith("/roadmaps/selection-effect")):
            level.select_option(value=wanted)
        expect(effect).to_contain_text(f"maturity level {wanted}")
    screenshot(page, "01-new-roadmap")
    page.get_by_role("button", name="Create roadmap").click()
    expect(page.get_by_text(re.compile("Roadmap “Reach ML2 by summer” created with"))).to_be_visible()
    expect(page.get_by_role("heading", name="Target and current level")).to_be_visible()
    return page.url


def invite(page: Page, tenant: str, email: str, role_label: str) -> None:
    page.goto(f"{tenant}/members")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Role").last.select_option(label=role_label)
    page.get_by_role("button", name=re.compile("^Invite|^Send")).click()
    expect(page.get_by_text(f"Invitation sent to {email}.")).to_be_visible()


def invitation_link(mailbox: Mailbox, email: str) -> str:
    messages = mailbox.to(email)
    assert messages, f"no invitation mailed to {email}: {[m['To'] for m in mailbox.messages]}"
    match = re.search(r"https?://\S+/invitations/\S+", body_text(messages[-1]))
    assert match, body_text(messages[-1])
    return match.group(0)


def accept_invitation(page: Page, link: str, name: str) -> None:
    page.goto(link)
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Join|Accept|Create")).click()
    expect(page.get_by_text(re.compile("Welcome to Northwind Service Desk"))).to_be_visible()


def sign_in(page: Page, email: str, name: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=name)).to_be_visible()  # the account menu


def test_signup_to_roadmap_item_assessment_and_dashboard(new_page, problems, mailbox: Mailbox):
    owner = new_page("owner")
    tenant = sign_up(owner, mailbox)
    screenshot(owner, "00-dashboard-after-signup")
    roadmap_url = create_ml2_roadmap(owner, tenant)
    expect(owner.get_by_role("row", name=re.compile(r"^REQM"))).to_contain_text("CL0")
    problems.assert_none("signup and the new roadmap")

    # The owner invites a program manager and a staff member; the invitations go out by mail.
    invite(owner, tenant, MANAGER[1], "Program manager")
    invite(owner, tenant, STAFF[1], "Staff")
    assert run_jobs() >= 2
    staff = new_page("staff")
    accept_invitation(staff, invitation_link(mailbox, STAFF[1]), STAFF[0])
    manager = new_page("program manager")
    accept_invitation(manager, invitation_link(mailbox, MANAGER[1]), MANAGER[0])
    problems.assert_none("the invitations")

    # The owner creates an action item on a REQM practice and gives it to the staff member.
    owner.goto(f"{tenant}/items/new")
    owner.get_by_label("Title").fill("Write the requirements baseline procedure")
    owner.get_by_label("Process area").select_option(value="REQM")
    owner.get_by_label("Practice").fill("SP 1.1")
    owner.get_by_label("Assignee").select_option(label=STAFF[0])
    screenshot(owner, "02-new-action-item")
    owner.get_by_role("button", name=re.compile("^Create")).click()
    expect(owner.get_by_text(re.compile(r"Created AI-\d+\."))).to_be_visible()
    item_url = owner.url
    expect(owner.locator("dd").filter(has_text=STAFF[0])).to_be_visible()
    run_jobs()
    assert mailbox.to(STAFF[1])[-1]["Subject"], "the assignee is emailed"
    problems.assert_none("the new action item")

    # The staff member signs in on another browser, finds the item in "my items" and completes it.
    staff.context.clear_cookies()
    sign_in(staff, STAFF[1], STAFF[0])
    staff.goto("/my/items")
    staff.get_by_role("link", name=re.compile("Write the requirements baseline procedure")).click()
    screenshot(staff, "03-item-before-done")
    staff.locator("#status-status").select_option(value="done")
    staff.get_by_role("button", name=re.compile("^(Update|Set|Save|Change)")).first.click()
    expect(staff.get_by_text(re.compile(r"AI-\d+ is now done\."))).to_be_visible()
    owner.goto(item_url)
    expect(owner.locator("dd").first).to_contain_text("Done")
    problems.assert_none("completing the item")

    # The program manager characterises every REQM practice; each row is saved by htmx in place.
    # The roadmap's Adoption tab opens the pictures; their heatmap links each area's grid, and
    # their charts must draw under the CSP.
    manager.goto(roadmap_url)
    manager.get_by_role("navigation", name="Roadmap sections").get_by_role("link", name="Adoption").click()
    screenshot(manager, "04-adoption-before")
    manager.get_by_role("link", name="REQM", exact=True).first.click()
    summary = manager.locator("#area-summary")
    expect(summary.locator("[data-capability-level]")).to_have_attribute("data-capability-level", "0")
    selects = manager.locator("select[name=characterisation]")
    count = selects.count()
    assert count == len(reqm_practice_codes()) + 10, "REQM's specific practices and GG 2's ten"
    for index in range(count):
        row = manager.locator("tr[data-practice]").nth(index)
        code = row.get_attribute("data-practice")
        with manager.expect_response(lambda r, c=code: r.request.method == "POST" and "/assessment" in r.url):
            row.locator("select[name=characterisation]").select_option(value="FI")
        # The swapped-in row keeps the value: it came back from the server.
        expect(manager.locator(f'tr[data-practice="{code}"] select[name=characterisation]')).to_have_value(
            "FI"
        )
    expect(summary.locator("[data-capability-level]")).to_have_attribute("data-capability-level", "2")
    expect(summary).to_contain_text("REQM meets its target.")
    screenshot(manager, "05-assessment-grid-reqm")
    problems.assert_none("the assessment grid")

    # The dashboard shows REQM at CL2, on target, and the practices as fully implemented.
    manager.goto(roadmap_url)
    reqm = manager.get_by_role("row", name=re.compile(r"^REQM"))
    expect(reqm).to_contain_text("CL2")
    expect(reqm).to_contain_text("on target")
    fully = manager.get_by_role("row", name=re.compile(r"^Fully Implemented"))
    expect(fully).to_contain_text(str(count))
    expect(manager.get_by_role("heading", name="Action items").locator("..")).to_contain_text("100%")
    screenshot(manager, "06-roadmap-dashboard")


def reqm_practice_codes() -> list[str]:
    codes = list(
        db.session.scalars(
            select(Practice.code)
            .join(ProcessArea, ProcessArea.id == Practice.area_id)
            .where(ProcessArea.code == "REQM")
        )
    )
    db.session.rollback()  # end the read: an open transaction here would hold SQLite's lock against the server
    return codes


def test_consultant_switches_between_two_clients(new_page, problems):
    consultant = make_user("casey@consulting.example", "Casey Consultant")
    for name in ("Client North", "Client South"):
        client = make_tenant(name)
        db.session.add(Membership(tenant=client, user=consultant, role=Role.CONSULTANT))
    db.session.commit()

    page = new_page("consultant")
    sign_in(page, "casey@consulting.example", "Casey Consultant")
    page.goto("/home")
    screenshot(page, "10-consultant-home")
    page.get_by_role("link", name=re.compile("Client North")).click()
    expect(page.get_by_role("heading", name="Client North")).to_be_visible()

    # The switcher is a Bootstrap dropdown in the navigation: its script must run under the CSP.
    switcher = page.get_by_role("button", name="Client North").or_(
        page.get_by_role("link", name="Client North")
    )
    switcher.first.click()
    menu = page.locator(".dropdown-menu.show")
    expect(menu).to_be_visible()
    screenshot(page, "11-tenant-switcher-open")
    menu.get_by_role("link", name=re.compile("Client South")).click()
    expect(page.get_by_role("heading", name="Client South")).to_be_visible()
    assert "/t/client-south" in page.url

    # And back again: the switcher marks the current client.
    page.get_by_role("button", name="Client South").or_(
        page.get_by_role("link", name="Client South")
    ).first.click()
    expect(page.locator(".dropdown-menu.show .dropdown-item.active")).to_contain_text("Client South")
    page.locator(".dropdown-menu.show").get_by_role("link", name=re.compile("Client North")).click()
    expect(page.get_by_role("heading", name="Client North")).to_be_visible()
    screenshot(page, "12-back-to-first-client")


def test_the_watch_sees_a_script_the_csp_refuses(new_page, problems):
    """The console check is not vacuous: an inline script added to a page is refused and reported."""
    page = new_page("visitor")
    page.goto("/login")
    problems.assert_none("the sign-in page")

    with page.expect_console_message(lambda message: "Content Security Policy" in message.text):
        page.evaluate(
            """() => {
                const script = document.createElement("script");
                script.textContent = "document.body.dataset.inlineRan = 'yes'";
                document.body.appendChild(script);
            }"""
        )

    expect(page.locator("body")).not_to_have_attribute("data-inline-ran", "yes")
    assert any("Content Security Policy" in seen for seen in problems.seen), problems.seen
    problems.seen.clear()
