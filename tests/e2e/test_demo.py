"""The product owner's acceptance of the demo, in a real browser.

1. A work coach signs in and, in each module, starts it, gets through the privacy
   notice and the survey and quiz before the module, then reads every lesson.
2. A trainer edits and publishes a lesson in Wagtail; coaches see the change, and
   reloading the curriculum from files leaves the trainer's edit alone.
3. Pages, the journey's among them, are readable on a phone.

test_journey.py walks one module to the end: post quiz, post survey, certificate.
"""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from .support import (
    COACH,
    DESKTOP,
    MODULE_SLUGS,
    PHONE,
    TRAINER,
    answer_quiz,
    answer_survey,
    do_baseline,
    has_horizontal_scroll,
    learn_path,
    module_files,
    sign_in,
    sign_out,
    too_wide,
    wait_for_path,
    walk_in_db,
)

# Screenshots for a person to look at after a run (test-results/ is not committed).
RESULTS = Path(__file__).resolve().parents[2] / "test-results"
PHONE_SCREENSHOT = RESULTS / "lesson-phone.png"
DESKTOP_SCREENSHOT = RESULTS / "lesson-desktop.png"


def heading(page):
    return page.locator("h1")


@pytest.mark.e2e
def test_coach_signs_in_and_reads_every_lesson_of_every_module(demo_site, browsing):
    page = browsing.new_page()

    # A mistyped password: the GOV.UK error summary, and no way in.
    sign_in(page, COACH, password="not-the-password")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.locator(".govuk-error-summary__title")).to_have_text("There is a problem")
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.get_by_role("link", name="Sign out")).to_have_count(0)

    # Signing in lands on the step last worked on: with nothing started, "My learning".
    sign_in(page, COACH)
    expect(page).to_have_url(re.compile(r"/learn/$"))
    expect(heading(page)).to_have_text("My learning")
    expect(page.get_by_role("link", name="Sign out")).to_be_visible()
    expect(page.get_by_role("link", name="Your account")).to_be_visible()

    for slug in MODULE_SLUGS:
        module = module_files(slug)
        assert module.lesson_titles, f"no lesson files for {slug}"

        page.goto("/")
        page.get_by_role("link", name=module.title, exact=True).click()
        expect(page).to_have_url(re.compile(rf"/modules/{slug}/$"))
        expect(heading(page)).to_have_text(module.title)

        page.get_by_role("button", name="Start or continue this module").click()
        expect(heading(page)).to_have_text(module.title)
        do_baseline(page, slug)
        expect(page.get_by_text("Not read yet")).to_have_count(len(module.lesson_titles))

        page.get_by_role("link", name="Start the first lesson").click()
        for number, title in enumerate(module.lesson_titles, start=1):
            expect(heading(page), f"{slug} lesson {number}").to_have_text(title)
            expect(page.locator(".govuk-caption-l")).to_have_text(
                f"{module.title}: lesson {number} of {len(module.lesson_titles)}"
            )
            expect(page).to_have_url(
                re.compile(rf"/modules/{slug}/{module.lesson_slugs[number - 1]}/$")
            )
            if number < len(module.lesson_titles):
                page.locator("a[rel=next]").click()
        expect(page.locator("a[rel=next]"), f"{slug}: last lesson has no Next").to_have_count(0)

        # Every visit was recorded: the lessons page has them all read.
        page.goto(learn_path(slug, "lessons"))
        expect(page.get_by_text("Not read yet")).to_have_count(0)
        expect(page.get_by_role("button", name="Continue to the quiz")).to_be_visible()
    assert browsing.log.server_errors == []

    # Signing out is a confirmation page with a button.
    sign_out(page)
    expect(page.get_by_role("link", name="Sign in", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Sign out")).to_have_count(0)


@pytest.mark.e2e
def test_trainer_publishes_a_lesson_edit_that_coaches_see_and_reloads_keep(demo_site, browsing):
    from content.models import LessonPage
    from learning.models import LessonProgress, Step

    module = module_files("disclosure-conversations")
    lesson_slug, original_title = module.lesson_slugs[0], module.lesson_titles[0]
    lesson = LessonPage.objects.get(slug=lesson_slug)
    lesson_path = f"/modules/{module.slug}/{lesson_slug}/"
    new_title = "Opening the conversation (revised by the trainer)"

    trainer = browsing.new_page()
    sign_in(trainer, TRAINER)
    trainer.goto("/admin/")
    expect(trainer).to_have_url(re.compile(r"/admin/$"))

    trainer.goto(f"/admin/pages/{lesson.pk}/edit/")
    title_field = trainer.locator("#id_title")
    expect(title_field).to_have_value(original_title)
    title_field.fill(new_title)

    # Wagtail's footer: "Save draft" as the main button, "Publish" in the dropdown.
    footer = trainer.locator("footer")
    footer.get_by_role("button", name="More actions").click()
    footer.get_by_role("button", name="Publish").click()
    expect(trainer.locator(".messages")).to_contain_text(new_title)
    expect(trainer.locator(".messages")).to_contain_text("published")
    # Leave the admin, so nothing it polls for runs while the test uses the database.
    trainer.close()

    lesson.refresh_from_db()
    assert lesson.title == new_title
    assert lesson.live and not lesson.has_unpublished_changes

    # Lessons open once the baseline is done: the coach has done it.
    enrolment = walk_in_db(COACH, module.slug, until=Step.LESSONS)
    coach = browsing.new_page()
    sign_in(coach, COACH, path=f"/accounts/login/?next={lesson_path}")
    expect(coach).to_have_url(re.compile(rf"{re.escape(lesson_path)}$"))
    expect(heading(coach)).to_have_text(new_title)
    assert LessonProgress.objects.filter(enrolment=enrolment, lesson=lesson).exists()

    out = io.StringIO()
    call_command("load_curriculum", stdout=out)
    report = out.getvalue()
    assert f"Skipped lesson '{original_title}' in '{module.title}'" in report, report

    lesson.refresh_from_db()
    assert lesson.title == new_title
    coach.reload()
    expect(heading(coach)).to_have_text(new_title)


@pytest.mark.e2e
def test_pages_are_readable_on_a_phone(demo_site, browsing):
    from learning.models import Enrolment, Step

    module = module_files("disclosure-conversations")
    slug = module.slug
    lesson_path = f"/modules/{slug}/{module.lesson_slugs[0]}/"

    phone = browsing.new_page(viewport=PHONE)
    # Every page is checked, and all that scroll sideways are reported together.
    sideways = []

    def fits(what):
        phone.wait_for_load_state()
        if has_horizontal_scroll(phone):
            sideways.append(f"{what} ({phone.url}): {too_wide(phone)}")

    phone.goto("/")
    fits("home page, signed out")

    sign_in(phone, COACH)
    expect(heading(phone)).to_have_text("My learning")
    fits("My learning, nothing started")
    phone.goto("/")
    expect(phone.get_by_role("link", name=module.title, exact=True)).to_be_visible()
    fits("home page, signed in")

    # The journey's pages up to the lessons, on the phone.
    phone.goto(learn_path(slug))
    expect(heading(phone)).to_have_text(module.title)
    fits("start page")
    phone.get_by_role("button", name="Start this module").click()
    expect(heading(phone)).to_have_text("How your answers are used")
    fits("privacy notice")
    phone.get_by_role("button", name="Continue", exact=True).click()
    wait_for_path(phone, learn_path(slug, "survey/pre"))
    fits("survey before the module")
    answer_survey(phone, learn_path(slug, "survey/pre"))
    wait_for_path(phone, learn_path(slug, "quiz/pre"))
    fits("quiz before the module")
    answer_quiz(phone, learn_path(slug, "quiz/pre"))
    expect(phone.locator(".govuk-panel__title")).to_have_text("Answers saved")
    fits("quiz result")
    phone.get_by_role("link", name="Continue", exact=True).click()
    expect(heading(phone)).to_have_text("Lessons")
    fits("lessons page")

    phone.goto(lesson_path)
    expect(heading(phone)).to_have_text(module.lesson_titles[0])
    fits("lesson")
    phone.screenshot(path=PHONE_SCREENSHOT, full_page=True)

    # The end of another module's journey: the survey after the module (with its
    # "Thinking back" statements and the usefulness rating), completion, the
    # certificate, and My learning with one module completed.
    other = "working-with-peer-mentors"
    walk_in_db(COACH, other, until=Step.POST_SURVEY)
    phone.goto(learn_path(other, "survey/post"))
    expect(phone.get_by_text("How useful was this module for your work?")).to_be_visible()
    fits("survey after the module")
    answer_survey(phone, learn_path(other, "survey/post"), now=4, then=2, reaction=5)
    expect(phone.locator(".govuk-panel__title")).to_have_text("Module completed")
    fits("module completed")
    # Codes are random, and some print wider than others: give this certificate the
    # widest a coach can get, so that whether it fits does not depend on the draw.
    Enrolment.objects.filter(user__email=COACH, module__slug=other).update(
        certificate_code="W" * 12
    )
    phone.get_by_role("link", name="View and print your certificate").click()
    expect(phone.get_by_role("button", name="Print")).to_be_visible()
    fits("certificate")
    phone.goto("/learn/")
    expect(phone.locator(".govuk-tag", has_text="Completed")).to_have_count(1)
    fits("My learning, one module completed")

    desktop = browsing.new_page(viewport=DESKTOP)
    sign_in(desktop, COACH)
    desktop.goto(lesson_path)
    expect(heading(desktop)).to_have_text(module.lesson_titles[0])
    desktop.screenshot(path=DESKTOP_SCREENSHOT, full_page=True)

    if sideways:
        pytest.fail("Pages that scroll sideways on a phone:\n" + "\n".join(sideways))
