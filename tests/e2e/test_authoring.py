"""A trainer builds a module from nothing in the admin, and a coach completes it.

The trainer writes a quiz and a survey and publishes them, saves a new module as a
draft with them chosen, is told it cannot be published without lessons, adds two
lessons and publishes them, then publishes the module. The coach then finds it on My
learning and walks it to the certificate, by clicking only.
"""

import re

import pytest
from playwright.sync_api import expect

from .support import (
    COACH,
    TRAINER,
    accept_privacy,
    answer_quiz,
    answer_survey,
    learn_path,
    sign_in,
    start_module,
    wait_for_path,
)

MODULE = "Talking about money worries"
SLUG = "talking-about-money-worries"
QUIZ = "Money worries quiz"
SURVEY = "Money worries confidence"
LESSONS = ["Why money worries matter", "Asking about money"]


def publish(page):
    """The editor's "More actions" menu, then "Publish"."""
    page.locator("footer").get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Publish", exact=True).click()
    page.wait_for_load_state()


def insert_block(page, block_label: str | None = None, index: int = 0):
    """The "+" of a StreamField, then the kind of block (a stream of one kind of block
    adds it straight away)."""
    page.locator("button.c-sf-add-button").nth(index).click()
    if block_label:
        page.get_by_role("option", name=block_label).click()


def open_sidebar_item(page, menu: str, item: str):
    page.locator("#wagtail-sidebar").get_by_role("button", name=menu).click()
    page.locator("#wagtail-sidebar").get_by_role("link", name=item).click()
    page.wait_for_load_state()


def explore(page, path: list[str], link: str):
    """The sidebar's page explorer: down through ``path``, then follow ``link``."""
    sidebar = page.locator("#wagtail-sidebar")
    sidebar.get_by_role("button", name="Pages").click()
    for title in path:
        sidebar.get_by_role("link", name=f"View child pages of '{title}'").click()
    sidebar.get_by_role("link", name=link, exact=True).click()
    page.wait_for_load_state()


def write_quiz(page):
    open_sidebar_item(page, "Assessments", "Quizzes")
    page.get_by_role("link", name="Add quiz").first.click()
    page.locator("#id_title").fill(QUIZ)
    page.locator("#id_key").fill("money-worries-quiz")
    insert_block(page, "True or false")
    page.locator('input[name="questions-0-value-statement"]').fill(
        "A work coach can ask about debt without being asked first."
    )
    page.locator('input[name="questions-0-value-answer"]').check()
    page.locator('textarea[name="questions-0-value-feedback_true"]').fill("Yes: ask gently.")
    page.locator('textarea[name="questions-0-value-feedback_false"]').fill("You can ask.")
    page.locator('textarea[name="questions-0-value-explanation"]').fill("Asking opens the door.")
    publish(page)
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=QUIZ, exact=True))
    expect(row).to_contain_text("Version 1")


def write_survey(page):
    open_sidebar_item(page, "Assessments", "Confidence surveys")
    page.get_by_role("link", name="Add confidence survey").first.click()
    page.locator("#id_title").fill(SURVEY)
    page.locator("#id_key").fill("money-worries-confidence")
    insert_block(page)  # statements are the only kind of block
    page.locator('input[name="items-0-value-statement"]').fill("Asking about money worries")
    publish(page)
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=SURVEY, exact=True))
    expect(row).to_contain_text("Version 1")


def choose(page, button: str, title: str):
    page.get_by_role("button", name=button).click()
    modal = page.locator(".modal-content")
    modal.get_by_role("link", name=title).click()
    expect(modal).to_be_hidden()


def add_lesson(page, title: str, module):
    """The module's "Add child page" (only lessons may go under a module)."""
    page.locator(f'a[href="/admin/pages/{module.pk}/add_subpage/"]').first.click()
    page.locator("#id_title").fill(title)
    insert_block(page, "Markdown")
    page.locator('textarea[name="body-0-value"]').fill(f"What to know: **{title}**.")
    publish(page)
    # Back on the module's list of lessons, with this one live.
    expect(page.get_by_role("row").filter(has_text=title)).to_contain_text("live")


