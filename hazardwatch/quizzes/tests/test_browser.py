"""The daily quiz on a 360 px phone in headless Chromium: choose a region, take the quiz, see explanations.

With HAZARDWATCH_SCREENSHOTS=1 it also saves docs/img/quiz-phone.png.
"""
import os

import pytest
from django.conf import settings
from django.core.management import call_command

from hazardwatch.quizzes.models import Answer, Attempt
from hazardwatch.quizzes.tests.conftest import BANK

SCREENSHOT = settings.BASE_DIR / "docs" / "img" / "quiz-phone.png"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_member_of_the_public_takes_the_daily_quiz_on_a_phone(city, live_server, phone_page, settings):
    settings.REDIS_URL = ""
    call_command("quizzes", "import", str(BANK), stdout=open(os.devnull, "w"))
    errors = []
    page = phone_page
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/quiz/")
    page.select_option("#quiz-region", "410105")
    page.select_option("#quiz-unit", str(city.enterprise.pk))
    page.click("#quiz-profile button[type=submit]")
    page.wait_for_selector("#quiz-start")
    assert "郑州示例商贸有限公司" in page.inner_text("#quiz-taker")
    page.click("#quiz-start")
    page.wait_for_selector("article.quiz-q")
    cards = page.locator("article.quiz-q")
    assert cards.count() == 5
    timer = page.inner_text("#quiz-timer")
    assert any(ch.isdigit() for ch in timer)
    ids = [cards.nth(i).get_attribute("data-question") for i in range(5)]
    for n, qid in enumerate(ids):
        card = page.locator(f"#q-{qid}")
        card.locator("label.quiz-opt").first.click()
        card.locator("button[type=submit]").click()
        page.wait_for_selector(f"#q-{qid} .quiz-verdict")
        if n == 0:
            assert page.locator(f"#q-{qid} .quiz-explanation").count() == 1
            page.locator(f"#q-{qid}").scroll_into_view_if_needed()
            if os.environ.get("HAZARDWATCH_SCREENSHOTS") == "1":
                SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SCREENSHOT), full_page=False)
    page.wait_for_selector("#quiz-finished:not([hidden])")
    assert "分" in page.inner_text("#quiz-finished") or "points" in page.inner_text("#quiz-finished")
    # nothing wider than the phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert errors == []
    attempt = Attempt.objects.get()
    assert attempt.answered_count == 5 and Answer.objects.count() == 5
    assert attempt.unit_id == city.enterprise.pk
    # one attempt a day: back on the start page there is no start button any more
    page.goto(f"{live_server.url}/quiz/")
    assert page.locator("#quiz-start").count() == 0
