"""The product owner's acceptance of the demo, in a real browser.

1. A work coach signs in and reads every lesson of every module.
2. A trainer edits and publishes a lesson in Wagtail; coaches see the change, and
   reloading the curriculum from files leaves the trainer's edit alone.
3. Pages are readable on a phone.
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
    has_horizontal_scroll,
    module_files,
    sign_in,
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

    sign_in(page, COACH)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("link", name="Sign out")).to_be_visible()
    expect(page.get_by_role("link", name="Your account")).to_be_visible()

    for slug in MODULE_SLUGS:
        module = module_files(slug)
        assert module.lesson_titles, f"no lesson files for {slug}"

        page.goto("/")
        page.get_by_role("link", name=module.title, exact=True).click()
        expect(page).to_have_url(re.compile(rf"/modules/{slug}/$"))
        expect(heading(page)).to_have_text(module.title)

        page.get_by_role("button", name="Start the first lesson").click()
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
    assert browsing.log.server_errors == []

    # Signing out is a confirmation page with a button.
    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Sign out")).to_have_count(0)


@pytest.mark.e2e
def test_trainer_publishes_a_lesson_edit_that_coaches_see_and_reloads_keep(demo_site, browsing):
    from content.models import LessonPage

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

    coach = browsing.new_page()
    sign_in(coach, COACH, path=f"/accounts/login/?next={lesson_path}")
    expect(coach).to_have_url(re.compile(rf"{re.escape(lesson_path)}$"))
    expect(heading(coach)).to_have_text(new_title)

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
    module = module_files("disclosure-conversations")
    lesson_path = f"/modules/{module.slug}/{module.lesson_slugs[0]}/"

    phone = browsing.new_page(viewport=PHONE)
    phone.goto("/")
    assert not has_horizontal_scroll(phone), "home page scrolls sideways (signed out)"

    sign_in(phone, COACH)
    expect(phone.get_by_role("link", name=module.title, exact=True)).to_be_visible()
    assert not has_horizontal_scroll(phone), "home page scrolls sideways (signed in)"

    phone.goto(lesson_path)
    expect(heading(phone)).to_have_text(module.lesson_titles[0])
    assert not has_horizontal_scroll(phone), f"{lesson_path} scrolls sideways"
    phone.screenshot(path=PHONE_SCREENSHOT, full_page=True)

    desktop = browsing.new_page(viewport=DESKTOP)
    sign_in(desktop, COACH)
    desktop.goto(lesson_path)
    expect(heading(desktop)).to_have_text(module.lesson_titles[0])
    desktop.screenshot(path=DESKTOP_SCREENSHOT, full_page=True)