@pytest.mark.e2e
def test_trainer_builds_a_module_and_a_coach_completes_it(demo_site, browsing):
    from content.models import ModulePage
    from learning.models import Enrolment, Step

    trainer = browsing.new_page()
    # The admin's editor pages are heavy (StreamField, choosers): more time than the
    # service's own pages get.
    trainer.set_default_timeout(30_000)
    trainer.set_default_navigation_timeout(30_000)
    sign_in(trainer, TRAINER)
    trainer.get_by_role("link", name="Authoring").click()
    wait_for_path(trainer, "/admin/")

    write_quiz(trainer)
    write_survey(trainer)

    # A new module, under Modules: saved as a draft with its quiz and survey.
    explore(trainer, ["Coach Academy"], "Modules")
    trainer.get_by_role("link", name="Add child page").first.click()
    trainer.locator("#id_title").fill(MODULE)
    trainer.locator("#id_summary").fill("How to open a conversation about money.")
    choose(trainer, "Choose quiz", QUIZ)
    choose(trainer, "Choose confidence survey", SURVEY)

    # Publishing it now is refused, with the reason. (The editor's autosave may
    # already have kept it as a draft, which is all it can be.)
    publish(trainer)
    expect(trainer.get_by_text("This module has no published lessons").first).to_be_visible()
    assert not ModulePage.objects.filter(slug=SLUG, live=True).exists()

    trainer.get_by_role("button", name="Save draft").click()
    trainer.wait_for_load_state()
    expect(trainer.locator("#id_title")).to_have_value(MODULE)
    assert not ModulePage.objects.get(slug=SLUG).live

    # Two lessons under it, published.
    explore(trainer, ["Coach Academy"], "Modules")
    trainer.get_by_role("button", name=f"More options for '{MODULE}'").click()
    draft = ModulePage.objects.get(slug=SLUG)
    add_lesson(trainer, LESSONS[0], draft)
    add_lesson(trainer, LESSONS[1], draft)

    # Now the module can go live.
    explore(trainer, ["Coach Academy"], "Modules")
    trainer.get_by_role("link", name=MODULE, exact=True).first.click()
    publish(trainer)
    expect(trainer.get_by_role("row").filter(has_text=MODULE)).to_contain_text("live")
    module = ModulePage.objects.get(slug=SLUG)
    assert module.live and module.can_be_finished()

    # The coach (a browser of their own) finds it on My learning and walks it, clicking only.
    coach = browsing.new_page()
    coach.set_default_timeout(30_000)
    coach.set_default_navigation_timeout(30_000)
    sign_in(coach, COACH)
    card = coach.locator(".govuk-summary-card").filter(has_text=MODULE)
    card.get_by_role("link", name=re.compile("^Start")).click()
    expect(coach.get_by_text("Asking about money worries")).to_have_count(0)
    start_module(coach, SLUG)
    accept_privacy(coach, SLUG)
    assert answer_survey(coach, learn_path(SLUG, "survey/pre")) == 1
    assert answer_quiz(coach, learn_path(SLUG, "quiz/pre")) == 1
    coach.get_by_role("link", name="Continue", exact=True).click()
    wait_for_path(coach, learn_path(SLUG, "lessons"))
    coach.get_by_role("link", name="Start the first lesson").click()
    expect(coach.locator("h1")).to_have_text(LESSONS[0])
    coach.locator("a[rel=next]").click()
    expect(coach.locator("h1")).to_have_text(LESSONS[1])
    coach.get_by_role("link", name="My learning").click()
    card = coach.locator(".govuk-summary-card").filter(has_text=MODULE)
    card.get_by_role("link", name=re.compile("^Continue")).click()
    wait_for_path(coach, learn_path(SLUG, "lessons"))
    coach.get_by_role("button", name="Continue to the quiz").click()
    # The quiz after the module: the statement is true.
    wait_for_path(coach, learn_path(SLUG, "quiz/post"))
    coach.get_by_label("True").check()
    coach.get_by_role("button", name="Submit answers").click()
    expect(coach.get_by_text("You reached the pass mark of 70%.")).to_be_visible()
    coach.get_by_role("link", name="Continue", exact=True).click()
    answer_survey(coach, learn_path(SLUG, "survey/post"), now=4, then=2, reaction=4)
    wait_for_path(coach, learn_path(SLUG, "completed"))
    expect(coach.get_by_role("heading", name="Module completed")).to_be_visible()

    enrolment = Enrolment.objects.get(module=module, user__email=COACH)
    assert enrolment.step == Step.COMPLETED and enrolment.passed
    assert enrolment.certificate_code
