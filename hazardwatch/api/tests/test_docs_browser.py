"""/api/v1/docs in headless Chromium: Swagger UI starts from our own files with every off-machine request
blocked, lists the operations, and "Try it out" on the case queue answers 200 with the staff session."""
import pytest


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_swagger_ui_runs_offline_and_calls_the_api(city, live_server, desktop_page):
    page = desktop_page
    errors, external = [], []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda req: external.append(req.url)
            if not req.url.startswith((live_server.url, "data:", "blob:")) else None)
    page.goto(f"{live_server.url}/staff/login/?next=/api/v1/docs")
    page.fill("input[name=username]", "inspector_li")
    page.fill("input[name=password]", "pw-inspector_li")
    page.click("form.wb-login-form button[type=submit]")
    page.wait_for_selector("#operations-cases-hazardwatch_cases_api_case_list", timeout=20000)
    assert page.locator(".opblock").count() > 40
    assert page.locator(".auth-wrapper .authorize").count() == 1  # the Authorize button (Bearer key)
    op = page.locator("#operations-cases-hazardwatch_cases_api_case_list")
    op.locator(".opblock-summary").click()
    op.locator("button.try-out__btn").click()
    op.locator("button.execute").click()
    op.locator(".live-responses-table .response-col_status").first.wait_for(timeout=20000)
    status = op.locator(".live-responses-table tbody .response-col_status").first.inner_text().strip()
    assert status.startswith("200"), status
    assert not errors, errors
    assert not external, external


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_issue_a_key_in_the_workbench_and_use_it(city, live_server, desktop_page):
    import os

    page = desktop_page
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/staff/login/?next=/staff/apikeys/")
    page.fill("input[name=username]", "inspector_li")
    page.fill("input[name=password]", "pw-inspector_li")
    page.click("form.wb-login-form button[type=submit]")
    page.click("a.wb-nav-link[href='/staff/apikeys/']")
    page.click("a[href='/staff/apikeys/new/']")
    page.fill("input[name=name]", "EHS sync")
    page.click("form.wb-card button[type=submit]")
    secret = page.locator("input[data-secret]").input_value()
    assert secret.startswith("hwk_")
    if os.environ.get("HAZARDWATCH_SCREENSHOTS"):
        page.screenshot(path="/tmp/apikey-issued.png", full_page=True)
    page.goto(f"{live_server.url}/staff/apikeys/")
    assert "EHS sync" in page.content() and secret not in page.content()
    if os.environ.get("HAZARDWATCH_SCREENSHOTS"):
        page.screenshot(path="/tmp/apikey-list.png", full_page=True)
    answer = page.request.get(f"{live_server.url}/api/v1/cases", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status == 200 and "items" in answer.json()
    assert not errors, errors
