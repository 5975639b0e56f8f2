"""After signing in each user lands on the page for their roles, and the navigation shows only usable links."""
import pytest

from hazardwatch.accounts.models import Membership
from hazardwatch.accounts.testing import totp_enrol, totp_now
from hazardwatch.workbench.tests.conftest import PASSWORD, make_user

NAV_LINKS = {
    "queue": "/staff/", "map": "/map/staff/", "risk": "/staff/risk/", "dashboard": "/dashboard/",
    "rewards": "/staff/rewards/", "exposure": "/staff/exposure/",
    "flagged": "/staff/reporters/flagged/", "inspections": "/staff/checklists/", "drills": "/staff/drills/",
    "campaigns": "/staff/campaigns/", "quizzes": "/staff/quizzes/", "webhooks": "/staff/webhooks/",
    "apikeys": "/staff/apikeys/",
}


def _login(client, username, **extra):
    return client.post("/staff/login/", {"username": username, "password": PASSWORD, **extra})


def _nav_hrefs(html: str) -> set[str]:
    nav = html.split('class="wb-product"', 1)[1].split('class="wb-spacer"', 1)[0]
    return {part.split('"', 1)[0] for part in nav.split('href="')[1:]}


@pytest.fixture
def reviewer(world):
    return make_user("reviewer_only", world.fire_jinshui, "reward_reviewer")


@pytest.fixture
def office(world):
    from hazardwatch.accounts.models import Organization

    org = Organization.objects.create(kind="campaign_office", name="金水区安全生产月活动办公室", region=world.jinshui)
    return make_user("office_only", org, "campaign_office")


@pytest.mark.django_db
def test_each_role_lands_on_its_own_page(client, world, reviewer, office):
    cases = [("jinshui_staff", "/staff/"), ("officer", "/staff/"), ("reviewer_only", "/staff/rewards/"),
             ("office_only", "/staff/campaigns/"), ("nobody", "/staff/")]
    for username, target in cases:
        resp = _login(client, username)
        assert resp.status_code == 302 and resp["Location"] == target, (username, resp.status_code)
        client.logout()
    # the landing page itself answers 200 for the reviewer (it used to be the workbench's 403)
    resp = _login(client, "reviewer_only")
    assert client.get(resp["Location"]).status_code == 200
    # an explicit ?next= still wins; a signed-in visit to the login page goes to the landing page
    assert client.get("/staff/login/")["Location"] == "/staff/rewards/"
    client.logout()
    resp = _login(client, "reviewer_only", next="/staff/rewards/ledger/")
    assert resp["Location"] == "/staff/rewards/ledger/"
    # a reviewer sent to the case queue (e.g. an old bookmark) is passed on instead of refused
    assert client.get("/staff/")["Location"] == "/staff/rewards/"
    client.logout()
    # a user without any role still gets the explanation on the workbench
    _login(client, "nobody")
    assert client.get("/staff/").status_code == 403


@pytest.mark.django_db
def test_the_navigation_shows_only_usable_links(client, world, reviewer, office):
    client.cookies["django_language"] = "en"
    everything = set(NAV_LINKS.values())
    for user, home, expected in [
        (reviewer, "/staff/rewards/", {"/staff/rewards/", "/staff/apikeys/"}),
        (office, "/staff/campaigns/", {"/staff/campaigns/", "/staff/quizzes/", "/staff/apikeys/"}),
        # a responsible unit: case pages, no rewards, no regulators' inspections, no campaign office
        (world.officer, "/staff/", everything - {"/staff/rewards/", "/staff/checklists/", "/staff/campaigns/",
                                                 "/staff/webhooks/"}),
        # a regulator: everything but the campaign office's page
        (world.staff, "/staff/", everything - {"/staff/campaigns/"}),
    ]:
        client.force_login(user)
        hrefs = _nav_hrefs(client.get(home).content.decode())
        assert hrefs == expected, (user.username, hrefs ^ expected)
        for href in hrefs:  # every link shown opens
            assert client.get(href, follow=True).status_code == 200, (user.username, href)
        for href in everything - hrefs - {"/staff/"}:  # every link hidden would indeed refuse this user
            assert client.get(href).status_code == 403, (user.username, href)

    # a regulator who is also a reward reviewer lands on the workbench first
    Membership.objects.create(user=world.leader, organization=world.fire_jinshui, role="reward_reviewer")
    client.logout()
    secret = totp_enrol(world.leader)  # leaders must use two-factor sign-in (docs/security.md)
    assert _login(client, "jinshui_leader")["Location"] == "/staff/login/code/"
    assert client.post("/staff/login/code/", {"code": totp_now(secret)})["Location"] == "/staff/"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_reward_reviewer_signs_in_to_the_reward_queue(world, reviewer, live_server, desktop_page):
    page = desktop_page
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/staff/login/")
    page.fill("input[name=username]", "reviewer_only")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.wb-login-form button[type=submit]")
    page.wait_for_url("**/staff/rewards/")
    assert page.locator("a.wb-nav-link").count() == 2  # rewards and API keys
    assert page.locator("a.wb-nav-link.is-current").get_attribute("href") == "/staff/rewards/"
    assert not errors
